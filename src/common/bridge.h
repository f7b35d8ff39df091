/* Linux bridge facts and bridge-port VLANs over rtnetlink, for both
 * helpers: the one request that changes a port's VLANs (AF_BRIDGE
 * RTM_SETLINK/RTM_DELLINK with IFLA_AF_SPEC / IFLA_BRIDGE_VLAN_INFO; libnl-route
 * 3.7 can read port VLANs but not change them) and the one parser of a
 * bridge's IFLA_INFO_DATA. */
#ifndef XP_COMMON_BRIDGE_H
#define XP_COMMON_BRIDGE_H

#include <netlink/netlink.h>

struct nlattr;

/* A run of VLANs lo..hi with the kernel's BRIDGE_VLAN_INFO_PVID/UNTAGGED
 * flags (lo == hi: one VLAN). */
struct xp_vlan_run {
	int lo, hi, flags;
};

/* Add (del = 0) or remove (del = 1) the runs on port ifindex in one
 * request.  0 or a negative libnl error (kernel text in xp_nl_last_error). */
int xp_brport_vlans(struct nl_sock *sk, int ifindex, int del, const struct xp_vlan_run *runs,
		    size_t n);

/* Set bridge ifindex's MTU to mtu so that its ports cannot move it any more.
 * A Linux bridge whose MTU was never set follows its smallest port (and a
 * lone port, up or down): net/bridge/br_if.c's br_mtu_auto_adjust stops
 * only once br_change_mtu ran, which dev_set_mtu skips when the value does
 * not change, and which an IFLA_MTU in the creating request never calls.
 * So: mtu + 1 (up, never down: below 1280 IPv6 and below 68 IPv4 would drop
 * the bridge's addresses), then mtu, in two RTM_NEWLINK requests.  0 or a
 * negative libnl error. */
int xp_br_pin_mtu(struct nl_sock *sk, int ifindex, int mtu);

/* What a bridge's IFLA_INFO_DATA says; fields it lacks keep the caller's
 * values.  forward_delay in seconds. */
struct xp_br_info {
	int stp, forward_delay, vlan_filtering, default_pvid;
};
/* brinfo.c, which links no netlink library. */
void xp_br_info_parse(const struct nlattr *info_data, struct xp_br_info *bi);

/* The bridge ifindex's vlan_filtering (0/1) and default_pvid (0 = none).
 * 0, -NLE_OPNOTSUPP when ifindex is no bridge, or a negative libnl error. */
int xp_br_vlan_info(struct nl_sock *sk, int ifindex, int *filtering, int *default_pvid);

#endif
