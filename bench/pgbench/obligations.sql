-- The statements and transaction of GET /v1/obligations?owner=me
-- (src/store/obligations.c, list_stmt: obligations_page reads the owner's
-- owed rows by due date), then the audit row with the ids shown, by a
-- random practitioner bench-p-B<aa>-<k>.
\set a random(1, 40)
\set k random(0, 4)
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT o.item, o.due, o.id FROM obligations_page(caller_principals('bench-p-B' || lpad(:a::text, 2, '0') || '-' || :k, 'B' || lpad(:a::text, 2, '0'), false::boolean, false::boolean), 'bench-p-B' || lpad(:a::text, 2, '0') || '-' || :k, 'B' || lpad(:a::text, 2, '0'), '{practitioner}'::text[], false::boolean, (now() AT TIME ZONE 'UTC')::date, 'bench-p-B' || lpad(:a::text, 2, '0') || '-' || :k, NULL, NULL::uuid, NULL, NULL, NULL, NULL::date, NULL::date, NULL::uuid, 51) o;
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_ids, outcome) VALUES (md5(:a::text), 'bench-p-B' || lpad(:a::text, 2, '0') || '-' || :k, 'B' || lpad(:a::text, 2, '0'), 'obligation.list', 'obligation', :ids::text[], 'success');
COMMIT;
