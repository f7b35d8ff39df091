/* Thin helpers over libnl-route shared by both helpers.  Links are always
 * looked up by name or index (RTM_GETLINK for one link), never by dumping
 * every link, so the cost of a call does not grow with the number of guests. */
#ifndef XP_COMMON_NL_H
#define XP_COMMON_NL_H

#include <netlink/netlink.h>
#include <netlink/route/link.h>

/* A connected NETLINK_ROUTE socket, or NULL (errno-style message logged). */
struct nl_sock *xp_nl_open(void);
void xp_nl_close(struct nl_sock *sk);

/* 0 and *out (caller rtnl_link_put()s it), -NLE_OBJ_NOTFOUND if there is no
 * such link, another negative libnl error otherwise. */
int xp_link_by_name(struct nl_sock *sk, const char *name, struct rtnl_link **out);
int xp_link_by_index(struct nl_sock *sk, int ifindex, struct rtnl_link **out);

/* Apply the attributes set in `changes` to `link` (RTM_NEWLINK/SETLINK). */
int xp_link_change(struct nl_sock *sk, struct rtnl_link *link, struct rtnl_link *changes);

/* libnl error text. */
const char *xp_nl_strerror(int err);

#endif
