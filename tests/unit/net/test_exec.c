/* The executor's pure step logic (src/net/steps.c), without root or a
 * socket: every op's inverse (and that undoing twice gives the op back),
 * and which later ops fold into a creating RTM_NEWLINK or a port join. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/kind.h"
#include "net/steps.h"

static struct xp_op mk(int type, const char *dev, const char *peer, int value, int old)
{
	struct xp_op op;

	memset(&op, 0, sizeof(op));
	op.type = type;
	snprintf(op.dev, sizeof(op.dev), "%s", dev);
	snprintf(op.peer, sizeof(op.peer), "%s", peer);
	op.value = value;
	op.old = old;
	snprintf(op.why, sizeof(op.why), "because");
	return op;
}

static void test_inverse_types(void **state)
{
	static const int pairs[][2] = {
	    {XP_OP_CREATE, XP_OP_DELETE},
	    {XP_OP_SET_MTU, XP_OP_SET_MTU},
	    {XP_OP_SET_STP, XP_OP_SET_STP},
	    {XP_OP_SET_FD, XP_OP_SET_FD},
	    {XP_OP_SET_VLANF, XP_OP_SET_VLANF},
	    {XP_OP_DOWN, XP_OP_UP},
	    {XP_OP_UP, XP_OP_DOWN},
	    {XP_OP_ENSLAVE, XP_OP_DEL_PORT},
	    {XP_OP_ADD_PORT, XP_OP_DEL_PORT},
	    {XP_OP_DEL_PORT, XP_OP_ADD_PORT},
	    {XP_OP_ADD_ADDR, XP_OP_DEL_ADDR},
	    {XP_OP_DEL_ADDR, XP_OP_ADD_ADDR},
	    {XP_OP_ADD_ROUTE, XP_OP_DEL_ROUTE},
	    {XP_OP_DEL_ROUTE, XP_OP_ADD_ROUTE},
	    {XP_OP_PORT_VLAN, XP_OP_PORT_VLAN},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct xp_op op = mk(pairs[i][0], "eth0", "br0", 9000, 1500), inv;
		assert_int_equal(xp_op_inverse(&op, &inv), 1);
		assert_int_equal(inv.type, pairs[i][1]);
		assert_string_equal(inv.dev, "eth0");
		assert_string_equal(inv.peer, "br0");
		assert_string_equal(inv.why, "");
	}
}

static void test_inverse_values(void **state)
{
	struct xp_op op = mk(XP_OP_SET_MTU, "br0", "", 9000, 1500), inv, back;

	(void)state;
	assert_true(xp_op_inverse(&op, &inv));
	assert_int_equal(inv.value, 1500);
	assert_int_equal(inv.old, 9000);
	assert_true(xp_op_inverse(&inv, &back));
	assert_int_equal(back.type, XP_OP_SET_MTU);
	assert_int_equal(back.value, 9000);

	/* an address deleted (moved) comes back as it was: no nodad */
	op = mk(XP_OP_DEL_ADDR, "eth0", "br0", 1, 0);
	assert_true(xp_op_inverse(&op, &inv));
	assert_int_equal(inv.type, XP_OP_ADD_ADDR);
	assert_int_equal(inv.value, 1);

	/* a port VLAN added is removed by the same VLAN with old flipped */
	op = mk(XP_OP_PORT_VLAN, "eth0", "br0", 100, 0);
	assert_true(xp_op_inverse(&op, &inv));
	assert_int_equal(inv.value, 100);
	assert_int_equal(inv.old, 1);
	assert_true(xp_op_inverse(&inv, &back));
	assert_int_equal(back.value, 100);
	assert_int_equal(back.old, 0);

	/* the kind (and spec) travel: a SET_STP is undone by its kind */
	op = mk(XP_OP_SET_STP, "br0", "", 1, 0);
	op.kind = XP_K_BRIDGE;
	assert_true(xp_op_inverse(&op, &inv));
	assert_int_equal(inv.kind, XP_K_BRIDGE);
}

static void test_inverse_none(void **state)
{
	struct xp_op op = mk(XP_OP_DELETE, "br0", "", 0, 0), inv;

	(void)state;
	assert_int_equal(xp_op_inverse(&op, &inv), 0);
	op.type = 99;
	assert_int_equal(xp_op_inverse(&op, &inv), 0);
}

/* ---- folding ---- */

static int fake_ifindex(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "br0"))
		return 7;
	if (!strcmp(name, "br1"))
		return 8;
	return 0;
}

struct plan {
	struct xp_plan p;
	struct xp_op ops[8];
	unsigned char done[8];
};

static void add(struct plan *pl, struct xp_op op)
{
	pl->ops[pl->p.n++] = op;
	pl->p.ops = pl->ops;
}

static struct xp_op create(const char *dev, int kind)
{
	static const struct xp_dummy spec = {.name = "x"};
	struct xp_op op = mk(XP_OP_CREATE, dev, "", 0, 0);

	op.kind = kind;
	op.spec = &spec;
	return op;
}

static void test_fold_create_port_up(void **state)
{
	struct plan pl = {0};
	struct xp_fold f;

	(void)state;
	add(&pl, create("dummy0", XP_K_DUMMY));
	add(&pl, mk(XP_OP_ADD_PORT, "dummy0", "br0", 0, 0));
	add(&pl, mk(XP_OP_UP, "dummy0", "", 0, 0));
	xp_plan_fold(&pl.p, 0, pl.done, fake_ifindex, NULL, &f);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.at[0], 1);
	assert_int_equal(f.at[1], 2);
	assert_int_equal(f.nd.master, 7);
	assert_int_equal(f.nd.up, 1);
}

static void test_fold_bond_never(void **state)
{
	struct plan pl = {0};
	struct xp_fold f;

	(void)state;
	add(&pl, create("bond0", XP_K_BOND));
	add(&pl, mk(XP_OP_UP, "bond0", "", 0, 0));
	xp_plan_fold(&pl.p, 0, pl.done, fake_ifindex, NULL, &f);
	assert_int_equal(f.n, 0);
	/* nor a create without its spec (an undo cannot recreate) */
	pl.ops[0] = create("dummy0", XP_K_DUMMY);
	pl.ops[0].spec = NULL;
	pl.ops[1] = mk(XP_OP_UP, "dummy0", "", 0, 0);
	xp_plan_fold(&pl.p, 0, pl.done, fake_ifindex, NULL, &f);
	assert_int_equal(f.n, 0);
}

static void test_fold_bridge_created_later(void **state)
{
	struct plan pl = {0};
	struct xp_fold f;

	(void)state;
	add(&pl, create("dummy0", XP_K_DUMMY));
	add(&pl, create("br0", XP_K_BRIDGE));
	add(&pl, mk(XP_OP_ADD_PORT, "dummy0", "br0", 0, 0));
	add(&pl, mk(XP_OP_UP, "dummy0", "", 0, 0));
	/* br0 does not exist yet when dummy0 is made: only up folds */
	xp_plan_fold(&pl.p, 0, pl.done, fake_ifindex, NULL, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.at[0], 3);
	assert_int_equal(f.nd.master, 0);
	assert_int_equal(f.nd.up, 1);
	/* once br0 is done, its create no longer counts */
	pl.done[1] = 1;
	xp_plan_fold(&pl.p, 0, pl.done, fake_ifindex, NULL, &f);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.nd.master, 7);
}

static void test_fold_blocked(void **state)
{
	static const int blockers[] = {XP_OP_DOWN, XP_OP_ENSLAVE, XP_OP_DELETE, XP_OP_CREATE};
	struct xp_fold f;

	(void)state;
	for (size_t i = 0; i < sizeof(blockers) / sizeof(blockers[0]); i++) {
		struct plan pl = {0};
		struct xp_op b = mk(blockers[i], "eth0", "bond0", 0, 0);
		add(&pl, mk(XP_OP_ADD_PORT, "eth0", "br0", 0, 0));
		add(&pl, b);
		add(&pl, mk(XP_OP_UP, "eth0", "", 0, 0));
		xp_plan_fold(&pl.p, 0, pl.done, fake_ifindex, NULL, &f);
		assert_int_equal(f.n, 0);
	}
}

static void test_fold_port_join(void **state)
{
	struct plan pl = {0};
	struct xp_fold f;

	(void)state;
	add(&pl, mk(XP_OP_ADD_PORT, "eth0", "br0", 0, 0));
	add(&pl, mk(XP_OP_ADD_PORT, "eth1", "br0", 0, 0));
	add(&pl, mk(XP_OP_UP, "eth1", "", 0, 0));
	add(&pl, mk(XP_OP_UP, "eth0", "", 0, 0));
	/* a join folds the device's own up only, not a second join */
	xp_plan_fold(&pl.p, 0, pl.done, fake_ifindex, NULL, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.at[0], 3);
	assert_int_equal(f.nd.up, 1);
	assert_int_equal(f.nd.master, 0);
	/* ops already applied are skipped */
	pl.done[3] = 1;
	xp_plan_fold(&pl.p, 0, pl.done, fake_ifindex, NULL, &f);
	assert_int_equal(f.n, 0);
	/* other op types never fold */
	xp_plan_fold(&pl.p, 2, pl.done, fake_ifindex, NULL, &f);
	assert_int_equal(f.n, 0);
}

static void test_fold_master_missing(void **state)
{
	struct plan pl = {0};
	struct xp_fold f;

	(void)state;
	add(&pl, create("dummy0", XP_K_DUMMY));
	add(&pl, mk(XP_OP_ADD_PORT, "dummy0", "brX", 0, 0));
	add(&pl, mk(XP_OP_UP, "dummy0", "", 0, 0));
	/* brX cannot be found: it joins in its turn, up still folds */
	xp_plan_fold(&pl.p, 0, pl.done, fake_ifindex, NULL, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.at[0], 2);
	assert_int_equal(f.nd.master, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inverse_types),
	    cmocka_unit_test(test_inverse_values),
	    cmocka_unit_test(test_inverse_none),
	    cmocka_unit_test(test_fold_create_port_up),
	    cmocka_unit_test(test_fold_bond_never),
	    cmocka_unit_test(test_fold_bridge_created_later),
	    cmocka_unit_test(test_fold_blocked),
	    cmocka_unit_test(test_fold_port_join),
	    cmocka_unit_test(test_fold_master_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
