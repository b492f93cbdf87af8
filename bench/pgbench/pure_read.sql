-- The read of GET /v1/meetings/{id} alone, without its audit row: what the
-- audit row and its commit cost (compare with get_meeting.sql).
\set n random(1, :meetings)
\set a ((:n - 1) % 40) + 1
SELECT meeting_document(m, m.meeting_id, (now() AT TIME ZONE 'UTC')::date), m.version FROM meeting_renderings m WHERE m.meeting_id = md5('bench-meeting-' || :n)::uuid AND meeting_visible(m.meeting_id, caller_principals('bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), true::boolean, false::boolean, false::boolean));
