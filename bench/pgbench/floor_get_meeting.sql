-- The floor of GET /v1/meetings/{id} (issue 21): the cheapest SQL that
-- returns the same bytes with the same audit row. A primary-key fetch of
-- the stored rendering (meeting_renderings, migration 050) and the read's
-- audit row, in one statement (one round trip, a data-modifying CTE),
-- committed without waiting for the WAL flush as the service's reads are
-- (set_config in the statement, as src/store/sql.h SQL_READ_COMMITS_ASYNC).
-- No visibility check: nothing the database can do for the read is
-- cheaper. Meeting n has id md5('bench-meeting-' || n) (bench/load.sql).
\set n random(1, :meetings)
\set a ((:n - 1) % 40) + 1
WITH r AS (SELECT r.body FROM meeting_renderings r WHERE r.meeting_id = md5('bench-meeting-' || :n)::uuid), audited AS (INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_id, outcome) SELECT md5(:n::text), 'bench-m-B' || lpad(:a::text, 2, '0'), 'B' || lpad(:a::text, 2, '0'), 'meeting.read', 'meeting', md5('bench-meeting-' || :n)::uuid::text, 'success' FROM r WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL) SELECT r.body FROM r;
