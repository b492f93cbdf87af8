-- Recording a meeting: minutes in versions and the actions they agree.

-- Approved minutes are immutable for every role (MIN-3): amend instead.
-- The one exception is disposal (RET-3, retention_disposing in
-- 88_retention.sql), which deletes the whole record.
CREATE OR REPLACE FUNCTION minutes_approved_are_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND retention_disposing(TG_RELID) THEN
    RETURN OLD;
  END IF;
  IF OLD.status = 'approved' THEN
    RAISE EXCEPTION 'approved minutes are immutable (% refused); amend them instead', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE OR REPLACE FUNCTION minutes_json(v minutes) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (SELECT json_build_object(
    'id', v.id,  -- a draft's record id (RET-1, draft_minutes)
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
                       'copy', d.copy, 'rendition_id', d.rendition_id,
                       'sent_at', rfc3339(d.sent_at),
                       'recorded_by', json_build_object('sub', d.recorded_by_sub,
                                                        'name', d.recorded_by_name))
                       ORDER BY d.sent_at, d.id)
                     FROM minutes_distribution d
                    WHERE d.meeting_id = v.meeting_id AND d.number = v.number), '[]'::json),
    'version', v.version));
END
$$;

-- REN-2: a rendition as the API shows it: pinned to its version of the
-- minutes (minutes_current says whether an amendment followed), with what
-- was withheld (where and why, never what) and each time it was sent.
CREATE OR REPLACE FUNCTION rendition_json(r minutes_renditions) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (SELECT json_build_object(
    'id', r.id,
    'meeting_id', r.meeting_id,
    'minutes_number', r.number,
    'minutes_current', NOT EXISTS (SELECT 1 FROM minutes n
                                    WHERE n.meeting_id = r.meeting_id AND n.number > r.number),
    'audience', r.audience,
    'agency', r.agency,
    'content', r.content,
    'withheld', r.withheld,
    'withheld_summary', r.withheld_summary,
    'approved_by', json_build_object('sub', r.approved_by_sub, 'name', r.approved_by_name),
    'approved_at', rfc3339(r.approved_at),
    'shares', coalesce((SELECT json_agg(json_build_object(
                 'name', x.recipient_name, 'agency', x.recipient_agency,
                 'category', x.category, 'contact', x.contact,
                 'sent_at', rfc3339(x.sent_at),
                 'recorded_by', json_build_object('sub', x.recorded_by_sub,
                                                  'name', x.recorded_by_name))
                 ORDER BY x.sent_at, x.id)
               FROM rendition_shares x WHERE x.rendition_id = r.id), '[]'::json),
    'version', r.version));
END
$$;

-- REN-4: an answered inaccuracy is final; none is deleted
-- (sql/037_inaccuracies.sql).
CREATE OR REPLACE FUNCTION minutes_inaccuracy_answered_is_final() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND retention_disposing(TG_RELID) THEN  -- RET-3
    RETURN OLD;
  END IF;
  IF TG_OP = 'DELETE' OR OLD.status <> 'open' THEN
    RAISE EXCEPTION 'an inaccuracy is never deleted, and once answered never changed (% refused)',
      TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION inaccuracy_json(x minutes_inaccuracies) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', x.id,
    'meeting_id', x.meeting_id,
    'minutes_number', x.number,
    'part', x.part,
    'text', x.text,
    'raised_by', json_build_object('sub', x.raised_by_sub, 'name', x.raised_by_name,
                                   'agency', x.raised_by_agency),
    'raised_at', rfc3339(x.raised_at),
    'window_closes_on', to_char(x.window_closes_on, 'YYYY-MM-DD'),
    'status', x.status,
    'answer', CASE WHEN x.answered_at IS NULL THEN NULL ELSE json_build_object(
                'outcome', x.status,
                'amendment_number', x.amendment_number,
                'reason', x.refusal_reason,
                'by', json_build_object('sub', x.answered_by_sub, 'name', x.answered_by_name),
                'at', rfc3339(x.answered_at)) END,
    'version', x.version)
$$;

-- REN-3: the chair's outcome letter as the API shows it: whether it went
-- out late (the UTC day it was sent after its due day) and to whom.
CREATE OR REPLACE FUNCTION outcome_letter_json(l outcome_letters) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'meeting_id', l.meeting_id,
    'decisions', l.decisions,
    'plan', l.plan,
    'next_dates', l.next_dates,
    'due_on', to_char(l.due_on, 'YYYY-MM-DD'),
    'sent_at', rfc3339(l.sent_at),
    'late', (l.sent_at AT TIME ZONE 'UTC')::date > l.due_on,
    'sent_by', json_build_object('sub', l.sent_by_sub, 'name', l.sent_by_name),
    'recipients', coalesce((SELECT json_agg(json_build_object(
                     'invitation_id', i.id, 'name', i.invitee_name, 'agency', i.agency,
                     'category', i.category) ORDER BY i.invited_at, i.id)
                   FROM outcome_letter_recipients r JOIN invitations i ON i.id = r.invitation_id
                  WHERE r.meeting_id = l.meeting_id), '[]'::json),
    'version', l.version)
$$;

-- An action as the API shows it; today is the request's date, which
-- overdue is judged against (ACT-1).
CREATE OR REPLACE FUNCTION action_json(a actions, today date) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (SELECT json_build_object(
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
    'overdue', a.status = 'open' AND a.due_date < today,
    'closed_at', rfc3339(a.closed_at),
    'history', coalesce((SELECT json_agg(json_build_object(
                  'at', rfc3339(h.at), 'change', h.change,
                  'by', json_build_object('sub', h.actor_sub, 'name', h.actor_name),
                  'from', h.from_value, 'to', h.to_value, 'note', h.note,
                  'meeting_id', h.meeting_id) ORDER BY h.seq)
                FROM action_history h WHERE h.action_id = a.id), '[]'::json),
    'version', a.version,
    'created_at', rfc3339(a.created_at),
    'updated_at', rfc3339(a.updated_at)));
END
$$;
