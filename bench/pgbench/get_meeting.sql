-- The statement of GET /v1/meetings/{id} (src/store/meetings.c, STORE_MEETING's
-- meetings_read_audited, run by store_read_audited outside any transaction): the stored
-- rendering, if the caller may see it, and the read's audit row in one statement, committed
-- without waiting for the WAL flush (set_config in the statement). For a random meeting read
-- by a manager of its agency. Meeting n has id md5('bench-meeting-' || n) (bench/load.sql).
\set n random(1, :meetings)
\set a ((:n - 1) % 40) + 1
WITH r AS (SELECT meeting_document(m, m.meeting_id, (now() AT TIME ZONE 'UTC')::date) AS json, m.version FROM meeting_renderings m WHERE m.meeting_id = md5('bench-meeting-' || :n)::uuid::text::uuid AND meeting_visible(m.meeting_id, caller_principals('bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), true::boolean, false::boolean, false::boolean))), audited AS (INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_id, outcome, trace_id) SELECT md5(:n::text), 'bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), 'meeting.read', 'meeting', md5('bench-meeting-' || :n)::uuid::text, 'success', NULL FROM r WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL) SELECT r.json, r.version FROM r;
