#include "domain/gate.h"

#include <string.h>

bool gate_open(const state_gate *g, const char *status)
{
    for (int i = 0; i < GATE_MAX_STATUSES && g->open_in[i]; i++)
        if (strcmp(g->open_in[i], status) == 0)
            return true;
    return false;
}
