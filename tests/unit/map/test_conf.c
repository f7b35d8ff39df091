/* Unit tests for the map parser: every key, every error class with its
 * file:line and message, includes, legacy arguments, the shipped examples
 * and the tests/maps corpus (bad maps carry their expected diagnostics as
 * "# expect: FILE:LINE: fragment" lines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map/conf.h"

/* ---- helpers ----------------------------------------------------------- */

static const char *root(void)
{
	const char *r = getenv("XP_ROOT");
	return r && *r ? r : ".";
}

static void dump(const struct xp_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("#   %s\n", d->msgs[i]);
}

static int empty_conf(const struct xp_conf *c)
{
	return !c->bridges && !c->nbridges && !c->vlans && !c->nvlans && !c->bonds && !c->nbonds &&
	       !c->dummies && !c->ndummies && !c->networks && !c->nnetworks && !c->files &&
	       !c->nfiles;
}

/* Parse text that must be clean. */
static void parse_ok(const char *text, struct xp_conf *c)
{
	struct xp_diag d = {0};
	int n = xp_conf_parse_string("t.conf", text, c, &d);

	if (n)
		dump(&d);
	assert_int_equal(n, 0);
	assert_int_equal(d.n, 0);
	xp_diag_free(&d);
}

/* Does some diagnostic start with "FILE:LINE: " and contain frag after it? */
static int has_diag(const struct xp_diag *d, const char *prefix, const char *frag)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strncmp(d->msgs[i], prefix, strlen(prefix)) &&
		    strstr(d->msgs[i] + strlen(prefix), frag))
			return 1;
	return 0;
}

/* Parse text that must fail with exactly nerr errors, one of them at line
 * with frag; the map must come back empty. */
static void parse_bad(const char *text, int nerr, int line, const char *frag)
{
	struct xp_conf c;
	struct xp_diag d = {0};
	char prefix[64];
	int n = xp_conf_parse_string("t.conf", text, &c, &d);

	snprintf(prefix, sizeof(prefix), "t.conf:%d: ", line);
	if (n != nerr || !has_diag(&d, prefix, frag)) {
		print_message("# wanted %d error(s), one '%s%s', got %d:\n", nerr, prefix, frag, n);
		dump(&d);
	}
	assert_int_equal(n, nerr);
	assert_int_equal(d.n, (size_t)nerr);
	assert_true(has_diag(&d, prefix, frag));
	assert_true(empty_conf(&c));
	xp_diag_free(&d);
}

/* ---- keys and values --------------------------------------------------- */

static const char full_map[] = "# every key\n"
			       "; semicolon comment\n"
			       "\n"
			       "[bond bond0]   # trailing comment\n"
			       "slaves = eth0, eth1 ; trailing\n"
			       "mode = 802.3ad\n"
			       "miimon = 100\n"
			       "lacp_rate = fast\n"
			       "xmit-hash-policy = layer3+4\n"
			       "updelay = 200\n"
			       "downdelay = 300\n"
			       "mtu = 9000\n"
			       "\n"
			       "[bond bond1]\n"
			       "slaves = eth2 eth3\n"
			       "mode = active-backup\n"
			       "primary = eth3\n"
			       "\n"
			       "[vlan bond0.100]\n"
			       "\n"
			       "[vlan v200]\n"
			       "parent = bond1\n"
			       "id = 200\n"
			       "mtu = 1500\n"
			       "\n"
			       "[dummy dummy0]\n"
			       "MTU = 1400\n"
			       "\n"
			       "[bridge br100]\n"
			       "ports = bond0.100\n"
			       "mtu = 9000\n"
			       "stp = on\n"
			       "forward_delay = 15\n"
			       "vlan-filtering = true\n"
			       "default = yes\n"
			       "move-addresses = 1\n"
			       "antispoof = On\n"
			       "\n"
			       "[bridge br2]\n"
			       "ports = v200 dummy0\n"
			       "stp = no\n"
			       "forward-delay = 0\n"
			       "default = false\n"
			       "move_addresses = off\n"
			       "antispoof = 0\n"
			       "vlan_filtering = no\n"
			       "\n"
			       "[network dmz]\n"
			       "bridge = br100\n"
			       "vlan = 4094\n"
			       "[network plain.net_1]\n"
			       "bridge = br2\n";

static void test_every_key(void **state)
{
	struct xp_conf c;
	const struct xp_bond *b;
	const struct xp_bridge *br;
	const struct xp_vlan *v;
	const struct xp_network *nw;
	(void)state;

	parse_ok(full_map, &c);
	assert_int_equal(c.nbonds, 2);
	assert_int_equal(c.nvlans, 2);
	assert_int_equal(c.ndummies, 1);
	assert_int_equal(c.nbridges, 2);
	assert_int_equal(c.nnetworks, 2);
	assert_int_equal(c.nfiles, 1);
	assert_int_equal(c.legacy, 0);
	assert_string_equal(c.files[0], "t.conf");

	b = xp_conf_bond(&c, "bond0");
	assert_non_null(b);
	assert_int_equal(b->nslaves, 2);
	assert_string_equal(b->slaves[0], "eth0");
	assert_string_equal(b->slaves[1], "eth1");
	assert_int_equal(b->mode, XP_BOND_8023AD);
	assert_int_equal(b->miimon, 100);
	assert_int_equal(b->lacp_rate, 1);
	assert_int_equal(b->xmit_hash_policy, 1);
	assert_int_equal(b->updelay, 200);
	assert_int_equal(b->downdelay, 300);
	assert_int_equal(b->mtu, 9000);
	assert_string_equal(b->primary, "");
	assert_string_equal(b->loc.file, "t.conf");
	assert_int_equal(b->loc.line, 4);

	b = xp_conf_bond(&c, "bond1");
	assert_non_null(b);
	assert_int_equal(b->mode, XP_BOND_ACTIVE_BACKUP);
	assert_string_equal(b->primary, "eth3");
	assert_int_equal(b->miimon, XP_UNSET);
	assert_int_equal(b->lacp_rate, XP_UNSET);
	assert_int_equal(b->xmit_hash_policy, XP_UNSET);
	assert_int_equal(b->updelay, XP_UNSET);
	assert_int_equal(b->mtu, XP_UNSET);

	v = xp_conf_vlan(&c, "bond0.100");
	assert_non_null(v);
	assert_string_equal(v->parent, "bond0");
	assert_int_equal(v->id, 100);
	assert_int_equal(v->mtu, XP_UNSET);
	v = xp_conf_vlan(&c, "v200");
	assert_non_null(v);
	assert_string_equal(v->parent, "bond1");
	assert_int_equal(v->id, 200);
	assert_int_equal(v->mtu, 1500);
	assert_int_equal(v->loc.line, 21);

	assert_int_equal(xp_conf_dummy(&c, "dummy0")->mtu, 1400);

	br = xp_conf_bridge(&c, "br100");
	assert_non_null(br);
	assert_int_equal(br->nports, 1);
	assert_string_equal(br->ports[0], "bond0.100");
	assert_int_equal(br->mtu, 9000);
	assert_int_equal(br->stp, 1);
	assert_int_equal(br->forward_delay, 15);
	assert_int_equal(br->vlan_filtering, 1);
	assert_int_equal(br->is_default, 1);
	assert_int_equal(br->move_addresses, 1);
	assert_int_equal(br->antispoof, 1);
	assert_ptr_equal(xp_conf_default_bridge(&c), br);

	br = xp_conf_bridge(&c, "br2");
	assert_non_null(br);
	assert_int_equal(br->nports, 2);
	assert_string_equal(br->ports[1], "dummy0");
	assert_int_equal(br->mtu, XP_UNSET);
	assert_int_equal(br->stp, 0);
	assert_int_equal(br->forward_delay, 0);
	assert_int_equal(br->vlan_filtering, 0);
	assert_int_equal(br->is_default, 0);
	assert_int_equal(br->move_addresses, 0);
	assert_int_equal(br->antispoof, 0);

	nw = xp_conf_network(&c, "dmz");
	assert_non_null(nw);
	assert_string_equal(nw->bridge, "br100");
	assert_int_equal(nw->vlan, 4094);
	nw = xp_conf_network(&c, "plain.net_1");
	assert_non_null(nw);
	assert_int_equal(nw->vlan, 0);

	assert_null(xp_conf_bridge(&c, "bond0"));
	assert_null(xp_conf_bond(&c, "br100"));
	assert_null(xp_conf_network(&c, "br100"));
	assert_null(xp_conf_vlan(&c, "nope"));
	assert_null(xp_conf_dummy(&c, "nope"));
	assert_null(xp_conf_bridge(NULL, "x"));
	xp_conf_free(&c);
	assert_true(empty_conf(&c));
	xp_conf_free(&c); /* twice is harmless */
}

static void test_defaults_and_empty(void **state)
{
	struct xp_conf c;
	const struct xp_bridge *br;
	(void)state;

	parse_ok("", &c);
	assert_int_equal(c.nbridges, 0);
	assert_null(xp_conf_default_bridge(&c));
	xp_conf_free(&c);

	parse_ok("# only comments\n   \n\t; here\n", &c);
	xp_conf_free(&c);

	parse_ok("[bridge xenbr0]\r\n[dummy d0]\n[bond b0]\n[vlan x]\nparent=b0\nid=7", &c);
	br = xp_conf_bridge(&c, "xenbr0");
	assert_non_null(br);
	assert_int_equal(br->nports, 0);
	assert_null(br->ports);
	assert_int_equal(br->mtu, XP_UNSET);
	assert_int_equal(br->stp, XP_UNSET);
	assert_int_equal(br->forward_delay, XP_UNSET);
	assert_int_equal(br->vlan_filtering, XP_UNSET);
	assert_int_equal(br->is_default, 0);
	assert_int_equal(br->move_addresses, 0);
	assert_int_equal(br->antispoof, 0);
	assert_int_equal(xp_conf_bond(&c, "b0")->mode, XP_UNSET);
	assert_int_equal(xp_conf_bond(&c, "b0")->nslaves, 0);
	assert_int_equal(xp_conf_dummy(&c, "d0")->mtu, XP_UNSET);
	assert_int_equal(xp_conf_vlan(&c, "x")->id, 7);
	xp_conf_free(&c);
}

static void test_values(void **state)
{
	static const char *const yes[] = {"yes", "YES", "on", "true", "True", "1"};
	static const char *const no[] = {"no", "off", "false", "FALSE", "0", "Off"};
	struct xp_conf c;
	char buf[128];
	(void)state;

	for (size_t i = 0; i < 6; i++) {
		snprintf(buf, sizeof(buf), "[bridge b]\nstp = %s\nantispoof=%s\n", yes[i], no[i]);
		parse_ok(buf, &c);
		assert_int_equal(c.bridges[0].stp, 1);
		assert_int_equal(c.bridges[0].antispoof, 0);
		xp_conf_free(&c);
	}
	/* list separators: blanks, tabs, commas, mixed */
	parse_ok("[bridge br]\nports = a,b\tc , d,,e\n", &c);
	assert_int_equal(c.bridges[0].nports, 5);
	assert_string_equal(c.bridges[0].ports[4], "e");
	xp_conf_free(&c);
	/* '#' inside a value is not a comment */
	parse_ok("[bridge b]\nports = a#b # real comment\n", &c);
	assert_string_equal(c.bridges[0].ports[0], "a#b");
	xp_conf_free(&c);
	/* boundaries */
	parse_ok("[bridge b]\nmtu = 68\nforward-delay = 30\n[bridge c]\nmtu=65535\n"
		 "[vlan v]\nparent = e\nid = 1\n[vlan w]\nparent=e\nid=4094\n",
		 &c);
	assert_int_equal(c.bridges[0].mtu, 68);
	assert_int_equal(c.bridges[1].mtu, 65535);
	assert_int_equal(c.vlans[1].id, 4094);
	xp_conf_free(&c);
	/* an interface name of exactly 15 bytes */
	parse_ok("[bridge abcdefghijklmno]\n", &c);
	xp_conf_free(&c);
	/* bond modes by number, xmit hash names */
	parse_ok("[bond b]\nmode = 6\n[bond c]\nmode=balance-xor\nxmit-hash-policy=encap3+4\n", &c);
	assert_int_equal(c.bonds[0].mode, XP_BOND_BALANCE_ALB);
	assert_int_equal(c.bonds[1].xmit_hash_policy, 4);
	xp_conf_free(&c);
}

static void test_name_tables(void **state)
{
	static const char *const modes[] = {"balance-rr", "active-backup", "balance-xor",
					    "broadcast",  "802.3ad",	   "balance-tlb",
					    "balance-alb"};
	(void)state;

	for (int i = 0; i < 7; i++) {
		assert_string_equal(xp_bond_mode_name(i), modes[i]);
		assert_int_equal(xp_bond_mode_parse(modes[i]), i);
	}
	assert_int_equal(XP_BOND_8023AD, 4);
	assert_null(xp_bond_mode_name(7));
	assert_null(xp_bond_mode_name(XP_UNSET));
	assert_int_equal(xp_bond_mode_parse("lacp"), -1);
	assert_int_equal(xp_bond_mode_parse("7"), -1);
	assert_int_equal(xp_bond_mode_parse(NULL), -1);
	assert_string_equal(xp_xmit_hash_name(0), "layer2");
	assert_string_equal(xp_xmit_hash_name(1), "layer3+4");
	assert_string_equal(xp_xmit_hash_name(2), "layer2+3");
	assert_string_equal(xp_xmit_hash_name(3), "encap2+3");
	assert_string_equal(xp_xmit_hash_name(4), "encap3+4");
	assert_int_equal(xp_xmit_hash_parse("layer2+3"), 2);
	assert_int_equal(xp_xmit_hash_parse("LAYER3+4"), 1);
	assert_int_equal(xp_xmit_hash_parse("layer4"), -1);
	assert_null(xp_xmit_hash_name(-1));
	assert_null(xp_xmit_hash_name(99));
}

/* ---- errors ------------------------------------------------------------ */

struct bad {
	const char *text;
	int nerr, line;
	const char *frag;
};

static const struct bad bad_syntax[] = {
    {"mtu = 1500\n", 1, 1, "key outside any section, 'mtu'"},
    {"[bridge br0\n", 1, 1, "section header not closed, '[bridge br0'"},
    {"[]\n", 1, 1, "empty section header"},
    {"[bridges br0]\nmtu = 1\n", 1, 1, "unknown section kind 'bridges' -- did you mean 'bridge'"},
    {"[switch s]\n", 1, 1, "use bridge, vlan, bond, dummy, vxlan, network, routed, nat or global"},
    {"[bridge]\n", 1, 1, "section [bridge] has no name"},
    {"[bridge a b]\n", 1, 1, "more than a kind and a name, 'b'"},
    {"\n[bridge abcdefghijklmnop]\n", 1, 2, "'abcdefghijklmnop' -- interface name longer than 15"},
    {"[bond a/b]\n", 1, 1, "bad bond name 'a/b'"},
    {"[dummy a:b]\n", 1, 1, "bad dummy name 'a:b' -- interface name has a '/', ':'"},
    {"[network bad!]\n", 1, 1, "bad network name 'bad!' -- a network name may use only"},
    {"garbage\n", 1, 1, "not a section, key or include, 'garbage'"},
    {"[bridge b]\n= 5\n", 1, 2, "no key before '='"},
    {"[bridge b]\nmtu =\n", 1, 2, "key has no value, 'mtu'"},
    {"[bridge b]\nmtu = 1500\nmtu = 9000\n", 1, 3,
     "key set twice in [bridge b], 'mtu' (first at line 2)"},
    {"[bridge b]\nfowrard-delay = 3\n", 1, 2,
     "unknown key 'fowrard-delay' in [bridge b] -- did you mean 'forward-delay'?"},
    {"[bridge b]\nslaves = eth0\n", 1, 2,
     "key 'slaves' is not valid in [bridge b] (it belongs in a [bond] section)"},
    {"[dummy d]\nfoo = 1\n", 1, 2, "unknown key 'foo' in [dummy d] -- valid keys: mtu"},
    {"[bridge b]\nstp = maybe\n", 1, 2, "stp is not yes or no, 'maybe'"},
    {"[bridge b]\nmtu = 67\n", 1, 2, "bad mtu '67' -- MTU must be a number from 68 to 65535"},
    {"[bridge b]\nmtu = 65536\n", 1, 2, "bad mtu '65536'"},
    {"[bridge b]\nmtu = 1500x\n", 1, 2, "bad mtu '1500x'"},
    {"[bridge b]\nforward-delay = 31\n", 1, 2,
     "bad forward-delay '31' -- use a whole number from 0 to 30"},
    {"[vlan v]\nparent = e\nid = 0\n", 1, 3,
     "bad VLAN id '0' -- VLAN id must be a number from 1 to 4094"},
    {"[vlan v]\nparent = e\nid = 4095\n", 1, 3,
     "bad VLAN id '4095' -- VLAN id must be a number from 1 to 4094"},
    {"[vlan v]\nparent = e\nid = 4096\n", 1, 3, "bad VLAN id '4096'"},
    {"[vlan e.4095]\n", 1, 1,
     "bad VLAN id in name 'e.4095', '4095' -- VLAN id must be a number from 1 to 4094"},
    {"[vlan e.0]\n", 1, 1, "bad VLAN id in name 'e.0', '0'"},
    {"[bond b]\nmode = lacp\n", 1, 2,
     "unknown bond mode 'lacp' -- use balance-rr, active-backup, balance-xor, broadcast, 802.3ad, "
     "balance-tlb or balance-alb"},
    {"[bond b]\nmode = 802.3ad\nlacp-rate = quick\n", 1, 3,
     "bad lacp-rate 'quick' -- use slow or fast"},
    {"[bond b]\nmode = 802.3ad\nxmit-hash-policy = l34\n", 1, 3, "unknown xmit-hash-policy 'l34'"},
    {"[bond b]\nmiimon = -1\n", 1, 2, "bad miimon '-1'"},
    {"[bridge b]\nports = eth0 eth0\n", 1, 2,
     "interface listed twice in ports of [bridge b], 'eth0'"},
    {"[bridge b]\nports = eth0 averyveryverylongname\n", 1, 2,
     "bad interface name in ports, 'averyveryverylongname'"},
    {"[vlan v]\nparent = a/b\nid = 5\n", 1, 2, "bad interface name for parent, 'a/b'"},
    {"[network n]\nbridge = b\nvlan = 5000\n[bridge b]\nvlan-filtering = yes\n", 1, 3,
     "bad VLAN vlan '5000'"},
    {"include\n", 1, 1, "include without a path"},
    {"[bridge b]\nmtu = 1500\n\x01\n", 1, 3, "not a section, key or include"},
    /* a broken header hides its keys (no cascade) but later sections count */
    {"[bridgeX b]\nmtu = 1\nfoo = 2\n[bridge c]\nfoo = 3\n", 2, 5,
     "unknown key 'foo' in [bridge c]"},
};

static const struct bad bad_semantic[] = {
    {"[bridge x]\n[bond x]\n", 1, 2, "name already defined, 'x' (as [bridge x] at t.conf:1)"},
    {"[dummy d]\n[dummy d]\n", 1, 2, "name already defined, 'd'"},
    {"[vlan eth0.7]\n[bridge eth0.7]\n", 1, 2, "name already defined, 'eth0.7' (as [vlan eth0.7]"},
    {"[bridge a]\n[bridge b]\nports = a\n", 1, 3, "a bridge cannot be a port of bridge 'b', 'a'"},
    {"[bridge a]\nports = a\n", 1, 2, "a bridge cannot be a port of bridge 'a', 'a'"},
    {"[bridge a]\n[bond b]\nslaves = a\n", 1, 3, "a bridge cannot be a slave of bond 'b', 'a'"},
    {"[bond a]\n[bond b]\nslaves = a\n", 1, 3, "bond enslaves a bond, 'a'"},
    {"[bond bond0]\nslaves = eth0 bond0.100\n[vlan bond0.100]\n", 1, 2,
     "loop: 'bond0.100' runs on top of 'bond0', so it cannot be a slave of bond 'bond0'"},
    {"[bridge br0]\nports = br0.5\n[vlan br0.5]\n", 1, 2, "loop: 'br0.5' runs on top of 'br0'"},
    {"[bridge a]\nports = eth0\n[bridge b]\nports = eth0\n", 1, 4,
     "interface has two masters, 'eth0' is a port of bridge 'a' (t.conf:2) and a port of bridge "
     "'b'"},
    {"[bond a]\nslaves = eth0\n[bond b]\nslaves = eth0\n", 1, 4,
     "'eth0' is a slave of bond 'a' (t.conf:2) and a slave of bond 'b'"},
    {"[bridge br]\nports = eth0\n[bond b]\nslaves = eth0\n", 1, 2,
     "bond slave used as a bridge port, 'eth0' (slave of bond 'b' at t.conf:4) -- make 'b' the "
     "port of bridge 'br' instead"},
    {"[vlan v]\nid = 5\n", 1, 1, "vlan has no parent, 'v' -- set parent = INTERFACE"},
    {"[vlan v]\nparent = eth0\n", 1, 1, "vlan has no id, 'v'"},
    {"[vlan eth0.100]\nid = 200\n", 1, 2, "vlan name says id 100 but id = 200, 'eth0.100'"},
    {"[vlan a.5]\n[vlan b]\nparent = a.5\nid = 6\n", 1, 3, "vlan on top of a vlan, parent 'a.5'"},
    {"[bond b]\nmtu = 1500\n[vlan b.5]\nmtu = 9000\n", 1, 4,
     "vlan mtu above its parent's, '9000' (parent 'b' has mtu 1500)"},
    {"[bridge a]\ndefault = yes\n[bridge b]\ndefault = yes\n", 1, 4,
     "second default bridge, 'b' (first is 'a' at t.conf:2)"},
    {"[bridge a]\nstp = on\nforward-delay = 0\n", 1, 3,
     "forward-delay too short for STP, '0' -- with stp = on use 2 to 30"},
    {"[bond b]\nmode = balance-alb\nlacp-rate = fast\n", 1, 3,
     "lacp-rate needs mode 802.3ad, bond 'b' has mode balance-alb"},
    {"[bond b]\nlacp-rate = slow\n", 1, 2, "has mode balance-rr (the default)"},
    {"[bond b]\nmode = active-backup\nxmit-hash-policy = layer2\n", 1, 3,
     "xmit-hash-policy has no effect in mode active-backup"},
    {"[bond b]\nslaves = e0 e1\nmode = 802.3ad\nprimary = e0\n", 1, 4,
     "primary needs mode active-backup, balance-tlb or balance-alb, bond 'b' has mode 802.3ad"},
    {"[bond b]\nslaves = e0 e1\nmode = active-backup\nprimary = e2\n", 1, 4,
     "primary is not a slave of bond 'b', 'e2'"},
    {"[bond b]\nupdelay = 200\n", 1, 2, "updelay without miimon in bond 'b', '200'"},
    {"[bond b]\nmiimon = 100\ndowndelay = 150\n", 1, 3,
     "downdelay is not a multiple of miimon 100 in bond 'b', '150'"},
    {"[network n]\n", 1, 1, "network has no bridge, 'n'"},
    {"[network n]\nbridge = nope\n", 1, 2,
     "network names a bridge not in the map, 'nope' -- add [bridge nope]"},
    {"[bond b]\n[network n]\nbridge = b\n", 1, 3, "network bridge is a bond, not a bridge, 'b'"},
    {"[bridge b]\n[network n]\nbridge = b\nvlan = 10\n", 1, 4,
     "network vlan on a bridge without VLAN filtering, 'b' -- set vlan-filtering = yes in [bridge "
     "b]"},
    {"[bridge b]\n[network b]\nbridge = b\n", 1, 2, "network has the name of a bridge, 'b'"},
    {"[bridge b]\n[network n]\nbridge = b\n[network n]\nbridge = b\n", 1, 4,
     "network defined twice, 'n' (first at t.conf:2)"},
};

static void run_bad(const struct bad *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		parse_bad(cases[i].text, cases[i].nerr, cases[i].line, cases[i].frag);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	run_bad(bad_syntax, sizeof(bad_syntax) / sizeof(bad_syntax[0]));
}

static void test_semantic_errors(void **state)
{
	(void)state;
	run_bad(bad_semantic, sizeof(bad_semantic) / sizeof(bad_semantic[0]));
}

static void test_all_errors_in_order(void **state)
{
	struct xp_conf c;
	struct xp_diag d = {0};
	int n;
	(void)state;

	n = xp_conf_parse_string("t.conf",
				 "[bridge b]\n"
				 "default = yes\n"
				 "mtu = 1\n"
				 "[bridge c]\n"
				 "default = yes\n"
				 "stp = perhaps\n"
				 "junk\n",
				 &c, &d);
	dump(&d);
	assert_int_equal(n, 4);
	assert_int_equal(d.n, 4);
	/* line errors first, in reading order, then whole-map conflicts */
	assert_non_null(strstr(d.msgs[0], "t.conf:3: bad mtu '1'"));
	assert_non_null(strstr(d.msgs[1], "t.conf:6: stp is not yes or no"));
	assert_non_null(strstr(d.msgs[2], "t.conf:7: not a section"));
	assert_non_null(strstr(d.msgs[3], "t.conf:5: second default bridge"));
	assert_true(empty_conf(&c));
	xp_diag_free(&d);
	assert_int_equal(d.n, 0);
	assert_null(d.msgs);
}

static void test_diag_format(void **state)
{
	struct xp_diag d = {0};
	(void)state;

	xp_diag_add(&d, "f.conf", 12, "bad %s '%d'", "mtu", 7);
	xp_diag_add(&d, "<arguments>", 0, "x");
	xp_diag_add(&d, NULL, 0, "plain");
	xp_diag_add(&d, "f", 1, "bad '%s'", "a\033[31m\xc3\xa9");
	assert_int_equal(d.n, 4);
	assert_string_equal(d.msgs[3], "f:1: bad 'a?[31m?"
				       "?'");
	assert_string_equal(d.msgs[0], "f.conf:12: bad mtu '7'");
	assert_string_equal(d.msgs[1], "<arguments>: x");
	assert_string_equal(d.msgs[2], "plain");
	xp_diag_free(&d);
}

/* ---- includes ---------------------------------------------------------- */

static char tmpdir[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int load(const char *rel, struct xp_conf *c, struct xp_diag *d)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	return xp_conf_load(path, c, d);
}

static int setup_tmp(void **state)
{
	char sub[128];
	(void)state;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/xp-conf-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(sub, sizeof(sub), "%s/d", tmpdir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/d/e", tmpdir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/empty", tmpdir);
	mkdir(sub, 0755);
	return 0;
}

static int teardown_tmp(void **state)
{
	char cmd[128];
	(void)state;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Which file:line does diag i name (relative to tmpdir)? */
static const char *rel(const char *msg)
{
	size_t n = strlen(tmpdir);
	return strncmp(msg, tmpdir, n) ? msg : msg + n + 1;
}

static void test_include_nested_glob(void **state)
{
	struct xp_conf c;
	struct xp_diag d = {0};
	(void)state;

	put("main.conf", "include d/*.conf   # glob, relative to this file\n"
			 "[bridge xenbr0]\n"
			 "ports = bond0\n"
			 "include \"d/keys.inc\"\n"
			 "default = yes   # still in [bridge xenbr0] after the include\n"
			 "include empty/*.conf\n");
	put("d/a.conf", "[bond bond0]\nslaves = eth0 eth1\ninclude e/deeper.conf\n");
	put("d/b.conf", "[dummy dummy0]\n");
	put("d/keys.inc", "[dummy dummy1]\nmtu = 1400\n");
	put("d/e/deeper.conf", "[dummy dummy2]\n");
	assert_int_equal(load("main.conf", &c, &d), 0);
	dump(&d);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.nfiles, 5);
	assert_string_equal(rel(c.files[1]), "d/a.conf");
	assert_string_equal(rel(c.files[2]), "d/e/deeper.conf");
	assert_string_equal(rel(c.files[3]), "d/b.conf");
	assert_string_equal(rel(c.files[4]), "d/keys.inc");
	assert_int_equal(c.ndummies, 3);
	assert_string_equal(c.dummies[0].name, "dummy2");
	assert_string_equal(rel(c.dummies[0].loc.file), "d/e/deeper.conf");
	assert_int_equal(c.dummies[0].loc.line, 1);
	assert_int_equal(c.dummies[2].mtu, 1400);
	assert_int_equal(xp_conf_bridge(&c, "xenbr0")->is_default, 1);
	assert_int_equal(xp_conf_bond(&c, "bond0")->loc.line, 1);
	xp_conf_free(&c);
}

/* A UTF-8 byte order mark opens the map and its includes (Windows
 * editors write one); anywhere else it stays an error. */
static void test_bom(void **state)
{
	struct xp_conf c;
	struct xp_diag d = {0};
	(void)state;

	put("bom.conf", "\xef\xbb\xbf[bridge xenbr0]\nports = eth0\ninclude bom.inc\n");
	put("bom.inc", "\xef\xbb\xbf# included, with its own mark\n[dummy dummy0]\n");
	assert_int_equal(load("bom.conf", &c, &d), 0);
	dump(&d);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.nbridges, 1);
	assert_string_equal(c.bridges[0].name, "xenbr0");
	assert_int_equal(c.bridges[0].loc.line, 1);
	assert_int_equal(c.ndummies, 1);
	xp_conf_free(&c);

	assert_int_equal(xp_conf_parse_string("t.conf", "\xef\xbb\xbf\n[bridge b]\n", &c, &d), 0);
	assert_int_equal(c.bridges[0].loc.line, 2);
	xp_conf_free(&c);
	/* a mark on line 2 is not one */
	parse_bad("[bridge b]\n\xef\xbb\xbfmtu = 1500\n", 1, 2, "unknown key");
}

/* Whole-map errors name the line of the offending key, in the file that
 * holds it (here an include), not the section's header. */
static void test_key_lines(void **state)
{
	struct xp_conf c;
	struct xp_diag d = {0};
	(void)state;

	put("kl.conf", "[bond bond0]\n"
		       "# a comment\n"
		       "slaves = eth0 eth1\n"
		       "mode = active-backup\n"
		       "primary = eth9\n"
		       "include kl.inc\n");
	put("kl.inc", "[bridge xenbr0]\n"
		      "stp = on\n"
		      "\n"
		      "forward-delay = 1\n"
		      "ports = eth1\n");
	assert_int_equal(load("kl.conf", &c, &d), 3);
	dump(&d);
	assert_int_equal(d.n, 3);
	assert_non_null(strstr(rel(d.msgs[0]), "kl.conf:5: primary is not a slave"));
	assert_non_null(strstr(rel(d.msgs[1]), "kl.inc:4: forward-delay too short"));
	assert_non_null(strstr(rel(d.msgs[2]), "kl.inc:5: bond slave used as a bridge port"));
	assert_non_null(strstr(d.msgs[2], "kl.conf:3)"));
	assert_true(empty_conf(&c));
	xp_diag_free(&d);
}

static void test_include_errors(void **state)
{
	struct xp_conf c;
	struct xp_diag d = {0};
	(void)state;

	/* missing plain include: error at the include line; glob: fine */
	put("m1.conf", "[bridge b]\ninclude nothere.conf\ninclude nothere/*.conf\n");
	assert_int_equal(load("m1.conf", &c, &d), 1);
	assert_true(empty_conf(&c));
	assert_int_equal(strncmp(rel(d.msgs[0]), "m1.conf:2: cannot read included file", 36), 0);
	assert_non_null(strstr(d.msgs[0], "nothere.conf': No such file"));
	xp_diag_free(&d);

	/* a loop through two files */
	put("l1.conf", "[bridge b1]\ninclude l2.conf\n");
	put("l2.conf", "\n[bridge b2]\ninclude l1.conf\n");
	assert_int_equal(load("l1.conf", &c, &d), 1);
	assert_int_equal(strncmp(rel(d.msgs[0]), "l2.conf:3: include loop", 23), 0);
	xp_diag_free(&d);

	/* a glob that matches the including file itself */
	put("self.conf", "include self*.conf\n");
	assert_int_equal(load("self.conf", &c, &d), 1);
	assert_int_equal(strncmp(rel(d.msgs[0]), "self.conf:1: include loop", 25), 0);
	xp_diag_free(&d);

	/* the same file twice (no loop) */
	put("d/b.conf", "[dummy dummy0]\n");
	put("twice.conf", "include d/b.conf\ninclude d/b.conf\n");
	assert_int_equal(load("twice.conf", &c, &d), 1);
	assert_int_equal(strncmp(rel(d.msgs[0]), "twice.conf:2: file included twice", 33), 0);
	xp_diag_free(&d);

	/* too deep: n0 -> n1 -> ... -> n9 */
	for (int i = 0; i < 10; i++) {
		char name[32], text[64];
		snprintf(name, sizeof(name), "n%d.conf", i);
		snprintf(text, sizeof(text), "[dummy dd%d]\ninclude n%d.conf\n", i, i + 1);
		put(name, i == 9 ? "[dummy dd9]\n" : text);
	}
	assert_int_equal(load("n0.conf", &c, &d), 1);
	assert_int_equal(strncmp(rel(d.msgs[0]), "n7.conf:2: includes nested too deep, ", 37), 0);
	xp_diag_free(&d);
	assert_int_equal(load("n2.conf", &c, &d), 0); /* 8 files deep is fine */
	assert_int_equal(c.ndummies, 8);
	xp_conf_free(&c);

	/* errors inside included files carry that file's name and line */
	put("d/bad.inc", "[bridge x]\nmtu = 10\n");
	put("outer.conf", "[bridge y]\ninclude d/bad.inc\nstp = bogus\n");
	assert_int_equal(load("outer.conf", &c, &d), 2);
	assert_int_equal(strncmp(rel(d.msgs[0]), "d/bad.inc:2: bad mtu '10'", 25), 0);
	assert_int_equal(strncmp(rel(d.msgs[1]), "outer.conf:3: stp is not yes or no", 34), 0);
	xp_diag_free(&d);

	/* an include of a directory */
	put("dir.conf", "include d\n");
	assert_int_equal(load("dir.conf", &c, &d), 1);
	assert_non_null(strstr(d.msgs[0], "dir.conf:1: cannot read included file, "));
	xp_diag_free(&d);

	/* a missing top-level map */
	assert_int_equal(load("absent.conf", &c, &d), 1);
	assert_non_null(strstr(d.msgs[0], "absent.conf: cannot read map"));
	assert_true(empty_conf(&c));
	xp_diag_free(&d);
}

/* ---- legacy arguments -------------------------------------------------- */

static int legacy(struct xp_conf *c, struct xp_diag *d, const char *a0, const char *a1,
		  const char *a2, const char *a3)
{
	char *argv[4];
	int argc = 0;

	if (a0)
		argv[argc++] = (char *)a0;
	if (a1)
		argv[argc++] = (char *)a1;
	if (a2)
		argv[argc++] = (char *)a2;
	if (a3)
		argv[argc++] = (char *)a3;
	return xp_conf_from_legacy(argc, argv, c, d);
}

static void test_legacy(void **state)
{
	struct xp_conf c;
	struct xp_diag d = {0};
	const struct xp_bridge *b;
	(void)state;

	assert_int_equal(legacy(&c, &d, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(c.legacy, 1);
	assert_int_equal(c.nbridges, 1);
	b = xp_conf_default_bridge(&c);
	assert_non_null(b);
	assert_string_equal(b->name, "xenbr0");
	assert_int_equal(b->nports, 1);
	assert_string_equal(b->ports[0], "eth0");
	assert_int_equal(b->move_addresses, 1);
	assert_int_equal(b->antispoof, 0);
	assert_int_equal(b->mtu, XP_UNSET);
	assert_int_equal(b->stp, XP_UNSET);
	assert_string_equal(b->loc.file, "<arguments>");
	assert_int_equal(b->loc.line, 0);
	assert_int_equal(c.ndummies, 0);
	xp_conf_free(&c);

	assert_int_equal(legacy(&c, &d, "vifnum=1", NULL, NULL, NULL), 0);
	assert_string_equal(c.bridges[0].name, "xenbr1");
	assert_string_equal(c.bridges[0].ports[0], "eth1");
	xp_conf_free(&c);

	assert_int_equal(legacy(&c, &d, "antispoof=yes", "netdev=dummy0", "vifnum=2", "bridge=xbr"),
			 0);
	assert_string_equal(c.bridges[0].name, "xbr");
	assert_string_equal(c.bridges[0].ports[0], "dummy0");
	assert_int_equal(c.bridges[0].antispoof, 1);
	assert_int_equal(c.ndummies, 1);
	assert_string_equal(c.dummies[0].name, "dummy0");
	assert_int_equal(c.dummies[0].mtu, XP_UNSET);
	xp_conf_free(&c);

	assert_int_equal(legacy(&c, &d, "netdev=dummyx", NULL, NULL, NULL), 0);
	assert_int_equal(c.ndummies, 0);
	xp_conf_free(&c);
	assert_int_equal(d.n, 0);

	assert_int_equal(legacy(&c, &d, "start", "foo=1", "vifnum=-1", "antispoof=maybe"), 4);
	assert_true(empty_conf(&c));
	assert_int_equal(c.legacy, 0);
	assert_int_equal(d.n, 4);
	assert_non_null(strstr(d.msgs[0], "<arguments>: argument is not KEY=VALUE, 'start'"));
	assert_non_null(strstr(d.msgs[1], "<arguments>: unknown argument, 'foo=1'"));
	assert_non_null(strstr(d.msgs[2], "bad vifnum, '-1'"));
	assert_non_null(strstr(d.msgs[3], "bad antispoof, 'maybe'"));
	xp_diag_free(&d);

	assert_int_equal(legacy(&c, &d, "bridge=a", "bridge=b", NULL, NULL), 1);
	assert_non_null(strstr(d.msgs[0], "argument given twice, 'bridge=b'"));
	xp_diag_free(&d);
	assert_int_equal(legacy(&c, &d, "bridge=averyveryverylongname", "netdev=a/b", NULL, NULL),
			 2);
	assert_non_null(strstr(d.msgs[0], "bad bridge name, 'averyveryverylongname'"));
	assert_non_null(strstr(d.msgs[1], "bad netdev name, 'a/b'"));
	xp_diag_free(&d);
	assert_int_equal(legacy(&c, &d, "bridge=eth0", NULL, NULL, NULL), 1);
	assert_non_null(strstr(d.msgs[0], "same interface, 'eth0'"));
	xp_diag_free(&d);
}

/* ---- corpus and shipped files ------------------------------------------ */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	assert_non_null(f);
	do {
		char *nb = realloc(buf, cap + 4096 + 1);
		assert_non_null(nb);
		buf = nb;
		cap += 4096;
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0 && len == cap);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* Check one bad map against its "# expect: FILE:LINE: fragment" lines:
 * exactly as many diagnostics as expectations, each matched once. */
static int check_bad_map(const char *dir, const char *path)
{
	char *text = slurp(path), *save = NULL;
	struct xp_conf c;
	struct xp_diag d = {0};
	int n = xp_conf_load(path, &c, &d), nexp = 0, ok = 1;
	char used[64] = {0};

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char prefix[1200], *frag, *colon;
		int found = 0;

		if (strncmp(l, "# expect: ", 10))
			continue;
		nexp++;
		l += 10;
		colon = strchr(l, ':');
		frag = colon ? strstr(colon + 1, ": ") : NULL;
		if (!frag) {
			print_message("# %s: malformed expect line '%s'\n", path, l);
			ok = 0;
			continue;
		}
		*frag = '\0';
		frag += 2;
		snprintf(prefix, sizeof(prefix), "%s/%s: ", dir, l);
		for (size_t i = 0; i < d.n && i < sizeof(used); i++)
			if (!used[i] && !strncmp(d.msgs[i], prefix, strlen(prefix)) &&
			    strstr(d.msgs[i] + strlen(prefix), frag)) {
				used[i] = found = 1;
				break;
			}
		if (!found) {
			print_message("# %s: no diagnostic '%s%s'\n", path, prefix, frag);
			ok = 0;
		}
	}
	if (nexp == 0 || n != nexp || d.n != (size_t)nexp || !empty_conf(&c)) {
		print_message("# %s: %d expect line(s), %d error(s)\n", path, nexp, n);
		ok = 0;
	}
	if (!ok)
		dump(&d);
	xp_diag_free(&d);
	xp_conf_free(&c);
	free(text);
	return ok;
}

static void test_corpus_bad(void **state)
{
	char dir[512], pat[600];
	glob_t g;
	int failed = 0;
	(void)state;

	snprintf(dir, sizeof(dir), "%s/tests/maps/bad", root());
	snprintf(pat, sizeof(pat), "%s/*.conf", dir);
	assert_int_equal(glob(pat, 0, NULL, &g), 0);
	print_message("# %zu bad maps\n", g.gl_pathc);
	assert_true(g.gl_pathc >= 50);
	for (size_t i = 0; i < g.gl_pathc; i++)
		failed += !check_bad_map(dir, g.gl_pathv[i]);
	globfree(&g);
	assert_int_equal(failed, 0);
}

static int load_clean(const char *path)
{
	struct xp_conf c;
	struct xp_diag d = {0};
	int n = xp_conf_load(path, &c, &d);

	if (n) {
		print_message("# %s:\n", path);
		dump(&d);
	}
	xp_diag_free(&d);
	xp_conf_free(&c);
	return n;
}

static size_t load_all_clean(const char *rel_pattern)
{
	char pat[600];
	glob_t g;
	size_t n;
	int errors = 0;

	snprintf(pat, sizeof(pat), "%s/%s", root(), rel_pattern);
	assert_int_equal(glob(pat, 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++)
		errors += load_clean(g.gl_pathv[i]);
	n = g.gl_pathc;
	globfree(&g);
	assert_int_equal(errors, 0);
	return n;
}

static void test_corpus_good(void **state)
{
	(void)state;
	assert_true(load_all_clean("tests/maps/good/*.conf") >= 5);
}

static void load_example(const char *rel_path, struct xp_conf *c)
{
	char path[600];
	struct xp_diag d = {0};

	snprintf(path, sizeof(path), "%s/%s", root(), rel_path);
	if (xp_conf_load(path, c, &d))
		dump(&d);
	assert_int_equal(d.n, 0);
	xp_diag_free(&d);
}

static void test_shipped_examples(void **state)
{
	struct xp_conf c;
	const struct xp_bridge *b;
	const struct xp_bond *bo;
	(void)state;

	assert_int_equal(load_all_clean("etc/examples/*.conf"), 7);

	load_example("etc/xenplumb.conf", &c);
	b = xp_conf_default_bridge(&c);
	assert_non_null(b);
	assert_string_equal(b->name, "xenbr0");
	assert_int_equal(b->nports, 0); /* host-only: touches no NIC */
	assert_int_equal(c.nbonds + c.nvlans + c.ndummies, 0);
	xp_conf_free(&c);

	load_example("etc/examples/two-nics.conf", &c);
	assert_int_equal(c.nbridges, 2);
	assert_string_equal(xp_conf_default_bridge(&c)->name, "xenbr0");
	assert_string_equal(xp_conf_bridge(&c, "xenbr0")->ports[0], "eth0");
	assert_string_equal(xp_conf_bridge(&c, "xenbr1")->ports[0], "eth1");
	xp_conf_free(&c);

	load_example("etc/examples/host-only.conf", &c);
	assert_string_equal(xp_conf_bridge(&c, "xenbr1")->ports[0], "dummy0");
	assert_int_equal(xp_conf_bridge(&c, "xenbr1")->antispoof, 1);
	assert_non_null(xp_conf_dummy(&c, "dummy0"));
	assert_string_equal(xp_conf_default_bridge(&c)->name, "xenbr0");
	xp_conf_free(&c);

	load_example("etc/examples/bond-vlan.conf", &c);
	bo = xp_conf_bond(&c, "bond0");
	assert_non_null(bo);
	assert_int_equal(bo->mode, XP_BOND_BALANCE_ALB);
	assert_int_equal(bo->miimon, 100);
	assert_int_equal(bo->nslaves, 2);
	assert_int_equal(xp_conf_vlan(&c, "bond0.100")->id, 100);
	assert_string_equal(xp_conf_vlan(&c, "bond0.100")->parent, "bond0");
	assert_string_equal(xp_conf_default_bridge(&c)->name, "br100");
	bo = xp_conf_bond(&c, "bond1");
	assert_non_null(bo);
	assert_int_equal(bo->mode, XP_BOND_8023AD);
	assert_int_equal(bo->lacp_rate, 1);
	assert_int_equal(bo->xmit_hash_policy, 1);
	xp_conf_free(&c);

	load_example("etc/examples/vlan-trunk.conf", &c);
	assert_int_equal(xp_conf_network(&c, "web")->vlan, 10);
	assert_int_equal(xp_conf_network(&c, "db")->vlan, 20);
	b = xp_conf_bridge(&c, xp_conf_network(&c, "web")->bridge);
	assert_non_null(b);
	assert_int_equal(b->vlan_filtering, 1);
	xp_conf_free(&c);

	load_example("etc/examples/laptop-nat.conf", &c);
	assert_string_equal(xp_conf_default_bridge(&c)->ports[0], "dummy0");
	assert_non_null(xp_conf_dummy(&c, "dummy0"));
	assert_non_null(xp_conf_nat(&c, "laptop"));
	assert_ptr_equal(xp_conf_nat_of_bridge(&c, "xenbr0"), xp_conf_nat(&c, "laptop"));
	assert_int_equal(xp_conf_nat(&c, "laptop")->dhcp, 1);
	xp_conf_free(&c);

	load_example("etc/examples/multi-host.conf", &c);
	assert_int_equal(c.nvxlans, 1);
	assert_int_equal(xp_conf_vxlan(&c, "vx100")->vni, 100);
	assert_int_equal(xp_conf_vxlan(&c, "vx100")->nremotes, 2);
	assert_int_equal(xp_vxlan_port(xp_conf_vxlan(&c, "vx100")), 4789);
	assert_string_equal(xp_conf_bridge(&c, "brvx")->ports[0], "vx100");
	assert_string_equal(xp_conf_network(&c, "web")->bridge, "brvx");
	xp_conf_free(&c);
	load_example("etc/examples/routed.conf", &c);
	assert_string_equal(xp_conf_routed(&c, "public")->uplink, "eth0");
	xp_conf_free(&c);
}

/* [routed] and [nat]: keys, defaults, and the whole-map checks. */
static void test_routed_nat(void **state)
{
	struct xp_conf c;
	const struct xp_routed *r;
	const struct xp_nat *n;
	(void)state;

	parse_ok("[routed web]\nuplink = eth0\n", &c);
	r = xp_conf_routed(&c, "web");
	assert_non_null(r);
	assert_int_equal(r->proxy, 1); /* defaults */
	assert_int_equal(r->antispoof, 1);
	assert_int_equal(r->has_address + r->has_address6, 0);
	xp_conf_free(&c);
	parse_ok("[routed web]\nuplink = eth0\naddress = 203.0.113.5\naddress6 = 2001:db8::1\n"
		 "proxy = no\nantispoof = no\n",
		 &c);
	r = xp_conf_routed(&c, "web");
	assert_int_equal(r->has_address, 1);
	assert_memory_equal(r->address.addr, "\xcb\x00\x71\x05", 4);
	assert_int_equal(r->has_address6, 1);
	assert_int_equal(r->proxy + r->antispoof, 0);
	xp_conf_free(&c);

	parse_ok("[bridge xenbr9]\n[nat lan]\nbridge = xenbr9\naddress = 10.1.1.1/24\n"
		 "dhcp = yes\ndhcp-range = 10.1.1.100 10.1.1.199\n",
		 &c);
	n = xp_conf_nat(&c, "lan");
	assert_non_null(n);
	assert_int_equal(n->masquerade, 1);
	assert_int_equal(n->dns, 1);
	assert_int_equal(n->dhcp, 1);
	assert_int_equal(n->address.prefixlen, 24);
	assert_memory_equal(n->range_lo.addr, "\x0a\x01\x01\x64", 4);
	assert_memory_equal(n->range_hi.addr, "\x0a\x01\x01\xc7", 4);
	assert_ptr_equal(xp_conf_nat_of_bridge(&c, "xenbr9"), n);
	xp_conf_free(&c);

	parse_bad("[routed web]\n", 1, 1, "routed network has no uplink");
	parse_bad("[routed web]\nuplink = eth0\naddress = 203.0.113.5/24\n", 1, 3,
		  "without a prefix");
	parse_bad("[routed web]\nuplink = eth0\naddress = 2001:db8::1\n", 1, 3,
		  "use an IPv4 address");
	parse_bad("[routed web]\nuplink = eth0\naddress6 = 203.0.113.5\n", 1, 3,
		  "use an IPv6 address");
	parse_bad("[bridge web]\n[routed web]\nuplink = eth0\n", 1, 2,
		  "network name already used, 'web'");
	parse_bad("[nat lan]\naddress = 10.1.1.1/24\n", 1, 1, "nat network has no bridge");
	parse_bad("[nat lan]\nbridge = xenbr9\naddress = 10.1.1.1/24\n", 1, 1,
		  "names a bridge not in the map, 'xenbr9'");
	parse_bad("[bridge b]\n[nat lan]\nbridge = b\n", 1, 2, "nat network has no address");
	parse_bad("[bridge b]\n[nat lan]\nbridge = b\naddress = 10.1.1.1\n", 1, 4,
		  "with its subnet's prefix");
	parse_bad("[bridge b]\n[nat lan]\nbridge = b\naddress = 10.1.1.1/24\n"
		  "dhcp-range = 10.1.2.1 10.1.2.9\n",
		  1, 2, "dhcp-range not inside");
	parse_bad("[bridge b]\n[nat lan]\nbridge = b\naddress = 10.1.1.1/24\n"
		  "dhcp-range = 10.1.1.9\n",
		  1, 5, "two IPv4 addresses");
	parse_bad("[bridge b]\n[nat a]\nbridge = b\naddress = 10.1.1.1/24\n"
		  "[nat c]\nbridge = b\naddress = 10.1.2.1/24\n",
		  1, 5, "bridge already has a nat network");
	parse_bad("[bridge b]\n[nat a]\nbridge = b\naddress = 10.1.1.1/24\n"
		  "[routed r]\nuplink = b\n",
		  1, 5, "routed uplink is a nat network's bridge");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_key),
	    cmocka_unit_test(test_defaults_and_empty),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_name_tables),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_semantic_errors),
	    cmocka_unit_test(test_all_errors_in_order),
	    cmocka_unit_test(test_diag_format),
	    cmocka_unit_test_setup_teardown(test_include_nested_glob, setup_tmp, teardown_tmp),
	    cmocka_unit_test_setup_teardown(test_include_errors, setup_tmp, teardown_tmp),
	    cmocka_unit_test_setup_teardown(test_bom, setup_tmp, teardown_tmp),
	    cmocka_unit_test_setup_teardown(test_key_lines, setup_tmp, teardown_tmp),
	    cmocka_unit_test(test_legacy),
	    cmocka_unit_test(test_corpus_bad),
	    cmocka_unit_test(test_corpus_good),
	    cmocka_unit_test(test_shipped_examples),
	    cmocka_unit_test(test_routed_nat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
