/* Observe the interfaces the map names, one by one: RTM_GETLINK by name;
 * then, where the run can use them, that link's addresses and routes
 * (dumps the kernel filters by ifindex) and, for a bridge, its ports (a link
 * dump filtered by master).  Masters and parents are named from the links
 * observed already.  Never a dump of every link on the host. */
#include "net/observe.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/bridge.h"
#include "common/nl.h"
#include "map/conf.h"
#include "net/grow.h"
#include "net/kind.h"
#include "net/state.h"

static size_t alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

struct linkinfo {
	struct xp_obs_link *l;
	char *name; /* when not NULL: the link's name goes here */
};

/* IFLA_LINKINFO: the kind, and what its row reads from IFLA_INFO_DATA. */
static void parse_info(struct nlattr *info, struct xp_obs_link *l)
{
	struct nlattr *li[IFLA_INFO_MAX + 1];
	const struct xp_kind *k;
	const char *kind;

	if (nla_parse_nested(li, IFLA_INFO_MAX, info, NULL) < 0 || !li[IFLA_INFO_KIND])
		return;
	kind = nla_get_string(li[IFLA_INFO_KIND]);
	snprintf(l->kind_name, sizeof(l->kind_name), "%s", kind);
	if (!(k = xp_kind_by_name(kind)))
		return;
	l->kind = k->kind;
	if (k->observe)
		k->observe(li[IFLA_INFO_DATA], l);
}

static int on_link(struct nlmsghdr *nlh, void *arg)
{
	struct linkinfo *li = arg;
	struct xp_obs_link *l = li->l;
	struct ifinfomsg *ifi = nlmsg_data(nlh);
	struct nlattr *tb[IFLA_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return 0;
	l->ifindex = ifi->ifi_index;
	l->up = (ifi->ifi_flags & IFF_UP) != 0;
	l->kind = XP_K_OTHER;
	if (tb[IFLA_MTU])
		l->mtu = (int)nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER])
		l->master_index = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		l->link_index = (int)nla_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_GROUP])
		l->group = nla_get_u32(tb[IFLA_GROUP]);
	if (li->name && tb[IFLA_IFNAME])
		snprintf(li->name, XP_IFNAMSIZ, "%s", nla_get_string(tb[IFLA_IFNAME]));
	if (tb[IFLA_LINKINFO])
		parse_info(tb[IFLA_LINKINFO], l);
	return 0;
}

static int get_link(struct nl_sock *sk, const char *name, int ifindex, struct linkinfo *li)
{
	struct nl_msg *msg = xp_nl_getlink_msg(ifindex, name);

	return msg ? xp_nl_query(sk, msg, on_link, li) : -NLE_NOMEM;
}

/* ---- addresses ---- */

/* The message body, to be re-sent on another device (see XP_NL_MAX). */
static void keep_msg(const struct nlmsghdr *nlh, unsigned char *buf, unsigned short *len)
{
	size_t n = (size_t)nlmsg_datalen(nlh);

	*len = 0;
	if (n > XP_NL_MAX)
		return;
	memcpy(buf, nlmsg_data(nlh), n);
	*len = (unsigned short)n;
}

static int on_addr(struct nlmsghdr *nlh, void *arg)
{
	struct xp_obs_link *l = arg;
	struct ifaddrmsg *ifa = nlmsg_data(nlh);
	struct nlattr *tb[IFA_MAX + 1];
	struct nlattr *a;
	struct xp_addr *x;

	if (nlh->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != l->ifindex ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) ||
	    nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || nla_len(a) != (int)alen(ifa->ifa_family))
		return 0;
	l->addrs = xp_grow(l->addrs, l->naddrs, sizeof(*l->addrs));
	x = &l->addrs[l->naddrs++];
	memset(x, 0, sizeof(*x));
	x->family = ifa->ifa_family;
	memcpy(x->addr, nla_data(a), alen(x->family));
	x->prefixlen = ifa->ifa_prefixlen;
	x->scope = ifa->ifa_scope;
	x->flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	if (x->family == AF_INET && tb[IFA_BROADCAST] && nla_len(tb[IFA_BROADCAST]) == 4) {
		x->has_brd = 1;
		memcpy(x->brd, nla_data(tb[IFA_BROADCAST]), 4);
	}
	if (tb[IFA_LOCAL] && tb[IFA_ADDRESS] && nla_len(tb[IFA_ADDRESS]) == nla_len(a) &&
	    memcmp(nla_data(tb[IFA_ADDRESS]), nla_data(a), alen(x->family))) {
		x->has_peer = 1;
		memcpy(x->peer, nla_data(tb[IFA_ADDRESS]), alen(x->family));
	}
	if (tb[IFA_LABEL])
		snprintf(x->label, sizeof(x->label), "%s", nla_get_string(tb[IFA_LABEL]));
	x->origidx = l->ifindex;
	keep_msg(nlh, x->nl, &x->nllen);
	return 0;
}

static int get_addrs(struct nl_sock *sk, struct xp_obs_link *l)
{
	struct ifaddrmsg ifa = {.ifa_family = AF_UNSPEC, .ifa_index = (unsigned)l->ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);

	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	return xp_nl_query(sk, msg, on_addr, l);
}

/* ---- routes ---- */

/* How many of the RTA_MULTIPATH nexthops use ifindex (and how many there
 * are, in *all). */
static int mp_uses(struct nlattr *mp, int ifindex, int *all)
{
	struct rtnexthop *nh = nla_data(mp);
	int left = nla_len(mp), n = 0;

	*all = 0;
	while (left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
	       (int)nh->rtnh_len <= left) {
		(*all)++;
		if (nh->rtnh_ifindex == ifindex)
			n++;
		left -= RTNH_ALIGN(nh->rtnh_len);
		nh = RTNH_NEXT(nh);
	}
	return n;
}

/* Routes through l that a move takes along: in every table, of every type,
 * single or multipath (a nexthop through l), not the kernel's own (made
 * from addresses) and not cached clones; those by nexthop object
 * (RTA_NH_ID) are counted as unmovable. */
static int on_route(struct nlmsghdr *nlh, void *arg)
{
	struct xp_obs_link *l = arg;
	struct rtmsg *rtm = nlmsg_data(nlh);
	struct nlattr *tb[RTA_MAX + 1];
	struct xp_route *r;
	unsigned int table;
	int nhops = 0;
	size_t n;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlmsg_parse(nlh, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return 0;
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (rtm->rtm_protocol == RTPROT_KERNEL || (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	if (tb[RTA_NH_ID]) {
		if (tb[RTA_OIF] && (int)nla_get_u32(tb[RTA_OIF]) == l->ifindex)
			l->unmovable_routes++;
		return 0;
	}
	if (tb[RTA_MULTIPATH]) {
		if (!mp_uses(tb[RTA_MULTIPATH], l->ifindex, &nhops))
			return 0;
	} else if (!tb[RTA_OIF] || (int)nla_get_u32(tb[RTA_OIF]) != l->ifindex) {
		return 0;
	}
	n = alen(rtm->rtm_family);
	l->routes = xp_grow(l->routes, l->nroutes, sizeof(*l->routes));
	r = &l->routes[l->nroutes++];
	memset(r, 0, sizeof(*r));
	r->family = rtm->rtm_family;
	r->table = table;
	r->dst_len = rtm->rtm_dst_len;
	if (tb[RTA_DST] && (size_t)nla_len(tb[RTA_DST]) == n)
		memcpy(r->dst, nla_data(tb[RTA_DST]), n);
	if (tb[RTA_GATEWAY] && (size_t)nla_len(tb[RTA_GATEWAY]) == n) {
		r->has_gw = 1;
		memcpy(r->gw, nla_data(tb[RTA_GATEWAY]), n);
	}
	if (tb[RTA_PREFSRC] && (size_t)nla_len(tb[RTA_PREFSRC]) == n) {
		r->has_prefsrc = 1;
		memcpy(r->prefsrc, nla_data(tb[RTA_PREFSRC]), n);
	}
	if (tb[RTA_PRIORITY])
		r->priority = nla_get_u32(tb[RTA_PRIORITY]);
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->type = rtm->rtm_type;
	r->tos = rtm->rtm_tos;
	r->nhops = nhops;
	r->origidx = l->ifindex;
	keep_msg(nlh, r->nl, &r->nllen);
	/* an IPv6 multipath route is dumped once per sibling: keep one */
	for (size_t i = 0; r->nhops && r->nllen && i + 1 < l->nroutes; i++)
		if (l->routes[i].nllen == r->nllen && !memcmp(l->routes[i].nl, r->nl, r->nllen)) {
			l->nroutes--;
			return 0;
		}
	if (!r->nllen) /* too big to re-send whole: not moved, and said so */
		l->nroutes--, l->unmovable_routes++;
	return 0;
}

static int get_routes(struct nl_sock *sk, struct xp_obs_link *l, int family)
{
	struct rtmsg rtm = {.rtm_family = (unsigned char)family};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_DUMP);

	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, RTA_OIF, (uint32_t)l->ifindex) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	return xp_nl_query(sk, msg, on_route, l);
}

/* ---- bridge ports: a link dump filtered by master ---- */

struct portdump {
	struct xp_obs_link *l;
};

static int on_port(struct nlmsghdr *nlh, void *arg)
{
	struct portdump *pd = arg;
	struct nlattr *tb[IFLA_MAX + 1];
	struct xp_obs_link *l = pd->l;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_MASTER] || (int)nla_get_u32(tb[IFLA_MASTER]) != l->ifindex || !tb[IFLA_IFNAME])
		return 0;
	l->ports = xp_grow(l->ports, l->nports, sizeof(*l->ports));
	snprintf(l->ports[l->nports++], XP_IFNAMSIZ, "%s", nla_get_string(tb[IFLA_IFNAME]));
	return 0;
}

static int get_ports(struct nl_sock *sk, struct xp_obs_link *l)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	struct portdump pd = {l};

	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_MASTER, (uint32_t)l->ifindex) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	return xp_nl_query(sk, msg, on_port, &pd);
}

/* ---- bridge VLANs of one port ---- */

static void add_vid(struct xp_obs_link *l, unsigned short vid)
{
	l->vids = xp_grow(l->vids, (size_t)l->nvids, sizeof(*l->vids));
	l->vids[l->nvids++] = vid;
}

static int on_vlan(struct nlmsghdr *nlh, void *arg)
{
	struct xp_obs_link *l = arg;
	struct br_vlan_msg *bv = nlmsg_data(nlh);
	struct nlattr *a;
	int rem;

	if (nlh->nlmsg_type != RTM_NEWVLAN || (int)bv->ifindex != l->ifindex)
		return 0;
	nlmsg_for_each_attr(a, nlh, sizeof(*bv), rem)
	{
		struct nlattr *e[BRIDGE_VLANDB_ENTRY_MAX + 1];
		const struct bridge_vlan_info *vi;
		unsigned end;

		if (nla_type(a) != BRIDGE_VLANDB_ENTRY ||
		    nla_parse_nested(e, BRIDGE_VLANDB_ENTRY_MAX, a, NULL) < 0 ||
		    !e[BRIDGE_VLANDB_ENTRY_INFO] ||
		    nla_len(e[BRIDGE_VLANDB_ENTRY_INFO]) < (int)sizeof(*vi))
			continue;
		vi = nla_data(e[BRIDGE_VLANDB_ENTRY_INFO]);
		end = e[BRIDGE_VLANDB_ENTRY_RANGE] ? nla_get_u16(e[BRIDGE_VLANDB_ENTRY_RANGE])
						   : vi->vid;
		for (unsigned v = vi->vid; v <= end && v < 4095; v++)
			add_vid(l, (unsigned short)v);
	}
	return 0;
}

int xp_observe_vlans(struct nl_sock *sk, struct xp_obs_link *l)
{
	struct br_vlan_msg bv = {.family = AF_BRIDGE, .ifindex = (unsigned)l->ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETVLAN, NLM_F_DUMP);

	free(l->vids);
	l->vids = NULL;
	l->nvids = 0;
	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &bv, sizeof(bv), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	return xp_nl_query(sk, msg, on_vlan, l);
}

/* Name (and kind) of ifindex: from o when it was observed, else one
 * RTM_GETLINK by index. */
static void index_name(struct nl_sock *sk, const struct xp_observed *o, int ifindex, char *name,
		       int *kind)
{
	struct xp_obs_link tmp;
	struct linkinfo li = {.l = &tmp, .name = name};

	for (size_t i = 0; i < o->n; i++)
		if (o->links[i].ifindex == ifindex && o->links[i].kind != XP_K_ABSENT) {
			snprintf(name, XP_IFNAMSIZ, "%s", o->links[i].name);
			if (kind)
				*kind = o->links[i].kind;
			return;
		}
	memset(&tmp, 0, sizeof(tmp));
	snprintf(name, XP_IFNAMSIZ, "#%d", ifindex);
	if (get_link(sk, NULL, ifindex, &li) == 0 && kind)
		*kind = tmp.kind;
}

/* The link itself: one RTM_GETLINK by name.  The kernel finds a link by
 * any of its names (IFLA_IFNAME looks altnames up too): the entry goes by
 * the kernel's name, and the name asked for finds the same entry. */
static int observe_basic(struct nl_sock *sk, const char *name, struct xp_observed *o)
{
	struct xp_obs_link tmp, *l;
	char kname[XP_IFNAMSIZ] = "";
	struct linkinfo li = {.l = &tmp, .name = kname};
	long i;
	int err;

	memset(&tmp, 0, sizeof(tmp));
	err = get_link(sk, name, 0, &li);
	if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV)
		return err;
	if (err < 0 || !kname[0])
		snprintf(kname, sizeof(kname), "%s", name);
	if (strcmp(kname, name) && xp_nametab_get(&o->names, kname, &i) &&
	    o->links[i].kind != XP_K_ABSENT) {
		xp_nametab_put(&o->names, name, i); /* an altname of one seen already */
		return 0;
	}
	l = xp_obs_add(o, kname);
	xp_obs_link_clear(l);
	*l = tmp;
	snprintf(l->name, sizeof(l->name), "%s", kname);
	if (err < 0)
		l->kind = XP_K_ABSENT;
	if (strcmp(kname, name))
		xp_nametab_put(&o->names, name, (long)(l - o->links));
	return 0;
}

static void resolve_names(struct nl_sock *sk, struct xp_observed *o, size_t i)
{
	struct xp_obs_link *l = &o->links[i];
	char name[XP_IFNAMSIZ];
	int kind = 0;

	if (l->master_index) {
		index_name(sk, o, l->master_index, name, &kind);
		l = &o->links[i];
		snprintf(l->master, sizeof(l->master), "%s", name);
		l->master_kind = kind;
	}
	if (xp_kind_has_parent(l->kind) && l->link_index) {
		index_name(sk, o, l->link_index, name, NULL);
		snprintf(o->links[i].parent, sizeof(l->parent), "%s", name);
	}
}

static int observe_l3(struct nl_sock *sk, struct xp_obs_link *l)
{
	int err;

	if ((err = get_addrs(sk, l)) < 0 || (err = get_routes(sk, l, AF_INET)) < 0 ||
	    (err = get_routes(sk, l, AF_INET6)) < 0)
		return err;
	return 0;
}

/* ---- addresses and routes of many links: one dump each ---- */

enum { NEED_L3 = 1, NEED_PORTS = 2 };
#ifndef L3_BULK_FROM
#define L3_BULK_FROM 8 /* tests build with 0 to cover the dumps */
#endif

struct bulk {
	struct xp_observed *o;
	int *idx; /* (ifindex, position in o) pairs, sorted by ifindex */
	size_t n;
};

static int cmp_int2(const void *a, const void *b)
{
	const int *x = a, *y = b;
	return (x[0] > y[0]) - (x[0] < y[0]);
}

static struct xp_obs_link *bulk_link(const struct bulk *b, int ifindex)
{
	int key[2] = {ifindex, 0};
	const int *hit = bsearch(key, b->idx, b->n, 2 * sizeof(int), cmp_int2);
	return hit ? &b->o->links[hit[1]] : NULL;
}

static int bulk_addr(struct nlmsghdr *nlh, void *arg)
{
	const struct bulk *b = arg;
	struct ifaddrmsg *ifa = nlmsg_data(nlh);
	struct xp_obs_link *l;

	if (nlh->nlmsg_type != RTM_NEWADDR || !(l = bulk_link(b, (int)ifa->ifa_index)))
		return 0;
	return on_addr(nlh, l);
}

static int bulk_route(struct nlmsghdr *nlh, void *arg)
{
	const struct bulk *b = arg;
	struct nlattr *tb[RTA_MAX + 1];
	struct xp_obs_link *l;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlmsg_parse(nlh, sizeof(struct rtmsg), tb, RTA_MAX, NULL) < 0)
		return 0;
	if (tb[RTA_OIF] && (l = bulk_link(b, (int)nla_get_u32(tb[RTA_OIF]))))
		on_route(nlh, l);
	if (tb[RTA_MULTIPATH]) {
		struct rtnexthop *nh = nla_data(tb[RTA_MULTIPATH]);
		int left = nla_len(tb[RTA_MULTIPATH]), seen[32], nseen = 0;

		while (left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
		       (int)nh->rtnh_len <= left) {
			int dup = tb[RTA_OIF] && (int)nla_get_u32(tb[RTA_OIF]) == nh->rtnh_ifindex;
			for (int k = 0; k < nseen; k++) /* once per link, however many */
				dup |= seen[k] == nh->rtnh_ifindex;
			if (!dup && (l = bulk_link(b, nh->rtnh_ifindex)))
				on_route(nlh, l);
			if (!dup && nseen < 32)
				seen[nseen++] = nh->rtnh_ifindex;
			left -= RTNH_ALIGN(nh->rtnh_len);
			nh = RTNH_NEXT(nh);
		}
	}
	return 0;
}

static int dump_all(struct nl_sock *sk, int type, int family,
		    int (*fn)(struct nlmsghdr *nlh, void *arg), struct bulk *b)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_DUMP);
	int bad;

	if (!msg)
		return -NLE_NOMEM;
	if (type == RTM_GETADDR) {
		struct ifaddrmsg ifa = {.ifa_family = (unsigned char)family};
		bad = nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	} else {
		struct rtmsg rtm = {.rtm_family = (unsigned char)family};
		bad = nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	}
	if (bad < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	return xp_nl_query(sk, msg, fn, b);
}

/* The L3 of the links v marks, from one address dump and one route dump
 * per family, instead of three requests per link. */
static int observe_l3_bulk(struct nl_sock *sk, struct xp_observed *o, const unsigned char *v)
{
	struct bulk b = {o, calloc(2 * o->n + 2, sizeof(int)), 0};
	int err;

	if (!b.idx)
		return -NLE_NOMEM;
	for (size_t i = 0; i < o->n; i++)
		if ((v[i] & NEED_L3) && o->links[i].kind != XP_K_ABSENT) {
			b.idx[2 * b.n] = o->links[i].ifindex;
			b.idx[2 * b.n + 1] = (int)i;
			b.n++;
		}
	qsort(b.idx, b.n, 2 * sizeof(int), cmp_int2);
	if ((err = dump_all(sk, RTM_GETADDR, AF_UNSPEC, bulk_addr, &b)) >= 0 &&
	    (err = dump_all(sk, RTM_GETROUTE, AF_INET, bulk_route, &b)) >= 0)
		err = dump_all(sk, RTM_GETROUTE, AF_INET6, bulk_route, &b);
	free(b.idx);
	return err < 0 ? err : 0;
}

int xp_observe_link(struct nl_sock *sk, const char *name, struct xp_observed *o)
{
	int err = observe_basic(sk, name, o);
	long i = -1;
	struct xp_obs_link *l;

	xp_nametab_get(&o->names, name, &i);
	if (err < 0 || i < 0 || o->links[i].kind == XP_K_ABSENT)
		return err;
	resolve_names(sk, o, (size_t)i);
	l = &o->links[i];
	if ((err = observe_l3(sk, l)) < 0)
		return err;
	if (xp_kind_has_ports(l->kind) && (err = get_ports(sk, l)) < 0)
		return err;
	return 0;
}

static int observe_once(struct nl_sock *sk, const char *name, struct xp_observed *o)
{
	if (xp_obs_find(o, name))
		return 0;
	return observe_basic(sk, name, o);
}

static void need(const struct xp_observed *o, unsigned char *v, const char *name, int what)
{
	long i;
	if (xp_nametab_get(&o->names, name, &i))
		v[i] |= (unsigned char)what;
}

static int map_port(const struct xp_conf *c, const char *bridge, const char *port)
{
	const struct xp_bridge *br = c ? xp_conf_bridge(c, bridge) : NULL;
	for (size_t i = 0; br && i < br->nports; i++)
		if (!strcmp(br->ports[i], port))
			return 1;
	return 0;
}

/* Which links need their addresses and routes, or their ports. */
static void plan_needs(const struct xp_conf *c, const struct xp_state *s, int mode,
		       const struct xp_observed *o, unsigned char *v)
{
	/* a start plan (also status, also reload) moves or refuses the L3 of
	 * ports not yet on their bridge, moves those of move-addresses
	 * bridges' ports, and refuses those of a new bond's slaves */
	for (size_t i = 0; c && mode != XP_OBS_STOP && i < c->nbridges; i++) {
		const struct xp_bridge *br = &c->bridges[i];
		if (br->move_addresses)
			need(o, v, br->name, NEED_L3);
		if (mode == XP_OBS_STATUS)
			need(o, v, br->name, NEED_PORTS);
		for (size_t j = 0; j < br->nports; j++) {
			const struct xp_obs_link *p = xp_obs_find(o, br->ports[j]);
			if (p && (br->move_addresses || strcmp(p->master, br->name)))
				need(o, v, br->ports[j], NEED_L3);
		}
	}
	for (size_t i = 0; c && mode != XP_OBS_STOP && i < c->nbonds; i++) {
		const struct xp_obs_link *b = xp_obs_find(o, c->bonds[i].name);
		if (b && b->kind != XP_K_ABSENT)
			continue;
		for (size_t j = 0; j < c->bonds[i].nslaves; j++)
			need(o, v, c->bonds[i].slaves[j], NEED_L3);
	}
	if (!s)
		return;
	/* moves are undone from these */
	for (size_t i = 0; i < s->nmoves; i++) {
		need(o, v, s->moves[i].from, NEED_L3);
		need(o, v, s->moves[i].to, NEED_L3);
	}
	if (mode != XP_OBS_STOP && mode != XP_OBS_RELOAD)
		return;
	/* guest ports keep a bridge (and the ports xenplumb added to it) that
	 * would otherwise go: stop's bridges, reload's bridges that left the
	 * map or lost a port of it */
	for (size_t i = 0; i < s->ndevs; i++)
		if (xp_kind_has_ports(s->devs[i].kind) &&
		    (mode == XP_OBS_STOP || !c || !xp_conf_bridge(c, s->devs[i].name)))
			need(o, v, s->devs[i].name, NEED_PORTS);
	for (size_t i = 0; i < s->nports; i++)
		if (mode == XP_OBS_STOP || !map_port(c, s->ports[i].bridge, s->ports[i].port))
			need(o, v, s->ports[i].bridge, NEED_PORTS);
}

/* ---- VXLAN: the flood list, and the holder of the local address ---- */

static void on_flood(int family, const void *addr, void *arg)
{
	struct xp_obs_link *l = arg;
	struct xp_ipaddr *a;

	l->vx_flood = xp_grow(l->vx_flood, l->vx_nflood, sizeof(*l->vx_flood));
	a = &l->vx_flood[l->vx_nflood++];
	memset(a, 0, sizeof(*a));
	a->family = family;
	a->prefixlen = -1;
	memcpy(a->addr, addr, alen(family));
}

struct owner {
	const struct xp_ipaddr *want;
	int ifindex;
};

static int on_owner(struct nlmsghdr *nlh, void *arg)
{
	struct owner *w = arg;
	struct ifaddrmsg *ifa = nlmsg_data(nlh);
	struct nlattr *tb[IFA_MAX + 1];
	struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != w->want->family ||
	    nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (a && nla_len(a) == (int)alen(ifa->ifa_family) &&
	    !memcmp(nla_data(a), w->want->addr, alen(ifa->ifa_family)))
		w->ifindex = (int)ifa->ifa_index;
	return 0;
}

static int owner_dump(struct nl_sock *sk, struct owner *w)
{
	struct ifaddrmsg ifa = {.ifa_family = (unsigned char)w->want->family};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);

	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	return xp_nl_query(sk, msg, on_owner, w);
}

/* The map's VXLANs: the device (observed), its flood list, and for one
 * with a local address and no device, the interface holding that address
 * (one address dump of that family; start and reload only, not a hot
 * path). */
static int observe_vxlans(struct nl_sock *sk, const struct xp_conf *c, struct xp_observed *o)
{
	int err = 0;

	for (size_t i = 0; c && i < c->nvxlans && !err; i++) {
		const struct xp_vxlan *v = &c->vxlans[i];
		struct xp_obs_link *l;
		struct owner w = {&v->local, 0};
		char name[XP_IFNAMSIZ] = "";

		if ((err = observe_once(sk, v->name, o)) < 0)
			break;
		if (v->device[0] && (err = observe_once(sk, v->device, o)) < 0)
			break;
		l = xp_obs_add(o, v->name);
		if (l->kind == XP_K_VXLAN) {
			free(l->vx_flood);
			l->vx_flood = NULL;
			l->vx_nflood = 0;
			err = xp_fdb_flood_list(sk, l->ifindex, on_flood, l);
		}
		if (err < 0 || v->device[0] || v->local.family <= 0)
			continue;
		if ((err = owner_dump(sk, &w)) < 0 || !w.ifindex)
			continue;
		index_name(sk, o, w.ifindex, name, NULL);
		if ((err = observe_once(sk, name, o)) < 0)
			break;
		l = xp_obs_add(o, v->name);
		snprintf(l->vx_underlay, sizeof(l->vx_underlay), "%s", name);
	}
	return err;
}

int xp_observe_all(struct nl_sock *sk, const struct xp_conf *c, char (*extra)[XP_IFNAMSIZ],
		   size_t nextra, const struct xp_state *s, int mode, struct xp_observed *o)
{
	unsigned char *v;
	size_t nl3 = 0;
	int err = 0;

	for (size_t i = 0; c && i < c->ndummies && !err; i++)
		err = observe_once(sk, c->dummies[i].name, o);
	for (size_t i = 0; c && i < c->nbonds && !err; i++) {
		err = observe_once(sk, c->bonds[i].name, o);
		for (size_t j = 0; j < c->bonds[i].nslaves && !err; j++)
			err = observe_once(sk, c->bonds[i].slaves[j], o);
	}
	for (size_t i = 0; c && i < c->nvlans && !err; i++) {
		err = observe_once(sk, c->vlans[i].name, o);
		if (!err)
			err = observe_once(sk, c->vlans[i].parent, o);
	}
	for (size_t i = 0; c && i < c->nbridges && !err; i++) {
		err = observe_once(sk, c->bridges[i].name, o);
		for (size_t j = 0; j < c->bridges[i].nports && !err; j++)
			err = observe_once(sk, c->bridges[i].ports[j], o);
	}
	for (size_t i = 0; i < nextra && !err; i++)
		err = observe_once(sk, extra[i], o);
	if (!err)
		err = observe_vxlans(sk, c, o);
	if (err)
		return err;
	/* masters and parents: mostly links observed already */
	for (size_t i = 0; i < o->n; i++)
		if (o->links[i].kind != XP_K_ABSENT)
			resolve_names(sk, o, i);
	v = calloc(o->n + 1, 1);
	if (!v)
		return -NLE_NOMEM;
	plan_needs(c, s, mode, o, v);
	for (size_t i = 0; i < o->n; i++)
		nl3 += (v[i] & NEED_L3) && o->links[i].kind != XP_K_ABSENT;
	/* a few links: filtered dumps; more: one dump of each kind */
	if (nl3 > L3_BULK_FROM)
		err = observe_l3_bulk(sk, o, v);
	for (size_t i = 0; i < o->n && !err; i++) {
		struct xp_obs_link *l = &o->links[i];
		if (l->kind == XP_K_ABSENT)
			continue;
		if ((v[i] & NEED_L3) && nl3 <= L3_BULK_FROM)
			err = observe_l3(sk, l);
		if (!err && (v[i] & NEED_PORTS) && xp_kind_has_ports(l->kind))
			err = get_ports(sk, l);
	}
	free(v);
	/* Ports carrying VLANs start recorded (stop removes them). */
	for (size_t i = 0; s && i < s->npvlans && !err; i++) {
		struct xp_obs_link *p = xp_obs_add(o, s->pvlans[i].port);
		if (p->kind != XP_K_ABSENT && p->nvids == 0 && !p->vids &&
		    !strcmp(p->master, s->pvlans[i].bridge))
			err = xp_observe_vlans(sk, p);
	}
	/* Bridge VLANs of the map's ports on VLAN-filtering bridges. */
	for (size_t i = 0; c && i < c->nbridges && !err; i++) {
		const struct xp_obs_link *b = xp_obs_find(o, c->bridges[i].name);
		if (!b || b->kind != XP_K_BRIDGE || !b->vlan_filtering)
			continue;
		for (size_t j = 0; j < c->bridges[i].nports && !err; j++) {
			struct xp_obs_link *p = xp_obs_add(o, c->bridges[i].ports[j]);
			if (p->kind != XP_K_ABSENT && !strcmp(p->master, c->bridges[i].name))
				err = xp_observe_vlans(sk, p);
		}
	}
	return err;
}
