-- Functions every other definition uses.
--
-- The files of sql/functions hold every SQL function of the schema, each
-- once, in its final form. `mam migrate` applies them after the numbered
-- migrations, every time it runs, in file-name order and in one
-- transaction (CREATE OR REPLACE), so what is written here is what the
-- database runs. Numbered migrations hold tables and data changes only; one
-- that changes a function's arguments or result type drops the old
-- function first (CREATE OR REPLACE cannot change them).
--
-- Why the renderers and visibility checks are PL/pgSQL with generic plans
-- (measured on the benchmark database, 1,000,000 meetings): a SQL-language
-- function that the planner cannot inline (a body with a FROM or a
-- sub-select) is parsed and planned afresh by every query that calls it,
-- and again for each row when called from another such function; a meeting
-- read was mostly parsing and planning. PL/pgSQL keeps each function's
-- plans for the life of the connection, and `plan_cache_mode =
-- force_generic_plan` makes them once rather than for each row's values.
-- `#variable_conflict use_column` keeps the reading a SQL function gives a
-- name that is both a column and a parameter. One-expression functions
-- without a sub-select stay SQL so that the planner inlines them.

-- RFC 3339 in UTC with a Z, the one timestamp format of the API. STABLE,
-- as to_char is, so that the planner inlines it.
CREATE OR REPLACE FUNCTION rfc3339(ts timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;
