-- The statements and transaction of GET /v1/children/{child_id}/chronology?limit=200
-- (src/api/children.c: children_visible, then children_chronology's
-- chronology_stmt in src/store/children.c with the page's LIMIT 201, then
-- the audit row of src/store/audit.c), by the manager of B01 reading the
-- bench child of 200 entries (bench/chronology_child.sql).
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT 1 FROM children c WHERE c.id = md5('bench-child')::uuid AND child_visible(c.id, caller_principals('bench-m-B01', 'B01', true::boolean, false::boolean));
SELECT json_build_object('at', rfc3339(e.at), 'kind', e.kind, 'agency', e.agency, 'summary', e.summary, 'action_taken', e.action_taken, 'significance', e.significance, 'source', json_build_object('type', e.source_type, 'id', e.source_id, 'version', e.source_version, 'href', e.source_path)), rfc3339(e.at), e.entry_key FROM child_chronology(md5('bench-child')::uuid, caller_principals('bench-m-B01', 'B01', true::boolean, false::boolean), 'B01', '{manager}'::text[]) e WHERE (NULL::date IS NULL OR e.at >= NULL::date::timestamp AT TIME ZONE 'UTC') AND (NULL::date IS NULL OR e.at < (NULL::date + 1)::timestamp AT TIME ZONE 'UTC') AND (NULL::text IS NULL OR e.agency = NULL) AND (NULL::text IS NULL OR e.kind = NULL) AND (NULL::timestamptz IS NULL OR (e.at, e.entry_key) > (NULL::timestamptz, NULL::text)) ORDER BY e.at, e.entry_key LIMIT 201;
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_id, outcome) VALUES (md5(random()::text), 'bench-m-B01', 'B01', 'child.chronology', 'child', md5('bench-child')::text, 'success');
COMMIT;
