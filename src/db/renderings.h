/* renderings: the read model's upkeep (sql/050_meeting_renderings.sql).
 *
 * Each meeting's representation is stored when it changes; these are the
 * operations on the whole store of them, for `mam renderings`, on a
 * connection of their own (the service's housekeeping renews renderings
 * through store/meetings.h). */
#ifndef MAM_RENDERINGS_H
#define MAM_RENDERINGS_H

#include <libpq-fe.h>
#include <stdio.h>

/* Renders every meeting again, `batch` to a transaction, and records the
 * definition they follow; the number rendered, or -1 (message in err). */
long renderings_rebuild(PGconn *pg, int batch, char *err, size_t err_size);

/* renderings_rebuild when the renderings do not follow the definition in
 * force (meeting_renderings_current): the number rendered, 0 when they
 * did, or -1. */
long renderings_rebuild_if_changed(PGconn *pg, int batch, char *err, size_t err_size);

/* The stored renderings that differ from what the meeting renders now (at
 * both ends of the days they claim to hold for), and the meetings without
 * one: writes each to out and returns how many, or -1. */
long renderings_check(PGconn *pg, FILE *out, char *err, size_t err_size);

#endif
