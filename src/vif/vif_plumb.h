/* Plumbing one guest port by netlink, and undoing it.
 *
 * Online: (down) -> rename to vifname -> MAC fe:ff:ff:ff:ff:ff, MTU, alias ->
 * join the bridge -> port VLANs (default VLAN removed) -> antispoof rules ->
 * up.  Any failure undoes every step this run made, in reverse, so nothing
 * is left half plumbed.
 *
 * A renamed port keeps its kernel name (vifD.N / vifD.N-emu) as an altname
 * and carries the alias "xenplumb vifD.N", so offline finds it by the kernel
 * name even when the backend directory (and with it `vifname`) is gone, and
 * never acts on a link that is not this guest's. */
#ifndef XP_VIF_PLUMB_H
#define XP_VIF_PLUMB_H

#include <netlink/netlink.h>
#include <stddef.h>
#include <stdint.h>

#include "common/validate.h"
#include "vif/antispoof.h"
#include "vif/vif_ovs.h"
#include "vif/vlanspec.h"

struct vif_plan {
	const char *kname;   /* kernel's name: vifD.N or vifD.N-emu */
	const char *newname; /* vifname ("" or NULL: keep kname) */
	const char *bridge;
	int mtu; /* 0: the bridge's */
	int has_vlan;
	const struct xp_vlanspec *vlan;
	int antispoof;
	struct xp_antispoof as; /* .dev is filled in by vif_plumb_up */
	const char *table;	/* antispoof table name (also used by down) */
	struct xp_link *br;	/* the bridge as looked up already, or NULL */
	/* An Open vSwitch bridge: instead of joining by netlink (master) and
	 * bridge VLANs, the port is added over OVSDB (vif_ovs.h) with ovs's
	 * fields (its .dev is filled in); has_vlan and antispoof are 0. */
	int ovs;
	struct vif_ovs_req ovs_req;
};

/* 0 and the MTU set in *mtu_out; -1 with a message in err. */
int vif_plumb_up(struct nl_sock *sk, struct vif_plan *p, int *mtu_out, char *err, size_t errlen);

/* Undo online for kernel name kname: down, leave the bridge (dropping its
 * VLANs), remove antispoof table.  0 ok (also when the device is gone);
 * -1 with message in err. *found says whether the device existed. */
int vif_plumb_down(struct nl_sock *sk, const char *kname, const char *table, int *found, char *err,
		   size_t errlen);

/* Offline on an Open vSwitch bridge: down, and its port removed over
 * OVSDB (by the name the device has now; name_hint when it is gone).
 * 0, or -1 with a message. */
int vif_plumb_down_ovs(struct nl_sock *sk, const char *kname, const char *name_hint, int *found,
		       char *err, size_t errlen);

/* VIF_LINK_* (see vif_bridge.h) for name, -1 on error. */
int vif_link_kind(struct nl_sock *sk, const char *name);
/* Same, and the link itself in *out (NULL when none; the caller puts it). */
int vif_link_get(struct nl_sock *sk, const char *name, struct xp_link **out);

#endif
