/* xpf_plan: the planner over a generated map x generated observed state x
 * state records, all decoded from the input (see targets.h).  Names come
 * from a small pool so that map, host and state keep meeting each other.
 *
 * Invariants (plan.h's rules), checked on every start, reload and stop:
 *  - an adopted device (not recorded in the state as xenplumb's, with a
 *    matching ifindex, and not created by this plan) is never deleted or
 *    set down, except a NIC set down to join a bond xenplumb makes, and
 *    only when it carries no movable address and no route;
 *  - a port is only detached when the state says xenplumb added it;
 *  - an address or route is only deleted as a move the map asked for
 *    (port of a bridge with move-addresses) or as the undoing of a move
 *    the state records;
 *  - every op but a delete has an inverse, and a delete is of a device
 *    xenplumb created. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "map/conf.h"
#include "net/kind.h"
#include "net/plan.h"
#include "net/state.h"
#include "net/steps.h"
#include "targets.h"

static const char *const pool[] = {"eth0",    "eth1", "eth2", "dummy0", "bond0",
				   "bond0.9", "br0",  "br1",  "vif1.0", "veth0"};
#define NPOOL (sizeof(pool) / sizeof(pool[0]))

struct rd {
	const uint8_t *d;
	size_t n, at;
};

static unsigned byte(struct rd *r)
{
	return r->at < r->n ? r->d[r->at++] : 0;
}

static unsigned pick(struct rd *r, unsigned n)
{
	return byte(r) % n;
}

static void check(int ok, const char *what, const struct xp_op *op)
{
	char line[400];

	if (ok)
		return;
	xp_op_format(op, line, sizeof(line));
	fprintf(stderr, "plan invariant broken: %s: %s\n", what, line);
	abort();
}

/* ---- the generated world ---- */

struct world {
	struct xp_conf c;
	struct xp_bridge br[3];
	struct xp_bond bond[2];
	struct xp_vlan vlan[2];
	struct xp_dummy dummy[2];
	struct xp_network net[3];
	char ports[3][4][XP_IFNAMSIZ];
	char slaves[2][3][XP_IFNAMSIZ];
	unsigned char used[NPOOL];   /* a name is one map device at most */
	unsigned char member[NPOOL]; /* and a port or slave of one at most */
	struct xp_observed o;
	struct xp_state s;
};

static int take(struct world *w, struct rd *r, char *dst)
{
	unsigned i = pick(r, NPOOL);

	for (unsigned k = 0; k < NPOOL && w->used[i]; k++)
		i = (i + 1) % NPOOL;
	if (w->used[i])
		return 0;
	w->used[i] = 1;
	snprintf(dst, XP_IFNAMSIZ, "%s", pool[i]);
	return 1;
}

/* A port or slave for device self: any pool name but self, once. */
static int member(struct world *w, struct rd *r, const char *self, char *dst)
{
	unsigned i = pick(r, NPOOL);

	for (unsigned k = 0; k < NPOOL && (w->member[i] || !strcmp(pool[i], self)); k++)
		i = (i + 1) % NPOOL;
	if (w->member[i] || !strcmp(pool[i], self))
		return 0;
	w->member[i] = 1;
	snprintf(dst, XP_IFNAMSIZ, "%s", pool[i]);
	return 1;
}

static int opt(struct rd *r, int lo, int span)
{
	unsigned b = byte(r);
	return b & 1 ? XP_UNSET : lo + (int)(b >> 1) % span;
}

static void gen_lowers(struct world *w, struct rd *r)
{
	size_t n = pick(r, 3);
	for (size_t i = 0; i < n && take(w, r, w->dummy[w->c.ndummies].name); i++)
		w->dummy[w->c.ndummies++].mtu = opt(r, 1400, 200);
	n = pick(r, 3);
	for (size_t i = 0; i < n; i++) {
		struct xp_bond *b = &w->bond[w->c.nbonds];
		if (!take(w, r, b->name))
			break;
		b->slaves = w->slaves[w->c.nbonds++];
		b->mode = opt(r, 0, 7);
		b->miimon = opt(r, 0, 200);
		b->lacp_rate = b->xmit_hash_policy = XP_UNSET;
		b->mtu = opt(r, 1400, 200);
		for (size_t k = pick(r, 4); k > 0 && member(w, r, b->name, b->slaves[b->nslaves]);
		     k--)
			b->nslaves++;
	}
	n = pick(r, 3);
	for (size_t i = 0; i < n; i++) {
		struct xp_vlan *v = &w->vlan[w->c.nvlans];
		if (!take(w, r, v->name))
			break;
		w->c.nvlans++;
		snprintf(v->parent, sizeof(v->parent), "%s", pool[pick(r, NPOOL)]);
		v->id = 1 + (int)pick(r, 20);
		v->mtu = opt(r, 1400, 200);
	}
}

static void gen_map(struct world *w, struct rd *r)
{
	size_t n;

	w->c.dummies = w->dummy;
	w->c.bonds = w->bond;
	w->c.vlans = w->vlan;
	w->c.bridges = w->br;
	w->c.networks = w->net;
	gen_lowers(w, r);
	n = pick(r, 4);
	for (size_t i = 0; i < n; i++) {
		struct xp_bridge *b = &w->br[w->c.nbridges];
		unsigned f = byte(r);
		if (!take(w, r, b->name))
			break;
		b->ports = w->ports[w->c.nbridges++];
		b->mtu = opt(r, 1400, 200);
		b->stp = opt(r, 0, 2);
		b->forward_delay = opt(r, 2, 28);
		b->vlan_filtering = opt(r, 0, 2);
		b->move_addresses = f & 1;
		for (size_t k = pick(r, 5); k > 0 && member(w, r, b->name, b->ports[b->nports]);
		     k--)
			b->nports++;
	}
	for (size_t i = pick(r, 4); i > 0 && w->c.nbridges; i--) {
		struct xp_network *nw = &w->net[w->c.nnetworks++];
		snprintf(nw->name, sizeof(nw->name), "net%zu", w->c.nnetworks);
		memcpy(nw->bridge, w->br[pick(r, 3) % w->c.nbridges].name, XP_IFNAMSIZ);
		nw->vlan = (int)pick(r, 4);
	}
}

static void gen_addr(struct rd *r, struct xp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = byte(r) & 1 ? AF_INET6 : AF_INET;
	a->addr[0] = a->family == AF_INET6 && (byte(r) & 1) ? 0xfe : 10;
	a->addr[1] = a->addr[0] == 0xfe ? 0x80 : (uint8_t)pick(r, 3);
	a->addr[3] = (uint8_t)pick(r, 4);
	a->prefixlen = 24;
}

static void gen_l3(struct rd *r, struct xp_obs_link *l)
{
	unsigned f = byte(r);

	for (size_t k = f & 3; k > 0; k--) {
		l->addrs = realloc(l->addrs, (l->naddrs + 1) * sizeof(*l->addrs));
		if (!l->addrs)
			abort();
		gen_addr(r, &l->addrs[l->naddrs++]);
	}
	if (f & 4) {
		l->routes = calloc(1, sizeof(*l->routes));
		if (!l->routes)
			abort();
		l->routes[0].family = AF_INET;
		l->routes[0].table = 254;
		l->routes[0].has_gw = 1;
		l->routes[0].gw[0] = 10;
		l->nroutes = 1;
	}
	l->unmovable_routes = (f & 8) ? 1 : 0;
}

static void gen_link(struct world *w, struct rd *r, unsigned i)
{
	static const int kinds[] = {XP_K_ABSENT, XP_K_BRIDGE, XP_K_BOND,
				    XP_K_VLAN,	 XP_K_DUMMY,  XP_K_OTHER};
	struct xp_obs_link *l = xp_obs_add(&w->o, pool[i]);
	unsigned f = byte(r);

	l->kind = kinds[pick(r, 6)];
	if (l->kind == XP_K_ABSENT)
		return;
	l->ifindex = 2 + (int)i;
	l->up = f & 1;
	l->mtu = 1500;
	l->stp = (f >> 1) & 1;
	l->forward_delay = 15;
	l->vlan_filtering = (f >> 2) & 1;
	l->bond_mode = (int)pick(r, 7);
	l->vlan_id = 1 + (int)pick(r, 20);
	snprintf(l->parent, sizeof(l->parent), "%s", pool[pick(r, NPOOL)]);
	if (f & 8) {
		unsigned m = pick(r, NPOOL);
		if (m != i)
			snprintf(l->master, sizeof(l->master), "%s", pool[m]);
	}
	if (f & 16)
		gen_l3(r, l);
}

/* Observed: every pool name (absent or not); then master kinds and bridges'
 * port lists made consistent with the masters. */
static void gen_observed(struct world *w, struct rd *r)
{
	for (unsigned i = 0; i < NPOOL; i++)
		gen_link(w, r, i);
	for (size_t i = 0; i < w->o.n; i++) {
		struct xp_obs_link *l = &w->o.links[i];
		const struct xp_obs_link *m = l->master[0] ? xp_obs_find(&w->o, l->master) : NULL;
		if (!m || m->kind == XP_K_ABSENT) {
			l->master[0] = 0;
			continue;
		}
		l->master_kind = m->kind;
		l->master_index = m->ifindex;
	}
	for (size_t i = 0; i < w->o.n; i++) {
		struct xp_obs_link *b = &w->o.links[i];
		if (b->kind != XP_K_BRIDGE)
			continue;
		for (size_t j = 0; j < w->o.n; j++) {
			if (strcmp(w->o.links[j].master, b->name))
				continue;
			b->ports = realloc(b->ports, (b->nports + 1) * sizeof(*b->ports));
			if (!b->ports)
				abort();
			snprintf(b->ports[b->nports++], XP_IFNAMSIZ, "%s", w->o.links[j].name);
		}
	}
}

static void gen_state(struct world *w, struct rd *r)
{
	for (size_t k = pick(r, 6); k > 0; k--) {
		unsigned i = pick(r, NPOOL);
		const struct xp_obs_link *l = xp_obs_find(&w->o, pool[i]);
		unsigned f = byte(r);
		int kind = (f & 1) && l && xp_kind_get(l->kind) ? l->kind
								: XP_K_BRIDGE + (int)(f >> 1) % 4;
		xp_state_add_dev(&w->s, pool[i], kind, (f & 8) ? 99 : l ? l->ifindex : 0);
	}
	for (size_t k = pick(r, 4); k > 0; k--)
		xp_state_add_port(&w->s, pool[pick(r, NPOOL)], pool[pick(r, NPOOL)]);
	for (size_t k = pick(r, 3); k > 0; k--)
		xp_state_add_slave(&w->s, pool[pick(r, NPOOL)], pool[pick(r, NPOOL)],
				   (int)pick(r, 2));
	for (size_t k = pick(r, 3); k > 0; k--) {
		struct xp_st_move m;
		memset(&m, 0, sizeof(m));
		snprintf(m.from, sizeof(m.from), "%s", pool[pick(r, NPOOL)]);
		snprintf(m.to, sizeof(m.to), "%s", pool[pick(r, NPOOL)]);
		gen_addr(r, &m.addr);
		xp_state_add_move(&w->s, &m);
	}
}

/* ---- the invariants ---- */

static int created(const struct xp_plan *p, const struct world *w, const char *name)
{
	const struct xp_st_dev *d = xp_state_dev(&w->s, name);
	const struct xp_obs_link *l = xp_obs_find(&w->o, name);

	for (size_t i = 0; i < p->n; i++)
		if (p->ops[i].type == XP_OP_CREATE && !strcmp(p->ops[i].dev, name))
			return 1;
	return d && (!l || l->kind == XP_K_ABSENT || !d->ifindex || d->ifindex == l->ifindex);
}

static int bond_ours(const struct xp_plan *p, const struct world *w, const char *bond)
{
	const struct xp_bond *b = xp_conf_bond(&w->c, bond);
	return b && created(p, w, bond);
}

static int movable_l3(const struct xp_obs_link *l)
{
	size_t n = l->nroutes + (size_t)l->unmovable_routes;
	for (size_t i = 0; i < l->naddrs; i++)
		n += xp_addr_movable(&l->addrs[i]);
	return n > 0;
}

/* A move the map asks for: dev is a port of bridge peer, which says
 * move-addresses. */
static int map_move(const struct world *w, const struct xp_op *op)
{
	const struct xp_bridge *b = xp_conf_bridge(&w->c, op->peer);
	for (size_t i = 0; b && b->move_addresses && i < b->nports; i++)
		if (!strcmp(b->ports[i], op->dev))
			return 1;
	return 0;
}

static int state_move(const struct world *w, const struct xp_op *op)
{
	for (size_t i = 0; i < w->s.nmoves; i++)
		if (!strcmp(w->s.moves[i].to, op->dev) && !strcmp(w->s.moves[i].from, op->peer))
			return 1;
	return 0;
}

static void check_plan(const struct world *w, const struct xp_plan *p, int stop)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct xp_op *op = &p->ops[i];
		const struct xp_obs_link *l = xp_obs_find(&w->o, op->dev);
		struct xp_op inv;
		char line[400];

		xp_op_format(op, line, sizeof(line));
		/* a new bridge's pinned MTU goes with the bridge */
		check(xp_op_inverse(op, &inv) ==
			  (op->type != XP_OP_DELETE && !(op->type == XP_OP_PIN_MTU && op->created)),
		      "no inverse", op);
		if (op->type == XP_OP_DELETE)
			check(created(p, w, op->dev), "deletes an adopted device", op);
		if (op->type == XP_OP_DOWN) {
			check(!stop, "stop sets a device down", op);
			check(created(p, w, op->dev) || bond_ours(p, w, op->peer),
			      "sets an adopted device down", op);
			check(!l || !movable_l3(l), "sets a device with addresses down", op);
		}
		if (op->type == XP_OP_DEL_PORT)
			check(xp_state_has_port(&w->s, op->peer, op->dev),
			      "detaches a port xenplumb did not add", op);
		if (op->type == XP_OP_DEL_ADDR || op->type == XP_OP_DEL_ROUTE)
			check((op->value == 1 && !stop && map_move(w, op)) ||
				  (op->value == 2 && state_move(w, op)),
			      "removes an address the map did not ask to move", op);
	}
}

static void world_free(struct world *w)
{
	xp_observed_free(&w->o);
	xp_state_free(&w->s);
}

int xpf_plan(const uint8_t *data, size_t size)
{
	struct rd r = {data, size, 0};
	struct world *w = calloc(1, sizeof(*w));
	struct xp_plan p;
	unsigned mode = byte(&r);

	if (!w)
		abort();
	gen_map(w, &r);
	gen_observed(w, &r);
	gen_state(w, &r);
	if (mode & 1) {
		xp_plan_stop((mode & 2) ? &w->c : NULL, &w->o, &w->s, &p);
		check_plan(w, &p, 1);
	} else {
		xp_plan_start(&w->c, &w->o, &w->s, (mode >> 1) & 1, &p);
		check_plan(w, &p, 0);
	}
	xp_plan_free(&p);
	world_free(w);
	free(w);
	return 0;
}
