-- 049 RET-3: what the class registry (044) left to the functions alone.
--
-- A subject access case concerns no meeting and no agency's feed (043 said
-- so for its tombstone; 044 replaced that check with the meeting record's
-- alone): its disposal names no meeting and no agency, so that neither its
-- proposal nor record.purged can reach an agency, whatever a function says.
ALTER TABLE disposals ADD CONSTRAINT disposals_subject_access_case_concerns_no_agency
  CHECK (record_class <> 'subject_access_case'
         OR (meeting_id IS NULL AND meeting_reference IS NULL AND cardinality(agencies) = 0));

-- RET-3: a meeting record's dependants (meeting_record_dependants) include
-- the escalations about its declined request; the due list asks for each
-- meeting due, so that question is answered from an index.
CREATE INDEX escalations_by_declined_request ON escalations (declined_request_id)
  WHERE declined_request_id IS NOT NULL;

-- RET-3: deleting a month of the audit trail (045) checks each deleted
-- event's agency rows by their foreign key; this index answers it, where
-- the primary key (agency, event_id) cannot.
CREATE INDEX audit_event_agencies_by_event ON audit_event_agencies (event_id);
