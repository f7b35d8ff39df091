/* Unit tests: replay every fuzz seed (fuzz/corpus/TARGET, and for conf the
 * maps in tests/maps/{good,bad}) and every crasher kept in
 * fuzz/crashers/TARGET through the fuzz entry points of fuzz/targets.c,
 * built here without libFuzzer.  An input that breaks an invariant aborts
 * (cmocka reports the test as failed).  Plus the hardening regressions the
 * fuzzing work found that need a file system (special files in includes). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../fuzz/targets.h"
#include "map/conf.h"

static const char *root(void)
{
	const char *r = getenv("XP_ROOT");

	return r && *r ? r : ".";
}

static int replay_file(xpf_fn fn, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;
	long len = -1;

	if (!f)
		fail_msg("cannot open %s", path);
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		fail_msg("cannot size %s", path);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	assert_int_equal(n, (size_t)len);
	fn(buf, n);
	free(buf);
	return 1;
}

/* Every regular file in ROOT/dir (not dot files); returns how many. */
static int replay_dir(xpf_fn fn, const char *dir)
{
	char d[4096], p[8192];
	struct dirent *e;
	int n = 0;
	DIR *dp;

	snprintf(d, sizeof(d), "%s/%s", root(), dir);
	if (!(dp = opendir(d)))
		fail_msg("cannot open directory %s", d);
	while ((e = readdir(dp))) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", d, e->d_name);
		if (stat(p, &st) || !S_ISREG(st.st_mode))
			continue;
		n += replay_file(fn, p);
	}
	closedir(dp);
	return n;
}

static void replay_target(const char *name, int want_maps)
{
	const struct xpf_target *t;
	char dir[256];
	int seeds, crashers;

	for (t = xpf_targets; t->name && strcmp(t->name, name); t++)
		;
	assert_non_null(t->name);
	snprintf(dir, sizeof(dir), "fuzz/corpus/%s", name);
	seeds = replay_dir(t->fn, dir);
	snprintf(dir, sizeof(dir), "fuzz/crashers/%s", name);
	crashers = replay_dir(t->fn, dir);
	if (want_maps) {
		int good = replay_dir(t->fn, "tests/maps/good");
		int bad = replay_dir(t->fn, "tests/maps/bad");

		assert_true(good > 0 && bad > 0);
		seeds += good + bad;
	}
	assert_true(seeds > 0); /* an empty seed corpus would test nothing */
	printf("# %s: %d seeds, %d crashers replayed\n", name, seeds, crashers);
}

static void test_conf(void **st)
{
	(void)st;
	replay_target("conf", 1);
}

static void test_legacy(void **st)
{
	(void)st;
	replay_target("legacy", 0);
}

static void test_values(void **st)
{
	(void)st;
	replay_target("values", 0);
}

static void test_vifkeys(void **st)
{
	(void)st;
	replay_target("vifkeys", 0);
}

static void test_vifargs(void **st)
{
	(void)st;
	replay_target("vifargs", 0);
}

static void test_vifbridge(void **st)
{
	(void)st;
	replay_target("vifbridge", 0);
}

static void test_plan(void **st)
{
	(void)st;
	replay_target("plan", 0);
}

/* The map parser is run by vif-xenplumb on every hotplug and by
 * network-xenplumb under its lock: an include naming a FIFO (or a device)
 * must be refused without opening it (opening a FIFO blocks until a
 * writer appears; opening some devices has side effects).  A hang is
 * turned into a failure by alarm(). */
static void test_include_fifo_refused(void **st)
{
	char dir[] = "/tmp/xpfr.XXXXXX", fifo[64], text[128];
	struct xp_conf c;
	struct xp_diag d = {0};
	int rc, found = 0;

	(void)st;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/p.conf", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(text, sizeof(text), "include %s\n[bridge br0]\n", fifo);
	alarm(10); /* SIGALRM kills the test: a hang fails it */
	rc = xp_conf_parse_string("/tmp/m.conf", text, &c, &d);
	alarm(0);
	unlink(fifo);
	rmdir(dir);
	assert_true(rc > 0);
	for (size_t i = 0; i < d.n; i++)
		found |= strstr(d.msgs[i], "p.conf") != NULL;
	assert_true(found);
	xp_conf_free(&c);
	xp_diag_free(&d);
}

/* A directory in an include (glob matching one) is refused as well. */
static void test_include_dir_refused(void **st)
{
	struct xp_conf c;
	struct xp_diag d = {0};

	(void)st;
	alarm(10);
	assert_true(xp_conf_parse_string("/tmp/m.conf", "include /tmp\n", &c, &d) > 0);
	alarm(0);
	xp_conf_free(&c);
	xp_diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conf),
	    cmocka_unit_test(test_legacy),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_vifkeys),
	    cmocka_unit_test(test_vifargs),
	    cmocka_unit_test(test_vifbridge),
	    cmocka_unit_test(test_plan),
	    cmocka_unit_test(test_include_fifo_refused),
	    cmocka_unit_test(test_include_dir_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
