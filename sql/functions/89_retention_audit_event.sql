-- RET-1..3: the record class audit_event (sql/045_retention_audit_events.sql):
-- one calendar month (UTC) of the audit trail (audit_events and the
-- agencies each row concerns, audit_event_agencies).

-- A month's record id: stable, derived from the month alone, so that the
-- same month is the same record on every call and in every database: the
-- md5 of 'mam audit_event YYYY-MM' as a UUID, with the version nibble 8
-- (RFC 9562, a UUID of the application's own making) and the RFC variant.
CREATE OR REPLACE FUNCTION audit_month_record_id(month date) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (substr(h, 1, 12) || '8' || substr(h, 14, 3)
          || substr('89ab', (('x' || substr(h, 17, 1))::bit(4)::int & 3) + 1, 1)
          || substr(h, 18, 15))::uuid
    FROM (SELECT md5('mam audit_event ' || to_char(month, 'YYYY-MM')) AS h) x
$$;

-- What stands for the person and the request in an anonymised audit row.
CREATE OR REPLACE FUNCTION audit_anonymised_mark() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'anonymised'::text
$$;

-- The ids the audit trail names for a meeting: the meeting and what is
-- under it (invitations, family-notice decisions, actions, escalations,
-- renditions, inaccuracies, the ledger's entries; minutes and the outcome
-- letter are named by the meeting's id). Those that remain: once the
-- meeting record is disposed of, its id alone.
CREATE OR REPLACE FUNCTION meeting_audit_ids(meeting uuid) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT ARRAY(
    SELECT meeting::text
    UNION SELECT i.id::text FROM invitations i WHERE i.meeting_id = meeting
    UNION SELECT d.id::text FROM consent_decisions d WHERE d.meeting_id = meeting
    UNION SELECT a.id::text FROM actions a WHERE a.meeting_id = meeting
    UNION SELECT e.id::text FROM escalations e WHERE e.meeting_id = meeting
    UNION SELECT r.id::text FROM minutes_renditions r WHERE r.meeting_id = meeting
    UNION SELECT x.id::text FROM minutes_inaccuracies x WHERE x.meeting_id = meeting
    UNION SELECT x.id::text FROM information_sharing x WHERE x.meeting_id = meeting)
$$;

-- The months (their first instant, UTC, as a timestamp) in which the trail
-- names one of the ids, by resource id or among a list's ids: read off the
-- indexes on both (audit_events_by_resource, audit_events_by_listed_ids).
CREATE OR REPLACE FUNCTION audit_months_naming(ids text[]) RETURNS timestamp[]
LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT DISTINCT date_trunc('month', e.occurred_at AT TIME ZONE 'UTC')
                 FROM audit_events e
                WHERE e.resource_id = ANY (ids) OR e.resource_ids && ids)
$$;

-- RET-1: the months of the trail and their retention on a day under a
-- policy (retention_record rows). A month is a record once it has ended by
-- on_day and holds at least one event: the months from the first event's
-- to the last ended one, each found (or not) by one probe of
-- audit_events_by_time. Its period starts the first day of the next month
-- (`event_recorded`). Held (RET-2) by a hold on the class, and by a hold on
-- a child or a meeting when the month's events name that child's or
-- meeting's records (child_record_ids, meeting_audit_ids), so that an
-- inquiry's evidence of who read them is kept; each such hold's months are
-- found once, from the ids. No meeting, children or agencies; nothing
-- points at it.
CREATE OR REPLACE FUNCTION retention_records_audit_event(on_day date, p retention_policies)
RETURNS SETOF retention_record
LANGUAGE sql STABLE AS $$
  WITH held AS MATERIALIZED (
    SELECT h.id, h.seq, h.scope = 'record_class' AS on_class,
           CASE h.scope WHEN 'child' THEN audit_months_naming(child_record_ids(h.child_id, NULL))
                        WHEN 'meeting' THEN audit_months_naming(meeting_audit_ids(h.meeting_id))
           END AS months
      FROM retention_holds h
     WHERE retention_hold_in_effect(h, on_day)
       AND (h.record_class = 'audit_event' OR h.scope IN ('child', 'meeting')))
  SELECT 'audit_event'::text, audit_month_record_id(mo.month::date), NULL::uuid,
         to_char(mo.month, 'YYYY-MM'), '{}'::uuid[], '{}'::text[],
         (p).version, (p).runs_from, (p).then_action,
         (mo.month + interval '1 month')::date,
         (mo.month + interval '1 month' + make_interval(months => (p).period_months))::date,
         ARRAY(SELECT h.id FROM held h WHERE h.on_class OR mo.month = ANY (h.months)
                ORDER BY h.seq),
         (SELECT d.id FROM disposals d
           WHERE d.record_class = 'audit_event'
             AND d.record_id = audit_month_record_id(mo.month::date)),
         0
    FROM generate_series(
           date_trunc('month', (SELECT min(e.occurred_at) FROM audit_events e) AT TIME ZONE 'UTC'),
           date_trunc('month', on_day::timestamp) - interval '1 month',
           interval '1 month') AS mo(month)
   WHERE EXISTS (SELECT 1 FROM audit_events e
                  WHERE e.occurred_at >= mo.month AT TIME ZONE 'UTC'
                    AND e.occurred_at < (mo.month + interval '1 month') AT TIME ZONE 'UTC')
$$;

-- RET-3: the guard of audit_events and audit_event_agencies (sql/045): the
-- disposal's own statements pass, as the tables' owner with mam.disposal
-- set (retention_disposing): a DELETE, or an UPDATE that only anonymises
-- (the person and request replaced by audit_anonymised_mark(), the trace
-- and the record's ids removed, everything else as it was). Everything
-- else is refused, for every role.
CREATE OR REPLACE FUNCTION audit_trail_guard() RETURNS trigger
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

-- The first and the next instant after a month of the trail, from the
-- disposal's reference (YYYY-MM), checked against its record id.
CREATE OR REPLACE FUNCTION audit_month_of(d disposals) RETURNS tstzrange
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  month timestamp;
BEGIN
  month := to_date(d.meeting_reference || '-01', 'YYYY-MM-DD')::timestamp;
  IF d.record_class <> 'audit_event' OR audit_month_record_id(month::date) <> d.record_id THEN
    RAISE EXCEPTION 'disposal % is not of a month of the audit trail', d.id
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- SEC-4: whatever the request's clock says, a month the database's clock
  -- has not seen end is never deleted or anonymised: the trail of what is
  -- being done now cannot be erased through a disposal row written for it
  IF (month + interval '1 month') AT TIME ZONE 'UTC' > now() THEN
    RAISE EXCEPTION 'the month % of the audit trail has not ended', d.meeting_reference
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN tstzrange(month AT TIME ZONE 'UTC', (month + interval '1 month') AT TIME ZONE 'UTC');
END
$$;

-- RET-3: a month of the trail deleted: its rows and the agencies they
-- concerned.
CREATE OR REPLACE FUNCTION retention_dispose_audit_event(d disposals) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  m tstzrange;
BEGIN
  m := audit_month_of(d);
  DELETE FROM audit_event_agencies x USING audit_events e
   WHERE e.id = x.event_id AND e.occurred_at >= lower(m) AND e.occurred_at < upper(m);
  DELETE FROM audit_events e WHERE e.occurred_at >= lower(m) AND e.occurred_at < upper(m);
END
$$;

-- RET-1, RET-3: a month of the trail anonymised: when, what action, on
-- what type of resource, by which agency and with what outcome stay; who
-- (the person's sub and the request's id, each replaced by
-- audit_anonymised_mark(), and the trace id) and which record (the
-- resource's id, a list's ids, and the ids each agency was given) go.
CREATE OR REPLACE FUNCTION retention_anonymise_audit_event(d disposals) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  m tstzrange;
BEGIN
  m := audit_month_of(d);
  UPDATE audit_event_agencies x SET resource_ids = NULL
    FROM audit_events e
   WHERE e.id = x.event_id AND e.occurred_at >= lower(m) AND e.occurred_at < upper(m)
     AND x.resource_ids IS NOT NULL;
  UPDATE audit_events e
     SET actor_sub = audit_anonymised_mark(), request_id = audit_anonymised_mark(),
         trace_id = NULL, resource_id = NULL, resource_ids = NULL
   WHERE e.occurred_at >= lower(m) AND e.occurred_at < upper(m);
END
$$;

-- the class's own run only inside retention_dispose, as the tables' owner
REVOKE ALL ON FUNCTION audit_month_of(disposals) FROM PUBLIC;
REVOKE ALL ON FUNCTION retention_dispose_audit_event(disposals) FROM PUBLIC;
REVOKE ALL ON FUNCTION retention_anonymise_audit_event(disposals) FROM PUBLIC;
