/* network-xenplumb status; see status.h.  What is live is compared with
 * the map by running the planner: every operation start would apply is a
 * difference, and so is every drift item and conflict it reports.  Guest
 * ports (anything on a bridge the map does not list) are tied to their
 * domain by name (vifD.N, vifD.N-emu) or, for renamed vifs, through
 * xenstore's backend/vif/D/N/vifname; whether the domain still exists is
 * asked of libxenctrl, or of xenstore when there is no hypervisor
 * (common/xsutil.c's reads, as vif-xenplumb's).  All of it goes into one
 * json-c model; status_text.c renders the table from it. */
#include "net/status.h"
#include "common/ovs.h"
#include "net/ovsnet.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>
#include <xentoollog.h>

#include "common/nametab.h"
#include "common/xsutil.h"
#include "net/guests.h"
#include "net/kind.h"
#include "net/plan.h"

enum dom_state { DOM_UNKNOWN = -1, DOM_GONE = 0, DOM_EXISTS = 1 };

struct renamed {
	char name[XP_IFNAMSIZ];
	int domid;
	int devid;
};

struct xenctx {
	struct xs_handle *xs;
	xc_interface *xc;
	xentoollog_logger_stdiostream *quiet;
	struct renamed *ren;
	size_t nren;
	const char *source; /* "xenctrl", "xenstore" or "none" */
};

static void xen_open(struct xenctx *x)
{
	memset(x, 0, sizeof(*x));
	/* libxenctrl complains loudly when there is no hypervisor: only
	 * critical messages get through. */
	x->quiet = xtl_createlogger_stdiostream(stderr, XTL_CRITICAL + 1, 0);
	x->xc = xc_interface_open((xentoollog_logger *)x->quiet, (xentoollog_logger *)x->quiet, 0);
	x->xs = xp_xs_open_readonly();
	x->source = x->xc ? "xenctrl" : x->xs ? "xenstore" : "none";
}

static void xen_close(struct xenctx *x)
{
	if (x->xc)
		xc_interface_close(x->xc);
	xp_xs_close(x->xs);
	if (x->quiet)
		xtl_logger_destroy((xentoollog_logger *)x->quiet);
	free(x->ren);
}

/* The vifname of backend/vif/D/V, when it is a valid interface name. */
static void load_renamed_one(struct xenctx *x, long d, long v)
{
	char dir[96], name[XP_IFNAMSIZ];
	const char *why;
	struct renamed *r;

	snprintf(dir, sizeof(dir), "/local/domain/0/backend/vif/%ld/%ld", d, v);
	if (xp_xs_read(x->xs, dir, "vifname", name, sizeof(name), &why) != 1 ||
	    xp_valid_ifname(name, NULL) != 0)
		return;
	r = realloc(x->ren, (x->nren + 1) * sizeof(*r));
	if (!r)
		return;
	x->ren = r;
	r = &x->ren[x->nren++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->domid = (int)d;
	r->devid = (int)v;
}

/* vifnames of every dom0 vif backend, for vifs renamed by vifname=. */
static void load_renamed(struct xenctx *x)
{
	unsigned int nd = 0, nv;
	char **doms, **devs, path[96];

	if (!x->xs)
		return;
	doms = xp_xs_list(x->xs, "/local/domain/0/backend/vif", &nd);
	for (unsigned i = 0; doms && i < nd; i++) {
		long d, v;
		if (xp_parse_uint(doms[i], 0, 0x7fef, &d) < 0)
			continue;
		snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%ld", d);
		devs = xp_xs_list(x->xs, path, &nv);
		for (unsigned j = 0; devs && j < nv; j++)
			if (xp_parse_uint(devs[j], 0, 0xffff, &v) == 0)
				load_renamed_one(x, d, v);
		free(devs);
	}
	free(doms);
}

/* The domain's name in xenstore, when it is printable text (at most 64
 * bytes); 0 when there is none. */
static int domain_name(struct xenctx *x, int domid, char *buf, size_t len)
{
	char dir[64];
	const char *why;

	if (!x->xs || domid < 0)
		return 0;
	snprintf(dir, sizeof(dir), "/local/domain/%d", domid);
	return xp_xs_read(x->xs, dir, "name", buf, len, &why) == 1 && xp_valid_text(buf, 64) == 0;
}

/* Domain and device of a guest port, from its name; -1 when unknown. */
static int guest_of(struct xenctx *x, const char *port, int *devid)
{
	unsigned d, v;
	int n = 0;

	for (size_t i = 0; i < x->nren; i++)
		if (!strcmp(x->ren[i].name, port)) {
			*devid = x->ren[i].devid;
			return x->ren[i].domid;
		}
	if (sscanf(port, "vif%u.%u%n", &d, &v, &n) == 2 &&
	    (port[n] == 0 || !strcmp(port + n, "-emu")) && d < 0x7ff0) {
		*devid = (int)v;
		return (int)d;
	}
	*devid = -1;
	return -1;
}

static int dom_state(struct xenctx *x, int domid)
{
	char path[64];

	if (x->xc) {
		xc_dominfo_t info;
		if (xc_domain_getinfo(x->xc, (uint32_t)domid, 1, &info) == 1 &&
		    info.domid == (uint32_t)domid)
			return DOM_EXISTS;
		return DOM_GONE;
	}
	if (!x->xs)
		return DOM_UNKNOWN;
	snprintf(path, sizeof(path), "/local/domain/%d", domid);
	return xp_xs_exists(x->xs, path) == 1 ? DOM_EXISTS : DOM_GONE;
}

static int port_in_map(const struct xp_bridge *br, const char *port)
{
	for (size_t i = 0; i < br->nports; i++)
		if (!strcmp(br->ports[i], port))
			return 1;
	return 0;
}

/* ---- differences: what start would do, plus drift and conflicts ---- */

static json_object *jstr(const char *s)
{
	return json_object_new_string(s);
}

/* One item of the model's "drift" list, each field cut as the table has
 * always cut it. */
static void diff_add(json_object *drift, const char *dev, const char *what, const char *want,
		     const char *have)
{
	char d[XP_IFNAMSIZ], w[32], wa[96], h[128];
	json_object *j = json_object_new_object();

	snprintf(d, sizeof(d), "%s", dev);
	snprintf(w, sizeof(w), "%s", what);
	snprintf(wa, sizeof(wa), "%s", want);
	snprintf(h, sizeof(h), "%s", have);
	json_object_object_add(j, "device", jstr(d));
	json_object_object_add(j, "what", jstr(w));
	json_object_object_add(j, "want", jstr(wa));
	json_object_object_add(j, "have", jstr(h));
	json_object_array_add(drift, j);
}

static int creating(const struct xp_plan *p, const char *dev)
{
	return xp_plan_has_op(p, XP_OP_CREATE, dev, p->n);
}

/* One operation of start's plan as a difference (most follow from a
 * missing device and are not listed). */
static void op_diff(const struct xp_plan *p, const struct xp_op *op, json_object *drift)
{
	char want[96], have[128];

	switch (op->type) {
	case XP_OP_CREATE:
		diff_add(drift, op->dev, "exists", xp_kind_name(op->kind), "missing");
		break;
	case XP_OP_SET_MTU:
	case XP_OP_SET_FD:
		snprintf(want, sizeof(want), "%d", op->value);
		snprintf(have, sizeof(have), "%d", op->old);
		diff_add(drift, op->dev, op->type == XP_OP_SET_MTU ? "mtu" : "forward-delay", want,
			 have);
		break;
	case XP_OP_PIN_MTU:
		snprintf(want, sizeof(want), "%d, set (ports cannot move it)", op->value);
		snprintf(have, sizeof(have), "%d, following its ports", op->old);
		diff_add(drift, op->dev, "mtu", want, have);
		break;
	case XP_OP_SET_STP:
	case XP_OP_SET_VLANF:
		diff_add(drift, op->dev, op->type == XP_OP_SET_STP ? "stp" : "vlan-filtering",
			 op->value ? "on" : "off", op->old ? "on" : "off");
		break;
	case XP_OP_ADD_PORT:
		if (!creating(p, op->peer))
			diff_add(drift, op->peer, "port", op->dev, "not a port");
		break;
	case XP_OP_UP:
		diff_add(drift, op->dev, "up", "up", "down");
		break;
	case XP_OP_SET_LEARNING:
		diff_add(drift, op->dev, "learning", op->value ? "on" : "off",
			 op->old ? "on" : "off");
		break;
	case XP_OP_FLOOD_ADD:
		if (!creating(p, op->dev))
			diff_add(drift, op->dev, "flood-list",
				 xp_ipaddr_format(&op->ip, want, sizeof(want)), "missing");
		break;
	case XP_OP_FLOOD_DEL:
		diff_add(drift, op->dev, "flood-list", "not listed",
			 xp_ipaddr_format(&op->ip, have, sizeof(have)));
		break;
	case XP_OP_PORT_VLAN:
		snprintf(want, sizeof(want), "VLAN %d tagged on %s", op->value, op->peer);
		diff_add(drift, op->dev, "bridge-vlan", want, "missing");
		break;
	case XP_OP_DEL_ADDR:
		if (op->value == 1) {
			xp_addr_format(&op->addr, have, sizeof(have));
			snprintf(want, sizeof(want), "on %s", op->peer);
			diff_add(drift, op->dev, "address", want, have);
		}
		break;
	case XP_OP_DEL_ROUTE:
		if (op->value == 1) {
			xp_route_format(&op->route, have, sizeof(have));
			snprintf(want, sizeof(want), "via %s", op->peer);
			diff_add(drift, op->dev, "route", want, have);
		}
		break;
	default:
		break;
	}
}

static void op_diffs(const struct xp_plan *p, json_object *drift)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->ops[i].type == XP_OP_CREATE || !creating(p, p->ops[i].dev))
			op_diff(p, &p->ops[i], drift);
	for (size_t i = 0; i < p->ndrift; i++)
		diff_add(drift, p->drift[i].device, p->drift[i].what, p->drift[i].want,
			 p->drift[i].have);
	for (size_t i = 0; i < p->nerrors; i++)
		diff_add(drift, "-", "conflict", "start can apply the map", p->errors[i]);
}

/* Devices the map names that do not exist (start skips them: degraded). */
static json_object *missing_json(const struct xp_plan *p)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < p->nmissing; i++) {
		const struct xp_missing *mi = &p->missing[i];
		json_object *j = json_object_new_object();
		char where[200];
		size_t n = strlen(mi->where);

		/* "FILE:LINE: " -> "FILE:LINE" */
		snprintf(where, sizeof(where), "%.*s", (int)(n >= 2 ? n - 2 : 0), mi->where);
		json_object_object_add(j, "device", jstr(mi->device));
		json_object_object_add(j, "role", jstr(mi->role));
		json_object_object_add(j, "where", jstr(where));
		json_object_array_add(arr, j);
	}
	return arr;
}

/* ---- the model (docs/status-schema.json) ---- */

struct model {
	const struct xp_observed *o;
	const struct xp_state *s;
	struct xenctx x;
	json_object *drift; /* filled from the plan, then by stale guests */
};

static const struct xp_obs_link *live(const struct xp_observed *o, const char *name)
{
	const struct xp_obs_link *l = xp_obs_find(o, name);
	return l && l->kind != XP_K_ABSENT ? l : NULL;
}

/* name, exists, up, mtu, created: every entry of the map has them. */
static json_object *link_json(const char *name, const struct xp_obs_link *l,
			      const struct xp_state *s)
{
	const struct xp_st_dev *d = xp_state_dev(s, l ? l->name : "");
	json_object *j = json_object_new_object();

	json_object_object_add(j, "name", jstr(name));
	json_object_object_add(j, "exists", json_object_new_boolean(l != NULL));
	json_object_object_add(j, "up", json_object_new_boolean(l && l->up));
	json_object_object_add(j, "mtu", l ? json_object_new_int(l->mtu) : NULL);
	json_object_object_add(j, "created", json_object_new_boolean(d != NULL));
	return j;
}

/* The kind-specific status fields of a live link.  THE PLACE where the
 * kind table's status hook will be called (kind.h,
 * `void (*status_json)(struct json_object *j, const struct xp_obs_link *l)`,
 * looked up by the map entry's kind); until that is wired at the merge,
 * the one such field is the bond's mode, added for every [bond] entry. */
/* The kind's own fields (its row's status hook), null when the device is
 * missing or of another kind: the schema keeps every key. */
static void kind_status_json(json_object *j, const char *key, const struct xp_obs_link *l, int kind)
{
	const struct xp_kind *k = xp_kind_get(kind);

	if (l && l->kind == kind && k && k->status_json)
		k->status_json(j, l);
	else
		json_object_object_add(j, key, NULL);
}

static const char *dom_word(int st)
{
	return st == DOM_EXISTS ? "exists" : st == DOM_GONE ? "gone" : "unknown";
}

/* A port of a live bridge that the map does not list: a guest's vif, or
 * something else.  A vif whose domain is gone is drift. */
static json_object *guest_json(struct model *m, const char *port)
{
	int devid, domid = guest_of(&m->x, port, &devid);
	int st = domid >= 0 ? dom_state(&m->x, domid) : DOM_UNKNOWN;
	char name[65];
	int has_name = domain_name(&m->x, domid, name, sizeof(name));
	json_object *g = json_object_new_object();

	json_object_object_add(g, "port", jstr(port));
	json_object_object_add(g, "domid", domid >= 0 ? json_object_new_int(domid) : NULL);
	json_object_object_add(g, "devid", devid >= 0 ? json_object_new_int(devid) : NULL);
	json_object_object_add(g, "domain", has_name ? jstr(name) : NULL);
	json_object_object_add(g, "domain_state", jstr(domid >= 0 ? dom_word(st) : "unknown"));
	if (st == DOM_GONE) {
		char want[32];
		snprintf(want, sizeof(want), "domain %d", domid);
		diff_add(m->drift, port, "stale-vif", want, "domain gone");
	}
	return g;
}

static json_object *bridge_json(struct model *m, const struct xp_bridge *br)
{
	const struct xp_obs_link *l = live(m->o, br->name);
	json_object *j = link_json(br->name, l, m->s), *ports = json_object_new_array();
	json_object *guests = json_object_new_array();

	json_object_object_add(j, "stp", l ? json_object_new_boolean(l->stp) : NULL);
	json_object_object_add(j, "forward_delay",
			       l ? json_object_new_int(l->forward_delay) : NULL);
	json_object_object_add(j, "vlan_filtering",
			       l ? json_object_new_boolean(l->vlan_filtering) : NULL);
	json_object_object_add(j, "default", json_object_new_boolean(br->is_default));
	json_object_object_add(j, "move_addresses", json_object_new_boolean(br->move_addresses));
	for (size_t i = 0; i < br->nports; i++) {
		const struct xp_obs_link *p = live(m->o, br->ports[i]);
		json_object *pj = json_object_new_object();
		json_object_object_add(pj, "name", jstr(br->ports[i]));
		json_object_object_add(pj, "present", json_object_new_boolean(p != NULL));
		json_object_object_add(pj, "attached",
				       json_object_new_boolean(p && !strcmp(p->master, br->name)));
		json_object_array_add(ports, pj);
	}
	for (size_t i = 0; l && i < l->nports; i++)
		if (!port_in_map(br, l->ports[i]))
			json_object_array_add(guests, guest_json(m, l->ports[i]));
	json_object_object_add(j, "ports", ports);
	json_object_object_add(j, "guests", guests);
	return j;
}

static json_object *bond_json(struct model *m, const struct xp_bond *b)
{
	const struct xp_obs_link *l = live(m->o, b->name);
	json_object *j = link_json(b->name, l, m->s), *sl = json_object_new_array();

	kind_status_json(j, "mode", l, XP_K_BOND);
	json_object_object_add(j, "miimon", l ? json_object_new_int(l->miimon) : NULL);
	for (size_t k = 0; k < b->nslaves; k++) {
		const struct xp_obs_link *sv = live(m->o, b->slaves[k]);
		json_object *sj = json_object_new_object();
		json_object_object_add(sj, "name", jstr(b->slaves[k]));
		json_object_object_add(sj, "enslaved",
				       json_object_new_boolean(sv && !strcmp(sv->master, b->name)));
		json_object_array_add(sl, sj);
	}
	json_object_object_add(j, "slaves", sl);
	return j;
}

static json_object *vlan_json(struct model *m, const struct xp_vlan *v)
{
	json_object *j = link_json(v->name, live(m->o, v->name), m->s);

	json_object_object_add(j, "parent", jstr(v->parent));
	json_object_object_add(j, "id", json_object_new_int(v->id));
	return j;
}

/* The live fields come from the kind's status hook (vni, local, dstport,
 * learning, flood: the remotes the kernel floods to); the map's list is
 * beside them, and any difference is drift (from the plan's flood ops). */
static json_object *vxlan_json(struct model *m, const struct xp_vxlan *v)
{
	const struct xp_obs_link *l = live(m->o, v->name);
	const struct xp_kind *k = xp_kind_get(XP_K_VXLAN);
	json_object *j = link_json(v->name, l, m->s), *r = NULL;

	static const char *const live_keys[] = {"vni", "local", "dstport", "learning", "flood"};

	if (l && l->kind == XP_K_VXLAN && k && k->status_json)
		k->status_json(j, l);
	else
		for (size_t i = 0; i < sizeof(live_keys) / sizeof(live_keys[0]); i++)
			json_object_object_add(j, live_keys[i], NULL);
	if (v->has_remote) {
		char ip[64];
		r = json_object_new_array();
		for (size_t i = 0; i < v->nremotes; i++)
			json_object_array_add(
			    r, jstr(xp_ipaddr_format(&v->remotes[i], ip, sizeof(ip))));
	}
	json_object_object_add(j, "remotes", r);
	return j;
}

static json_object *network_json(struct model *m, const struct xp_network *nw)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "name", jstr(nw->name));
	json_object_object_add(j, "bridge", jstr(nw->bridge));
	json_object_object_add(j, "vlan", nw->vlan ? json_object_new_int(nw->vlan) : NULL);
	json_object_object_add(j, "bridge_exists",
			       json_object_new_boolean(live(m->o, nw->bridge) != NULL));
	return j;
}

/* The map's entries of one section, as an array under key. */
#define SECTION(root, key, n, item)                                                                \
	do {                                                                                       \
		json_object *arr_ = json_object_new_array();                                       \
		for (size_t i = 0; i < (n); i++)                                                   \
			json_object_array_add(arr_, (item));                                       \
		json_object_object_add((root), (key), arr_);                                       \
	} while (0)

/* "openvswitch": every OVS bridge with its ports (tags, trunks, guests)
 * and the map's drift, when the map has OVS bridges or ovsdb-server runs. */
/* An OVS drift entry "port: want P, have missing" where P is a device the
 * plan lists as missing (it does not exist): listed there, not as drift,
 * as for a Linux bridge. */
static int is_missing(json_object *missing, json_object *e)
{
	const char *what = json_object_get_string(json_object_object_get(e, "what"));
	const char *want = json_object_get_string(json_object_object_get(e, "want"));
	const char *have = json_object_get_string(json_object_object_get(e, "have"));

	if (!what || !want || !have || strcmp(what, "port") || strcmp(have, "missing"))
		return 0;
	for (size_t i = 0; i < json_object_array_length(missing); i++) {
		const char *d = json_object_get_string(
		    json_object_object_get(json_object_array_get_idx(missing, i), "device"));
		if (d && !strcmp(d, want))
			return 1;
	}
	return 0;
}

static void ovs_model(const struct xp_conf *c, json_object *root, json_object *drift,
		      json_object *missing)
{
	struct xp_ovsnet_map m;
	struct xp_ovs_obs ob;
	struct xp_ovsdb *db;
	json_object *j, *brs = NULL;
	char path[256], err[512];

	if (xp_ovsnet_map(c, &m))
		return;
	if (!m.n && !xp_ovsnet_present()) {
		xp_ovsnet_map_free(&m);
		return;
	}
	j = json_object_new_object();
	db = xp_ovsdb_open(xp_ovsdb_sock_path(path, sizeof(path)), 5000, err, sizeof(err));
	if (!db || xp_ovs_observe(db, &ob, err, sizeof(err))) {
		json_object_object_add(j, "ovsdb", jstr("unreachable"));
		json_object_object_add(j, "error", jstr(err));
		if (m.n)
			diff_add(drift, "ovsdb-server", "reachable", "yes", err);
	} else {
		json_object_object_add(j, "ovsdb", jstr("reachable"));
		xp_ovsnet_status(&ob, m.b, m.n, j);
		xp_ovs_obs_free(&ob);
		json_object_object_get_ex(j, "bridges", &brs);
	}
	for (size_t i = 0; brs && i < json_object_array_length(brs); i++) {
		json_object *b = json_object_array_get_idx(brs, i), *d = NULL;

		json_object_object_get_ex(b, "drift", &d);
		for (size_t k = 0; d && k < json_object_array_length(d); k++) {
			json_object *e = json_object_array_get_idx(d, k);

			if (is_missing(missing, e))
				continue;
			diff_add(drift, json_object_get_string(json_object_object_get(b, "name")),
				 json_object_get_string(json_object_object_get(e, "what")),
				 json_object_get_string(json_object_object_get(e, "want")),
				 json_object_get_string(json_object_object_get(e, "have")));
		}
	}
	json_object_object_add(root, "openvswitch", j);
	xp_ovsdb_close(db);
	xp_ovsnet_map_free(&m);
}

/* Running guests' vifs on no bridge (a bridge deleted or recreated under
 * them): start or reload puts them back. */
static void detached_diffs(struct model *m, struct nl_sock *sk)
{
	struct xp_nametab ports = {0};
	struct xp_guest *g;
	size_t n;

	for (size_t i = 0; i < m->o->n; i++)
		for (size_t j = 0; j < m->o->links[i].nports; j++)
			xp_nametab_put(&ports, m->o->links[i].ports[j], 1);
	n = xp_guests_detached_but(m->x.xs, sk, &ports, &g);
	xp_nametab_free(&ports);

	for (size_t i = 0; i < n; i++) {
		char want[48];

		snprintf(want, sizeof(want), "on a bridge (domain %d)", g[i].domid);
		diff_add(m->drift, g[i].name, "guest-vif", want, "on no bridge");
	}
	free(g);
}

json_object *xp_status_model(const char *mapname, const struct xp_conf *c,
			     const struct xp_observed *o, const struct xp_state *s,
			     struct nl_sock *sk)
{
	struct model m = {o, s, {0}, json_object_new_array()};
	json_object *root = json_object_new_object(), *missing, *brs;
	struct xp_conf cc;
	struct xp_plan p;

	xen_open(&m.x);
	load_renamed(&m.x);
	/* strict or not, status names a missing device as missing */
	cc = *c;
	cc.global.strict = 0;
	xp_plan_start(&cc, o, s, 0, &p);
	op_diffs(&p, m.drift);
	missing = missing_json(&p);
	xp_plan_free(&p);
	detached_diffs(&m, sk);
	json_object_object_add(root, "map", jstr(mapname));
	json_object_object_add(root, "xenstore", jstr(m.x.xs ? "reachable" : "unreachable"));
	json_object_object_add(root, "domain_source", jstr(m.x.source));
	brs = json_object_new_array();
	for (size_t i = 0; i < c->nbridges; i++)
		if (c->bridges[i].type != XP_BR_OVS)
			json_object_array_add(brs, bridge_json(&m, &c->bridges[i]));
	json_object_object_add(root, "bridges", brs);
	SECTION(root, "bonds", c->nbonds, bond_json(&m, &c->bonds[i]));
	SECTION(root, "vlans", c->nvlans, vlan_json(&m, &c->vlans[i]));
	SECTION(root, "dummies", c->ndummies,
		link_json(c->dummies[i].name, live(o, c->dummies[i].name), s));
	SECTION(root, "vxlans", c->nvxlans, vxlan_json(&m, &c->vxlans[i]));
	SECTION(root, "networks", c->nnetworks, network_json(&m, &c->networks[i]));
	ovs_model(c, root, m.drift, missing);
	json_object_object_add(root, "drift", m.drift);
	json_object_object_add(root, "missing", missing);
	json_object_object_add(root, "matches_map",
			       json_object_new_boolean(json_object_array_length(m.drift) == 0 &&
						       json_object_array_length(missing) == 0));
	xen_close(&m.x);
	return root;
}

int xp_status_run(const char *mapname, const struct xp_conf *c, const struct xp_observed *o,
		  const struct xp_state *s, struct nl_sock *sk, int json,
		  void (*extend)(struct json_object *model, void *arg), void *arg, FILE *out)
{
	json_object *model = xp_status_model(mapname, c, o, s, sk), *v = NULL;
	int rc;

	if (extend)
		extend(model, arg);
	json_object_object_get_ex(model, "matches_map", &v);
	rc = json_object_get_boolean(v) ? 0 : 1;
	/* only missing devices: degraded, as start's exit says */
	if (rc && json_object_object_get_ex(model, "drift", &v) && !json_object_array_length(v))
		rc = 3;
	if (json)
		fprintf(out, "%s\n",
			json_object_to_json_string_ext(model, JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		xp_status_render(model, out);
	json_object_put(model);
	return rc;
}
