/* Unit tests: the antispoof rule set as JSON (src/vif/antispoof.c), checked by
 * parsing it back with json-c.  (That the kernel enforces it is tested
 * with real frames in tests/netns/t-vif-antispoof.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "vif/antispoof.h"

static void test_table_name(void **st)
{
	char b[64];

	(void)st;
	xp_antispoof_table(b, sizeof(b), 5, 0, 0);
	assert_string_equal(b, "xenplumb-vif5.0");
	xp_antispoof_table(b, sizeof(b), 32751, 12, 1);
	assert_string_equal(b, "xenplumb-vif32751.12-emu");
}

static json_object *cmds_of(const char *txt)
{
	json_object *root = json_tokener_parse(txt), *c;

	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "nftables", &c));
	json_object_get(c);
	json_object_put(root);
	return c;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_rules(void **st)
{
	struct xp_ipaddr ips[3];
	struct xp_antispoof a = {
	    .table = "xenplumb-vif5.0", .dev = "web0", .mac = {0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c}};
	char *txt;
	json_object *c, *ch, *o;

	(void)st;
	assert_int_equal(xp_parse_ipaddr("10.0.0.5", &ips[0], NULL), 0);
	assert_int_equal(xp_parse_ipaddr("10.1.2.99/24", &ips[1], NULL), 0);
	assert_int_equal(xp_parse_ipaddr("2001:db8::5", &ips[2], NULL), 0);
	a.ips = ips;
	a.nips = 3;
	txt = xp_antispoof_json(&a);
	assert_non_null(txt);
	c = cmds_of(txt);
	/* add/delete/add table, then the chain on the vif */
	assert_true(json_object_array_length(c) >= 5);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(c, 1), "delete", &o));
	assert_true(json_object_object_get_ex(json_object_array_get_idx(c, 3), "add", &o));
	assert_true(json_object_object_get_ex(o, "chain", &ch));
	assert_true(json_object_object_get_ex(ch, "dev", &o));
	assert_string_equal(json_object_get_string(o), "web0");
	assert_true(json_object_object_get_ex(ch, "hook", &o));
	assert_string_equal(json_object_get_string(o), "ingress");
	json_object_put(c);

	assert_int_equal(count(txt, "\"00:16:3e:0a:0b:0c\""), 2); /* ether + arp sender */
	assert_int_equal(count(txt, "\"saddr ip\""), 1);
	assert_int_equal(count(txt, "\"10.0.0.5\""), 2);    /* arp set + ip set */
	assert_int_equal(count(txt, "\"10.1.2.0\""), 2);    /* prefix normalised */
	assert_int_equal(count(txt, "\"2001:db8::5\""), 1); /* ip6 set */
	assert_int_equal(count(txt, "\"fe80::\""), 1);
	assert_int_equal(count(txt, "\"8021q\""), 1); /* tagged frames dropped */
	assert_int_equal(count(txt, "\"dport\""), 1); /* DHCP allowed */
	free(txt);

	/* no ip key: MAC checks only; tagged allowed on trunk ports */
	a.nips = 0;
	a.allow_tagged = 1;
	txt = xp_antispoof_json(&a);
	assert_int_equal(count(txt, "\"saddr ip\""), 0);
	assert_int_equal(count(txt, "\"ip6\""), 0);
	assert_int_equal(count(txt, "\"8021q\""), 0);
	assert_int_equal(count(txt, "\"00:16:3e:0a:0b:0c\""), 2);
	free(txt);

	/* only IPv6 listed: all IPv4 dropped except DHCP, ARP only from 0.0.0.0 */
	a.ips = &ips[2];
	a.nips = 1;
	txt = xp_antispoof_json(&a);
	assert_int_equal(count(txt, "\"protocol\"}},\"right\":\"ip\""), 1);
	assert_int_equal(count(txt, "\"0.0.0.0\""), 2);
	free(txt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_name),
	    cmocka_unit_test(test_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
