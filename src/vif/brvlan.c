#include "vif/brvlan.h"

#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <string.h>
#include <sys/socket.h>

/* One IFLA_BRIDGE_VLAN_INFO entry. */
static int put_info(struct nl_msg *m, int vid, int flags)
{
	struct bridge_vlan_info vi = {.flags = (__u16)flags, .vid = (__u16)vid};

	return nla_put(m, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
}

/* A run lo..hi as one entry or a BEGIN/END pair. */
static int put_run(struct nl_msg *m, int lo, int hi, int flags)
{
	int err;

	if (lo == hi)
		return put_info(m, lo, flags);
	err = put_info(m, lo, flags | BRIDGE_VLAN_INFO_RANGE_BEGIN);
	return err ? err : put_info(m, hi, flags | BRIDGE_VLAN_INFO_RANGE_END);
}

static struct nl_msg *port_msg(int type, int ifindex, struct nlattr **spec)
{
	struct ifinfomsg ifi = {.ifi_family = AF_BRIDGE, .ifi_index = ifindex};
	struct nl_msg *m = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_ACK);

	if (!m)
		return NULL;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    !(*spec = nla_nest_start(m, IFLA_AF_SPEC))) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

static int send_msg(struct nl_sock *sk, struct nl_msg *m, struct nlattr *spec)
{
	int err;

	nla_nest_end(m, spec);
	err = nl_send_auto(sk, m);
	nlmsg_free(m);
	if (err < 0)
		return err;
	return nl_wait_for_ack(sk);
}

int xp_brvlan_add(struct nl_sock *sk, int ifindex, const struct xp_vlanspec *s)
{
	struct nlattr *spec;
	struct nl_msg *m = port_msg(RTM_SETLINK, ifindex, &spec);
	int lo = 0, hi = 0, f, err = 0;

	if (!m)
		return -NLE_NOMEM;
	while (!err && xp_vlanspec_next_run(s, &lo, &hi, &f) == 0) {
		int kf = 0;

		if (f & XP_VLAN_F_PVID)
			kf |= BRIDGE_VLAN_INFO_PVID;
		if (f & XP_VLAN_F_UNTAGGED)
			kf |= BRIDGE_VLAN_INFO_UNTAGGED;
		err = put_run(m, lo, hi, kf);
	}
	if (err) {
		nlmsg_free(m);
		return err; /* message too large cannot happen: <= 4094 entries */
	}
	return send_msg(sk, m, spec);
}

int xp_brvlan_del(struct nl_sock *sk, int ifindex, int lo, int hi)
{
	struct nlattr *spec;
	struct nl_msg *m = port_msg(RTM_DELLINK, ifindex, &spec);
	int err;

	if (!m)
		return -NLE_NOMEM;
	err = put_run(m, lo, hi, 0);
	if (err) {
		nlmsg_free(m);
		return err;
	}
	return send_msg(sk, m, spec);
}

struct brinfo {
	int found, filtering, pvid;
};

static int on_link(struct nl_msg *m, void *arg)
{
	struct brinfo *bi = arg;
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *br[IFLA_BR_MAX + 1];

	if (nlmsg_parse(nlmsg_hdr(m), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_LINKINFO])
		return NL_OK;
	if (nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !li[IFLA_INFO_KIND] || strcmp(nla_get_string(li[IFLA_INFO_KIND]), "bridge") ||
	    !li[IFLA_INFO_DATA])
		return NL_OK;
	if (nla_parse_nested(br, IFLA_BR_MAX, li[IFLA_INFO_DATA], NULL) < 0)
		return NL_OK;
	bi->found = 1;
	if (br[IFLA_BR_VLAN_FILTERING])
		bi->filtering = nla_get_u8(br[IFLA_BR_VLAN_FILTERING]);
	if (br[IFLA_BR_VLAN_DEFAULT_PVID])
		bi->pvid = nla_get_u16(br[IFLA_BR_VLAN_DEFAULT_PVID]);
	return NL_OK;
}

int xp_br_vlan_info(struct nl_sock *sk, int ifindex, int *filtering, int *default_pvid)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct brinfo bi = {0, 0, 1};
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK);
	struct nl_cb *orig, *cb;
	int err;

	if (!m)
		return -NLE_NOMEM;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(m);
		return -NLE_NOMEM;
	}
	err = nl_send_auto(sk, m);
	nlmsg_free(m);
	if (err < 0)
		return err;
	orig = nl_socket_get_cb(sk);
	cb = nl_cb_clone(orig);
	nl_cb_put(orig);
	if (!cb)
		return -NLE_NOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_link, &bi);
	/* The reply, then (a separate datagram) the kernel's ack. */
	err = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (err < 0)
		return err;
	err = nl_wait_for_ack(sk);
	if (err < 0)
		return err;
	if (!bi.found)
		return -NLE_OPNOTSUPP;
	*filtering = bi.filtering;
	*default_pvid = bi.pvid;
	return 0;
}
