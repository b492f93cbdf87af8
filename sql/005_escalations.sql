-- 005 escalations: the multi-agency disagreement and escalation procedure
-- (ESC-1 to ESC-4), with the references INV-7 and FAM-2 allow.

CREATE TABLE escalations (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  meeting_id           uuid NOT NULL REFERENCES meetings (id),
  type                 text NOT NULL CHECK (type IN ('disagreement_about_need_for_meeting',
                         'lack_of_engagement', 'concern_after_decision',
                         'referral_response_disagreement', 'family_notice_disagreement',
                         'action_plan_not_implemented')),
  concern              text NOT NULL,
  outcome_sought       text NOT NULL,
  raised_by_sub        text NOT NULL,
  raised_by_name       text NOT NULL,
  raised_by_agency     text NOT NULL REFERENCES agencies (code),
  with_agency          text NOT NULL REFERENCES agencies (code),
  invitation_id        uuid REFERENCES invitations (id),
  consent_decision_id  uuid REFERENCES consent_decisions (id),
  declined_request_id  uuid REFERENCES meetings (id),
  immediate_risk       boolean NOT NULL DEFAULT false,
  stage                integer NOT NULL CHECK (stage BETWEEN 1 AND 4),
  stage_started_on     date NOT NULL,
  stage_due            date NOT NULL,
  status               text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'withdrawn')),
  outcome              text,
  closed_by_sub        text,
  closed_by_name       text,
  closed_at            timestamptz,
  version              integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK (status = 'open' OR outcome IS NOT NULL)
);
CREATE INDEX escalations_by_meeting ON escalations (meeting_id, created_at);
CREATE INDEX escalations_by_agencies ON escalations (raised_by_agency, with_agency);
CREATE INDEX escalations_open_by_due ON escalations (stage_due) WHERE status = 'open';

-- The timeline: raised, each response, each move up a stage, the end.
CREATE TABLE escalation_events (
  escalation_id  uuid NOT NULL REFERENCES escalations (id),
  seq            bigserial,
  at             timestamptz NOT NULL DEFAULT now(),
  stage          integer NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('raised', 'response', 'escalated', 'resolved',
                   'withdrawn')),
  by_sub         text NOT NULL,
  by_name        text NOT NULL,
  by_agency      text NOT NULL,
  text           text,
  due            date,
  PRIMARY KEY (escalation_id, seq)
);

CREATE FUNCTION escalation_json(e escalations) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', e.id,
    'meeting_id', e.meeting_id,
    'type', e.type,
    'concern', e.concern,
    'outcome_sought', e.outcome_sought,
    'raised_by', json_build_object('sub', e.raised_by_sub, 'name', e.raised_by_name,
                                   'agency', e.raised_by_agency),
    'with_agency', e.with_agency,
    'invitation_id', e.invitation_id,
    'consent_decision_id', e.consent_decision_id,
    'declined_request_id', e.declined_request_id,
    'immediate_risk', e.immediate_risk,
    'stage', e.stage,
    'stage_started_on', to_char(e.stage_started_on, 'YYYY-MM-DD'),
    'stage_due', to_char(e.stage_due, 'YYYY-MM-DD'),
    'overdue', e.status = 'open' AND e.stage_due < (now() AT TIME ZONE 'UTC')::date,
    'status', e.status,
    'outcome', e.outcome,
    'closed_by', CASE WHEN e.closed_by_sub IS NULL THEN NULL ELSE
                   json_build_object('sub', e.closed_by_sub, 'name', e.closed_by_name) END,
    'closed_at', rfc3339(e.closed_at),
    'timeline', coalesce((SELECT json_agg(json_build_object(
                   'at', rfc3339(t.at), 'stage', t.stage, 'kind', t.kind,
                   'by', json_build_object('sub', t.by_sub, 'name', t.by_name,
                                           'agency', t.by_agency),
                   'text', t.text, 'due', to_char(t.due, 'YYYY-MM-DD')) ORDER BY t.seq)
                 FROM escalation_events t WHERE t.escalation_id = e.id), '[]'::json),
    'version', e.version,
    'created_at', rfc3339(e.created_at),
    'updated_at', rfc3339(e.updated_at))
$$;

-- Who sees an escalation: its raiser; practitioners and managers of the
-- two agencies involved; their senior managers from stage 3; the
-- partnership's officers at stage 4. Everyone else gets 404.
CREATE FUNCTION escalation_visible(e escalations, caller_sub text, caller_agency text,
                                   caller_roles text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT e.raised_by_sub = caller_sub
      OR (caller_agency IN (e.raised_by_agency, e.with_agency)
          AND caller_roles && ARRAY['practitioner', 'senior_practitioner', 'manager',
                                    'named_doctor'])
      OR (caller_agency IN (e.raised_by_agency, e.with_agency) AND e.stage >= 3
          AND 'senior_manager' = ANY (caller_roles))
      OR (e.stage = 4 AND 'partnership' = ANY (caller_roles))
$$;
