-- 007 the functions that render and filter every answer, made cheap to call.
--
-- Measured on the benchmark database (bench/, 1,000,000 meetings), the
-- database spent most of a GET /v1/meetings/{id} parsing and planning,
-- not reading: some 2 ms a call for 23 buffer hits. Two causes, both in
-- how PostgreSQL 15 runs SQL-language functions:
--
--  1. rfc3339() was declared IMMUTABLE around to_char(), which is only
--     STABLE, so the planner would not inline it and ran it as a function
--     call, parsing its body again on each use: about ten per meeting.
--     STABLE is what it is.
--  2. A SQL-language function that the planner cannot inline (a body with
--     a FROM or a sub-select) is parsed and planned afresh by every query
--     that calls it, and again for each row when it is called from inside
--     another such function. PL/pgSQL keeps each function's plans for the
--     life of the connection, so the functions below become PL/pgSQL with
--     the same single expression as their body. Their plans are generic
--     (plan_cache_mode), so that they are made once, not re-planned for
--     each row's values.
--
-- The bodies are carried over unchanged (the DO block wraps each in
-- RETURN (...)), so the answers are the same: the whole API suite checks
-- them. #variable_conflict use_column keeps the SQL-function reading of a
-- name that is both a column and a parameter. A later migration that
-- redefines one of these functions should define it in PL/pgSQL the same
-- way, or its calls become slow again (nothing breaks).
ALTER FUNCTION rfc3339(timestamptz) STABLE;

DO $convert$
DECLARE
  f regprocedure;
  body text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'meeting_json(meetings)',
    'meeting_visible(meetings, text, text, boolean)',
    'meeting_family_notice(uuid)',
    'meeting_agencies(meetings)',
    'meeting_invited_agencies(uuid)',
    'consent_status(consent_decisions)',
    'consent_decision_json(consent_decisions)',
    'invitation_json(invitations)',
    'minutes_json(minutes)',
    'action_json(actions)',
    'action_visible(actions, text, text, boolean)',
    'escalation_json(escalations)'
  ]::regprocedure[] LOOP
    SELECT rtrim(btrim(p.prosrc, E' \n\t'), E'; \n\t') INTO body
      FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
     WHERE p.oid = f AND l.lanname = 'sql';
    IF body IS NULL THEN
      RAISE EXCEPTION '% is not a SQL-language function any more', f;
    END IF;
    EXECUTE format(
      'CREATE OR REPLACE FUNCTION %s(%s) RETURNS %s LANGUAGE plpgsql STABLE'
      ' SET plan_cache_mode = force_generic_plan AS %L',
      (SELECT p.oid::regproc FROM pg_proc p WHERE p.oid = f),
      pg_get_function_arguments(f), pg_get_function_result(f),
      E'#variable_conflict use_column\nBEGIN\n  RETURN (\n' || body || E'\n  );\nEND');
  END LOOP;
END
$convert$;
