/* network-xenplumb's part of routed and NAT networks ([routed] and [nat]
 * sections, map/conf_l3.h): what the whole network needs, as opposed to
 * each guest port (vif/vif_route.h, vif/vif_nat.h).
 *
 * [routed R] (uplink U):
 *   net.ipv4.conf.U.forwarding = 1          traffic from outside to guests
 *   net.ipv6.conf.U.accept_ra 1 -> 2        (only when U forwards IPv6 now
 *                                            and took RAs: keeps its SLAAC
 *                                            and default route)
 *   net.ipv6.conf.U.forwarding = 1          needed for proxy NDP
 *   net.ipv6.conf.U.proxy_ndp = 1           (proxy = yes)
 *   net.ipv6.conf.U.force_forwarding = 1    where the kernel has it (6.17+)
 * [nat N] (bridge B, address A):
 *   A on B
 *   net.ipv4.conf.all.forwarding = 1        return traffic arrives on
 *                                            whichever uplink is in use
 *   table ip xenplumb-nat: saddr A's subnet, oifname != B: masquerade --
 *     the kernel's route lookup picks the uplink and masquerade its
 *     address, so a new default route (wifi, VPN) needs no daemon
 *   a dnsmasq (dhcp = yes): $STATE/nat/N/{dnsmasq.conf,leases,hosts.d/}
 * and, when a forwarding switch above was off before xenplumb turned it on,
 * table inet xenplumb-forward confines forwarding to these paths, so
 * nothing else the host is connected to starts being forwarded.
 *
 * Each change is recorded in $STATE/l3 (sysctl NET FAM DEV KEY OLD NEW,
 * addr NET DEV ADDR/LEN, nft FAMILY TABLE, dnsmasq NET PID); stop undoes
 * exactly those (a sysctl only while it still holds the value we set) and
 * reload undoes those the map no longer wants. */
#ifndef XP_NET_L3_H
#define XP_NET_L3_H

#include <stdio.h>

#include "map/conf.h"
#include "map/conf_l3.h"

struct nl_sock;

/* Pure: the nft JSON for the NAT and forward tables.  confine4/confine6
 * per routed network (uplink forwarding turned on by us), global4 (the
 * global IPv4 switch turned on by us).  malloc'd. */
struct xp_l3_fwd {
	const struct xp_routed *routed;
	size_t nrouted;
	const int *confine4, *confine6; /* [nrouted] */
	const struct xp_nat *nat;
	size_t nnat;
	int global4;
};
char *xp_l3_nft_json(const struct xp_l3_fwd *f);

/* Pure: dnsmasq's config for n, its files in dir.  0, or -1 (too long). */
int xp_l3_dnsmasq_conf(const struct xp_nat *n, const char *dir, char *buf, size_t len);
/* Pure: the default DHCP range of n's subnet (the larger side of the
 * gateway).  0, or -1 when the subnet has no room. */
int xp_l3_default_range(const struct xp_nat *n, struct xp_ipaddr *lo, struct xp_ipaddr *hi);

/* The map's [routed] and [nat] sections. */
struct xp_l3_map {
	const struct xp_routed *routed;
	size_t nrouted;
	const struct xp_nat *nat;
	size_t nnat;
};

/* Make the host match m (and undo what earlier runs did for sections no
 * longer there).  Messages to out.  0 or -1. */
int xp_l3_apply(struct nl_sock *sk, const struct xp_l3_map *m, const char *state_dir, FILE *out);
/* Undo everything recorded.  0 or -1. */
int xp_l3_stop(struct nl_sock *sk, const char *state_dir, FILE *out);
/* Status: adds "routed" and "nat" (each network, its guests and their
 * addresses) to status' model, its drift (a missing route, proxy entry,
 * address, rule or dnsmasq, a sysctl changed since) to the model's
 * "drift", and clears "matches_map" when there is any (status' own verdict
 * -- degraded for missing devices -- stands otherwise). */
struct json_object;
void xp_l3_status_model(struct nl_sock *sk, const struct xp_l3_map *m, const char *state_dir,
			struct json_object *model);
/* Is kname (vifD.N, vifD.N-emu) a routed guest's port (its vif journal
 * says so)?  Such a port is on no bridge by design. */
int xp_l3_routed_port(const char *state_dir, const char *kname);

/* The table's lines for them, from that model. */
void xp_l3_render(struct json_object *model, FILE *out);

#endif
