/* Observed state: what the host has, as plain data the planner reads.
 *
 * observe.c fills these structs by querying each interface the map (or the
 * state file) names, one RTM_GETLINK at a time; then, only where the run can
 * use them, that interface's addresses and routes and, for bridges, its
 * ports (a dump filtered by master).  Nothing here refers to libnl, so unit
 * tests build observed states by hand. */
#ifndef XP_OBSERVE_H
#define XP_OBSERVE_H

#include <stddef.h>
#include <stdint.h>

#include "common/nametab.h"
#include "common/validate.h"

struct nl_sock;
struct xp_conf;
struct xp_diag;

/* The link group every device xenplumb creates carries, set in the
 * creating RTM_NEWLINK ("xplb" in ASCII; iproute2: group 2020633698, or a
 * name for it in /etc/iproute2/group).  A device is deleted only when the
 * kernel says it carries it: the state file alone never proves ownership. */
#define XP_OWN_GROUP 0x78706c62u

enum xp_kind_id {
	XP_K_ABSENT = 0, /* no such interface */
	XP_K_BRIDGE,
	XP_K_BOND,
	XP_K_VLAN,
	XP_K_DUMMY,
	XP_K_OTHER, /* NIC, veth, tap, ... */
};
const char *xp_kind_name(int kind);

/* The kernel's own message for an address or route, as dumped (the body
 * after struct nlmsghdr): a move re-sends it with the device changed, so
 * that every attribute (peer, label, lifetimes, metrics, preference,
 * nexthop flags, multipath nexthops, ...) comes across, including ones
 * this program never names.  0 bytes: not known (a record of an older
 * version), then the fields below alone are sent. */
#define XP_NL_MAX 512

struct xp_addr {
	int family; /* AF_INET / AF_INET6 */
	uint8_t addr[16];
	int prefixlen;
	int scope;
	unsigned int flags; /* IFA_F_* */
	int has_brd;
	uint8_t brd[4]; /* IPv4 broadcast */
	int has_peer;	/* IFA_ADDRESS differs from IFA_LOCAL (point-to-point) */
	uint8_t peer[16];
	char label[XP_IFNAMSIZ]; /* IFA_LABEL (IPv4), "" when none */
	int origidx;		 /* ifindex of the device the message came from */
	unsigned short nllen;
	_Alignas(4) unsigned char nl[XP_NL_MAX]; /* read in place as netlink structs */
};

/* A route whose (single) nexthop goes through some interface.  Just what
 * is needed to add it again through another one. */
struct xp_route {
	int family;
	unsigned int table;
	uint8_t dst[16];
	int dst_len;
	int has_gw;
	uint8_t gw[16];
	int has_prefsrc;
	uint8_t prefsrc[16];
	unsigned int priority;
	int protocol;
	int scope;
	int type;
	int tos;
	int nhops;   /* RTA_MULTIPATH nexthops (0: a single nexthop) */
	int origidx; /* the ifindex its nexthop(s) used (the port's) */
	unsigned short nllen;
	_Alignas(4) unsigned char nl[XP_NL_MAX]; /* read in place as netlink structs */
};

struct xp_obs_link {
	char name[XP_IFNAMSIZ];
	int kind; /* enum xp_kind_id */
	char kind_name[32];
	int ifindex;
	int up; /* IFF_UP */
	int mtu;
	char master[XP_IFNAMSIZ]; /* "" when none */
	int master_kind;	  /* kind of the master */
	int master_index;	  /* its ifindex (0: none) */
	int link_index;		  /* IFLA_LINK (a VLAN's parent), 0: none */
	unsigned int group;	  /* IFLA_GROUP: XP_OWN_GROUP marks xenplumb's own */
	/* bridge */
	int stp;	    /* 0/1 */
	int forward_delay;  /* seconds */
	int vlan_filtering; /* 0/1 */
	char (*ports)[XP_IFNAMSIZ];
	size_t nports;
	/* bond */
	int bond_mode;
	int miimon;
	/* vlan */
	char parent[XP_IFNAMSIZ];
	int vlan_id;
	/* port of a VLAN-filtering bridge: its bridge VLANs (-1 = not read) */
	int nvids;
	unsigned short *vids;
	/* layer 3 */
	struct xp_addr *addrs;
	size_t naddrs;
	struct xp_route *routes; /* routes through this link, movable ones */
	size_t nroutes;
	int unmovable_routes; /* routes through it by nexthop object (cannot be moved) */
};

struct xp_observed {
	struct xp_obs_link *links;
	size_t n;
	struct xp_nametab names; /* name -> index in links */
};

/* The map's names that are altnames of a device (`ip link property add dev
 * eth0 altname enp3s0`) rewritten to the device's kernel name, everywhere
 * (bridges, ports, bonds, slaves, primary, VLANs, parents, dummies,
 * networks' bridges), each said once in notes ("FILE:LINE: enp3s0 is an
 * altname of eth0"); then one master per interface, by kernel name: two
 * names of one NIC in two bridges or bonds are an error in errs.  Returns
 * the number of errors (0: the map may be planned). */
int xp_obs_canon_conf(const struct xp_observed *o, struct xp_conf *c, struct xp_diag *notes,
		      struct xp_diag *errs);

/* The entry for name, or NULL when it was not observed. */
const struct xp_obs_link *xp_obs_find(const struct xp_observed *o, const char *name);
/* Same, adding an absent entry when missing (used to build states). */
struct xp_obs_link *xp_obs_add(struct xp_observed *o, const char *name);
void xp_observed_free(struct xp_observed *o);
/* Free what l carries (ports, addresses, routes, VLANs); l stays. */
void xp_obs_link_clear(struct xp_obs_link *l);

/* Query name (and its addresses, routes, ports) into o.  0 or a negative
 * libnl error (a missing link is not an error: kind XP_K_ABSENT). */
int xp_observe_link(struct nl_sock *sk, const char *name, struct xp_observed *o);

/* What the run needs beyond each link itself. */
enum xp_obs_mode {
	XP_OBS_START,  /* addresses/routes where a plan may move or refuse them */
	XP_OBS_RELOAD, /* and ports of bridges whose ports or selves may go */
	XP_OBS_STOP,   /* ports of the state's bridges, moved addresses */
	XP_OBS_STATUS, /* start's, and the ports of every bridge */
};
/* The bridge VLANs of a port (RTM_GETVLAN for that ifindex). */
int xp_observe_vlans(struct nl_sock *sk, struct xp_obs_link *l);
/* Observe every interface the map or the extra names (the state's)
 * mention, with what mode needs.  s (may be NULL) is the state. */
struct xp_state;
int xp_observe_all(struct nl_sock *sk, const struct xp_conf *c, char (*extra)[XP_IFNAMSIZ],
		   size_t nextra, const struct xp_state *s, int mode, struct xp_observed *o);

/* "10.0.0.5/24" */
void xp_addr_format(const struct xp_addr *a, char *buf, size_t len);
/* "default via 10.0.0.1 table 100 metric 5" */
void xp_route_format(const struct xp_route *r, char *buf, size_t len);
int xp_addr_equal(const struct xp_addr *a, const struct xp_addr *b);
int xp_route_equal(const struct xp_route *a, const struct xp_route *b);
/* Does l (may be NULL) carry a / a route equal to r? */
int xp_obs_has_addr(const struct xp_obs_link *l, const struct xp_addr *a);
int xp_obs_has_route(const struct xp_obs_link *l, const struct xp_route *r);

#endif
