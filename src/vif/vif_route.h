/* A routed guest port (vif-route's job, IPv4 and IPv6): the vif is not a
 * bridge port but a point-to-point link the host routes each of the guest's
 * addresses to.  Online, in this order, each change recorded in the port's
 * undo journal (vif/vif_undo.h) once it is made:
 *
 *   down; vifname, MAC fe:ff:ff:ff:ff:ff, MTU (one request); the kernel
 *   name kept as an altname;
 *   interface group XP_ROUTED_GROUP (what network-xenplumb's forwarding
 *   rules let the uplink's traffic reach);
 *   sysctls on the vif: ipv4 forwarding=1 and proxy_arp=1 (the host answers
 *   the guest's ARP, as vif-route does); ipv6 forwarding=1 and, where the
 *   kernel has it (6.17+), force_forwarding=1;
 *   the host-side addresses on the vif: IPv4 /32 (the map's, else the
 *   uplink's primary address, as vif-route's dom0_ip), IPv6 /128 or
 *   link-local (default fe80::1/64, the guest's IPv6 gateway); no DAD;
 *   antispoofing rules (before the port is up);
 *   up;
 *   per address of `ip`: a host route via the vif (protocol XP_RTPROT,
 *   metric 1 for an emulated NIC, 2 for a PV vif, as vif-route), refused
 *   when another port already has it; and on the uplink a proxy ARP / NDP
 *   entry (RTM_NEWNEIGH, NTF_PROXY) for single addresses, not recorded (so
 *   never deleted) when the admin made that entry already.
 *
 * The uplink-wide settings (ipv4 forwarding on the uplink, ipv6 forwarding,
 * proxy_ndp and force_forwarding there) are network-xenplumb's, made at
 * start for a [routed] section; online only checks them and says which
 * sysctl is missing.  Any failure undoes what this run did. */
#ifndef XP_VIF_ROUTE_H
#define XP_VIF_ROUTE_H

#include <netlink/netlink.h>
#include <stddef.h>

#include "common/validate.h"
#include "vif/antispoof.h"

struct vif_route_plan {
	const char *what;    /* "routed network web", for messages */
	const char *net;     /* its name in the map ("-": none), for status */
	const char *kname;   /* vifD.N / vifD.N-emu */
	const char *newname; /* vifname or "" */
	const char *uplink;
	int mtu; /* 0: leave */
	int has_src4;
	struct xp_ipaddr src4; /* host-side IPv4 (else the uplink's) */
	int has_src6;
	struct xp_ipaddr src6; /* host-side IPv6 (else fe80::1/64) */
	int proxy;	       /* proxy ARP/NDP entries on the uplink */
	int metric;
	const struct xp_ipaddr *ips;
	size_t nips;
	int antispoof;
	struct xp_antispoof as; /* .dev/.table filled in here */
	const char *table;
	int forward_checks; /* check the uplink's forwarding sysctls (1) */
	int mtu_out;	    /* set by vif_route_up: the port's MTU */
};

/* 0, or -1 with a message (and everything undone). */
int vif_route_up(struct nl_sock *sk, struct vif_route_plan *p, char *err, size_t errlen);

/* Undo what the journal of kname records (no journal: nothing).  *had says
 * whether there was one.  0, or -1 with err (the undo carried on past the
 * failure; the journal is kept then). */
int vif_route_undo(struct nl_sock *sk, const char *kname, int *had, char *err, size_t errlen);

#endif
