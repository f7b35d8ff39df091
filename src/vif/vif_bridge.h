/* Which bridge (and which VLANs on it) a vif joins, from its `bridge` key.
 * A pure function over look-up callbacks, so the rules are unit-tested
 * without a kernel or a map file.  In order:
 *
 *   ""            the map's default bridge, else an error
 *   NAME          an existing bridge of exactly that name (bond0.100 may be
 *                 a bridge's real name), or an error if NAME is a link that
 *                 is not a bridge
 *   BR.TAG        bridge BR, guest untagged on VLAN TAG (its PVID)
 *   BR:T1:T2..    bridge BR, guest trunk: tagged T1, T2, ...
 *   BR.TAG:T1..   both
 *   NET           the map's logical network NET: its bridge, and its VLAN
 *                 (if any) as the untagged PVID
 *   xenbrN        ethN if that is a bridge and xenbrN is not (as stock does)
 */
#ifndef XP_VIF_BRIDGE_H
#define XP_VIF_BRIDGE_H

#include <stddef.h>

#include "common/validate.h"
#include "vif/vlanspec.h"

enum vif_link_kind { VIF_LINK_NONE = 0, VIF_LINK_BRIDGE = 1, VIF_LINK_OTHER = 2 };

struct vif_lookup {
	void *ctx;
	/* VIF_LINK_* for a valid interface name, or -1 on a lookup error. */
	int (*link_kind)(void *ctx, const char *name);
	/* The map's network NAME: 0 and its bridge and vlan (0 = none), or -1. */
	int (*network)(void *ctx, const char *name, char bridge[XP_IFNAMSIZ], int *vlan);
	/* The map's default bridge, or NULL. */
	const char *(*default_bridge)(void *ctx);
};

struct vif_target {
	char bridge[XP_IFNAMSIZ];
	int has_vlan; /* the bridge key itself chose VLANs */
	struct xp_vlanspec vlan;
	char how[96]; /* for logs: how the bridge was chosen */
};

/* 0 and *t filled; -1 with a message naming the value in err. */
int vif_resolve_bridge(const char *key, const struct vif_lookup *lk, struct vif_target *t,
		       char *err, size_t errlen);

#endif
