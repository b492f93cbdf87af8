-- INT-4, INT-5, INT-6: integrations, webhooks and calendars.

-- The meeting an event is about, or under (an invitation's, a decision's,
-- the meeting that tracks an action); NULL for events about no meeting
-- (agencies, bank holidays, escalations).
CREATE OR REPLACE FUNCTION event_meeting(resource_type text, resource_id text) RETURNS uuid
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  CASE resource_type
    WHEN 'meeting', 'minutes', 'outcome_letter' THEN RETURN resource_id::uuid;
    WHEN 'invitation' THEN
      RETURN (SELECT i.meeting_id FROM invitations i WHERE i.id = resource_id::uuid);
    WHEN 'consent_decision' THEN
      RETURN (SELECT d.meeting_id FROM consent_decisions d WHERE d.id = resource_id::uuid);
    WHEN 'rendition' THEN
      RETURN (SELECT r.meeting_id FROM minutes_renditions r WHERE r.id = resource_id::uuid);
    WHEN 'inaccuracy' THEN
      RETURN (SELECT x.meeting_id FROM minutes_inaccuracies x WHERE x.id = resource_id::uuid);
    WHEN 'action' THEN
      RETURN (SELECT a.current_meeting_id FROM actions a WHERE a.id = resource_id::uuid);
    ELSE RETURN NULL;
  END CASE;
END
$$;

-- INT-4: an agency's integration principal may see every meeting its feed
-- has announced anything about, from the event on (sql/functions/10_access.sql).
CREATE OR REPLACE FUNCTION integration_access_on_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO meeting_access (principal, meeting_id, created_at, status)
  SELECT DISTINCT principal_integration(t.agency), m.id, m.created_at, m.status
    FROM (SELECT e.agency, event_meeting(e.resource_type, e.resource_id) AS meeting_id
            FROM new_events e
           WHERE e.resource_type IN ('meeting', 'minutes', 'invitation', 'consent_decision',
                                     'action', 'rendition', 'inaccuracy', 'outcome_letter')) t
    JOIN meetings m ON m.id = t.meeting_id
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

-- Where an event's resource is read, relative to the service's base URL.
CREATE OR REPLACE FUNCTION event_link(resource_type text, resource_id text,
                                      minutes_number integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE resource_type
    WHEN 'meeting' THEN '/v1/meetings/' || resource_id
    WHEN 'invitation' THEN '/v1/invitations/' || resource_id
    WHEN 'consent_decision' THEN '/v1/consent-decisions/' || resource_id
    WHEN 'minutes' THEN '/v1/meetings/' || resource_id || '/minutes/versions/'
                        || coalesce(minutes_number::text, '')
    WHEN 'action' THEN '/v1/actions/' || resource_id
    WHEN 'rendition' THEN '/v1/renditions/' || resource_id
    WHEN 'inaccuracy' THEN '/v1/inaccuracies/' || resource_id
    WHEN 'outcome_letter' THEN '/v1/meetings/' || resource_id || '/outcome-letter'
    WHEN 'escalation' THEN '/v1/escalations/' || resource_id
    WHEN 'agency' THEN '/v1/agencies/' || resource_id
    WHEN 'bank_holiday' THEN '/v1/bank-holidays/' || resource_id
    WHEN 'child' THEN '/v1/children/' || resource_id
    WHEN 'retention_policy' THEN '/v1/retention-policies/' || resource_id
  END
$$;

-- INT-5: the body of a webhook delivery (Standard Webhooks' type,
-- timestamp and data): ids, types, versions and links, never case content.
CREATE OR REPLACE FUNCTION webhook_payload(e events) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'type', e.type,
    'timestamp', rfc3339(e.occurred_at),
    'data', json_strip_nulls(json_build_object(
      'event_id', e.event_id,
      'agency', e.agency,
      'resource_type', e.resource_type,
      'resource_id', e.resource_id,
      'resource_version', e.resource_version,
      'minutes_number', e.minutes_number,
      'links', json_build_object(
        'resource', event_link(e.resource_type, e.resource_id, e.minutes_number),
        'feed', '/v1/events'))))::text
$$;

-- The Standard Webhooks message id of an event: the same for every
-- attempt and replay, so that receivers de-duplicate on it.
CREATE OR REPLACE FUNCTION webhook_message_id(event_id uuid) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'msg_' || replace(event_id::text, '-', '')
$$;

-- INT-5: the outbox, written in the transaction that announces the change:
-- one delivery per active endpoint of the event's agency subscribed to its
-- type. Nothing is queued that did not commit, nothing committed is missed.
CREATE OR REPLACE FUNCTION webhook_outbox_on_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO webhook_deliveries (endpoint_id, event_position, message_id, type, payload)
  SELECT w.id, e.position, webhook_message_id(e.event_id), e.type, webhook_payload(e)
    FROM new_events e
    JOIN webhook_endpoints w ON w.agency = e.agency AND w.status = 'active'
                            AND e.type = ANY (w.event_types);
  RETURN NULL;
END
$$;

-- An endpoint as the API shows it: never its secret.
CREATE OR REPLACE FUNCTION webhook_endpoint_json(w webhook_endpoints) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', w.id, 'agency', w.agency, 'url', w.url, 'description', w.description,
    'event_types', to_json(w.event_types), 'status', w.status,
    'disabled_reason', w.disabled_reason,
    'previous_secret_expires_at', rfc3339(w.previous_secret_expires_at),
    'version', w.version, 'created_at', rfc3339(w.created_at),
    'updated_at', rfc3339(w.updated_at))
$$;

CREATE OR REPLACE FUNCTION webhook_delivery_json(d webhook_deliveries) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', d.id::text, 'endpoint_id', d.endpoint_id, 'message_id', d.message_id,
    'type', d.type, 'payload', d.payload::json, 'status', d.status, 'attempts', d.attempts,
    'next_attempt_at', CASE WHEN d.status = 'pending' THEN rfc3339(d.next_attempt_at) END,
    'last_attempt_at', rfc3339(d.last_attempt_at), 'last_status', d.last_status,
    'last_error', d.last_error, 'delivered_at', rfc3339(d.delivered_at),
    'created_at', rfc3339(d.created_at))
$$;

-- INT-6: SEQUENCE of the calendar entry goes up when a scheduled meeting
-- moves (its start, length or format) or is cancelled.
CREATE OR REPLACE FUNCTION meeting_calendar_sequence() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.scheduled_start IS NOT NULL AND (
       NEW.scheduled_start IS DISTINCT FROM OLD.scheduled_start
       OR NEW.duration_minutes IS DISTINCT FROM OLD.duration_minutes
       OR NEW.format IS DISTINCT FROM OLD.format
       OR (NEW.status = 'cancelled' AND OLD.status <> 'cancelled')) THEN
    NEW.calendar_sequence := OLD.calendar_sequence + 1;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION calendar_token_json(t calendar_tokens) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', t.id, 'label', t.label, 'created_at', rfc3339(t.created_at),
    'expires_at', rfc3339(t.expires_at), 'revoked_at', rfc3339(t.revoked_at),
    'last_used_at', rfc3339(t.last_used_at), 'uses', t.uses)
$$;
