-- 002 least privilege. Deployments that follow the documented layout have
-- three roles: the owner (runs these migrations), a NOLOGIN group role
-- mam_runtime, and the service's login role, a member of mam_runtime. The
-- runtime may read and write case data; it cannot change the schema (only
-- the owner can), nor update or delete audit events, nor touch the record
-- of migrations. Where no mam_runtime role exists (a single-role set-up such
-- as docker compose's), this migration grants nothing.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mam_runtime') THEN
    GRANT USAGE ON SCHEMA public TO mam_runtime;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO mam_runtime;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO mam_runtime;
    REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM mam_runtime;
    REVOKE UPDATE, DELETE ON audit_events FROM mam_runtime;
    -- tables and sequences that later migrations create, as the same owner
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
      GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mam_runtime;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
      GRANT USAGE, SELECT ON SEQUENCES TO mam_runtime;
  END IF;
END
$$;
