/* handlers: every route's handler, grouped by the resource they serve.
 * The route table in routes.c is the only caller. */
#ifndef MAM_HANDLERS_H
#define MAM_HANDLERS_H

#include "http/req.h"

/* ops.c: operations endpoints, no token */
void handle_ops_livez(req *r);
void handle_ops_readyz(req *r);
void handle_ops_metrics(req *r);
void handle_ops_openapi(req *r);
void handle_ops_reference(req *r);
void handle_ops_problem(req *r);

/* agencies.c */
void handle_agencies_list(req *r);
void handle_agencies_create(req *r);
void handle_agencies_get(req *r);
void handle_agencies_update(req *r);

/* children.c: children as subjects (CHR-1, INT-1) */
void handle_children_list(req *r);
void handle_children_get(req *r);
void handle_children_chronology(req *r);
void handle_children_chronology_pdf(req *r);

/* sharing.c: the information-sharing ledger (ISL-1 to ISL-3) */
void handle_sharing_create(req *r);
void handle_sharing_list(req *r);

/* subject access requests (SAR-1, SAR-2) */
void handle_sar_create(req *r);
void handle_sar_list(req *r);
void handle_sar_get(req *r);
void handle_sar_extend(req *r);
void handle_sar_gather(req *r);
void handle_sar_items_list(req *r);
void handle_sar_decide(req *r);
void handle_sar_export(req *r);
void handle_sar_export_pdf(req *r);
void handle_sar_answer(req *r);
void handle_sar_consult(req *r);
void handle_sar_consultations_of_request(req *r);
void handle_sar_consultations_list(req *r);
void handle_sar_consultation_get(req *r);
void handle_sar_consultation_answer(req *r);

/* chronology_entries.c: agencies' own chronology entries (CHR-2) */
void handle_chronology_entries_create(req *r);
void handle_chronology_entries_get(req *r);
void handle_chronology_entries_update(req *r);

/* meetings.c, meeting_commands.c */
void handle_meetings_create(req *r);
void handle_meetings_list(req *r);
void handle_meetings_get(req *r);
void handle_meetings_update(req *r);
void handle_meetings_authorise(req *r);
void handle_meetings_decline(req *r);
void handle_meetings_cancel(req *r);

/* meeting_planning.c: scheduling, attendance and holding (MTG-6 to MTG-8) */
void handle_meetings_schedule(req *r);
void handle_meetings_reschedule(req *r);
void handle_meetings_attendance(req *r);
void handle_meetings_hold(req *r);

/* invitations.c, invitation_answers.c (INV-1 to INV-7) */
void handle_invitations_create(req *r);
void handle_meeting_invitations_list(req *r);
void handle_invitations_get(req *r);
void handle_invitations_mine(req *r);
void handle_invitations_respond(req *r);
void handle_invitations_add_paper(req *r);
void handle_invitations_withdraw(req *r);

/* consent.c: family-notice decisions (FAM-1 to FAM-4, FAM-8) */
void handle_consent_create(req *r);
void handle_consent_list(req *r);
void handle_consent_get(req *r);
void handle_consent_agree(req *r);

/* bank_holidays.c */
void handle_bank_holidays_list(req *r);
void handle_bank_holidays_create(req *r);
void handle_bank_holidays_get(req *r);
void handle_bank_holidays_delete(req *r);
void handle_bank_holiday_imports_create(req *r);

/* reports.c */
void handle_reports_drifting(req *r);

/* minutes.c, minutes_approval.c, minutes_distribution.c (MIN-1 to MIN-4) */
void handle_minutes_put(req *r);
void handle_minutes_get(req *r);
void handle_minutes_versions(req *r);
void handle_minutes_version(req *r);
void handle_minutes_family_copy(req *r);
void handle_minutes_amend(req *r);
void handle_minutes_approve(req *r);
void handle_minutes_distribute(req *r);

/* renditions.c (REN-2) */
void handle_renditions_create(req *r);
void handle_renditions_list(req *r);
void handle_renditions_get(req *r);
void handle_renditions_share(req *r);

/* inaccuracies.c (REN-4) */
void handle_inaccuracies_create(req *r);
void handle_inaccuracies_list(req *r);
void handle_inaccuracies_get(req *r);
void handle_inaccuracies_answer(req *r);

/* outcome_letters.c (REN-3) */
void handle_outcome_letter_send(req *r);
void handle_outcome_letter_get(req *r);
void handle_meetings_close(req *r);

/* actions.c (ACT-1 to ACT-3) */
void handle_actions_list(req *r);
void handle_actions_get(req *r);
void handle_actions_update(req *r);
void handle_actions_complete(req *r);
void handle_actions_cancel(req *r);

/* reports.c */
void handle_reports_overdue_minutes(req *r);
void handle_reports_review_overdue(req *r);

/* escalations.c (ESC-1 to ESC-4) */
void handle_escalations_create(req *r);
void handle_escalations_list(req *r);
void handle_escalations_get(req *r);
void handle_escalations_respond(req *r);
void handle_escalations_escalate(req *r);
void handle_escalations_resolve(req *r);
void handle_escalations_withdraw(req *r);

/* policy.c: the clocks as policy (OBL-1) */
void handle_policy_get(req *r);
void handle_policy_versions(req *r);
void handle_policy_put(req *r);

/* obligations.c: what is owed (OBL-2) and the reminders (OBL-3) */
void handle_obligations_list(req *r);
void handle_obligations_get(req *r);
void handle_reminders_run(req *r);

/* audit_events.c */
void handle_audit_events_list(req *r);

/* events.c */
void handle_events_list(req *r);

/* webhooks.c (INT-5) */
void handle_webhooks_create(req *r);
void handle_webhooks_list(req *r);
void handle_webhooks_get(req *r);
void handle_webhooks_update(req *r);
void handle_webhooks_delete(req *r);
void handle_webhooks_rotate(req *r);
void handle_webhooks_deliveries(req *r);
void handle_webhooks_replay(req *r);

/* calendar.c (INT-6) */
void handle_meetings_calendar(req *r);
void handle_invitations_calendar(req *r);
void handle_calendar_tokens_create(req *r);
void handle_calendar_tokens_list(req *r);
void handle_calendar_tokens_revoke(req *r);
void handle_calendar_feed(req *r);

/* retention.c: retention policies, case closures, records due (RET-1) */
void handle_retention_policy_get(req *r);
void handle_retention_policy_put(req *r);
void handle_retention_policy_versions(req *r);
void handle_case_closures_create(req *r);
void handle_records_due(req *r);
void handle_records_due_run(req *r);

/* idempotency_records.c: the purge of idempotency records due (RET-1) */
void handle_idempotency_records_purge(req *r);

/* holds.c: retention holds (RET-2) */
void handle_holds_create(req *r);
void handle_holds_list(req *r);
void handle_holds_get(req *r);
void handle_holds_release(req *r);

/* disposals.c: disposal as a decision of two people (RET-3) */
void handle_disposals_create(req *r);
void handle_disposals_get(req *r);
void handle_disposals_approve(req *r);

/* access_report.c: who read or changed a child's records (SEC-7) */
void handle_children_access_report(req *r);

#endif
