/* The executor: apply a plan op by op over netlink, keeping the state file
 * current and an undo list; when an op fails, undo everything this run
 * applied, in reverse, and say what failed and why.
 *
 * Test hook: XENPLUMB_FAIL_AT=N makes the Nth op this run applies fail as
 * if the kernel had refused it (undo ops are never counted), so tests can
 * prove rollback at every step.  It only ever makes a run fail. */
#ifndef XP_EXEC_H
#define XP_EXEC_H

#include <stdio.h>

#include "net/plan.h"

struct nl_sock;
struct nl_msg;

struct xp_exec {
	struct nl_sock *sk;
	struct xp_state *state; /* updated as ops succeed */
	const char *state_dir;	/* journaled as ops go, saved at the end; NULL: never */
	int fail_at;		/* XENPLUMB_FAIL_AT, 0 = off */
	FILE *out;		/* progress lines */
	int applied;		/* ops applied (and kept) */
	char error[1024];	/* what failed */
	int rollback_failed;	/* some undo step failed too */
	/* NULL, or what the run does once every op succeeded and before it
	 * keeps them (Open vSwitch's part, on the devices just made): 0, or
	 * nonzero with e->error set, and then the ops are undone as after a
	 * failed op */
	int (*then)(struct xp_exec *e, void *arg);
	void *then_arg;
};

/* Apply p.  0 when every op (and then) succeeded; -1 after a failure
 * (rolled back). */
int xp_exec_run(struct xp_exec *e, const struct xp_plan *p);

/* Apply one op (no state, no undo); used by tests and by rollback. */
int xp_exec_op(struct nl_sock *sk, const struct xp_op *op);

#endif
