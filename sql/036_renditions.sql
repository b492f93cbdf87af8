-- 036 REN-1, REN-2: minutes for each audience.
--
-- REN-1 lives in the minutes' own document: its optional `sections`, each
-- with an audience (everyone, professionals_only, agency,
-- family_excluded_part) and, when withheld from anyone, a withheld reason
-- (third_party, family_excluded_part, fii, police_investigation,
-- referrer_identity). Checked by the service (src/domain/minutes.c); the
-- stored documents need no change, as sections are optional.
--
-- REN-2: a rendition is what one audience (parent_or_carer, child, agency,
-- public_summary) receives of one approved version of the minutes. The
-- chair approves it; it is built once, then never changed or deleted (the
-- triggers refuse, for every role), and stays pinned to its version
-- whatever amendments follow. It carries where material was withheld and
-- why (never the material), and the chair's fair summary of it.
CREATE TABLE minutes_renditions (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq               bigserial UNIQUE,
  meeting_id        uuid NOT NULL,
  number            integer NOT NULL,
  audience          text NOT NULL CHECK (audience IN ('parent_or_carer', 'child', 'agency',
                      'public_summary')),
  agency            text,
  content           jsonb NOT NULL,
  withheld          jsonb NOT NULL,
  withheld_summary  text,
  approved_by_sub   text NOT NULL,
  approved_by_name  text NOT NULL,
  approved_at       timestamptz NOT NULL DEFAULT now(),
  version           integer NOT NULL DEFAULT 1,
  FOREIGN KEY (meeting_id, number) REFERENCES minutes (meeting_id, number),
  CHECK ((audience = 'agency') = (agency IS NOT NULL)),
  CHECK (jsonb_array_length(withheld) = 0 OR withheld_summary IS NOT NULL),
  CONSTRAINT minutes_renditions_once UNIQUE NULLS NOT DISTINCT (meeting_id, number, audience,
                                                                 agency)
);
CREATE INDEX minutes_renditions_by_meeting ON minutes_renditions (meeting_id, seq);

CREATE TRIGGER minutes_renditions_immutable BEFORE UPDATE OR DELETE ON minutes_renditions
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER minutes_renditions_no_truncate BEFORE TRUNCATE ON minutes_renditions
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Each sending of a rendition: to whom, when, recorded by whom. Written
-- once, never changed; each writes its ledger entry (ISL-2) by trigger.
CREATE TABLE rendition_shares (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  rendition_id      uuid NOT NULL REFERENCES minutes_renditions (id),
  recipient_name    text NOT NULL,
  recipient_agency  text,
  category          text NOT NULL CHECK (category IN ('professional', 'family', 'other')),
  contact           text NOT NULL,
  sent_at           timestamptz NOT NULL,
  recorded_by_sub   text NOT NULL,
  recorded_by_name  text NOT NULL,
  recorded_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rendition_shares_by_rendition ON rendition_shares (rendition_id, sent_at);
CREATE TRIGGER rendition_shares_append_only BEFORE UPDATE OR DELETE ON rendition_shares
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- FAM-5, REN-2: the family's copy of the minutes is their rendition. A
-- distribution to the family from here on names the rendition it sent;
-- rows recorded before keep NULL (the copy then was built on reading, and
-- is not guessed), hence NOT VALID: the rule holds for every new row.
ALTER TABLE minutes_distribution
  ADD COLUMN rendition_id uuid REFERENCES minutes_renditions (id),
  ADD CONSTRAINT minutes_distribution_family_gets_their_rendition
    CHECK (copy IS DISTINCT FROM 'family' OR rendition_id IS NOT NULL) NOT VALID;

-- ISL-2: a rendition sent is a disclosure, in the ledger.
ALTER TABLE information_sharing DROP CONSTRAINT information_sharing_channel_check;
ALTER TABLE information_sharing ADD CONSTRAINT information_sharing_channel_check
  CHECK (channel IN ('minutes_distribution', 'family_copy', 'paper', 'verbal', 'written',
                     'rendition'));

-- The first form of the trigger's function; its final form is in
-- sql/functions/37_information_sharing.sql (the same body when written).
CREATE FUNCTION information_sharing_on_rendition_share() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO information_sharing (kind, channel, meeting_id, from_agency, resource_type,
    resource_id, resource_version, what, to_name, to_agency, to_category, shared_at, purpose,
    lawful_basis, decided_by_sub, decided_by_name, onward_limit)
  SELECT 'disclosure', 'rendition', m.id, m.convening_agency, 'rendition', r.id::text,
         r.version,
         format('Minutes of %s, version %s, the %s rendition', m.reference, r.number,
                replace(r.audience, '_', ' ')),
         NEW.recipient_name, NEW.recipient_agency, NEW.category, NEW.sent_at,
         'The record of a multi-agency safeguarding meeting, for its audience (REN-2)',
         'public_task', NEW.recorded_by_sub, NEW.recorded_by_name,
         'Not to be passed on without the agreement of ' || m.convening_agency
    FROM minutes_renditions r JOIN meetings m ON m.id = r.meeting_id
   WHERE r.id = NEW.rendition_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER information_sharing_rendition AFTER INSERT ON rendition_shares
  FOR EACH ROW EXECUTE FUNCTION information_sharing_on_rendition_share();
