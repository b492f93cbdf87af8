-- SEC-4, the audit trail, and INT-2, the event feed.

-- The trail is append-only: the triggers on audit_events refuse UPDATE,
-- DELETE and TRUNCATE for every role, the service's own included (and the
-- same body guards the minutes against TRUNCATE).
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE FUNCTION audit_event_json(e audit_events) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', e.id::text, 'occurred_at', rfc3339(e.occurred_at), 'request_id', e.request_id,
    'trace_id', e.trace_id,
    'actor', json_build_object('sub', e.actor_sub, 'agency', e.actor_agency),
    'action', e.action, 'resource_type', e.resource_type, 'resource_id', e.resource_id,
    'resource_ids', to_json(e.resource_ids), 'outcome', e.outcome)
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
