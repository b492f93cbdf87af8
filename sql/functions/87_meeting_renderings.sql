-- The read model of meetings (migration 050): each meeting's representation
-- stored when it changes, read as stored bytes.

-- The dates around `today` between which meeting_json(m, ·) does not
-- change, [valid_from, valid_until). A rendering depends on the day only
-- through two flags, each false before a day and true from it:
--   - an open action of the previous meeting is overdue from the day after
--     it is due (action_json, previous_open_actions);
--   - review_overdue from the day after next_review_on
--     (meeting_review_overdue).
-- A member of meeting_json that comes to depend on the day must add its
-- day of change here; `mam renderings check` renders every stored meeting
-- at both ends of its range and reports any that differ.
CREATE OR REPLACE FUNCTION meeting_rendering_valid(m meetings, today date,
                                                   OUT valid_from date, OUT valid_until date)
LANGUAGE sql STABLE AS $$
  WITH changes AS (
    SELECT a.due_date + 1 AS day FROM actions a
     WHERE m.previous_meeting_id IS NOT NULL AND a.current_meeting_id = m.previous_meeting_id
       AND a.status = 'open' AND a.due_date IS NOT NULL
    UNION ALL
    SELECT m.next_review_on + 1 WHERE m.next_review_on IS NOT NULL)
  SELECT coalesce(max(c.day) FILTER (WHERE c.day <= today), '-infinity'::date),
         coalesce(min(c.day) FILTER (WHERE c.day > today), 'infinity'::date)
    FROM changes c
$$;

-- A meeting rendered afresh (meeting_document's fallback).
CREATE OR REPLACE FUNCTION meeting_fresh(meeting uuid, today date) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT meeting_json(m, today) FROM meetings m WHERE m.id = meeting
$$;

-- A meeting as the API shows it on `today`, from its stored rendering r
-- (NULL fields when a list's outer join found none): the stored bytes
-- while they hold for that day; otherwise, or were one ever missing, the
-- meeting rendered afresh (a clock moved across a due date, before
-- housekeeping renders it again). One expression without a sub-select, so
-- that the planner inlines it into each read and list: the fallback is a
-- function called only on its branch.
CREATE OR REPLACE FUNCTION meeting_document(r meeting_renderings, meeting uuid, today date)
RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN today >= r.valid_from AND today < r.valid_until THEN r.body
              ELSE meeting_fresh(meeting, today) END
$$;

-- Renders one meeting and stores it (or nothing, when the meeting is gone:
-- its rendering went with it). The meeting's lock (the one
-- obligations_refresh takes) is taken first, in its own statement, so that
-- the rendering's statement reads with a snapshot taken after any other
-- writer of the meeting committed: two transactions that change what one
-- rendering embeds render one after the other, the later one seeing both
-- changes, and never leave an older rendering in place. The meeting it
-- follows is locked before it: a change to that meeting's actions locks it
-- before looking for its follow-ups (meeting_followers_locked), so a
-- follow-up created meanwhile is either seen there or renders after that
-- change committed; and every writer takes the two in the same order.
-- SECURITY DEFINER: the service's role cannot write renderings itself.
CREATE OR REPLACE FUNCTION meeting_renderings_refresh(meeting uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
BEGIN
  PERFORM pg_advisory_xact_lock(4242032, hashtext(m.previous_meeting_id::text))
     FROM meetings m WHERE m.id = meeting AND m.previous_meeting_id IS NOT NULL;
  PERFORM pg_advisory_xact_lock(4242032, hashtext(meeting::text));
  INSERT INTO meeting_renderings (meeting_id, body, version, valid_from, valid_until, rendered_at)
  SELECT m.id, meeting_json(m, today), m.version, v.valid_from, v.valid_until, clock_timestamp()
    FROM meetings m, meeting_rendering_valid(m, today) v
   WHERE m.id = meeting
  ON CONFLICT (meeting_id) DO UPDATE SET
    body = EXCLUDED.body, version = EXCLUDED.version, valid_from = EXCLUDED.valid_from,
    valid_until = EXCLUDED.valid_until, rendered_at = EXCLUDED.rendered_at;
END
$$;

-- The meetings that follow `meeting` (whose previous_open_actions show its
-- actions), looked for under its lock (see meeting_renderings_refresh).
CREATE OR REPLACE FUNCTION meeting_followers_locked(meeting uuid) RETURNS uuid[]
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF meeting IS NULL THEN
    RETURN ARRAY[]::uuid[];
  END IF;
  PERFORM pg_advisory_xact_lock(4242032, hashtext(meeting::text));
  RETURN ARRAY(SELECT f.id FROM meetings f WHERE f.previous_meeting_id = meeting ORDER BY f.id);
END
$$;

-- The constraint triggers of migration 050, deferred to COMMIT: the
-- meetings a changed row's rendering embeds it in (TG_ARGV[0], see the
-- migration) are rendered again, once per transaction (the transaction's
-- setting mam.renderings_done lists those done; at COMMIT nothing changes
-- after them).
CREATE OR REPLACE FUNCTION meeting_renderings_on_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  versions jsonb[] := ARRAY[]::jsonb[];
  v jsonb;
  found uuid[] := ARRAY[]::uuid[];
  one uuid;
  done text;
BEGIN
  IF TG_OP <> 'INSERT' THEN versions := versions || to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN versions := versions || to_jsonb(NEW); END IF;
  FOREACH v IN ARRAY versions LOOP
    IF TG_ARGV[0] = 'meeting' THEN
      found := found || (v ->> 'id')::uuid;
      -- the meeting it follows renders whether a review was requested
      -- (review_overdue): only a follow-up's arrival, departure or status
      -- says so, not every change of it
      IF TG_OP <> 'UPDATE' OR OLD.status IS DISTINCT FROM NEW.status
         OR OLD.previous_meeting_id IS DISTINCT FROM NEW.previous_meeting_id THEN
        found := found || (v ->> 'previous_meeting_id')::uuid;
      END IF;
    ELSIF TG_ARGV[0] = 'decision_id' THEN
      found := found || (SELECT d.meeting_id FROM consent_decisions d
                          WHERE d.id = (v ->> 'decision_id')::uuid);
    ELSIF TG_ARGV[0] = 'current_meeting_id' THEN
      found := found || meeting_followers_locked((v ->> 'current_meeting_id')::uuid);
    ELSIF TG_ARGV[0] = 'action_id' THEN
      found := found || meeting_followers_locked(
                          (SELECT a.current_meeting_id FROM actions a
                            WHERE a.id = (v ->> 'action_id')::uuid));
    ELSE
      found := found || (v ->> TG_ARGV[0])::uuid;
    END IF;
  END LOOP;
  FOREACH one IN ARRAY found LOOP
    CONTINUE WHEN one IS NULL;
    done := coalesce(current_setting('mam.renderings_done', true), '');
    CONTINUE WHEN strpos(done, one::text) > 0;
    PERFORM meeting_renderings_refresh(one);
    PERFORM set_config('mam.renderings_done', done || one::text || ',', true);
  END LOOP;
  RETURN NULL;
END
$$;

-- The renderings that no longer hold on `today` (a due date they embed
-- passed), at most `batch`, the oldest first, rendered again; how many.
-- Housekeeping calls it a batch at a time (store/meetings.c).
CREATE OR REPLACE FUNCTION meeting_renderings_renew(today date, batch integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  n integer := 0;
  one uuid;
BEGIN
  FOR one IN SELECT r.meeting_id FROM meeting_renderings r
              WHERE r.valid_until <= today AND r.valid_until < 'infinity'::date
              ORDER BY r.valid_until LIMIT batch LOOP
    PERFORM meeting_renderings_refresh(one);
    n := n + 1;
  END LOOP;
  RETURN n;
END
$$;

-- Which definition the renderings follow: the functions they are made by.
CREATE OR REPLACE FUNCTION meeting_renderings_definition() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT md5(string_agg(pg_get_functiondef(f::regprocedure), E'\n' ORDER BY f))
    FROM unnest(ARRAY['meeting_json(meetings,date)', 'child_json(meeting_children)',
                      'meeting_family_notice(uuid)', 'meeting_review_overdue(meetings,date)',
                      'action_json(actions,date)', 'consent_status(consent_decisions)',
                      'meeting_invited_agencies(uuid)', 'meeting_obligations(uuid)',
                      'rfc3339(timestamptz)', 'meeting_rendering_valid(meetings,date)']) f
$$;

-- Every meeting rendered again, a batch of `batch` at a time from after
-- `after` (NULL: the first), returning the last one rendered (NULL: done).
-- Each by meeting_renderings_refresh, under its lock and with a snapshot of
-- its own, so that a change committed meanwhile is never overwritten by an
-- older rendering. `mam renderings rebuild` and `mam migrate` call it until
-- done, one transaction a batch, while the service serves.
CREATE OR REPLACE FUNCTION meeting_renderings_rebuild(after uuid, batch integer) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  last uuid;
  one uuid;
BEGIN
  FOR one IN SELECT m.id FROM meetings m
              WHERE m.id > coalesce(after, '00000000-0000-0000-0000-000000000000'::uuid)
              ORDER BY m.id LIMIT batch LOOP
    PERFORM meeting_renderings_refresh(one);
    last := one;
  END LOOP;
  RETURN last;
END
$$;

-- Records the definition the renderings now follow (after a rebuild).
CREATE OR REPLACE FUNCTION meeting_renderings_mark_current() RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO meeting_renderings_state (definition) VALUES (meeting_renderings_definition())
    ON CONFLICT (only_row) DO UPDATE SET definition = EXCLUDED.definition
$$;

-- The stored renderings that are not what meeting_json renders now, at
-- either end of the range they claim to hold for (and today): none, unless
-- a definition changed without a rebuild or a dependency was missed.
CREATE OR REPLACE FUNCTION meeting_renderings_stale(today date)
RETURNS TABLE (meeting_id uuid, on_day date)
LANGUAGE sql STABLE AS $$
  SELECT r.meeting_id, d.day
    FROM meeting_renderings r JOIN meetings m ON m.id = r.meeting_id,
         LATERAL (SELECT DISTINCT x.day FROM unnest(ARRAY[
                    greatest(r.valid_from, today - 36500), today,
                    least(r.valid_until - 1, today + 36500)]) x(day)
                   WHERE x.day >= r.valid_from AND x.day < r.valid_until) d
   WHERE meeting_json(m, d.day)::text <> r.body::text OR m.version <> r.version
  UNION ALL
  SELECT m.id, NULL FROM meetings m
   WHERE NOT EXISTS (SELECT 1 FROM meeting_renderings r WHERE r.meeting_id = m.id)
$$;

-- Whether the renderings follow the definition now in force (a new
-- database, or a release that changed a rendering, says not): `mam migrate`
-- asks after applying these files, and renders every meeting again when
-- not (src/db/renderings.c), a batch per transaction.
CREATE OR REPLACE FUNCTION meeting_renderings_current() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT meeting_renderings_definition() IS NOT DISTINCT FROM
         (SELECT s.definition FROM meeting_renderings_state s)
$$;

-- Only the schema's owner rebuilds or says which definition holds; the
-- service's role renews in housekeeping (90_runtime_grants.sql)
REVOKE ALL ON FUNCTION meeting_renderings_rebuild(uuid, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION meeting_renderings_mark_current() FROM PUBLIC;
REVOKE ALL ON FUNCTION meeting_renderings_renew(date, integer) FROM PUBLIC;
