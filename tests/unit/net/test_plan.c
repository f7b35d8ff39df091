/* The planner over hand-built maps and observed states: order of a
 * from-scratch build, idempotence, the never-down/never-delete invariants
 * on adopted devices (property-style over many variants), refusals, stop
 * and reload deleting only what xenplumb created, guests left alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "net/plan.h"

/* ---- building maps and observed states ---- */

static char eth01[2][XP_IFNAMSIZ] = {"eth0", "eth1"};
static char p_bond0_100[1][XP_IFNAMSIZ] = {"bond0.100"};
static char p_dummy0[1][XP_IFNAMSIZ] = {"dummy0"};
static char p_eth2[1][XP_IFNAMSIZ] = {"eth2"};

static struct xp_bridge mk_bridge(const char *name, char (*ports)[XP_IFNAMSIZ], size_t n)
{
	struct xp_bridge b;
	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "%s", name);
	b.loc.file = "test.conf";
	b.loc.line = 10;
	b.ports = ports;
	b.nports = n;
	b.mtu = b.stp = b.forward_delay = b.vlan_filtering = XP_UNSET;
	return b;
}

struct world {
	struct xp_conf c;
	struct xp_bridge br[3];
	struct xp_bond bond;
	struct xp_vlan vlan;
	struct xp_dummy dummy;
	struct xp_observed o;
	struct xp_state s;
	struct xp_plan p;
};

/* dummy0, bond0(eth0 eth1, balance-alb), bond0.100, br100(bond0.100),
 * xenbr1(dummy0), xenbr0(eth2). */
static void seed_map(struct world *w)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->dummy.name, sizeof(w->dummy.name), "dummy0");
	w->dummy.mtu = XP_UNSET;
	snprintf(w->bond.name, sizeof(w->bond.name), "bond0");
	w->bond.slaves = eth01;
	w->bond.nslaves = 2;
	w->bond.mode = XP_BOND_BALANCE_ALB;
	w->bond.miimon = 100;
	w->bond.lacp_rate = w->bond.xmit_hash_policy = XP_UNSET;
	w->bond.updelay = w->bond.downdelay = w->bond.mtu = XP_UNSET;
	w->bond.loc.file = "test.conf";
	w->bond.loc.line = 1;
	snprintf(w->vlan.name, sizeof(w->vlan.name), "bond0.100");
	snprintf(w->vlan.parent, sizeof(w->vlan.parent), "bond0");
	w->vlan.id = 100;
	w->vlan.mtu = XP_UNSET;
	w->br[0] = mk_bridge("br100", p_bond0_100, 1);
	w->br[1] = mk_bridge("xenbr1", p_dummy0, 1);
	w->br[2] = mk_bridge("xenbr0", p_eth2, 1);
	w->c.bridges = w->br;
	w->c.nbridges = 3;
	w->c.bonds = &w->bond;
	w->c.nbonds = 1;
	w->c.vlans = &w->vlan;
	w->c.nvlans = 1;
	w->c.dummies = &w->dummy;
	w->c.ndummies = 1;
}

static struct xp_obs_link *nic(struct world *w, const char *name, int up)
{
	struct xp_obs_link *l = xp_obs_add(&w->o, name);
	l->kind = XP_K_OTHER;
	snprintf(l->kind_name, sizeof(l->kind_name), "veth");
	l->ifindex = (int)w->o.n + 1;
	l->up = up;
	l->mtu = 1500;
	return l;
}

static void add_addr(struct xp_obs_link *l, int family, uint8_t last, int plen)
{
	struct xp_addr *a;
	l->addrs = realloc(l->addrs, (l->naddrs + 1) * sizeof(*a));
	a = &l->addrs[l->naddrs++];
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (family == AF_INET) {
		a->addr[0] = 10;
		a->addr[3] = last;
	} else {
		a->addr[0] = 0x20;
		a->addr[1] = 0x01;
		a->addr[15] = last;
	}
	a->prefixlen = plen;
}

static void add_route(struct xp_obs_link *l, unsigned table)
{
	struct xp_route *r;
	l->routes = realloc(l->routes, (l->nroutes + 1) * sizeof(*r));
	r = &l->routes[l->nroutes++];
	memset(r, 0, sizeof(*r));
	r->family = AF_INET;
	r->table = table;
	r->has_gw = 1;
	r->gw[0] = 10;
	r->gw[3] = 1;
	r->type = 1;
}

static void add_port(struct world *w, const char *bridge, const char *port)
{
	struct xp_obs_link *b = xp_obs_add(&w->o, bridge);
	struct xp_obs_link *p = xp_obs_add(&w->o, port);
	b->ports = realloc(b->ports, (b->nports + 1) * sizeof(*b->ports));
	snprintf(b->ports[b->nports++], XP_IFNAMSIZ, "%s", port);
	snprintf(p->master, sizeof(p->master), "%s", bridge);
	p->master_kind = XP_K_BRIDGE;
}

/* Everything of the seed map, present, up and as the map says. */
static void seed_live(struct world *w)
{
	struct xp_obs_link *l;

	nic(w, "eth0", 1);
	nic(w, "eth1", 1);
	nic(w, "eth2", 1);
	l = nic(w, "dummy0", 1);
	l->kind = XP_K_DUMMY;
	l = nic(w, "bond0", 1);
	l->kind = XP_K_BOND;
	l->bond_mode = XP_BOND_BALANCE_ALB;
	l->miimon = 100;
	snprintf(xp_obs_add(&w->o, "eth0")->master, XP_IFNAMSIZ, "bond0");
	snprintf(xp_obs_add(&w->o, "eth1")->master, XP_IFNAMSIZ, "bond0");
	l = nic(w, "bond0.100", 1);
	l->kind = XP_K_VLAN;
	l->vlan_id = 100;
	snprintf(l->parent, sizeof(l->parent), "bond0");
	for (int i = 0; i < 3; i++) {
		l = nic(w, w->br[i].name, 1);
		l->kind = XP_K_BRIDGE;
		l->forward_delay = 15;
		/* pinned by an earlier start */
		xp_state_add_mtu(&w->s, l->name, l->ifindex, 1500);
	}
	add_port(w, "br100", "bond0.100");
	add_port(w, "xenbr1", "dummy0");
	add_port(w, "xenbr0", "eth2");
}

static void world_free(struct world *w)
{
	xp_plan_free(&w->p);
	xp_observed_free(&w->o);
	xp_state_free(&w->s);
}

static int find_op(const struct xp_plan *p, int type, const char *dev)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->ops[i].type == type && (!dev || !strcmp(p->ops[i].dev, dev)))
			return (int)i;
	return -1;
}

static int count_ops(const struct xp_plan *p, int type)
{
	int n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += p->ops[i].type == type;
	return n;
}

static void dump(const struct xp_plan *p)
{
	char line[400];
	for (size_t i = 0; i < p->n; i++) {
		xp_op_format(&p->ops[i], line, sizeof(line));
		print_message("#   %zu. %s\n", i + 1, line);
	}
	for (size_t i = 0; i < p->nerrors; i++)
		print_message("#   error: %s\n", p->errors[i]);
}

static int has_error(const struct xp_plan *p, const char *needle)
{
	for (size_t i = 0; i < p->nerrors; i++)
		if (strstr(p->errors[i], needle))
			return 1;
	return 0;
}

/* ---- tests ---- */

static void test_scratch_order(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	nic(&w, "eth0", 1);
	nic(&w, "eth1", 1);
	nic(&w, "eth2", 0);
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	dump(&w.p);
	int cd = find_op(&w.p, XP_OP_CREATE, "dummy0");
	int cb = find_op(&w.p, XP_OP_CREATE, "bond0");
	int cv = find_op(&w.p, XP_OP_CREATE, "bond0.100");
	int cbr = find_op(&w.p, XP_OP_CREATE, "br100");
	int port = find_op(&w.p, XP_OP_ADD_PORT, NULL);
	int up = find_op(&w.p, XP_OP_UP, NULL);
	assert_true(cd >= 0 && cb >= 0 && cv >= 0 && cbr >= 0 && port >= 0 && up >= 0);
	assert_true(cd < cv && cb < cv);
	assert_true(cv < cbr);
	for (size_t i = 0; i < w.p.n; i++) {
		if (w.p.ops[i].type == XP_OP_CREATE)
			assert_true((int)i < port);
		if (w.p.ops[i].type == XP_OP_ADD_PORT)
			assert_true((int)i < up);
	}
	/* slaves: down (they carry nothing) before enslaving, only them */
	assert_int_equal(count_ops(&w.p, XP_OP_DOWN), 2);
	assert_true(find_op(&w.p, XP_OP_DOWN, "eth0") < find_op(&w.p, XP_OP_ENSLAVE, "eth0"));
	assert_true(find_op(&w.p, XP_OP_ENSLAVE, "eth1") > cb);
	/* up: lower before upper */
	assert_true(find_op(&w.p, XP_OP_UP, "bond0") < find_op(&w.p, XP_OP_UP, "bond0.100"));
	assert_true(find_op(&w.p, XP_OP_UP, "bond0.100") < find_op(&w.p, XP_OP_UP, "br100"));
	assert_true(find_op(&w.p, XP_OP_UP, "eth2") < find_op(&w.p, XP_OP_UP, "xenbr0"));
	assert_int_equal(count_ops(&w.p, XP_OP_DELETE), 0);
	world_free(&w);
}

static void test_idempotent(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	dump(&w.p);
	assert_int_equal(w.p.n, 0);
	assert_int_equal(w.p.ndrift, 0);
	xp_plan_free(&w.p);
	/* reload with the same map is empty too */
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 1, &w.p), 0);
	assert_int_equal(w.p.n, 0);
	world_free(&w);
}

static void test_attrs_differ(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	w.br[2].stp = 1;
	w.br[2].mtu = 1400;
	w.br[2].forward_delay = 4;
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	dump(&w.p);
	assert_int_equal(w.p.n, 3);
	/* STP on: the delay first (the kernel wants 2..30 with STP) */
	assert_true(find_op(&w.p, XP_OP_SET_FD, "xenbr0") < find_op(&w.p, XP_OP_SET_STP, "xenbr0"));
	assert_int_equal(w.p.ops[find_op(&w.p, XP_OP_SET_MTU, "xenbr0")].old, 1500);
	world_free(&w);
}

static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

/* Many variants of an adopted world: nothing not created by xenplumb is
 * set down, deleted, detached or stripped of an address or route (except
 * the recorded move onto a bridge that asks for it). */
static void test_adopt_property(void **st)
{
	unsigned seed = 42;
	int planned = 0, refused = 0;
	(void)st;

	for (int round = 0; round < 2000; round++) {
		struct world w;
		seed_map(&w);
		seed_live(&w);
		for (size_t i = 0; i < w.o.n; i++) {
			struct xp_obs_link *l = &w.o.links[i];
			if (rnd(&seed) % 3 == 0)
				l->up = 0;
			if (rnd(&seed) % 4 == 0)
				l->mtu = 9000;
			if (rnd(&seed) % 5 == 0 && l->kind == XP_K_BRIDGE)
				l->stp = 1;
			if (rnd(&seed) % 6 == 0 && l->kind != XP_K_BRIDGE)
				add_addr(l, AF_INET, (uint8_t)(i + 2), 24);
			if (rnd(&seed) % 9 == 0 && l->kind != XP_K_BRIDGE)
				add_route(l, 100);
			/* detach some ports: they must come back by add-port */
			if (rnd(&seed) % 5 == 0 && l->master[0] && l->master_kind == XP_K_BRIDGE)
				l->master[0] = 0;
		}
		/* a guest on a bridge */
		nic(&w, "vif3.0", 1);
		add_port(&w, "xenbr0", "vif3.0");
		for (int b = 0; b < 3; b++) {
			w.br[b].move_addresses = (int)(rnd(&seed) % 2);
			w.br[b].mtu = rnd(&seed) % 2 ? 1500 : XP_UNSET;
			w.br[b].stp = (int)(rnd(&seed) % 3) - 1;
		}
		xp_plan_start(&w.c, &w.o, &w.s, (int)(rnd(&seed) % 2), &w.p);
		if (w.p.nerrors)
			refused++;
		else
			planned++;
		for (size_t i = 0; i < w.p.n; i++) {
			const struct xp_op *op = &w.p.ops[i];
			assert_int_not_equal(op->type, XP_OP_DOWN);
			assert_int_not_equal(op->type, XP_OP_DELETE);
			assert_int_not_equal(op->type, XP_OP_DEL_PORT);
			assert_int_not_equal(op->type, XP_OP_CREATE);
			if (op->type == XP_OP_DEL_ADDR || op->type == XP_OP_DEL_ROUTE) {
				/* only a move onto its bridge, which asked for it */
				const struct xp_bridge *br = xp_conf_bridge(&w.c, op->peer);
				assert_non_null(br);
				assert_true(br->move_addresses);
				assert_int_equal(op->value, 1);
				/* ... and the bridge got it first */
				int add = -1;
				for (size_t j = 0; j < i; j++)
					if (!strcmp(w.p.ops[j].dev, op->peer) &&
					    (w.p.ops[j].type == XP_OP_ADD_ADDR ||
					     w.p.ops[j].type == XP_OP_ADD_ROUTE))
						add = (int)j;
				assert_true(add >= 0);
			}
			assert_string_not_equal(op->dev, "vif3.0");
		}
		world_free(&w);
	}
	print_message("# %d plans, %d refused\n", planned, refused);
	assert_true(planned > 100 && refused > 100);
}

static void test_enslave_nic_with_address(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	nic(&w, "eth0", 1);
	add_addr(nic(&w, "eth1", 1), AF_INET, 7, 24);
	nic(&w, "eth2", 1);
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), -1);
	dump(&w.p);
	assert_true(
	    has_error(&w.p, "test.conf:1: slave eth1 of new bond bond0 carries 10.0.0.7/24"));
	world_free(&w);
}

static void test_port_address_refused_or_moved(void **st)
{
	struct world w;
	struct xp_obs_link *l;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	l = xp_obs_add(&w.o, "eth2");
	l->master[0] = 0; /* not yet on xenbr0 */
	add_addr(l, AF_INET, 5, 24);
	add_addr(l, AF_INET6, 5, 64);
	add_route(l, 254);
	add_route(l, 100);
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), -1);
	dump(&w.p);
	assert_true(has_error(&w.p, "test.conf:10: port eth2 of bridge xenbr0 carries 10.0.0.5/24, "
				    "2001::5/64 and 2 routes"));
	assert_true(has_error(&w.p, "move-addresses = yes"));
	assert_int_equal(w.p.n, 0);
	xp_plan_free(&w.p);

	w.br[2].move_addresses = 1;
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	dump(&w.p);
	int port = find_op(&w.p, XP_OP_ADD_PORT, "eth2");
	int aa = find_op(&w.p, XP_OP_ADD_ADDR, "xenbr0");
	int ar = find_op(&w.p, XP_OP_ADD_ROUTE, "xenbr0");
	int dr = find_op(&w.p, XP_OP_DEL_ROUTE, "eth2");
	int da = find_op(&w.p, XP_OP_DEL_ADDR, "eth2");
	assert_true(port >= 0 && port < aa && aa < ar && ar < dr && dr < da);
	assert_int_equal(count_ops(&w.p, XP_OP_ADD_ADDR), 2);
	assert_int_equal(count_ops(&w.p, XP_OP_ADD_ROUTE), 2);
	assert_int_equal(count_ops(&w.p, XP_OP_DEL_ADDR), 2);
	world_free(&w);
}

static void test_ipv6_link_local_stays(void **st)
{
	struct world w;
	struct xp_obs_link *l;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	l = xp_obs_add(&w.o, "eth2");
	add_addr(l, AF_INET6, 9, 64);
	l->addrs[0].addr[0] = 0xfe;
	l->addrs[0].addr[1] = 0x80;
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	assert_int_equal(w.p.n, 0);
	world_free(&w);
}

static void test_wrong_kind(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	xp_obs_add(&w.o, "xenbr0")->kind = XP_K_OTHER;
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), -1);
	dump(&w.p);
	assert_true(has_error(&w.p, "test.conf:10: xenbr0 exists but is a veth, not a bridge"));
	world_free(&w);
}

static void test_port_elsewhere(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	snprintf(xp_obs_add(&w.o, "eth2")->master, XP_IFNAMSIZ, "other0");
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), -1);
	assert_true(has_error(&w.p, "eth2 of bridge xenbr0 is already enslaved to other0"));
	world_free(&w);
}

static void test_adopted_bond_drift(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	xp_obs_add(&w.o, "eth1")->master[0] = 0;
	xp_obs_add(&w.o, "bond0")->bond_mode = XP_BOND_ACTIVE_BACKUP;
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	dump(&w.p);
	assert_int_equal(count_ops(&w.p, XP_OP_ENSLAVE), 0);
	assert_int_equal(count_ops(&w.p, XP_OP_DOWN), 0);
	assert_int_equal(w.p.ndrift, 2);
	world_free(&w);
}

/* A bond of the map recorded in the state, but observed with another
 * ifindex, is someone else's (fuzz/crashers/plan/adopted-bond-same-name):
 * its missing slave is not set down and enslaved into it. */
static void test_recorded_bond_replaced(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	xp_obs_add(&w.o, "eth1")->master[0] = 0;
	xp_state_add_dev(&w.s, "bond0", XP_K_BOND, 999);
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	dump(&w.p);
	assert_int_equal(count_ops(&w.p, XP_OP_DOWN), 0);
	assert_int_equal(count_ops(&w.p, XP_OP_ENSLAVE), 0);
	xp_plan_free(&w.p);
	/* with the ifindex it has, it is ours: the killed run's work goes on */
	xp_state_free(&w.s);
	memset(&w.s, 0, sizeof(w.s));
	xp_state_add_dev(&w.s, "bond0", XP_K_BOND, xp_obs_find(&w.o, "bond0")->ifindex);
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	assert_int_equal(count_ops(&w.p, XP_OP_DOWN), 1);
	assert_int_equal(count_ops(&w.p, XP_OP_ENSLAVE), 1);
	world_free(&w);
}

static void test_stop_only_created(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	xp_state_add_dev(&w.s, "xenbr0", XP_K_BRIDGE, xp_obs_find(&w.o, "xenbr0")->ifindex);
	xp_state_add_port(&w.s, "xenbr0", "eth2");
	xp_state_add_dev(&w.s, "dummy0", XP_K_DUMMY, xp_obs_find(&w.o, "dummy0")->ifindex);
	/* created once, but replaced by someone else's since: not ours */
	xp_state_add_dev(&w.s, "br100", XP_K_BRIDGE, 999);
	assert_int_equal(xp_plan_stop(NULL, &w.o, &w.s, &w.p), 0);
	dump(&w.p);
	assert_int_equal(count_ops(&w.p, XP_OP_DELETE), 1);
	assert_true(find_op(&w.p, XP_OP_DELETE, "xenbr0") >= 0);
	/* dummy0 stays: it is a port of xenbr1, which is not ours */
	assert_int_equal(find_op(&w.p, XP_OP_DELETE, "dummy0"), -1);
	assert_int_equal(count_ops(&w.p, XP_OP_DOWN), 0);
	for (size_t i = 0; i < w.p.n; i++)
		assert_string_not_equal(w.p.ops[i].dev, "br100");
	world_free(&w);
}

static void test_stop_keeps_bridge_with_guests(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	nic(&w, "vif5.0", 1);
	add_port(&w, "xenbr0", "vif5.0");
	xp_state_add_dev(&w.s, "xenbr0", XP_K_BRIDGE, xp_obs_find(&w.o, "xenbr0")->ifindex);
	xp_state_add_port(&w.s, "xenbr0", "eth2");
	assert_int_equal(xp_plan_stop(NULL, &w.o, &w.s, &w.p), 0);
	dump(&w.p);
	assert_int_equal(w.p.n, 0);
	assert_true(w.p.nnotes >= 1 && strstr(w.p.notes[0], "vif5.0"));
	xp_plan_free(&w.p);
	/* start never detaches the guest either */
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 1, &w.p), 0);
	assert_int_equal(count_ops(&w.p, XP_OP_DEL_PORT), 0);
	world_free(&w);
}

/* xenbr0 holds 10.0.0.5/24, recorded as moved there from eth2. */
static void seed_moved(struct world *w)
{
	struct xp_st_move m;

	seed_map(w);
	seed_live(w);
	add_addr(xp_obs_add(&w->o, "xenbr0"), AF_INET, 5, 24);
	memset(&m, 0, sizeof(m));
	snprintf(m.from, sizeof(m.from), "eth2");
	snprintf(m.to, sizeof(m.to), "xenbr0");
	m.addr = xp_obs_find(&w->o, "xenbr0")->addrs[0];
	xp_state_add_move(&w->s, &m);
}

static void test_stop_moves_back(void **st)
{
	struct world w;
	(void)st;
	seed_moved(&w);
	xp_state_add_dev(&w.s, "xenbr0", XP_K_BRIDGE, xp_obs_find(&w.o, "xenbr0")->ifindex);
	xp_state_add_port(&w.s, "xenbr0", "eth2");
	assert_int_equal(xp_plan_stop(NULL, &w.o, &w.s, &w.p), 0);
	dump(&w.p);
	int add = find_op(&w.p, XP_OP_ADD_ADDR, "eth2");
	int rel = find_op(&w.p, XP_OP_DEL_PORT, "eth2");
	int del = find_op(&w.p, XP_OP_DEL_ADDR, "xenbr0");
	int gone = find_op(&w.p, XP_OP_DELETE, "xenbr0");
	/* the port leaves the bridge (although the bridge goes) between
	 * getting the addresses back and the bridge giving them up: the first
	 * ARP reply for the port's next hop must reach the port, not the
	 * bridge */
	assert_true(add >= 0 && add < rel && rel < del && del < gone);
	world_free(&w);
}

/* A move with no port record (the port was the adopted bridge's own, or a
 * run was killed after releasing it): the addresses still go back, and the
 * port, which nothing proves xenplumb enslaved, stays where it is. */
static void test_stop_moves_back_orphan(void **st)
{
	struct world w;
	struct xp_st_move m2;
	(void)st;
	seed_moved(&w);
	/* a second address of the same pair: the pair is moved back once */
	add_addr(xp_obs_add(&w.o, "xenbr0"), AF_INET, 6, 24);
	m2 = w.s.moves[0];
	m2.addr = xp_obs_find(&w.o, "xenbr0")->addrs[1];
	xp_state_add_move(&w.s, &m2);
	assert_int_equal(w.s.nmoves, 2);
	assert_int_equal(xp_plan_stop(NULL, &w.o, &w.s, &w.p), 0);
	dump(&w.p);
	int add = find_op(&w.p, XP_OP_ADD_ADDR, "eth2");
	int del = find_op(&w.p, XP_OP_DEL_ADDR, "xenbr0");
	assert_true(add >= 0 && add < del);
	assert_int_equal(count_ops(&w.p, XP_OP_ADD_ADDR), 2);
	assert_int_equal(count_ops(&w.p, XP_OP_DEL_ADDR), 2);
	assert_int_equal(find_op(&w.p, XP_OP_DEL_PORT, "eth2"), -1);
	xp_plan_free(&w.p);
	/* a reload whose map keeps eth2 on xenbr0 leaves them to the start plan */
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 1, &w.p), 0);
	assert_int_equal(find_op(&w.p, XP_OP_DEL_ADDR, "xenbr0"), -1);
	world_free(&w);
}

/* A missing port is skipped and reported (not an error); strict makes it one. */
static void test_missing_port_degrades(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	w.br[2].ports_loc = (struct xp_loc){"test.conf", 12};
	xp_obs_add(&w.o, "eth2")->kind = XP_K_ABSENT;
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	dump(&w.p);
	assert_int_equal(w.p.nerrors, 0);
	assert_int_equal(w.p.nmissing, 1);
	assert_string_equal(w.p.missing[0].device, "eth2");
	assert_string_equal(w.p.missing[0].role, "port of bridge xenbr0");
	assert_string_equal(w.p.missing[0].where, "test.conf:12: ");
	assert_int_equal(find_op(&w.p, XP_OP_ADD_PORT, "eth2"), -1);
	xp_plan_free(&w.p);
	w.c.global.strict = 1;
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), -1);
	assert_int_equal(w.p.nmissing, 0);
	assert_true(has_error(&w.p, "test.conf:12: port eth2 of bridge xenbr0 does not exist"));
	world_free(&w);
}

/* A bond killed between its delete and its former slave's up: the next stop
 * (and start) brings the slave up. */
static void test_orphan_slave_up(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	nic(&w, "eth3", 0);
	xp_state_add_slave(&w.s, "bond1", "eth3", 1);
	assert_int_equal(xp_plan_stop(NULL, &w.o, &w.s, &w.p), 0);
	dump(&w.p);
	int up = find_op(&w.p, XP_OP_UP, "eth3");
	assert_true(up >= 0);
	assert_string_equal(w.p.ops[up].peer, "bond1");
	xp_plan_free(&w.p);
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	assert_true(find_op(&w.p, XP_OP_UP, "eth3") >= 0);
	xp_plan_free(&w.p);
	/* one that was down before stays down */
	xp_state_add_slave(&w.s, "bond1", "eth3", 0);
	assert_int_equal(xp_plan_stop(NULL, &w.o, &w.s, &w.p), 0);
	assert_int_equal(find_op(&w.p, XP_OP_UP, "eth3"), -1);
	world_free(&w);
}

/* An adopted bridge is pinned where it is once; stop restores a changed MTU. */
static void test_adopted_bridge_mtu(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	xp_state_del_mtu(&w.s, "xenbr0");
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	dump(&w.p);
	assert_int_equal(w.p.n, 1);
	assert_int_equal(w.p.ops[0].type, XP_OP_PIN_MTU);
	assert_int_equal(w.p.ops[0].value, 1500);
	xp_plan_free(&w.p);
	xp_state_add_mtu(&w.s, "xenbr0", xp_obs_find(&w.o, "xenbr0")->ifindex, 1500);
	xp_obs_add(&w.o, "xenbr0")->mtu = 9000;
	assert_int_equal(xp_plan_stop(NULL, &w.o, &w.s, &w.p), 0);
	dump(&w.p);
	int op = find_op(&w.p, XP_OP_SET_MTU, "xenbr0");
	assert_true(op >= 0);
	assert_int_equal(w.p.ops[op].value, 1500);
	assert_int_equal(w.p.ops[op].kind, XP_K_BRIDGE);
	world_free(&w);
}

/* A trunk VLAN recorded on an adopted bridge's port goes on stop. */
static void test_pvlan_unwind(void **st)
{
	struct world w;
	struct xp_obs_link *l;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	l = xp_obs_add(&w.o, "eth2");
	l->vids = calloc(1, sizeof(*l->vids));
	l->vids[0] = 20;
	l->nvids = 1;
	xp_state_add_pvlan(&w.s, "xenbr0", "eth2", 20);
	xp_state_add_pvlan(&w.s, "xenbr0", "eth2", 30); /* removed by hand since */
	assert_int_equal(xp_plan_stop(NULL, &w.o, &w.s, &w.p), 0);
	dump(&w.p);
	assert_int_equal(count_ops(&w.p, XP_OP_PORT_VLAN), 1);
	int op = find_op(&w.p, XP_OP_PORT_VLAN, "eth2");
	assert_int_equal(w.p.ops[op].value, 20);
	assert_int_equal(w.p.ops[op].old, 1);
	world_free(&w);
}

static void test_reload_removes_what_left_map(void **st)
{
	struct world w;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	xp_state_add_dev(&w.s, "xenbr0", XP_K_BRIDGE, xp_obs_find(&w.o, "xenbr0")->ifindex);
	xp_state_add_port(&w.s, "xenbr0", "eth2");
	w.c.nbridges = 2; /* xenbr0 left the map; xenbr1 (adopted) stays */
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 1, &w.p), 0);
	dump(&w.p);
	assert_int_equal(w.p.n, 1);
	assert_int_equal(w.p.ops[0].type, XP_OP_DELETE);
	assert_string_equal(w.p.ops[0].dev, "xenbr0");
	xp_plan_free(&w.p);
	/* start (not reload) leaves it */
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	assert_int_equal(w.p.n, 0);
	world_free(&w);
}

static void test_trunk_vlans(void **st)
{
	struct world w;
	struct xp_network nets[3];
	unsigned short have[1] = {10};
	struct xp_obs_link *l;
	(void)st;
	seed_map(&w);
	seed_live(&w);
	memset(nets, 0, sizeof(nets));
	snprintf(nets[0].name, sizeof(nets[0].name), "dmz");
	snprintf(nets[1].name, sizeof(nets[1].name), "web");
	snprintf(nets[2].name, sizeof(nets[2].name), "web2");
	for (int i = 0; i < 3; i++)
		snprintf(nets[i].bridge, sizeof(nets[i].bridge), "xenbr0");
	nets[0].vlan = 10;
	nets[1].vlan = 20;
	nets[2].vlan = 20; /* same VLAN twice: one op */
	w.c.networks = nets;
	w.c.nnetworks = 3;
	/* not filtering: no VLAN ops */
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	assert_int_equal(w.p.n, 0);
	xp_plan_free(&w.p);
	/* filtering, eth2 already carries 10: only 20 is added */
	xp_obs_add(&w.o, "xenbr0")->vlan_filtering = 1;
	l = xp_obs_add(&w.o, "eth2");
	l->vids = malloc(sizeof(have));
	memcpy(l->vids, have, sizeof(have));
	l->nvids = 1;
	assert_int_equal(xp_plan_start(&w.c, &w.o, &w.s, 0, &w.p), 0);
	dump(&w.p);
	assert_int_equal(w.p.n, 1);
	assert_int_equal(w.p.ops[0].type, XP_OP_PORT_VLAN);
	assert_int_equal(w.p.ops[0].value, 20);
	assert_string_equal(w.p.ops[0].dev, "eth2");
	world_free(&w);
}

static void test_state_roundtrip(void **st)
{
	struct xp_state s, t;
	struct xp_st_move m;
	char *a = NULL, *b = NULL, err[128];
	(void)st;
	memset(&s, 0, sizeof(s));
	memset(&m, 0, sizeof(m));
	xp_state_add_dev(&s, "xenbr0", XP_K_BRIDGE, 7);
	xp_state_add_port(&s, "xenbr0", "eth0");
	xp_state_add_slave(&s, "bond0", "eth1", 1);
	snprintf(m.from, sizeof(m.from), "eth0");
	snprintf(m.to, sizeof(m.to), "xenbr0");
	m.addr.family = AF_INET6;
	m.addr.addr[0] = 0x20;
	m.addr.prefixlen = 64;
	xp_state_add_move(&s, &m);
	m.is_route = 1;
	m.route.family = AF_INET;
	m.route.table = 1000;
	m.route.has_gw = 1;
	m.route.gw[0] = 10;
	m.route.priority = 5;
	xp_state_add_move(&s, &m);
	assert_int_equal(xp_state_format(&s, &a), 0);
	assert_int_equal(xp_state_parse(a, &t, err, sizeof(err)), 0);
	assert_int_equal(xp_state_format(&t, &b), 0);
	assert_string_equal(a, b);
	assert_int_equal(t.nmoves, 2);
	free(a);
	free(b);
	xp_state_free(&s);
	xp_state_free(&t);
	assert_true(xp_state_parse("dev x/y bridge 1\n", &t, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "line 1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scratch_order),
	    cmocka_unit_test(test_idempotent),
	    cmocka_unit_test(test_attrs_differ),
	    cmocka_unit_test(test_adopt_property),
	    cmocka_unit_test(test_enslave_nic_with_address),
	    cmocka_unit_test(test_port_address_refused_or_moved),
	    cmocka_unit_test(test_ipv6_link_local_stays),
	    cmocka_unit_test(test_wrong_kind),
	    cmocka_unit_test(test_port_elsewhere),
	    cmocka_unit_test(test_adopted_bond_drift),
	    cmocka_unit_test(test_recorded_bond_replaced),
	    cmocka_unit_test(test_stop_only_created),
	    cmocka_unit_test(test_stop_keeps_bridge_with_guests),
	    cmocka_unit_test(test_stop_moves_back),
	    cmocka_unit_test(test_stop_moves_back_orphan),
	    cmocka_unit_test(test_reload_removes_what_left_map),
	    cmocka_unit_test(test_trunk_vlans),
	    cmocka_unit_test(test_missing_port_degrades),
	    cmocka_unit_test(test_orphan_slave_up),
	    cmocka_unit_test(test_adopted_bridge_mtu),
	    cmocka_unit_test(test_pvlan_unwind),
	    cmocka_unit_test(test_state_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
