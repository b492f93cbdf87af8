-- 006 who may see each meeting, kept as rows (SEC-2).
--
-- meeting_visible() asked the meeting and its invitations on every call,
-- which is cheap for one meeting but makes a list scan every meeting of an
-- agency. meeting_access holds one row per (principal, meeting): the
-- requester, the chair, the minute taker and every current invitee as
-- 'p:<sub>', and the managers of the convening agency as 'm:<agency>', with
-- the meeting's creation time and status copied so that a list is one index
-- range per principal, however many meetings there are. Triggers keep it
-- exact: any change to a meeting or its invitations recomputes that
-- meeting's rows in the same transaction.
CREATE TABLE meeting_access (
  principal   text NOT NULL,
  meeting_id  uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL,
  status      text NOT NULL,
  PRIMARY KEY (principal, meeting_id)
);
CREATE INDEX meeting_access_list ON meeting_access (principal, created_at DESC, meeting_id DESC);
CREATE INDEX meeting_access_by_status
  ON meeting_access (principal, status, created_at DESC, meeting_id DESC);
CREATE INDEX meeting_access_by_meeting ON meeting_access (meeting_id);

CREATE FUNCTION meeting_access_refresh(meeting uuid) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM meeting_access WHERE meeting_id = meeting;
  INSERT INTO meeting_access (principal, meeting_id, created_at, status)
  SELECT DISTINCT p.principal, m.id, m.created_at, m.status
    FROM meetings m,
         LATERAL (SELECT 'p:' || m.requester_sub AS principal
                  UNION SELECT 'm:' || m.convening_agency
                  UNION SELECT 'p:' || m.chair_sub WHERE m.chair_sub IS NOT NULL
                  UNION SELECT 'p:' || m.minute_taker_sub WHERE m.minute_taker_sub IS NOT NULL
                  UNION SELECT 'p:' || i.invitee_sub FROM invitations i
                         WHERE i.meeting_id = m.id AND i.invitee_sub IS NOT NULL) p
   WHERE m.id = meeting;
$$;

CREATE FUNCTION meeting_access_on_meeting() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT'
     OR NEW.status IS DISTINCT FROM OLD.status
     OR NEW.requester_sub IS DISTINCT FROM OLD.requester_sub
     OR NEW.convening_agency IS DISTINCT FROM OLD.convening_agency
     OR NEW.chair_sub IS DISTINCT FROM OLD.chair_sub
     OR NEW.minute_taker_sub IS DISTINCT FROM OLD.minute_taker_sub THEN
    PERFORM meeting_access_refresh(NEW.id);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER meeting_access_meetings AFTER INSERT OR UPDATE ON meetings
  FOR EACH ROW EXECUTE FUNCTION meeting_access_on_meeting();

CREATE FUNCTION meeting_access_on_invitation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM meeting_access_refresh(OLD.meeting_id);
  ELSIF TG_OP = 'INSERT' OR NEW.invitee_sub IS DISTINCT FROM OLD.invitee_sub THEN
    PERFORM meeting_access_refresh(NEW.meeting_id);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER meeting_access_invitations AFTER INSERT OR UPDATE OR DELETE ON invitations
  FOR EACH ROW EXECUTE FUNCTION meeting_access_on_invitation();

-- the rows for the meetings that already exist
INSERT INTO meeting_access (principal, meeting_id, created_at, status)
SELECT DISTINCT p.principal, m.id, m.created_at, m.status
  FROM meetings m,
       LATERAL (SELECT 'p:' || m.requester_sub AS principal
                UNION SELECT 'm:' || m.convening_agency
                UNION SELECT 'p:' || m.chair_sub WHERE m.chair_sub IS NOT NULL
                UNION SELECT 'p:' || m.minute_taker_sub WHERE m.minute_taker_sub IS NOT NULL
                UNION SELECT 'p:' || i.invitee_sub FROM invitations i
                       WHERE i.meeting_id = m.id AND i.invitee_sub IS NOT NULL) p;

-- The same rule as before, read from the rows: the caller's own principal,
-- and their agency's managers' principal when they are a manager.
CREATE OR REPLACE FUNCTION meeting_visible(m meetings, caller_sub text, caller_agency text,
                                           caller_is_manager boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM meeting_access a
                  WHERE a.meeting_id = m.id
                    AND a.principal IN ('p:' || caller_sub,
                                        CASE WHEN caller_is_manager THEN 'm:' || caller_agency END))
$$;

-- Overdue actions of one owner, in due order, off one index range.
CREATE INDEX actions_open_by_owner ON actions (owner_sub, due_date, id)
  WHERE status = 'open' AND owner_sub IS NOT NULL;
