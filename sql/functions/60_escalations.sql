-- The disagreement and escalation procedure (ESC-1 to ESC-4).

-- An escalation as the API shows it; today is the request's date, which
-- overdue is judged against (ESC-2).
CREATE OR REPLACE FUNCTION escalation_json(e escalations, today date) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (SELECT json_build_object(
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
    'overdue', e.status = 'open' AND e.stage_due < today,
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
    'updated_at', rfc3339(e.updated_at)));
END
$$;
