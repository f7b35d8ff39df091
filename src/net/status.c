/* network-xenplumb status; see status.h.  What is live is compared with
 * the map by running the planner: every operation start would apply is a
 * difference, and so is every drift item and conflict it reports.  Guest
 * ports (anything on a bridge the map does not list) are tied to their
 * domain by name (vifD.N, vifD.N-emu) or, for renamed vifs, through
 * xenstore's backend/vif/D/N/vifname; whether the domain still exists is
 * asked of libxenctrl, or of xenstore when there is no hypervisor. */
#include "net/status.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>
#include <xenstore.h>
#include <xentoollog.h>

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
	x->xs = xs_open(XS_OPEN_READONLY);
	if (!x->xs)
		x->xs = xs_open(0);
	x->source = x->xc ? "xenctrl" : x->xs ? "xenstore" : "none";
}

static void xen_close(struct xenctx *x)
{
	if (x->xc)
		xc_interface_close(x->xc);
	if (x->xs)
		xs_close(x->xs);
	if (x->quiet)
		xtl_logger_destroy((xentoollog_logger *)x->quiet);
	free(x->ren);
}

static char *xs_get(struct xenctx *x, const char *path)
{
	unsigned int len = 0;

	if (!x->xs)
		return NULL;
	return xs_read(x->xs, XBT_NULL, path, &len);
}

/* vifnames of every dom0 vif backend, for vifs renamed by vifname=. */
static void load_renamed(struct xenctx *x)
{
	unsigned int nd = 0, nv;
	char **doms, **devs, path[96];

	if (!x->xs)
		return;
	doms = xs_directory(x->xs, XBT_NULL, "/local/domain/0/backend/vif", &nd);
	for (unsigned i = 0; doms && i < nd; i++) {
		long d, v;
		if (xp_parse_uint(doms[i], 0, 0x7fef, &d) < 0)
			continue;
		snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%ld", d);
		nv = 0;
		devs = xs_directory(x->xs, XBT_NULL, path, &nv);
		for (unsigned j = 0; devs && j < nv; j++) {
			char *name;
			struct renamed *r;
			if (xp_parse_uint(devs[j], 0, 0xffff, &v) < 0)
				continue;
			char p2[128];
			snprintf(p2, sizeof(p2), "/local/domain/0/backend/vif/%ld/%ld/vifname", d,
				 v);
			name = xs_get(x, p2);
			if (name && xp_valid_ifname(name, NULL) == 0 &&
			    (r = realloc(x->ren, (x->nren + 1) * sizeof(*r)))) {
				x->ren = r;
				r = &x->ren[x->nren++];
				snprintf(r->name, sizeof(r->name), "%s", name);
				r->domid = (int)d;
				r->devid = (int)v;
			}
			free(name);
		}
		free(devs);
	}
	free(doms);
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
	char *v;

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
	{
		unsigned int len;
		v = xs_read(x->xs, XBT_NULL, path, &len);
	}
	if (v) {
		free(v);
		return DOM_EXISTS;
	}
	return DOM_GONE;
}

static int port_in_map(const struct xp_bridge *br, const char *port)
{
	for (size_t i = 0; i < br->nports; i++)
		if (!strcmp(br->ports[i], port))
			return 1;
	return 0;
}

/* ---- differences: what start would do, plus drift and conflicts ---- */

struct diff {
	char device[XP_IFNAMSIZ];
	char what[32];
	char want[96];
	char have[128];
};

static void diff_add(struct diff **v, size_t *n, const char *dev, const char *what,
		     const char *want, const char *have)
{
	struct diff *d = realloc(*v, (*n + 1) * sizeof(**v));
	if (!d)
		abort();
	*v = d;
	d = &d[(*n)++];
	snprintf(d->device, sizeof(d->device), "%s", dev);
	snprintf(d->what, sizeof(d->what), "%s", what);
	snprintf(d->want, sizeof(d->want), "%s", want);
	snprintf(d->have, sizeof(d->have), "%s", have);
}

static int creating(const struct xp_plan *p, const char *dev)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->ops[i].type == XP_OP_CREATE && !strcmp(p->ops[i].dev, dev))
			return 1;
	return 0;
}

static void op_diffs(const struct xp_plan *p, struct diff **v, size_t *n)
{
	char want[96], have[128];

	for (size_t i = 0; i < p->n; i++) {
		const struct xp_op *op = &p->ops[i];
		if (op->type != XP_OP_CREATE && creating(p, op->dev))
			continue; /* follows from the missing device */
		switch (op->type) {
		case XP_OP_CREATE:
			diff_add(v, n, op->dev, "exists", xp_kind_name(op->kind), "missing");
			break;
		case XP_OP_SET_MTU:
		case XP_OP_SET_FD:
			snprintf(want, sizeof(want), "%d", op->value);
			snprintf(have, sizeof(have), "%d", op->old);
			diff_add(v, n, op->dev, op->type == XP_OP_SET_MTU ? "mtu" : "forward-delay",
				 want, have);
			break;
		case XP_OP_SET_STP:
		case XP_OP_SET_VLANF:
			diff_add(v, n, op->dev,
				 op->type == XP_OP_SET_STP ? "stp" : "vlan-filtering",
				 op->value ? "on" : "off", op->old ? "on" : "off");
			break;
		case XP_OP_ADD_PORT:
			if (!creating(p, op->peer))
				diff_add(v, n, op->peer, "port", op->dev, "not a port");
			break;
		case XP_OP_UP:
			diff_add(v, n, op->dev, "up", "up", "down");
			break;
		case XP_OP_PORT_VLAN:
			snprintf(want, sizeof(want), "VLAN %d tagged on %s", op->value, op->peer);
			diff_add(v, n, op->dev, "bridge-vlan", want, "missing");
			break;
		case XP_OP_DEL_ADDR:
			if (op->value == 1) {
				xp_addr_format(&op->addr, have, sizeof(have));
				snprintf(want, sizeof(want), "on %s", op->peer);
				diff_add(v, n, op->dev, "address", want, have);
			}
			break;
		case XP_OP_DEL_ROUTE:
			if (op->value == 1) {
				xp_route_format(&op->route, have, sizeof(have));
				snprintf(want, sizeof(want), "via %s", op->peer);
				diff_add(v, n, op->dev, "route", want, have);
			}
			break;
		default:
			break;
		}
	}
	for (size_t i = 0; i < p->ndrift; i++)
		diff_add(v, n, p->drift[i].device, p->drift[i].what, p->drift[i].want,
			 p->drift[i].have);
	for (size_t i = 0; i < p->nerrors; i++)
		diff_add(v, n, "-", "conflict", "start can apply the map", p->errors[i]);
}

/* ---- output ---- */

static json_object *jstr(const char *s)
{
	return json_object_new_string(s);
}

static const struct xp_obs_link *live(const struct xp_observed *o, const char *name)
{
	const struct xp_obs_link *l = xp_obs_find(o, name);
	return l && l->kind != XP_K_ABSENT ? l : NULL;
}

static void link_common(json_object *j, const struct xp_obs_link *l, const struct xp_state *s)
{
	const struct xp_st_dev *d = xp_state_dev(s, l ? l->name : "");

	json_object_object_add(j, "exists", json_object_new_boolean(l != NULL));
	json_object_object_add(j, "up", json_object_new_boolean(l && l->up));
	json_object_object_add(j, "mtu", l ? json_object_new_int(l->mtu) : NULL);
	json_object_object_add(j, "created", json_object_new_boolean(d != NULL));
}

static const char *dom_word(int st)
{
	return st == DOM_EXISTS ? "exists" : st == DOM_GONE ? "gone" : "unknown";
}

static json_object *bridge_json(const struct xp_bridge *br, const struct xp_observed *o,
				const struct xp_state *s, struct xenctx *x, struct diff **dv,
				size_t *dn, FILE *txt)
{
	const struct xp_obs_link *l = live(o, br->name);
	json_object *j = json_object_new_object(), *ports = json_object_new_array();
	json_object *guests = json_object_new_array();

	json_object_object_add(j, "name", jstr(br->name));
	link_common(j, l, s);
	json_object_object_add(j, "stp", l ? json_object_new_boolean(l->stp) : NULL);
	json_object_object_add(j, "forward_delay",
			       l ? json_object_new_int(l->forward_delay) : NULL);
	json_object_object_add(j, "vlan_filtering",
			       l ? json_object_new_boolean(l->vlan_filtering) : NULL);
	json_object_object_add(j, "default", json_object_new_boolean(br->is_default));
	json_object_object_add(j, "move_addresses", json_object_new_boolean(br->move_addresses));
	if (txt) {
		if (l)
			fprintf(txt, "bridge %s: %s, mtu %d, stp %s, forward-delay %d%s%s\n",
				br->name, l->up ? "up" : "DOWN", l->mtu, l->stp ? "on" : "off",
				l->forward_delay, l->vlan_filtering ? ", vlan-filtering" : "",
				xp_state_dev(s, br->name) ? ", created by xenplumb" : ", adopted");
		else
			fprintf(txt, "bridge %s: MISSING\n", br->name);
	}
	for (size_t i = 0; i < br->nports; i++) {
		const struct xp_obs_link *p = live(o, br->ports[i]);
		int in = p && !strcmp(p->master, br->name);
		json_object *pj = json_object_new_object();
		json_object_object_add(pj, "name", jstr(br->ports[i]));
		json_object_object_add(pj, "present", json_object_new_boolean(p != NULL));
		json_object_object_add(pj, "attached", json_object_new_boolean(in));
		json_object_array_add(ports, pj);
		if (txt)
			fprintf(txt, "  port %s: %s\n", br->ports[i],
				in  ? "attached"
				: p ? "NOT ATTACHED"
				    : "MISSING");
	}
	for (size_t i = 0; l && i < l->nports; i++) {
		int devid, domid, st;
		char *name = NULL;
		json_object *g;

		if (port_in_map(br, l->ports[i]))
			continue;
		domid = guest_of(x, l->ports[i], &devid);
		st = domid >= 0 ? dom_state(x, domid) : DOM_UNKNOWN;
		if (domid >= 0) {
			char p2[64];
			snprintf(p2, sizeof(p2), "/local/domain/%d/name", domid);
			name = xs_get(x, p2);
		}
		if (name && xp_valid_text(name, 64) != 0) {
			free(name);
			name = NULL;
		}
		g = json_object_new_object();
		json_object_object_add(g, "port", jstr(l->ports[i]));
		json_object_object_add(g, "domid", domid >= 0 ? json_object_new_int(domid) : NULL);
		json_object_object_add(g, "devid", devid >= 0 ? json_object_new_int(devid) : NULL);
		json_object_object_add(g, "domain", name ? jstr(name) : NULL);
		json_object_object_add(g, "domain_state",
				       jstr(domid >= 0 ? dom_word(st) : "unknown"));
		json_object_array_add(guests, g);
		if (txt) {
			if (domid >= 0)
				fprintf(txt, "  guest %s: domain %d%s%s%s, %s\n", l->ports[i],
					domid, name ? " \"" : "", name ? name : "",
					name ? "\"" : "", dom_word(st));
			else
				fprintf(txt, "  other port %s (not in the map, not a vif)\n",
					l->ports[i]);
		}
		if (st == DOM_GONE) {
			char want[32];
			snprintf(want, sizeof(want), "domain %d", domid);
			diff_add(dv, dn, l->ports[i], "stale-vif", want, "domain gone");
		}
		free(name);
	}
	json_object_object_add(j, "ports", ports);
	json_object_object_add(j, "guests", guests);
	return j;
}

int xp_status_run(const char *mapname, const struct xp_conf *c, const struct xp_observed *o,
		  const struct xp_state *s, int json, FILE *out)
{
	struct xenctx x;
	struct xp_plan p;
	struct diff *dv = NULL;
	size_t dn = 0;
	FILE *txt = json ? NULL : out;
	json_object *root = json_object_new_object(), *arr;
	int rc;

	xen_open(&x);
	load_renamed(&x);
	xp_plan_start(c, o, s, 0, &p);
	op_diffs(&p, &dv, &dn);
	json_object_object_add(root, "map", jstr(mapname));
	json_object_object_add(root, "xenstore", jstr(x.xs ? "reachable" : "unreachable"));
	json_object_object_add(root, "domain_source", jstr(x.source));

	arr = json_object_new_array();
	for (size_t i = 0; i < c->nbridges; i++)
		json_object_array_add(arr, bridge_json(&c->bridges[i], o, s, &x, &dv, &dn, txt));
	json_object_object_add(root, "bridges", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < c->nbonds; i++) {
		const struct xp_bond *b = &c->bonds[i];
		const struct xp_obs_link *l = live(o, b->name);
		json_object *j = json_object_new_object(), *sl = json_object_new_array();
		json_object_object_add(j, "name", jstr(b->name));
		link_common(j, l, s);
		json_object_object_add(
		    j, "mode",
		    l && l->kind == XP_K_BOND ? jstr(xp_bond_mode_name(l->bond_mode)) : NULL);
		json_object_object_add(j, "miimon", l ? json_object_new_int(l->miimon) : NULL);
		if (txt)
			fprintf(txt, "bond %s: %s", b->name,
				!l	? "MISSING"
				: l->up ? "up"
					: "DOWN");
		if (txt && l)
			fprintf(txt, ", mode %s, miimon %d, slaves",
				xp_bond_mode_name(l->bond_mode), l->miimon);
		for (size_t k = 0; k < b->nslaves; k++) {
			const struct xp_obs_link *sv = live(o, b->slaves[k]);
			int en = sv && !strcmp(sv->master, b->name);
			json_object *sj = json_object_new_object();
			json_object_object_add(sj, "name", jstr(b->slaves[k]));
			json_object_object_add(sj, "enslaved", json_object_new_boolean(en));
			json_object_array_add(sl, sj);
			if (txt && l)
				fprintf(txt, " %s%s", b->slaves[k], en ? "" : "(NOT ENSLAVED)");
		}
		if (txt)
			fprintf(txt, "\n");
		json_object_object_add(j, "slaves", sl);
		json_object_array_add(arr, j);
	}
	json_object_object_add(root, "bonds", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < c->nvlans; i++) {
		const struct xp_vlan *v = &c->vlans[i];
		const struct xp_obs_link *l = live(o, v->name);
		json_object *j = json_object_new_object();
		json_object_object_add(j, "name", jstr(v->name));
		link_common(j, l, s);
		json_object_object_add(j, "parent", jstr(v->parent));
		json_object_object_add(j, "id", json_object_new_int(v->id));
		json_object_array_add(arr, j);
		if (txt)
			fprintf(txt, "vlan %s: %s, parent %s, id %d\n", v->name,
				!l	? "MISSING"
				: l->up ? "up"
					: "DOWN",
				v->parent, v->id);
	}
	json_object_object_add(root, "vlans", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < c->ndummies; i++) {
		const struct xp_obs_link *l = live(o, c->dummies[i].name);
		json_object *j = json_object_new_object();
		json_object_object_add(j, "name", jstr(c->dummies[i].name));
		link_common(j, l, s);
		json_object_array_add(arr, j);
		if (txt)
			fprintf(txt, "dummy %s: %s\n", c->dummies[i].name,
				!l	? "MISSING"
				: l->up ? "up"
					: "DOWN");
	}
	json_object_object_add(root, "dummies", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < c->nnetworks; i++) {
		const struct xp_network *nw = &c->networks[i];
		json_object *j = json_object_new_object();
		json_object_object_add(j, "name", jstr(nw->name));
		json_object_object_add(j, "bridge", jstr(nw->bridge));
		json_object_object_add(j, "vlan", nw->vlan ? json_object_new_int(nw->vlan) : NULL);
		json_object_object_add(j, "bridge_exists",
				       json_object_new_boolean(live(o, nw->bridge) != NULL));
		json_object_array_add(arr, j);
		if (txt) {
			fprintf(txt, "network %s: bridge %s", nw->name, nw->bridge);
			if (nw->vlan)
				fprintf(txt, " vlan %d", nw->vlan);
			fprintf(txt, "\n");
		}
	}
	json_object_object_add(root, "networks", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < dn; i++) {
		json_object *j = json_object_new_object();
		json_object_object_add(j, "device", jstr(dv[i].device));
		json_object_object_add(j, "what", jstr(dv[i].what));
		json_object_object_add(j, "want", jstr(dv[i].want));
		json_object_object_add(j, "have", jstr(dv[i].have));
		json_object_array_add(arr, j);
	}
	json_object_object_add(root, "drift", arr);
	rc = dn ? 1 : 0;
	json_object_object_add(root, "matches_map", json_object_new_boolean(rc == 0));
	if (json) {
		fprintf(out, "%s\n",
			json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		if (!x.xs)
			fprintf(out, "xenstore: unreachable (guest domains unknown)\n");
		if (dn) {
			fprintf(out, "drift (%zu):\n", dn);
			for (size_t i = 0; i < dn; i++)
				fprintf(out, "  %s %s: want %s, have %s\n", dv[i].device,
					dv[i].what, dv[i].want, dv[i].have);
		}
		fprintf(out, "%s\n",
			rc ? "status: DRIFT -- live differs from the map"
			   : "status: OK -- live matches the map");
	}
	json_object_put(root);
	free(dv);
	xp_plan_free(&p);
	xen_close(&x);
	return rc;
}
