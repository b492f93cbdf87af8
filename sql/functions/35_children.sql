-- CHR-1, INT-1: children as subjects, keyed by their identifiers
-- (sql/033_children.sql).

-- The identifiers a meeting's child gives, strongest first: the NHS
-- number, the UPN, then the external reference.
CREATE OR REPLACE FUNCTION child_keys(ext_system text, ext_id text, nhs text, upn text)
RETURNS TABLE (system text, id text, strength integer)
LANGUAGE sql IMMUTABLE AS $$
  SELECT 'nhs_number', nhs, 1 WHERE nhs IS NOT NULL
  UNION ALL SELECT 'upn', upn, 2 WHERE upn IS NOT NULL
  UNION ALL SELECT ext_system, ext_id, 3 WHERE ext_system IS NOT NULL AND ext_id IS NOT NULL
$$;

-- The child these identifiers name, made when none is known yet, and the
-- identifiers it did not have recorded for it. Where they name two
-- children already (a typing error, or two records of one child), the
-- strongest identifier decides and nothing is added: identifiers are never
-- moved from one child to another here, and the caller is told nothing of
-- a child it may not see (SEC-2). Two requests making the same new child at
-- once: the identifier each inserts last decides, and the loser links to
-- the winner's child.
CREATE OR REPLACE FUNCTION child_link(ext_system text, ext_id text, nhs text, upn text)
RETURNS uuid
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  known uuid[];
  child uuid;
BEGIN
  IF ext_system IS NULL AND nhs IS NULL AND upn IS NULL THEN
    RETURN NULL;
  END IF;
  known := ARRAY(SELECT i.child_id
                   FROM child_keys(ext_system, ext_id, nhs, upn) k
                   JOIN child_identifiers i ON i.system = k.system AND i.id = k.id
                  ORDER BY k.strength);
  IF cardinality(known) > 0 THEN
    child := known[1];
    IF EXISTS (SELECT 1 FROM unnest(known) x WHERE x <> child) THEN
      RETURN child;
    END IF;
  ELSE
    INSERT INTO children DEFAULT VALUES RETURNING id INTO child;
  END IF;
  INSERT INTO child_identifiers (system, id, child_id)
  SELECT k.system, k.id, child FROM child_keys(ext_system, ext_id, nhs, upn) k
  ON CONFLICT DO NOTHING;
  -- a concurrent request may have recorded the strongest identifier first
  RETURN (SELECT i.child_id
            FROM child_keys(ext_system, ext_id, nhs, upn) k
            JOIN child_identifiers i ON i.system = k.system AND i.id = k.id
           ORDER BY k.strength LIMIT 1);
END
$$;

-- The meetings about a child: those that name it as a subject. The one
-- definition the chronology (CHR-1) and a subject access request's
-- gathering (SAR-2) share.
CREATE OR REPLACE FUNCTION child_meetings(child uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE AS $$
  SELECT c.meeting_id FROM meeting_children c WHERE c.child_id = child
$$;

-- A child as a caller sees it: only what the meetings they may see say of
-- it (SEC-2): the identifiers, names and dates of birth given there, and
-- those meetings, oldest first.
CREATE OR REPLACE FUNCTION child_record_json(child uuid, principals text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
    WITH seen AS (
      SELECT c.*, m.reference, m.type, m.status, m.created_at AS requested_at
        FROM meeting_children c JOIN meetings m ON m.id = c.meeting_id
       WHERE c.child_id = child AND meeting_visible(c.meeting_id, principals))
    SELECT json_build_object(
      'id', child,
      'identifiers', coalesce((SELECT json_agg(json_build_object('system', k.system, 'id', k.id)
                                               ORDER BY k.strength, k.system, k.id)
                                 FROM (SELECT DISTINCT k.system, k.id, k.strength
                                         FROM seen s,
                                              child_keys(s.external_system, s.external_id,
                                                         s.nhs_number, s.upn) k) k), '[]'::json),
      'names', coalesce((SELECT json_agg(DISTINCT s.name) FROM seen s WHERE s.name IS NOT NULL),
                        '[]'::json),
      'dates_of_birth', coalesce((SELECT json_agg(DISTINCT to_char(s.date_of_birth, 'YYYY-MM-DD'))
                                    FROM seen s WHERE s.date_of_birth IS NOT NULL), '[]'::json),
      'meetings', coalesce((SELECT json_agg(json_build_object(
                                     'id', s.meeting_id, 'reference', s.reference,
                                     'type', s.type, 'status', s.status,
                                     'requested_at', rfc3339(s.requested_at))
                                   ORDER BY s.requested_at, s.meeting_id)
                              FROM seen s), '[]'::json),
      'version', (SELECT x.version FROM children x WHERE x.id = child)));
END
$$;

-- CHR-1: a child's chronology, derived from the records themselves (never
-- typed twice): each entry drawn from a record the caller may see, by the
-- one visibility of each kind of record (sql/functions/10_access.sql):
-- the meetings about the child (requested, decided, scheduled, held,
-- cancelled), their family-notice decisions and the agencies' agreements,
-- approved minutes (with their decisions), the actions they agreed and
-- what became of them, the distribution of the minutes, and the
-- escalations about those meetings (raised, moved up a stage, resolved,
-- withdrawn); and the agencies' own entries (CHR-2). Each entry says when, what kind, which agency, what
-- happened, what was done about it (or why nothing), why it matters, and
-- links its source: the resource, its id and its version (for minutes,
-- the version's number). entry_key orders entries of one moment and makes
-- the list's cursor.
CREATE OR REPLACE FUNCTION child_chronology(child uuid, principals text[], caller_agency text,
                                            caller_roles text[])
RETURNS TABLE (at timestamptz, entry_key text, kind text, agency text, summary text,
               action_taken text, significance text, source_type text, source_id text,
               source_version integer, source_path text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH ms AS (
    SELECT m.* FROM meetings m
     WHERE m.id IN (SELECT child_meetings(child))
       AND meeting_visible(m.id, principals)),
  entries AS (
    SELECT m.created_at AS at, 'meeting_requested' AS kind, m.convening_agency AS agency,
           format('%s meeting %s requested by %s: %s', initcap(replace(m.type, '_', ' ')),
                  m.reference, m.requester_name, m.title) AS summary,
           m.purpose AS action_taken, m.rationale AS significance,
           'meeting' AS source_type, m.id::text AS source_id, m.version AS source_version,
           '/v1/meetings/' || m.id AS source_path, 0::bigint AS seq
      FROM ms m
    UNION ALL
    SELECT d.at, 'meeting_' || d.outcome, m.convening_agency,
           format('Request for %s %s by %s', m.reference, d.outcome, d.by_name),
           CASE WHEN d.outcome = 'declined' THEN 'Not convened: ' || d.reason
                ELSE 'The meeting is to be scheduled' END,
           CASE WHEN d.superseded_at IS NOT NULL
                THEN 'Superseded: the request changed after this decision'
                WHEN d.outcome = 'declined' THEN 'The agencies did not meet on this request'
                ELSE 'The agencies are to meet about the child' END,
           'meeting', m.id::text, m.version, '/v1/meetings/' || m.id, d.seq
      FROM ms m JOIN meeting_decisions d ON d.meeting_id = m.id
    UNION ALL
    SELECT m.scheduled_at, 'meeting_scheduled', m.convening_agency,
           format('%s scheduled for %s (%s), chaired by %s', m.reference,
                  to_char(m.scheduled_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'),
                  replace(m.format, '_', ' '), m.chair_name),
           'Agencies invited', 'The agencies are to meet about the child',
           'meeting', m.id::text, m.version, '/v1/meetings/' || m.id, 0
      FROM ms m WHERE m.scheduled_at IS NOT NULL
    UNION ALL
    SELECT m.held_at, 'meeting_held', m.convening_agency,
           format('%s held', m.reference),
           'Minutes to be written and approved by the chair',
           'The agencies met about the child',
           'meeting', m.id::text, m.version, '/v1/meetings/' || m.id, 0
      FROM ms m WHERE m.held_at IS NOT NULL
    UNION ALL
    SELECT m.cancelled_at, 'meeting_cancelled', m.convening_agency,
           format('%s cancelled by %s', m.reference, m.cancelled_by_name),
           'Not held: ' || m.cancel_reason, 'The agencies did not meet as planned',
           'meeting', m.id::text, m.version, '/v1/meetings/' || m.id, 0
      FROM ms m WHERE m.cancelled_at IS NOT NULL
    UNION ALL
    SELECT d.decided_at,
           CASE d.kind WHEN 'family_notice' THEN 'family_notice_decided'
                       ELSE 'minutes_sharing_decided' END,
           d.decided_by_agency,
           CASE d.decision
             WHEN 'inform' THEN format('Decision to inform the family of %s, by %s', m.reference,
                                       d.decided_by_name)
             WHEN 'not_inform' THEN format('Decision not to inform the family of %s (%s), by %s',
                                           m.reference, array_to_string(d.grounds, ', '),
                                           d.decided_by_name)
             WHEN 'share' THEN format('Decision to share the minutes of %s with the family, by %s',
                                      m.reference, d.decided_by_name)
             ELSE format('Decision to withhold the minutes of %s from the family, by %s',
                         m.reference, d.decided_by_name) END,
           CASE d.decision
             WHEN 'inform' THEN 'The family is told of the meeting beforehand'
             WHEN 'share' THEN 'The family receives its copy of the minutes'
             ELSE coalesce(d.rationale, 'No rationale recorded') END,
           CASE d.decision
             WHEN 'inform' THEN 'The family knows agencies are meeting'
             WHEN 'not_inform' THEN 'The family is not told of the meeting; every invited agency must agree'
             WHEN 'share' THEN 'The family sees the outcome in writing'
             ELSE 'The family does not receive the minutes' END,
           'consent_decision', d.id::text, d.version, '/v1/consent-decisions/' || d.id, d.seq
      FROM ms m JOIN consent_decisions d ON d.meeting_id = m.id
     WHERE consent_decision_visible(d, principals)
    UNION ALL
    SELECT a.at, 'family_notice_agreement', a.agency,
           format('%s %s the decision not to inform the family of %s', a.by_name,
                  CASE WHEN a.agrees THEN 'agreed with' ELSE 'disagreed with' END, m.reference),
           coalesce(a.comment, 'No comment recorded'),
           CASE WHEN a.agrees THEN 'One agency fewer to agree' ELSE 'The decision is disputed' END,
           'consent_decision', d.id::text, d.version, '/v1/consent-decisions/' || d.id, d.seq
      FROM ms m JOIN consent_decisions d ON d.meeting_id = m.id
      JOIN consent_agreements a ON a.decision_id = d.id
     WHERE consent_decision_visible(d, principals)
    UNION ALL
    SELECT v.approved_at, 'minutes_approved', m.convening_agency,
           format('Minutes of %s, version %s, approved by %s', m.reference, v.number,
                  v.approved_by_name),
           coalesce(nullif(btrim(v.content->>'decisions'), ''), 'No decisions recorded'),
           CASE WHEN v.number > 1 THEN 'An amendment: ' || v.amendment_reason
                ELSE 'The agreed record of the meeting' END,
           'minutes', m.id::text, v.number,
           '/v1/meetings/' || m.id || '/minutes/versions/' || v.number, v.number
      FROM ms m JOIN minutes v ON v.meeting_id = m.id WHERE v.status = 'approved'
    UNION ALL
    SELECT md.sent_at, 'minutes_distributed', m.convening_agency,
           format('Minutes of %s, version %s, sent to %s (%s)', m.reference, md.number,
                  md.recipient_name, coalesce(md.recipient_agency, md.category)),
           'Sent by ' || md.recorded_by_name,
           CASE WHEN md.category = 'family' THEN 'The family received the record'
                ELSE 'An agency received the record' END,
           'minutes', m.id::text, md.number,
           '/v1/meetings/' || m.id || '/minutes/versions/' || md.number, md.number
      FROM ms m JOIN minutes_distribution md ON md.meeting_id = m.id
    UNION ALL
    SELECT a.created_at, 'action_agreed', a.owner_agency,
           format('Action for %s (%s), due %s: %s', a.owner_name, a.owner_agency,
                  to_char(a.due_date, 'YYYY-MM-DD'), a.description),
           'Contingency: ' || a.contingency,
           CASE WHEN a.kind = 'family_feedback' THEN 'The family is to be told the outcome'
                ELSE 'Part of the plan for the child' END,
           'action', a.id::text, a.version, '/v1/actions/' || a.id, 0
      FROM actions a WHERE a.meeting_id IN (SELECT m.id FROM ms m)
       AND action_visible(a, principals)
    UNION ALL
    SELECT a.closed_at, 'action_' || a.status, a.owner_agency,
           format('Action %s: %s', a.status, a.description), a.status_note,
           CASE WHEN a.status = 'completed' THEN 'Done as planned'
                ELSE 'Not done: the plan changed' END,
           'action', a.id::text, a.version, '/v1/actions/' || a.id, 1
      FROM actions a WHERE a.meeting_id IN (SELECT m.id FROM ms m)
       AND a.status <> 'open' AND a.closed_at IS NOT NULL
       AND action_visible(a, principals)
    UNION ALL
    SELECT ev.at, 'escalation_' || ev.kind, ev.by_agency,
           CASE ev.kind
             WHEN 'raised' THEN format('Escalation about %s raised by %s with %s (%s), stage %s',
                                       m.reference, ev.by_name, e.with_agency,
                                       replace(e.type, '_', ' '), ev.stage)
             WHEN 'escalated' THEN format('Escalation about %s moved to stage %s by %s',
                                          m.reference, ev.stage, ev.by_name)
             ELSE format('Escalation about %s %s by %s', m.reference, ev.kind, ev.by_name) END,
           coalesce(ev.text, CASE WHEN ev.kind = 'raised' THEN e.concern END, 'None recorded'),
           CASE ev.kind WHEN 'raised' THEN 'Agencies disagree: ' || e.outcome_sought
                        WHEN 'escalated' THEN 'The disagreement is not resolved at the stage below'
                        WHEN 'resolved' THEN 'The disagreement is settled'
                        ELSE 'The escalation was withdrawn' END,
           'escalation', e.id::text, e.version, '/v1/escalations/' || e.id, ev.seq
      FROM ms m JOIN escalations e ON e.meeting_id = m.id
      JOIN escalation_events ev ON ev.escalation_id = e.id AND ev.kind <> 'response'
     WHERE escalation_visible(e, principals, caller_agency, caller_roles)
    UNION ALL
    -- CHR-2: the agencies' own entries, at the date they happened
    SELECT x.occurred_on::timestamp AT TIME ZONE 'UTC', 'agency_entry', x.agency,
           x.what_happened,
           coalesce(x.action_taken, 'No action: ' || x.why_no_action),
           CASE x.basis WHEN 'fact' THEN 'A fact recorded by ' || x.author_name
                        ELSE 'The opinion of ' || x.author_name END,
           'chronology_entry', x.id::text, x.version, '/v1/chronology-entries/' || x.id, 0
      FROM chronology_entries x
     WHERE x.child_id = child AND chronology_entry_visible(x, principals))
  SELECT x.at, x.kind || ':' || x.source_id || ':' || x.seq, x.kind, x.agency, x.summary,
         x.action_taken, x.significance, x.source_type, x.source_id, x.source_version,
         x.source_path
    FROM entries x;
END
$$;

-- CHR-2: an agency's own entry, with every version, oldest first.
CREATE OR REPLACE FUNCTION chronology_entry_json(e chronology_entries) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN json_build_object(
    'id', e.id,
    'child_id', e.child_id,
    'agency', e.agency,
    'author', json_build_object('sub', e.author_sub, 'name', e.author_name),
    'occurred_on', to_char(e.occurred_on, 'YYYY-MM-DD'),
    'what_happened', e.what_happened,
    'action_taken', e.action_taken,
    'why_no_action', e.why_no_action,
    'basis', e.basis,
    'version', e.version,
    'created_at', rfc3339(e.created_at),
    'versions', (SELECT json_agg(json_build_object(
                   'version', v.version, 'occurred_on', to_char(v.occurred_on, 'YYYY-MM-DD'),
                   'what_happened', v.what_happened, 'action_taken', v.action_taken,
                   'why_no_action', v.why_no_action, 'basis', v.basis, 'reason', v.reason,
                   'by', json_build_object('sub', v.by_sub, 'name', v.by_name),
                   'at', rfc3339(v.at)) ORDER BY v.version)
                   FROM chronology_entry_versions v WHERE v.entry_id = e.id));
END
$$;
