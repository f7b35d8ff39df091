/* Address and route primitives; see addrmove.h. */
#include "net/addrmove.h"
#include "common/nl.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* An address label for dev: the old device's own name, or its "NAME:X"
 * alias form, follows the device; any other label stays as it is. */
static void relabel(const char *label, const char *olddev, const char *dev, char *out, size_t len)
{
	size_t n = strlen(olddev);
	int ours = label[0] && olddev[0] && !strncmp(label, olddev, n);

	if (ours && (label[n] == ':' || label[n] == 0))
		snprintf(out, len, "%s%s", dev, label + n);
	else
		snprintf(out, len, "%s", label);
}

void xp_addr_label_for(const struct xp_addr *a, const char *olddev, const char *dev, char *out,
		       size_t len)
{
	relabel(a->label, olddev, dev, out, len);
}

/* The kernel's message for a, re-addressed to ifindex idx (dev), as
 * RTM_NEWADDR (flags f) or RTM_DELADDR: every attribute as dumped but the
 * read-only ones; IFA_CACHEINFO carries the remaining lifetimes back. */
static int addr_from_nl(struct nl_msg *msg, int type, int idx, const char *dev, const char *olddev,
			const struct xp_addr *a, unsigned int f)
{
	struct ifaddrmsg ifa;
	const struct nlattr *at;
	int left, bad = 0;

	memcpy(&ifa, a->nl, sizeof(ifa));
	ifa.ifa_index = (unsigned)idx;
	ifa.ifa_flags = (unsigned char)(f & 0xff);
	bad |= nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	at = (const struct nlattr *)(a->nl + NLMSG_ALIGN(sizeof(ifa)));
	left = (int)a->nllen - (int)NLMSG_ALIGN(sizeof(ifa));
	for (; nla_ok(at, left); at = nla_next(at, &left)) {
		int t = nla_type(at);

		if (t == IFA_FLAGS || t == IFA_MULTICAST || t == IFA_TARGET_NETNSID)
			continue;
		if (type == RTM_DELADDR && t != IFA_LOCAL && t != IFA_ADDRESS)
			continue;
		if (t == IFA_LABEL) {
			char label[XP_IFNAMSIZ], old[XP_IFNAMSIZ];
			snprintf(old, sizeof(old), "%.*s", nla_len(at), (const char *)nla_data(at));
			relabel(old, olddev, dev, label, sizeof(label));
			bad |= nla_put_string(msg, IFA_LABEL, label);
			continue;
		}
		bad |= nla_put(msg, t, nla_len(at), nla_data(at));
	}
	if (type == RTM_NEWADDR)
		bad |= nla_put_u32(msg, IFA_FLAGS, f);
	return bad ? -NLE_NOMEM : 0;
}

/* Without the kernel's message (a record of an older version): what the
 * fields say. */
static int addr_from_fields(struct nl_msg *msg, int type, int idx, const struct xp_addr *a,
			    unsigned int f)
{
	struct ifaddrmsg ifa = {
	    .ifa_family = (unsigned char)a->family,
	    .ifa_prefixlen = (unsigned char)a->prefixlen,
	    .ifa_scope = (unsigned char)a->scope,
	    .ifa_index = (unsigned)idx,
	    .ifa_flags = (unsigned char)(f & 0xff),
	};
	int bad = 0;

	bad |= nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	bad |= nla_put(msg, IFA_LOCAL, (int)alen(a->family), a->addr);
	bad |= nla_put(msg, IFA_ADDRESS, (int)alen(a->family), a->has_peer ? a->peer : a->addr);
	if (type == RTM_NEWADDR) {
		bad |= nla_put_u32(msg, IFA_FLAGS, f);
		if (a->has_brd)
			bad |= nla_put(msg, IFA_BROADCAST, 4, a->brd);
	}
	return bad ? -NLE_NOMEM : 0;
}

/* A request of TYPE for DEV: its ifindex in *idx, NULL (and *err) when
 * DEV is gone or memory is short. */
static struct nl_msg *msg_for(struct nl_sock *sk, const char *dev, int type, int flags, int *idx,
			      int *err)
{
	*idx = xp_nl_ifindex(sk, dev);
	*err = *idx <= 0 ? -NLE_OBJ_NOTFOUND : -NLE_NOMEM;
	return *idx <= 0 ? NULL : nlmsg_alloc_simple(type, flags);
}

/* Send a filled request, or drop it when filling it failed. */
static int send_filled(struct nl_sock *sk, struct nl_msg *msg, int err)
{
	if (err < 0) {
		nlmsg_free(msg);
		return err;
	}
	return xp_nl_do(sk, msg);
}

static int addr_msg(struct nl_sock *sk, int type, int flags, const char *dev, const char *olddev,
		    const struct xp_addr *a, unsigned int f)
{
	int idx, err;
	struct nl_msg *msg = msg_for(sk, dev, type, flags, &idx, &err);

	if (!msg)
		return err;
	if (a->nllen >= sizeof(struct ifaddrmsg))
		err = addr_from_nl(msg, type, idx, dev, olddev, a, f);
	else
		err = addr_from_fields(msg, type, idx, a, f);
	return send_filled(sk, msg, err);
}

int xp_addr_add(struct nl_sock *sk, const char *dev, const char *olddev, const struct xp_addr *a,
		int nodad)
{
	unsigned int f = a->flags & ADDR_FLAGS_KEPT;
	int err;

	if (a->family != AF_INET6)
		return addr_msg(sk, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, dev, olddev, a, f);
	/* IPv6: usable at once (no DAD: it served already), then the flags
	 * as they were; a replace never starts DAD */
	err = addr_msg(sk, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, dev, olddev, a,
		       f | (nodad ? IFA_F_NODAD : 0));
	if (err < 0 || !nodad || (f & IFA_F_NODAD))
		return err;
	return addr_msg(sk, RTM_NEWADDR, NLM_F_REPLACE, dev, olddev, a, f);
}

int xp_addr_reflag(struct nl_sock *sk, const char *dev, const struct xp_addr *a)
{
	return addr_msg(sk, RTM_NEWADDR, NLM_F_REPLACE, dev, dev, a, a->flags & ADDR_FLAGS_KEPT);
}

int xp_addr_del(struct nl_sock *sk, const char *dev, const struct xp_addr *a)
{
	return addr_msg(sk, RTM_DELADDR, 0, dev, "", a, 0);
}

/* RTA_MULTIPATH with the nexthops through r->origidx moved to idx.
 * IPv6 keeps each nexthop as a route of its own (siblings): only the ones
 * through the old device go into the message; IPv4 has one route, all go. */
static int put_multipath(struct nl_msg *msg, const struct xp_route *r, const struct nlattr *mp,
			 int idx)
{
	struct nlattr *nest = nla_nest_start(msg, RTA_MULTIPATH);
	const struct rtnexthop *nh = nla_data(mp);
	int left = nla_len(mp);

	if (!nest)
		return -NLE_NOMEM;
	while (left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
	       (int)nh->rtnh_len <= left) {
		int mine = nh->rtnh_ifindex == r->origidx;

		if (mine || r->family != AF_INET6) {
			struct rtnexthop *out =
			    nlmsg_reserve(msg, RTNH_ALIGN(nh->rtnh_len), NLMSG_ALIGNTO);
			if (!out)
				return -NLE_NOMEM;
			memcpy(out, nh, nh->rtnh_len);
			out->rtnh_flags &= RTNH_F_ONLINK;
			if (mine)
				out->rtnh_ifindex = idx;
		}
		left -= RTNH_ALIGN(nh->rtnh_len);
		nh = RTNH_NEXT(nh);
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* The kernel's message for r through idx instead of r->origidx: every
 * attribute as dumped but the read-only ones; the nexthop flags a caller
 * may set (onlink) kept; an IPv6 route's remaining lifetime as
 * RTA_EXPIRES.  A delete leaves out the metrics (matched loosely). */
static int route_from_nl(struct nl_msg *msg, int type, int idx, const struct xp_route *r)
{
	struct rtmsg rtm;
	const struct nlattr *at;
	int left, bad = 0;

	memcpy(&rtm, r->nl, sizeof(rtm));
	rtm.rtm_flags &= RTNH_F_ONLINK;
	if (type == RTM_DELROUTE)
		rtm.rtm_scope = RT_SCOPE_NOWHERE;
	bad |= nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	at = (const struct nlattr *)(r->nl + NLMSG_ALIGN(sizeof(rtm)));
	left = (int)r->nllen - (int)NLMSG_ALIGN(sizeof(rtm));
	for (; !bad && nla_ok(at, left); at = nla_next(at, &left)) {
		int t = nla_type(at);

		switch (t) {
		case RTA_OIF:
			bad |= nla_put_u32(msg, RTA_OIF,
					   (int)nla_get_u32((struct nlattr *)at) == r->origidx
					       ? (uint32_t)idx
					       : nla_get_u32((struct nlattr *)at));
			break;
		case RTA_MULTIPATH:
			bad |= put_multipath(msg, r, at, idx) < 0;
			break;
		case RTA_CACHEINFO: {
			const struct rta_cacheinfo *ci = nla_data(at);
			long hz = sysconf(_SC_CLK_TCK);
			if (type == RTM_NEWROUTE && r->family == AF_INET6 &&
			    nla_len(at) >= (int)sizeof(*ci) && ci->rta_expires > 0 && hz > 0)
				bad |= nla_put_u32(msg, RTA_EXPIRES,
						   (uint32_t)(ci->rta_expires / hz + 1));
			break;
		}
		case RTA_PAD:
		case RTA_UID:
		case RTA_EXPIRES:
		case RTA_IIF:
			break;
		case RTA_METRICS:
			if (type == RTM_DELROUTE)
				break;
			/* fall through */
		default:
			bad |= nla_put(msg, t, nla_len(at), nla_data(at)) < 0;
		}
	}
	return bad ? -NLE_NOMEM : 0;
}

static int route_from_fields(struct nl_msg *msg, int type, int idx, const struct xp_route *r)
{
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
	int bad = 0;

	if (type == RTM_DELROUTE) {
		/* match any scope and protocol, like ip route del */
		rtm.rtm_scope = RT_SCOPE_NOWHERE;
		rtm.rtm_protocol = 0;
	}
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
	return bad ? -NLE_NOMEM : 0;
}

static int route_msg(struct nl_sock *sk, int type, int flags, const char *dev,
		     const struct xp_route *r)
{
	int idx, err;
	struct nl_msg *msg = msg_for(sk, dev, type, flags, &idx, &err);

	if (!msg)
		return err;
	if (r->nllen >= sizeof(struct rtmsg) && r->origidx > 0)
		err = route_from_nl(msg, type, idx, r);
	else
		err = route_from_fields(msg, type, idx, r);
	return send_filled(sk, msg, err);
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
