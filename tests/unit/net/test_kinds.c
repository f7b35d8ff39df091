/* The kind table and the one name table, without root or a socket: every
 * row is complete and found by id and by name; the fill halves write, over
 * a buffer, the attributes the kernel gets; the observe halves read them
 * back; the bond's status hook; the name table's put/get/delete/grow. */
#include <linux/if_link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "common/nametab.h"
#include "net/kind.h"

/* ---- a struct xp_attrw over a buffer: an IFLA_INFO_DATA nest ---- */

struct buf {
	struct xp_attrw w;
	uint32_t mem[64];
	size_t len; /* bytes after the nest header */
};

static int buf_put(struct xp_attrw *w, int type, const void *data, size_t len)
{
	struct buf *b = (struct buf *)(void *)w;
	unsigned char *at = (unsigned char *)b->mem + NLA_HDRLEN + b->len;
	struct nlattr h = {.nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = (uint16_t)type};

	assert_true(NLA_HDRLEN + b->len + NLA_ALIGN(h.nla_len) <= sizeof(b->mem));
	memcpy(at, &h, sizeof(h));
	memcpy(at + NLA_HDRLEN, data, len);
	b->len += NLA_ALIGN(h.nla_len);
	return 0;
}

static int buf_ifindex(struct xp_attrw *w, const char *name)
{
	(void)w;
	return !strcmp(name, "eth0") ? 2 : !strcmp(name, "eth1") ? 3 : 0;
}

static void buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
	b->w.put = buf_put;
	b->w.ifindex = buf_ifindex;
}

static const struct nlattr *buf_nest(struct buf *b)
{
	struct nlattr h = {.nla_len = (uint16_t)(NLA_HDRLEN + b->len), .nla_type = IFLA_INFO_DATA};

	memcpy(b->mem, &h, sizeof(h));
	return (const struct nlattr *)(const void *)b->mem;
}

/* ---- the table ---- */

static void test_rows(void **state)
{
	size_t n = 0;

	(void)state;
	for (; xp_kinds[n]; n++) {
		const struct xp_kind *k = xp_kinds[n];
		assert_non_null(k->name);
		assert_non_null(k->role);
		assert_non_null(k->map_entry);
		assert_non_null(k->map_find);
		assert_non_null(k->plan);
		assert_non_null(k->fill_create);
		assert_ptr_equal(xp_kind_get(k->kind), k);
		assert_ptr_equal(xp_kind_by_name(k->name), k);
		assert_string_equal(xp_kind_name(k->kind), k->name);
	}
	assert_int_equal(n, 4);
	/* dependency order: lower devices first */
	assert_int_equal(xp_kinds[0]->kind, XP_K_DUMMY);
	assert_int_equal(xp_kinds[3]->kind, XP_K_BRIDGE);
	assert_null(xp_kind_get(XP_K_OTHER));
	assert_null(xp_kind_by_name("veth"));
	assert_string_equal(xp_kind_name(XP_K_ABSENT), "absent");
	assert_string_equal(xp_kind_name(XP_K_OTHER), "device");
}

static void test_bond_fill_observe(void **state)
{
	struct xp_bond b;
	struct xp_obs_link l;
	struct buf w;
	json_object *j;

	(void)state;
	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "bond0");
	b.mode = XP_BOND_8023AD;
	b.miimon = 100;
	b.updelay = b.downdelay = 0;
	b.lacp_rate = b.xmit_hash_policy = XP_UNSET;
	b.mtu = 9000;
	snprintf(b.primary, sizeof(b.primary), "eth1");
	buf_init(&w);
	assert_int_equal(xp_kind_bond.fill_create(&b, &w.w), 0);
	assert_int_equal(w.w.mtu, 9000);
	assert_int_equal(w.w.link, 0);
	{
		const struct nlattr *tb[IFLA_BOND_MAX + 1];
		xp_attr_parse(tb, IFLA_BOND_MAX, buf_nest(&w));
		assert_int_equal(xp_attr_u32(tb[IFLA_BOND_PRIMARY], 0), 3);
		assert_null(tb[IFLA_BOND_UPDELAY]);
	}
	memset(&l, 0, sizeof(l));
	l.kind = XP_K_BOND;
	xp_kind_bond.observe(buf_nest(&w), &l);
	assert_int_equal(l.bond_mode, XP_BOND_8023AD);
	assert_int_equal(l.miimon, 100);
	j = json_object_new_object();
	xp_kind_bond.status_json(j, &l);
	assert_string_equal(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
			    "{\"mode\":\"802.3ad\"}");
	json_object_put(j);
	/* no IFLA_INFO_DATA: fields stay */
	xp_kind_bond.observe(NULL, &l);
	assert_int_equal(l.miimon, 100);
}

static void test_vlan_fill_observe(void **state)
{
	struct xp_vlan v;
	struct xp_obs_link l;
	struct buf w;

	(void)state;
	memset(&v, 0, sizeof(v));
	snprintf(v.name, sizeof(v.name), "eth0.100");
	snprintf(v.parent, sizeof(v.parent), "eth0");
	v.id = 100;
	v.mtu = XP_UNSET;
	buf_init(&w);
	assert_int_equal(xp_kind_vlan.fill_create(&v, &w.w), 0);
	assert_int_equal(w.w.link, 2);
	memset(&l, 0, sizeof(l));
	xp_kind_vlan.observe(buf_nest(&w), &l);
	assert_int_equal(l.vlan_id, 100);
	/* a missing parent: not found, nothing written */
	snprintf(v.parent, sizeof(v.parent), "nope");
	buf_init(&w);
	assert_true(xp_kind_vlan.fill_create(&v, &w.w) < 0);
}

static void test_bridge_fill_observe(void **state)
{
	struct xp_bridge br;
	struct xp_obs_link l;
	struct buf w;

	(void)state;
	memset(&br, 0, sizeof(br));
	snprintf(br.name, sizeof(br.name), "xenbr0");
	br.mtu = 9000;
	br.stp = 1;
	br.forward_delay = 4;
	br.vlan_filtering = 1;
	buf_init(&w);
	assert_int_equal(xp_kind_bridge.fill_create(&br, &w.w), 0);
	assert_int_equal(w.w.mtu, 0); /* set after the ports */
	memset(&l, 0, sizeof(l));
	xp_kind_bridge.observe(buf_nest(&w), &l);
	assert_int_equal(l.stp, 1);
	assert_int_equal(l.forward_delay, 4);
	assert_int_equal(l.vlan_filtering, 1);
	/* attribute changes, one at a time */
	buf_init(&w);
	assert_int_equal(xp_kind_bridge.fill_set(XP_OP_SET_STP, 0, &w.w), 0);
	l.forward_delay = 7;
	xp_kind_bridge.observe(buf_nest(&w), &l);
	assert_int_equal(l.stp, 0);
	assert_int_equal(l.forward_delay, 7);
	assert_true(xp_kind_bridge.fill_set(XP_OP_SET_MTU, 1, &w.w) < 0);
}

static void test_attr_parse_hostile(void **state)
{
	uint32_t mem[8] = {0};
	const struct nlattr *tb[IFLA_BR_MAX + 1];
	struct nlattr h = {.nla_len = NLA_HDRLEN + 12, .nla_type = IFLA_INFO_DATA};
	struct nlattr bad = {.nla_len = 200, .nla_type = IFLA_BR_STP_STATE};

	(void)state;
	memcpy(mem, &h, sizeof(h));
	memcpy((unsigned char *)mem + NLA_HDRLEN, &bad, sizeof(bad));
	xp_attr_parse(tb, IFLA_BR_MAX, (const struct nlattr *)(const void *)mem);
	assert_null(tb[IFLA_BR_STP_STATE]); /* overruns the nest: dropped */
	bad.nla_len = NLA_HDRLEN + 1;	    /* too short for a u32 */
	memcpy((unsigned char *)mem + NLA_HDRLEN, &bad, sizeof(bad));
	xp_attr_parse(tb, IFLA_BR_MAX, (const struct nlattr *)(const void *)mem);
	assert_non_null(tb[IFLA_BR_STP_STATE]);
	assert_int_equal(xp_attr_u32(tb[IFLA_BR_STP_STATE], 42), 42);
}

/* ---- the name table ---- */

static void test_nametab(void **state)
{
	struct xp_nametab t = {0};
	char name[XP_IFNAMSIZ];
	long v = -1;

	(void)state;
	assert_int_equal(xp_nametab_get(&t, "eth0", &v), 0);
	xp_nametab_del(&t, "eth0");
	for (long i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "vif%d.0", (int)(i % 10000));
		xp_nametab_put(&t, name, i);
	}
	for (long i = 0; i < 1000; i += 2) {
		snprintf(name, sizeof(name), "vif%d.0", (int)(i % 10000));
		xp_nametab_del(&t, name);
	}
	for (long i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "vif%d.0", (int)(i % 10000));
		assert_int_equal(xp_nametab_get(&t, name, &v), i % 2);
		if (i % 2)
			assert_int_equal(v, i);
	}
	/* re-put after delete, replace */
	xp_nametab_put(&t, "vif0.0", 5);
	xp_nametab_put(&t, "vif0.0", 6);
	assert_true(xp_nametab_get(&t, "vif0.0", &v));
	assert_int_equal(v, 6);
	/* names too long for an interface are never stored */
	xp_nametab_put(&t, "a-name-longer-than-15", 1);
	assert_false(xp_nametab_get(&t, "a-name-longer-than-15", &v));
	assert_false(xp_nametab_get(&t, "a-name-longer-t", &v));
	xp_nametab_free(&t);
	assert_false(xp_nametab_get(&t, "vif1.0", &v));
}

/* Deleting and re-adding the same few names forever never fills the table
 * with tombstones (the ifindex cache's pattern: forget, look up again). */
static void test_nametab_churn(void **state)
{
	struct xp_nametab t = {0};
	long v;

	(void)state;
	for (int i = 0; i < 100000; i++) {
		xp_nametab_put(&t, i % 2 ? "br0" : "dummy0", i);
		xp_nametab_del(&t, i % 2 ? "br0" : "dummy0");
	}
	assert_false(xp_nametab_get(&t, "br0", &v));
	assert_true(t.cap <= 64);
	xp_nametab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_bond_fill_observe),
	    cmocka_unit_test(test_vlan_fill_observe),
	    cmocka_unit_test(test_bridge_fill_observe),
	    cmocka_unit_test(test_attr_parse_hostile),
	    cmocka_unit_test(test_nametab),
	    cmocka_unit_test(test_nametab_churn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
