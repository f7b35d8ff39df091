/* 802.1Q VLAN devices: create on their parent when missing; an existing
 * one is adopted as it is (a different parent or id is drift, not
 * something to fix by deleting it). */
#include <linux/if_link.h>
#include <netlink/errno.h>
#include <stdio.h>
#include <string.h>

#include "net/kind.h"

static int map_entry(const struct xp_conf *c, size_t i, struct xp_kind_entry *e)
{
	if (i >= c->nvlans)
		return 0;
	*e = (struct xp_kind_entry){&c->vlans[i], c->vlans[i].name, &c->vlans[i].loc};
	return 1;
}

static const void *map_find(const struct xp_conf *c, const char *name)
{
	return xp_conf_vlan(c, name);
}

static void plan(struct xp_pctx *x, const void *spec, const struct xp_obs_link *l)
{
	const struct xp_vlan *v = spec;

	if (!l) {
		if (!xp_pctx_will_exist(x, v->parent)) {
			/* skipped with its parent: what is over it is missing too */
			char of[32];
			snprintf(of, sizeof(of), "VLAN %s", v->name);
			xp_plan_missing(x->p, x->c, v->parent_loc.line ? &v->parent_loc : &v->loc,
					"parent", v->parent, of);
			return;
		}
		xp_pctx_create(x, v->name, XP_K_VLAN, v);
		return;
	}
	if (l->vlan_id != v->id || (l->parent[0] && strcmp(l->parent, v->parent))) {
		char want[32], have[32];
		snprintf(want, sizeof(want), "%s id %d", v->parent, v->id);
		snprintf(have, sizeof(have), "%s id %d", l->parent, l->vlan_id);
		xp_plan_drift(x->p, v->name, "vlan", want, have);
	}
	xp_pctx_mtu(x, v->name, v->mtu, l);
}

static int fill_create(const void *spec, struct xp_attrw *w)
{
	const struct xp_vlan *v = spec;

	w->link = w->ifindex(w, v->parent);
	if (w->link <= 0)
		return -NLE_OBJ_NOTFOUND;
	w->mtu = v->mtu;
	return xp_attrw_u16(w, IFLA_VLAN_ID, (uint16_t)v->id);
}

static void observe(const struct nlattr *data, struct xp_obs_link *l)
{
	const struct nlattr *tb[IFLA_VLAN_MAX + 1];

	xp_attr_parse(tb, IFLA_VLAN_MAX, data);
	l->vlan_id = (int)xp_attr_u16(tb[IFLA_VLAN_ID], (unsigned)l->vlan_id);
}

const struct xp_kind xp_kind_vlan = {
    .name = "vlan",
    .kind = XP_K_VLAN,
    .role = "VLAN",
    .map_entry = map_entry,
    .map_find = map_find,
    .plan = plan,
    .fill_create = fill_create,
    .fold_create = 1,
    .has_parent = 1,
    .observe = observe,
};
