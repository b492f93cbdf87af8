-- 009 the SQL functions move to sql/functions/, defined once each in their
-- final form and applied by every `mam migrate` after the numbered
-- migrations (see sql/functions/00_common.sql). The functions whose
-- arguments change there are dropped here, so that the old forms do not
-- linger beside the new ones:
--  - renderers whose output depends on the date take the request's date
--    (one clock per request) instead of reading now();
--  - visibility takes the caller's principals (caller_principals()), so the
--    principal encoding and SEC-2 are written once;
--  - meeting_agencies takes the meeting's id like its neighbours.
DROP FUNCTION meeting_json(meetings);
DROP FUNCTION invitation_json(invitations);
DROP FUNCTION action_json(actions);
DROP FUNCTION escalation_json(escalations);
DROP FUNCTION action_visible(actions, text, text, boolean);
DROP FUNCTION meeting_visible(meetings, text, text, boolean);
DROP FUNCTION escalation_visible(escalations, text, text, text[]);
DROP FUNCTION meeting_agencies(meetings);
