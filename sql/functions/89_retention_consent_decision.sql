-- RET-1..3: the record class consent_decision (sql/047): a family-involvement
-- decision with its agencies' agreements, kept for a period of its own
-- rather than only as a part of its meeting's record.

-- RET-1: a consent decision's period runs from its meeting's start event,
-- computed as for the meeting record (retention_records_meeting_record
-- under this class's policy: only runs_from decides starts_on), so the
-- two never disagree about when a meeting ended. Named as its meeting
-- (meeting_id, reference) and about its children; held by a hold on the
-- class, on its meeting or on one of the meeting's subject children
-- (RET-2). Its dependants are the escalations about it
-- (escalations.consent_decision_id), disposed of first.
CREATE OR REPLACE FUNCTION retention_records_consent_decision(on_day date, p retention_policies)
RETURNS SETOF retention_record
LANGUAGE sql STABLE AS $$
  SELECT 'consent_decision'::text, d.id, d.meeting_id, m.reference, m.child_ids, m.agencies,
         (p).version, (p).runs_from, (p).then_action, m.starts_on,
         (m.starts_on + make_interval(months => (p).period_months))::date,
         ARRAY(SELECT h.id FROM retention_holds h
                WHERE retention_hold_in_effect(h, on_day)
                  AND (h.record_class = 'consent_decision' OR h.meeting_id = d.meeting_id
                       OR h.child_id = ANY (m.child_ids))
                ORDER BY h.seq),
         (SELECT x.id FROM disposals x
           WHERE x.record_class = 'consent_decision' AND x.record_id = d.id),
         (SELECT count(*) FROM escalations e WHERE e.consent_decision_id = d.id)::integer
    FROM consent_decisions d
    JOIN retention_records_meeting_record(on_day, p) m ON m.record_id = d.meeting_id
$$;

-- RET-3: a consent decision's content: its agreements, the decision, and
-- the Idempotency-Key answers that show either. The meeting and the rest
-- of its record stay.
CREATE OR REPLACE FUNCTION retention_dispose_consent_decision(d disposals) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  DELETE FROM consent_agreements x WHERE x.decision_id = d.record_id;
  DELETE FROM idempotency_keys x
   WHERE strpos(coalesce(x.body, '') || coalesce(x.location, ''), d.record_id::text) > 0;
  DELETE FROM consent_decisions x WHERE x.id = d.record_id;
END
$$;
-- it runs only inside retention_dispose, as the tables' owner
REVOKE ALL ON FUNCTION retention_dispose_consent_decision(disposals) FROM PUBLIC;
