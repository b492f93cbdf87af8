-- 030 the clocks as policy in the database (OBL-1), and the reminders the
-- scheduler has sent (OBL-3).
--
-- Each row of policy_versions is one version of every clock, effective from
-- the moment it was recorded (the database's clock, like every record
-- timestamp). Rows are never changed or removed (the runtime role may only
-- add them: sql/functions/90_runtime_grants.sql). An obligation runs under the
-- version in effect when the event it runs from happened (policy_at(), in
-- sql/functions/80_obligations.sql), so a later change never moves it.
--
-- Version 1 carries the values this deployment ran with before: `mam migrate`
-- hands the environment's NOTICE_WORKING_DAYS, RESPONSE_WORKING_DAYS,
-- DRIFT_WORKING_DAYS, FEEDBACK_WORKING_DAYS, SAFEGUARDING_REFERRAL_WORKING_DAYS,
-- MINUTES_DUE_WORKING_DAYS and ESCALATION_STAGE_WORKING_DAYS to this migration
-- as the session settings mam.seed_* (src/db/migrate.c); where one is not set,
-- the documented default. It is effective from -infinity, so every record
-- made before this migration runs under the values it was made under. From
-- here on those variables only seed a new database.
CREATE TABLE policy_versions (
  version                             integer PRIMARY KEY CHECK (version >= 1),
  effective_from                      timestamptz NOT NULL,
  changed_by_sub                      text NOT NULL,
  changed_by_agency                   text,
  reason                              text,
  drift_working_days                  integer NOT NULL CHECK (drift_working_days BETWEEN 1 AND 500),
  notice_working_days                 integer NOT NULL CHECK (notice_working_days BETWEEN 0 AND 100),
  response_working_days               integer NOT NULL CHECK (response_working_days BETWEEN 1 AND 100),
  minutes_due_working_days            integer NOT NULL CHECK (minutes_due_working_days BETWEEN 1 AND 200),
  feedback_working_days               integer NOT NULL CHECK (feedback_working_days BETWEEN 1 AND 100),
  safeguarding_referral_working_days  integer NOT NULL
                                        CHECK (safeguarding_referral_working_days BETWEEN 0 AND 20),
  escalation_stage_working_days       integer[] NOT NULL
                                        CHECK (cardinality(escalation_stage_working_days) = 4
                                               AND 1 <= ALL (escalation_stage_working_days)
                                               AND 100 >= ALL (escalation_stage_working_days)),
  papers_before_working_days          integer NOT NULL CHECK (papers_before_working_days BETWEEN 0 AND 50),
  icpc_working_days                   integer NOT NULL CHECK (icpc_working_days BETWEEN 1 AND 100),
  action_due_soon_working_days        integer NOT NULL CHECK (action_due_soon_working_days BETWEEN 0 AND 50),
  manager_reminder_working_days       integer NOT NULL CHECK (manager_reminder_working_days BETWEEN 1 AND 100),
  contingency_working_days            integer NOT NULL CHECK (contingency_working_days BETWEEN 1 AND 200),
  created_at                          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX policy_versions_by_effect ON policy_versions (effective_from DESC, version DESC);

INSERT INTO policy_versions (
  version, effective_from, changed_by_sub, changed_by_agency, reason,
  drift_working_days, notice_working_days, response_working_days, minutes_due_working_days,
  feedback_working_days, safeguarding_referral_working_days, escalation_stage_working_days,
  papers_before_working_days, icpc_working_days, action_due_soon_working_days,
  manager_reminder_working_days, contingency_working_days)
VALUES (
  1, '-infinity', 'mam migrate', NULL,
  'The values the deployment ran with before the clocks became policy (its environment, else the defaults)',
  coalesce(nullif(current_setting('mam.seed_drift_working_days', true), '')::integer, 20),
  coalesce(nullif(current_setting('mam.seed_notice_working_days', true), '')::integer, 5),
  coalesce(nullif(current_setting('mam.seed_response_working_days', true), '')::integer, 3),
  coalesce(nullif(current_setting('mam.seed_minutes_due_working_days', true), '')::integer, 15),
  coalesce(nullif(current_setting('mam.seed_feedback_working_days', true), '')::integer, 5),
  coalesce(nullif(current_setting('mam.seed_safeguarding_referral_working_days', true), '')::integer, 1),
  coalesce(string_to_array(nullif(current_setting('mam.seed_escalation_stage_working_days', true), ''),
                           ',')::integer[], ARRAY[5, 5, 10, 10]),
  2, 15, 2, 5, 10);

-- OBL-3: each reminder sent, once per obligation and stage. The scheduler
-- inserts here and appends the feed event in the same transaction; the
-- primary key is what makes "once" hold, whatever instance runs it and
-- however often (a restart, two instances, a run on demand).
CREATE TABLE reminders_sent (
  obligation_id  uuid NOT NULL,
  stage          text NOT NULL CHECK (stage IN ('due_soon', 'due', 'overdue', 'overdue_manager',
                   'offered')),
  event_type     text NOT NULL,
  sent_on        date NOT NULL,
  sent_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (obligation_id, stage)
);
