/* Unit tests: validation of every backend key vif-xenplumb reads
 * (src/vif/vif_keys.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "vif/vif_keys.h"

static struct vif_keys K;

static void ok(const struct vif_raw *r, int tap)
{
	char err[256];

	if (vif_keys_parse(r, tap, &K, err, sizeof(err)))
		fail_msg("rejected: %s", err);
}

static void bad(const struct vif_raw *r, int tap, const char *errpart)
{
	char err[256];

	if (!vif_keys_parse(r, tap, &K, err, sizeof(err)))
		fail_msg("accepted, want error with '%s'", errpart);
	if (!strstr(err, errpart))
		fail_msg("error '%s' lacks '%s'", err, errpart);
	/* the message must be printable: it goes into xenstore and logs */
	for (const char *p = err; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static void test_all_absent(void **st)
{
	struct vif_raw r = {0};

	(void)st;
	ok(&r, 0);
	assert_string_equal(K.bridge, "");
	assert_string_equal(K.vifname, "");
	assert_int_equal(K.mtu, 0);
	assert_false(K.has_mac);
	assert_int_equal(K.nips, 0);
	assert_false(K.has_vlan);
}

static void test_good(void **st)
{
	struct vif_raw r = {.bridge = "xenbr0",
			    .vifname = "web0",
			    .mtu = "9000",
			    .ip = "10.0.0.5 10.1.0.0/24 2001:db8::5",
			    .mac = "00:16:3E:01:02:03",
			    .vlan = "10p/20"};

	(void)st;
	ok(&r, 0);
	assert_string_equal(K.bridge, "xenbr0");
	assert_string_equal(K.vifname, "web0");
	assert_int_equal(K.mtu, 9000);
	assert_true(K.has_mac);
	assert_int_equal(K.mac[0], 0x00);
	assert_int_equal(K.mac[2], 0x3e);
	assert_int_equal(K.nips, 3);
	assert_int_equal(K.ips[0].family, AF_INET);
	assert_int_equal(K.ips[1].prefixlen, 24);
	assert_int_equal(K.ips[2].family, AF_INET6);
	assert_true(K.has_vlan);
	assert_int_equal(K.vlan.pvid, 10);
	/* tap: the emulated NIC's name gets -emu */
	ok(&r, 1);
	assert_string_equal(K.vifname, "web0-emu");
	/* commas separate addresses too */
	r.ip = "10.0.0.5,10.0.0.6";
	ok(&r, 0);
	assert_int_equal(K.nips, 2);
}

static void test_vifname(void **st)
{
	struct vif_raw r = {0};

	(void)st;
	r.vifname = "a/b";
	bad(&r, 0, "vifname");
	r.vifname = "..";
	bad(&r, 0, "'.' or '..'");
	r.vifname = ".";
	bad(&r, 0, "'.' or '..'");
	r.vifname = "abcdefghijklmnop";
	bad(&r, 0, "longer than 15");
	r.vifname = "abcdefghijklmno"; /* 15: fine for a vif... */
	ok(&r, 0);
	bad(&r, 1, "too long to add -emu"); /* ...but not for its tap */
	r.vifname = "eth0\n";
	bad(&r, 0, "vifname (unprintable");
	r.vifname = "a b";
	bad(&r, 0, "space");
	r.vifname = "a:b";
	bad(&r, 0, "':'");
	r.vifname = "\x1b[31mred";
	bad(&r, 0, "(unprintable");
}

static void test_mtu(void **st)
{
	struct vif_raw r = {0};
	const char *badv[] = {"0",
			      "67",
			      "65536",
			      "-1",
			      "1500 ",
			      " 1500",
			      "15x0",
			      "0x5dc",
			      "1e3",
			      "+1500",
			      "99999999999999999999999",
			      "abc"};

	(void)st;
	for (size_t i = 0; i < sizeof(badv) / sizeof(badv[0]); i++) {
		r.mtu = badv[i];
		bad(&r, 0, "mtu");
	}
	r.mtu = "68";
	ok(&r, 0);
	assert_int_equal(K.mtu, 68);
	r.mtu = "65535";
	ok(&r, 0);
	r.mtu = ""; /* empty = absent */
	ok(&r, 0);
	assert_int_equal(K.mtu, 0);
}

static void test_mac(void **st)
{
	struct vif_raw r = {0};
	const char *badv[] = {"00:16:3e:01:02",	   "00:16:3e:01:02:03:04", "00-16-3e-01-02-03",
			      "0016.3e01.0203",	   "01:00:5e:00:00:01",	   "ff:ff:ff:ff:ff:ff",
			      "00:00:00:00:00:00", "g0:16:3e:01:02:03",	   "00:16:3e:01:02:3",
			      " 00:16:3e:01:02:03"};

	(void)st;
	for (size_t i = 0; i < sizeof(badv) / sizeof(badv[0]); i++) {
		r.mac = badv[i];
		bad(&r, 0, "mac");
	}
}

static void test_ip(void **st)
{
	struct vif_raw r = {0};
	const char *badv[] = {"10.0.0.256", "10.0.0.1/33",  "10.0.0",	   "fe80::1/129",
			      "10.0.0.1/",  "host.example", "10.0.0.1;rm", "1.2.3.4/-1"};
	char many[1024] = "";

	(void)st;
	for (size_t i = 0; i < sizeof(badv) / sizeof(badv[0]); i++) {
		r.ip = badv[i];
		bad(&r, 0, "ip");
	}
	for (int i = 0; i < VIF_MAX_IPS + 1; i++)
		strcat(many, "10.0.0.1 ");
	r.ip = many;
	bad(&r, 0, "too many");
	r.ip = "10.0.0.1\t10.0.0.2";
	bad(&r, 0, "ip");
}

static void test_vlan_and_bridge(void **st)
{
	struct vif_raw r = {0};
	char longv[1100];

	(void)st;
	r.vlan = "4095";
	bad(&r, 0, "out of range");
	r.vlan = "10/20";
	bad(&r, 0, "PVID");
	r.vlan = "1\x01";
	bad(&r, 0, "vlan (unprintable");
	memset(longv, '1', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	r.vlan = longv;
	bad(&r, 0, "at most 1024");
	r.vlan = NULL;
	r.bridge = "br\x02";
	bad(&r, 0, "bridge key (unprintable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_absent),
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_vifname),
	    cmocka_unit_test(test_mtu),
	    cmocka_unit_test(test_mac),
	    cmocka_unit_test(test_ip),
	    cmocka_unit_test(test_vlan_and_bridge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
