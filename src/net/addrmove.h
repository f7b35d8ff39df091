/* Addresses and routes by netlink: the four primitives a move is made of.
 * A move (planned in plan.c) is: add the port's addresses to the bridge,
 * add its routes through the bridge, delete the routes through the port,
 * delete the port's addresses -- so nothing is ever unreachable, and every
 * step has an exact inverse for rollback and for stop. */
#ifndef XP_ADDRMOVE_H
#define XP_ADDRMOVE_H

#include "net/observe.h"

struct nl_sock;

/* 0 or a negative libnl error.  The kernel's own message is re-sent with
 * the device changed (see XP_NL_MAX); olddev: the device a's label was
 * made for ("" when dev is that device).  nodad: add an IPv6 address
 * usable at once (it already served), then set its flags back as they
 * were (a replace, which starts no DAD). */
int xp_addr_add(struct nl_sock *sk, const char *dev, const char *olddev, const struct xp_addr *a,
		int nodad);
int xp_addr_del(struct nl_sock *sk, const char *dev, const struct xp_addr *a);
/* a is on dev already: its flags back to a's (a replace; no DAD). */
int xp_addr_reflag(struct nl_sock *sk, const char *dev, const struct xp_addr *a);
/* Adds next to an existing route with the same key (never replaces). */
int xp_route_add(struct nl_sock *sk, const char *dev, const struct xp_route *r);
int xp_route_del(struct nl_sock *sk, const char *dev, const struct xp_route *r);

/* The label a would carry on dev, moved from olddev: OLDDEV -> DEV,
 * OLDDEV:X -> DEV:X, others unchanged (may be too long: callers check). */
void xp_addr_label_for(const struct xp_addr *a, const char *olddev, const char *dev, char *out,
		       size_t len);

/* Was err "no such address/route" (a delete of something already gone)? */
int xp_nl_err_gone(int err);

#endif
