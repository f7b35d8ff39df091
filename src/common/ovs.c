/* Open vSwitch rows over OVSDB: see ovs.h. */
#include "common/ovs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int xp_ovs_wait_ms(void)
{
	const char *e = getenv("XENPLUMB_OVSDB_WAIT_MS");
	char *end;
	long v;

	if (!e || !*e)
		return XP_OVS_WAIT_MS_DEFAULT;
	v = strtol(e, &end, 10);
	return *end || v < 1 || v > 600000 ? XP_OVS_WAIT_MS_DEFAULT : (int)v;
}

/* ---- deterministic port UUID ------------------------------------------------ */

static uint64_t fnv1a(const char *s, uint64_t h)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* splitmix64 finaliser: spreads FNV's weak low bits */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void xp_ovs_port_uuid(const char *name, char out[37])
{
	uint64_t hi = mix(fnv1a(name, fnv1a("xenplumb-port-a:", 0xcbf29ce484222325ULL)));
	uint64_t lo = mix(fnv1a(name, fnv1a("xenplumb-port-b:", 0x84222325cbf29ce4ULL)));

	hi = (hi & ~0xf000ULL) | 0x8000ULL;			   /* version 8 */
	lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; /* variant 10 */
	snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(hi >> 32),
		 (unsigned)(hi >> 16) & 0xffff, (unsigned)hi & 0xffff, (unsigned)(lo >> 48),
		 (unsigned long long)(lo & 0xffffffffffffULL));
}

/* ---- building the rows -------------------------------------------------------- */

static json_object *name_where(const char *col, const char *name)
{
	return xp_ovsdb_where(col, "==", json_object_new_string(name));
}

static json_object *iface_row(const struct xp_ovs_port *p)
{
	json_object *row = json_object_new_object(), *ids = xp_ovsdb_map();
	size_t i;

	json_object_object_add(row, "name", json_object_new_string(p->name));
	json_object_object_add(row, "type", json_object_new_string(p->type ? p->type : ""));
	if (p->owner)
		xp_ovsdb_map_put(ids, XP_OVS_OWNER_KEY, p->owner);
	for (i = 0; i < p->niface_ids; i++)
		if (p->iface_ids[i].k && p->iface_ids[i].v)
			xp_ovsdb_map_put(ids, p->iface_ids[i].k, p->iface_ids[i].v);
	json_object_object_add(row, "external_ids", ids);
	if (p->mtu_request > 0)
		json_object_object_add(row, "mtu_request", json_object_new_int(p->mtu_request));
	return row;
}

static const char *vlan_mode(const struct xp_ovs_port *p)
{
	if (p->vlan_mode)
		return p->vlan_mode;
	if (p->tag && p->ntrunks)
		return "native-untagged";
	if (p->tag)
		return "access";
	if (p->ntrunks)
		return "trunk";
	return NULL;
}

static json_object *port_row(const struct xp_ovs_port *p)
{
	json_object *row = json_object_new_object(), *ids = xp_ovsdb_map();
	const char *mode = vlan_mode(p);

	json_object_object_add(row, "name", json_object_new_string(p->name));
	json_object_object_add(row, "interfaces", xp_ovsdb_named("iface"));
	if (p->tag)
		json_object_object_add(row, "tag", json_object_new_int(p->tag));
	if (p->ntrunks) {
		json_object *a = json_object_new_array();
		size_t i;

		for (i = 0; i < p->ntrunks; i++)
			json_object_array_add(a, json_object_new_int(p->trunks[i]));
		json_object_object_add(row, "trunks", xp_ovsdb_set(a));
	}
	if (mode)
		json_object_object_add(row, "vlan_mode", json_object_new_string(mode));
	if (p->owner)
		xp_ovsdb_map_put(ids, XP_OVS_OWNER_KEY, p->owner);
	json_object_object_add(row, "external_ids", ids);
	return row;
}

/* next_cfg += 1, then read it back (and cur_cfg): the index of the select */
static int bump_cfg(struct xp_ovsdb_txn *t)
{
	json_object *m = json_object_new_array();

	xp_ovsdb_mutation(m, "next_cfg", "+=", json_object_new_int(1));
	xp_ovsdb_op_mutate(t, "Open_vSwitch", xp_ovsdb_where(NULL, NULL, NULL), m);
	return xp_ovsdb_op_select(t, "Open_vSwitch", xp_ovsdb_where(NULL, NULL, NULL),
				  xp_ovsdb_columns("next_cfg cur_cfg"));
}

void xp_ovs_port_add_ops(struct xp_ovsdb_txn *t, const struct xp_ovs_port *p, int *op_bridge,
			 int *op_absent, int *op_cfg)
{
	json_object *rows = json_object_new_array(), *r = json_object_new_object(), *m;
	char uuid[37];

	json_object_object_add(r, "name", json_object_new_string(p->bridge));
	json_object_array_add(rows, r);
	*op_bridge = xp_ovsdb_op_wait(t, "Bridge", name_where("name", p->bridge),
				      xp_ovsdb_columns("name"), "==", rows, 0);
	*op_absent = xp_ovsdb_op_wait(t, "Port", name_where("name", p->name),
				      xp_ovsdb_columns("name"), "==", json_object_new_array(), 0);
	xp_ovsdb_op_insert(t, "Interface", iface_row(p), "iface", NULL);
	xp_ovs_port_uuid(p->name, uuid);
	xp_ovsdb_op_insert(t, "Port", port_row(p), "port", uuid);
	m = json_object_new_array();
	xp_ovsdb_mutation(m, "ports", "insert", xp_ovsdb_named("port"));
	xp_ovsdb_op_mutate(t, "Bridge", name_where("name", p->bridge), m);
	*op_cfg = bump_cfg(t);
}

/* ---- reading results ------------------------------------------------------------ */

static long row_int(json_object *result, int op, const char *col)
{
	json_object *rows = xp_ovsdb_result_rows(result, op), *row, *v = NULL;

	row = rows ? json_object_array_get_idx(rows, 0) : NULL;
	if (!row || !json_object_object_get_ex(row, col, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return (long)json_object_get_int64(v);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One round: wait (server side) until cur_cfg != cur, then read cur_cfg.
 * 0 with *cur updated, 1 on the wait's timeout, -1 on error. */
static int wait_round(struct xp_ovsdb *db, long *cur, int left, char *err, size_t errlen)
{
	struct xp_ovsdb_txn t;
	json_object *rows = json_object_new_array(), *r = json_object_new_object(), *res;
	int sel, rc;

	json_object_object_add(r, "cur_cfg", json_object_new_int64(*cur));
	json_object_array_add(rows, r);
	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	xp_ovsdb_op_wait(&t, "Open_vSwitch", xp_ovsdb_where(NULL, NULL, NULL),
			 xp_ovsdb_columns("cur_cfg"), "!=", rows, left);
	sel = xp_ovsdb_op_select(&t, "Open_vSwitch", xp_ovsdb_where(NULL, NULL, NULL),
				 xp_ovsdb_columns("cur_cfg"));
	xp_ovsdb_set_timeout(db, left + 5000);
	rc = xp_ovsdb_transact(db, &t, &res, err, errlen);
	if (rc && t.failed == 0) {
		xp_ovsdb_txn_free(&t);
		return 1;
	}
	xp_ovsdb_txn_free(&t);
	if (rc)
		return -1;
	*cur = row_int(res, sel, "cur_cfg");
	json_object_put(res);
	return 0;
}

static int wait_from(struct xp_ovsdb *db, long cfg, long cur, int wait_ms, char *err, size_t errlen)
{
	long deadline = now_ms() + wait_ms;

	while (cur < cfg) {
		long left = deadline - now_ms();
		int rc;

		if (left <= 0)
			rc = 1;
		else
			rc = wait_round(db, &cur, (int)left, err, errlen);
		if (rc < 0)
			return -1;
		if (rc > 0 || cur < 0) {
			snprintf(err, errlen,
				 "ovs-vswitchd did not apply the change within %d ms "
				 "(cur_cfg %ld, want %ld): is ovs-vswitchd running?",
				 wait_ms, cur, cfg);
			return -1;
		}
	}
	return 0;
}

int xp_ovs_wait_applied(struct xp_ovsdb *db, long cfg, int wait_ms, char *err, size_t errlen)
{
	struct xp_ovsdb_txn t;
	json_object *res;
	int sel;
	long cur;

	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	sel = xp_ovsdb_op_select(&t, "Open_vSwitch", xp_ovsdb_where(NULL, NULL, NULL),
				 xp_ovsdb_columns("cur_cfg"));
	if (xp_ovsdb_transact(db, &t, &res, err, errlen)) {
		xp_ovsdb_txn_free(&t);
		return -1;
	}
	xp_ovsdb_txn_free(&t);
	cur = row_int(res, sel, "cur_cfg");
	json_object_put(res);
	return wait_from(db, cfg, cur, wait_ms, err, errlen);
}

/* ---- removing ------------------------------------------------------------------- */

/* Remove the port of that uuid from every bridge holding it: *count. */
static int del_by_uuid(struct xp_ovsdb *db, const char *uuid, long *count, long *cfg, long *cur,
		       char *err, size_t errlen)
{
	struct xp_ovsdb_txn t;
	json_object *m = json_object_new_array(), *res;
	int op, sel;

	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	xp_ovsdb_mutation(m, "ports", "delete", xp_ovsdb_uuid(uuid));
	op = xp_ovsdb_op_mutate(&t, "Bridge",
				xp_ovsdb_where("ports", "includes", xp_ovsdb_uuid(uuid)), m);
	sel = bump_cfg(&t);
	if (xp_ovsdb_transact(db, &t, &res, err, errlen)) {
		xp_ovsdb_txn_free(&t);
		return -1;
	}
	xp_ovsdb_txn_free(&t);
	*count = xp_ovsdb_result_count(res, op);
	*cfg = row_int(res, sel, "next_cfg");
	*cur = row_int(res, sel, "cur_cfg");
	json_object_put(res);
	return 0;
}

/* The uuid of the Port named name: 1 found, 0 none, -1 error. */
static int port_lookup(struct xp_ovsdb *db, const char *name, char uuid[37], char *err,
		       size_t errlen)
{
	struct xp_ovsdb_txn t;
	json_object *res, *rows, *row, *u = NULL;
	const char *s;
	int sel, rc = 0;

	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	sel = xp_ovsdb_op_select(&t, "Port", name_where("name", name), xp_ovsdb_columns("_uuid"));
	if (xp_ovsdb_transact(db, &t, &res, err, errlen)) {
		xp_ovsdb_txn_free(&t);
		return -1;
	}
	xp_ovsdb_txn_free(&t);
	rows = xp_ovsdb_result_rows(res, sel);
	row = rows ? json_object_array_get_idx(rows, 0) : NULL;
	if (row && json_object_object_get_ex(row, "_uuid", &u) && (s = xp_ovsdb_uuid_str(u))) {
		snprintf(uuid, 37, "%s", s);
		rc = 1;
	}
	json_object_put(res);
	return rc;
}

int xp_ovs_port_del(struct xp_ovsdb *db, const char *name, int wait_ms, int *found, int *applied,
		    char *err, size_t errlen)
{
	char uuid[37], e2[256];
	long count = 0, cfg = -1, cur = -1;

	*found = *applied = 0;
	xp_ovs_port_uuid(name, uuid);
	if (del_by_uuid(db, uuid, &count, &cfg, &cur, err, errlen))
		return -1;
	if (count <= 0) {
		/* not one xenplumb made (stock vif-openvswitch, ovs-vsctl) */
		int rc = port_lookup(db, name, uuid, err, errlen);

		if (rc <= 0)
			return rc;
		if (del_by_uuid(db, uuid, &count, &cfg, &cur, err, errlen))
			return -1;
	}
	*found = count > 0;
	*applied = !wait_from(db, cfg, cur, wait_ms, e2, sizeof(e2));
	return 0;
}

/* ---- adding ----------------------------------------------------------------------- */

/* Interface.error after ovs-vswitchd applied the port: 0 none, -1 with it. */
static int iface_error(struct xp_ovsdb *db, const struct xp_ovs_port *p, char *err, size_t errlen)
{
	struct xp_ovsdb_txn t;
	json_object *res, *rows, *row, *e = NULL;
	int sel, rc = 0;

	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	sel = xp_ovsdb_op_select(&t, "Interface", name_where("name", p->name),
				 xp_ovsdb_columns("error ofport"));
	if (xp_ovsdb_transact(db, &t, &res, err, errlen)) {
		xp_ovsdb_txn_free(&t);
		return -1;
	}
	xp_ovsdb_txn_free(&t);
	rows = xp_ovsdb_result_rows(res, sel);
	row = rows ? json_object_array_get_idx(rows, 0) : NULL;
	if (row && json_object_object_get_ex(row, "error", &e) &&
	    json_object_is_type(e, json_type_string)) {
		snprintf(err, errlen, "Open vSwitch bridge %s cannot use port %s: %s", p->bridge,
			 p->name, json_object_get_string(e));
		rc = -1;
	}
	json_object_put(res);
	return rc;
}

/* One transaction.  0 done, 1 a port of that name exists, -1 error. */
static int add_once(struct xp_ovsdb *db, const struct xp_ovs_port *p, long *cfg, long *cur,
		    char *err, size_t errlen)
{
	struct xp_ovsdb_txn t;
	json_object *res;
	int opb, opa, sel, rc;

	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	xp_ovs_port_add_ops(&t, p, &opb, &opa, &sel);
	rc = xp_ovsdb_transact(db, &t, &res, err, errlen);
	if (rc && t.failed == opb)
		snprintf(err, errlen, "no Open vSwitch bridge %s (ovs-vsctl list-br)", p->bridge);
	else if (rc && t.failed == opa)
		rc = 1;
	xp_ovsdb_txn_free(&t);
	if (rc)
		return rc;
	*cfg = row_int(res, sel, "next_cfg");
	*cur = row_int(res, sel, "cur_cfg");
	json_object_put(res);
	if (*cfg < 0) {
		snprintf(err, errlen, "ovsdb has no Open_vSwitch row (run ovs-vsctl init)");
		return -1;
	}
	return 0;
}

int xp_ovs_port_add(struct xp_ovsdb *db, const struct xp_ovs_port *p, int wait_ms, char *err,
		    size_t errlen)
{
	long cfg = -1, cur = -1;
	int rc = add_once(db, p, &cfg, &cur, err, errlen), found, applied;
	char e2[256];

	if (rc > 0) {
		/* an earlier port of that name: take it away, once */
		if (xp_ovs_port_del(db, p->name, 0, &found, &applied, err, errlen))
			return -1;
		rc = add_once(db, p, &cfg, &cur, err, errlen);
		if (rc > 0)
			snprintf(err, errlen, "port %s appeared again while it was being replaced",
				 p->name);
	}
	if (rc)
		return -1;
	if (!wait_from(db, cfg, cur, wait_ms, err, errlen) && !iface_error(db, p, err, errlen))
		return 0;
	/* nothing half-applied: the port goes again */
	if (xp_ovs_port_del(db, p->name, 0, &found, &applied, e2, sizeof(e2)))
		snprintf(err + strlen(err), errlen - strlen(err), "; and removing it failed: %s",
			 e2);
	return -1;
}

int xp_ovs_bridge_exists(struct xp_ovsdb *db, const char *name, char *err, size_t errlen)
{
	struct xp_ovsdb_txn t;
	json_object *res, *rows;
	int sel, rc;

	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	sel = xp_ovsdb_op_select(&t, "Bridge", name_where("name", name), xp_ovsdb_columns("name"));
	rc = xp_ovsdb_transact(db, &t, &res, err, errlen);
	xp_ovsdb_txn_free(&t);
	if (rc)
		return -1;
	rows = xp_ovsdb_result_rows(res, sel);
	rc = rows && json_object_array_length(rows) > 0;
	json_object_put(res);
	return rc;
}
