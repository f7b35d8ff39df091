/* 802.1Q VLAN devices: create on their parent when missing; an existing
 * one is adopted as it is (a different parent or id is drift, not
 * something to fix by deleting it). */
#include <linux/if_link.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <string.h>

#include "common/nl.h"
#include "net/kind.h"

void xp_vlan_plan(struct xp_pctx *x, const struct xp_vlan *v)
{
	const struct xp_obs_link *l = xp_pctx_obs(x, v->name);
	struct xp_op *op;

	if (!l) {
		if (!xp_pctx_will_exist(x, v->parent)) {
			char pre[300];
			xp_plan_error(x->p, "%sVLAN %s: parent %s does not exist",
				      xp_loc_prefix(&v->loc, pre, sizeof(pre)), v->name, v->parent);
			return;
		}
		op = xp_plan_push(x->p, XP_OP_CREATE, v->name, "in the map, missing");
		op->kind = XP_K_VLAN;
		op->spec = v;
		op->created = 1;
		return;
	}
	if (l->kind != XP_K_VLAN) {
		xp_plan_wrong_kind(x, &v->loc, v->name, l, XP_K_VLAN);
		return;
	}
	if (l->vlan_id != v->id || (l->parent[0] && strcmp(l->parent, v->parent))) {
		char want[32], have[32];
		snprintf(want, sizeof(want), "%s id %d", v->parent, v->id);
		snprintf(have, sizeof(have), "%s id %d", l->parent, l->vlan_id);
		xp_plan_drift(x->p, v->name, "vlan", want, have);
	}
	if (v->mtu > 0 && l->mtu != v->mtu) {
		op = xp_plan_push(x->p, XP_OP_SET_MTU, v->name, "map says mtu %d", v->mtu);
		op->value = v->mtu;
		op->old = l->mtu;
	}
}

int xp_vlan_create(struct nl_sock *sk, const struct xp_vlan *v, const struct xp_nd_fold *f)
{
	struct xp_ndmsg m;
	int parent = xp_nl_ifindex(sk, v->parent);
	int err;

	if (parent <= 0)
		return -NLE_OBJ_NOTFOUND;
	err = xp_nd_begin(&m, v->name, 0, "vlan", v->mtu, parent, f);
	if (err < 0)
		return err;
	if (nla_put_u16(m.msg, IFLA_VLAN_ID, (uint16_t)v->id) < 0) {
		nlmsg_free(m.msg);
		return -NLE_NOMEM;
	}
	return xp_nd_send(sk, &m);
}
