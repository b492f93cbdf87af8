-- The statements and transaction of POST /v1/meetings/{id}/consent-decisions
-- {"decision":"inform"} (src/api/consent.c) on a random open meeting, by a
-- manager of its agency. bench/load.sql gives meeting n the status
-- requested, authorised or scheduled when (7n mod 20) is 0, 1, 2, 3, 13 or
-- 16, that is when n mod 20 is 0, 3, 6, 9, 19 or 8.
\set q random(0, :meetings / 20 - 1)
\set j random(0, 5)
\set r CASE WHEN :j = 0 THEN 20 WHEN :j = 1 THEN 3 WHEN :j = 2 THEN 6 WHEN :j = 3 THEN 9 WHEN :j = 4 THEN 19 ELSE 8 END
\set n 20 * :q + :r
BEGIN;
SELECT m.id, m.type, m.status, m.convening_agency, m.requester_sub, m.version, coalesce(m.chair_sub, ''), coalesce(m.minute_taker_sub, ''), coalesce(m.format, ''), coalesce(extract(epoch FROM m.scheduled_start)::bigint, 0), m.two_part, coalesce(m.previous_meeting_id::text, '') FROM meetings m WHERE m.id = md5('bench-meeting-' || :n)::uuid AND meeting_visible(m.id, caller_principals('bench-m-B' || lpad((((:n - 1) % 40) + 1)::text, 2, '0'), 'B' || lpad((((:n - 1) % 40) + 1)::text, 2, '0'), true::boolean, false::boolean)) FOR UPDATE;
INSERT INTO consent_decisions (meeting_id, kind, decision, grounds, rationale, parent_objection, decided_by_sub, decided_by_name, decided_by_agency) VALUES (md5('bench-meeting-' || :n)::uuid, 'family_notice', 'inform', ARRAY(SELECT json_array_elements_text('[]'::json)), NULL, NULL, 'bench-m-B' || lpad((((:n - 1) % 40) + 1)::text, 2, '0'), 'Bench Manager', 'B' || lpad((((:n - 1) % 40) + 1)::text, 2, '0')) RETURNING id AS did \gset
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type, resource_id, outcome) VALUES (md5(:n::text), 'bench-m-B' || lpad((((:n - 1) % 40) + 1)::text, 2, '0'), 'B' || lpad((((:n - 1) % 40) + 1)::text, 2, '0'), 'consent_decision.create', 'consent_decision', :did, 'success');
INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version) SELECT e.id, a.code, 'consent_decision.recorded', 'consent_decision', d.id::text, d.version FROM consent_decisions d, (SELECT gen_random_uuid() AS id) e, LATERAL (SELECT DISTINCT unnest(meeting_agencies(d.meeting_id)) AS code) a WHERE d.id = :did::uuid;
SELECT consent_decision_json(d), d.version FROM consent_decisions d WHERE d.id = :did::uuid;
COMMIT;
