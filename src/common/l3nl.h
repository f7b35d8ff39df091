/* Layer-3 requests for routed and NAT guests, by rtnetlink through the one
 * request layer (common/nl.h): an address on a link, a host route via a
 * link, a proxy neighbour entry (ARP or NDP, NTF_PROXY) on a link, a link's
 * interface group.  Each request is one message; each has a query for
 * status' drift check.  Routes carry protocol XP_RTPROT, so `ip route`
 * shows which are xenplumb's and nothing else's is ever deleted as ours. */
#ifndef XP_COMMON_L3NL_H
#define XP_COMMON_L3NL_H

#include <netlink/netlink.h>
#include <stdint.h>

#include "common/validate.h"

/* rtm_protocol of xenplumb's routes (iproute2: /etc/iproute2/rt_protos.d). */
#define XP_RTPROT 200
/* Interface group of routed guests' vifs: the forward-confinement rules of
 * network-xenplumb match it (nft `oifgroup`). */
#define XP_ROUTED_GROUP 0x7870

/* Full prefix length of a family (32 or 128). */
int xp_ip_full(int family);
/* "192.0.2.5/32" (the prefix always shown). */
void xp_ip_format(const struct xp_ipaddr *a, char *buf, size_t len);

/* RTM_NEWADDR/RTM_DELADDR: a->prefixlen (-1: full) on ifindex.  IPv6 gets
 * IFA_F_NODAD.  0 or a negative libnl error (-NLE_EXIST when present). */
int xp_addr_change(struct nl_sock *sk, int add, int ifindex, const struct xp_ipaddr *a);

/* RTM_NEWROUTE (NLM_F_EXCL) / RTM_DELROUTE: dst (its prefixlen, -1 full)
 * via oif, scope link, table main, protocol XP_RTPROT, metric; src (may be
 * NULL) as preferred source. */
int xp_route_change(struct nl_sock *sk, int add, const struct xp_ipaddr *dst, int oif,
		    const struct xp_ipaddr *src, int metric);
/* Does a route to dst (exact prefix) via oif with protocol XP_RTPROT exist?
 * 1, 0, or a negative libnl error.  *other_oif: the oif of another route
 * to that exact prefix with our protocol (0: none), when given. */
int xp_route_find(struct nl_sock *sk, const struct xp_ipaddr *dst, int oif, int *other_oif);

/* RTM_NEWNEIGH (NLM_F_EXCL) / RTM_DELNEIGH with NTF_PROXY: answer ARP/NS
 * for addr on ifindex. */
int xp_pneigh_change(struct nl_sock *sk, int add, int ifindex, const struct xp_ipaddr *addr);
/* 1 present, 0 absent, or a negative libnl error. */
int xp_pneigh_exists(struct nl_sock *sk, int ifindex, const struct xp_ipaddr *addr);

/* IFLA_GROUP of a link. */
int xp_link_set_group(struct nl_sock *sk, int ifindex, unsigned group);

/* The first address of family on ifindex: IPv4 the primary (not
 * secondary), IPv6 the first global one.  0 and *out (prefixlen full),
 * -NLE_OBJ_NOTFOUND when it has none, another negative error. */
int xp_addr_first(struct nl_sock *sk, int ifindex, int family, struct xp_ipaddr *out);
/* Is a on ifindex?  1, 0 or a negative error. */
int xp_addr_present(struct nl_sock *sk, int ifindex, const struct xp_ipaddr *a);

/* One link, by name (ifindex 0) or ifindex: RTM_GETLINK answered through
 * xp_nl_query (no libnl object cache, no second sequence counter). */
struct xp_linkinfo {
	int ifindex;
	char name[XP_IFNAMSIZ];
	int master;
	unsigned group;
	unsigned flags; /* IFF_* */
	int has_mac;
	uint8_t mac[6];
	int mtu;
};
/* 0, -NLE_OBJ_NOTFOUND, or another negative libnl error. */
int xp_link_info(struct nl_sock *sk, const char *name, int ifindex, struct xp_linkinfo *out);
/* RTM_NEWLINK on ifindex: up (1), down (0) or leave (-1); name, mac (6
 * bytes) and mtu (0) when given. */
int xp_link_set(struct nl_sock *sk, int ifindex, int up, const char *name, const uint8_t *mac,
		int mtu);

#endif
