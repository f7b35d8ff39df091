/* Unit tests: the xl `vlan` key grammar (src/vif/vlanspec.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vif/vlanspec.h"

static void fmt_eq(const char *spec, const char *want)
{
	struct xp_vlanspec s;
	char err[128], out[256];

	if (xp_vlanspec_parse(spec, &s, err, sizeof(err)))
		fail_msg("'%s' rejected: %s", spec, err);
	xp_vlanspec_format(&s, out, sizeof(out));
	if (strcmp(out, want))
		fail_msg("'%s' -> '%s', want '%s'", spec, out, want);
}

static void bad(const char *spec, const char *errpart)
{
	struct xp_vlanspec s;
	char err[128];

	if (!xp_vlanspec_parse(spec, &s, err, sizeof(err)))
		fail_msg("'%s' accepted", spec);
	if (errpart && !strstr(err, errpart))
		fail_msg("'%s': error '%s' lacks '%s'", spec, err, errpart);
}

static void test_single(void **st)
{
	struct xp_vlanspec s;
	char err[64];

	(void)st;
	assert_int_equal(xp_vlanspec_parse("10", &s, err, sizeof(err)), 0);
	assert_int_equal(s.pvid, 10);
	assert_int_equal(s.count, 1);
	assert_int_equal(xp_vlanspec_flags(&s, 10), XP_VLAN_F_PVID | XP_VLAN_F_UNTAGGED);
	assert_false(xp_vlanspec_has(&s, 1));
	fmt_eq("10", "10p");
	fmt_eq("10p", "10p");
	fmt_eq("1", "1p");
	fmt_eq("4094", "4094p");
	fmt_eq("10u", "10p"); /* a lone id is the PVID */
}

static void test_lists(void **st)
{
	struct xp_vlanspec s;
	char err[64];

	(void)st;
	assert_int_equal(xp_vlanspec_parse("10p/20", &s, err, sizeof(err)), 0);
	assert_int_equal(s.pvid, 10);
	assert_int_equal(xp_vlanspec_flags(&s, 20), 0); /* tagged */
	fmt_eq("10p/20", "10p/20");
	fmt_eq("20/10p", "10p/20");
	fmt_eq("10p/20u/30", "10p/20u/30");
	fmt_eq("5/6/7/10p", "5-7/10p");
}

static void test_ranges(void **st)
{
	(void)st;
	fmt_eq("1p/20-30", "1p/20-30");
	fmt_eq("1p/20-30u", "1p/20-30u");
	fmt_eq("1p/2-4094", "1p/2-4094");
	fmt_eq("1p/3-5/7-9", "1p/3-5/7-9");
	fmt_eq("1p/3-5/6-9", "1p/3-9");
}

static void test_ranges_detail(void **st)
{
	struct xp_vlanspec s;
	char err[64];

	(void)st;
	assert_int_equal(xp_vlanspec_parse("1p/20-30", &s, err, sizeof(err)), 0);
	assert_int_equal(s.count, 12);
	assert_true(xp_vlanspec_has(&s, 20));
	assert_true(xp_vlanspec_has(&s, 30));
	assert_false(xp_vlanspec_has(&s, 31));
	/* range of one */
	assert_int_equal(xp_vlanspec_parse("7p/9-9", &s, err, sizeof(err)), 0);
	assert_int_equal(s.count, 2);
}

static void test_step(void **st)
{
	struct xp_vlanspec s;
	char err[64];

	(void)st;
	/* BASE with COUNT more entries, each STEP apart */
	assert_int_equal(xp_vlanspec_parse("10p/100+10x4", &s, err, sizeof(err)), 0);
	assert_int_equal(s.count, 6);
	for (int v = 100; v <= 140; v += 10)
		assert_true(xp_vlanspec_has(&s, v));
	assert_false(xp_vlanspec_has(&s, 150));
	assert_false(xp_vlanspec_has(&s, 105));
	fmt_eq("10p/100+10x4", "10p/100/110/120/130/140");
	fmt_eq("10p/100+1x3u", "10p/100-103u");
	fmt_eq("1p/4000+94x1", "1p/4000/4094");
}

static void test_runs(void **st)
{
	struct xp_vlanspec s;
	char err[64];
	int lo = 0, hi = 0, f, n = 0;

	(void)st;
	assert_int_equal(xp_vlanspec_parse("20-30/25p", &s, err, sizeof(err)), -1); /* overlap */
	assert_int_equal(xp_vlanspec_parse("20-24/25p/26-30", &s, err, sizeof(err)), 0);
	/* the PVID is a run of its own even inside a block */
	while (xp_vlanspec_next_run(&s, &lo, &hi, &f) == 0) {
		n++;
		if (n == 1) {
			assert_int_equal(lo, 20);
			assert_int_equal(hi, 24);
			assert_int_equal(f, 0);
		} else if (n == 2) {
			assert_int_equal(lo, 25);
			assert_int_equal(hi, 25);
			assert_int_equal(f, XP_VLAN_F_PVID | XP_VLAN_F_UNTAGGED);
		} else {
			assert_int_equal(lo, 26);
			assert_int_equal(hi, 30);
		}
	}
	assert_int_equal(n, 3);
}

static void test_invalid(void **st)
{
	char big[2048];

	(void)st;
	bad("", "empty");
	bad("0", "VLAN id");
	bad("4095", "out of range");
	bad("4096", "out of range");
	bad("99999", "VLAN id");
	bad("-1", "VLAN id");
	bad("+5", "VLAN id");
	bad("010", "VLAN id");
	bad("10x", "unexpected");
	bad("10pp", NULL);
	bad("10up", NULL);
	bad("10 ", "unexpected");
	bad(" 10", "VLAN id");
	bad("10//20", "empty term");
	bad("10p/", "empty term");
	bad("/10", "empty term");
	bad("10p/20p", "more than one PVID");
	bad("10p/10", "more than once");
	bad("10p/5-15", "more than once");
	bad("30-20", "below its start");
	bad("1p/20-30p", "single VLAN");
	bad("1p/20-4095", "out of range");
	bad("1p/0-5", "VLAN id");
	bad("1p/100+10", "BASE+STEPxCOUNT");
	bad("1p/100+10x", "BASE+STEPxCOUNT");
	bad("1p/100+0x3", "expected a number");
	bad("1p/100+1x0", "expected BASE+STEPxCOUNT");
	bad("1p/4000+50x2", "passes VLAN 4094");
	bad("1p/100+10x4p", "single VLAN");
	bad("10/20", "no VLAN is marked as the PVID");
	bad("20-30", "no VLAN is marked as the PVID");
	bad("100+10x2", "no VLAN is marked as the PVID");
	bad("10,20", "unexpected");
	bad("10;reboot", "unexpected");
	bad("1p/2\n", "unexpected");
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bad(big, "longer than");
	bad("1p/12345678901234567890123456789012345", "too long");
}

static void test_add(void **st)
{
	struct xp_vlanspec s;

	(void)st;
	xp_vlanspec_init(&s);
	assert_int_equal(xp_vlanspec_add(&s, 0, 0), -1);
	assert_int_equal(xp_vlanspec_add(&s, 4095, 0), -1);
	assert_int_equal(xp_vlanspec_add(&s, 5, 0), 0);
	assert_int_equal(xp_vlanspec_add(&s, 5, 0), -1);
	assert_int_equal(xp_vlanspec_add(&s, 7, XP_VLAN_F_PVID), 0);
	assert_int_equal(s.pvid, 7);
	assert_int_equal(xp_vlanspec_flags(&s, 7), XP_VLAN_F_PVID | XP_VLAN_F_UNTAGGED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_single),  cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_ranges),  cmocka_unit_test(test_ranges_detail),
	    cmocka_unit_test(test_step),    cmocka_unit_test(test_runs),
	    cmocka_unit_test(test_invalid), cmocka_unit_test(test_add),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
