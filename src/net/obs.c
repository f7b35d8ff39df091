/* The observed state as a container: links by name (one name table), what
 * they carry, formatting and comparing addresses and routes.  Pure: the
 * planner and its tests link this, never observe.c's netlink code. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "map/conf.h"
#include "net/grow.h"
#include "net/observe.h"

const struct xp_obs_link *xp_obs_find(const struct xp_observed *o, const char *name)
{
	long i;

	/* links are only ever added by xp_obs_add */
	if (!o || !xp_nametab_get(&o->names, name, &i))
		return NULL;
	return &o->links[i];
}

struct xp_obs_link *xp_obs_add(struct xp_observed *o, const char *name)
{
	struct xp_obs_link *l;
	long i;

	if (xp_nametab_get(&o->names, name, &i))
		return &o->links[i];
	o->links = xp_grow(o->links, o->n, sizeof(*o->links));
	l = &o->links[o->n++];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	xp_nametab_put(&o->names, name, (long)(o->n - 1));
	return l;
}

void xp_obs_link_clear(struct xp_obs_link *l)
{
	free(l->vids);
	l->vids = NULL;
	l->nvids = 0;
	free(l->vx_flood);
	l->vx_flood = NULL;
	l->vx_nflood = 0;
	free(l->ports);
	free(l->addrs);
	free(l->routes);
	l->ports = NULL;
	l->addrs = NULL;
	l->routes = NULL;
	l->nports = l->naddrs = l->nroutes = 0;
}

void xp_observed_free(struct xp_observed *o)
{
	for (size_t i = 0; i < o->n; i++)
		xp_obs_link_clear(&o->links[i]);
	free(o->links);
	xp_nametab_free(&o->names);
	memset(o, 0, sizeof(*o));
}

static size_t alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

void xp_addr_format(const struct xp_addr *a, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN] = "?";
	inet_ntop(a->family, a->addr, s, sizeof(s));
	if (a->has_peer) {
		char p[INET6_ADDRSTRLEN] = "?";
		inet_ntop(a->family, a->peer, p, sizeof(p));
		snprintf(buf, len, "%s peer %s/%d", s, p, a->prefixlen);
	} else {
		snprintf(buf, len, "%s/%d", s, a->prefixlen);
	}
}

void xp_route_format(const struct xp_route *r, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN] = "?";
	size_t n;

	if (r->dst_len == 0)
		snprintf(buf, len, "%sdefault", r->family == AF_INET6 ? "-6 " : "");
	else {
		inet_ntop(r->family, r->dst, s, sizeof(s));
		snprintf(buf, len, "%s/%d", s, r->dst_len);
	}
	n = strlen(buf);
	if (r->has_gw && n < len) {
		inet_ntop(r->family, r->gw, s, sizeof(s));
		n += (size_t)snprintf(buf + n, len - n, " via %s", s);
	}
	if (r->table != RT_TABLE_MAIN && n < len)
		n += (size_t)snprintf(buf + n, len - n, " table %u", r->table);
	if (r->priority && n < len)
		n += (size_t)snprintf(buf + n, len - n, " metric %u", r->priority);
	if (r->nhops && n < len)
		n += (size_t)snprintf(buf + n, len - n, " (%d nexthops)", r->nhops);
	if (r->nllen >= sizeof(struct rtmsg) &&
	    (((const struct rtmsg *)(const void *)r->nl)->rtm_flags & RTNH_F_ONLINK) && n < len)
		n += (size_t)snprintf(buf + n, len - n, " onlink");
	if (r->has_prefsrc && n < len) {
		inet_ntop(r->family, r->prefsrc, s, sizeof(s));
		snprintf(buf + n, len - n, " src %s", s);
	}
}

int xp_addr_equal(const struct xp_addr *a, const struct xp_addr *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       !memcmp(a->addr, b->addr, alen(a->family));
}

int xp_route_equal(const struct xp_route *a, const struct xp_route *b)
{
	return a->family == b->family && a->table == b->table && a->dst_len == b->dst_len &&
	       !memcmp(a->dst, b->dst, alen(a->family)) && a->has_gw == b->has_gw &&
	       (!a->has_gw || !memcmp(a->gw, b->gw, alen(a->family))) &&
	       a->priority == b->priority && a->tos == b->tos;
}

int xp_obs_has_addr(const struct xp_obs_link *l, const struct xp_addr *a)
{
	for (size_t i = 0; l && i < l->naddrs; i++)
		if (xp_addr_equal(&l->addrs[i], a))
			return 1;
	return 0;
}

int xp_obs_has_route(const struct xp_obs_link *l, const struct xp_route *r)
{
	for (size_t i = 0; l && i < l->nroutes; i++)
		if (xp_route_equal(&l->routes[i], r))
			return 1;
	return 0;
}

/* ---- altnames: the map in the kernel's names ---- */

struct canon {
	const struct xp_observed *o;
	struct xp_diag *notes;
	int renamed;
};

static void canon_name(struct canon *k, char *name, const struct xp_loc *loc)
{
	const struct xp_obs_link *l = xp_obs_find(k->o, name);

	if (!l || l->kind == XP_K_ABSENT || !strcmp(l->name, name))
		return;
	k->renamed++;
	xp_diag_add(k->notes, loc ? loc->file : NULL, loc ? loc->line : 0,
		    "%s is an altname of %s; taken as %s", name, l->name, l->name);
	snprintf(name, XP_IFNAMSIZ, "%s", l->name);
}

static const struct xp_loc *key_loc(const struct xp_loc *key, const struct xp_loc *sec)
{
	return key->line ? key : sec;
}

static void canon_all(struct canon *k, struct xp_conf *c)
{
	for (size_t i = 0; i < c->nbridges; i++) {
		struct xp_bridge *b = &c->bridges[i];
		canon_name(k, b->name, &b->loc);
		for (size_t j = 0; j < b->nports; j++)
			canon_name(k, b->ports[j], key_loc(&b->ports_loc, &b->loc));
	}
	for (size_t i = 0; i < c->nbonds; i++) {
		struct xp_bond *b = &c->bonds[i];
		canon_name(k, b->name, &b->loc);
		for (size_t j = 0; j < b->nslaves; j++)
			canon_name(k, b->slaves[j], key_loc(&b->slaves_loc, &b->loc));
		if (b->primary[0])
			canon_name(k, b->primary, &b->loc);
	}
	for (size_t i = 0; i < c->nvlans; i++) {
		canon_name(k, c->vlans[i].name, &c->vlans[i].loc);
		canon_name(k, c->vlans[i].parent,
			   key_loc(&c->vlans[i].parent_loc, &c->vlans[i].loc));
	}
	for (size_t i = 0; i < c->ndummies; i++)
		canon_name(k, c->dummies[i].name, &c->dummies[i].loc);
	for (size_t i = 0; i < c->nnetworks; i++)
		canon_name(k, c->networks[i].bridge, &c->networks[i].loc);
}

struct member {
	const char *name, *role, *master;
	const struct xp_loc *loc;
};

/* One master per interface, now that every name is the kernel's. */
static int one_master(const struct xp_conf *c, struct xp_diag *errs)
{
	size_t n = 0, total = 0;
	struct member *m;
	int bad = 0;

	for (size_t i = 0; i < c->nbridges; i++)
		total += c->bridges[i].nports;
	for (size_t i = 0; i < c->nbonds; i++)
		total += c->bonds[i].nslaves;
	m = calloc(total + 1, sizeof(*m));
	if (!m)
		abort();
	for (size_t i = 0; i < c->nbonds; i++)
		for (size_t j = 0; j < c->bonds[i].nslaves; j++)
			m[n++] =
			    (struct member){c->bonds[i].slaves[j], "bond", c->bonds[i].name,
					    key_loc(&c->bonds[i].slaves_loc, &c->bonds[i].loc)};
	for (size_t i = 0; i < c->nbridges; i++)
		for (size_t j = 0; j < c->bridges[i].nports; j++)
			m[n++] =
			    (struct member){c->bridges[i].ports[j], "bridge", c->bridges[i].name,
					    key_loc(&c->bridges[i].ports_loc, &c->bridges[i].loc)};
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++) {
			if (strcmp(m[i].name, m[j].name))
				continue;
			xp_diag_add(
			    errs, m[i].loc->file, m[i].loc->line,
			    "interface has two masters, '%s' is in %s '%s' and (by another "
			    "of its names) in %s '%s' (%s:%d) -- an interface can belong to "
			    "one bridge or bond only",
			    m[i].name, m[i].role, m[i].master, m[j].role, m[j].master,
			    m[j].loc->file ? m[j].loc->file : "?", m[j].loc->line);
			bad++;
			break;
		}
	free(m);
	return bad;
}

int xp_obs_canon_conf(const struct xp_observed *o, struct xp_conf *c, struct xp_diag *notes,
		      struct xp_diag *errs)
{
	struct canon k = {o, notes, 0};

	canon_all(&k, c);
	if (k.renamed)
		xp_conf_reindex(c); /* its names changed */
	return k.renamed ? one_master(c, errs) : 0;
}
