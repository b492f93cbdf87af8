-- 035 ISL-1 to ISL-3: the information-sharing ledger. Every disclosure of
-- case data outside the agency holding it is an entry: what (a resource
-- and its version, or a summary of what was said), to whom, when, for what
-- purpose, on which lawful basis (a closed vocabulary), whether the
-- child's and the parents' views were sought (and why not), who decided,
-- and the limit on passing it on. A refusal to share is an entry too, with
-- its reason (ISL-3). The flows that disclose write their entries in their
-- own transaction (ISL-2), by the triggers below (their functions' final
-- forms in sql/functions/37_information_sharing.sql); spoken disclosures and
-- refusals are recorded through the API. Entries are never changed or
-- deleted.
CREATE TABLE information_sharing (
  id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq                      bigserial UNIQUE,
  kind                     text NOT NULL CHECK (kind IN ('disclosure', 'refusal')),
  channel                  text NOT NULL CHECK (channel IN ('minutes_distribution', 'family_copy',
                             'paper', 'verbal', 'written')),
  child_id                 uuid REFERENCES children (id),
  meeting_id               uuid REFERENCES meetings (id),
  from_agency              text NOT NULL,
  resource_type            text,
  resource_id              text,
  resource_version         integer,
  what                     text NOT NULL,
  to_name                  text NOT NULL,
  to_agency                text,
  to_category              text NOT NULL CHECK (to_category IN ('professional', 'family', 'other')),
  shared_at                timestamptz NOT NULL,
  purpose                  text NOT NULL,
  lawful_basis             text CHECK (lawful_basis IN ('consent', 'public_task',
                             'legal_obligation', 'vital_interests', 'safeguarding_condition')),
  child_views_sought       boolean,
  parents_views_sought     boolean,
  views_not_sought_reason  text,
  decided_by_sub           text NOT NULL,
  decided_by_name          text NOT NULL,
  onward_limit             text,
  refusal_reason           text,
  recorded_at              timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'refusal') = (refusal_reason IS NOT NULL)),
  CHECK (kind = 'refusal' OR lawful_basis IS NOT NULL),
  CHECK (child_id IS NOT NULL OR meeting_id IS NOT NULL)
);
CREATE INDEX information_sharing_by_child ON information_sharing (child_id, shared_at)
  WHERE child_id IS NOT NULL;
CREATE INDEX information_sharing_by_meeting ON information_sharing (meeting_id, shared_at)
  WHERE meeting_id IS NOT NULL;
CREATE INDEX information_sharing_by_time ON information_sharing (shared_at, seq);

CREATE TRIGGER information_sharing_append_only BEFORE UPDATE OR DELETE ON information_sharing
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER information_sharing_no_truncate BEFORE TRUNCATE ON information_sharing
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- ISL-2: the triggers by which the flows that disclose write their entries
-- in their own transaction. The first forms of their functions; the final
-- forms are in sql/functions/37_information_sharing.sql, applied after the
-- migrations (the same bodies when this migration was written).
-- MIN-4: minutes sent to a recipient; to the family, their copy (FAM-5).
CREATE FUNCTION information_sharing_on_distribution() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO information_sharing (kind, channel, meeting_id, from_agency, resource_type,
    resource_id, resource_version, what, to_name, to_agency, to_category, shared_at, purpose,
    lawful_basis, decided_by_sub, decided_by_name, onward_limit)
  SELECT 'disclosure', CASE WHEN NEW.category = 'family' THEN 'family_copy'
                            ELSE 'minutes_distribution' END,
         m.id, m.convening_agency, 'minutes', m.id::text, NEW.number,
         format('Minutes of %s, version %s%s', m.reference, NEW.number,
                CASE WHEN NEW.category = 'family' THEN ', the family''s copy' ELSE '' END),
         NEW.recipient_name, NEW.recipient_agency, NEW.category, NEW.sent_at,
         'The record of a multi-agency safeguarding meeting (MIN-4)', 'public_task',
         NEW.recorded_by_sub, NEW.recorded_by_name,
         'Not to be passed on without the agreement of ' || m.convening_agency
    FROM meetings m WHERE m.id = NEW.meeting_id;
  RETURN NULL;
END
$$;

-- INV-6: a paper shared in advance with an invitee.
CREATE FUNCTION information_sharing_on_paper() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO information_sharing (kind, channel, meeting_id, from_agency, resource_type,
    resource_id, resource_version, what, to_name, to_agency, to_category, shared_at, purpose,
    lawful_basis, decided_by_sub, decided_by_name, onward_limit)
  SELECT 'disclosure', 'paper', m.id, m.convening_agency, 'invitation', i.id::text, i.version,
         'Paper in advance: ' || NEW.title || coalesce(' (' || NEW.reference || ')', ''),
         i.invitee_name, i.agency,
         CASE WHEN i.category IN ('parent_carer', 'child_young_person') THEN 'family'
              ELSE 'professional' END,
         NEW.shared_at, 'Papers for a multi-agency safeguarding meeting (INV-6)', 'public_task',
         NEW.shared_by_sub, NEW.shared_by_name,
         'Not to be passed on without the agreement of ' || m.convening_agency
    FROM invitations i JOIN meetings m ON m.id = i.meeting_id
   WHERE i.id = NEW.invitation_id;
  RETURN NULL;
END
$$;

CREATE TRIGGER information_sharing_distribution AFTER INSERT ON minutes_distribution
  FOR EACH ROW EXECUTE FUNCTION information_sharing_on_distribution();
CREATE TRIGGER information_sharing_paper AFTER INSERT ON invitation_papers
  FOR EACH ROW EXECUTE FUNCTION information_sharing_on_paper();
