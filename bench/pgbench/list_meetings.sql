-- The statements and transaction of GET /v1/meetings?status=scheduled&limit=50
-- (src/api/meetings.c, the meeting_access fast path): the page, then its
-- audit row with the ids shown, by a random agency's manager.
\set a random(1, 40)
BEGIN;
SET LOCAL synchronous_commit = off;
WITH v AS ((SELECT a.created_at, a.meeting_id FROM meeting_access a WHERE a.principal = 'p:' || ('bench-m-B' || lpad(:a::text, 2, '0')) AND a.status = 'scheduled' AND (a.created_at, a.meeting_id) < ('infinity'::timestamptz, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid) ORDER BY a.created_at DESC, a.meeting_id DESC LIMIT 51) UNION (SELECT a.created_at, a.meeting_id FROM meeting_access a WHERE true::boolean AND a.principal = 'm:' || ('B' || lpad(:a::text, 2, '0')) AND a.status = 'scheduled' AND (a.created_at, a.meeting_id) < ('infinity'::timestamptz, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid) ORDER BY a.created_at DESC, a.meeting_id DESC LIMIT 51)) SELECT meeting_json(m), rfc3339(m.created_at), m.id FROM v JOIN meetings m ON m.id = v.meeting_id ORDER BY v.created_at DESC, v.meeting_id DESC LIMIT 51;
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_ids, outcome) VALUES (md5(:a::text), 'bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), 'meeting.list', 'meeting', :ids::text[], 'success');
COMMIT;
