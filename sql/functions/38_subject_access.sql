-- SAR-1, SAR-2: subject access requests (sql/040_subject_access_requests.sql).

-- SAR-1: a request not answered by its due date (the extended one, when
-- extended) is overdue from the day after.
CREATE OR REPLACE FUNCTION subject_access_request_overdue(r subject_access_requests, today date)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT r.answered_on IS NULL AND coalesce(r.extended_due_on, r.due_on) < today
$$;

-- SAR-2: a consultation not answered by its deadline is overdue from the
-- day after.
CREATE OR REPLACE FUNCTION subject_access_consultation_overdue(c subject_access_consultations,
                                                               today date)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT c.answered_at IS NULL AND c.due_on < today
$$;

-- A request, as the dpo reads it; `today` (the request's date) says
-- whether it is overdue: not answered, and past its due date (the extended
-- one, when extended).
CREATE OR REPLACE FUNCTION subject_access_request_json(r subject_access_requests, today date)
RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', r.id,
    'subject', CASE WHEN r.child_system IS NOT NULL
                    THEN json_build_object('child_ref', r.child_system || ':' || r.child_ref_id)
                    ELSE json_strip_nulls(json_build_object('sub', r.subject_sub,
                                                            'name', r.subject_name)) END,
    'child_id', r.child_id,
    'requester', json_build_object('name', r.requester_name, 'relation', r.requester_relation),
    'received_on', to_char(r.received_on, 'YYYY-MM-DD'),
    'identity_verified_on', to_char(r.identity_verified_on, 'YYYY-MM-DD'),
    'first_due_on', to_char(r.due_on, 'YYYY-MM-DD'),
    'due_on', to_char(coalesce(r.extended_due_on, r.due_on), 'YYYY-MM-DD'),
    'overdue', subject_access_request_overdue(r, today),
    'extension', CASE WHEN r.extended_due_on IS NOT NULL THEN json_build_object(
                   'reason', r.extension_reason,
                   'requester_told_on', to_char(r.requester_told_on, 'YYYY-MM-DD'),
                   'due_on', to_char(r.extended_due_on, 'YYYY-MM-DD'),
                   'by', json_build_object('sub', r.extended_by_sub, 'name', r.extended_by_name),
                   'at', rfc3339(r.extended_at)) END,
    'gathered', CASE WHEN r.gathered_at IS NOT NULL THEN json_build_object(
                  'at', rfc3339(r.gathered_at),
                  'by', json_build_object('sub', r.gathered_by_sub, 'name', r.gathered_by_name),
                  'items', (SELECT count(*) FROM subject_access_items x
                             WHERE x.request_id = r.id),
                  'decided', (SELECT count(*) FROM subject_access_items x
                               WHERE x.request_id = r.id AND x.decision IS NOT NULL)) END,
    'answered', CASE WHEN r.answered_on IS NOT NULL THEN json_build_object(
                  'on', to_char(r.answered_on, 'YYYY-MM-DD'),
                  'late', r.answered_on > coalesce(r.extended_due_on, r.due_on),
                  'by', json_build_object('sub', r.answered_by_sub, 'name', r.answered_by_name))
                END,
    'consultations', (SELECT json_build_object(
                        'open', count(*) FILTER (WHERE c.answered_at IS NULL),
                        'overdue', count(*) FILTER (WHERE subject_access_consultation_overdue(c, today)),
                        'answered', count(*) FILTER (WHERE c.answered_at IS NOT NULL))
                        FROM subject_access_consultations c WHERE c.request_id = r.id),
    'registered_by', json_build_object('sub', r.registered_by_sub, 'name', r.registered_by_name),
    'created_at', rfc3339(r.created_at),
    'version', r.version)
$$;

-- A gathered item: its record and provenance, and the dpo's decision.
CREATE OR REPLACE FUNCTION subject_access_item_json(x subject_access_items) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'item_no', x.item_no,
    'kind', x.kind,
    'at', rfc3339(x.at),
    'source', json_build_object('type', x.source_type, 'id', x.source_id,
                                'version', x.source_version, 'path', x.source_path),
    'provenance', json_build_object('agency', x.agency, 'meeting_id', x.meeting_id,
                                    'third_parties', x.third_parties, 'withheld', x.withheld),
    'text', x.text,
    'decision', CASE WHEN x.decision IS NOT NULL THEN json_build_object(
                  'decision', x.decision, 'exemption', x.exemption, 'spans', x.spans,
                  'decided_by', json_build_object('sub', x.decided_by_sub,
                                                  'name', x.decided_by_name),
                  'decided_at', rfc3339(x.decided_at)) END)
$$;

-- The people a meeting names besides the subject child: the other children
-- (subjects or household, MTG-5) and the family members invited. The
-- professionals named act in their official capacity and are not listed.
CREATE OR REPLACE FUNCTION meeting_third_parties(meeting uuid, child uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT coalesce(jsonb_agg(p ORDER BY p->>'role', p->>'name'), '[]'::jsonb) FROM (
    SELECT jsonb_build_object('name', c.name, 'role', 'another_child') AS p
      FROM meeting_children c
     WHERE c.meeting_id = meeting AND c.child_id IS DISTINCT FROM child AND c.name IS NOT NULL
    UNION
    SELECT jsonb_build_object('name', i.invitee_name, 'role', 'family_member')
      FROM invitations i
     WHERE i.meeting_id = meeting AND i.category IN ('parent_carer', 'child_young_person')) t
$$;

-- FAM-2 and FAM-5: what the meeting's decisions kept from the family.
CREATE OR REPLACE FUNCTION meeting_withheld(meeting uuid, of_kind text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'rule', CASE d.kind WHEN 'family_notice' THEN 'FAM-2' ELSE 'FAM-5' END,
           'part', CASE d.kind WHEN 'family_notice' THEN 'notice of the meeting'
                               ELSE 'the minutes' END,
           'reason', coalesce(array_to_string(d.grounds, ', ') || ': ', '')
                     || coalesce(d.rationale, 'no rationale recorded'))
           ORDER BY d.seq), '[]'::jsonb)
    FROM consent_decisions d
   WHERE d.meeting_id = meeting AND d.kind = of_kind AND d.decision IN ('not_inform', 'withhold')
$$;

-- REN-1: the sections of a version of the minutes kept from someone.
CREATE OR REPLACE FUNCTION minutes_withheld_sections(content jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'rule', 'REN-1', 'part', 'sections[' || (s.n - 1) || ']',
           'reason', coalesce(s.x->>'withheld_reason', s.x->>'audience')) ORDER BY s.n),
         '[]'::jsonb)
    FROM jsonb_array_elements(CASE jsonb_typeof(content->'sections') WHEN 'array'
                                   THEN content->'sections' ELSE '[]'::jsonb END)
         WITH ORDINALITY s(x, n)
   WHERE s.x->>'audience' IS DISTINCT FROM 'everyone'
$$;

-- SAR-2: every record touching the subject, as items. A child: the
-- meetings about it (child_meetings, the chronology's own definition)
-- with their every version of the minutes, renditions, family-notice and
-- sharing decisions, invitations, actions and escalations; its agencies'
-- chronology entries; and the ledger's entries about it
-- (information_sharing_concerns). A person (by sub, else by name): the
-- invitations naming them, the actions they own, and the ledger's entries
-- disclosed to them by name. Read whole, whoever may see what: the dpo
-- answers for the controller.
CREATE OR REPLACE FUNCTION subject_access_records(child uuid, person_sub text, person_name text)
RETURNS TABLE (kind text, at timestamptz, source_type text, source_id text,
               source_version integer, source_path text, meeting_id uuid, agency text,
               third_parties jsonb, withheld jsonb, text text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH ms AS (SELECT m.* FROM meetings m WHERE child IS NOT NULL
                                          AND m.id IN (SELECT child_meetings(child))),
  invs AS (
    SELECT i.* FROM invitations i WHERE i.meeting_id IN (SELECT m.id FROM ms m)
    UNION
    SELECT i.* FROM invitations i
     WHERE (person_sub IS NOT NULL AND i.invitee_sub = person_sub)
        OR (person_sub IS NULL AND person_name IS NOT NULL
            AND lower(i.invitee_name) = lower(person_name))),
  acts AS (
    SELECT a.* FROM actions a WHERE a.meeting_id IN (SELECT m.id FROM ms m)
    UNION
    SELECT a.* FROM actions a
     WHERE (person_sub IS NOT NULL AND a.owner_sub = person_sub)
        OR (person_sub IS NULL AND person_name IS NOT NULL
            AND lower(a.owner_name) = lower(person_name)))
  SELECT 'meeting', m.created_at, 'meeting', m.id::text, m.version, '/v1/meetings/' || m.id,
         m.id, m.convening_agency, meeting_third_parties(m.id, child),
         meeting_withheld(m.id, 'family_notice'),
         format(E'%s meeting %s, requested by %s (%s).\nTitle: %s\nPurpose: %s\nRationale: %s%s%s',
                initcap(replace(m.type, '_', ' ')), m.reference, m.requester_name,
                m.convening_agency, m.title, m.purpose, m.rationale,
                E'\nStatus: ' || m.status,
                coalesce(E'\nDeclined: ' || m.decline_reason, '')
                || coalesce(E'\nCancelled: ' || m.cancel_reason, ''))
    FROM ms m
  UNION ALL
  SELECT 'minutes', coalesce(v.approved_at, v.updated_at), 'minutes', m.id::text, v.number,
         '/v1/meetings/' || m.id || '/minutes/versions/' || v.number, m.id,
         m.convening_agency, meeting_third_parties(m.id, child),
         meeting_withheld(m.id, 'minutes_sharing') || minutes_withheld_sections(v.content),
         format(E'Minutes of %s, version %s (%s).\n%s', m.reference, v.number, v.status,
                jsonb_pretty(v.content))
    FROM ms m JOIN minutes v ON v.meeting_id = m.id
  UNION ALL
  SELECT 'rendition', r.approved_at, 'rendition', r.id::text, r.version,
         '/v1/renditions/' || r.id, m.id, coalesce(r.agency, m.convening_agency),
         meeting_third_parties(m.id, child),
         coalesce((SELECT jsonb_agg(jsonb_build_object('rule', 'REN-1', 'part', w->>'part',
                                                       'reason', w->>'reason'))
                     FROM jsonb_array_elements(r.withheld) w), '[]'::jsonb),
         format(E'Minutes of %s, version %s, for %s.\n%s%s', m.reference, r.number,
                replace(r.audience, '_', ' '), jsonb_pretty(r.content),
                coalesce(E'\nWithheld: ' || r.withheld_summary, ''))
    FROM ms m JOIN minutes_renditions r ON r.meeting_id = m.id
  UNION ALL
  SELECT 'consent_decision', d.decided_at, 'consent_decision', d.id::text, d.version,
         '/v1/consent-decisions/' || d.id, m.id, d.decided_by_agency,
         meeting_third_parties(m.id, child), '[]'::jsonb,
         format(E'Decision on %s for %s: %s, by %s (%s).%s%s',
                replace(d.kind, '_', ' '), m.reference, replace(d.decision, '_', ' '),
                d.decided_by_name, d.decided_by_agency,
                coalesce(E'\nGrounds: ' || array_to_string(d.grounds, ', '), ''),
                coalesce(E'\nRationale: ' || d.rationale, ''))
    FROM ms m JOIN consent_decisions d ON d.meeting_id = m.id
  UNION ALL
  SELECT 'invitation', i.invited_at, 'invitation', i.id::text, i.version,
         '/v1/invitations/' || i.id, i.meeting_id, coalesce(i.agency, m.convening_agency),
         CASE WHEN i.category IN ('parent_carer', 'child_young_person')
                   AND NOT (person_sub IS NOT NULL AND i.invitee_sub = person_sub)
                   AND NOT (person_name IS NOT NULL
                            AND lower(i.invitee_name) = lower(person_name))
              THEN jsonb_build_array(jsonb_build_object('name', i.invitee_name,
                                                        'role', 'family_member'))
              ELSE '[]'::jsonb END,
         '[]'::jsonb,
         format(E'Invitation to %s: %s (%s%s) as %s, invited by %s.\nStatus: %s%s',
                m.reference, i.invitee_name, replace(i.category, '_', ' '),
                coalesce(', ' || i.agency, ''), coalesce(i.role, 'invitee'), i.invited_by_name,
                i.status, coalesce(E'\nResponse: ' || i.response_note, ''))
    FROM invs i JOIN meetings m ON m.id = i.meeting_id
  UNION ALL
  SELECT 'action', a.created_at, 'action', a.id::text, a.version, '/v1/actions/' || a.id,
         a.meeting_id, a.owner_agency, '[]'::jsonb, '[]'::jsonb,
         format(E'Action for %s (%s), due %s: %s\nContingency: %s\nStatus: %s%s',
                a.owner_name, a.owner_agency, to_char(a.due_date, 'YYYY-MM-DD'), a.description,
                a.contingency, a.status, coalesce(' (' || a.status_note || ')', ''))
    FROM acts a
  UNION ALL
  SELECT 'escalation', e.created_at, 'escalation', e.id::text, e.version,
         '/v1/escalations/' || e.id, m.id, e.raised_by_agency, '[]'::jsonb, '[]'::jsonb,
         format(E'Escalation about %s raised by %s (%s) with %s, stage %s, %s.\nConcern: %s\nOutcome sought: %s%s%s',
                m.reference, e.raised_by_name, e.raised_by_agency, e.with_agency, e.stage,
                e.status, e.concern, e.outcome_sought, coalesce(E'\nOutcome: ' || e.outcome, ''),
                coalesce((SELECT string_agg(E'\n' || ev.kind || ' by ' || ev.by_name || ': '
                                            || ev.text, '' ORDER BY ev.seq)
                            FROM escalation_events ev
                           WHERE ev.escalation_id = e.id AND ev.text IS NOT NULL), ''))
    FROM ms m JOIN escalations e ON e.meeting_id = m.id
  UNION ALL
  SELECT 'chronology_entry', x.occurred_on::timestamp AT TIME ZONE 'UTC', 'chronology_entry',
         x.id::text, x.version, '/v1/chronology-entries/' || x.id, NULL::uuid, x.agency,
         '[]'::jsonb, '[]'::jsonb,
         format(E'%s (%s, %s): %s\n%s', to_char(x.occurred_on, 'YYYY-MM-DD'), x.agency,
                x.basis, x.what_happened,
                coalesce('Action taken: ' || x.action_taken, 'No action: ' || x.why_no_action))
    FROM chronology_entries x WHERE child IS NOT NULL AND x.child_id = child
  UNION ALL
  SELECT 'information_sharing', x.shared_at, 'information_sharing', x.id::text, NULL::integer,
         NULL::text, x.meeting_id, x.from_agency,
         CASE WHEN x.to_category <> 'professional'
                   AND NOT (person_name IS NOT NULL AND lower(x.to_name) = lower(person_name))
              THEN jsonb_build_array(jsonb_build_object('name', x.to_name, 'role', 'recipient'))
              ELSE '[]'::jsonb END,
         '[]'::jsonb,
         format(E'%s by %s (%s) to %s%s: %s\nPurpose: %s%s', initcap(x.kind), x.decided_by_name,
                x.from_agency, x.to_name, coalesce(' (' || x.to_agency || ')', ''), x.what,
                x.purpose, coalesce(E'\nRefused because: ' || x.refusal_reason, ''))
    FROM information_sharing x
   WHERE (child IS NOT NULL AND information_sharing_concerns(x, child))
      OR (person_name IS NOT NULL AND lower(x.to_name) = lower(person_name));
END
$$;

-- SAR-2: snapshots the records touching the request's subject into its
-- items, numbered in the order they happened; the child is the one its
-- reference names now (none: nothing is held about it). Returns how many.
CREATE OR REPLACE FUNCTION subject_access_gather(request uuid, by_sub text, by_name text)
RETURNS integer
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  r subject_access_requests;
  child uuid;
  n integer;
BEGIN
  SELECT * INTO r FROM subject_access_requests x WHERE x.id = request FOR UPDATE;
  SELECT i.child_id INTO child FROM child_identifiers i
   WHERE i.system = r.child_system AND i.id = r.child_ref_id;
  INSERT INTO subject_access_items (request_id, item_no, kind, at, source_type, source_id,
    source_version, source_path, meeting_id, agency, third_parties, withheld, text)
  SELECT request, row_number() OVER (ORDER BY s.at NULLS FIRST, s.kind, s.source_id,
                                              s.source_version),
         s.kind, s.at, s.source_type, s.source_id, s.source_version, s.source_path,
         s.meeting_id, s.agency, s.third_parties, s.withheld, s.text
    FROM subject_access_records(child, r.subject_sub, r.subject_name) s;
  GET DIAGNOSTICS n = ROW_COUNT;
  UPDATE subject_access_requests x
     SET child_id = child, gathered_at = now(), gathered_by_sub = by_sub,
         gathered_by_name = by_name, version = x.version + 1
   WHERE x.id = request;
  RETURN n;
END
$$;

-- SAR-2: a consultation, as the dpo and the consulted agency's managers
-- read it: the question, the deadline, and the items it concerns (their
-- record as the agency's own: kind, when, source and text), with the
-- answer once given. Nothing of the requester (their name, their relation)
-- and nothing of other agencies' items; `today` (the request's date) says
-- whether it is overdue.
CREATE OR REPLACE FUNCTION subject_access_consultation_json(c subject_access_consultations,
                                                            today date)
RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', c.id,
    'agency', c.agency,
    'question', c.question,
    'working_days', c.working_days,
    'asked_on', to_char(c.asked_on, 'YYYY-MM-DD'),
    'due_on', to_char(c.due_on, 'YYYY-MM-DD'),
    'overdue', subject_access_consultation_overdue(c, today),
    'asked_by', json_build_object('sub', c.asked_by_sub, 'name', c.asked_by_name),
    'items', (SELECT coalesce(json_agg(json_build_object(
                'item_no', x.item_no, 'kind', x.kind, 'at', rfc3339(x.at),
                'source', json_build_object('type', x.source_type, 'id', x.source_id,
                                            'version', x.source_version, 'path', x.source_path),
                'text', x.text) ORDER BY x.item_no), '[]'::json)
                FROM subject_access_consultation_items ci
                JOIN subject_access_items x
                  ON x.request_id = ci.request_id AND x.item_no = ci.item_no
               WHERE ci.consultation_id = c.id),
    'answer', CASE WHEN c.answered_at IS NOT NULL THEN json_build_object(
                'recommendation', c.recommendation,
                'text', c.answer,
                'on', to_char(c.answered_on, 'YYYY-MM-DD'),
                'late', c.answered_on > c.due_on,
                'by', json_build_object('sub', c.answered_by_sub, 'name', c.answered_by_name),
                'at', rfc3339(c.answered_at)) END,
    'created_at', rfc3339(c.created_at),
    'version', c.version)
$$;
