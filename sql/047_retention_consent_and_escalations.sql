-- 047 RET-1..3: two record classes that were parts of the meeting record
-- and went only with it: the consent decision (a family-involvement
-- decision with its agencies' agreements, consent_decisions and
-- consent_agreements) and the escalation (with its timeline,
-- escalations and escalation_events). A partnership may now keep them for
-- a period of their own. Their periods run from the start events of the
-- meeting they belong to, computed as for the meeting record
-- (sql/functions/89_retention_consent_decision.sql,
-- 89_retention_escalation.sql); an escalation's may also run from the day
-- it was resolved or withdrawn (`escalation_resolved`). Version 1 of each
-- policy is the meeting record's default (docs/data-protection.md says
-- why): 420 months from the closure of the child's case, then review.
INSERT INTO retention_record_classes (record_class, row_table, resource_type) VALUES
  ('consent_decision', 'consent_decisions', 'consent_decision'),
  ('escalation', 'escalations', 'escalation');
INSERT INTO retention_class_starts (record_class, runs_from) VALUES
  ('consent_decision', 'meeting_closed'), ('consent_decision', 'case_closed'),
  ('consent_decision', 'date_of_birth'),
  ('escalation', 'meeting_closed'), ('escalation', 'case_closed'),
  ('escalation', 'date_of_birth'), ('escalation', 'escalation_resolved');
INSERT INTO retention_class_actions (record_class, then_action) VALUES
  ('consent_decision', 'review'), ('consent_decision', 'delete'),
  ('escalation', 'review'), ('escalation', 'delete');
INSERT INTO retention_policies (record_class, version, period_months, runs_from, then_action,
                                effective_from, changed_by_sub, reason)
VALUES ('consent_decision', 1, 420, 'case_closed', 'review', '-infinity', 'mam migrate',
        'The service''s default, the meeting record''s: 35 years from the closure of the child''s case, then review'),
       ('escalation', 1, 420, 'case_closed', 'review', '-infinity', 'mam migrate',
        'The service''s default, the meeting record''s: 35 years from the closure of the child''s case, then review');

-- RET-3: a decision on a part of a meeting names the meeting (meeting_id,
-- meeting_reference) as a meeting record's does, so one meeting may have
-- several decisions: one per record (disposals_one_per_record, sql/043)
-- is the rule, not one per meeting.
DROP INDEX IF EXISTS disposals_one_per_meeting;
CREATE INDEX IF NOT EXISTS disposals_by_meeting ON disposals (meeting_id);

-- the escalations about a consent decision (its dependants)
CREATE INDEX escalations_by_consent_decision ON escalations (consent_decision_id)
  WHERE consent_decision_id IS NOT NULL;
