#include "nlq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct nl_sock *nlq_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk)
		return NULL;
	/* No NLM_F_ACK: a GET is answered by its reply alone and a dump ends
	 * with NLMSG_DONE, so each request reads exactly its own answer, and
	 * nlq_request matches replies to its request by sequence number. */
	nl_socket_disable_auto_ack(sk);
	nl_socket_disable_seq_check(sk);
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		return NULL;
	}
	/* Best effort: kernels before 4.20 do not know it and filter less;
	 * callers filter replies themselves as well. */
	(void)setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
			 sizeof(one));
	return sk;
}

struct req_ctx {
	nlq_fn fn;
	void *arg;
	int err;
	unsigned int seq;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct req_ctx *ctx = arg;
	int err;

	if (nlmsg_hdr(msg)->nlmsg_seq != ctx->seq)
		return NL_SKIP; /* left over from an abandoned request */
	err = ctx->fn(nlmsg_hdr(msg), ctx->arg);

	if (err < 0) {
		ctx->err = err;
		return NL_STOP;
	}
	return NL_OK;
}

int nlq_request(struct nl_sock *sk, struct nl_msg *msg, nlq_fn fn, void *arg)
{
	struct req_ctx ctx = {fn, arg, 0, 0};
	struct nl_cb *cb, *tmp;
	int err;

	err = nl_send_auto(sk, msg);
	ctx.seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (err < 0)
		return err;
	cb = nl_socket_get_cb(sk); /* a new reference */
	tmp = cb;
	cb = nl_cb_clone(tmp);
	nl_cb_put(tmp);
	if (!cb)
		return -NLE_NOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &ctx);
	err = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (err < 0)
		return err;
	return ctx.err;
}

static int copy_msg(struct nlmsghdr *nlh, void *arg)
{
	struct nlmsghdr **out = arg;

	if (*out)
		return 0; /* one answer is all we asked for */
	*out = malloc(nlh->nlmsg_len);
	if (!*out)
		return -NLE_NOMEM;
	memcpy(*out, nlh, nlh->nlmsg_len);
	return 0;
}

int nlq_get_link(struct nl_sock *sk, const char *name, int ifindex, struct nlmsghdr **out)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	int err;

	*out = NULL;
	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    (name && nla_put_string(msg, IFLA_IFNAME, name) < 0) ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	err = nlq_request(sk, msg, copy_msg, out);
	if (err < 0 || !*out) {
		free(*out);
		*out = NULL;
		return err < 0 ? err : -NLE_OBJ_NOTFOUND;
	}
	return 0;
}

static void copy_str(char *dst, size_t len, struct nlattr *a)
{
	dst[0] = '\0';
	if (a)
		nla_strlcpy(dst, a, len);
}

int nlq_parse_link(struct nlmsghdr *nlh, struct nlq_link *l)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct ifinfomsg *ifi;

	memset(l, 0, sizeof(*l));
	l->operstate = -1;
	l->link_netnsid = -1;
	if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
	    !nlmsg_valid_hdr(nlh, sizeof(*ifi)) ||
	    nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return -1;
	ifi = nlmsg_data(nlh);
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	copy_str(l->name, sizeof(l->name), tb[IFLA_IFNAME]);
	if (tb[IFLA_OPERSTATE])
		l->operstate = nla_get_u8(tb[IFLA_OPERSTATE]);
	if (tb[IFLA_MASTER])
		l->master = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		l->link = (int)nla_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID])
		l->link_netnsid = (int)nla_get_s32(tb[IFLA_LINK_NETNSID]);
	if (tb[IFLA_MTU])
		l->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS]) {
		int n = nla_len(tb[IFLA_ADDRESS]);
		if (n > (int)sizeof(l->mac))
			n = sizeof(l->mac);
		memcpy(l->mac, nla_data(tb[IFLA_ADDRESS]), (size_t)n);
		l->maclen = n;
	}
	if (tb[IFLA_LINKINFO] &&
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0) {
		copy_str(l->kind, sizeof(l->kind), li[IFLA_INFO_KIND]);
		copy_str(l->slave_kind, sizeof(l->slave_kind), li[IFLA_INFO_SLAVE_KIND]);
	}
	return 0;
}

struct nlattr *nlq_link_info_data(struct nlmsghdr *nlh, int slave)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];

	if (nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_LINKINFO] || nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0)
		return NULL;
	return li[slave ? IFLA_INFO_SLAVE_DATA : IFLA_INFO_DATA];
}

int nlq_has_carrier(const struct nlq_link *l)
{
	if (!(l->flags & IFF_LOWER_UP))
		return 0;
	return l->operstate < 0 || l->operstate == IF_OPER_UP || l->operstate == IF_OPER_UNKNOWN;
}

const char *nlq_operstate_name(int operstate)
{
	static const char *const names[] = {
	    [IF_OPER_UNKNOWN] = "unknown", [IF_OPER_NOTPRESENT] = "notpresent",
	    [IF_OPER_DOWN] = "down",	   [IF_OPER_LOWERLAYERDOWN] = "lowerlayerdown",
	    [IF_OPER_TESTING] = "testing", [IF_OPER_DORMANT] = "dormant",
	    [IF_OPER_UP] = "up",
	};

	if (operstate < 0 || operstate >= (int)(sizeof(names) / sizeof(names[0])))
		return "?";
	return names[operstate];
}

void nlq_ifname(struct nl_sock *sk, int ifindex, char *buf, size_t len)
{
	struct nlmsghdr *nlh;
	struct nlq_link l;

	if (ifindex == 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (nlq_get_link(sk, NULL, ifindex, &nlh) == 0 && nlq_parse_link(nlh, &l) == 0 && l.name[0])
		snprintf(buf, len, "%s", l.name);
	else
		snprintf(buf, len, "#%d", ifindex);
	free(nlh);
}

void nlq_format_prefix(int family, const void *addr, size_t addrlen, int plen, char *buf,
		       size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	size_t need = family == AF_INET6 ? 16 : 4;

	if ((family == AF_INET || family == AF_INET6) && addrlen >= need)
		inet_ntop(family, addr, a, sizeof(a));
	snprintf(buf, len, "%s/%d", a, plen);
}
