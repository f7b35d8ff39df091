/* The pure halves of net/l3.h: nft JSON and dnsmasq's config. */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/l3nl.h"
#include "net/l3.h"

static json_object *o1(const char *k, json_object *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, k, v);
	return o;
}

static json_object *meta(const char *key)
{
	return o1("meta", o1("key", json_object_new_string(key)));
}

static json_object *match(const char *op, json_object *l, json_object *r)
{
	json_object *m = json_object_new_object();

	json_object_object_add(m, "op", json_object_new_string(op));
	json_object_object_add(m, "left", l);
	json_object_object_add(m, "right", r);
	return o1("match", m);
}

static json_object *str(const char *s)
{
	return json_object_new_string(s);
}

static json_object *table(const char *fam, const char *name)
{
	json_object *t = json_object_new_object();

	json_object_object_add(t, "family", str(fam));
	json_object_object_add(t, "name", str(name));
	return o1("table", t);
}

/* add+delete (+add): replace atomically, whether it existed or not */
static void table_reset(json_object *cmds, const char *fam, const char *name, int keep)
{
	json_object_array_add(cmds, o1("add", table(fam, name)));
	json_object_array_add(cmds, o1("delete", table(fam, name)));
	if (keep)
		json_object_array_add(cmds, o1("add", table(fam, name)));
}

static void chain(json_object *cmds, const char *fam, const char *tab, const char *name,
		  const char *type, const char *hook, int prio)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "family", str(fam));
	json_object_object_add(c, "table", str(tab));
	json_object_object_add(c, "name", str(name));
	json_object_object_add(c, "type", str(type));
	json_object_object_add(c, "hook", str(hook));
	json_object_object_add(c, "prio", json_object_new_int(prio));
	json_object_object_add(c, "policy", str("accept"));
	json_object_array_add(cmds, o1("add", o1("chain", c)));
}

/* exprs: NULL-terminated, consumed */
static void rule(json_object *cmds, const char *fam, const char *tab, const char *ch,
		 json_object **exprs)
{
	json_object *r = json_object_new_object(), *ex = json_object_new_array();

	json_object_object_add(r, "family", str(fam));
	json_object_object_add(r, "table", str(tab));
	json_object_object_add(r, "chain", str(ch));
	for (; *exprs; exprs++)
		json_object_array_add(ex, *exprs);
	json_object_object_add(r, "expr", ex);
	json_object_array_add(cmds, o1("add", o1("rule", r)));
}

static json_object *subnet(const struct xp_ipaddr *a)
{
	json_object *p = json_object_new_object();
	uint8_t net[4];
	uint32_t v, mask = a->prefixlen ? 0xffffffffu << (32 - a->prefixlen) : 0;
	char txt[INET_ADDRSTRLEN];

	memcpy(&v, a->addr, 4);
	v = htonl(ntohl(v) & mask);
	memcpy(net, &v, 4);
	inet_ntop(AF_INET, net, txt, sizeof(txt));
	json_object_object_add(p, "addr", str(txt));
	json_object_object_add(p, "len", json_object_new_int(a->prefixlen));
	return o1("prefix", p);
}

#define NAT_T "xenplumb-nat"
#define FWD_T "xenplumb-forward"

static int nat_rules(json_object *cmds, const struct xp_l3_fwd *f)
{
	int any = 0;

	for (size_t i = 0; i < f->nnat; i++)
		any |= f->nat[i].masquerade;
	table_reset(cmds, "ip", NAT_T, any);
	if (!any)
		return 0;
	chain(cmds, "ip", NAT_T, "postrouting", "nat", "postrouting", 100);
	for (size_t i = 0; i < f->nnat; i++) {
		const struct xp_nat *n = &f->nat[i];
		json_object *pl;

		if (!n->masquerade)
			continue;
		pl = json_object_new_object();
		json_object_object_add(pl, "protocol", str("ip"));
		json_object_object_add(pl, "field", str("saddr"));
		json_object *e[] = {match("==", o1("payload", pl), subnet(&n->address)),
				    match("!=", meta("oifname"), str(n->bridge)),
				    o1("masquerade", NULL), NULL};
		rule(cmds, "ip", NAT_T, "postrouting", e);
	}
	return 1;
}

static void routed_fwd(json_object *cmds, const struct xp_l3_fwd *f, size_t i)
{
	const char *up = f->routed[i].uplink;
	json_object *in[] = {match("==", meta("iifname"), str(up)),
			     match("==", meta("oifgroup"), json_object_new_int(XP_ROUTED_GROUP)),
			     o1("accept", NULL), NULL};
	json_object *out[] = {match("==", meta("iifgroup"), json_object_new_int(XP_ROUTED_GROUP)),
			      match("==", meta("oifname"), str(up)), o1("accept", NULL), NULL};

	rule(cmds, "inet", FWD_T, "forward", in);
	rule(cmds, "inet", FWD_T, "forward", out);
	for (int v6 = 0; v6 < 2; v6++) {
		if (!(v6 ? f->confine6[i] : f->confine4[i]))
			continue;
		json_object *d[] = {match("==", meta("iifname"), str(up)),
				    match("==", meta("nfproto"), str(v6 ? "ipv6" : "ipv4")),
				    o1("drop", NULL), NULL};
		rule(cmds, "inet", FWD_T, "forward", d);
	}
}

static int fwd_rules(json_object *cmds, const struct xp_l3_fwd *f)
{
	int any = f->global4;

	for (size_t i = 0; i < f->nrouted; i++)
		any |= f->confine4[i] | f->confine6[i];
	table_reset(cmds, "inet", FWD_T, any);
	if (!any)
		return 0;
	chain(cmds, "inet", FWD_T, "forward", "filter", "forward", 0);
	{
		json_object *st = json_object_new_array();

		json_object_array_add(st, str("established"));
		json_object_array_add(st, str("related"));
		json_object *e[] = {match("in", o1("ct", o1("key", str("state"))), st),
				    o1("accept", NULL), NULL};
		rule(cmds, "inet", FWD_T, "forward", e);
	}
	for (size_t i = 0; i < f->nrouted; i++)
		routed_fwd(cmds, f, i);
	for (size_t i = 0; i < f->nnat; i++) {
		json_object *e[] = {match("==", meta("iifname"), str(f->nat[i].bridge)),
				    o1("accept", NULL), NULL};
		rule(cmds, "inet", FWD_T, "forward", e);
	}
	if (f->global4) {
		json_object *e[] = {match("==", meta("nfproto"), str("ipv4")), o1("drop", NULL),
				    NULL};
		rule(cmds, "inet", FWD_T, "forward", e);
	}
	return 1;
}

char *xp_l3_nft_json(const struct xp_l3_fwd *f)
{
	json_object *cmds = json_object_new_array(), *root;
	char *out;

	nat_rules(cmds, f);
	fwd_rules(cmds, f);
	root = o1("nftables", cmds);
	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return out;
}

static uint32_t v4(const struct xp_ipaddr *a)
{
	uint32_t v;

	memcpy(&v, a->addr, 4);
	return ntohl(v);
}

static void set_v4(struct xp_ipaddr *a, uint32_t v)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->prefixlen = -1;
	v = htonl(v);
	memcpy(a->addr, &v, 4);
}

int xp_l3_default_range(const struct xp_nat *n, struct xp_ipaddr *lo, struct xp_ipaddr *hi)
{
	int p = n->address.prefixlen;
	uint32_t mask = p > 0 ? 0xffffffffu << (32 - p) : 0, gw = v4(&n->address);
	uint32_t net = gw & mask, bc = net | ~mask;

	if (p < 8 || p > 30)
		return -1;
	if (gw - net >= bc - gw) { /* the gateway is high: hand out below it */
		if (gw - 1 <= net)
			return -1;
		set_v4(lo, net + 1);
		set_v4(hi, gw - 1);
	} else {
		if (gw + 1 >= bc)
			return -1;
		set_v4(lo, gw + 1);
		set_v4(hi, bc - 1);
	}
	return 0;
}

/* interface= and bind-dynamic: the bridge only, and an address that is
 * not usable yet (a new bridge's tentative IPv6 link-local) is bound when
 * it is, where bind-interfaces would make dnsmasq exit at start. */
int xp_l3_dnsmasq_conf(const struct xp_nat *n, const char *dir, char *buf, size_t len)
{
	struct xp_ipaddr lo = n->range_lo, hi = n->range_hi;
	char gw[INET_ADDRSTRLEN], l[INET_ADDRSTRLEN], h[INET_ADDRSTRLEN], mask[INET_ADDRSTRLEN];
	uint32_t m = n->address.prefixlen ? htonl(0xffffffffu << (32 - n->address.prefixlen)) : 0;
	int k;

	if (!n->has_range && xp_l3_default_range(n, &lo, &hi))
		return -1;
	inet_ntop(AF_INET, n->address.addr, gw, sizeof(gw));
	inet_ntop(AF_INET, lo.addr, l, sizeof(l));
	inet_ntop(AF_INET, hi.addr, h, sizeof(h));
	inet_ntop(AF_INET, &m, mask, sizeof(mask));
	k = snprintf(buf, len,
		     "# dnsmasq of network-xenplumb for [nat %s]: rewritten by every start and\n"
		     "# reload, removed by stop.  Change the map, not this file.\n"
		     "interface=%s\n"
		     "bind-dynamic\n"
		     "except-interface=lo\n"
		     "dhcp-range=%s,%s,%s,1h\n"
		     "dhcp-option=option:router,%s\n"
		     "%s%s\n"
		     "dhcp-authoritative\n"
		     "dhcp-hostsdir=%s/hosts.d\n"
		     "dhcp-leasefile=%s/leases\n"
		     "pid-file=%s/dnsmasq.pid\n"
		     "log-facility=%s/dnsmasq.log\n",
		     n->name, n->bridge, l, h, mask, gw,
		     n->dns ? "dhcp-option=option:dns-server," : "port=", n->dns ? gw : "0", dir,
		     dir, dir, dir);
	return k < 0 || (size_t)k >= len ? -1 : 0;
}
