-- 001 foundation: agencies, meetings (requested and authorised), the audit
-- trail, the integration event feed and idempotency keys.

-- RFC 3339 in UTC with a Z, the one timestamp format of the API.
CREATE FUNCTION rfc3339(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

CREATE TABLE agencies (
  code        text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{1,31}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind        text NOT NULL CHECK (kind IN ('childrens_social_care', 'police', 'health',
                'education', 'early_years', 'probation', 'youth_justice', 'housing',
                'voluntary', 'other')),
  active      boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION agency_json(a agencies) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'code', a.code, 'name', a.name, 'kind', a.kind, 'active', a.active,
    'version', a.version, 'created_at', rfc3339(a.created_at),
    'updated_at', rfc3339(a.updated_at))
$$;

CREATE SEQUENCE meeting_reference_seq;

-- A human-readable reference such as MAM-2026-000123: the year of the
-- request and a number that never repeats (at least six digits, more after
-- 999999; lpad alone would cut them short).
CREATE FUNCTION meeting_reference() RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT 'MAM-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY') || '-' ||
         CASE WHEN length(n) < 6 THEN lpad(n, 6, '0') ELSE n END
    FROM (SELECT nextval('meeting_reference_seq')::text AS n) s
$$;

CREATE TABLE meetings (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  reference           text NOT NULL UNIQUE DEFAULT meeting_reference(),
  type                text NOT NULL CHECK (type IN ('stop_and_review', 'professionals',
                        'professionals_only', 'strategy_discussion', 'multi_agency')),
  status              text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested',
                        'authorised', 'declined', 'scheduled', 'held', 'closed', 'cancelled')),
  title               text NOT NULL,
  purpose             text NOT NULL,
  rationale           text NOT NULL,
  criteria            text[] NOT NULL CHECK (cardinality(criteria) > 0),
  convening_agency    text NOT NULL REFERENCES agencies (code),
  requester_sub       text NOT NULL,
  requester_name      text NOT NULL,
  external_system     text,
  external_id         text,
  no_other_children   boolean NOT NULL DEFAULT false,
  decided_by_sub      text,
  decided_by_name     text,
  decided_at          timestamptz,
  decline_reason      text,
  cancelled_by_sub    text,
  cancelled_by_name   text,
  cancelled_at        timestamptz,
  cancel_reason       text,
  version             integer NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK ((external_system IS NULL) = (external_id IS NULL)),
  CHECK (status <> 'declined' OR decline_reason IS NOT NULL),
  CHECK (status <> 'cancelled' OR cancel_reason IS NOT NULL)
);
CREATE INDEX meetings_by_agency ON meetings (convening_agency, created_at DESC, id DESC);
CREATE INDEX meetings_by_requester ON meetings (requester_sub, created_at DESC, id DESC);
CREATE INDEX meetings_by_external_ref ON meetings (external_system, external_id)
  WHERE external_system IS NOT NULL;

-- The children a meeting is about (is_subject) and the other children in
-- their household (MTG-5).
CREATE TABLE meeting_children (
  meeting_id       uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  is_subject       boolean NOT NULL,
  position         smallint NOT NULL,
  name             text,
  external_system  text,
  external_id      text,
  date_of_birth    date,
  unborn           boolean NOT NULL DEFAULT false,
  relationship     text,
  PRIMARY KEY (meeting_id, is_subject, position),
  CHECK ((external_system IS NULL) = (external_id IS NULL))
);
CREATE INDEX meeting_children_by_external_ref ON meeting_children (external_system, external_id)
  WHERE external_system IS NOT NULL;

CREATE FUNCTION child_json(c meeting_children) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'name', c.name,
    'external_ref', CASE WHEN c.external_system IS NULL THEN NULL
                    ELSE json_build_object('system', c.external_system, 'id', c.external_id) END,
    'date_of_birth', to_char(c.date_of_birth, 'YYYY-MM-DD'),
    'unborn', c.unborn,
    'relationship', c.relationship)
$$;

CREATE FUNCTION meeting_json(m meetings) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
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
    'cancellation', CASE WHEN m.cancelled_at IS NULL THEN NULL ELSE json_build_object(
                  'by', json_build_object('sub', m.cancelled_by_sub, 'name', m.cancelled_by_name),
                  'at', rfc3339(m.cancelled_at),
                  'reason', m.cancel_reason) END,
    'version', m.version,
    'created_at', rfc3339(m.created_at),
    'updated_at', rfc3339(m.updated_at))
$$;

-- SEC-2: who may see a meeting and everything under it. Later migrations
-- widen it (chair, minute taker, invitees) with CREATE OR REPLACE.
CREATE FUNCTION meeting_visible(m meetings, caller_sub text, caller_agency text,
                                caller_is_manager boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT m.requester_sub = caller_sub
      OR (caller_is_manager AND m.convening_agency = caller_agency)
$$;

-- SEC-4: the audit trail. Append-only: the trigger below refuses UPDATE,
-- DELETE and TRUNCATE for every role, the service's own included.
CREATE TABLE audit_events (
  id             bigserial PRIMARY KEY,
  occurred_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  request_id     text NOT NULL,
  actor_sub      text NOT NULL,
  actor_agency   text NOT NULL,
  action         text NOT NULL,
  resource_type  text NOT NULL,
  resource_id    text,
  resource_ids   text[],
  outcome        text NOT NULL
);
CREATE INDEX audit_events_by_actor ON audit_events (actor_sub, id);
CREATE INDEX audit_events_by_resource ON audit_events (resource_id, id) WHERE resource_id IS NOT NULL;
CREATE INDEX audit_events_by_time ON audit_events (occurred_at, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

CREATE FUNCTION audit_event_json(e audit_events) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', e.id::text, 'occurred_at', rfc3339(e.occurred_at), 'request_id', e.request_id,
    'actor', json_build_object('sub', e.actor_sub, 'agency', e.actor_agency),
    'action', e.action, 'resource_type', e.resource_type, 'resource_id', e.resource_id,
    'resource_ids', to_json(e.resource_ids), 'outcome', e.outcome)
$$;

-- INT-2: the event feed. One row per agency concerned, so that each
-- integration reads its own agency's feed off one index. `tx` orders the
-- feed: an event is served only once every transaction that could still
-- commit before it has finished (see README, "Event feed").
CREATE TABLE events (
  position         bigserial PRIMARY KEY,
  tx               xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id         uuid NOT NULL,
  agency           text NOT NULL,
  type             text NOT NULL,
  occurred_at      timestamptz NOT NULL DEFAULT now(),
  resource_type    text NOT NULL,
  resource_id      text NOT NULL,
  resource_version integer
);
CREATE INDEX events_feed ON events (agency, tx, position);

CREATE FUNCTION event_json(e events) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', e.event_id, 'type', e.type, 'occurred_at', rfc3339(e.occurred_at),
    'agency', e.agency, 'resource_type', e.resource_type, 'resource_id', e.resource_id,
    'resource_version', e.resource_version)
$$;

-- Idempotency-Key on creating POSTs: the first successful answer, replayed
-- for the same caller, key and request.
CREATE TABLE idempotency_keys (
  caller_sub     text NOT NULL,
  key            text NOT NULL,
  request_hash   text NOT NULL,
  status         integer,
  location       text,
  etag           text,
  body           text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller_sub, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- The agencies concerned by a meeting, whose integrations hear of its
-- changes on the feed. Later migrations add the invited agencies.
CREATE FUNCTION meeting_agencies(m meetings) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT ARRAY[m.convening_agency]
$$;
