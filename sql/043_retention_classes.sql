-- 043 RET-1..3: a second record class, the subject access case (a subject
-- access request with its gathered items, its consultations and their item
-- links, sql/040 and sql/042). Its period runs from the day the request was
-- answered (`request_answered`, which only this class runs from; the
-- meeting record keeps its own start events). Version 1 of its policy is
-- the service's default for a new database (docs/data-protection.md says
-- why): 24 months from the answer, then delete.
ALTER TABLE retention_policies DROP CONSTRAINT retention_policies_record_class_check;
ALTER TABLE retention_policies ADD CONSTRAINT retention_policies_record_class_check
  CHECK (record_class IN ('meeting_record', 'subject_access_case'));
ALTER TABLE retention_policies DROP CONSTRAINT retention_policies_runs_from_check;
ALTER TABLE retention_policies ADD CONSTRAINT retention_policies_runs_from_check
  CHECK (runs_from IN ('meeting_closed', 'case_closed', 'date_of_birth', 'request_answered'));
ALTER TABLE retention_policies ADD CONSTRAINT retention_policies_runs_from_fits_class
  CHECK ((record_class = 'subject_access_case') = (runs_from = 'request_answered'));
INSERT INTO retention_policies (record_class, version, period_months, runs_from, then_action,
                                effective_from, changed_by_sub, reason)
VALUES ('subject_access_case', 1, 24, 'request_answered', 'delete', '-infinity', 'mam migrate',
        'The service''s default: 24 months from the request being answered, then delete');

-- RET-2: a hold may name the new class.
ALTER TABLE retention_holds DROP CONSTRAINT retention_holds_record_class_check;
ALTER TABLE retention_holds ADD CONSTRAINT retention_holds_record_class_check
  CHECK (record_class IN ('meeting_record', 'subject_access_case'));

-- RET-3: a disposal names its record by class and id (record_id); the
-- meeting's id and reference stay for a meeting record and are NULL for
-- any other. A subject access case concerns no agency's feed: agencies is
-- empty for it, so that neither its proposal nor record.purged is
-- announced to an agency (the request's existence is itself sensitive).
ALTER TABLE disposals ADD COLUMN record_id uuid;
UPDATE disposals SET record_id = meeting_id;
ALTER TABLE disposals ALTER COLUMN record_id SET NOT NULL;
ALTER TABLE disposals ALTER COLUMN meeting_id DROP NOT NULL;
ALTER TABLE disposals ALTER COLUMN meeting_reference DROP NOT NULL;
ALTER TABLE disposals DROP CONSTRAINT disposals_record_class_check;
ALTER TABLE disposals ADD CONSTRAINT disposals_record_class_check
  CHECK (record_class IN ('meeting_record', 'subject_access_case'));
ALTER TABLE disposals ADD CONSTRAINT disposals_meeting_fields
  CHECK ((record_class = 'meeting_record') = (meeting_id IS NOT NULL)
         AND (meeting_id IS NULL OR meeting_id = record_id)
         AND (meeting_id IS NULL) = (meeting_reference IS NULL));
ALTER TABLE disposals ADD CONSTRAINT disposals_agencies_of_meetings
  CHECK (record_class = 'meeting_record' OR cardinality(agencies) = 0);
-- one decision open or made per record
CREATE UNIQUE INDEX disposals_one_per_record ON disposals (record_class, record_id);

-- who reaches a decision now depends on the record's class
-- (disposal_record_reachable, sql/functions/88_retention.sql)
DROP FUNCTION IF EXISTS disposal_reachable(uuid, text[], text[]);
