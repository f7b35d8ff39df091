#include "vif/antispoof_nd.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static json_object *o1(const char *k, json_object *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, k, v);
	return o;
}

static json_object *pl(const char *proto, const char *field)
{
	json_object *p = json_object_new_object();

	json_object_object_add(p, "protocol", json_object_new_string(proto));
	json_object_object_add(p, "field", json_object_new_string(field));
	return o1("payload", p);
}

/* raw transport-header bits [off, off+len) */
static json_object *th(int off, int len)
{
	json_object *p = json_object_new_object();

	json_object_object_add(p, "base", json_object_new_string("th"));
	json_object_object_add(p, "offset", json_object_new_int(off));
	json_object_object_add(p, "len", json_object_new_int(len));
	return o1("payload", p);
}

static json_object *m(const char *op, json_object *l, json_object *r)
{
	json_object *x = json_object_new_object();

	json_object_object_add(x, "op", json_object_new_string(op));
	json_object_object_add(x, "left", l);
	json_object_object_add(x, "right", r);
	return o1("match", x);
}

static json_object *set_of(const char *const *v, const int *n)
{
	json_object *s = json_object_new_array();

	for (; v && *v; v++)
		json_object_array_add(s, json_object_new_string(*v));
	for (; n && *n >= 0; n++)
		json_object_array_add(s, json_object_new_int(*n));
	return o1("set", s);
}

/* exprs NULL-terminated, consumed */
static void rule(json_object *cmds, const char *table, const char *chain, json_object **e)
{
	json_object *r = json_object_new_object(), *ex = json_object_new_array();

	json_object_object_add(r, "family", json_object_new_string("netdev"));
	json_object_object_add(r, "table", json_object_new_string(table));
	json_object_object_add(r, "chain", json_object_new_string(chain));
	for (; *e; e++)
		json_object_array_add(ex, *e);
	json_object_object_add(r, "expr", ex);
	json_object_array_add(cmds, o1("add", o1("rule", r)));
}

void xp_as_guard_rules(json_object *cmds, const char *table, const char *chain)
{
	static const int ports[] = {67, 547, -1};
	static const char *const ra[] = {"nd-router-advert", "nd-redirect", "router-renumbering",
					 NULL};
	json_object *srv[] = {m("==", pl("udp", "sport"), set_of(NULL, ports)), o1("drop", NULL),
			      NULL};
	json_object *red[] = {m("==", pl("icmp", "type"), json_object_new_string("redirect")),
			      o1("drop", NULL), NULL};
	json_object *rtr[] = {m("==", pl("icmpv6", "type"), set_of(ra, NULL)), o1("drop", NULL),
			      NULL};

	rule(cmds, table, chain, srv);
	rule(cmds, table, chain, red);
	rule(cmds, table, chain, rtr);
}

static int64_t mac48(const uint8_t mac[6])
{
	int64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = (v << 8) | mac[i];
	return v;
}

void xp_as_lladdr_rules(json_object *cmds, const char *table, const char *chain,
			const uint8_t mac[6])
{
	/* NS carries a source (option 1), NA a target (option 2) lladdr */
	static const char *const type[] = {"nd-neighbor-solicit", "nd-neighbor-advert"};

	for (int k = 0; k < 2; k++) {
		json_object *e[] = {m("==", pl("icmpv6", "type"), json_object_new_string(type[k])),
				    m("==", th(192, 16), json_object_new_int((k + 1) << 8 | 1)),
				    m("!=", th(208, 48), json_object_new_int64(mac48(mac))),
				    o1("drop", NULL), NULL};
		rule(cmds, table, chain, e);
	}
}

/* "this NA's target is in a's prefix": 32-bit pieces, then the rest */
static void target_accept(json_object *cmds, const char *table, const char *chain,
			  const struct xp_ipaddr *a)
{
	json_object *e[8];
	int plen = a->prefixlen < 0 ? 128 : a->prefixlen, k = 0;

	e[k++] = m("==", pl("icmpv6", "type"), json_object_new_string("nd-neighbor-advert"));
	for (int off = 0; off < plen && k < 6; off += 32) {
		int len = plen - off < 32 ? plen - off : 32;
		uint32_t v = (uint32_t)a->addr[off / 8] << 24 |
			     (uint32_t)a->addr[off / 8 + 1] << 16 |
			     (uint32_t)a->addr[off / 8 + 2] << 8 | a->addr[off / 8 + 3];

		v >>= 32 - len;
		e[k++] = m("==", th(64 + off, len), json_object_new_int64(v));
	}
	e[k++] = o1("accept", NULL);
	e[k] = NULL;
	rule(cmds, table, chain, e);
}

void xp_as_target_rules(json_object *cmds, const char *table, const char *chain,
			const struct xp_ipaddr *ips, size_t nips)
{
	json_object *ll[] = {
	    m("==", pl("icmpv6", "type"), json_object_new_string("nd-neighbor-advert")),
	    m("==", th(64, 10), json_object_new_int(0x3fa)), o1("accept", NULL), NULL};
	json_object *rest[] = {
	    m("==", pl("icmpv6", "type"), json_object_new_string("nd-neighbor-advert")),
	    o1("drop", NULL), NULL};

	rule(cmds, table, chain, ll);
	for (size_t i = 0; i < nips; i++)
		if (ips[i].family == AF_INET6)
			target_accept(cmds, table, chain, &ips[i]);
	rule(cmds, table, chain, rest);
}
