-- 011 planning a meeting, walked against the guidance (issue 13).
--
-- INV-8: a response deadline falls before the meeting starts; scheduling
-- pulls the deadlines still awaited in, a change of the invitation kept in
-- its history as 'deadline_changed' (the constraint on the history's
-- actions is redefined below, with FAM-9's 'withdrawn'). Existing
-- invitations and their deadlines are untouched: only a future (re)schedule
-- moves them.

-- INV-5: every invitee, family members included, confirms access to the
-- technology of a virtual or hybrid meeting or states the support they
-- need to join. Existing answers keep what they confirmed.
ALTER TABLE invitations ADD COLUMN technology_support text;

-- FAM-9: under a decision not to inform the family no family member may
-- be invited or remain invited: a family member's invitation is withdrawn,
-- with who, when and why, and kept in its history. Existing invitations
-- are untouched; a meeting whose decision not to inform was recorded over
-- family invitations (which was allowed, with a warning) keeps its state
-- and is refused at the hold until those invitations are withdrawn.
ALTER TABLE invitations DROP CONSTRAINT invitations_status_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_status_check
  CHECK (status IN ('invited', 'accepted', 'declined', 'apologies', 'withdrawn'));
ALTER TABLE invitations
  ADD COLUMN withdrawn_at       timestamptz,
  ADD COLUMN withdrawn_by_sub   text,
  ADD COLUMN withdrawn_by_name  text,
  ADD COLUMN withdraw_reason    text,
  ADD CONSTRAINT invitations_withdrawn_family_only
    CHECK (status <> 'withdrawn' OR category IN ('parent_carer', 'child_young_person')),
  ADD CONSTRAINT invitations_withdrawn_recorded
    CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL)
           AND (withdrawn_at IS NULL) = (withdraw_reason IS NULL)
           AND (withdrawn_at IS NULL) = (withdrawn_by_sub IS NULL));
ALTER TABLE invitation_history DROP CONSTRAINT invitation_history_action_check;
ALTER TABLE invitation_history ADD CONSTRAINT invitation_history_action_check
  CHECK (action IN ('accepted', 'declined', 'apologies', 'delegated', 'attendance',
                    'deadline_changed', 'withdrawn'));

-- MTG-6: a practitioner chairs only a stop and review, as the child's lead
-- practitioner or keyworker, which the schedule records beside the role it
-- relied on. Meetings already scheduled keep their chair (their chair_role
-- was required at scheduling); chair_child_role stays NULL for them.
ALTER TABLE meetings
  ADD COLUMN chair_child_role text
    CHECK (chair_child_role IN ('lead_practitioner', 'keyworker')),
  ADD CONSTRAINT meetings_practitioner_chair
    CHECK (chair_role IS DISTINCT FROM 'practitioner'
           OR (type = 'stop_and_review' AND chair_child_role IS NOT NULL));

-- MTG-12: the next review date agreed in approved minutes is followed. The
-- meeting keeps the date of its latest approved minutes (set at each
-- approval), back-filled here from the minutes already approved; minutes
-- are read, never rewritten. Once the date passes with no review meeting
-- requested, the meeting is review-overdue (meeting_review_overdue(),
-- sql/functions/30_meetings.sql).
ALTER TABLE meetings ADD COLUMN next_review_on date;
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT DISTINCT ON (v.meeting_id) v.meeting_id,
                  btrim(v.content -> 'next_review' ->> 'date') AS day
             FROM minutes v
            WHERE v.status = 'approved'
            ORDER BY v.meeting_id, v.number DESC LOOP
    IF r.day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
      BEGIN
        UPDATE meetings SET next_review_on = r.day::date WHERE id = r.meeting_id;
      EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
        NULL; -- not a date: no review date to follow
      END;
    END IF;
  END LOOP;
END
$$;
CREATE INDEX meetings_review_due ON meetings (next_review_on, id)
  WHERE next_review_on IS NOT NULL;
