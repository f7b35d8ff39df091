/* The executor's pure step logic; see steps.h. */
#include "net/steps.h"

#include <string.h>

#include "net/kind.h"

int xp_op_inverse(const struct xp_op *op, struct xp_op *inv)
{
	*inv = *op;
	inv->why[0] = 0;
	inv->value = op->old;
	inv->old = op->value;
	switch (op->type) {
	case XP_OP_CREATE:
		inv->type = XP_OP_DELETE;
		return 1;
	case XP_OP_PIN_MTU:
		/* a new bridge goes with its MTU; an adopted one gets its old MTU */
		inv->type = XP_OP_SET_MTU;
		return !op->created;
	case XP_OP_SET_MTU:
	case XP_OP_SET_STP:
	case XP_OP_SET_FD:
	case XP_OP_SET_VLANF:
	case XP_OP_SET_LEARNING:
		return 1;
	case XP_OP_FLOOD_ADD:
		inv->type = XP_OP_FLOOD_DEL;
		return 1;
	case XP_OP_FLOOD_DEL:
		inv->type = XP_OP_FLOOD_ADD;
		return 1;
	case XP_OP_DOWN:
		inv->type = XP_OP_UP;
		return 1;
	case XP_OP_UP:
		inv->type = XP_OP_DOWN;
		return 1;
	case XP_OP_ENSLAVE:
	case XP_OP_ADD_PORT:
		inv->type = XP_OP_DEL_PORT;
		return 1;
	case XP_OP_DEL_PORT:
		inv->type = XP_OP_ADD_PORT;
		return 1;
	case XP_OP_ADD_ADDR:
		if (op->value == 3)
			return 0; /* only its flags: nothing to take back */
		inv->type = XP_OP_DEL_ADDR;
		return 1;
	case XP_OP_DEL_ADDR:
		if (op->had && op->value == 2)
			return 0; /* nothing was sent */
		inv->type = XP_OP_ADD_ADDR;
		inv->value = 1; /* back where it was: no nodad */
		return 1;
	case XP_OP_ADD_ROUTE:
		inv->type = XP_OP_DEL_ROUTE;
		return 1;
	case XP_OP_DEL_ROUTE:
		if (op->had && op->value == 2)
			return 0;
		inv->type = XP_OP_ADD_ROUTE;
		return 1;
	case XP_OP_PORT_VLAN:
		inv->value = op->value;
		inv->old = !op->old;
		return 1;
	default:
		return 0;
	}
}

/* Ops on dev before which dev must not be up yet (or that replace it). */
static int blocks_up(const struct xp_op *q)
{
	return q->type == XP_OP_DOWN || q->type == XP_OP_ENSLAVE || q->type == XP_OP_DELETE ||
	       q->type == XP_OP_CREATE;
}

/* Does the plan create name after op i (so it does not exist yet)? */
static int created_later(const struct xp_plan *p, size_t i, const unsigned char *done,
			 const char *name)
{
	for (size_t j = xp_plan_prev_on(p, name, p->n); j != XP_OP_NONE && j > i;
	     j = xp_plan_prev_on(p, name, j))
		if (!done[j] && p->ops[j].type == XP_OP_CREATE)
			return 1;
	return 0;
}

/* What of the plan after op i can go into op i's own request: into a
 * creating RTM_NEWLINK (of a kind whose row says fold_create: not a
 * bond's), joining a bridge that exists by
 * now and going up; into joining a bridge, going up.  The kernel applies a
 * device's master before its flags.  Going up early is only folded when no
 * op in between needs the device down (enslaving). */
void xp_plan_fold(const struct xp_plan *p, size_t i, const unsigned char *done,
		  int (*ifindex)(void *ctx, const char *name), void *ctx, struct xp_fold *f)
{
	const struct xp_op *op = &p->ops[i];
	int port;

	memset(f, 0, sizeof(*f));
	if (op->type == XP_OP_CREATE && op->spec && xp_kind_get(op->kind) &&
	    xp_kind_get(op->kind)->fold_create)
		port = 0;
	else if (op->type == XP_OP_ADD_PORT)
		port = 1;
	else
		return;
	for (size_t j = xp_plan_next_on(p, i); j != XP_OP_NONE; j = xp_plan_next_on(p, j)) {
		const struct xp_op *q = &p->ops[j];

		if (done[j])
			continue;
		if (q->type == XP_OP_ADD_PORT && !port) {
			int master = created_later(p, i, done, q->peer) ? 0 : ifindex(ctx, q->peer);
			port = 1;
			if (master <= 0)
				continue; /* the bridge comes later: joins in its turn */
			f->nd.master = master;
			f->at[f->n++] = j;
		} else if (q->type == XP_OP_UP) {
			f->nd.up = 1;
			f->at[f->n++] = j;
			return;
		} else if (blocks_up(q)) {
			return;
		}
	}
}
