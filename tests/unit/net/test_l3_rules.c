/* Unit tests: the pure halves of routed/NAT networks (src/net/l3_rules.c):
 * the nft JSON (NAT and forward-confinement tables), the default DHCP
 * range and dnsmasq's config.  That the kernel masquerades, forwards and
 * that dnsmasq leases is tested in tests/netns/t-nat-*.sh, t-route-*.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "net/l3.h"

static struct xp_nat nat(const char *name, const char *br, const char *addr)
{
	struct xp_nat n;
	const char *why;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	snprintf(n.bridge, sizeof(n.bridge), "%s", br);
	assert_int_equal(xp_parse_ipaddr(addr, &n.address, &why), 0);
	n.masquerade = 1;
	n.dns = 1;
	return n;
}

static struct xp_routed routed(const char *name, const char *up)
{
	struct xp_routed r;

	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.uplink, sizeof(r.uplink), "%s", up);
	r.proxy = r.antispoof = 1;
	return r;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_nat_masquerade(void **st)
{
	struct xp_nat n = nat("lan", "xenbr9", "10.1.1.1/24");
	int c4 = 0, c6 = 0;
	struct xp_l3_fwd f = {NULL, 0, &c4, &c6, &n, 1, 0};
	char *j = xp_l3_nft_json(&f);
	json_object *root;

	(void)st;
	assert_non_null(j);
	root = json_tokener_parse(j);
	assert_non_null(root); /* well-formed */
	json_object_put(root);
	/* the subnet's network address, not the gateway's */
	assert_non_null(strstr(j, "\"prefix\":{\"addr\":\"10.1.1.0\",\"len\":24}"));
	assert_non_null(strstr(j, "{\"op\":\"!=\",\"left\":{\"meta\":{\"key\":\"oifname\"}},"
				  "\"right\":\"xenbr9\"}"));
	assert_int_equal(count(j, "\"masquerade\""), 1);
	assert_non_null(strstr(j, "\"hook\":\"postrouting\""));
	/* no forwarding switched on by us: the forward table is only removed */
	assert_int_equal(count(j, "xenplumb-forward"), 2);
	assert_null(strstr(j, "\"hook\":\"forward\""));
	free(j);
}

static void test_no_masquerade_no_nat_table(void **st)
{
	struct xp_nat n = nat("lan", "xenbr9", "10.1.1.1/24");
	int c4 = 0, c6 = 0;
	struct xp_l3_fwd f = {NULL, 0, &c4, &c6, &n, 1, 0};
	char *j;

	(void)st;
	n.masquerade = 0;
	j = xp_l3_nft_json(&f);
	/* add + delete of the table: it goes, whether it was there or not */
	assert_int_equal(count(j, "\"name\":\"xenplumb-nat\""), 2);
	assert_non_null(strstr(j, "{\"delete\":{\"table\":{\"family\":\"ip\",\"name\":"
				  "\"xenplumb-nat\"}}}"));
	assert_null(strstr(j, "masquerade"));
	free(j);
}

static void test_confinement(void **st)
{
	struct xp_routed r = routed("web", "eth0");
	struct xp_nat n = nat("lan", "xenbr9", "10.1.1.1/24");
	int c4 = 1, c6 = 0;
	struct xp_l3_fwd f = {&r, 1, &c4, &c6, &n, 1, 1};
	char *j = xp_l3_nft_json(&f);
	const char *est, *in, *drop4, *global;

	(void)st;
	assert_non_null(strstr(j, "\"hook\":\"forward\""));
	est = strstr(j, "\"established\"");
	in =
	    strstr(j, "{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"oifgroup\"}},\"right\":30832}");
	drop4 = strstr(j, "{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"iifname\"}},\"right\":"
			  "\"eth0\"}},{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":"
			  "\"nfproto\"}},\"right\":\"ipv4\"}},{\"drop\"");
	global = strstr(j, "{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"nfproto\"}},\"right\":"
			   "\"ipv4\"}},{\"drop\":null}]}}}]}");
	assert_non_null(est);
	assert_non_null(in);
	assert_non_null(drop4);
	assert_non_null(global);
	/* order: established, the guests' paths, then the drops */
	assert_true(est < in && in < drop4 && drop4 < global);
	/* IPv6 was not switched on by us: no IPv6 drop */
	assert_null(strstr(j, "\"ipv6\"}},{\"drop\""));
	/* the NAT bridge's guests may leave */
	assert_non_null(strstr(j, "\"right\":\"xenbr9\"}},{\"accept\""));
	free(j);
}

static void test_default_range(void **st)
{
	struct xp_nat n = nat("lan", "b", "10.1.1.1/24");
	struct xp_ipaddr lo, hi;

	(void)st;
	assert_int_equal(xp_l3_default_range(&n, &lo, &hi), 0);
	assert_memory_equal(lo.addr, "\x0a\x01\x01\x02", 4);
	assert_memory_equal(hi.addr, "\x0a\x01\x01\xfe", 4);
	n = nat("lan", "b", "192.168.7.254/24"); /* gateway at the top: below it */
	assert_int_equal(xp_l3_default_range(&n, &lo, &hi), 0);
	assert_memory_equal(lo.addr, "\xc0\xa8\x07\x01", 4);
	assert_memory_equal(hi.addr, "\xc0\xa8\x07\xfd", 4);
	n = nat("lan", "b", "10.0.0.1/31"); /* no room */
	assert_int_equal(xp_l3_default_range(&n, &lo, &hi), -1);
	n = nat("lan", "b", "10.0.0.1/30");
	assert_int_equal(xp_l3_default_range(&n, &lo, &hi), 0);
	assert_memory_equal(lo.addr, "\x0a\x00\x00\x02", 4);
	assert_memory_equal(hi.addr, "\x0a\x00\x00\x02", 4);
}

static void test_dnsmasq_conf(void **st)
{
	struct xp_nat n = nat("lan", "xenbr9", "10.1.1.1/24");
	char buf[2048], small[64];

	(void)st;
	assert_int_equal(xp_l3_dnsmasq_conf(&n, "/run/xenplumb/nat/lan", buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "\ninterface=xenbr9\nbind-dynamic\n"));
	assert_non_null(strstr(buf, "\ndhcp-range=10.1.1.2,10.1.1.254,255.255.255.0,1h\n"));
	assert_non_null(strstr(buf, "\ndhcp-option=option:router,10.1.1.1\n"));
	assert_non_null(strstr(buf, "\ndhcp-option=option:dns-server,10.1.1.1\n"));
	assert_non_null(strstr(buf, "\ndhcp-hostsdir=/run/xenplumb/nat/lan/hosts.d\n"));
	assert_non_null(strstr(buf, "\ndhcp-leasefile=/run/xenplumb/nat/lan/leases\n"));
	assert_non_null(strstr(buf, "\npid-file=/run/xenplumb/nat/lan/dnsmasq.pid\n"));
	assert_null(strstr(buf, "port=0"));
	n.dns = 0;
	const char *why;
	n.has_range = 1;
	assert_int_equal(xp_parse_ipaddr("10.1.1.100", &n.range_lo, &why), 0);
	assert_int_equal(xp_parse_ipaddr("10.1.1.199", &n.range_hi, &why), 0);
	assert_int_equal(xp_l3_dnsmasq_conf(&n, "/d", buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "\nport=0\n"));
	assert_null(strstr(buf, "dns-server"));
	assert_non_null(strstr(buf, "\ndhcp-range=10.1.1.100,10.1.1.199,255.255.255.0,1h\n"));
	assert_int_equal(xp_l3_dnsmasq_conf(&n, "/d", small, sizeof(small)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nat_masquerade),
	    cmocka_unit_test(test_no_masquerade_no_nat_table),
	    cmocka_unit_test(test_confinement),
	    cmocka_unit_test(test_default_range),
	    cmocka_unit_test(test_dnsmasq_conf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
