-- 046 RET-1..3: the record class idempotency_record: the answers kept
-- under an Idempotency-Key (idempotency_keys, sql/001), so that a retried
-- request replays its first answer. They are copies of answers already in
-- the record, so the service deletes them itself once their period has
-- passed (the purge, sql/functions/89_retention_idempotency_record.sql),
-- with no decision of two people; a hold on the class stops that (RET-2).
-- Their period is counted in hours, from the request that made them
-- (`request_made`). Version 1 of the policy is the service's default:
-- 24 hours, then delete (what the service kept before; docs/data-protection.md
-- says why).

-- The registry says of each class in what unit its period is counted and
-- who disposes of its records: two people by a decision (RET-3), or the
-- service itself when they are due (records_due leaves those out).
ALTER TABLE retention_record_classes
  ADD COLUMN period_unit text NOT NULL DEFAULT 'months' CHECK (period_unit IN ('months', 'hours')),
  ADD COLUMN disposed_by text NOT NULL DEFAULT 'decision'
    CHECK (disposed_by IN ('decision', 'service')),
  ADD CONSTRAINT retention_record_classes_unit UNIQUE (record_class, period_unit);

-- RET-3: a disposal decision is made only on a class disposed of by one.
ALTER TABLE retention_record_classes
  ADD CONSTRAINT retention_record_classes_disposer UNIQUE (record_class, disposed_by);
ALTER TABLE disposals
  ADD COLUMN decided_by text GENERATED ALWAYS AS ('decision') STORED,
  ADD CONSTRAINT disposals_class_decided FOREIGN KEY (record_class, decided_by)
    REFERENCES retention_record_classes (record_class, disposed_by);

INSERT INTO retention_record_classes (record_class, row_table, resource_type, period_unit,
                                      disposed_by)
VALUES ('idempotency_record', NULL, NULL, 'hours', 'service');
INSERT INTO retention_class_starts (record_class, runs_from)
VALUES ('idempotency_record', 'request_made');
INSERT INTO retention_class_actions (record_class, then_action)
VALUES ('idempotency_record', 'delete');

-- A policy states its period once, in its class's unit: period_months, or
-- period_hours (1 hour, within which clients retry, to 720 hours, 30 days).
ALTER TABLE retention_policies ALTER COLUMN period_months DROP NOT NULL;
ALTER TABLE retention_policies
  ADD COLUMN period_hours integer CHECK (period_hours BETWEEN 1 AND 720),
  ADD CONSTRAINT retention_policies_one_period CHECK (num_nonnulls(period_months, period_hours) = 1),
  ADD COLUMN period_unit text NOT NULL
    GENERATED ALWAYS AS (CASE WHEN period_hours IS NULL THEN 'months' ELSE 'hours' END) STORED,
  ADD CONSTRAINT retention_policies_unit_of_class FOREIGN KEY (record_class, period_unit)
    REFERENCES retention_record_classes (record_class, period_unit);

INSERT INTO retention_policies (record_class, version, period_hours, runs_from, then_action,
                                effective_from, changed_by_sub, reason)
VALUES ('idempotency_record', 1, 24, 'request_made', 'delete', '-infinity', 'mam migrate',
        'The service''s default: 24 hours from the request, then delete (clients retry within'
        ' a day; what the service kept before)');

-- An idempotency record has an id (the retention record's record_id; the
-- purge's audit row names the ones it deleted); a key claimed again after
-- its period is a new record, with a new id.
ALTER TABLE idempotency_keys ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_id UNIQUE (id);
