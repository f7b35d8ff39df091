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
#include "map/conf.h"
#include "net/exec.h"
#include "net/lock.h"
#include "net/observe.h"
#include "net/plan.h"
#include "net/state.h"
#include "net/status.h"

#define PROG "network-xenplumb"

enum cmd { CMD_START, CMD_STOP, CMD_STATUS, CMD_RELOAD };

struct opts {
	enum cmd cmd;
	const char *conf;
	int dry_run;
	int json;
	int nlegacy;
	char **legacy;
};

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
	if (!strcmp(argv[1], "start"))
		o->cmd = CMD_START;
	else if (!strcmp(argv[1], "stop"))
		o->cmd = CMD_STOP;
	else if (!strcmp(argv[1], "status"))
		o->cmd = CMD_STATUS;
	else if (!strcmp(argv[1], "reload"))
		o->cmd = CMD_RELOAD;
	else
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

static int run(const struct opts *o)
{
	struct xp_conf conf;
	struct xp_state st;
	struct xp_observed obs = {0};
	struct xp_plan plan;
	struct nl_sock *sk = NULL;
	const char *dir = xp_state_dir();
	char err[512], (*extra)[XP_IFNAMSIZ] = NULL;
	size_t nextra;
	int have_conf = 0, lockfd = -1, rc = 2, e;
	int changes = o->cmd != CMD_STATUS && !o->dry_run;

	memset(&conf, 0, sizeof(conf));
	memset(&st, 0, sizeof(st));
	memset(&plan, 0, sizeof(plan));
	if (o->cmd != CMD_STOP || o->nlegacy) {
		if (load_map(o, &conf) < 0)
			return 2;
		have_conf = 1;
	} else {
		/* stop works from the state file; the map, when it loads, only
		 * tells the map's own ports from guests */
		struct xp_diag d = {0};
		if (access(o->conf, R_OK) == 0 && xp_conf_load(o->conf, &conf, &d) == 0)
			have_conf = 1;
		else if (access(o->conf, F_OK) == 0)
			fprintf(stderr,
				PROG ": note: %s does not load; stop goes by the state file "
				     "alone\n",
				o->conf);
		xp_diag_free(&d);
	}
	if (changes && !xp_have_net_admin()) {
		fprintf(stderr,
			PROG ": %s needs CAP_NET_ADMIN (run as root); try --dry-run or status\n",
			o->cmd == CMD_STOP     ? "stop"
			: o->cmd == CMD_RELOAD ? "reload"
					       : "start");
		goto out;
	}
	if (changes) {
		if ((e = xp_state_dir_ensure(dir)) < 0) {
			fprintf(stderr, PROG ": state directory %s: %s\n", dir, strerror(-e));
			goto out;
		}
		lockfd = xp_lock_take(dir, 0, err, sizeof(err));
		if (lockfd < 0) {
			fprintf(stderr, PROG ": %s\n", err);
			goto out;
		}
	}
	if (xp_state_load(dir, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	sk = xp_nl_open();
	if (!sk) {
		fprintf(stderr, PROG ": cannot open rtnetlink\n");
		goto out;
	}
	nextra = state_names(&st, &extra);
	e = xp_observe_all(sk, have_conf ? &conf : NULL, extra, nextra, &st,
			   o->cmd == CMD_STATUS	  ? XP_OBS_STATUS
			   : o->cmd == CMD_STOP	  ? XP_OBS_STOP
			   : o->cmd == CMD_RELOAD ? XP_OBS_RELOAD
						  : XP_OBS_START,
			   &obs);
	if (e < 0) {
		fprintf(stderr, PROG ": cannot read the interfaces: %s\n", xp_nl_strerror(e));
		goto out;
	}
	/* a journal left by a killed run is folded into the snapshot */
	if ((prune_state(&st, &obs) || st.replayed) && changes)
		xp_state_save(dir, &st);
	if (o->cmd == CMD_STATUS) {
		rc = xp_status_run(o->nlegacy ? "(network-bridge arguments)" : o->conf, &conf, &obs,
				   &st, o->json, stdout);
		goto out;
	}
	if (o->cmd == CMD_STOP)
		xp_plan_stop(have_conf ? &conf : NULL, &obs, &st, &plan);
	else
		xp_plan_start(&conf, &obs, &st, o->cmd == CMD_RELOAD, &plan);
	if (plan.nerrors) {
		for (size_t i = 0; i < plan.nerrors; i++)
			fprintf(stderr, "%s\n", plan.errors[i]);
		fprintf(stderr, PROG ": %zu error%s; nothing changed\n", plan.nerrors,
			plan.nerrors == 1 ? "" : "s");
		goto out;
	}
	print_plan(&plan, o->dry_run);
	rc = 0;
	if (o->dry_run || !plan.n)
		goto out;
	{
		struct xp_exec ex = {
		    .sk = sk, .state = &st, .state_dir = dir, .fail_at = fail_at(), .out = stdout};
		if (xp_exec_run(&ex, &plan) < 0) {
			fflush(stdout);
			fprintf(stderr, PROG ": %s; %s\n", ex.error,
				ex.rollback_failed ? "rollback was INCOMPLETE (see above)"
						   : "everything this run did was undone");
			xp_log(LOG_ERR, "%s", ex.error);
			rc = 1;
		} else {
			xp_log(LOG_INFO, "%s: %d operation%s applied",
			       o->cmd == CMD_STOP     ? "stop"
			       : o->cmd == CMD_RELOAD ? "reload"
						      : "start",
			       ex.applied, ex.applied == 1 ? "" : "s");
		}
	}
out:
	free(extra);
	xp_plan_free(&plan);
	xp_observed_free(&obs);
	xp_state_free(&st);
	if (have_conf)
		xp_conf_free(&conf);
	xp_nl_close(sk);
	xp_lock_release(lockfd);
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
