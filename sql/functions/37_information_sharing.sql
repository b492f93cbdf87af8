-- ISL-2: the flows that disclose write their own ledger entries, in the
-- same transaction, whichever code path inserts the disclosure: a trigger
-- on each record of a disclosure (sql/035_information_sharing.sql).
--
-- These entries are written without the discloser being asked for a
-- purpose, a lawful basis or the views sought, which the flows do not
-- collect: the purpose is the flow's own (the multi-agency record of the
-- meeting, the papers for it), the lawful basis `public_task` (the
-- statutory safeguarding duties the meetings serve), the views not
-- recorded (NULL), and the onward limit the partnership's default. The
-- holding agency is the meeting's convening agency.

-- The onward limit of an automatic entry: the partnership's default, the
-- holding agency's agreement.
CREATE OR REPLACE FUNCTION sharing_onward_limit(holding_agency text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT 'Not to be passed on without the agreement of ' || holding_agency
$$;

-- The ledger's recipient category of an invitee: the child and their
-- parents or carers are the family, everyone else a professional.
CREATE OR REPLACE FUNCTION sharing_invitee_category(invitee_category text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN invitee_category IN ('parent_carer', 'child_young_person') THEN 'family'
              ELSE 'professional' END
$$;

-- MIN-4: minutes sent to a recipient; to the family, their copy (FAM-5),
-- which is their rendition (REN-2, sql/036_renditions.sql): the entry
-- names the rendition sent (rows from before renditions name the minutes).
CREATE OR REPLACE FUNCTION information_sharing_on_distribution() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO information_sharing (kind, channel, meeting_id, from_agency, resource_type,
    resource_id, resource_version, what, to_name, to_agency, to_category, shared_at, purpose,
    lawful_basis, decided_by_sub, decided_by_name, onward_limit)
  SELECT 'disclosure', CASE WHEN NEW.category = 'family' THEN 'family_copy'
                            ELSE 'minutes_distribution' END,
         m.id, m.convening_agency,
         CASE WHEN NEW.rendition_id IS NULL THEN 'minutes' ELSE 'rendition' END,
         coalesce(NEW.rendition_id, m.id)::text,
         CASE WHEN NEW.rendition_id IS NULL THEN NEW.number ELSE 1 END,
         format('Minutes of %s, version %s%s', m.reference, NEW.number,
                CASE WHEN NEW.category = 'family' THEN ', the family''s copy' ELSE '' END),
         NEW.recipient_name, NEW.recipient_agency, NEW.category, NEW.sent_at,
         'The record of a multi-agency safeguarding meeting (MIN-4)', 'public_task',
         NEW.recorded_by_sub, NEW.recorded_by_name,
         sharing_onward_limit(m.convening_agency)
    FROM meetings m WHERE m.id = NEW.meeting_id;
  RETURN NULL;
END
$$;

-- REN-2: a rendition sent to a recipient.
CREATE OR REPLACE FUNCTION information_sharing_on_rendition_share() RETURNS trigger
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
         sharing_onward_limit(m.convening_agency)
    FROM minutes_renditions r JOIN meetings m ON m.id = r.meeting_id
   WHERE r.id = NEW.rendition_id;
  RETURN NULL;
END
$$;

-- REN-3: the chair's outcome letter, to each invitee.
CREATE OR REPLACE FUNCTION information_sharing_on_outcome_letter() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO information_sharing (kind, channel, meeting_id, from_agency, resource_type,
    resource_id, resource_version, what, to_name, to_agency, to_category, shared_at, purpose,
    lawful_basis, decided_by_sub, decided_by_name, onward_limit)
  SELECT 'disclosure', 'outcome_letter', m.id, m.convening_agency, 'outcome_letter',
         m.id::text, l.version, format('The outcome letter of %s', m.reference),
         i.invitee_name, i.agency,
         sharing_invitee_category(i.category),
         l.sent_at, 'The outcome of a multi-agency safeguarding meeting (REN-3)', 'public_task',
         l.sent_by_sub, l.sent_by_name,
         sharing_onward_limit(m.convening_agency)
    FROM outcome_letters l JOIN meetings m ON m.id = l.meeting_id
    JOIN invitations i ON i.id = NEW.invitation_id
   WHERE l.meeting_id = NEW.meeting_id;
  RETURN NULL;
END
$$;

-- INV-6: a paper shared in advance with an invitee.
CREATE OR REPLACE FUNCTION information_sharing_on_paper() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO information_sharing (kind, channel, meeting_id, from_agency, resource_type,
    resource_id, resource_version, what, to_name, to_agency, to_category, shared_at, purpose,
    lawful_basis, decided_by_sub, decided_by_name, onward_limit)
  SELECT 'disclosure', 'paper', m.id, m.convening_agency, 'invitation', i.id::text, i.version,
         'Paper in advance: ' || NEW.title || coalesce(' (' || NEW.reference || ')', ''),
         i.invitee_name, i.agency,
         sharing_invitee_category(i.category),
         NEW.shared_at, 'Papers for a multi-agency safeguarding meeting (INV-6)', 'public_task',
         NEW.shared_by_sub, NEW.shared_by_name,
         sharing_onward_limit(m.convening_agency)
    FROM invitations i JOIN meetings m ON m.id = i.meeting_id
   WHERE i.id = NEW.invitation_id;
  RETURN NULL;
END
$$;

-- ISL-3: the entries about a child: recorded against the child, or about a
-- meeting the child is a subject of.
CREATE OR REPLACE FUNCTION information_sharing_concerns(x information_sharing, child uuid)
RETURNS boolean
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN x.child_id = child
      OR (x.meeting_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM meeting_children c WHERE c.meeting_id = x.meeting_id
               AND c.child_id = child));
END
$$;

CREATE OR REPLACE FUNCTION information_sharing_json(x information_sharing) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', x.id,
    'kind', x.kind,
    'channel', x.channel,
    'child_id', x.child_id,
    'meeting_id', x.meeting_id,
    'from_agency', x.from_agency,
    'what', json_build_object('summary', x.what, 'resource_type', x.resource_type,
                              'resource_id', x.resource_id, 'version', x.resource_version),
    'to', json_build_object('name', x.to_name, 'agency', x.to_agency, 'category', x.to_category),
    'at', rfc3339(x.shared_at),
    'purpose', x.purpose,
    'lawful_basis', x.lawful_basis,
    'views', json_build_object('child_sought', x.child_views_sought,
                               'parents_sought', x.parents_views_sought,
                               'why_not', x.views_not_sought_reason),
    'decided_by', json_build_object('sub', x.decided_by_sub, 'name', x.decided_by_name),
    'onward_limit', x.onward_limit,
    'refusal_reason', x.refusal_reason,
    'recorded_at', rfc3339(x.recorded_at))
$$;
