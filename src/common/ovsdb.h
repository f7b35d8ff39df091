/* A small OVSDB client (RFC 7047: JSON-RPC 1.0 over ovsdb-server's unix
 * socket), built on json-c, for both helpers.
 *
 * One connection (xp_ovsdb_open) carries blocking request/reply exchanges
 * with a deadline; the server's "echo" requests are answered while a reply
 * is awaited, notifications are dropped.  A transaction is built op by op
 * (struct xp_ovsdb_txn: insert, update, mutate, delete, select, wait,
 * comment, with named-uuid references between its ops) and sent by
 * xp_ovsdb_transact, which turns any error object of the reply (of one op,
 * or of the commit itself) into one message naming the op.
 *
 * Message building (xp_ovsdb_request) and reply checking
 * (xp_ovsdb_check_reply) are pure functions so that unit tests need no
 * daemon.  Every json_object handed to a builder is owned by it. */
#ifndef XP_OVSDB_H
#define XP_OVSDB_H

#include <json-c/json.h>
#include <stddef.h>

#define XP_OVSDB_SOCK_DEFAULT "/run/openvswitch/db.sock"
#define XP_OVSDB_DB	      "Open_vSwitch"

struct xp_ovsdb;

/* The socket: $XENPLUMB_OVSDB ("unix:PATH" or PATH), else
 * $OVS_RUNDIR/db.sock, else XP_OVSDB_SOCK_DEFAULT.  buf holds the result. */
const char *xp_ovsdb_sock_path(char *buf, size_t len);

/* Connect to the server at path ("unix:PATH" or PATH; only unix sockets).
 * timeout_ms bounds each exchange on the connection.  NULL with a message
 * in err (no socket, nothing listening, permission) on failure. */
struct xp_ovsdb *xp_ovsdb_open(const char *path, int timeout_ms, char *err, size_t errlen);
void xp_ovsdb_close(struct xp_ovsdb *db);
/* The bound of each later exchange (a "wait" op's timeout must be below). */
void xp_ovsdb_set_timeout(struct xp_ovsdb *db, int timeout_ms);

/* ---- values (RFC 7047 5.1) ------------------------------------------------ */
json_object *xp_ovsdb_uuid(const char *uuid);  /* ["uuid", U] */
json_object *xp_ovsdb_named(const char *name); /* ["named-uuid", N] */
json_object *xp_ovsdb_set(json_object *elems); /* ["set", [..]] (array owned) */
json_object *xp_ovsdb_empty_set(void);	       /* ["set", []] */
json_object *xp_ovsdb_map(void);	       /* ["map", []] */
void xp_ovsdb_map_put(json_object *map, const char *k, const char *v);
/* [[col, fn, value]]: a where clause of one condition; NULL value = [] */
json_object *xp_ovsdb_where(const char *col, const char *fn, json_object *value);
/* [col, mutator, value] appended to a mutations array */
void xp_ovsdb_mutation(json_object *mutations, const char *col, const char *mutator,
		       json_object *value);

/* ---- reading datums of a select ------------------------------------------ */
/* An atom or ["set", [...]]: number of elements and the i-th one. */
size_t xp_ovsdb_set_len(json_object *datum);
json_object *xp_ovsdb_set_at(json_object *datum, size_t i);
/* The string of ["uuid", U] / ["named-uuid", U], or NULL. */
const char *xp_ovsdb_uuid_str(json_object *v);
/* Value of key k in ["map", [[k, v]...]] when it is a string, or NULL. */
const char *xp_ovsdb_map_get(json_object *map, const char *k);

/* ---- transactions --------------------------------------------------------- */
struct xp_ovsdb_txn {
	json_object *params; /* [db, op, op, ...] */
	int nops;
	int failed; /* after a reply: the op that failed, nops = the commit, -1 */
};

void xp_ovsdb_txn_init(struct xp_ovsdb_txn *t, const char *db);
void xp_ovsdb_txn_free(struct xp_ovsdb_txn *t);
/* Each returns the op's index in the result array.  row, where, mutations,
 * columns and rows are owned; columns NULL = all. */
int xp_ovsdb_op_insert(struct xp_ovsdb_txn *t, const char *table, json_object *row,
		       const char *uuid_name, const char *uuid);
int xp_ovsdb_op_update(struct xp_ovsdb_txn *t, const char *table, json_object *where,
		       json_object *row);
int xp_ovsdb_op_mutate(struct xp_ovsdb_txn *t, const char *table, json_object *where,
		       json_object *mutations);
int xp_ovsdb_op_delete(struct xp_ovsdb_txn *t, const char *table, json_object *where);
int xp_ovsdb_op_select(struct xp_ovsdb_txn *t, const char *table, json_object *where,
		       json_object *columns);
/* until "==" or "!="; rows an array of rows (columns only) */
int xp_ovsdb_op_wait(struct xp_ovsdb_txn *t, const char *table, json_object *where,
		     json_object *columns, const char *until, json_object *rows, int timeout_ms);
int xp_ovsdb_op_comment(struct xp_ovsdb_txn *t, const char *text);
/* ["a", "b", ...] from "a b ..." */
json_object *xp_ovsdb_columns(const char *names);

/* The JSON text of {"method": method, "params": params, "id": id}.
 * params is not consumed.  malloc'd; NULL on allocation failure. */
char *xp_ovsdb_request(const char *method, json_object *params, unsigned id);

/* Check a reply to request id of transaction t: 0 with *result (a new
 * reference to the result array, one entry per op) or -1 with a message:
 * the reply's error member, the first op whose result is an error object
 * ("op 3 (insert Port): constraint violation: ..."), or the commit's
 * error (one more entry than ops). */
int xp_ovsdb_check_reply(json_object *reply, unsigned id, struct xp_ovsdb_txn *t,
			 json_object **result, char *err, size_t errlen);

/* Send t and wait for its reply: as xp_ovsdb_check_reply, plus transport
 * errors (timeout, connection closed, unparsable reply). */
int xp_ovsdb_transact(struct xp_ovsdb *db, struct xp_ovsdb_txn *t, json_object **result, char *err,
		      size_t errlen);

/* Accessors of a result array: the uuid an insert made, the count of an
 * update/mutate/delete (-1 if none), the rows of a select (NULL if none). */
const char *xp_ovsdb_result_uuid(json_object *result, int op);
long xp_ovsdb_result_count(json_object *result, int op);
json_object *xp_ovsdb_result_rows(json_object *result, int op);

/* Stream decoding, exposed for tests: feed bytes, get complete messages.
 * Returns 1 with *msg when one message is complete (*used bytes taken),
 * 0 when more bytes are needed (all taken), -1 on malformed JSON. */
struct xp_ovsdb_dec;
struct xp_ovsdb_dec *xp_ovsdb_dec_new(void);
void xp_ovsdb_dec_free(struct xp_ovsdb_dec *d);
int xp_ovsdb_dec_feed(struct xp_ovsdb_dec *d, const char *buf, size_t len, size_t *used,
		      json_object **msg);

#endif
