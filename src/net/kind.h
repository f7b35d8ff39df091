/* One file per netdev kind (nd_dummy.c, nd_bond.c, nd_vlan.c,
 * nd_bridge.c), each holding that kind's
 *   plan:   compare the map's entry with what is observed and append the
 *           operations (create, or adopt + attribute changes) -- pure;
 *   create: the RTM_NEWLINK that makes one (executor side);
 *   set:    attribute changes on an existing one (executor side).
 * plan.c calls the plan halves in dependency order; exec.c the others. */
#ifndef XP_NET_KIND_H
#define XP_NET_KIND_H

#include "net/plan.h"

struct nl_sock;
struct nl_msg;

/* Planner context shared by the kinds. */
struct xp_pctx {
	const struct xp_conf *c;
	const struct xp_observed *o;
	const struct xp_state *s;
	struct xp_plan *p;
};

/* A device will exist after the creation phase (observed, or created by
 * this plan), and what it will be. */
int xp_pctx_will_exist(const struct xp_pctx *x, const char *name);
/* Observed entry, or NULL when absent/unobserved. */
const struct xp_obs_link *xp_pctx_obs(const struct xp_pctx *x, const char *name);
/* Was the device made by this plan (CREATE op present)? */
int xp_pctx_creating(const struct xp_pctx *x, const char *name);

/* "file:line: " for a map entry ("" when the entry has no location). */
const char *xp_loc_prefix(const struct xp_loc *loc, char *buf, size_t len);
/* Wrong-kind error: "NAME exists but is a veth, not a bridge; ..." */
void xp_plan_wrong_kind(struct xp_pctx *x, const struct xp_loc *loc, const char *name,
			const struct xp_obs_link *l, int want);
/* Addresses that travel with a port (all but IPv6 link-local). */
int xp_addr_movable(const struct xp_addr *a);
/* Movable addresses and routes on l, as "10.0.0.5/24, 2001:db8::5/64" plus
 * " and N route(s)"; returns how many things (0: nothing). */
size_t xp_l3_summary(const struct xp_obs_link *l, char *buf, size_t len);

/* Plan halves: adopt or create.  Return 0; problems go to x->p errors. */
void xp_dummy_plan(struct xp_pctx *x, const struct xp_dummy *d);
void xp_bond_plan(struct xp_pctx *x, const struct xp_bond *b);
void xp_vlan_plan(struct xp_pctx *x, const struct xp_vlan *v);
void xp_bridge_plan(struct xp_pctx *x, const struct xp_bridge *br);
void xp_bridge_plan_ports(struct xp_pctx *x, const struct xp_bridge *br);

/* Later ops of a plan the executor folds into a creating RTM_NEWLINK:
 * bring the new device up, make it a port of master (an ifindex, 0: no). */
struct xp_nd_fold {
	int up;
	int master;
};

/* Executor halves: 0 or a negative libnl error.  f may be NULL. */
int xp_dummy_create(struct nl_sock *sk, const struct xp_dummy *d, const struct xp_nd_fold *f);
int xp_bond_create(struct nl_sock *sk, const struct xp_bond *b, const struct xp_nd_fold *f);
int xp_vlan_create(struct nl_sock *sk, const struct xp_vlan *v, const struct xp_nd_fold *f);
int xp_bridge_create(struct nl_sock *sk, const struct xp_bridge *br, const struct xp_nd_fold *f);
/* Tagged VLAN vid on a bridge port (del: remove it). */
int xp_bridge_port_vlan(struct nl_sock *sk, const char *port, int vid, int del);
/* Bridge attribute: XP_OP_SET_STP / SET_FD / SET_VLANF. */
int xp_bridge_set(struct nl_sock *sk, const char *name, int op, int value);

/* Shared message building (exec.c): an RTM_NEWLINK for name (ifindex 0:
 * create, NLM_F_CREATE|NLM_F_EXCL) or for an existing ifindex, with
 * IFLA_MTU (when mtu > 0), IFLA_LINK (when link > 0) and what f folds in
 * (f may be NULL), then an open
 * IFLA_LINKINFO nest holding IFLA_INFO_KIND = kind and an open
 * IFLA_INFO_DATA nest; xp_nd_send closes both, sends and frees. */
struct xp_ndmsg {
	struct nl_msg *msg;
	struct nlattr *linkinfo;
	struct nlattr *data;
};
int xp_nd_begin(struct xp_ndmsg *m, const char *name, int ifindex, const char *kind, int mtu,
		int link, const struct xp_nd_fold *f);
int xp_nd_send(struct nl_sock *sk, struct xp_ndmsg *m);

#endif
