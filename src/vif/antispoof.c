#include "vif/antispoof.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/nft.h"
#include "vif/antispoof_nd.h"

#define CHAIN "ingress"
#define PRIO  (-300)

void xp_antispoof_table(char *buf, size_t len, unsigned domid, unsigned devid, int tap)
{
	snprintf(buf, len, "xenplumb-vif%u.%u%s", domid, devid, tap ? "-emu" : "");
}

static json_object *obj1(const char *k, json_object *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, k, v);
	return o;
}

static json_object *payload(const char *proto, const char *field)
{
	json_object *p = json_object_new_object();

	json_object_object_add(p, "protocol", json_object_new_string(proto));
	json_object_object_add(p, "field", json_object_new_string(field));
	return obj1("payload", p);
}

static json_object *match(const char *op, json_object *left, json_object *right)
{
	json_object *m = json_object_new_object();

	json_object_object_add(m, "op", json_object_new_string(op));
	json_object_object_add(m, "left", left);
	json_object_object_add(m, "right", right);
	return obj1("match", m);
}

static json_object *verdict(const char *v)
{
	return obj1(v, NULL);
}

static json_object *table_obj(const char *table)
{
	json_object *t = json_object_new_object();

	json_object_object_add(t, "family", json_object_new_string("netdev"));
	json_object_object_add(t, "name", json_object_new_string(table));
	return obj1("table", t);
}

/* {"add":{"rule":{... "expr":[e1, e2, ...]}}}; exprs NULL-terminated. */
static void add_rule(json_object *cmds, const char *table, json_object **exprs)
{
	json_object *r = json_object_new_object(), *ex = json_object_new_array();

	json_object_object_add(r, "family", json_object_new_string("netdev"));
	json_object_object_add(r, "table", json_object_new_string(table));
	json_object_object_add(r, "chain", json_object_new_string(CHAIN));
	for (; *exprs; exprs++)
		json_object_array_add(ex, *exprs);
	json_object_object_add(r, "expr", ex);
	json_object_array_add(cmds, obj1("add", obj1("rule", r)));
}

static json_object *addr_elem(const struct xp_ipaddr *ip)
{
	char txt[INET6_ADDRSTRLEN];
	int full = ip->family == AF_INET ? 32 : 128;

	inet_ntop(ip->family, ip->addr, txt, sizeof(txt));
	if (ip->prefixlen >= 0 && ip->prefixlen < full) {
		json_object *p = json_object_new_object();
		/* nft wants the network address of a prefix */
		uint8_t net[16];
		int bytes = full / 8;

		memcpy(net, ip->addr, 16);
		for (int i = 0; i < bytes; i++) {
			int keep = ip->prefixlen - i * 8;
			if (keep <= 0)
				net[i] = 0;
			else if (keep < 8)
				net[i] &= (uint8_t)(0xff << (8 - keep));
		}
		inet_ntop(ip->family, net, txt, sizeof(txt));
		json_object_object_add(p, "addr", json_object_new_string(txt));
		json_object_object_add(p, "len", json_object_new_int(ip->prefixlen));
		return obj1("prefix", p);
	}
	return json_object_new_string(txt);
}

/* A set of the addresses of one family, plus the extra literal elements. */
static json_object *addr_set(const struct xp_antispoof *a, int family, const char *const *extra)
{
	json_object *s = json_object_new_array();

	for (; extra && *extra; extra++) {
		if (!strchr(*extra, '/')) {
			json_object_array_add(s, json_object_new_string(*extra));
		} else {
			struct xp_ipaddr ip;
			if (!xp_parse_ipaddr(*extra, &ip, NULL))
				json_object_array_add(s, addr_elem(&ip));
		}
	}
	for (size_t i = 0; i < a->nips; i++)
		if (a->ips[i].family == family)
			json_object_array_add(s, addr_elem(&a->ips[i]));
	return obj1("set", s);
}

/* add+delete+add: replaces a stale table atomically, absent or not; then
 * the ingress chain on the vif. */
static void add_table_and_chain(json_object *cmds, const struct xp_antispoof *a)
{
	json_object *ch;

	json_object_array_add(cmds, obj1("add", table_obj(a->table)));
	json_object_array_add(cmds, obj1("delete", table_obj(a->table)));
	json_object_array_add(cmds, obj1("add", table_obj(a->table)));
	ch = json_object_new_object();
	json_object_object_add(ch, "family", json_object_new_string("netdev"));
	json_object_object_add(ch, "table", json_object_new_string(a->table));
	json_object_object_add(ch, "name", json_object_new_string(CHAIN));
	json_object_object_add(ch, "type", json_object_new_string("filter"));
	json_object_object_add(ch, "hook", json_object_new_string("ingress"));
	json_object_object_add(ch, "dev", json_object_new_string(a->dev));
	json_object_object_add(ch, "prio", json_object_new_int(PRIO));
	json_object_object_add(ch, "policy", json_object_new_string("accept"));
	json_object_array_add(cmds, obj1("add", obj1("chain", ch)));
}

/* Source MAC, tagged frames, ARP sender MAC. */
static void add_l2_rules(json_object *cmds, const struct xp_antispoof *a)
{
	char mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", a->mac[0], a->mac[1], a->mac[2],
		 a->mac[3], a->mac[4], a->mac[5]);
	{
		json_object *e[] = {
		    match("!=", payload("ether", "saddr"), json_object_new_string(mac)),
		    verdict("drop"), NULL};
		add_rule(cmds, a->table, e);
	}
	if (!a->allow_tagged) {
		json_object *types = json_object_new_array();
		json_object_array_add(types, json_object_new_string("8021q"));
		json_object_array_add(types, json_object_new_string("8021ad"));
		json_object *e[] = {match("==", payload("ether", "type"), obj1("set", types)),
				    verdict("drop"), NULL};
		add_rule(cmds, a->table, e);
	}
	{
		json_object *e[] = {
		    match("!=", payload("arp", "saddr ether"), json_object_new_string(mac)),
		    verdict("drop"), NULL};
		add_rule(cmds, a->table, e);
	}
}

/* ARP sender IP, DHCP requests, IPv4 source (only when `ip` lists any
 * address; none of IPv4 among them: no IPv4 at all). */
static void add_ipv4_rules(json_object *cmds, const struct xp_antispoof *a, size_t nv4)
{
	static const char *const arp_extra[] = {"0.0.0.0", NULL};
	json_object *arp[] = {
	    match("!=", payload("arp", "saddr ip"), addr_set(a, AF_INET, arp_extra)),
	    verdict("drop"), NULL};
	json_object *dhcp[] = {
	    match("==", payload("ip", "saddr"), json_object_new_string("0.0.0.0")),
	    match("==", payload("udp", "sport"), json_object_new_int(68)),
	    match("==", payload("udp", "dport"), json_object_new_int(67)), verdict("accept"), NULL};

	add_rule(cmds, a->table, arp);
	add_rule(cmds, a->table, dhcp);
	if (nv4) {
		json_object *e[] = {match("!=", payload("ip", "saddr"), addr_set(a, AF_INET, NULL)),
				    verdict("drop"), NULL};
		add_rule(cmds, a->table, e);
	} else {
		json_object *e[] = {
		    match("==", obj1("meta", obj1("key", json_object_new_string("protocol"))),
			  json_object_new_string("ip")),
		    verdict("drop"), NULL};
		add_rule(cmds, a->table, e);
	}
}

/* IPv6 source: its addresses, link-local or :: . */
/* With IPv6 addresses listed: only those, link-local or ::, and
 * advertisements only for them (vif/antispoof_nd.h); with none listed, no
 * IPv6 at all. */
static void add_ipv6_rules(json_object *cmds, const struct xp_antispoof *a, size_t nv6)
{
	static const char *const v6_extra[] = {"::", "fe80::/10", NULL};

	if (!nv6) {
		json_object *e[] = {
		    match("==", obj1("meta", obj1("key", json_object_new_string("protocol"))),
			  json_object_new_string("ip6")),
		    verdict("drop"), NULL};

		add_rule(cmds, a->table, e);
		return;
	}
	json_object *e[] = {match("!=", payload("ip6", "saddr"), addr_set(a, AF_INET6, v6_extra)),
			    verdict("drop"), NULL};

	add_rule(cmds, a->table, e);
	xp_as_target_rules(cmds, a->table, CHAIN, a->ips, a->nips);
}

char *xp_antispoof_json(const struct xp_antispoof *a)
{
	json_object *root, *cmds;
	size_t nv4 = 0, nv6 = 0;
	char *out;

	for (size_t i = 0; i < a->nips; i++) {
		if (a->ips[i].family == AF_INET)
			nv4++;
		else
			nv6++;
	}
	cmds = json_object_new_array();
	add_table_and_chain(cmds, a);
	if (a->disabled) {
		json_object *e[] = {verdict("drop"), NULL};

		add_rule(cmds, a->table, e);
	} else {
		add_l2_rules(cmds, a);
		xp_as_guard_rules(cmds, a->table, CHAIN);
		xp_as_lladdr_rules(cmds, a->table, CHAIN, a->mac);
		if (a->nips > 0)
			add_ipv4_rules(cmds, a, nv4);
		if (a->nips > 0)
			add_ipv6_rules(cmds, a, nv6);
	}
	root = obj1("nftables", cmds);
	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return out;
}

int xp_antispoof_install(const struct xp_antispoof *a, char *err, size_t errlen)
{
	char *cmd;
	int rc;

	if (!xp_nft_reachable()) {
		snprintf(err, errlen,
			 "antispoofing needs nf_tables, and netfilter's netlink socket cannot be "
			 "opened (load the nf_tables module)");
		return -1;
	}
	cmd = xp_antispoof_json(a);
	if (!cmd) {
		snprintf(err, errlen, "out of memory building antispoof rules");
		return -1;
	}
	rc = xp_nft_run(cmd, err, errlen);
	free(cmd);
	return rc;
}

int xp_antispoof_remove(const char *table, char *err, size_t errlen)
{
	json_object *cmds, *root;
	int rc;

	/* No netfilter netlink, no table (and libnftables would exit). */
	if (!xp_nft_reachable() || xp_nft_table_exists(NFPROTO_NETDEV, table) == 0)
		return 0;
	cmds = json_object_new_array();
	json_object_array_add(cmds, obj1("add", table_obj(table)));
	json_object_array_add(cmds, obj1("delete", table_obj(table)));
	root = obj1("nftables", cmds);
	rc = xp_nft_run(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN), err, errlen);
	json_object_put(root);
	return rc;
}
