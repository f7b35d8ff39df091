/* Bonds.  A missing bond is created with its options, and its slaves --
 * NICs that carry no address and no route -- are set down (the kernel
 * enslaves only down devices) and enslaved; the bond brings them up again.
 * An existing bond is adopted with its slaves as they are: differences are
 * drift, never a reason to re-enslave or take anything down. */
#include <linux/if_link.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <string.h>

#include "common/nl.h"
#include "net/kind.h"

static void plan_new_slaves(struct xp_pctx *x, const struct xp_bond *b)
{
	char pre[300], l3[256];

	for (size_t i = 0; i < b->nslaves; i++) {
		const char *name = b->slaves[i];
		const struct xp_obs_link *l = xp_pctx_obs(x, name);
		struct xp_op *op;

		xp_loc_prefix(&b->loc, pre, sizeof(pre));
		if (!l) {
			xp_plan_error(x->p, "%sslave %s of bond %s does not exist", pre, name,
				      b->name);
			continue;
		}
		if (!strcmp(l->master, b->name))
			continue;
		if (l->master[0]) {
			xp_plan_error(x->p,
				      "%sslave %s of bond %s is already enslaved to %s; release "
				      "it first or change the map",
				      pre, name, b->name, l->master);
			continue;
		}
		if (xp_l3_summary(l, l3, sizeof(l3))) {
			xp_plan_error(x->p,
				      "%sslave %s of new bond %s carries %s; enslaving needs it "
				      "down and would lose them: move them off %s (e.g. onto a "
				      "bridge over %s) or leave %s out of the bond",
				      pre, name, b->name, l3, name, b->name, name);
			continue;
		}
		if (l->up) {
			op = xp_plan_push(x->p, XP_OP_DOWN, name,
					  "to join new bond %s; %s carries no address or route",
					  b->name, name);
			op->old = 1;
			/* names the bond, so exec records the slave as was-up first */
			snprintf(op->peer, sizeof(op->peer), "%s", b->name);
		}
		op = xp_plan_push(x->p, XP_OP_ENSLAVE, name, "slave of new bond %s", b->name);
		snprintf(op->peer, sizeof(op->peer), "%s", b->name);
		op->old = l->up;
	}
}

static void plan_drift(struct xp_pctx *x, const struct xp_bond *b, const struct xp_obs_link *l)
{
	char want[96] = "", have[96] = "";

	if (b->mode >= 0 && l->bond_mode != b->mode)
		xp_plan_drift(x->p, b->name, "mode", xp_bond_mode_name(b->mode),
			      xp_bond_mode_name(l->bond_mode));
	if (b->miimon >= 0 && l->miimon != b->miimon) {
		snprintf(want, sizeof(want), "%d", b->miimon);
		snprintf(have, sizeof(have), "%d", l->miimon);
		xp_plan_drift(x->p, b->name, "miimon", want, have);
	}
	want[0] = have[0] = 0;
	for (size_t i = 0; i < b->nslaves; i++) {
		const struct xp_obs_link *s = xp_pctx_obs(x, b->slaves[i]);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", i ? " " : "",
			 b->slaves[i]);
		if (s && !strcmp(s->master, b->name))
			snprintf(have + strlen(have), sizeof(have) - strlen(have), "%s%s",
				 have[0] ? " " : "", b->slaves[i]);
	}
	if (strcmp(want, have))
		xp_plan_drift(x->p, b->name, "slaves", want, have[0] ? have : "(none)");
}

void xp_bond_plan(struct xp_pctx *x, const struct xp_bond *b)
{
	const struct xp_obs_link *l = xp_pctx_obs(x, b->name);
	struct xp_op *op;

	if (!l) {
		op = xp_plan_push(x->p, XP_OP_CREATE, b->name, "in the map, missing");
		op->kind = XP_K_BOND;
		op->spec = b;
		op->created = 1;
		plan_new_slaves(x, b);
		return;
	}
	if (l->kind != XP_K_BOND) {
		xp_plan_wrong_kind(x, &b->loc, b->name, l, XP_K_BOND);
		return;
	}
	/* ours (in the state): enslave what a killed run did not get to */
	if (x->s && xp_state_dev(x->s, b->name))
		plan_new_slaves(x, b);
	plan_drift(x, b, l);
	if (b->mtu > 0 && l->mtu != b->mtu) {
		op = xp_plan_push(x->p, XP_OP_SET_MTU, b->name, "map says mtu %d", b->mtu);
		op->value = b->mtu;
		op->old = l->mtu;
	}
}

int xp_bond_create(struct nl_sock *sk, const struct xp_bond *b, const struct xp_nd_fold *f)
{
	struct xp_ndmsg m;
	int err = xp_nd_begin(&m, b->name, 0, "bond", b->mtu, 0, f);
	int bad = 0;

	if (err < 0)
		return err;
	if (b->mode >= 0)
		bad |= nla_put_u8(m.msg, IFLA_BOND_MODE, (uint8_t)b->mode);
	if (b->miimon >= 0)
		bad |= nla_put_u32(m.msg, IFLA_BOND_MIIMON, (uint32_t)b->miimon);
	if (b->updelay > 0)
		bad |= nla_put_u32(m.msg, IFLA_BOND_UPDELAY, (uint32_t)b->updelay);
	if (b->downdelay > 0)
		bad |= nla_put_u32(m.msg, IFLA_BOND_DOWNDELAY, (uint32_t)b->downdelay);
	if (b->lacp_rate >= 0)
		bad |= nla_put_u8(m.msg, IFLA_BOND_AD_LACP_RATE, (uint8_t)b->lacp_rate);
	if (b->xmit_hash_policy >= 0)
		bad |= nla_put_u8(m.msg, IFLA_BOND_XMIT_HASH_POLICY, (uint8_t)b->xmit_hash_policy);
	if (b->primary[0]) {
		/* The kernel records a primary that is not enslaved yet. */
		int pidx = xp_nl_ifindex(sk, b->primary);
		if (pidx > 0)
			bad |= nla_put_u32(m.msg, IFLA_BOND_PRIMARY, (uint32_t)pidx);
	}
	if (bad) {
		nlmsg_free(m.msg);
		return -NLE_NOMEM;
	}
	return xp_nd_send(sk, &m);
}
