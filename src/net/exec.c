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

#include "common/nl.h"
#include "net/addrmove.h"
#include "net/kind.h"

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

int xp_nd_begin(struct xp_ndmsg *m, const char *name, int ifindex, const char *kind, int mtu,
		int link, const struct xp_nd_fold *f)
{
	unsigned int up = f && f->up ? IFF_UP : 0;
	int err = link_msg(&m->msg, RTM_NEWLINK, ifindex ? 0 : NLM_F_CREATE | NLM_F_EXCL, ifindex,
			   ifindex ? NULL : name, up, up);
	int bad = 0;

	if (err < 0)
		return err;
	if (mtu > 0)
		bad |= nla_put_u32(m->msg, IFLA_MTU, (uint32_t)mtu);
	if (link > 0)
		bad |= nla_put_u32(m->msg, IFLA_LINK, (uint32_t)link);
	if (f && f->master > 0)
		bad |= nla_put_u32(m->msg, IFLA_MASTER, (uint32_t)f->master);
	m->linkinfo = nla_nest_start(m->msg, IFLA_LINKINFO);
	if (bad || !m->linkinfo || nla_put_string(m->msg, IFLA_INFO_KIND, kind) < 0 ||
	    !(m->data = nla_nest_start(m->msg, IFLA_INFO_DATA))) {
		nlmsg_free(m->msg);
		return -NLE_NOMEM;
	}
	return 0;
}

int xp_nd_send(struct nl_sock *sk, struct xp_ndmsg *m)
{
	nla_nest_end(m->msg, m->data);
	nla_nest_end(m->msg, m->linkinfo);
	return xp_nl_do(sk, m->msg);
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
	xp_nl_ifindex_forget(op->dev);
	switch (op->kind) {
	case XP_K_BRIDGE:
		return xp_bridge_create(sk, op->spec, f);
	case XP_K_BOND:
		return xp_bond_create(sk, op->spec, f);
	case XP_K_VLAN:
		return xp_vlan_create(sk, op->spec, f);
	case XP_K_DUMMY:
		return xp_dummy_create(sk, op->spec, f);
	default:
		return -NLE_INVAL;
	}
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
		xp_nl_ifindex_forget(op->dev);
		return link_simple(sk, op->dev, RTM_DELLINK, 0, 0, 0, 0);
	case XP_OP_SET_MTU:
		return link_simple(sk, op->dev, RTM_NEWLINK, IFLA_MTU, op->value, 0, 0);
	case XP_OP_SET_STP:
	case XP_OP_SET_FD:
	case XP_OP_SET_VLANF:
		return xp_bridge_set(sk, op->dev, op->type, op->value);
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
		/* onto a bridge (a move): usable at once, it served already */
		return xp_addr_add(sk, op->dev, &op->addr, op->value == 0 && op->peer[0]);
	case XP_OP_DEL_ADDR:
		return xp_addr_del(sk, op->dev, &op->addr);
	case XP_OP_ADD_ROUTE:
		return xp_route_add(sk, op->dev, &op->route);
	case XP_OP_DEL_ROUTE:
		return xp_route_del(sk, op->dev, &op->route);
	case XP_OP_PORT_VLAN:
		return xp_bridge_port_vlan(sk, op->dev, op->value, op->old);
	default:
		return -NLE_OPNOTSUPP;
	}
}

/* ---- undo ---- */

/* The op that undoes op; 0 when there is none (a delete). */
static int inverse(const struct xp_op *op, struct xp_op *inv)
{
	*inv = *op;
	inv->why[0] = 0;
	inv->value = op->old;
	inv->old = op->value;
	switch (op->type) {
	case XP_OP_CREATE:
		inv->type = XP_OP_DELETE;
		return 1;
	case XP_OP_SET_MTU:
	case XP_OP_SET_STP:
	case XP_OP_SET_FD:
	case XP_OP_SET_VLANF:
		return 1;
	case XP_OP_DOWN:
		inv->type = XP_OP_UP;
		return 1;
	case XP_OP_UP:
		inv->type = XP_OP_DOWN;
		return 1;
	case XP_OP_ENSLAVE:
	case XP_OP_ADD_PORT:
		inv->type = XP_OP_DEL_PORT;
		return 1;
	case XP_OP_DEL_PORT:
		inv->type = XP_OP_ADD_PORT;
		return 1;
	case XP_OP_ADD_ADDR:
		inv->type = XP_OP_DEL_ADDR;
		return 1;
	case XP_OP_DEL_ADDR:
		inv->type = XP_OP_ADD_ADDR;
		inv->value = 1; /* back where it was: no nodad */
		return 1;
	case XP_OP_ADD_ROUTE:
		inv->type = XP_OP_DEL_ROUTE;
		return 1;
	case XP_OP_DEL_ROUTE:
		inv->type = XP_OP_ADD_ROUTE;
		return 1;
	case XP_OP_PORT_VLAN:
		inv->value = op->value;
		inv->old = !op->old;
		return 1;
	default:
		return 0;
	}
}

/* ---- state bookkeeping ---- */

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
		for (size_t i = s->nslaves; i-- > 0;)
			if (!strcmp(s->slaves[i].bond, op->dev))
				xp_state_del_slave(s, s->slaves[i].bond, s->slaves[i].slave);
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

static void rollback(struct xp_exec *e, struct xp_op *undo, size_t n, const struct xp_state *before)
{
	char line[400];

	xp_state_free(e->state);
	copy_state(e->state, before);
	for (size_t i = n; i-- > 0;) {
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

/* ---- folding: later ops that ride in one request ---- */

struct fold {
	size_t at[2]; /* the folded ops, by index in the plan */
	int n;
	struct xp_nd_fold nd;
};

/* Ops on dev before which dev must not be up yet (or that replace it). */
static int blocks_up(const struct xp_op *q)
{
	return q->type == XP_OP_DOWN || q->type == XP_OP_ENSLAVE || q->type == XP_OP_DELETE ||
	       q->type == XP_OP_CREATE;
}

/* Does the plan create name after op i (so it does not exist yet)? */
static int created_later(const struct xp_plan *p, size_t i, const unsigned char *done,
			 const char *name)
{
	for (size_t j = i + 1; j < p->n; j++)
		if (!done[j] && p->ops[j].type == XP_OP_CREATE && !strcmp(p->ops[j].dev, name))
			return 1;
	return 0;
}

/* What of the plan after op i can go into op i's own request: into a
 * creating RTM_NEWLINK (not a bond's), joining a bridge that exists by
 * now and going up; into joining a bridge, going up.  The kernel applies a
 * device's master before its flags.  Going up early is only folded when no
 * op in between needs the device down (enslaving). */
static void plan_fold(struct nl_sock *sk, const struct xp_plan *p, size_t i,
		      const unsigned char *done, struct fold *f)
{
	const struct xp_op *op = &p->ops[i];
	int port;

	memset(f, 0, sizeof(*f));
	if (op->type == XP_OP_CREATE && op->spec && op->kind != XP_K_BOND)
		port = 0;
	else if (op->type == XP_OP_ADD_PORT)
		port = 1;
	else
		return;
	for (size_t j = i + 1; j < p->n; j++) {
		const struct xp_op *q = &p->ops[j];

		if (done[j] || strcmp(q->dev, op->dev))
			continue;
		if (q->type == XP_OP_ADD_PORT && !port) {
			int master =
			    created_later(p, i, done, q->peer) ? 0 : xp_nl_ifindex(sk, q->peer);
			port = 1;
			if (master <= 0)
				continue; /* the bridge comes later: joins in its turn */
			f->nd.master = master;
			f->at[f->n++] = j;
		} else if (q->type == XP_OP_UP) {
			f->nd.up = 1;
			f->at[f->n++] = j;
			return;
		} else if (blocks_up(q)) {
			return;
		}
	}
}

static int exec_folded(struct nl_sock *sk, const struct xp_op *op, const struct fold *f)
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
	if (op->type == XP_OP_CREATE || op->type == XP_OP_ADD_PORT ||
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
	if (inverse(op, &undo[*nundo]))
		(*nundo)++;
	record(e, op, 0);
	step_saved(e);
	e->applied++;
}

int xp_exec_run(struct xp_exec *e, const struct xp_plan *p)
{
	struct xp_op *undo = calloc(p->n + 1, sizeof(*undo));
	unsigned char *done = calloc(p->n + 1, 1);
	size_t nundo = 0;
	struct xp_state before;
	struct fold f;
	int count = 0;

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
		const struct xp_op *op = &p->ops[i];
		int err;

		if (done[i])
			continue;
		plan_fold(e->sk, p, i, done, &f);
		/* an injected failure hits one op: then each goes on its own */
		if (e->fail_at && e->fail_at > count && e->fail_at <= count + 1 + f.n)
			f.n = 0;
		count++;
		write_ahead(e, op);
		for (int k = 0; k < f.n; k++)
			write_ahead(e, &p->ops[f.at[k]]);
		if (e->fail_at && count == e->fail_at) {
			err = -NLE_FAILURE;
			char why[64];

			snprintf(why, sizeof(why), "injected failure (XENPLUMB_FAIL_AT=%d)",
				 e->fail_at);
			xp_nl_set_last_error(why);
		} else if (f.n) {
			err = exec_folded(e->sk, op, &f);
			if (err < 0) { /* the ops one by one, to name the one that fails */
				f.n = 0;
				err = xp_exec_op(e->sk, op);
			}
		} else {
			err = xp_exec_op(e->sk, op);
		}
		/* Undoing a move that was already undone by hand is fine. */
		if (err < 0 && op->value == 2 &&
		    (op->type == XP_OP_DEL_ADDR || op->type == XP_OP_DEL_ROUTE) &&
		    xp_nl_err_gone(err) && !(e->fail_at && count == e->fail_at))
			err = 0;
		if (err < 0) {
			char line[400];
			xp_op_format(op, line, sizeof(line));
			snprintf(e->error, sizeof(e->error), "%s failed: %s%s%s", line,
				 xp_nl_strerror(err), xp_nl_last_error()[0] ? ": " : "",
				 xp_nl_last_error());
			if (e->out)
				fprintf(e->out, "FAILED: %s\nrolling back %zu operation%s\n",
					e->error, nundo, nundo == 1 ? "" : "s");
			rollback(e, undo, nundo, &before);
			xp_state_free(&before);
			free(undo);
			free(done);
			e->applied = 0;
			return -1;
		}
		applied(e, op, count, undo, &nundo);
		for (int k = 0; k < f.n; k++) {
			done[f.at[k]] = 1;
			applied(e, &p->ops[f.at[k]], ++count, undo, &nundo);
		}
	}
	if (e->state->jerr && e->out)
		fprintf(e->out, "warning: cannot write the state journal in %s: %s\n", e->state_dir,
			strerror(-e->state->jerr));
	save(e);
	xp_state_free(&before);
	free(undo);
	free(done);
	return 0;
}
