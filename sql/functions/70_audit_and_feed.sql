-- SEC-4, the audit trail, and INT-2, the event feed.

-- The trail is append-only: the triggers on audit_events refuse UPDATE,
-- DELETE and TRUNCATE for every role, the service's own included (and the
-- same body guards the minutes against TRUNCATE). Since sql/045 the row
-- triggers are audit_trail_guard (89_retention_audit_event.sql), which lets
-- the trail's own disposal through (RET-3); TRUNCATE stays refused here.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

-- The row with the listed ids the reader may see (shown_ids).
CREATE OR REPLACE FUNCTION audit_event_json(e audit_events, shown_ids text[]) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', e.id::text, 'occurred_at', rfc3339(e.occurred_at), 'request_id', e.request_id,
    'trace_id', e.trace_id,
    'actor', json_build_object('sub', e.actor_sub, 'agency', e.actor_agency),
    'action', e.action, 'resource_type', e.resource_type, 'resource_id', e.resource_id,
    'resource_ids', to_json(shown_ids), 'outcome', e.outcome)
$$;

-- The row with every listed id.
CREATE OR REPLACE FUNCTION audit_event_json(e audit_events) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT audit_event_json(e, e.resource_ids)
$$;

-- SEC-4: whose rows an auditor reads (sql/020_audit_scope.sql). An audit
-- row concerns the agency of its actor and the agencies concerned by its
-- resource when it was written; a list row gives each agency the ids of the
-- listed resources that concern it. audit_events_attribute() records them
-- in audit_event_agencies, in the same transaction as the row.

-- (id, agency) for each listed resource of the type and each agency it
-- concerns: a meeting (or its minutes) its convening agency and every
-- invited agency; an invitation, consent decision or action the same of its
-- meeting (an invitation also its own agency, an action its owner's agency
-- and the meetings it was agreed at and is tracked at); an escalation its
-- two agencies; an agency's record the agency; a webhook endpoint (INT-5)
-- and its deliveries the endpoint's agency, whoever registered it.
CREATE OR REPLACE FUNCTION audit_resource_agencies(of_type text, listed text[])
RETURNS TABLE (id text, agency text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
  ids uuid[] := ARRAY(SELECT x::uuid FROM unnest(listed) x
                       WHERE x ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$');
BEGIN
  IF of_type IN ('meeting', 'minutes', 'outcome_letter') THEN
    RETURN QUERY
      SELECT m.id::text, m.convening_agency FROM meetings m WHERE m.id = ANY (ids)
      UNION SELECT i.meeting_id::text, i.agency FROM invitations i
             WHERE i.meeting_id = ANY (ids) AND i.agency IS NOT NULL;
  ELSIF of_type = 'rendition' THEN
    RETURN QUERY
      SELECT r.id::text, m.convening_agency FROM minutes_renditions r
        JOIN meetings m ON m.id = r.meeting_id WHERE r.id = ANY (ids)
      UNION SELECT r.id::text, i.agency FROM minutes_renditions r
              JOIN invitations i ON i.meeting_id = r.meeting_id
             WHERE r.id = ANY (ids) AND i.agency IS NOT NULL;
  ELSIF of_type = 'inaccuracy' THEN
    RETURN QUERY
      SELECT x.id::text, m.convening_agency FROM minutes_inaccuracies x
        JOIN meetings m ON m.id = x.meeting_id WHERE x.id = ANY (ids)
      UNION SELECT x.id::text, i.agency FROM minutes_inaccuracies x
              JOIN invitations i ON i.meeting_id = x.meeting_id
             WHERE x.id = ANY (ids) AND i.agency IS NOT NULL;
  ELSIF of_type = 'invitation' THEN
    RETURN QUERY
      SELECT i.id::text, m.convening_agency FROM invitations i JOIN meetings m ON m.id = i.meeting_id
       WHERE i.id = ANY (ids)
      UNION SELECT i.id::text, j.agency FROM invitations i
              JOIN invitations j ON j.meeting_id = i.meeting_id
             WHERE i.id = ANY (ids) AND j.agency IS NOT NULL;
  ELSIF of_type = 'consent_decision' THEN
    RETURN QUERY
      SELECT d.id::text, m.convening_agency FROM consent_decisions d
        JOIN meetings m ON m.id = d.meeting_id WHERE d.id = ANY (ids)
      UNION SELECT d.id::text, j.agency FROM consent_decisions d
              JOIN invitations j ON j.meeting_id = d.meeting_id
             WHERE d.id = ANY (ids) AND j.agency IS NOT NULL;
  ELSIF of_type = 'action' THEN
    RETURN QUERY
      SELECT a.id::text, a.owner_agency FROM actions a WHERE a.id = ANY (ids)
      UNION SELECT a.id::text, m.convening_agency FROM actions a
              JOIN meetings m ON m.id IN (a.meeting_id, a.current_meeting_id)
             WHERE a.id = ANY (ids)
      UNION SELECT a.id::text, j.agency FROM actions a
              JOIN invitations j ON j.meeting_id IN (a.meeting_id, a.current_meeting_id)
             WHERE a.id = ANY (ids) AND j.agency IS NOT NULL;
  ELSIF of_type = 'escalation' THEN
    RETURN QUERY
      SELECT e.id::text, e.raised_by_agency FROM escalations e WHERE e.id = ANY (ids)
      UNION SELECT e.id::text, e.with_agency FROM escalations e WHERE e.id = ANY (ids);
  ELSIF of_type = 'child' THEN
    -- a child concerns the agencies of every meeting about it
    RETURN QUERY
      SELECT c.child_id::text, m.convening_agency FROM meeting_children c
        JOIN meetings m ON m.id = c.meeting_id WHERE c.child_id = ANY (ids)
      UNION SELECT c.child_id::text, i.agency FROM meeting_children c
              JOIN invitations i ON i.meeting_id = c.meeting_id
             WHERE c.child_id = ANY (ids) AND i.agency IS NOT NULL;
  ELSIF of_type = 'chronology_entry' THEN
    RETURN QUERY
      SELECT x.id::text, x.agency FROM chronology_entries x WHERE x.id = ANY (ids)
      UNION SELECT x.id::text, m.convening_agency FROM chronology_entries x
              JOIN meeting_children c ON c.child_id = x.child_id
              JOIN meetings m ON m.id = c.meeting_id WHERE x.id = ANY (ids)
      UNION SELECT x.id::text, i.agency FROM chronology_entries x
              JOIN meeting_children c ON c.child_id = x.child_id
              JOIN invitations i ON i.meeting_id = c.meeting_id
             WHERE x.id = ANY (ids) AND i.agency IS NOT NULL;
  ELSIF of_type = 'information_sharing' THEN
    RETURN QUERY
      SELECT x.id::text, x.from_agency FROM information_sharing x WHERE x.id = ANY (ids)
      UNION SELECT x.id::text, x.to_agency FROM information_sharing x
             WHERE x.id = ANY (ids) AND x.to_agency IS NOT NULL;
  ELSIF of_type = 'agency' THEN
    RETURN QUERY SELECT x, x FROM unnest(listed) x;
  ELSIF of_type = 'webhook_endpoint' THEN
    RETURN QUERY SELECT w.id::text, w.agency FROM webhook_endpoints w WHERE w.id = ANY (ids);
  ELSIF of_type = 'webhook_delivery' THEN
    RETURN QUERY
      SELECT d.id::text, w.agency FROM webhook_deliveries d
        JOIN webhook_endpoints w ON w.id = d.endpoint_id
       WHERE d.id = ANY (ARRAY(SELECT x::bigint FROM unnest(listed) x WHERE x ~ '^[0-9]{1,18}$'));
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION audit_concerned(actor_agency text, of_type text, of_id text, of_ids text[])
RETURNS TABLE (agency text, resource_ids text[])
LANGUAGE sql STABLE AS $$
  SELECT actor_agency, NULL::text[]
  UNION ALL
  SELECT r.agency, CASE WHEN of_ids IS NULL THEN NULL ELSE array_agg(DISTINCT r.id ORDER BY r.id) END
    FROM audit_resource_agencies(of_type,
           coalesce(of_ids, CASE WHEN of_id IS NULL THEN '{}'::text[] ELSE ARRAY[of_id] END)) r
   WHERE r.agency IS NOT NULL AND r.agency <> actor_agency
   GROUP BY r.agency
$$;

CREATE OR REPLACE FUNCTION audit_events_attribute() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_event_agencies (agency, event_id, resource_ids)
  SELECT c.agency, NEW.id, c.resource_ids
    FROM audit_concerned(NEW.actor_agency, NEW.resource_type, NEW.resource_id, NEW.resource_ids) c;
  RETURN NULL;
END
$$;

-- One page of the trail for a caller, newest first: every row for an
-- auditor who also holds `partnership`, else the rows that concern the
-- caller's agency, each list row showing only the ids that concern it.
CREATE OR REPLACE FUNCTION audit_reads_all(caller_roles text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT caller_roles @> ARRAY['auditor', 'partnership']
$$;

CREATE OR REPLACE FUNCTION audit_trail_page(caller_agency text, caller_roles text[], of_actor text,
                                            of_resource text, of_type text, from_at timestamptz,
                                            to_at timestamptz, before_id bigint, size integer)
RETURNS TABLE (event json, id bigint)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  IF audit_reads_all(caller_roles) THEN
    RETURN QUERY
      SELECT audit_event_json(e, e.resource_ids), e.id FROM audit_events e
       WHERE (of_actor IS NULL OR e.actor_sub = of_actor)
         AND (of_resource IS NULL OR e.resource_id = of_resource
              OR of_resource = ANY (e.resource_ids))
         AND (of_type IS NULL OR e.resource_type = of_type)
         AND (from_at IS NULL OR e.occurred_at >= from_at)
         AND (to_at IS NULL OR e.occurred_at < to_at)
         AND (before_id IS NULL OR e.id < before_id)
       ORDER BY e.id DESC LIMIT size;
  ELSE
    RETURN QUERY
      SELECT audit_event_json(e, coalesce(x.resource_ids, e.resource_ids)), e.id
        FROM audit_event_agencies x JOIN audit_events e ON e.id = x.event_id
       WHERE x.agency = caller_agency
         AND (of_actor IS NULL OR e.actor_sub = of_actor)
         AND (of_resource IS NULL OR e.resource_id = of_resource
              OR of_resource = ANY (coalesce(x.resource_ids, e.resource_ids)))
         AND (of_type IS NULL OR e.resource_type = of_type)
         AND (from_at IS NULL OR e.occurred_at >= from_at)
         AND (to_at IS NULL OR e.occurred_at < to_at)
         AND (before_id IS NULL OR x.event_id < before_id)
       ORDER BY x.event_id DESC LIMIT size;
  END IF;
END
$$;

-- minutes_number only on minutes events: with the row's version it names
-- exactly which version of the minutes changed, and how.
CREATE OR REPLACE FUNCTION event_json(e events) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN e.minutes_number IS NULL THEN json_build_object(
    'id', e.event_id, 'type', e.type, 'occurred_at', rfc3339(e.occurred_at),
    'agency', e.agency, 'resource_type', e.resource_type, 'resource_id', e.resource_id,
    'resource_version', e.resource_version)
  ELSE json_build_object(
    'id', e.event_id, 'type', e.type, 'occurred_at', rfc3339(e.occurred_at),
    'agency', e.agency, 'resource_type', e.resource_type, 'resource_id', e.resource_id,
    'resource_version', e.resource_version, 'minutes_number', e.minutes_number) END
$$;
