/* Open vSwitch's schema (Open_vSwitch / Bridge / Port / Interface,
 * vswitch.ovsschema) over the OVSDB client in ovsdb.h: the rows both
 * helpers write and read.
 *
 * A port xenplumb adds gets a UUID derived from its name
 * (xp_ovs_port_uuid) and external_ids xenplumb=<owner>, so removing it is
 * one transaction that needs no look-up, and anything else proves it is
 * ours.  Every change bumps Open_vSwitch.next_cfg; xp_ovs_wait_applied waits
 * (server side, by a "wait" op) until ovs-vswitchd has applied it, and the
 * Interface's error column is reported as ovs-vsctl does. */
#ifndef XP_OVS_H
#define XP_OVS_H

#include <stddef.h>
#include <stdint.h>

#include "common/ovsdb.h"

#define XP_OVS_OWNER_KEY "xenplumb" /* external_ids key marking our rows */

/* How long to wait for ovs-vswitchd to apply a change: $XENPLUMB_OVSDB_WAIT_MS
 * (1..600000), else XP_OVS_WAIT_MS_DEFAULT (ovs-vsctl waits without bound
 * unless --timeout; the stock vif-openvswitch gives it 30 s). */
#define XP_OVS_WAIT_MS_DEFAULT 10000
int xp_ovs_wait_ms(void);

/* A deterministic UUID (RFC 9562 version 8) for the port named name. */
void xp_ovs_port_uuid(const char *name, char out[37]);

struct xp_ovs_kv {
	const char *k, *v;
};

struct xp_ovs_port {
	const char *bridge;	/* Bridge.name */
	const char *name;	/* Port.name and Interface.name */
	const char *type;	/* Interface.type: NULL/"" = system device */
	int tag;		/* Port.tag, 0 = none */
	const uint16_t *trunks; /* Port.trunks */
	size_t ntrunks;
	const char *vlan_mode;		   /* NULL = derived: access / trunk / native-untagged */
	int mtu_request;		   /* Interface.mtu_request, 0 = none */
	const char *owner;		   /* external_ids:xenplumb on Port and Interface */
	const struct xp_ovs_kv *iface_ids; /* more Interface.external_ids */
	size_t niface_ids;
};

/* The ops adding port p (one Interface) to its bridge, appended to t; the
 * bridge must exist and no port of that name may (both checked by wait ops
 * whose indexes are returned in *op_bridge / *op_absent).  *op_cfg is the
 * select returning the new next_cfg.  Exposed for unit tests. */
void xp_ovs_port_add_ops(struct xp_ovsdb_txn *t, const struct xp_ovs_port *p, int *op_bridge,
			 int *op_absent, int *op_cfg);

/* Add port p in one transaction; a port of that name that already exists
 * (on any bridge: a guest's earlier life, or stock vif-openvswitch) is
 * removed first.  Then waits up to wait_ms for ovs-vswitchd to apply it and
 * fails (removing the port again) when the Interface reports an error.
 * 0, or -1 with a message naming the bridge/port in err. */
int xp_ovs_port_add(struct xp_ovsdb *db, const struct xp_ovs_port *p, int wait_ms, char *err,
		    size_t errlen);

/* Remove the port named name from whichever bridge has it: *found = 0 when
 * there is none.  Waits up to wait_ms for ovs-vswitchd (not applied in time
 * is not an error: *applied says).  0 or -1. */
int xp_ovs_port_del(struct xp_ovsdb *db, const char *name, int wait_ms, int *found, int *applied,
		    char *err, size_t errlen);

/* Wait until Open_vSwitch.cur_cfg >= cfg (ovs-vswitchd applied the change
 * that set next_cfg = cfg), at most wait_ms.  0, or -1 with a message. */
int xp_ovs_wait_applied(struct xp_ovsdb *db, long cfg, int wait_ms, char *err, size_t errlen);

/* 1 if a Bridge of that name exists, 0 if not, -1 on error. */
int xp_ovs_bridge_exists(struct xp_ovsdb *db, const char *name, char *err, size_t errlen);

#endif
