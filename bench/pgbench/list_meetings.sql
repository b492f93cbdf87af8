-- The statements and transaction of GET /v1/meetings?status=scheduled&limit=50
-- (src/store/meetings.c, list_page_stmt: one index range per principal): the page, then its
-- audit row with the ids shown, by a random agency's manager.
\set a random(1, 40)
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT meeting_json(m, (now() AT TIME ZONE 'UTC')::date), rfc3339(m.created_at), m.id FROM visible_meetings_page(caller_principals('bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), true::boolean, false::boolean), 'scheduled', 'infinity'::timestamptz, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid, 51) v JOIN meetings m ON m.id = v.meeting_id ORDER BY v.created_at DESC, v.meeting_id DESC;
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_ids, outcome) VALUES (md5(:a::text), 'bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), 'meeting.list', 'meeting', :ids::text[], 'success');
COMMIT;
