#include "store/planning.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"

static const db_stmt facts_stmt = {
    "planning_facts",
    "WITH professional AS ("
    "  SELECT DISTINCT a.code, a.kind FROM invitations i JOIN agencies a ON a.code = i.agency"
    "   WHERE i.meeting_id = $1 AND i.category IN ('professional', 'specialist')),"
    " current_notice AS ("
    "  SELECT d FROM consent_decisions d WHERE d.meeting_id = $1 AND d.kind = 'family_notice'"
    "   ORDER BY d.seq DESC LIMIT 1)"
    " SELECT (SELECT count(*) FROM professional),"
    "  EXISTS (SELECT 1 FROM professional WHERE kind = 'childrens_social_care')"
    "   OR EXISTS (SELECT 1 FROM meetings m JOIN agencies a ON a.code = m.convening_agency"
    "               WHERE m.id = $1 AND a.kind = 'childrens_social_care'),"
    "  EXISTS (SELECT 1 FROM professional WHERE kind = 'police'),"
    "  EXISTS (SELECT 1 FROM professional WHERE kind = 'health'),"
    "  coalesce((SELECT (d).decision FROM current_notice), ''),"
    "  coalesce((SELECT consent_status(d) FROM current_notice), ''),"
    "  coalesce((SELECT (d).id::text FROM current_notice), ''),"
    "  EXISTS (SELECT 1 FROM invitations WHERE meeting_id = $1"
    "           AND category IN ('parent_carer', 'child_young_person')),"
    "  (SELECT count(*) FROM invitations WHERE meeting_id = $1),"
    "  (SELECT count(*) FROM invitations WHERE meeting_id = $1 AND attendance IS NULL),"
    "  (SELECT count(*) FROM invitations WHERE meeting_id = $1"
    "     AND status IN ('invited', 'accepted')"
    "     AND technology_access_confirmed IS NOT TRUE AND technology_support IS NULL)",
    1};

int planning_facts_load(store *s, const char *meeting_id, planning_facts *out)
{
    const char *params[] = {meeting_id};
    PGresult *res = sql_query(s, &facts_stmt, params);
    if (!res)
        return -1;
    memset(out, 0, sizeof *out);
    out->invited_agencies = atoi(PQgetvalue(res, 0, 0));
    out->invited_csc = PQgetvalue(res, 0, 1)[0] == 't';
    out->invited_police = PQgetvalue(res, 0, 2)[0] == 't';
    out->invited_health = PQgetvalue(res, 0, 3)[0] == 't';
    snprintf(out->family_notice, sizeof out->family_notice, "%s", PQgetvalue(res, 0, 4));
    snprintf(out->family_notice_status, sizeof out->family_notice_status, "%s",
             PQgetvalue(res, 0, 5));
    snprintf(out->family_notice_id, sizeof out->family_notice_id, "%s", PQgetvalue(res, 0, 6));
    out->family_invited = PQgetvalue(res, 0, 7)[0] == 't';
    out->invitations = atoi(PQgetvalue(res, 0, 8));
    out->unmarked = atoi(PQgetvalue(res, 0, 9));
    out->unconfirmed_technology = atoi(PQgetvalue(res, 0, 10));
    PQclear(res);
    return 0;
}
