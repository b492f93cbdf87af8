-- 041 Retention (RET-1), holds (RET-2) and disposal with proof (RET-3).
--
-- retention_policies: one row per version of a record class's policy: a
-- period in months, the event it runs from and what then happens. Rows are
-- only ever added (the runtime role may not update or delete them:
-- sql/functions/90_runtime_grants.sql); the latest version of a class is in
-- effect. Version 1 is the service's default for a new database
-- (docs/data-protection.md says where it comes from): a meeting record is
-- kept 35 years from the closure of the child's case, then reviewed.
CREATE TABLE retention_policies (
  record_class       text NOT NULL CHECK (record_class IN ('meeting_record')),
  version            integer NOT NULL CHECK (version >= 1),
  period_months      integer NOT NULL CHECK (period_months BETWEEN 1 AND 1800),
  runs_from          text NOT NULL CHECK (runs_from IN ('meeting_closed', 'case_closed',
                                                        'date_of_birth')),
  then_action        text NOT NULL CHECK (then_action IN ('review', 'delete')),
  effective_from     timestamptz NOT NULL DEFAULT now(),
  changed_by_sub     text NOT NULL,
  changed_by_agency  text,
  reason             text,
  PRIMARY KEY (record_class, version)
);
INSERT INTO retention_policies (record_class, version, period_months, runs_from, then_action,
                                effective_from, changed_by_sub, reason)
VALUES ('meeting_record', 1, 420, 'case_closed', 'review', '-infinity', 'mam migrate',
        'The service''s default: 35 years from the closure of the child''s case, then review');

-- A child's case closed, as the case-management system reports it (the
-- start event `case_closed`). Reports are only added; the latest counts.
CREATE TABLE child_case_closures (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq                 bigserial UNIQUE,
  child_id            uuid NOT NULL REFERENCES children (id),
  closed_on           date NOT NULL,
  reported_by_sub     text NOT NULL,
  reported_by_agency  text NOT NULL,
  reported_at         timestamptz NOT NULL DEFAULT now(),
  version             integer NOT NULL DEFAULT 1
);
CREATE INDEX child_case_closures_by_child ON child_case_closures (child_id, seq DESC);

-- RET-2: a hold on a child, a meeting or a record class stops disposal
-- until it ends (ends_on, inclusive) or is released. Released holds stay.
-- meeting_id has no foreign key: a released hold outlives the record.
CREATE TABLE retention_holds (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq                 bigserial UNIQUE,
  scope               text NOT NULL CHECK (scope IN ('child', 'meeting', 'record_class')),
  child_id            uuid REFERENCES children (id),
  meeting_id          uuid,
  record_class        text CHECK (record_class IN ('meeting_record')),
  kind                text NOT NULL CHECK (kind IN ('inquiry', 'litigation', 'subject_access',
                                                    'rapid_review', 'complaint')),
  reason              text NOT NULL,
  ends_on             date,
  placed_by_sub       text NOT NULL,
  placed_by_agency    text NOT NULL,
  placed_at           timestamptz NOT NULL DEFAULT now(),
  released_by_sub     text,
  released_by_agency  text,
  released_at         timestamptz,
  release_reason      text,
  version             integer NOT NULL DEFAULT 1,
  CHECK ((scope = 'child') = (child_id IS NOT NULL)),
  CHECK ((scope = 'meeting') = (meeting_id IS NOT NULL)),
  CHECK ((scope = 'record_class') = (record_class IS NOT NULL)),
  CHECK ((released_at IS NULL) = (release_reason IS NULL))
);

-- RET-3: a disposal, proposed by one person and approved by a second with
-- the other role (the dpo, and an admin or senior manager). Once approved
-- the row is the tombstone: ids, class, policy version, who and when, and
-- no content. The agencies the record concerned are kept to tell their
-- feeds (record.purged) once the record itself is gone.
CREATE TABLE disposals (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  record_class        text NOT NULL CHECK (record_class IN ('meeting_record')),
  meeting_id          uuid NOT NULL,
  meeting_reference   text NOT NULL,
  child_ids           uuid[] NOT NULL,
  agencies            text[] NOT NULL,
  policy_version      integer NOT NULL,
  due_on              date NOT NULL,
  status              text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'disposed')),
  proposed_by_sub     text NOT NULL,
  proposed_by_name    text NOT NULL,
  proposed_by_agency  text NOT NULL,
  proposed_as         text NOT NULL CHECK (proposed_as IN ('dpo', 'manager')),
  proposed_at         timestamptz NOT NULL DEFAULT now(),
  approved_by_sub     text,
  approved_by_name    text,
  approved_by_agency  text,
  approved_at         timestamptz,
  version             integer NOT NULL DEFAULT 1,
  FOREIGN KEY (record_class, policy_version) REFERENCES retention_policies (record_class, version),
  CHECK ((status = 'disposed') = (approved_at IS NOT NULL)),
  CHECK (approved_by_sub IS NULL OR approved_by_sub <> proposed_by_sub)
);
-- one decision open or made per record
CREATE UNIQUE INDEX disposals_one_per_meeting ON disposals (meeting_id);

-- RET-1: the daily job's notices (retention_notice_due,
-- sql/functions/88_retention.sql): each record due is announced once per
-- policy version to the agencies it concerns (record.due, ids only), and
-- each day's run is recorded, so that the scheduler runs once a day
-- whatever instance or restart.
CREATE TABLE retention_notices (
  meeting_id      uuid NOT NULL,
  policy_version  integer NOT NULL,
  due_on          date NOT NULL,
  noticed_on      date NOT NULL,
  noticed_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (meeting_id, policy_version)
);
CREATE TABLE retention_runs (
  run_on    date PRIMARY KEY,
  noticed   integer NOT NULL,
  ran_at    timestamptz NOT NULL DEFAULT now()
);

-- SEC-7: the access report finds a child's records' audit rows by listed
-- ids as well as by resource id.
CREATE INDEX audit_events_by_listed_ids ON audit_events USING gin (resource_ids);

-- RET-3: the content tables' guards (append-only, immutable once approved
-- or answered) let one thing through: a DELETE made inside the disposal
-- function (retention_dispose_meeting, sql/functions/88_retention.sql),
-- which runs as the tables' owner with mam.disposal set for its own
-- statements only. Every other UPDATE and DELETE is refused as before.
-- The audit trail's own guards (audit_events, audit_event_agencies) are
-- left as they were: audit events follow their own class.
-- (The first form; the final one is in sql/functions/88_retention.sql,
-- the same body when written.)
CREATE FUNCTION record_content_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND retention_disposing(TG_RELID) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'this record is final (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER minutes_renditions_immutable ON minutes_renditions;
CREATE TRIGGER minutes_renditions_immutable BEFORE UPDATE OR DELETE ON minutes_renditions
  FOR EACH ROW EXECUTE FUNCTION record_content_guard();
DROP TRIGGER rendition_shares_append_only ON rendition_shares;
CREATE TRIGGER rendition_shares_append_only BEFORE UPDATE OR DELETE ON rendition_shares
  FOR EACH ROW EXECUTE FUNCTION record_content_guard();
DROP TRIGGER outcome_letters_immutable ON outcome_letters;
CREATE TRIGGER outcome_letters_immutable BEFORE UPDATE OR DELETE ON outcome_letters
  FOR EACH ROW EXECUTE FUNCTION record_content_guard();
DROP TRIGGER outcome_letter_recipients_append_only ON outcome_letter_recipients;
CREATE TRIGGER outcome_letter_recipients_append_only BEFORE UPDATE OR DELETE
  ON outcome_letter_recipients FOR EACH ROW EXECUTE FUNCTION record_content_guard();
DROP TRIGGER information_sharing_append_only ON information_sharing;
CREATE TRIGGER information_sharing_append_only BEFORE UPDATE OR DELETE ON information_sharing
  FOR EACH ROW EXECUTE FUNCTION record_content_guard();
