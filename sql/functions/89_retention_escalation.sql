-- RET-1..3: the record class escalation (sql/047): an escalation with its
-- timeline, kept for a period of its own rather than only as a part of its
-- meeting's record.

-- RET-1: an escalation is kept while it is open. Once resolved or
-- withdrawn, its period runs from the day it was (`escalation_resolved`),
-- or from its meeting's start event, computed as for the meeting record
-- (retention_records_meeting_record under this class's policy: only
-- runs_from decides starts_on). Named as its meeting (meeting_id,
-- reference) and about its children; held by a hold on the class, on its
-- meeting or on one of the meeting's subject children (RET-2). Its
-- disposal is heard of by the two agencies party to it, the ones its
-- changes were announced to (an escalation is not every agency's to know
-- of). Nothing points at it but its own timeline.
CREATE OR REPLACE FUNCTION retention_records_escalation(on_day date, p retention_policies)
RETURNS SETOF retention_record
LANGUAGE sql STABLE AS $$
  SELECT 'escalation'::text, e.id, e.meeting_id, m.reference, m.child_ids,
         ARRAY(SELECT DISTINCT a FROM unnest(ARRAY[e.raised_by_agency, e.with_agency]) a
                ORDER BY a),
         (p).version, (p).runs_from, (p).then_action, s.starts_on,
         (s.starts_on + make_interval(months => (p).period_months))::date,
         ARRAY(SELECT h.id FROM retention_holds h
                WHERE retention_hold_in_effect(h, on_day)
                  AND (h.record_class = 'escalation' OR h.meeting_id = e.meeting_id
                       OR h.child_id = ANY (m.child_ids))
                ORDER BY h.seq),
         (SELECT x.id FROM disposals x
           WHERE x.record_class = 'escalation' AND x.record_id = e.id),
         0
    FROM escalations e
    JOIN retention_records_meeting_record(on_day, p) m ON m.record_id = e.meeting_id
    CROSS JOIN LATERAL (
      SELECT CASE
        WHEN e.status = 'open' THEN NULL
        WHEN (p).runs_from = 'escalation_resolved' THEN (e.closed_at AT TIME ZONE 'UTC')::date
        ELSE m.starts_on
      END AS starts_on) s
$$;

-- RET-3: an escalation's content: its timeline, the escalation, and the
-- Idempotency-Key answers that show either. The meeting and the rest of its
-- record stay (its obligations are derived again without it at commit).
CREATE OR REPLACE FUNCTION retention_dispose_escalation(d disposals) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  DELETE FROM escalation_events x WHERE x.escalation_id = d.record_id;
  DELETE FROM idempotency_keys x
   WHERE strpos(coalesce(x.body, '') || coalesce(x.location, ''), d.record_id::text) > 0;
  DELETE FROM escalations x WHERE x.id = d.record_id;
END
$$;
-- it runs only inside retention_dispose, as the tables' owner
REVOKE ALL ON FUNCTION retention_dispose_escalation(disposals) FROM PUBLIC;
