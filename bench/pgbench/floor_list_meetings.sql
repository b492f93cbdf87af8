-- The floor of GET /v1/meetings?status=scheduled&limit=50 (issue 21): the
-- cheapest SQL that returns the same 50 stored renderings with the same
-- audit row (the ids shown), in one statement, committed without waiting
-- for the WAL flush (set_config in the statement, as the service's).
-- One index range over the stored documents themselves: bench/run.sh
-- creates, for this measurement only, the index bench_renderings_page on
-- meeting_renderings ((body->>'convening_agency'), (body->>'status'),
-- (body->>'created_at') DESC, meeting_id DESC), so that one agency's
-- scheduled meetings, newest first, are one range of it and 50 heap rows.
-- A bench agency's manager sees exactly the meetings the agency convened
-- (bench/load.sql), so page 1 is the same 50 meetings the service shows.
-- No visibility check, and no 51st row to learn whether there is a next
-- page: nothing the database can do for the page is cheaper.
\set a random(1, 40)
WITH page AS (SELECT r.meeting_id, r.body FROM meeting_renderings r WHERE (r.body->>'convening_agency') = 'B' || lpad(:a::text, 2, '0') AND (r.body->>'status') = 'scheduled' ORDER BY (r.body->>'created_at') DESC, r.meeting_id DESC LIMIT 50), audited AS (INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_ids, outcome) SELECT md5(:a::text), 'bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), 'meeting.list', 'meeting', shown.ids, 'success' FROM (SELECT array_agg(p.meeting_id::text) AS ids FROM page p) shown WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL) SELECT p.body FROM page p;
