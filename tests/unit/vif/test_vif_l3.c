/* Unit tests: vif-xenplumb's choice of routed / NAT network and locking
 * mode (src/vif/vif_l3.c), against maps parsed from text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "map/conf.h"
#include "vif/vif_l3.h"

static void load(const char *text, struct xp_conf *c)
{
	struct xp_diag d = {0};

	assert_int_equal(xp_conf_parse_string("t.conf", text, c, &d), 0);
	xp_diag_free(&d);
}

static void test_lock(void **st)
{
	enum vif_lock l;
	char err[160];

	(void)st;
	assert_int_equal(vif_lock_parse(NULL, &l, err, sizeof(err)), 0);
	assert_int_equal(l, VIF_LOCK_DEFAULT);
	assert_int_equal(vif_lock_parse("network_default", &l, err, sizeof(err)), 0);
	assert_int_equal(l, VIF_LOCK_DEFAULT);
	assert_int_equal(vif_lock_parse("disabled", &l, err, sizeof(err)), 0);
	assert_int_equal(l, VIF_LOCK_DISABLED);
	assert_int_equal(vif_lock_parse("Locked", &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "locking-mode key 'Locked'"));
	assert_int_equal(vif_lock_apply(VIF_LOCK_DEFAULT, 1), 1);
	assert_int_equal(vif_lock_apply(VIF_LOCK_DEFAULT, 0), 0);
	assert_int_equal(vif_lock_apply(VIF_LOCK_UNLOCKED, 1), 0);
	assert_int_equal(vif_lock_apply(VIF_LOCK_LOCKED, 0), 1);
	assert_int_equal(vif_lock_apply(VIF_LOCK_DISABLED, 0), 2);
}

static void test_as(void **st)
{
	(void)st;
	assert_int_equal(vif_as_name("/etc/xen/scripts/vif-route"), VIF_AS_ROUTE);
	assert_int_equal(vif_as_name("vif-nat"), VIF_AS_NAT);
	assert_int_equal(vif_as_name("/etc/xen/scripts/vif-xenplumb"), VIF_AS_BRIDGE);
	assert_int_equal(vif_as_name("/etc/xen/scripts/vif-bridge"), VIF_AS_BRIDGE);
	assert_int_equal(vif_as_name(NULL), VIF_AS_BRIDGE);
}

static void test_pick_routed(void **st)
{
	struct xp_conf c;
	const struct xp_routed *r;
	char err[200];

	(void)st;
	load("[routed a]\nuplink = eth0\n[routed b]\nuplink = eth1\n", &c);
	assert_int_equal(vif_pick_routed(&c, "b", VIF_AS_BRIDGE, NULL, &r, err, sizeof(err)), 1);
	assert_string_equal(r->name, "b");
	assert_int_equal(vif_pick_routed(&c, "xenbr0", VIF_AS_BRIDGE, NULL, &r, err, sizeof(err)),
			 0);
	/* as vif-route: by gatewaydev, else ambiguous */
	assert_int_equal(vif_pick_routed(&c, "xenbr0", VIF_AS_ROUTE, "eth1", &r, err, sizeof(err)),
			 1);
	assert_string_equal(r->name, "b");
	assert_int_equal(vif_pick_routed(&c, "", VIF_AS_ROUTE, NULL, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "2 [routed] networks"));
	xp_conf_free(&c);
	load("[routed a]\nuplink = eth0\n", &c);
	assert_int_equal(vif_pick_routed(&c, "xenbr0", VIF_AS_ROUTE, "eth9", &r, err, sizeof(err)),
			 1);
	assert_string_equal(r->name, "a"); /* the only one */
	xp_conf_free(&c);
	/* no map section: ad hoc */
	assert_int_equal(vif_pick_routed(NULL, "", VIF_AS_ROUTE, "eth0", &r, err, sizeof(err)), 1);
	assert_null(r);
}

static void test_pick_nat(void **st)
{
	struct xp_conf c;
	const struct xp_nat *n;
	char err[200];

	(void)st;
	load("[bridge brn]\n[nat lan]\nbridge = brn\naddress = 10.1.1.1/24\n", &c);
	assert_int_equal(vif_pick_nat(&c, "lan", VIF_AS_BRIDGE, &n, err, sizeof(err)), 1);
	assert_string_equal(n->name, "lan");
	assert_int_equal(vif_pick_nat(&c, "brn", VIF_AS_BRIDGE, &n, err, sizeof(err)), 1);
	assert_string_equal(n->name, "lan"); /* by its bridge's name */
	assert_int_equal(vif_pick_nat(&c, "", VIF_AS_NAT, &n, err, sizeof(err)), 1);
	assert_int_equal(vif_pick_nat(&c, "", VIF_AS_BRIDGE, &n, err, sizeof(err)), 0);
	assert_int_equal(vif_pick_nat(&c, "other", VIF_AS_NAT, &n, err, sizeof(err)), 0);
	xp_conf_free(&c);
	assert_int_equal(vif_pick_nat(NULL, "", VIF_AS_NAT, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "has 0 [nat] networks"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lock),
	    cmocka_unit_test(test_as),
	    cmocka_unit_test(test_pick_routed),
	    cmocka_unit_test(test_pick_nat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
