-- Least privilege: the runtime role's privileges, which `mam migrate`
-- grants on every run, after the migrations and these definitions.
--
-- A migration runs once, and on CloudNativePG the operator creates
-- mam_runtime (managed.roles) while the migration Job may already be
-- running, so grants made only once could be missed for good.
-- mam_grant_runtime() is idempotent; `mam migrate` calls it and says
-- whether the role exists (`--require-runtime-role` makes its absence a
-- failure, so a Job retries until the operator has made it). It returns
-- false, granting nothing, when there is no such role. The runtime may
-- read and write case data; it cannot change the schema, update or delete
-- audit events, or touch the record of migrations.
CREATE OR REPLACE FUNCTION mam_grant_runtime() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mam_runtime') THEN
    RETURN false;
  END IF;
  GRANT USAGE ON SCHEMA public TO mam_runtime;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO mam_runtime;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO mam_runtime;
  REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM mam_runtime;
  REVOKE INSERT, UPDATE, DELETE ON schema_functions FROM mam_runtime;
  REVOKE UPDATE, DELETE ON audit_events FROM mam_runtime;
  REVOKE UPDATE, DELETE ON audit_event_agencies FROM mam_runtime;
  -- policy history is only added to (OBL-1); a reminder once sent stays sent (OBL-3)
  REVOKE UPDATE, DELETE ON policy_versions FROM mam_runtime;
  REVOKE UPDATE, DELETE ON reminders_sent FROM mam_runtime;
  -- a rendition, once approved, and each sending of it stay as they are (REN-2)
  REVOKE UPDATE, DELETE ON minutes_renditions FROM mam_runtime;
  REVOKE UPDATE, DELETE ON rendition_shares FROM mam_runtime;
  -- the outcome letter is sent once, to the invitees it names (REN-3)
  REVOKE UPDATE, DELETE ON outcome_letters FROM mam_runtime;
  REVOKE UPDATE, DELETE ON outcome_letter_recipients FROM mam_runtime;
  -- when each clock was introduced is the schema's, not the service's (039)
  REVOKE INSERT, UPDATE, DELETE ON obligation_clocks_introduced FROM mam_runtime;
  -- retention policy history and case closures are only added to (RET-1);
  -- a disposal's tombstone is written only by retention_dispose (RET-3)
  REVOKE UPDATE, DELETE ON retention_policies FROM mam_runtime;
  REVOKE UPDATE, DELETE ON child_case_closures FROM mam_runtime;
  REVOKE UPDATE, DELETE ON disposals FROM mam_runtime;
  -- consent decisions and escalations are deleted only by their disposal (047)
  REVOKE DELETE ON consent_decisions FROM mam_runtime;
  REVOKE DELETE ON consent_agreements FROM mam_runtime;
  REVOKE DELETE ON escalations FROM mam_runtime;
  REVOKE DELETE ON escalation_events FROM mam_runtime;
  -- the record classes, their start events and ends are the schema's (044):
  -- the service reads them and may not widen what a policy may say
  REVOKE INSERT, UPDATE, DELETE ON retention_record_classes FROM mam_runtime;
  REVOKE INSERT, UPDATE, DELETE ON retention_class_starts FROM mam_runtime;
  REVOKE INSERT, UPDATE, DELETE ON retention_class_actions FROM mam_runtime;
  -- a hold is released, never removed: its history stays (RET-2)
  REVOKE DELETE ON retention_holds FROM mam_runtime;
  -- a subject access case is deleted only by its disposal (RET-3, 043)
  REVOKE DELETE ON subject_access_requests FROM mam_runtime;
  REVOKE DELETE ON subject_access_items FROM mam_runtime;
  REVOKE DELETE ON subject_access_consultations FROM mam_runtime;
  REVOKE DELETE ON subject_access_consultation_items FROM mam_runtime;
  -- a draft of minutes is deleted only by its disposal (RET-3, 048)
  REVOKE DELETE ON minutes FROM mam_runtime;
  -- a meeting's stored rendering is written only by meeting_renderings_refresh,
  -- from the meeting as it is (050): the service reads it
  REVOKE INSERT, UPDATE, DELETE ON meeting_renderings FROM mam_runtime;
  REVOKE INSERT, UPDATE, DELETE ON meeting_renderings_state FROM mam_runtime;
  GRANT EXECUTE ON FUNCTION retention_dispose(uuid, text, text, text) TO mam_runtime;
  -- housekeeping renders again the renderings a passed due date made stale (050)
  GRANT EXECUTE ON FUNCTION meeting_renderings_renew(date, integer) TO mam_runtime;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mam_runtime;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO mam_runtime;
  RETURN true;
END
$$;
REVOKE ALL ON FUNCTION mam_grant_runtime() FROM PUBLIC;
