/* gate: what a resource in a given status is open to (MTG-8 and the
 * like), declared as data next to each resource's rules and asked by
 * handlers through one function, never by comparing status strings. A
 * closed gate is a conflict with the resource's state: 409 with the gate's
 * rule and refusal. */
#ifndef MAM_GATE_H
#define MAM_GATE_H

#include <stdbool.h>

#define GATE_MAX_STATUSES 6

typedef struct state_gate {
    const char *rule;     /* the rule a closed gate answers with */
    const char *refusal;  /* why it is closed, for the answer's detail */
    const char *open_in[GATE_MAX_STATUSES]; /* the statuses it is open in; NULL ends */
} state_gate;

bool gate_open(const state_gate *g, const char *status);

#endif
