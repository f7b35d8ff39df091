#include "common/nl.h"

#include <errno.h>
#include <string.h>

#include "common/log.h"

struct nl_sock *xp_nl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		xp_log(LOG_ERR, "cannot allocate a netlink socket");
		return NULL;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		xp_log(LOG_ERR, "cannot open rtnetlink: %s", nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

void xp_nl_close(struct nl_sock *sk)
{
	if (sk)
		nl_socket_free(sk);
}

int xp_link_by_name(struct nl_sock *sk, const char *name, struct rtnl_link **out)
{
	*out = NULL;
	return rtnl_link_get_kernel(sk, 0, name, out);
}

int xp_link_by_index(struct nl_sock *sk, int ifindex, struct rtnl_link **out)
{
	*out = NULL;
	return rtnl_link_get_kernel(sk, ifindex, NULL, out);
}

int xp_link_change(struct nl_sock *sk, struct rtnl_link *link, struct rtnl_link *changes)
{
	return rtnl_link_change(sk, link, changes, 0);
}

const char *xp_nl_strerror(int err)
{
	return nl_geterror(err < 0 ? -err : err);
}
