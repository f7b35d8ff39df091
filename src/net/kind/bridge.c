/* Bridges: create when missing (with MTU, STP, forward delay and VLAN
 * filtering from the map), adopt when present and change only the
 * attributes the map sets and the bridge does not have.  Ports: add the
 * map's ports that are missing; a port carrying addresses or routes is
 * refused unless the bridge says move-addresses. */
#include <linux/if_link.h>
#include <netlink/errno.h>
#include <stdio.h>
#include <string.h>

#include "common/bridge.h"
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
	if (type != XP_OP_SET_MTU)
		op->kind = XP_K_BRIDGE; /* the executor asks this kind's fill_set */
}

/* An adopted bridge: its MTU is pinned where it is (or where the map says)
 * the first time, recorded so that stop gives back the old value; later,
 * only a change the map asks for. */
static void plan_adopted_mtu(struct xp_pctx *x, const struct xp_bridge *br,
			     const struct xp_obs_link *l)
{
	const struct xp_st_mtu *m = NULL;
	int want = br->mtu > 0 ? br->mtu : l->mtu;
	struct xp_op *op;

	/* the state's records read in place (a kind links no state code) */
	for (size_t i = 0; x->s && i < x->s->nmtus; i++)
		if (!strcmp(x->s->mtus[i].dev, br->name))
			m = &x->s->mtus[i];
	if (m && (!m->ifindex || m->ifindex == l->ifindex)) {
		plan_attr(x, br->name, XP_OP_SET_MTU, br->mtu, l->mtu, "mtu");
		return;
	}
	op = xp_plan_push(x->p, XP_OP_PIN_MTU, br->name,
			  br->mtu > 0 ? "map says mtu %d" : "keeps mtu %d, whatever its ports have",
			  want);
	op->value = want;
	op->old = l->mtu;
	op->created = xp_pctx_recorded(x, br->name);
}

/* A new bridge's MTU: the map's, else its uplink's (the first port of the
 * map that exists or is made, with the MTU it has once this plan's devices
 * exist: a VXLAN's underlay's minus the overhead, a VLAN's parent's, a map
 * mtu), else 1500.  Lower devices are planned before bridges. */
static int new_bridge_mtu(struct xp_pctx *x, const struct xp_bridge *br)
{
	if (br->mtu > 0)
		return br->mtu;
	for (size_t i = 0; i < br->nports; i++) {
		int mtu;

		if (!xp_pctx_will_exist(x, br->ports[i]))
			continue;
		mtu = xp_pctx_dev_mtu(x, br->ports[i]);
		return mtu > 0 ? mtu : 1500;
	}
	return 1500;
}

static void plan(struct xp_pctx *x, const void *spec, const struct xp_obs_link *l)
{
	const struct xp_bridge *br = spec;

	if (!l) {
		xp_pctx_create(x, br->name, XP_K_BRIDGE, br);
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
	plan_adopted_mtu(x, br, l);
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
			/* on a bridge xenplumb did not make, the VLAN is recorded */
			op->created =
			    xp_pctx_creating(x, br->name) || xp_pctx_recorded(x, br->name);
		}
	}
}

/* Does the map (still) have port on bridge? */
static int map_has_port(const struct xp_conf *c, const char *bridge, const char *port)
{
	const struct xp_bridge *b = xp_conf_bridge(c, bridge);

	for (size_t i = 0; b && i < b->nports; i++)
		if (!strcmp(b->ports[i], port))
			return 1;
	return 0;
}

static int recorded_port(const struct xp_state *s, const char *bridge, const char *port)
{
	for (size_t i = 0; i < s->nports; i++)
		if (!strcmp(s->ports[i].bridge, bridge) && !strcmp(s->ports[i].port, port))
			return 1;
	return 0;
}

static int moved_onto(const struct xp_state *s, const char *port, const char *bridge)
{
	for (size_t i = 0; i < s->nmoves; i++)
		if (!strcmp(s->moves[i].from, port) && !strcmp(s->moves[i].to, bridge))
			return 1;
	return 0;
}

/* Reload: a port xenplumb put on a bridge the new map no longer gives it
 * (the bridge left the map, or lost the port) may leave it for br in this
 * run -- unless it carries addresses xenplumb moved onto the old bridge
 * (refused: they would have to travel twice). */
static int movable(struct xp_pctx *x, const struct xp_bridge *br, const struct xp_obs_link *l)
{
	const char *old = l->master;
	char pre[300];

	if (!x->reload || !x->s || l->master_kind != XP_K_BRIDGE ||
	    !recorded_port(x->s, old, l->name) || map_has_port(x->c, old, l->name))
		return 0;
	if (!moved_onto(x->s, l->name, old))
		return 1;
	xp_plan_error(x->p,
		      "%sport %s moves from %s to %s, but %s carries the addresses xenplumb "
		      "moved off %s: run stop, then start with the new map",
		      xp_loc_prefix(&br->loc, pre, sizeof(pre)), l->name, old, br->name, old,
		      l->name);
	return 1; /* reported: no second error */
}

/* Off the old bridge, then onto br. */
static void plan_move_port(struct xp_pctx *x, const struct xp_bridge *br,
			   const struct xp_obs_link *l)
{
	struct xp_op *op;

	op = xp_plan_push(x->p, XP_OP_DEL_PORT, l->name,
			  "moving to %s: the map no longer has it on %s", br->name, l->master);
	snprintf(op->peer, sizeof(op->peer), "%s", l->master);
	op = xp_plan_push(x->p, XP_OP_ADD_PORT, l->name, "port of %s in the map, from %s", br->name,
			  l->master);
	snprintf(op->peer, sizeof(op->peer), "%s", br->name);
}

static void plan_ports(struct xp_pctx *x, const void *spec)
{
	const struct xp_bridge *br = spec;
	char pre[300], l3[256];

	if (!xp_pctx_will_exist(x, br->name))
		return;
	xp_loc_prefix(&br->loc, pre, sizeof(pre));
	if (xp_pctx_creating(x, br->name)) {
		/* before its ports join, so that none of them moves it */
		struct xp_op *op = xp_plan_push(x->p, XP_OP_PIN_MTU, br->name, "new bridge");
		op->value = new_bridge_mtu(x, br);
		op->old = 1500;
		op->created = 1;
	}
	for (size_t i = 0; i < br->nports; i++) {
		const char *port = br->ports[i];
		const struct xp_obs_link *l = xp_pctx_obs(x, port);
		struct xp_op *op;
		int moving;

		if (!l && !xp_pctx_creating(x, port)) {
			char of[32];
			snprintf(of, sizeof(of), "bridge %s", br->name);
			xp_plan_missing(x->p, x->c, br->ports_loc.line ? &br->ports_loc : &br->loc,
					"port", port, of);
			continue;
		}
		if (l && l->kind == XP_K_BRIDGE) {
			xp_plan_error(x->p, "%sport %s of bridge %s is itself a bridge", pre, port,
				      br->name);
			continue;
		}
		moving = l && l->master[0] && strcmp(l->master, br->name) && movable(x, br, l);
		if (l && l->master[0] && strcmp(l->master, br->name) && !moving) {
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
		if (moving) {
			plan_move_port(x, br, l);
			continue;
		}
		op = xp_plan_push(x->p, XP_OP_ADD_PORT, port, "port of %s in the map", br->name);
		snprintf(op->peer, sizeof(op->peer), "%s", br->name);
	}
	plan_port_vlans(x, br);
}

static int fill_set(int op, int value, struct xp_attrw *w)
{
	switch (op) {
	case XP_OP_SET_STP:
		return xp_attrw_u32(w, IFLA_BR_STP_STATE, (uint32_t)value);
	case XP_OP_SET_FD:
		return xp_attrw_u32(w, IFLA_BR_FORWARD_DELAY, (uint32_t)value * USER_HZ);
	case XP_OP_SET_VLANF:
		return xp_attrw_u8(w, IFLA_BR_VLAN_FILTERING, (uint8_t)value);
	default:
		return -NLE_INVAL;
	}
}

static int fill_create(const void *spec, struct xp_attrw *w)
{
	const struct xp_bridge *br = spec;
	int bad = 0;

	/* No MTU here: an IFLA_MTU in the creating request leaves the bridge
	 * following its ports.  The planner pins it (XP_OP_PIN_MTU) before
	 * the ports join. */
	w->mtu = 0;
	/* The kernel applies the delay before STP: fine either way for a new
	 * bridge, whose STP is off until this message turns it on. */
	if (br->forward_delay >= 0)
		bad |= fill_set(XP_OP_SET_FD, br->forward_delay, w);
	if (br->stp >= 0)
		bad |= fill_set(XP_OP_SET_STP, br->stp, w);
	if (br->vlan_filtering >= 0)
		bad |= fill_set(XP_OP_SET_VLANF, br->vlan_filtering, w);
	return bad ? -NLE_INVAL : 0;
}

/* The same fields as common/bridge.c's xp_br_info_parse, read without
 * libnl so that the planner links alone. */
static void observe(const struct nlattr *data, struct xp_obs_link *l)
{
	struct xp_br_info bi = {l->stp, l->forward_delay, l->vlan_filtering, 0};

	xp_br_info_parse(data, &bi);
	l->stp = bi.stp;
	l->forward_delay = bi.forward_delay;
	l->vlan_filtering = bi.vlan_filtering;
}

/* The i-th Linux bridge of the map: Open vSwitch bridges (type =
 * openvswitch) are not netdevs of this table; src/net/ovsnet.c has them. */
/* The i-th [bridge]; an Open vSwitch one is no entry of this kind (spec
 * NULL: skipped), so that the i-th is found without a scan. */
static int map_entry(const struct xp_conf *c, size_t i, struct xp_kind_entry *e)
{
	const struct xp_bridge *b = i < c->nbridges ? &c->bridges[i] : NULL;

	if (!b)
		return 0;
	*e = (struct xp_kind_entry){b->type == XP_BR_OVS ? NULL : b, b->name, &b->loc};
	return 1;
}

static const void *map_find(const struct xp_conf *c, const char *name)
{
	const struct xp_bridge *b = xp_conf_bridge(c, name);

	return b && b->type != XP_BR_OVS ? b : NULL;
}

static const char *up_first(const void *spec, size_t i)
{
	const struct xp_bridge *br = spec;

	return i < br->nports ? br->ports[i] : NULL;
}

/* Addresses and routes onto a bridge that says move-addresses. */
static void plan_late(struct xp_pctx *x, const void *spec)
{
	const struct xp_bridge *br = spec;

	for (size_t j = 0; br->move_addresses && j < br->nports; j++)
		xp_pctx_move(x, br->ports[j], br->name);
}

const struct xp_kind xp_kind_bridge = {
    .name = "bridge",
    .kind = XP_K_BRIDGE,
    .role = "bridge",
    .map_entry = map_entry,
    .map_find = map_find,
    .plan = plan,
    .plan_ports = plan_ports,
    .up_first = up_first,
    .up_role = "bridge port",
    .plan_late = plan_late,
    .fill_create = fill_create,
    .fill_set = fill_set,
    .fold_create = 1,
    .has_ports = 1,
    .observe = observe,
};
