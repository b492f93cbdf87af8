-- 011 planning a meeting, walked against the guidance (issue 13).
--
-- INV-8: a response deadline falls before the meeting starts; scheduling
-- pulls the deadlines still awaited in, a change of the invitation kept in
-- its history as 'deadline_changed'. Existing invitations and their
-- deadlines are untouched: only a future (re)schedule moves them.
ALTER TABLE invitation_history DROP CONSTRAINT invitation_history_action_check;
ALTER TABLE invitation_history ADD CONSTRAINT invitation_history_action_check
  CHECK (action IN ('accepted', 'declined', 'apologies', 'delegated', 'attendance',
                    'deadline_changed'));

-- INV-5: every invitee, family members included, confirms access to the
-- technology of a virtual or hybrid meeting or states the support they
-- need to join. Existing answers keep what they confirmed.
ALTER TABLE invitations ADD COLUMN technology_support text;
