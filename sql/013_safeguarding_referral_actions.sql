-- 013 a safeguarding referral recorded as needed in approved minutes becomes
-- a tracked action for whoever makes it (ACT-4), beside the action plan's
-- items and the feedback to the family. Existing actions keep their kind;
-- minutes approved before this change made no referral action and are not
-- revisited (an amendment approved later makes it, once per meeting).
ALTER TABLE actions DROP CONSTRAINT actions_kind_check;
ALTER TABLE actions ADD CONSTRAINT actions_kind_check
  CHECK (kind IN ('plan', 'family_feedback', 'safeguarding_referral'));
