-- 015 reaching people and systems (issue 16): webhooks with an outbox
-- (INT-5), what an integration may read (INT-4), calendar invitations and
-- per-person calendar feeds (INT-6), and minutes events that say which
-- version of the minutes changed.
--
-- The trigger bodies live in sql/functions (80_integrations.sql and
-- 10_access.sql) like every other function; the placeholders below exist
-- only so that the triggers can be created here, and are replaced by the
-- real bodies in the same `mam migrate`, before anything is served.

-- Minutes events name the version of the minutes (its number) as well as
-- the row's version, which restarts with each amendment: (resource_id,
-- minutes_number, resource_version) names exactly one state.
ALTER TABLE events ADD COLUMN minutes_number integer;

-- INT-6: SEQUENCE of the meeting's calendar entry (RFC 5545 3.8.7.4),
-- raised by each reschedule and by a cancellation after scheduling.
ALTER TABLE meetings ADD COLUMN calendar_sequence integer NOT NULL DEFAULT 0;

-- INT-5: an agency's webhook endpoints. The signing secret is stored
-- sealed (AES-256-GCM under WEBHOOK_SECRET_KEY, core/secret.h), never in
-- clear; during a rotation the previous secret signs too, until
-- previous_secret_expires_at.
CREATE TABLE webhook_endpoints (
  id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agency                      text NOT NULL REFERENCES agencies (code),
  url                         text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
  description                 text,
  event_types                 text[] NOT NULL CHECK (cardinality(event_types) > 0),
  status                      text NOT NULL DEFAULT 'active'
                                CHECK (status IN ('active', 'disabled')),
  disabled_reason             text CHECK (disabled_reason IN ('gone', 'by_request')),
  secret_sealed               text NOT NULL,
  previous_secret_sealed      text,
  previous_secret_expires_at  timestamptz,
  -- one delivery at a time per endpoint: the worker holding the endpoint
  leased_until                timestamptz,
  created_by_sub              text NOT NULL,
  version                     integer NOT NULL DEFAULT 1,
  created_at                  timestamptz NOT NULL DEFAULT now(),
  updated_at                  timestamptz NOT NULL DEFAULT now(),
  CHECK ((previous_secret_sealed IS NULL) = (previous_secret_expires_at IS NULL))
);
CREATE INDEX webhook_endpoints_by_agency ON webhook_endpoints (agency, created_at, id);

-- The outbox: one row per (endpoint, event), written by a trigger on
-- events in the transaction that made the change. The body is fixed when
-- the row is written, so every attempt sends (and signs) the same bytes.
CREATE TABLE webhook_deliveries (
  id               bigserial PRIMARY KEY,
  endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  tx               xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_position   bigint NOT NULL,
  message_id       text NOT NULL,
  type             text NOT NULL,
  payload          text NOT NULL,
  status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_attempt_at  timestamptz,
  last_status      integer,
  last_error       text,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (endpoint_id, message_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, tx, event_position)
  WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_status ON webhook_deliveries (endpoint_id, status, id);

-- INT-6: a person's calendar feed tokens. Only the SHA-256 of a token is
-- kept; the token itself is shown once, when it is made.
CREATE TABLE calendar_tokens (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_sub     text NOT NULL,
  owner_agency  text NOT NULL,
  token_sha256  text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  label         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  uses          bigint NOT NULL DEFAULT 0
);
CREATE INDEX calendar_tokens_by_owner ON calendar_tokens (owner_sub, created_at, id);

-- Placeholders: sql/functions/80_integrations.sql defines these.
CREATE FUNCTION webhook_outbox_on_events() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE FUNCTION integration_access_on_events() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE FUNCTION meeting_calendar_sequence() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;

CREATE TRIGGER webhook_outbox AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_outbox_on_events();
CREATE TRIGGER integration_access AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION integration_access_on_events();
CREATE TRIGGER meetings_calendar_sequence BEFORE UPDATE ON meetings
  FOR EACH ROW EXECUTE FUNCTION meeting_calendar_sequence();

-- INT-4: what each agency's feed has announced so far, as access rows of
-- its integration principal ('i:<agency>', sql/functions/10_access.sql).
INSERT INTO meeting_access (principal, meeting_id, created_at, status)
SELECT DISTINCT 'i:' || e.agency, m.id, m.created_at, m.status
  FROM events e
  JOIN LATERAL (
    SELECT CASE e.resource_type
             WHEN 'meeting' THEN e.resource_id::uuid
             WHEN 'minutes' THEN e.resource_id::uuid
             WHEN 'invitation' THEN (SELECT i.meeting_id FROM invitations i
                                      WHERE i.id = e.resource_id::uuid)
             WHEN 'consent_decision' THEN (SELECT d.meeting_id FROM consent_decisions d
                                            WHERE d.id = e.resource_id::uuid)
             WHEN 'action' THEN (SELECT a.current_meeting_id FROM actions a
                                  WHERE a.id = e.resource_id::uuid)
           END AS meeting_id) t ON true
  JOIN meetings m ON m.id = t.meeting_id
ON CONFLICT DO NOTHING;
