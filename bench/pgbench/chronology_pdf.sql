-- The statements and transaction of GET /v1/children/{child_id}/chronology/pdf
-- (src/api/children.c: children_visible, then children_chronology_export's
-- export_child_stmt and export_entries_stmt in src/store/children.c with
-- LIMIT 2001, then the audit row), by the manager of B01 for the bench
-- child of 200 entries (bench/chronology_child.sql). The document itself
-- is made in the service (libhpdf), which pgbench does not do.
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT 1 FROM children c WHERE c.id = md5('bench-child')::uuid AND child_visible(c.id, caller_principals('bench-m-B01', 'B01', true::boolean, false::boolean));
SELECT (SELECT string_agg(x #>> '{}', ', ') FROM json_array_elements(j -> 'names') x), (SELECT string_agg((x ->> 'system') || ':' || (x ->> 'id'), ', ') FROM json_array_elements(j -> 'identifiers') x), (SELECT string_agg(x #>> '{}', ', ') FROM json_array_elements(j -> 'dates_of_birth') x) FROM (SELECT child_record_json(md5('bench-child')::uuid, caller_principals('bench-m-B01', 'B01', true::boolean, false::boolean)) j) c;
SELECT rfc3339(e.at), e.kind, e.agency, e.summary, e.action_taken, e.significance, e.source_type, e.source_id, e.source_version, e.source_path FROM child_chronology(md5('bench-child')::uuid, caller_principals('bench-m-B01', 'B01', true::boolean, false::boolean), 'B01', '{manager}'::text[]) e WHERE (NULL::date IS NULL OR e.at >= NULL::date::timestamp AT TIME ZONE 'UTC') AND (NULL::date IS NULL OR e.at < (NULL::date + 1)::timestamp AT TIME ZONE 'UTC') AND (NULL::text IS NULL OR e.agency = NULL) AND (NULL::text IS NULL OR e.kind = NULL) ORDER BY e.at, e.entry_key LIMIT 2001;
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_id, outcome) VALUES (md5(random()::text), 'bench-m-B01', 'B01', 'child.chronology_pdf', 'child', md5('bench-child')::text, 'success');
COMMIT;
