-- Recording a meeting: minutes in versions and the actions they agree.

-- Approved minutes are immutable for every role (MIN-3): amend instead.
CREATE OR REPLACE FUNCTION minutes_approved_are_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
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
                       'copy', d.copy,
                       'sent_at', rfc3339(d.sent_at),
                       'recorded_by', json_build_object('sub', d.recorded_by_sub,
                                                        'name', d.recorded_by_name))
                       ORDER BY d.sent_at, d.id)
                     FROM minutes_distribution d
                    WHERE d.meeting_id = v.meeting_id AND d.number = v.number), '[]'::json),
    'version', v.version));
END
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
