/* network-xenplumb: make the host's bridges, bonds, VLANs and dummies
 * match the map (/etc/xen/xenplumb.conf), or undo what it did, or report.
 *
 *   network-xenplumb start|stop|status|reload [-c FILE] [--dry-run] [--json]
 *                    [bridge=B netdev=N antispoof=yes|no vifnum=N]
 *
 * Exit: 0 done (status: live matches the map), 1 failed and rolled back
 * (status: drift), 2 map/usage/privilege errors (nothing changed). */
#include <errno.h>
#include <linux/capability.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "common/nl.h"
#include "common/xsutil.h"
#include "map/conf.h"
#include "net/exec.h"
#include "net/guests.h"
#include "net/l3.h"
#include "net/lock.h"
#include "net/observe.h"
#include "net/plan.h"
#include "net/state.h"
#include "net/status.h"

#define PROG "network-xenplumb"

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
	/* documents the row; usage() keeps its own text so that --help prints
	 * what it always has */
	// cppcheck-suppress unusedStructMember
	const char *description;
};

struct opts {
	const struct command *cmd;
	const char *conf;
	int dry_run;
	int json;
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
	struct xp_observed obs;
	struct nl_sock *sk;
	char (*extra)[XP_IFNAMSIZ];
	int lockfd;
	int changes; /* writes and not a dry run */
};

static int cmd_start(struct run *r);
static int cmd_stop(struct run *r);
static int cmd_status(struct run *r);
static int cmd_reload(struct run *r);

static const struct command commands[] = {
    {"start", cmd_start, XP_OBS_START, 1, 0, "create and attach what the map lists"},
    {"stop", cmd_stop, XP_OBS_STOP, 1, 1, "undo what start and reload did (the state file)"},
    {"status", cmd_status, XP_OBS_STATUS, 0, 0, "compare the host with the map"},
    {"reload", cmd_reload, XP_OBS_RELOAD, 1, 0, "apply the map's changes, undo what it dropped"},
};

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROG " start|stop|status|reload [-c FILE] [--dry-run] [--json]\n"
		   "       " PROG " start|stop|status bridge=BR netdev=DEV [antispoof=no] "
		   "[vifnum=N]\n"
		   "  -c FILE     the map (default " XP_CONF_DEFAULT_PATH ")\n"
		   "  --dry-run   print the plan, change nothing\n"
		   "  --json      status as JSON (docs/status-schema.json)\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	int i = 1;

	memset(o, 0, sizeof(*o));
	o->conf = XP_CONF_DEFAULT_PATH;
	if (argc < 2)
		return -1;
	o->cmd = command_find(argv[1]);
	if (!o->cmd)
		return -1;
	o->legacy = calloc((size_t)argc, sizeof(char *));
	if (!o->legacy)
		return -1;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			o->conf = argv[++i];
		else if (!strncmp(argv[i], "--config=", 9))
			o->conf = argv[i] + 9;
		else if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n"))
			o->dry_run = 1;
		else if (!strcmp(argv[i], "--json"))
			o->json = 1;
		else if (strchr(argv[i], '=') && argv[i][0] != '-')
			o->legacy[o->nlegacy++] = argv[i];
		else {
			fprintf(stderr, PROG ": unknown argument '%s'\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

static int load_map(const struct opts *o, struct xp_conf *c)
{
	struct xp_diag d = {0};
	int n;

	if (o->nlegacy)
		n = xp_conf_from_legacy(o->nlegacy, o->legacy, c, &d);
	else
		n = xp_conf_load(o->conf, c, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.msgs[i]);
	if (n && !d.n)
		fprintf(stderr, "%s: the map has errors\n", o->nlegacy ? "arguments" : o->conf);
	xp_diag_free(&d);
	if (n) {
		fprintf(stderr, PROG ": %d error%s in the map; nothing changed\n", n,
			n == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

/* Every name the state file mentions, so stop/reload observe them. */
static size_t state_names(const struct xp_state *s, char (**out)[XP_IFNAMSIZ])
{
	size_t n = 0, cap = 2 * (s->ndevs + 2 * s->nports + 2 * s->nslaves + 2 * s->nmoves) + 1;
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
#undef ADD
	*out = v;
	return n;
}

/* Forget created devices that are gone or were replaced by someone else's
 * (same name, other ifindex): those are not ours to delete. */
static int prune_state(struct xp_state *s, const struct xp_observed *o)
{
	int changed = 0;

	for (size_t i = s->ndevs; i-- > 0;) {
		const struct xp_obs_link *l = xp_obs_find(o, s->devs[i].name);
		if (!l || l->kind == XP_K_ABSENT ||
		    (s->devs[i].ifindex && l->ifindex != s->devs[i].ifindex)) {
			xp_state_del_dev(s, s->devs[i].name);
			changed = 1;
		}
	}
	for (size_t i = s->nports; i-- > 0;) {
		const struct xp_obs_link *l = xp_obs_find(o, s->ports[i].port);
		if (!l || strcmp(l->master, s->ports[i].bridge)) {
			xp_state_del_port(s, s->ports[i].bridge, s->ports[i].port);
			changed = 1;
		}
	}
	/* slaves of a bond that is no longer ours (a run killed right after
	 * deleting it) */
	for (size_t i = s->nslaves; i-- > 0;)
		if (!xp_state_dev(s, s->slaves[i].bond)) {
			xp_state_del_slave(s, s->slaves[i].bond, s->slaves[i].slave);
			changed = 1;
		}
	return changed;
}

static void print_plan(const struct xp_plan *p, int dry)
{
	char line[400];

	for (size_t i = 0; i < p->nnotes; i++)
		printf("note: %s\n", p->notes[i]);
	for (size_t i = 0; i < p->ndrift; i++)
		printf("drift: %s %s: want %s, have %s (left as it is)\n", p->drift[i].device,
		       p->drift[i].what, p->drift[i].want, p->drift[i].have);
	if (!p->n) {
		printf("nothing to do\n");
		return;
	}
	if (!dry)
		return; /* the executor prints each op as it is done */
	printf("plan (%zu operation%s, dry run: nothing changed):\n", p->n, p->n == 1 ? "" : "s");
	for (size_t i = 0; i < p->n; i++) {
		xp_op_format(&p->ops[i], line, sizeof(line));
		printf("%4zu. %s\n", i + 1, line);
	}
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
		fprintf(stderr,
			PROG ": note: %s does not load; stop goes by the state file "
			     "alone\n",
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
		fprintf(stderr,
			PROG ": %s needs CAP_NET_ADMIN (run as root); try --dry-run or status\n",
			r->o->cmd->name);
		return -1;
	}
	if ((e = xp_state_dir_ensure(r->dir)) < 0) {
		fprintf(stderr, PROG ": state directory %s: %s\n", r->dir, strerror(-e));
		return -1;
	}
	r->lockfd = xp_lock_take(r->dir, 0, err, sizeof(err));
	if (r->lockfd < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	return 0;
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
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	r->sk = xp_nl_open();
	if (!r->sk) {
		fprintf(stderr, PROG ": cannot open rtnetlink\n");
		return -1;
	}
	nextra = state_names(&r->st, &r->extra);
	e = xp_observe_all(r->sk, r->have_conf ? &r->conf : NULL, r->extra, nextra, &r->st,
			   r->o->cmd->obs_mode, &r->obs);
	if (e < 0) {
		fprintf(stderr, PROG ": cannot read the interfaces: %s\n", xp_nl_strerror(e));
		return -1;
	}
	if ((prune_state(&r->st, &r->obs) || r->st.replayed) && r->changes)
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
	r->changes = o->cmd->writes && !o->dry_run;
	if (prepare_map(r) < 0 || prepare_lock(r) < 0 || prepare_observe(r) < 0)
		return -1;
	return 0;
}

static void finish(struct run *r)
{
	free(r->extra);
	xp_observed_free(&r->obs);
	xp_state_free(&r->st);
	if (r->have_conf)
		xp_conf_free(&r->conf);
	xp_nl_close(r->sk);
	xp_lock_release(r->lockfd);
}

/* start, stop and reload after planning: report the plan's errors, print
 * it, and apply it (with undo) unless this is a dry run. */
static int apply(struct run *r, struct xp_plan *plan)
{
	const struct opts *o = r->o;
	struct xp_exec ex = {
	    .sk = r->sk, .state = &r->st, .state_dir = r->dir, .fail_at = 0, .out = stdout};

	if (plan->nerrors) {
		for (size_t i = 0; i < plan->nerrors; i++)
			fprintf(stderr, "%s\n", plan->errors[i]);
		fprintf(stderr, PROG ": %zu error%s; nothing changed\n", plan->nerrors,
			plan->nerrors == 1 ? "" : "s");
		return 2;
	}
	print_plan(plan, o->dry_run);
	if (o->dry_run || !plan->n)
		return 0;
	ex.fail_at = fail_at();
	if (xp_exec_run(&ex, plan) < 0) {
		fflush(stdout);
		fprintf(stderr, PROG ": %s; %s\n", ex.error,
			ex.rollback_failed ? "rollback was INCOMPLETE (see above)"
					   : "everything this run did was undone");
		xp_log(LOG_ERR, "%s", ex.error);
		return 1;
	}
	xp_log(LOG_INFO, "%s: %d operation%s applied", o->cmd->name, ex.applied,
	       ex.applied == 1 ? "" : "s");
	return 0;
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

/* After the devices: the routed and NAT networks' addresses, sysctls,
 * rules and dnsmasq (not kinds: they create no netdev; their own record
 * is $STATE/l3; a dry run shows none of it), then guests' vifs left on no
 * bridge go back. */
static int cmd_plan_start(struct run *r, int reload)
{
	struct xp_plan plan;
	struct xp_l3_map m = l3_map(r);
	int rc;

	memset(&plan, 0, sizeof(plan));
	xp_plan_start(&r->conf, &r->obs, &r->st, reload, &plan);
	rc = apply(r, &plan);
	xp_plan_free(&plan);
	if (rc == 0 && !r->o->dry_run && xp_l3_apply(r->sk, &m, r->dir, stdout) < 0) {
		fprintf(stderr, PROG ": the routed/NAT networks are not in place (see above)\n");
		rc = 1;
	}
	if (rc == 0)
		replug_guests(r);
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

static int cmd_stop(struct run *r)
{
	struct xp_plan plan;
	int rc, l3;

	memset(&plan, 0, sizeof(plan));
	/* first what the routed/NAT networks added (addresses on bridges the
	 * plan may delete, dnsmasq bound to them) */
	l3 = r->o->dry_run ? 0 : xp_l3_stop(r->sk, r->dir, stdout);
	xp_plan_stop(r->have_conf ? &r->conf : NULL, &r->obs, &r->st, &plan);
	rc = apply(r, &plan);
	xp_plan_free(&plan);
	return rc ? rc : l3 < 0 ? 1 : 0;
}

static void status_l3(struct json_object *model, void *arg)
{
	struct run *r = arg;
	struct xp_l3_map m = l3_map(r);

	xp_l3_status_model(r->sk, &m, r->dir, model);
}

static int cmd_status(struct run *r)
{
	return xp_status_run(r->o->nlegacy ? "(network-bridge arguments)" : r->o->conf, &r->conf,
			     &r->obs, &r->st, r->sk, r->o->json, status_l3, r, stdout);
}

static int run(const struct opts *o)
{
	struct run r;
	int rc = 2;

	if (prepare(&r, o) == 0)
		rc = o->cmd->fn(&r);
	finish(&r);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		free(o.legacy);
		return 2;
	}
	xp_log_init(PROG, 0, 0);
	/* libnl allocates (and zeroes) a page per message by default; every
	 * request this program sends fits in far less */
	nlmsg_set_default_size(1024);
	rc = run(&o);
	free(o.legacy);
	xp_log_close();
	fflush(stdout);
	return rc;
}
