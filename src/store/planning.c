#include "store/planning.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"

static const db_stmt facts_stmt = {
    "planning_facts",
    "WITH invited AS ("
    "  SELECT * FROM invitations WHERE meeting_id = $1 AND status <> 'withdrawn'),"
    " professional AS ("
    "  SELECT a.code, a.kind, i.attendance FROM invited i JOIN agencies a ON a.code = i.agency"
    "   WHERE i.category IN ('professional', 'specialist')),"
    " convening_csc AS ("
    "  SELECT EXISTS (SELECT 1 FROM meetings m JOIN agencies a ON a.code = m.convening_agency"
    "                  WHERE m.id = $1 AND a.kind = 'childrens_social_care') AS yes),"
    " current_notice AS ("
    "  SELECT d FROM consent_decisions d WHERE d.meeting_id = $1 AND d.kind = 'family_notice'"
    "   ORDER BY d.seq DESC LIMIT 1)"
    " SELECT (SELECT count(DISTINCT code) FROM professional),"
    "  EXISTS (SELECT 1 FROM professional WHERE kind = 'childrens_social_care')"
    "   OR (SELECT yes FROM convening_csc),"
    "  EXISTS (SELECT 1 FROM professional WHERE kind = 'police'),"
    "  EXISTS (SELECT 1 FROM professional WHERE kind = 'health'),"
    "  coalesce((SELECT (d).decision FROM current_notice), ''),"
    "  coalesce((SELECT consent_status(d) FROM current_notice), ''),"
    "  coalesce((SELECT (d).id::text FROM current_notice), ''),"
    "  (SELECT count(*) FROM invited WHERE category IN ('parent_carer', 'child_young_person')),"
    "  (SELECT count(*) FROM invited),"
    "  (SELECT count(*) FROM invited WHERE attendance IS NULL),"
    "  (SELECT count(*) FROM invited"
    "     WHERE status IN ('invited', 'accepted')"
    "     AND technology_access_confirmed IS NOT TRUE AND technology_support IS NULL),"
    "  EXISTS (SELECT 1 FROM professional"
    "           WHERE kind = 'childrens_social_care' AND attendance = 'present')"
    "   OR (SELECT yes FROM convening_csc),"
    "  EXISTS (SELECT 1 FROM professional WHERE kind = 'police' AND attendance = 'present'),"
    "  EXISTS (SELECT 1 FROM professional WHERE kind = 'health' AND attendance = 'present'),"
    "  coalesce((SELECT array_to_string(ARRAY("
    "     SELECT w.agency FROM unnest(meeting_invited_agencies($1)) AS w(agency)"
    "      WHERE NOT EXISTS (SELECT 1 FROM consent_agreements g"
    "                         WHERE g.decision_id = (d).id AND g.agency = w.agency)"
    "      ORDER BY w.agency), ', ')"
    "     FROM current_notice WHERE (d).decision = 'not_inform'), '')",
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
    out->family_invitations = atoi(PQgetvalue(res, 0, 7));
    out->family_invited = out->family_invitations > 0;
    out->invitations = atoi(PQgetvalue(res, 0, 8));
    out->unmarked = atoi(PQgetvalue(res, 0, 9));
    out->unconfirmed_technology = atoi(PQgetvalue(res, 0, 10));
    out->csc_present = PQgetvalue(res, 0, 11)[0] == 't';
    out->police_present = PQgetvalue(res, 0, 12)[0] == 't';
    out->health_present = PQgetvalue(res, 0, 13)[0] == 't';
    snprintf(out->awaiting_agencies, sizeof out->awaiting_agencies, "%s", PQgetvalue(res, 0, 14));
    PQclear(res);
    return 0;
}
