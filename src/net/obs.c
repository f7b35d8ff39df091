/* The observed state as a container: links by name (one name table), what
 * they carry, formatting and comparing addresses and routes.  Pure: the
 * planner and its tests link this, never observe.c's netlink code. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/observe.h"

static void *grow(void *ptr, size_t n, size_t size)
{
	void *q = realloc(ptr, (n + 1) * size);
	if (!q)
		abort();
	return q;
}

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
	o->links = grow(o->links, o->n, sizeof(*o->links));
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
	snprintf(buf, len, "%s/%d", s, a->prefixlen);
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
