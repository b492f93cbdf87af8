-- 034 CHR-2: agencies' own entries in a child's chronology. An entry is
-- the agency's (of its author): the date it happened, what happened, the
-- action taken or why none, and whether it is fact or opinion. It changes
-- only by a new version with a reason; every version is kept, in
-- chronology_entry_versions, which no role may change or delete.
CREATE TABLE chronology_entries (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  child_id        uuid NOT NULL REFERENCES children (id),
  agency          text NOT NULL REFERENCES agencies (code),
  author_sub      text NOT NULL,
  author_name     text NOT NULL,
  occurred_on     date NOT NULL,
  what_happened   text NOT NULL,
  action_taken    text,
  why_no_action   text,
  basis           text NOT NULL CHECK (basis IN ('fact', 'opinion')),
  version         integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((action_taken IS NULL) <> (why_no_action IS NULL))
);
CREATE INDEX chronology_entries_by_child ON chronology_entries (child_id, occurred_on);

CREATE TABLE chronology_entry_versions (
  entry_id        uuid NOT NULL REFERENCES chronology_entries (id),
  version         integer NOT NULL,
  occurred_on     date NOT NULL,
  what_happened   text NOT NULL,
  action_taken    text,
  why_no_action   text,
  basis           text NOT NULL,
  reason          text,
  by_sub          text NOT NULL,
  by_name         text NOT NULL,
  at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entry_id, version),
  CHECK ((version = 1) = (reason IS NULL))
);
CREATE TRIGGER chronology_entry_versions_append_only BEFORE UPDATE OR DELETE
  ON chronology_entry_versions FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
