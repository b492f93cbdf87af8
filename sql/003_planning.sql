-- 003 planning a meeting: the working-days calendar, scheduling,
-- invitations and responses, family-notice decisions, attendance.

-- Bank holidays in England and Wales; weekends are never working days.
-- Admins keep the list over the API (GET/POST/DELETE /v1/bank-holidays).
CREATE TABLE bank_holidays (
  day         date PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO bank_holidays (day, name) VALUES
  ('2025-01-01', 'New Year''s Day'), ('2025-04-18', 'Good Friday'),
  ('2025-04-21', 'Easter Monday'), ('2025-05-05', 'Early May bank holiday'),
  ('2025-05-26', 'Spring bank holiday'), ('2025-08-25', 'Summer bank holiday'),
  ('2025-12-25', 'Christmas Day'), ('2025-12-26', 'Boxing Day'),
  ('2026-01-01', 'New Year''s Day'), ('2026-04-03', 'Good Friday'),
  ('2026-04-06', 'Easter Monday'), ('2026-05-04', 'Early May bank holiday'),
  ('2026-05-25', 'Spring bank holiday'), ('2026-08-31', 'Summer bank holiday'),
  ('2026-12-25', 'Christmas Day'), ('2026-12-28', 'Boxing Day (substitute day)'),
  ('2027-01-01', 'New Year''s Day'), ('2027-03-26', 'Good Friday'),
  ('2027-03-29', 'Easter Monday'), ('2027-05-03', 'Early May bank holiday'),
  ('2027-05-31', 'Spring bank holiday'), ('2027-08-30', 'Summer bank holiday'),
  ('2027-12-27', 'Christmas Day (substitute day)'), ('2027-12-28', 'Boxing Day (substitute day)'),
  ('2028-01-03', 'New Year''s Day (substitute day)'), ('2028-04-14', 'Good Friday'),
  ('2028-04-17', 'Easter Monday'), ('2028-05-01', 'Early May bank holiday'),
  ('2028-05-29', 'Spring bank holiday'), ('2028-08-28', 'Summer bank holiday'),
  ('2028-12-25', 'Christmas Day'), ('2028-12-26', 'Boxing Day');

CREATE FUNCTION bank_holiday_json(h bank_holidays) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('date', to_char(h.day, 'YYYY-MM-DD'), 'name', h.name)
$$;

-- Scheduling (MTG-6) and holding (MTG-8).
ALTER TABLE meetings
  ADD COLUMN scheduled_start      timestamptz,
  ADD COLUMN duration_minutes     integer CHECK (duration_minutes BETWEEN 1 AND 1440),
  ADD COLUMN format               text CHECK (format IN ('in_person', 'virtual', 'hybrid', 'phone')),
  ADD COLUMN venue                text,
  ADD COLUMN chair_sub            text,
  ADD COLUMN chair_name           text,
  ADD COLUMN chair_agency         text,
  ADD COLUMN chair_role           text,
  ADD COLUMN minute_taker_sub     text,
  ADD COLUMN minute_taker_name    text,
  ADD COLUMN minute_taker_agency  text,
  ADD COLUMN two_part             boolean NOT NULL DEFAULT false,
  ADD COLUMN scheduled_at         timestamptz,
  ADD COLUMN held_at              timestamptz,
  ADD COLUMN held_by_sub          text,
  ADD CONSTRAINT meetings_scheduled_complete CHECK (
    status NOT IN ('scheduled', 'held', 'closed') OR
    (scheduled_start IS NOT NULL AND duration_minutes IS NOT NULL AND format IS NOT NULL
     AND chair_sub IS NOT NULL AND minute_taker_sub IS NOT NULL));
CREATE INDEX meetings_by_chair ON meetings (chair_sub) WHERE chair_sub IS NOT NULL;
CREATE INDEX meetings_by_minute_taker ON meetings (minute_taker_sub) WHERE minute_taker_sub IS NOT NULL;
CREATE INDEX meetings_open_by_age ON meetings (created_at, id)
  WHERE status IN ('requested', 'authorised', 'scheduled');

-- Invitations (INV-1 to INV-7). invitee_sub is the person who holds the
-- invitation now (a delegate after delegation); family members have none.
CREATE TABLE invitations (
  id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  meeting_id                  uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  category                    text NOT NULL CHECK (category IN ('professional', 'specialist',
                                'parent_carer', 'child_young_person')),
  invitee_sub                 text,
  invitee_name                text NOT NULL,
  agency                      text REFERENCES agencies (code),
  contact                     text NOT NULL,
  role                        text NOT NULL,
  part                        smallint CHECK (part IN (1, 2)),
  invited_by_name             text,
  support_needs               text,
  status                      text NOT NULL DEFAULT 'invited' CHECK (status IN ('invited',
                                'accepted', 'declined', 'apologies')),
  response_note               text,
  technology_access_confirmed boolean,
  respond_by                  date NOT NULL,
  responded_at                timestamptz,
  responded_by_sub            text,
  responded_by_name           text,
  short_notice                boolean NOT NULL DEFAULT false,
  attendance                  text CHECK (attendance IN ('present', 'apologies', 'absent')),
  invited_by_sub              text NOT NULL,
  invited_at                  timestamptz NOT NULL DEFAULT now(),
  version                     integer NOT NULL DEFAULT 1,
  updated_at                  timestamptz NOT NULL DEFAULT now(),
  CHECK ((category IN ('parent_carer', 'child_young_person')) = (agency IS NULL)),
  CHECK ((category IN ('parent_carer', 'child_young_person')) OR invitee_sub IS NOT NULL),
  CHECK (status <> 'declined' OR response_note IS NOT NULL)
);
CREATE UNIQUE INDEX invitations_one_per_person ON invitations (meeting_id, invitee_sub)
  WHERE invitee_sub IS NOT NULL;
CREATE INDEX invitations_by_meeting ON invitations (meeting_id, invited_at, id);
CREATE INDEX invitations_by_invitee ON invitations (invitee_sub, invited_at DESC, id DESC)
  WHERE invitee_sub IS NOT NULL;
CREATE INDEX invitations_by_agency ON invitations (agency, meeting_id) WHERE agency IS NOT NULL;

-- What happened to an invitation: responses and delegations, oldest first.
CREATE TABLE invitation_history (
  invitation_id  uuid NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
  seq            bigserial,
  at             timestamptz NOT NULL DEFAULT now(),
  actor_sub      text NOT NULL,
  actor_name     text NOT NULL,
  action         text NOT NULL CHECK (action IN ('accepted', 'declined', 'apologies',
                   'delegated', 'attendance')),
  note           text,
  delegate_sub   text,
  delegate_name  text,
  PRIMARY KEY (invitation_id, seq)
);

-- Papers shared in advance (INV-6).
CREATE TABLE invitation_papers (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  invitation_id   uuid NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
  title           text NOT NULL,
  reference       text,
  shared_at       timestamptz NOT NULL DEFAULT now(),
  shared_by_sub   text NOT NULL,
  shared_by_name  text NOT NULL
);
CREATE INDEX invitation_papers_by_invitation ON invitation_papers (invitation_id, shared_at);

CREATE FUNCTION invitation_json(i invitations) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', i.id,
    'meeting_id', i.meeting_id,
    'category', i.category,
    'invitee', json_build_object('sub', i.invitee_sub, 'name', i.invitee_name,
                                 'agency', i.agency, 'contact', i.contact),
    'role', i.role,
    'part', i.part,
    'invited_by', i.invited_by_name,
    'support_needs', i.support_needs,
    'status', i.status,
    'response_note', i.response_note,
    'technology_access_confirmed', i.technology_access_confirmed,
    'respond_by', to_char(i.respond_by, 'YYYY-MM-DD'),
    'responded_at', rfc3339(i.responded_at),
    'responded_by', CASE WHEN i.responded_by_sub IS NULL THEN NULL ELSE
                      json_build_object('sub', i.responded_by_sub, 'name', i.responded_by_name) END,
    'response_overdue', i.status = 'invited' AND i.respond_by < (now() AT TIME ZONE 'UTC')::date,
    'short_notice', i.short_notice,
    'attendance', i.attendance,
    'papers', coalesce((SELECT json_agg(json_build_object(
                  'id', p.id, 'title', p.title, 'reference', p.reference,
                  'shared_at', rfc3339(p.shared_at),
                  'shared_by', json_build_object('sub', p.shared_by_sub, 'name', p.shared_by_name))
                  ORDER BY p.shared_at, p.id)
                FROM invitation_papers p WHERE p.invitation_id = i.id), '[]'::json),
    'history', coalesce((SELECT json_agg(json_build_object(
                  'at', rfc3339(h.at), 'action', h.action,
                  'by', json_build_object('sub', h.actor_sub, 'name', h.actor_name),
                  'note', h.note,
                  'delegate', CASE WHEN h.delegate_sub IS NULL THEN NULL ELSE
                                json_build_object('sub', h.delegate_sub, 'name', h.delegate_name) END)
                  ORDER BY h.seq)
                FROM invitation_history h WHERE h.invitation_id = i.id), '[]'::json),
    'invited_at', rfc3339(i.invited_at),
    'version', i.version,
    'updated_at', rfc3339(i.updated_at))
$$;

-- Family-notice decisions (FAM-1 to FAM-4, FAM-8). Every decision is kept;
-- the newest is current. A decision not to inform takes effect only when
-- every invited professional agency has agreed, so its status is derived,
-- never stored: inviting another agency re-opens it by itself.
CREATE TABLE consent_decisions (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq                bigserial UNIQUE,
  meeting_id         uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  kind               text NOT NULL CHECK (kind IN ('family_notice')),
  decision           text NOT NULL CHECK (decision IN ('inform', 'not_inform')),
  grounds            text[] NOT NULL DEFAULT '{}',
  rationale          text,
  parent_objection   text,
  decided_by_sub     text NOT NULL,
  decided_by_name    text NOT NULL,
  decided_by_agency  text NOT NULL,
  decided_at         timestamptz NOT NULL DEFAULT now(),
  version            integer NOT NULL DEFAULT 1,  -- counts its agreements
  CHECK (decision <> 'not_inform' OR (cardinality(grounds) > 0 AND rationale IS NOT NULL))
);
CREATE INDEX consent_decisions_by_meeting ON consent_decisions (meeting_id, kind, seq DESC);

CREATE TABLE consent_agreements (
  decision_id  uuid NOT NULL REFERENCES consent_decisions (id) ON DELETE CASCADE,
  agency       text NOT NULL REFERENCES agencies (code),
  agrees       boolean NOT NULL,
  comment      text,
  by_sub       text NOT NULL,
  by_name      text NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (decision_id, agency)
);

-- The professional agencies invited to a meeting (FAM-2, MTG-6).
CREATE FUNCTION meeting_invited_agencies(meeting uuid) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT i.agency ORDER BY i.agency), '{}')
    FROM invitations i
   WHERE i.meeting_id = meeting AND i.category IN ('professional', 'specialist')
$$;

CREATE FUNCTION consent_status(d consent_decisions) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN d.decision = 'inform' THEN 'effective'
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

CREATE FUNCTION consent_decision_json(d consent_decisions) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', d.id,
    'meeting_id', d.meeting_id,
    'kind', d.kind,
    'decision', d.decision,
    'grounds', to_json(d.grounds),
    'rationale', d.rationale,
    'parent_objection', d.parent_objection,
    'status', consent_status(d),
    'current', NOT EXISTS (SELECT 1 FROM consent_decisions n
                            WHERE n.meeting_id = d.meeting_id AND n.kind = d.kind AND n.seq > d.seq),
    'decided_by', json_build_object('sub', d.decided_by_sub, 'name', d.decided_by_name,
                                    'agency', d.decided_by_agency),
    'decided_at', rfc3339(d.decided_at),
    'agreements', coalesce((SELECT json_agg(json_build_object(
                     'agency', a.agency, 'agrees', a.agrees, 'comment', a.comment,
                     'by', json_build_object('sub', a.by_sub, 'name', a.by_name),
                     'at', rfc3339(a.at)) ORDER BY a.at, a.agency)
                   FROM consent_agreements a WHERE a.decision_id = d.id), '[]'::json),
    'awaiting_agencies', CASE WHEN d.decision <> 'not_inform' THEN '[]'::json ELSE
                   to_json(ARRAY(SELECT invited.agency
                                   FROM unnest(meeting_invited_agencies(d.meeting_id)) AS invited(agency)
                                  WHERE NOT EXISTS (SELECT 1 FROM consent_agreements a
                                                     WHERE a.decision_id = d.id
                                                       AND a.agency = invited.agency))) END,
    'version', d.version)
$$;

-- The current family-notice decision's status, or NULL when none is recorded.
CREATE FUNCTION meeting_family_notice(meeting uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('decision_id', d.id, 'decision', d.decision,
                           'status', consent_status(d))
    FROM consent_decisions d
   WHERE d.meeting_id = meeting AND d.kind = 'family_notice'
   ORDER BY d.seq DESC LIMIT 1
$$;

-- SEC-2, widened: the chair, the minute taker and every current invitee
-- see the meeting too. Managers are the manager and senior_manager roles.
CREATE OR REPLACE FUNCTION meeting_visible(m meetings, caller_sub text, caller_agency text,
                                           caller_is_manager boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT m.requester_sub = caller_sub
      OR (caller_is_manager AND m.convening_agency = caller_agency)
      OR m.chair_sub = caller_sub
      OR m.minute_taker_sub = caller_sub
      OR EXISTS (SELECT 1 FROM invitations i
                  WHERE i.meeting_id = m.id AND i.invitee_sub = caller_sub)
$$;

-- The feed of every invited agency hears of the meeting too.
CREATE OR REPLACE FUNCTION meeting_agencies(m meetings) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT ARRAY[m.convening_agency] || ARRAY(
    SELECT DISTINCT i.agency FROM invitations i
     WHERE i.meeting_id = m.id AND i.agency IS NOT NULL AND i.agency <> m.convening_agency)
$$;

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
    'version', m.version,
    'created_at', rfc3339(m.created_at),
    'updated_at', rfc3339(m.updated_at))
$$;
