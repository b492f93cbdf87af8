-- 033 CHR-1, INT-1: children as subjects of their own, keyed by the
-- identifiers agencies know them by, so that a chronology or a ledger can
-- be asked for by any of them.
--
-- A child is an id and its identifiers: external references (system and
-- id, as the case-management systems give them) and the national
-- identifiers where known, under the reserved systems `nhs_number` (ten
-- digits, check digit valid) and `upn` (thirteen characters, check letter
-- valid; domain/child_ids.c validates both before anything is stored). An
-- identifier names one child. A meeting's subject children (is_subject)
-- link to their child by their identifiers when the meeting is requested
-- or its children change (child_link, sql/functions/35_children.sql); a
-- child with no identifier at all (a name only) links to none, since a
-- name is no key. The other children of a household are not linked.
--
-- Existing meetings' subject children are brought forward here: one child
-- for each distinct external reference, every meeting naming it linked.
CREATE TABLE children (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE child_identifiers (
  system    text NOT NULL,
  id        text NOT NULL,
  child_id  uuid NOT NULL,
  PRIMARY KEY (system, id),
  CONSTRAINT child_identifiers_nhs_number CHECK (system <> 'nhs_number' OR id ~ '^[0-9]{10}$'),
  CONSTRAINT child_identifiers_upn CHECK (system <> 'upn' OR id ~ '^[A-Z][0-9]{11}[0-9A-Z]$')
);
CREATE INDEX child_identifiers_by_child ON child_identifiers (child_id);

ALTER TABLE meeting_children
  ADD COLUMN nhs_number text CONSTRAINT meeting_children_nhs_number CHECK (nhs_number ~ '^[0-9]{10}$'),
  ADD COLUMN upn text CONSTRAINT meeting_children_upn CHECK (upn ~ '^[A-Z][0-9]{11}[0-9A-Z]$'),
  ADD COLUMN child_id uuid REFERENCES children (id),
  ADD CONSTRAINT meeting_children_child_is_subject CHECK (child_id IS NULL OR is_subject);
CREATE INDEX meeting_children_by_child ON meeting_children (child_id, meeting_id)
  WHERE child_id IS NOT NULL;

-- bring existing meetings' children forward
INSERT INTO child_identifiers (system, id, child_id)
SELECT r.external_system, r.external_id, gen_random_uuid()
  FROM (SELECT DISTINCT external_system, external_id FROM meeting_children
         WHERE is_subject AND external_system IS NOT NULL) r;
INSERT INTO children (id) SELECT child_id FROM child_identifiers;
UPDATE meeting_children c SET child_id = i.child_id
  FROM child_identifiers i
 WHERE c.is_subject AND i.system = c.external_system AND i.id = c.external_id;

ALTER TABLE child_identifiers
  ADD CONSTRAINT child_identifiers_child_id_fkey FOREIGN KEY (child_id) REFERENCES children (id);
