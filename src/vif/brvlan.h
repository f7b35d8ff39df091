/* Bridge VLANs over rtnetlink (AF_BRIDGE RTM_SETLINK/RTM_DELLINK with
 * IFLA_AF_SPEC / IFLA_BRIDGE_VLAN_INFO), built with libnl's message API:
 * libnl-route 3.7 can read port VLANs but not change them. */
#ifndef XP_BRVLAN_H
#define XP_BRVLAN_H

#include <netlink/netlink.h>

#include "vif/vlanspec.h"

/* The bridge ifindex's vlan_filtering (0/1) and default_pvid (0 = none).
 * 0 ok, negative libnl error. */
int xp_br_vlan_info(struct nl_sock *sk, int ifindex, int *filtering, int *default_pvid);

/* Give port ifindex every VLAN in s (runs as ranges; the PVID flag moves the
 * port's PVID).  0 ok, negative libnl error. */
int xp_brvlan_add(struct nl_sock *sk, int ifindex, const struct xp_vlanspec *s);

/* Remove VLANs lo..hi from port ifindex.  0 ok, negative libnl error. */
int xp_brvlan_del(struct nl_sock *sk, int ifindex, int lo, int hi);

#endif
