#include "common/validate.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int xp_valid_ifname(const char *s, const char **why)
{
	const char *w = NULL;
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		w = "empty interface name";
	else if (n >= XP_IFNAMSIZ)
		w = "interface name longer than 15 bytes";
	else if (!strcmp(s, ".") || !strcmp(s, ".."))
		w = "interface name may not be '.' or '..'";
	else
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c <= ' ' || c >= 0x7f || c == '/' || c == ':') {
				w = "interface name has a '/', ':', space or control byte";
				break;
			}
			if (c == '%') { /* the kernel would pick a name of its own */
				w = "interface name has a '%' (the kernel rewrites it)";
				break;
			}
		}
	if (why)
		*why = w;
	return w ? -1 : 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int xp_parse_mac(const char *s, uint8_t mac[6], int unicast_only, const char **why)
{
	const char *w = NULL;

	if (!s || strlen(s) != 17) {
		w = "MAC address must be six hex pairs separated by ':'";
		goto out;
	}
	for (int i = 0; i < 6; i++) {
		const char *pair = s + (size_t)i * 3;
		int hi = hexval(pair[0]), lo = hexval(pair[1]);
		if (hi < 0 || lo < 0 || (i < 5 && pair[2] != ':')) {
			w = "MAC address must be six hex pairs separated by ':'";
			goto out;
		}
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (unicast_only) {
		static const uint8_t zero[6];
		if (mac[0] & 1)
			w = "MAC address is multicast";
		else if (!memcmp(mac, zero, 6))
			w = "MAC address is all zeroes";
	}
out:
	if (why)
		*why = w;
	return w ? -1 : 0;
}

int xp_parse_uint(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!s || !isdigit((unsigned char)s[0]) || strlen(s) > 18)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int xp_parse_mtu(const char *s, int *out, const char **why)
{
	long v;

	if (xp_parse_uint(s, XP_MTU_MIN, XP_MTU_MAX, &v)) {
		if (why)
			*why = "MTU must be a number from 68 to 65535";
		return -1;
	}
	*out = (int)v;
	return 0;
}

int xp_parse_vlan_id(const char *s, int *out, const char **why)
{
	long v;

	if (xp_parse_uint(s, 1, 4094, &v)) {
		if (why)
			*why = "VLAN id must be a number from 1 to 4094";
		return -1;
	}
	*out = (int)v;
	return 0;
}

int xp_parse_ipaddr(const char *s, struct xp_ipaddr *out, const char **why)
{
	char buf[64];
	const char *slash;
	size_t n;
	long pl = -1;

	if (!s || (n = strlen(s)) == 0 || n >= sizeof(buf))
		goto bad;
	memcpy(buf, s, n + 1);
	slash = strchr(buf, '/');
	if (slash) {
		buf[slash - buf] = '\0';
		if (xp_parse_uint(slash + 1, 0, 128, &pl))
			goto bad;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		if (pl > 32)
			goto bad;
		out->family = AF_INET;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
	} else
		goto bad;
	out->prefixlen = (int)pl;
	return 0;
bad:
	if (why)
		*why = "not an IPv4 or IPv6 address (optionally with /prefix)";
	return -1;
}

int xp_valid_text(const char *s, size_t max)
{
	size_t n = 0;

	if (!s)
		return -1;
	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] >= 0x7f || n >= max)
			return -1;
	return 0;
}
