-- 045 RET-1..3: the audit trail as a record class of its own ("audit events
-- follow their own class"). A record is one calendar month (UTC) of the
-- trail, once the month has ended and holds at least one event; its id is
-- derived from the month (audit_month_record_id, sql/functions/
-- 89_retention_audit_event.sql) and its reference is the month, YYYY-MM.
-- Its period runs from the month's end (`event_recorded`: the first day of
-- the next month). It may be reviewed, deleted or anonymised (who and which
-- record removed, the rest kept). Version 1 of its policy is the service's
-- default for a new database (docs/data-protection.md says why): 480
-- months (40 years) from the month's end, then review: longer than a
-- meeting record's default (35 years from the case closing), so that the
-- evidence of who read a record is not lost while the record is kept.
INSERT INTO retention_record_classes (record_class, row_table, resource_type) VALUES
  ('audit_event', NULL, NULL);
INSERT INTO retention_class_starts (record_class, runs_from) VALUES
  ('audit_event', 'event_recorded');
INSERT INTO retention_class_actions (record_class, then_action) VALUES
  ('audit_event', 'review'), ('audit_event', 'delete'), ('audit_event', 'anonymise');
INSERT INTO retention_policies (record_class, version, period_months, runs_from, then_action,
                                effective_from, changed_by_sub, reason)
VALUES ('audit_event', 1, 480, 'event_recorded', 'review', '-infinity', 'mam migrate',
        'The service''s default: 40 years from the end of the month, then review, so that '
        'who read a record is known for as long as the record is kept');

-- A month of the trail is named by its month and concerns no meeting, no
-- child and no agency's feed (the trail is the service's own evidence).
ALTER TABLE disposals ADD CONSTRAINT disposals_audit_month_fields
  CHECK (record_class <> 'audit_event'
         OR (meeting_id IS NULL AND meeting_reference ~ '^[0-9]{4}-[0-9]{2}$'
             AND cardinality(child_ids) = 0 AND cardinality(agencies) = 0));

-- RET-3: the trail's guards let one thing through: the disposal's own
-- DELETE, or its UPDATE that only anonymises (retention_dispose, as the
-- tables' owner with mam.disposal set for its statements). Every other
-- UPDATE and DELETE is refused as before, for every role; TRUNCATE stays
-- refused (audit_events_append_only). The other tables that share
-- audit_events_append_only keep it. (The first form; the final one is in
-- sql/functions/89_retention_audit_event.sql, the same body when written.)
CREATE FUNCTION audit_trail_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND retention_disposing(TG_RELID) THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND retention_disposing(TG_RELID) THEN
    IF TG_TABLE_NAME = 'audit_event_agencies' THEN
      IF (NEW.agency, NEW.event_id) = (OLD.agency, OLD.event_id) AND NEW.resource_ids IS NULL THEN
        RETURN NEW;
      END IF;
    ELSIF (NEW.id, NEW.occurred_at, NEW.actor_agency, NEW.action, NEW.resource_type, NEW.outcome)
          = (OLD.id, OLD.occurred_at, OLD.actor_agency, OLD.action, OLD.resource_type, OLD.outcome)
      AND NEW.actor_sub = audit_anonymised_mark() AND NEW.request_id = audit_anonymised_mark()
      AND NEW.trace_id IS NULL AND NEW.resource_id IS NULL AND NEW.resource_ids IS NULL THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER audit_events_no_update ON audit_events;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_trail_guard();
DROP TRIGGER audit_event_agencies_no_update ON audit_event_agencies;
CREATE TRIGGER audit_event_agencies_no_update BEFORE UPDATE OR DELETE ON audit_event_agencies
  FOR EACH ROW EXECUTE FUNCTION audit_trail_guard();
