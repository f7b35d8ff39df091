/* nlprobe: print facts about network links for shell tests to assert on.
 * Read-only; looks links up by name with RTM_GETLINK and dumps only where
 * the kernel has no per-link query (bridge ports, bridge VLANs, addresses,
 * which it filters by ifindex itself). */
#include "nlq.h"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum { EXIT_OK = 0, EXIT_ABSENT = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: nlprobe link IFNAME [KEY...]   facts about one link\n"
    "       nlprobe exists IFNAME          exit 0 if the link exists, 1 if not\n"
    "       nlprobe addrs IFNAME           its IPv4/IPv6 addresses, ADDR/PLEN a line\n"
    "       nlprobe vlans IFNAME           bridge VLANs of a port (or bridge):\n"
    "                                      'VID[ pvid][ untagged]' a line\n"
    "       nlprobe ports BRIDGE           names of the bridge's (or bond's) ports\n"
    "\n"
    "'link' prints key=value lines; with KEYs it prints just those values, one a\n"
    "line, in the order asked.  Keys always present:\n"
    "  name ifindex kind up carrier operstate mtu mac master slave_kind\n"
    "kind is the rtnetlink kind (bond, vlan, bridge, dummy, veth, tun, ...; empty\n"
    "for a physical NIC); up and carrier are 0/1 (carrier: IFF_LOWER_UP and\n"
    "operstate up/unknown); master is a name or empty.  Kind-specific keys:\n"
    "  vlan:   vlan_id vlan_parent vlan_protocol (802.1Q or 802.1ad)\n"
    "  bond:   bond_mode (balance-rr ... balance-alb) bond_miimon (ms)\n"
    "  bridge: bridge_stp (0 off, 1 kernel, 2 user) bridge_forward_delay\n"
    "          (centiseconds, as ip shows it) bridge_vlan_filtering\n"
    "          bridge_default_pvid (absent without kernel VLAN filtering)\n"
    "  veth:   veth_peer (a name, or @IFINDEX when in another namespace)\n"
    "  tun:    tun_type (tun or tap)\n"
    "  bridge port: port_state (disabled listening learning forwarding blocking)\n"
    "\n"
    "Exit status: 0 done; 1 no such link, or a KEY the link does not have;\n"
    "2 usage or netlink error.\n"
    "Examples:\n"
    "  nlprobe link br0 mtu master          # -> '1500' and '' (two lines)\n"
    "  [ \"$(nlprobe link bond0 bond_mode)\" = balance-alb ]\n"
    "  nlprobe addrs eth0 | grep -qx 10.0.0.5/24\n";

/* ---- key=value facts ---------------------------------------------------- */

#define MAX_FACTS 32
struct facts {
	int n;
	char key[MAX_FACTS][24];
	char val[MAX_FACTS][64];
};

static void fact(struct facts *f, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fact(struct facts *f, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (f->n >= MAX_FACTS)
		return;
	snprintf(f->key[f->n], sizeof(f->key[0]), "%s", key);
	va_start(ap, fmt);
	vsnprintf(f->val[f->n], sizeof(f->val[0]), fmt, ap);
	va_end(ap);
	f->n++;
}

/* An unsigned attribute of 1, 2 or 4 bytes; -1 when absent or malformed. */
static long attr_uint(struct nlattr *a)
{
	if (!a)
		return -1;
	switch (nla_len(a)) {
	case 1:
		return nla_get_u8(a);
	case 2:
		return nla_get_u16(a);
	case 4:
		return (long)nla_get_u32(a);
	default:
		return -1;
	}
}

static const char *bond_mode_name(long mode)
{
	static const char *const names[] = {"balance-rr", "active-backup", "balance-xor",
					    "broadcast",  "802.3ad",	   "balance-tlb",
					    "balance-alb"};

	if (mode < 0 || mode >= (long)(sizeof(names) / sizeof(names[0])))
		return "?";
	return names[mode];
}

static const char *port_state_name(long state)
{
	static const char *const names[] = {"disabled", "listening", "learning", "forwarding",
					    "blocking"};

	if (state < 0 || state >= (long)(sizeof(names) / sizeof(names[0])))
		return "?";
	return names[state];
}

/* IFLA_LINK (a veth's peer, a VLAN's parent) by name, "@N" when it lives
 * in another namespace, "" when absent. */
static void lower_name(struct nl_sock *sk, const struct nlq_link *l, char *buf, size_t len)
{
	if (l->link && l->link_netnsid < 0)
		nlq_ifname(sk, l->link, buf, len);
	else if (l->link)
		snprintf(buf, len, "@%d", l->link);
	else
		buf[0] = '\0';
}

static void kind_facts(struct nl_sock *sk, struct nlmsghdr *nlh, const struct nlq_link *l,
		       struct facts *f)
{
	struct nlattr *data = nlq_link_info_data(nlh, 0);
	char name[IFNAMSIZ + 8];

	if (!strcmp(l->kind, "veth")) {
		lower_name(sk, l, name, sizeof(name));
		fact(f, "veth_peer", "%s", name);
	}
	if (!strcmp(l->kind, "vlan") && data) {
		struct nlattr *tb[IFLA_VLAN_MAX + 1];
		if (nla_parse_nested(tb, IFLA_VLAN_MAX, data, NULL) == 0) {
			long proto = attr_uint(tb[IFLA_VLAN_PROTOCOL]);
			proto = proto < 0 ? -1 : ntohs((uint16_t)proto);
			fact(f, "vlan_id", "%ld", attr_uint(tb[IFLA_VLAN_ID]));
			lower_name(sk, l, name, sizeof(name));
			fact(f, "vlan_parent", "%s", name);
			fact(f, "vlan_protocol", "%s",
			     proto == 0x88a8   ? "802.1ad"
			     : proto == 0x8100 ? "802.1Q"
					       : "?");
		}
	}
	if (!strcmp(l->kind, "bond") && data) {
		struct nlattr *tb[IFLA_BOND_MAX + 1];
		if (nla_parse_nested(tb, IFLA_BOND_MAX, data, NULL) == 0) {
			fact(f, "bond_mode", "%s", bond_mode_name(attr_uint(tb[IFLA_BOND_MODE])));
			fact(f, "bond_miimon", "%ld", attr_uint(tb[IFLA_BOND_MIIMON]));
		}
	}
	if (!strcmp(l->kind, "bridge") && data) {
		struct nlattr *tb[IFLA_BR_MAX + 1];
		if (nla_parse_nested(tb, IFLA_BR_MAX, data, NULL) == 0) {
			fact(f, "bridge_stp", "%ld", attr_uint(tb[IFLA_BR_STP_STATE]));
			fact(f, "bridge_forward_delay", "%ld",
			     attr_uint(tb[IFLA_BR_FORWARD_DELAY]));
			/* Both absent when the kernel cannot filter VLANs. */
			fact(f, "bridge_vlan_filtering", "%d",
			     attr_uint(tb[IFLA_BR_VLAN_FILTERING]) > 0);
			if (tb[IFLA_BR_VLAN_DEFAULT_PVID])
				fact(f, "bridge_default_pvid", "%ld",
				     attr_uint(tb[IFLA_BR_VLAN_DEFAULT_PVID]));
		}
	}
	if (!strcmp(l->kind, "tun") && data) {
		struct nlattr *tb[IFLA_TUN_MAX + 1];
		if (nla_parse_nested(tb, IFLA_TUN_MAX, data, NULL) == 0) {
			long t = attr_uint(tb[IFLA_TUN_TYPE]);
			fact(f, "tun_type", "%s",
			     t == IFF_TAP   ? "tap"
			     : t == IFF_TUN ? "tun"
					    : "?");
		}
	}
	if (!strcmp(l->slave_kind, "bridge")) {
		struct nlattr *sd = nlq_link_info_data(nlh, 1), *tb[IFLA_BRPORT_MAX + 1];
		if (sd && nla_parse_nested(tb, IFLA_BRPORT_MAX, sd, NULL) == 0)
			fact(f, "port_state", "%s",
			     port_state_name(attr_uint(tb[IFLA_BRPORT_STATE])));
	}
}

static void link_facts(struct nl_sock *sk, struct nlmsghdr *nlh, const struct nlq_link *l,
		       struct facts *f)
{
	char mac[3 * sizeof(l->mac) + 1] = "", master[IFNAMSIZ + 8] = "";

	for (int i = 0; i < l->maclen; i++) {
		size_t at = strlen(mac);
		snprintf(mac + at, sizeof(mac) - at, "%s%02x", i ? ":" : "", l->mac[i]);
	}
	if (l->master)
		nlq_ifname(sk, l->master, master, sizeof(master));
	fact(f, "name", "%s", l->name);
	fact(f, "ifindex", "%d", l->ifindex);
	fact(f, "kind", "%s", l->kind);
	fact(f, "up", "%d", (l->flags & IFF_UP) ? 1 : 0);
	fact(f, "carrier", "%d", nlq_has_carrier(l));
	fact(f, "operstate", "%s", nlq_operstate_name(l->operstate));
	fact(f, "mtu", "%u", l->mtu);
	fact(f, "mac", "%s", mac);
	fact(f, "master", "%s", master);
	fact(f, "slave_kind", "%s", l->slave_kind);
	kind_facts(sk, nlh, l, f);
}

static int lookup(struct nl_sock *sk, const char *name, struct nlmsghdr **nlh, struct nlq_link *l)
{
	int err;

	if (strlen(name) >= IFNAMSIZ) {
		fprintf(stderr, "nlprobe: %s: name too long\n", name);
		return EXIT_USAGE;
	}
	err = nlq_get_link(sk, name, 0, nlh);
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) {
		fprintf(stderr, "nlprobe: %s: no such link\n", name);
		return EXIT_ABSENT;
	}
	if (err < 0 || nlq_parse_link(*nlh, l) < 0) {
		fprintf(stderr, "nlprobe: %s: %s\n", name,
			err < 0 ? nl_geterror(err) : "bad reply");
		free(*nlh);
		*nlh = NULL;
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int cmd_link(struct nl_sock *sk, const char *name, int nkeys, char **keys)
{
	struct nlmsghdr *nlh;
	struct nlq_link l;
	struct facts *f;
	int rc = lookup(sk, name, &nlh, &l);

	if (rc != EXIT_OK)
		return rc;
	f = calloc(1, sizeof(*f));
	if (!f) {
		free(nlh);
		return EXIT_USAGE;
	}
	link_facts(sk, nlh, &l, f);
	if (nkeys == 0)
		for (int i = 0; i < f->n; i++)
			printf("%s=%s\n", f->key[i], f->val[i]);
	for (int k = 0; k < nkeys; k++) {
		int i;
		for (i = 0; i < f->n && strcmp(f->key[i], keys[k]); i++)
			;
		if (i < f->n) {
			printf("%s\n", f->val[i]);
		} else {
			fprintf(stderr, "nlprobe: %s has no '%s' (kind '%s')\n", name, keys[k],
				l.kind);
			rc = EXIT_ABSENT;
		}
	}
	free(f);
	free(nlh);
	return rc;
}

/* ---- dumps ---------------------------------------------------------------- */

static int on_addr(struct nlmsghdr *nlh, void *arg)
{
	int ifindex = *(int *)arg;
	struct nlattr *tb[IFA_MAX + 1], *a;
	struct ifaddrmsg *ifa;
	char buf[80];

	if (nlh->nlmsg_type != RTM_NEWADDR || nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	ifa = nlmsg_data(nlh);
	if ((int)ifa->ifa_index != ifindex)
		return 0;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a)
		return 0;
	nlq_format_prefix(ifa->ifa_family, nla_data(a), (size_t)nla_len(a), ifa->ifa_prefixlen, buf,
			  sizeof(buf));
	printf("%s\n", buf);
	return 0;
}

static int dump(struct nl_sock *sk, int type, const void *hdr, size_t hdrlen, int attr,
		uint32_t val, nlq_fn fn, void *arg)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_DUMP);
	int err;

	if (!msg || nlmsg_append(msg, (void *)hdr, hdrlen, NLMSG_ALIGNTO) < 0 ||
	    (attr && nla_put_u32(msg, attr, val) < 0)) {
		nlmsg_free(msg);
		fprintf(stderr, "nlprobe: out of memory\n");
		return EXIT_USAGE;
	}
	err = nlq_request(sk, msg, fn, arg);
	if (err < 0) {
		fprintf(stderr, "nlprobe: dump: %s\n", nl_geterror(err));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int cmd_addrs(struct nl_sock *sk, const char *name)
{
	struct nlmsghdr *nlh;
	struct nlq_link l;
	struct ifaddrmsg ifa = {.ifa_family = AF_UNSPEC};
	int rc = lookup(sk, name, &nlh, &l);

	if (rc != EXIT_OK)
		return rc;
	free(nlh);
	ifa.ifa_index = (unsigned)l.ifindex;
	return dump(sk, RTM_GETADDR, &ifa, sizeof(ifa), 0, 0, on_addr, &l.ifindex);
}

static int on_port(struct nlmsghdr *nlh, void *arg)
{
	int master = *(int *)arg;
	struct nlq_link l;

	if (nlq_parse_link(nlh, &l) == 0 && l.master == master)
		printf("%s\n", l.name);
	return 0;
}

static int cmd_ports(struct nl_sock *sk, const char *name)
{
	struct nlmsghdr *nlh;
	struct nlq_link l;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	int rc = lookup(sk, name, &nlh, &l);

	if (rc != EXIT_OK)
		return rc;
	free(nlh);
	/* The kernel filters a link dump by IFLA_MASTER; on_port checks too. */
	return dump(sk, RTM_GETLINK, &ifi, sizeof(ifi), IFLA_MASTER, (uint32_t)l.ifindex, on_port,
		    &l.ifindex);
}

static int on_vlans(struct nlmsghdr *nlh, void *arg)
{
	int ifindex = *(int *)arg, rem, begin = -1;
	struct nlattr *tb[IFLA_MAX + 1], *a;
	struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return 0;
	ifi = nlmsg_data(nlh);
	if (ifi->ifi_index != ifindex || !tb[IFLA_AF_SPEC])
		return 0;
	nla_for_each_nested(a, tb[IFLA_AF_SPEC], rem)
	{
		const struct bridge_vlan_info *vi;
		int from;
		if (nla_type(a) != IFLA_BRIDGE_VLAN_INFO || nla_len(a) < (int)sizeof(*vi))
			continue;
		vi = nla_data(a);
		if (vi->flags & BRIDGE_VLAN_INFO_RANGE_BEGIN) {
			begin = vi->vid;
			continue;
		}
		from = (vi->flags & BRIDGE_VLAN_INFO_RANGE_END) && begin > 0 ? begin : vi->vid;
		begin = -1;
		for (int vid = from; vid <= vi->vid; vid++)
			printf("%d%s%s\n", vid, (vi->flags & BRIDGE_VLAN_INFO_PVID) ? " pvid" : "",
			       (vi->flags & BRIDGE_VLAN_INFO_UNTAGGED) ? " untagged" : "");
	}
	return 0;
}

static int cmd_vlans(struct nl_sock *sk, const char *name)
{
	struct nlmsghdr *nlh;
	struct nlq_link l;
	struct ifinfomsg ifi = {.ifi_family = AF_BRIDGE};
	int rc = lookup(sk, name, &nlh, &l);

	if (rc != EXIT_OK)
		return rc;
	free(nlh);
	/* The kernel cannot filter bridge dumps by ifindex: on_vlans does. */
	return dump(sk, RTM_GETLINK, &ifi, sizeof(ifi), IFLA_EXT_MASK, RTEXT_FILTER_BRVLAN,
		    on_vlans, &l.ifindex);
}

int main(int argc, char **argv)
{
	struct nl_sock *sk;
	struct nlmsghdr *nlh;
	struct nlq_link l;
	const char *cmd;
	int rc;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (argc < 3 || (strcmp(argv[1], "link") && argc != 3)) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	sk = nlq_open();
	if (!sk) {
		fprintf(stderr, "nlprobe: cannot open a netlink socket\n");
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "link")) {
		rc = cmd_link(sk, argv[2], argc - 3, argv + 3);
	} else if (!strcmp(cmd, "exists")) {
		rc = lookup(sk, argv[2], &nlh, &l);
		if (rc == EXIT_OK)
			free(nlh);
	} else if (!strcmp(cmd, "addrs")) {
		rc = cmd_addrs(sk, argv[2]);
	} else if (!strcmp(cmd, "ports")) {
		rc = cmd_ports(sk, argv[2]);
	} else if (!strcmp(cmd, "vlans")) {
		rc = cmd_vlans(sk, argv[2]);
	} else {
		fputs(usage_text, stderr);
		rc = EXIT_USAGE;
	}
	nl_socket_free(sk);
	if (fflush(stdout) != 0)
		rc = EXIT_USAGE;
	return rc;
}
