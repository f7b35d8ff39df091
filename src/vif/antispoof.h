/* Anti-spoofing for one guest port: an nftables netdev-family table with an
 * ingress chain on the vif, so frames are filtered before the bridge sees
 * them.  The guest may send only
 *   - frames whose source MAC is its `mac`;
 *   - ARP whose sender MAC is its `mac` and, when `ip` lists IPv4
 *     addresses, whose sender IP is one of them (or 0.0.0.0, ARP probes);
 *   - IPv4 from one of its IPv4 addresses (when `ip` is set), plus DHCP
 *     requests from 0.0.0.0;
 *   - IPv6 from one of its IPv6 addresses, link-local or :: when `ip`
 *     lists an IPv6 address; no IPv6 at all when `ip` is set without one;
 *   - neighbour discovery only with its own MAC as link-layer option and
 *     advertisements only for its own or link-local targets, never router
 *     advertisements, redirects or DHCP/DHCPv6 server replies (see
 *     vif/antispoof_nd.h);
 *   - 802.1Q/802.1ad tagged frames only when the port carries tagged
 *     VLANs (their inner addresses are then checked by MAC only);
 *   - nothing at all when disabled (xapi's locking mode "disabled").
 * Rules are built as JSON (json-c) from already-validated values and run
 * through libnftables in-process (common/nft.h): no shell, no nft binary. */
#ifndef XP_ANTISPOOF_H
#define XP_ANTISPOOF_H

#include <stddef.h>
#include <stdint.h>

#include "common/validate.h"

struct xp_antispoof {
	const char *table; /* from xp_antispoof_table() */
	const char *dev;   /* the vif's (final) name */
	uint8_t mac[6];
	const struct xp_ipaddr *ips;
	size_t nips;
	int allow_tagged;
	int disabled; /* locking mode "disabled": the guest sends nothing */
};

/* Table name for one vif: "xenplumb-vifD.N" (tap: "xenplumb-vifD.N-emu"):
 * derived from the backend ids, so offline can remove it when the device or
 * the backend directory is already gone. */
void xp_antispoof_table(char *buf, size_t len, unsigned domid, unsigned devid, int tap);

/* The JSON command text (malloc'd, caller frees), or NULL. */
char *xp_antispoof_json(const struct xp_antispoof *a);

/* Install (atomically replacing any table of that name).  0 ok; -1 with
 * nft's message in err. */
int xp_antispoof_install(const struct xp_antispoof *a, char *err, size_t errlen);

/* Remove the table if it exists.  0 ok (also when absent); -1 on error. */
int xp_antispoof_remove(const char *table, char *err, size_t errlen);

#endif
