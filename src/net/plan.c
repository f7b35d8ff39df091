/* The pure planner's core; see plan.h.  Kind-specific comparisons live in
 * the kind table's rows (src/net/kind/), the primitives they and this file use
 * in pctx.c; this file walks the table in its phases and undoes earlier
 * work. */
#include "net/plan.h"

#include <linux/if_addr.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/grow.h"
#include "net/kind.h"

const char *xp_op_name(int type)
{
	static const char *const names[] = {
	    [XP_OP_CREATE] = "create",
	    [XP_OP_SET_MTU] = "set-mtu",
	    [XP_OP_SET_STP] = "set-stp",
	    [XP_OP_SET_FD] = "set-forward-delay",
	    [XP_OP_SET_VLANF] = "set-vlan-filtering",
	    [XP_OP_DOWN] = "down",
	    [XP_OP_ENSLAVE] = "enslave",
	    [XP_OP_ADD_PORT] = "add-port",
	    [XP_OP_DEL_PORT] = "del-port",
	    [XP_OP_UP] = "up",
	    [XP_OP_ADD_ADDR] = "add-addr",
	    [XP_OP_DEL_ADDR] = "del-addr",
	    [XP_OP_ADD_ROUTE] = "add-route",
	    [XP_OP_DEL_ROUTE] = "del-route",
	    [XP_OP_DELETE] = "delete",
	    [XP_OP_PORT_VLAN] = "port-vlan",
	    [XP_OP_PIN_MTU] = "pin-mtu",
	    [XP_OP_SET_LEARNING] = "set-learning",
	    [XP_OP_FLOOD_ADD] = "flood-add",
	    [XP_OP_FLOOD_DEL] = "flood-del",
	};
	if (type < 0 || (size_t)type >= sizeof(names) / sizeof(names[0]) || !names[type])
		return "?";
	return names[type];
}

/* The VXLAN ops: learning, the flood list. */
static void format_vxlan(const struct xp_op *op, char *what, size_t len)
{
	if (op->type == XP_OP_SET_LEARNING) {
		snprintf(what, len, "set %s learning %s (was %s)", op->dev,
			 op->value ? "on" : "off", op->old ? "on" : "off");
	} else {
		char a[64];
		snprintf(what, len, "%s remote %s %s the flood list of %s",
			 op->type == XP_OP_FLOOD_ADD ? "add" : "remove",
			 xp_ipaddr_format(&op->ip, a, sizeof(a)),
			 op->type == XP_OP_FLOOD_ADD ? "to" : "from", op->dev);
	}
}

static void addr_op_format(const struct xp_op *op, char *what, size_t len)
{
	char a[96];

	xp_addr_format(&op->addr, a, sizeof(a));
	if (op->type == XP_OP_DEL_ADDR && op->had && op->value == 2)
		snprintf(what, len, "keep address %s on %s (its own)", a, op->dev);
	else if (op->type == XP_OP_ADD_ADDR && op->value == 3)
		snprintf(what, len, "restore flags of address %s on %s", a, op->dev);
	else
		snprintf(what, len, "%s address %s %s %s",
			 op->type == XP_OP_ADD_ADDR ? "add" : "delete", a,
			 op->type == XP_OP_ADD_ADDR ? "to" : "from", op->dev);
}

void xp_op_format(const struct xp_op *op, char *buf, size_t len)
{
	char what[256];

	switch (op->type) {
	case XP_OP_CREATE:
		snprintf(what, sizeof(what), "create %s %s", xp_kind_name(op->kind), op->dev);
		break;
	case XP_OP_DELETE:
		snprintf(what, sizeof(what), "delete %s %s", xp_kind_name(op->kind), op->dev);
		break;
	case XP_OP_SET_MTU:
		snprintf(what, sizeof(what), "set %s mtu %d (was %d)", op->dev, op->value, op->old);
		break;
	case XP_OP_PIN_MTU:
		snprintf(what, sizeof(what),
			 "set %s mtu %d, pinned: ports no longer move it (was %d)", op->dev,
			 op->value, op->old);
		break;
	case XP_OP_SET_STP:
	case XP_OP_SET_VLANF:
		snprintf(what, sizeof(what), "set %s %s %s (was %s)", op->dev,
			 op->type == XP_OP_SET_STP ? "stp" : "vlan-filtering",
			 op->value ? "on" : "off", op->old ? "on" : "off");
		break;
	case XP_OP_SET_FD:
		snprintf(what, sizeof(what), "set %s forward-delay %d (was %d)", op->dev, op->value,
			 op->old);
		break;
	case XP_OP_DOWN:
		snprintf(what, sizeof(what), "set %s down", op->dev);
		break;
	case XP_OP_UP:
		snprintf(what, sizeof(what), "set %s up", op->dev);
		break;
	case XP_OP_ENSLAVE:
		snprintf(what, sizeof(what), "enslave %s to bond %s", op->dev, op->peer);
		break;
	case XP_OP_ADD_PORT:
		snprintf(what, sizeof(what), "add port %s to bridge %s", op->dev, op->peer);
		break;
	case XP_OP_DEL_PORT:
		snprintf(what, sizeof(what), "remove port %s from %s", op->dev, op->peer);
		break;
	case XP_OP_ADD_ADDR:
	case XP_OP_DEL_ADDR:
		addr_op_format(op, what, sizeof(what));
		break;
	case XP_OP_ADD_ROUTE:
	case XP_OP_DEL_ROUTE: {
		char r[128];
		xp_route_format(&op->route, r, sizeof(r));
		if (op->type == XP_OP_DEL_ROUTE && op->had && op->value == 2)
			snprintf(what, sizeof(what), "keep route %s dev %s (its own)", r, op->dev);
		else
			snprintf(what, sizeof(what), "%s route %s dev %s",
				 op->type == XP_OP_ADD_ROUTE ? "add" : "delete", r, op->dev);
		break;
	}
	case XP_OP_SET_LEARNING:
	case XP_OP_FLOOD_ADD:
	case XP_OP_FLOOD_DEL:
		format_vxlan(op, what, sizeof(what));
		break;
	case XP_OP_PORT_VLAN:
		snprintf(what, sizeof(what), "%s vlan %d on bridge port %s",
			 op->old ? "remove" : "add", op->value, op->dev);
		break;
	default:
		snprintf(what, sizeof(what), "%s %s", xp_op_name(op->type), op->dev);
	}
	if (op->why[0])
		snprintf(buf, len, "%s (%s)", what, op->why);
	else
		snprintf(buf, len, "%s", what);
}

int xp_plan_is_created(const struct xp_plan *p, const struct xp_state *s,
		       const struct xp_observed *o, const char *name)
{
	const struct xp_st_dev *d = s ? xp_state_dev(s, name) : NULL;
	const struct xp_obs_link *l = xp_obs_find(o, name);

	if (xp_plan_has_op(p, XP_OP_CREATE, name, p->n))
		return 1;
	if (!d)
		return 0;
	/* The same name with another ifindex is someone else's device. */
	if (l && l->kind != XP_K_ABSENT && d->ifindex && l->ifindex != d->ifindex)
		return 0;
	return 1;
}

void xp_plan_wrong_kind(struct xp_pctx *x, const struct xp_loc *loc, const char *name,
			const struct xp_obs_link *l, int want)
{
	char pre[300];
	const char *is =
	    l->kind == XP_K_OTHER && l->kind_name[0] ? l->kind_name : xp_kind_name(l->kind);

	xp_plan_error(x->p,
		      "%s%s exists but is a %s, not a %s; rename or remove that device, or "
		      "use another name in the map",
		      xp_loc_prefix(loc, pre, sizeof(pre)), name, is, xp_kind_name(want));
}

/* ---- start ---- */

static int has_op(const struct xp_plan *p, int type, const char *dev)
{
	return xp_plan_has_op(p, type, dev, p->n);
}

static void plan_up(struct xp_pctx *x, const char *name, const char *role)
{
	const struct xp_obs_link *l = xp_pctx_obs(x, name);
	struct xp_op *op;

	if (has_op(x->p, XP_OP_UP, name))
		return;
	if (xp_pctx_creating(x, name)) {
		op = xp_plan_push(x->p, XP_OP_UP, name, "new %s", role);
		op->created = 1;
	} else if (l && !l->up) {
		op = xp_plan_push(x->p, XP_OP_UP, name, "%s is down", role);
		op->old = 0;
	}
}

/* NICs that were up before joining a bond xenplumb deleted since, and are
 * still down (a run killed between the delete and the up): up again. */
/* An Open vSwitch bridge's ports are made over OVSDB (ovsnet.c), but one
 * that does not exist (nor is made by this plan) is missing as a Linux
 * bridge's is: skipped and reported (exit 3), or an error under strict. */
static void plan_ovs_ports(struct xp_pctx *x)
{
	for (size_t i = 0; i < x->c->nbridges; i++) {
		const struct xp_bridge *br = &x->c->bridges[i];
		char of[48];

		if (br->type != XP_BR_OVS)
			continue;
		snprintf(of, sizeof(of), "Open vSwitch bridge %s", br->name);
		for (size_t j = 0; j < br->nports; j++)
			if (!xp_pctx_will_exist(x, br->ports[j]))
				xp_plan_missing(x->p, x->c,
						br->ports_loc.line ? &br->ports_loc : &br->loc,
						"port", br->ports[j], of);
	}
}

static void plan_orphan_slaves(struct xp_pctx *x)
{
	const struct xp_state *s = x->s;
	struct xp_op *op;

	for (size_t i = 0; s && i < s->nslaves; i++) {
		const struct xp_st_slave *sl = &s->slaves[i];
		const struct xp_obs_link *l = xp_pctx_obs(x, sl->slave);
		if (xp_state_dev(s, sl->bond) || !sl->was_up || !l || l->up || l->master[0] ||
		    has_op(x->p, XP_OP_UP, sl->slave) || has_op(x->p, XP_OP_ENSLAVE, sl->slave))
			continue;
		op = xp_plan_push(x->p, XP_OP_UP, sl->slave, "was up before joining %s, now gone",
				  sl->bond);
		xp_set_name(op->peer, sl->bond); /* the executor forgets the record */
	}
}

/* ---- undoing earlier work (stop, and reload for what left the map) ---- */

/* A list of names in order, with a set of them to look names up. */
struct names {
	char (*v)[XP_IFNAMSIZ];
	size_t n;
	struct xp_nametab set;
};

struct unwind {
	struct xp_pctx *x;
	int stop;		    /* everything goes */
	struct names gone;	    /* devices this plan deletes */
	struct names kept;	    /* bridges kept for their guests */
	struct xp_nametab children; /* parent -> its first device (child_staying) */
	size_t *nextc;
};

static int in_list(const struct names *l, const char *name)
{
	return xp_nametab_get(&l->set, name, NULL);
}

static void list_add(struct names *l, const char *name)
{
	if (in_list(l, name))
		return;
	xp_nametab_put(&l->set, name, 1);
	l->v = xp_grow(l->v, l->n, sizeof(*l->v));
	xp_set_name(l->v[l->n++], name);
}

static void list_del(struct names *l, const char *name)
{
	if (!in_list(l, name))
		return;
	xp_nametab_del(&l->set, name);
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], name)) {
			memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
			l->n--;
			return;
		}
}

static void list_free(struct names *l)
{
	xp_nametab_free(&l->set);
	free(l->v);
}

/* Is the device still wanted by the map (same kind)? */
static int in_map(const struct xp_conf *c, const char *name, int kind)
{
	const struct xp_kind *k = xp_kind_get(kind);

	return c && k && k->map_find(c, name) != NULL;
}

static int port_in_map(const struct xp_conf *c, const char *bridge, const char *port)
{
	const struct xp_bridge *br = c ? xp_conf_bridge(c, bridge) : NULL;
	for (size_t i = 0; br && i < br->nports; i++)
		if (!strcmp(br->ports[i], port))
			return 1;
	return 0;
}

/* Ports of a bridge that xenplumb neither added nor has in the map: guests
 * (or the admin's); their presence keeps the bridge and its uplinks. */
static size_t foreign_ports(const struct unwind *u, const struct xp_obs_link *bl, const char *skip,
			    char *names, size_t len)
{
	size_t n = 0;
	names[0] = 0;
	for (size_t i = 0; i < bl->nports; i++) {
		if ((skip && !strcmp(bl->ports[i], skip)) ||
		    xp_state_has_port(u->x->s, bl->name, bl->ports[i]))
			continue;
		if (port_in_map(u->x->c, bl->name, bl->ports[i]))
			continue;
		/* a device this plan deletes leaves the bridge with it */
		if (in_list(&u->gone, bl->ports[i]))
			continue;
		if (n++)
			strncat(names, " ", len - strlen(names) - 1);
		strncat(names, bl->ports[i], len - strlen(names) - 1);
	}
	return n;
}

/* An IPv6 address moved back goes on with nodad, then gets its flags by a
 * replace: a run killed in between left it back on the port with nodad,
 * which it did not have.  Its flags as recorded, then. */
static void plan_reflag(struct unwind *u, const struct xp_obs_link *pl, const struct xp_st_move *m)
{
	struct xp_op *op;

	for (size_t i = 0; i < pl->naddrs; i++)
		if (xp_addr_equal(&pl->addrs[i], &m->addr) && m->addr.family == AF_INET6 &&
		    (pl->addrs[i].flags & IFA_F_NODAD) && !(m->addr.flags & IFA_F_NODAD)) {
			op = xp_plan_push(u->x->p, XP_OP_ADD_ADDR, m->from,
					  "a run killed moving it back from %s left it nodad",
					  m->to);
			op->addr = m->addr;
			op->value = 3;
			return;
		}
}

/* Give port back what moved from it to bridge.  Addresses and routes go
 * back onto the port first (still a port: traffic keeps using the bridge's
 * older prefix routes), then, when release, the port leaves the bridge,
 * and only then does the bridge give them up.  Taking them from the bridge
 * while the port is still enslaved sends the first ARP request for the
 * next hop out of the port but hands its reply to the bridge, so the
 * port's neighbour waits for the kernel's retransmission: a second with no
 * traffic (measured in the VM tier at every stop). */
static void plan_move_back(struct unwind *u, const char *port, const char *bridge, int release)
{
	const struct xp_state *s = u->x->s;
	const struct xp_obs_link *pl = xp_pctx_obs(u->x, port);
	struct xp_op *op;

	if (!pl) {
		xp_plan_note(u->x->p, "%s is gone; what moved from it stays on %s", port, bridge);
		return;
	}
	/* records are in deletion order (last address first): add back in
	 * reverse so an IPv4 primary comes back before its secondaries */
	for (size_t i = s->nmoves; i-- > 0;) {
		const struct xp_st_move *m = &s->moves[i];
		if (strcmp(m->from, port) || strcmp(m->to, bridge) || m->is_route)
			continue;
		if (xp_obs_has_addr(pl, &m->addr)) {
			plan_reflag(u, pl, m);
			continue;
		}
		op = xp_plan_push(u->x->p, XP_OP_ADD_ADDR, port, "moving back from %s", bridge);
		op->addr = m->addr;
		op->value = 1; /* restored as it was (no nodad) */
		xp_set_name(op->peer, bridge);
	}
	for (size_t i = 0; i < s->nmoves; i++) {
		const struct xp_st_move *m = &s->moves[i];
		if (strcmp(m->from, port) || strcmp(m->to, bridge) || !m->is_route ||
		    xp_obs_has_route(pl, &m->route))
			continue;
		op = xp_plan_push(u->x->p, XP_OP_ADD_ROUTE, port, "moving back from %s", bridge);
		op->route = m->route;
		xp_set_name(op->peer, bridge);
	}
	if (release) {
		op = xp_plan_push(u->x->p, XP_OP_DEL_PORT, port, "added by xenplumb%s",
				  u->stop ? "" : ", no longer in the map");
		xp_set_name(op->peer, bridge);
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < s->nmoves; i++) {
			const struct xp_st_move *m = &s->moves[i];
			if (strcmp(m->from, port) || strcmp(m->to, bridge) || m->is_route != !pass)
				continue;
			/* Also when already gone from the bridge: the executor then
			 * only forgets the record. */
			op = xp_plan_push(u->x->p, m->is_route ? XP_OP_DEL_ROUTE : XP_OP_DEL_ADDR,
					  bridge, "moved back to %s", port);
			op->route = m->route;
			op->addr = m->addr;
			op->value = 2;	  /* undoes a recorded move */
			op->had = m->had; /* then only the record goes */
			xp_set_name(op->peer, port);
		}
}

static int has_moves(const struct xp_state *s, const char *port, const char *bridge)
{
	for (size_t i = 0; i < s->nmoves; i++)
		if (!strcmp(s->moves[i].from, port) && !strcmp(s->moves[i].to, bridge))
			return 1;
	return 0;
}

/* The first observed device on top of l (a VLAN of it) that stays, or
 * NULL.  Each parent's devices are chained once, in observed order. */
static void children_index(struct unwind *u)
{
	const struct xp_observed *o = u->x->o;
	long j;

	if (!u->nextc) {
		u->nextc = calloc(o->n + 1, sizeof(*u->nextc));
		if (!u->nextc)
			abort();
		for (size_t i = o->n; i-- > 0;) {
			if (!xp_kind_has_parent(o->links[i].kind))
				continue;
			u->nextc[i] = xp_nametab_get(&u->children, o->links[i].parent, &j)
					  ? (size_t)j
					  : XP_OP_NONE;
			xp_nametab_put(&u->children, o->links[i].parent, (long)i);
		}
	}
}

static const struct xp_obs_link *child_staying(struct unwind *u, const struct xp_obs_link *l)
{
	const struct xp_observed *o = u->x->o;
	long j;

	children_index(u);
	if (!xp_nametab_get(&u->children, l->name, &j))
		return NULL;
	for (size_t k = (size_t)j; k != XP_OP_NONE; k = u->nextc[k])
		if (!in_list(&u->gone, o->links[k].name))
			return &o->links[k];
	return NULL;
}

/* Devices xenplumb created that are to go, minus those still in use by a
 * device that stays (a port of a kept bridge, the parent of a kept VLAN). */
static void unwind_pick(struct unwind *u)
{
	const struct xp_state *s = u->x->s;
	int changed;

	for (size_t i = 0; i < s->ndevs; i++) {
		const struct xp_obs_link *l = xp_pctx_obs(u->x, s->devs[i].name);
		if (!l || !xp_plan_is_created(u->x->p, s, u->x->o, s->devs[i].name))
			continue;
		if (!u->stop && in_map(u->x->c, s->devs[i].name, s->devs[i].kind))
			continue;
		list_add(&u->gone, s->devs[i].name);
	}
	do {
		changed = 0;
		for (size_t i = 0; i < u->gone.n; i++) {
			const struct xp_obs_link *l = xp_pctx_obs(u->x, u->gone.v[i]), *v;
			char guests[256];
			const char *why = NULL;

			if (xp_kind_has_ports(l->kind) &&
			    foreign_ports(u, l, NULL, guests, sizeof(guests))) {
				xp_plan_note(u->x->p, "%s %s kept: it has guest ports (%s)",
					     xp_kind_name(l->kind), l->name, guests);
				list_add(&u->kept, l->name);
				why = "kept";
			} else if (l->master[0] && !in_list(&u->gone, l->master) &&
				   xp_kind_has_ports(l->master_kind)) {
				xp_plan_note(u->x->p, "%s kept: still a port of %s", l->name,
					     l->master);
				why = "kept";
			} else if ((v = child_staying(u, l))) {
				xp_plan_note(u->x->p, "%s kept: parent of %s %s", l->name,
					     xp_kind_get(v->kind)->role, v->name);
				why = "kept";
			}
			if (why) {
				list_del(&u->gone, l->name);
				changed = 1;
				break;
			}
		}
	} while (changed);
}

/* The row of kind in xp_kinds (its index: the order of the table). */
static size_t kind_index(int kind)
{
	size_t k = 0;

	while (xp_kinds[k] && xp_kinds[k]->kind != kind)
		k++;
	return k;
}

/* Delete d (of kind index k), after the devices to go that sit on it and
 * that their kind would delete later (a VXLAN on a bridge): the kernel
 * would take them along with d, and their own delete would then fail. */
static void push_delete(struct unwind *u, const struct xp_st_dev *d, size_t k)
{
	const struct xp_observed *o = u->x->o;
	struct xp_op *op;
	long j;

	if (xp_plan_has_op(u->x->p, XP_OP_DELETE, d->name, u->x->p->n))
		return;
	children_index(u);
	if (xp_nametab_get(&u->children, d->name, &j))
		for (size_t c = (size_t)j; c != XP_OP_NONE; c = u->nextc[c]) {
			const struct xp_st_dev *cd = xp_state_dev(u->x->s, o->links[c].name);
			if (cd && in_list(&u->gone, cd->name) && kind_index(cd->kind) < k)
				push_delete(u, cd, kind_index(cd->kind));
		}
	op = xp_plan_push(u->x->p, XP_OP_DELETE, d->name, "created by xenplumb%s",
			  u->stop ? "" : ", no longer in the map");
	op->kind = d->kind;
	op->created = 1;
	if (xp_kinds[k]->plan_deleted)
		xp_kinds[k]->plan_deleted(u->x, d->name);
}

/* Delete what goes, upper devices first (the table in reverse). */
static void unwind_delete(struct unwind *u)
{
	const struct xp_state *s = u->x->s;
	size_t nk = 0;

	while (xp_kinds[nk])
		nk++;
	for (size_t k = nk; k-- > 0;)
		for (size_t i = s->ndevs; i-- > 0;) {
			const struct xp_st_dev *d = &s->devs[i];
			if (d->kind == xp_kinds[k]->kind && in_list(&u->gone, d->name))
				push_delete(u, d, k);
		}
}

static int port_has_vid(const struct xp_obs_link *l, int vid)
{
	for (int i = 0; l && i < l->nvids; i++)
		if (l->vids[i] == vid)
			return 1;
	return 0;
}

/* Does the map still want VLAN vid tagged on bridge's port? */
static int pvlan_in_map(const struct xp_conf *c, const char *bridge, const char *port, int vid)
{
	if (!port_in_map(c, bridge, port))
		return 0;
	for (size_t i = 0; i < c->nnetworks; i++)
		if (!strcmp(c->networks[i].bridge, bridge) && c->networks[i].vlan == vid)
			return 1;
	return 0;
}

/* What start changed on devices that stay (bridges it adopted): trunk
 * VLANs it put on their ports go, and each bridge gets back the MTU it had
 * (the kernel keeps it pinned: there is no way back to following ports). */
static void unwind_kept_devices(struct unwind *u)
{
	const struct xp_state *s = u->x->s;
	struct xp_op *op;

	for (size_t i = 0; i < s->npvlans; i++) {
		const struct xp_st_pvlan *v = &s->pvlans[i];
		const struct xp_obs_link *pl = xp_pctx_obs(u->x, v->port);
		if (in_list(&u->gone, v->bridge) || !pl || strcmp(pl->master, v->bridge) ||
		    !port_has_vid(pl, v->vid) ||
		    (!u->stop && pvlan_in_map(u->x->c, v->bridge, v->port, v->vid)))
			continue;
		op = xp_plan_push(u->x->p, XP_OP_PORT_VLAN, v->port, "added by xenplumb%s",
				  u->stop ? "" : ", no longer in the map");
		op->value = v->vid;
		op->old = 1; /* remove */
		xp_set_name(op->peer, v->bridge);
	}
	for (size_t i = 0; i < s->nmtus; i++) {
		const struct xp_st_mtu *m = &s->mtus[i];
		const struct xp_obs_link *l = xp_pctx_obs(u->x, m->dev);
		if (!l || in_list(&u->gone, m->dev) ||
		    xp_plan_is_created(u->x->p, s, u->x->o, m->dev) ||
		    (m->ifindex && m->ifindex != l->ifindex) || l->mtu == m->old ||
		    (!u->stop && in_map(u->x->c, m->dev, XP_K_BRIDGE)))
			continue;
		op = xp_plan_push(u->x->p, XP_OP_SET_MTU, m->dev, "the MTU it had before xenplumb");
		op->value = m->old;
		op->old = l->mtu;
		op->kind = XP_K_BRIDGE; /* forget the record */
	}
}

/* Moves with no port record: the port was on the bridge before xenplumb
 * came (an adopted bridge's own port), or a run was killed after releasing
 * the port and before the bridge gave the addresses up.  They go back
 * under the same rules as a recorded port's; the port is not released
 * (nothing proves xenplumb enslaved it). */
static void unwind_orphan_moves(struct unwind *u)
{
	const struct xp_state *s = u->x->s;
	char guests[256];

	for (size_t i = 0; i < s->nmoves; i++) {
		const struct xp_st_move *m = &s->moves[i];
		const struct xp_obs_link *pl = xp_pctx_obs(u->x, m->from);
		const struct xp_obs_link *bl = xp_pctx_obs(u->x, m->to);
		int bridge_goes = in_list(&u->gone, m->to), seen = 0;

		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(s->moves[j].from, m->from) && !strcmp(s->moves[j].to, m->to);
		if (seen || xp_state_has_port(s, m->to, m->from) || in_list(&u->kept, m->to) ||
		    (!u->stop && port_in_map(u->x->c, m->to, m->from) && !bridge_goes))
			continue;
		if (!bridge_goes && bl && pl && !strcmp(pl->master, m->to) &&
		    foreign_ports(u, bl, m->from, guests, sizeof(guests))) {
			xp_plan_note(u->x->p,
				     "what moved from %s stays on %s: the bridge has "
				     "guest ports (%s)",
				     m->from, m->to, guests);
			continue;
		}
		plan_move_back(u, m->from, m->to, 0);
	}
}

static void unwind_plan(struct xp_pctx *x, int stop)
{
	struct unwind u = {.x = x, .stop = stop};
	const struct xp_state *s = x->s;
	struct xp_op *op;

	if (!s)
		return;
	unwind_pick(&u);
	unwind_kept_devices(&u);

	/* Ports xenplumb added that are no longer wanted: addresses back, then
	 * off the bridge (unless the bridge goes anyway). */
	for (size_t i = 0; i < s->nports; i++) {
		const struct xp_st_port *sp = &s->ports[i];
		const struct xp_obs_link *pl = xp_pctx_obs(x, sp->port);
		const struct xp_obs_link *bl = xp_pctx_obs(x, sp->bridge);
		int bridge_goes = in_list(&u.gone, sp->bridge);
		int release;
		char guests[256];

		if (!stop && port_in_map(x->c, sp->bridge, sp->port) && !bridge_goes)
			continue;
		if (in_list(&u.kept, sp->bridge))
			continue;
		if (!bridge_goes && bl && foreign_ports(&u, bl, NULL, guests, sizeof(guests))) {
			xp_plan_note(x->p, "%s stays on %s: the bridge has guest ports (%s)",
				     sp->port, sp->bridge, guests);
			continue;
		}
		if (has_op(x->p, XP_OP_DEL_PORT, sp->port))
			continue; /* moving to a bridge of the new map: done above */
		release = pl && !strcmp(pl->master, sp->bridge);
		if (has_moves(s, sp->port, sp->bridge))
			/* released also when the bridge goes: before it gives
			 * the addresses up, not with its deletion after */
			plan_move_back(&u, sp->port, sp->bridge, release);
		else if (!bridge_goes && release) {
			op = xp_plan_push(x->p, XP_OP_DEL_PORT, sp->port, "added by xenplumb%s",
					  stop ? "" : ", no longer in the map");
			xp_set_name(op->peer, sp->bridge);
		}
	}
	unwind_orphan_moves(&u);
	unwind_delete(&u);
	list_free(&u.gone);
	list_free(&u.kept);
	xp_nametab_free(&u.children);
	free(u.nextc);
}

static void plan_entry(struct xp_pctx *x, const struct xp_kind *kd, const void *spec,
		       const char *name, const struct xp_loc *loc)
{
	const struct xp_obs_link *l = xp_pctx_obs(x, name);

	if (l && l->kind != kd->kind)
		xp_plan_wrong_kind(x, loc, name, l, kd->kind);
	else
		kd->plan(x, spec, l);
}

/* The device entry k sits on (kd->lower) when a later kind has it in the
 * map: planned now, once, and remembered in early. */
static void plan_lower_first(struct xp_pctx *x, size_t k, const void *spec, struct names *early)
{
	const char *name = xp_kinds[k]->lower ? xp_kinds[k]->lower(spec) : NULL;

	for (size_t k2 = k + 1; name && xp_kinds[k2]; k2++) {
		const void *spec2 = xp_kinds[k2]->map_find(x->c, name);
		struct xp_kind_entry e2;

		if (!spec2 || in_list(early, name))
			continue;
		/* its loc, from the entry that has it */
		for (size_t i = 0; xp_kinds[k2]->map_entry(x->c, i, &e2); i++)
			if (e2.spec == spec2) {
				list_add(early, name);
				plan_entry(x, xp_kinds[k2], spec2, e2.name, e2.loc);
				break;
			}
	}
}

/* Creation and adoption, lower devices first (by kind, and a device of a
 * later kind that one of an earlier kind sits on: a VXLAN's underlay
 * bridge); then ports. */
static void plan_devices(struct xp_pctx *x)
{
	struct xp_kind_entry e;
	struct names early = {0};

	for (size_t k = 0; xp_kinds[k]; k++)
		for (size_t i = 0; xp_kinds[k]->map_entry(x->c, i, &e); i++) {
			if (!e.spec) /* none of this kind at i */
				continue;
			plan_lower_first(x, k, e.spec, &early);
			if (!in_list(&early, e.name))
				plan_entry(x, xp_kinds[k], e.spec, e.name, e.loc);
		}
	list_free(&early);
	for (size_t k = 0; xp_kinds[k]; k++)
		for (size_t i = 0; xp_kinds[k]->plan_ports && xp_kinds[k]->map_entry(x->c, i, &e);
		     i++)
			if (e.spec)
				xp_kinds[k]->plan_ports(x, e.spec);
}

/* Up, in dependency order: a kind's lower devices (a bridge's ports) just
 * before the kind's own. */
static void plan_ups(struct xp_pctx *x)
{
	struct xp_kind_entry e;

	for (size_t k = 0; xp_kinds[k]; k++) {
		const struct xp_kind *kd = xp_kinds[k];
		for (size_t i = 0; kd->up_first && kd->map_entry(x->c, i, &e); i++) {
			const char *port;
			for (size_t j = 0; e.spec && (port = kd->up_first(e.spec, j)); j++)
				if (xp_pctx_will_exist(x, port))
					plan_up(x, port, kd->up_role);
		}
		for (size_t i = 0; kd->map_entry(x->c, i, &e); i++)
			if (e.spec)
				plan_up(x, e.name, kd->role);
	}
}

int xp_plan_start(const struct xp_conf *c, const struct xp_observed *o, const struct xp_state *s,
		  int reload, struct xp_plan *p)
{
	struct xp_pctx x = {.c = c, .o = o, .s = s, .p = p, .reload = reload};

	memset(p, 0, sizeof(*p));
	plan_devices(&x);
	plan_ups(&x);
	for (size_t k = 0; xp_kinds[k]; k++) {
		struct xp_kind_entry e;
		for (size_t i = 0; xp_kinds[k]->plan_late && xp_kinds[k]->map_entry(c, i, &e); i++)
			if (e.spec)
				xp_kinds[k]->plan_late(&x, e.spec);
	}
	plan_ovs_ports(&x);
	if (reload)
		unwind_plan(&x, 0);
	plan_orphan_slaves(&x);
	return p->nerrors ? -1 : 0;
}

int xp_plan_stop(const struct xp_conf *c, const struct xp_observed *o, const struct xp_state *s,
		 struct xp_plan *p)
{
	struct xp_pctx x = {.c = c, .o = o, .s = s, .p = p};

	memset(p, 0, sizeof(*p));
	unwind_plan(&x, 1);
	plan_orphan_slaves(&x);
	return p->nerrors ? -1 : 0;
}
