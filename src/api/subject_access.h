/* What the subject access request handlers share (subject_access.c,
 * subject_access_items.c). */
#ifndef MAM_API_SUBJECT_ACCESS_H
#define MAM_API_SUBJECT_ACCESS_H

#include <stdbool.h>

#include "http/req.h"

/* The routes on the collection are the dpo's alone: false after answering
 * 404 to anyone else (SAR-2). Routes on one request find it through
 * subject_access_request_visible instead. */
bool sar_caller_is_dpo(req *r);

#endif
