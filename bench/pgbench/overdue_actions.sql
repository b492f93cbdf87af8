-- The statements and transaction of GET /v1/actions?owner=me&overdue=true
-- (src/store/actions.c actions_list, src/store/audit.c) by a random
-- practitioner bench-p-B<aa>-<k>.
\set a random(1, 40)
\set k random(0, 4)
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT action_json(a), to_char(a.due_date, 'YYYY-MM-DD'), a.id FROM actions a WHERE action_visible(a, 'bench-p-B' || lpad(:a::text, 2, '0') || '-' || :k, 'B' || lpad(:a::text, 2, '0'), false::boolean) AND ('bench-p-B' || lpad(:a::text, 2, '0') || '-' || :k IS NULL OR a.owner_sub = 'bench-p-B' || lpad(:a::text, 2, '0') || '-' || :k) AND (NULL::text IS NULL OR a.owner_agency = NULL) AND (NULL::uuid IS NULL OR NULL IN (a.meeting_id, a.current_meeting_id)) AND (NULL::text IS NULL OR a.status = NULL) AND (NOT true::boolean OR (a.status = 'open' AND a.due_date < (now() AT TIME ZONE 'UTC')::date)) AND (NULL::date IS NULL OR (a.due_date, a.id) > (NULL::date, NULL::uuid)) ORDER BY a.due_date, a.id LIMIT 51;
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_ids, outcome) VALUES (md5(:a::text), 'bench-p-B' || lpad(:a::text, 2, '0') || '-' || :k, 'B' || lpad(:a::text, 2, '0'), 'action.list', 'action', :ids::text[], 'success');
COMMIT;
