-- The statement of GET /v1/events?limit=50 (src/api/events.c) for the feed
-- agency, from the cursor in :tx / :pos (0 0 for the start).
SELECT event_json(e), e.tx::text, e.position FROM events e WHERE e.agency = 'BFEED' AND (e.tx, e.position) > (:tx::xid8, :pos::bigint) AND e.tx < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY e.tx, e.position LIMIT 50;
