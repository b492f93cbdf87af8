-- Planning a meeting: the working-days calendar, invitations and
-- family-notice decisions.

CREATE OR REPLACE FUNCTION bank_holiday_json(h bank_holidays) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('date', to_char(h.day, 'YYYY-MM-DD'), 'name', h.name)
$$;

-- An invitation as the API shows it; today is the request's date, which
-- response_overdue is judged against (INV-7).
CREATE OR REPLACE FUNCTION invitation_json(i invitations, today date) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (SELECT json_build_object(
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
    'technology_support', i.technology_support,
    'respond_by', to_char(i.respond_by, 'YYYY-MM-DD'),
    'responded_at', rfc3339(i.responded_at),
    'responded_by', CASE WHEN i.responded_by_sub IS NULL THEN NULL ELSE
                      json_build_object('sub', i.responded_by_sub, 'name', i.responded_by_name) END,
    'response_overdue', i.status = 'invited' AND i.respond_by < today,
    'short_notice', i.short_notice,
    'attendance', i.attendance,
    'withdrawn', CASE WHEN i.withdrawn_at IS NULL THEN NULL ELSE json_build_object(
                   'at', rfc3339(i.withdrawn_at),
                   'by', json_build_object('sub', i.withdrawn_by_sub, 'name', i.withdrawn_by_name),
                   'reason', i.withdraw_reason) END,
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
    'updated_at', rfc3339(i.updated_at)));
END
$$;

-- The professional agencies invited to a meeting (FAM-2, MTG-6).
CREATE OR REPLACE FUNCTION meeting_invited_agencies(meeting uuid) RETURNS text[]
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (SELECT coalesce(array_agg(DISTINCT i.agency ORDER BY i.agency), '{}')
            FROM invitations i
           WHERE i.meeting_id = meeting AND i.category IN ('professional', 'specialist'));
END
$$;

-- A decision's status, derived rather than stored: a decision not to
-- inform takes effect only once every invited professional agency has
-- agreed, so inviting another agency re-opens it by itself (FAM-2).
CREATE OR REPLACE FUNCTION consent_status(d consent_decisions) RETURNS text
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (SELECT CASE
    WHEN d.decision <> 'not_inform' THEN 'effective'
    WHEN EXISTS (SELECT 1 FROM consent_agreements a WHERE a.decision_id = d.id AND NOT a.agrees)
      THEN 'disputed'
    WHEN cardinality(meeting_invited_agencies(d.meeting_id)) > 0 AND NOT EXISTS (
           SELECT 1 FROM unnest(meeting_invited_agencies(d.meeting_id)) AS invited(agency)
            WHERE NOT EXISTS (SELECT 1 FROM consent_agreements a
                               WHERE a.decision_id = d.id AND a.agency = invited.agency
                                 AND a.agrees))
      THEN 'agreed'
    ELSE 'pending_agreement' END);
END
$$;

CREATE OR REPLACE FUNCTION consent_decision_json(d consent_decisions) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (SELECT json_build_object(
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
    'version', d.version));
END
$$;
