-- 032 OBL-2: obligations kept as rows, so that a caller's own list is read
-- through an index on its owner and costs one page, not every
-- meeting the caller has a part in. The rows are what meeting_obligations
-- (sql/functions/85_obligations.sql, the one definition of each clock)
-- derives: a change of any record it reads queues its meeting, and at
-- COMMIT, in the same transaction, the meeting's rows are derived again
-- (obligations_on_change, deferred; once per meeting and transaction). A
-- change of the bank holidays derives again the meetings whose dates it may
-- move. The rows hold no "today": a status is judged when read. The rows
-- are filled (and filled again whenever the definition changes) by
-- obligations_rebuild_if_changed(), which the function file calls.
CREATE TABLE obligations (  -- the columns of meeting_obligations, in its order
  id                uuid PRIMARY KEY,
  clock             text NOT NULL,
  basis_event       text NOT NULL,
  basis_at          timestamptz,
  meeting_id        uuid NOT NULL,
  resource_type     text NOT NULL,
  resource_id       uuid NOT NULL,
  resource_version  integer,
  owner_sub         text,
  owner_agency      text,
  due               date,
  opens_on          date,
  met_at            timestamptz,
  ended             text,
  ended_reason      text,
  policy_version    integer,
  due_soon_on       date,
  manager_on        date
);
CREATE INDEX obligations_by_meeting ON obligations (meeting_id);
-- a person's list: what they still owe, by due date; and everything they
-- owed (status met, missed, withdrawn)
CREATE INDEX obligations_owed_by_owner ON obligations (owner_sub, due, id)
  WHERE met_at IS NULL AND ended IS NULL;
CREATE INDEX obligations_by_owner ON obligations (owner_sub, due, id);
-- the reminder scheduler's: everything still owed
CREATE INDEX obligations_owed_by_due ON obligations (due)
  WHERE met_at IS NULL AND ended IS NULL;

-- which definition the rows were derived by (md5 of the functions)
CREATE TABLE obligations_state (
  only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  definition  text NOT NULL
);

-- Placeholders: sql/functions/85_obligations.sql defines these.
CREATE FUNCTION obligations_on_change() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE FUNCTION obligations_on_holidays() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;

-- Every record meeting_obligations reads; the argument names the column
-- that leads to the meeting ('meeting': the row is a meeting, and the one
-- it follows, whose review and conference it may meet).
CREATE CONSTRAINT TRIGGER obligations_meetings AFTER INSERT OR UPDATE OR DELETE ON meetings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION obligations_on_change('meeting');
CREATE CONSTRAINT TRIGGER obligations_invitations AFTER INSERT OR UPDATE OR DELETE ON invitations
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION obligations_on_change('meeting_id');
CREATE CONSTRAINT TRIGGER obligations_invitation_history AFTER INSERT OR UPDATE OR DELETE
  ON invitation_history
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION obligations_on_change('invitation_id');
CREATE CONSTRAINT TRIGGER obligations_invitation_papers AFTER INSERT OR UPDATE OR DELETE
  ON invitation_papers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION obligations_on_change('invitation_id');
CREATE CONSTRAINT TRIGGER obligations_minutes AFTER INSERT OR UPDATE OR DELETE ON minutes
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION obligations_on_change('meeting_id');
CREATE CONSTRAINT TRIGGER obligations_minutes_distribution AFTER INSERT OR UPDATE OR DELETE
  ON minutes_distribution
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION obligations_on_change('meeting_id');
CREATE CONSTRAINT TRIGGER obligations_actions AFTER INSERT OR UPDATE OR DELETE ON actions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION obligations_on_change('current_meeting_id');
CREATE CONSTRAINT TRIGGER obligations_escalations AFTER INSERT OR UPDATE OR DELETE ON escalations
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION obligations_on_change('meeting_id');
CREATE TRIGGER obligations_bank_holidays_added AFTER INSERT ON bank_holidays
  REFERENCING NEW TABLE AS changed_days
  FOR EACH STATEMENT EXECUTE FUNCTION obligations_on_holidays();
CREATE TRIGGER obligations_bank_holidays_removed AFTER DELETE ON bank_holidays
  REFERENCING OLD TABLE AS changed_days
  FOR EACH STATEMENT EXECUTE FUNCTION obligations_on_holidays();
