-- OBL-1 to OBL-3: the clocks as policy, the obligations derived from the
-- records, and the reminders due on them.
--
-- An obligation is derived, here and only here (meeting_obligations), from
-- the record it runs from (a meeting requested or held, an invitation sent,
-- minutes approved, an action agreed, an escalation at its stage), with the
-- policy version in effect when that event happened, so that a later change
-- of policy never moves it. Its id is a stable UUID made from its clock and
-- its source, so that the reminders sent on it (reminders_sent) keep to it.
-- The derived rows are kept in the table obligations (migration 032),
-- derived again for a meeting in the transaction that changes anything they
-- are derived from (obligations_on_change, at COMMIT), so that a list reads
-- one page of an index rather than deriving every obligation of every
-- meeting its caller has a part in.

-- The policy in effect at a moment: the latest version recorded by then.
CREATE OR REPLACE FUNCTION policy_at(at timestamptz) RETURNS policy_versions
LANGUAGE sql STABLE AS $$
  SELECT p FROM policy_versions p
   WHERE p.effective_from <= coalesce(at, 'infinity')
   ORDER BY p.effective_from DESC, p.version DESC LIMIT 1
$$;

CREATE OR REPLACE FUNCTION policy_json(p policy_versions) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'version', p.version,
    'effective_from', CASE WHEN p.effective_from = '-infinity' THEN NULL
                           ELSE rfc3339(p.effective_from) END,
    'changed_by', json_build_object('sub', p.changed_by_sub, 'agency', p.changed_by_agency),
    'reason', p.reason,
    'clocks', json_build_object(
      'drift_working_days', p.drift_working_days,
      'notice_working_days', p.notice_working_days,
      'response_working_days', p.response_working_days,
      'minutes_due_working_days', p.minutes_due_working_days,
      'feedback_working_days', p.feedback_working_days,
      'safeguarding_referral_working_days', p.safeguarding_referral_working_days,
      'escalation_stage_working_days', to_json(p.escalation_stage_working_days),
      'papers_before_working_days', p.papers_before_working_days,
      'icpc_working_days', p.icpc_working_days,
      'action_due_soon_working_days', p.action_due_soon_working_days,
      'manager_reminder_working_days', p.manager_reminder_working_days,
      'contingency_working_days', p.contingency_working_days,
      'accuracy_window_working_days', p.accuracy_window_working_days,
      'outcome_letter_working_days', p.outcome_letter_working_days),
    'recorded_at', rfc3339(p.created_at))
$$;

-- The n-th working day after from_day (n > 0) or before it (n < 0), from_day
-- itself for 0: weekends and bank holidays are not working days. The same
-- rule as cal_add_working_days (src/domain/calendar.c), for the dates derived
-- in SQL; tests/api/test_obligations.c checks the two agree. Worked out by
-- weeks: the weekdays are counted by arithmetic, then the bank holidays on
-- weekdays among them are made up for, again by weeks (one look at
-- bank_holidays per round, seldom more than two rounds), not a day at a time.
CREATE OR REPLACE FUNCTION working_day_add(from_day date, n integer) RETURNS date
LANGUAGE plpgsql STABLE AS $$
DECLARE
  d date := from_day;
  step integer := sign(n);
  remaining integer := abs(n);
  w integer;
  base date;
  target date;
  weeks integer;
  rest integer;
BEGIN
  WHILE remaining > 0 LOOP
    w := extract(isodow FROM d);
    weeks := remaining / 5;
    rest := remaining % 5;
    IF step > 0 THEN
      -- from a weekend day, as from the Friday before it
      base := d - greatest(w - 5, 0);
      w := least(w, 5);
      target := base + weeks * 7 + rest + CASE WHEN w + rest > 5 THEN 2 ELSE 0 END;
      SELECT count(*) INTO remaining FROM bank_holidays h
       WHERE h.day > d AND h.day <= target AND extract(isodow FROM h.day) < 6;
    ELSE
      -- from a weekend day, as from the Monday after it
      base := d + CASE w WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END;
      w := CASE WHEN w > 5 THEN 1 ELSE w END;
      target := base - weeks * 7 - rest - CASE WHEN w - rest < 1 THEN 2 ELSE 0 END;
      SELECT count(*) INTO remaining FROM bank_holidays h
       WHERE h.day < d AND h.day >= target AND extract(isodow FROM h.day) < 6;
    END IF;
    d := target;
  END LOOP;
  RETURN d;
END
$$;

CREATE OR REPLACE FUNCTION utc_day(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ts AT TIME ZONE 'UTC')::date $$;

-- REN-3: the day the chair's outcome letter is due: the policy's working
-- days (in effect at the hold) after the day of the hold (UTC). The letter
-- records it (src/store/outcome_letters.c) and the obligation is due on it.
CREATE OR REPLACE FUNCTION outcome_letter_due_on(held_at timestamptz) RETURNS date
LANGUAGE sql STABLE AS $$
  SELECT working_day_add(utc_day(held_at), (policy_at(held_at)).outcome_letter_working_days)
$$;

CREATE OR REPLACE FUNCTION obligation_id(clock text, source uuid, stage integer) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT md5('obligation:' || clock || ':' || source::text || ':' || stage::text)::uuid
$$;

-- Every obligation of one meeting and of what it tracks. A row:
--  clock, the event it runs from and when, the resource it is about, who
--  owes it (a person, when one is named, and their agency), its due date,
--  the day it opens when that is later than its event (the offer of an
--  escalation opens only once an action is overdue past its contingency), when
--  it was met, and why it is no longer owed when it ended otherwise
--  ('withdrawn' or 'missed', with a reason).
CREATE OR REPLACE FUNCTION meeting_obligations(meeting uuid)
RETURNS TABLE (id uuid, clock text, basis_event text, basis_at timestamptz, meeting_id uuid,
               resource_type text, resource_id uuid, resource_version integer,
               owner_sub text, owner_agency text, due date, opens_on date,
               met_at timestamptz, ended text, ended_reason text, policy_version integer,
               due_soon_on date, manager_on date)
LANGUAGE sql STABLE AS $$
  WITH m AS (SELECT * FROM meetings WHERE meetings.id = meeting),
  approved AS (SELECT v.* FROM minutes v WHERE v.meeting_id = meeting AND v.status = 'approved'
                ORDER BY v.number DESC LIMIT 1),
  followed AS (SELECT min(f.created_at) AS requested_at, min(f.held_at) AS held_at
                 FROM meetings f WHERE f.previous_meeting_id = meeting
                  AND f.status NOT IN ('declined', 'cancelled'))
  -- MTG-10: held within the drift window of the request
  SELECT obligation_id('drift', m.id, 0), 'drift', 'meeting.requested', m.created_at, m.id,
         'meeting', m.id, m.version, m.requester_sub, m.convening_agency,
         working_day_add(utc_day(m.created_at), p.drift_working_days), NULL::date,
         m.held_at,
         CASE WHEN m.held_at IS NULL AND m.status IN ('declined', 'cancelled') THEN 'withdrawn' END,
         CASE WHEN m.held_at IS NULL AND m.status IN ('declined', 'cancelled') THEN 'meeting_' || m.status END,
         p.version, NULL::date, NULL::date
    FROM m, policy_at(m.created_at) p
  UNION ALL
  -- MIN-4: minutes out (an approved version distributed) within the window
  SELECT obligation_id('minutes', m.id, 0), 'minutes', 'meeting.held', m.held_at, m.id,
         'meeting', m.id, m.version, m.chair_sub, coalesce(m.chair_agency, m.convening_agency),
         working_day_add(utc_day(m.held_at), p.minutes_due_working_days), NULL,
         (SELECT min(d.recorded_at) FROM minutes_distribution d JOIN minutes v
             ON v.meeting_id = d.meeting_id AND v.number = d.number
           WHERE d.meeting_id = m.id AND v.status = 'approved'),
         NULL, NULL, p.version, NULL, NULL
    FROM m, policy_at(m.held_at) p WHERE m.held_at IS NOT NULL
  UNION ALL
  -- REN-3: the chair's outcome letter to every invitee, sent within the
  -- window; only for meetings held since the clock was introduced
  -- (migration 039: none was owed before, and a rebuild must not make every
  -- older meeting owe one, overdue)
  SELECT obligation_id('outcome_letter', m.id, 0), 'outcome_letter', 'meeting.held', m.held_at,
         m.id, 'meeting', m.id, m.version, m.chair_sub,
         coalesce(m.chair_agency, m.convening_agency),
         outcome_letter_due_on(m.held_at), NULL,
         (SELECT l.sent_at FROM outcome_letters l WHERE l.meeting_id = m.id),
         NULL, NULL, p.version, NULL, NULL
    FROM m, policy_at(m.held_at) p
   WHERE m.held_at >= (SELECT c.introduced_at FROM obligation_clocks_introduced c
                        WHERE c.clock = 'outcome_letter')
  UNION ALL
  -- MTG-12: a review meeting requested by the next review date agreed in the
  -- approved minutes (the meeting's next_review_on, set at each approval):
  -- the clock meeting_review_overdue (30_meetings.sql) and the review-overdue
  -- report read; met when a review is requested (one declined or cancelled
  -- does not count)
  SELECT obligation_id('review', m.id, 0), 'review', 'minutes.approved', a.approved_at, m.id,
         'meeting', m.id, m.version, m.chair_sub, m.convening_agency,
         m.next_review_on, NULL,
         f.requested_at, NULL, NULL, p.version, NULL, NULL
    FROM m, approved a, followed f, policy_at(a.approved_at) p
   WHERE m.next_review_on IS NOT NULL AND m.status IN ('held', 'closed')
  UNION ALL
  -- OBL-1: the initial child protection conference, 15 working days (policy)
  -- after a strategy discussion whose approved minutes start section 47
  -- enquiries; met when the conference (a meeting following this one) is held
  SELECT obligation_id('icpc', m.id, 0), 'icpc', 'minutes.approved', a.approved_at, m.id,
         'meeting', m.id, m.version, m.chair_sub, m.convening_agency,
         working_day_add(utc_day(m.held_at), p.icpc_working_days), NULL,
         f.held_at, NULL, NULL, p.version, NULL, NULL
    FROM m, approved a, followed f, policy_at(a.approved_at) p
   WHERE m.type = 'strategy_discussion' AND m.held_at IS NOT NULL
     AND a.content -> 'section_47_enquiry' ->> 'started' = 'true'
  UNION ALL
  -- INV-8: an invitation answered by its response deadline
  SELECT obligation_id('response', i.id, 0), 'response', 'invitation.created', i.invited_at, m.id,
         'invitation', i.id, i.version, i.invitee_sub, i.agency,
         i.respond_by, NULL,
         (SELECT min(h.at) FROM invitation_history h WHERE h.invitation_id = i.id
             AND h.action IN ('accepted', 'declined', 'apologies', 'delegated')),
         CASE WHEN i.status = 'invited' AND m.status IN ('declined', 'cancelled') THEN 'withdrawn'
              WHEN i.status = 'invited' AND m.held_at IS NOT NULL THEN 'missed' END,
         CASE WHEN i.status = 'invited' AND m.status IN ('declined', 'cancelled') THEN 'meeting_' || m.status
              WHEN i.status = 'invited' AND m.held_at IS NOT NULL THEN 'meeting_held' END,
         p.version, NULL, NULL
    FROM m JOIN invitations i ON i.meeting_id = m.id, policy_at(i.invited_at) p
   WHERE i.invitee_sub IS NOT NULL
  UNION ALL
  -- INV-6: papers shared before the meeting, by each professional invited
  SELECT obligation_id('papers', i.id, 0), 'papers', 'invitation.created', i.invited_at, m.id,
         'invitation', i.id, i.version, i.invitee_sub, i.agency,
         working_day_add(utc_day(m.scheduled_start), -p.papers_before_working_days), NULL,
         pp.first_at,
         CASE WHEN pp.first_at IS NOT NULL THEN NULL
              WHEN m.status = 'cancelled' THEN 'withdrawn'
              WHEN i.status = 'declined' THEN 'withdrawn'
              WHEN m.held_at IS NOT NULL THEN 'missed' END,
         CASE WHEN pp.first_at IS NOT NULL THEN NULL
              WHEN m.status = 'cancelled' THEN 'meeting_cancelled'
              WHEN i.status = 'declined' THEN 'invitation_declined'
              WHEN m.held_at IS NOT NULL THEN 'meeting_held' END,
         p.version, NULL, NULL
    FROM m JOIN invitations i ON i.meeting_id = m.id
         CROSS JOIN LATERAL (SELECT min(x.shared_at) AS first_at FROM invitation_papers x
                              WHERE x.invitation_id = i.id) pp,
         policy_at(i.invited_at) p
   WHERE i.invitee_sub IS NOT NULL AND m.scheduled_start IS NOT NULL
  UNION ALL
  -- ACT-1, FAM-6, ACT-4: each action done by its due date
  SELECT obligation_id(CASE a.kind WHEN 'plan' THEN 'action' ELSE a.kind END, a.id, 0),
         CASE a.kind WHEN 'plan' THEN 'action' ELSE a.kind END, 'action.created', a.created_at,
         m.id, 'action', a.id, a.version, a.owner_sub, a.owner_agency,
         a.due_date, NULL,
         CASE WHEN a.status = 'completed' THEN a.closed_at END,
         CASE WHEN a.status = 'cancelled' THEN 'withdrawn' END,
         CASE WHEN a.status = 'cancelled' THEN 'action_cancelled' END,
         p.version,
         working_day_add(a.due_date, -p.action_due_soon_working_days),
         working_day_add(a.due_date, p.manager_reminder_working_days)
    FROM m JOIN actions a ON a.current_meeting_id = m.id, policy_at(a.created_at) p
  UNION ALL
  -- OBL-3: an action overdue past its contingency offers the chair and the
  -- convening managers an action_plan_not_implemented escalation; met by one
  -- raised about the meeting since the action was agreed
  SELECT obligation_id('action_plan_not_implemented', a.id, 0), 'action_plan_not_implemented',
         'action.created', a.created_at, m.id, 'action', a.id, a.version,
         m.chair_sub, m.convening_agency,
         working_day_add(a.due_date, p.contingency_working_days),
         working_day_add(a.due_date, p.contingency_working_days),
         (SELECT min(e.created_at) FROM escalations e WHERE e.meeting_id = m.id
             AND e.type = 'action_plan_not_implemented' AND e.created_at >= a.created_at),
         CASE WHEN a.status <> 'open' THEN 'withdrawn' END,
         CASE WHEN a.status = 'completed' THEN 'action_completed'
              WHEN a.status = 'cancelled' THEN 'action_cancelled' END,
         p.version, NULL, NULL
    FROM m JOIN actions a ON a.current_meeting_id = m.id, policy_at(a.created_at) p
   WHERE a.status = 'open' OR EXISTS (SELECT 1 FROM escalations e WHERE e.meeting_id = m.id
             AND e.type = 'action_plan_not_implemented' AND e.created_at >= a.created_at)
  UNION ALL
  -- ESC-2: the escalation answered at its current stage by its due date
  SELECT obligation_id('escalation_stage', e.id, e.stage), 'escalation_stage',
         CASE WHEN e.stage = 1 OR e.stage_started_on = utc_day(e.created_at)
              THEN 'escalation.raised' ELSE 'escalation.escalated' END,
         e.created_at, m.id, 'escalation', e.id, e.version, NULL, e.with_agency,
         e.stage_due, NULL,
         CASE WHEN e.status = 'resolved' THEN e.closed_at END,
         CASE WHEN e.status = 'withdrawn' THEN 'withdrawn' END,
         CASE WHEN e.status = 'withdrawn' THEN 'escalation_withdrawn' END,
         p.version, NULL, NULL
    FROM m JOIN escalations e ON e.meeting_id = m.id, policy_at(e.created_at) p
$$;

-- The status of an obligation on a day.
CREATE OR REPLACE FUNCTION obligation_status(met_at timestamptz, ended text, due date, today date)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN met_at IS NOT NULL THEN 'met'
              WHEN ended IS NOT NULL THEN ended
              WHEN due < today THEN 'overdue'
              ELSE 'open' END
$$;

-- May the caller (principals, agency, roles) see this obligation? Through
-- the visibility of the resource it is about (10_access.sql), never more.
CREATE OR REPLACE FUNCTION obligation_visible(resource_type text, resource_id uuid, meeting uuid,
                                              principals text[], caller_agency text,
                                              caller_roles text[])
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE resource_type
    WHEN 'meeting' THEN meeting_visible(meeting, principals)
    WHEN 'invitation' THEN (SELECT invitation_visible(i, principals) FROM invitations i
                             WHERE i.id = resource_id)
    WHEN 'action' THEN (SELECT action_visible(a, principals) FROM actions a WHERE a.id = resource_id)
    WHEN 'escalation' THEN (SELECT escalation_visible(e, principals, caller_agency, caller_roles)
                              FROM escalations e WHERE e.id = resource_id)
    ELSE false END
$$;

-- The meetings whose obligations a caller may be shown: those they can see,
-- and those of the actions, invitations and escalations they can see
-- without seeing the meeting (an action's owner, the managers of an invited
-- agency, the agencies of an escalation). With `of_owner`, only the meetings
-- where that person has a part (requester, chair, minute taker, invitee,
-- action owner), each found through its own index: a busy practitioner's
-- `owner=me` list costs what they are part of, not what their agency holds.
-- Visibility is still judged per obligation (obligation_visible).
CREATE OR REPLACE FUNCTION obligation_meetings(principals text[], caller_sub text,
                                               caller_agency text, is_manager boolean,
                                               of_owner text)
RETURNS SETOF uuid
LANGUAGE sql STABLE AS $$
  SELECT a.meeting_id FROM meeting_access a
   WHERE of_owner IS NULL AND a.principal = ANY (principals)
  UNION SELECT a.meeting_id FROM meeting_access a
   WHERE of_owner IS NOT NULL AND a.principal = principal_person(of_owner)
  UNION SELECT x.current_meeting_id FROM actions x WHERE x.owner_sub = coalesce(of_owner, caller_sub)
  UNION SELECT x.current_meeting_id FROM actions x
   WHERE of_owner IS NULL AND is_manager AND x.owner_agency = caller_agency
  UNION SELECT i.meeting_id FROM invitations i
   WHERE of_owner IS NULL AND is_manager AND i.agency = caller_agency
  UNION SELECT e.meeting_id FROM escalations e
   WHERE of_owner IS NULL AND e.raised_by_agency = caller_agency
  UNION SELECT e.meeting_id FROM escalations e
   WHERE of_owner IS NULL AND e.with_agency = caller_agency
$$;


-- An obligation as the API shows it, with its status on `today`.
CREATE OR REPLACE FUNCTION obligation_json(o obligations, today date) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'id', o.id,
           'clock', o.clock,
           'basis', json_build_object('clock', o.clock, 'event', o.basis_event,
                                      'event_at', rfc3339(o.basis_at),
                                      'policy_version', o.policy_version),
           'meeting_id', o.meeting_id,
           'resource', json_build_object('type', o.resource_type, 'id', o.resource_id),
           'owner', json_build_object('sub', o.owner_sub, 'agency', o.owner_agency),
           'due_date', to_char(o.due, 'YYYY-MM-DD'),
           'status', obligation_status(o.met_at, o.ended, o.due, today),
           'met_at', rfc3339(o.met_at),
           'ended_reason', CASE WHEN o.met_at IS NULL THEN o.ended_reason END)
$$;

-- The filters of GET /v1/obligations, whichever way a page was found: whose
-- (a person's sub, an agency), a meeting, a child (an identifier the
-- meeting gives it: `system:id`, an NHS number or a UPN, as child_keys), a
-- status (NULL: open and overdue), due before a day, after the cursor.
-- Obligations not yet open on `today` are left out.
CREATE OR REPLACE FUNCTION obligation_listed(o obligations, today date, of_owner text,
                                             of_agency text, of_meeting uuid, child_system text,
                                             child_id text, of_status text, due_before date,
                                             after_due date, after_id uuid)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT (o.opens_on IS NULL OR o.opens_on <= today)
     AND (of_owner IS NULL OR o.owner_sub = of_owner)
     AND (of_agency IS NULL OR o.owner_agency = of_agency)
     AND (of_meeting IS NULL OR o.meeting_id = of_meeting)
     AND (child_system IS NULL OR EXISTS (
           SELECT 1 FROM meeting_children k,
                  child_keys(k.external_system, k.external_id, k.nhs_number, k.upn) c
            WHERE k.meeting_id = o.meeting_id
              AND c.system = child_system AND c.id = obligation_listed.child_id))
     AND (due_before IS NULL OR o.due < due_before)
     AND CASE WHEN of_status IS NULL
              THEN obligation_status(o.met_at, o.ended, o.due, today) IN ('open', 'overdue')
              ELSE obligation_status(o.met_at, o.ended, o.due, today) = of_status END
     AND (after_due IS NULL OR (o.due, o.id) > (after_due, after_id))
$$;

-- One page of the obligations a caller may see, by due date then id, with
-- the filters of GET /v1/obligations (obligation_listed). The way in:
--  a person's (`owner`, `me` included): their rows read in due order from
--    the owner index (still owed ones from its partial index), judged as
--    they come, until the page is full: a busy practitioner's page costs the
--    page, not everything they owe. The cursor is one row comparison and the
--    query carries the page's LIMIT, so that the planner reads the index in
--    order (with `after IS NULL OR …`, and without a LIMIT, it read all the
--    owner's rows and sorted them: page 1 grew 3x from 100k to 1M meetings).
--    Every row an owner has lies in a meeting they have a part in
--    (obligation_meetings with of_owner), so this is the same set;
--  otherwise the meetings the caller may be shown (obligation_meetings).
-- Visibility is judged per obligation either way (obligation_visible).
CREATE OR REPLACE FUNCTION obligations_page(principals text[], caller_sub text, caller_agency text,
                                            caller_roles text[], is_manager boolean, today date,
                                            of_owner text, of_agency text, of_meeting uuid,
                                            child_system text, child_id text, of_status text,
                                            due_before date, after_due date, after_id uuid,
                                            size integer)
RETURNS TABLE (item json, due text, id uuid)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  from_due date := coalesce(after_due, '-infinity'::date);
  from_id uuid := coalesce(after_id, '00000000-0000-0000-0000-000000000000'::uuid);
BEGIN
  IF of_owner IS NOT NULL AND (of_status IS NULL OR of_status IN ('open', 'overdue')) THEN
    RETURN QUERY
      SELECT obligation_json(x, today), to_char(x.due, 'YYYY-MM-DD'), x.id
        FROM obligations x
       WHERE x.owner_sub = of_owner AND x.met_at IS NULL AND x.ended IS NULL
         AND (x.due, x.id) > (from_due, from_id)
         AND obligation_listed(x, today, of_owner, of_agency, of_meeting, child_system,
                               child_id, of_status, due_before, after_due, after_id)
         AND obligation_visible(x.resource_type, x.resource_id, x.meeting_id, principals,
                                caller_agency, caller_roles)
       ORDER BY x.due, x.id
       LIMIT size;
    RETURN;
  END IF;
  IF of_owner IS NOT NULL THEN
    RETURN QUERY
      SELECT obligation_json(x, today), to_char(x.due, 'YYYY-MM-DD'), x.id
        FROM obligations x
       WHERE x.owner_sub = of_owner
         AND (x.due, x.id) > (from_due, from_id)
         AND obligation_listed(x, today, of_owner, of_agency, of_meeting, child_system,
                               child_id, of_status, due_before, after_due, after_id)
         AND obligation_visible(x.resource_type, x.resource_id, x.meeting_id, principals,
                                caller_agency, caller_roles)
       ORDER BY x.due, x.id
       LIMIT size;
    RETURN;
  END IF;
  RETURN QUERY
    SELECT obligation_json(x, today), to_char(x.due, 'YYYY-MM-DD'), x.id
      FROM (SELECT DISTINCT c.meeting_id
              FROM obligation_meetings(principals, caller_sub, caller_agency, is_manager,
                                       NULL) c(meeting_id)
             WHERE (of_meeting IS NULL OR c.meeting_id = of_meeting)) cm
      JOIN obligations x ON x.meeting_id = cm.meeting_id
     WHERE obligation_listed(x, today, of_owner, of_agency, of_meeting, child_system,
                             child_id, of_status, due_before, after_due, after_id)
       AND obligation_visible(x.resource_type, x.resource_id, x.meeting_id, principals,
                              caller_agency, caller_roles)
     ORDER BY x.due, x.id
     LIMIT size;
END
$$;

-- One obligation by its id, when the caller may see it (the same candidates
-- and visibility as the list; any status). NULL when not.
CREATE OR REPLACE FUNCTION obligation_find(principals text[], caller_sub text, caller_agency text,
                                           caller_roles text[], is_manager boolean, today date,
                                           of_id uuid)
RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT obligation_json(o, today)
    FROM obligations o
   WHERE o.id = of_id
     AND o.meeting_id IN (SELECT c.meeting_id
                            FROM obligation_meetings(principals, caller_sub, caller_agency,
                                                     is_manager, NULL) c(meeting_id))
     AND obligation_visible(o.resource_type, o.resource_id, o.meeting_id, principals,
                            caller_agency, caller_roles)
$$;

-- OBL-3: the reminders due on `today` and not yet sent: for every
-- obligation still owed, the stages it has reached. Each stage goes to the
-- feed of the agency that owes it, naming the obligation (resource_type
-- `obligation`, GET /v1/obligations/{id}: its clock, due date and the
-- resource it is about), never any content.
--  response, papers, minutes, outcome_letter, drift, review, icpc,
--    escalation_stage: `due`
--    on the due date;
--  actions (action, family_feedback, safeguarding_referral): `due_soon`
--    (policy working days before), `overdue` (the day after the due date),
--    `overdue_manager` (policy working days after: for the owner's manager);
--  action_plan_not_implemented: `offered` once open.
CREATE OR REPLACE FUNCTION reminders_due(today date)
RETURNS TABLE (obligation_id uuid, stage text, event_type text, agency text,
               resource_type text, resource_id uuid, resource_version integer)
LANGUAGE sql STABLE AS $$
  WITH stages AS (
    SELECT o.id, s.stage, s.on_day, o.clock, o.owner_agency, o.resource_type, o.resource_id,
           o.resource_version
      FROM obligations o,
           LATERAL (VALUES
             ('due_soon', CASE WHEN o.due_soon_on IS NOT NULL THEN o.due_soon_on END),
             ('overdue', CASE WHEN o.due_soon_on IS NOT NULL THEN o.due + 1 END),
             ('overdue_manager', o.manager_on),
             ('due', CASE WHEN o.due_soon_on IS NULL AND o.clock <> 'action_plan_not_implemented'
                          THEN o.due END),
             ('offered', CASE WHEN o.clock = 'action_plan_not_implemented' THEN o.opens_on END))
             s(stage, on_day)
     WHERE o.met_at IS NULL AND o.ended IS NULL
       AND s.on_day IS NOT NULL AND s.on_day <= today)
  SELECT s.id, s.stage,
         CASE WHEN s.clock = 'action_plan_not_implemented' THEN 'reminder.escalation_offered'
              ELSE 'reminder.' || s.clock || '_' || s.stage END,
         s.owner_agency, 'obligation', s.id, NULL::integer
    FROM stages s
   WHERE s.owner_agency IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM reminders_sent r WHERE r.obligation_id = s.id AND r.stage = s.stage)
$$;

-- The rows of one meeting derived again (OBL-2): new ones added, changed
-- ones updated (an action carried forward moves to its new meeting), those
-- no longer derived removed. A transaction-level lock per meeting makes a
-- second transaction changing the same meeting wait for the first's
-- COMMIT, and the statement after it reads that commit: the rows are never
-- derived from a state older than one already written.
CREATE OR REPLACE FUNCTION obligations_refresh(meeting uuid) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(4242032, hashtext(meeting::text));
  WITH fresh AS (SELECT * FROM meeting_obligations(meeting)),
  gone AS (DELETE FROM obligations o
            WHERE o.meeting_id = meeting AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.id = o.id))
  INSERT INTO obligations (id, clock, basis_event, basis_at, meeting_id, resource_type,
                           resource_id, resource_version, owner_sub, owner_agency, due, opens_on,
                           met_at, ended, ended_reason, policy_version, due_soon_on, manager_on)
  SELECT f.id, f.clock, f.basis_event, f.basis_at, f.meeting_id, f.resource_type,
         f.resource_id, f.resource_version, f.owner_sub, f.owner_agency, f.due, f.opens_on,
         f.met_at, f.ended, f.ended_reason, f.policy_version, f.due_soon_on, f.manager_on
    FROM fresh f
  ON CONFLICT (id) DO UPDATE SET
    clock = EXCLUDED.clock, basis_event = EXCLUDED.basis_event, basis_at = EXCLUDED.basis_at,
    meeting_id = EXCLUDED.meeting_id, resource_type = EXCLUDED.resource_type,
    resource_id = EXCLUDED.resource_id, resource_version = EXCLUDED.resource_version,
    owner_sub = EXCLUDED.owner_sub, owner_agency = EXCLUDED.owner_agency, due = EXCLUDED.due,
    opens_on = EXCLUDED.opens_on, met_at = EXCLUDED.met_at, ended = EXCLUDED.ended,
    ended_reason = EXCLUDED.ended_reason, policy_version = EXCLUDED.policy_version,
    due_soon_on = EXCLUDED.due_soon_on, manager_on = EXCLUDED.manager_on
  WHERE (obligations.*) IS DISTINCT FROM (EXCLUDED.*);
END
$$;

-- The constraint triggers of migration 032, deferred to COMMIT: the meeting
-- a changed row leads to (TG_ARGV[0] names the column; 'meeting': the row
-- is a meeting, and the one it follows, whose review and conference it may
-- meet) is derived again, once per transaction (the transaction's setting
-- mam.obligations_done lists those done; nothing changes after the
-- deferred triggers begin).
CREATE OR REPLACE FUNCTION obligations_on_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  versions jsonb[] := ARRAY[]::jsonb[];
  v jsonb;
  found uuid[] := ARRAY[]::uuid[];
  one uuid;
  done text;
BEGIN
  IF TG_OP <> 'INSERT' THEN versions := versions || to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN versions := versions || to_jsonb(NEW); END IF;
  FOREACH v IN ARRAY versions LOOP
    IF TG_ARGV[0] = 'meeting' THEN
      found := found || (v ->> 'id')::uuid || (v ->> 'previous_meeting_id')::uuid;
    ELSIF TG_ARGV[0] = 'invitation_id' THEN
      found := found || (SELECT i.meeting_id FROM invitations i
                          WHERE i.id = (v ->> 'invitation_id')::uuid);
    ELSE
      found := found || (v ->> TG_ARGV[0])::uuid;
    END IF;
  END LOOP;
  FOREACH one IN ARRAY found LOOP
    CONTINUE WHEN one IS NULL;
    done := coalesce(current_setting('mam.obligations_done', true), '');
    CONTINUE WHEN strpos(done, one::text) > 0;
    PERFORM obligations_refresh(one);
    PERFORM set_config('mam.obligations_done', done || one::text || ',', true);
  END LOOP;
  RETURN NULL;
END
$$;

-- A bank holiday added or removed moves the dates worked out in working
-- days across it: the meetings with an obligation due from about seven
-- months before the earliest day changed (the longest clock counted back
-- from its event, papers before the meeting, is at most 100 working days)
-- are derived again.
CREATE OR REPLACE FUNCTION obligations_on_holidays() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  first_day date;
  one uuid;
BEGIN
  SELECT min(c.day) INTO first_day FROM changed_days c;
  IF first_day IS NULL THEN
    RETURN NULL;
  END IF;
  FOR one IN SELECT DISTINCT o.meeting_id FROM obligations o WHERE o.due >= first_day - 200 LOOP
    PERFORM obligations_refresh(one);
  END LOOP;
  RETURN NULL;
END
$$;

-- Which definition the rows follow: the functions they are derived by.
CREATE OR REPLACE FUNCTION obligations_definition() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT md5(string_agg(pg_get_functiondef(f::regprocedure), E'\n' ORDER BY f))
    FROM unnest(ARRAY['meeting_obligations(uuid)', 'working_day_add(date,integer)',
                      'policy_at(timestamptz)', 'utc_day(timestamptz)',
                      'obligation_id(text,uuid,integer)',
                      'outcome_letter_due_on(timestamptz)']) f
$$;

-- Every meeting's rows derived again when the definition is not the one
-- they were derived by (a new database, or a release that changed a
-- clock); otherwise nothing. `mam migrate` runs it with these definitions.
CREATE OR REPLACE FUNCTION obligations_rebuild_if_changed() RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  now_defined text := obligations_definition();
BEGIN
  IF now_defined IS NOT DISTINCT FROM (SELECT s.definition FROM obligations_state s) THEN
    RETURN false;
  END IF;
  DELETE FROM obligations;
  INSERT INTO obligations SELECT o.* FROM meetings m, LATERAL meeting_obligations(m.id) o;
  INSERT INTO obligations_state (definition) VALUES (now_defined)
    ON CONFLICT (only_row) DO UPDATE SET definition = EXCLUDED.definition;
  RETURN true;
END
$$;
SELECT obligations_rebuild_if_changed();

-- REN-4: the last day an inaccuracy may be pointed out in version n of a
-- meeting's minutes: the accuracy window of the policy in effect when the
-- version was approved, in working days from the day of its approval (UTC);
-- NULL while the version is a draft. A clock of the policy, but no
-- obligation: it is how long recipients may speak (sql/037_inaccuracies.sql).
CREATE OR REPLACE FUNCTION minutes_accuracy_window_closes(v minutes) RETURNS date
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN v.approved_at IS NULL THEN NULL ELSE
    working_day_add((v.approved_at AT TIME ZONE 'UTC')::date,
                    (policy_at(v.approved_at)).accuracy_window_working_days) END
$$;
