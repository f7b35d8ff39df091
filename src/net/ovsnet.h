/* Open vSwitch bridges of the map (`[bridge NAME]` with type = openvswitch)
 * for network-xenplumb: observed, created or adopted, taken down and shown
 * over OVSDB (common/ovsdb.h, common/ovs.h), never by ovs-vsctl.
 *
 * Ownership lives with the rows: a bridge xenplumb creates carries
 * external_ids:xenplumb=bridge, a port it adds for the map
 * external_ids:xenplumb=map-port (a guest's port: xenplumb=vif D/N).  OVSDB
 * keeps them across reboots, as it keeps the bridges.  stop deletes only
 * what carries those marks: a bridge it created (kept, and said so, while
 * ports not in the map -- guests -- are still on it), and the map ports it
 * added to a bridge it adopted.
 *
 * start: one transaction per bridge, guarded by wait ops on what was
 * observed (nothing changed in between), then a wait for ovs-vswitchd; an
 * Interface error of a port just added (a NIC that does not exist) undoes
 * that transaction's changes and is an error naming the map's line.  An
 * adopted bridge is never re-typed (datapath_type differs: drift), a port
 * of the map that is on another bridge is an error, never moved. */
#ifndef XP_NET_OVSNET_H
#define XP_NET_OVSNET_H

#include <stddef.h>
#include <stdint.h>

#include "common/ovsdb.h"

struct json_object;
struct xp_conf;

#define XP_OVS_NAMELEN 64

struct xp_ovsnet_bridge {
	const char *name;
	const char *datapath_type; /* NULL/"" = Open vSwitch's default (system) */
	int mtu;		   /* 0 = not set */
	const char *const *ports;  /* NICs, bonds, VLANs of the map */
	size_t nports;
	const char *loc; /* "file:line: " of the section, for messages */
};

struct xp_ovs_oport {
	char name[XP_OVS_NAMELEN];
	char uuid[37];
	char bridge[XP_OVS_NAMELEN];
	char owner[64]; /* external_ids:xenplumb */
	int tag;	/* 0 = none */
	char trunks[128];
	char vlan_mode[24];
	char type[24];	 /* its (first) Interface's type */
	char error[160]; /* its Interface's error */
	long ofport;
	int nifaces;
};

struct xp_ovs_obridge {
	char name[XP_OVS_NAMELEN];
	char uuid[37];
	char owner[64];
	char datapath_type[16];
	int mtu;
};

struct xp_ovs_obs {
	struct xp_ovs_obridge *b;
	size_t nb;
	struct xp_ovs_oport *p;
	size_t np;
};

/* The map's Open vSwitch bridges as xp_ovsnet_bridge rows. */
struct xp_ovsnet_map {
	struct xp_ovsnet_bridge *b;
	size_t n;
	const char **ports;
	char (*locs)[300];
};
int xp_ovsnet_map(const struct xp_conf *c, struct xp_ovsnet_map *m);
void xp_ovsnet_map_free(struct xp_ovsnet_map *m);

/* Is there an ovsdb-server socket (xp_ovsdb_sock_path) at all? */
int xp_ovsnet_present(void);

/* Everything (Bridge, Port, Interface) in one read.  0 or -1. */
int xp_ovs_observe(struct xp_ovsdb *db, struct xp_ovs_obs *o, char *err, size_t errlen);
void xp_ovs_obs_free(struct xp_ovs_obs *o);
const struct xp_ovs_obridge *xp_ovs_obs_bridge(const struct xp_ovs_obs *o, const char *name);
const struct xp_ovs_oport *xp_ovs_obs_port(const struct xp_ovs_obs *o, const char *name);

/* Report lines (notes, drift), one call each. */
typedef void (*xp_ovsnet_say)(void *ctx, const char *line);

/* Make the map's OVS bridges exist with their ports.  dry = 1: say what
 * would be done, change nothing.  0, or -1 with a message in err: then
 * what this call committed is taken back (a created bridge deleted, the
 * ports it added to an adopted one removed).
 *
 * Test hook: XENPLUMB_OVS_FAIL=BRIDGE fails that bridge after its
 * transaction was applied, as an Interface error would; it only ever makes
 * a run fail. */
int xp_ovsnet_start(struct xp_ovsdb *db, const struct xp_ovsnet_bridge *bs, size_t n, int dry,
		    xp_ovsnet_say say, void *ctx, char *err, size_t errlen);

/* What start (reload: after the prune) would refuse, found before anything
 * changes: a map port on another OVS bridge, a port error.  Changes
 * nothing, says nothing.  0, or -1 with err. */
int xp_ovsnet_check(struct xp_ovsdb *db, const struct xp_ovsnet_bridge *bs, size_t n, int reload,
		    char *err, size_t errlen);

/* Take back what start made (see above).  0 or -1. */
int xp_ovsnet_stop(struct xp_ovsdb *db, int dry, xp_ovsnet_say say, void *ctx, char *err,
		   size_t errlen);
/* reload: what stop would undo, but only for what the map no longer has:
 * a bridge xenplumb made that left the map is deleted (kept while ports
 * not in the map are on it), a map port it added that left its bridge's
 * ports is removed.  Guests' ports stay.  0, or -1 with err. */
int xp_ovsnet_prune(struct xp_ovsdb *db, const struct xp_ovsnet_bridge *bs, size_t n, int dry,
		    xp_ovsnet_say say, void *ctx, char *err, size_t errlen);

/* status: {"bridges":[{name, datapath_type, created, mtu, drift:[...],
 * ports:[{name, role, tag, trunks, vlan_mode, owner, error}]}]} for every
 * OVS bridge observed, and the map's missing ones.  Returns the number of
 * drift entries. */
int xp_ovsnet_status(const struct xp_ovs_obs *o, const struct xp_ovsnet_bridge *bs, size_t n,
		     struct json_object *out);

#endif
