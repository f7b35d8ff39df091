/* The plan as network-xenplumb shows it: numbered exactly as the executor
 * numbers the steps of the real run (it folds some later ops into one
 * request and counts them right after it), as text for --dry-run and as
 * JSON for --json (docs/network-xenplumb.md, "JSON output"). */
#ifndef XP_NET_PLANOUT_H
#define XP_NET_PLANOUT_H

#include <stddef.h>
#include <stdio.h>

#include "net/observe.h"
#include "net/plan.h"

struct json_object;

/* order[k] = the index in p->ops of step k + 1 of the real run, as the
 * executor will take them on the host o describes (its folding,
 * xp_plan_fold in steps.c, over what observe saw).  order has p->n slots;
 * returns the count (p->n). */
size_t xp_plan_steps(const struct xp_plan *p, const struct xp_observed *o, size_t *order);

/* "plan (N operations, dry run: nothing changed):" and the numbered steps. */
void xp_plan_print_steps(const struct xp_plan *p, const size_t *order, FILE *out);

/* [{step, op, device, peer, text}] in the order given. */
struct json_object *xp_plan_json_steps(const struct xp_plan *p, const size_t *order);
/* notes ["..."] and drift [{device, what, want, have}] */
struct json_object *xp_plan_json_notes(const struct xp_plan *p);
struct json_object *xp_plan_json_drift(const struct xp_plan *p);

/* The plan op a progress/error line names ("create bridge xenbr0 (...)"
 * and what follows), or NULL. */
const struct xp_op *xp_plan_op_of(const struct xp_plan *p, const char *text);

#endif
