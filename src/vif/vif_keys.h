/* The backend keys vif-xenplumb uses, read only from the backend directory
 * (dom0-owned; the guest-writable frontend is never consulted) and each
 * validated before anything acts on it. */
#ifndef XP_VIF_KEYS_H
#define XP_VIF_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "common/validate.h"
#include "vif/vlanspec.h"

#define VIF_MAX_IPS 16

/* Raw strings as read (NULL = key absent). */
struct vif_raw {
	const char *bridge, *vifname, *mtu, *ip, *mac, *vlan;
};

struct vif_keys {
	char bridge[256];	   /* raw bridge key, printable ("" = none); resolved later */
	char vifname[XP_IFNAMSIZ]; /* "" = keep the kernel's name; tap: has -emu */
	int mtu;		   /* 0 = use the bridge's */
	int has_mac;
	uint8_t mac[6];
	size_t nips;
	struct xp_ipaddr ips[VIF_MAX_IPS];
	int has_vlan;
	struct xp_vlanspec vlan;
};

/* Validate raw values into *k.  tap: vifname gets "-emu" appended (as xl
 * names the emulated NIC).  0 ok; -1 with a message naming the key. */
int vif_keys_parse(const struct vif_raw *raw, int tap, struct vif_keys *k, char *err,
		   size_t errlen);

/* Parse the `ip` key: addresses separated by spaces (or commas). */
int vif_parse_ips(const char *s, struct xp_ipaddr *ips, size_t max, size_t *n, const char **why);

#endif
