-- The statements and transaction of GET /v1/actions?owner=me&overdue=true
-- (src/store/actions.c, the owner's own overdue actions), then the audit
-- row, by a random practitioner bench-p-B<aa>-<k>.
\set a random(1, 40)
\set k random(0, 4)
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT action_json(a, (now() AT TIME ZONE 'UTC')::date), to_char(a.due_date, 'YYYY-MM-DD'), a.id FROM actions a WHERE a.owner_sub = 'bench-p-B' || lpad(:a::text, 2, '0') || '-' || :k AND a.status = 'open' AND a.due_date < (now() AT TIME ZONE 'UTC')::date AND (a.due_date, a.id) > ('-infinity'::date, '00000000-0000-0000-0000-000000000000'::uuid) ORDER BY a.due_date, a.id LIMIT 51;
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_ids, outcome) VALUES (md5(:a::text), 'bench-p-B' || lpad(:a::text, 2, '0') || '-' || :k, 'B' || lpad(:a::text, 2, '0'), 'action.list', 'action', :ids::text[], 'success');
COMMIT;
