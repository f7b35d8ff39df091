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

/* An Open vSwitch bridge's record says so (and iface-id = name), so that
 * hotplug plugs its vifs over OVSDB by the applied map alone. */
static void test_ovs_bridge(void **state)
{
	struct xp_conf c, c2;
	struct xp_applied a;
	struct xp_applied_br b;
	char err[256], br[XP_IFNAMSIZ];
	size_t len = 0;
	char *text;
	int vlan = -1;
	(void)state;

	parse("[bridge ovsbr]\ntype = openvswitch\niface-id = name\n"
	      "[bridge ovs2]\ntype = openvswitch\n"
	      "[bridge lin]\n"
	      "[network web]\nbridge = ovsbr\nvlan = 10\n",
	      &c);
	text = xp_applied_format(&c, "m", "start", &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "b ovsbr antispoof=0 type=openvswitch iface-id=vm-name\n"));
	assert_non_null(strstr(text, "b ovs2 antispoof=0 type=openvswitch\n"));
	assert_non_null(strstr(text, "b lin antispoof=0\n"));
	assert_int_equal(xp_applied_from_text(text, len, &a, err, sizeof(err)), 1);
	assert_int_equal(xp_applied_bridge_info(&a, "ovsbr", &b), 0);
	assert_int_equal(b.type, XP_BR_OVS);
	assert_int_equal(b.iface_id_by_name, 1);
	assert_int_equal(xp_applied_bridge_info(&a, "ovs2", &b), 0);
	assert_int_equal(b.type, XP_BR_OVS);
	assert_int_equal(b.iface_id_by_name, 0);
	assert_int_equal(xp_applied_bridge_info(&a, "lin", &b), 0);
	assert_int_equal(b.type, XP_BR_LINUX);
	assert_int_equal(xp_applied_bridge_info(&a, "web", &b), -1);
	assert_int_equal(xp_applied_network(&a, "web", br, &vlan), 0);
	assert_string_equal(br, "ovsbr");
	assert_int_equal(vlan, 10);
	assert_int_equal(xp_applied_same(&a, &c), 1);
	/* the type changed: hotplug would plug the wrong way until reload */
	parse("[bridge ovsbr]\ntype = linux\n", &c2);
	assert_int_equal(xp_applied_same(&a, &c2), 0);
	xp_conf_free(&c2);
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

static const char l3[] = "[bridge brn]\n"
			 "antispoof = yes\n"
			 "[routed public]\n"
			 "uplink = eth0\n"
			 "address = 203.0.113.5\n"
			 "address6 = fe80::1\n"
			 "proxy = no\n"
			 "[routed second]\n"
			 "uplink = eth1\n"
			 "antispoof = no\n"
			 "[nat lan]\n"
			 "bridge = brn\n"
			 "address = 10.1.1.1/24\n"
			 "dhcp = yes\n";

static void test_l3(void **state)
{
	struct xp_conf c, got, c2;
	struct xp_applied a;
	char err[256], t4[64];
	size_t len = 0;
	char *text;
	(void)state;

	parse(l3, &c);
	text = xp_applied_format(&c, "m", "start", &len);
	assert_non_null(text);
	assert_string_equal(text,
			    "xenplumb-applied-map 1\n"
			    "default -\n"
			    "# from m by network-xenplumb start; do not edit\n"
			    "b brn antispoof=1\n"
			    "r public uplink=eth0 address=203.0.113.5 address6=fe80::1 proxy=0 "
			    "antispoof=1\n"
			    "r second uplink=eth1 address=- address6=- proxy=1 antispoof=0\n"
			    "t lan bridge=brn address=10.1.1.1/24 dhcp=1\n"
			    "end\n");
	assert_int_equal(xp_applied_from_text(text, len, &a, err, sizeof(err)), 1);
	assert_int_equal(xp_applied_l3(&a, &got), 0);
	assert_int_equal(got.nrouted, 2);
	assert_int_equal(got.nnats, 1);
	assert_int_equal(got.nbridges, 0);
	assert_string_equal(got.routed[0].name, "public");
	assert_string_equal(got.routed[0].uplink, "eth0");
	assert_int_equal(got.routed[0].has_address, 1);
	assert_memory_equal(got.routed[0].address.addr, c.routed[0].address.addr, 4);
	assert_int_equal(got.routed[0].has_address6, 1);
	assert_memory_equal(got.routed[0].address6.addr, c.routed[0].address6.addr, 16);
	assert_int_equal(got.routed[0].proxy, 0);
	assert_int_equal(got.routed[0].antispoof, 1);
	assert_string_equal(got.routed[1].name, "second");
	assert_int_equal(got.routed[1].has_address, 0);
	assert_int_equal(got.routed[1].has_address6, 0);
	assert_int_equal(got.routed[1].proxy, 1);
	assert_int_equal(got.routed[1].antispoof, 0);
	assert_string_equal(got.nats[0].name, "lan");
	assert_string_equal(got.nats[0].bridge, "brn");
	assert_int_equal(got.nats[0].dhcp, 1);
	assert_int_equal(got.nats[0].address.prefixlen, 24);
	snprintf(t4, sizeof(t4), "%u.%u.%u.%u", got.nats[0].address.addr[0],
		 got.nats[0].address.addr[1], got.nats[0].address.addr[2],
		 got.nats[0].address.addr[3]);
	assert_string_equal(t4, "10.1.1.1");
	/* the conf's own look-ups work on it as on a parsed map */
	assert_ptr_equal(xp_conf_nat_of_bridge(&got, "brn"), &got.nats[0]);
	assert_ptr_equal(xp_conf_routed(&got, "second"), &got.routed[1]);
	/* bridge and network look-ups are unaffected by the new records */
	{
		int as = -1;
		assert_int_equal(xp_applied_bridge(&a, "brn", &as), 0);
		assert_int_equal(as, 1);
	}
	assert_int_equal(xp_applied_same(&a, &c), 1);
	xp_conf_free(&got);
	/* an edit of a routed network is a different applied map */
	parse("[bridge brn]\nantispoof = yes\n[routed public]\nuplink = eth9\n"
	      "[nat lan]\nbridge = brn\naddress = 10.1.1.1/24\n",
	      &c2);
	assert_int_equal(xp_applied_same(&a, &c2), 0);
	xp_conf_free(&c2);
	free(text);
	xp_conf_free(&c);

	/* a damaged routed record: refused, nothing half-read */
	{
		static const char bad[] = "xenplumb-applied-map 1\ndefault -\n"
					  "r x uplink=eth0 address=nonsense address6=- proxy=1 "
					  "antispoof=1\nend\n";
		assert_int_equal(xp_applied_from_text(bad, strlen(bad), &a, err, sizeof(err)), 1);
		assert_int_equal(xp_applied_l3(&a, &got), -1);
		assert_int_equal(got.nrouted, 0);
		assert_null(got.routed);
	}
	/* an applied map from before routed/NAT records: none, no error */
	{
		static const char old[] = "xenplumb-applied-map 1\ndefault br\nb br antispoof=0\n"
					  "n x bridge=br vlan=0\nend\n";
		assert_int_equal(xp_applied_from_text(old, strlen(old), &a, err, sizeof(err)), 1);
		assert_int_equal(xp_applied_l3(&a, &got), 0);
		assert_int_equal(got.nrouted + got.nnats, 0);
		xp_conf_free(&got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_and_lookups),
	    cmocka_unit_test(test_same),
	    cmocka_unit_test(test_ovs_bridge),
	    cmocka_unit_test(test_l3),
	    cmocka_unit_test(test_empty_map),
	    cmocka_unit_test(test_many),
	    cmocka_unit_test(test_damaged),
	    cmocka_unit_test(test_write_open_remove),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
