/* Unit tests for src/common/validate.c: interface names, MACs, numbers, MTU, VLAN
 * ids, IP addresses and printable text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>
#include <sys/socket.h>

#include "common/validate.h"

static void test_ifname(void **state)
{
	const char *why = NULL;
	(void)state;

	assert_int_equal(xp_valid_ifname("eth0", &why), 0);
	assert_null(why);
	assert_int_equal(xp_valid_ifname("bond0.100", NULL), 0);
	assert_int_equal(xp_valid_ifname("abcdefghijklmno", NULL), 0); /* 15 bytes */
	assert_int_equal(xp_valid_ifname("abcdefghijklmnop", &why), -1);
	assert_non_null(strstr(why, "15 bytes"));
	assert_int_equal(xp_valid_ifname("", &why), -1);
	assert_int_equal(xp_valid_ifname(NULL, &why), -1);
	assert_int_equal(xp_valid_ifname(".", &why), -1);
	assert_int_equal(xp_valid_ifname("..", &why), -1);
	assert_int_equal(xp_valid_ifname("a/b", &why), -1);
	assert_non_null(strstr(why, "'/'"));
	assert_int_equal(xp_valid_ifname("web%d", &why), -1); /* the kernel rewrites it */
	assert_non_null(strstr(why, "%"));
	assert_int_equal(xp_valid_ifname("%", &why), -1);
	assert_int_equal(xp_valid_ifname("a:b", &why), -1);
	assert_int_equal(xp_valid_ifname("a b", &why), -1);
	assert_int_equal(xp_valid_ifname("a\tb", &why), -1);
	assert_int_equal(xp_valid_ifname("a\x7f", &why), -1);
	assert_int_equal(xp_valid_ifname("\xc3\xa9t", &why), -1);
}

static void test_mac(void **state)
{
	uint8_t mac[6];
	const char *why;
	(void)state;

	assert_int_equal(xp_parse_mac("00:16:3e:AA:bb:0f", mac, 1, &why), 0);
	assert_int_equal(mac[0], 0x00);
	assert_int_equal(mac[2], 0x3e);
	assert_int_equal(mac[3], 0xaa);
	assert_int_equal(mac[5], 0x0f);
	assert_int_equal(xp_parse_mac("01:00:5e:00:00:01", mac, 1, &why), -1);
	assert_non_null(strstr(why, "multicast"));
	assert_int_equal(xp_parse_mac("01:00:5e:00:00:01", mac, 0, &why), 0);
	assert_int_equal(xp_parse_mac("00:00:00:00:00:00", mac, 1, &why), -1);
	assert_non_null(strstr(why, "zero"));
	assert_int_equal(xp_parse_mac("00:16:3e:aa:bb", mac, 0, &why), -1);
	assert_int_equal(xp_parse_mac("00-16-3e-aa-bb-cc", mac, 0, &why), -1);
	assert_int_equal(xp_parse_mac("00:16:3e:aa:bb:cg", mac, 0, &why), -1);
	assert_int_equal(xp_parse_mac("00:16:3e:aa:bb:cc:", mac, 0, &why), -1);
	assert_int_equal(xp_parse_mac(NULL, mac, 0, &why), -1);
}

static void test_uint(void **state)
{
	long v = 0;
	(void)state;

	assert_int_equal(xp_parse_uint("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(xp_parse_uint("10", 0, 10, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(xp_parse_uint("11", 0, 10, &v), -1);
	assert_int_equal(xp_parse_uint("-1", -5, 10, &v), -1);
	assert_int_equal(xp_parse_uint("+1", 0, 10, &v), -1);
	assert_int_equal(xp_parse_uint(" 1", 0, 10, &v), -1);
	assert_int_equal(xp_parse_uint("1 ", 0, 10, &v), -1);
	assert_int_equal(xp_parse_uint("1x", 0, 10, &v), -1);
	assert_int_equal(xp_parse_uint("", 0, 10, &v), -1);
	assert_int_equal(xp_parse_uint(NULL, 0, 10, &v), -1);
	assert_int_equal(xp_parse_uint("9999999999999999999", 0, 10, &v), -1);
}

static void test_mtu_vlan(void **state)
{
	int v = 0;
	const char *why;
	(void)state;

	assert_int_equal(xp_parse_mtu("68", &v, &why), 0);
	assert_int_equal(v, 68);
	assert_int_equal(xp_parse_mtu("65535", &v, &why), 0);
	assert_int_equal(xp_parse_mtu("67", &v, &why), -1);
	assert_non_null(strstr(why, "68 to 65535"));
	assert_int_equal(xp_parse_mtu("65536", &v, &why), -1);
	assert_int_equal(xp_parse_mtu("jumbo", &v, &why), -1);
	assert_int_equal(xp_parse_vlan_id("1", &v, &why), 0);
	assert_int_equal(xp_parse_vlan_id("4094", &v, &why), 0);
	assert_int_equal(v, 4094);
	assert_int_equal(xp_parse_vlan_id("0", &v, &why), -1);
	assert_non_null(strstr(why, "1 to 4094"));
	assert_int_equal(xp_parse_vlan_id("4095", &v, &why), -1);
	assert_int_equal(xp_parse_vlan_id("4096", &v, &why), -1);
}

static void test_ipaddr(void **state)
{
	struct xp_ipaddr a;
	const char *why;
	(void)state;

	assert_int_equal(xp_parse_ipaddr("192.168.1.10", &a, &why), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.prefixlen, -1);
	assert_int_equal(a.addr[0], 192);
	assert_int_equal(a.addr[3], 10);
	assert_int_equal(xp_parse_ipaddr("10.0.0.0/8", &a, &why), 0);
	assert_int_equal(a.prefixlen, 8);
	assert_int_equal(xp_parse_ipaddr("10.0.0.0/33", &a, &why), -1);
	assert_int_equal(xp_parse_ipaddr("fe80::1/64", &a, &why), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.prefixlen, 64);
	assert_int_equal(xp_parse_ipaddr("fe80::1/129", &a, &why), -1);
	assert_int_equal(xp_parse_ipaddr("1.2.3", &a, &why), -1);
	assert_int_equal(xp_parse_ipaddr("1.2.3.4/", &a, &why), -1);
	assert_int_equal(xp_parse_ipaddr("", &a, &why), -1);
	assert_int_equal(xp_parse_ipaddr(NULL, &a, &why), -1);
}

static void test_text(void **state)
{
	(void)state;
	assert_int_equal(xp_valid_text("hello world", 64), 0);
	assert_int_equal(xp_valid_text("", 64), 0);
	assert_int_equal(xp_valid_text("abcd", 4), 0);
	assert_int_equal(xp_valid_text("abcde", 4), -1);
	assert_int_equal(xp_valid_text("a\nb", 64), -1);
	assert_int_equal(xp_valid_text("a\x7f", 64), -1);
	assert_int_equal(xp_valid_text(NULL, 64), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ifname), cmocka_unit_test(test_mac),
	    cmocka_unit_test(test_uint),   cmocka_unit_test(test_mtu_vlan),
	    cmocka_unit_test(test_ipaddr), cmocka_unit_test(test_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
