-- 037 REN-4: recipients of the minutes point out inaccuracies within a
-- policy window (accuracy_window_working_days, OBL-1: default 10 working
-- days from the version's approval, under the policy in effect then); the
-- chair answers each with an amendment (MIN-3, a later approved version)
-- or a recorded refusal with its reason. Once answered, an inaccuracy
-- never changes (the trigger refuses, for every role); none is deleted.
ALTER TABLE policy_versions
  ADD COLUMN accuracy_window_working_days integer NOT NULL DEFAULT 10
    CHECK (accuracy_window_working_days BETWEEN 1 AND 100);

CREATE TABLE minutes_inaccuracies (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq                bigserial UNIQUE,
  meeting_id         uuid NOT NULL,
  number             integer NOT NULL,
  part               text,
  text               text NOT NULL,
  raised_by_sub      text NOT NULL,
  raised_by_name     text NOT NULL,
  raised_by_agency   text NOT NULL,
  raised_at          timestamptz NOT NULL DEFAULT now(),
  window_closes_on   date NOT NULL,
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'amended', 'refused')),
  amendment_number   integer,
  refusal_reason     text,
  answered_by_sub    text,
  answered_by_name   text,
  answered_at        timestamptz,
  version            integer NOT NULL DEFAULT 1,
  FOREIGN KEY (meeting_id, number) REFERENCES minutes (meeting_id, number),
  CHECK ((status = 'open') = (answered_at IS NULL)),
  CHECK ((status = 'refused') = (refusal_reason IS NOT NULL)),
  CHECK ((status = 'amended') = (amendment_number IS NOT NULL)),
  CHECK (amendment_number IS NULL OR amendment_number > number)
);
CREATE INDEX minutes_inaccuracies_by_meeting ON minutes_inaccuracies (meeting_id, seq);

-- The first form of the trigger's function; its final form is in
-- sql/functions/50_recording.sql (the same body when written).
CREATE FUNCTION minutes_inaccuracy_answered_is_final() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status <> 'open' THEN
    RAISE EXCEPTION 'an inaccuracy is never deleted, and once answered never changed (% refused)',
      TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER minutes_inaccuracies_final BEFORE UPDATE OR DELETE ON minutes_inaccuracies
  FOR EACH ROW EXECUTE FUNCTION minutes_inaccuracy_answered_is_final();
