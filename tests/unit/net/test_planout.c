/* The plan as shown (src/net/planout.c): a dry run numbers its steps as
 * the executor will, folding a new device's "up" and "join bridge" into
 * its creation, with a bridge made earlier in the plan counted as there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "net/observe.h"
#include "net/planout.h"

static const struct xp_dummy spec = {.name = "x"};

static void push(struct xp_plan *p, struct xp_op *ops, int type, const char *dev, const char *peer,
		 int kind)
{
	struct xp_op *op = &ops[p->n++];

	memset(op, 0, sizeof(*op));
	op->type = type;
	op->kind = kind;
	op->spec = type == XP_OP_CREATE ? &spec : NULL;
	snprintf(op->dev, sizeof(op->dev), "%s", dev);
	snprintf(op->peer, sizeof(op->peer), "%s", peer);
	snprintf(op->why, sizeof(op->why), "test");
	p->ops = ops;
}

static void seen(struct xp_observed *o, const char *name, int kind, int ifindex)
{
	struct xp_obs_link *l = xp_obs_add(o, name);

	assert_non_null(l);
	l->kind = kind;
	l->ifindex = ifindex;
}

/* Two bridges from scratch (t-net-scratch's map): each bridge's up rides
 * in its creation; the ports join after both exist. */
static void test_scratch_order(void **state)
{
	struct xp_plan p = {0};
	struct xp_op ops[8];
	struct xp_observed o = {0};
	size_t order[8];
	(void)state;

	seen(&o, "eth0", XP_K_OTHER, 2);
	seen(&o, "eth1", XP_K_OTHER, 3);
	seen(&o, "br0", XP_K_ABSENT, 0);
	seen(&o, "br1", XP_K_ABSENT, 0);
	push(&p, ops, XP_OP_CREATE, "br0", "", XP_K_BRIDGE); /* 0 */
	push(&p, ops, XP_OP_CREATE, "br1", "", XP_K_BRIDGE); /* 1 */
	push(&p, ops, XP_OP_ADD_PORT, "eth0", "br0", 0);     /* 2 */
	push(&p, ops, XP_OP_ADD_PORT, "eth1", "br1", 0);     /* 3 */
	push(&p, ops, XP_OP_SET_MTU, "br1", "", 0);	     /* 4 */
	push(&p, ops, XP_OP_UP, "br0", "", 0);		     /* 5 */
	push(&p, ops, XP_OP_UP, "br1", "", 0);		     /* 6 */
	assert_int_equal(xp_plan_steps(&p, &o, order), 7);
	{
		static const size_t want[] = {0, 5, 1, 6, 2, 3, 4};
		for (size_t k = 0; k < 7; k++)
			assert_int_equal(order[k], want[k]);
	}
	xp_observed_free(&o);
}

/* A VLAN made after its bridge joins it in its own request (the bridge
 * exists by then); made before its bridge, it only folds its up. */
static void test_created_master(void **state)
{
	struct xp_plan p = {0};
	struct xp_op ops[8];
	struct xp_observed o = {0};
	size_t order[8];
	json_object *steps, *s2, *v = NULL;
	(void)state;

	push(&p, ops, XP_OP_CREATE, "br0", "", XP_K_BRIDGE); /* 0 */
	push(&p, ops, XP_OP_CREATE, "v0", "", XP_K_VLAN);    /* 1 */
	push(&p, ops, XP_OP_CREATE, "v1", "", XP_K_VLAN);    /* 2 */
	push(&p, ops, XP_OP_CREATE, "br1", "", XP_K_BRIDGE); /* 3 */
	push(&p, ops, XP_OP_ADD_PORT, "v0", "br0", 0);	     /* 4 */
	push(&p, ops, XP_OP_ADD_PORT, "v1", "br1", 0);	     /* 5 */
	push(&p, ops, XP_OP_UP, "v0", "", 0);		     /* 6 */
	push(&p, ops, XP_OP_UP, "v1", "", 0);		     /* 7 */
	assert_int_equal(xp_plan_steps(&p, &o, order), 8);
	{
		/* br0; v0 + join br0 + up; v1 + up (br1 comes later); br1; v1 joins */
		static const size_t want[] = {0, 1, 4, 6, 2, 7, 3, 5};
		for (size_t k = 0; k < 8; k++)
			assert_int_equal(order[k], want[k]);
	}
	steps = xp_plan_json_steps(&p, order);
	assert_int_equal(json_object_array_length(steps), 8);
	s2 = json_object_array_get_idx(steps, 2);
	assert_true(json_object_object_get_ex(s2, "step", &v));
	assert_int_equal(json_object_get_int(v), 3);
	assert_true(json_object_object_get_ex(s2, "op", &v));
	assert_string_equal(json_object_get_string(v), "add-port");
	assert_true(json_object_object_get_ex(s2, "peer", &v));
	assert_string_equal(json_object_get_string(v), "br0");
	json_object_put(steps);
	assert_ptr_equal(xp_plan_op_of(&p, "add port v1 to bridge br1 (test) failed: x"), &ops[5]);
	assert_null(xp_plan_op_of(&p, "add port v1 to bridge br10 (test)"));
	xp_observed_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scratch_order),
	    cmocka_unit_test(test_created_master),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
