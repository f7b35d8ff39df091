/* Bonds.  A missing bond is created with its options, and its slaves --
 * NICs that carry no address and no route -- are set down (the kernel
 * enslaves only down devices) and enslaved; the bond brings them up again.
 * An existing bond is adopted with its slaves as they are: differences are
 * drift, never a reason to re-enslave or take anything down. */
#include <json-c/json.h>
#include <linux/if_link.h>
#include <netlink/errno.h>
#include <stdio.h>
#include <string.h>

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
			char of[32];
			snprintf(of, sizeof(of), "bond %s", b->name);
			xp_plan_missing(x->p, x->c, b->slaves_loc.line ? &b->slaves_loc : &b->loc,
					"slave", name, of);
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

/* An adopted bond's slaves that do not exist: missing, not drift. */
static void adopted_missing(struct xp_pctx *x, const struct xp_bond *b)
{
	char of[32];

	snprintf(of, sizeof(of), "bond %s", b->name);
	for (size_t i = 0; i < b->nslaves; i++)
		if (!xp_pctx_obs(x, b->slaves[i]))
			xp_plan_missing(x->p, x->c, b->slaves_loc.line ? &b->slaves_loc : &b->loc,
					"slave", b->slaves[i], of);
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
		if (!s) /* missing: reported as such (plan_new_slaves, or here) */
			continue;
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", i ? " " : "",
			 b->slaves[i]);
		if (!strcmp(s->master, b->name))
			snprintf(have + strlen(have), sizeof(have) - strlen(have), "%s%s",
				 have[0] ? " " : "", b->slaves[i]);
	}
	if (strcmp(want, have))
		xp_plan_drift(x->p, b->name, "slaves", want, have[0] ? have : "(none)");
}

static int map_entry(const struct xp_conf *c, size_t i, struct xp_kind_entry *e)
{
	if (i >= c->nbonds)
		return 0;
	*e = (struct xp_kind_entry){&c->bonds[i], c->bonds[i].name, &c->bonds[i].loc};
	return 1;
}

static const void *map_find(const struct xp_conf *c, const char *name)
{
	return xp_conf_bond(c, name);
}

static void plan(struct xp_pctx *x, const void *spec, const struct xp_obs_link *l)
{
	const struct xp_bond *b = spec;

	if (!l) {
		xp_pctx_create(x, b->name, XP_K_BOND, b);
		plan_new_slaves(x, b);
		return;
	}
	/* ours (in the state): enslave what a killed run did not get to */
	if (xp_pctx_recorded(x, b->name))
		plan_new_slaves(x, b);
	else
		adopted_missing(x, b);
	plan_drift(x, b, l);
	xp_pctx_mtu(x, b->name, b->mtu, l);
}

/* The bond is deleted: its slaves that were up before joining come up. */
static void plan_deleted(struct xp_pctx *x, const char *name)
{
	const struct xp_state *s = x->s;

	for (size_t j = 0; j < s->nslaves; j++) {
		const struct xp_st_slave *sl = &s->slaves[j];
		if (strcmp(sl->bond, name) || !sl->was_up || !xp_pctx_obs(x, sl->slave))
			continue;
		struct xp_op *op =
		    xp_plan_push(x->p, XP_OP_UP, sl->slave, "was up before joining %s", name);
		/* names the bond: the executor forgets the slave once it is up */
		snprintf(op->peer, sizeof(op->peer), "%s", name);
	}
}

static int fill_create(const void *spec, struct xp_attrw *w)
{
	const struct xp_bond *b = spec;
	int bad = 0;

	w->mtu = b->mtu;
	if (b->mode >= 0)
		bad |= xp_attrw_u8(w, IFLA_BOND_MODE, (uint8_t)b->mode);
	if (b->miimon >= 0)
		bad |= xp_attrw_u32(w, IFLA_BOND_MIIMON, (uint32_t)b->miimon);
	if (b->updelay > 0)
		bad |= xp_attrw_u32(w, IFLA_BOND_UPDELAY, (uint32_t)b->updelay);
	if (b->downdelay > 0)
		bad |= xp_attrw_u32(w, IFLA_BOND_DOWNDELAY, (uint32_t)b->downdelay);
	if (b->lacp_rate >= 0)
		bad |= xp_attrw_u8(w, IFLA_BOND_AD_LACP_RATE, (uint8_t)b->lacp_rate);
	if (b->xmit_hash_policy >= 0)
		bad |= xp_attrw_u8(w, IFLA_BOND_XMIT_HASH_POLICY, (uint8_t)b->xmit_hash_policy);
	if (b->primary[0]) {
		/* The kernel records a primary that is not enslaved yet. */
		int pidx = w->ifindex(w, b->primary);
		if (pidx > 0)
			bad |= xp_attrw_u32(w, IFLA_BOND_PRIMARY, (uint32_t)pidx);
	}
	return bad ? -NLE_NOMEM : 0;
}

static void observe(const struct nlattr *data, struct xp_obs_link *l)
{
	const struct nlattr *tb[IFLA_BOND_MAX + 1];

	xp_attr_parse(tb, IFLA_BOND_MAX, data);
	l->bond_mode = (int)xp_attr_u8(tb[IFLA_BOND_MODE], (unsigned)l->bond_mode);
	l->miimon = (int)xp_attr_u32(tb[IFLA_BOND_MIIMON], (uint32_t)l->miimon);
}

static void status_json(struct json_object *j, const struct xp_obs_link *l)
{
	json_object_object_add(j, "mode", json_object_new_string(xp_bond_mode_name(l->bond_mode)));
}

const struct xp_kind xp_kind_bond = {
    .name = "bond",
    .kind = XP_K_BOND,
    .role = "bond",
    .map_entry = map_entry,
    .map_find = map_find,
    .plan = plan,
    .plan_deleted = plan_deleted,
    .fill_create = fill_create,
    .fold_create = 0,
    .observe = observe,
    .status_json = status_json,
};
