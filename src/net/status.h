/* network-xenplumb status: the live state against the map, as a table or
 * as JSON (docs/status-schema.json).  Returns the exit code: 0 live
 * matches the map, 1 drift, 2 errors. */
#ifndef XP_STATUS_H
#define XP_STATUS_H

#include <stdio.h>

#include "map/conf.h"
#include "net/observe.h"
#include "net/state.h"

int xp_status_run(const char *mapname, const struct xp_conf *c, const struct xp_observed *o,
		  const struct xp_state *s, int json, FILE *out);

#endif
