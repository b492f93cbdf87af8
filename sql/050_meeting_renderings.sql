-- 050: the read model. Each meeting's representation (meeting_json,
-- sql/functions/30_meetings.sql) is rendered when the meeting or anything
-- it embeds changes, at COMMIT of the transaction that changed it, and
-- stored; reads and lists return the stored bytes
-- (sql/functions/87_meeting_renderings.sql).
--
-- A rendering depends on the request's date only through the overdue
-- flags of the previous meeting's open actions and review_overdue; it
-- carries the dates between which those flags do not change
-- [valid_from, valid_until), and a read on a date outside them renders
-- afresh (meeting_document). It carries the meeting row's version it was
-- made from. The service's role may only read it (90_runtime_grants.sql):
-- only meeting_renderings_refresh, the schema's own function, writes it.
CREATE TABLE meeting_renderings (
  meeting_id   uuid PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
  body         json NOT NULL,
  version      integer NOT NULL,
  valid_from   date NOT NULL,
  valid_until  date NOT NULL,
  rendered_at  timestamptz NOT NULL,
  CHECK (valid_from < valid_until)
);

-- the renderings a due date will make stale, for housekeeping to find
-- (meeting_renderings_renew); most hold for ever and are not in it
CREATE INDEX meeting_renderings_expiring ON meeting_renderings (valid_until)
  WHERE valid_until < 'infinity';

-- which definition the renderings were made by (md5 of the functions)
CREATE TABLE meeting_renderings_state (
  only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  definition  text NOT NULL
);

-- Placeholder: sql/functions/87_meeting_renderings.sql defines it.
CREATE FUNCTION meeting_renderings_on_change() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;

-- Every record meeting_json reads; the argument names what leads from the
-- changed row to the meetings whose rendering embeds it:
--   'meeting'        the row is a meeting; also the meeting it follows,
--                    whose review_overdue a follow-up meets (MTG-12)
--   'meeting_id'     the row's meeting
--   'decision_id'    a consent agreement: its decision's meeting
--   'current_meeting_id' an action: the meetings that follow the meeting
--                    tracking it (previous_open_actions)
--   'action_id'      an action's history: the same, through its action
-- Deferred to COMMIT, so a transaction renders each meeting once, after
-- its last statement.
CREATE CONSTRAINT TRIGGER meeting_renderings_meetings
  AFTER INSERT OR UPDATE OR DELETE ON meetings DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION meeting_renderings_on_change('meeting');
CREATE CONSTRAINT TRIGGER meeting_renderings_children
  AFTER INSERT OR UPDATE OR DELETE ON meeting_children DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION meeting_renderings_on_change('meeting_id');
CREATE CONSTRAINT TRIGGER meeting_renderings_decisions
  AFTER INSERT OR UPDATE OR DELETE ON meeting_decisions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION meeting_renderings_on_change('meeting_id');
CREATE CONSTRAINT TRIGGER meeting_renderings_consent_decisions
  AFTER INSERT OR UPDATE OR DELETE ON consent_decisions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION meeting_renderings_on_change('meeting_id');
CREATE CONSTRAINT TRIGGER meeting_renderings_consent_agreements
  AFTER INSERT OR UPDATE OR DELETE ON consent_agreements DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION meeting_renderings_on_change('decision_id');
CREATE CONSTRAINT TRIGGER meeting_renderings_invitations
  AFTER INSERT OR UPDATE OR DELETE ON invitations DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION meeting_renderings_on_change('meeting_id');
CREATE CONSTRAINT TRIGGER meeting_renderings_minutes
  AFTER INSERT OR UPDATE OR DELETE ON minutes DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION meeting_renderings_on_change('meeting_id');
CREATE CONSTRAINT TRIGGER meeting_renderings_actions
  AFTER INSERT OR UPDATE OR DELETE ON actions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION meeting_renderings_on_change('current_meeting_id');
CREATE CONSTRAINT TRIGGER meeting_renderings_action_history
  AFTER INSERT OR UPDATE OR DELETE ON action_history DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION meeting_renderings_on_change('action_id');
