/* The route table: every route the service answers, in one place.
 * tests/contract checks that this table and openapi.yaml list the same
 * routes (`mam routes` prints it). */
#include "api/handlers.h"
#include "api/routes.h"
#include "auth/caller.h"
#include "http/route.h"

#define PAGE "limit", "cursor"

static const char *const q_agencies[] = {"kind", "active", PAGE, NULL};
static const char *const q_meetings[] = {"status",       "type",      "convening_agency",
                                         "external_ref", "child_external_ref", "reference",
                                         PAGE,           NULL};
static const char *const q_audit[] = {"actor", "resource_id", "resource_type", "from", "to", PAGE,
                                      NULL};
static const char *const q_events[] = {"after", "limit", NULL};
static const char *const q_hooks[] = {"agency", PAGE, NULL};
static const char *const q_deliveries[] = {"status", PAGE, NULL};
static const char *const q_page[] = {PAGE, NULL};
static const char *const q_mine[] = {"invitee", "status", PAGE, NULL};
static const char *const q_holidays[] = {"from", "to", PAGE, NULL};
static const char *const q_import[] = {"division", NULL};
static const char *const q_actions[] = {"owner", "agency", "meeting_id", "status", "overdue",
                                        PAGE, NULL};
static const char *const q_obligations[] = {"owner", "agency", "meeting_id",
                                            "child_external_ref", "status", "due_before",
                                            PAGE, NULL};
static const char *const q_children[] = {"ref", PAGE, NULL};
static const char *const q_sharing[] = {"child_id", "agency", "from", "to", PAGE, NULL};
static const char *const q_chronology[] = {"from", "to", "agency", "kind", PAGE, NULL};
static const char *const q_chronology_pdf[] = {"from", "to", "agency", "kind", NULL};
static const char *const q_sars[] = {"overdue", PAGE, NULL};
static const char *const q_holds[] = {"in_effect", PAGE, NULL};
static const char *const q_escalations[] = {"meeting_id", "status", "stage", "agency",
                                            "overdue", PAGE, NULL};

#define BODY ROUTE_BODY_REQUIRED
#define BODY_OPT ROUTE_BODY_OPTIONAL
#define CHANGE ROUTE_IF_MATCH
#define HOOK_ROLES (ROLE_INTEGRATION | ROLE_ADMIN)
#define RETENTION_ROLES (ROLE_DPO | ROLE_ADMIN)
#define DISPOSAL_ROLES (ROLE_DPO | ROLE_ADMIN | ROLE_SENIOR_MANAGER)

const route api_routes[] = {
    /* operations */
    {"GET", "/livez", handle_ops_livez, ROUTE_PUBLIC, 0, NULL},
    {"GET", "/readyz", handle_ops_readyz, ROUTE_PUBLIC, 0, NULL},
    {"GET", "/metrics", handle_ops_metrics, ROUTE_PUBLIC, 0, NULL},
    {"GET", "/openapi.yaml", handle_ops_openapi, ROUTE_PUBLIC, 0, NULL},
    {"GET", "/reference", handle_ops_reference, ROUTE_PUBLIC, 0, NULL},
    {"GET", "/problems/{problem}", handle_ops_problem, ROUTE_PUBLIC, 0, NULL},

    /* agency directory */
    {"GET", "/v1/agencies", handle_agencies_list, 0, 0, q_agencies},
    {"POST", "/v1/agencies", handle_agencies_create, BODY, ROLE_ADMIN, NULL},
    {"GET", "/v1/agencies/{code}", handle_agencies_get, 0, 0, NULL},
    {"PATCH", "/v1/agencies/{code}", handle_agencies_update, BODY | CHANGE, ROLE_ADMIN, NULL},

    /* meetings */
    {"POST", "/v1/meetings", handle_meetings_create, BODY, ROLES_CASEWORK, NULL},
    {"GET", "/v1/meetings", handle_meetings_list, 0, 0, q_meetings},
    {"GET", "/v1/meetings/{meeting_id}", handle_meetings_get, 0, 0, NULL},
    {"PATCH", "/v1/meetings/{meeting_id}", handle_meetings_update, BODY | CHANGE, 0, NULL},
    {"POST", "/v1/meetings/{meeting_id}/authorise", handle_meetings_authorise, BODY_OPT | CHANGE, 0, NULL},
    {"POST", "/v1/meetings/{meeting_id}/decline", handle_meetings_decline, BODY_OPT | CHANGE, 0, NULL},
    {"POST", "/v1/meetings/{meeting_id}/cancel", handle_meetings_cancel, BODY_OPT | CHANGE, 0, NULL},

    /* children as subjects (CHR-1, INT-1) */
    {"GET", "/v1/children", handle_children_list, 0, 0, q_children},
    {"GET", "/v1/children/{child_id}", handle_children_get, 0, 0, NULL},
    {"GET", "/v1/children/{child_id}/chronology", handle_children_chronology, 0, 0, q_chronology},
    {"GET", "/v1/children/{child_id}/chronology/pdf", handle_children_chronology_pdf, 0, 0, q_chronology_pdf},
    {"POST", "/v1/children/{child_id}/chronology/entries", handle_chronology_entries_create, BODY, 0, NULL},
    {"GET", "/v1/chronology-entries/{entry_id}", handle_chronology_entries_get, 0, 0, NULL},
    {"PATCH", "/v1/chronology-entries/{entry_id}", handle_chronology_entries_update, BODY | CHANGE, 0, NULL},

    /* the information-sharing ledger (ISL-1 to ISL-3) */
    {"POST", "/v1/information-sharing", handle_sharing_create, BODY, ROLES_CASEWORK, NULL},
    {"GET", "/v1/information-sharing", handle_sharing_list, 0, ROLE_DPO | ROLE_AUDITOR, q_sharing},

    /* subject access requests (SAR-1, SAR-2): the dpo's alone, 404 to anyone else */
    {"POST", "/v1/subject-access-requests", handle_sar_create, BODY, 0, NULL},
    {"GET", "/v1/subject-access-requests", handle_sar_list, 0, 0, q_sars},
    {"GET", "/v1/subject-access-requests/{sar_id}", handle_sar_get, 0, 0, NULL},
    {"POST", "/v1/subject-access-requests/{sar_id}/extension", handle_sar_extend, BODY | CHANGE, 0, NULL},
    {"POST", "/v1/subject-access-requests/{sar_id}/gather", handle_sar_gather, BODY_OPT | CHANGE, 0, NULL},
    {"GET", "/v1/subject-access-requests/{sar_id}/items", handle_sar_items_list, 0, 0, q_page},
    {"PUT", "/v1/subject-access-requests/{sar_id}/items/{item_no}/decision", handle_sar_decide, BODY | CHANGE, 0, NULL},
    {"GET", "/v1/subject-access-requests/{sar_id}/export", handle_sar_export, 0, 0, NULL},
    {"GET", "/v1/subject-access-requests/{sar_id}/export/pdf", handle_sar_export_pdf, 0, 0, NULL},
    {"POST", "/v1/subject-access-requests/{sar_id}/answer", handle_sar_answer, BODY | CHANGE, 0, NULL},
    {"POST", "/v1/subject-access-requests/{sar_id}/consultations", handle_sar_consult, BODY, 0, NULL},
    {"GET", "/v1/subject-access-requests/{sar_id}/consultations", handle_sar_consultations_of_request, 0, 0, q_sars},
    /* SAR-2: a consultation is the dpo's and the consulted agency's managers' */
    {"GET", "/v1/subject-access-consultations", handle_sar_consultations_list, 0, 0, q_sars},
    {"GET", "/v1/subject-access-consultations/{consultation_id}", handle_sar_consultation_get, 0, 0, NULL},
    {"POST", "/v1/subject-access-consultations/{consultation_id}/answer", handle_sar_consultation_answer, BODY | CHANGE, 0, NULL},

    /* planning: scheduling, attendance, holding */
    {"POST", "/v1/meetings/{meeting_id}/schedule", handle_meetings_schedule, BODY | CHANGE, 0, NULL},
    {"POST", "/v1/meetings/{meeting_id}/reschedule", handle_meetings_reschedule, BODY | CHANGE, 0, NULL},
    {"PUT", "/v1/meetings/{meeting_id}/attendance", handle_meetings_attendance, BODY | CHANGE, 0, NULL},
    {"POST", "/v1/meetings/{meeting_id}/hold", handle_meetings_hold, BODY_OPT | CHANGE, 0, NULL},

    /* invitations */
    {"POST", "/v1/meetings/{meeting_id}/invitations", handle_invitations_create, BODY, 0, NULL},
    {"GET", "/v1/meetings/{meeting_id}/invitations", handle_meeting_invitations_list, 0, 0, q_page},
    {"GET", "/v1/invitations", handle_invitations_mine, 0, 0, q_mine},
    {"GET", "/v1/invitations/{invitation_id}", handle_invitations_get, 0, 0, NULL},
    {"POST", "/v1/invitations/{invitation_id}/respond", handle_invitations_respond, BODY | CHANGE, 0, NULL},
    {"POST", "/v1/invitations/{invitation_id}/papers", handle_invitations_add_paper, BODY, 0, NULL},
    {"POST", "/v1/invitations/{invitation_id}/withdraw", handle_invitations_withdraw, BODY | CHANGE, 0, NULL},

    /* family-notice decisions */
    {"POST", "/v1/meetings/{meeting_id}/consent-decisions", handle_consent_create, BODY, 0, NULL},
    {"GET", "/v1/meetings/{meeting_id}/consent-decisions", handle_consent_list, 0, 0, q_page},
    {"GET", "/v1/consent-decisions/{decision_id}", handle_consent_get, 0, 0, NULL},
    {"POST", "/v1/consent-decisions/{decision_id}/agreements", handle_consent_agree, BODY, 0, NULL},

    /* minutes, approval, distribution, closing */
    {"PUT", "/v1/meetings/{meeting_id}/minutes", handle_minutes_put, BODY, 0, NULL},
    {"GET", "/v1/meetings/{meeting_id}/minutes", handle_minutes_get, 0, 0, NULL},
    {"GET", "/v1/meetings/{meeting_id}/minutes/versions", handle_minutes_versions, 0, 0, q_page},
    {"GET", "/v1/meetings/{meeting_id}/minutes/versions/{number}", handle_minutes_version, 0, 0, NULL},
    {"GET", "/v1/meetings/{meeting_id}/minutes/versions/{number}/family-copy",
     handle_minutes_family_copy, 0, 0, NULL},
    {"POST", "/v1/meetings/{meeting_id}/minutes/approve", handle_minutes_approve, BODY_OPT | CHANGE, 0, NULL},
    {"POST", "/v1/meetings/{meeting_id}/minutes/amendments", handle_minutes_amend, BODY, 0, NULL},
    {"POST", "/v1/meetings/{meeting_id}/minutes/distribution", handle_minutes_distribute, BODY, 0, NULL},
    {"POST", "/v1/meetings/{meeting_id}/minutes/versions/{number}/renditions",
     handle_renditions_create, BODY, 0, NULL},
    {"GET", "/v1/meetings/{meeting_id}/renditions", handle_renditions_list, 0, 0, q_page},
    {"GET", "/v1/renditions/{rendition_id}", handle_renditions_get, 0, 0, NULL},
    {"POST", "/v1/renditions/{rendition_id}/shares", handle_renditions_share, BODY, 0, NULL},
    {"POST", "/v1/meetings/{meeting_id}/minutes/versions/{number}/inaccuracies",
     handle_inaccuracies_create, BODY, 0, NULL},
    {"GET", "/v1/meetings/{meeting_id}/inaccuracies", handle_inaccuracies_list, 0, 0, q_page},
    {"GET", "/v1/inaccuracies/{inaccuracy_id}", handle_inaccuracies_get, 0, 0, NULL},
    {"POST", "/v1/inaccuracies/{inaccuracy_id}/answer", handle_inaccuracies_answer, BODY | CHANGE, 0, NULL},
    {"POST", "/v1/meetings/{meeting_id}/outcome-letter", handle_outcome_letter_send, BODY, 0, NULL},
    {"GET", "/v1/meetings/{meeting_id}/outcome-letter", handle_outcome_letter_get, 0, 0, NULL},
    {"POST", "/v1/meetings/{meeting_id}/close", handle_meetings_close, BODY_OPT | CHANGE, 0, NULL},

    /* actions */
    {"GET", "/v1/actions", handle_actions_list, 0, 0, q_actions},
    {"GET", "/v1/actions/{action_id}", handle_actions_get, 0, 0, NULL},
    {"PATCH", "/v1/actions/{action_id}", handle_actions_update, BODY | CHANGE, 0, NULL},
    {"POST", "/v1/actions/{action_id}/complete", handle_actions_complete, BODY_OPT | CHANGE, 0, NULL},
    {"POST", "/v1/actions/{action_id}/cancel", handle_actions_cancel, BODY_OPT | CHANGE, 0, NULL},

    /* escalations */
    {"POST", "/v1/escalations", handle_escalations_create, BODY, ROLES_CASEWORK, NULL},
    {"GET", "/v1/escalations", handle_escalations_list, 0, 0, q_escalations},
    {"GET", "/v1/escalations/{escalation_id}", handle_escalations_get, 0, 0, NULL},
    {"POST", "/v1/escalations/{escalation_id}/responses", handle_escalations_respond, BODY, 0, NULL},
    {"POST", "/v1/escalations/{escalation_id}/escalate", handle_escalations_escalate, BODY_OPT | CHANGE, 0, NULL},
    {"POST", "/v1/escalations/{escalation_id}/resolve", handle_escalations_resolve, BODY | CHANGE, 0, NULL},
    {"POST", "/v1/escalations/{escalation_id}/withdraw", handle_escalations_withdraw, BODY | CHANGE, 0, NULL},

    /* reports */
    {"GET", "/v1/reports/drifting-meetings", handle_reports_drifting, 0, 0, q_page},
    {"GET", "/v1/reports/overdue-minutes", handle_reports_overdue_minutes, 0, 0, q_page},
    {"GET", "/v1/reports/review-overdue", handle_reports_review_overdue, 0, 0, q_page},

    /* working-days calendar */
    {"GET", "/v1/bank-holidays", handle_bank_holidays_list, 0, 0, q_holidays},
    {"POST", "/v1/bank-holidays", handle_bank_holidays_create, BODY, ROLE_ADMIN, NULL},
    {"GET", "/v1/bank-holidays/{date}", handle_bank_holidays_get, 0, 0, NULL},
    {"DELETE", "/v1/bank-holidays/{date}", handle_bank_holidays_delete, 0, ROLE_ADMIN, NULL},
    {"POST", "/v1/bank-holiday-imports", handle_bank_holiday_imports_create, BODY, ROLE_ADMIN,
     q_import},

    /* the clocks as policy (OBL-1) */
    {"GET", "/v1/policy", handle_policy_get, 0, 0, NULL},
    {"PUT", "/v1/policy", handle_policy_put, BODY | CHANGE, ROLE_ADMIN, NULL},
    {"GET", "/v1/policy/versions", handle_policy_versions, 0, 0, q_page},

    /* retention, holds and disposal (RET-1 to RET-3), the access report (SEC-7) */
    {"GET", "/v1/retention-policies/{record_class}", handle_retention_policy_get, 0, 0, NULL},
    {"PUT", "/v1/retention-policies/{record_class}", handle_retention_policy_put, BODY | CHANGE, ROLE_ADMIN, NULL},
    {"GET", "/v1/retention-policies/{record_class}/versions", handle_retention_policy_versions, 0, 0, q_page},
    {"POST", "/v1/children/{child_id}/case-closures", handle_case_closures_create, BODY, 0, NULL},
    {"GET", "/v1/records-due", handle_records_due, 0, RETENTION_ROLES, q_page},
    {"POST", "/v1/records-due/run", handle_records_due_run, 0, RETENTION_ROLES, NULL},
    {"POST", "/v1/idempotency-records/purge", handle_idempotency_records_purge, 0, RETENTION_ROLES, NULL},
    {"POST", "/v1/retention-holds", handle_holds_create, BODY, RETENTION_ROLES, NULL},
    {"GET", "/v1/retention-holds", handle_holds_list, 0, RETENTION_ROLES, q_holds},
    {"GET", "/v1/retention-holds/{hold_id}", handle_holds_get, 0, RETENTION_ROLES, NULL},
    {"POST", "/v1/retention-holds/{hold_id}/release", handle_holds_release, BODY | CHANGE, RETENTION_ROLES, NULL},
    {"POST", "/v1/disposals", handle_disposals_create, BODY, DISPOSAL_ROLES, NULL},
    {"GET", "/v1/disposals/{disposal_id}", handle_disposals_get, 0, DISPOSAL_ROLES, NULL},
    {"POST", "/v1/disposals/{disposal_id}/approve", handle_disposals_approve, CHANGE, DISPOSAL_ROLES, NULL},
    {"GET", "/v1/children/{child_id}/access-report", handle_children_access_report, 0,
     ROLE_DPO | ROLES_MANAGERS, q_page},

    /* obligations and reminders (OBL-2, OBL-3) */
    {"GET", "/v1/obligations", handle_obligations_list, 0, 0, q_obligations},
    {"GET", "/v1/obligations/{obligation_id}", handle_obligations_get, 0, 0, NULL},
    {"POST", "/v1/reminders/run", handle_reminders_run, 0, ROLE_ADMIN, NULL},

    /* audit and integration */
    {"GET", "/v1/audit-events", handle_audit_events_list, 0, ROLE_AUDITOR, q_audit},
    {"GET", "/v1/events", handle_events_list, 0, ROLE_INTEGRATION, q_events},

    /* webhooks (INT-5) */
    {"POST", "/v1/webhook-endpoints", handle_webhooks_create, BODY, HOOK_ROLES, NULL},
    {"GET", "/v1/webhook-endpoints", handle_webhooks_list, 0, HOOK_ROLES, q_hooks},
    {"GET", "/v1/webhook-endpoints/{endpoint_id}", handle_webhooks_get, 0, HOOK_ROLES, NULL},
    {"PATCH", "/v1/webhook-endpoints/{endpoint_id}", handle_webhooks_update, BODY | CHANGE, HOOK_ROLES, NULL},
    {"DELETE", "/v1/webhook-endpoints/{endpoint_id}", handle_webhooks_delete, CHANGE, HOOK_ROLES, NULL},
    {"POST", "/v1/webhook-endpoints/{endpoint_id}/rotate-secret", handle_webhooks_rotate, BODY_OPT | CHANGE, HOOK_ROLES, NULL},
    {"GET", "/v1/webhook-endpoints/{endpoint_id}/deliveries", handle_webhooks_deliveries, 0, HOOK_ROLES, q_deliveries},
    {"POST", "/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay", handle_webhooks_replay, BODY_OPT, HOOK_ROLES, NULL},

    /* calendars (INT-6) */
    {"GET", "/v1/meetings/{meeting_id}/calendar", handle_meetings_calendar, 0, 0, NULL},
    {"GET", "/v1/invitations/{invitation_id}/calendar", handle_invitations_calendar, 0, 0, NULL},
    {"POST", "/v1/calendar-tokens", handle_calendar_tokens_create, BODY_OPT, 0, NULL},
    {"GET", "/v1/calendar-tokens", handle_calendar_tokens_list, 0, 0, q_page},
    {"DELETE", "/v1/calendar-tokens/{token_id}", handle_calendar_tokens_revoke, 0, 0, NULL},
    {"GET", "/v1/calendar-feeds/{feed_token}", handle_calendar_feed, ROUTE_PUBLIC, 0, NULL},

    {NULL, NULL, NULL, 0, 0, NULL},
};
