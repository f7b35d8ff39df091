/* The map: /etc/xen/xenplumb.conf parsed into plain data.
 *
 * Format (documented for admins in docs/map.md and xenplumb.conf(5)):
 *
 *   # comment                     ; also a comment
 *   include xenplumb.d/NAME.conf  # a file or a glob (? * [...]),
 *                                 # relative to the including file
 *
 *   [bond bond0]
 *   slaves   = eth0 eth1
 *   mode     = balance-alb        # balance-rr active-backup balance-xor
 *                                 # broadcast 802.3ad balance-tlb balance-alb
 *   miimon   = 100
 *   lacp-rate = slow|fast   xmit-hash-policy = layer2|layer3+4|layer2+3|encap2+3|encap3+4
 *   primary  = eth0   updelay = 0   downdelay = 0   mtu = 9000
 *
 *   [vlan bond0.100]              # name is free; parent and id are explicit
 *   parent = bond0                # (if absent, parsed from NAME.ID)
 *   id     = 100
 *
 *   [dummy dummy0]
 *
 *   [bridge br100]
 *   ports          = bond0.100    # space separated
 *   mtu            = 1500
 *   stp            = off          # on|off|yes|no|true|false|1|0
 *   forward-delay  = 0            # seconds, 0..30 (kernel range 2..30 with STP)
 *   vlan-filtering = no
 *   default        = yes          # the bridge for guests that name none
 *   move-addresses = no           # yes: move port addresses+routes onto the bridge
 *   antispoof      = no           # yes: guests may send only from their mac/ip
 *
 *   [vxlan vx100]                 # a guest network that spans hosts
 *   vni      = 100                # 1..16777215
 *   local    = 192.0.2.1          # this host's underlay address, and/or
 *   device   = bond0.100          # the underlay device
 *   dstport  = 4789
 *   remote   = 192.0.2.2 192.0.2.3  # static flood list (or group = MCAST)
 *   learning = on
 *   mtu      = 1450               # default: underlay MTU - 50 (IPv6: - 70)
 *
 *   [global]                      # no name; optional, once
 *   strict = no                   # yes: a missing port/slave/parent is an error
 *
 *   [network dmz]                 # logical network guests may name as bridge=dmz
 *   bridge = br100
 *   vlan   = 100                  # optional: VLAN on a vlan-filtering bridge
 *
 * Every diagnostic names file:line and the offending value.  A map with any
 * error yields no xp_conf at all (callers change nothing).
 */
#ifndef XP_CONF_H
#define XP_CONF_H

#include <stddef.h>

#include "common/nametab.h"
#include "common/validate.h"

struct xp_loc {
	const char *file; /* owned by xp_conf.files */
	int line;
};

/* Bond modes, numbered as the kernel's BOND_MODE_* values. */
enum xp_bond_mode {
	XP_BOND_BALANCE_RR = 0,
	XP_BOND_ACTIVE_BACKUP = 1,
	XP_BOND_BALANCE_XOR = 2,
	XP_BOND_BROADCAST = 3,
	XP_BOND_8023AD = 4,
	XP_BOND_BALANCE_TLB = 5,
	XP_BOND_BALANCE_ALB = 6,
};

#define XP_UNSET (-1) /* for every optional int below */

struct xp_bridge {
	char name[XP_IFNAMSIZ];
	struct xp_loc loc;
	char (*ports)[XP_IFNAMSIZ];
	size_t nports;
	struct xp_loc ports_loc; /* the ports line (line 0 when none) */
	int mtu;		 /* XP_UNSET or 68..65535 */
	int stp;		 /* XP_UNSET, 0, 1 */
	int forward_delay;	 /* XP_UNSET or seconds 0..30 */
	int vlan_filtering;	 /* XP_UNSET, 0, 1 */
	int is_default;		 /* 0/1 */
	int move_addresses;	 /* 0/1 */
	int antispoof;		 /* 0/1 */
	int type;		 /* XP_BR_LINUX, XP_BR_OVS */
	char datapath_type[16];	 /* Open vSwitch: "" (its default), system, netdev */
	int iface_id_by_name;	 /* Open vSwitch: guests' iface-id from the VM's name */
};

/* [bridge] type: a Linux bridge (netlink) or an Open vSwitch bridge (OVSDB) */
#define XP_BR_LINUX 0
#define XP_BR_OVS   1

struct xp_vlan {
	char name[XP_IFNAMSIZ];
	struct xp_loc loc;
	char parent[XP_IFNAMSIZ];
	struct xp_loc parent_loc; /* the parent line (line 0: from the name) */
	int id;			  /* 1..4094 */
	int mtu;		  /* XP_UNSET or value */
};

struct xp_bond {
	char name[XP_IFNAMSIZ];
	struct xp_loc loc;
	char (*slaves)[XP_IFNAMSIZ];
	size_t nslaves;
	struct xp_loc slaves_loc;  /* the slaves line */
	int mode;		   /* XP_UNSET or enum xp_bond_mode */
	int miimon;		   /* ms */
	int lacp_rate;		   /* XP_UNSET, 0 slow, 1 fast */
	int xmit_hash_policy;	   /* XP_UNSET or kernel BOND_XMIT_POLICY_* value */
	char primary[XP_IFNAMSIZ]; /* "" when unset */
	int updelay;
	int downdelay;
	int mtu;
};

struct xp_dummy {
	char name[XP_IFNAMSIZ];
	struct xp_loc loc;
	int mtu;
};

#define XP_VXLAN_PORT_DEFAULT 4789
#define XP_VXLAN_VNI_MAX      16777215
#define XP_VXLAN_OVERHEAD4    50 /* outer IPv4 20 + UDP 8 + VXLAN 8 + Ethernet 14 */
#define XP_VXLAN_OVERHEAD6    70 /* outer IPv6 40 + ... */
struct xp_vxlan {
	char name[XP_IFNAMSIZ];
	struct xp_loc loc;
	int vni;		   /* 1..16777215 */
	struct xp_ipaddr local;	   /* family 0: not set */
	char device[XP_IFNAMSIZ];  /* underlay device, "" when not set */
	int dstport;		   /* XP_UNSET: 4789 */
	struct xp_ipaddr *remotes; /* the static flood list */
	size_t nremotes;
	int has_remote;		/* the map gives remote: xenplumb keeps the list */
	struct xp_ipaddr group; /* multicast group, family 0: none */
	int learning;		/* XP_UNSET, 0, 1 */
	int mtu;		/* XP_UNSET or 68..65535 */
};
/* The UDP port (the map's or 4789) and the underlay's family (IPv6 when
 * any of its addresses is, else IPv4). */
int xp_vxlan_port(const struct xp_vxlan *v);
int xp_vxlan_family(const struct xp_vxlan *v);

#define XP_NETNAME_MAX 64
struct xp_network {
	char name[XP_NETNAME_MAX];
	struct xp_loc loc;
	char bridge[XP_IFNAMSIZ];
	int vlan; /* 0 = none, else 1..4094 */
};

#include "map/conf_l3.h"
/* [global]: how the map applies as a whole. */
struct xp_global {
	int strict; /* 1: a missing port, slave or parent is an error (all or
		     * nothing); 0 (default): it is skipped and reported, and
		     * the run ends "degraded" */
};

struct xp_conf {
	struct xp_global global;
	struct xp_bridge *bridges;
	size_t nbridges;
	struct xp_vlan *vlans;
	size_t nvlans;
	struct xp_bond *bonds;
	size_t nbonds;
	struct xp_dummy *dummies;
	size_t ndummies;
	struct xp_vxlan *vxlans;
	size_t nvxlans;
	struct xp_network *networks;
	size_t nnetworks;
	struct xp_routed *routed;
	size_t nrouted;
	struct xp_nat *nats;
	size_t nnats;
	char **files; /* every file read, for xp_loc.file */
	size_t nfiles;
	int legacy; /* built from network-bridge style arguments */
	/* Name index, built by the loader once the map is read: a device's name
	 * -> its position counting bridges, vlans, bonds, then dummies (the
	 * first, when a name is used twice).  It is used while nindexed is
	 * their total; a map built otherwise is scanned. */
	struct xp_nametab byname;
	size_t nindexed;
	int index_dups; /* some name is used by two devices */
};

/* Diagnostics: every error found, each "file:line: message", in order. */
struct xp_diag {
	char **msgs;
	size_t n;
};
void xp_diag_add(struct xp_diag *d, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void xp_diag_free(struct xp_diag *d);

/* Parse a map file (and its includes).  Returns 0 and fills *c, or the
 * number of errors (> 0) with *c left empty and every error in *d. */
int xp_conf_load(const char *path, struct xp_conf *c, struct xp_diag *d);
/* Same, from a string; name is used in diagnostics and for relative includes. */
int xp_conf_parse_string(const char *name, const char *text, struct xp_conf *c, struct xp_diag *d);
void xp_conf_free(struct xp_conf *c);
/* Rebuild the name index after changing names in place (altnames made
 * kernel names). */
void xp_conf_reindex(struct xp_conf *c);

/* network-bridge's legacy arguments (bridge= netdev= antispoof= vifnum=),
 * as xend passes them, as a one-bridge map.  move_addresses is set; a
 * netdev named dummyN becomes a dummy to create.  args are "k=v" strings. */
int xp_conf_from_legacy(int argc, char **argv, struct xp_conf *c, struct xp_diag *d);

/* Look-ups (NULL when absent). */
const struct xp_bridge *xp_conf_bridge(const struct xp_conf *c, const char *name);
const struct xp_bridge *xp_conf_default_bridge(const struct xp_conf *c);
const struct xp_network *xp_conf_network(const struct xp_conf *c, const char *name);
const struct xp_bond *xp_conf_bond(const struct xp_conf *c, const char *name);
const struct xp_routed *xp_conf_routed(const struct xp_conf *c, const char *name);
const struct xp_nat *xp_conf_nat(const struct xp_conf *c, const char *name);
/* The [nat] whose bridge is bridge, or NULL. */
const struct xp_nat *xp_conf_nat_of_bridge(const struct xp_conf *c, const char *bridge);
const struct xp_vlan *xp_conf_vlan(const struct xp_conf *c, const char *name);
const struct xp_dummy *xp_conf_dummy(const struct xp_conf *c, const char *name);
const struct xp_vxlan *xp_conf_vxlan(const struct xp_conf *c, const char *name);

/* Names of bond modes / xmit hash policies, for messages and status. */
const char *xp_bond_mode_name(int mode);
int xp_bond_mode_parse(const char *s);
const char *xp_xmit_hash_name(int policy);
int xp_xmit_hash_parse(const char *s);

#define XP_CONF_DEFAULT_PATH "/etc/xen/xenplumb.conf"

#endif
