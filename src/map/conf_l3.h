/* Map sections for layer-3 guest networks (included by map/conf.h):
 *
 *   [routed NAME]              guests on it (bridge=NAME, or script=vif-route)
 *   uplink    = eth0           are reached by host routes via their vifs and,
 *   address   = 203.0.113.5    with proxy ARP/NDP, through this uplink;
 *   address6  = fe80::1        address(6): the host side of each vif
 *   proxy     = yes            (default: the uplink's primary IPv4; fe80::1)
 *   antispoof = yes
 *
 *   [nat NAME]                 guests on the host-only bridge, masqueraded
 *   bridge    = xenbr9         out of whichever interface the kernel routes
 *   address   = 10.1.1.1/24    to; address: the guests' gateway on the bridge
 *   masquerade = yes
 *   dhcp      = yes            a dnsmasq network-xenplumb owns, bound to the
 *   dhcp-range = 10.1.1.100 10.1.1.199   bridge (default: the subnet)
 *   dns       = yes
 */
#ifndef XP_CONF_L3_H
#define XP_CONF_L3_H

#include "common/validate.h"

struct xp_routed {
	char name[64];
	struct xp_loc loc;
	char uplink[XP_IFNAMSIZ];
	int has_address;
	struct xp_ipaddr address; /* IPv4, host side of every vif */
	int has_address6;
	struct xp_ipaddr address6;
	int proxy;     /* 0/1, default 1 */
	int antispoof; /* 0/1, default 1 */
};

struct xp_nat {
	char name[64];
	struct xp_loc loc;
	char bridge[XP_IFNAMSIZ];
	struct xp_ipaddr address; /* IPv4 with prefix: the gateway */
	int masquerade;		  /* default 1 */
	int dhcp;		  /* default 0 */
	int has_range;
	struct xp_ipaddr range_lo, range_hi;
	int dns; /* default 1 */
};

#endif
