/* The fixtures in tests/support/planning.c take a meeting to "scheduled". */
#include <criterion/criterion.h>

#include "support/client.h"
#include "support/fixtures.h"
#include "support/planning.h"

Test(planning, fixtures_schedule_a_meeting)
{
    planned p;
    planned_scheduled(&p, "stop_and_review", 3600);
    http_response *r = api_get(meeting_path(p.meeting_id, NULL), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "scheduled");
    cr_assert_eq(json_int(r->json, "version"), p.version);
    http_free(r);
    planned_free(&p);
}
