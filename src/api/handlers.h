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

/* agencies.c */
void handle_agencies_list(req *r);
void handle_agencies_create(req *r);
void handle_agencies_get(req *r);
void handle_agencies_update(req *r);

/* meetings.c, meeting_commands.c */
void handle_meetings_create(req *r);
void handle_meetings_list(req *r);
void handle_meetings_get(req *r);
void handle_meetings_update(req *r);
void handle_meetings_authorise(req *r);
void handle_meetings_decline(req *r);
void handle_meetings_cancel(req *r);

/* audit_events.c */
void handle_audit_events_list(req *r);

/* events.c */
void handle_events_list(req *r);

#endif
