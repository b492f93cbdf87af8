-- RET-1..3: the record class idempotency_record (sql/046): the answers
-- kept under an Idempotency-Key (idempotency_keys), copies of answers
-- already in the record kept only so that a retried request replays its
-- first answer. Their period, in hours, runs from the request that made
-- them (`request_made`, the row's created_at, the request's moment); the
-- service deletes them itself once it has passed (store/idempotency.c's
-- purge, every few minutes), with no decision of two people: the class is
-- `disposed_by` the service in the registry, so records_due leaves it out
-- and no disposal names it (and it has no retention_dispose_ function).

-- RET-1, RET-2: the one definition of an idempotency record's window: at
-- `at`, records made before the moment returned are no longer kept (the
-- claim of a key treats such a key as free, the purge deletes them): the
-- period of the policy in effect before `at`, read on every call so that a
-- change takes effect at once; -infinity (every record kept) while a hold
-- on the class is in effect on that day.
CREATE OR REPLACE FUNCTION idempotency_record_kept_since(at timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT CASE
    WHEN EXISTS (SELECT 1 FROM retention_holds h
                  WHERE h.record_class = 'idempotency_record'
                    AND retention_hold_in_effect(h, (at AT TIME ZONE 'UTC')::date))
      THEN '-infinity'::timestamptz
    ELSE at - make_interval(hours => (retention_policy_current('idempotency_record')).period_hours)
  END
$$;

-- The class's records as retention_record rows (sql/044): the day each was
-- made and the day it is due under the policy, the holds in effect on it
-- (RET-2: on the class; a copy of an answer belongs to no meeting or child
-- of its own). They concern no agency's feed, nothing points at them, and
-- no decision is ever made on them.
CREATE OR REPLACE FUNCTION retention_records_idempotency_record(on_day date,
                                                                p retention_policies)
RETURNS SETOF retention_record
LANGUAGE sql STABLE AS $$
  SELECT 'idempotency_record'::text, k.id, NULL::uuid, NULL::text, '{}'::uuid[], '{}'::text[],
         (p).version, (p).runs_from, (p).then_action, (k.created_at AT TIME ZONE 'UTC')::date,
         ((k.created_at + make_interval(hours => (p).period_hours)) AT TIME ZONE 'UTC')::date,
         ARRAY(SELECT h.id FROM retention_holds h
                WHERE retention_hold_in_effect(h, on_day)
                  AND h.record_class = 'idempotency_record'
                ORDER BY h.seq),
         NULL::uuid, 0
    FROM idempotency_keys k
$$;
