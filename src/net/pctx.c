/* Plan-building primitives: appending ops, errors, notes and drift to a
 * plan, and the questions kinds ask while planning.  Pure; used by the
 * planner's core (plan.c) and the kinds' plan halves (src/net/kind/), which
 * depend on this file and not on each other. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/grow.h"
#include "net/kind.h"
#include "net/plan.h"

/* The plan's arrays grow with xp_grow_pow2 (net/grow.h): a plan of n ops
 * costs O(n) copying. */

/* Link op k (just pushed) into the by-device index, when the index covers
 * every op before it. */
static void index_op(struct xp_plan *p, size_t k)
{
	long t;

	if (p->nidx != k)
		return;
	p->prev = xp_grow_pow2(p->prev, k, sizeof(*p->prev));
	p->next = xp_grow_pow2(p->next, k, sizeof(*p->next));
	p->prev[k] = p->next[k] = XP_OP_NONE;
	if (xp_nametab_get(&p->bydev, p->ops[k].dev, &t)) {
		p->prev[k] = (size_t)t;
		p->next[t] = k;
	}
	xp_nametab_put(&p->bydev, p->ops[k].dev, (long)k);
	p->nidx = k + 1;
}

struct xp_op *xp_plan_push(struct xp_plan *p, int type, const char *dev, const char *fmt, ...)
{
	struct xp_op *op;
	va_list ap;

	p->ops = xp_grow_pow2(p->ops, p->n, sizeof(*p->ops));
	op = &p->ops[p->n++];
	memset(op, 0, sizeof(*op));
	op->type = type;
	xp_set_name(op->dev, dev);
	index_op(p, p->n - 1);
	va_start(ap, fmt);
	vsnprintf(op->why, sizeof(op->why), fmt, ap);
	va_end(ap);
	return op;
}

__attribute__((format(printf, 1, 0))) static char *vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

void xp_plan_error(struct xp_plan *p, const char *fmt, ...)
{
	va_list ap;
	p->errors = xp_grow_pow2(p->errors, p->nerrors, sizeof(char *));
	va_start(ap, fmt);
	p->errors[p->nerrors++] = vfmt(fmt, ap);
	va_end(ap);
}

void xp_plan_note(struct xp_plan *p, const char *fmt, ...)
{
	va_list ap;
	p->notes = xp_grow_pow2(p->notes, p->nnotes, sizeof(char *));
	va_start(ap, fmt);
	p->notes[p->nnotes++] = vfmt(fmt, ap);
	va_end(ap);
}

void xp_plan_drift(struct xp_plan *p, const char *dev, const char *what, const char *want,
		   const char *have)
{
	struct xp_drift *d;
	p->drift = xp_grow_pow2(p->drift, p->ndrift, sizeof(*p->drift));
	d = &p->drift[p->ndrift++];
	memset(d, 0, sizeof(*d));
	xp_set_name(d->device, dev);
	snprintf(d->what, sizeof(d->what), "%s", what);
	snprintf(d->want, sizeof(d->want), "%s", want);
	snprintf(d->have, sizeof(d->have), "%s", have);
}

void xp_plan_missing(struct xp_plan *p, const struct xp_conf *c, const struct xp_loc *loc,
		     const char *what, const char *dev, const char *of)
{
	struct xp_missing *m;
	char where[200];

	xp_loc_prefix(loc, where, sizeof(where));
	if (c->legacy) {
		xp_plan_error(p, "%s%s %s of %s does not exist", where, what, dev, of);
		return;
	}
	if (c->global.strict) {
		xp_plan_error(p,
			      "%s%s %s of %s does not exist (strict = yes in [global]: the map "
			      "applies whole or not at all)",
			      where, what, dev, of);
		return;
	}
	p->missing = xp_grow_pow2(p->missing, p->nmissing, sizeof(*p->missing));
	m = &p->missing[p->nmissing++];
	memset(m, 0, sizeof(*m));
	xp_set_name(m->device, dev);
	snprintf(m->where, sizeof(m->where), "%s", where);
	snprintf(m->role, sizeof(m->role), "%s of %s", what, of);
}

void xp_plan_free(struct xp_plan *p)
{
	for (size_t i = 0; i < p->nerrors; i++)
		free(p->errors[i]);
	for (size_t i = 0; i < p->nnotes; i++)
		free(p->notes[i]);
	free(p->errors);
	free(p->notes);
	free(p->ops);
	free(p->drift);
	free(p->missing);
	xp_nametab_free(&p->bydev);
	free(p->prev);
	free(p->next);
	memset(p, 0, sizeof(*p));
}

static int indexed(const struct xp_plan *p)
{
	return p->n && p->nidx == p->n;
}

size_t xp_plan_prev_on(const struct xp_plan *p, const char *dev, size_t before)
{
	long t;
	size_t j;

	if (before > p->n)
		before = p->n;
	if (!indexed(p)) {
		for (j = before; j-- > 0;)
			if (!strcmp(p->ops[j].dev, dev))
				return j;
		return XP_OP_NONE;
	}
	if (before < p->n && !strcmp(p->ops[before].dev, dev))
		return p->prev[before];
	if (!xp_nametab_get(&p->bydev, dev, &t))
		return XP_OP_NONE;
	for (j = (size_t)t; j != XP_OP_NONE && j >= before; j = p->prev[j])
		;
	return j;
}

size_t xp_plan_next_on(const struct xp_plan *p, size_t i)
{
	if (indexed(p))
		return p->next[i];
	for (size_t j = i + 1; j < p->n; j++)
		if (!strcmp(p->ops[j].dev, p->ops[i].dev))
			return j;
	return XP_OP_NONE;
}

int xp_plan_has_op(const struct xp_plan *p, int type, const char *dev, size_t before)
{
	for (size_t j = xp_plan_prev_on(p, dev, before); j != XP_OP_NONE;
	     j = xp_plan_prev_on(p, dev, j))
		if (p->ops[j].type == type)
			return 1;
	return 0;
}

/* ---- context helpers for the kinds ---- */

const struct xp_obs_link *xp_pctx_obs(const struct xp_pctx *x, const char *name)
{
	const struct xp_obs_link *l = xp_obs_find(x->o, name);
	return l && l->kind != XP_K_ABSENT ? l : NULL;
}

int xp_pctx_creating(const struct xp_pctx *x, const char *name)
{
	return xp_plan_has_op(x->p, XP_OP_CREATE, name, x->p->n);
}

int xp_pctx_will_exist(const struct xp_pctx *x, const char *name)
{
	return xp_pctx_obs(x, name) || xp_pctx_creating(x, name);
}

int xp_pctx_recorded(const struct xp_pctx *x, const char *name)
{
	const struct xp_obs_link *l = xp_pctx_obs(x, name);

	for (size_t i = 0; x->s && i < x->s->ndevs; i++) {
		const struct xp_st_dev *d = &x->s->devs[i];
		if (strcmp(d->name, name))
			continue;
		/* The same name with another ifindex is someone else's device. */
		return !l || !d->ifindex || l->ifindex == d->ifindex;
	}
	return 0;
}

static int dev_mtu(const struct xp_pctx *x, const char *name, int depth);

/* The MTU the map and the kernel give a device this plan creates, with no
 * MTU op of its own: the map's, else a VLAN its parent's, a VXLAN on a
 * device that device's minus the encapsulation (the kernel derives it from
 * IFLA_VXLAN_LINK), anything else the kernel's 1500; 0 when unknown. */
static int created_mtu(const struct xp_pctx *x, const char *name, int depth)
{
	const struct xp_vlan *v = xp_conf_vlan(x->c, name);
	const struct xp_vxlan *vx = xp_conf_vxlan(x->c, name);
	const struct xp_bond *b = xp_conf_bond(x->c, name);
	const struct xp_dummy *d = xp_conf_dummy(x->c, name);
	const struct xp_bridge *br = xp_conf_bridge(x->c, name);
	int m = v ? v->mtu : vx ? vx->mtu : b ? b->mtu : d ? d->mtu : br ? br->mtu : XP_UNSET;

	if (m > 0)
		return m;
	if (v)
		return dev_mtu(x, v->parent, depth + 1);
	if (vx && !vx->device[0])
		return 0; /* its SET_MTU op says it, when the underlay is known */
	if (vx) {
		m = dev_mtu(x, vx->device, depth + 1);
		return m > 0 ? m - (xp_vxlan_family(vx) == AF_INET6 ? XP_VXLAN_OVERHEAD6
								    : XP_VXLAN_OVERHEAD4)
			     : 0;
	}
	return 1500;
}

static int dev_mtu(const struct xp_pctx *x, const char *name, int depth)
{
	const struct xp_obs_link *l = xp_pctx_obs(x, name);
	int mtu = 0;

	if (!name || !name[0] || depth > 8) /* a chain longer than any real stack */
		return 0;
	/* the last MTU op on it (by the plan's index: no scan of the plan) */
	for (size_t i = xp_plan_prev_on(x->p, name, x->p->n); i != XP_OP_NONE && !mtu;
	     i = xp_plan_prev_on(x->p, name, i)) {
		const struct xp_op *op = &x->p->ops[i];
		if (op->type == XP_OP_SET_MTU || op->type == XP_OP_PIN_MTU)
			mtu = op->value;
	}
	if (mtu > 0)
		return mtu;
	if (l)
		return l->mtu;
	return xp_pctx_creating(x, name) ? created_mtu(x, name, depth) : 0;
}

int xp_pctx_dev_mtu(const struct xp_pctx *x, const char *name)
{
	return dev_mtu(x, name, 0);
}

struct xp_op *xp_pctx_create(struct xp_pctx *x, const char *name, int kind, const void *spec)
{
	struct xp_op *op = xp_plan_push(x->p, XP_OP_CREATE, name, "in the map, missing");

	op->kind = kind;
	op->spec = spec;
	op->created = 1;
	return op;
}

void xp_pctx_mtu(struct xp_pctx *x, const char *name, int mtu, const struct xp_obs_link *l)
{
	struct xp_op *op;

	if (mtu <= 0 || l->mtu == mtu)
		return;
	op = xp_plan_push(x->p, XP_OP_SET_MTU, name, "map says mtu %d", mtu);
	op->value = mtu;
	op->old = l->mtu;
}

const char *xp_loc_prefix(const struct xp_loc *loc, char *buf, size_t len)
{
	if (loc && loc->file && loc->line > 0)
		snprintf(buf, len, "%s:%d: ", loc->file, loc->line);
	else
		buf[0] = 0;
	return buf;
}

/* Addresses that move with a port: IPv4 all, IPv6 all but link-local
 * (the kernel keeps those on ports; we leave them be). */
int xp_addr_movable(const struct xp_addr *a)
{
	if (a->family == AF_INET6 && a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80)
		return 0;
	return a->family == AF_INET || a->family == AF_INET6;
}

size_t xp_l3_summary(const struct xp_obs_link *l, char *buf, size_t len)
{
	size_t n = 0, nr = l->nroutes + (size_t)l->unmovable_routes;
	char a[64];

	buf[0] = 0;
	for (size_t i = 0; i < l->naddrs; i++) {
		if (!xp_addr_movable(&l->addrs[i]))
			continue;
		xp_addr_format(&l->addrs[i], a, sizeof(a));
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", n++ ? ", " : "", a);
	}
	if (nr)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%zu route%s", n ? " and " : "",
			 nr, nr == 1 ? "" : "s");
	return n + nr;
}

/* Can a's label follow it from port to bridge (PORT:X -> BRIDGE:X within
 * IFNAMSIZ)?  Else an error naming it. */
static int label_fits(struct xp_pctx *x, const struct xp_addr *a, const char *port,
		      const char *bridge)
{
	size_t n = strlen(port);
	char buf[128];

	if (strncmp(a->label, port, n) || a->label[n] != ':' ||
	    strlen(bridge) + strlen(a->label + n) < XP_IFNAMSIZ)
		return 1;
	xp_addr_format(a, buf, sizeof(buf));
	xp_plan_error(x->p,
		      "address %s of port %s has label %s, which on bridge %s would be %s%s, "
		      "longer than %d characters; give it a shorter label (ip addr change ... "
		      "label %s:N) or the bridge a shorter name",
		      buf, port, a->label, bridge, bridge, a->label + n, XP_IFNAMSIZ - 1, port);
	return 0;
}

/* Move what port carries onto bridge: addresses to the bridge first, then
 * routes through the bridge, then delete them from the port.  What the
 * bridge has already (an adopted bridge's own) is neither moved nor
 * recorded: stop must not take it from the bridge. */
void xp_pctx_move(struct xp_pctx *x, const char *port, const char *bridge)
{
	const struct xp_obs_link *pl = xp_pctx_obs(x, port);
	const struct xp_obs_link *bl = xp_pctx_obs(x, bridge);
	struct xp_op *op;
	char buf[128];

	if (!pl)
		return;
	for (size_t i = 0; i < pl->naddrs; i++) {
		if (!xp_addr_movable(&pl->addrs[i]))
			continue;
		xp_addr_format(&pl->addrs[i], buf, sizeof(buf));
		if (xp_obs_has_addr(bl, &pl->addrs[i])) {
			xp_plan_note(x->p,
				     "%s is on %s already: taken off port %s only (stop gives it "
				     "back, and leaves %s its own)",
				     buf, bridge, port, bridge);
			continue;
		}
		if (!label_fits(x, &pl->addrs[i], port, bridge))
			continue;
		op =
		    xp_plan_push(x->p, XP_OP_ADD_ADDR, bridge, "moving %s from port %s", buf, port);
		op->addr = pl->addrs[i];
		xp_set_name(op->peer, port);
	}
	for (size_t i = 0; i < pl->nroutes; i++) {
		if (xp_obs_has_route(bl, &pl->routes[i])) {
			xp_route_format(&pl->routes[i], buf, sizeof(buf));
			xp_plan_note(x->p, "route %s is on %s already: taken off port %s only", buf,
				     bridge, port);
			continue;
		}
		op = xp_plan_push(x->p, XP_OP_ADD_ROUTE, bridge, "moving route from port %s", port);
		op->route = pl->routes[i];
		xp_set_name(op->peer, port);
	}
	for (size_t i = 0; i < pl->nroutes; i++) {
		op = xp_plan_push(x->p, XP_OP_DEL_ROUTE, port, "moved to %s", bridge);
		op->route = pl->routes[i];
		op->value = 1; /* a recorded move */
		op->had = xp_obs_has_route(bl, &pl->routes[i]);
		xp_set_name(op->peer, bridge);
	}
	/* last first: an IPv4 primary takes its secondaries with it */
	for (size_t i = pl->naddrs; i-- > 0;) {
		if (!xp_addr_movable(&pl->addrs[i]))
			continue;
		op = xp_plan_push(x->p, XP_OP_DEL_ADDR, port, "moved to %s", bridge);
		op->addr = pl->addrs[i];
		op->value = 1;
		op->had = xp_obs_has_addr(bl, &pl->addrs[i]);
		xp_set_name(op->peer, bridge);
	}
}
