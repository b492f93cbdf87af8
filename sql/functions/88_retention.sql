-- Retention (RET-1), holds (RET-2), disposal (RET-3) and the access report
-- (SEC-7). Tables: sql/041_retention.sql.

-- RET-3: whether this DELETE is the disposal's own: made while the
-- disposal function (retention_dispose, below) runs, as the table's owner
-- (a SECURITY DEFINER function), with mam.disposal set for its statements.
-- The runtime role owns no table, so setting the variable itself lets
-- nothing through.
CREATE OR REPLACE FUNCTION retention_disposing(rel oid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('mam.disposal', true), '') = 'on'
     AND EXISTS (SELECT 1 FROM pg_class c
                  WHERE c.oid = rel AND pg_get_userbyid(c.relowner) = current_user)
$$;

-- The guard of the content tables that are final once written (renditions
-- and their sending, the outcome letter and its recipients, the ledger):
-- nothing changes them, and only disposal deletes them.
CREATE OR REPLACE FUNCTION record_content_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND retention_disposing(TG_RELID) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'this record is final (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE FUNCTION retention_policy_json(p retention_policies) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'record_class', p.record_class, 'version', p.version, 'period_months', p.period_months,
    'period_hours', p.period_hours,
    'runs_from', p.runs_from, 'then', p.then_action,
    'effective_from', CASE WHEN p.effective_from = '-infinity' THEN NULL
                           ELSE rfc3339(p.effective_from) END,
    'changed_by', json_build_object('sub', p.changed_by_sub, 'agency', p.changed_by_agency),
    'reason', p.reason)
$$;

-- The version of a class's policy in effect: the latest recorded.
CREATE OR REPLACE FUNCTION retention_policy_current(of_class text) RETURNS retention_policies
LANGUAGE sql STABLE AS $$
  SELECT p FROM retention_policies p WHERE p.record_class = of_class
   ORDER BY p.version DESC LIMIT 1
$$;

CREATE OR REPLACE FUNCTION case_closure_json(x child_case_closures) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', x.id, 'child_id', x.child_id, 'closed_on', to_char(x.closed_on, 'YYYY-MM-DD'),
    'reported_by', json_build_object('sub', x.reported_by_sub, 'agency', x.reported_by_agency),
    'reported_at', rfc3339(x.reported_at), 'version', x.version)
$$;

-- RET-2: a hold is in effect on a day until it is released or its end day
-- has passed.
CREATE OR REPLACE FUNCTION retention_hold_in_effect(h retention_holds, on_day date) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT h.released_at IS NULL AND (h.ends_on IS NULL OR h.ends_on >= on_day)
$$;

CREATE OR REPLACE FUNCTION retention_hold_json(h retention_holds) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', h.id, 'scope', h.scope, 'child_id', h.child_id, 'meeting_id', h.meeting_id,
    'record_class', h.record_class, 'kind', h.kind, 'reason', h.reason,
    'ends_on', to_char(h.ends_on, 'YYYY-MM-DD'),
    'placed_by', json_build_object('sub', h.placed_by_sub, 'agency', h.placed_by_agency),
    'placed_at', rfc3339(h.placed_at),
    'release', CASE WHEN h.released_at IS NULL THEN NULL ELSE json_build_object(
                 'by', json_build_object('sub', h.released_by_sub, 'agency', h.released_by_agency),
                 'at', rfc3339(h.released_at), 'reason', h.release_reason) END,
    'version', h.version)
$$;

-- RET-3: what stops a meeting record's disposal that is not a hold: later
-- records that point at it (a review meeting naming it as its previous
-- meeting, an escalation about its declined request). Those are disposed
-- of first. (Actions of an earlier meeting tracked at this one go back to
-- their own meeting when this one goes.)
CREATE OR REPLACE FUNCTION meeting_record_dependants(meeting uuid) RETURNS uuid[]
LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT m.id FROM meetings m WHERE m.previous_meeting_id = meeting
               UNION SELECT e.meeting_id FROM escalations e
                      WHERE e.declined_request_id = meeting AND e.meeting_id <> meeting)
$$;

-- RET-1: the records of each class and their retention on a day under a
-- policy, as retention_record rows (sql/044_retention_class_registry.sql):
-- one function per class, retention_records_<class>(on_day, policy), a
-- single SELECT so that the planner inlines it and a filter on record_id
-- reaches the class's key. retention_records() below picks the class's by
-- name; sql/044 lists the classes.
--
-- A meeting record: the day its period starts (NULL while its start event
-- has not happened: a record is kept while the meeting is open, and
-- `case_closed` and `date_of_birth` need every subject child's closure or
-- date of birth), the day it is due, the holds in effect on it (RET-2: on
-- the class, the meeting or one of its children), the disposal decided or
-- proposed for it and the later records that point at it.
CREATE OR REPLACE FUNCTION retention_records_meeting_record(on_day date, p retention_policies)
RETURNS SETOF retention_record
LANGUAGE sql STABLE AS $$
  SELECT 'meeting_record'::text, m.id, m.id, m.reference, k.child_ids, meeting_agencies(m.id),
         (p).version, (p).runs_from, (p).then_action, s.starts_on,
         (s.starts_on + make_interval(months => (p).period_months))::date,
         ARRAY(SELECT h.id FROM retention_holds h
                WHERE retention_hold_in_effect(h, on_day)
                  AND (h.record_class = 'meeting_record' OR h.meeting_id = m.id
                       OR h.child_id = ANY (k.child_ids)
                       -- the record's disposal takes its parts with it: a hold on
                       -- their class holds it too, while it has any (RET-2)
                       OR (h.record_class = 'consent_decision'
                           AND EXISTS (SELECT 1 FROM consent_decisions x WHERE x.meeting_id = m.id))
                       OR (h.record_class = 'escalation'
                           AND EXISTS (SELECT 1 FROM escalations x WHERE x.meeting_id = m.id))
                       OR (h.record_class = 'draft_minutes'
                           AND EXISTS (SELECT 1 FROM minutes x
                                        WHERE x.meeting_id = m.id AND x.status = 'draft')))
                ORDER BY h.seq),
         (SELECT d.id FROM disposals d
           WHERE d.record_class = 'meeting_record' AND d.record_id = m.id),
         cardinality(meeting_record_dependants(m.id))
    FROM meetings m
    CROSS JOIN LATERAL (
      SELECT coalesce(array_agg(c.child_id ORDER BY c.position)
                        FILTER (WHERE c.child_id IS NOT NULL), '{}') AS child_ids,
             count(*) AS n, count(c.child_id) AS n_linked,
             count(c.date_of_birth) FILTER (WHERE NOT c.unborn) AS n_born,
             max(c.date_of_birth) AS youngest_born
        FROM meeting_children c WHERE c.meeting_id = m.id AND c.is_subject) k
    CROSS JOIN LATERAL (
      SELECT CASE
        WHEN m.status NOT IN ('closed', 'cancelled', 'declined') THEN NULL
        WHEN (p).runs_from = 'meeting_closed' THEN
          (CASE m.status WHEN 'closed' THEN m.closed_at WHEN 'cancelled' THEN m.cancelled_at
                         ELSE m.decided_at END AT TIME ZONE 'UTC')::date
        WHEN (p).runs_from = 'date_of_birth' THEN
          CASE WHEN k.n > 0 AND k.n_born = k.n THEN k.youngest_born END
        ELSE  -- case_closed: the last of the subject children's cases to close
          CASE WHEN k.n > 0 AND k.n_linked = k.n THEN
            (SELECT CASE WHEN count(l.closed_on) = count(*) THEN max(l.closed_on) END
               FROM unnest(k.child_ids) AS cid
               LEFT JOIN LATERAL (SELECT x.closed_on FROM child_case_closures x
                                   WHERE x.child_id = cid ORDER BY x.seq DESC LIMIT 1) l ON true)
          END
      END AS starts_on) s
$$;

-- A subject access case: its period starts the day the request was
-- answered (NULL while unanswered); held by a hold on its record class or
-- on the child the request is about. It concerns no agency's feed (its
-- existence is itself sensitive) and nothing points at it.
CREATE OR REPLACE FUNCTION retention_records_subject_access_case(on_day date,
                                                                 p retention_policies)
RETURNS SETOF retention_record
LANGUAGE sql STABLE AS $$
  SELECT 'subject_access_case'::text, r.id, NULL::uuid, NULL::text,
         CASE WHEN r.child_id IS NULL THEN '{}'::uuid[] ELSE ARRAY[r.child_id] END,
         '{}'::text[], (p).version, (p).runs_from, (p).then_action, r.answered_on,
         (r.answered_on + make_interval(months => (p).period_months))::date,
         ARRAY(SELECT h.id FROM retention_holds h
                WHERE retention_hold_in_effect(h, on_day)
                  AND (h.record_class = 'subject_access_case' OR h.child_id = r.child_id)
                ORDER BY h.seq),
         (SELECT d.id FROM disposals d
           WHERE d.record_class = 'subject_access_case' AND d.record_id = r.id),
         0
    FROM subject_access_requests r
$$;

-- The records of a class (one, when record is given; only those due by
-- due_by, when it is given) under the policy in effect. The class names its
-- function, retention_records_<class>; the query is planned with the values
-- in it, so the function is inlined: a single record is read by its key,
-- and the due filter is applied before the holds, the decision and the
-- dependants are looked up, for due records only.
DROP FUNCTION IF EXISTS retention_records(text, date, uuid);
CREATE OR REPLACE FUNCTION retention_records(of_class text, on_day date, record uuid,
                                             due_by date)
RETURNS SETOF retention_record
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM retention_record_classes c WHERE c.record_class = of_class) THEN
    RAISE EXCEPTION 'no record class %', of_class USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY EXECUTE format(
    'SELECT * FROM %I($1, retention_policy_current($2)) r'
    ' WHERE ($3::uuid IS NULL OR r.record_id = $3) AND ($4::date IS NULL OR r.due_on <= $4)',
    'retention_records_' || of_class) USING on_day, of_class, record, due_by;
END
$$;

-- A record's retention as the due list shows it: ids and dates, no content.
CREATE OR REPLACE FUNCTION record_due_json(r retention_record) RETURNS json
LANGUAGE sql IMMUTABLE AS $$
  SELECT json_build_object(
    'record_class', r.record_class, 'record_id', r.record_id, 'meeting_id', r.meeting_id,
    'reference', r.reference,
    'child_ids', to_json(r.child_ids), 'policy_version', r.policy_version,
    'runs_from', r.runs_from, 'then', r.then_action,
    'starts_on', to_char(r.starts_on, 'YYYY-MM-DD'),
    'due_on', to_char(r.due_on, 'YYYY-MM-DD'), 'held', cardinality(r.hold_ids) > 0,
    'hold_ids', to_json(r.hold_ids), 'disposal_id', r.disposal_id)
$$;

-- RET-1: every record due on a day, of every class disposed of by a
-- decision, as the due list shows it, with its key for the list's order.
-- (A class the service disposes of itself, disposed_by 'service' in the
-- registry, is never listed: nobody decides on its records.)
CREATE OR REPLACE FUNCTION records_due(on_day date)
RETURNS TABLE (item json, due_on date, record_id uuid)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  c text;
BEGIN
  FOR c IN SELECT x.record_class FROM retention_record_classes x
            WHERE x.disposed_by = 'decision' ORDER BY x.record_class LOOP
    RETURN QUERY SELECT record_due_json(r), r.due_on, r.record_id
                   FROM retention_records(c, on_day, NULL, on_day) r;
  END LOOP;
END
$$;

-- RET-3: locks the record's row, when it is one (the class's row_table),
-- so that a decision on it and a change of it cannot pass each other.
CREATE OR REPLACE FUNCTION retention_record_lock(of_class text, record uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t text;
BEGIN
  SELECT c.row_table INTO t FROM retention_record_classes c WHERE c.record_class = of_class;
  IF t IS NOT NULL THEN
    EXECUTE format('SELECT 1 FROM %I WHERE id = $1 FOR UPDATE', t) USING record;
  END IF;
END
$$;

-- RET-1: the daily job. Announces each record due by on_day that has not
-- been announced under the policy version in effect, as record.due to the
-- agencies of the meeting (ids only), records the notice and the day's run,
-- and returns the ids announced.
CREATE OR REPLACE FUNCTION retention_notice_due(on_day date) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  ids text[];
BEGIN
  WITH fresh AS (
    INSERT INTO retention_notices (meeting_id, policy_version, due_on, noticed_on)
    SELECT r.meeting_id, r.policy_version, r.due_on, on_day
      FROM retention_records('meeting_record', on_day, NULL, on_day) r
    ON CONFLICT DO NOTHING
    RETURNING meeting_id, gen_random_uuid() AS event_id),
  announced AS (
    INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)
    SELECT f.event_id, a.code, 'record.due', 'meeting', f.meeting_id::text, NULL
      FROM fresh f, LATERAL (SELECT DISTINCT unnest(meeting_agencies(f.meeting_id)) AS code) a)
  SELECT coalesce(array_agg(f.meeting_id::text ORDER BY f.meeting_id), '{}') INTO ids FROM fresh f;
  INSERT INTO retention_runs (run_on, noticed) VALUES (on_day, cardinality(ids))
  ON CONFLICT (run_on) DO UPDATE SET noticed = retention_runs.noticed + EXCLUDED.noticed,
                                     ran_at = now();
  RETURN ids;
END
$$;

CREATE OR REPLACE FUNCTION disposal_json(d disposals) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', d.id, 'record_class', d.record_class, 'record_id', d.record_id,
    'meeting_id', d.meeting_id,
    'reference', d.meeting_reference, 'child_ids', to_json(d.child_ids),
    'policy_version', d.policy_version, 'due_on', to_char(d.due_on, 'YYYY-MM-DD'),
    'action', d.action, 'status', d.status,
    'minutes_number', d.minutes_number,
    'proposed_by', json_build_object('sub', d.proposed_by_sub, 'name', d.proposed_by_name,
                                     'agency', d.proposed_by_agency, 'as', d.proposed_as),
    'proposed_at', rfc3339(d.proposed_at),
    'approved_by', CASE WHEN d.approved_by_sub IS NULL THEN NULL ELSE json_build_object(
                     'sub', d.approved_by_sub, 'name', d.approved_by_name,
                     'agency', d.approved_by_agency) END,
    'approved_at', rfc3339(d.approved_at), 'version', d.version)
$$;

-- RET-3: a subject access case's content: the request, its gathered items,
-- its consultations and their item links, and the Idempotency-Key answers
-- that show it.
CREATE OR REPLACE FUNCTION retention_dispose_subject_access_case(d disposals) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  -- the request, its gathered items, its consultations and their item links
  DELETE FROM subject_access_consultation_items x WHERE x.request_id = d.record_id;
  DELETE FROM subject_access_consultations x WHERE x.request_id = d.record_id;
  DELETE FROM subject_access_items x WHERE x.request_id = d.record_id;
  DELETE FROM idempotency_keys x
   WHERE strpos(coalesce(x.body, '') || coalesce(x.location, ''), d.record_id::text) > 0;
  DELETE FROM subject_access_requests x WHERE x.id = d.record_id;
END
$$;

-- RET-3: a meeting record's content: the meeting and its children,
-- invitations with their history and papers, decisions, family-notice
-- decisions and agreements, minutes in every version, their distribution,
-- renditions and sending, inaccuracies, the outcome letter, actions with
-- their history, escalations with their events, the ledger's entries,
-- obligations, and remembered Idempotency-Key answers that show any of it.
CREATE OR REPLACE FUNCTION retention_dispose_meeting_record(d disposals) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  meeting uuid;
BEGIN
  meeting := d.meeting_id;
  -- the obligations are removed at the end, not derived again row by row
  PERFORM set_config('mam.obligations_done',
                     coalesce(current_setting('mam.obligations_done', true), '')
                     || meeting::text || ',', true);
  DELETE FROM information_sharing x WHERE x.meeting_id = meeting;
  DELETE FROM outcome_letter_recipients x WHERE x.meeting_id = meeting;
  DELETE FROM outcome_letters x WHERE x.meeting_id = meeting;
  DELETE FROM minutes_inaccuracies x WHERE x.meeting_id = meeting;
  DELETE FROM rendition_shares x
   USING minutes_renditions r WHERE r.id = x.rendition_id AND r.meeting_id = meeting;
  DELETE FROM minutes_distribution x WHERE x.meeting_id = meeting;
  DELETE FROM minutes_renditions x WHERE x.meeting_id = meeting;
  DELETE FROM minutes x WHERE x.meeting_id = meeting;
  DELETE FROM escalation_events x
   USING escalations e WHERE e.id = x.escalation_id AND e.meeting_id = meeting;
  DELETE FROM escalations x WHERE x.meeting_id = meeting;
  UPDATE actions x SET current_meeting_id = x.meeting_id
   WHERE x.current_meeting_id = meeting AND x.meeting_id <> meeting;
  DELETE FROM action_history x
   USING actions a WHERE a.id = x.action_id AND a.meeting_id = meeting;
  DELETE FROM action_history x WHERE x.meeting_id = meeting;
  DELETE FROM actions x WHERE x.meeting_id = meeting;
  DELETE FROM consent_decisions x WHERE x.meeting_id = meeting;  -- agreements cascade
  DELETE FROM invitations x WHERE x.meeting_id = meeting;  -- history and papers cascade
  DELETE FROM meeting_decisions x WHERE x.meeting_id = meeting;
  DELETE FROM obligations x WHERE x.meeting_id = meeting;
  DELETE FROM idempotency_keys x
   WHERE strpos(coalesce(x.body, '') || coalesce(x.location, ''), meeting::text) > 0;
  DELETE FROM meetings x WHERE x.id = meeting;  -- children and access rows cascade
  -- proposals still open on parts of the record (a draft of its minutes, a
  -- consent decision, an escalation) have nothing left to decide: the
  -- meeting's tombstone covers them, and the audit trail keeps the proposal
  DELETE FROM disposals x
   WHERE x.meeting_id = meeting AND x.record_class <> 'meeting_record' AND x.status = 'proposed';
END
$$;

-- RET-3: carries out an approved disposal: the record's class deletes its
-- content (retention_dispose_<class>, above), and the decision is marked
-- disposed, in the caller's transaction. The audit trail and the feed (ids
-- only) stay: they are their own class. Refuses unless the decision is
-- open and the approver is not its proposer, so that nothing but a
-- two-person decision deletes. SECURITY DEFINER: it runs as the tables'
-- owner, which is what lets the guards pass it (retention_disposing).
-- Its search_path names pg_temp last: a temporary table of the caller's
-- (disposals, minutes_renditions, ...) must never stand in for the real one.
-- False, changing nothing, when the decision was carried out meanwhile (the
-- runtime role may not lock disposals itself: it may not update them).
CREATE OR REPLACE FUNCTION retention_dispose(disposal uuid, approver_sub text,
                                             approver_name text, approver_agency text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  d disposals;
BEGIN
  SELECT * INTO d FROM disposals x WHERE x.id = disposal FOR UPDATE;
  IF NOT FOUND OR d.proposed_by_sub = approver_sub THEN
    RAISE EXCEPTION 'a disposal is carried out on a proposal, approved by a second person'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF d.status <> 'proposed' THEN
    RETURN false;
  END IF;
  PERFORM set_config('mam.disposal', 'on', true);
  -- the class's own function deletes the content (retention_dispose_<class>)
  -- or anonymises it (retention_anonymise_<class>, for a class that allows it)
  EXECUTE format('SELECT %I($1)', CASE d.action WHEN 'anonymise' THEN 'retention_anonymise_'
                                                ELSE 'retention_dispose_' END || d.record_class)
    USING d;
  PERFORM set_config('mam.disposal', '', true);
  UPDATE disposals x SET status = 'disposed', approved_by_sub = approver_sub,
         approved_by_name = approver_name, approved_by_agency = approver_agency,
         approved_at = now(), version = x.version + 1
   WHERE x.id = disposal;
  RETURN true;
END
$$;
-- only the service's runtime role may call it (granted in 90_runtime_grants.sql)
REVOKE ALL ON FUNCTION retention_dispose(uuid, text, text, text) FROM PUBLIC;
-- the classes' own run only inside it, as the tables' owner
REVOKE ALL ON FUNCTION retention_dispose_meeting_record(disposals) FROM PUBLIC;
REVOKE ALL ON FUNCTION retention_dispose_subject_access_case(disposals) FROM PUBLIC;

-- SEC-7: the ids of everything in a child's record that the audit trail
-- names: the child, its meetings and what is under them (invitations,
-- family-notice decisions, actions, escalations, renditions, inaccuracies,
-- the outcome letter and minutes, which are named by the meeting's id),
-- its agencies' chronology entries and the ledger's entries about it.
-- principals NULL (the dpo): every meeting of the child; else only the
-- meetings those principals may see (SEC-2: a convening manager learns
-- nothing, not even an id, of the child's other agencies' meetings), with
-- the entries about the child alone, whom they may see.
DROP FUNCTION IF EXISTS child_record_ids(uuid);
CREATE OR REPLACE FUNCTION child_record_ids(child uuid, principals text[]) RETURNS text[]
LANGUAGE sql STABLE AS $$
  WITH ms AS (SELECT DISTINCT c.meeting_id AS id FROM meeting_children c
               WHERE c.child_id = child
                 AND (principals IS NULL OR meeting_visible(c.meeting_id, principals)))
  SELECT ARRAY(
    SELECT child::text
    UNION SELECT ms.id::text FROM ms
    UNION SELECT i.id::text FROM invitations i JOIN ms ON ms.id = i.meeting_id
    UNION SELECT d.id::text FROM consent_decisions d JOIN ms ON ms.id = d.meeting_id
    UNION SELECT a.id::text FROM actions a JOIN ms ON ms.id = a.meeting_id
    UNION SELECT e.id::text FROM escalations e JOIN ms ON ms.id = e.meeting_id
    UNION SELECT r.id::text FROM minutes_renditions r JOIN ms ON ms.id = r.meeting_id
    UNION SELECT x.id::text FROM minutes_inaccuracies x JOIN ms ON ms.id = x.meeting_id
    UNION SELECT x.id::text FROM chronology_entries x WHERE x.child_id = child
    UNION SELECT x.id::text FROM information_sharing x
           WHERE (x.child_id = child AND x.meeting_id IS NULL)
              OR x.meeting_id IN (SELECT id FROM ms))
$$;

-- SEC-7: who may read a child's access report besides the dpo: a manager
-- of the convening agency of one of the child's meetings.
CREATE OR REPLACE FUNCTION child_access_report_allowed(child uuid, agency text, is_manager boolean)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT is_manager AND EXISTS (SELECT 1 FROM meeting_children c JOIN meetings m ON m.id = c.meeting_id
                                 WHERE c.child_id = child AND m.convening_agency = agency)
$$;

-- RET-3, SEC-2: who reaches a disposal decision on a record of a class:
-- the dpo and admins every one; a senior manager a meeting record on a
-- meeting they may see, and never a subject access case (its existence is
-- the dpo's to know).
-- A consent decision, an escalation or a draft of minutes: when they may
-- see its meeting (the tombstone's once the record is gone).
CREATE OR REPLACE FUNCTION disposal_record_reachable(of_class text, record uuid, roles text[],
                                                     principals text[])
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT roles && ARRAY['dpo', 'admin']
      OR (of_class = 'meeting_record' AND meeting_visible(record, principals))
      -- a part of a meeting's record: its meeting's, or once it is gone its
      -- tombstone's; an escalation only by a manager of an agency party to it
      -- (SEC-2: its own visibility never reaches the meeting's other agencies)
      OR (of_class IN ('consent_decision', 'escalation', 'draft_minutes')
          AND coalesce((SELECT meeting_visible(x.meeting_id, principals)
                               AND (of_class <> 'escalation'
                                    OR EXISTS (SELECT 1 FROM unnest(x.agencies) a
                                                WHERE principal_managers(a) = ANY (principals)))
                          FROM (SELECT 1 AS o, d.meeting_id, d.agencies FROM disposals d
                                 WHERE d.record_class = of_class AND d.record_id = record
                                UNION ALL
                                SELECT 2, r.meeting_id, r.agencies
                                  FROM retention_records(of_class, NULL, record, NULL) r
                                 ORDER BY 1 LIMIT 1) x), false))
$$;
