/* The antispoofing rules beyond MAC/ARP/IPv4 source checks (vif/antispoof.h
 * builds the chain and calls these in order):
 *
 *   guards:  frames no guest sends unless it is a router or a server:
 *            DHCP and DHCPv6 server replies (udp sport 67, 547), ICMP
 *            redirects, ICMPv6 router advertisements, redirects and router
 *            renumbering -- dropped whatever the guest's addresses;
 *   lladdr:  the link-layer address option of a neighbour solicitation
 *            (source) or advertisement (target), when it is the first
 *            option as every stack sends it, must be the guest's MAC;
 *   targets: a neighbour advertisement may only be for a link-local target
 *            or one of the guest's IPv6 addresses (NDP spoofing claims
 *            another's address in the target, not in the source).
 *
 * nftables 1.0.6 (Debian 12) has no `icmpv6 taddr`, so the target is read
 * as raw transport-header payload (@th,64,128) in 32-bit pieces, which
 * JSON numbers hold; fe80::/10 is its first 10 bits, 0x3fa. */
#ifndef XP_VIF_ANTISPOOF_ND_H
#define XP_VIF_ANTISPOOF_ND_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "common/validate.h"

/* Each appends {"add":{"rule":...}} commands for table/chain to cmds. */
void xp_as_guard_rules(json_object *cmds, const char *table, const char *chain);
void xp_as_lladdr_rules(json_object *cmds, const char *table, const char *chain,
			const uint8_t mac[6]);
/* Only when the guest's IPv6 addresses are known (nv6 > 0).  Must come
 * last: it accepts the advertisements it allows. */
void xp_as_target_rules(json_object *cmds, const char *table, const char *chain,
			const struct xp_ipaddr *ips, size_t nips);

#endif
