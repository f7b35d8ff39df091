/* Unit tests: which bridge a vif joins (src/vif/vif_bridge.c), over a fake
 * host (links) and a fake map (networks, default bridge). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vif/vif_bridge.h"

struct fake {
	const char *const *bridges; /* NULL-terminated */
	const char *const *others;
	const char *def;
	int fail_lookup;
};

static const char *const host_bridges[] = {"xenbr0", "br0", "bond0.100", "br-trunk", "eth1", NULL};
static const char *const host_others[] = {"eth0", "vif3.0", "bond0", NULL};

static int in(const char *const *l, const char *n)
{
	for (; l && *l; l++)
		if (!strcmp(*l, n))
			return 1;
	return 0;
}

static int f_kind(void *ctx, const char *name)
{
	struct fake *f = ctx;

	if (f->fail_lookup)
		return -1;
	if (in(f->bridges, name))
		return VIF_LINK_BRIDGE;
	if (in(f->others, name))
		return VIF_LINK_OTHER;
	return VIF_LINK_NONE;
}

static int f_network(void *ctx, const char *name, char bridge[XP_IFNAMSIZ], int *vlan)
{
	(void)ctx;
	if (!strcmp(name, "dmz")) {
		snprintf(bridge, XP_IFNAMSIZ, "br0");
		*vlan = 100;
		return 0;
	}
	if (!strcmp(name, "lan")) {
		snprintf(bridge, XP_IFNAMSIZ, "xenbr0");
		*vlan = 0;
		return 0;
	}
	if (!strcmp(name, "ghost")) {
		snprintf(bridge, XP_IFNAMSIZ, "nobr");
		*vlan = 0;
		return 0;
	}
	return -1;
}

static const char *f_default(void *ctx)
{
	return ((struct fake *)ctx)->def;
}

static struct fake F = {host_bridges, host_others, "xenbr0", 0};
static struct vif_lookup LK = {&F, f_kind, f_network, f_default};

static struct vif_target ok(const char *key, const char *bridge, const char *vlans)
{
	struct vif_target t;
	char err[256];

	if (vif_resolve_bridge(key, &LK, &t, err, sizeof(err)))
		fail_msg("'%s' failed: %s", key ? key : "(null)", err);
	if (strcmp(t.bridge, bridge))
		fail_msg("'%s' -> bridge '%s', want '%s'", key, t.bridge, bridge);
	if (vlans) {
		char txt[128];

		assert_true(t.has_vlan);
		xp_vlanspec_format(&t.vlan, txt, sizeof(txt));
		if (strcmp(txt, vlans))
			fail_msg("'%s' -> vlans '%s', want '%s'", key, txt, vlans);
	} else {
		assert_false(t.has_vlan);
	}
	return t;
}

static void bad(const char *key, const char *errpart)
{
	struct vif_target t;
	char err[256];

	if (!vif_resolve_bridge(key, &LK, &t, err, sizeof(err)))
		fail_msg("'%s' accepted (bridge %s)", key, t.bridge);
	if (!strstr(err, errpart))
		fail_msg("'%s': error '%s' lacks '%s'", key, err, errpart);
}

static void test_plain(void **st)
{
	(void)st;
	ok("xenbr0", "xenbr0", NULL);
	ok("br0", "br0", NULL);
	/* a bridge whose real name has a dot is taken as is */
	ok("bond0.100", "bond0.100", NULL);
}

static void test_default(void **st)
{
	struct fake none = {host_bridges, host_others, NULL, 0};
	struct vif_lookup lk = {&none, f_kind, f_network, f_default};
	struct fake gone = {host_bridges, host_others, "brX", 0};
	struct vif_lookup lk2 = {&gone, f_kind, f_network, f_default};
	struct vif_target t;
	char err[256];

	(void)st;
	ok("", "xenbr0", NULL);
	ok(NULL, "xenbr0", NULL);
	assert_int_equal(vif_resolve_bridge("", &lk, &t, err, sizeof(err)), -1);
	assert_string_equal(err, "no bridge given and no default");
	assert_int_equal(vif_resolve_bridge(NULL, &lk2, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "brX"));
}

static void test_ovs_forms(void **st)
{
	(void)st;
	ok("br0.10", "br0", "10p");
	ok("xenbr0.4094", "xenbr0", "4094p");
	ok("br0:20:30", "br0", "20/30");
	ok("br0:20:21:22", "br0", "20-22");
	ok("br0.10:20:30", "br0", "10p/20/30");
	ok("bond0.100.7", "bond0.100", "7p");
	ok("bond0.100:5", "bond0.100", "5");
	bad("br0.0", "does not exist");
	bad("br0.4095", "does not exist");
	bad("br0:0", "VLAN id");
	bad("br0:4095", "VLAN id");
	bad("br0:", "trunk VLAN id is missing");
	bad("br0::5", "trunk VLAN id is missing");
	bad("br0:5:5", "listed twice");
	bad("br0.5:5", "listed twice");
	bad("br0:x", "VLAN id");
	bad("nobr.10", "bridge nobr (from bridge key nobr.10) does not exist");
	bad("eth0.10", "eth0 (from bridge key eth0.10) is not a bridge");
	bad("eth0:10", "is not a bridge");
	bad(":10", "interface name");
}

static void test_network(void **st)
{
	(void)st;
	ok("dmz", "br0", "100p");
	ok("lan", "xenbr0", NULL);
	bad("ghost", "bridge nobr (from bridge key ghost) does not exist");
}

static void test_compat_xenbr(void **st)
{
	(void)st;
	/* stock's old-name translation: xenbr1 -> eth1 when only that exists */
	struct vif_target t = ok("xenbr1", "eth1", NULL);
	assert_non_null(strstr(t.how, "xenbrN"));
	bad("xenbr2", "does not exist");
}

static void test_errors(void **st)
{
	struct fake failing = {host_bridges, host_others, "xenbr0", 1};
	struct vif_lookup lk = {&failing, f_kind, f_network, f_default};
	struct vif_target t;
	char err[256];

	(void)st;
	bad("eth0", "eth0 (from bridge key) is not a bridge");
	bad("vif3.0", "is not a bridge");
	bad("bond0", "is not a bridge");
	bad("nosuch", "bridge nosuch does not exist");
	bad("../../etc", "interface name");
	bad("a/b", "interface name");
	bad("averyveryverylongbridgename", "longer than 15");
	bad("br 0", "interface name");
	bad("br\x01", "not printable");
	bad("br\x7f", "not printable");
	assert_int_equal(vif_resolve_bridge("br0", &lk, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot look up"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),	 cmocka_unit_test(test_default),
	    cmocka_unit_test(test_ovs_forms),	 cmocka_unit_test(test_network),
	    cmocka_unit_test(test_compat_xenbr), cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
