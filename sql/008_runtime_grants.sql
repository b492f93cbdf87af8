-- 008 the runtime role's privileges, granted on every `mam migrate`, not
-- only once. 002 granted them only if mam_runtime existed when it ran; on
-- CloudNativePG the operator creates that role (managed.roles) while the
-- migration Job may already be running, and a migration runs once, so the
-- grants could be missed for good. mam_grant_runtime() makes the same
-- grants as 002 and is idempotent; `mam migrate` calls it after the
-- migrations and says whether the role exists (`--require-runtime-role`
-- makes its absence a failure, so a Job retries until the operator has
-- made it). Returns false, granting nothing, when there is no such role.
CREATE FUNCTION mam_grant_runtime() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mam_runtime') THEN
    RETURN false;
  END IF;
  GRANT USAGE ON SCHEMA public TO mam_runtime;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO mam_runtime;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO mam_runtime;
  REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM mam_runtime;
  REVOKE UPDATE, DELETE ON audit_events FROM mam_runtime;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mam_runtime;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO mam_runtime;
  RETURN true;
END
$$;
REVOKE ALL ON FUNCTION mam_grant_runtime() FROM PUBLIC;
