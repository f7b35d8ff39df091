/*
 * Proves the libxenstore calls our helpers rely on against the real
 * xenstored 4.17 (run by tests/xs/with-xenstored, hypervisor stubbed):
 * read, write, rm, directory, permissions, watches and transactions,
 * including a conflicting transaction failing with EAGAIN.
 *
 * Every test works under its own /xp-test/<name> subtree and removes it.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <xenstore.h>

#define WATCH_TIMEOUT_MS 2000

struct fixture {
	struct xs_handle *h;  /* the helper's connection */
	struct xs_handle *h2; /* somebody else (libxl, another helper) */
};

static int setup(void **state)
{
	static struct fixture f;

	f.h = xs_open(0);
	f.h2 = xs_open(0);
	if (!f.h || !f.h2) {
		print_error("xs_open(0): %s (is XENSTORED_PATH set? run via "
			    "tests/xs/with-xenstored)\n",
			    strerror(errno));
		xs_close(f.h);
		xs_close(f.h2);
		return -1;
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (!f) /* setup failed */
		return 0;
	xs_rm(f->h, XBT_NULL, "/xp-test");
	xs_close(f->h2);
	xs_close(f->h);
	return 0;
}

static void write_str(struct xs_handle *h, xs_transaction_t t, const char *path, const char *val)
{
	if (!xs_write(h, t, path, val, (unsigned int)strlen(val)))
		fail_msg("xs_write %s: %s", path, strerror(errno));
}

/* The value at PATH, compared as a string; NULL expects ENOENT. */
static void check_value(struct xs_handle *h, xs_transaction_t t, const char *path, const char *want)
{
	unsigned int len = 0;
	char *got = xs_read(h, t, path, &len);

	if (!want) {
		int err = errno;

		free(got);
		assert_null(got);
		assert_int_equal(err, ENOENT);
		return;
	}
	if (!got)
		fail_msg("xs_read %s: %s", path, strerror(errno));
	assert_int_equal(len, strlen(want));
	assert_string_equal(got, want);
	free(got);
}

static bool has_entry(char **dir, unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(dir[i], name) == 0)
			return true;
	return false;
}

/* Waits for one watch event on H the way an event loop does (poll on
 * xs_fileno, then xs_check_watch); NULL after the timeout. */
static char **next_event(struct xs_handle *h, int timeout_ms)
{
	struct pollfd p = {.fd = xs_fileno(h), .events = POLLIN};
	char **ev = xs_check_watch(h);

	if (ev)
		return ev;
	assert_int_equal(errno, EAGAIN);
	while (poll(&p, 1, timeout_ms) == 1) {
		ev = xs_check_watch(h);
		if (ev)
			return ev;
		assert_int_equal(errno, EAGAIN);
	}
	return NULL;
}

static void expect_event(struct xs_handle *h, const char *path, const char *token)
{
	char **ev = next_event(h, WATCH_TIMEOUT_MS);

	if (!ev)
		fail_msg("no watch event for %s within %d ms", path, WATCH_TIMEOUT_MS);
	assert_string_equal(ev[XS_WATCH_PATH], path);
	assert_string_equal(ev[XS_WATCH_TOKEN], token);
	free(ev);
}

static void test_write_read(void **state)
{
	struct fixture *f = *state;
	char bin[] = {'a', '\0', 'b'};
	unsigned int len = 0;
	char *got;

	write_str(f->h, XBT_NULL, "/xp-test/rw/key", "hello");
	check_value(f->h, XBT_NULL, "/xp-test/rw/key", "hello");
	/* visible to another connection, and overwritable */
	check_value(f->h2, XBT_NULL, "/xp-test/rw/key", "hello");
	write_str(f->h2, XBT_NULL, "/xp-test/rw/key", "bye");
	check_value(f->h, XBT_NULL, "/xp-test/rw/key", "bye");
	/* writing a deep path creates its parents, with empty values */
	check_value(f->h, XBT_NULL, "/xp-test/rw", "");
	/* values are bytes, not C strings */
	assert_true(xs_write(f->h, XBT_NULL, "/xp-test/rw/bin", bin, 3));
	got = xs_read(f->h, XBT_NULL, "/xp-test/rw/bin", &len);
	assert_non_null(got);
	assert_int_equal(len, 3);
	assert_memory_equal(got, bin, 3);
	free(got);
	check_value(f->h, XBT_NULL, "/xp-test/rw/missing", NULL);
}

static void test_directory_mkdir_rm(void **state)
{
	struct fixture *f = *state;
	unsigned int n = 99;
	char **dir;

	write_str(f->h, XBT_NULL, "/xp-test/dir/a", "1");
	write_str(f->h, XBT_NULL, "/xp-test/dir/b", "2");
	assert_true(xs_mkdir(f->h, XBT_NULL, "/xp-test/dir/c"));
	dir = xs_directory(f->h, XBT_NULL, "/xp-test/dir", &n);
	assert_non_null(dir);
	assert_int_equal(n, 3);
	assert_true(has_entry(dir, n, "a"));
	assert_true(has_entry(dir, n, "b"));
	assert_true(has_entry(dir, n, "c"));
	free(dir);
	check_value(f->h, XBT_NULL, "/xp-test/dir/c", "");

	/* a leaf has an empty directory */
	dir = xs_directory(f->h, XBT_NULL, "/xp-test/dir/a", &n);
	assert_non_null(dir);
	assert_int_equal(n, 0);
	free(dir);

	/* rm takes the whole subtree */
	assert_true(xs_rm(f->h, XBT_NULL, "/xp-test/dir/a"));
	dir = xs_directory(f->h, XBT_NULL, "/xp-test/dir", &n);
	assert_non_null(dir);
	assert_int_equal(n, 2);
	assert_false(has_entry(dir, n, "a"));
	free(dir);
	assert_true(xs_rm(f->h, XBT_NULL, "/xp-test/dir"));
	check_value(f->h, XBT_NULL, "/xp-test/dir/b", NULL);
	dir = xs_directory(f->h, XBT_NULL, "/xp-test/dir", &n);
	assert_null(dir);
	assert_int_equal(errno, ENOENT);
}

static void test_permissions(void **state)
{
	struct fixture *f = *state;
	/* as libxl sets a vif backend dir: owned by dom0, readable by the
	 * guest (domid 5) */
	struct xs_permissions set[2] = {
	    {.id = 0, .perms = XS_PERM_NONE},
	    {.id = 5, .perms = XS_PERM_READ},
	};
	struct xs_permissions *got;
	unsigned int n = 0;

	write_str(f->h, XBT_NULL, "/xp-test/perm/node", "x");
	got = xs_get_permissions(f->h, XBT_NULL, "/xp-test/perm/node", &n);
	assert_non_null(got);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].id, 0); /* created by dom0 (us) */
	free(got);

	assert_true(xs_set_permissions(f->h, XBT_NULL, "/xp-test/perm/node", set, 2));
	got = xs_get_permissions(f->h2, XBT_NULL, "/xp-test/perm/node", &n);
	assert_non_null(got);
	assert_int_equal(n, 2);
	assert_int_equal(got[0].id, 0);
	assert_int_equal(got[0].perms, XS_PERM_NONE);
	assert_int_equal(got[1].id, 5);
	assert_int_equal(got[1].perms, XS_PERM_READ);
	free(got);

	/* a guest-owned node (frontend dir), as the stub reports every domid
	 * as an existing domain */
	set[0].id = 7;
	set[0].perms = XS_PERM_READ;
	assert_true(xs_set_permissions(f->h, XBT_NULL, "/xp-test/perm/node", set, 1));
	got = xs_get_permissions(f->h, XBT_NULL, "/xp-test/perm/node", &n);
	assert_non_null(got);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].id, 7);
	assert_int_equal(got[0].perms, XS_PERM_READ);
	free(got);

	/* dom0 still reads and writes it */
	write_str(f->h, XBT_NULL, "/xp-test/perm/node", "y");
	check_value(f->h, XBT_NULL, "/xp-test/perm/node", "y");

	assert_false(xs_set_permissions(f->h, XBT_NULL, "/xp-test/perm/none", set, 1));
	assert_int_equal(errno, ENOENT);
}

static void test_watch(void **state)
{
	struct fixture *f = *state;
	char **ev;

	write_str(f->h, XBT_NULL, "/xp-test/watch/state", "1");
	assert_true(xs_watch(f->h, "/xp-test/watch", "tok"));
	/* a new watch fires once at once, for its own path */
	expect_event(f->h, "/xp-test/watch", "tok");
	assert_null(next_event(f->h, 100));

	/* a change below it by another connection */
	write_str(f->h2, XBT_NULL, "/xp-test/watch/state", "4");
	expect_event(f->h, "/xp-test/watch/state", "tok");
	assert_true(xs_rm(f->h2, XBT_NULL, "/xp-test/watch/state"));
	expect_event(f->h, "/xp-test/watch/state", "tok");

	/* nothing outside it */
	write_str(f->h2, XBT_NULL, "/xp-test/elsewhere", "x");
	assert_null(next_event(f->h, 200));

	/* blocking read, as a simple helper would use */
	write_str(f->h2, XBT_NULL, "/xp-test/watch/x", "1");
	{
		unsigned int n = 0;

		ev = xs_read_watch(f->h, &n);
		assert_non_null(ev);
		assert_int_equal(n, 2);
		assert_string_equal(ev[XS_WATCH_PATH], "/xp-test/watch/x");
		free(ev);
	}

	assert_true(xs_unwatch(f->h, "/xp-test/watch", "tok"));
	write_str(f->h2, XBT_NULL, "/xp-test/watch/state", "6");
	ev = next_event(f->h, 200);
	free(ev);
	assert_null(ev);
}

static void test_transaction_commit_abort(void **state)
{
	struct fixture *f = *state;
	xs_transaction_t t;

	write_str(f->h, XBT_NULL, "/xp-test/tx/v", "old");

	t = xs_transaction_start(f->h);
	assert_int_not_equal(t, XBT_NULL);
	write_str(f->h, t, "/xp-test/tx/v", "new");
	write_str(f->h, t, "/xp-test/tx/w", "added");
	check_value(f->h, t, "/xp-test/tx/v", "new");
	/* isolated until commit */
	check_value(f->h2, XBT_NULL, "/xp-test/tx/v", "old");
	check_value(f->h, XBT_NULL, "/xp-test/tx/w", NULL);
	assert_true(xs_transaction_end(f->h, t, false));
	check_value(f->h2, XBT_NULL, "/xp-test/tx/v", "new");
	check_value(f->h2, XBT_NULL, "/xp-test/tx/w", "added");

	t = xs_transaction_start(f->h);
	assert_int_not_equal(t, XBT_NULL);
	write_str(f->h, t, "/xp-test/tx/v", "discarded");
	assert_true(xs_rm(f->h, t, "/xp-test/tx/w"));
	assert_true(xs_transaction_end(f->h, t, true)); /* abort */
	check_value(f->h2, XBT_NULL, "/xp-test/tx/v", "new");
	check_value(f->h2, XBT_NULL, "/xp-test/tx/w", "added");
}

static void test_transaction_conflict(void **state)
{
	struct fixture *f = *state;
	xs_transaction_t t;
	int tries;

	write_str(f->h, XBT_NULL, "/xp-test/conf/n", "0");

	/* read-modify-write in a transaction while someone else writes the
	 * same node: the commit must fail with EAGAIN and change nothing */
	t = xs_transaction_start(f->h);
	assert_int_not_equal(t, XBT_NULL);
	check_value(f->h, t, "/xp-test/conf/n", "0");
	write_str(f->h, t, "/xp-test/conf/n", "1");
	write_str(f->h2, XBT_NULL, "/xp-test/conf/n", "other");
	assert_false(xs_transaction_end(f->h, t, false));
	assert_int_equal(errno, EAGAIN);
	check_value(f->h, XBT_NULL, "/xp-test/conf/n", "other");

	/* the usual retry loop then succeeds */
	for (tries = 0; tries < 5; tries++) {
		t = xs_transaction_start(f->h);
		assert_int_not_equal(t, XBT_NULL);
		check_value(f->h, t, "/xp-test/conf/n", "other");
		write_str(f->h, t, "/xp-test/conf/n", "mine");
		if (xs_transaction_end(f->h, t, false))
			break;
		assert_int_equal(errno, EAGAIN);
	}
	assert_int_equal(tries, 0);
	check_value(f->h2, XBT_NULL, "/xp-test/conf/n", "mine");

	/* two transactions on the same node: the second to commit loses */
	{
		xs_transaction_t t1 = xs_transaction_start(f->h);
		xs_transaction_t t2 = xs_transaction_start(f->h2);

		assert_int_not_equal(t1, XBT_NULL);
		assert_int_not_equal(t2, XBT_NULL);
		check_value(f->h, t1, "/xp-test/conf/n", "mine");
		check_value(f->h2, t2, "/xp-test/conf/n", "mine");
		write_str(f->h, t1, "/xp-test/conf/n", "t1");
		write_str(f->h2, t2, "/xp-test/conf/n", "t2");
		assert_true(xs_transaction_end(f->h, t1, false));
		assert_false(xs_transaction_end(f->h2, t2, false));
		assert_int_equal(errno, EAGAIN);
		check_value(f->h2, XBT_NULL, "/xp-test/conf/n", "t1");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_read),
	    cmocka_unit_test(test_directory_mkdir_rm),
	    cmocka_unit_test(test_permissions),
	    cmocka_unit_test(test_watch),
	    cmocka_unit_test(test_transaction_commit_abort),
	    cmocka_unit_test(test_transaction_conflict),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
