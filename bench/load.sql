-- Synthetic, fictional volume for the benchmark (make bench). Nothing here
-- resembles a real person: names are "Child <n>", agencies "Bench Agency".
--
-- Adds meetings numbered :from + 1 .. :to to a database migrated to the
-- current schema, with what such meetings imply: children, invitations to
-- three agencies, a family-notice decision, approved minutes and five
-- actions for held and closed meetings, their audit events and their feed
-- events. Run with psql -v from=0 -v to=100000 -v history=1; with
-- history=0 only meetings, their actions and who may see them are added
-- (the growth stage, where the list, actions and feed volumes grow, and
-- loading a million meetings' whole history would take most of the
-- benchmark's time); -v obligations=0 derives no obligations (see below). Their
-- renderings are stored last (the read model, migration 050).
\set ON_ERROR_STOP on
\if :{?obligations}
\else
\set obligations 1
\endif
SET synchronous_commit = off;

-- 40 agencies, four of each kind, once.
INSERT INTO agencies (code, name, kind)
SELECT format('B%s', lpad(n::text, 2, '0')), format('Bench Agency %s (fictional)', n),
       (ARRAY['childrens_social_care', 'police', 'health', 'education', 'early_years',
              'probation', 'youth_justice', 'housing', 'voluntary', 'other'])[(n - 1) % 10 + 1]
  FROM generate_series(1, 40) n
ON CONFLICT DO NOTHING;

-- bench_meetings maps a dense number to each meeting, for the workloads;
-- the loading sessions run at once, and two racing CREATE TABLE IF NOT
-- EXISTS can both try to create it, so one at a time
SELECT pg_advisory_lock(hashtext('bench_meetings')) \gset
CREATE TABLE IF NOT EXISTS bench_meetings (n integer PRIMARY KEY, id uuid NOT NULL,
                                           agency text NOT NULL, status text NOT NULL);
SELECT pg_advisory_unlock(hashtext('bench_meetings')) \gset

-- status and type spread over every agency alike (n picks the agency)
CREATE TEMP TABLE batch AS
SELECT n,
       md5('bench-meeting-' || n)::uuid AS id,  -- pgbench derives it from n as well
       format('B%s', lpad(((n - 1) % 40 + 1)::text, 2, '0')) AS agency,
       (ARRAY['requested', 'authorised', 'scheduled', 'scheduled', 'held', 'held', 'closed',
              'closed', 'closed', 'closed', 'held', 'closed', 'held', 'scheduled', 'held',
              'closed', 'authorised', 'closed', 'cancelled', 'declined'])[abs(hashint4(n)) % 20 + 1] AS status,
       (ARRAY['stop_and_review', 'professionals', 'professionals_only', 'multi_agency'])[(n / 40) % 4 + 1] AS type,
       timestamptz '2025-09-01 00:00Z' + n * interval '30 seconds' AS created_at  -- in the past, in n order
  FROM generate_series(:from + 1, :to) n;

INSERT INTO meetings (id, type, status, title, purpose, rationale, criteria, convening_agency,
                      requester_sub, requester_name, external_system, external_id,
                      no_other_children, decided_by_sub, decided_by_name, decided_at,
                      decline_reason, cancelled_by_sub, cancelled_by_name, cancelled_at,
                      cancel_reason, scheduled_start, duration_minutes, format, venue,
                      chair_sub, chair_name, chair_agency, chair_role, minute_taker_sub,
                      minute_taker_name, minute_taker_agency, scheduled_at, held_at,
                      held_by_sub, closed_at, closed_by_sub, version, created_at, updated_at)
SELECT b.id, b.type, b.status, format('Meeting %s about a fictional family', b.n),
       'Agree how the agencies work together', 'Progress has stalled',
       ARRAY['drift_no_improved_outcomes'], b.agency,
       format('bench-p-%s-%s', b.agency, b.n % 25), format('Practitioner %s', b.n % 25),
       'benchcms', format('CASE-%s', b.n), true,
       CASE WHEN b.status <> 'requested' THEN format('bench-m-%s', b.agency) END,
       CASE WHEN b.status <> 'requested' THEN 'Bench Manager' END,
       CASE WHEN b.status <> 'requested' THEN b.created_at + interval '1 day' END,
       CASE WHEN b.status = 'declined' THEN 'Not needed' END,
       CASE WHEN b.status = 'cancelled' THEN format('bench-m-%s', b.agency) END,
       CASE WHEN b.status = 'cancelled' THEN 'Bench Manager' END,
       CASE WHEN b.status = 'cancelled' THEN b.created_at + interval '2 days' END,
       CASE WHEN b.status = 'cancelled' THEN 'No longer needed' END,
       CASE WHEN b.status IN ('scheduled', 'held', 'closed') THEN b.created_at + interval '10 days' END,
       CASE WHEN b.status IN ('scheduled', 'held', 'closed') THEN 60 END,
       CASE WHEN b.status IN ('scheduled', 'held', 'closed') THEN 'in_person' END,
       CASE WHEN b.status IN ('scheduled', 'held', 'closed') THEN 'Room 1' END,
       CASE WHEN b.status IN ('scheduled', 'held', 'closed') THEN format('bench-m-%s', b.agency) END,
       CASE WHEN b.status IN ('scheduled', 'held', 'closed') THEN 'Bench Manager' END,
       CASE WHEN b.status IN ('scheduled', 'held', 'closed') THEN b.agency END,
       CASE WHEN b.status IN ('scheduled', 'held', 'closed') THEN 'manager' END,
       CASE WHEN b.status IN ('scheduled', 'held', 'closed') THEN format('bench-p-%s-%s', b.agency, b.n % 25) END,
       CASE WHEN b.status IN ('scheduled', 'held', 'closed') THEN 'Minute Taker' END,
       CASE WHEN b.status IN ('scheduled', 'held', 'closed') THEN b.agency END,
       CASE WHEN b.status IN ('scheduled', 'held', 'closed') THEN b.created_at + interval '3 days' END,
       CASE WHEN b.status IN ('held', 'closed') THEN b.created_at + interval '10 days' END,
       CASE WHEN b.status IN ('held', 'closed') THEN format('bench-m-%s', b.agency) END,
       CASE WHEN b.status = 'closed' THEN b.created_at + interval '20 days' END,
       CASE WHEN b.status = 'closed' THEN format('bench-m-%s', b.agency) END,
       5, b.created_at, b.created_at
  FROM batch b;

INSERT INTO bench_meetings (n, id, agency, status) SELECT n, id, agency, status FROM batch;

\if :history
INSERT INTO meeting_children (meeting_id, is_subject, position, name, date_of_birth)
SELECT b.id, true, 0, format('Child %s', b.n), date '2012-01-01' + (b.n % 3000) FROM batch b;

-- three professional invitations, to the next agencies round the directory
INSERT INTO invitations (meeting_id, category, invitee_sub, invitee_name, agency, contact, role,
                         status, respond_by, attendance, invited_by_sub, invited_at)
SELECT b.id, 'professional', format('bench-p-%s-%s', a.code, b.n % 25),
       format('Practitioner %s', b.n % 25), a.code, 'work@example.invalid', 'Share information',
       CASE WHEN b.status IN ('requested', 'authorised') THEN 'invited' ELSE 'accepted' END,
       (b.created_at + interval '5 days')::date,
       CASE WHEN b.status IN ('held', 'closed') THEN 'present' END,
       format('bench-p-%s-%s', b.agency, b.n % 25), b.created_at + interval '2 days'
  FROM batch b,
       LATERAL (SELECT format('B%s', lpad(((((b.n - 1) % 40) + k) % 40 + 1)::text, 2, '0')) AS code
                  FROM generate_series(1, 3) k) a
 WHERE b.status <> 'requested';
\endif

\if :history
INSERT INTO consent_decisions (meeting_id, kind, decision, decided_by_sub, decided_by_name,
                               decided_by_agency, decided_at)
SELECT b.id, 'family_notice', 'inform', format('bench-m-%s', b.agency), 'Bench Manager', b.agency,
       b.created_at + interval '2 days'
  FROM batch b WHERE b.status NOT IN ('requested', 'declined');

INSERT INTO minutes (meeting_id, number, status, content, created_by_sub, created_by_name,
                     updated_by_sub, updated_by_name, approved_by_sub, approved_by_name,
                     approved_at, created_at, updated_at)
SELECT b.id, 1, 'approved',
       jsonb_build_object('purpose', 'Agree a plan', 'needs', 'Routine', 'strengths', 'School',
                          'risks', 'Missed appointments', 'decisions', 'Plan agreed'),
       format('bench-p-%s-%s', b.agency, b.n % 25), 'Minute Taker',
       format('bench-p-%s-%s', b.agency, b.n % 25), 'Minute Taker',
       format('bench-m-%s', b.agency), 'Bench Manager', b.created_at + interval '12 days',
       b.created_at + interval '11 days', b.created_at + interval '12 days'
  FROM batch b WHERE b.status IN ('held', 'closed');
\endif

-- five actions per held or closed meeting, owned by invited practitioners;
-- about one in four open actions is overdue
INSERT INTO actions (meeting_id, current_meeting_id, minutes_number, item_index, description,
                     owner_name, owner_agency, owner_sub, due_date, contingency, status,
                     status_note, created_at, closed_at, closed_by_sub)
SELECT b.id, b.id, 1, k - 1, format('Action %s of meeting %s', k, b.n),
       format('Practitioner %s', b.n % 25), a.code, format('bench-p-%s-%s', a.code, b.n % 25),
       current_date + ((b.n * k) % 60) - 15, 'Escalate to the chair',
       CASE WHEN (b.n + k) % 3 = 0 THEN 'completed' ELSE 'open' END,
       CASE WHEN (b.n + k) % 3 = 0 THEN 'Done' END,
       b.created_at + interval '12 days',
       -- completed as the service completes: when and by whom (the
       -- obligation of a completed action is met then)
       CASE WHEN (b.n + k) % 3 = 0 THEN b.created_at + interval '20 days' END,
       CASE WHEN (b.n + k) % 3 = 0 THEN format('bench-p-%s-%s', a.code, b.n % 25) END
  FROM batch b, generate_series(1, 5) k,
       LATERAL (SELECT format('B%s', lpad(((((b.n - 1) % 40) + (k % 3) + 1) % 40 + 1)::text, 2, '0')) AS code) a
 WHERE b.status IN ('held', 'closed');

\if :history
-- the audit and feed events such histories leave behind
INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type,
                          resource_id, outcome, occurred_at)
SELECT md5(b.n::text || s.action), format('bench-p-%s-%s', b.agency, b.n % 25), b.agency,
       s.action, 'meeting', b.id::text, 'success', b.created_at + s.after
  FROM batch b,
       (VALUES ('meeting.create', interval '0'), ('meeting.read', interval '1 hour'),
               ('meeting.authorise', interval '1 day'), ('invitation.create', interval '2 days'),
               ('meeting.schedule', interval '3 days'), ('meeting.read', interval '4 days'),
               ('meeting.hold', interval '10 days'), ('minutes.write', interval '11 days'),
               ('minutes.approve', interval '12 days'), ('meeting.read', interval '13 days')) s(action, after);

INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version, occurred_at)
SELECT gen_random_uuid(), b.agency, s.type, 'meeting', b.id::text, s.v, b.created_at + s.after
  FROM batch b,
       (VALUES ('meeting.requested', 1, interval '0'), ('meeting.authorised', 2, interval '1 day'),
               ('invitation.created', 2, interval '2 days'), ('meeting.scheduled', 3, interval '3 days'),
               ('meeting.held', 4, interval '10 days'), ('minutes.approved', 4, interval '12 days'),
               ('action.created', 1, interval '12 days'), ('action.created', 1, interval '12 days'),
               ('action.completed', 2, interval '20 days'), ('meeting.closed', 5, interval '20 days')) s(type, v, after);

\endif

-- who may see each of them (sql/006): the loader runs with triggers off,
-- so the rows the triggers would keep are written here (requester,
-- convening managers, chair, minute taker, then the invitees)
INSERT INTO meeting_access (principal, meeting_id, created_at, status)
SELECT DISTINCT p.principal, m.id, m.created_at, m.status
  FROM batch b JOIN meetings m ON m.id = b.id,
       LATERAL (VALUES ('p:' || m.requester_sub), ('m:' || m.convening_agency),
                       ('p:' || m.chair_sub), ('p:' || m.minute_taker_sub)) p(principal)
 WHERE p.principal IS NOT NULL;

\if :history
INSERT INTO meeting_access (principal, meeting_id, created_at, status)
SELECT DISTINCT 'p:' || i.invitee_sub, b.id, b.created_at, b.status
  FROM batch b JOIN invitations i ON i.meeting_id = b.id
 WHERE i.invitee_sub IS NOT NULL
ON CONFLICT DO NOTHING;
\endif

-- the obligations the records imply (OBL-2, migration 032): the loader runs
-- with triggers off, so the rows obligations_on_change would keep are
-- derived here, by the same definition (meeting_obligations); with
-- obligations=0 they are not (the readmodel run's last stage, which
-- measures only the meetings list, which never reads them: deriving a
-- million meetings' obligations is most of that load's time)
\if :obligations
INSERT INTO obligations SELECT o.* FROM batch b, LATERAL meeting_obligations(b.id) o;
\endif

-- the read model (migration 050): the loader runs with triggers off, so the
-- renderings meeting_renderings_on_change would store at COMMIT are made
-- here, last, by the same definition (meeting_json, meeting_rendering_valid,
-- as meeting_renderings_refresh makes them), and the definition is marked
-- current. A database at an older schema (today's main, measured beside
-- the read model by bench/run.sh) has no read model and gets none.
SELECT to_regclass('meeting_renderings') IS NOT NULL AS read_model \gset
\if :read_model
INSERT INTO meeting_renderings (meeting_id, body, version, valid_from, valid_until, rendered_at)
SELECT m.id, meeting_json(m, (now() AT TIME ZONE 'UTC')::date), m.version, v.valid_from,
       v.valid_until, clock_timestamp()
  FROM batch b JOIN meetings m ON m.id = b.id,
       meeting_rendering_valid(m, (now() AT TIME ZONE 'UTC')::date) v;
SELECT meeting_renderings_mark_current();
\endif

DROP TABLE batch;
