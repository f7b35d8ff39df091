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
#include "common/xsutil.h"
#include "map/applied.h"
#include "map/conf.h"
#include "vif/antispoof.h"
#include "vif/vif_args.h"
#include "vif/vif_bridge.h"
#include "vif/vif_keys.h"
#include "vif/vif_lock.h"
#include "vif/vif_plumb.h"

#define ERRLEN 512
#ifndef XP_VERSION
#define XP_VERSION "unknown"
#endif

/* Room for each backend key read (a key is at most 1024 bytes, plus slack
 * to tell "too long"). */
struct keybuf {
	char bridge[1100], vifname[1100], mtu[1100], ip[1100], mac[1100], vlan[1100];
};

struct run {
	struct vif_inv inv;
	struct xs_handle *xs;
	struct nl_sock *sk;
	struct xp_conf conf;
	int have_conf;
	struct xp_applied applied; /* what network-xenplumb applied, if any */
	int have_applied;
	struct rtnl_link *last; /* the link cb_link_kind looked up last */
	int lockfd;		/* the vif's lock (vif_lock.h), 0 before */
	char err[ERRLEN];
	struct keybuf kb;
	char **keys; /* the backend directory's keys (check_backend) */
	unsigned int nkeys;
};

/* ---- map look-ups for bridge resolution ---------------------------------- */

/* Keeps the link it found: it is usually the bridge, which online then
 * needs again. */
static int cb_link_kind(void *ctx, const char *name)
{
	struct run *r = ctx;

	if (r->last)
		rtnl_link_put(r->last);
	return vif_link_get(r->sk, name, &r->last);
}

static int cb_network(void *ctx, const char *name, char bridge[XP_IFNAMSIZ], int *vlan)
{
	struct run *r = ctx;
	const struct xp_network *n;

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
	const struct xp_bridge *b;
	int as = 0;

	if (r->have_applied)
		return xp_applied_bridge(&r->applied, bridge, &as) == 0 && as;
	b = r->have_conf ? xp_conf_bridge(&r->conf, bridge) : NULL;
	return b && b->antispoof;
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

	xp_applied_path(ap, sizeof(ap));
	if ((e = xp_applied_open(ap, &r->applied, r->err, sizeof(r->err))) != 0) {
		r->have_applied = e > 0;
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

	if (read_key(r, "bridge", b->bridge, sizeof(b->bridge), &raw->bridge) ||
	    read_key(r, "vifname", b->vifname, sizeof(b->vifname), &raw->vifname) ||
	    read_key(r, "mtu", b->mtu, sizeof(b->mtu), &raw->mtu) ||
	    read_key(r, "ip", b->ip, sizeof(b->ip), &raw->ip) ||
	    read_key(r, "mac", b->mac, sizeof(b->mac), &raw->mac) ||
	    read_key(r, "vlan", b->vlan, sizeof(b->vlan), &raw->vlan))
		return -1;
	if (!raw->bridge && *r->inv.bridge)
		raw->bridge = r->inv.bridge;
	if (!raw->ip && *r->inv.ip)
		raw->ip = r->inv.ip;
	return 0;
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
	if (vif_resolve_bridge(k->bridge, &lk, t, r->err, sizeof(r->err)))
		return -1;
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

/* Antispoofing where the map's bridge asks for it. */
static int plan_antispoof(struct run *r, const struct vif_keys *k, struct vif_plan *p)
{
	if (!map_antispoof(r, p->bridge))
		return 0;
	if (!k->has_mac) {
		snprintf(r->err, sizeof(r->err),
			 "bridge %s has antispoof = yes but the vif has no mac key", p->bridge);
		return -1;
	}
	p->antispoof = 1;
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
 * then hotplug-status, each in a transaction that writes nothing when its
 * directory has gone; on failure the port is unplumbed again. */
static int report_up(struct run *r, const char *table, int mtu)
{
	char path[128], mtutxt[16], e2[256];
	int found, rc;

	snprintf(path, sizeof(path), "/local/domain/%u/device/vif/%u", r->inv.domid, r->inv.devid);
	snprintf(mtutxt, sizeof(mtutxt), "%d", mtu);
	rc = xp_xs_write_if_dir(r->xs, path, "mtu", mtutxt);
	if (rc < 0)
		snprintf(r->err, sizeof(r->err), "cannot write %s/mtu", path);
	else if (r->inv.action == VIF_ONLINE &&
		 (rc = xp_xs_report_connected(r->xs, r->inv.xbpath)) <= 0)
		snprintf(r->err, sizeof(r->err),
			 rc == 0 ? "backend directory %s has gone: unplumbed again"
				 : "cannot write %s/hotplug-status",
			 r->inv.xbpath);
	else
		return 0;
	vif_plumb_down(r->sk, r->inv.dev, table, &found, e2, sizeof(e2));
	return -1;
}

static int do_up(struct run *r)
{
	struct vif_raw raw = {0};
	struct vif_keys k;
	struct vif_target t;
	struct vif_plan p;
	char table[64];
	int tap = r->inv.type == VIF_TYPE_TAP, mtu = 0;

	if (check_backend(r) || read_keys(r, &raw) ||
	    vif_keys_parse(&raw, tap, &k, r->err, sizeof(r->err)) || check_vifname(r, k.vifname) ||
	    resolve_bridge(r, &k, &t))
		return -1;
	xp_antispoof_table(table, sizeof(table), r->inv.domid, r->inv.devid, tap);
	plan_port(r, &k, &t, table, &p);
	if (plan_antispoof(r, &k, &p))
		return -1;
	xp_log(LOG_INFO, "bridge %s (%s)", t.bridge, t.how);
	if (vif_plumb_up(r->sk, &p, &mtu, r->err, sizeof(r->err)))
		return -1;
	return tap ? 0 : report_up(r, table, mtu);
}

/* ---- offline / remove ---------------------------------------------------- */

static int do_down(struct run *r)
{
	char table[64];
	int found = 0;

	xp_antispoof_table(table, sizeof(table), r->inv.domid, r->inv.devid,
			   r->inv.type == VIF_TYPE_TAP);
	if (vif_plumb_down(r->sk, r->inv.dev, table, &found, r->err, sizeof(r->err)))
		return -1;
	if (!found)
		xp_log(LOG_INFO, "device already gone");
	return 0;
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
    "bridge (backend keys bridge vifname mtu ip mac vlan) and reports\n"
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
	rc = r.inv.up ? do_up(&r) : do_down(&r);
	if (rc)
		rc = report_failure(&r);
	else
		xp_log(LOG_INFO, "done");
out:
	if (r.last)
		rtnl_link_put(r.last);
	if (r.have_conf)
		xp_conf_free(&r.conf);
	free(r.keys);
	xp_applied_close(&r.applied);
	xp_nl_close(r.sk);
	xp_xs_close(r.xs);
	if (r.lockfd > 0)
		close(r.lockfd); /* after the last report */
	xp_log_close();
	return rc;
}
