-- The statements and transaction of GET /v1/meetings/{id} (src/api/frame.c frame_get:
-- STORE_MEETING's read of the stored rendering in src/store/meetings.c, src/store/audit.c), for a random meeting read by a manager
-- of its agency. Meeting n has id md5('bench-meeting-' || n) (bench/load.sql).
\set n random(1, :meetings)
\set a ((:n - 1) % 40) + 1
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT meeting_rendered(m, (now() AT TIME ZONE 'UTC')::date), m.version FROM meeting_renderings m WHERE m.meeting_id = md5('bench-meeting-' || :n)::uuid AND meeting_visible(m.meeting_id, caller_principals('bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), true::boolean, false::boolean));
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_id, outcome) VALUES (md5(:n::text), 'bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), 'meeting.read', 'meeting', md5('bench-meeting-' || :n)::uuid::text, 'success');
COMMIT;
