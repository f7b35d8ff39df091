/* Validation of names and values that come from the map or from xenstore.
 * Pure functions: no I/O, no allocation.  Every helper that acts on a value
 * read from outside runs it through one of these first. */
#ifndef XP_VALIDATE_H
#define XP_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#define XP_IFNAMSIZ 16 /* IFNAMSIZ: 15 bytes + NUL */

/* A Linux interface name: 1..15 bytes, no '/', ':', '%' (the kernel turns
 * "name%d" into a name of its choosing), whitespace or control bytes, not
 * "." or "..".  Returns 0 if valid, else -1 and *why (static). */
int xp_valid_ifname(const char *s, const char **why);

/* Parse "aa:bb:cc:dd:ee:ff" (case-insensitive) into mac[6].  Rejects
 * multicast and all-zero addresses when unicast_only. */
int xp_parse_mac(const char *s, uint8_t mac[6], int unicast_only, const char **why);

/* Decimal integer in [lo,hi], no sign, no spaces, no trailing bytes. */
int xp_parse_uint(const char *s, long lo, long hi, long *out);

/* MTU within the range Linux accepts for an Ethernet bridge port. */
#define XP_MTU_MIN 68
#define XP_MTU_MAX 65535
int xp_parse_mtu(const char *s, int *out, const char **why);

/* 802.1Q VLAN id 1..4094. */
int xp_parse_vlan_id(const char *s, int *out, const char **why);

/* IPv4 or IPv6 address with optional /prefix; family is AF_INET/AF_INET6. */
struct xp_ipaddr {
	int family;
	uint8_t addr[16];
	int prefixlen; /* -1 when absent */
};
int xp_parse_ipaddr(const char *s, struct xp_ipaddr *out, const char **why);

/* A value read from xenstore or the map that is printed or logged: only
 * printable ASCII, at most max bytes.  */
int xp_valid_text(const char *s, size_t max);

#endif
