-- 044 RET-1..3: the record classes as a table rather than as CHECK lists
-- copied onto every retention table. A class is a row here, with the start
-- events its period may run from and what may happen at its end; its
-- records, their disposal and who reaches them are functions named after
-- it (sql/functions/88_retention.sql says which), so that adding a class is
-- a migration that adds its rows and a file that defines its functions.
CREATE TABLE retention_record_classes (
  record_class   text PRIMARY KEY CHECK (record_class ~ '^[a-z][a-z_]{2,40}$'),
  -- the table whose row (id = the record's id) a decision locks, so that a
  -- decision and a change of the record cannot pass each other; NULL when
  -- the record is not one row
  row_table      text,
  -- what record.purged names on the feed (resource_type; the resource id
  -- is the record's id) for the agencies the record concerned
  resource_type  text
);
CREATE TABLE retention_class_starts (
  record_class  text NOT NULL REFERENCES retention_record_classes (record_class),
  runs_from     text NOT NULL CHECK (runs_from ~ '^[a-z][a-z_]{2,40}$'),
  PRIMARY KEY (record_class, runs_from)
);
CREATE TABLE retention_class_actions (
  record_class  text NOT NULL REFERENCES retention_record_classes (record_class),
  then_action   text NOT NULL CHECK (then_action IN ('review', 'delete', 'anonymise')),
  PRIMARY KEY (record_class, then_action)
);

INSERT INTO retention_record_classes (record_class, row_table, resource_type) VALUES
  ('meeting_record', 'meetings', 'meeting'),
  ('subject_access_case', 'subject_access_requests', NULL);
INSERT INTO retention_class_starts (record_class, runs_from) VALUES
  ('meeting_record', 'meeting_closed'), ('meeting_record', 'case_closed'),
  ('meeting_record', 'date_of_birth'), ('subject_access_case', 'request_answered');
INSERT INTO retention_class_actions (record_class, then_action) VALUES
  ('meeting_record', 'review'), ('meeting_record', 'delete'),
  ('subject_access_case', 'review'), ('subject_access_case', 'delete');

-- policies: a class's start event and end action are ones it allows
ALTER TABLE retention_policies DROP CONSTRAINT retention_policies_record_class_check;
ALTER TABLE retention_policies DROP CONSTRAINT retention_policies_runs_from_check;
ALTER TABLE retention_policies DROP CONSTRAINT retention_policies_runs_from_fits_class;
ALTER TABLE retention_policies DROP CONSTRAINT retention_policies_then_action_check;
ALTER TABLE retention_policies ADD CONSTRAINT retention_policies_start_of_class
  FOREIGN KEY (record_class, runs_from) REFERENCES retention_class_starts (record_class, runs_from);
ALTER TABLE retention_policies ADD CONSTRAINT retention_policies_action_of_class
  FOREIGN KEY (record_class, then_action)
  REFERENCES retention_class_actions (record_class, then_action);

ALTER TABLE retention_holds DROP CONSTRAINT retention_holds_record_class_check;
ALTER TABLE retention_holds ADD CONSTRAINT retention_holds_record_class_known
  FOREIGN KEY (record_class) REFERENCES retention_record_classes (record_class);

-- disposals: meeting_id names the meeting the record is (a meeting record)
-- or belongs to (NULL when it belongs to none); meeting_reference is the
-- record's reference (a meeting's; a class may name its records otherwise,
-- NULL when it does not); agencies are those its class's records function
-- says it concerned. `action` is what the decision does to the record:
-- delete its content, or anonymise it (RET-1), when its class allows it.
ALTER TABLE disposals DROP CONSTRAINT disposals_record_class_check;
ALTER TABLE disposals DROP CONSTRAINT disposals_meeting_fields;
ALTER TABLE disposals DROP CONSTRAINT disposals_agencies_of_meetings;
ALTER TABLE disposals ADD CONSTRAINT disposals_record_class_known
  FOREIGN KEY (record_class) REFERENCES retention_record_classes (record_class);
ALTER TABLE disposals ADD CONSTRAINT disposals_meeting_fields
  CHECK (record_class <> 'meeting_record'
         OR (meeting_id = record_id AND meeting_reference IS NOT NULL));
ALTER TABLE disposals ADD COLUMN action text NOT NULL DEFAULT 'delete'
  CHECK (action IN ('delete', 'anonymise'));
ALTER TABLE disposals ADD CONSTRAINT disposals_action_of_class
  FOREIGN KEY (record_class, action) REFERENCES retention_class_actions (record_class, then_action);

-- One record's retention, whatever its class: what each class's records
-- function returns (sql/functions/88_retention.sql).
CREATE TYPE retention_record AS (
  record_class    text,
  record_id       uuid,
  meeting_id      uuid,      -- the meeting it is or belongs to
  reference       text,      -- its reference (a meeting's), or NULL
  child_ids       uuid[],    -- the children it is about
  agencies        text[],    -- whose feeds hear of its disposal
  policy_version  integer,
  runs_from       text,
  then_action     text,
  starts_on       date,      -- NULL while its start event has not happened
  due_on          date,
  hold_ids        uuid[],    -- holds in effect on it (RET-2)
  disposal_id     uuid,      -- the decision proposed or made on it
  dependants      integer    -- later records pointing at it, disposed of first
);

-- the per-class functions they were are now retention_records_<class>
DROP FUNCTION IF EXISTS meeting_record_retention(date);
DROP FUNCTION IF EXISTS meeting_record_retention_under(date, retention_policies);
DROP FUNCTION IF EXISTS subject_access_case_retention(date);
DROP FUNCTION IF EXISTS subject_access_case_retention_under(date, retention_policies);
DROP FUNCTION IF EXISTS records_due(date);
DROP FUNCTION IF EXISTS record_due_json(uuid, text, uuid[], integer, text, text, date, date,
                                        uuid[], uuid);
