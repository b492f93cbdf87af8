-- 004 recording a meeting: minutes in versions (MIN-1 to MIN-4), actions
-- (ACT-1 to ACT-3), the family after the meeting (FAM-5 to FAM-7), review
-- meetings (MTG-9) and closing (MTG-8).

-- Review meetings name the meeting they follow (MTG-9).
ALTER TABLE meetings
  ADD COLUMN previous_meeting_id uuid REFERENCES meetings (id),
  ADD COLUMN closed_at timestamptz,
  ADD COLUMN closed_by_sub text;
CREATE INDEX meetings_by_previous ON meetings (previous_meeting_id)
  WHERE previous_meeting_id IS NOT NULL;

-- The sharing of the minutes with the family is a consent decision too.
ALTER TABLE consent_decisions DROP CONSTRAINT consent_decisions_kind_check;
ALTER TABLE consent_decisions ADD CONSTRAINT consent_decisions_kind_check
  CHECK (kind IN ('family_notice', 'minutes_sharing'));
ALTER TABLE consent_decisions DROP CONSTRAINT consent_decisions_decision_check;
ALTER TABLE consent_decisions ADD CONSTRAINT consent_decisions_decision_check
  CHECK ((kind = 'family_notice' AND decision IN ('inform', 'not_inform')) OR
         (kind = 'minutes_sharing' AND decision IN ('share', 'withhold')));
ALTER TABLE consent_decisions ADD CONSTRAINT consent_decisions_withhold_rationale
  CHECK (decision <> 'withhold' OR rationale IS NOT NULL);

CREATE OR REPLACE FUNCTION consent_status(d consent_decisions) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN d.decision <> 'not_inform' THEN 'effective'
    WHEN EXISTS (SELECT 1 FROM consent_agreements a WHERE a.decision_id = d.id AND NOT a.agrees)
      THEN 'disputed'
    WHEN cardinality(meeting_invited_agencies(d.meeting_id)) > 0 AND NOT EXISTS (
           SELECT 1 FROM unnest(meeting_invited_agencies(d.meeting_id)) AS invited(agency)
            WHERE NOT EXISTS (SELECT 1 FROM consent_agreements a
                               WHERE a.decision_id = d.id AND a.agency = invited.agency
                                 AND a.agrees))
      THEN 'agreed'
    ELSE 'pending_agreement' END
$$;

-- Minutes, one row per version. A version is a draft until the chair
-- approves it; approved versions are immutable (the trigger refuses any
-- change or deletion, for every role). An amendment is the next version.
CREATE TABLE minutes (
  meeting_id        uuid NOT NULL REFERENCES meetings (id),
  number            integer NOT NULL CHECK (number >= 1),
  status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved')),
  content           jsonb NOT NULL,
  amendment_reason  text,
  created_by_sub    text NOT NULL,
  created_by_name   text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_by_sub    text NOT NULL,
  updated_by_name   text NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  approved_by_sub   text,
  approved_by_name  text,
  approved_at       timestamptz,
  version           integer NOT NULL DEFAULT 1,
  PRIMARY KEY (meeting_id, number),
  CHECK ((number = 1) = (amendment_reason IS NULL)),
  CHECK ((status = 'approved') = (approved_at IS NOT NULL))
);

CREATE FUNCTION minutes_approved_are_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'approved' THEN
    RAISE EXCEPTION 'approved minutes are immutable (% refused); amend them instead', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER minutes_immutable BEFORE UPDATE OR DELETE ON minutes
  FOR EACH ROW EXECUTE FUNCTION minutes_approved_are_immutable();
CREATE TRIGGER minutes_no_truncate BEFORE TRUNCATE ON minutes
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Who received which approved version, and when (MIN-4).
CREATE TABLE minutes_distribution (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  meeting_id        uuid NOT NULL,
  number            integer NOT NULL,
  recipient_name    text NOT NULL,
  recipient_agency  text,
  category          text NOT NULL CHECK (category IN ('professional', 'family', 'other')),
  contact           text NOT NULL,
  sent_at           timestamptz NOT NULL,
  recorded_by_sub   text NOT NULL,
  recorded_by_name  text NOT NULL,
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (meeting_id, number) REFERENCES minutes (meeting_id, number)
);
CREATE INDEX minutes_distribution_by_meeting ON minutes_distribution (meeting_id, number);

CREATE FUNCTION minutes_json(v minutes) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'meeting_id', v.meeting_id,
    'number', v.number,
    'status', v.status,
    'current', NOT EXISTS (SELECT 1 FROM minutes n
                            WHERE n.meeting_id = v.meeting_id AND n.number > v.number),
    'content', v.content,
    'amendment_reason', v.amendment_reason,
    'created_by', json_build_object('sub', v.created_by_sub, 'name', v.created_by_name),
    'created_at', rfc3339(v.created_at),
    'updated_by', json_build_object('sub', v.updated_by_sub, 'name', v.updated_by_name),
    'updated_at', rfc3339(v.updated_at),
    'approved_by', CASE WHEN v.approved_by_sub IS NULL THEN NULL ELSE
                     json_build_object('sub', v.approved_by_sub, 'name', v.approved_by_name) END,
    'approved_at', rfc3339(v.approved_at),
    'distribution', coalesce((SELECT json_agg(json_build_object(
                       'name', d.recipient_name, 'agency', d.recipient_agency,
                       'category', d.category, 'contact', d.contact,
                       'sent_at', rfc3339(d.sent_at),
                       'recorded_by', json_build_object('sub', d.recorded_by_sub,
                                                        'name', d.recorded_by_name))
                       ORDER BY d.sent_at, d.id)
                     FROM minutes_distribution d
                    WHERE d.meeting_id = v.meeting_id AND d.number = v.number), '[]'::json),
    'version', v.version)
$$;

-- Actions (ACT-1 to ACT-3). meeting_id is where the action was agreed;
-- current_meeting_id is the meeting that tracks it now (a review meeting
-- that carried it forward, MTG-9). The action keeps its id throughout.
CREATE TABLE actions (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  meeting_id          uuid NOT NULL REFERENCES meetings (id),
  current_meeting_id  uuid NOT NULL REFERENCES meetings (id),
  minutes_number      integer NOT NULL,
  item_index          integer,
  kind                text NOT NULL DEFAULT 'plan' CHECK (kind IN ('plan', 'family_feedback')),
  description         text NOT NULL,
  owner_name          text NOT NULL,
  owner_agency        text NOT NULL,
  owner_sub           text,
  due_date            date NOT NULL,
  contingency         text NOT NULL,
  status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'cancelled')),
  status_note         text,
  closed_at           timestamptz,
  closed_by_sub       text,
  version             integer NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (status = 'open' OR status_note IS NOT NULL)
);
CREATE INDEX actions_by_owner ON actions (owner_sub, status, due_date) WHERE owner_sub IS NOT NULL;
CREATE INDEX actions_by_agency ON actions (owner_agency, status, due_date);
CREATE INDEX actions_by_meeting ON actions (current_meeting_id, status);
CREATE INDEX actions_by_origin ON actions (meeting_id);
CREATE INDEX actions_open_by_due ON actions (due_date, id) WHERE status = 'open';

CREATE TABLE action_history (
  action_id   uuid NOT NULL REFERENCES actions (id),
  seq         bigserial,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_sub   text NOT NULL,
  actor_name  text NOT NULL,
  change      text NOT NULL CHECK (change IN ('created', 'due_date_changed', 'completed',
                'cancelled', 'carried_forward', 'reviewed')),
  from_value  text,
  to_value    text,
  note        text,
  meeting_id  uuid,
  PRIMARY KEY (action_id, seq)
);

CREATE FUNCTION action_json(a actions) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', a.id,
    'meeting_id', a.meeting_id,
    'current_meeting_id', a.current_meeting_id,
    'kind', a.kind,
    'description', a.description,
    'owner', json_build_object('name', a.owner_name, 'agency', a.owner_agency, 'sub', a.owner_sub),
    'due_date', to_char(a.due_date, 'YYYY-MM-DD'),
    'contingency', a.contingency,
    'status', a.status,
    'status_note', a.status_note,
    'overdue', a.status = 'open' AND a.due_date < (now() AT TIME ZONE 'UTC')::date,
    'closed_at', rfc3339(a.closed_at),
    'history', coalesce((SELECT json_agg(json_build_object(
                  'at', rfc3339(h.at), 'change', h.change,
                  'by', json_build_object('sub', h.actor_sub, 'name', h.actor_name),
                  'from', h.from_value, 'to', h.to_value, 'note', h.note,
                  'meeting_id', h.meeting_id) ORDER BY h.seq)
                FROM action_history h WHERE h.action_id = a.id), '[]'::json),
    'version', a.version,
    'created_at', rfc3339(a.created_at),
    'updated_at', rfc3339(a.updated_at))
$$;

-- An action is visible to whoever may see the meeting that agreed it or
-- tracks it, to its owner, and to the managers of the owner's agency.
CREATE FUNCTION action_visible(a actions, caller_sub text, caller_agency text,
                               caller_is_manager boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT a.owner_sub = caller_sub
      OR (caller_is_manager AND a.owner_agency = caller_agency)
      OR EXISTS (SELECT 1 FROM meetings m
                  WHERE m.id IN (a.meeting_id, a.current_meeting_id)
                    AND meeting_visible(m, caller_sub, caller_agency, caller_is_manager))
$$;

-- The meeting, with its review links and minutes status.
CREATE OR REPLACE FUNCTION meeting_json(m meetings) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', m.id,
    'reference', m.reference,
    'type', m.type,
    'status', m.status,
    'title', m.title,
    'purpose', m.purpose,
    'criteria', to_json(m.criteria),
    'rationale', m.rationale,
    'convening_agency', m.convening_agency,
    'requester', json_build_object('sub', m.requester_sub, 'name', m.requester_name),
    'external_ref', CASE WHEN m.external_system IS NULL THEN NULL
                    ELSE json_build_object('system', m.external_system, 'id', m.external_id) END,
    'children', coalesce((SELECT json_agg(child_json(c) ORDER BY c.position)
                            FROM meeting_children c
                           WHERE c.meeting_id = m.id AND c.is_subject), '[]'::json),
    'other_children', coalesce((SELECT json_agg(child_json(c) ORDER BY c.position)
                                  FROM meeting_children c
                                 WHERE c.meeting_id = m.id AND NOT c.is_subject), '[]'::json),
    'no_other_children', m.no_other_children,
    'decision', CASE WHEN m.decided_at IS NULL THEN NULL ELSE json_build_object(
                  'outcome', CASE WHEN m.decline_reason IS NULL THEN 'authorised' ELSE 'declined' END,
                  'by', json_build_object('sub', m.decided_by_sub, 'name', m.decided_by_name),
                  'at', rfc3339(m.decided_at),
                  'reason', m.decline_reason) END,
    'cancellation', CASE WHEN m.cancelled_at IS NULL THEN NULL ELSE json_build_object(
                  'by', json_build_object('sub', m.cancelled_by_sub, 'name', m.cancelled_by_name),
                  'at', rfc3339(m.cancelled_at),
                  'reason', m.cancel_reason) END,
    'schedule', CASE WHEN m.scheduled_start IS NULL THEN NULL ELSE json_build_object(
                  'start', rfc3339(m.scheduled_start),
                  'duration_minutes', m.duration_minutes,
                  'format', m.format,
                  'venue', m.venue,
                  'chair', json_build_object('sub', m.chair_sub, 'name', m.chair_name,
                                             'agency', m.chair_agency, 'role', m.chair_role),
                  'minute_taker', json_build_object('sub', m.minute_taker_sub,
                                                    'name', m.minute_taker_name,
                                                    'agency', m.minute_taker_agency),
                  'two_part', m.two_part,
                  'scheduled_at', rfc3339(m.scheduled_at)) END,
    'family_notice', meeting_family_notice(m.id),
    'held_at', rfc3339(m.held_at),
    'previous_meeting_id', m.previous_meeting_id,
    'previous_open_actions', CASE WHEN m.previous_meeting_id IS NULL THEN '[]'::json ELSE
                  coalesce((SELECT json_agg(action_json(a) ORDER BY a.due_date, a.id)
                              FROM actions a
                             WHERE a.current_meeting_id = m.previous_meeting_id
                               AND a.status = 'open'), '[]'::json) END,
    'minutes', (SELECT json_build_object('number', v.number, 'status', v.status,
                                         'approved_at', rfc3339(v.approved_at))
                  FROM minutes v WHERE v.meeting_id = m.id ORDER BY v.number DESC LIMIT 1),
    'closed_at', rfc3339(m.closed_at),
    'version', m.version,
    'created_at', rfc3339(m.created_at),
    'updated_at', rfc3339(m.updated_at))
$$;
