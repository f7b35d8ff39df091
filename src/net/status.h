/* network-xenplumb status: the live state against the map, as a table or
 * as JSON (docs/status-schema.json).  Both come from one model, a json-c
 * document: `status --json` prints it, `status` renders it as the table
 * (status_text.c).  Returns the exit code: 0 live matches the map, 1
 * drift, 2 errors. */
#ifndef XP_STATUS_H
#define XP_STATUS_H

#include <stdio.h>

#include "map/conf.h"
#include "net/observe.h"
#include "net/state.h"

struct json_object;
struct nl_sock;

/* sk (may be NULL) finds running guests' vifs that are on no bridge
 * (guests.h), each one drift.  extend (may be NULL) adds to the model
 * before it is judged and shown (the routed/NAT networks, net/l3.h); it
 * keeps "matches_map" true only when its own drift is empty. */
int xp_status_run(const char *mapname, const struct xp_conf *c, const struct xp_observed *o,
		  const struct xp_state *s, struct nl_sock *sk, int json,
		  void (*extend)(struct json_object *model, void *arg), void *arg, FILE *out);

/* The model: map, xenstore, domain_source, bridges, bonds, vlans, dummies,
 * networks, drift, matches_map (docs/status-schema.json).  The caller
 * json_object_put()s it. */
struct json_object *xp_status_model(const char *mapname, const struct xp_conf *c,
				    const struct xp_observed *o, const struct xp_state *s,
				    struct nl_sock *sk);

/* The table, from a model xp_status_model built. */
void xp_status_render(struct json_object *model, FILE *out);

#endif
