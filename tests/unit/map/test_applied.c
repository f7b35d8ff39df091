/* The applied map (src/map/applied.c): what start/reload write for
 * vif-xenplumb, and the look-ups over it without building the map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map/applied.h"
#include "map/conf.h"

static void parse(const char *text, struct xp_conf *c)
{
	struct xp_diag d = {0};
	int n = xp_conf_parse_string("t.conf", text, c, &d);

	for (size_t i = 0; i < d.n; i++)
		print_message("# %s\n", d.msgs[i]);
	assert_int_equal(n, 0);
	xp_diag_free(&d);
}

static const char small[] = "[bridge br0]\n"
			    "antispoof = yes\n"
			    "[bridge br0.5]\n"
			    "[bridge br]\n"
			    "default = yes\n"
			    "[bridge trunk]\n"
			    "vlan-filtering = yes\n"
			    "[network dmz]\n"
			    "bridge = trunk\n"
			    "vlan = 100\n"
			    "[network br1]\n"
			    "bridge = br0\n";

static void test_format_and_lookups(void **state)
{
	struct xp_conf c;
	struct xp_applied a;
	char err[256], br[XP_IFNAMSIZ];
	size_t len = 0;
	char *text;
	int as = -1, vlan = -1;
	(void)state;

	parse(small, &c);
	text = xp_applied_format(&c, "/etc/xen/xenplumb.conf", "start", &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_string_equal(text, "xenplumb-applied-map 1\n"
				  "default br\n"
				  "# from /etc/xen/xenplumb.conf by network-xenplumb start; do not "
				  "edit\n"
				  "b br antispoof=0\n"
				  "b br0 antispoof=1\n"
				  "b br0.5 antispoof=0\n"
				  "b trunk antispoof=0\n"
				  "n br1 bridge=br0 vlan=0\n"
				  "n dmz bridge=trunk vlan=100\n"
				  "end\n");
	assert_int_equal(xp_applied_from_text(text, len, &a, err, sizeof(err)), 1);
	assert_string_equal(xp_applied_default(&a), "br");
	assert_int_equal(xp_applied_bridge(&a, "br0", &as), 0);
	assert_int_equal(as, 1);
	assert_int_equal(xp_applied_bridge(&a, "br0.5", &as), 0);
	assert_int_equal(as, 0);
	assert_int_equal(xp_applied_bridge(&a, "br", &as), 0);
	assert_int_equal(xp_applied_bridge(&a, "trunk", &as), 0);
	assert_int_equal(xp_applied_bridge(&a, "br0.", &as), -1);
	assert_int_equal(xp_applied_bridge(&a, "b", &as), -1);
	assert_int_equal(xp_applied_bridge(&a, "zzz", &as), -1);
	assert_int_equal(xp_applied_bridge(&a, "dmz", &as), -1); /* a network, not a bridge */
	assert_int_equal(xp_applied_network(&a, "dmz", br, &vlan), 0);
	assert_string_equal(br, "trunk");
	assert_int_equal(vlan, 100);
	assert_int_equal(xp_applied_network(&a, "br1", br, &vlan), 0);
	assert_string_equal(br, "br0");
	assert_int_equal(vlan, 0);
	assert_int_equal(xp_applied_network(&a, "br0", br, &vlan), -1);
	assert_int_equal(xp_applied_network(&a, "a b", br, &vlan), -1);
	assert_int_equal(xp_applied_network(&a, "", br, &vlan), -1);
	free(text);
	xp_conf_free(&c);
}

/* check's question: does the applied map hold this map? */
static void test_same(void **state)
{
	struct xp_conf c, c2;
	struct xp_applied a;
	char err[256];
	size_t len = 0;
	char *text;
	(void)state;

	parse(small, &c);
	text = xp_applied_format(&c, "/a/path", "start", &len);
	assert_int_equal(xp_applied_from_text(text, len, &a, err, sizeof(err)), 1);
	assert_int_equal(xp_applied_same(&a, &c), 1);
	parse("[bridge br0]\nantispoof = no\n", &c2); /* antispoof changed */
	assert_int_equal(xp_applied_same(&a, &c2), 0);
	xp_conf_free(&c2);
	parse("[bridge br]\n", &c2); /* no default any more */
	assert_int_equal(xp_applied_same(&a, &c2), 0);
	xp_conf_free(&c2);
	free(text);
	xp_conf_free(&c);
}

static void test_empty_map(void **state)
{
	struct xp_conf c;
	struct xp_applied a;
	char err[256], br[XP_IFNAMSIZ];
	size_t len = 0;
	char *text;
	int as, vlan;
	(void)state;

	parse("# nothing yet\n", &c);
	text = xp_applied_format(&c, "m", "reload", &len);
	assert_non_null(text);
	assert_int_equal(xp_applied_from_text(text, len, &a, err, sizeof(err)), 1);
	assert_null(xp_applied_default(&a));
	assert_int_equal(xp_applied_bridge(&a, "br0", &as), -1);
	assert_int_equal(xp_applied_network(&a, "n", br, &vlan), -1);
	free(text);
	xp_conf_free(&c);
}

/* Every record of a big map is found, and nothing else is. */
static void test_many(void **state)
{
	enum { N = 5000 };
	size_t cap = (size_t)N * 80, used = 0, len = 0;
	char *m = malloc(cap), *text, err[256], name[32], br[XP_IFNAMSIZ];
	struct xp_conf c;
	struct xp_applied a;
	int as, vlan;
	(void)state;

	assert_non_null(m);
	for (int i = 0; i < N; i++)
		used +=
		    (size_t)snprintf(m + used, cap - used,
				     "[bridge x%d]\nantispoof = %s\n[network n%d]\nbridge = x%d\n",
				     (i * 7919) % N, i % 3 ? "no" : "yes", i, i);
	parse(m, &c);
	text = xp_applied_format(&c, "big", "start", &len);
	assert_non_null(text);
	assert_int_equal(xp_applied_from_text(text, len, &a, err, sizeof(err)), 1);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "x%d", i);
		assert_int_equal(xp_applied_bridge(&a, name, &as), 0);
		assert_int_equal(as, xp_conf_bridge(&c, name)->antispoof);
		snprintf(name, sizeof(name), "n%d", i);
		assert_int_equal(xp_applied_network(&a, name, br, &vlan), 0);
		assert_string_equal(br, xp_conf_network(&c, name)->bridge);
		snprintf(name, sizeof(name), "x%d_", i);
		assert_int_equal(xp_applied_bridge(&a, name, &as), -1);
	}
	free(text);
	free(m);
	xp_conf_free(&c);
}

static void test_damaged(void **state)
{
	static const char *const bad[] = {
	    "",
	    "xenplumb-applied-map 1\n",
	    "xenplumb-applied-map 2\ndefault -\nend\n",
	    "xenplumb-applied-map 1\ndefault -\nb br0 antispoof=0\n", /* cut short */
	    "xenplumb-applied-map 1\nb br0 antispoof=0\nend\n",	      /* no default */
	    "xenplumb-applied-map 1\ndefault 0123456789abcdefgh\nend\n",
	};
	struct xp_applied a;
	char err[256];
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(xp_applied_from_text(bad[i], strlen(bad[i]), &a, err, sizeof(err)),
				 -1);
	{
		const char *ok = "xenplumb-applied-map 1\ndefault -\nend\n";
		assert_int_equal(xp_applied_from_text(ok, strlen(ok), &a, err, sizeof(err)), 1);
	}
}

/* Written atomically into the state directory, read back by path,
 * removed by stop; a missing file is "none", a damaged one an error. */
static void test_write_open_remove(void **state)
{
	char dir[] = "/tmp/xp-applied-XXXXXX", path[256], err[512], cmd[300];
	struct xp_conf c;
	struct xp_applied a;
	struct stat st;
	FILE *f;
	int as;
	(void)state;

	assert_non_null(mkdtemp(dir));
	setenv("XENPLUMB_STATE_DIR", dir, 1);
	xp_applied_path(path, sizeof(path));
	assert_int_equal(strncmp(path, dir, strlen(dir)), 0);
	assert_string_equal(path + strlen(dir), "/applied-map");
	assert_int_equal(xp_applied_open(path, &a, err, sizeof(err)), 0);
	parse(small, &c);
	assert_int_equal(xp_applied_write(dir, &c, "t.conf", "start", err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(xp_applied_open(path, &a, err, sizeof(err)), 1);
	assert_int_equal(xp_applied_bridge(&a, "br0", &as), 0);
	assert_int_equal(as, 1);
	xp_applied_close(&a);
	/* only the file itself is left: the temporary one was renamed */
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) = 1", dir);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("xenplumb-applied-map 1\ndefault -\nb br0", f);
	fclose(f);
	assert_int_equal(xp_applied_open(path, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is damaged"));
	assert_non_null(strstr(err, "network-xenplumb reload"));
	assert_int_equal(xp_applied_remove(dir, err, sizeof(err)), 0);
	assert_int_equal(xp_applied_remove(dir, err, sizeof(err)), 0);
	assert_int_equal(xp_applied_open(path, &a, err, sizeof(err)), 0);
	rmdir(dir);
	xp_conf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_and_lookups),
	    cmocka_unit_test(test_same),
	    cmocka_unit_test(test_empty_map),
	    cmocka_unit_test(test_many),
	    cmocka_unit_test(test_damaged),
	    cmocka_unit_test(test_write_open_remove),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
