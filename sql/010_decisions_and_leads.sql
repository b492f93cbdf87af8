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

-- MTG-11: an authorisation covers the request as it was authorised; a
-- change of what it covers returns the request for a new decision, and the
-- earlier decision stays in the meeting's history of decisions. Every
-- decision is kept here, oldest first; meetings.decided_* stays the current
-- one (NULL while a changed request awaits its new decision).
CREATE TABLE meeting_decisions (
  meeting_id          uuid NOT NULL REFERENCES meetings (id),
  seq                 bigserial,
  outcome             text NOT NULL CHECK (outcome IN ('authorised', 'declined')),
  by_sub              text NOT NULL,
  by_name             text NOT NULL,
  at                  timestamptz NOT NULL,
  reason              text,
  superseded_at       timestamptz,
  superseded_because  text CHECK (superseded_because IN ('request_changed')),
  superseded_by_sub   text,
  superseded_by_name  text,
  PRIMARY KEY (meeting_id, seq),
  CHECK ((outcome = 'declined') = (reason IS NOT NULL)),
  CHECK ((superseded_at IS NULL) = (superseded_because IS NULL)),
  CHECK ((superseded_at IS NULL) = (superseded_by_sub IS NULL))
);

-- Every decision already made becomes the first entry of its meeting's
-- history; existing meetings keep their status.
INSERT INTO meeting_decisions (meeting_id, outcome, by_sub, by_name, at, reason)
SELECT m.id, CASE WHEN m.decline_reason IS NULL THEN 'authorised' ELSE 'declined' END,
       m.decided_by_sub, coalesce(m.decided_by_name, m.decided_by_sub), m.decided_at,
       m.decline_reason
  FROM meetings m
 WHERE m.decided_at IS NOT NULL AND m.decided_by_sub IS NOT NULL
 ORDER BY m.decided_at, m.id;
