/* vif-xenplumb's glue for routed and NAT guests and locking modes: which
 * [routed] or [nat] network a vif is on (by its bridge key, by the name the
 * helper was called by -- vif-route, vif-nat -- and the vif's gatewaydev),
 * and online for each.  See vif/vif_route.h, vif/vif_nat.h. */
#ifndef XP_VIF_L3_H
#define XP_VIF_L3_H

#include <netlink/netlink.h>
#include <stddef.h>

#include "map/conf.h"
#include "vif/vif_keys.h"

/* xapi's locking modes; DEFAULT: the bridge's or network's. */
enum vif_lock { VIF_LOCK_DEFAULT, VIF_LOCK_LOCKED, VIF_LOCK_UNLOCKED, VIF_LOCK_DISABLED };
/* The locking-mode key (NULL: default).  0, or -1 with err. */
int vif_lock_parse(const char *s, enum vif_lock *out, char *err, size_t errlen);
/* Antispoofing for a port: 1 locked, 0 unlocked, 2 disabled. */
int vif_lock_apply(enum vif_lock l, int network_default);

/* Is the helper running as vif-route / vif-nat (its argv[0])? */
enum vif_as { VIF_AS_BRIDGE, VIF_AS_ROUTE, VIF_AS_NAT };
enum vif_as vif_as_name(const char *argv0);

/* The routed network of a vif: 1 and *r (NULL: vif-route without a
 * [routed] in the map: ad hoc via gatewaydev), 0 when not routed, -1 with
 * err (several could be meant). */
int vif_pick_routed(const struct xp_conf *c, const char *bridge, enum vif_as as,
		    const char *gatewaydev, const struct xp_routed **r, char *err, size_t errlen);
/* The NAT network of a vif's bridge key (a [nat] name, or its bridge's
 * name; when run as vif-nat with no bridge key, the map's only [nat]).  1
 * and *n, 0 when none, -1 with err. */
int vif_pick_nat(const struct xp_conf *c, const char *bridge, enum vif_as as,
		 const struct xp_nat **n, char *err, size_t errlen);

struct vif_route_in {
	const struct xp_routed *r; /* NULL: ad hoc */
	const char *uplink;	   /* ad hoc: gatewaydev or "eth0" */
	const char *kname;
	const char *table;
	const struct vif_keys *k;
	enum vif_lock lock;
	int tap;
};
/* Online a routed port; *mtu the port's MTU.  0, or -1 with err. */
int vif_l3_route_up(struct nl_sock *sk, const struct vif_route_in *in, int *mtu, char *err,
		    size_t errlen);

/* After a NAT port joined its bridge: its static lease, journaled.  0 or
 * -1 with err. */
int vif_l3_nat_up(const struct xp_nat *n, const char *kname, const struct vif_keys *k,
		  unsigned domid, unsigned devid, char *err, size_t errlen);

#endif
