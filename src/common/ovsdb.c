/* OVSDB client: see ovsdb.h. */
#include "common/ovsdb.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct xp_ovsdb_dec {
	json_tokener *tok;
	int mid; /* inside a message */
};

struct xp_ovsdb {
	int fd;
	int timeout_ms;
	unsigned next_id;
	char path[108];
	struct xp_ovsdb_dec *dec;
	char buf[8192]; /* bytes read and not yet decoded */
	size_t off, len;
};

/* ---- socket ---------------------------------------------------------------- */

const char *xp_ovsdb_sock_path(char *buf, size_t len)
{
	const char *e = getenv("XENPLUMB_OVSDB"), *rd = getenv("OVS_RUNDIR");

	if (e && *e)
		snprintf(buf, len, "%s", e);
	else if (rd && *rd)
		snprintf(buf, len, "%s/db.sock", rd);
	else
		snprintf(buf, len, "%s", XP_OVSDB_SOCK_DEFAULT);
	return buf;
}

static void connect_error(const char *path, int e, char *err, size_t errlen)
{
	if (e == ENOENT)
		snprintf(err, errlen,
			 "no ovsdb-server socket at %s (is Open vSwitch running? "
			 "systemctl start openvswitch-switch)",
			 path);
	else if (e == ECONNREFUSED)
		snprintf(err, errlen, "ovsdb-server is not listening at %s (connection refused)",
			 path);
	else
		snprintf(err, errlen, "cannot connect to ovsdb-server at %s: %s", path,
			 strerror(e));
}

struct xp_ovsdb *xp_ovsdb_open(const char *path, int timeout_ms, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct xp_ovsdb *db;

	if (!strncmp(path, "unix:", 5))
		path += 5;
	else if (strchr(path, ':') && strncmp(path, "/", 1)) {
		snprintf(err, errlen, "ovsdb remote %s: only unix:PATH is supported", path);
		return NULL;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "ovsdb socket path %s is too long", path);
		return NULL;
	}
	db = calloc(1, sizeof(*db));
	if (!db || !(db->dec = xp_ovsdb_dec_new())) {
		free(db);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(db->path, sizeof(db->path), "%s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	db->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
	db->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (db->fd < 0 || (connect(db->fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EAGAIN &&
			   errno != EINPROGRESS)) {
		connect_error(path, errno, err, errlen);
		xp_ovsdb_close(db);
		return NULL;
	}
	return db;
}

void xp_ovsdb_close(struct xp_ovsdb *db)
{
	if (!db)
		return;
	if (db->fd >= 0)
		close(db->fd);
	xp_ovsdb_dec_free(db->dec);
	free(db);
}

void xp_ovsdb_set_timeout(struct xp_ovsdb *db, int timeout_ms)
{
	if (timeout_ms > 0)
		db->timeout_ms = timeout_ms;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready for ev before the deadline: 0, or -1 (timeout). */
static int wait_fd(int fd, short ev, long deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = ev};
		long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return -1;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

static int send_all(struct xp_ovsdb *db, const char *s, long deadline, char *err, size_t errlen)
{
	size_t len = strlen(s), done = 0;

	while (done < len) {
		ssize_t n = send(db->fd, s + done, len - done, MSG_NOSIGNAL);

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR) &&
		    !wait_fd(db->fd, POLLOUT, deadline))
			continue;
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			if (errno == ENOTCONN || errno == ECONNREFUSED)
				connect_error(db->path, errno, err, errlen);
			else
				snprintf(err, errlen, "ovsdb-server at %s: send: %s", db->path,
					 strerror(errno));
		} else
			snprintf(err, errlen, "ovsdb-server at %s: timed out sending", db->path);
		return -1;
	}
	return 0;
}

/* The next complete message from the server. */
static int recv_msg(struct xp_ovsdb *db, long deadline, json_object **msg, char *err, size_t errlen)
{
	for (;;) {
		size_t used = 0;
		ssize_t n;

		if (db->off < db->len) {
			int rc = xp_ovsdb_dec_feed(db->dec, db->buf + db->off, db->len - db->off,
						   &used, msg);
			db->off += used;
			if (rc < 0) {
				snprintf(err, errlen, "ovsdb-server at %s sent malformed JSON",
					 db->path);
				return -1;
			}
			if (rc > 0)
				return 0;
		}
		db->off = db->len = 0;
		n = recv(db->fd, db->buf, sizeof(db->buf), 0);
		if (n > 0) {
			db->len = (size_t)n;
			continue;
		}
		if (n == 0) {
			snprintf(err, errlen, "ovsdb-server at %s closed the connection", db->path);
			return -1;
		}
		if (errno == ECONNREFUSED || errno == ENOTCONN) {
			connect_error(db->path, errno, err, errlen);
			return -1;
		}
		if ((errno == EAGAIN || errno == EINTR) && !wait_fd(db->fd, POLLIN, deadline))
			continue;
		if (errno == EAGAIN || errno == EINTR)
			snprintf(err, errlen, "ovsdb-server at %s: no reply in %d ms", db->path,
				 db->timeout_ms);
		else
			snprintf(err, errlen, "ovsdb-server at %s: recv: %s", db->path,
				 strerror(errno));
		return -1;
	}
}

/* Answer the server's echo request (its inactivity probe). */
static int answer_echo(struct xp_ovsdb *db, json_object *msg, long deadline, char *err,
		       size_t errlen)
{
	json_object *r = json_object_new_object(), *params = NULL, *id = NULL;
	int rc;

	json_object_object_get_ex(msg, "params", &params);
	json_object_object_get_ex(msg, "id", &id);
	json_object_object_add(r, "result", params ? json_object_get(params) : NULL);
	json_object_object_add(r, "error", NULL);
	json_object_object_add(r, "id", id ? json_object_get(id) : NULL);
	rc = send_all(db, json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN), deadline, err,
		      errlen);
	json_object_put(r);
	return rc;
}

/* Wait for the reply to request id; answer echoes, drop the rest. */
static int await_reply(struct xp_ovsdb *db, unsigned id, long deadline, json_object **reply,
		       char *err, size_t errlen)
{
	for (;;) {
		json_object *msg = NULL, *m = NULL, *rid = NULL;

		if (recv_msg(db, deadline, &msg, err, errlen))
			return -1;
		if (json_object_object_get_ex(msg, "method", &m) &&
		    json_object_is_type(m, json_type_string)) {
			int rc = 0;

			if (!strcmp(json_object_get_string(m), "echo"))
				rc = answer_echo(db, msg, deadline, err, errlen);
			json_object_put(msg);
			if (rc)
				return -1;
			continue;
		}
		if (json_object_object_get_ex(msg, "id", &rid) &&
		    json_object_is_type(rid, json_type_int) &&
		    json_object_get_int64(rid) == (int64_t)id) {
			*reply = msg;
			return 0;
		}
		json_object_put(msg);
	}
}

int xp_ovsdb_transact(struct xp_ovsdb *db, struct xp_ovsdb_txn *t, json_object **result, char *err,
		      size_t errlen)
{
	long deadline = now_ms() + db->timeout_ms;
	unsigned id = ++db->next_id;
	json_object *reply = NULL;
	char *req;
	int rc;

	*result = NULL;
	if (wait_fd(db->fd, POLLOUT, deadline)) {
		snprintf(err, errlen, "ovsdb-server at %s: cannot connect within %d ms", db->path,
			 db->timeout_ms);
		return -1;
	}
	req = xp_ovsdb_request("transact", t->params, id);
	if (!req) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = send_all(db, req, deadline, err, errlen);
	free(req);
	if (rc || await_reply(db, id, deadline, &reply, err, errlen))
		return -1;
	rc = xp_ovsdb_check_reply(reply, id, t, result, err, errlen);
	json_object_put(reply);
	return rc;
}

/* ---- stream decoder ---------------------------------------------------------- */

struct xp_ovsdb_dec *xp_ovsdb_dec_new(void)
{
	struct xp_ovsdb_dec *d = calloc(1, sizeof(*d));

	if (d && !(d->tok = json_tokener_new())) {
		free(d);
		return NULL;
	}
	return d;
}

void xp_ovsdb_dec_free(struct xp_ovsdb_dec *d)
{
	if (!d)
		return;
	json_tokener_free(d->tok);
	free(d);
}

int xp_ovsdb_dec_feed(struct xp_ovsdb_dec *d, const char *buf, size_t len, size_t *used,
		      json_object **msg)
{
	size_t skip = 0;
	json_object *o;
	enum json_tokener_error e;

	*msg = NULL;
	/* whitespace between messages is not the start of one */
	if (!d->mid)
		while (skip < len && strchr(" \t\r\n", buf[skip]))
			skip++;
	if (skip == len) {
		*used = len;
		return 0;
	}
	o = json_tokener_parse_ex(d->tok, buf + skip, (int)(len - skip));
	e = json_tokener_get_error(d->tok);
	*used = skip + json_tokener_get_parse_end(d->tok);
	if (e == json_tokener_continue) {
		d->mid = 1;
		return 0;
	}
	d->mid = 0;
	json_tokener_reset(d->tok);
	if (e != json_tokener_success || !o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -1;
	}
	*msg = o;
	return 1;
}

/* ---- values ------------------------------------------------------------------ */

static json_object *pair(const char *tag, json_object *v)
{
	json_object *a = json_object_new_array();

	json_object_array_add(a, json_object_new_string(tag));
	json_object_array_add(a, v);
	return a;
}

json_object *xp_ovsdb_uuid(const char *uuid)
{
	return pair("uuid", json_object_new_string(uuid));
}

json_object *xp_ovsdb_named(const char *name)
{
	return pair("named-uuid", json_object_new_string(name));
}

json_object *xp_ovsdb_set(json_object *elems)
{
	return pair("set", elems);
}

json_object *xp_ovsdb_empty_set(void)
{
	return pair("set", json_object_new_array());
}

json_object *xp_ovsdb_map(void)
{
	return pair("map", json_object_new_array());
}

void xp_ovsdb_map_put(json_object *map, const char *k, const char *v)
{
	json_object *kv = json_object_new_array();

	json_object_array_add(kv, json_object_new_string(k));
	json_object_array_add(kv, json_object_new_string(v));
	json_object_array_add(json_object_array_get_idx(map, 1), kv);
}

static json_object *triple(const char *a, const char *b, json_object *c)
{
	json_object *t = json_object_new_array();

	json_object_array_add(t, json_object_new_string(a));
	json_object_array_add(t, json_object_new_string(b));
	json_object_array_add(t, c);
	return t;
}

json_object *xp_ovsdb_where(const char *col, const char *fn, json_object *value)
{
	json_object *w = json_object_new_array();

	if (col)
		json_object_array_add(w, triple(col, fn, value));
	return w;
}

void xp_ovsdb_mutation(json_object *mutations, const char *col, const char *mutator,
		       json_object *value)
{
	json_object_array_add(mutations, triple(col, mutator, value));
}

json_object *xp_ovsdb_columns(const char *names)
{
	json_object *a = json_object_new_array();
	const char *p = names;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (n)
			json_object_array_add(a, json_object_new_string_len(p, (int)n));
		p += n;
		p += strspn(p, " ");
	}
	return a;
}

/* ---- reading datums ------------------------------------------------------------ */

static int is_tagged(json_object *v, const char *tag)
{
	json_object *t;

	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) != 2)
		return 0;
	t = json_object_array_get_idx(v, 0);
	return json_object_is_type(t, json_type_string) && !strcmp(json_object_get_string(t), tag);
}

size_t xp_ovsdb_set_len(json_object *datum)
{
	if (!datum)
		return 0;
	if (is_tagged(datum, "set"))
		return json_object_array_length(json_object_array_get_idx(datum, 1));
	return 1;
}

json_object *xp_ovsdb_set_at(json_object *datum, size_t i)
{
	if (is_tagged(datum, "set"))
		return json_object_array_get_idx(json_object_array_get_idx(datum, 1), i);
	return i == 0 ? datum : NULL;
}

const char *xp_ovsdb_uuid_str(json_object *v)
{
	if (is_tagged(v, "uuid") || is_tagged(v, "named-uuid"))
		return json_object_get_string(json_object_array_get_idx(v, 1));
	return NULL;
}

const char *xp_ovsdb_map_get(json_object *map, const char *k)
{
	json_object *kvs;
	size_t i, n;

	if (!is_tagged(map, "map"))
		return NULL;
	kvs = json_object_array_get_idx(map, 1);
	n = json_object_array_length(kvs);
	for (i = 0; i < n; i++) {
		json_object *kv = json_object_array_get_idx(kvs, i);
		json_object *key = json_object_array_get_idx(kv, 0);
		json_object *val = json_object_array_get_idx(kv, 1);

		if (json_object_is_type(key, json_type_string) &&
		    !strcmp(json_object_get_string(key), k) &&
		    json_object_is_type(val, json_type_string))
			return json_object_get_string(val);
	}
	return NULL;
}

/* ---- transactions ---------------------------------------------------------- */

void xp_ovsdb_txn_init(struct xp_ovsdb_txn *t, const char *db)
{
	t->params = json_object_new_array();
	json_object_array_add(t->params, json_object_new_string(db));
	t->nops = 0;
	t->failed = -1;
}

void xp_ovsdb_txn_free(struct xp_ovsdb_txn *t)
{
	json_object_put(t->params);
	t->params = NULL;
	t->nops = 0;
}

static json_object *new_op(const char *op, const char *table)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "op", json_object_new_string(op));
	if (table)
		json_object_object_add(o, "table", json_object_new_string(table));
	return o;
}

static int add_op(struct xp_ovsdb_txn *t, json_object *o)
{
	json_object_array_add(t->params, o);
	return t->nops++;
}

int xp_ovsdb_op_insert(struct xp_ovsdb_txn *t, const char *table, json_object *row,
		       const char *uuid_name, const char *uuid)
{
	json_object *o = new_op("insert", table);

	json_object_object_add(o, "row", row ? row : json_object_new_object());
	if (uuid_name)
		json_object_object_add(o, "uuid-name", json_object_new_string(uuid_name));
	if (uuid)
		json_object_object_add(o, "uuid", json_object_new_string(uuid));
	return add_op(t, o);
}

int xp_ovsdb_op_update(struct xp_ovsdb_txn *t, const char *table, json_object *where,
		       json_object *row)
{
	json_object *o = new_op("update", table);

	json_object_object_add(o, "where", where);
	json_object_object_add(o, "row", row);
	return add_op(t, o);
}

int xp_ovsdb_op_mutate(struct xp_ovsdb_txn *t, const char *table, json_object *where,
		       json_object *mutations)
{
	json_object *o = new_op("mutate", table);

	json_object_object_add(o, "where", where);
	json_object_object_add(o, "mutations", mutations);
	return add_op(t, o);
}

int xp_ovsdb_op_delete(struct xp_ovsdb_txn *t, const char *table, json_object *where)
{
	json_object *o = new_op("delete", table);

	json_object_object_add(o, "where", where);
	return add_op(t, o);
}

int xp_ovsdb_op_select(struct xp_ovsdb_txn *t, const char *table, json_object *where,
		       json_object *columns)
{
	json_object *o = new_op("select", table);

	json_object_object_add(o, "where", where);
	if (columns)
		json_object_object_add(o, "columns", columns);
	return add_op(t, o);
}

int xp_ovsdb_op_wait(struct xp_ovsdb_txn *t, const char *table, json_object *where,
		     json_object *columns, const char *until, json_object *rows, int timeout_ms)
{
	json_object *o = new_op("wait", table);

	json_object_object_add(o, "where", where);
	json_object_object_add(o, "columns", columns);
	json_object_object_add(o, "until", json_object_new_string(until));
	json_object_object_add(o, "rows", rows);
	json_object_object_add(o, "timeout", json_object_new_int(timeout_ms));
	return add_op(t, o);
}

int xp_ovsdb_op_comment(struct xp_ovsdb_txn *t, const char *text)
{
	json_object *o = new_op("comment", NULL);

	json_object_object_add(o, "comment", json_object_new_string(text));
	return add_op(t, o);
}

char *xp_ovsdb_request(const char *method, json_object *params, unsigned id)
{
	json_object *r = json_object_new_object();
	char *s;

	json_object_object_add(r, "method", json_object_new_string(method));
	json_object_object_add(r, "params", json_object_get(params));
	json_object_object_add(r, "id", json_object_new_int64(id));
	s = strdup(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN));
	json_object_put(r);
	return s;
}

/* "constraint violation: details" from an error object */
static void error_text(json_object *e, char *buf, size_t len)
{
	json_object *err = NULL, *det = NULL;

	if (json_object_is_type(e, json_type_string)) {
		snprintf(buf, len, "%s", json_object_get_string(e));
		return;
	}
	json_object_object_get_ex(e, "error", &err);
	json_object_object_get_ex(e, "details", &det);
	snprintf(buf, len, "%s%s%s", err ? json_object_get_string(err) : "error", det ? ": " : "",
		 det ? json_object_get_string(det) : "");
}

static int op_error(struct xp_ovsdb_txn *t, json_object *res, char *err, size_t errlen)
{
	size_t i, n = json_object_array_length(res);
	char why[400];

	for (i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(res, i), *e = NULL, *op, *o, *tb;

		if (!json_object_is_type(r, json_type_object) ||
		    !json_object_object_get_ex(r, "error", &e) || !e)
			continue;
		error_text(r, why, sizeof(why));
		t->failed = (int)i < t->nops ? (int)i : t->nops;
		if ((int)i >= t->nops) {
			snprintf(err, errlen, "ovsdb transaction not committed: %s", why);
			return -1;
		}
		o = json_object_array_get_idx(t->params, i + 1);
		op = tb = NULL;
		json_object_object_get_ex(o, "op", &op);
		json_object_object_get_ex(o, "table", &tb);
		snprintf(err, errlen, "ovsdb op %zu (%s%s%s): %s", i + 1,
			 op ? json_object_get_string(op) : "?", tb ? " " : "",
			 tb ? json_object_get_string(tb) : "", why);
		return -1;
	}
	return 0;
}

int xp_ovsdb_check_reply(json_object *reply, unsigned id, struct xp_ovsdb_txn *t,
			 json_object **result, char *err, size_t errlen)
{
	json_object *rid = NULL, *e = NULL, *res = NULL;

	*result = NULL;
	t->failed = -1;
	if (!json_object_object_get_ex(reply, "id", &rid) ||
	    !json_object_is_type(rid, json_type_int) || json_object_get_int64(rid) != (int64_t)id) {
		snprintf(err, errlen, "ovsdb reply is not for request %u", id);
		return -1;
	}
	if (json_object_object_get_ex(reply, "error", &e) && e) {
		char why[400];

		error_text(e, why, sizeof(why));
		snprintf(err, errlen, "ovsdb-server refused the transaction: %s", why);
		return -1;
	}
	if (!json_object_object_get_ex(reply, "result", &res) ||
	    !json_object_is_type(res, json_type_array)) {
		snprintf(err, errlen, "ovsdb reply to request %u has no result array", id);
		return -1;
	}
	if (op_error(t, res, err, errlen))
		return -1;
	if ((int)json_object_array_length(res) < t->nops) {
		snprintf(err, errlen, "ovsdb reply has %zu results for %d ops",
			 json_object_array_length(res), t->nops);
		return -1;
	}
	*result = json_object_get(res);
	return 0;
}

const char *xp_ovsdb_result_uuid(json_object *result, int op)
{
	json_object *r = json_object_array_get_idx(result, op), *u = NULL;

	if (!r || !json_object_object_get_ex(r, "uuid", &u))
		return NULL;
	return xp_ovsdb_uuid_str(u);
}

long xp_ovsdb_result_count(json_object *result, int op)
{
	json_object *r = json_object_array_get_idx(result, op), *c = NULL;

	if (!r || !json_object_object_get_ex(r, "count", &c) ||
	    !json_object_is_type(c, json_type_int))
		return -1;
	return (long)json_object_get_int64(c);
}

json_object *xp_ovsdb_result_rows(json_object *result, int op)
{
	json_object *r = json_object_array_get_idx(result, op), *rows = NULL;

	if (!r || !json_object_object_get_ex(r, "rows", &rows) ||
	    !json_object_is_type(rows, json_type_array))
		return NULL;
	return rows;
}
