-- 031 the escalations an agency is asked to answer, which the obligations
-- lists (OBL-2, sql/functions/80_obligations.sql) look up by agency:
-- escalations_by_agencies leads with the raiser's agency.
CREATE INDEX escalations_by_with_agency ON escalations (with_agency);
