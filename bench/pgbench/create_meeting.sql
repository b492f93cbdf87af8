-- The statements and transaction of POST /v1/meetings (src/api/meetings.c
-- handle_meetings_create): agency lookup, the meeting, its children, the
-- audit row, the feed events, the representation.
\set a random(1, 40)
\set k random(0, 4)
BEGIN;
SELECT kind FROM agencies WHERE code = 'B' || lpad(:a::text, 2, '0') AND active;
INSERT INTO meetings (type, title, purpose, rationale, criteria, convening_agency, requester_sub, requester_name, external_system, external_id, no_other_children, previous_meeting_id) VALUES ('professionals', 'Bench meeting', 'Agree a plan', 'Stalled', ARRAY(SELECT json_array_elements_text('["drift_no_improved_outcomes"]'::json)), 'B' || lpad(:a::text, 2, '0'), 'bench-p-B' || lpad(:a::text, 2, '0') || '-' || :k, 'Bench Practitioner', NULL, NULL, coalesce(true::boolean, false), NULL::uuid) RETURNING id AS mid \gset
INSERT INTO meeting_children (meeting_id, is_subject, position, name, external_system, external_id, date_of_birth, unborn, relationship) SELECT :mid::uuid, s.is_subject, (s.ord - 1)::smallint, nullif(btrim(s.j->>'name'), ''), s.j->'external_ref'->>'system', s.j->'external_ref'->>'id', (s.j->>'date_of_birth')::date, coalesce((s.j->>'unborn')::boolean, false), nullif(btrim(s.j->>'relationship'), '') FROM (SELECT true AS is_subject, e.j, e.ord FROM json_array_elements('[{"name":"Bench Child","date_of_birth":"2016-01-01"}]'::json) WITH ORDINALITY e(j, ord) UNION ALL SELECT false, e.j, e.ord FROM json_array_elements('[]'::json) WITH ORDINALITY e(j, ord)) s;
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_id, outcome) VALUES (md5(:a::text), 'bench-p-B' || lpad(:a::text, 2, '0') || '-' || :k, 'B' || lpad(:a::text, 2, '0'), 'meeting.create', 'meeting', :mid, 'success');
INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version) SELECT e.id, a.code, 'meeting.requested', 'meeting', m.id::text, m.version FROM meetings m, (SELECT gen_random_uuid() AS id) e, LATERAL (SELECT DISTINCT unnest(meeting_agencies(m.id)) AS code) a WHERE m.id = :mid::uuid;
SELECT meeting_json(m, (now() AT TIME ZONE 'UTC')::date), m.version FROM meetings m WHERE m.id = :mid::uuid;
COMMIT;
