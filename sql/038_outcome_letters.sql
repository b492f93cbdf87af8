-- 038 REN-3: the chair's outcome letter — the decisions, the outline plan
-- and the next dates — to every invitee, due one working day after the
-- hold (policy: outcome_letter_working_days, OBL-1, under the policy in
-- effect when the meeting was held). One letter per meeting, sent once
-- and never changed or deleted (the triggers refuse, for every role); it
-- records each invitee it went to, and each of them is a disclosure in the
-- information-sharing ledger, written by trigger in the same transaction
-- (ISL-2).
ALTER TABLE policy_versions
  ADD COLUMN outcome_letter_working_days integer NOT NULL DEFAULT 1
    CHECK (outcome_letter_working_days BETWEEN 0 AND 20);

CREATE TABLE outcome_letters (
  meeting_id     uuid PRIMARY KEY REFERENCES meetings (id),
  decisions      text NOT NULL,
  plan           text NOT NULL,
  next_dates     text NOT NULL,
  due_on         date NOT NULL,
  sent_at        timestamptz NOT NULL,
  sent_by_sub    text NOT NULL,
  sent_by_name   text NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  version        integer NOT NULL DEFAULT 1
);
CREATE TRIGGER outcome_letters_immutable BEFORE UPDATE OR DELETE ON outcome_letters
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE outcome_letter_recipients (
  meeting_id     uuid NOT NULL REFERENCES outcome_letters (meeting_id),
  invitation_id  uuid NOT NULL REFERENCES invitations (id),
  PRIMARY KEY (meeting_id, invitation_id)
);
CREATE TRIGGER outcome_letter_recipients_append_only BEFORE UPDATE OR DELETE
  ON outcome_letter_recipients FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

ALTER TABLE information_sharing DROP CONSTRAINT information_sharing_channel_check;
ALTER TABLE information_sharing ADD CONSTRAINT information_sharing_channel_check
  CHECK (channel IN ('minutes_distribution', 'family_copy', 'paper', 'verbal', 'written',
                     'rendition', 'outcome_letter'));

-- The first form of the trigger's function; its final form is in
-- sql/functions/37_information_sharing.sql (the same body when written).
CREATE FUNCTION information_sharing_on_outcome_letter() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO information_sharing (kind, channel, meeting_id, from_agency, resource_type,
    resource_id, resource_version, what, to_name, to_agency, to_category, shared_at, purpose,
    lawful_basis, decided_by_sub, decided_by_name, onward_limit)
  SELECT 'disclosure', 'outcome_letter', m.id, m.convening_agency, 'outcome_letter',
         m.id::text, l.version, format('The outcome letter of %s', m.reference),
         i.invitee_name, i.agency,
         CASE WHEN i.category IN ('parent_carer', 'child_young_person') THEN 'family'
              ELSE 'professional' END,
         l.sent_at, 'The outcome of a multi-agency safeguarding meeting (REN-3)', 'public_task',
         l.sent_by_sub, l.sent_by_name,
         'Not to be passed on without the agreement of ' || m.convening_agency
    FROM outcome_letters l JOIN meetings m ON m.id = l.meeting_id
    JOIN invitations i ON i.id = NEW.invitation_id
   WHERE l.meeting_id = NEW.meeting_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER information_sharing_outcome_letter AFTER INSERT ON outcome_letter_recipients
  FOR EACH ROW EXECUTE FUNCTION information_sharing_on_outcome_letter();
