#include "common/l3nl.h"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/nl.h"

int xp_ip_full(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

static int plen(const struct xp_ipaddr *a)
{
	return a->prefixlen < 0 ? xp_ip_full(a->family) : a->prefixlen;
}

static int alen(const struct xp_ipaddr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}

void xp_ip_format(const struct xp_ipaddr *a, char *buf, size_t len)
{
	char t[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->family, a->addr, t, sizeof(t)))
		snprintf(t, sizeof(t), "?");
	snprintf(buf, len, "%s/%d", t, plen(a));
}

static struct nl_msg *start(int type, int flags, const void *hdr, size_t hlen)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, NLM_F_REQUEST | flags);

	if (m && nlmsg_append(m, (void *)hdr, hlen, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

/* sends and frees m; -NLE_NOMEM if an attribute did not fit (bad) */
static int finish(struct nl_sock *sk, struct nl_msg *m, int bad)
{
	if (!m)
		return -NLE_NOMEM;
	if (bad) {
		nlmsg_free(m);
		return -NLE_NOMEM;
	}
	return xp_nl_do(sk, m);
}

int xp_addr_change(struct nl_sock *sk, int add, int ifindex, const struct xp_ipaddr *a)
{
	struct ifaddrmsg ifa = {.ifa_family = (unsigned char)a->family,
				.ifa_prefixlen = (unsigned char)plen(a),
				.ifa_index = (unsigned)ifindex,
				.ifa_scope = RT_SCOPE_UNIVERSE};
	struct nl_msg *m = start(add ? RTM_NEWADDR : RTM_DELADDR,
				 add ? NLM_F_CREATE | NLM_F_EXCL : 0, &ifa, sizeof(ifa));
	int bad = 0;

	if (!m)
		return -NLE_NOMEM;
	bad |= nla_put(m, IFA_LOCAL, alen(a), a->addr) < 0;
	bad |= nla_put(m, IFA_ADDRESS, alen(a), a->addr) < 0;
	if (a->family == AF_INET6 && add)
		bad |= nla_put_u32(m, IFA_FLAGS, IFA_F_NODAD) < 0;
	return finish(sk, m, bad);
}

int xp_route_change(struct nl_sock *sk, int add, const struct xp_ipaddr *dst, int oif,
		    const struct xp_ipaddr *src, int metric)
{
	struct rtmsg r = {.rtm_family = (unsigned char)dst->family,
			  .rtm_dst_len = (unsigned char)plen(dst),
			  .rtm_table = RT_TABLE_MAIN,
			  .rtm_protocol = XP_RTPROT,
			  .rtm_scope = RT_SCOPE_LINK,
			  .rtm_type = RTN_UNICAST};
	struct nl_msg *m = start(add ? RTM_NEWROUTE : RTM_DELROUTE,
				 add ? NLM_F_CREATE | NLM_F_EXCL : 0, &r, sizeof(r));
	int bad = 0;

	if (!m)
		return -NLE_NOMEM;
	bad |= nla_put(m, RTA_DST, alen(dst), dst->addr) < 0;
	bad |= nla_put_u32(m, RTA_OIF, (uint32_t)oif) < 0;
	bad |= nla_put_u32(m, RTA_PRIORITY, (uint32_t)metric) < 0;
	if (src && src->family == dst->family)
		bad |= nla_put(m, RTA_PREFSRC, alen(src), src->addr) < 0;
	return finish(sk, m, bad);
}

struct rfind {
	const struct xp_ipaddr *dst;
	int oif, found, other;
};

static int on_route(struct nlmsghdr *nlh, void *arg)
{
	struct rfind *f = arg;
	struct rtmsg *r = nlmsg_data(nlh);
	struct nlattr *tb[RTA_MAX + 1];
	int oif;

	if (nlh->nlmsg_type != RTM_NEWROUTE || r->rtm_protocol != XP_RTPROT ||
	    r->rtm_dst_len != plen(f->dst) || r->rtm_family != f->dst->family)
		return 0;
	if (nlmsg_parse(nlh, sizeof(*r), tb, RTA_MAX, NULL) < 0 || !tb[RTA_DST] || !tb[RTA_OIF] ||
	    nla_len(tb[RTA_DST]) != alen(f->dst) ||
	    memcmp(nla_data(tb[RTA_DST]), f->dst->addr, (size_t)alen(f->dst)))
		return 0;
	oif = (int)nla_get_u32(tb[RTA_OIF]);
	if (oif == f->oif)
		f->found = 1;
	else if (!f->other)
		f->other = oif;
	return 0;
}

int xp_route_find(struct nl_sock *sk, const struct xp_ipaddr *dst, int oif, int *other_oif)
{
	struct rtmsg r = {.rtm_family = (unsigned char)dst->family,
			  .rtm_table = RT_TABLE_MAIN,
			  .rtm_protocol = XP_RTPROT};
	struct nl_msg *m = start(RTM_GETROUTE, NLM_F_DUMP, &r, sizeof(r));
	struct rfind f = {dst, oif, 0, 0};
	int err;

	/* strict checking (xp_nl_setup) has the kernel filter by table and
	 * protocol; on_route checks every answer anyway */
	if (!m)
		return -NLE_NOMEM;
	if (nla_put_u32(m, RTA_TABLE, RT_TABLE_MAIN) < 0) {
		nlmsg_free(m);
		return -NLE_NOMEM;
	}
	err = xp_nl_query(sk, m, on_route, &f);
	if (err < 0)
		return err;
	if (other_oif)
		*other_oif = f.other;
	return f.found;
}

int xp_pneigh_change(struct nl_sock *sk, int add, int ifindex, const struct xp_ipaddr *addr)
{
	struct ndmsg nd = {.ndm_family = (unsigned char)addr->family,
			   .ndm_ifindex = ifindex,
			   .ndm_flags = NTF_PROXY,
			   .ndm_state = NUD_PERMANENT};
	struct nl_msg *m = start(add ? RTM_NEWNEIGH : RTM_DELNEIGH,
				 add ? NLM_F_CREATE | NLM_F_EXCL : 0, &nd, sizeof(nd));

	if (!m)
		return -NLE_NOMEM;
	return finish(sk, m, nla_put(m, NDA_DST, alen(addr), addr->addr) < 0);
}

static int on_any(struct nlmsghdr *nlh, void *arg)
{
	int *n = arg;

	(void)nlh;
	(*n)++;
	return 0;
}

int xp_pneigh_exists(struct nl_sock *sk, int ifindex, const struct xp_ipaddr *addr)
{
	struct ndmsg nd = {.ndm_family = (unsigned char)addr->family,
			   .ndm_ifindex = ifindex,
			   .ndm_flags = NTF_PROXY};
	struct nl_msg *m = start(RTM_GETNEIGH, 0, &nd, sizeof(nd));
	int n = 0, err;

	if (!m)
		return -NLE_NOMEM;
	if (nla_put(m, NDA_DST, alen(addr), addr->addr) < 0) {
		nlmsg_free(m);
		return -NLE_NOMEM;
	}
	err = xp_nl_query(sk, m, on_any, &n);
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NOADDR)
		return 0;
	return err < 0 ? err : n > 0;
}

int xp_link_set_group(struct nl_sock *sk, int ifindex, unsigned group)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *m = start(RTM_NEWLINK, 0, &ifi, sizeof(ifi));

	if (!m)
		return -NLE_NOMEM;
	return finish(sk, m, nla_put_u32(m, IFLA_GROUP, group) < 0);
}

struct afind {
	int ifindex, family;
	const struct xp_ipaddr *want; /* NULL: first usable */
	struct xp_ipaddr *out;
	int found;
};

static int on_addr(struct nlmsghdr *nlh, void *arg)
{
	struct afind *f = arg;
	struct ifaddrmsg *ifa = nlmsg_data(nlh);
	struct nlattr *tb[IFA_MAX + 1], *a;
	int len = f->family == AF_INET6 ? 16 : 4;

	if (f->found || nlh->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != f->ifindex ||
	    ifa->ifa_family != f->family)
		return 0;
	if (nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || nla_len(a) != len)
		return 0;
	if (f->want) {
		if (!memcmp(nla_data(a), f->want->addr, (size_t)len))
			f->found = 1;
		return 0;
	}
	if ((ifa->ifa_flags & IFA_F_SECONDARY) || ifa->ifa_scope != RT_SCOPE_UNIVERSE ||
	    (ifa->ifa_flags & IFA_F_TENTATIVE))
		return 0;
	memset(f->out, 0, sizeof(*f->out));
	f->out->family = f->family;
	memcpy(f->out->addr, nla_data(a), (size_t)len);
	f->out->prefixlen = xp_ip_full(f->family);
	f->found = 1;
	return 0;
}

static int addr_scan(struct nl_sock *sk, struct afind *f)
{
	struct ifaddrmsg ifa = {.ifa_family = (unsigned char)f->family,
				.ifa_index = (unsigned)f->ifindex};
	/* strict checking filters the dump by ifa_index */
	struct nl_msg *m = start(RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	int err;

	if (!m)
		return -NLE_NOMEM;
	err = xp_nl_query(sk, m, on_addr, f);
	return err < 0 ? err : f->found;
}

int xp_addr_first(struct nl_sock *sk, int ifindex, int family, struct xp_ipaddr *out)
{
	struct afind f = {ifindex, family, NULL, out, 0};
	int rc = addr_scan(sk, &f);

	if (rc < 0)
		return rc;
	return rc ? 0 : -NLE_OBJ_NOTFOUND;
}

int xp_addr_present(struct nl_sock *sk, int ifindex, const struct xp_ipaddr *a)
{
	struct xp_ipaddr tmp;
	struct afind f = {ifindex, a->family, a, &tmp, 0};

	return addr_scan(sk, &f);
}

static int on_link(struct nlmsghdr *nlh, void *arg)
{
	struct xp_linkinfo *li = arg;
	struct ifinfomsg *ifi = nlmsg_data(nlh);
	struct nlattr *tb[IFLA_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return 0;
	li->ifindex = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	li->master = tb[IFLA_MASTER] ? (int)nla_get_u32(tb[IFLA_MASTER]) : 0;
	li->group = tb[IFLA_GROUP] ? nla_get_u32(tb[IFLA_GROUP]) : 0;
	li->mtu = tb[IFLA_MTU] ? (int)nla_get_u32(tb[IFLA_MTU]) : 0;
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6) {
		memcpy(li->mac, nla_data(tb[IFLA_ADDRESS]), 6);
		li->has_mac = 1;
	}
	if (tb[IFLA_IFNAME])
		snprintf(li->name, sizeof(li->name), "%s", nla_get_string(tb[IFLA_IFNAME]));
	return 0;
}

int xp_link_info(struct nl_sock *sk, const char *name, int ifindex, struct xp_linkinfo *out)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *m = start(RTM_GETLINK, 0, &ifi, sizeof(ifi));
	int err, bad = 0;

	memset(out, 0, sizeof(*out));
	if (!m)
		return -NLE_NOMEM;
	if (!ifindex)
		bad |= nla_put_string(m, IFLA_IFNAME, name) < 0;
	bad |= nla_put_u32(m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0;
	if (bad) {
		nlmsg_free(m);
		return -NLE_NOMEM;
	}
	err = xp_nl_query(sk, m, on_link, out);
	if (err == -NLE_NODEV)
		err = -NLE_OBJ_NOTFOUND;
	if (!err && !out->ifindex)
		err = -NLE_OBJ_NOTFOUND;
	return err;
}

int xp_link_set(struct nl_sock *sk, int ifindex, int up, const char *name, const uint8_t *mac,
		int mtu)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
				.ifi_index = ifindex,
				.ifi_flags = up > 0 ? IFF_UP : 0,
				.ifi_change = up >= 0 ? IFF_UP : 0};
	struct nl_msg *m = start(RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	int bad = 0;

	if (!m)
		return -NLE_NOMEM;
	if (name)
		bad |= nla_put_string(m, IFLA_IFNAME, name) < 0;
	if (mac)
		bad |= nla_put(m, IFLA_ADDRESS, 6, mac) < 0;
	if (mtu > 0)
		bad |= nla_put_u32(m, IFLA_MTU, (uint32_t)mtu) < 0;
	return finish(sk, m, bad);
}
