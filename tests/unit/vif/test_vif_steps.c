/* Unit tests: the step list and its reverse undo walk (src/vif/vif_steps.c),
 * with fake steps that log what they do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vif/vif_steps.h"

/* What the fakes did, in order: "a" step a ran, "A" undo of a ran. */
struct fake {
	char log[64];
	const char *fail;  /* the step that fails */
	int record_before; /* the failing step records its undo first */
};

static void note(struct fake *f, char c)
{
	size_t n = strlen(f->log);

	if (n + 1 < sizeof(f->log)) {
		f->log[n] = c;
		f->log[n + 1] = '\0';
	}
}

#define UNDO(x)                                                                                    \
	static void undo_##x(void *ctx)                                                            \
	{                                                                                          \
		note(ctx, (char)(#x[0] - 'a' + 'A'));                                              \
	}
UNDO(a)
UNDO(b)
UNDO(c)
UNDO(d)

/* A step that changes something and records its undo after (or, when
 * record_before, before a request that may apply in part). */
static int fake_step(struct vif_steps *s, struct fake *f, const char *name, vif_undo_fn *u)
{
	int fails = f->fail && !strcmp(f->fail, name);

	note(f, name[0]);
	if (fails && f->record_before)
		assert_int_equal(vif_steps_record(s, u), 0);
	if (fails)
		return -1;
	return vif_steps_record(s, u);
}

static int step_a(struct vif_steps *s, void *ctx)
{
	return fake_step(s, ctx, "a", undo_a);
}
static int step_b(struct vif_steps *s, void *ctx)
{
	return fake_step(s, ctx, "b", undo_b);
}
/* nothing to do: records nothing */
static int step_n(struct vif_steps *s, void *ctx)
{
	(void)s;
	note(ctx, 'n');
	return 0;
}
static int step_c(struct vif_steps *s, void *ctx)
{
	return fake_step(s, ctx, "c", undo_c);
}
static int step_d(struct vif_steps *s, void *ctx)
{
	return fake_step(s, ctx, "d", undo_d);
}

static const struct vif_step steps[] = {
    {"a", step_a}, {"b", step_b}, {"n", step_n}, {"c", step_c}, {"d", step_d},
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

static const char *run(struct fake *f, int *rc)
{
	struct vif_steps s;
	const char *failed = "unset";

	vif_steps_init(&s, f);
	*rc = vif_steps_run(&s, steps, NSTEPS, &failed);
	assert_int_equal(s.n, *rc ? 0 : 4); /* undone: nothing left recorded */
	return failed;
}

static void test_all_run_nothing_undone(void **st)
{
	struct fake f = {{0}, NULL, 0};
	int rc;

	(void)st;
	assert_null(run(&f, &rc));
	assert_int_equal(rc, 0);
	assert_string_equal(f.log, "abncd");
}

static void test_failure_undoes_in_reverse(void **st)
{
	struct fake f = {{0}, "c", 0};
	int rc;

	(void)st;
	assert_string_equal(run(&f, &rc), "c");
	assert_int_equal(rc, -1);
	/* c made no change and recorded nothing; d never ran */
	assert_string_equal(f.log, "abncBA");
}

static void test_partial_change_is_undone(void **st)
{
	struct fake f = {{0}, "c", 1};
	int rc;

	(void)st;
	run(&f, &rc);
	assert_int_equal(rc, -1);
	/* c recorded before its request: its undo runs first */
	assert_string_equal(f.log, "abncCBA");
}

static void test_first_step_fails(void **st)
{
	struct fake f = {{0}, "a", 0};
	int rc;

	(void)st;
	assert_string_equal(run(&f, &rc), "a");
	assert_int_equal(rc, -1);
	assert_string_equal(f.log, "a");
}

static void test_last_step_fails(void **st)
{
	struct fake f = {{0}, "d", 0};
	int rc;

	(void)st;
	assert_string_equal(run(&f, &rc), "d");
	assert_string_equal(f.log, "abncdCBA");
}

static void test_empty_list(void **st)
{
	struct vif_steps s;
	const char *failed = "unset";

	(void)st;
	vif_steps_init(&s, NULL);
	assert_int_equal(vif_steps_run(&s, steps, 0, &failed), 0);
	assert_null(failed);
	vif_steps_undo(&s); /* nothing recorded: no call */
	assert_int_equal(s.n, 0);
}

static void test_record_full(void **st)
{
	struct fake f = {{0}, NULL, 0};
	struct vif_steps s;

	(void)st;
	vif_steps_init(&s, &f);
	for (int i = 0; i < VIF_UNDO_MAX; i++)
		assert_int_equal(vif_steps_record(&s, undo_a), 0);
	assert_int_equal(vif_steps_record(&s, undo_b), -1);
	vif_steps_undo(&s);
	assert_int_equal(strlen(f.log), VIF_UNDO_MAX);
	assert_null(strchr(f.log, 'B'));
	assert_int_equal(s.n, 0);
}

/* The undo list is emptied by a walk: a second walk does nothing. */
static void test_undo_once(void **st)
{
	struct fake f = {{0}, NULL, 0};
	struct vif_steps s;

	(void)st;
	vif_steps_init(&s, &f);
	vif_steps_record(&s, undo_a);
	vif_steps_record(&s, undo_b);
	vif_steps_undo(&s);
	vif_steps_undo(&s);
	assert_string_equal(f.log, "BA");
}

static void test_failed_may_be_null(void **st)
{
	struct fake f = {{0}, "b", 0};
	struct vif_steps s;

	(void)st;
	vif_steps_init(&s, &f);
	assert_int_equal(vif_steps_run(&s, steps, NSTEPS, NULL), -1);
	assert_string_equal(f.log, "abA");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_run_nothing_undone),
	    cmocka_unit_test(test_failure_undoes_in_reverse),
	    cmocka_unit_test(test_partial_change_is_undone),
	    cmocka_unit_test(test_first_step_fails),
	    cmocka_unit_test(test_last_step_fails),
	    cmocka_unit_test(test_empty_list),
	    cmocka_unit_test(test_record_full),
	    cmocka_unit_test(test_undo_once),
	    cmocka_unit_test(test_failed_may_be_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
