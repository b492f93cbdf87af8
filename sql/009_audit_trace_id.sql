-- 009 the W3C trace id of the request that wrote an audit event, when the
-- client sent a valid traceparent (http/trace.c), so that an audit row can
-- be joined to the traces and logs of the same call. Nullable: requests
-- without a traceparent, and every row written before this migration,
-- have none. Adding a nullable column without a default rewrites nothing.
ALTER TABLE audit_events ADD COLUMN trace_id text
  CONSTRAINT audit_events_trace_id_form CHECK (trace_id ~ '^[0-9a-f]{32}$');

CREATE OR REPLACE FUNCTION audit_event_json(e audit_events) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', e.id::text, 'occurred_at', rfc3339(e.occurred_at), 'request_id', e.request_id,
    'trace_id', e.trace_id,
    'actor', json_build_object('sub', e.actor_sub, 'agency', e.actor_agency),
    'action', e.action, 'resource_type', e.resource_type, 'resource_id', e.resource_id,
    'resource_ids', to_json(e.resource_ids), 'outcome', e.outcome)
$$;
