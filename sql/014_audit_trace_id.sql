-- 014 the W3C trace id of the request that wrote an audit event, when the
-- client sent a valid traceparent (http/trace.c), so that an audit row can
-- be joined to the traces and logs of the same call. Nullable: requests
-- without a traceparent, and every row written before this migration,
-- have none. Adding a nullable column without a default rewrites nothing.
-- audit_event_json (sql/functions/70_audit_and_feed.sql) renders it.
ALTER TABLE audit_events ADD COLUMN trace_id text
  CONSTRAINT audit_events_trace_id_form CHECK (trace_id ~ '^[0-9a-f]{32}$');
