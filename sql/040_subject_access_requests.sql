-- 040 SAR-1, SAR-2: subject access requests, registered and answered by the
-- `dpo`. A request names its subject (a child by reference, or a person by
-- subject id, name or both), the requester and their relation, when it was
-- received and when the requester's identity was verified, and its due
-- date (SAR-1, computed by the service on its working-day calendar:
-- domain/subject_access.c); an extension (once, before the first due date)
-- records its reason and when the requester was told.
--
-- Gathering snapshots every record touching the subject into
-- subject_access_items (sar_gather, sql/functions/38_subject_access.sql),
-- once, so that each decision refers to a stable item: its source and
-- version, its contributing agency, the third parties it names, the parts
-- already withheld under FAM-2, FAM-5 or REN-1, and its text as it was
-- gathered. Each item then carries the dpo's decision: disclose, redact
-- (the spans, each with its exemption) or withhold (with its exemption).
-- Once the disclosure set has gone to the requester, the dpo records the
-- day it was answered; an answered request is overdue no more, and changes
-- no more.
CREATE TABLE subject_access_requests (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  child_system          text,
  child_ref_id          text,
  subject_sub           text,
  subject_name          text,
  requester_name        text NOT NULL,
  requester_relation    text NOT NULL CHECK (requester_relation IN ('self', 'parent', 'carer',
                          'legal_representative', 'advocate', 'other')),
  received_on           date NOT NULL,
  identity_verified_on  date,
  due_on                date NOT NULL,
  extended_due_on       date,
  extension_reason      text,
  requester_told_on     date,
  extended_by_sub       text,
  extended_by_name      text,
  extended_at           timestamptz,
  child_id              uuid REFERENCES children (id),
  gathered_at           timestamptz,
  gathered_by_sub       text,
  gathered_by_name      text,
  answered_on           date,
  answered_by_sub       text,
  answered_by_name      text,
  registered_by_sub     text NOT NULL,
  registered_by_name    text NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now(),
  version               integer NOT NULL DEFAULT 1,
  CHECK ((child_system IS NULL) = (child_ref_id IS NULL)),
  CHECK ((child_system IS NOT NULL) <> (subject_sub IS NOT NULL OR subject_name IS NOT NULL)),
  CHECK ((extended_due_on IS NULL) = (extension_reason IS NULL)),
  CHECK ((extended_due_on IS NULL) = (requester_told_on IS NULL)),
  CHECK (identity_verified_on IS NULL OR identity_verified_on >= received_on),
  CHECK (answered_on IS NULL OR (gathered_at IS NOT NULL AND answered_on >= received_on))
);
CREATE INDEX subject_access_requests_by_due
  ON subject_access_requests ((coalesce(extended_due_on, due_on)), id);
CREATE INDEX subject_access_requests_by_time ON subject_access_requests (created_at, id);

CREATE TABLE subject_access_items (
  request_id       uuid NOT NULL REFERENCES subject_access_requests (id),
  item_no          integer NOT NULL CHECK (item_no > 0),
  kind             text NOT NULL CHECK (kind IN ('meeting', 'minutes', 'rendition',
                     'consent_decision', 'invitation', 'action', 'escalation',
                     'chronology_entry', 'information_sharing')),
  at               timestamptz,
  source_type      text NOT NULL,
  source_id        text NOT NULL,
  source_version   integer,
  source_path      text,
  meeting_id       uuid,
  agency           text,
  third_parties    jsonb NOT NULL,
  withheld         jsonb NOT NULL,
  text             text NOT NULL,
  decision         text CHECK (decision IN ('disclose', 'redact', 'withhold')),
  exemption        text,
  spans            jsonb,
  decided_by_sub   text,
  decided_by_name  text,
  decided_at       timestamptz,
  PRIMARY KEY (request_id, item_no),
  CHECK ((decision IS NULL) = (decided_at IS NULL)),
  CHECK (decision IS NULL OR (decision = 'withhold') = (exemption IS NOT NULL)),
  CHECK (decision IS NULL OR (decision = 'redact') = (spans IS NOT NULL))
);
-- an item's record, once gathered, stays as it was gathered
CREATE FUNCTION subject_access_items_keep_record() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.request_id, NEW.item_no, NEW.kind, NEW.source_type, NEW.source_id,
      NEW.source_version, NEW.text, NEW.third_parties, NEW.withheld)
     IS DISTINCT FROM
     (OLD.request_id, OLD.item_no, OLD.kind, OLD.source_type, OLD.source_id,
      OLD.source_version, OLD.text, OLD.third_parties, OLD.withheld) THEN
    RAISE EXCEPTION 'a gathered item keeps its record; only its decision changes'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER subject_access_items_keep_record BEFORE UPDATE ON subject_access_items
  FOR EACH ROW EXECUTE FUNCTION subject_access_items_keep_record();
