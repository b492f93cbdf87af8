-- 020 SEC-4: whose audit rows an agency's auditor reads.
--
-- An audit row concerns the agency of its actor and the agencies concerned
-- by its resource when it was written: for a meeting and everything under
-- it (its minutes, invitations, consent decisions and the actions it
-- agreed or tracks), the convening agency and every agency invited to the
-- meeting; for an invitation also the invited agency; for an action also
-- its owner's agency; for an escalation the two agencies party to it; for
-- an agency's record that agency. A list row concerns the agencies of the
-- resources it showed, and each of them is given only the ids of those
-- that concern it. An `auditor` reads the rows that concern their agency;
-- one who also holds `partnership` reads every row (sql/functions,
-- audit_trail_page).
--
-- audit_events is append-only for every role, so the agencies are recorded
-- beside it, by a trigger in the same transaction as the row, in a table
-- that is append-only too. Rows written before this migration are
-- attributed here, from their records as they are when it runs.
CREATE TABLE audit_event_agencies (
  agency        text NOT NULL,
  event_id      bigint NOT NULL REFERENCES audit_events (id),
  resource_ids  text[],  -- NULL: the whole row; else the listed ids that concern the agency
  PRIMARY KEY (agency, event_id)
);

CREATE TRIGGER audit_event_agencies_no_update BEFORE UPDATE OR DELETE ON audit_event_agencies
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_event_agencies_no_truncate BEFORE TRUNCATE ON audit_event_agencies
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- The first forms of the functions the trigger and the backfill need; their
-- final forms are in sql/functions/70_audit_and_feed.sql, applied after the
-- migrations (the same bodies when this migration was written).
CREATE FUNCTION audit_resource_agencies(of_type text, listed text[])
RETURNS TABLE (id text, agency text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
  ids uuid[] := ARRAY(SELECT x::uuid FROM unnest(listed) x
                       WHERE x ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$');
BEGIN
  IF of_type IN ('meeting', 'minutes') THEN
    RETURN QUERY
      SELECT m.id::text, m.convening_agency FROM meetings m WHERE m.id = ANY (ids)
      UNION SELECT i.meeting_id::text, i.agency FROM invitations i
             WHERE i.meeting_id = ANY (ids) AND i.agency IS NOT NULL;
  ELSIF of_type = 'invitation' THEN
    RETURN QUERY
      SELECT i.id::text, m.convening_agency FROM invitations i JOIN meetings m ON m.id = i.meeting_id
       WHERE i.id = ANY (ids)
      UNION SELECT i.id::text, j.agency FROM invitations i
              JOIN invitations j ON j.meeting_id = i.meeting_id
             WHERE i.id = ANY (ids) AND j.agency IS NOT NULL;
  ELSIF of_type = 'consent_decision' THEN
    RETURN QUERY
      SELECT d.id::text, m.convening_agency FROM consent_decisions d
        JOIN meetings m ON m.id = d.meeting_id WHERE d.id = ANY (ids)
      UNION SELECT d.id::text, j.agency FROM consent_decisions d
              JOIN invitations j ON j.meeting_id = d.meeting_id
             WHERE d.id = ANY (ids) AND j.agency IS NOT NULL;
  ELSIF of_type = 'action' THEN
    RETURN QUERY
      SELECT a.id::text, a.owner_agency FROM actions a WHERE a.id = ANY (ids)
      UNION SELECT a.id::text, m.convening_agency FROM actions a
              JOIN meetings m ON m.id IN (a.meeting_id, a.current_meeting_id)
             WHERE a.id = ANY (ids)
      UNION SELECT a.id::text, j.agency FROM actions a
              JOIN invitations j ON j.meeting_id IN (a.meeting_id, a.current_meeting_id)
             WHERE a.id = ANY (ids) AND j.agency IS NOT NULL;
  ELSIF of_type = 'escalation' THEN
    RETURN QUERY
      SELECT e.id::text, e.raised_by_agency FROM escalations e WHERE e.id = ANY (ids)
      UNION SELECT e.id::text, e.with_agency FROM escalations e WHERE e.id = ANY (ids);
  ELSIF of_type = 'agency' THEN
    RETURN QUERY SELECT x, x FROM unnest(listed) x;
  END IF;
END
$$;

CREATE FUNCTION audit_concerned(actor_agency text, of_type text, of_id text, of_ids text[])
RETURNS TABLE (agency text, resource_ids text[])
LANGUAGE sql STABLE AS $$
  SELECT actor_agency, NULL::text[]
  UNION ALL
  SELECT r.agency, CASE WHEN of_ids IS NULL THEN NULL ELSE array_agg(DISTINCT r.id ORDER BY r.id) END
    FROM audit_resource_agencies(of_type,
           coalesce(of_ids, CASE WHEN of_id IS NULL THEN '{}'::text[] ELSE ARRAY[of_id] END)) r
   WHERE r.agency IS NOT NULL AND r.agency <> actor_agency
   GROUP BY r.agency
$$;

CREATE FUNCTION audit_events_attribute() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_event_agencies (agency, event_id, resource_ids)
  SELECT c.agency, NEW.id, c.resource_ids
    FROM audit_concerned(NEW.actor_agency, NEW.resource_type, NEW.resource_id, NEW.resource_ids) c;
  RETURN NULL;
END
$$;

CREATE TRIGGER audit_events_attribute AFTER INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_attribute();

INSERT INTO audit_event_agencies (agency, event_id, resource_ids)
SELECT c.agency, e.id, c.resource_ids
  FROM audit_events e,
       LATERAL audit_concerned(e.actor_agency, e.resource_type, e.resource_id, e.resource_ids) c;
