/* serve: the service's life from start-up to a clean stop. */
#ifndef MAM_SERVE_H
#define MAM_SERVE_H

int serve_main(void);

#endif
