/* The state journal's replay of a killed run, without root: records are
 * written through the state API into a temporary directory, the run is
 * "killed" (its journal closed without a snapshot, as a SIGKILL leaves
 * it), and a fresh load must give back what the run had recorded: creates
 * journaled ahead of the kernel request with ifindex 0, their later
 * ifindex, deletes, replaced records, a torn last line, a snapshot the
 * journal is behind or ahead of, and a replay that runs twice. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/state.h"

struct fix {
	char dir[64];
	struct xp_state st; /* the "running" program's state */
};

static int setup(void **ctx)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/xp-test-state.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*ctx = f;
	return 0;
}

static void rm_file(const struct fix *f, const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", f->dir, name);
	unlink(p);
}

static int teardown(void **ctx)
{
	struct fix *f = *ctx;

	xp_state_free(&f->st);
	rm_file(f, "state");
	rm_file(f, "state.tmp");
	rm_file(f, "state.journal");
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A start that journals its changes (xp_state_journal_open). */
static void begin_run(struct fix *f)
{
	char err[256];

	assert_int_equal(xp_state_load(f->dir, &f->st, err, sizeof(err)), 0);
	assert_int_equal(xp_state_journal_open(f->dir, &f->st), 0);
}

/* SIGKILL: nothing of the process survives but what write(2) put in the
 * page cache; in particular no snapshot is written. */
static void kill_run(struct fix *f)
{
	assert_int_equal(f->st.jerr, 0);
	xp_state_free(&f->st);
}

/* A clean end of a run: the journal closed, the snapshot replaced. */
static void end_run(struct fix *f)
{
	xp_state_journal_close(&f->st);
	assert_int_equal(xp_state_save(f->dir, &f->st), 0);
	xp_state_free(&f->st);
}

/* What the next run loads. */
static void reload(const struct fix *f, struct xp_state *s)
{
	char err[256];

	assert_int_equal(xp_state_load(f->dir, s, err, sizeof(err)), 0);
}

static int exists(const struct fix *f, const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", f->dir, name);
	return access(p, F_OK) == 0;
}

static void append(const struct fix *f, const char *name, const char *text)
{
	char p[128];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", f->dir, name);
	fd = open(p, O_WRONLY | O_APPEND | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static struct xp_st_move addr_move(const char *from, const char *to, const char *ip, int plen)
{
	struct xp_st_move m;

	memset(&m, 0, sizeof(m));
	snprintf(m.from, sizeof(m.from), "%s", from);
	snprintf(m.to, sizeof(m.to), "%s", to);
	m.addr.family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, m.addr.addr), 1);
	m.addr.prefixlen = plen;
	m.addr.has_brd = 1;
	m.addr.brd[0] = 10;
	m.addr.brd[3] = 255;
	return m;
}

static struct xp_st_move route_move(const char *from, const char *to)
{
	struct xp_st_move m;

	memset(&m, 0, sizeof(m));
	snprintf(m.from, sizeof(m.from), "%s", from);
	snprintf(m.to, sizeof(m.to), "%s", to);
	m.is_route = 1;
	m.route.family = AF_INET6;
	m.route.table = 254;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::", m.route.dst), 1);
	m.route.dst_len = 64;
	m.route.has_gw = 1;
	assert_int_equal(inet_pton(AF_INET6, "fe80::1", m.route.gw), 1);
	m.route.priority = 1024;
	m.route.protocol = 3;
	m.route.type = 1;
	return m;
}

/* ---- killed before any snapshot ---- */

/* The executor journals a create with ifindex 0 before the request, then
 * the same record with the kernel's ifindex; a kill between the two leaves
 * the first only. */
static void test_create_ahead_ifindex_zero(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s;

	begin_run(f);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 0);
	kill_run(f);
	assert_false(exists(f, "state"));
	assert_true(exists(f, "state.journal"));
	reload(f, &s);
	assert_true(s.replayed);
	assert_int_equal(s.ndevs, 1);
	assert_string_equal(s.devs[0].name, "xenbr0");
	assert_int_equal(s.devs[0].kind, XP_K_BRIDGE);
	assert_int_equal(s.devs[0].ifindex, 0);
	xp_state_free(&s);
}

static void test_create_then_ifindex(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s;

	begin_run(f);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 0);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 7);
	xp_state_add_dev(&f->st, "bond0", XP_K_BOND, 0);
	kill_run(f);
	reload(f, &s);
	assert_int_equal(s.ndevs, 2);
	assert_non_null(xp_state_dev(&s, "xenbr0"));
	assert_int_equal(xp_state_dev(&s, "xenbr0")->ifindex, 7);
	assert_int_equal(xp_state_dev(&s, "bond0")->ifindex, 0);
	assert_int_equal(xp_state_dev(&s, "bond0")->kind, XP_K_BOND);
	xp_state_free(&s);
}

/* Every kind of record, and a run that undid part of its own work (a
 * rollback killed half-way). */
static void test_every_record_and_deletes(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_st_move a = addr_move("eth0", "xenbr0", "10.0.0.5", 24);
	struct xp_st_move r = route_move("eth0", "xenbr0");
	struct xp_state s;

	begin_run(f);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 7);
	xp_state_add_dev(&f->st, "bond0", XP_K_BOND, 8);
	xp_state_add_dev(&f->st, "dummy0", XP_K_DUMMY, 9);
	xp_state_add_port(&f->st, "xenbr0", "eth0");
	xp_state_add_port(&f->st, "xenbr0", "bond0");
	xp_state_add_slave(&f->st, "bond0", "eth1", 1);
	xp_state_add_slave(&f->st, "bond0", "eth2", 0);
	xp_state_add_move(&f->st, &a);
	xp_state_add_move(&f->st, &r);
	/* the rollback */
	xp_state_del_dev(&f->st, "dummy0");
	xp_state_del_port(&f->st, "xenbr0", "bond0");
	xp_state_del_slave(&f->st, "bond0", "eth2");
	xp_state_del_move(&f->st, &r);
	kill_run(f);

	reload(f, &s);
	assert_int_equal(s.ndevs, 2);
	assert_null(xp_state_dev(&s, "dummy0"));
	assert_int_equal(s.nports, 1);
	assert_true(xp_state_has_port(&s, "xenbr0", "eth0"));
	assert_false(xp_state_has_port(&s, "xenbr0", "bond0"));
	assert_int_equal(s.nslaves, 1);
	assert_string_equal(s.slaves[0].slave, "eth1");
	assert_int_equal(s.slaves[0].was_up, 1);
	assert_int_equal(s.nmoves, 1);
	assert_false(s.moves[0].is_route);
	assert_true(xp_addr_equal(&s.moves[0].addr, &a.addr));
	assert_int_equal(s.moves[0].addr.has_brd, 1);
	assert_memory_equal(s.moves[0].addr.brd, a.addr.brd, 4);
	xp_state_free(&s);
}

static void test_route_move_survives(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_st_move r = route_move("bond0", "xenbr1");
	struct xp_state s;

	begin_run(f);
	xp_state_add_move(&f->st, &r);
	kill_run(f);
	reload(f, &s);
	assert_int_equal(s.nmoves, 1);
	assert_true(s.moves[0].is_route);
	assert_true(xp_route_equal(&s.moves[0].route, &r.route));
	assert_string_equal(s.moves[0].from, "bond0");
	assert_string_equal(s.moves[0].to, "xenbr1");
	xp_state_free(&s);
}

/* A slave re-recorded with another was_up replaces the first. */
static void test_replaced_slave(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s;

	begin_run(f);
	xp_state_add_slave(&f->st, "bond0", "eth1", 0);
	xp_state_add_slave(&f->st, "bond0", "eth1", 1);
	kill_run(f);
	reload(f, &s);
	assert_int_equal(s.nslaves, 1);
	assert_int_equal(s.slaves[0].was_up, 1);
	xp_state_free(&s);
}

/* ---- torn lines ---- */

/* The kill landed inside a write: the last line has no newline. */
static void test_torn_last_line_ignored(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s;

	begin_run(f);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 7);
	kill_run(f);
	append(f, "state.journal", "port xenbr0 et");
	reload(f, &s);
	assert_int_equal(s.ndevs, 1);
	assert_int_equal(s.nports, 0);
	xp_state_free(&s);
	/* a torn removal does not remove either */
	rm_file(f, "state.journal");
	append(f, "state.journal", "dev xenbr0 bridge 7\n-dev xenbr0 bri");
	reload(f, &s);
	assert_int_equal(s.ndevs, 1);
	xp_state_free(&s);
}

/* A journal holding only a torn line replays nothing: the snapshot is not
 * behind. */
static void test_only_torn_line(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s;

	append(f, "state.journal", "dev xenbr0 bridge 7");
	reload(f, &s);
	assert_false(s.replayed);
	assert_int_equal(s.ndevs, 0);
	xp_state_free(&s);
}

/* A complete line that does not parse is an error, with where it is. */
static void test_malformed_line_is_an_error(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s;
	char err[256] = "";

	append(f, "state.journal", "dev xenbr0 bridge 7\ndev xenbr0 nosuchkind 7\n");
	assert_int_equal(xp_state_load(f->dir, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "state.journal line 2 is malformed"));
	assert_int_equal(s.ndevs, 0);
}

/* ---- snapshot and journal ---- */

/* The journal goes on from the last snapshot: deletes of snapshot records
 * and new records replay over it. */
static void test_journal_over_snapshot(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s;

	begin_run(f);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 7);
	xp_state_add_dev(&f->st, "xenbr1", XP_K_BRIDGE, 8);
	xp_state_add_port(&f->st, "xenbr1", "eth1");
	end_run(f);
	assert_true(exists(f, "state"));
	assert_false(exists(f, "state.journal"));

	begin_run(f); /* a stop of xenbr1, killed */
	assert_false(f->st.replayed);
	xp_state_del_port(&f->st, "xenbr1", "eth1");
	xp_state_del_dev(&f->st, "xenbr1");
	xp_state_add_dev(&f->st, "dummy0", XP_K_DUMMY, 0);
	kill_run(f);

	reload(f, &s);
	assert_true(s.replayed);
	assert_int_equal(s.ndevs, 2);
	assert_non_null(xp_state_dev(&s, "xenbr0"));
	assert_null(xp_state_dev(&s, "xenbr1"));
	assert_non_null(xp_state_dev(&s, "dummy0"));
	assert_int_equal(s.nports, 0);
	xp_state_free(&s);
}

/* Killed after the snapshot was renamed into place but before the journal
 * was unlinked: replaying a journal the snapshot already holds changes
 * nothing. */
static void test_journal_already_in_snapshot(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s;

	begin_run(f);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 0);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 7);
	xp_state_add_port(&f->st, "xenbr0", "eth0");
	xp_state_add_dev(&f->st, "dummy0", XP_K_DUMMY, 9);
	xp_state_del_dev(&f->st, "dummy0");
	xp_state_journal_close(&f->st);
	{
		char p[128], q[128];
		snprintf(p, sizeof(p), "%s/state.journal", f->dir);
		snprintf(q, sizeof(q), "%s/journal.keep", f->dir);
		assert_int_equal(link(p, q), 0);
		assert_int_equal(xp_state_save(f->dir, &f->st), 0);
		assert_int_equal(rename(q, p), 0);
	}
	xp_state_free(&f->st);

	reload(f, &s);
	assert_true(s.replayed);
	assert_int_equal(s.ndevs, 1);
	assert_int_equal(s.devs[0].ifindex, 7);
	assert_int_equal(s.nports, 1);
	xp_state_free(&s);
}

/* The next run that changes anything folds the journal into a snapshot
 * (network-xenplumb.c's prepare step): the same state, no journal. */
static void test_fold_into_snapshot(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s, t;
	char *a, *b;

	begin_run(f);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 7);
	xp_state_add_slave(&f->st, "bond0", "eth1", 1);
	kill_run(f);

	reload(f, &s);
	assert_true(s.replayed);
	assert_int_equal(xp_state_save(f->dir, &s), 0);
	assert_false(exists(f, "state.journal"));
	reload(f, &t);
	assert_false(t.replayed);
	assert_int_equal(xp_state_format(&s, &a), 0);
	assert_int_equal(xp_state_format(&t, &b), 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
	xp_state_free(&s);
	xp_state_free(&t);
}

/* Loading twice without saving (status, or a dry run, after the kill)
 * replays the same journal to the same state. */
static void test_replay_twice(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_st_move a = addr_move("eth0", "xenbr0", "10.0.0.5", 24);
	struct xp_state s, t;
	char *x, *y;

	begin_run(f);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 0);
	xp_state_add_move(&f->st, &a);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 7);
	xp_state_add_port(&f->st, "xenbr0", "eth0");
	xp_state_del_port(&f->st, "xenbr0", "eth0");
	kill_run(f);

	reload(f, &s);
	reload(f, &t);
	assert_int_equal(xp_state_format(&s, &x), 0);
	assert_int_equal(xp_state_format(&t, &y), 0);
	assert_string_equal(x, y);
	assert_non_null(strstr(x, "dev xenbr0 bridge 7\n"));
	assert_null(strstr(x, "port "));
	free(x);
	free(y);
	xp_state_free(&s);
	xp_state_free(&t);
}

/* A second run killed on top of the first's journal (the first was never
 * folded): both replay, in order. */
static void test_two_killed_runs(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s;

	begin_run(f);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 0);
	kill_run(f);
	begin_run(f);
	assert_true(f->st.replayed);
	xp_state_del_dev(&f->st, "xenbr0");
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 11);
	kill_run(f);
	reload(f, &s);
	assert_int_equal(s.ndevs, 1);
	assert_int_equal(s.devs[0].ifindex, 11);
	xp_state_free(&s);
}

/* Changes before the journal is opened, and after it is closed, are not
 * journaled. */
static void test_unjournaled_changes_lost(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s;

	reload(f, &f->st);
	xp_state_add_dev(&f->st, "early0", XP_K_DUMMY, 1);
	assert_int_equal(xp_state_journal_open(f->dir, &f->st), 0);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 7);
	xp_state_journal_close(&f->st);
	xp_state_add_dev(&f->st, "late0", XP_K_DUMMY, 2);
	kill_run(f);
	reload(f, &s);
	assert_int_equal(s.ndevs, 1);
	assert_string_equal(s.devs[0].name, "xenbr0");
	xp_state_free(&s);
}

/* No files at all: an empty state, nothing replayed. */
static void test_empty_dir(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s;

	reload(f, &s);
	assert_false(s.replayed);
	assert_int_equal(s.ndevs + s.nports + s.nslaves + s.nmoves, 0);
	xp_state_free(&s);
}

/* A move keeps the kernel's message (every attribute) and the "had"
 * mark across a killed run and a snapshot. */
static void test_move_message_and_had(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_st_move r = route_move("eth0", "xenbr0");
	struct xp_state s;

	for (unsigned i = 0; i < 300; i++)
		r.route.nl[i] = (unsigned char)(i * 7);
	r.route.nllen = 300;
	r.route.origidx = 42;
	r.had = 1;
	begin_run(f);
	xp_state_add_move(&f->st, &r);
	kill_run(f);
	reload(f, &s);
	assert_int_equal(s.nmoves, 1);
	assert_int_equal(s.moves[0].route.nllen, 300);
	assert_int_equal(s.moves[0].route.origidx, 42);
	assert_memory_equal(s.moves[0].route.nl, r.route.nl, 300);
	assert_int_equal(s.moves[0].had, 1);
	assert_int_equal(xp_state_save(f->dir, &s), 0);
	xp_state_free(&s);
	reload(f, &s);
	assert_int_equal(s.moves[0].route.nllen, 300);
	assert_memory_equal(s.moves[0].route.nl, r.route.nl, 300);
	assert_int_equal(s.moves[0].had, 1);
	xp_state_free(&s);
}

/* A bad message (odd hex, not hex) is a malformed line. */
static void test_bad_message_is_malformed(void **ctx)
{
	struct fix *f = *ctx;
	char err[200];
	struct xp_state s;
	const char *bad[] = {
	    "addr eth0 xenbr0 192.0.2.1/24 0 0 - nl 3 abc\n",
	    "addr eth0 xenbr0 192.0.2.1/24 0 0 - nl 3 zz\n",
	    "addr eth0 xenbr0 192.0.2.1/24 0 0 - nl 0 0a\n",
	    "addr eth0 xenbr0 192.0.2.1/24 0 0 - nl 3\n",
	};

	(void)f;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(xp_state_parse(bad[i], &s, err, sizeof(err)), -1);
	assert_int_equal(
	    xp_state_parse("addr eth0 xenbr0 192.0.2.1/24 0 0 - nl 3 0a0b\n", &s, err, sizeof(err)),
	    0);
	assert_int_equal(s.moves[0].addr.nllen, 2);
	xp_state_free(&s);
}

static int keep_br0(int kind, const char *a, const char *b, const void *arg)
{
	(void)arg;
	if (kind == 'd')
		return !strcmp(a, "xenbr0");
	if (kind == 'p')
		return !strcmp(a, "xenbr0");
	if (kind == 'm')
		return !strcmp(b, "xenbr0");
	return 0;
}

/* Scoping (legacy arguments): the other bridges' records are kept aside,
 * untouched, and written out with the scoped ones. */
static void test_scope_keeps_the_rest(void **ctx)
{
	struct fix *f = *ctx;
	struct xp_state s, rest;
	char *text = NULL;

	begin_run(f);
	xp_state_add_dev(&f->st, "xenbr0", XP_K_BRIDGE, 10);
	xp_state_add_dev(&f->st, "xenbr1", XP_K_BRIDGE, 11);
	xp_state_add_port(&f->st, "xenbr0", "eth0");
	xp_state_add_port(&f->st, "xenbr1", "eth1");
	end_run(f);
	reload(f, &s);
	xp_state_scope(&s, &rest, keep_br0, NULL);
	assert_int_equal(s.ndevs, 1);
	assert_string_equal(s.devs[0].name, "xenbr0");
	assert_int_equal(s.nports, 1);
	assert_int_equal(rest.ndevs, 1);
	assert_int_equal(rest.nports, 1);
	xp_state_del_dev(&s, "xenbr0");
	xp_state_del_port(&s, "xenbr0", "eth0");
	assert_int_equal(xp_state_save(f->dir, &s), 0);
	xp_state_free(&s);
	xp_state_free(&rest);
	reload(f, &s);
	assert_int_equal(s.ndevs, 1);
	assert_string_equal(s.devs[0].name, "xenbr1");
	assert_int_equal(s.nports, 1);
	assert_string_equal(s.ports[0].port, "eth1");
	assert_int_equal(xp_state_format(&s, &text), 0);
	assert_null(strstr(text, "xenbr0"));
	free(text);
	xp_state_free(&s);
}

/* A FIFO as state file or journal is refused, not read (it would block). */
static void test_fifo_refused(void **ctx)
{
	struct fix *f = *ctx;
	char path[128], err[300];
	struct xp_state s;

	snprintf(path, sizeof(path), "%s/state.journal", f->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(xp_state_load(f->dir, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not a regular file"));
	unlink(path);
	snprintf(path, sizeof(path), "%s/state", f->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(xp_state_load(f->dir, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not a regular file"));
	unlink(path);
}

/* Enough records for the name index: removed ones (first, last, middle,
 * a replaced one) are gone, every other is found at its own record, in
 * its order, also after more appends; the index is what a fresh scan
 * finds. */
static void test_index_after_removals(void **ctx)
{
	static const int gone[] = {0, 39, 17, 18, 5, 30};
	struct xp_state s = {0};
	char name[16];
	int alive[48] = {0}, n = 40;

	(void)ctx;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		assert_int_equal(xp_state_add_dev(&s, name, 1, i + 1), 0);
		alive[i] = 1;
	}
	assert_non_null(xp_state_dev(&s, "d3")); /* the index is built */
	for (size_t k = 0; k < sizeof(gone) / sizeof(*gone); k++) {
		snprintf(name, sizeof(name), "d%d", gone[k]);
		xp_state_del_dev(&s, name);
		alive[gone[k]] = 0;
		assert_null(xp_state_dev(&s, name));
	}
	/* replaced (another ifindex): goes to the end */
	assert_int_equal(xp_state_add_dev(&s, "d7", 1, 99), 0);
	for (int i = 40; i < 44; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		assert_int_equal(xp_state_add_dev(&s, name, 1, i + 1), 0);
		alive[i] = 1;
	}
	n = 44;
	assert_int_equal(s.ndevs, 38);
	assert_string_equal(s.devs[0].name, "d1");
	assert_string_equal(s.devs[33].name, "d7");
	for (int i = 0; i < n; i++) {
		const struct xp_st_dev *d;

		snprintf(name, sizeof(name), "d%d", i);
		d = xp_state_dev(&s, name);
		if (!alive[i]) {
			assert_null(d);
			continue;
		}
		assert_non_null(d);
		assert_string_equal(d->name, name);
		assert_int_equal(d->ifindex, i == 7 ? 99 : i + 1);
	}
	xp_state_free(&s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_create_ahead_ifindex_zero),
	    T(test_create_then_ifindex),
	    T(test_every_record_and_deletes),
	    T(test_route_move_survives),
	    T(test_replaced_slave),
	    T(test_torn_last_line_ignored),
	    T(test_only_torn_line),
	    T(test_malformed_line_is_an_error),
	    T(test_journal_over_snapshot),
	    T(test_journal_already_in_snapshot),
	    T(test_fold_into_snapshot),
	    T(test_replay_twice),
	    T(test_two_killed_runs),
	    T(test_unjournaled_changes_lost),
	    T(test_empty_dir),
	    T(test_move_message_and_had),
	    T(test_bad_message_is_malformed),
	    T(test_scope_keeps_the_rest),
	    T(test_fifo_refused),
	    T(test_index_after_removals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
