/* Bridge facts and port VLANs; see bridge.h. */
#include "common/bridge.h"

#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <string.h>
#include <sys/socket.h>

#include "common/nl.h"

/* One IFLA_BRIDGE_VLAN_INFO entry. */
static int put_info(struct nl_msg *m, int vid, int flags)
{
	struct bridge_vlan_info vi = {.flags = (__u16)flags, .vid = (__u16)vid};

	return nla_put(m, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
}

/* A run lo..hi as one entry or a BEGIN/END pair. */
static int put_run(struct nl_msg *m, const struct xp_vlan_run *r)
{
	int err;

	if (r->lo == r->hi)
		return put_info(m, r->lo, r->flags);
	err = put_info(m, r->lo, r->flags | BRIDGE_VLAN_INFO_RANGE_BEGIN);
	return err ? err : put_info(m, r->hi, r->flags | BRIDGE_VLAN_INFO_RANGE_END);
}

int xp_brport_vlans(struct nl_sock *sk, int ifindex, int del, const struct xp_vlan_run *runs,
		    size_t n)
{
	struct ifinfomsg ifi = {.ifi_family = AF_BRIDGE, .ifi_index = ifindex};
	struct nl_msg *m;
	struct nlattr *spec;
	int err = 0;

	if (ifindex <= 0)
		return -NLE_OBJ_NOTFOUND;
	m = nlmsg_alloc_simple(del ? RTM_DELLINK : RTM_SETLINK, 0);
	if (!m)
		return -NLE_NOMEM;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    !(spec = nla_nest_start(m, IFLA_AF_SPEC))) {
		nlmsg_free(m);
		return -NLE_NOMEM;
	}
	for (size_t i = 0; i < n && !err; i++)
		err = put_run(m, &runs[i]);
	if (err) { /* cannot happen for <= 4094 entries */
		nlmsg_free(m);
		return -NLE_NOMEM;
	}
	nla_nest_end(m, spec);
	return xp_nl_do(sk, m);
}

static int set_mtu(struct nl_sock *sk, int ifindex, int mtu)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, 0);

	if (!m)
		return -NLE_NOMEM;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(m, IFLA_MTU, (uint32_t)mtu) < 0) {
		nlmsg_free(m);
		return -NLE_NOMEM;
	}
	return xp_nl_do(sk, m);
}

int xp_br_pin_mtu(struct nl_sock *sk, int ifindex, int mtu)
{
	int err;

	if (ifindex <= 0)
		return -NLE_OBJ_NOTFOUND;
	if (mtu < 68 || mtu > 65535)
		return -NLE_INVAL;
	/* at 65535 there is no mtu + 1: one below instead (far above 1280) */
	err = set_mtu(sk, ifindex, mtu < 65535 ? mtu + 1 : mtu - 1);
	return err < 0 ? err : set_mtu(sk, ifindex, mtu);
}

struct brq {
	int found;
	struct xp_br_info bi;
};

static int on_link(struct nlmsghdr *nlh, void *arg)
{
	struct brq *q = arg;
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_LINKINFO] ||
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !li[IFLA_INFO_KIND] || strcmp(nla_get_string(li[IFLA_INFO_KIND]), "bridge"))
		return 0;
	q->found = 1;
	xp_br_info_parse(li[IFLA_INFO_DATA], &q->bi);
	return 0;
}

int xp_br_vlan_info(struct nl_sock *sk, int ifindex, int *filtering, int *default_pvid)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct brq q = {0, {0, 0, 0, 1}};
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETLINK, 0);
	int err;

	if (!m)
		return -NLE_NOMEM;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(m);
		return -NLE_NOMEM;
	}
	err = xp_nl_query(sk, m, on_link, &q);
	if (err < 0)
		return err;
	if (!q.found)
		return -NLE_OPNOTSUPP;
	*filtering = q.bi.vlan_filtering;
	*default_pvid = q.bi.default_pvid;
	return 0;
}
