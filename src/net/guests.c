/* Running guests' vifs on no bridge, and putting them back; see guests.h. */
#include "net/guests.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <netlink/errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/nametab.h"
#include "common/nl.h"
#include "common/ovsdb.h"
#include "common/validate.h"
#include "common/xsutil.h"
#include "net/l3.h"
#include "net/ovsnet.h"
#include "net/state.h"

#define BACKEND "/local/domain/0/backend/vif"

struct found {
	struct xp_guest *v;
	size_t n;
	const struct xp_nametab *ports; /* known to be on a bridge (may be NULL) */
};

/* 1 when the device exists and is on no bridge (no master). */
static int detached(struct nl_sock *sk, const char *name)
{
	int master;

	return xp_nl_link_master(sk, name, &master) > 0 && master == 0;
}

static void add(struct found *f, int domid, int devid, int tap, const char *name)
{
	struct xp_guest *v = realloc(f->v, (f->n + 1) * sizeof(*v));

	if (!v)
		return;
	f->v = v;
	v = &f->v[f->n++];
	memset(v, 0, sizeof(*v));
	v->domid = domid;
	v->devid = devid;
	v->tap = tap;
	if (strlen(name) < sizeof(v->name))
		memcpy(v->name, name, strlen(name) + 1);
	(void)snprintf(v->kname, sizeof(v->kname), "vif%d.%d%s", domid, devid, tap ? "-emu" : "");
}

/* One backend: connected, of a running domain; its vif and its tap. */
static void one(struct xs_handle *xs, struct nl_sock *sk, long d, long v, struct found *f)
{
	char dir[96], path[64], st[32], vifname[IFNAMSIZ], name[IFNAMSIZ + 4], kname[32];
	const char *why;
	int named;

	snprintf(dir, sizeof(dir), BACKEND "/%ld/%ld", d, v);
	snprintf(path, sizeof(path), "/local/domain/%ld", d);
	if (xp_xs_read(xs, dir, "hotplug-status", st, sizeof(st), &why) != 1 ||
	    strcmp(st, "connected") || xp_xs_exists(xs, path) != 1)
		return;
	named = xp_xs_read(xs, dir, "vifname", vifname, sizeof(vifname), &why) == 1 &&
		xp_valid_ifname(vifname, NULL) == 0;
	for (int tap = 0; tap < 2; tap++) {
		if (named)
			snprintf(name, sizeof(name), "%s%s", vifname, tap ? "-emu" : "");
		else
			snprintf(name, sizeof(name), "vif%ld.%ld%s", d, v, tap ? "-emu" : "");
		if (f->ports && xp_nametab_get(f->ports, name, NULL))
			continue; /* a port of a bridge just observed: no request */
		/* a routed port is on no bridge by design (net/l3.h) */
		snprintf(kname, sizeof(kname), "vif%ld.%ld%s", d, v, tap ? "-emu" : "");
		if (xp_valid_ifname(name, NULL) == 0 && detached(sk, name) &&
		    !xp_l3_routed_port(xp_state_dir(), kname))
			add(f, (int)d, (int)v, tap, name);
	}
}

/* A device with no master may be on an Open vSwitch bridge of the
 * userspace datapath (netdev: no kernel master; the kernel datapath's
 * ports have ovs-system as theirs): those that are OVSDB ports are not
 * detached.  Where an ovsdb-server socket exists but cannot be read, no
 * vif is known to be on no bridge: all are dropped (neither drift nor
 * re-plugged) rather than guessed at. */
static void drop_ovs_ports(struct found *f)
{
	struct xp_ovs_obs o;
	struct xp_ovsdb *db;
	char path[256], err[512];
	size_t k = 0;

	if (!f->n || !xp_ovsnet_present())
		return;
	db = xp_ovsdb_open(xp_ovsdb_sock_path(path, sizeof(path)), 5000, err, sizeof(err));
	if (!db || xp_ovs_observe(db, &o, err, sizeof(err))) {
		xp_log(LOG_WARNING, "guest vifs on no bridge not looked for: Open vSwitch: %s",
		       err);
		xp_ovsdb_close(db);
		f->n = 0;
		return;
	}
	for (size_t i = 0; i < f->n; i++)
		if (!xp_ovs_obs_port(&o, f->v[i].name))
			f->v[k++] = f->v[i];
	f->n = k;
	xp_ovs_obs_free(&o);
	xp_ovsdb_close(db);
}

size_t xp_guests_detached(struct xs_handle *xs, struct nl_sock *sk, struct xp_guest **out)
{
	return xp_guests_detached_but(xs, sk, NULL, out);
}

size_t xp_guests_detached_but(struct xs_handle *xs, struct nl_sock *sk,
			      const struct xp_nametab *ports, struct xp_guest **out)
{
	struct found f = {NULL, 0, ports};
	unsigned int nd = 0;
	char **doms;

	*out = NULL;
	if (!xs || !sk)
		return 0;
	doms = xp_xs_list(xs, BACKEND, &nd);
	for (unsigned int i = 0; doms && i < nd; i++) {
		char path[64];
		unsigned int nv = 0;
		char **devs;
		long d, v;

		if (xp_parse_uint(doms[i], 1, 0x7fef, &d) < 0)
			continue;
		snprintf(path, sizeof(path), BACKEND "/%ld", d);
		devs = xp_xs_list(xs, path, &nv);
		for (unsigned int j = 0; devs && j < nv; j++)
			if (xp_parse_uint(devs[j], 0, 0xffff, &v) == 0)
				one(xs, sk, d, v, &f);
		free(devs);
	}
	free(doms);
	drop_ovs_ports(&f);
	*out = f.v;
	return f.n;
}

/* vif-xenplumb beside this program (or XENPLUMB_VIF_HELPER). */
static int helper_path(char *buf, size_t len)
{
	const char *env = getenv("XENPLUMB_VIF_HELPER");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = 0;
	return snprintf(buf, len, "%s/vif-xenplumb", dirname(self)) < (int)len ? 0 : -1;
}

/* The helper with libxl's environment and arguments for this vif; its
 * exit code, or -1 when it could not run. */
static int run_helper(const char *helper, const struct xp_guest *g)
{
	char xbp[64], vif[IFNAMSIZ], iface[IFNAMSIZ];
	int status;
	pid_t pid;

	snprintf(xbp, sizeof(xbp), "backend/vif/%d/%d", g->domid, g->devid);
	snprintf(vif, sizeof(vif), "vif%d.%d", g->domid, g->devid);
	snprintf(iface, sizeof(iface), "%s", g->kname);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *argv[] = {(char *)helper, g->tap ? "add" : "online",
				g->tap ? "type_if=tap" : "type_if=vif", NULL};

		setenv("script", helper, 1);
		setenv("XENBUS_TYPE", "vif", 1);
		setenv("XENBUS_PATH", xbp, 1);
		setenv("XENBUS_BASE_PATH", "backend", 1);
		setenv("vif", vif, 1);
		if (g->tap)
			setenv("INTERFACE", iface, 1);
		unsetenv("UDEV_CALL");
		execv(helper, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

size_t xp_guests_replug(const struct xp_guest *g, size_t n, int dry_run, FILE *out)
{
	char helper[PATH_MAX];
	size_t failed = 0;

	if (!n)
		return 0;
	if (!dry_run && helper_path(helper, sizeof(helper)) < 0) {
		fprintf(stderr,
			"network-xenplumb: cannot find vif-xenplumb to re-plug %zu guest "
			"vif(s); set XENPLUMB_VIF_HELPER\n",
			n);
		return n;
	}
	for (size_t i = 0; i < n; i++) {
		int rc;

		if (dry_run) {
			fprintf(out, "   re-plug guest vif %s (domain %d): on no bridge\n",
				g[i].name, g[i].domid);
			continue;
		}
		rc = run_helper(helper, &g[i]);
		if (rc == 0) {
			fprintf(out, "re-plugged guest vif %s (domain %d)\n", g[i].name,
				g[i].domid);
			xp_log(LOG_INFO, "re-plugged guest vif %s (domain %d)", g[i].name,
			       g[i].domid);
		} else {
			failed++;
			fprintf(stderr,
				"network-xenplumb: guest vif %s (domain %d) is on no bridge and "
				"vif-xenplumb could not put it back (exit %d): see its "
				"hotplug-error in xenstore and the hotplug log\n",
				g[i].name, g[i].domid, rc);
			xp_log(LOG_ERR,
			       "cannot re-plug guest vif %s (domain %d): vif-xenplumb exit %d",
			       g[i].name, g[i].domid, rc);
		}
	}
	return failed;
}
