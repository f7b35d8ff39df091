/* network-xenplumb: make the host's bridges, bonds, VLANs and dummies
 * match the map (/etc/xen/xenplumb.conf), or undo what it did, or report.
 *
 *   network-xenplumb [OPTION...] start|stop|status|reload|check [OPTION...]
 *                    [bridge=B netdev=N antispoof=yes|no vifnum=N]
 *   options: -c FILE | --config FILE | --config=FILE, -n | --dry-run,
 *            --json, --wait SECONDS | --wait=SECONDS, -h | --help,
 *            -V | --version; status NAME: one bridge
 *
 * Exit: 0 done (status: live matches the map; check: the map is valid),
 * 1 failed and rolled back (status: drift), 2 map/usage/privilege errors
 * (nothing changed), 3 degraded: done, but devices the map names do not
 * exist and were skipped (status: only those differ), 75 the run lock
 * stayed taken for --wait seconds (nothing changed). */
#include <errno.h>
#include <json-c/json.h>
#include <linux/capability.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "common/nl.h"
#include "common/ovs.h"
#include "common/xsutil.h"
#include "map/applied.h"
#include "map/conf.h"
#include "map/conf_lex.h"
#include "net/exec.h"
#include "net/guests.h"
#include "net/l3.h"
#include "net/lock.h"
#include "net/observe.h"
#include "net/ovsnet.h"
#include "net/plan.h"
#include "net/planout.h"
#include "net/report.h"
#include "net/state.h"
#include "net/status.h"

#define PROG "network-xenplumb"
#ifndef XP_VERSION
#define XP_VERSION "unknown"
#endif
#define EXIT_DEGRADED 3

struct run;

/* A subcommand: what it is called, what it does once prepare() has loaded
 * the map, taken the lock, loaded the state and observed the host, and how
 * prepare() treats it. */
struct command {
	const char *name;
	int (*fn)(struct run *r); /* returns the exit code */
	int obs_mode;		  /* XP_OBS_*: what observe reads */
	int writes;		  /* changes the host (unless --dry-run) */
	int map_optional;	  /* goes by the state file when the map does not load */
	int map_only;		  /* reads the map alone: no state, netlink or lock */
	/* documents the row; usage() keeps its own text so that --help prints
	 * what it always has */
	// cppcheck-suppress unusedStructMember
	const char *description;
};

struct opts {
	const struct command *cmd;
	const char *conf;
	const char *name; /* status NAME */
	int dry_run;
	int json;
	int conf_given; /* -c / --config= */
	int wait_s;	/* --wait: seconds for the run lock */
	int nlegacy;
	char **legacy;
};

/* What prepare() sets up for a command and finish() takes down. */
struct run {
	const struct opts *o;
	const char *dir;
	struct xp_conf conf;
	int have_conf;
	struct xp_state st;
	struct xp_state rest; /* records of other bridges (legacy arguments) */
	struct xp_observed obs;
	struct nl_sock *sk;
	char (*extra)[XP_IFNAMSIZ];
	int lockfd;
	int changes; /* writes and not a dry run */
	int fail_rc; /* exit code when prepare() fails */
	/* --json: the answer of start, stop or reload, printed by run() once
	 * the command is done, with the Open vSwitch and the routed/NAT
	 * networks' lines told after the netlink plan */
	json_object *ans;
	json_object *ovs_lines;
	json_object *l3_lines;
};

static int cmd_start(struct run *r);
static int cmd_stop(struct run *r);
static int cmd_status(struct run *r);
static int cmd_reload(struct run *r);
static int cmd_check(struct run *r);

static const struct command commands[] = {
    {"start", cmd_start, XP_OBS_START, 1, 0, 0, "create and attach what the map lists"},
    {"stop", cmd_stop, XP_OBS_STOP, 1, 1, 0, "undo what start and reload did (the state file)"},
    {"status", cmd_status, XP_OBS_STATUS, 0, 0, 0, "compare the host with the map"},
    {"reload", cmd_reload, XP_OBS_RELOAD, 1, 0, 0, "apply the map's changes, undo what it dropped"},
    {"check", cmd_check, XP_OBS_STATUS, 0, 0, 1, "validate the map, touch nothing"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [OPTION...] start|stop|reload [--dry-run] [--json]\n"
		"       " PROG " [OPTION...] status [NAME] [--json]\n"
		"       " PROG " [OPTION...] check\n"
		"       " PROG " start|stop|status bridge=BR netdev=DEV [antispoof=no] "
		"[vifnum=N]\n"
		"  -c, --config FILE  the map (default $XENPLUMB_CONF, else " XP_CONF_DEFAULT_PATH
		"); not with bridge= ...\n"
		"  -n, --dry-run      print the plan, change nothing\n"
		"  --json             the plan, the result or the status as JSON\n"
		"  --wait S           wait at most S seconds for another run's lock (default %d; "
		"exit %d)\n"
		"  -V, --version      print the version\n"
		"  -h, --help         this help\n"
		"Options go before or after the command.  See network-xenplumb(8).\n",
		XP_LOCK_WAIT_DEFAULT, XP_EXIT_LOCKED);
}

/* network-bridge's arguments name one bridge: they go with start, stop and
 * status, which then touch that bridge alone, and not with a map file. */
static int check_legacy(const struct opts *o)
{
	if (!o->nlegacy)
		return 0;
	if (!strcmp(o->cmd->name, "reload")) {
		fprintf(stderr,
			PROG ": reload takes no network-bridge arguments (%s ...): it "
			     "applies the map's changes; run stop then start with "
			     "them, or reload without them\n",
			o->legacy[0]);
		return -1;
	}
	if (o->conf_given) {
		fprintf(stderr,
			PROG ": -c %s and network-bridge arguments (%s ...) exclude each "
			     "other: the arguments are a one-bridge map of their own; put that "
			     "bridge in the map, or drop -c\n",
			o->conf, o->legacy[0]);
		return -1;
	}
	return 0;
}

/* A command word that is not one: name it, and the nearest if close. */
static void unknown_command(const char *w)
{
	const char *best = NULL;
	int bd = 3;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		int d = xp_lex_distance(w, commands[i].name);
		if (d < bd) {
			bd = d;
			best = commands[i].name;
		}
	}
	if (best)
		fprintf(stderr, PROG ": unknown command '%s' (did you mean '%s'?)\n", w, best);
	else
		fprintf(stderr, PROG ": unknown command '%s'\n", w);
}

/* -c FILE, -cFILE, --config FILE, --config=FILE: 1 taken (the value in
 * o->conf), 0 not this option, -1 missing value. */
static int opt_config(int argc, char **argv, int *i, struct opts *o)
{
	const char *a = argv[*i];

	if (!strncmp(a, "--config=", 9) || (!strncmp(a, "-c", 2) && a[2])) {
		o->conf = a + (a[1] == '-' ? 9 : 2);
		o->conf_given = 1;
		return *o->conf ? 1 : -1;
	}
	if (strcmp(a, "-c") && strcmp(a, "--config"))
		return 0;
	if (*i + 1 >= argc || !*argv[*i + 1]) {
		fprintf(stderr, PROG ": option '%s' needs a FILE\n", a);
		return -1;
	}
	o->conf = argv[++*i];
	o->conf_given = 1;
	return 1;
}

/* --wait SECONDS, --wait=SECONDS: 1 taken (o->wait_s), 0 not this option,
 * -1 missing or bad value (said). */
static int opt_wait(int argc, char **argv, int *i, struct opts *o)
{
	const char *a = argv[*i], *v;
	long n;

	if (!strncmp(a, "--wait=", 7))
		v = a + 7;
	else if (strcmp(a, "--wait"))
		return 0;
	else if (*i + 1 >= argc) {
		fprintf(stderr, PROG ": option '%s' needs SECONDS\n", a);
		return -1;
	} else
		v = argv[++*i];
	if (xp_parse_uint(v, 0, 3600, &n) < 0) {
		fprintf(stderr, PROG ": bad --wait, '%s' -- use whole seconds from 0 to 3600\n", v);
		return -1;
	}
	o->wait_s = (int)n;
	return 1;
}

/* One word that is not an option: the command, status' NAME, or a
 * network-bridge argument (after the command only).  0 or -1 (said). */
static int parse_word(const char *w, struct opts *o)
{
	if (!o->cmd) {
		o->cmd = command_find(w);
		if (!o->cmd) {
			unknown_command(w);
			return -1;
		}
		return 0;
	}
	if (strchr(w, '=')) {
		o->legacy[o->nlegacy++] = (char *)w;
		return 0;
	}
	if (!strcmp(o->cmd->name, "status") && !o->name) {
		o->name = w;
		return 0;
	}
	fprintf(stderr, PROG ": unexpected argument '%s' after %s\n", w, o->cmd->name);
	return -1;
}

/* 0 to run, 1 done (--help, --version), -1 usage error (said). */
static int parse_args(int argc, char **argv, struct opts *o)
{
	const char *env = getenv("XENPLUMB_CONF");
	int only_words = 0;

	memset(o, 0, sizeof(*o));
	o->conf = env && *env ? env : XP_CONF_DEFAULT_PATH;
	o->wait_s = XP_LOCK_WAIT_DEFAULT;
	o->legacy = calloc((size_t)argc + 1, sizeof(char *));
	if (!o->legacy)
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int c;

		if (only_words || a[0] != '-' || !a[1]) {
			if (parse_word(a, o) < 0)
				return -1;
		} else if (!strcmp(a, "--")) {
			only_words = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf(PROG " " XP_VERSION "\n");
			return 1;
		} else if (!strcmp(a, "--dry-run") || !strcmp(a, "-n")) {
			o->dry_run = 1;
		} else if (!strcmp(a, "--json")) {
			o->json = 1;
		} else if ((c = opt_config(argc, argv, &i, o)) != 0 ||
			   (c = opt_wait(argc, argv, &i, o)) != 0) {
			if (c < 0)
				return -1;
		} else {
			fprintf(stderr, PROG ": unknown option '%s'\n", a);
			return -1;
		}
	}
	if (!o->cmd) {
		fprintf(stderr, PROG ": no command given\n");
		return -1;
	}
	if (o->name && o->nlegacy) {
		fprintf(stderr, PROG ": status NAME and network-bridge arguments do not go "
				     "together\n");
		return -1;
	}
	return check_legacy(o);
}

/* The map, or the network-bridge arguments: 0, or -1 with every error
 * said (stderr, and syslog for a run that changes the host). */
static int load_map(const struct opts *o, struct xp_conf *c)
{
	struct xp_diag d = {0};
	int n;

	if (o->nlegacy)
		n = xp_conf_from_legacy(o->nlegacy, o->legacy, c, &d);
	else
		n = xp_conf_load(o->conf, c, &d);
	for (size_t i = 0; i < d.n; i++)
		xp_say_raw(LOG_ERR, d.msgs[i]);
	if (n && !d.n) {
		char msg[1200];
		snprintf(msg, sizeof(msg), "%s: the map has errors",
			 o->nlegacy ? "arguments" : o->conf);
		xp_say_raw(LOG_ERR, msg);
	}
	xp_diag_free(&d);
	if (n) {
		if (o->cmd->map_only)
			fprintf(stderr, PROG ": %d error%s in %s\n", n, n == 1 ? "" : "s",
				o->nlegacy ? "the arguments" : o->conf);
		else
			xp_say(LOG_ERR, "%d error%s in the map; nothing changed", n,
			       n == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

/* Every name the state file mentions, so stop/reload observe them. */
static size_t state_names(const struct xp_state *s, char (**out)[XP_IFNAMSIZ])
{
	size_t n = 0, cap = 2 * (s->ndevs + 2 * s->nports + 2 * s->nslaves + 2 * s->nmoves +
				 s->nmtus + 2 * s->npvlans) +
			    1;
	char(*v)[XP_IFNAMSIZ] = calloc(cap, XP_IFNAMSIZ);

	if (!v)
		abort();
#define ADD(x) snprintf(v[n++], XP_IFNAMSIZ, "%s", (x))
	for (size_t i = 0; i < s->ndevs; i++)
		ADD(s->devs[i].name);
	for (size_t i = 0; i < s->nports; i++) {
		ADD(s->ports[i].bridge);
		ADD(s->ports[i].port);
	}
	for (size_t i = 0; i < s->nslaves; i++) {
		ADD(s->slaves[i].bond);
		ADD(s->slaves[i].slave);
	}
	for (size_t i = 0; i < s->nmoves; i++) {
		ADD(s->moves[i].from);
		ADD(s->moves[i].to);
	}
	for (size_t i = 0; i < s->nmtus; i++)
		ADD(s->mtus[i].dev);
	for (size_t i = 0; i < s->npvlans; i++) {
		ADD(s->pvlans[i].bridge);
		ADD(s->pvlans[i].port);
	}
#undef ADD
	*out = v;
	return n;
}

/* Port and slave records written under an altname (before xenplumb knew
 * them) go by the kernel's name, as the plan does. */
static int canon_state(struct xp_state *s, const struct xp_observed *o)
{
	int changed = 0;

	for (size_t i = s->nports; i-- > 0;) {
		const struct xp_obs_link *l = xp_obs_find(o, s->ports[i].port);
		struct xp_st_port p = s->ports[i];
		if (!l || l->kind == XP_K_ABSENT || !strcmp(l->name, p.port))
			continue;
		xp_state_del_port(s, p.bridge, p.port);
		xp_state_add_port(s, p.bridge, l->name);
		changed = 1;
	}
	for (size_t i = s->nslaves; i-- > 0;) {
		const struct xp_obs_link *l = xp_obs_find(o, s->slaves[i].slave);
		struct xp_st_slave sl = s->slaves[i];
		if (!l || l->kind == XP_K_ABSENT || !strcmp(l->name, sl.slave))
			continue;
		xp_state_del_slave(s, sl.bond, sl.slave);
		xp_state_add_slave(s, sl.bond, l->name, sl.was_up);
		changed = 1;
	}
	return changed;
}

/* Why the device a record names is not (provably) the one xenplumb
 * created, or NULL when it is: its kind, its ifindex (0: written ahead of
 * a create that a killed run may or may not have made) and the kernel's
 * mark (XP_OWN_GROUP). */
static const char *not_ours(const struct xp_st_dev *d, const struct xp_obs_link *l, char *buf,
			    size_t len)
{
	const char *is = l->kind_name[0] ? l->kind_name : xp_kind_name(l->kind);

	if (l->kind != d->kind)
		snprintf(buf, len, "%s is a %s, not a %s", d->name,
			 l->kind == XP_K_OTHER && !l->kind_name[0] ? "plain device (NIC)" : is,
			 xp_kind_name(d->kind));
	else if (d->ifindex && l->ifindex != d->ifindex)
		snprintf(buf, len, "%s has ifindex %d, not %d: someone else's, made since", d->name,
			 l->ifindex, d->ifindex);
	else if (l->group != XP_OWN_GROUP)
		snprintf(buf, len, "%s does not carry xenplumb's mark (link group %u, not %u)",
			 d->name, l->group, XP_OWN_GROUP);
	else
		return NULL;
	return buf;
}

/* Put altname records under the kernel's names, forget created devices
 * that are gone, and refuse (report and drop) the records whose device is
 * not provably ours: nothing is ever deleted on the word of the state file
 * alone. */
static int prune_state(struct xp_state *s, const struct xp_observed *o, const char *dir)
{
	int changed = canon_state(s, o);
	char why[200];

	for (size_t i = s->ndevs; i-- > 0;) {
		const struct xp_st_dev *d = &s->devs[i];
		const struct xp_obs_link *l = xp_obs_find(o, d->name);
		if (l && l->kind != XP_K_ABSENT && !not_ours(d, l, why, sizeof(why))) {
			if (!d->ifindex) {		/* made by a run killed before it said so */
				char name[XP_IFNAMSIZ]; /* d moves: the record is replaced */
				snprintf(name, sizeof(name), "%s", d->name);
				xp_state_add_dev(s, name, d->kind, l->ifindex);
				changed = 1;
			}
			continue;
		}
		if (l && l->kind != XP_K_ABSENT)
			xp_say(LOG_WARNING,
			       "%s/state: record 'dev %s %s %d' refused: %s; not xenplumb's "
			       "to delete, the record is dropped",
			       dir, d->name, xp_kind_name(d->kind), d->ifindex, why);
		xp_state_del_dev(s, d->name);
		changed = 1;
	}
	for (size_t i = s->nports; i-- > 0;) {
		const struct xp_obs_link *l = xp_obs_find(o, s->ports[i].port);
		if (!l || strcmp(l->master, s->ports[i].bridge)) {
			xp_state_del_port(s, s->ports[i].bridge, s->ports[i].port);
			changed = 1;
		}
	}
	/* slaves of a bond that is no longer ours (a run killed right after
	 * deleting it): kept only while one that was up is down and free, for
	 * the plan to bring it up */
	for (size_t i = s->nslaves; i-- > 0;) {
		const struct xp_obs_link *l = xp_obs_find(o, s->slaves[i].slave);
		if (xp_state_dev(s, s->slaves[i].bond))
			continue;
		if (s->slaves[i].was_up && l && l->kind != XP_K_ABSENT && !l->up && !l->master[0])
			continue;
		xp_state_del_slave(s, s->slaves[i].bond, s->slaves[i].slave);
		changed = 1;
	}
	return changed;
}

/* Notes and drift: to stdout (unless --json) and to syslog. */
static void print_notes(const struct xp_plan *p, int quiet)
{
	for (size_t i = 0; i < p->nnotes; i++) {
		if (!quiet)
			printf("note: %s\n", p->notes[i]);
		xp_note(LOG_INFO, "note: %s", p->notes[i]);
	}
	for (size_t i = 0; i < p->ndrift; i++) {
		if (!quiet)
			printf("drift: %s %s: want %s, have %s (left as it is)\n",
			       p->drift[i].device, p->drift[i].what, p->drift[i].want,
			       p->drift[i].have);
		xp_note(LOG_WARNING, "drift: %s %s: want %s, have %s (left as it is)",
			p->drift[i].device, p->drift[i].what, p->drift[i].want, p->drift[i].have);
	}
	if (!p->n && !quiet)
		printf("nothing to do\n");
}

static int fail_at(void)
{
	const char *v = getenv("XENPLUMB_FAIL_AT");
	long n;

	if (!v || !*v || xp_parse_uint(v, 1, 1000000, &n) < 0)
		return 0;
	return (int)n;
}

/* The map: every command but stop needs it (legacy arguments included);
 * stop works from the state file, and the map, when it loads, only tells
 * the map's own ports from guests.  0 or -1. */
static int prepare_map(struct run *r)
{
	const struct opts *o = r->o;
	struct xp_diag d = {0};

	if (!o->cmd->map_optional || o->nlegacy) {
		if (load_map(o, &r->conf) < 0)
			return -1;
		r->have_conf = 1;
		return 0;
	}
	if (access(o->conf, R_OK) == 0 && xp_conf_load(o->conf, &r->conf, &d) == 0)
		r->have_conf = 1;
	else if (access(o->conf, F_OK) == 0)
		xp_say(LOG_WARNING, "note: %s does not load; stop goes by the state file alone",
		       o->conf);
	xp_diag_free(&d);
	return 0;
}

/* A command that changes the host: CAP_NET_ADMIN, the state directory and
 * the run lock.  0 or -1. */
static int prepare_lock(struct run *r)
{
	char err[512];
	int e;

	if (!r->changes)
		return 0;
	if (!xp_have_net_admin()) {
		xp_say(LOG_ERR, "%s needs CAP_NET_ADMIN (run as root); try --dry-run or status",
		       r->o->cmd->name);
		return -1;
	}
	if ((e = xp_state_dir_ensure(r->dir)) < 0) {
		xp_say(LOG_ERR, "state directory %s: %s", r->dir, strerror(-e));
		return -1;
	}
	r->lockfd = xp_lock_take(r->dir, r->o->wait_s, stderr, err, sizeof(err));
	if (r->lockfd < 0) {
		xp_say(LOG_ERR, "%s; nothing changed", err);
		if (r->lockfd == -2)
			r->fail_rc = XP_EXIT_LOCKED;
		r->lockfd = -1;
		return -1;
	}
	return 0;
}

/* Legacy arguments name one bridge (and its netdev): the records of that
 * bridge are its own, its ports', the moves onto it, its MTU and trunk
 * VLAN records, and a dummy netdev it created; everything else belongs to
 * other bridges (another line of the wrapper, or the map) and is neither
 * planned over nor lost. */
static int in_legacy_scope(int kind, const char *a, const char *b, const void *arg)
{
	const struct xp_bridge *br = &((const struct xp_conf *)arg)->bridges[0];
	const char *netdev = br->nports ? br->ports[0] : "";

	switch (kind) {
	case 'd':
		return !strcmp(a, br->name) || (!strcmp(a, netdev) && !strcmp(b, "dummy"));
	case 'p':
	case 'u':
	case 'v':
		return !strcmp(a, br->name);
	case 'm':
		return !strcmp(b, br->name);
	default:
		return 0;
	}
}

/* The map in the kernel's names (altnames resolved): notes on stderr (the
 * JSON of status stays clean); two names of one NIC under two masters are
 * map errors.  0 or -1. */
static int canon_map(struct run *r)
{
	struct xp_diag notes = {0}, errs = {0};
	int n = xp_obs_canon_conf(&r->obs, &r->conf, &notes, &errs);

	for (size_t i = 0; i < notes.n; i++)
		fprintf(stderr, PROG ": note: %s\n", notes.msgs[i]);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	xp_diag_free(&notes);
	xp_diag_free(&errs);
	if (n)
		fprintf(stderr, PROG ": %d error%s in the map; nothing changed\n", n,
			n == 1 ? "" : "s");
	return n ? -1 : 0;
}

/* The state file, rtnetlink, and the host as observe sees it for this
 * command; a journal left by a killed run is folded into the snapshot.
 * 0 or -1. */
static int prepare_observe(struct run *r)
{
	char err[512];
	size_t nextra;
	int e;

	if (xp_state_load(r->dir, &r->st, err, sizeof(err)) < 0) {
		xp_say(LOG_ERR, "%s", err);
		return -1;
	}
	if (r->o->nlegacy && r->have_conf && r->conf.nbridges == 1)
		xp_state_scope(&r->st, &r->rest, in_legacy_scope, &r->conf);
	r->sk = xp_nl_open();
	if (!r->sk) {
		xp_say(LOG_ERR, "cannot open rtnetlink");
		return -1;
	}
	nextra = state_names(&r->st, &r->extra);
	e = xp_observe_all(r->sk, r->have_conf ? &r->conf : NULL, r->extra, nextra, &r->st,
			   r->o->cmd->obs_mode, &r->obs);
	if (e < 0) {
		xp_say(LOG_ERR, "cannot read the interfaces: %s", xp_nl_strerror(e));
		return -1;
	}
	if (r->have_conf && canon_map(r) < 0)
		return -1;
	if ((prune_state(&r->st, &r->obs, r->dir) || r->st.replayed) && r->changes)
		xp_state_save(r->dir, &r->st);
	return 0;
}

/* The one set-up every command shares.  0 or -1 (reported; exit 2);
 * finish() undoes it either way. */
static int prepare(struct run *r, const struct opts *o)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->dir = xp_state_dir();
	r->lockfd = -1;
	r->fail_rc = 2;
	r->changes = o->cmd->writes && !o->dry_run;
	if (prepare_map(r) < 0)
		return -1;
	if (o->cmd->map_only)
		return 0;
	if (prepare_lock(r) < 0 || prepare_observe(r) < 0)
		return -1;
	return 0;
}

static void finish(struct run *r)
{
	free(r->extra);
	xp_observed_free(&r->obs);
	xp_state_free(&r->st);
	xp_state_free(&r->rest);
	if (r->have_conf)
		xp_conf_free(&r->conf);
	xp_nl_close(r->sk);
	xp_lock_release(r->lockfd);
	json_object_put(r->ans);
	json_object_put(r->ovs_lines);
	json_object_put(r->l3_lines);
}

/* ---- the answer of start, stop and reload -------------------------------- */

/* Devices the map names that do not exist (a degraded run). */
static json_object *missing_json(const struct xp_plan *p)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < p->nmissing; i++) {
		json_object *m = json_object_new_object();

		json_object_object_add(m, "device", json_object_new_string(p->missing[i].device));
		json_object_object_add(m, "role", json_object_new_string(p->missing[i].role));
		json_object_object_add(m, "where", json_object_new_string(p->missing[i].where));
		json_object_array_add(a, m);
	}
	return a;
}

/* --json: one object (docs/network-xenplumb.md, "JSON output"). */
static json_object *answer_new(const struct run *r, const struct xp_plan *p, const size_t *order)
{
	const struct opts *o = r->o;
	json_object *j = json_object_new_object();

	json_object_object_add(j, "command", json_object_new_string(o->cmd->name));
	json_object_object_add(j, "map",
			       json_object_new_string(o->nlegacy ? "(network-bridge "
								   "arguments)"
								 : o->conf));
	json_object_object_add(j, "dry_run", json_object_new_boolean(o->dry_run));
	json_object_object_add(j, "notes", xp_plan_json_notes(p));
	json_object_object_add(j, "drift", xp_plan_json_drift(p));
	json_object_object_add(j, "steps", xp_plan_json_steps(p, order));
	json_object_object_add(j, "missing", missing_json(p));
	return j;
}

/* The netlink plan's outcome: the answer is printed by answer_flush(). */
static void answer_keep(struct run *r, json_object *j, const char *result, int applied)
{
	json_object_object_add(j, "result", json_object_new_string(result));
	json_object_object_add(j, "applied", json_object_new_int(applied));
	json_object_put(r->ans);
	r->ans = j;
}

static json_object *or_empty(json_object *a)
{
	return a ? a : json_object_new_array();
}

/* Once the command is done: what Open vSwitch and the routed/NAT networks
 * told, and every error said, go in too. */
static void answer_flush(struct run *r)
{
	json_object *j = r->ans;

	json_object_object_add(j, "openvswitch", or_empty(r->ovs_lines));
	json_object_object_add(j, "networks", or_empty(r->l3_lines));
	json_object_object_add(j, "errors", or_empty(xp_report_errors()));
	r->ovs_lines = r->l3_lines = NULL;
	printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
	r->ans = NULL;
}

/* A run that failed before it had a plan, with --json: the errors said. */
static void answer_error(const struct opts *o)
{
	json_object *j = json_object_new_object();
	json_object *errs = xp_report_errors();

	json_object_object_add(j, "command", json_object_new_string(o->cmd->name));
	json_object_object_add(j, "map",
			       json_object_new_string(o->nlegacy ? "(network-bridge "
								   "arguments)"
								 : o->conf));
	json_object_object_add(j, "result", json_object_new_string("error"));
	json_object_object_add(j, "errors", errs ? errs : json_object_new_array());
	printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
}

/* The real run's steps as the executor numbered them, with each one's op,
 * device and peer from the plan (the fields of a dry run's steps). */
static json_object *steps_annotate(const struct xp_plan *p, json_object *lines)
{
	json_object *steps = json_object_new_array();

	for (size_t i = 0; i < json_object_array_length(lines); i++) {
		json_object *l = json_object_array_get_idx(lines, i), *t = NULL, *n = NULL;
		json_object *s = json_object_new_object();
		const struct xp_op *op;

		json_object_object_get_ex(l, "step", &n);
		json_object_object_get_ex(l, "text", &t);
		op = xp_plan_op_of(p, json_object_get_string(t));
		json_object_object_add(s, "step", json_object_get(n));
		json_object_object_add(s, "op",
				       op ? json_object_new_string(xp_op_name(op->type)) : NULL);
		json_object_object_add(s, "device",
				       op && *op->dev ? json_object_new_string(op->dev) : NULL);
		json_object_object_add(s, "peer",
				       op && *op->peer ? json_object_new_string(op->peer) : NULL);
		json_object_object_add(s, "text", json_object_get(t));
		json_object_array_add(steps, s);
	}
	json_object_put(lines);
	return steps;
}

/* A create the kernel refused for want of the kind's driver: say which
 * module to load. */
static void module_hint(const struct xp_plan *p, const char *error)
{
	const struct xp_op *op = xp_plan_op_of(p, error);
	const char *kind, *mod;

	if (!op || op->type != XP_OP_CREATE ||
	    (!strstr(error, "Unknown device type") && !strstr(error, "not supported")))
		return;
	kind = xp_kind_name(op->kind);
	mod = xp_kind_module(kind);
	if (mod)
		xp_say(LOG_ERR,
		       "the kernel has no %s driver: load it with 'modprobe %s' (and list %s in "
		       "/etc/modules-load.d/xenplumb.conf to load it at boot)",
		       kind, mod, mod);
}

/* The applied map: staged before the run changes anything, put in place
 * after it succeeded (start, reload), or removed after a stop.  Not for
 * network-bridge arguments: several xend calls each name one bridge, and
 * none of them is the whole map. */
static int applied_stage(struct run *r, char *tmp, size_t len)
{
	char err[600];

	tmp[0] = '\0';
	if (!r->changes || r->o->nlegacy || !r->have_conf || !strcmp(r->o->cmd->name, "stop"))
		return 0;
	if (xp_applied_stage(r->dir, &r->conf, r->o->conf, r->o->cmd->name, tmp, len, err,
			     sizeof(err)) < 0) {
		xp_say(LOG_ERR, "%s; nothing changed", err);
		return -1;
	}
	return 0;
}

static int applied_done(struct run *r, const char *tmp)
{
	char err[600];
	int e = 0;

	if (!r->changes || r->o->nlegacy)
		return 0;
	if (*tmp)
		e = xp_applied_commit(r->dir, tmp, err, sizeof(err));
	else if (!strcmp(r->o->cmd->name, "stop"))
		e = xp_applied_remove(r->dir, err, sizeof(err));
	if (e < 0)
		xp_say(LOG_ERR, "%s", err);
	return e;
}

/* Plan errors (refusals): said, exit 2. */
static int refuse(struct run *r, struct xp_plan *plan, json_object *ans)
{
	for (size_t i = 0; i < plan->nerrors; i++)
		xp_say_raw(LOG_ERR, plan->errors[i]);
	xp_say(LOG_ERR, "%s: %zu error%s; nothing changed", r->o->cmd->name, plan->nerrors,
	       plan->nerrors == 1 ? "" : "s");
	if (ans)
		answer_keep(r, ans, "error", 0);
	return 2;
}

/* Run the plan with undo; its progress lines go through xp_progress. */
/* then, then_arg: struct xp_exec's (or NULL) */
static int execute(struct run *r, struct xp_plan *plan, json_object *ans,
		   int (*then)(struct xp_exec *e, void *arg), void *then_arg)
{
	struct xp_progress pg = {.quiet = r->o->json, .command = r->o->cmd->name};
	struct xp_exec ex = {.sk = r->sk,
			     .state = &r->st,
			     .state_dir = r->dir,
			     .fail_at = 0,
			     .then = then,
			     .then_arg = then_arg};
	int rc;

	if (ans) {
		pg.steps = json_object_new_array();
		pg.rollback = json_object_new_array();
	}
	ex.out = xp_progress_open(&pg);
	if (!ex.out)
		ex.out = stdout;
	ex.fail_at = fail_at();
	rc = xp_exec_run(&ex, plan);
	if (ex.out != stdout)
		fclose(ex.out);
	if (rc < 0) {
		xp_say(LOG_ERR, "%s: %s; %s", r->o->cmd->name, ex.error,
		       ex.rollback_failed ? "rollback was INCOMPLETE (see above)"
					  : "everything this run did was undone");
		module_hint(plan, ex.error);
	} else {
		xp_note(LOG_NOTICE, "%s: %d operation%s applied", r->o->cmd->name, ex.applied,
			ex.applied == 1 ? "" : "s");
	}
	if (ans) {
		json_object_object_add(ans, "steps", steps_annotate(plan, pg.steps));
		json_object_object_add(ans, "rollback", pg.rollback);
		answer_keep(r, ans,
			    rc < 0 ? (ex.rollback_failed ? "rollback-incomplete" : "rolled-back")
				   : "applied",
			    ex.applied);
	}
	return rc < 0 ? 1 : 0;
}

/* Devices the map names that do not exist: each with the line naming it,
 * on stderr and in the log; the rest of the map applies. */
static void report_missing(const struct xp_plan *p)
{
	for (size_t i = 0; i < p->nmissing; i++) {
		const struct xp_missing *m = &p->missing[i];
		fprintf(stderr, "%s%s (%s) does not exist; skipped, the rest of the map applies\n",
			m->where, m->device, m->role);
		xp_log(LOG_WARNING, "%s%s (%s) does not exist; skipped", m->where, m->device,
		       m->role);
	}
	if (p->nmissing)
		fprintf(stderr,
			PROG ": degraded: %zu device%s missing; run start (or reload) again "
			     "once %s there (strict = yes in [global] makes this an error)\n",
			p->nmissing, p->nmissing == 1 ? "" : "s",
			p->nmissing == 1 ? "it is" : "they are");
}

/* start, stop and reload after planning: report the plan's errors, print
 * it, and apply it (with undo) unless this is a dry run. */
static int apply(struct run *r, struct xp_plan *plan, int (*then)(struct xp_exec *e, void *arg),
		 void *then_arg)
{
	const struct opts *o = r->o;
	size_t *order = calloc(plan->n + 1, sizeof(*order));
	json_object *ans;
	char tmp[4200];
	int rc;

	if (!order)
		abort();
	xp_plan_steps(plan, &r->obs, order);
	ans = o->json ? answer_new(r, plan, order) : NULL;
	if (plan->nerrors) {
		free(order);
		return refuse(r, plan, ans);
	}
	report_missing(plan);
	print_notes(plan, o->json);
	if (o->dry_run || !plan->n) {
		if (o->dry_run && plan->n && !o->json)
			xp_plan_print_steps(plan, order, stdout);
		free(order);
		rc = applied_stage(r, tmp, sizeof(tmp)) < 0 || applied_done(r, tmp) < 0 ? 1 : 0;
		if (ans)
			answer_keep(r, ans,
				    rc		 ? "error"
				    : o->dry_run ? "planned"
						 : "nothing-to-do",
				    0);
		return rc ? rc : plan->nmissing ? EXIT_DEGRADED : 0;
	}
	free(order);
	if (applied_stage(r, tmp, sizeof(tmp)) < 0) {
		if (ans)
			answer_keep(r, ans, "error", 0);
		return 2;
	}
	rc = execute(r, plan, ans, then, then_arg);
	if (rc)
		xp_applied_discard(tmp);
	else if (applied_done(r, tmp) < 0)
		rc = 1;
	return rc ? rc : plan->nmissing ? EXIT_DEGRADED : 0;
}

/* The map's routed and NAT networks (net/l3.h). */
static struct xp_l3_map l3_map(const struct run *r)
{
	struct xp_l3_map m = {0};

	if (r->have_conf) {
		m.routed = r->conf.routed;
		m.nrouted = r->conf.nrouted;
		m.nat = r->conf.nats;
		m.nnat = r->conf.nnats;
	}
	return m;
}

/* Where the routed/NAT networks' lines go: stdout, or with --json (stdout
 * carries the one answer object) a buffer l3_done() copies to stderr and
 * into the answer. */
static FILE *l3_open(const struct run *r, char **buf, size_t *len)
{
	FILE *f;

	*buf = NULL;
	*len = 0;
	if (!r->o->json)
		return stdout;
	f = open_memstream(buf, len);
	return f ? f : stderr;
}

/* Each line of text into the JSON array *arr (made when needed). */
static void json_lines(json_object **arr, const char *text)
{
	while (text && *text) {
		size_t n = strcspn(text, "\n");

		if (!*arr)
			*arr = json_object_new_array();
		json_object_array_add(*arr, json_object_new_string_len(text, (int)n));
		text += n + (text[n] == '\n');
	}
}

/* buf: l3_open's (fclose sets it) */
static void l3_done(struct run *r, FILE *f, char **buf)
{
	if (f != stdout && f != stderr) {
		fclose(f);
		if (*buf)
			fputs(*buf, stderr);
		json_lines(&r->l3_lines, *buf);
	}
	free(*buf);
}

static int l3_start(struct run *r, const struct xp_l3_map *m)
{
	char *buf;
	size_t len;
	FILE *f = l3_open(r, &buf, &len);
	int rc = xp_l3_apply(r->sk, m, r->dir, f);

	l3_done(r, f, &buf);
	return rc;
}

static int l3_stop(struct run *r)
{
	char *buf;
	size_t len;
	FILE *f = l3_open(r, &buf, &len);
	int rc = xp_l3_stop(r->sk, r->dir, f);

	l3_done(r, f, &buf);
	return rc;
}

/* After a start or reload that applied: running guests' vifs that are on
 * no bridge go back on theirs (guests.h). */
static void replug_guests(struct run *r)
{
	struct xs_handle *xs = xp_xs_open_readonly();
	struct xp_guest *g;
	size_t n = xp_guests_detached(xs, r->sk, &g);

	xp_xs_close(xs);
	xp_guests_replug(g, n, r->o->dry_run, r->o->json ? stderr : stdout);
	free(g);
}

/* ---- Open vSwitch bridges (src/net/ovsnet.c), after/before netlink's ---- */

/* Where the OVS steps are told: stdout, or stderr when stdout carries
 * the --json answer. */
static FILE *ovs_out(const struct run *r)
{
	return r->o->json ? stderr : stdout;
}

/* An OVS step line: told as the netlink steps are (stdout, or stderr
 * under --json), and to syslog like them (docs/logging.md): a change at
 * notice, what is left as it is on purpose (a bridge kept for its guests,
 * a warning) at warning.  ctx is the run. */
static void ovs_say(void *ctx, const char *line)
{
	struct run *r = ctx;
	const char *cmd = r->o->cmd->name;

	fprintf(ovs_out(r), "%s\n", line);
	if (r->o->json)
		json_lines(&r->ovs_lines, line);
	if (!strncmp(line, "warning: ", 9))
		xp_note(LOG_WARNING, "%s: %s", cmd, line + 9);
	else if (!strncmp(line, "keep ", 5))
		xp_note(LOG_WARNING, "%s: %s", cmd, line);
	else
		xp_note(LOG_NOTICE, "%s: %s", cmd, line);
}

static struct xp_ovsdb *ovs_open(char *err, size_t errlen)
{
	char path[256];

	return xp_ovsdb_open(xp_ovsdb_sock_path(path, sizeof(path)), xp_ovs_wait_ms() + 5000, err,
			     errlen);
}

/* The plan's missing OVS bridge ports (plan.c: reported, exit 3) are left
 * out of what ovsnet adds. */
static void ovs_skip_missing(struct xp_ovsnet_map *m, const struct xp_plan *p)
{
	for (size_t i = 0; i < m->n; i++) {
		struct xp_ovsnet_bridge *b = &m->b[i];
		const char **ports = (const char **)(uintptr_t)b->ports;
		char of[48];
		size_t k = 0;

		snprintf(of, sizeof(of), "port of Open vSwitch bridge %s", b->name);
		for (size_t j = 0; j < b->nports; j++) {
			size_t q = 0;

			while (q < p->nmissing && (strcmp(p->missing[q].device, ports[j]) ||
						   strcmp(p->missing[q].role, of)))
				q++;
			if (q == p->nmissing)
				ports[k++] = ports[j];
		}
		b->nports = k;
	}
}

/* The Open vSwitch part of a start or reload: what the new map dropped
 * goes before what it adds (a port may move from a dropped bridge to a new
 * one).  0, or -1 with err (this run's OVS bridges undone). */
struct ovs_part {
	struct run *r;
	struct xp_ovsdb *db;
	struct xp_ovsnet_map *m;
	int reload;
	int pruned; /* lines the prune said */
	int ran;    /* ovs_part was called */
};

static void prune_say(void *ctx, const char *line)
{
	struct ovs_part *op = ctx;

	op->pruned++;
	ovs_say(op->r, line);
}

static int ovs_part(struct ovs_part *op, char *err, size_t errlen)
{
	struct run *r = op->r;
	size_t n;

	op->ran = 1;
	if (op->reload && op->db &&
	    xp_ovsnet_prune(op->db, op->m->b, op->m->n, r->o->dry_run, prune_say, op, err,
			    errlen)) {
		n = strlen(err);
		snprintf(err + n, errlen - n, "; Open vSwitch bridges the map dropped not removed");
		return -1;
	}
	if (op->m->n &&
	    xp_ovsnet_start(op->db, op->m->b, op->m->n, r->o->dry_run, ovs_say, r, err, errlen)) {
		n = strlen(err);
		snprintf(err + n, errlen - n, "; this run's Open vSwitch changes were undone%s",
			 op->pruned ? " (what the prune above removed stays removed)" : "");
		return -1;
	}
	return 0;
}

/* As the executor's then: its failure undoes the netlink ops too (and
 * the executor says and logs it). */
static int ovs_then(struct xp_exec *e, void *arg)
{
	return ovs_part(arg, e->error, sizeof(e->error));
}

/* start/reload: OVSDB is reached before anything changes; the map's OVS
 * bridges are made after the netdevs they use (bonds, VLANs), without the
 * ports that do not exist, by the executor before it keeps its netlink
 * ops: an OVS failure undoes those too.  After the devices: the routed and NAT
 * networks' addresses, sysctls, rules and dnsmasq (not kinds: they create
 * no netdev; their own record is $STATE/l3; a dry run shows none of it),
 * then guests' vifs left on no bridge go back. */
static int cmd_plan_start(struct run *r, int reload)
{
	struct xp_ovsnet_map m;
	struct xp_ovsdb *db = NULL;
	struct xp_plan plan;
	struct ovs_part op;
	char err[1024];
	struct xp_l3_map l3m = l3_map(r);
	int rc;

	if (xp_ovsnet_map(&r->conf, &m)) {
		xp_say(LOG_ERR, "out of memory");
		return 2;
	}
	if (m.n && !(db = ovs_open(err, sizeof(err)))) {
		xp_say(LOG_ERR, "%s; nothing changed", err);
		xp_ovsnet_map_free(&m);
		return 2;
	}
	/* a reload to a map without OVS bridges still takes back the ones
	 * xenplumb made; an Open vSwitch that does not answer is no reason to
	 * keep the Linux part of such a map from applying */
	if (!m.n && reload && !r->o->nlegacy && xp_ovsnet_present() &&
	    !(db = ovs_open(err, sizeof(err))))
		xp_say(LOG_WARNING, "warning: %s; Open vSwitch bridges left as they are", err);
	memset(&plan, 0, sizeof(plan));
	xp_plan_start(&r->conf, &r->obs, &r->st, reload, &plan);
	ovs_skip_missing(&m, &plan);
	/* what the OVS part would refuse (a map port on another OVS bridge)
	 * is refused before the netlink part changes anything */
	if (db && xp_ovsnet_check(db, m.b, m.n, reload, err, sizeof(err)))
		xp_plan_error(&plan, "%s", err);
	op = (struct ovs_part){.r = r, .db = db, .m = &m, .reload = reload};
	rc = apply(r, &plan, ovs_then, &op);
	xp_plan_free(&plan);
	/* no netlink op ran (none, or a dry run): the OVS part on its own */
	if ((rc == 0 || rc == EXIT_DEGRADED) && !op.ran && ovs_part(&op, err, sizeof(err))) {
		xp_say(LOG_ERR, "%s", err);
		rc = 1;
	}
	xp_ovsdb_close(db);
	xp_ovsnet_map_free(&m);
	/* network-bridge arguments declare no routed/NAT network, and a run
	 * scoped to one bridge leaves the map's others alone */
	if ((rc == 0 || rc == EXIT_DEGRADED) && !r->o->dry_run && !r->o->nlegacy &&
	    l3_start(r, &l3m) < 0) {
		xp_say(LOG_ERR, "the routed/NAT networks are not in place (see above)");
		rc = 1;
	}
	/* the applied map is in place by now: the vif helper goes by it */
	if (rc == 0 || rc == EXIT_DEGRADED)
		replug_guests(r);
	return rc;
}

/* stop: the OVS bridges xenplumb made go first (their ports may be bonds
 * the netlink part deletes).  Without an ovsdb-server socket there is
 * nothing of OVS to stop, unless the map has OVS bridges; a stop scoped by
 * network-bridge arguments leaves Open vSwitch alone. */
static int ovs_stop(struct run *r)
{
	struct xp_ovsnet_map m;
	struct xp_ovsdb *db;
	char err[1024];
	int rc = 0;

	/* network-bridge arguments scope a stop to their Linux bridge */
	if (r->o->nlegacy)
		return 0;
	if (xp_ovsnet_map(r->have_conf ? &r->conf : NULL, &m))
		return 1;
	if (!m.n && !xp_ovsnet_present()) {
		xp_ovsnet_map_free(&m);
		return 0;
	}
	db = ovs_open(err, sizeof(err));
	if (!db || xp_ovsnet_stop(db, r->o->dry_run, ovs_say, r, err, sizeof(err))) {
		xp_say(LOG_ERR, "Open vSwitch bridges not stopped: %s", err);
		rc = 1;
	}
	xp_ovsdb_close(db);
	xp_ovsnet_map_free(&m);
	return rc;
}

static int cmd_start(struct run *r)
{
	return cmd_plan_start(r, 0);
}

static int cmd_reload(struct run *r)
{
	return cmd_plan_start(r, 1);
}

/* After a stop: an adopted bridge's MTU record is done with (its MTU is
 * back, or never changed; the kernel keeps it pinned either way). */
static void forget_mtus(struct run *r)
{
	int changed = 0;

	for (size_t i = r->st.nmtus; i-- > 0;)
		if (!xp_state_dev(&r->st, r->st.mtus[i].dev)) {
			xp_state_del_mtu(&r->st, r->st.mtus[i].dev);
			changed = 1;
		}
	if (changed)
		xp_state_save(r->dir, &r->st);
}

static int cmd_stop(struct run *r)
{
	struct xp_plan plan;
	int rc, l3, orc = ovs_stop(r);

	memset(&plan, 0, sizeof(plan));
	/* first what the routed/NAT networks added (addresses on bridges the
	 * plan may delete, dnsmasq bound to them) */
	l3 = r->o->dry_run || r->o->nlegacy ? 0 : l3_stop(r);
	xp_plan_stop(r->have_conf ? &r->conf : NULL, &r->obs, &r->st, &plan);
	rc = apply(r, &plan, NULL, NULL);
	if (rc == 0 && r->changes)
		forget_mtus(r);
	xp_plan_free(&plan);
	return rc ? rc : orc ? orc : l3 < 0 ? 1 : 0;
}

static void status_l3(struct json_object *model, void *arg)
{
	struct run *r = arg;
	struct xp_l3_map m = l3_map(r);

	xp_l3_status_model(r->sk, &m, r->dir, model);
}

/* ---- status, check ---------------------------------------------------------- */

static int named(json_object *o, const char *key, const char *name)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) && v &&
	       !strcmp(json_object_get_string(v), name);
}

/* Keep the entries of section key that name or sit on one of names. */
static void keep_only(json_object *model, const char *key, const char *field, const char **names,
		      size_t n)
{
	json_object *arr = NULL, *kept = json_object_new_array();

	json_object_object_get_ex(model, key, &arr);
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		for (size_t k = 0; k < n; k++)
			if (named(e, field, names[k])) {
				json_object_array_add(kept, json_object_get(e));
				break;
			}
	}
	json_object_object_add(model, key, kept);
}

/* status NAME: the bridge NAME, its networks, the bonds, VLANs and dummies
 * that are its ports, and the drift of the bridge, its ports and its
 * guests.  0, or -1 when the map has no such bridge. */
static int status_one(json_object *model, const struct xp_bridge *br, const char *name)
{
	const char *names[2 + 64 + 256];
	json_object *b0, *g = NULL, *arr = NULL, *drift = NULL;
	size_t n = 0;

	if (!br)
		return -1;
	names[n++] = name;
	for (size_t i = 0; i < br->nports && n < 66; i++)
		names[n++] = br->ports[i];
	keep_only(model, "bridges", "name", names, 1);
	json_object_object_get_ex(model, "bridges", &arr);
	b0 = json_object_array_get_idx(arr, 0);
	json_object_object_get_ex(b0, "guests", &g);
	for (size_t i = 0;
	     g && i < json_object_array_length(g) && n < sizeof(names) / sizeof(names[0]); i++) {
		json_object *p = NULL;
		json_object_object_get_ex(json_object_array_get_idx(g, i), "port", &p);
		names[n++] = json_object_get_string(p);
	}
	keep_only(model, "networks", "bridge", names, 1);
	keep_only(model, "drift", "device", names, n);
	/* the bonds, VLANs and dummies that are its ports */
	keep_only(model, "bonds", "name", names, n);
	keep_only(model, "vlans", "name", names, n);
	keep_only(model, "dummies", "name", names, n);
	/* the NAT network on it, the routed networks whose uplink it is */
	keep_only(model, "nat", "bridge", names, 1);
	keep_only(model, "routed", "uplink", names, n);
	json_object_object_get_ex(model, "drift", &drift);
	json_object_object_add(model, "matches_map",
			       json_object_new_boolean(json_object_array_length(drift) == 0));
	return 0;
}

static int cmd_status(struct run *r)
{
	const char *mapname = r->o->nlegacy ? "(network-bridge arguments)" : r->o->conf;
	json_object *model, *v = NULL;
	int rc;

	if (!r->o->name)
		return xp_status_run(mapname, &r->conf, &r->obs, &r->st, r->sk, r->o->json,
				     r->o->nlegacy ? NULL : status_l3, r, stdout);
	model = xp_status_model(mapname, &r->conf, &r->obs, &r->st, r->sk);
	status_l3(model, r);
	if (status_one(model, xp_conf_bridge(&r->conf, r->o->name), r->o->name) < 0) {
		json_object_put(model);
		xp_say(LOG_ERR, "status: no bridge '%s' in %s", r->o->name, mapname);
		if (r->o->json)
			answer_error(r->o);
		return 2;
	}
	json_object_object_get_ex(model, "matches_map", &v);
	rc = json_object_get_boolean(v) ? 0 : 1;
	if (r->o->json)
		printf("%s\n",
		       json_object_to_json_string_ext(model, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		xp_status_render(model, stdout);
	json_object_put(model);
	return rc;
}

/* Whether hotplug already goes by this map: "same", "differs", "none"
 * (no applied map) or "damaged". */
static const char *applied_vs(const struct run *r)
{
	struct xp_applied a;
	char path[4200], err[600];
	int e;

	xp_applied_path(path, sizeof(path));
	e = xp_applied_open(path, &a, err, sizeof(err));
	if (e <= 0)
		return e ? "damaged" : "none";
	e = xp_applied_same(&a, &r->conf);
	xp_applied_close(&a);
	return e ? "same" : "differs";
}

/* check: the map loaded (prepare), nothing else touched; and whether vif
 * hotplug goes by it yet. */
static int cmd_check(struct run *r)
{
	const struct xp_conf *c = &r->conf;
	const char *name = r->o->nlegacy ? "the arguments" : r->o->conf;
	const char *vs = r->o->nlegacy ? NULL : applied_vs(r);

	if (r->o->json) {
		json_object *j = json_object_new_object();
		json_object_object_add(j, "command", json_object_new_string("check"));
		json_object_object_add(j, "map", json_object_new_string(name));
		json_object_object_add(j, "result", json_object_new_string("ok"));
		json_object_object_add(j, "applied_map", vs ? json_object_new_string(vs) : NULL);
		json_object_object_add(j, "errors", json_object_new_array());
		printf("%s\n", json_object_to_json_string_ext(
				   j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
		return 0;
	}
	printf("%s: ok (%zu bridge%s, %zu bond%s, %zu vlan%s, %zu dumm%s, %zu network%s", name,
	       c->nbridges, c->nbridges == 1 ? "" : "s", c->nbonds, c->nbonds == 1 ? "" : "s",
	       c->nvlans, c->nvlans == 1 ? "" : "s", c->ndummies, c->ndummies == 1 ? "y" : "ies",
	       c->nnetworks, c->nnetworks == 1 ? "" : "s");
	if (c->nrouted || c->nnats)
		printf(", %zu routed, %zu nat", c->nrouted, c->nnats);
	printf(")\n");
	if (vs && !strcmp(vs, "differs"))
		printf("note: vif hotplug still goes by the map applied last; network-xenplumb "
		       "reload applies this one\n");
	else if (vs && !strcmp(vs, "damaged"))
		printf(
		    "note: the applied map is damaged; network-xenplumb reload writes it again\n");
	return 0;
}

static int run(const struct opts *o)
{
	struct run r;
	int rc = 2;

	if (prepare(&r, o) == 0) {
		rc = o->cmd->fn(&r);
		/* start, stop, reload: their one answer (or, when they failed
		 * before planning, the errors) */
		if (o->json && r.ans)
			answer_flush(&r);
		else if (o->json && o->cmd->writes)
			answer_error(o);
	} else {
		rc = r.fail_rc;
		if (o->json)
			answer_error(o);
	}
	finish(&r);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc = parse_args(argc, argv, &o);

	if (rc) {
		if (rc < 0)
			usage(stderr);
		free(o.legacy);
		return rc < 0 ? 2 : 0;
	}
	/* syslog for what changes the host; status, check and dry runs log
	 * nothing */
	if (o.cmd->writes && !o.dry_run)
		xp_log_init(PROG, 0, 0);
	xp_report_init(o.cmd->writes && !o.dry_run, o.json);
	/* libnl allocates (and zeroes) a page per message by default; every
	 * request this program sends fits in far less */
	nlmsg_set_default_size(1024);
	rc = run(&o);
	free(o.legacy);
	json_object_put(xp_report_errors());
	if (o.cmd->writes && !o.dry_run)
		xp_log_close();
	fflush(stdout);
	return rc;
}
