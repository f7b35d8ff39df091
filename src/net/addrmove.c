/* Address and route primitives; see addrmove.h. */
#include "net/addrmove.h"
#include "common/nl.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <string.h>
#include <sys/socket.h>

#include "net/exec.h"
#include "net/kind.h"

static size_t alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* Flags a caller may ask for; the rest are the kernel's to set. */
#define ADDR_FLAGS_KEPT                                                                            \
	(IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR |       \
	 IFA_F_NODAD)

static int addr_msg(struct nl_sock *sk, int type, int flags, const char *dev,
		    const struct xp_addr *a, int nodad)
{
	int idx = xp_nl_ifindex(sk, dev);
	struct ifaddrmsg ifa = {
	    .ifa_family = (unsigned char)a->family,
	    .ifa_prefixlen = (unsigned char)a->prefixlen,
	    .ifa_scope = (unsigned char)a->scope,
	};
	struct nl_msg *msg;
	unsigned int f = (a->flags & ADDR_FLAGS_KEPT) | (nodad ? IFA_F_NODAD : 0);
	int bad = 0;

	if (a->family != AF_INET6)
		f &= ~(unsigned)IFA_F_NODAD;
	if (idx <= 0)
		return -NLE_OBJ_NOTFOUND;
	ifa.ifa_index = (unsigned)idx;
	ifa.ifa_flags = (unsigned char)(f & 0xff);
	msg = nlmsg_alloc_simple(type, flags);
	if (!msg)
		return -NLE_NOMEM;
	bad |= nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	bad |= nla_put(msg, IFA_LOCAL, (int)alen(a->family), a->addr);
	bad |= nla_put(msg, IFA_ADDRESS, (int)alen(a->family), a->addr);
	if (type == RTM_NEWADDR) {
		bad |= nla_put_u32(msg, IFA_FLAGS, f);
		if (a->has_brd)
			bad |= nla_put(msg, IFA_BROADCAST, 4, a->brd);
	}
	if (bad) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	return xp_nl_do(sk, msg);
}

int xp_addr_add(struct nl_sock *sk, const char *dev, const struct xp_addr *a, int nodad)
{
	return addr_msg(sk, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, dev, a, nodad);
}

int xp_addr_del(struct nl_sock *sk, const char *dev, const struct xp_addr *a)
{
	return addr_msg(sk, RTM_DELADDR, 0, dev, a, 0);
}

static int route_msg(struct nl_sock *sk, int type, int flags, const char *dev,
		     const struct xp_route *r)
{
	int idx = xp_nl_ifindex(sk, dev);
	struct rtmsg rtm = {
	    .rtm_family = (unsigned char)r->family,
	    .rtm_dst_len = (unsigned char)r->dst_len,
	    .rtm_tos = (unsigned char)r->tos,
	    .rtm_table = r->table < 256 ? (unsigned char)r->table : RT_TABLE_UNSPEC,
	    .rtm_protocol = (unsigned char)r->protocol,
	    .rtm_scope = (unsigned char)r->scope,
	    .rtm_type = (unsigned char)r->type,
	};
	size_t n = alen(r->family);
	struct nl_msg *msg;
	int bad = 0;

	if (idx <= 0)
		return -NLE_OBJ_NOTFOUND;
	if (type == RTM_DELROUTE) {
		/* match any scope and protocol, like ip route del */
		rtm.rtm_scope = RT_SCOPE_NOWHERE;
		rtm.rtm_protocol = 0;
	}
	msg = nlmsg_alloc_simple(type, flags);
	if (!msg)
		return -NLE_NOMEM;
	bad |= nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	bad |= nla_put_u32(msg, RTA_TABLE, r->table);
	if (r->dst_len)
		bad |= nla_put(msg, RTA_DST, (int)n, r->dst);
	if (r->has_gw)
		bad |= nla_put(msg, RTA_GATEWAY, (int)n, r->gw);
	if (r->has_prefsrc && type == RTM_NEWROUTE)
		bad |= nla_put(msg, RTA_PREFSRC, (int)n, r->prefsrc);
	if (r->priority)
		bad |= nla_put_u32(msg, RTA_PRIORITY, r->priority);
	bad |= nla_put_u32(msg, RTA_OIF, (uint32_t)idx);
	if (bad) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	return xp_nl_do(sk, msg);
}

int xp_route_add(struct nl_sock *sk, const char *dev, const struct xp_route *r)
{
	/* No NLM_F_EXCL: the same prefix through the port may coexist until
	 * the port's copy is deleted. */
	return route_msg(sk, RTM_NEWROUTE, NLM_F_CREATE, dev, r);
}

int xp_route_del(struct nl_sock *sk, const char *dev, const struct xp_route *r)
{
	return route_msg(sk, RTM_DELROUTE, 0, dev, r);
}

int xp_nl_err_gone(int err)
{
	return err == -NLE_NOADDR || err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV;
}
