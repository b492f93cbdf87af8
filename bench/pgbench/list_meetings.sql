-- The statements and transaction of GET /v1/meetings?status=scheduled&limit=50
-- (src/store/meetings.c, list_page_stmt: one index range per principal, the stored
-- renderings of the first 50, the 51st unread): the page, then its audit row with the ids
-- shown, by a random agency's manager.
\set a random(1, 40)
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT CASE WHEN v.n < 51 THEN meeting_document(v.meeting_id, (now() AT TIME ZONE 'UTC')::date) END, rfc3339(v.created_at), v.meeting_id FROM (SELECT p.created_at, p.meeting_id, row_number() OVER (ORDER BY p.created_at DESC, p.meeting_id DESC) AS n FROM visible_meetings_page(caller_principals('bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), true::boolean, false::boolean), 'scheduled', 'infinity'::timestamptz, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid, 51) p) v ORDER BY v.n;
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_ids, outcome) VALUES (md5(:a::text), 'bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), 'meeting.list', 'meeting', :ids::text[], 'success');
COMMIT;
