/* process_metrics: the standard Prometheus process_* series
 * (https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics)
 * and mam_build_info, read from /proc/self at each scrape. */
#ifndef MAM_PROCESS_METRICS_H
#define MAM_PROCESS_METRICS_H

#include "core/buf.h"

/* Records the start time; once, at start-up. */
void process_metrics_init(void);
void process_metrics_render(buf *out);

#endif
