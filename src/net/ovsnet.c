/* Open vSwitch bridges of the map: see ovsnet.h. */
#include "net/ovsnet.h"

#include <json-c/json.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/nl.h"
#include "common/ovs.h"
#include "map/conf.h"

#define OWN_BRIDGE "bridge"
#define OWN_PORT   "map-port"

/* ---- the map ---------------------------------------------------------------- */

int xp_ovsnet_map(const struct xp_conf *c, struct xp_ovsnet_map *m)
{
	size_t i, j, np = 0;

	memset(m, 0, sizeof(*m));
	for (i = 0; c && i < c->nbridges; i++)
		np += c->bridges[i].type == XP_BR_OVS ? c->bridges[i].nports : 0;
	m->b = calloc(c ? c->nbridges + 1 : 1, sizeof(*m->b));
	m->locs = calloc(c ? c->nbridges + 1 : 1, sizeof(*m->locs));
	m->ports = calloc(np + 1, sizeof(*m->ports));
	if (!m->b || !m->locs || !m->ports) {
		xp_ovsnet_map_free(m);
		return -1;
	}
	for (i = 0, np = 0; c && i < c->nbridges; i++) {
		const struct xp_bridge *br = &c->bridges[i];
		struct xp_ovsnet_bridge *b = &m->b[m->n];

		if (br->type != XP_BR_OVS)
			continue;
		if (br->loc.file)
			snprintf(m->locs[m->n], sizeof(m->locs[0]), "%s:%d: ", br->loc.file,
				 br->loc.line);
		b->name = br->name;
		b->datapath_type = br->datapath_type;
		b->mtu = br->mtu > 0 ? br->mtu : 0;
		b->loc = m->locs[m->n];
		b->ports = m->ports + np;
		for (j = 0; j < br->nports; j++)
			m->ports[np++] = br->ports[j];
		b->nports = br->nports;
		m->n++;
	}
	return 0;
}

void xp_ovsnet_map_free(struct xp_ovsnet_map *m)
{
	free(m->b);
	free(m->locs);
	free(m->ports);
	memset(m, 0, sizeof(*m));
}

int xp_ovsnet_present(void)
{
	char path[256];
	struct stat st;
	const char *p = xp_ovsdb_sock_path(path, sizeof(path));

	if (!strncmp(p, "unix:", 5))
		p += 5;
	return stat(p, &st) == 0;
}

/* ---- observing -------------------------------------------------------------- */

static const char *col_str(json_object *row, const char *col)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(row, col, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static long col_int(json_object *row, const char *col, long dflt)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(row, col, &v))
		return dflt;
	if (xp_ovsdb_set_len(v) == 1 && !json_object_is_type(v, json_type_array))
		return (long)json_object_get_int64(v);
	if (xp_ovsdb_set_len(v) == 1)
		return (long)json_object_get_int64(xp_ovsdb_set_at(v, 0));
	return dflt;
}

static const char *col_uuid(json_object *row, const char *col)
{
	json_object *v = NULL;
	const char *s;

	json_object_object_get_ex(row, col, &v);
	s = xp_ovsdb_uuid_str(v);
	return s ? s : "";
}

static const char *col_id(json_object *row, const char *key)
{
	json_object *v = NULL;
	const char *s;

	json_object_object_get_ex(row, "external_ids", &v);
	s = xp_ovsdb_map_get(v, key);
	return s ? s : "";
}

static void ints_text(json_object *set, char *buf, size_t len)
{
	size_t i, n = xp_ovsdb_set_len(set), off = 0;

	buf[0] = 0;
	for (i = 0; i < n && off + 8 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%lld", i ? "," : "",
					(long long)json_object_get_int64(xp_ovsdb_set_at(set, i)));
}

static json_object *find_row(json_object *rows, const char *uuid)
{
	size_t i, n = rows ? json_object_array_length(rows) : 0;

	for (i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(rows, i);

		if (!strcmp(col_uuid(r, "_uuid"), uuid))
			return r;
	}
	return NULL;
}

/* The bridge whose ports include uuid, or NULL. */
static json_object *bridge_of(json_object *brows, const char *uuid)
{
	size_t i, j, n = brows ? json_object_array_length(brows) : 0;

	for (i = 0; i < n; i++) {
		json_object *b = json_object_array_get_idx(brows, i), *ports = NULL;

		json_object_object_get_ex(b, "ports", &ports);
		for (j = 0; j < xp_ovsdb_set_len(ports); j++) {
			const char *u = xp_ovsdb_uuid_str(xp_ovsdb_set_at(ports, j));

			if (u && !strcmp(u, uuid))
				return b;
		}
	}
	return NULL;
}

static void fill_port(struct xp_ovs_oport *p, json_object *row, json_object *brows,
		      json_object *irows)
{
	json_object *v = NULL, *ifaces = NULL, *ir, *b;

	snprintf(p->name, sizeof(p->name), "%s", col_str(row, "name"));
	snprintf(p->uuid, sizeof(p->uuid), "%s", col_uuid(row, "_uuid"));
	snprintf(p->owner, sizeof(p->owner), "%s", col_id(row, XP_OVS_OWNER_KEY));
	p->tag = (int)col_int(row, "tag", 0);
	json_object_object_get_ex(row, "trunks", &v);
	ints_text(v, p->trunks, sizeof(p->trunks));
	json_object_object_get_ex(row, "vlan_mode", &v);
	snprintf(p->vlan_mode, sizeof(p->vlan_mode), "%s",
		 json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "");
	b = bridge_of(brows, p->uuid);
	snprintf(p->bridge, sizeof(p->bridge), "%s", b ? col_str(b, "name") : "");
	json_object_object_get_ex(row, "interfaces", &ifaces);
	p->nifaces = (int)xp_ovsdb_set_len(ifaces);
	ir = NULL;
	if (p->nifaces && xp_ovsdb_uuid_str(xp_ovsdb_set_at(ifaces, 0)))
		ir = find_row(irows, xp_ovsdb_uuid_str(xp_ovsdb_set_at(ifaces, 0)));
	p->ofport = ir ? col_int(ir, "ofport", -1) : -1;
	snprintf(p->type, sizeof(p->type), "%s", ir ? col_str(ir, "type") : "");
	json_object_object_get_ex(ir, "error", &v);
	snprintf(p->error, sizeof(p->error), "%s",
		 ir && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "");
}

static int fill_obs(struct xp_ovs_obs *o, json_object *brows, json_object *prows,
		    json_object *irows)
{
	size_t i, nb = json_object_array_length(brows), np = json_object_array_length(prows);

	o->b = calloc(nb + 1, sizeof(*o->b));
	o->p = calloc(np + 1, sizeof(*o->p));
	if (!o->b || !o->p)
		return -1;
	for (i = 0; i < nb; i++) {
		json_object *r = json_object_array_get_idx(brows, i), *ir;
		struct xp_ovs_obridge *b = &o->b[o->nb++];
		size_t j;

		snprintf(b->name, sizeof(b->name), "%s", col_str(r, "name"));
		snprintf(b->uuid, sizeof(b->uuid), "%s", col_uuid(r, "_uuid"));
		snprintf(b->owner, sizeof(b->owner), "%s", col_id(r, XP_OVS_OWNER_KEY));
		snprintf(b->datapath_type, sizeof(b->datapath_type), "%s",
			 col_str(r, "datapath_type"));
		for (j = 0, ir = NULL; j < json_object_array_length(irows) && !ir; j++)
			if (!strcmp(col_str(json_object_array_get_idx(irows, j), "name"), b->name))
				ir = json_object_array_get_idx(irows, j);
		b->mtu = ir ? (int)col_int(ir, "mtu_request", 0) : 0;
	}
	for (i = 0; i < np; i++)
		fill_port(&o->p[o->np++], json_object_array_get_idx(prows, i), brows, irows);
	return 0;
}

int xp_ovs_observe(struct xp_ovsdb *db, struct xp_ovs_obs *o, char *err, size_t errlen)
{
	struct xp_ovsdb_txn t;
	json_object *res;
	int ob, op, oi, rc;

	memset(o, 0, sizeof(*o));
	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	ob = xp_ovsdb_op_select(&t, "Bridge", xp_ovsdb_where(NULL, NULL, NULL),
				xp_ovsdb_columns("_uuid name ports datapath_type external_ids"));
	op = xp_ovsdb_op_select(&t, "Port", xp_ovsdb_where(NULL, NULL, NULL),
				xp_ovsdb_columns("_uuid name tag trunks vlan_mode external_ids "
						 "interfaces"));
	oi = xp_ovsdb_op_select(&t, "Interface", xp_ovsdb_where(NULL, NULL, NULL),
				xp_ovsdb_columns("_uuid name type error ofport mtu_request"));
	rc = xp_ovsdb_transact(db, &t, &res, err, errlen);
	xp_ovsdb_txn_free(&t);
	if (rc)
		return -1;
	rc = fill_obs(o, xp_ovsdb_result_rows(res, ob), xp_ovsdb_result_rows(res, op),
		      xp_ovsdb_result_rows(res, oi));
	json_object_put(res);
	if (rc) {
		xp_ovs_obs_free(o);
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}

void xp_ovs_obs_free(struct xp_ovs_obs *o)
{
	free(o->b);
	free(o->p);
	memset(o, 0, sizeof(*o));
}

const struct xp_ovs_obridge *xp_ovs_obs_bridge(const struct xp_ovs_obs *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nb; i++)
		if (!strcmp(o->b[i].name, name))
			return &o->b[i];
	return NULL;
}

const struct xp_ovs_oport *xp_ovs_obs_port(const struct xp_ovs_obs *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->np; i++)
		if (!strcmp(o->p[i].name, name))
			return &o->p[i];
	return NULL;
}

/* ---- start ---------------------------------------------------------------------- */

static void say(xp_ovsnet_say fn, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(xp_ovsnet_say fn, void *ctx, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (fn)
		fn(ctx, line);
}

static json_object *name_where(const char *name)
{
	return xp_ovsdb_where("name", "==", json_object_new_string(name));
}

static json_object *owner_ids(const char *owner)
{
	json_object *m = xp_ovsdb_map();

	xp_ovsdb_map_put(m, XP_OVS_OWNER_KEY, owner);
	return m;
}

/* Insert Interface+Port named name (type "" or "internal"), as uuid-name
 * "pI"; the wait before it makes sure no port of that name appeared. */
static void insert_port(struct xp_ovsdb_txn *t, const char *name, const char *type, int mtu,
			const char *owner, int i)
{
	json_object *ir = json_object_new_object(), *pr = json_object_new_object();
	char in[24], pn[24];

	snprintf(in, sizeof(in), "i%d", i);
	snprintf(pn, sizeof(pn), "p%d", i);
	xp_ovsdb_op_wait(t, "Port", name_where(name), xp_ovsdb_columns("name"),
			 "==", json_object_new_array(), 0);
	json_object_object_add(ir, "name", json_object_new_string(name));
	json_object_object_add(ir, "type", json_object_new_string(type));
	if (mtu > 0)
		json_object_object_add(ir, "mtu_request", json_object_new_int(mtu));
	xp_ovsdb_op_insert(t, "Interface", ir, in, NULL);
	json_object_object_add(pr, "name", json_object_new_string(name));
	json_object_object_add(pr, "interfaces", xp_ovsdb_named(in));
	if (owner)
		json_object_object_add(pr, "external_ids", owner_ids(owner));
	xp_ovsdb_op_insert(t, "Port", pr, pn, NULL);
}

static void bump(struct xp_ovsdb_txn *t, int *sel)
{
	json_object *m = json_object_new_array();

	xp_ovsdb_mutation(m, "next_cfg", "+=", json_object_new_int(1));
	xp_ovsdb_op_mutate(t, "Open_vSwitch", xp_ovsdb_where(NULL, NULL, NULL), m);
	*sel = xp_ovsdb_op_select(t, "Open_vSwitch", xp_ovsdb_where(NULL, NULL, NULL),
				  xp_ovsdb_columns("next_cfg"));
}

/* The ops creating bridge b with its ports (named-uuid "br"). */
static void create_ops(struct xp_ovsdb_txn *t, const struct xp_ovsnet_bridge *b)
{
	json_object *row = json_object_new_object(), *ports = json_object_new_array(), *m;
	size_t i;

	xp_ovsdb_op_wait(t, "Bridge", name_where(b->name), xp_ovsdb_columns("name"),
			 "==", json_object_new_array(), 0);
	insert_port(t, b->name, "internal", b->mtu, NULL, 0);
	json_object_array_add(ports, xp_ovsdb_named("p0"));
	for (i = 0; i < b->nports; i++) {
		char pn[24];

		insert_port(t, b->ports[i], "", 0, OWN_PORT, (int)i + 1);
		snprintf(pn, sizeof(pn), "p%zu", i + 1);
		json_object_array_add(ports, xp_ovsdb_named(pn));
	}
	json_object_object_add(row, "name", json_object_new_string(b->name));
	json_object_object_add(row, "ports", xp_ovsdb_set(ports));
	if (b->datapath_type && *b->datapath_type)
		json_object_object_add(row, "datapath_type",
				       json_object_new_string(b->datapath_type));
	json_object_object_add(row, "external_ids", owner_ids(OWN_BRIDGE));
	xp_ovsdb_op_insert(t, "Bridge", row, "br", NULL);
	m = json_object_new_array();
	xp_ovsdb_mutation(m, "bridges", "insert", xp_ovsdb_named("br"));
	xp_ovsdb_op_mutate(t, "Open_vSwitch", xp_ovsdb_where(NULL, NULL, NULL), m);
}

#define MAXPORTS 64

struct added {
	const char *names[MAXPORTS];
	size_t n;
};

/* A port of the map that is on another bridge (or on none) is never moved. */
static int port_taken(const struct xp_ovsnet_bridge *b, const struct xp_ovs_oport *p, char *err,
		      size_t errlen)
{
	snprintf(err, errlen,
		 "%sport %s of OVS bridge %s is a port of OVS bridge %s; xenplumb does not move it",
		 b->loc ? b->loc : "", p->name, b->name, *p->bridge ? p->bridge : "(none)");
	return -1;
}

/* Ops adding b's missing ports to the observed bridge (their names into
 * *a); how many ops. */
static int adopt_ops(struct xp_ovsdb_txn *t, const struct xp_ovsnet_bridge *b,
		     const struct xp_ovs_obs *o, struct added *a, xp_ovsnet_say fn, void *ctx,
		     char *err, size_t errlen)
{
	const struct xp_ovs_obridge *ob = xp_ovs_obs_bridge(o, b->name);
	int n = 0;
	size_t i;

	for (i = 0; i < b->nports; i++) {
		const struct xp_ovs_oport *p = xp_ovs_obs_port(o, b->ports[i]);
		json_object *m;
		char pn[24];

		if (p && !strcmp(p->bridge, b->name))
			continue;
		if (p)
			return port_taken(b, p, err, errlen);
		insert_port(t, b->ports[i], "", 0, OWN_PORT, (int)i + 1);
		a->names[a->n++] = b->ports[i];
		snprintf(pn, sizeof(pn), "p%zu", i + 1);
		m = json_object_new_array();
		xp_ovsdb_mutation(m, "ports", "insert", xp_ovsdb_named(pn));
		xp_ovsdb_op_mutate(t, "Bridge", name_where(b->name), m);
		say(fn, ctx, "add port %s to OVS bridge %s (in the map)", b->ports[i], b->name);
		n++;
	}
	if (b->mtu > 0 && ob->mtu != b->mtu) {
		json_object *row = json_object_new_object();

		json_object_object_add(row, "mtu_request", json_object_new_int(b->mtu));
		xp_ovsdb_op_update(t, "Interface", name_where(b->name), row);
		say(fn, ctx, "set mtu of OVS bridge %s to %d", b->name, b->mtu);
		n++;
	}
	return n;
}

/* Interface errors of b's map ports, after ovs-vswitchd applied them. */
static int port_errors(const struct xp_ovs_obs *o, const struct xp_ovsnet_bridge *b, char *err,
		       size_t errlen)
{
	size_t i;

	for (i = 0; i < b->nports; i++) {
		const struct xp_ovs_oport *p = xp_ovs_obs_port(o, b->ports[i]);

		if (p && *p->error) {
			snprintf(err, errlen, "%sOVS bridge %s: port %s: %s", b->loc ? b->loc : "",
				 b->name, p->name, p->error);
			return -1;
		}
	}
	return 0;
}

/* Take back this run's transaction for b: the bridge when it was created,
 * else the map ports it added (created: 1). */
static void undo_bridge(struct xp_ovsdb *db, const struct xp_ovs_obs *o,
			const struct xp_ovsnet_bridge *b, int created, const char *const *added,
			size_t nadded)
{
	const struct xp_ovs_obridge *ob = xp_ovs_obs_bridge(o, b->name);
	struct xp_ovsdb_txn t;
	json_object *m = json_object_new_array(), *res = NULL;
	char e2[256];
	int sel;

	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	if (created && ob) {
		xp_ovsdb_mutation(m, "bridges", "delete", xp_ovsdb_uuid(ob->uuid));
		xp_ovsdb_op_mutate(&t, "Open_vSwitch", xp_ovsdb_where(NULL, NULL, NULL), m);
	} else {
		for (size_t i = 0; i < nadded; i++) {
			const struct xp_ovs_oport *p = xp_ovs_obs_port(o, added[i]);

			if (p)
				xp_ovsdb_mutation(m, "ports", "delete", xp_ovsdb_uuid(p->uuid));
		}
		xp_ovsdb_op_mutate(&t, "Bridge", name_where(b->name), m);
	}
	bump(&t, &sel);
	if (!xp_ovsdb_transact(db, &t, &res, e2, sizeof(e2)))
		json_object_put(res);
	xp_ovsdb_txn_free(&t);
}

/* Bring the bridge's internal port and its map ports up (never down). */
static void links_up(const struct xp_ovsnet_bridge *b)
{
	struct nl_sock *sk = xp_nl_open();
	size_t i;

	if (!sk)
		return;
	for (i = 0; i <= b->nports; i++) {
		struct xp_link *l = NULL;
		struct xp_link_set up = XP_LINK_SET_INIT;
		const char *name = i ? b->ports[i - 1] : b->name;

		up.flags = up.flags_mask = IFF_UP;
		if (!xp_link_by_name(sk, name, &l) && !(l->flags & IFF_UP))
			(void)xp_link_change_do(sk, l, &up);
		xp_link_free(l);
	}
	xp_nl_close(sk);
}

static long cfg_of(json_object *res, int sel)
{
	json_object *rows = xp_ovsdb_result_rows(res, sel), *v = NULL;

	if (!rows || !json_object_object_get_ex(json_object_array_get_idx(rows, 0), "next_cfg", &v))
		return -1;
	return (long)json_object_get_int64(v);
}

/* Test hook: XENPLUMB_OVS_FAIL=BRIDGE makes that bridge's ports fail once
 * ovs-vswitchd applied them, as an Interface error does (ovsnet.h). */
static int injected(const struct xp_ovsnet_bridge *b, char *err, size_t errlen)
{
	const char *f = getenv("XENPLUMB_OVS_FAIL");

	if (!f || strcmp(f, b->name))
		return 0;
	snprintf(err, errlen, "%sOVS bridge %s: injected failure (XENPLUMB_OVS_FAIL=%s)",
		 b->loc ? b->loc : "", b->name, f);
	return -1;
}

/* Commit t, wait for ovs-vswitchd, check the ports; undo on an error. */
static int commit_bridge(struct xp_ovsdb *db, struct xp_ovsdb_txn *t,
			 const struct xp_ovsnet_bridge *b, int created, const struct added *a,
			 char *err, size_t errlen)
{
	struct xp_ovs_obs o2;
	json_object *res;
	int sel, rc;
	long cfg;

	bump(t, &sel);
	if (xp_ovsdb_transact(db, t, &res, err, errlen))
		return -1;
	cfg = cfg_of(res, sel);
	json_object_put(res);
	rc = xp_ovs_wait_applied(db, cfg, xp_ovs_wait_ms(), err, errlen);
	if (xp_ovs_observe(db, &o2, rc ? NULL : err, rc ? 0 : errlen))
		return -1;
	if (!rc)
		rc = port_errors(&o2, b, err, errlen);
	if (!rc)
		rc = injected(b, err, errlen);
	if (rc)
		undo_bridge(db, &o2, b, created, a->names, a->n);
	xp_ovs_obs_free(&o2);
	return rc;
}

/* What start_one committed for a bridge, so that a later bridge's failure
 * can take it back. */
struct committed {
	int done, created;
	struct added a;
};

static int start_one(struct xp_ovsdb *db, const struct xp_ovsnet_bridge *b,
		     const struct xp_ovs_obs *o, int dry, xp_ovsnet_say fn, void *ctx,
		     struct committed *c, char *err, size_t errlen)
{
	const struct xp_ovs_obridge *ob = xp_ovs_obs_bridge(o, b->name);
	struct xp_ovsdb_txn t;
	struct added *a = &c->a;
	int n, rc = 0;

	if (b->nports > MAXPORTS) {
		snprintf(err, errlen, "%sOVS bridge %s: more than %d ports", b->loc ? b->loc : "",
			 b->name, MAXPORTS);
		return -1;
	}
	for (n = 0; !ob && n < (int)b->nports; n++)
		if (xp_ovs_obs_port(o, b->ports[n]))
			return port_taken(b, xp_ovs_obs_port(o, b->ports[n]), err, errlen);
	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	if (!ob) {
		create_ops(&t, b);
		say(fn, ctx, "create OVS bridge %s (in the map, missing)", b->name);
		n = 1;
	} else {
		if (b->datapath_type && *b->datapath_type &&
		    strcmp(b->datapath_type, *ob->datapath_type ? ob->datapath_type : "system"))
			say(fn, ctx,
			    "drift: OVS bridge %s has datapath_type %s, the map says %s "
			    "(not changed: it would restart the datapath)",
			    b->name, *ob->datapath_type ? ob->datapath_type : "system",
			    b->datapath_type);
		n = adopt_ops(&t, b, o, a, fn, ctx, err, errlen);
	}
	if (n < 0)
		rc = -1;
	else if (n > 0 && !dry)
		rc = commit_bridge(db, &t, b, !ob, a, err, errlen);
	c->done = n > 0 && !dry && !rc;
	c->created = !ob;
	xp_ovsdb_txn_free(&t);
	if (!rc && !dry)
		links_up(b);
	return rc;
}

/* A bridge failed after bs[0..n) went in: what they committed goes again,
 * last first (its own failure undid the failed bridge's). */
static void undo_committed(struct xp_ovsdb *db, const struct xp_ovsnet_bridge *bs,
			   const struct committed *c, size_t n, xp_ovsnet_say fn, void *ctx)
{
	struct xp_ovs_obs o;
	char e2[256];

	if (xp_ovs_observe(db, &o, e2, sizeof(e2))) {
		say(fn, ctx, "cannot take back this run's other OVS changes: %s", e2);
		return;
	}
	for (size_t i = n; i-- > 0;)
		if (c[i].done) {
			undo_bridge(db, &o, &bs[i], c[i].created, c[i].a.names, c[i].a.n);
			say(fn, ctx, "undone: OVS bridge %s (%s)", bs[i].name,
			    c[i].created ? "deleted again" : "the ports this run added removed");
		}
	xp_ovs_obs_free(&o);
}

int xp_ovsnet_start(struct xp_ovsdb *db, const struct xp_ovsnet_bridge *bs, size_t n, int dry,
		    xp_ovsnet_say fn, void *ctx, char *err, size_t errlen)
{
	struct xp_ovs_obs o;
	struct committed *c;
	size_t i;
	int rc = 0;

	if (!n)
		return 0;
	c = calloc(n, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (xp_ovs_observe(db, &o, err, errlen)) {
		free(c);
		return -1;
	}
	for (i = 0; i < n && !rc; i++)
		rc = start_one(db, &bs[i], &o, dry, fn, ctx, &c[i], err, errlen);
	xp_ovs_obs_free(&o);
	if (rc && i > 1)
		undo_committed(db, bs, c, i - 1, fn, ctx);
	free(c);
	return rc;
}

/* ---- stop ------------------------------------------------------------------------ */

static const struct xp_ovsnet_bridge *map_bridge(const struct xp_ovsnet_bridge *bs, size_t n,
						 const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(bs[i].name, name))
			return &bs[i];
	return NULL;
}

static int in_map(const struct xp_ovsnet_bridge *mb, const char *port)
{
	size_t i;

	for (i = 0; mb && i < mb->nports; i++)
		if (!strcmp(mb->ports[i], port))
			return 1;
	return 0;
}

/* Ports of bridge that are neither its internal port nor map ports we
 * added: guests (or anything else): their names into buf. */
static int others_on(const struct xp_ovs_obs *o, const struct xp_ovs_obridge *b, char *buf,
		     size_t len)
{
	size_t i, off = 0;
	int n = 0;

	buf[0] = 0;
	for (i = 0; i < o->np; i++) {
		const struct xp_ovs_oport *p = &o->p[i];

		if (strcmp(p->bridge, b->name) || !strcmp(p->name, b->name) ||
		    !strcmp(p->owner, OWN_PORT))
			continue;
		if (off + strlen(p->name) + 2 < len)
			off +=
			    (size_t)snprintf(buf + off, len - off, "%s%s", n ? " " : "", p->name);
		n++;
	}
	return n;
}

/* keep: the map of a reload (what stays), NULL for stop (nothing). */
static void stop_ops(struct xp_ovsdb_txn *t, const struct xp_ovs_obs *o,
		     const struct xp_ovsnet_bridge *keep, size_t nkeep, xp_ovsnet_say fn, void *ctx,
		     int *nops)
{
	const char *why = keep ? ", no longer in the map" : "";
	size_t i, j;
	char names[256];

	for (i = 0; i < o->nb; i++) {
		const struct xp_ovs_obridge *b = &o->b[i];
		const struct xp_ovsnet_bridge *mb = keep ? map_bridge(keep, nkeep, b->name) : NULL;
		json_object *m = json_object_new_array();

		if (!mb && !strcmp(b->owner, OWN_BRIDGE) && others_on(o, b, names, sizeof(names))) {
			say(fn, ctx, "keep OVS bridge %s: ports not in the map are on it (%s)",
			    b->name, names);
		} else if (!mb && !strcmp(b->owner, OWN_BRIDGE)) {
			say(fn, ctx, "delete OVS bridge %s (created by xenplumb%s)", b->name, why);
			xp_ovsdb_mutation(m, "bridges", "delete", xp_ovsdb_uuid(b->uuid));
			xp_ovsdb_op_mutate(t, "Open_vSwitch", xp_ovsdb_where(NULL, NULL, NULL), m);
			(*nops)++;
			continue;
		}
		for (j = 0; j < o->np; j++) {
			if (strcmp(o->p[j].bridge, b->name) || strcmp(o->p[j].owner, OWN_PORT) ||
			    in_map(mb, o->p[j].name))
				continue;
			say(fn, ctx, "remove port %s from OVS bridge %s (added by xenplumb%s)",
			    o->p[j].name, b->name, why);
			xp_ovsdb_mutation(m, "ports", "delete", xp_ovsdb_uuid(o->p[j].uuid));
			(*nops)++;
		}
		if (json_object_array_length(m))
			xp_ovsdb_op_mutate(t, "Bridge", name_where(b->name), m);
		else
			json_object_put(m);
	}
}

static int unwind(struct xp_ovsdb *db, const struct xp_ovsnet_bridge *keep, size_t nkeep, int dry,
		  xp_ovsnet_say fn, void *ctx, char *err, size_t errlen)
{
	struct xp_ovs_obs o;
	struct xp_ovsdb_txn t;
	json_object *res;
	int n = 0, rc = 0, sel;

	if (xp_ovs_observe(db, &o, err, errlen))
		return -1;
	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	stop_ops(&t, &o, keep, nkeep, fn, ctx, &n);
	if (n && !dry) {
		bump(&t, &sel);
		rc = xp_ovsdb_transact(db, &t, &res, err, errlen);
		if (!rc) {
			long cfg = cfg_of(res, sel);

			json_object_put(res);
			if (xp_ovs_wait_applied(db, cfg, xp_ovs_wait_ms(), err, errlen))
				say(fn, ctx, "warning: %s", err);
		}
	}
	xp_ovsdb_txn_free(&t);
	xp_ovs_obs_free(&o);
	return rc;
}

int xp_ovsnet_stop(struct xp_ovsdb *db, int dry, xp_ovsnet_say fn, void *ctx, char *err,
		   size_t errlen)
{
	return unwind(db, NULL, 0, dry, fn, ctx, err, errlen);
}

int xp_ovsnet_prune(struct xp_ovsdb *db, const struct xp_ovsnet_bridge *bs, size_t n, int dry,
		    xp_ovsnet_say fn, void *ctx, char *err, size_t errlen)
{
	static const struct xp_ovsnet_bridge none;

	/* a map with no OVS bridge keeps none: still a reload's, not stop's */
	return unwind(db, n ? bs : &none, n, dry, fn, ctx, err, errlen);
}

/* What a reload's prune takes away, forgotten from o (names emptied, so no
 * look-up finds them): a port may move from a dropped bridge to a new one. */
static void forget_pruned(struct xp_ovs_obs *o, const struct xp_ovsnet_bridge *bs, size_t n)
{
	char names[256];

	for (size_t i = 0; i < o->nb; i++) {
		struct xp_ovs_obridge *b = &o->b[i];
		const struct xp_ovsnet_bridge *mb = map_bridge(bs, n, b->name);
		int goes =
		    !mb && !strcmp(b->owner, OWN_BRIDGE) && !others_on(o, b, names, sizeof(names));

		for (size_t j = 0; j < o->np; j++)
			if (!strcmp(o->p[j].bridge, b->name) &&
			    (goes ||
			     (!strcmp(o->p[j].owner, OWN_PORT) && !in_map(mb, o->p[j].name))))
				o->p[j].name[0] = 0;
		if (goes)
			b->name[0] = 0;
	}
}

int xp_ovsnet_check(struct xp_ovsdb *db, const struct xp_ovsnet_bridge *bs, size_t n, int reload,
		    char *err, size_t errlen)
{
	struct xp_ovs_obs o;
	int rc = 0;

	if (!n)
		return 0;
	if (xp_ovs_observe(db, &o, err, errlen))
		return -1;
	if (reload)
		forget_pruned(&o, bs, n);
	for (size_t i = 0; i < n && !rc; i++) {
		struct committed c = {0};
		rc = start_one(db, &bs[i], &o, 1, NULL, NULL, &c, err, errlen);
	}
	xp_ovs_obs_free(&o);
	return rc;
}

/* ---- status ---------------------------------------------------------------------- */

static void drift(json_object *arr, const char *what, const char *want, const char *have)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "what", json_object_new_string(what));
	json_object_object_add(d, "want", json_object_new_string(want));
	json_object_object_add(d, "have", json_object_new_string(have));
	json_object_array_add(arr, d);
}

static json_object *port_json(const struct xp_ovs_oport *p, const struct xp_ovs_obridge *b,
			      const struct xp_ovsnet_bridge *mb)
{
	json_object *j = json_object_new_object();
	const char *role = !strcmp(p->name, b->name)	   ? "internal"
			   : in_map(mb, p->name)	   ? "map"
			   : !strncmp(p->owner, "vif ", 4) ? "guest"
							   : "other";

	json_object_object_add(j, "name", json_object_new_string(p->name));
	json_object_object_add(j, "role", json_object_new_string(role));
	if (p->tag)
		json_object_object_add(j, "tag", json_object_new_int(p->tag));
	if (*p->trunks)
		json_object_object_add(j, "trunks", json_object_new_string(p->trunks));
	if (*p->vlan_mode)
		json_object_object_add(j, "vlan_mode", json_object_new_string(p->vlan_mode));
	if (*p->owner)
		json_object_object_add(j, "owner", json_object_new_string(p->owner));
	if (*p->error)
		json_object_object_add(j, "error", json_object_new_string(p->error));
	return j;
}

static int bridge_json(const struct xp_ovs_obs *o, const struct xp_ovs_obridge *b,
		       const struct xp_ovsnet_bridge *mb, json_object *arr)
{
	json_object *j = json_object_new_object(), *ports = json_object_new_array();
	json_object *dr = json_object_new_array();
	size_t i;
	int n;

	json_object_object_add(j, "name", json_object_new_string(b->name));
	json_object_object_add(
	    j, "datapath_type",
	    json_object_new_string(*b->datapath_type ? b->datapath_type : "system"));
	json_object_object_add(j, "created",
			       json_object_new_boolean(!strcmp(b->owner, OWN_BRIDGE)));
	json_object_object_add(j, "in_map", json_object_new_boolean(mb != NULL));
	for (i = 0; i < o->np; i++)
		if (!strcmp(o->p[i].bridge, b->name)) {
			json_object_array_add(ports, port_json(&o->p[i], b, mb));
			if (*o->p[i].error)
				drift(dr, "port error", o->p[i].name, o->p[i].error);
		}
	for (i = 0; mb && i < mb->nports; i++) {
		const struct xp_ovs_oport *p = xp_ovs_obs_port(o, mb->ports[i]);

		if (!p || strcmp(p->bridge, b->name))
			drift(dr, "port", mb->ports[i], p ? p->bridge : "missing");
	}
	if (mb && mb->datapath_type && *mb->datapath_type &&
	    strcmp(mb->datapath_type, *b->datapath_type ? b->datapath_type : "system"))
		drift(dr, "datapath_type", mb->datapath_type,
		      *b->datapath_type ? b->datapath_type : "system");
	n = (int)json_object_array_length(dr);
	json_object_object_add(j, "ports", ports);
	json_object_object_add(j, "drift", dr);
	json_object_array_add(arr, j);
	return n;
}

int xp_ovsnet_status(const struct xp_ovs_obs *o, const struct xp_ovsnet_bridge *bs, size_t n,
		     json_object *out)
{
	json_object *arr = json_object_new_array();
	size_t i;
	int nd = 0;

	for (i = 0; i < o->nb; i++)
		nd += bridge_json(o, &o->b[i], map_bridge(bs, n, o->b[i].name), arr);
	for (i = 0; i < n; i++) {
		json_object *j, *dr;

		if (xp_ovs_obs_bridge(o, bs[i].name))
			continue;
		j = json_object_new_object();
		dr = json_object_new_array();
		json_object_object_add(j, "name", json_object_new_string(bs[i].name));
		json_object_object_add(j, "in_map", json_object_new_boolean(1));
		drift(dr, "bridge", "present", "missing");
		json_object_object_add(j, "drift", dr);
		json_object_array_add(arr, j);
		nd++;
	}
	json_object_object_add(out, "bridges", arr);
	return nd;
}
