/* Unit tests for src/common/ovsdb.c and ovs.c without a daemon: the JSON
 * of requests and ops, reply checking (op errors, commit errors, the
 * server's error member), the stream decoder over split and concatenated
 * messages, datum readers, the port UUID, and transact against a fake
 * server on a socketpair-like unix socket (echo answered, notifications
 * dropped, a reply split in pieces). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/ovs.h"
#include "common/ovsdb.h"

static json_object *parse(const char *s)
{
	json_object *o = json_tokener_parse(s);

	assert_non_null(o);
	return o;
}

/* o's plain JSON text equals want (both normalised by json-c) */
static void assert_json(json_object *o, const char *want)
{
	json_object *w = parse(want);
	const char *a = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	const char *b = json_object_to_json_string_ext(w, JSON_C_TO_STRING_PLAIN);

	if (strcmp(a, b))
		fail_msg("json\n  got  %s\n  want %s", a, b);
	json_object_put(w);
}

static void test_values(void **state)
{
	json_object *m = xp_ovsdb_map(), *w, *mut = json_object_new_array();
	(void)state;

	xp_ovsdb_map_put(m, "iface-id", "lsp1");
	xp_ovsdb_map_put(m, "attached-mac", "00:16:3e:00:00:01");
	assert_json(m,
		    "[\"map\",[[\"iface-id\",\"lsp1\"],[\"attached-mac\",\"00:16:3e:00:00:01\"]]]");
	assert_string_equal(xp_ovsdb_map_get(m, "iface-id"), "lsp1");
	assert_null(xp_ovsdb_map_get(m, "vm-id"));
	json_object_put(m);

	w = xp_ovsdb_where("name", "==", json_object_new_string("br0"));
	assert_json(w, "[[\"name\",\"==\",\"br0\"]]");
	json_object_put(w);
	w = xp_ovsdb_where(NULL, NULL, NULL);
	assert_json(w, "[]");
	json_object_put(w);

	xp_ovsdb_mutation(mut, "ports", "insert", xp_ovsdb_named("p"));
	xp_ovsdb_mutation(mut, "next_cfg", "+=", json_object_new_int(1));
	assert_json(mut, "[[\"ports\",\"insert\",[\"named-uuid\",\"p\"]],[\"next_cfg\",\"+=\",1]]");
	json_object_put(mut);

	w = xp_ovsdb_uuid("0f0e0d0c-0000-4000-8000-000000000001");
	assert_string_equal(xp_ovsdb_uuid_str(w), "0f0e0d0c-0000-4000-8000-000000000001");
	json_object_put(w);
	w = xp_ovsdb_columns("name ports");
	assert_json(w, "[\"name\",\"ports\"]");
	json_object_put(w);
}

static void test_sets(void **state)
{
	json_object *s = parse("[\"set\",[[\"uuid\",\"a\"],[\"uuid\",\"b\"]]]");
	json_object *one = parse("[\"uuid\",\"c\"]"), *empty = xp_ovsdb_empty_set();
	(void)state;

	assert_int_equal(xp_ovsdb_set_len(s), 2);
	assert_string_equal(xp_ovsdb_uuid_str(xp_ovsdb_set_at(s, 1)), "b");
	assert_null(xp_ovsdb_set_at(s, 2));
	/* a set of one is sent as its atom */
	assert_int_equal(xp_ovsdb_set_len(one), 1);
	assert_string_equal(xp_ovsdb_uuid_str(xp_ovsdb_set_at(one, 0)), "c");
	assert_int_equal(xp_ovsdb_set_len(empty), 0);
	assert_int_equal(xp_ovsdb_set_len(NULL), 0);
	json_object_put(s);
	json_object_put(one);
	json_object_put(empty);
}

static void test_ops_and_request(void **state)
{
	struct xp_ovsdb_txn t;
	json_object *row = json_object_new_object(), *req;
	char *s;
	(void)state;

	xp_ovsdb_txn_init(&t, "Open_vSwitch");
	json_object_object_add(row, "name", json_object_new_string("br0"));
	assert_int_equal(xp_ovsdb_op_insert(&t, "Bridge", row, "br", NULL), 0);
	assert_int_equal(xp_ovsdb_op_delete(
			     &t, "Port", xp_ovsdb_where("name", "==", json_object_new_string("p"))),
			 1);
	assert_int_equal(xp_ovsdb_op_comment(&t, "xenplumb: test"), 2);
	assert_int_equal(xp_ovsdb_op_select(&t, "Bridge", xp_ovsdb_where(NULL, NULL, NULL), NULL),
			 3);
	assert_int_equal(t.nops, 4);
	s = xp_ovsdb_request("transact", t.params, 7);
	assert_non_null(s);
	req = parse(s);
	assert_json(req,
		    "{\"method\":\"transact\",\"params\":[\"Open_vSwitch\","
		    "{\"op\":\"insert\",\"table\":\"Bridge\",\"row\":{\"name\":\"br0\"},"
		    "\"uuid-name\":\"br\"},"
		    "{\"op\":\"delete\",\"table\":\"Port\",\"where\":[[\"name\",\"==\",\"p\"]]},"
		    "{\"op\":\"comment\",\"comment\":\"xenplumb: test\"},"
		    "{\"op\":\"select\",\"table\":\"Bridge\",\"where\":[]}],\"id\":7}");
	json_object_put(req);
	free(s);
	xp_ovsdb_txn_free(&t);
}

static void test_wait_update_mutate(void **state)
{
	struct xp_ovsdb_txn t;
	json_object *row = json_object_new_object(), *rows = json_object_new_array(), *m;
	(void)state;

	xp_ovsdb_txn_init(&t, "Open_vSwitch");
	json_object_array_add(rows, json_object_new_object());
	xp_ovsdb_op_wait(&t, "Open_vSwitch", xp_ovsdb_where(NULL, NULL, NULL),
			 xp_ovsdb_columns("cur_cfg"), "!=", rows, 500);
	json_object_object_add(row, "tag", json_object_new_int(10));
	xp_ovsdb_op_update(&t, "Port", xp_ovsdb_where("name", "==", json_object_new_string("v")),
			   row);
	m = json_object_new_array();
	xp_ovsdb_mutation(m, "ports", "delete", xp_ovsdb_uuid("u"));
	xp_ovsdb_op_mutate(&t, "Bridge", xp_ovsdb_where("ports", "includes", xp_ovsdb_uuid("u")),
			   m);
	assert_json(t.params,
		    "[\"Open_vSwitch\",{\"op\":\"wait\",\"table\":\"Open_vSwitch\",\"where\":[],"
		    "\"columns\":[\"cur_cfg\"],\"until\":\"!=\",\"rows\":[{}],\"timeout\":500},"
		    "{\"op\":\"update\",\"table\":\"Port\",\"where\":[[\"name\",\"==\",\"v\"]],"
		    "\"row\":{\"tag\":10}},"
		    "{\"op\":\"mutate\",\"table\":\"Bridge\",\"where\":[[\"ports\",\"includes\","
		    "[\"uuid\",\"u\"]]],\"mutations\":[[\"ports\",\"delete\",[\"uuid\",\"u\"]]]}]");
	xp_ovsdb_txn_free(&t);
}

static void txn3(struct xp_ovsdb_txn *t)
{
	xp_ovsdb_txn_init(t, "Open_vSwitch");
	xp_ovsdb_op_insert(t, "Interface", NULL, "i", NULL);
	xp_ovsdb_op_insert(t, "Port", NULL, "p", NULL);
	xp_ovsdb_op_select(t, "Bridge", xp_ovsdb_where(NULL, NULL, NULL), NULL);
}

static void test_reply_ok(void **state)
{
	struct xp_ovsdb_txn t;
	json_object *r, *res = NULL;
	char err[256] = "";
	(void)state;

	txn3(&t);
	r = parse("{\"id\":3,\"error\":null,\"result\":[{\"uuid\":[\"uuid\",\"u-1\"]},"
		  "{\"uuid\":[\"uuid\",\"u-2\"]},{\"rows\":[{\"name\":\"br0\"}]}]}");
	assert_int_equal(xp_ovsdb_check_reply(r, 3, &t, &res, err, sizeof(err)), 0);
	assert_int_equal(t.failed, -1);
	assert_string_equal(xp_ovsdb_result_uuid(res, 1), "u-2");
	assert_int_equal(json_object_array_length(xp_ovsdb_result_rows(res, 2)), 1);
	assert_int_equal(xp_ovsdb_result_count(res, 0), -1);
	assert_null(xp_ovsdb_result_rows(res, 0));
	json_object_put(res);
	/* a reply to another request */
	assert_int_equal(xp_ovsdb_check_reply(r, 4, &t, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not for request 4"));
	assert_null(res);
	json_object_put(r);
	xp_ovsdb_txn_free(&t);
}

static void test_reply_errors(void **state)
{
	struct xp_ovsdb_txn t;
	json_object *r, *res = NULL;
	char err[256] = "";
	(void)state;

	txn3(&t);
	/* an op's error object names the op */
	r = parse("{\"id\":1,\"error\":null,\"result\":[{\"uuid\":[\"uuid\",\"a\"]},"
		  "{\"error\":\"constraint violation\",\"details\":\"tag 5000 out of range\"}]}");
	assert_int_equal(xp_ovsdb_check_reply(r, 1, &t, &res, err, sizeof(err)), -1);
	assert_string_equal(err, "ovsdb op 2 (insert Port): constraint violation: tag 5000 out of "
				 "range");
	assert_int_equal(t.failed, 1);
	json_object_put(r);
	/* the commit's error is one entry more than the ops */
	r = parse("{\"id\":1,\"error\":null,\"result\":[{},{},{\"rows\":[]},"
		  "{\"error\":\"referential integrity violation\",\"details\":\"row x\"}]}");
	assert_int_equal(xp_ovsdb_check_reply(r, 1, &t, &res, err, sizeof(err)), -1);
	assert_string_equal(err, "ovsdb transaction not committed: referential integrity "
				 "violation: row x");
	assert_int_equal(t.failed, 3);
	json_object_put(r);
	/* the request itself refused (unknown database) */
	r = parse("{\"id\":1,\"error\":{\"error\":\"unknown database\",\"details\":\"Nope\"},"
		  "\"result\":null}");
	assert_int_equal(xp_ovsdb_check_reply(r, 1, &t, &res, err, sizeof(err)), -1);
	assert_string_equal(err, "ovsdb-server refused the transaction: unknown database: Nope");
	json_object_put(r);
	r = parse("{\"id\":1,\"error\":\"unknown method\",\"result\":null}");
	assert_int_equal(xp_ovsdb_check_reply(r, 1, &t, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown method"));
	json_object_put(r);
	/* too few results, no result */
	r = parse("{\"id\":1,\"error\":null,\"result\":[{}]}");
	assert_int_equal(xp_ovsdb_check_reply(r, 1, &t, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1 results for 3 ops"));
	json_object_put(r);
	r = parse("{\"id\":1,\"error\":null}");
	assert_int_equal(xp_ovsdb_check_reply(r, 1, &t, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no result array"));
	json_object_put(r);
	xp_ovsdb_txn_free(&t);
}

static void test_decoder(void **state)
{
	struct xp_ovsdb_dec *d = xp_ovsdb_dec_new();
	const char *two = "{\"id\":1,\"result\":[]}\n {\"id\":2,\"result\":[{\"a\":\"}{\"}]}";
	json_object *m = NULL;
	size_t used = 0, off = 0, i;
	int got = 0;
	(void)state;

	/* two messages back to back, fed at once */
	assert_int_equal(xp_ovsdb_dec_feed(d, two, strlen(two), &used, &m), 1);
	assert_int_equal(json_object_get_int(json_object_object_get(m, "id")), 1);
	json_object_put(m);
	off = used;
	assert_int_equal(xp_ovsdb_dec_feed(d, two + off, strlen(two) - off, &used, &m), 1);
	assert_int_equal(json_object_get_int(json_object_object_get(m, "id")), 2);
	assert_int_equal(off + used, strlen(two));
	json_object_put(m);
	/* one byte at a time: braces inside strings do not end a message */
	for (i = 0; i < strlen(two); i++) {
		int rc = xp_ovsdb_dec_feed(d, two + i, 1, &used, &m);

		assert_int_equal(used, 1);
		if (rc == 1) {
			got++;
			json_object_put(m);
		}
	}
	assert_int_equal(got, 2);
	/* whitespace alone is no message; garbage is an error */
	assert_int_equal(xp_ovsdb_dec_feed(d, " \n", 2, &used, &m), 0);
	assert_int_equal(xp_ovsdb_dec_feed(d, "]x", 2, &used, &m), -1);
	/* after an error the decoder starts afresh; a non-object is refused */
	assert_int_equal(xp_ovsdb_dec_feed(d, "[1]", 3, &used, &m), -1);
	assert_int_equal(xp_ovsdb_dec_feed(d, "{}", 2, &used, &m), 1);
	json_object_put(m);
	xp_ovsdb_dec_free(d);
}

static void test_port_uuid(void **state)
{
	char a[37], b[37], c[37];
	(void)state;

	xp_ovs_port_uuid("vif3.0", a);
	xp_ovs_port_uuid("vif3.0", b);
	xp_ovs_port_uuid("vif3.1", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 36);
	assert_int_equal(a[8], '-');
	assert_int_equal(a[14], '8'); /* version 8 */
	assert_true(strchr("89ab", a[19]) != NULL);
}

static void test_port_add_ops(void **state)
{
	static const uint16_t trunks[] = {20, 30};
	static const struct xp_ovs_kv ids[] = {{"iface-id", "lsp-a"},
					       {"attached-mac", "00:16:3e:00:00:01"}};
	struct xp_ovs_port p = {.bridge = "ovsbr0",
				.name = "vif3.0",
				.tag = 10,
				.trunks = trunks,
				.ntrunks = 2,
				.owner = "vif 3/0",
				.iface_ids = ids,
				.niface_ids = 2};
	struct xp_ovsdb_txn t;
	json_object *port, *row;
	int opb, opa, sel;
	char uuid[37];
	(void)state;

	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	xp_ovs_port_add_ops(&t, &p, &opb, &opa, &sel);
	assert_int_equal(opb, 0);
	assert_int_equal(opa, 1);
	assert_int_equal(sel, t.nops - 1);
	port = json_object_array_get_idx(t.params, 4);
	xp_ovs_port_uuid("vif3.0", uuid);
	assert_string_equal(json_object_get_string(json_object_object_get(port, "uuid")), uuid);
	row = json_object_object_get(port, "row");
	assert_json(row,
		    "{\"name\":\"vif3.0\",\"interfaces\":[\"named-uuid\",\"iface\"],"
		    "\"tag\":10,\"trunks\":[\"set\",[20,30]],\"vlan_mode\":\"native-untagged\","
		    "\"external_ids\":[\"map\",[[\"xenplumb\",\"vif 3/0\"]]]}");
	row = json_object_object_get(json_object_array_get_idx(t.params, 3), "row");
	assert_json(row, "{\"name\":\"vif3.0\",\"type\":\"\",\"external_ids\":[\"map\","
			 "[[\"xenplumb\",\"vif 3/0\"],[\"iface-id\",\"lsp-a\"],"
			 "[\"attached-mac\",\"00:16:3e:00:00:01\"]]]}");
	assert_json(json_object_array_get_idx(t.params, 5),
		    "{\"op\":\"mutate\",\"table\":\"Bridge\",\"where\":[[\"name\",\"==\","
		    "\"ovsbr0\"]],\"mutations\":[[\"ports\",\"insert\",[\"named-uuid\","
		    "\"port\"]]]}");
	xp_ovsdb_txn_free(&t);

	/* access port: tag only; trunk port: trunks only */
	p.ntrunks = 0;
	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	xp_ovs_port_add_ops(&t, &p, &opb, &opa, &sel);
	row = json_object_object_get(json_object_array_get_idx(t.params, 4), "row");
	assert_string_equal(json_object_get_string(json_object_object_get(row, "vlan_mode")),
			    "access");
	assert_null(json_object_object_get(row, "trunks"));
	xp_ovsdb_txn_free(&t);
	p.tag = 0;
	p.ntrunks = 2;
	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	xp_ovs_port_add_ops(&t, &p, &opb, &opa, &sel);
	row = json_object_object_get(json_object_array_get_idx(t.params, 4), "row");
	assert_string_equal(json_object_get_string(json_object_object_get(row, "vlan_mode")),
			    "trunk");
	assert_null(json_object_object_get(row, "tag"));
	xp_ovsdb_txn_free(&t);
}

/* ---- a fake server ------------------------------------------------------------- */

static char sock_path[108];

/* Accepts one client and plays a script: for the first request, an echo
 * request and a notification first, then the reply split in two writes. */
static void fake_server(int lfd)
{
	int c = accept(lfd, NULL, NULL);
	char buf[4096];
	ssize_t n;
	const char *echo = "{\"method\":\"echo\",\"params\":[\"x\"],\"id\":\"e1\"}";
	const char *note = "{\"method\":\"update\",\"params\":[null,{}],\"id\":null}";
	const char *r1 = "{\"id\":1,\"error\":null,\"res";
	const char *r2 = "ult\":[{\"rows\":[{\"name\":\"br0\"}]}]}";

	if (c < 0)
		_exit(2);
	n = read(c, buf, sizeof(buf) - 1);
	if (n <= 0 || !strstr(buf, "\"transact\""))
		_exit(3);
	if (write(c, echo, strlen(echo)) < 0 || write(c, note, strlen(note)) < 0)
		_exit(4);
	/* the client must answer the echo before the reply comes */
	n = read(c, buf, sizeof(buf) - 1);
	if (n <= 0)
		_exit(5);
	buf[n] = 0;
	if (!strstr(buf, "\"result\":[\"x\"]") || !strstr(buf, "\"id\":\"e1\""))
		_exit(6);
	if (write(c, r1, strlen(r1)) < 0)
		_exit(7);
	usleep(20000);
	if (write(c, r2, strlen(r2)) < 0)
		_exit(8);
	/* second request: close without a reply */
	n = read(c, buf, sizeof(buf) - 1);
	close(c);
	_exit(n > 0 ? 0 : 9);
}

static void test_transact_fake(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct xp_ovsdb_txn t;
	struct xp_ovsdb *db;
	json_object *res = NULL;
	char err[256] = "";
	int lfd, st = 0;
	pid_t pid;
	(void)state;

	snprintf(sock_path, sizeof(sock_path), "/tmp/xp-ovsdb-test.%ld", (long)getpid());
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	unlink(sock_path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		fake_server(lfd);
	close(lfd);
	db = xp_ovsdb_open(sock_path, 5000, err, sizeof(err));
	assert_non_null(db);
	xp_ovsdb_txn_init(&t, XP_OVSDB_DB);
	xp_ovsdb_op_select(&t, "Bridge", xp_ovsdb_where(NULL, NULL, NULL), NULL);
	assert_int_equal(xp_ovsdb_transact(db, &t, &res, err, sizeof(err)), 0);
	assert_int_equal(json_object_array_length(xp_ovsdb_result_rows(res, 0)), 1);
	json_object_put(res);
	assert_int_equal(xp_ovsdb_transact(db, &t, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "closed the connection"));
	xp_ovsdb_txn_free(&t);
	xp_ovsdb_close(db);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	unlink(sock_path);
}

static void test_open_errors(void **state)
{
	char err[256] = "", path[108], remote[128];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;
	(void)state;

	assert_null(xp_ovsdb_open("/nonexistent/db.sock", 100, err, sizeof(err)));
	assert_non_null(strstr(err, "no ovsdb-server socket at /nonexistent/db.sock"));
	assert_null(xp_ovsdb_open("tcp:127.0.0.1:6640", 100, err, sizeof(err)));
	assert_non_null(strstr(err, "only unix:PATH"));
	/* a socket file nobody listens on */
	snprintf(path, sizeof(path), "/tmp/xp-ovsdb-dead.%ld", (long)getpid());
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	snprintf(remote, sizeof(remote), "unix:%s", path);
	assert_null(xp_ovsdb_open(remote, 100, err, sizeof(err)));
	assert_non_null(strstr(err, "connection refused"));
	unlink(path);
}

static void test_sock_path(void **state)
{
	char buf[128];
	(void)state;

	unsetenv("XENPLUMB_OVSDB");
	unsetenv("OVS_RUNDIR");
	assert_string_equal(xp_ovsdb_sock_path(buf, sizeof(buf)), XP_OVSDB_SOCK_DEFAULT);
	setenv("OVS_RUNDIR", "/tmp/ovs", 1);
	assert_string_equal(xp_ovsdb_sock_path(buf, sizeof(buf)), "/tmp/ovs/db.sock");
	setenv("XENPLUMB_OVSDB", "unix:/x/db.sock", 1);
	assert_string_equal(xp_ovsdb_sock_path(buf, sizeof(buf)), "unix:/x/db.sock");
	unsetenv("XENPLUMB_OVSDB");
	unsetenv("OVS_RUNDIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),	    cmocka_unit_test(test_sets),
	    cmocka_unit_test(test_ops_and_request), cmocka_unit_test(test_wait_update_mutate),
	    cmocka_unit_test(test_reply_ok),	    cmocka_unit_test(test_reply_errors),
	    cmocka_unit_test(test_decoder),	    cmocka_unit_test(test_port_uuid),
	    cmocka_unit_test(test_port_add_ops),    cmocka_unit_test(test_transact_fake),
	    cmocka_unit_test(test_open_errors),	    cmocka_unit_test(test_sock_path),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
