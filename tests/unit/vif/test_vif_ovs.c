/* Unit tests for src/vif/vif_ovs.c: VLAN specs as Port.tag/trunks (and the
 * spec OVS cannot carry), and the iface-id a controller binds by. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "vif/vif_ovs.h"

static uint16_t tr[XP_VID_MAX];

static int map(const char *spec, int *tag, size_t *n, char *err)
{
	struct xp_vlanspec v;

	assert_int_equal(xp_vlanspec_parse(spec, &v, err, 256), 0);
	return vif_ovs_vlan(&v, tag, tr, n, err, 256);
}

static void test_vlan(void **state)
{
	char err[256];
	int tag;
	size_t n;
	(void)state;

	assert_int_equal(map("10", &tag, &n, err), 0); /* access */
	assert_int_equal(tag, 10);
	assert_int_equal(n, 0);
	assert_int_equal(map("10p/20-22/30", &tag, &n, err), 0); /* native VLAN + trunk */
	assert_int_equal(tag, 10);
	assert_int_equal(n, 4);
	assert_int_equal(tr[0], 20);
	assert_int_equal(tr[2], 22);
	assert_int_equal(tr[3], 30);
	assert_int_equal(map("10p/20u", &tag, &n, err), -1);
	assert_non_null(strstr(err, "VLAN 20 untagged"));
	assert_int_equal(vif_ovs_vlan(NULL, &tag, tr, &n, err, sizeof(err)), 0);
	assert_int_equal(tag, 0);
	assert_int_equal(n, 0);
	/* a trunk without a PVID (BR:T1:T2) */
	{
		struct xp_vlanspec v;

		xp_vlanspec_init(&v);
		assert_int_equal(xp_vlanspec_add(&v, 20, 0), 0);
		assert_int_equal(xp_vlanspec_add(&v, 30, 0), 0);
		assert_int_equal(vif_ovs_vlan(&v, &tag, tr, &n, err, sizeof(err)), 0);
		assert_int_equal(tag, 0);
		assert_int_equal(n, 2);
	}
}

static void test_iface_id(void **state)
{
	struct vif_ovs_req r = {.vm_uuid = "6a7f2d3c-0000-4000-8000-000000000003",
				.vm_name = "web--incoming",
				.devid = 1};
	char b[128];
	(void)state;

	vif_ovs_iface_id(&r, b, sizeof(b));
	assert_string_equal(b, "6a7f2d3c-0000-4000-8000-000000000003.1");
	r.iface_id_by_name = 1;
	vif_ovs_iface_id(&r, b, sizeof(b));
	assert_string_equal(b, "web.1"); /* the same on both ends of a migration */
	r.vm_name = "web";
	vif_ovs_iface_id(&r, b, sizeof(b));
	assert_string_equal(b, "web.1");
	r.vm_name = NULL;
	vif_ovs_iface_id(&r, b, sizeof(b));
	assert_string_equal(b, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vlan),
	    cmocka_unit_test(test_iface_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
