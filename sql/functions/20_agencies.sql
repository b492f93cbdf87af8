-- The agency directory.

CREATE OR REPLACE FUNCTION agency_json(a agencies) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'code', a.code, 'name', a.name, 'kind', a.kind, 'active', a.active,
    'version', a.version, 'created_at', rfc3339(a.created_at),
    'updated_at', rfc3339(a.updated_at))
$$;
