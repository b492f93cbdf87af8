-- SEC-2: who may see a meeting and everything under it, defined here once.
--
-- A meeting is visible to its requester, chair and minute taker, every
-- current invitee, and the managers (manager, senior_manager) of the
-- convening agency; a stop and review's request also to the convening
-- agency's designated safeguarding leads while it awaits a decision, which
-- they may make (MTG-4); and whoever decided the request. meeting_access
-- holds that as rows, one per principal and meeting, kept exact by the
-- triggers below in the same transaction as any change to a meeting or its
-- invitations. A principal is a person ('p:' and their subject id), the
-- managers of an agency ('m:' and its code) or its safeguarding leads ('l:'
-- and its code); a caller acts as their own person and, when they are a
-- manager or a safeguarding lead, as their agency's. Every read, list,
-- report and feed of the service asks these functions, never the tables
-- behind them.
--
-- INT-4: an agency's integration ('i:' and its code) sees every meeting its
-- feed has announced anything about (an event about the meeting or about
-- something under it: an invitation, a decision, the minutes, an action),
-- from that event on, and everything under it as an invitee would. Its
-- rows are added by a trigger on events (integration_access_on_events,
-- 80_integrations.sql) in the transaction that announces, and are kept
-- when the meeting's other rows are recomputed. A caller with the
-- integration role acts as its agency's integration principal: the store
-- says so for the transaction (mam.integration, store_begin), so that every
-- statement's caller_principals(sub, agency, is_manager, is_lead) includes it.

CREATE OR REPLACE FUNCTION principal_person(sub text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 'p:' || sub $$;

CREATE OR REPLACE FUNCTION principal_managers(agency text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 'm:' || agency $$;

CREATE OR REPLACE FUNCTION principal_leads(agency text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 'l:' || agency $$;

CREATE OR REPLACE FUNCTION principal_integration(agency text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 'i:' || agency $$;

-- The principals a caller acts as. STABLE: it reads whether the
-- transaction's caller is an integration (set by the store, transaction-local).
CREATE OR REPLACE FUNCTION caller_principals(sub text, agency text, is_manager boolean,
                                             is_lead boolean, is_integration boolean)
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT ARRAY[principal_person(sub)]
         || CASE WHEN is_manager THEN ARRAY[principal_managers(agency)] ELSE '{}'::text[] END
         || CASE WHEN is_lead THEN ARRAY[principal_leads(agency)] ELSE '{}'::text[] END
         || CASE WHEN is_integration THEN ARRAY[principal_integration(agency)]
                 ELSE '{}'::text[] END
$$;

-- The same, the integration principal as the transaction set it
-- (store_begin: a statement in a transaction). A read made of one
-- statement, outside any transaction (store_read_audited), names it with
-- the five-argument form instead.
CREATE OR REPLACE FUNCTION caller_principals(sub text, agency text, is_manager boolean,
                                             is_lead boolean)
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT caller_principals(sub, agency, is_manager, is_lead,
                           coalesce(current_setting('mam.integration', true) = 'on', false))
$$;

-- The principals who may see a meeting.
CREATE OR REPLACE FUNCTION meeting_principals(meeting uuid) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
  SELECT principal_person(m.requester_sub) FROM meetings m WHERE m.id = meeting
  UNION SELECT principal_managers(m.convening_agency) FROM meetings m WHERE m.id = meeting
  UNION SELECT principal_person(m.chair_sub) FROM meetings m
         WHERE m.id = meeting AND m.chair_sub IS NOT NULL
  UNION SELECT principal_person(m.minute_taker_sub) FROM meetings m
         WHERE m.id = meeting AND m.minute_taker_sub IS NOT NULL
  UNION SELECT principal_person(i.invitee_sub) FROM invitations i
         WHERE i.meeting_id = meeting AND i.invitee_sub IS NOT NULL
  -- MTG-4: a stop and review awaiting its decision, to the convening
  -- agency's safeguarding leads, who may make it
  UNION SELECT principal_leads(m.convening_agency) FROM meetings m
         WHERE m.id = meeting AND m.type = 'stop_and_review' AND m.status = 'requested'
  -- whoever decided the request keeps sight of what they decided
  UNION SELECT principal_person(m.decided_by_sub) FROM meetings m
         WHERE m.id = meeting AND m.decided_by_sub IS NOT NULL
$$;

-- The integration rows (INT-4) stay: what a feed announced stays told;
-- they only follow the meeting's status.
CREATE OR REPLACE FUNCTION meeting_access_refresh(meeting uuid) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM meeting_access WHERE meeting_id = meeting AND principal NOT LIKE 'i:%';
  UPDATE meeting_access a SET status = m.status FROM meetings m
   WHERE m.id = meeting AND a.meeting_id = meeting AND a.principal LIKE 'i:%'
     AND a.status <> m.status;
  INSERT INTO meeting_access (principal, meeting_id, created_at, status)
  SELECT p.principal, m.id, m.created_at, m.status
    FROM meetings m, meeting_principals(m.id) AS p(principal)
   WHERE m.id = meeting;
$$;

-- Trigger bodies: a change to who is on a meeting, or to its status (which
-- the rows copy for lists by status), recomputes its rows.
CREATE OR REPLACE FUNCTION meeting_access_on_meeting() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT'
     OR NEW.status IS DISTINCT FROM OLD.status
     OR NEW.requester_sub IS DISTINCT FROM OLD.requester_sub
     OR NEW.convening_agency IS DISTINCT FROM OLD.convening_agency
     OR NEW.type IS DISTINCT FROM OLD.type
     OR NEW.decided_by_sub IS DISTINCT FROM OLD.decided_by_sub
     OR NEW.chair_sub IS DISTINCT FROM OLD.chair_sub
     OR NEW.minute_taker_sub IS DISTINCT FROM OLD.minute_taker_sub THEN
    PERFORM meeting_access_refresh(NEW.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION meeting_access_on_invitation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM meeting_access_refresh(OLD.meeting_id);
  ELSIF TG_OP = 'INSERT' OR NEW.invitee_sub IS DISTINCT FROM OLD.invitee_sub THEN
    PERFORM meeting_access_refresh(NEW.meeting_id);
  END IF;
  RETURN NULL;
END
$$;

-- May a caller (their principals) see this meeting?
CREATE OR REPLACE FUNCTION meeting_visible(meeting uuid, principals text[]) RETURNS boolean
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN EXISTS (SELECT 1 FROM meeting_access a
                  WHERE a.meeting_id = meeting AND a.principal = ANY (principals));
END
$$;

-- The access rows of the meetings a caller can see (a meeting may appear
-- once per principal). Inlined by the planner, so a report's filters on
-- status reach the index.
CREATE OR REPLACE FUNCTION visible_meetings(principals text[])
RETURNS TABLE (meeting_id uuid, status text, created_at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT a.meeting_id, a.status, a.created_at FROM meeting_access a
   WHERE a.principal = ANY (principals)
$$;

-- One page of the meetings a caller can see, newest first, optionally of
-- one status, after (after_at, after_id): one index range per principal,
-- each cut at the page size, so a page costs what it shows however many
-- meetings the caller can see.
CREATE OR REPLACE FUNCTION visible_meetings_page(principals text[], of_status text,
                                                 after_at timestamptz, after_id uuid, size integer)
RETURNS TABLE (created_at timestamptz, meeting_id uuid)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  IF of_status IS NULL THEN
    RETURN QUERY
      SELECT DISTINCT v.created_at, v.meeting_id
        FROM unnest(principals) p(principal),
             LATERAL (SELECT a.created_at, a.meeting_id FROM meeting_access a
                       WHERE a.principal = p.principal
                         AND (a.created_at, a.meeting_id) < (after_at, after_id)
                       ORDER BY a.created_at DESC, a.meeting_id DESC LIMIT size) v
       ORDER BY v.created_at DESC, v.meeting_id DESC LIMIT size;
  ELSE
    RETURN QUERY
      SELECT DISTINCT v.created_at, v.meeting_id
        FROM unnest(principals) p(principal),
             LATERAL (SELECT a.created_at, a.meeting_id FROM meeting_access a
                       WHERE a.principal = p.principal AND a.status = of_status
                         AND (a.created_at, a.meeting_id) < (after_at, after_id)
                       ORDER BY a.created_at DESC, a.meeting_id DESC LIMIT size) v
       ORDER BY v.created_at DESC, v.meeting_id DESC LIMIT size;
  END IF;
END
$$;

-- An invitation: whoever may see its meeting, and the managers of the
-- invited agency, who may answer for it (INV-3).
CREATE OR REPLACE FUNCTION invitation_visible(i invitations, principals text[]) RETURNS boolean
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN meeting_visible(i.meeting_id, principals)
      OR (i.agency IS NOT NULL AND principal_managers(i.agency) = ANY (principals));
END
$$;

-- An action: whoever may see the meeting that agreed it or tracks it, its
-- owner, and the managers of the owner's agency.
CREATE OR REPLACE FUNCTION action_visible(a actions, principals text[]) RETURNS boolean
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (a.owner_sub IS NOT NULL AND principal_person(a.owner_sub) = ANY (principals))
      OR principal_managers(a.owner_agency) = ANY (principals)
      OR meeting_visible(a.meeting_id, principals)
      OR meeting_visible(a.current_meeting_id, principals);
END
$$;

-- An escalation follows the procedure, not the meeting: its raiser;
-- practitioners and managers of the two agencies involved; their senior
-- managers from stage 3; the partnership's officers at stage 4; and the
-- integrations of the two agencies, whose feeds announce it (INT-4).
CREATE OR REPLACE FUNCTION escalation_visible(e escalations, principals text[],
                                              caller_agency text, caller_roles text[])
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT principal_person(e.raised_by_sub) = ANY (principals)
      OR (caller_agency IN (e.raised_by_agency, e.with_agency)
          AND caller_roles && ARRAY['practitioner', 'senior_practitioner', 'manager',
                                    'named_doctor'])
      OR (caller_agency IN (e.raised_by_agency, e.with_agency) AND e.stage >= 3
          AND 'senior_manager' = ANY (caller_roles))
      OR (e.stage = 4 AND 'partnership' = ANY (caller_roles))
      OR principal_integration(e.raised_by_agency) = ANY (principals)
      OR principal_integration(e.with_agency) = ANY (principals)
$$;

-- A child (CHR-1): whoever may see a meeting about the child, and what
-- they see of the child is what those meetings say (child_record_json).
CREATE OR REPLACE FUNCTION child_visible(child uuid, principals text[]) RETURNS boolean
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN EXISTS (SELECT 1 FROM meeting_children c
                  WHERE c.child_id = child AND meeting_visible(c.meeting_id, principals));
END
$$;

-- An agency's own chronology entry (CHR-2) is part of the child's
-- multi-agency record: whoever may see the child sees it.
CREATE OR REPLACE FUNCTION chronology_entry_visible(e chronology_entries, principals text[])
RETURNS boolean
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN child_visible(e.child_id, principals);
END
$$;

-- INT-2: the agencies whose feeds hear of a meeting's changes: the
-- convening agency and every invited agency.
CREATE OR REPLACE FUNCTION meeting_agencies(meeting uuid) RETURNS text[]
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (SELECT ARRAY[m.convening_agency] || ARRAY(
            SELECT DISTINCT i.agency FROM invitations i
             WHERE i.meeting_id = m.id AND i.agency IS NOT NULL
               AND i.agency <> m.convening_agency)
            FROM meetings m WHERE m.id = meeting);
END
$$;

-- A family-notice or minutes-sharing decision follows its meeting.
CREATE OR REPLACE FUNCTION consent_decision_visible(d consent_decisions, principals text[])
RETURNS boolean
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN meeting_visible(d.meeting_id, principals);
END
$$;

-- INT-5: a webhook endpoint is the business of its agency's integrations
-- and of administrators. Not case data, but another agency's endpoints are
-- none of a caller's business: 404.
CREATE OR REPLACE FUNCTION webhook_endpoint_visible(w webhook_endpoints, caller_agency text,
                                                    caller_roles text[])
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT 'admin' = ANY (caller_roles)
      OR ('integration' = ANY (caller_roles) AND w.agency = caller_agency)
$$;

-- INT-6: a calendar feed token is its owner's alone.
CREATE OR REPLACE FUNCTION calendar_token_visible(t calendar_tokens, caller_sub text)
RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT t.owner_sub = caller_sub $$;

-- SAR-2: a subject access request is the data protection officer's alone;
-- its very existence is sensitive, so to anyone else it is absent (404).
CREATE OR REPLACE FUNCTION subject_access_request_visible(caller_roles text[])
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$ SELECT 'dpo' = ANY (caller_roles) $$;

-- SAR-2: a consultation on a subject access request is the dpo's, and the
-- consulted agency's managers' (manager or senior_manager of that agency):
-- they read and answer it. To anyone else, the agency's practitioners
-- included, it is absent (404).
CREATE OR REPLACE FUNCTION subject_access_consultation_visible(consulted_agency text,
                                                               caller_agency text,
                                                               caller_roles text[])
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT 'dpo' = ANY (caller_roles)
      OR (consulted_agency = caller_agency
          AND caller_roles && ARRAY['manager', 'senior_manager']::text[])
$$;
