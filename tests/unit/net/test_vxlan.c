/* The [vxlan] kind without root: maps parsed from text, observed states
 * built by hand.  The planner creates a missing VXLAN with the underlay's
 * MTU minus 50 (IPv4) or 70 (IPv6), adopts one with the same VNI (only its
 * learning, MTU and flood list change), refuses one with another VNI or
 * port naming both, keeps the flood list equal to the map's remote list
 * (and leaves it alone without one: EVPN), and stop deletes only a VXLAN
 * it created.  The fill half writes what the kernel gets and the observe
 * half reads it back. */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "net/kind.h"
#include "net/plan.h"

struct world {
	struct xp_conf c;
	struct xp_observed o;
	struct xp_state s;
	struct xp_plan p;
};

static void load(struct world *w, const char *text)
{
	struct xp_diag d = {0};

	memset(w, 0, sizeof(*w));
	if (xp_conf_parse_string("t.conf", text, &w->c, &d)) {
		for (size_t i = 0; i < d.n; i++)
			print_message("# %s\n", d.msgs[i]);
		fail_msg("map does not parse");
	}
	xp_diag_free(&d);
}

static void done(struct world *w)
{
	xp_plan_free(&w->p);
	xp_observed_free(&w->o);
	xp_state_free(&w->s);
	xp_conf_free(&w->c);
}

static struct xp_obs_link *link_(struct world *w, const char *name, int kind, int mtu)
{
	struct xp_obs_link *l = xp_obs_add(&w->o, name);

	l->kind = kind;
	l->ifindex = (int)w->o.n + 1;
	l->mtu = mtu;
	l->up = 1;
	return l;
}

static struct xp_ipaddr ip(const char *s)
{
	struct xp_ipaddr a;

	assert_int_equal(xp_parse_ipaddr(s, &a, NULL), 0);
	return a;
}

static void flood(struct xp_obs_link *l, const char *addr)
{
	l->vx_flood = realloc(l->vx_flood, (l->vx_nflood + 1) * sizeof(*l->vx_flood));
	assert_non_null(l->vx_flood);
	l->vx_flood[l->vx_nflood++] = ip(addr);
}

/* host 1's underlay: eth0 holds the local address (what observe finds) */
static void underlay(struct world *w, const char *vx, int mtu)
{
	link_(w, "eth0", XP_K_OTHER, mtu);
	snprintf(xp_obs_add(&w->o, vx)->vx_underlay, XP_IFNAMSIZ, "eth0");
}

/* An observed VXLAN as the map below describes it. */
static struct xp_obs_link *live_vx(struct world *w, int vni, int port, const char *local)
{
	struct xp_obs_link *l = link_(w, "vx100", XP_K_VXLAN, 1450);

	l->vx_vni = vni;
	l->vx_port = port;
	l->vx_learning = 1;
	l->vx_local = ip(local);
	return l;
}

static void plan_ok(struct world *w)
{
	int rc = xp_plan_start(&w->c, &w->o, &w->s, 0, &w->p);

	for (size_t i = 0; i < w->p.nerrors; i++)
		print_message("# %s\n", w->p.errors[i]);
	assert_int_equal(rc, 0);
	assert_int_equal(w->p.nerrors, 0);
}

/* The plan as lines, joined by "\n". */
static const char *lines(const struct xp_plan *p)
{
	static char buf[8192];
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < p->n && used < sizeof(buf) - 300; i++) {
		char one[300];
		xp_op_format(&p->ops[i], one, sizeof(one));
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s\n", one);
	}
	return buf;
}

static int count_type(const struct xp_plan *p, int type)
{
	int n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += p->ops[i].type == type;
	return n;
}

static const char *map_static = "[vxlan vx100]\n"
				"vni = 100\n"
				"local = 192.0.2.1\n"
				"remote = 192.0.2.2 192.0.2.3\n"
				"learning = off\n"
				"\n"
				"[bridge brvx]\n"
				"ports = vx100\n"
				"\n"
				"[network web]\n"
				"bridge = brvx\n";

static void test_scratch(void **st)
{
	struct world w;
	const char *t;

	(void)st;
	load(&w, map_static);
	underlay(&w, "vx100", 1500);
	plan_ok(&w);
	t = lines(&w.p);
	print_message("%s", t);
	assert_non_null(strstr(t, "create vxlan vx100"));
	assert_non_null(strstr(t, "set vx100 mtu 1450 (was 1500) (the underlay's 1500 minus 50"));
	assert_non_null(strstr(t, "add remote 192.0.2.2 to the flood list of vx100"));
	assert_non_null(strstr(t, "add remote 192.0.2.3 to the flood list of vx100"));
	assert_non_null(strstr(t, "add port vx100 to bridge brvx"));
	/* the VXLAN exists before it joins the bridge, and before its list */
	assert_true(strstr(t, "create vxlan vx100") < strstr(t, "add remote 192.0.2.2"));
	assert_true(strstr(t, "create vxlan vx100") < strstr(t, "add port vx100"));
	done(&w);
}

static void test_mtu_ipv6_and_jumbo(void **st)
{
	struct world w;

	(void)st;
	load(&w, "[vxlan vx6]\nvni = 106\nlocal = 2001:db8:17::1\nremote = 2001:db8:17::2\n");
	underlay(&w, "vx6", 1500);
	plan_ok(&w);
	assert_non_null(strstr(lines(&w.p), "set vx6 mtu 1430 (was 1500)"));
	done(&w);
	load(&w, "[vxlan vx100]\nvni = 100\nlocal = 192.0.2.1\n");
	underlay(&w, "vx100", 9000);
	plan_ok(&w);
	assert_non_null(strstr(lines(&w.p), "set vx100 mtu 8950"));
	done(&w);
	/* the map's mtu wins, and goes in the creating request */
	load(&w, "[vxlan vx100]\nvni = 100\nlocal = 192.0.2.1\nmtu = 1400\n");
	underlay(&w, "vx100", 1500);
	plan_ok(&w);
	assert_int_equal(count_type(&w.p, XP_OP_SET_MTU), 0);
	done(&w);
}

/* On a device the same plan creates, the MTU that device will have minus
 * 50 (the kernel derives the same from IFLA_VXLAN_LINK; the plan says it
 * anyway, so that --dry-run shows it and a bridge over it takes it); on an
 * existing device, its MTU - 50. */
static void test_mtu_from_device(void **st)
{
	struct world w;

	(void)st;
	load(&w, "[vlan eth0.100]\n\n[vxlan vx100]\nvni = 100\ndevice = eth0.100\n");
	link_(&w, "eth0", XP_K_OTHER, 1500);
	plan_ok(&w);
	assert_non_null(strstr(lines(&w.p), "create vlan eth0.100"));
	assert_non_null(strstr(lines(&w.p), "create vxlan vx100"));
	assert_non_null(strstr(lines(&w.p), "set vx100 mtu 1450 (was 1500) (the underlay's 1500"));
	assert_int_equal(count_type(&w.p, XP_OP_SET_MTU), 1);
	assert_int_equal(count_type(&w.p, XP_OP_FLOOD_ADD), 0);
	done(&w);
	load(&w, "[vxlan vx100]\nvni = 100\ndevice = bond0\n");
	link_(&w, "bond0", XP_K_BOND, 9000);
	plan_ok(&w);
	assert_non_null(strstr(lines(&w.p), "set vx100 mtu 8950"));
	done(&w);
	/* the MTU the same map gives the device, not the one it has now */
	load(&w, "[vlan eth0.100]\nmtu = 9000\n\n[vxlan vx100]\nvni = 100\ndevice = eth0.100\n");
	link_(&w, "eth0", XP_K_OTHER, 9000);
	link_(&w, "eth0.100", XP_K_VLAN, 1500)->vlan_id = 100;
	snprintf(xp_obs_add(&w.o, "eth0.100")->parent, XP_IFNAMSIZ, "eth0");
	plan_ok(&w);
	assert_non_null(strstr(lines(&w.p), "set eth0.100 mtu 9000"));
	assert_non_null(strstr(lines(&w.p), "set vx100 mtu 8950"));
	done(&w);
}

/* The value of the last op of type on dev (-1: none). */
static int op_value(const struct xp_plan *p, int type, const char *dev)
{
	int v = -1;

	for (size_t i = 0; i < p->n; i++)
		if (p->ops[i].type == type && !strcmp(p->ops[i].dev, dev))
			v = p->ops[i].value;
	return v;
}

/* Plan map over eth0 + eth1 (NICs of MTU nic) and give the MTU the new
 * bridge brvx is pinned at and the one vx100 is set to (-1: none). */
static void bridge_over(const char *map, int nic, int *br, int *vx)
{
	struct world w;

	load(&w, map);
	link_(&w, "eth0", XP_K_OTHER, nic);
	link_(&w, "eth1", XP_K_OTHER, nic);
	plan_ok(&w);
	print_message("%s", lines(&w.p));
	*br = op_value(&w.p, XP_OP_PIN_MTU, "brvx");
	*vx = op_value(&w.p, XP_OP_SET_MTU, "vx100");
	done(&w);
}

/* bond0 (eth0, eth1) -> bond0.100 -> vx100 on it -> brvx, each section
 * with the extra keys given. */
static void stack(char *map, size_t len, const char *bond, const char *vlan, const char *local,
		  const char *remote, const char *vx, const char *br)
{
	snprintf(map, len,
		 "[bond bond0]\nslaves = eth0 eth1\n%s\n"
		 "[vlan bond0.100]\n%s\n"
		 "[vxlan vx100]\nvni = 100\nlocal = %s\ndevice = bond0.100\nremote = %s\n%s\n"
		 "[bridge brvx]\nports = vx100\n%s\n"
		 "[network web]\nbridge = brvx\n",
		 bond, vlan, local, remote, vx, br);
}

/* A new bridge over a VXLAN takes the VXLAN's MTU as its uplink's: the
 * underlay's minus 50 (IPv6: 70), with every device of the stack created
 * by the same plan (the VM tier's bond -> VLAN -> VXLAN -> bridge, once
 * pinned at 1500); the map's mtu on the VXLAN or the bridge wins. */
static void test_bridge_over_vxlan_mtu(void **st)
{
	char map[1024];
	int br, vx;

	(void)st;
	stack(map, sizeof(map), "", "", "192.0.2.1", "192.0.2.2", "", "");
	bridge_over(map, 1500, &br, &vx);
	assert_int_equal(vx, 1450);
	assert_int_equal(br, 1450);
	stack(map, sizeof(map), "", "", "2001:db8:17::1", "2001:db8:17::2", "", "");
	bridge_over(map, 1500, &br, &vx);
	assert_int_equal(vx, 1430);
	assert_int_equal(br, 1430);
	/* jumbo frames: the bond's map mtu reaches the VLAN, the VXLAN, the bridge */
	stack(map, sizeof(map), "mtu = 9000", "", "192.0.2.1", "192.0.2.2", "", "");
	bridge_over(map, 9000, &br, &vx);
	assert_int_equal(vx, 8950);
	assert_int_equal(br, 8950);
	/* the VLAN's map mtu */
	stack(map, sizeof(map), "mtu = 9000", "mtu = 1600", "192.0.2.1", "192.0.2.2", "", "");
	bridge_over(map, 9000, &br, &vx);
	assert_int_equal(vx, 1550);
	assert_int_equal(br, 1550);
	/* the VXLAN's map mtu goes in its creating request; the bridge takes it */
	stack(map, sizeof(map), "", "", "192.0.2.1", "192.0.2.2", "mtu = 1400", "");
	bridge_over(map, 1500, &br, &vx);
	assert_int_equal(vx, -1);
	assert_int_equal(br, 1400);
	/* the bridge's map mtu */
	stack(map, sizeof(map), "", "", "192.0.2.1", "192.0.2.2", "", "mtu = 1300");
	bridge_over(map, 1500, &br, &vx);
	assert_int_equal(vx, 1450);
	assert_int_equal(br, 1300);
}

/* The same with only a local address: the underlay is the interface that
 * holds it (observed), IPv4 and IPv6; and the bridge's pin comes before
 * the VXLAN joins it, so no port (nor a guest's mtu key) moves it. */
static void test_bridge_over_local_vxlan_mtu(void **st)
{
	struct world w;
	const char *t;

	(void)st;
	load(&w, map_static);
	underlay(&w, "vx100", 1500);
	plan_ok(&w);
	t = lines(&w.p);
	assert_int_equal(op_value(&w.p, XP_OP_SET_MTU, "vx100"), 1450);
	assert_int_equal(op_value(&w.p, XP_OP_PIN_MTU, "brvx"), 1450);
	assert_non_null(strstr(t, "set brvx mtu 1450, pinned"));
	assert_true(strstr(t, "set brvx mtu 1450, pinned") < strstr(t, "add port vx100"));
	done(&w);
	load(&w, "[vxlan vx106]\nvni = 106\nlocal = 2001:db8:17::1\nremote = 2001:db8:17::2\n\n"
		 "[bridge brvx]\nports = vx106\n");
	underlay(&w, "vx106", 9000);
	plan_ok(&w);
	assert_int_equal(op_value(&w.p, XP_OP_SET_MTU, "vx106"), 8930);
	assert_int_equal(op_value(&w.p, XP_OP_PIN_MTU, "brvx"), 8930);
	done(&w);
}

static void test_idempotent(void **st)
{
	struct world w;
	struct xp_obs_link *l;

	(void)st;
	load(&w, map_static);
	underlay(&w, "vx100", 1500);
	l = live_vx(&w, 100, 4789, "192.0.2.1");
	l->vx_learning = 0;
	snprintf(l->master, sizeof(l->master), "brvx");
	flood(l, "192.0.2.3");
	flood(l, "192.0.2.2");
	l = link_(&w, "brvx", XP_K_BRIDGE, 1450);
	xp_state_add_mtu(&w.s, "brvx", l->ifindex, 1500); /* start pinned it */
	plan_ok(&w);
	print_message("%s", lines(&w.p));
	assert_int_equal(w.p.n, 0);
	done(&w);
}

/* Adopted: same VNI, so no create or delete of it; learning, MTU and
 * the flood list follow the map. */
static void test_adopt(void **st)
{
	struct world w;
	struct xp_obs_link *l;
	const char *t;

	(void)st;
	load(&w, map_static);
	underlay(&w, "vx100", 1500);
	l = live_vx(&w, 100, 4789, "192.0.2.1");
	l->mtu = 1500;
	flood(l, "192.0.2.2");
	flood(l, "192.0.2.9");
	plan_ok(&w);
	t = lines(&w.p);
	print_message("%s", t);
	assert_null(strstr(t, "create vxlan"));
	assert_null(strstr(t, "delete vxlan"));
	assert_non_null(strstr(t, "set vx100 learning off (was on)"));
	assert_non_null(strstr(t, "set vx100 mtu 1450 (was 1500)"));
	assert_non_null(strstr(t, "add remote 192.0.2.3 to the flood list of vx100"));
	assert_non_null(strstr(t, "remove remote 192.0.2.9 from the flood list of vx100 "
				  "(remote 192.0.2.9 is not in the map's list)"));
	assert_null(strstr(t, "192.0.2.2"));
	done(&w);
}

/* No remote in the map (EVPN: zebra fills the list): the list is left. */
static void test_evpn_list_untouched(void **st)
{
	struct world w;
	struct xp_obs_link *l;

	(void)st;
	load(&w, "[vxlan vx100]\nvni = 100\nlocal = 192.0.2.1\nlearning = off\n\n"
		 "[bridge brvx]\nports = vx100\n");
	underlay(&w, "vx100", 1500);
	l = live_vx(&w, 100, 4789, "192.0.2.1");
	l->vx_learning = 0;
	snprintf(l->master, sizeof(l->master), "brvx");
	flood(l, "192.0.2.7");
	l = link_(&w, "brvx", XP_K_BRIDGE, 1450);
	xp_state_add_mtu(&w.s, "brvx", l->ifindex, 1500); /* start pinned it */
	plan_ok(&w);
	assert_int_equal(w.p.n, 0);
	done(&w);
}

static void plan_refused(struct world *w, const char *frag)
{
	int found = 0;

	assert_true(xp_plan_start(&w->c, &w->o, &w->s, 0, &w->p) != 0 || w->p.nerrors);
	for (size_t i = 0; i < w->p.nerrors; i++) {
		print_message("# %s\n", w->p.errors[i]);
		found |= strstr(w->p.errors[i], frag) != NULL;
	}
	assert_true(found);
	assert_null(strstr(lines(&w->p), "delete vxlan"));
}

static void test_refusals(void **st)
{
	struct world w;

	(void)st;
	load(&w, map_static);
	underlay(&w, "vx100", 1500);
	live_vx(&w, 200, 4789, "192.0.2.1");
	plan_refused(&w, "t.conf:1: vxlan vx100 exists with VNI 200, the map says VNI 100");
	done(&w);
	load(&w, map_static);
	underlay(&w, "vx100", 1500);
	live_vx(&w, 100, 8472, "192.0.2.1");
	plan_refused(&w, "t.conf:1: vxlan vx100 (VNI 100) exists with dstport 8472, the map says "
			 "4789");
	done(&w);
	load(&w, map_static);
	underlay(&w, "vx100", 1500);
	live_vx(&w, 100, 4789, "192.0.2.5");
	plan_refused(&w, "exists with local 192.0.2.5, the map says 192.0.2.1");
	done(&w);
	/* a device of another kind under the name */
	load(&w, map_static);
	underlay(&w, "vx100", 1500);
	link_(&w, "vx100", XP_K_OTHER, 1500);
	plan_refused(&w, "vx100");
	done(&w);
	/* the MTU cannot be told: nothing holds the local address */
	load(&w, map_static);
	link_(&w, "eth0", XP_K_OTHER, 1500);
	plan_refused(&w, "t.conf:1: vxlan vx100: no interface holds the local address 192.0.2.1");
	done(&w);
	load(&w, "[vxlan vx100]\nvni = 100\ndevice = bond7\n");
	plan_refused(&w, "t.conf:1: vxlan vx100: underlay device bond7 does not exist");
	done(&w);
}

static void test_stop(void **st)
{
	struct world w;
	struct xp_obs_link *l;

	(void)st;
	load(&w, map_static);
	underlay(&w, "vx100", 1500);
	l = live_vx(&w, 100, 4789, "192.0.2.1");
	xp_state_add_dev(&w.s, "vx100", XP_K_VXLAN, l->ifindex);
	assert_int_equal(xp_plan_stop(&w.c, &w.o, &w.s, &w.p), 0);
	assert_non_null(strstr(lines(&w.p), "delete vxlan vx100"));
	done(&w);
	/* adopted (not in the state): stop leaves it and its flood list */
	load(&w, map_static);
	underlay(&w, "vx100", 1500);
	flood(live_vx(&w, 100, 4789, "192.0.2.1"), "192.0.2.2");
	assert_int_equal(xp_plan_stop(&w.c, &w.o, &w.s, &w.p), 0);
	assert_int_equal(w.p.n, 0);
	done(&w);
}

/* ---- fill and observe: struct xp_attrw over a buffer ---- */

struct buf {
	struct xp_attrw w;
	uint32_t mem[64];
	size_t len;
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
	return !strcmp(name, "bond0.100") ? 7 : 0;
}

static const struct nlattr *fill(struct buf *b, const struct xp_vxlan *v, int *rc)
{
	struct nlattr h;

	memset(b, 0, sizeof(*b));
	b->w.put = buf_put;
	b->w.ifindex = buf_ifindex;
	*rc = xp_kind_vxlan.fill_create(v, &b->w);
	h = (struct nlattr){.nla_len = (uint16_t)(NLA_HDRLEN + b->len), .nla_type = IFLA_INFO_DATA};
	memcpy(b->mem, &h, sizeof(h));
	return (const struct nlattr *)(const void *)b->mem;
}

static void test_fill_observe(void **st)
{
	struct world w;
	struct xp_obs_link l;
	struct buf b;
	char a[64];
	int rc;

	(void)st;
	load(&w, "[vxlan vx100]\nvni = 16777215\nlocal = 2001:db8:17::1\ndstport = 8472\n"
		 "learning = off\nmtu = 1400\ndevice = bond0.100\n");
	memset(&l, 0, sizeof(l));
	xp_kind_vxlan.observe(fill(&b, &w.c.vxlans[0], &rc), &l);
	assert_int_equal(rc, 0);
	assert_int_equal(b.w.mtu, 1400);
	assert_int_equal(l.vx_vni, 16777215);
	assert_int_equal(l.vx_port, 8472);
	assert_int_equal(l.vx_learning, 0);
	assert_int_equal(l.link_index, 7);
	assert_string_equal(xp_ipaddr_format(&l.vx_local, a, sizeof(a)), "2001:db8:17::1");
	assert_int_equal(l.vx_group.family, 0);
	done(&w);
	/* multicast, IPv4, learning left to the kernel (on) */
	load(&w, "[vxlan vx100]\nvni = 100\ngroup = 239.1.1.100\ndevice = bond0.100\n");
	memset(&l, 0, sizeof(l));
	xp_kind_vxlan.observe(fill(&b, &w.c.vxlans[0], &rc), &l);
	assert_int_equal(rc, 0);
	assert_int_equal(l.vx_port, 4789);
	assert_int_equal(l.vx_learning, 1);
	assert_string_equal(xp_ipaddr_format(&l.vx_group, a, sizeof(a)), "239.1.1.100");
	assert_int_equal(l.vx_local.family, 0);
	done(&w);
	/* the device is gone at execution time: an error, nothing sent */
	load(&w, "[vxlan vx100]\nvni = 100\ndevice = eth9\n");
	fill(&b, &w.c.vxlans[0], &rc);
	assert_true(rc < 0);
	done(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scratch),
	    cmocka_unit_test(test_mtu_ipv6_and_jumbo),
	    cmocka_unit_test(test_mtu_from_device),
	    cmocka_unit_test(test_idempotent),
	    cmocka_unit_test(test_adopt),
	    cmocka_unit_test(test_evpn_list_untouched),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_stop),
	    cmocka_unit_test(test_fill_observe),
	    cmocka_unit_test(test_bridge_over_vxlan_mtu),
	    cmocka_unit_test(test_bridge_over_local_vxlan_mtu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
