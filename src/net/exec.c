/* The executor; see exec.h. */
#include "net/exec.h"

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdlib.h>
#include <string.h>

#include "common/bridge.h"
#include "common/nametab.h"
#include "common/nl.h"
#include "net/addrmove.h"
#include "net/groupdel.h"
#include "net/kind.h"
#include "net/steps.h"

static int link_msg(struct nl_msg **out, int type, int flags, int ifindex, const char *name,
		    unsigned int ifflags, unsigned int change)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
				.ifi_index = ifindex,
				.ifi_flags = ifflags,
				.ifi_change = change};
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    (name && nla_put_string(msg, IFLA_IFNAME, name) < 0)) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	*out = msg;
	return 0;
}

/* ---- a kind's attributes: struct xp_attrw over a buffer, then libnl ---- */

struct nd_attrs {
	struct xp_attrw w; /* first: the kinds get &w */
	struct nl_sock *sk;
	size_t len;
	uint32_t buf[128]; /* struct nlattr, aligned */
};

static int nd_put(struct xp_attrw *w, int type, const void *data, size_t len)
{
	struct nd_attrs *a = (struct nd_attrs *)(void *)w;
	unsigned char *at = (unsigned char *)a->buf + a->len;
	struct nlattr h = {.nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = (uint16_t)type};

	if (a->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(a->buf))
		return -NLE_NOMEM;
	memcpy(at, &h, sizeof(h));
	memcpy(at + NLA_HDRLEN, data, len);
	a->len += NLA_ALIGN(h.nla_len);
	return 0;
}

static int nd_ifindex(struct xp_attrw *w, const char *name)
{
	return xp_nl_ifindex(((struct nd_attrs *)(void *)w)->sk, name);
}

static void nd_init(struct nd_attrs *a, struct nl_sock *sk)
{
	memset(a, 0, sizeof(*a));
	a->w.put = nd_put;
	a->w.ifindex = nd_ifindex;
	a->sk = sk;
}

/* An RTM_NEWLINK for name (ifindex 0: create, NLM_F_CREATE|NLM_F_EXCL) or
 * for an existing ifindex, with IFLA_MTU and IFLA_LINK as the kind said,
 * what f folds in (may be NULL), and IFLA_LINKINFO holding the kind's name
 * and its attributes as IFLA_INFO_DATA. */
static int nd_send(struct nl_sock *sk, const char *name, int ifindex, const struct xp_kind *k,
		   const struct nd_attrs *a, const struct xp_nd_fold *f)
{
	unsigned int up = f && f->up ? IFF_UP : 0;
	struct nl_msg *msg;
	struct nlattr *li, *data = NULL;
	int err = link_msg(&msg, RTM_NEWLINK, ifindex ? 0 : NLM_F_CREATE | NLM_F_EXCL, ifindex,
			   ifindex ? NULL : name, up, up);
	int bad = 0;

	if (err < 0)
		return err;
	if (a->w.mtu > 0)
		bad |= nla_put_u32(msg, IFLA_MTU, (uint32_t)a->w.mtu);
	if (a->w.link > 0)
		bad |= nla_put_u32(msg, IFLA_LINK, (uint32_t)a->w.link);
	if (!ifindex) /* the mark that later proves the device ours */
		bad |= nla_put_u32(msg, IFLA_GROUP, XP_OWN_GROUP);
	if (f && f->master > 0)
		bad |= nla_put_u32(msg, IFLA_MASTER, (uint32_t)f->master);
	li = nla_nest_start(msg, IFLA_LINKINFO);
	bad |= !li || nla_put_string(msg, IFLA_INFO_KIND, k->name) < 0 ||
	       !(data = nla_nest_start(msg, IFLA_INFO_DATA));
	for (size_t off = 0; !bad && off < a->len;) {
		const unsigned char *at = (const unsigned char *)a->buf + off;
		struct nlattr h;
		memcpy(&h, at, sizeof(h));
		bad |= nla_put(msg, h.nla_type, h.nla_len - NLA_HDRLEN, at + NLA_HDRLEN) < 0;
		off += NLA_ALIGN(h.nla_len);
	}
	if (bad) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	nla_nest_end(msg, data);
	nla_nest_end(msg, li);
	return xp_nl_do(sk, msg);
}

/* An RTM_NEWLINK/DELLINK for dev, named in the request (the kernel finds it
 * by IFLA_IFNAME: no look-up first). */
static int link_simple(struct nl_sock *sk, const char *dev, int type, int attr, int value,
		       unsigned int ifflags, unsigned int change)
{
	struct nl_msg *msg;
	int err = link_msg(&msg, type, 0, 0, dev, ifflags, change);

	if (err < 0)
		return err;
	if (attr && nla_put_u32(msg, attr, (uint32_t)value) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	err = xp_nl_do(sk, msg);
	return err == -NLE_NODEV ? -NLE_OBJ_NOTFOUND : err;
}

static int create(struct nl_sock *sk, const struct xp_op *op, const struct xp_nd_fold *f)
{
	const struct xp_kind *k = xp_kind_get(op->kind);
	struct nd_attrs a;
	int err;

	xp_nl_ifindex_forget(op->dev);
	if (!k)
		return -NLE_INVAL;
	nd_init(&a, sk);
	if ((err = k->fill_create(op->spec, &a.w)) < 0)
		return err;
	return nd_send(sk, op->dev, 0, k, &a, f);
}

/* An attribute change (SET_STP, ...) through the kind that planned it. */
static int set_attr(struct nl_sock *sk, const struct xp_op *op)
{
	const struct xp_kind *k = xp_kind_get(op->kind);
	int idx = xp_nl_ifindex(sk, op->dev);
	struct nd_attrs a;

	if (idx <= 0)
		return -NLE_OBJ_NOTFOUND;
	if (!k || !k->fill_set)
		return -NLE_INVAL;
	nd_init(&a, sk);
	if (k->fill_set(op->type, op->value, &a.w) < 0)
		return -NLE_INVAL;
	a.w.mtu = a.w.link = 0;
	return nd_send(sk, NULL, idx, k, &a, NULL);
}

/* ---- ownership: what the kernel says about a device before it goes ---- */

struct owner {
	int ifindex;
	unsigned int group;
	char kind[32];
};

static int on_owner(struct nlmsghdr *nlh, void *arg)
{
	struct owner *w = arg;
	struct ifinfomsg *ifi = nlmsg_data(nlh);
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return 0;
	w->ifindex = ifi->ifi_index;
	if (tb[IFLA_GROUP])
		w->group = nla_get_u32(tb[IFLA_GROUP]);
	if (tb[IFLA_LINKINFO] &&
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 && li[IFLA_INFO_KIND])
		snprintf(w->kind, sizeof(w->kind), "%s", nla_get_string(li[IFLA_INFO_KIND]));
	return 0;
}

/* Delete dev only when the kernel says it is of the op's kind and carries
 * xenplumb's mark; by ifindex, so that the device checked is the one
 * deleted. */
static int delete_owned(struct nl_sock *sk, const struct xp_op *op)
{
	const struct xp_kind *k = xp_kind_get(op->kind);
	struct owner w = {0, 0, ""};
	struct nl_msg *msg;
	int err = link_msg(&msg, RTM_GETLINK, 0, 0, op->dev, 0, 0);

	xp_nl_ifindex_forget(op->dev);
	if (err < 0)
		return err;
	err = xp_nl_query(sk, msg, on_owner, &w);
	if (err == -NLE_NODEV)
		err = -NLE_OBJ_NOTFOUND;
	if (err < 0)
		return err;
	if (!k || strcmp(w.kind, k->name) || w.group != XP_OWN_GROUP) {
		char why[200];
		snprintf(why, sizeof(why),
			 "%s is %s%s with link group %u, not a %s carrying xenplumb's mark "
			 "(group %u): not deleted",
			 op->dev, w.kind[0] ? "a " : "", w.kind[0] ? w.kind : "a plain device",
			 w.group, k ? k->name : "?", XP_OWN_GROUP);
		xp_nl_set_last_error(why);
		return -NLE_PERM;
	}
	if ((err = link_msg(&msg, RTM_DELLINK, 0, w.ifindex, NULL, 0, 0)) < 0)
		return err;
	err = xp_nl_do(sk, msg);
	return err == -NLE_NODEV ? -NLE_OBJ_NOTFOUND : err;
}

static int fold_ifindex(void *sk, const char *name)
{
	return xp_nl_ifindex(sk, name);
}

int xp_exec_op(struct nl_sock *sk, const struct xp_op *op)
{
	int master;

	switch (op->type) {
	case XP_OP_CREATE:
		if (!op->spec)
			return -NLE_INVAL; /* an undo cannot recreate */
		return create(sk, op, NULL);
	case XP_OP_DELETE:
		return delete_owned(sk, op);
	case XP_OP_SET_MTU:
		return link_simple(sk, op->dev, RTM_NEWLINK, IFLA_MTU, op->value, 0, 0);
	case XP_OP_PIN_MTU:
		return xp_br_pin_mtu(sk, xp_nl_ifindex(sk, op->dev), op->value);
	case XP_OP_SET_STP:
	case XP_OP_SET_FD:
	case XP_OP_SET_VLANF:
	case XP_OP_SET_LEARNING:
		return set_attr(sk, op);
	case XP_OP_FLOOD_ADD:
	case XP_OP_FLOOD_DEL:
		return xp_fdb_flood(sk, xp_nl_ifindex(sk, op->dev), op->ip.family, op->ip.addr,
				    op->type == XP_OP_FLOOD_DEL);
	case XP_OP_UP:
		return link_simple(sk, op->dev, RTM_NEWLINK, 0, 0, IFF_UP, IFF_UP);
	case XP_OP_DOWN:
		return link_simple(sk, op->dev, RTM_NEWLINK, 0, 0, 0, IFF_UP);
	case XP_OP_ENSLAVE:
	case XP_OP_ADD_PORT:
		master = xp_nl_ifindex(sk, op->peer);
		if (master <= 0)
			return -NLE_OBJ_NOTFOUND;
		return link_simple(sk, op->dev, RTM_NEWLINK, IFLA_MASTER, master, 0, 0);
	case XP_OP_DEL_PORT:
		return link_simple(sk, op->dev, RTM_NEWLINK, IFLA_MASTER, 0, 0, 0);
	case XP_OP_ADD_ADDR:
		if (op->value == 3)
			return xp_addr_reflag(sk, op->dev, &op->addr);
		/* onto a bridge (a move: its label was made for the port), or back
		 * where it was: usable at once either way, it served already */
		return xp_addr_add(sk, op->dev, op->value == 0 && op->peer[0] ? op->peer : op->dev,
				   &op->addr, op->peer[0] != 0);
	case XP_OP_DEL_ADDR:
		if (op->had && op->value == 2)
			return 0; /* the bridge's own: only the record goes */
		return xp_addr_del(sk, op->dev, &op->addr);
	case XP_OP_ADD_ROUTE:
		return xp_route_add(sk, op->dev, &op->route);
	case XP_OP_DEL_ROUTE:
		if (op->had && op->value == 2)
			return 0;
		return xp_route_del(sk, op->dev, &op->route);
	case XP_OP_PORT_VLAN: {
		struct xp_vlan_run r = {op->value, op->value, 0};
		return xp_brport_vlans(sk, xp_nl_ifindex(sk, op->dev), op->old, &r, 1);
	}
	default:
		return -NLE_OPNOTSUPP;
	}
}

/* ---- undo ---- */

/* ---- state bookkeeping ---- */

/* The records of a bridge's MTU and of trunk VLANs on its ports. */
static void record_bridge(struct xp_exec *e, const struct xp_op *op)
{
	struct xp_state *s = e->state;

	switch (op->type) {
	case XP_OP_DELETE:
		xp_state_del_mtu(s, op->dev);
		for (size_t i = s->npvlans; i-- > 0;)
			if (!strcmp(s->pvlans[i].bridge, op->dev) ||
			    !strcmp(s->pvlans[i].port, op->dev))
				xp_state_del_pvlan(s, s->pvlans[i].bridge, s->pvlans[i].port,
						   s->pvlans[i].vid);
		break;
	case XP_OP_PIN_MTU:
		xp_state_add_mtu(s, op->dev, xp_nl_ifindex(e->sk, op->dev), op->old);
		break;
	case XP_OP_SET_MTU:
		if (op->kind == XP_K_BRIDGE) /* given back: forgotten */
			xp_state_del_mtu(s, op->dev);
		break;
	case XP_OP_PORT_VLAN:
		/* on a bridge xenplumb did not create: stop removes it */
		if (op->old)
			xp_state_del_pvlan(s, op->peer, op->dev, op->value);
		else if (!op->created)
			xp_state_add_pvlan(s, op->peer, op->dev, op->value);
		break;
	default:
		break;
	}
}

/* ahead: before the request (a device to be created has no ifindex yet) */
static void record(struct xp_exec *e, const struct xp_op *op, int ahead)
{
	struct xp_state *s = e->state;
	struct xp_st_move m;

	memset(&m, 0, sizeof(m));
	switch (op->type) {
	case XP_OP_CREATE:
		xp_state_add_dev(s, op->dev, op->kind, ahead ? 0 : xp_nl_ifindex(e->sk, op->dev));
		break;
	case XP_OP_DELETE:
		xp_state_del_dev(s, op->dev);
		for (size_t i = s->nports; i-- > 0;)
			if (!strcmp(s->ports[i].bridge, op->dev) ||
			    !strcmp(s->ports[i].port, op->dev))
				xp_state_del_port(s, s->ports[i].bridge, s->ports[i].port);
		/* a slave that was up stays recorded until it is up again: a run
		 * killed right after this delete must still bring it up */
		for (size_t i = s->nslaves; i-- > 0;)
			if (!strcmp(s->slaves[i].bond, op->dev) && !s->slaves[i].was_up)
				xp_state_del_slave(s, s->slaves[i].bond, s->slaves[i].slave);
		record_bridge(e, op);
		break;
	case XP_OP_UP:
		/* a former slave of a deleted bond is up again: done with it */
		if (op->peer[0] && !xp_state_dev(s, op->peer))
			xp_state_del_slave(s, op->peer, op->dev);
		break;
	case XP_OP_PIN_MTU:
	case XP_OP_SET_MTU:
	case XP_OP_PORT_VLAN:
		record_bridge(e, op);
		break;
	case XP_OP_ENSLAVE: {
		/* keep was-up from a record written before the NIC went down (by
		 * this run, or by one killed before it could enslave) */
		int was_up = op->old;
		for (size_t i = 0; i < s->nslaves; i++)
			if (!strcmp(s->slaves[i].bond, op->peer) &&
			    !strcmp(s->slaves[i].slave, op->dev) && s->slaves[i].was_up)
				was_up = 1;
		xp_state_add_slave(s, op->peer, op->dev, was_up);
		break;
	}
	case XP_OP_ADD_PORT:
		xp_state_add_port(s, op->peer, op->dev);
		break;
	case XP_OP_DEL_PORT:
		xp_state_del_port(s, op->peer, op->dev);
		break;
	case XP_OP_DEL_ADDR:
	case XP_OP_DEL_ROUTE:
		m.is_route = op->type == XP_OP_DEL_ROUTE;
		m.had = op->had;
		m.addr = op->addr;
		m.route = op->route;
		if (op->value == 1) { /* moved from dev to peer */
			snprintf(m.from, sizeof(m.from), "%s", op->dev);
			snprintf(m.to, sizeof(m.to), "%s", op->peer);
			xp_state_add_move(s, &m);
		} else if (op->value == 2) { /* moved back from dev to peer */
			snprintf(m.from, sizeof(m.from), "%s", op->peer);
			snprintf(m.to, sizeof(m.to), "%s", op->dev);
			xp_state_del_move(s, &m);
		}
		break;
	default:
		break;
	}
}

/* Write the whole state (at the end of a run, after a rollback, or after
 * each op when there is no journal). */
static void save(struct xp_exec *e)
{
	int err;

	if (!e->state_dir)
		return;
	xp_state_journal_close(e->state);
	err = xp_state_save(e->state_dir, e->state);
	if (err < 0 && e->out)
		fprintf(e->out, "warning: cannot write state in %s: %s\n", e->state_dir,
			strerror(-err));
}

/* Every record from now on goes to the journal as it is made: one small
 * write(2) each, instead of rewriting the whole state after every op. */
static int journal_open(struct xp_exec *e)
{
	int err;

	if (!e->state_dir)
		return 0;
	err = xp_state_journal_open(e->state_dir, e->state);
	if (err < 0 && e->out)
		fprintf(e->out, "warning: cannot write the state journal in %s: %s\n", e->state_dir,
			strerror(-err));
	return err;
}

/* Without a journal, every step saves the whole state, as before. */
static void step_saved(struct xp_exec *e)
{
	if (e->state_dir && !e->state->jfd)
		save(e);
}

static void copy_state(struct xp_state *dst, const struct xp_state *src)
{
	char *text = NULL;

	memset(dst, 0, sizeof(*dst));
	if (xp_state_format(src, &text) == 0) {
		char err[64];
		xp_state_parse(text, dst, err, sizeof(err));
	}
	free(text);
}

/* Undoing a run that created many devices: when every undo op is about a
 * device the run created, deleting those by link group undoes it all. */
static int rollback_group(struct xp_exec *e, const struct xp_op *undo, size_t n)
{
	const struct xp_op **ops = calloc(n ? n : 1, sizeof(const struct xp_op *));
	struct xp_nametab dels = {0};
	size_t m = 0;
	int ok = 1;

	if (!ops)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (undo[i].type == XP_OP_DELETE) {
			ops[m++] = &undo[i];
			xp_nametab_put(&dels, undo[i].dev, 1);
		}
	for (size_t i = 0; i < n && ok; i++)
		ok = xp_nametab_get(&dels, undo[i].dev, NULL) &&
		     (undo[i].type == XP_OP_DELETE || !undo[i].peer[0] ||
		      xp_nametab_get(&dels, undo[i].peer, NULL));
	ok = ok && m >= XP_GROUP_DELETE_MIN && xp_group_delete(e->sk, e->state, ops, m) == 1;
	xp_nametab_free(&dels);
	free(ops);
	return ok;
}

static void rollback(struct xp_exec *e, struct xp_op *undo, size_t n, const struct xp_state *before)
{
	char line[400];
	int grouped = rollback_group(e, undo, n);

	xp_state_free(e->state);
	copy_state(e->state, before);
	for (size_t i = n; grouped && i-- > 0;)
		if (e->out) {
			xp_op_format(&undo[i], line, sizeof(line));
			fprintf(e->out, "  undone: %s%s\n", line,
				undo[i].type == XP_OP_DELETE ? "" : " (its device deleted)");
		}
	if (grouped && e->out)
		fprintf(e->out, "  (the devices deleted in one request, by link group %u)\n",
			XP_OWN_GROUP);
	for (size_t i = grouped ? 0 : n; i-- > 0;) {
		int err = xp_exec_op(e->sk, &undo[i]);
		xp_op_format(&undo[i], line, sizeof(line));
		if (err < 0 && !(undo[i].type == XP_OP_DEL_ADDR && xp_nl_err_gone(err))) {
			e->rollback_failed = 1;
			if (e->out)
				fprintf(e->out, "  undo FAILED: %s: %s%s%s\n", line,
					xp_nl_strerror(err), xp_nl_last_error()[0] ? ": " : "",
					xp_nl_last_error());
			/* a device left behind is still ours */
			if (undo[i].type == XP_OP_DELETE)
				xp_state_add_dev(e->state, undo[i].dev, undo[i].kind,
						 xp_nl_ifindex(e->sk, undo[i].dev));
		} else if (e->out) {
			fprintf(e->out, "  undone: %s\n", line);
		}
	}
	save(e);
}

/* ---- folding (what folds: steps.c): later ops that ride in one request ---- */

static int exec_folded(struct nl_sock *sk, const struct xp_op *op, const struct xp_fold *f)
{
	if (op->type == XP_OP_CREATE)
		return create(sk, op, &f->nd);
	/* ADD_PORT (+ up) */
	{
		int master = xp_nl_ifindex(sk, op->peer);
		if (master <= 0)
			return -NLE_OBJ_NOTFOUND;
		return link_simple(sk, op->dev, RTM_NEWLINK, IFLA_MASTER, master,
				   f->nd.up ? IFF_UP : 0, f->nd.up ? IFF_UP : 0);
	}
}

/* Write ahead what makes a device, port or moved address ours: a SIGKILL
 * after the kernel acted must not leave it unrecorded (stop would leak it,
 * or lose the address).  A record of something that did not happen is
 * pruned next run. */
static void write_ahead(struct xp_exec *e, const struct xp_op *op)
{
	if (op->type == XP_OP_CREATE || op->type == XP_OP_ADD_PORT || op->type == XP_OP_PIN_MTU ||
	    (op->type == XP_OP_PORT_VLAN && !op->old) ||
	    ((op->type == XP_OP_DEL_ADDR || op->type == XP_OP_DEL_ROUTE) && op->value == 1)) {
		record(e, op, 1);
		step_saved(e);
	} else if (op->type == XP_OP_DOWN && op->peer[0]) {
		/* A NIC set down to join a new bond: if the run dies before the
		 * enslave, stop must still know to bring it back up. */
		xp_state_add_slave(e->state, op->peer, op->dev, 1);
		step_saved(e);
	}
}

/* op is done: say so, remember how to undo it, record it. */
static void applied(struct xp_exec *e, const struct xp_op *op, int count, struct xp_op *undo,
		    size_t *nundo)
{
	if (e->out) {
		char line[400];
		xp_op_format(op, line, sizeof(line));
		fprintf(e->out, "%4d. %s\n", count, line);
	}
	if (xp_op_inverse(op, &undo[*nundo]))
		(*nundo)++;
	record(e, op, 0);
	step_saved(e);
	e->applied++;
}

/* Send op i (with what folds into it): 0 or a negative libnl error. */
static int send_op(struct xp_exec *e, const struct xp_plan *p, size_t i, struct xp_fold *f,
		   int count)
{
	const struct xp_op *op = &p->ops[i];
	int err;

	write_ahead(e, op);
	for (int k = 0; k < f->n; k++)
		write_ahead(e, &p->ops[f->at[k]]);
	if (e->fail_at && count == e->fail_at) {
		char why[64];

		snprintf(why, sizeof(why), "injected failure (XENPLUMB_FAIL_AT=%d)", e->fail_at);
		xp_nl_set_last_error(why);
		return -NLE_FAILURE;
	}
	if (f->n) {
		err = exec_folded(e->sk, op, f);
		if (err < 0) { /* the ops one by one, to name the one that fails */
			f->n = 0;
			err = xp_exec_op(e->sk, op);
		}
	} else {
		err = xp_exec_op(e->sk, op);
	}
	/* Undoing a move that was already undone by hand is fine. */
	if (err < 0 && op->value == 2 &&
	    (op->type == XP_OP_DEL_ADDR || op->type == XP_OP_DEL_ROUTE) && xp_nl_err_gone(err))
		err = 0;
	return err;
}

/* e->error says what failed: say it and undo what this run applied. */
static void undo_run(struct xp_exec *e, struct xp_op *undo, size_t nundo,
		     const struct xp_state *before)
{
	if (e->out)
		fprintf(e->out, "FAILED: %s\nrolling back %zu operation%s\n", e->error, nundo,
			nundo == 1 ? "" : "s");
	rollback(e, undo, nundo, before);
	e->applied = 0;
}

/* op failed with err. */
static void failed(struct xp_exec *e, const struct xp_op *op, int err, struct xp_op *undo,
		   size_t nundo, const struct xp_state *before)
{
	char line[400];

	xp_op_format(op, line, sizeof(line));
	snprintf(e->error, sizeof(e->error), "%s failed: %s%s%s", line, xp_nl_strerror(err),
		 xp_nl_last_error()[0] ? ": " : "", xp_nl_last_error());
	undo_run(e, undo, nundo, before);
}

/* The deletes from op i on, in one request by link group when it can be:
 * how many (0: one by one). */
static size_t group_run(struct xp_exec *e, const struct xp_plan *p, size_t i,
			const unsigned char *done, int count)
{
	const struct xp_op **ops;
	size_t m = 0;
	int r;

	while (i + m < p->n && !done[i + m] && p->ops[i + m].type == XP_OP_DELETE)
		m++;
	/* an injected failure hits one op: then each goes on its own */
	if (m < XP_GROUP_DELETE_MIN ||
	    (e->fail_at && e->fail_at > count && (size_t)(e->fail_at - count) <= m))
		return 0;
	ops = calloc(m, sizeof(const struct xp_op *));
	if (!ops)
		return 0;
	for (size_t k = 0; k < m; k++) {
		ops[k] = &p->ops[i + k];
		write_ahead(e, ops[k]);
	}
	r = xp_group_delete(e->sk, e->state, ops, m);
	free(ops);
	return r == 1 ? m : 0;
}

int xp_exec_run(struct xp_exec *e, const struct xp_plan *p)
{
	struct xp_op *undo = calloc(p->n + 1, sizeof(*undo));
	unsigned char *done = calloc(p->n + 1, 1);
	size_t nundo = 0;
	struct xp_state before;
	struct xp_fold f;
	int count = 0, rc = 0;

	if (!undo || !done) {
		free(undo);
		free(done);
		return -1;
	}
	copy_state(&before, e->state);
	journal_open(e);
	e->applied = 0;
	e->error[0] = 0;
	for (size_t i = 0; i < p->n; i++) {
		size_t m;
		int err;

		if (done[i])
			continue;
		if (p->ops[i].type == XP_OP_DELETE && (m = group_run(e, p, i, done, count))) {
			for (size_t k = i; k < i + m; k++) {
				done[k] = 1;
				applied(e, &p->ops[k], ++count, undo, &nundo);
			}
			if (e->out)
				fprintf(e->out,
					"      (%zu devices deleted in one request, by link "
					"group %u)\n",
					m, XP_OWN_GROUP);
			continue;
		}
		xp_plan_fold(p, i, done, fold_ifindex, e->sk, &f);
		/* an injected failure hits one op: then each goes on its own */
		if (e->fail_at && e->fail_at > count && e->fail_at <= count + 1 + f.n)
			f.n = 0;
		err = send_op(e, p, i, &f, ++count);
		if (err < 0) {
			failed(e, &p->ops[i], err, undo, nundo, &before);
			rc = -1;
			break;
		}
		applied(e, &p->ops[i], count, undo, &nundo);
		for (int k = 0; k < f.n; k++) {
			done[f.at[k]] = 1;
			applied(e, &p->ops[f.at[k]], ++count, undo, &nundo);
		}
	}
	if (!rc && e->then && e->then(e, e->then_arg)) {
		undo_run(e, undo, nundo, &before);
		rc = -1;
	}
	if (!rc) {
		if (e->state->jerr && e->out)
			fprintf(e->out, "warning: cannot write the state journal in %s: %s\n",
				e->state_dir, strerror(-e->state->jerr));
		save(e);
	}
	xp_state_free(&before);
	free(undo);
	free(done);
	return rc;
}
