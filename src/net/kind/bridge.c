/* Bridges: create when missing (with MTU, STP, forward delay and VLAN
 * filtering from the map), adopt when present and change only the
 * attributes the map sets and the bridge does not have.  Ports: add the
 * map's ports that are missing; a port carrying addresses or routes is
 * refused unless the bridge says move-addresses. */
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <string.h>

#include "common/bridge.h"
#include "common/nl.h"
#include "net/exec.h"
#include "net/kind.h"

#define USER_HZ 100 /* the bridge's netlink timers are in clock_t */

static void plan_attr(struct xp_pctx *x, const char *name, int type, int want, int have,
		      const char *what)
{
	struct xp_op *op;

	if (want < 0 || want == have)
		return;
	op = xp_plan_push(x->p, type, name, "map says %s %d", what, want);
	op->value = want;
	op->old = have;
}

void xp_bridge_plan(struct xp_pctx *x, const struct xp_bridge *br)
{
	const struct xp_obs_link *l = xp_pctx_obs(x, br->name);

	if (!l) {
		struct xp_op *op =
		    xp_plan_push(x->p, XP_OP_CREATE, br->name, "in the map, missing");
		op->kind = XP_K_BRIDGE;
		op->spec = br;
		op->created = 1;
		return;
	}
	if (l->kind != XP_K_BRIDGE) {
		xp_plan_wrong_kind(x, &br->loc, br->name, l, XP_K_BRIDGE);
		return;
	}
	plan_attr(x, br->name, XP_OP_SET_VLANF, br->vlan_filtering, l->vlan_filtering,
		  "vlan-filtering");
	/* With STP on the kernel wants forward delay in 2..30: set the delay
	 * first when turning STP off, last when turning it on. */
	if (br->stp == 1) {
		plan_attr(x, br->name, XP_OP_SET_FD, br->forward_delay, l->forward_delay,
			  "forward-delay");
		plan_attr(x, br->name, XP_OP_SET_STP, br->stp, l->stp, "stp");
	} else {
		plan_attr(x, br->name, XP_OP_SET_STP, br->stp, l->stp, "stp");
		plan_attr(x, br->name, XP_OP_SET_FD, br->forward_delay, l->forward_delay,
			  "forward-delay");
	}
	plan_attr(x, br->name, XP_OP_SET_MTU, br->mtu, l->mtu, "mtu");
}

static int has_vid(const struct xp_obs_link *l, int vid)
{
	for (int i = 0; l && i < l->nvids; i++)
		if (l->vids[i] == vid)
			return 1;
	return 0;
}

/* On a VLAN-filtering bridge, the map's ports are trunks: each carries,
 * tagged, every VLAN a network of this bridge names. */
static void plan_port_vlans(struct xp_pctx *x, const struct xp_bridge *br)
{
	const struct xp_obs_link *bl = xp_pctx_obs(x, br->name);
	int filtering =
	    br->vlan_filtering == 1 || (br->vlan_filtering < 0 && bl && bl->vlan_filtering);

	if (!filtering)
		return;
	for (size_t n = 0; n < x->c->nnetworks; n++) {
		const struct xp_network *nw = &x->c->networks[n];
		int dup = 0;
		if (strcmp(nw->bridge, br->name) || nw->vlan <= 0)
			continue;
		for (size_t k = 0; k < n; k++)
			dup |= !strcmp(x->c->networks[k].bridge, br->name) &&
			       x->c->networks[k].vlan == nw->vlan;
		if (dup)
			continue;
		for (size_t i = 0; i < br->nports; i++) {
			const struct xp_obs_link *l = xp_pctx_obs(x, br->ports[i]);
			struct xp_op *op;
			if (!xp_pctx_will_exist(x, br->ports[i]) ||
			    (l && !strcmp(l->master, br->name) && has_vid(l, nw->vlan)))
				continue;
			op = xp_plan_push(x->p, XP_OP_PORT_VLAN, br->ports[i],
					  "network %s is VLAN %d on %s", nw->name, nw->vlan,
					  br->name);
			op->value = nw->vlan;
			snprintf(op->peer, sizeof(op->peer), "%s", br->name);
		}
	}
}

void xp_bridge_plan_ports(struct xp_pctx *x, const struct xp_bridge *br)
{
	char pre[300], l3[256];

	if (!xp_pctx_will_exist(x, br->name))
		return;
	xp_loc_prefix(&br->loc, pre, sizeof(pre));
	for (size_t i = 0; i < br->nports; i++) {
		const char *port = br->ports[i];
		const struct xp_obs_link *l = xp_pctx_obs(x, port);
		struct xp_op *op;

		if (!l && !xp_pctx_creating(x, port)) {
			xp_plan_error(x->p, "%sport %s of bridge %s does not exist", pre, port,
				      br->name);
			continue;
		}
		if (l && l->kind == XP_K_BRIDGE) {
			xp_plan_error(x->p, "%sport %s of bridge %s is itself a bridge", pre, port,
				      br->name);
			continue;
		}
		if (l && l->master[0] && strcmp(l->master, br->name)) {
			xp_plan_error(x->p,
				      "%sport %s of bridge %s is already enslaved to %s; release "
				      "it first or change the map",
				      pre, port, br->name, l->master);
			continue;
		}
		if (l && xp_l3_summary(l, l3, sizeof(l3)) && !br->move_addresses) {
			xp_plan_error(x->p,
				      "%sport %s of bridge %s carries %s; move them to %s in "
				      "your network configuration, or set move-addresses = yes "
				      "in [bridge %s]",
				      pre, port, br->name, l3, br->name, br->name);
			continue;
		}
		if (l && l->unmovable_routes) {
			xp_plan_error(x->p,
				      "%sport %s of bridge %s has multipath routes, which "
				      "xenplumb cannot move; move them to %s yourself",
				      pre, port, br->name, br->name);
			continue;
		}
		if (l && !strcmp(l->master, br->name))
			continue;
		op = xp_plan_push(x->p, XP_OP_ADD_PORT, port, "port of %s in the map", br->name);
		snprintf(op->peer, sizeof(op->peer), "%s", br->name);
	}
	plan_port_vlans(x, br);
	if (br->mtu > 0 && xp_pctx_creating(x, br->name)) {
		struct xp_op *op = xp_plan_push(x->p, XP_OP_SET_MTU, br->name,
						"map says mtu %d; after the ports", br->mtu);
		op->value = br->mtu;
		op->old = 1500;
		op->created = 1;
	}
}

static int put_attr(struct nl_msg *msg, int op, int value)
{
	switch (op) {
	case XP_OP_SET_STP:
		return nla_put_u32(msg, IFLA_BR_STP_STATE, (uint32_t)value);
	case XP_OP_SET_FD:
		return nla_put_u32(msg, IFLA_BR_FORWARD_DELAY, (uint32_t)value * USER_HZ);
	case XP_OP_SET_VLANF:
		return nla_put_u8(msg, IFLA_BR_VLAN_FILTERING, (uint8_t)value);
	default:
		return -NLE_INVAL;
	}
}

int xp_bridge_create(struct nl_sock *sk, const struct xp_bridge *br, const struct xp_nd_fold *f)
{
	struct xp_ndmsg m;
	/* No MTU here: the kernel would let the first port override it.  The
	 * planner sets it after the ports (see xp_bridge_plan_ports). */
	int err = xp_nd_begin(&m, br->name, 0, "bridge", 0, 0, f);
	int bad = 0;

	if (err < 0)
		return err;
	/* The kernel applies the delay before STP: fine either way for a new
	 * bridge, whose STP is off until this message turns it on. */
	if (br->forward_delay >= 0)
		bad |= put_attr(m.msg, XP_OP_SET_FD, br->forward_delay);
	if (br->stp >= 0)
		bad |= put_attr(m.msg, XP_OP_SET_STP, br->stp);
	if (br->vlan_filtering >= 0)
		bad |= put_attr(m.msg, XP_OP_SET_VLANF, br->vlan_filtering);
	if (bad) {
		nlmsg_free(m.msg);
		return -NLE_INVAL;
	}
	return xp_nd_send(sk, &m);
}

int xp_bridge_port_vlan(struct nl_sock *sk, const char *port, int vid, int del)
{
	struct xp_vlan_run r = {vid, vid, 0};

	return xp_brport_vlans(sk, xp_nl_ifindex(sk, port), del, &r, 1);
}

int xp_bridge_set(struct nl_sock *sk, const char *name, int op, int value)
{
	struct xp_ndmsg m;
	int idx = xp_nl_ifindex(sk, name);
	int err;

	if (idx <= 0)
		return -NLE_OBJ_NOTFOUND;
	err = xp_nd_begin(&m, NULL, idx, "bridge", 0, 0, NULL);
	if (err < 0)
		return err;
	if (put_attr(m.msg, op, value) < 0) {
		nlmsg_free(m.msg);
		return -NLE_INVAL;
	}
	return xp_nd_send(sk, &m);
}
