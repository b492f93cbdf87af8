-- The same read and audit row as bench/pgbench/get_meeting.sql, in the shape every read
-- had before issue 21 (src/db/db.c db_begin_read, then the read, audit_record, COMMIT):
-- four round trips instead of one. Beside get_meeting.sql in the same run it measures what
-- the one statement saves (bench/readmodel.sh).
\set n random(1, :meetings)
\set a ((:n - 1) % 40) + 1
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT meeting_document(m, m.meeting_id, (now() AT TIME ZONE 'UTC')::date), m.version FROM meeting_renderings m WHERE m.meeting_id = md5('bench-meeting-' || :n)::uuid AND meeting_visible(m.meeting_id, caller_principals('bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), true::boolean, false::boolean));
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_id, outcome, trace_id) VALUES (md5(:n::text), 'bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), 'meeting.read', 'meeting', md5('bench-meeting-' || :n)::uuid::text, 'success', NULL);
COMMIT;
