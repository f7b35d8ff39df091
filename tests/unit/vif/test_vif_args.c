/* Unit tests: invocation parsing (src/vif/vif_args.c): libxl and udev styles,
 * XENBUS_PATH and device name validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vif/vif_args.h"

static struct vif_inv I;
static char E[256];

static void clear_env(void)
{
	const char *vars[] = {"type_if", "XENBUS_PATH", "vif", "INTERFACE", "bridge", "ip"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static int parse(int argc, char **argv)
{
	return vif_inv_parse(argc, argv, &I, E, sizeof(E));
}

static void test_libxl_vif(void **st)
{
	char *av[] = {"vif-xenplumb", "online", "type_if=vif", NULL};

	(void)st;
	clear_env();
	setenv("XENBUS_PATH", "backend/vif/5/0", 1);
	setenv("vif", "vif5.0", 1);
	assert_int_equal(parse(3, av), 0);
	assert_int_equal(I.action, VIF_ONLINE);
	assert_int_equal(I.type, VIF_TYPE_VIF);
	assert_false(I.noop);
	assert_true(I.up);
	assert_int_equal(I.domid, 5);
	assert_int_equal(I.devid, 0);
	assert_string_equal(I.xbpath, "backend/vif/5/0");
	assert_string_equal(I.dev, "vif5.0");
	av[1] = "offline";
	assert_int_equal(parse(3, av), 0);
	assert_false(I.up);
}

static void test_udev_style(void **st)
{
	/* xend: action, then VAR=VAL arguments that override the env */
	char *av[] = {"vif-xenplumb",
		      "online",
		      "bridge=br9",
		      "vif=vif7.1",
		      "XENBUS_PATH=/local/domain/0/backend/vif/7/1",
		      NULL};

	(void)st;
	clear_env();
	setenv("vif", "vif1.1", 1);
	assert_int_equal(parse(5, av), 0);
	assert_string_equal(I.dev, "vif7.1");
	assert_string_equal(I.bridge, "br9");
	assert_int_equal(I.domid, 7);
	assert_int_equal(I.devid, 1);
	assert_int_equal(I.type, VIF_TYPE_VIF); /* type_if defaults to vif */
	/* the action may come after VAR=VAL too */
	char *av2[] = {"vif-xenplumb", "vif=vif7.1", "XENBUS_PATH=backend/vif/7/1", "offline",
		       NULL};
	assert_int_equal(parse(4, av2), 0);
	assert_int_equal(I.action, VIF_OFFLINE);
}

static void test_tap(void **st)
{
	char *av[] = {"vif-xenplumb", "add", "type_if=tap", NULL};

	(void)st;
	clear_env();
	setenv("INTERFACE", "vif12.3-emu", 1);
	assert_int_equal(parse(3, av), 0);
	assert_int_equal(I.type, VIF_TYPE_TAP);
	assert_string_equal(I.dev, "vif12.3-emu");
	assert_string_equal(I.xbpath, "/local/domain/0/backend/vif/12/3");
	setenv("XENBUS_PATH", "backend/vif/12/3", 1);
	assert_int_equal(parse(3, av), 0);
	assert_string_equal(I.xbpath, "backend/vif/12/3");
	setenv("XENBUS_PATH", "backend/vif/13/3", 1); /* another guest's: refused, no path */
	assert_int_equal(parse(3, av), -1);
	assert_non_null(strstr(E, "does not belong"));
	assert_string_equal(I.xbpath, "");
	setenv("XENBUS_PATH", "backend/vif/12/4", 1); /* same guest, other NIC */
	assert_int_equal(parse(3, av), -1);
	assert_string_equal(I.xbpath, "");
	setenv("XENBUS_PATH", "/etc/passwd", 1);
	assert_int_equal(parse(3, av), -1);
	assert_string_equal(I.xbpath, "");
	unsetenv("XENBUS_PATH");
	setenv("INTERFACE", "vif12.3", 1);
	assert_int_equal(parse(3, av), -1);
	setenv("INTERFACE", "eth0", 1);
	assert_int_equal(parse(3, av), -1);
	unsetenv("INTERFACE");
	assert_int_equal(parse(3, av), -1);
}

static void test_noop(void **st)
{
	char *a1[] = {"x", "add", "type_if=vif", NULL};
	char *a2[] = {"x", "online", "type_if=tap", NULL};
	char *a3[] = {"x", "remove", NULL};

	(void)st;
	clear_env();
	assert_int_equal(parse(3, a1), 0);
	assert_true(I.noop);
	assert_int_equal(parse(3, a2), 0);
	assert_true(I.noop);
	assert_int_equal(parse(2, a3), 0);
	assert_true(I.noop);
}

static void test_bad(void **st)
{
	char *none[] = {"x", NULL};
	char *junk[] = {"x", "start", NULL};
	char *type[] = {"x", "online", "type_if=eth", NULL};
	char *on[] = {"x", "online", NULL};
	const char *badpaths[] = {"backend/vif/5",
				  "backend/vif/5/0/",
				  "backend/vbd/5/0",
				  "backend/vif/05/0",
				  "backend/vif/5/00",
				  "backend/vif/-5/0",
				  "backend/vif/5/0/../../../1/0",
				  "/local/domain/0/backend/vif/5/x",
				  "/local/domain//backend/vif/5/0",
				  "/etc/passwd",
				  "backend/vif/32752/0",
				  "backend/vif/99999999999999999999/0",
				  "local/domain/0/backend/vif/5/0",
				  "",
				  NULL};

	(void)st;
	clear_env();
	assert_int_equal(parse(1, none), -1);
	assert_non_null(strstr(E, "usage"));
	assert_int_equal(parse(2, junk), -1);
	assert_non_null(strstr(E, "invalid command"));
	assert_int_equal(parse(3, type), -1);
	assert_non_null(strstr(E, "unknown interface type"));

	setenv("vif", "vif5.0", 1);
	for (int i = 0; badpaths[i]; i++) {
		setenv("XENBUS_PATH", badpaths[i], 1);
		if (parse(2, on) != -1)
			fail_msg("XENBUS_PATH '%s' accepted", badpaths[i]);
		assert_non_null(strstr(E, "XENBUS_PATH"));
		assert_string_equal(I.xbpath, "");
	}
	unsetenv("XENBUS_PATH");
	assert_int_equal(parse(2, on), -1);

	setenv("XENBUS_PATH", "backend/vif/5/0", 1);
	setenv("vif", "vif6.0", 1); /* another guest's device */
	assert_int_equal(parse(2, on), -1);
	assert_non_null(strstr(E, "does not belong"));
	assert_string_equal(I.xbpath, ""); /* so no hotplug-error lands in 5/0 */
	setenv("vif", "vif5.1", 1);	   /* same guest, other NIC */
	assert_int_equal(parse(2, on), -1);
	assert_string_equal(I.xbpath, "");
	setenv("vif", "eth0", 1);
	assert_int_equal(parse(2, on), -1);
	setenv("vif", "vif5.0-emu", 1);
	assert_int_equal(parse(2, on), -1);
	unsetenv("vif");
	assert_int_equal(parse(2, on), -1);
	setenv("vif", "vif5.0", 1);
	setenv("bridge", "br\x01", 1);
	assert_int_equal(parse(2, on), -1);
	unsetenv("bridge");
	assert_int_equal(parse(2, on), 0);
}

/* vifname: never a guest NIC's kernel name (but this vif's own), never '%'. */
static void test_vifname_rules(void **st)
{
	struct vif_inv pv = {.type = VIF_TYPE_VIF, .domid = 1, .devid = 0, .dev = "vif1.0"};
	struct vif_inv tap = {.type = VIF_TYPE_TAP, .domid = 1, .devid = 0, .dev = "vif1.0-emu"};
	const char *bad[] = {"vif2.0-emu", "vif2.0",  "vif1.0-emu", "vif1.1",
			     "vif0.0",	   "vif02.0", "vif1.00",    "vif99999.9",
			     "web%d",	   "%d",      "vif%d.%d",   NULL};
	const char *good[] = {"web",	 "vif1.0x", "vif1.0-emux", "vif.0", "vif1.", "vifa.0",
			      "xvif2.0", "vif2",    "guest-1",	   "",	    NULL};

	(void)st;
	for (int i = 0; bad[i]; i++)
		if (vif_check_vifname(bad[i], &pv, E, sizeof(E)) != -1)
			fail_msg("vifname '%s' accepted for vif1.0", bad[i]);
	for (int i = 0; good[i]; i++)
		if (vif_check_vifname(good[i], &pv, E, sizeof(E)) != 0)
			fail_msg("vifname '%s' refused for vif1.0: %s", good[i], E);
	assert_int_equal(vif_check_vifname("vif2.0-emu", &pv, E, sizeof(E)), -1);
	assert_non_null(strstr(E, "vif2.0-emu"));
	assert_int_equal(vif_check_vifname("web%d", &pv, E, sizeof(E)), -1);
	assert_non_null(strstr(E, "%"));
	/* its own kernel name is no rename */
	assert_int_equal(vif_check_vifname("vif1.0", &pv, E, sizeof(E)), 0);
	assert_int_equal(vif_check_vifname("vif1.0-emu", &tap, E, sizeof(E)), 0);
	/* the tap may not take its PV twin's name, nor the twin the tap's */
	assert_int_equal(vif_check_vifname("vif1.0", &tap, E, sizeof(E)), -1);
	assert_int_equal(vif_check_vifname("vif1.0-emu", &pv, E, sizeof(E)), -1);
	assert_int_equal(vif_check_vifname("web-emu", &tap, E, sizeof(E)), 0);
}

static void test_names(void **st)
{
	unsigned d, n;

	(void)st;
	assert_int_equal(vif_parse_devname("vif0.0", 0, &d, &n), 0);
	assert_int_equal(vif_parse_devname("vif32751.99", 0, &d, &n), 0);
	assert_int_equal(d, 32751);
	assert_int_equal(vif_parse_devname("vif1.2-emu", 1, &d, &n), 0);
	assert_int_equal(vif_parse_devname("vif1.2-emu", 0, &d, &n), -1);
	assert_int_equal(vif_parse_devname("vif1.2", 1, &d, &n), -1);
	assert_int_equal(vif_parse_devname("vif1", 0, &d, &n), -1);
	assert_int_equal(vif_parse_devname("vif1.", 0, &d, &n), -1);
	assert_int_equal(vif_parse_devname("vif01.2", 0, &d, &n), -1);
	assert_int_equal(vif_parse_devname("vif1.2x", 0, &d, &n), -1);
	assert_int_equal(vif_parse_xbpath("/local/domain/3/backend/vif/5/7", &d, &n), 0);
	assert_int_equal(d, 5);
	assert_int_equal(n, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_libxl_vif),	  cmocka_unit_test(test_udev_style),
	    cmocka_unit_test(test_tap),		  cmocka_unit_test(test_noop),
	    cmocka_unit_test(test_bad),		  cmocka_unit_test(test_names),
	    cmocka_unit_test(test_vifname_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
