/* Costs that grow linearly with the map (issue 18): loading a map of N
 * bridges (each with a dummy port), planning its start and numbering the
 * steps as the dry run does, then stop of the same N created devices, and
 * the state's records of them dropped in the stop's order as the executor
 * drops them.  Name comparisons are counted (strcmp is wrapped at link
 * time: every call from the map and the planner's objects lands here), and
 * for the records the state's name-index writes (xp_nametab_put, wrapped
 * too), not timed: ten times the map must cost at most twelve times as
 * many; a look-up that scans the map again for each entry, or an index
 * rebuilt at each removal, costs a hundred times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/nametab.h"
#include "net/observe.h"
#include "net/plan.h"
#include "net/planout.h"

int __real_strcmp(const char *a, const char *b);
int __wrap_strcmp(const char *a, const char *b);

static unsigned long ncmp, nput;

int __wrap_strcmp(const char *a, const char *b)
{
	ncmp++;
	return __real_strcmp(a, b);
}

void __real_xp_nametab_put(struct xp_nametab *t, const char *name, long value);
void __wrap_xp_nametab_put(struct xp_nametab *t, const char *name, long value);

void __wrap_xp_nametab_put(struct xp_nametab *t, const char *name, long value)
{
	nput++;
	__real_xp_nametab_put(t, name, value);
}

/* [dummy dN] and [bridge xbN] with ports = dN, N = 1..n */
static char *map_text(size_t n)
{
	size_t len = n * 64 + 1, at = 0;
	char *t = malloc(len);

	assert_non_null(t);
	for (size_t i = 1; i <= n; i++)
		at += (size_t)snprintf(t + at, len - at,
				       "[dummy d%zu]\n[bridge xb%zu]\nports = d%zu\n", i, i, i);
	return t;
}

/* the kernel's ifindex of xbN (2N) and dN (2N + 1) */
static int ifindex_of(const char *name)
{
	return name[0] == 'x' ? 2 * atoi(name + 2) : 2 * atoi(name + 1) + 1;
}

struct counts {
	unsigned long load, start, stop, unwind;
};

static void load(size_t n, struct xp_conf *c)
{
	struct xp_diag d = {0};
	char *t = map_text(n);

	assert_int_equal(xp_conf_parse_string("scale.conf", t, c, &d), 0);
	assert_int_equal(c->nbridges, n);
	xp_diag_free(&d);
	free(t);
}

static struct counts measure(size_t n)
{
	struct xp_conf c;
	struct xp_observed o = {0};
	struct xp_state s = {0};
	struct xp_diag notes = {0}, errs = {0};
	struct xp_plan p;
	struct counts k;
	size_t *order;
	char name[XP_IFNAMSIZ];

	ncmp = 0;
	load(n, &c);
	k.load = ncmp;

	ncmp = 0;
	assert_int_equal(xp_obs_canon_conf(&o, &c, &notes, &errs), 0);
	assert_int_equal(xp_plan_start(&c, &o, &s, 0, &p), 0);
	assert_int_equal(p.n, 6 * n); /* create x2, join, up x2, the bridge MTU pin */
	order = calloc(p.n, sizeof(*order));
	assert_non_null(order);
	assert_int_equal(xp_plan_steps(&p, &o, order), p.n);
	k.start = ncmp;
	free(order);
	/* what that start made, recorded in the order it made it */
	for (size_t i = 0; i < p.n; i++)
		if (p.ops[i].type == XP_OP_CREATE)
			xp_state_add_dev(&s, p.ops[i].dev, p.ops[i].kind, ifindex_of(p.ops[i].dev));
	assert_int_equal(s.ndevs, 2 * n);
	xp_plan_free(&p);

	/* ... and observed: stop deletes it all */
	for (size_t i = 1; i <= n; i++) {
		struct xp_obs_link *l;
		snprintf(name, sizeof(name), "xb%zu", i);
		l = xp_obs_add(&o, name);
		l->kind = XP_K_BRIDGE;
		l->ifindex = ifindex_of(name);
		l->up = 1;
		snprintf(name, sizeof(name), "d%zu", i);
		l = xp_obs_add(&o, name);
		l->kind = XP_K_DUMMY;
		l->ifindex = ifindex_of(name);
		l->up = 1;
		snprintf(l->master, sizeof(l->master), "xb%zu", i);
	}
	ncmp = 0;
	assert_int_equal(xp_plan_stop(&c, &o, &s, &p), 0);
	k.stop = ncmp;
	assert_true(p.n >= 2 * n);
	/* the executor's bookkeeping: each delete drops its record, and the
	 * records left are still found (by name, at their own record) */
	nput = 0;
	for (size_t i = 0; i < p.n; i++)
		if (p.ops[i].type == XP_OP_DELETE) {
			xp_state_del_dev(&s, p.ops[i].dev);
			assert_null(xp_state_dev(&s, p.ops[i].dev));
			if (s.ndevs)
				assert_string_equal(xp_state_dev(&s, s.devs[0].name)->name,
						    s.devs[0].name);
		}
	k.unwind = nput;
	assert_int_equal(s.ndevs, 0);
	xp_plan_free(&p);

	xp_diag_free(&notes);
	xp_diag_free(&errs);
	xp_observed_free(&o);
	xp_state_free(&s);
	xp_conf_free(&c);
	return k;
}

static void test_linear(void **state)
{
	struct counts a = measure(300), b = measure(3000);

	(void)state;
	print_message("strcmp calls, 300 / 3000 bridges: load %lu / %lu, start %lu / %lu, "
		      "stop %lu / %lu; index writes dropping the records %lu / %lu\n",
		      a.load, b.load, a.start, b.start, a.stop, b.stop, a.unwind, b.unwind);
	assert_true(b.load <= 12 * a.load);
	assert_true(b.start <= 12 * a.start);
	assert_true(b.stop <= 12 * a.stop);
	assert_true(b.unwind <= 12 * a.unwind + 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_linear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
