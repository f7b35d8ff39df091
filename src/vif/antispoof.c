#include "vif/antispoof.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <json-c/json.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/nl.h"

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
static void add_ipv6_rules(json_object *cmds, const struct xp_antispoof *a)
{
	static const char *const v6_extra[] = {"::", "fe80::/10", NULL};
	json_object *e[] = {match("!=", payload("ip6", "saddr"), addr_set(a, AF_INET6, v6_extra)),
			    verdict("drop"), NULL};

	add_rule(cmds, a->table, e);
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
	add_l2_rules(cmds, a);
	if (a->nips > 0)
		add_ipv4_rules(cmds, a, nv4);
	if (nv6)
		add_ipv6_rules(cmds, a);
	root = obj1("nftables", cmds);
	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return out;
}

/* libnftables is loaded only when a vif needs it: most hotplugs never do,
 * and it (with its own libraries) would double the helper's start-up. */
static struct {
	void *h;
	struct nft_ctx *(*ctx_new)(uint32_t);
	void (*ctx_free)(struct nft_ctx *);
	unsigned int (*get_flags)(struct nft_ctx *);
	void (*set_flags)(struct nft_ctx *, unsigned int);
	int (*buffer_output)(struct nft_ctx *);
	int (*buffer_error)(struct nft_ctx *);
	const char *(*get_error)(struct nft_ctx *);
	int (*run_cmd)(struct nft_ctx *, const char *);
} nft;

static int load_nft(char *err, size_t errlen)
{
	if (nft.h)
		return 0;
	nft.h = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!nft.h) {
		snprintf(err, errlen, "cannot load libnftables.so.1 (package libnftables1)");
		return -1;
	}
	*(void **)&nft.ctx_new = dlsym(nft.h, "nft_ctx_new");
	*(void **)&nft.ctx_free = dlsym(nft.h, "nft_ctx_free");
	*(void **)&nft.get_flags = dlsym(nft.h, "nft_ctx_output_get_flags");
	*(void **)&nft.set_flags = dlsym(nft.h, "nft_ctx_output_set_flags");
	*(void **)&nft.buffer_output = dlsym(nft.h, "nft_ctx_buffer_output");
	*(void **)&nft.buffer_error = dlsym(nft.h, "nft_ctx_buffer_error");
	*(void **)&nft.get_error = dlsym(nft.h, "nft_ctx_get_error_buffer");
	*(void **)&nft.run_cmd = dlsym(nft.h, "nft_run_cmd_from_buffer");
	if (!nft.ctx_new || !nft.ctx_free || !nft.get_flags || !nft.set_flags ||
	    !nft.buffer_output || !nft.buffer_error || !nft.get_error || !nft.run_cmd) {
		snprintf(err, errlen, "libnftables.so.1 lacks a needed function");
		dlclose(nft.h);
		nft.h = NULL;
		return -1;
	}
	return 0;
}

static int run(const char *cmd, char *err, size_t errlen)
{
	struct nft_ctx *ctx;
	int rc;

	if (load_nft(err, errlen))
		return -1;
	ctx = nft.ctx_new(NFT_CTX_DEFAULT);
	if (!ctx) {
		snprintf(err, errlen, "cannot create an nftables context");
		return -1;
	}
	/* JSON output also makes libnftables 1.0 parse its input as JSON */
	nft.set_flags(ctx, nft.get_flags(ctx) | NFT_CTX_OUTPUT_JSON);
	nft.buffer_output(ctx);
	nft.buffer_error(ctx);
	rc = nft.run_cmd(ctx, cmd);
	if (rc) {
		const char *e = nft.get_error(ctx);
		size_t n;

		snprintf(err, errlen, "nftables: %s", e && *e ? e : "command failed");
		/* one line for hotplug-error */
		for (n = 0; err[n]; n++)
			if (err[n] == '\n' || (unsigned char)err[n] < 0x20)
				err[n] = ' ';
		while (n > 0 && err[n - 1] == ' ')
			err[--n] = '\0';
	}
	nft.ctx_free(ctx);
	return rc ? -1 : 0;
}

static int on_table(struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(void)arg;
	return 0;
}

/* Does netdev table `table` exist?  One NFT_MSG_GETTABLE over nfnetlink
 * (xp_nl_query: the table is the one answer): cheap, and without nf_tables
 * loaded there can be no table.  1, 0, or -1 when it cannot tell. */
static int table_exists(const char *table)
{
	struct nfgenmsg g = {.nfgen_family = NFPROTO_NETDEV, .version = NFNETLINK_V0};
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *m;
	int err = -1;

	if (!sk || nl_connect(sk, NETLINK_NETFILTER) < 0)
		goto out;
	m = nlmsg_alloc_simple((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE,
			       NLM_F_REQUEST | NLM_F_ACK);
	if (!m || nlmsg_append(m, &g, sizeof(g), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(m, NFTA_TABLE_NAME, table) < 0) {
		nlmsg_free(m);
		goto out;
	}
	err = xp_nl_query(sk, m, on_table, NULL);
	if (err >= 0)
		err = 1;
	else if (err == -NLE_OBJ_NOTFOUND || err == -NLE_OPNOTSUPP || err == -NLE_NOACCESS ||
		 err == -NLE_PROTO_MISMATCH)
		err = 0;
	else
		err = -1;
out:
	if (sk)
		nl_socket_free(sk);
	return err;
}

/* libnftables exit()s the whole process when it cannot open its netfilter
 * netlink socket, which would leave the toolstack without hotplug-error:
 * check that socket first and fail like any other error. */
static int nfnetlink_reachable(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ok = sk && nl_connect(sk, NETLINK_NETFILTER) == 0;

	if (sk)
		nl_socket_free(sk);
	return ok;
}

int xp_antispoof_install(const struct xp_antispoof *a, char *err, size_t errlen)
{
	char *cmd;
	int rc;

	if (!nfnetlink_reachable()) {
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
	rc = run(cmd, err, errlen);
	free(cmd);
	return rc;
}

int xp_antispoof_remove(const char *table, char *err, size_t errlen)
{
	json_object *cmds, *root;
	int rc;

	/* No netfilter netlink, no table (and libnftables would exit). */
	if (!nfnetlink_reachable() || table_exists(table) == 0)
		return 0;
	cmds = json_object_new_array();
	json_object_array_add(cmds, obj1("add", table_obj(table)));
	json_object_array_add(cmds, obj1("delete", table_obj(table)));
	root = obj1("nftables", cmds);
	rc = run(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN), err, errlen);
	json_object_put(root);
	return rc;
}
