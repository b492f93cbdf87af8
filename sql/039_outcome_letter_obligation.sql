-- 039 REN-3, OBL-2: the chair's outcome letter becomes an obligation
-- (clock `outcome_letter` in meeting_obligations, sql/functions/
-- 85_obligations.sql), derived from the hold and met when the letter is sent.
--
-- When a clock is introduced. A release that changes the derivation derives
-- every meeting's rows again (obligations_rebuild_if_changed): without a
-- limit every meeting held before this release, long before anybody could
-- send an outcome letter through the service, would at once owe one, overdue.
-- Nobody owed it then, so the clock runs only for meetings held at or after
-- the moment this migration ran (the database's clock, like held_at).
CREATE TABLE obligation_clocks_introduced (
  clock          text PRIMARY KEY,
  introduced_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO obligation_clocks_introduced (clock) VALUES ('outcome_letter');

-- The letter is read by the derivation: sending it derives the meeting's
-- rows again at COMMIT, as every other record's triggers do (migration 032).
CREATE CONSTRAINT TRIGGER obligations_outcome_letters
  AFTER INSERT OR UPDATE OR DELETE ON outcome_letters
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION obligations_on_change('meeting_id');
