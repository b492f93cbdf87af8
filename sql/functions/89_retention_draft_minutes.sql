-- RET-1..3: the record class draft_minutes (sql/048_retention_draft_minutes.sql):
-- its records, its disposal and who reaches it, beside the framework's
-- (88_retention.sql).

-- A draft of minutes: a version whose status is still `draft` (an approved
-- one is the meeting record's, and is not listed here). Its period starts
-- when its meeting closed, as the meeting record computes `meeting_closed`
-- (retention_records_meeting_record under this class's policy), or on the
-- draft's last edit when that came later: an amendment drafted long after
-- the close is abandoned only from then. NULL while the meeting is open.
-- Held by a hold on the class, its meeting or one of the meeting's subject
-- children; its agencies are the meeting's; nothing points at a draft (an
-- inaccuracy, a rendition or a distribution names approved versions only).
CREATE OR REPLACE FUNCTION retention_records_draft_minutes(on_day date, p retention_policies)
RETURNS SETOF retention_record
LANGUAGE sql STABLE AS $$
  SELECT 'draft_minutes'::text, v.id, v.meeting_id, mr.reference, mr.child_ids, mr.agencies,
         (p).version, (p).runs_from, (p).then_action, s.starts_on,
         (s.starts_on + make_interval(months => (p).period_months))::date,
         ARRAY(SELECT h.id FROM retention_holds h
                WHERE retention_hold_in_effect(h, on_day)
                  AND (h.record_class = 'draft_minutes' OR h.meeting_id = v.meeting_id
                       OR h.child_id = ANY (mr.child_ids))
                ORDER BY h.seq),
         (SELECT d.id FROM disposals d
           WHERE d.record_class = 'draft_minutes' AND d.record_id = v.id),
         0
    FROM minutes v
    JOIN retention_records_meeting_record(on_day, p) mr ON mr.record_id = v.meeting_id
    CROSS JOIN LATERAL (
      -- greatest() would skip a NULL start: the meeting still open
      SELECT CASE WHEN mr.starts_on IS NOT NULL THEN
               greatest(mr.starts_on, (v.updated_at AT TIME ZONE 'UTC')::date) END AS starts_on) s
   WHERE v.status = 'draft'
$$;

-- RET-3: a draft's content: that version of the minutes and the
-- remembered Idempotency-Key answer of the amendment that began it (it
-- shows the content). Nothing else hangs on a draft; the approved versions,
-- the meeting and all under it stay.
CREATE OR REPLACE FUNCTION retention_dispose_draft_minutes(d disposals) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  DELETE FROM idempotency_keys x
   WHERE x.location = '/v1/meetings/' || d.meeting_id || '/minutes/versions/' || d.minutes_number;
  DELETE FROM minutes x WHERE x.id = d.record_id AND x.status = 'draft';
END
$$;
REVOKE ALL ON FUNCTION retention_dispose_draft_minutes(disposals) FROM PUBLIC;

-- The tombstone keeps the draft's number (the feed names minutes by meeting
-- and number), taken from the draft as it is proposed.
CREATE OR REPLACE FUNCTION disposal_draft_minutes_number() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  NEW.minutes_number := (SELECT v.number FROM minutes v WHERE v.id = NEW.record_id);
  RETURN NEW;
END
$$;
