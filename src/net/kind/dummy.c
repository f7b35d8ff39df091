/* Dummy devices: create when missing, adopt when present. */
#include <stdio.h>

#include "common/log.h"
#include "common/nl.h"
#include "net/kind.h"

void xp_dummy_plan(struct xp_pctx *x, const struct xp_dummy *d)
{
	const struct xp_obs_link *l = xp_pctx_obs(x, d->name);
	struct xp_op *op;

	if (!l) {
		op = xp_plan_push(x->p, XP_OP_CREATE, d->name, "in the map, missing");
		op->kind = XP_K_DUMMY;
		op->spec = d;
		op->created = 1;
		return;
	}
	if (l->kind != XP_K_DUMMY) {
		xp_plan_wrong_kind(x, &d->loc, d->name, l, XP_K_DUMMY);
		return;
	}
	if (d->mtu > 0 && l->mtu != d->mtu) {
		op = xp_plan_push(x->p, XP_OP_SET_MTU, d->name, "map says mtu %d", d->mtu);
		op->value = d->mtu;
		op->old = l->mtu;
	}
}

int xp_dummy_create(struct nl_sock *sk, const struct xp_dummy *d, const struct xp_nd_fold *f)
{
	struct xp_ndmsg m;
	int err = xp_nd_begin(&m, d->name, 0, "dummy", d->mtu, 0, f);

	if (err < 0)
		return err;
	return xp_nd_send(sk, &m);
}
