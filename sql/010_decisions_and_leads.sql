-- 010 who decides a request, and its decisions kept (issue 13).
--
-- MTG-4: a stop and review's request is decided by a manager or senior
-- manager of the convening agency or by its designated safeguarding lead,
-- who sees the requests it may decide. The leads of an agency are a new
-- principal ('l:' and its code) and a caller's principals name them
-- (caller_principals gains is_lead; its old form is dropped here, the new
-- one is in sql/functions/10_access.sql; a new database has no old one).
-- Whoever decided a request keeps sight of it.
--
-- The function files are applied after every numbered migration, so the
-- access rows the new principals add to existing meetings are written here
-- with plain SQL, as meeting_principals() will compute them.
DROP FUNCTION IF EXISTS caller_principals(text, text, boolean);

INSERT INTO meeting_access (principal, meeting_id, created_at, status)
SELECT 'l:' || m.convening_agency, m.id, m.created_at, m.status
  FROM meetings m
 WHERE m.type = 'stop_and_review' AND m.status = 'requested'
ON CONFLICT DO NOTHING;

INSERT INTO meeting_access (principal, meeting_id, created_at, status)
SELECT 'p:' || m.decided_by_sub, m.id, m.created_at, m.status
  FROM meetings m
 WHERE m.decided_by_sub IS NOT NULL
ON CONFLICT DO NOTHING;

