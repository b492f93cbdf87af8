-- CHR-1, INT-1: children as subjects, keyed by their identifiers
-- (sql/021_children.sql).

-- The identifiers a meeting's child gives, strongest first: the NHS
-- number, the UPN, then the external reference.
CREATE OR REPLACE FUNCTION child_keys(ext_system text, ext_id text, nhs text, upn text)
RETURNS TABLE (system text, id text, strength integer)
LANGUAGE sql IMMUTABLE AS $$
  SELECT 'nhs_number', nhs, 1 WHERE nhs IS NOT NULL
  UNION ALL SELECT 'upn', upn, 2 WHERE upn IS NOT NULL
  UNION ALL SELECT ext_system, ext_id, 3 WHERE ext_system IS NOT NULL AND ext_id IS NOT NULL
$$;

-- The child these identifiers name, made when none is known yet, and the
-- identifiers it did not have recorded for it. Where they name two
-- children already (a typing error, or two records of one child), the
-- strongest identifier decides and nothing is added: identifiers are never
-- moved from one child to another here, and the caller is told nothing of
-- a child it may not see (SEC-2). Two requests making the same new child at
-- once: the identifier each inserts last decides, and the loser links to
-- the winner's child.
CREATE OR REPLACE FUNCTION child_link(ext_system text, ext_id text, nhs text, upn text)
RETURNS uuid
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  known uuid[];
  child uuid;
BEGIN
  IF ext_system IS NULL AND nhs IS NULL AND upn IS NULL THEN
    RETURN NULL;
  END IF;
  known := ARRAY(SELECT i.child_id
                   FROM child_keys(ext_system, ext_id, nhs, upn) k
                   JOIN child_identifiers i ON i.system = k.system AND i.id = k.id
                  ORDER BY k.strength);
  IF cardinality(known) > 0 THEN
    child := known[1];
    IF EXISTS (SELECT 1 FROM unnest(known) x WHERE x <> child) THEN
      RETURN child;
    END IF;
  ELSE
    INSERT INTO children DEFAULT VALUES RETURNING id INTO child;
  END IF;
  INSERT INTO child_identifiers (system, id, child_id)
  SELECT k.system, k.id, child FROM child_keys(ext_system, ext_id, nhs, upn) k
  ON CONFLICT DO NOTHING;
  -- a concurrent request may have recorded the strongest identifier first
  RETURN (SELECT i.child_id
            FROM child_keys(ext_system, ext_id, nhs, upn) k
            JOIN child_identifiers i ON i.system = k.system AND i.id = k.id
           ORDER BY k.strength LIMIT 1);
END
$$;

-- A child as a caller sees it: only what the meetings they may see say of
-- it (SEC-2): the identifiers, names and dates of birth given there, and
-- those meetings, oldest first.
CREATE OR REPLACE FUNCTION child_record_json(child uuid, principals text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
    WITH seen AS (
      SELECT c.*, m.reference, m.type, m.status, m.created_at AS requested_at
        FROM meeting_children c JOIN meetings m ON m.id = c.meeting_id
       WHERE c.child_id = child AND meeting_visible(c.meeting_id, principals))
    SELECT json_build_object(
      'id', child,
      'identifiers', coalesce((SELECT json_agg(json_build_object('system', k.system, 'id', k.id)
                                               ORDER BY k.strength, k.system, k.id)
                                 FROM (SELECT DISTINCT k.system, k.id, k.strength
                                         FROM seen s,
                                              child_keys(s.external_system, s.external_id,
                                                         s.nhs_number, s.upn) k) k), '[]'::json),
      'names', coalesce((SELECT json_agg(DISTINCT s.name) FROM seen s WHERE s.name IS NOT NULL),
                        '[]'::json),
      'dates_of_birth', coalesce((SELECT json_agg(DISTINCT to_char(s.date_of_birth, 'YYYY-MM-DD'))
                                    FROM seen s WHERE s.date_of_birth IS NOT NULL), '[]'::json),
      'meetings', coalesce((SELECT json_agg(json_build_object(
                                     'id', s.meeting_id, 'reference', s.reference,
                                     'type', s.type, 'status', s.status,
                                     'requested_at', rfc3339(s.requested_at))
                                   ORDER BY s.requested_at, s.meeting_id)
                              FROM seen s), '[]'::json),
      'version', (SELECT x.version FROM children x WHERE x.id = child)));
END
$$;
