-- The statements and transaction of GET /v1/meetings?status=scheduled&limit=50
-- (src/api/meetings.c meetings_list): the list, then its audit row with the
-- ids shown, by a random agency's manager.
\set a random(1, 40)
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT meeting_json(m), rfc3339(m.created_at), m.id FROM meetings m WHERE meeting_visible(m, 'bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), true::boolean) AND ('scheduled'::text IS NULL OR m.status = 'scheduled') AND (NULL::text IS NULL OR m.type = NULL) AND (NULL::text IS NULL OR m.convening_agency = NULL) AND (NULL::text IS NULL OR (m.external_system = NULL AND m.external_id = NULL)) AND (NULL::text IS NULL OR EXISTS (SELECT 1 FROM meeting_children c WHERE c.meeting_id = m.id AND c.external_system = NULL AND c.external_id = NULL)) AND (NULL::text IS NULL OR m.reference = NULL) AND (NULL::timestamptz IS NULL OR (m.created_at, m.id) < (NULL::timestamptz, NULL::uuid)) ORDER BY m.created_at DESC, m.id DESC LIMIT 51;
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_ids, outcome) VALUES (md5(:a::text), 'bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), 'meeting.list', 'meeting', :ids::text[], 'success');
COMMIT;
