-- The bench child of the chronology rows (CHR-1, CHR-3): a fictitious child
-- (NHS number 999 000 0018, of the range kept for testing), the subject of
-- every 40th meeting of agency B01 up to :meetings (meeting n has id
-- md5('bench-meeting-' || n), agency B<(n-1) % 40 + 1>, bench/load.sql),
-- and as many agencies' own entries (CHR-2) as make its chronology, as the
-- manager of B01 sees it, :entries entries long. Run after bench/load.sql,
-- as the superuser with triggers off (the rows are made consistent here).
INSERT INTO children (id) VALUES (md5('bench-child')::uuid);
INSERT INTO child_identifiers (system, id, child_id)
VALUES ('nhs_number', '9990000018', md5('bench-child')::uuid),
       ('bench', 'CH-0001', md5('bench-child')::uuid);
UPDATE meeting_children
   SET child_id = md5('bench-child')::uuid, nhs_number = '9990000018',
       external_system = 'bench', external_id = 'CH-0001'
 WHERE is_subject AND position = 0
   AND meeting_id IN (SELECT md5('bench-meeting-' || n)::uuid
                        FROM generate_series(1, :meetings, 40) n);
WITH derived AS (
  SELECT count(*) AS n
    FROM child_chronology(md5('bench-child')::uuid,
                          caller_principals('bench-m-B01', 'B01', true, false), 'B01',
                          '{manager}'::text[]))
INSERT INTO chronology_entries (id, child_id, agency, author_sub, author_name, occurred_on,
                                what_happened, action_taken, why_no_action, basis)
SELECT md5('bench-chronology-entry-' || k)::uuid, md5('bench-child')::uuid,
       'B' || lpad((1 + k % 3)::text, 2, '0'), 'bench-p-B01-0', 'Bench Practitioner',
       date '2020-01-01' + (k * 5)::integer,
       format('Home visit %s: the child was seen at home with her younger brother; the '
              'kitchen was clean and there was food in the cupboards; the mother spoke '
              'about the support she has from the family.', k),
       CASE WHEN k % 4 <> 0 THEN 'Visit recorded; the next visit booked with the health visitor' END,
       CASE WHEN k % 4 = 0 THEN 'Nothing new of concern' END,
       CASE WHEN k % 5 = 0 THEN 'opinion' ELSE 'fact' END
  FROM derived, generate_series(1, greatest(0, :entries - derived.n)) k;
INSERT INTO chronology_entry_versions (entry_id, version, occurred_on, what_happened,
                                       action_taken, why_no_action, basis, by_sub, by_name)
SELECT id, 1, occurred_on, what_happened, action_taken, why_no_action, basis, author_sub,
       author_name
  FROM chronology_entries WHERE child_id = md5('bench-child')::uuid;
