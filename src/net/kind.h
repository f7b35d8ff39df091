/* Netdev kinds: one file per kind (src/net/kind/{dummy,bond,vlan,bridge}.c),
 * each defining one row of the kind table (kinds.c), in the manner of
 * systemd-networkd's NetDevVTable or iproute2's struct link_util.  A row
 * holds everything kind-specific:
 *   map:     its entries in the map (struct xp_conf);
 *   plan:    compare the map's entry with what is observed and append the
 *            operations (create, or adopt + attribute changes) -- pure;
 *   fill:    the attributes of a creating RTM_NEWLINK, and of attribute
 *            changes on an existing device, written through struct xp_attrw
 *            into a message the executor built (a kind never sends);
 *   observe: IFLA_INFO_DATA -> struct xp_obs_link fields;
 *   status:  its fields in network-xenplumb status's JSON.
 * The table is in dependency order: lower devices first (created and
 * brought up in that order, deleted in reverse).
 *
 * Link boundary: a kind file uses the map, the plan-building primitives
 * (pctx.c) and the observed-state container (obs.c); never the executor,
 * the planner's core (plan.c) or libnl (attributes go through xp_attrw, and
 * are read with the header-only helpers below). */
#ifndef XP_NET_KIND_H
#define XP_NET_KIND_H

#include <linux/netlink.h>
#include <stdint.h>
#include <string.h>

#include "common/attr.h"
#include "net/plan.h"

struct json_object;

/* Planner context shared by the kinds. */
struct xp_pctx {
	const struct xp_conf *c;
	const struct xp_observed *o;
	const struct xp_state *s;
	struct xp_plan *p;
	int reload; /* a reload: what left the map goes in the same plan */
};

/* ---- plan-building primitives (pctx.c; with xp_plan_push & co. of plan.h) ---- */

/* A device will exist after the creation phase (observed, or created by
 * this plan), and what it will be. */
int xp_pctx_will_exist(const struct xp_pctx *x, const char *name);
/* Observed entry, or NULL when absent/unobserved. */
const struct xp_obs_link *xp_pctx_obs(const struct xp_pctx *x, const char *name);
/* Was the device made by this plan (CREATE op present)? */
int xp_pctx_creating(const struct xp_pctx *x, const char *name);
/* Does the state file record name as a device xenplumb created (and, when
 * it is observed, with the ifindex it has)? */
int xp_pctx_recorded(const struct xp_pctx *x, const char *name);
/* The MTU name will have once this plan's devices exist (0: unknown): the
 * last MTU op the plan has for it so far, else its observed MTU, else for a
 * device the plan creates what the map and the kernel give it (a VLAN its
 * parent's, a VXLAN its underlay's minus 50 or 70, others 1500).  Kinds
 * are planned in dependency order, so a port's MTU is known to its bridge
 * and an underlay's to its VXLAN. */
int xp_pctx_dev_mtu(const struct xp_pctx *x, const char *name);
/* Push CREATE of name (kind, spec), marked created. */
struct xp_op *xp_pctx_create(struct xp_pctx *x, const char *name, int kind, const void *spec);
/* Push SET_MTU when mtu > 0 and differs from l's. */
void xp_pctx_mtu(struct xp_pctx *x, const char *name, int mtu, const struct xp_obs_link *l);
/* Move what port carries (addresses, routes) onto master: add there first,
 * then delete from the port (recorded moves, undone by stop). */
void xp_pctx_move(struct xp_pctx *x, const char *port, const char *master);

/* "file:line: " for a map entry ("" when the entry has no location). */
const char *xp_loc_prefix(const struct xp_loc *loc, char *buf, size_t len);
/* Wrong-kind error: "NAME exists but is a veth, not a bridge; ..." (plan.c) */
void xp_plan_wrong_kind(struct xp_pctx *x, const struct xp_loc *loc, const char *name,
			const struct xp_obs_link *l, int want);
/* Addresses that travel with a port (all but IPv6 link-local). */
int xp_addr_movable(const struct xp_addr *a);
/* Movable addresses and routes on l, as "10.0.0.5/24, 2001:db8::5/64" plus
 * " and N route(s)"; returns how many things (0: nothing). */
size_t xp_l3_summary(const struct xp_obs_link *l, char *buf, size_t len);

/* ---- attributes ---- */

/* Where a kind writes its attributes: the executor implements it over
 * libnl (exec.c), tests over a buffer.  put() appends one attribute to the
 * kind's IFLA_INFO_DATA; ifindex() looks a device up (0: missing).  A
 * fill_create half may also set mtu (IFLA_MTU, 0: none) and link (IFLA_LINK,
 * 0: none), which the core puts in the header part of the message. */
struct xp_attrw {
	int (*put)(struct xp_attrw *w, int type, const void *data, size_t len);
	int (*ifindex)(struct xp_attrw *w, const char *name);
	int mtu;
	int link;
};

static inline int xp_attrw_u8(struct xp_attrw *w, int type, uint8_t v)
{
	return w->put(w, type, &v, sizeof(v));
}
static inline int xp_attrw_u16(struct xp_attrw *w, int type, uint16_t v)
{
	return w->put(w, type, &v, sizeof(v));
}
static inline int xp_attrw_u32(struct xp_attrw *w, int type, uint32_t v)
{
	return w->put(w, type, &v, sizeof(v));
}

/* ---- the table ---- */

/* One map entry of a kind. */
struct xp_kind_entry {
	const void *spec; /* struct xp_bridge / xp_bond / xp_vlan / xp_dummy */
	const char *name;
	const struct xp_loc *loc;
};

struct xp_kind {
	const char *name; /* IFLA_INFO_KIND, and the word in state files and messages */
	int kind;	  /* enum xp_kind_id */
	const char *role; /* in "new ROLE" / "ROLE is down" (the up phase) */

	/* map: the i-th entry of this kind (0 past the end; 1 with spec NULL:
	 * position i holds none of this kind, skip it), an entry by name */
	int (*map_entry)(const struct xp_conf *c, size_t i, struct xp_kind_entry *e);
	const void *(*map_find)(const struct xp_conf *c, const char *name);

	/* plan (pure).  plan: l is the observed device (of this kind), or
	 * NULL when missing; the core has refused one of another kind.
	 * plan_ports (may be NULL): after every kind's plan (devices exist). */
	void (*plan)(struct xp_pctx *x, const void *spec, const struct xp_obs_link *l);
	void (*plan_ports)(struct xp_pctx *x, const void *spec);
	/* The i-th device to bring up before this kind's own (a bridge's
	 * ports), NULL past the end; up_role says what it is.  May be NULL. */
	const char *(*up_first)(const void *spec, size_t i);
	const char *up_role;
	/* The map device this entry is made on (a VXLAN's underlay device),
	 * or NULL.  When a later kind has it (a bridge), the core plans that
	 * one first, so it exists (and has its MTU) when this one is made.
	 * May be NULL. */
	const char *(*lower)(const void *spec);
	/* After the up phase (a bridge's move-addresses).  May be NULL. */
	void (*plan_late)(struct xp_pctx *x, const void *spec);
	/* Unwinding: after DELETE of a device of this kind (a bond's slaves
	 * that were up come up again).  May be NULL. */
	void (*plan_deleted)(struct xp_pctx *x, const char *name);

	/* fill (executor side, through w).  fill_create: 0 or a negative
	 * libnl error.  fill_set (may be NULL): the attribute change op
	 * (XP_OP_SET_STP, ...) to value.  fold_create: a creating RTM_NEWLINK
	 * may also carry master and up (not a bond's: slaves join it later). */
	int (*fill_create)(const void *spec, struct xp_attrw *w);
	int (*fill_set)(int op, int value, struct xp_attrw *w);
	int fold_create;

	/* Relations the core follows: has_ports, a device of this kind is a
	 * master whose ports are observed (a dump by master), kept for its
	 * guests and keep what they are ports of (bridges); has_parent, its
	 * IFLA_LINK names a parent that stays while it does (VLANs). */
	int has_ports;
	int has_parent;

	/* observe: what IFLA_INFO_DATA (may be NULL) says; may be NULL. */
	void (*observe)(const struct nlattr *data, struct xp_obs_link *l);

	/* status: this kind's fields (l is of this kind).  May be NULL. */
	void (*status_json)(struct json_object *j, const struct xp_obs_link *l);
};

/* The rows, in dependency order, NULL-terminated. */
extern const struct xp_kind *const xp_kinds[];
/* The row of an enum xp_kind_id, or of an IFLA_INFO_KIND; NULL when none. */
const struct xp_kind *xp_kind_get(int kind);
const struct xp_kind *xp_kind_by_name(const char *name);
/* Row flags of an enum xp_kind_id (0 for kinds without a row). */
int xp_kind_has_ports(int kind);
int xp_kind_has_parent(int kind);

extern const struct xp_kind xp_kind_dummy, xp_kind_bond, xp_kind_vlan, xp_kind_bridge,
    xp_kind_vxlan;

#endif
