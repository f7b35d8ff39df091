/* Unit tests: the undo journal of routed/NAT ports (src/vif/vif_undo.c):
 * where it lives, that records come back in the order written, that a torn
 * last line (a kill mid-write) is ignored, and that a missing journal is
 * "nothing to undo". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vif/vif_undo.h"

static char dir[64];

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof(dir), "/tmp/xpundo.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	setenv("XENPLUMB_STATE_DIR", dir, 1);
	return 0;
}

static int teardown(void **st)
{
	char cmd[128];

	(void)st;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_path(void **st)
{
	char p[256], want[128];

	(void)st;
	assert_int_equal(vif_undo_path(p, sizeof(p), "vif3.0-emu"), 0);
	snprintf(want, sizeof(want), "%s/vif/vif3.0-emu", dir);
	assert_string_equal(p, want);
	assert_int_equal(vif_undo_path(p, 8, "vif3.0"), -1);
}

static void test_roundtrip(void **st)
{
	struct vif_undo u;
	char err[256], **lines;
	size_t n;

	(void)st;
	assert_int_equal(vif_undo_open(&u, "vif4.1", err, sizeof(err)), 0);
	assert_int_equal(vif_undo_add(&u, err, sizeof(err), "net routed %s", "web"), 0);
	assert_int_equal(
	    vif_undo_add(&u, err, sizeof(err), "route %s %s %d", "vif4.1", "192.0.2.10/32", 2), 0);
	assert_int_equal(u.n, 2);
	vif_undo_close(&u);
	assert_int_equal(vif_undo_read(u.path, &lines, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(lines[0], "net routed web");
	assert_string_equal(lines[1], "route vif4.1 192.0.2.10/32 2");
	vif_undo_free_lines(lines, n);
	/* open truncates: a fresh online starts a fresh journal */
	assert_int_equal(vif_undo_open(&u, "vif4.1", err, sizeof(err)), 0);
	vif_undo_close(&u);
	assert_int_equal(vif_undo_read(u.path, &lines, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	vif_undo_free_lines(lines, n);
}

static void test_torn_and_missing(void **st)
{
	char p[256], err[256], **lines;
	size_t n;
	FILE *f;

	(void)st;
	assert_int_equal(vif_undo_path(p, sizeof(p), "vif5.0"), 0);
	assert_int_equal(vif_undo_read(p, &lines, &n, err, sizeof(err)), 1);
	assert_int_equal(n, 0);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("addr vif5.0 192.0.2.1/32\npneigh eth0 192.0.2.", f);
	fclose(f);
	assert_int_equal(vif_undo_read(p, &lines, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(lines[0], "addr vif5.0 192.0.2.1/32");
	vif_undo_free_lines(lines, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_path),
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_torn_and_missing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
