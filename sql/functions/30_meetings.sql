-- Meetings: their human reference and their representation.

-- A human-readable reference such as MAM-2026-000123: the year of the
-- request and a number that never repeats (at least six digits, more after
-- 999999; lpad alone would cut them short).
CREATE OR REPLACE FUNCTION meeting_reference() RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT 'MAM-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY') || '-' ||
         CASE WHEN length(n) < 6 THEN lpad(n, 6, '0') ELSE n END
    FROM (SELECT nextval('meeting_reference_seq')::text AS n) s
$$;

CREATE OR REPLACE FUNCTION child_json(c meeting_children) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'name', c.name,
    'external_ref', CASE WHEN c.external_system IS NULL THEN NULL
                    ELSE json_build_object('system', c.external_system, 'id', c.external_id) END,
    'nhs_number', c.nhs_number,
    'upn', c.upn,
    'date_of_birth', to_char(c.date_of_birth, 'YYYY-MM-DD'),
    'unborn', c.unborn,
    'relationship', c.relationship)
$$;

-- The family-notice decision in force: the newest, with its status.
CREATE OR REPLACE FUNCTION meeting_family_notice(meeting uuid) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (SELECT json_build_object('decision_id', d.id, 'decision', d.decision,
                                   'status', consent_status(d))
            FROM consent_decisions d
           WHERE d.meeting_id = meeting AND d.kind = 'family_notice'
           ORDER BY d.seq DESC LIMIT 1);
END
$$;

-- MTG-12: the next review date agreed in the approved minutes has passed
-- (by the request's date) and no review meeting was requested (one that
-- was cancelled or declined does not count): the review obligation
-- (meeting_obligations, 85_obligations.sql, the clock's one definition)
-- overdue. next_review_on only spares the look for the meetings without one.
CREATE OR REPLACE FUNCTION meeting_review_overdue(m meetings, today date) RETURNS boolean
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN m.next_review_on IS NOT NULL AND m.next_review_on < today
     AND EXISTS (SELECT 1 FROM meeting_obligations(m.id) o
                  WHERE o.clock = 'review' AND o.met_at IS NULL AND o.ended IS NULL
                    AND o.due < today);
END
$$;

-- A meeting as the API shows it. today is the request's date, which the
-- embedded actions' overdue flags are judged against. `decision` is the
-- current decision on the request (MTG-4), `decisions` every one made,
-- oldest first, with those a changed request superseded (MTG-11).
CREATE OR REPLACE FUNCTION meeting_json(m meetings, today date) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (SELECT json_build_object(
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
    'decisions', coalesce((SELECT json_agg(json_build_object(
                  'outcome', d.outcome,
                  'by', json_build_object('sub', d.by_sub, 'name', d.by_name),
                  'at', rfc3339(d.at),
                  'reason', d.reason,
                  'superseded_at', rfc3339(d.superseded_at),
                  'superseded_because', d.superseded_because,
                  'superseded_by', CASE WHEN d.superseded_by_sub IS NULL THEN NULL ELSE
                                     json_build_object('sub', d.superseded_by_sub,
                                                       'name', d.superseded_by_name) END)
                  ORDER BY d.seq)
                FROM meeting_decisions d WHERE d.meeting_id = m.id), '[]'::json),
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
                                             'agency', m.chair_agency, 'role', m.chair_role,
                                             'child_role', m.chair_child_role),
                  'minute_taker', json_build_object('sub', m.minute_taker_sub,
                                                    'name', m.minute_taker_name,
                                                    'agency', m.minute_taker_agency),
                  'two_part', m.two_part,
                  'scheduled_at', rfc3339(m.scheduled_at)) END,
    'family_notice', meeting_family_notice(m.id),
    'held_at', rfc3339(m.held_at),
    'previous_meeting_id', m.previous_meeting_id,
    'previous_open_actions', CASE WHEN m.previous_meeting_id IS NULL THEN '[]'::json ELSE
                  coalesce((SELECT json_agg(action_json(a, today) ORDER BY a.due_date, a.id)
                              FROM actions a
                             WHERE a.current_meeting_id = m.previous_meeting_id
                               AND a.status = 'open'), '[]'::json) END,
    'minutes', (SELECT json_build_object('number', v.number, 'status', v.status,
                                         'approved_at', rfc3339(v.approved_at))
                  FROM minutes v WHERE v.meeting_id = m.id ORDER BY v.number DESC LIMIT 1),
    'closed_at', rfc3339(m.closed_at),
    'next_review_on', to_char(m.next_review_on, 'YYYY-MM-DD'),
    'review_overdue', meeting_review_overdue(m, today),
    'version', m.version,
    'created_at', rfc3339(m.created_at),
    'updated_at', rfc3339(m.updated_at)));
END
$$;
