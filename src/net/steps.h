/* The executor's pure step logic, linked and unit-tested alone
 * (tests/unit/net/test_exec.c): the op that undoes an op, and which later
 * ops of a plan ride in one op's own request. */
#ifndef XP_NET_STEPS_H
#define XP_NET_STEPS_H

#include <stddef.h>

#include "net/plan.h"

/* The op that undoes op into *inv; 0 when there is none (a delete). */
int xp_op_inverse(const struct xp_op *op, struct xp_op *inv);

/* Later ops of a plan the executor folds into a creating RTM_NEWLINK or a
 * port join: bring the device up, make it a port of master (an ifindex,
 * 0: no). */
struct xp_nd_fold {
	int up;
	int master;
};

struct xp_fold {
	size_t at[2]; /* the folded ops, by index in the plan */
	int n;
	struct xp_nd_fold nd;
};

/* What of the plan after op i (ops with done[j] set are applied already)
 * can go into op i's own request; ifindex(ctx, name) resolves a master
 * (0: missing).  See steps.c. */
void xp_plan_fold(const struct xp_plan *p, size_t i, const unsigned char *done,
		  int (*ifindex)(void *ctx, const char *name), void *ctx, struct xp_fold *f);

#endif
