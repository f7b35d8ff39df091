/* The planner: desired state (the map) + observed state + what xenplumb did
 * before (the state file) -> an ordered list of operations.  Pure: no I/O,
 * so unit tests drive it with hand-built inputs.
 *
 * Rules it enforces (and tests check):
 *  - a device xenplumb did not create is never set down, renamed or
 *    deleted, and never loses an address or route, except that a port's
 *    addresses move onto its bridge when the bridge says move-addresses
 *    (the only address removal allowed, and undone by stop);
 *  - ports not in the map (guest vifs) are never detached;
 *  - the only down is of a NIC being enslaved into a NEW bond, and only
 *    when the NIC carries no address and no route. */
#ifndef XP_PLAN_H
#define XP_PLAN_H

#include <stddef.h>

#include "common/nametab.h"
#include "map/conf.h"
#include "net/observe.h"
#include "net/state.h"

enum xp_op_type {
	XP_OP_CREATE,	    /* dev of kind; spec points into the map */
	XP_OP_SET_MTU,	    /* dev, value (old: old); kind XP_K_BRIDGE: gives a bridge
			     * back its recorded MTU, and forgets the record */
	XP_OP_SET_STP,	    /* bridge dev, value */
	XP_OP_SET_FD,	    /* bridge dev, forward delay seconds */
	XP_OP_SET_VLANF,    /* bridge dev, vlan_filtering */
	XP_OP_DOWN,	    /* dev (only: NIC about to join a new bond) */
	XP_OP_ENSLAVE,	    /* dev joins bond peer */
	XP_OP_ADD_PORT,	    /* dev joins bridge peer */
	XP_OP_DEL_PORT,	    /* dev leaves bridge peer */
	XP_OP_UP,	    /* dev */
	XP_OP_ADD_ADDR,	    /* addr on dev */
	XP_OP_DEL_ADDR,	    /* addr from dev */
	XP_OP_ADD_ROUTE,    /* route via dev */
	XP_OP_DEL_ROUTE,    /* route via dev */
	XP_OP_DELETE,	    /* dev (only ones xenplumb created) */
	XP_OP_PORT_VLAN,    /* bridge port dev carries vlan value tagged */
	XP_OP_PIN_MTU,	    /* bridge dev's MTU set to value so ports cannot move it (old: old) */
	XP_OP_SET_LEARNING, /* vxlan dev, learning value (old: old) */
	XP_OP_FLOOD_ADD,    /* vxlan dev floods to remote ip too */
	XP_OP_FLOOD_DEL,    /* vxlan dev no longer floods to remote ip */
};

struct xp_op {
	int type; /* enum xp_op_type */
	char dev[XP_IFNAMSIZ];
	char peer[XP_IFNAMSIZ]; /* master, or the other end of a move */
	int kind;		/* for CREATE / DELETE */
	int value;
	int old;	       /* previous value, for undo */
	const void *spec;      /* CREATE: struct xp_bridge/xp_bond/xp_vlan/xp_dummy */
	struct xp_addr addr;   /* ADD_ADDR / DEL_ADDR */
	struct xp_route route; /* ADD_ROUTE / DEL_ROUTE */
	struct xp_ipaddr ip;   /* FLOOD_ADD / FLOOD_DEL */
	int created;	       /* dev was created by xenplumb (this run or before) */
	int had; /* DEL_ADDR/DEL_ROUTE of a move: the bridge had it already (kept there) */
	char why[160];
};

struct xp_drift {
	char device[XP_IFNAMSIZ];
	char what[32];
	char want[96];
	char have[96];
};

/* A device the map names that does not exist and that nothing in the plan
 * creates (a port, a bond slave, a VLAN's parent): skipped, the rest of
 * the map applies, the run ends "degraded" (exit 3) -- unless the map says
 * strict = yes, when it is an error instead. */
struct xp_missing {
	char device[XP_IFNAMSIZ];
	char role[64];	 /* "port of bridge xenbr0" */
	char where[200]; /* "FILE:LINE: " of the line naming it, or "" */
};

struct xp_plan {
	struct xp_op *ops;
	size_t n;
	char **errors; /* each a full message; any error -> nothing is applied */
	size_t nerrors;
	char **notes; /* things left as they are, said once (guest ports kept, ...) */
	size_t nnotes;
	struct xp_drift *drift;
	size_t ndrift;
	struct xp_missing *missing;
	size_t nmissing;
	/* Ops by device, kept by xp_plan_push: bydev maps a device to its last
	 * op, prev[i] / next[i] link the ops on the same device (XP_OP_NONE:
	 * none).  It covers ops[0..nidx); a plan filled by hand (unit tests)
	 * has nidx 0 and is scanned instead. */
	struct xp_nametab bydev;
	size_t *prev, *next;
	size_t nidx;
};
#define XP_OP_NONE ((size_t)-1)

/* The last op on dev before op `before` (p->n: any), and the one before
 * that: walk with xp_plan_prev_on(p, dev, i) from i = before.  Uses the
 * index when it covers the plan, else scans. */
size_t xp_plan_prev_on(const struct xp_plan *p, const char *dev, size_t before);
/* The first op on ops[i].dev after i, or XP_OP_NONE. */
size_t xp_plan_next_on(const struct xp_plan *p, size_t i);
/* Is there an op of type on dev before op `before` (p->n: anywhere)? */
int xp_plan_has_op(const struct xp_plan *p, int type, const char *dev, size_t before);

/* start (reload = 0) or reload (reload = 1). */
int xp_plan_start(const struct xp_conf *c, const struct xp_observed *o, const struct xp_state *s,
		  int reload, struct xp_plan *p);
/* stop: undo what the state file records.  c (may be NULL) only tells
 * the map's ports from guests. */
int xp_plan_stop(const struct xp_conf *c, const struct xp_observed *o, const struct xp_state *s,
		 struct xp_plan *p);
void xp_plan_free(struct xp_plan *p);

/* One line: "create bridge xenbr0 (in the map, missing)". */
void xp_op_format(const struct xp_op *op, char *buf, size_t len);
const char *xp_op_name(int type);

/* Plan-building primitives (pctx.c), for the kinds and the core. */
struct xp_op *xp_plan_push(struct xp_plan *p, int type, const char *dev, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void xp_plan_error(struct xp_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xp_plan_note(struct xp_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xp_plan_drift(struct xp_plan *p, const char *dev, const char *what, const char *want,
		   const char *have);
/* dev, the `what` ("port") of `of` ("bridge xenbr0"), does not exist: a
 * missing entry, or under strict an error.  loc: the line naming it (may be
 * NULL).  Strict: the map's [global] strict = yes, and network-bridge's
 * legacy arguments (one bridge on one NIC: all or nothing, as before). */
void xp_plan_missing(struct xp_plan *p, const struct xp_conf *c, const struct xp_loc *loc,
		     const char *what, const char *dev, const char *of);

/* Is name a device xenplumb created (recorded in the state, or being
 * created by this plan)? */
int xp_plan_is_created(const struct xp_plan *p, const struct xp_state *s,
		       const struct xp_observed *o, const char *name);

#endif
