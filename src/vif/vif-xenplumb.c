/* vif-xenplumb: the Xen vif hotplug helper.
 *
 *   vif-xenplumb online|offline [type_if=vif]    PV vif (libxl, or udev)
 *   vif-xenplumb add|remove type_if=tap          an HVM guest's emulated NIC
 *
 * Reads the vif's backend keys from xenstore, plumbs the port by netlink
 * and reports hotplug-status / hotplug-error.  See vif-xenplumb(8). */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "common/nl.h"
#include "common/ovs.h"
#include "common/xsutil.h"
#include "map/applied.h"
#include "map/conf.h"
#include "vif/antispoof.h"
#include "vif/hooks.h"
#include "vif/vif_args.h"
#include "vif/vif_bridge.h"
#include "vif/vif_keys.h"
#include "vif/vif_l3.h"
#include "vif/vif_lock.h"
#include "vif/vif_plumb.h"
#include "vif/vif_route.h"

#define ERRLEN 512
#ifndef XP_VERSION
#define XP_VERSION "unknown"
#endif

/* Room for each backend key read (a key is at most 1024 bytes, plus slack
 * to tell "too long"). */
struct keybuf {
	char bridge[1100], vifname[1100], mtu[1100], ip[1100], mac[1100], vlan[1100];
	char gatewaydev[1100], lock[1100];
};

/* What the hooks are told (hooks.h), filled in as the action learns it. */
struct facts {
	char dev[XP_IFNAMSIZ], vifname[XP_IFNAMSIZ], bridge[XP_IFNAMSIZ], vlan[128], mac[24];
	char ip[1100], mtu[16], vm_uuid[64], vm_name[128];
	const char *kind;
};

struct run {
	struct vif_inv inv;
	int ovs_script;	      /* run as vif-openvswitch (the stock contract) */
	struct xp_ovsdb *db;  /* opened by the first OVSDB question */
	char ovs_err[ERRLEN]; /* why it could not be opened */
	struct facts f;
	struct xs_handle *xs;
	struct nl_sock *sk;
	struct xp_conf conf;
	int have_conf;
	struct xp_applied applied; /* what network-xenplumb applied, if any */
	int have_applied;	   /* (then conf holds its routed/NAT networks alone) */
	int map_loaded;
	struct xp_link *last; /* the link cb_link_kind looked up last */
	int lockfd;	      /* the vif's lock (vif_lock.h), 0 before */
	char err[ERRLEN];
	struct keybuf kb;
	enum vif_as as;		/* called as vif-route / vif-nat (install-compat) */
	const char *gatewaydev; /* the gatewaydev key, else libxl's netdev */
	enum vif_lock lock;	/* the locking-mode key */
	char **keys;		/* the backend directory's keys (check_backend) */
	unsigned int nkeys;
};

/* ---- map look-ups for bridge resolution ---------------------------------- */

/* The map's bridge NAME (the applied map's record, else the live map's
 * section): 0 and *b, or -1 when the map has no such bridge. */
static int map_bridge(const struct run *r, const char *name, struct xp_applied_br *b)
{
	const struct xp_bridge *cb;

	if (r->have_applied)
		return xp_applied_bridge_info(&r->applied, name, b);
	cb = r->have_conf ? xp_conf_bridge(&r->conf, name) : NULL;
	if (!cb)
		return -1;
	b->antispoof = cb->antispoof;
	b->type = cb->type;
	b->iface_id_by_name = cb->iface_id_by_name;
	return 0;
}

/* Is the link a kernel datapath's Open vSwitch device? */
static int ovs_kind(struct xp_link *l)
{
	const char *t = xp_link_kind(l);

	return t && !strcmp(t, "openvswitch");
}

/* The OVSDB connection, opened once; NULL with r->ovs_err. */
static struct xp_ovsdb *ovs_db(struct run *r)
{
	if (!r->db && !*r->ovs_err) {
		char path[256];

		r->db = xp_ovsdb_open(xp_ovsdb_sock_path(path, sizeof(path)),
				      xp_ovs_wait_ms() + 5000, r->ovs_err, sizeof(r->ovs_err));
	}
	return r->db;
}

/* The routed and NAT networks: the parsed map's, or the applied map's
 * (xp_applied_l3), or none. */
static const struct xp_conf *l3_conf(const struct run *r)
{
	return r->have_conf || r->have_applied ? &r->conf : NULL;
}

/* Keeps the link it found: it is usually the bridge, which online then
 * needs again.  Open vSwitch bridges count as bridges: the map's (type =
 * openvswitch), a kernel datapath's (kind openvswitch), and under the
 * stock contract (vif-openvswitch) whatever OVSDB has as a Bridge. */
static int cb_link_kind(void *ctx, const char *name)
{
	struct run *r = ctx;
	struct xp_applied_br b;
	int k, in_map = map_bridge(r, name, &b) == 0;

	if (r->last)
		xp_link_free(r->last);
	k = vif_link_get(r->sk, name, &r->last);
	if (k < 0 || k == VIF_LINK_BRIDGE)
		return k;
	if ((in_map && b.type == XP_BR_OVS) || ovs_kind(r->last))
		return VIF_LINK_BRIDGE;
	if (r->ovs_script) {
		int e = ovs_db(r)
			    ? xp_ovs_bridge_exists(r->db, name, r->ovs_err, sizeof(r->ovs_err))
			    : -1;

		if (e < 0)
			return -1;
		if (e)
			return VIF_LINK_BRIDGE;
	}
	return k;
}

/* Is the resolved bridge an Open vSwitch one? */
static int bridge_is_ovs(struct run *r, const char *bridge)
{
	struct xp_applied_br b;

	if (map_bridge(r, bridge, &b) == 0)
		return b.type == XP_BR_OVS;
	if (r->ovs_script)
		return 1;
	return r->last && !strcmp(r->last->name, bridge) && ovs_kind(r->last);
}

/* A logical network, or a NAT network (its bridge, no VLAN). */
static int cb_network(void *ctx, const char *name, char bridge[XP_IFNAMSIZ], int *vlan)
{
	struct run *r = ctx;
	const struct xp_network *n;
	const struct xp_nat *nat;

	if ((nat = xp_conf_nat(l3_conf(r), name))) {
		snprintf(bridge, XP_IFNAMSIZ, "%s", nat->bridge);
		*vlan = 0;
		return 0;
	}
	if (r->have_applied)
		return xp_applied_network(&r->applied, name, bridge, vlan);
	if (!r->have_conf || !(n = xp_conf_network(&r->conf, name)))
		return -1;
	snprintf(bridge, XP_IFNAMSIZ, "%s", n->bridge);
	*vlan = n->vlan;
	return 0;
}

static const char *cb_default_bridge(void *ctx)
{
	struct run *r = ctx;
	const struct xp_bridge *b;

	if (r->have_applied)
		return xp_applied_default(&r->applied);
	if (!r->have_conf || !(b = xp_conf_default_bridge(&r->conf)))
		return NULL;
	return b->name;
}

/* Does the map give bridge antispoof = yes? */
static int map_antispoof(struct run *r, const char *bridge)
{
	struct xp_applied_br b;

	return map_bridge(r, bridge, &b) == 0 && b.antispoof;
}

/* The map network-xenplumb applied (STATE_DIR/applied-map: one look-up
 * per question, whatever its size); only where there is none, the live
 * map ($XENPLUMB_CONF or /etc/xen/xenplumb.conf), parsed, where a missing
 * file is an empty map. */
static int load_map(struct run *r)
{
	const char *path = getenv("XENPLUMB_CONF");
	char ap[4096];
	struct xp_diag d = {0};
	struct stat st;
	int e;

	if (r->map_loaded)
		return 0;
	r->map_loaded = 1;
	xp_applied_path(ap, sizeof(ap));
	if ((e = xp_applied_open(ap, &r->applied, r->err, sizeof(r->err))) != 0) {
		r->have_applied = e > 0;
		if (e > 0 && xp_applied_l3(&r->applied, &r->conf) < 0) {
			snprintf(r->err, sizeof(r->err),
				 "applied map %.400s: a damaged routed or NAT record -- run "
				 "network-xenplumb reload",
				 ap);
			return -1;
		}
		return e > 0 ? 0 : -1;
	}
	if (!path || !*path)
		path = XP_CONF_DEFAULT_PATH;
	if (stat(path, &st) && errno == ENOENT)
		return 0;
	if (xp_conf_load(path, &r->conf, &d)) {
		snprintf(r->err, sizeof(r->err), "map %s: %s", path,
			 d.n ? d.msgs[0] : "cannot be read");
		xp_diag_free(&d);
		return -1;
	}
	xp_diag_free(&d);
	r->have_conf = 1;
	return 0;
}

/* ---- online / add -------------------------------------------------------- */

/* Is key in the backend directory as check_backend listed it? */
static int listed(const struct run *r, const char *key)
{
	for (unsigned int i = 0; i < r->nkeys; i++)
		if (!strcmp(r->keys[i], key))
			return 1;
	return !r->keys;
}

/* A key the directory lacks is not read: one round trip to xenstored
 * fewer for each (most of them are usually absent). */
static int read_key(struct run *r, const char *key, char *buf, size_t len, const char **out)
{
	const char *why;
	int rc = listed(r, key) ? xp_xs_read(r->xs, r->inv.xbpath, key, buf, len, &why) : 0;

	if (rc < 0) {
		snprintf(r->err, sizeof(r->err), "%s key %s: %s", r->inv.xbpath, key, why);
		return -1;
	}
	*out = rc ? buf : NULL;
	return 0;
}

/* The backend keys; as stock, the store overrides values given by env or
 * arguments. */
static int read_keys(struct run *r, struct vif_raw *raw)
{
	struct keybuf *b = &r->kb;
	const char *lock = NULL;

	if (read_key(r, "bridge", b->bridge, sizeof(b->bridge), &raw->bridge) ||
	    read_key(r, "vifname", b->vifname, sizeof(b->vifname), &raw->vifname) ||
	    read_key(r, "mtu", b->mtu, sizeof(b->mtu), &raw->mtu) ||
	    read_key(r, "ip", b->ip, sizeof(b->ip), &raw->ip) ||
	    read_key(r, "mac", b->mac, sizeof(b->mac), &raw->mac) ||
	    read_key(r, "vlan", b->vlan, sizeof(b->vlan), &raw->vlan) ||
	    read_key(r, "gatewaydev", b->gatewaydev, sizeof(b->gatewaydev), &r->gatewaydev) ||
	    read_key(r, "locking-mode", b->lock, sizeof(b->lock), &lock))
		return -1;
	if (!raw->bridge && *r->inv.bridge)
		raw->bridge = r->inv.bridge;
	if (!raw->ip && *r->inv.ip)
		raw->ip = r->inv.ip;
	if (r->gatewaydev && xp_valid_ifname(r->gatewaydev, NULL)) {
		snprintf(r->err, sizeof(r->err),
			 "%s key gatewaydev: '%.32s' is not an interface name", r->inv.xbpath,
			 xp_valid_text(r->gatewaydev, 32) ? "?" : r->gatewaydev);
		return -1;
	}
	if (!r->gatewaydev && *r->inv.netdev) /* libxl passes gatewaydev as netdev */
		r->gatewaydev = r->inv.netdev;
	return vif_lock_parse(lock, &r->lock, r->err, sizeof(r->err));
}

/* Never take the name netback or qemu gives (or could give) a guest NIC,
 * nor one the kernel rewrites. */
static int check_vifname(struct run *r, const char *vifname)
{
	return vif_check_vifname(vifname, &r->inv, r->err, sizeof(r->err));
}

/* The backend directory is there (an online after libxl removed it would
 * plumb a vif nobody will take down, and report into nothing); its keys
 * are kept for read_keys. */
static int check_backend(struct run *r)
{
	int rc;

	errno = 0;
	r->keys = xp_xs_list(r->xs, r->inv.xbpath, &r->nkeys);
	rc = r->keys ? 1 : errno == ENOENT ? 0 : -1;
	if (rc == 1)
		return 0;
	snprintf(r->err, sizeof(r->err),
		 rc == 0 ? "backend directory %s has gone: not plumbed"
			 : "cannot read backend directory %s",
		 r->inv.xbpath);
	return -1;
}

/* Which bridge, and the VLANs given once. */
static int resolve_bridge(struct run *r, const struct vif_keys *k, struct vif_target *t)
{
	struct vif_lookup lk = {r, cb_link_kind, cb_network, cb_default_bridge};

	if (load_map(r))
		return -1;
	if (vif_resolve_bridge(k->bridge, &lk, t, r->err, sizeof(r->err))) {
		if (*r->ovs_err) /* the real reason: OVSDB could not be asked */
			snprintf(r->err, sizeof(r->err), "%s", r->ovs_err);
		return -1;
	}
	if (t->has_vlan && k->has_vlan) {
		snprintf(r->err, sizeof(r->err),
			 "VLANs given twice: by the bridge key (%s) and by the vlan key", t->how);
		return -1;
	}
	return 0;
}

static void plan_port(struct run *r, const struct vif_keys *k, const struct vif_target *t,
		      const char *table, struct vif_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->kname = r->inv.dev;
	p->newname = k->vifname;
	p->bridge = t->bridge;
	p->mtu = k->mtu;
	p->has_vlan = t->has_vlan || k->has_vlan;
	p->vlan = t->has_vlan ? &t->vlan : &k->vlan;
	p->table = table;
	p->br = r->last;
}

/* On an Open vSwitch bridge: its VLANs become tag/trunks, and the port gets
 * the external_ids a controller binds by. */
static void plan_ovs(struct run *r, const struct vif_keys *k, struct vif_plan *p)
{
	struct xp_applied_br cb;
	int in_map = map_bridge(r, p->bridge, &cb) == 0;
	struct vif_ovs_req *o = &p->ovs_req;

	p->ovs = 1;
	o->vlan = p->has_vlan ? p->vlan : NULL;
	p->has_vlan = 0;
	o->mac = k->has_mac ? r->f.mac : NULL;
	vif_ovs_vm_facts(r->xs, r->inv.domid, r->f.vm_uuid, sizeof(r->f.vm_uuid), r->f.vm_name,
			 sizeof(r->f.vm_name));
	o->vm_uuid = r->f.vm_uuid;
	o->vm_name = r->f.vm_name;
	o->domid = r->inv.domid;
	o->devid = r->inv.devid;
	o->iface_id_by_name = in_map ? cb.iface_id_by_name : 0;
	r->f.kind = "openvswitch";
}

/* The facts every plumbed port has: its names and MTU. */
static void port_facts(struct run *r, const struct vif_keys *k, int mtu)
{
	snprintf(r->f.dev, sizeof(r->f.dev), "%s", *k->vifname ? k->vifname : r->inv.dev);
	snprintf(r->f.vifname, sizeof(r->f.vifname), "%s", k->vifname);
	snprintf(r->f.mtu, sizeof(r->f.mtu), "%d", mtu);
}

/* The facts online learnt, for the hooks. */
static void note_facts(struct run *r, const struct vif_keys *k, const struct vif_plan *p, int mtu)
{
	const struct xp_vlanspec *v = p->ovs ? p->ovs_req.vlan : p->has_vlan ? p->vlan : NULL;

	port_facts(r, k, mtu);
	snprintf(r->f.bridge, sizeof(r->f.bridge), "%s", p->bridge);
	if (v)
		xp_vlanspec_format(v, r->f.vlan, sizeof(r->f.vlan));
	if (!r->f.kind)
		r->f.kind = "linux";
}

/* Antispoofing where the map's bridge asks for it, or the vif's
 * locking-mode says so. */
static int plan_antispoof(struct run *r, const struct vif_keys *k, struct vif_plan *p)
{
	int mode = vif_lock_apply(r->lock, map_antispoof(r, p->bridge));

	if (!mode)
		return 0;
	if (!k->has_mac) {
		if (r->lock == VIF_LOCK_DEFAULT)
			snprintf(r->err, sizeof(r->err),
				 "bridge %s has antispoof = yes but the vif has no mac key",
				 p->bridge);
		else
			snprintf(r->err, sizeof(r->err),
				 "the vif's locking-mode is %s but the vif has no mac key",
				 r->lock == VIF_LOCK_LOCKED ? "locked" : "disabled");
		return -1;
	}
	p->antispoof = 1;
	p->as.disabled = mode == 2;
	memcpy(p->as.mac, k->mac, 6);
	p->as.ips = k->ips;
	p->as.nips = k->nips;
	/* tagged frames only where the port carries tagged VLANs */
	p->as.allow_tagged = 0;
	if (p->has_vlan) {
		int lo = 0, hi = 0, f;
		while (xp_vlanspec_next_run(p->vlan, &lo, &hi, &f) == 0)
			if (!(f & XP_VLAN_F_UNTAGGED))
				p->as.allow_tagged = 1;
	}
	return 0;
}

/* A PV vif's MTU where stock set_mtu writes it (the frontend's directory),
 * and on online hotplug-status, in one transaction (one round trip to
 * xenstored per request, so one transaction, not two) that writes neither
 * into a directory that has gone; on failure the port is unplumbed again. */
static int report_up(struct run *r, const char *table, int mtu, int ovs)
{
	char path[128], mtutxt[16], e2[256];
	int found, had;
	struct xp_xs_put put[2] = {{path, "mtu", mtutxt, 0},
				   {r->inv.xbpath, "hotplug-status", "connected", 0}};
	size_t n = r->inv.action == VIF_ONLINE ? 2 : 1;

	snprintf(path, sizeof(path), "/local/domain/%u/device/vif/%u", r->inv.domid, r->inv.devid);
	snprintf(mtutxt, sizeof(mtutxt), "%d", mtu);
	if (xp_xs_put_if_dirs(r->xs, put, n) < 0)
		snprintf(r->err, sizeof(r->err), "cannot write %s/mtu%s", path,
			 n == 2 ? " and hotplug-status" : "");
	else if (n == 2 && !put[1].done)
		snprintf(r->err, sizeof(r->err), "backend directory %s has gone: unplumbed again",
			 r->inv.xbpath);
	else
		return 0;
	vif_route_undo(r->sk, r->inv.dev, &had, e2, sizeof(e2));
	if (ovs)
		vif_plumb_down_ovs(r->sk, r->inv.dev, NULL, &found, e2, sizeof(e2));
	else
		vif_plumb_down(r->sk, r->inv.dev, table, &found, e2, sizeof(e2));
	return -1;
}

/* The hooks' bridge: the bridge key up to its VLAN or dot suffix. */
static void bridge_fact(struct run *r, const char *key)
{
	size_t n = strcspn(key, ".:");

	if (n > XP_IFNAMSIZ - 1)
		n = XP_IFNAMSIZ - 1;
	memcpy(r->f.bridge, key, n);
	r->f.bridge[n] = 0;
}

/* A routed port (a [routed] network, or run as vif-route). */
static int route_up(struct run *r, const struct vif_keys *k, const struct xp_routed *rt,
		    const char *table, int tap)
{
	struct vif_route_in in = {
	    rt, r->gatewaydev ? r->gatewaydev : "eth0", r->inv.dev, table, k, r->lock, tap};
	int mtu = 0;

	xp_log(LOG_INFO, "routed (%s)", rt ? rt->name : "vif-route, no [routed] section");
	if (vif_l3_route_up(r->sk, &in, &mtu, r->err, sizeof(r->err)))
		return -1;
	/* the hooks' facts, as a bridged port's: kind "routed", and for the
	 * bridge the bridge key as offline reads it (the network's name) */
	port_facts(r, k, mtu);
	bridge_fact(r, k->bridge);
	r->f.kind = "routed";
	return tap ? 0 : report_up(r, table, mtu, 0);
}

/* A NAT port's static lease, once it is on its bridge. */
static int nat_up(struct run *r, const struct vif_keys *k, const struct xp_nat *n,
		  const char *table)
{
	char e2[256];
	int found, had;

	if (!n ||
	    !vif_l3_nat_up(n, r->inv.dev, k, r->inv.domid, r->inv.devid, r->err, sizeof(r->err)))
		return 0;
	vif_route_undo(r->sk, r->inv.dev, &had, e2, sizeof(e2));
	vif_plumb_down(r->sk, r->inv.dev, table, &found, e2, sizeof(e2));
	return -1;
}

/* Routed, NAT or plain: which, from the bridge key and the name we were
 * called by.  *rt set (or NULL for vif-route without a [routed]) when
 * routed (returns 1); *nat set for a NAT bridge; -1 with err. */
static int pick_mode(struct run *r, struct vif_keys *k, const struct xp_routed **rt,
		     const struct xp_nat **nat)
{
	const struct xp_conf *c = l3_conf(r);
	int rc = vif_pick_routed(c, k->bridge, r->as, r->gatewaydev, rt, r->err, sizeof(r->err));

	*nat = NULL;
	if (rc)
		return rc;
	rc = vif_pick_nat(c, k->bridge, r->as, nat, r->err, sizeof(r->err));
	if (rc < 0)
		return -1;
	if (rc && !*k->bridge) /* vif-nat without a bridge key */
		snprintf(k->bridge, sizeof(k->bridge), "%s", (*nat)->bridge);
	return 0;
}

static int do_up(struct run *r)
{
	struct vif_raw raw = {0};
	struct vif_keys k;
	struct vif_target t;
	struct vif_plan p;
	const struct xp_routed *rt;
	const struct xp_nat *nat;
	char table[64];
	int tap = r->inv.type == VIF_TYPE_TAP, mtu = 0, routed;

	if (check_backend(r) || read_keys(r, &raw) ||
	    vif_keys_parse(&raw, tap, &k, r->err, sizeof(r->err)) || check_vifname(r, k.vifname) ||
	    load_map(r))
		return -1;
	snprintf(r->f.ip, sizeof(r->f.ip), "%s", raw.ip ? raw.ip : "");
	if (k.has_mac)
		snprintf(r->f.mac, sizeof(r->f.mac), "%02x:%02x:%02x:%02x:%02x:%02x", k.mac[0],
			 k.mac[1], k.mac[2], k.mac[3], k.mac[4], k.mac[5]);
	xp_antispoof_table(table, sizeof(table), r->inv.domid, r->inv.devid, tap);
	routed = pick_mode(r, &k, &rt, &nat);
	if (routed)
		return routed < 0 ? -1 : route_up(r, &k, rt, table, tap);
	if (resolve_bridge(r, &k, &t))
		return -1;
	if (!nat)
		nat = xp_conf_nat_of_bridge(l3_conf(r), t.bridge);
	plan_port(r, &k, &t, table, &p);
	if (bridge_is_ovs(r, t.bridge))
		plan_ovs(r, &k, &p);
	else if (plan_antispoof(r, &k, &p))
		return -1;
	xp_log(LOG_INFO, "%sbridge %s (%s)", p.ovs ? "Open vSwitch " : "", t.bridge, t.how);
	if (vif_plumb_up(r->sk, &p, &mtu, r->err, sizeof(r->err)) || nat_up(r, &k, nat, table))
		return -1;
	note_facts(r, &k, &p, mtu);
	return tap ? 0 : report_up(r, table, mtu, p.ovs);
}

/* ---- offline / remove ---------------------------------------------------- */

/* Is the device a port of a Linux bridge now? */
static int on_linux_bridge(struct run *r)
{
	struct xp_link *l = NULL, *m = NULL;
	int yes = 0;

	if (xp_link_by_name(r->sk, r->inv.dev, &l) == 0 && l->master &&
	    xp_link_by_index(r->sk, l->master, &m) == 0)
		yes = xp_link_kind(m) && !strcmp(xp_link_kind(m), "bridge");
	if (l)
		xp_link_free(l);
	if (m)
		xp_link_free(m);
	return yes;
}

/* The backend keys offline still finds (none when xl removed them). */
static void down_facts(struct run *r)
{
	const char *why;
	char b[256];

	if (xp_xs_read(r->xs, r->inv.xbpath, "vifname", r->f.vifname, sizeof(r->f.vifname), &why) !=
	    1)
		r->f.vifname[0] = 0;
	if (r->inv.type == VIF_TYPE_TAP && *r->f.vifname && strlen(r->f.vifname) + 4 < XP_IFNAMSIZ)
		memcpy(r->f.vifname + strlen(r->f.vifname), "-emu", 5);
	snprintf(r->f.dev, sizeof(r->f.dev), "%s", *r->f.vifname ? r->f.vifname : r->inv.dev);
	if (xp_xs_read(r->xs, r->inv.xbpath, "bridge", b, sizeof(b), &why) != 1)
		snprintf(b, sizeof(b), "%s", r->inv.bridge);
	bridge_fact(r, b);
}

/* Offline of a vif that may be on Open vSwitch: as vif-openvswitch, or
 * when the map says its bridge is, always; otherwise only where an
 * ovsdb-server socket exists, and then failing to reach it is no error. */
static int down_ovs(struct run *r, int *found)
{
	struct xp_applied_br b;
	char path[256], e[ERRLEN] = "";
	struct stat st;
	int sure;

	sure = r->ovs_script || (*r->f.bridge && !load_map(r) &&
				 map_bridge(r, r->f.bridge, &b) == 0 && b.type == XP_BR_OVS);
	xp_ovsdb_sock_path(path, sizeof(path));
	if (!sure && stat(!strncmp(path, "unix:", 5) ? path + 5 : path, &st))
		return 1; /* no Open vSwitch here */
	/* both buffers are ERRLEN bytes */
	if (!vif_plumb_down_ovs(r->sk, r->inv.dev, r->f.dev, found, sure ? r->err : e, ERRLEN)) {
		r->f.kind = "openvswitch";
		return 0;
	}
	if (sure)
		return -1;
	xp_log(LOG_WARNING, "%s", e);
	return 0;
}

static int do_down(struct run *r)
{
	char table[64], e1[256] = "";
	int found = 0, rc = 1, had = 0, bad;

	down_facts(r);
	xp_antispoof_table(table, sizeof(table), r->inv.domid, r->inv.devid,
			   r->inv.type == VIF_TYPE_TAP);
	/* a routed or NAT port's journal first (it may rename the port back);
	 * the rest of offline runs even when some of it could not be undone */
	bad = vif_route_undo(r->sk, r->inv.dev, &had, e1, sizeof(e1));
	/* a routed port is on no bridge by design: not an Open vSwitch port */
	if (!had && (r->ovs_script || !on_linux_bridge(r)))
		rc = down_ovs(r, &found);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		/* a routed port's journal undone, and on no bridge: routed */
		r->f.kind = had && !on_linux_bridge(r) ? "routed" : "linux";
		if (vif_plumb_down(r->sk, r->inv.dev, table, &found, r->err, sizeof(r->err)))
			return -1;
	}
	if (bad) {
		snprintf(r->err, sizeof(r->err), "%s", e1);
		return -1;
	}
	if (!found)
		xp_log(LOG_INFO, "device already gone");
	return 0;
}

/* The guest's name and uuid for the hooks, unless OVS planning read them:
 * three xenstore round trips, so only when there is a hook to run. */
static void vm_facts(void *arg)
{
	struct run *r = arg;

	if (!*r->f.vm_uuid && !*r->f.vm_name)
		vif_ovs_vm_facts(r->xs, r->inv.domid, r->f.vm_uuid, sizeof(r->f.vm_uuid),
				 r->f.vm_name, sizeof(r->f.vm_name));
}

/* After a successful action: the hooks (hooks.h), with what it learnt. */
static void run_hooks(struct run *r)
{
	struct vif_hook_facts f = {
	    .action = vif_action_name(r->inv.action),
	    .type_if = r->inv.type == VIF_TYPE_TAP ? "tap" : "vif",
	    .vif = r->inv.dev,
	    .dev = *r->f.dev ? r->f.dev : r->inv.dev,
	    .vifname = r->f.vifname,
	    .bridge = r->f.bridge,
	    .bridge_kind = r->f.kind ? r->f.kind : "",
	    .xbpath = r->inv.xbpath,
	    .vlan = r->f.vlan,
	    .mac = r->f.mac,
	    .ip = r->f.ip,
	    .mtu = r->f.mtu,
	    .vm_uuid = r->f.vm_uuid,
	    .vm_name = r->f.vm_name,
	    .domid = r->inv.domid,
	    .devid = r->inv.devid,
	};
	struct vif_hook_result res;

	vif_hooks_run_all(&f, vm_facts, r, NULL, NULL, &res);
}

/* ---- main ---------------------------------------------------------------- */

/* Run by udev (the xend-host rule sets UDEV_CALL=1; it ships inactive,
 * because libxl 4.6 and later runs the scripts itself and no longer writes
 * /libxl/disable_udev, so on an xl host the rule would run a second copy):
 * step aside where an older libxl says it runs them (/libxl/disable_udev),
 * and for an
 * emulated NIC, whose uevent does not say which script the vif uses, unless
 * its backend names vif-xenplumb. */
static int udev_not_ours(struct run *r, int argc, char **argv)
{
	const char *u = vif_getvar(argc, argv, "UDEV_CALL"), *why, *base;
	char script[256];

	if (!u || strcmp(u, "1"))
		return 0;
	if (xp_xs_exists(r->xs, "/libxl/disable_udev") == 1) {
		xp_log(LOG_DEBUG, "libxl runs the hotplug scripts; udev call ignored");
		return 1;
	}
	/* a removed tap is gone anyway: always clean up after it */
	if (r->inv.type != VIF_TYPE_TAP || !r->inv.up)
		return 0;
	if (xp_xs_read(r->xs, r->inv.xbpath, "script", script, sizeof(script), &why) != 1)
		return 1;
	base = strrchr(script, '/');
	base = base ? base + 1 : script;
	return strcmp(base, "vif-xenplumb") != 0;
}

/* Run as the stock vif-openvswitch (install-compat's link, or a script
 * key naming it): the bridge key is an Open vSwitch bridge, BR.TAG:TRUNK. */
static int invoked_as_ovs(int argc, char **argv)
{
	const char *s = vif_getvar(argc, argv, "script"), *b;

	b = strrchr(argv[0], '/');
	if (!strcmp(b ? b + 1 : argv[0], "vif-openvswitch"))
		return 1;
	if (!s)
		return 0;
	b = strrchr(s, '/');
	return !strcmp(b ? b + 1 : s, "vif-openvswitch");
}

/* The error, logged and (only into this vif's own backend directory, and
 * only while it exists) in hotplug-error, named like every log line. */
static int report_failure(struct run *r)
{
	char msg[ERRLEN + 200];

	xp_log(LOG_ERR, "%s", r->err);
	if (!*r->inv.xbpath)
		return 1;
	if (!r->xs)
		r->xs = xp_xs_open();
	snprintf(msg, sizeof(msg), "%s: %s", xp_log_context(), r->err);
	if (!r->xs || xp_xs_report_error(r->xs, r->inv.xbpath, msg) < 0)
		xp_log(LOG_ERR, "cannot write hotplug-error to %s", r->inv.xbpath);
	return 1;
}

/* Shown text for a raw value, "?" when it is absent or unsafe. */
static const char *shown(const char *v, size_t max)
{
	return v && *v && !xp_valid_text(v, max) ? v : "?";
}

/* "ACTION VIF (domain D)" before every line, from what the invocation
 * gave (what is not known yet shows as "?"). */
static void set_context(const struct run *r, int argc, char **argv, int parsed)
{
	const char *act = "?", *dev = r->inv.dev;
	char ctx[96], dom[16] = "?";

	for (int i = 1; i < argc; i++)
		if (!strchr(argv[i], '=')) {
			act = shown(argv[i], 16);
			break;
		}
	if (parsed || *dev)
		snprintf(dom, sizeof(dom), "%u", r->inv.domid);
	if (!*dev)
		dev =
		    shown(vif_getvar(argc, argv, r->inv.type == VIF_TYPE_TAP ? "INTERFACE" : "vif"),
			  XP_IFNAMSIZ - 1);
	snprintf(ctx, sizeof(ctx), "%s %s (domain %s)", act, dev, dom);
	xp_log_set_context(ctx);
}

static const char usage_text[] =
    "usage: vif-xenplumb online|offline [type_if=vif] [VAR=VAL...]\n"
    "       vif-xenplumb add|remove type_if=tap\n"
    "Xen vif hotplug helper, run by libxl (xl) or udev: puts a guest NIC on its\n"
    "bridge (backend keys bridge vifname mtu ip mac vlan gatewaydev locking-mode)\n"
    "or routes it ([routed] networks; called as vif-route) and reports\n"
    "hotplug-status/hotplug-error.  Environment: XENBUS_PATH=backend/vif/D/N,\n"
    "vif=vifD.N (tap: INTERFACE=vifD.N-emu).  The map: the one network-xenplumb\n"
    "applied ($XENPLUMB_STATE_DIR/applied-map, default /run/xenplumb), else\n"
    "XENPLUMB_CONF (default /etc/xen/xenplumb.conf).  XENPLUMB_HOTPLUG_LOG.\n"
    "-V, --version prints the version.  See vif-xenplumb(8).\n";

int main(int argc, char **argv)
{
	static struct run r;
	int rc;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		puts("vif-xenplumb " XP_VERSION);
		return 0;
	}

	xp_log_init("vif-xenplumb", 1, 1);
	r.as = vif_as_name(argv[0]);
	rc = vif_inv_parse(argc, argv, &r.inv, r.err, sizeof(r.err));
	set_context(&r, argc, argv, rc == 0);
	if (rc) {
		rc = report_failure(&r);
		goto out;
	}
	if (r.inv.noop) {
		rc = 0;
		goto out;
	}
	if (!xp_have_net_admin()) {
		snprintf(r.err, sizeof(r.err),
			 "needs CAP_NET_ADMIN (run it as root, as the toolstack does)");
		rc = report_failure(&r);
		goto out;
	}
	r.xs = xp_xs_open();
	if (!r.xs) {
		snprintf(r.err, sizeof(r.err), "cannot connect to xenstore: %s", strerror(errno));
		xp_log(LOG_ERR, "%s", r.err);
		rc = 1;
		goto out;
	}
	if (udev_not_ours(&r, argc, argv)) {
		rc = 0;
		goto out;
	}
	/* every run for this vif, one at a time; other vifs never wait */
	r.lockfd = vif_lock(r.inv.domid, r.inv.devid, r.err, sizeof(r.err));
	if (r.lockfd < 0) {
		rc = report_failure(&r);
		goto out;
	}
	r.sk = xp_nl_open();
	if (!r.sk) {
		snprintf(r.err, sizeof(r.err), "cannot open rtnetlink");
		rc = report_failure(&r);
		goto out;
	}
	r.ovs_script = invoked_as_ovs(argc, argv);
	rc = r.inv.up ? do_up(&r) : do_down(&r);
	if (rc)
		rc = report_failure(&r);
	else {
		xp_log(LOG_INFO, "done");
		run_hooks(&r);
	}
out:
	if (r.last)
		xp_link_free(r.last);
	xp_conf_free(&r.conf); /* the parsed map, or the applied map's routed/NAT networks */
	xp_ovsdb_close(r.db);
	free(r.keys);
	xp_applied_close(&r.applied);
	xp_nl_close(r.sk);
	xp_xs_close(r.xs);
	if (r.lockfd > 0)
		close(r.lockfd); /* after the last report */
	xp_log_close();
	return rc;
}
