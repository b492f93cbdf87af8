-- 048 RET-1..3: draft minutes, a record class of their own. A draft is a
-- version of a meeting's minutes never approved: a working paper, not the
-- record (MIN-3 makes only approved versions the record). The lifecycle
-- leaves one kind behind: an amendment drafted after the meeting closed and
-- never approved (a meeting closes only once its latest version is
-- approved, MTG-8; a held meeting's draft stays while the meeting is open;
-- a cancelled or declined meeting has no minutes). A draft is always its
-- meeting's latest version (an amendment follows an approved version
-- only), so no later approved version ever supersedes one.
--
-- Its period runs from `meeting_closed` (the meeting's closure, as the
-- meeting record computes it; from the draft's last edit when that came
-- later: sql/functions/89_retention_draft_minutes.sql). Version 1 of its
-- policy is the service's default (docs/data-protection.md says why):
-- 12 months, then delete.

-- the record's id: a version of the minutes had none of its own
ALTER TABLE minutes ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE minutes ADD CONSTRAINT minutes_id_unique UNIQUE (id);

INSERT INTO retention_record_classes (record_class, row_table, resource_type) VALUES
  ('draft_minutes', 'minutes', 'minutes');
INSERT INTO retention_class_starts (record_class, runs_from) VALUES
  ('draft_minutes', 'meeting_closed');
INSERT INTO retention_class_actions (record_class, then_action) VALUES
  ('draft_minutes', 'review'), ('draft_minutes', 'delete');
INSERT INTO retention_policies (record_class, version, period_months, runs_from, then_action,
                                effective_from, changed_by_sub, reason)
VALUES ('draft_minutes', 1, 12, 'meeting_closed', 'delete', '-infinity', 'mam migrate',
        'The service''s default: a draft never approved is a working paper, kept 12 months '
        'from the meeting''s closure (or its last edit, if later), then deleted');

-- A meeting may now have several decisions: its record's, and one per
-- draft of its minutes. One decision per record stays
-- (disposals_one_per_record, sql/043).
DROP INDEX IF EXISTS disposals_one_per_meeting;

-- The tombstone of a draft names its version (the feed names minutes by
-- their meeting and number: record.purged says which version went).
ALTER TABLE disposals ADD COLUMN minutes_number integer;
ALTER TABLE disposals ADD CONSTRAINT disposals_minutes_number_of_drafts
  CHECK ((record_class = 'draft_minutes') = (minutes_number IS NOT NULL));

-- Placeholder: sql/functions/89_retention_draft_minutes.sql defines it.
CREATE FUNCTION disposal_draft_minutes_number() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER disposals_draft_minutes_number BEFORE INSERT ON disposals
  FOR EACH ROW WHEN (NEW.record_class = 'draft_minutes')
  EXECUTE FUNCTION disposal_draft_minutes_number();
