#include "vif/vif_keys.h"

#include <stdio.h>
#include <string.h>

/* The value itself when it is safe to print, else a placeholder. */
static const char *shown(const char *v)
{
	return xp_valid_text(v, 64) ? "(unprintable or over-long)" : v;
}

int vif_parse_ips(const char *s, struct xp_ipaddr *ips, size_t max, size_t *n, const char **why)
{
	char tok[64];

	*n = 0;
	while (*s) {
		size_t len;

		s += strspn(s, " ,");
		len = strcspn(s, " ,");
		if (len == 0)
			break;
		if (len >= sizeof(tok)) {
			*why = "address too long";
			return -1;
		}
		if (*n >= max) {
			*why = "too many addresses";
			return -1;
		}
		memcpy(tok, s, len);
		tok[len] = '\0';
		if (xp_parse_ipaddr(tok, &ips[*n], why))
			return -1;
		(*n)++;
		s += len;
	}
	return 0;
}

int vif_keys_parse(const struct vif_raw *raw, int tap, struct vif_keys *k, char *err, size_t errlen)
{
	const char *why = NULL;

	memset(k, 0, sizeof(*k));
	if (raw->bridge && *raw->bridge) {
		if (xp_valid_text(raw->bridge, sizeof(k->bridge) - 1)) {
			snprintf(err, errlen,
				 "bridge key %s: not printable text of at most %zu bytes",
				 shown(raw->bridge), sizeof(k->bridge) - 1);
			return -1;
		}
		memcpy(k->bridge, raw->bridge, strlen(raw->bridge) + 1);
	}
	if (raw->vifname && *raw->vifname) {
		size_t n = strlen(raw->vifname);

		if (xp_valid_ifname(raw->vifname, &why)) {
			snprintf(err, errlen, "vifname %s: %s", shown(raw->vifname), why);
			return -1;
		}
		if (tap && n + 4 >= XP_IFNAMSIZ) {
			snprintf(err, errlen, "vifname %s: too long to add -emu for the tap",
				 raw->vifname);
			return -1;
		}
		snprintf(k->vifname, sizeof(k->vifname), "%s%s", raw->vifname, tap ? "-emu" : "");
	}
	if (raw->mtu && *raw->mtu && xp_parse_mtu(raw->mtu, &k->mtu, &why)) {
		snprintf(err, errlen, "mtu %s: %s", shown(raw->mtu), why);
		return -1;
	}
	if (raw->mac && *raw->mac) {
		if (xp_parse_mac(raw->mac, k->mac, 1, &why)) {
			snprintf(err, errlen, "mac %s: %s", shown(raw->mac), why);
			return -1;
		}
		k->has_mac = 1;
	}
	if (raw->ip && *raw->ip) {
		if (xp_valid_text(raw->ip, 1024) ||
		    vif_parse_ips(raw->ip, k->ips, VIF_MAX_IPS, &k->nips, &why)) {
			snprintf(err, errlen, "ip %s: %s", shown(raw->ip),
				 why ? why : "not printable text");
			return -1;
		}
	}
	if (raw->vlan && *raw->vlan) {
		if (xp_valid_text(raw->vlan, XP_VLANSPEC_MAX)) {
			snprintf(err, errlen, "vlan %s: not printable text of at most %d bytes",
				 shown(raw->vlan), XP_VLANSPEC_MAX);
			return -1;
		}
		char verr[160];

		if (xp_vlanspec_parse(raw->vlan, &k->vlan, verr, sizeof(verr))) {
			snprintf(err, errlen, "%s", verr);
			return -1;
		}
		k->has_vlan = 1;
	}
	return 0;
}
