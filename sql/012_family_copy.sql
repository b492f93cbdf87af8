-- 012 the family's copy of the minutes (MIN-5). A distribution records which
-- copy each recipient received: the family always the copy the service builds
-- from an allow-list (never part 1 of a two-part meeting), everyone else the
-- full record. Rows recorded before this change keep copy NULL: what was sent
-- then was not recorded, and is not guessed. The minutes themselves are not
-- touched: their new members (childs_views, part_1, part_2, ...) are optional
-- in every stored document, and approved versions stay as they were approved.
ALTER TABLE minutes_distribution
  ADD COLUMN copy text CHECK (copy IN ('full', 'family')),
  ADD CONSTRAINT minutes_distribution_family_gets_the_family_copy
    CHECK (copy IS NULL OR (copy = 'family') = (category = 'family'));
