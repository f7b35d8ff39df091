/*
 * The hotplug reports of src/common/xsutil.c against the real xenstored
 * (tests/xs/with-xenstored): hotplug-status / hotplug-error and the frontend
 * mtu are written only into a directory that exists, in a transaction, so a
 * backend directory the toolstack removed is never created again; and the
 * mechanism that rests on: a transaction that read the directory fails with
 * EAGAIN when another connection removes it before the commit.
 *
 * Every test works under /xp-report and removes it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <xenstore.h>

#include "common/xsutil.h"

#define BE "/xp-report/backend/vif/3/0"

/* What report_up writes, one item: 1 written, 0 its directory absent, -1
 * error (the return of xp_xs_report_error). */
static int put_one(struct xs_handle *h, const char *dir, const char *key, const char *val)
{
	struct xp_xs_put p = {dir, key, val, 0};

	return xp_xs_put_if_dirs(h, &p, 1) ? -1 : p.done;
}
#define connected(h, dir) put_one(h, dir, "hotplug-status", "connected")

struct fixture {
	struct xs_handle *h;  /* the helper's connection */
	struct xs_handle *h2; /* libxl's */
};

static int setup(void **state)
{
	static struct fixture f;

	f.h = xp_xs_open();
	f.h2 = xs_open(0);
	if (!f.h || !f.h2) {
		print_error("xs_open: %s (run via tests/xs/with-xenstored)\n", strerror(errno));
		return -1;
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (!f)
		return 0;
	xs_close(f->h2);
	xp_xs_close(f->h);
	return 0;
}

static int per_test_setup(void **state)
{
	struct fixture *f = *state;

	xs_rm(f->h2, XBT_NULL, "/xp-report");
	return xs_write(f->h2, XBT_NULL, BE "/state", "2", 1) ? 0 : -1;
}

static int per_test_teardown(void **state)
{
	struct fixture *f = *state;

	xs_rm(f->h2, XBT_NULL, "/xp-report");
	return 0;
}

/* The value at path, or NULL (ENOENT). */
static char *get(struct xs_handle *h, const char *path)
{
	unsigned int n;

	return xs_read(h, XBT_NULL, path, &n);
}

static void expect(struct xs_handle *h, const char *path, const char *want)
{
	char *v = get(h, path);

	if (!want) {
		if (v)
			fail_msg("%s exists (%s), expected absent", path, v);
		return;
	}
	if (!v)
		fail_msg("%s absent, expected %s", path, want);
	assert_string_equal(v, want);
	free(v);
}

static void test_connected_written(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(connected(f->h, BE), 1);
	expect(f->h2, BE "/hotplug-status", "connected");
	expect(f->h2, BE "/state", "2");
}

static void test_connected_never_recreates(void **state)
{
	struct fixture *f = *state;

	assert_true(xs_rm(f->h2, XBT_NULL, BE));
	assert_int_equal(connected(f->h, BE), 0);
	expect(f->h2, BE, NULL);
	expect(f->h2, BE "/hotplug-status", NULL);
}

static void test_error_written_together(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(xp_xs_report_error(f->h, BE, "online vif3.0 (domain 3): no bridge"), 1);
	expect(f->h2, BE "/hotplug-status", "error");
	expect(f->h2, BE "/hotplug-error", "online vif3.0 (domain 3): no bridge");
}

static void test_error_never_recreates(void **state)
{
	struct fixture *f = *state;

	assert_true(xs_rm(f->h2, XBT_NULL, BE));
	assert_int_equal(xp_xs_report_error(f->h, BE, "x"), 0);
	expect(f->h2, BE, NULL);
	/* nor a parent removed with it */
	assert_true(xs_rm(f->h2, XBT_NULL, "/xp-report/backend"));
	assert_int_equal(xp_xs_report_error(f->h, BE, "x"), 0);
	expect(f->h2, "/xp-report/backend", NULL);
}

/* The frontend mtu (report_up): into an existing frontend only. */
static void test_write_if_dir(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(put_one(f->h, BE, "mtu", "1400"), 1);
	expect(f->h2, BE "/mtu", "1400");
	assert_int_equal(put_one(f->h, "/xp-report/device/vif/0", "mtu", "1400"), 0);
	expect(f->h2, "/xp-report/device", NULL);
}

/* The online's one transaction (report_up): the frontend mtu and the
 * backend's hotplug-status together; a directory that has gone gets
 * nothing and says so, the other is still written. */
static void test_put_if_dirs(void **state)
{
	struct fixture *f = *state;
	struct xp_xs_put p[2] = {{"/xp-report/device/vif/0", "mtu", "1400", 7},
				 {BE, "hotplug-status", "connected", 7}};

	assert_int_equal(xp_xs_put_if_dirs(f->h, p, 2), 0);
	assert_int_equal(p[0].done, 0);
	assert_int_equal(p[1].done, 1);
	expect(f->h2, "/xp-report/device", NULL);
	expect(f->h2, BE "/hotplug-status", "connected");
	assert_true(xs_write(f->h2, XBT_NULL, "/xp-report/device/vif/0/state", "1", 1));
	p[1].val = "error";
	assert_int_equal(xp_xs_put_if_dirs(f->h, p, 2), 0);
	assert_int_equal(p[0].done + p[1].done, 2);
	expect(f->h2, "/xp-report/device/vif/0/mtu", "1400");
	expect(f->h2, BE "/hotplug-status", "error");
	assert_true(xs_rm(f->h2, XBT_NULL, BE));
	assert_int_equal(xp_xs_put_if_dirs(f->h, p, 2), 0);
	assert_int_equal(p[0].done, 1);
	assert_int_equal(p[1].done, 0);
	expect(f->h2, BE, NULL);
}

/* An error after connected replaces it; connected after an error too (the
 * last run for the vif says what the device is). */
static void test_last_report_wins(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(connected(f->h, BE), 1);
	assert_int_equal(xp_xs_report_error(f->h, BE, "failed"), 1);
	expect(f->h2, BE "/hotplug-status", "error");
	assert_int_equal(connected(f->h, BE), 1);
	expect(f->h2, BE "/hotplug-status", "connected");
}

/* What the reports rest on: the directory read inside the transaction makes
 * its removal by another connection a conflict, so the write that would
 * recreate it is never committed. */
static void test_removal_conflicts(void **state)
{
	struct fixture *f = *state;
	xs_transaction_t t = xs_transaction_start(f->h);
	unsigned int n;
	char *v;

	assert_int_not_equal(t, XBT_NULL);
	v = xs_read(f->h, t, BE, &n);
	assert_non_null(v);
	free(v);
	assert_true(xs_rm(f->h2, XBT_NULL, BE));
	assert_true(xs_write(f->h, t, BE "/hotplug-status", "connected", 9));
	assert_false(xs_transaction_end(f->h, t, false));
	assert_int_equal(errno, EAGAIN);
	expect(f->h2, BE, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_connected_written, per_test_setup,
					    per_test_teardown),
	    cmocka_unit_test_setup_teardown(test_connected_never_recreates, per_test_setup,
					    per_test_teardown),
	    cmocka_unit_test_setup_teardown(test_error_written_together, per_test_setup,
					    per_test_teardown),
	    cmocka_unit_test_setup_teardown(test_error_never_recreates, per_test_setup,
					    per_test_teardown),
	    cmocka_unit_test_setup_teardown(test_write_if_dir, per_test_setup, per_test_teardown),
	    cmocka_unit_test_setup_teardown(test_put_if_dirs, per_test_setup, per_test_teardown),
	    cmocka_unit_test_setup_teardown(test_last_report_wins, per_test_setup,
					    per_test_teardown),
	    cmocka_unit_test_setup_teardown(test_removal_conflicts, per_test_setup,
					    per_test_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
