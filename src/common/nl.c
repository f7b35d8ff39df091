/* The one netlink request/reply layer of both helpers; see nl.h. */
#include "common/nl.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "common/nametab.h"

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
	xp_nl_setup(sk);
	return sk;
}

void xp_nl_close(struct nl_sock *sk)
{
	if (sk)
		nl_socket_free(sk);
}

struct link_get_ctx {
	struct xp_link *out;
	int (*raw)(struct nlmsghdr *nlh, void *arg); /* sees the answer first, or NULL */
	void *arg;
};

/* The fields of struct xp_link from the kernel's RTM_NEWLINK (libnl-3's
 * attribute parser: no libnl-route objects, no caches). */
static void link_parse(struct nlmsghdr *nlh, struct xp_link *l)
{
	const struct ifinfomsg *ifi = nlmsg_data(nlh);
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];

	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return;
	if (tb[IFLA_IFNAME])
		nla_strlcpy(l->name, tb[IFLA_IFNAME], sizeof(l->name));
	if (tb[IFLA_MTU])
		l->mtu = (int)nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER])
		l->master = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) <= (int)sizeof(l->addr)) {
		l->addrlen = nla_len(tb[IFLA_ADDRESS]);
		memcpy(l->addr, nla_data(tb[IFLA_ADDRESS]), (size_t)l->addrlen);
	}
	if (tb[IFLA_LINKINFO] &&
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 && li[IFLA_INFO_KIND])
		nla_strlcpy(l->kind, li[IFLA_INFO_KIND], sizeof(l->kind));
}

static int on_link_obj(struct nlmsghdr *nlh, void *arg)
{
	struct link_get_ctx *g = arg;

	if (nlh->nlmsg_type != RTM_NEWLINK || g->out)
		return 0;
	if (g->raw)
		(void)g->raw(nlh, g->arg);
	g->out = calloc(1, sizeof(*g->out));
	if (g->out) {
		g->out->refs = 1;
		link_parse(nlh, g->out);
	}
	return 0;
}

struct nl_msg *xp_nl_getlink_msg(int ifindex, const char *name)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, 0);

	if (!msg)
		return NULL;
	/* no counters: a third of the answer, and nothing here reads them */
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    (name && nla_put_string(msg, IFLA_IFNAME, name) < 0) ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* One RTM_GETLINK by index or name (no ack asked: its one answer ends
 * it), received as every other query is. */
static int link_get(struct nl_sock *sk, int ifindex, const char *name, struct link_get_ctx *g)
{
	struct nl_msg *msg = xp_nl_getlink_msg(ifindex, name);
	int err;

	g->out = NULL;
	if (!msg)
		return -NLE_NOMEM;
	err = xp_nl_query(sk, msg, on_link_obj, g);
	if (err < 0) {
		xp_link_free(g->out);
		g->out = NULL;
		return err;
	}
	return g->out ? 0 : -NLE_OBJ_NOTFOUND;
}

static int link_get_out(struct nl_sock *sk, int ifindex, const char *name, struct link_get_ctx *g,
			struct xp_link **out)
{
	int err = link_get(sk, ifindex, name, g);

	*out = g->out;
	return err;
}

int xp_link_by_name_raw(struct nl_sock *sk, const char *name, struct xp_link **out,
			int (*raw)(struct nlmsghdr *nlh, void *arg), void *arg)
{
	struct link_get_ctx g = {.raw = raw, .arg = arg};

	return link_get_out(sk, 0, name, &g, out);
}

int xp_link_by_name(struct nl_sock *sk, const char *name, struct xp_link **out)
{
	struct link_get_ctx g = {0};

	return link_get_out(sk, 0, name, &g, out);
}

int xp_link_by_index(struct nl_sock *sk, int ifindex, struct xp_link **out)
{
	struct link_get_ctx g = {0};

	return link_get_out(sk, ifindex, NULL, &g, out);
}

struct xp_link *xp_link_ref(struct xp_link *l)
{
	if (l)
		l->refs++;
	return l;
}

void xp_link_free(struct xp_link *l)
{
	if (l && --l->refs <= 0)
		free(l);
}

const char *xp_link_kind(const struct xp_link *l)
{
	return l && l->kind[0] ? l->kind : NULL;
}

/* The RTM_NEWLINK (or RTM_SETLINK) that applies c to link. */
static int link_change_msg(int type, const struct xp_link *link, const struct xp_link_set *c,
			   struct nl_msg **out)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
				.ifi_index = link->ifindex,
				.ifi_flags = c->flags & c->flags_mask,
				.ifi_change = c->flags_mask};
	struct nl_msg *msg = nlmsg_alloc_simple(type, 0);

	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    (c->addr && nla_put(msg, IFLA_ADDRESS, c->addrlen, c->addr) < 0) ||
	    (c->mtu > 0 && nla_put_u32(msg, IFLA_MTU, (uint32_t)c->mtu) < 0) ||
	    (c->name && strcmp(c->name, link->name) &&
	     nla_put_string(msg, IFLA_IFNAME, c->name) < 0) ||
	    (c->master >= 0 && nla_put_u32(msg, IFLA_MASTER, (uint32_t)c->master) < 0)) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	*out = msg;
	return 0;
}

int xp_link_change_do(struct nl_sock *sk, const struct xp_link *link, const struct xp_link_set *c)
{
	struct nl_msg *msg;
	int err = link_change_msg(RTM_NEWLINK, link, c, &msg);

	if (err < 0)
		return err;
	err = xp_nl_do(sk, msg);
	if (err != -NLE_OPNOTSUPP)
		return err;
	/* a kernel that takes no RTM_NEWLINK for an existing link */
	if ((err = link_change_msg(RTM_SETLINK, link, c, &msg)) < 0)
		return err;
	return xp_nl_do(sk, msg);
}

const char *xp_nl_strerror(int err)
{
	return nl_geterror(err < 0 ? -err : err);
}

static char last_error[256];

const char *xp_nl_last_error(void)
{
	return last_error;
}

void xp_nl_set_last_error(const char *text)
{
	snprintf(last_error, sizeof(last_error), "%s", text);
}

void xp_nl_setup(struct nl_sock *sk)
{
	int one = 1, fd = nl_socket_get_fd(sk);

	/* Both are best effort: old kernels filter nothing (observe.c checks
	 * every reply anyway) and give no messages. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* Receive into a buffer that holds any answer (the kernel builds dump
	 * parts of at most 32 KiB, and no answer here asks for VF lists), so
	 * libnl need not peek at each message's size first: one recvmsg per
	 * message instead of two. */
	nl_socket_set_msg_buf_size(sk, 65536);
}

struct doctx {
	int err;
	int done;
};

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct doctx *d = arg;
	struct nlmsghdr *hdr = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	(void)who;

	d->err = e->error;
	d->done = 1;
	if (hdr->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = sizeof(*e);
		struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

		if (!(hdr->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		if (hdr->nlmsg_len > NLMSG_HDRLEN + off &&
		    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
			      (int)(hdr->nlmsg_len - NLMSG_HDRLEN - off), NULL) == 0 &&
		    tb[NLMSGERR_ATTR_MSG])
			snprintf(last_error, sizeof(last_error), "%s",
				 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	}
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct doctx *d = arg;
	(void)msg;
	d->done = 1;
	return NL_STOP;
}

int xp_nl_seq_check(struct nl_msg *msg, void *arg)
{
	return nlmsg_hdr(msg)->nlmsg_seq == *(unsigned int *)arg ? NL_OK : NL_SKIP;
}

int xp_nl_do(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nl_cb *orig = nl_socket_get_cb(sk); /* takes a reference */
	struct nl_cb *cb = nl_cb_clone(orig);
	struct doctx d = {0, 0};
	unsigned int seq;
	int err;

	last_error[0] = 0;
	nl_cb_put(orig);
	if (!cb) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &d);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &d);
	err = nl_send_auto(sk, msg);
	seq = nlmsg_hdr(msg)->nlmsg_seq;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, xp_nl_seq_check, &seq);
	nlmsg_free(msg);
	while (err >= 0 && !d.done)
		err = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (d.err)
		return -nl_syserr2nlerr(-d.err);
	return err < 0 ? err : 0;
}

/* ---- links ---- */

/* name -> ifindex for the run; only devices that exist are cached, and a
 * device this run creates or deletes is forgotten. */
static struct xp_nametab idx_cache;

void xp_nl_ifindex_forget(const char *name)
{
	xp_nametab_del(&idx_cache, name);
}

struct linkid {
	int ifindex, master;
};

static int on_link_id(struct nlmsghdr *nlh, void *arg)
{
	struct linkid *id = arg;
	struct nlattr *tb[IFLA_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	id->ifindex = ((struct ifinfomsg *)nlmsg_data(nlh))->ifi_index;
	if (nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) == 0 && tb[IFLA_MASTER])
		id->master = (int)nla_get_u32(tb[IFLA_MASTER]);
	return 0;
}

/* By RTM_GETLINK, never by ioctl: SIOCGIFINDEX on a missing name makes the
 * kernel try to load a module "netdev-NAME" (a modprobe run, 5 ms on real
 * hardware and 0.2 s under TCG, for every device about to be created).
 * The kernel finds altnames by this name too. */
static int link_id(struct nl_sock *sk, const char *name, struct linkid *id)
{
	struct nl_msg *msg = xp_nl_getlink_msg(0, name);

	id->ifindex = id->master = 0;
	if (!msg)
		return -NLE_NOMEM;
	return xp_nl_query(sk, msg, on_link_id, id);
}

static int link_index(struct nl_sock *sk, const char *name)
{
	struct linkid id;

	return link_id(sk, name, &id) < 0 ? 0 : id.ifindex;
}

int xp_nl_link_master(struct nl_sock *sk, const char *name, int *master)
{
	struct linkid id;

	*master = 0;
	if (link_id(sk, name, &id) < 0)
		return 0;
	*master = id.master;
	return id.ifindex;
}

int xp_nl_ifindex(struct nl_sock *sk, const char *name)
{
	long cached;
	int idx;

	if (xp_nametab_get(&idx_cache, name, &cached))
		return (int)cached;
	idx = link_index(sk, name);
	if (idx > 0)
		xp_nametab_put(&idx_cache, name, idx);
	return idx;
}

/* ---- raw queries ---- */

struct query {
	int (*fn)(struct nlmsghdr *nlh, void *arg);
	void *arg;
	int err;
	int done;
	int single; /* not a dump: the one answer ends it */
	unsigned int seq;
};

static int query_valid(struct nl_msg *msg, void *arg)
{
	struct query *q = arg;
	int rc = q->fn(nlmsg_hdr(msg), q->arg);

	if (q->single)
		q->done = 1;
	return rc < 0 || q->single ? NL_STOP : NL_OK;
}

static int query_end(struct nl_msg *msg, void *arg)
{
	struct query *q = arg;
	(void)msg;
	q->done = 1;
	return NL_STOP;
}

static int query_err(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct query *q = arg;
	(void)who;
	q->err = e->error;
	q->done = 1;
	return NL_STOP;
}

/* Send msg (freed) and hand every reply to fn, until the kernel's ack (a
 * single answer) or NLMSG_DONE (a dump).  0, or a negative libnl error
 * (-NLE_OBJ_NOTFOUND when the kernel says ENODEV).  Declared in exec.h. */
int xp_nl_query(struct nl_sock *sk, struct nl_msg *msg, int (*fn)(struct nlmsghdr *nlh, void *arg),
		void *arg)
{
	struct query q = {fn, arg, 0, 0, 0, 0};
	struct nl_cb *orig = nl_socket_get_cb(sk); /* takes a reference */
	struct nl_cb *cb = nl_cb_clone(orig);
	int err;

	/* A single answer needs no ack after it (one receive, not two). */
	q.single = (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP;

	nl_cb_put(orig);
	if (!cb) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, query_valid, &q);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, query_end, &q);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, query_end, &q);
	nl_cb_err(cb, NL_CB_CUSTOM, query_err, &q);
	if (q.single) {
		/* No ack follows a single answer, so libnl would never count
		 * this exchange as done and its own order check (which
		 * libnl-route calls use) would expect an answer one request
		 * old from then on.  Such a request takes a number from a
		 * range of its own instead of libnl's counter. */
		static unsigned int own_seq = 0x80000000u;

		nlmsg_hdr(msg)->nlmsg_seq = own_seq++ | 0x80000000u;
		nl_socket_disable_auto_ack(sk);
	}
	err = nl_send_auto(sk, msg);
	if (q.single)
		nl_socket_enable_auto_ack(sk);
	/* libnl's own check expects an ack or a dump's end after every
	 * request; check against this request's number instead */
	q.seq = nlmsg_hdr(msg)->nlmsg_seq;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, xp_nl_seq_check, &q.seq);
	nlmsg_free(msg);
	while (err >= 0 && !q.done)
		err = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (q.err)
		return -nl_syserr2nlerr(-q.err);
	return err < 0 ? err : 0;
}

/* CAP_NET_ADMIN in the effective set (not just uid 0). */
int xp_have_net_admin(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return 0;
	return (data[CAP_NET_ADMIN / 32].effective >> (CAP_NET_ADMIN % 32)) & 1;
}

int xp_nl_altname(struct nl_sock *sk, int type, int ifindex, const char *name)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *m = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_ACK);
	struct nlattr *pl;

	if (!m)
		return -NLE_NOMEM;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    !(pl = nla_nest_start(m, IFLA_PROP_LIST)) ||
	    nla_put_string(m, IFLA_ALT_IFNAME, name) < 0) {
		nlmsg_free(m);
		return -NLE_NOMEM;
	}
	nla_nest_end(m, pl);
	return xp_nl_do(sk, m);
}
