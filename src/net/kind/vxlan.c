/* VXLAN devices (a guest network that spans hosts, docs/multi-host.md):
 * created when missing with the map's VNI, local address or underlay
 * device, UDP port and learning; an existing one with the same VNI is
 * adopted (never recreated) and only its learning, MTU and flood list
 * change;
 * one with another VNI, port, local address, group or device is an error
 * that names both.  The static flood list (the all-zeros FDB entries,
 * head-end replication) is kept equal to the map's remote list when the
 * map gives one; without one it is left to whoever fills it (an EVPN
 * speaker such as FRR's zebra).
 *
 * MTU: the map's, else the underlay's minus the encapsulation (50 bytes
 * over IPv4, 70 over IPv6).  The underlay is the device named in the map,
 * else the interface that holds the local address; its MTU is the one the
 * map gives it, else the one this plan leaves it with (for a device the
 * same plan creates: what the map and the kernel give it, e.g. a new VLAN
 * its new bond's 1500).  A new VXLAN's MTU is always set explicitly, so a
 * bridge over it (planned later) takes it as its uplink's. */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <netlink/errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "net/kind.h"

static int map_entry(const struct xp_conf *c, size_t i, struct xp_kind_entry *e)
{
	if (i >= c->nvxlans)
		return 0;
	*e = (struct xp_kind_entry){&c->vxlans[i], c->vxlans[i].name, &c->vxlans[i].loc};
	return 1;
}

static const void *map_find(const struct xp_conf *c, const char *name)
{
	return xp_conf_vxlan(c, name);
}

static int overhead(const struct xp_vxlan *v)
{
	return xp_vxlan_family(v) == AF_INET6 ? XP_VXLAN_OVERHEAD6 : XP_VXLAN_OVERHEAD4;
}

static void fmt_ip(const struct xp_ipaddr *a, char *buf, size_t len)
{
	xp_ipaddr_format(a, buf, len);
}

/* The MTU the map sets on a device of another kind (0: none). */
static int map_dev_mtu(const struct xp_conf *c, const char *name)
{
	const struct xp_vlan *vl = xp_conf_vlan(c, name);
	const struct xp_bond *b = xp_conf_bond(c, name);
	const struct xp_dummy *d = xp_conf_dummy(c, name);
	const struct xp_bridge *br = xp_conf_bridge(c, name);
	int m = vl ? vl->mtu : b ? b->mtu : d ? d->mtu : br ? br->mtu : XP_UNSET;

	return m > 0 ? m : 0;
}

/* The underlay's MTU once this plan has run: the map's, else what the
 * plan gives it or it has (also a device this plan creates). */
static int underlay_mtu(struct xp_pctx *x, const char *dev)
{
	return map_dev_mtu(x->c, dev) ? map_dev_mtu(x->c, dev) : xp_pctx_dev_mtu(x, dev);
}

/* The MTU the device should have: the map's, else the underlay's minus
 * the overhead; -1: unknown (error added). */
static int want_mtu(struct xp_pctx *x, const struct xp_vxlan *v)
{
	const struct xp_obs_link *u;
	char pre[300], ip[64];
	int m;

	if (v->mtu > 0)
		return v->mtu;
	if (v->device[0]) {
		if ((m = underlay_mtu(x, v->device)) > 0)
			return m - overhead(v);
		xp_plan_error(x->p,
			      "%svxlan %s: underlay device %s does not exist -- create it "
			      "first or fix device",
			      xp_loc_prefix(&v->loc, pre, sizeof(pre)), v->name, v->device);
		return -1;
	}
	u = xp_obs_find(x->o, v->name);
	if (u && u->vx_underlay[0] && (m = underlay_mtu(x, u->vx_underlay)) > 0)
		return m - overhead(v);
	fmt_ip(&v->local, ip, sizeof(ip));
	xp_plan_error(x->p,
		      "%svxlan %s: no interface holds the local address %s, so its underlay "
		      "MTU is unknown -- add the address first, or set device or mtu",
		      xp_loc_prefix(&v->loc, pre, sizeof(pre)), v->name, ip);
	return -1;
}

/* An adopted device must be the map's segment: VNI, port, addresses. */
static int same_segment(struct xp_pctx *x, const struct xp_vxlan *v, const struct xp_obs_link *l)
{
	char pre[300], want[64], have[64];
	const char *what = NULL;

	want[0] = have[0] = 0;
	xp_loc_prefix(&v->loc, pre, sizeof(pre));
	if (l->vx_vni != v->vni) {
		xp_plan_error(x->p,
			      "%svxlan %s exists with VNI %d, the map says VNI %d -- give the "
			      "map's segment another name, or delete %s by hand",
			      pre, v->name, l->vx_vni, v->vni, v->name);
		return 0;
	}
	if (l->vx_port != xp_vxlan_port(v)) {
		snprintf(want, sizeof(want), "%d", xp_vxlan_port(v));
		snprintf(have, sizeof(have), "%d", l->vx_port);
		what = "dstport";
	} else if (v->local.family && !xp_ipaddr_equal(&l->vx_local, &v->local)) {
		fmt_ip(&v->local, want, sizeof(want));
		fmt_ip(&l->vx_local, have, sizeof(have));
		what = "local";
	} else if (v->group.family && !xp_ipaddr_equal(&l->vx_group, &v->group)) {
		fmt_ip(&v->group, want, sizeof(want));
		fmt_ip(&l->vx_group, have, sizeof(have));
		what = "group";
	} else if (v->device[0] && strcmp(l->parent, v->device)) {
		snprintf(want, sizeof(want), "%s", v->device);
		snprintf(have, sizeof(have), "%s", l->parent[0] ? l->parent : "none");
		what = "device";
	}
	if (!what)
		return 1;
	xp_plan_error(x->p,
		      "%svxlan %s (VNI %d) exists with %s %s, the map says %s -- xenplumb does "
		      "not recreate it: fix the map, or delete %s by hand",
		      pre, v->name, v->vni, what, have, want, v->name);
	return 0;
}

static int in_flood(const struct xp_ipaddr *list, size_t n, const struct xp_ipaddr *a)
{
	for (size_t i = 0; i < n; i++)
		if (xp_ipaddr_equal(&list[i], a))
			return 1;
	return 0;
}

/* The flood list: add what the map lists and the device lacks, then
 * remove what it has and the map does not list. */
static void plan_flood(struct xp_pctx *x, const struct xp_vxlan *v, const struct xp_obs_link *l)
{
	char ip[64];
	struct xp_op *op;

	if (!v->has_remote)
		return;
	for (size_t i = 0; i < v->nremotes; i++) {
		if (l && in_flood(l->vx_flood, l->vx_nflood, &v->remotes[i]))
			continue;
		fmt_ip(&v->remotes[i], ip, sizeof(ip));
		op = xp_plan_push(x->p, XP_OP_FLOOD_ADD, v->name, "remote %s in the map", ip);
		op->kind = XP_K_VXLAN;
		op->ip = v->remotes[i];
	}
	for (size_t i = 0; l && i < l->vx_nflood; i++) {
		if (in_flood(v->remotes, v->nremotes, &l->vx_flood[i]))
			continue;
		fmt_ip(&l->vx_flood[i], ip, sizeof(ip));
		op = xp_plan_push(x->p, XP_OP_FLOOD_DEL, v->name,
				  "remote %s is not in the map's list", ip);
		op->kind = XP_K_VXLAN;
		op->ip = l->vx_flood[i];
	}
}

static void plan(struct xp_pctx *x, const void *spec, const struct xp_obs_link *l)
{
	const struct xp_vxlan *v = spec;
	struct xp_op *op;
	int mtu;

	if (l && !same_segment(x, v, l))
		return;
	mtu = want_mtu(x, v);
	if (mtu < 0)
		return;
	if (!l) {
		xp_pctx_create(x, v->name, XP_K_VXLAN, v);
		/* Said explicitly even where the kernel derives it from the
		 * device (without one it gives 1500): the plan, --dry-run's
		 * too, shows the MTU, and the bridge over it takes it. */
		if (v->mtu <= 0) {
			op = xp_plan_push(x->p, XP_OP_SET_MTU, v->name,
					  "the underlay's %d minus %d for VXLAN", mtu + overhead(v),
					  overhead(v));
			op->value = mtu;
			op->old = 1500;
		}
		plan_flood(x, v, NULL);
		return;
	}
	if (v->learning != XP_UNSET && l->vx_learning != v->learning) {
		op = xp_plan_push(x->p, XP_OP_SET_LEARNING, v->name, "map says learning %s",
				  v->learning ? "on" : "off");
		op->kind = XP_K_VXLAN;
		op->value = v->learning;
		op->old = l->vx_learning;
	}
	if (v->mtu > 0) {
		xp_pctx_mtu(x, v->name, mtu, l);
	} else if (mtu > 0 && l->mtu != mtu) {
		op = xp_plan_push(x->p, XP_OP_SET_MTU, v->name,
				  "the underlay's %d minus %d for VXLAN", mtu + overhead(v),
				  overhead(v));
		op->value = mtu;
		op->old = l->mtu;
	}
	plan_flood(x, v, l);
}

static int put_ip(struct xp_attrw *w, int type4, int type6, const struct xp_ipaddr *a)
{
	if (a->family == AF_INET)
		return w->put(w, type4, a->addr, 4);
	return w->put(w, type6, a->addr, 16);
}

static int fill_create(const void *spec, struct xp_attrw *w)
{
	const struct xp_vxlan *v = spec;
	uint16_t port = htons((uint16_t)xp_vxlan_port(v));
	int err;

	if ((err = xp_attrw_u32(w, IFLA_VXLAN_ID, (uint32_t)v->vni)) < 0 ||
	    (err = w->put(w, IFLA_VXLAN_PORT, &port, sizeof(port))) < 0)
		return err;
	if (v->local.family &&
	    (err = put_ip(w, IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6, &v->local)) < 0)
		return err;
	if (v->group.family &&
	    (err = put_ip(w, IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6, &v->group)) < 0)
		return err;
	if (v->device[0]) {
		int link = w->ifindex(w, v->device);
		if (link <= 0)
			return -NLE_OBJ_NOTFOUND;
		if ((err = xp_attrw_u32(w, IFLA_VXLAN_LINK, (uint32_t)link)) < 0)
			return err;
	}
	if (v->learning != XP_UNSET &&
	    (err = xp_attrw_u8(w, IFLA_VXLAN_LEARNING, (uint8_t)v->learning)) < 0)
		return err;
	w->mtu = v->mtu > 0 ? v->mtu : 0;
	return 0;
}

static int fill_set(int op, int value, struct xp_attrw *w)
{
	if (op != XP_OP_SET_LEARNING)
		return -NLE_INVAL;
	return xp_attrw_u8(w, IFLA_VXLAN_LEARNING, (uint8_t)value);
}

static void get_ip(const struct nlattr *a4, const struct nlattr *a6, struct xp_ipaddr *out)
{
	const void *d;

	memset(out, 0, sizeof(*out));
	out->prefixlen = -1;
	if ((d = xp_attr_data(a4, 4)) && memcmp(d, "\0\0\0\0", 4)) {
		out->family = AF_INET;
		memcpy(out->addr, d, 4);
	} else if ((d = xp_attr_data(a6, 16))) {
		static const unsigned char zero[16];
		if (memcmp(d, zero, 16)) {
			out->family = AF_INET6;
			memcpy(out->addr, d, 16);
		}
	}
}

static void observe(const struct nlattr *data, struct xp_obs_link *l)
{
	const struct nlattr *tb[IFLA_VXLAN_MAX + 1];

	xp_attr_parse(tb, IFLA_VXLAN_MAX, data);
	l->vx_vni = (int)xp_attr_u32(tb[IFLA_VXLAN_ID], 0);
	l->vx_port = (int)ntohs((uint16_t)xp_attr_u16(tb[IFLA_VXLAN_PORT], htons(4789)));
	l->vx_learning = (int)xp_attr_u8(tb[IFLA_VXLAN_LEARNING], 1);
	l->link_index = (int)xp_attr_u32(tb[IFLA_VXLAN_LINK], 0);
	get_ip(tb[IFLA_VXLAN_LOCAL], tb[IFLA_VXLAN_LOCAL6], &l->vx_local);
	get_ip(tb[IFLA_VXLAN_GROUP], tb[IFLA_VXLAN_GROUP6], &l->vx_group);
}

static void status_json(struct json_object *j, const struct xp_obs_link *l)
{
	struct json_object *r = json_object_new_array();
	char ip[64];

	json_object_object_add(j, "vni", json_object_new_int(l->vx_vni));
	fmt_ip(&l->vx_local, ip, sizeof(ip));
	json_object_object_add(j, "local", json_object_new_string(ip));
	json_object_object_add(j, "dstport", json_object_new_int(l->vx_port));
	json_object_object_add(j, "learning", json_object_new_boolean(l->vx_learning));
	for (size_t i = 0; i < l->vx_nflood; i++) {
		fmt_ip(&l->vx_flood[i], ip, sizeof(ip));
		json_object_array_add(r, json_object_new_string(ip));
	}
	json_object_object_add(j, "flood", r);
}

static const char *lower(const void *spec)
{
	const struct xp_vxlan *v = spec;

	return v->device[0] ? v->device : NULL;
}

const struct xp_kind xp_kind_vxlan = {
    .name = "vxlan",
    .kind = XP_K_VXLAN,
    .role = "VXLAN",
    .map_entry = map_entry,
    .map_find = map_find,
    .plan = plan,
    .lower = lower,
    .fill_create = fill_create,
    .fill_set = fill_set,
    .fold_create = 1,
    .has_parent = 1, /* its underlay device (IFLA_VXLAN_LINK) */
    .observe = observe,
    .status_json = status_json,
};
