/* Per-vif hooks: see hooks.h. */
#include "vif/hooks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

/* Helpers a stock fragment may call, as xen-hotplug-common.sh defines them
 * (their output lands in the hotplug log through our pipe). */
static const char prelude[] =
    "log() { _l=$1; shift; echo \"$_l: $*\" >&2; }\n"
    "fatal() { echo \"fatal: $*\" >&2; exit 1; }\n"
    "xenstore_read() { xenstore-read \"$@\" || fatal \"xenstore-read $* failed.\"; }\n"
    "xenstore_read_default() { xenstore-read \"$1\" 2>/dev/null || echo \"$2\"; }\n"
    "xenstore_write() { xenstore-write \"$@\" || fatal \"xenstore-write $* failed.\"; }\n"
    "do_or_die() { \"$@\" || fatal \"$* failed\"; }\n"
    "do_without_error() { \"$@\" 2>/dev/null || log debug \"$* failed\"; }\n"
    ". \"$XENPLUMB_HOOK\"\n";

/* ---- finding them ------------------------------------------------------------ */

/* run-parts' rule (Debian's default, LSB names): [A-Za-z0-9_-]+ */
static int exec_name_ok(const char *n)
{
	if (!*n)
		return 0;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || *n == '_' || *n == '-'))
			return 0;
	return 1;
}

static int fragment_name_ok(const char *n)
{
	size_t l = strlen(n);

	return l > 5 && n[0] != '.' && !strcmp(n + l - 5, ".hook");
}

static int cmp_hook(const void *a, const void *b)
{
	return strcmp(((const struct vif_hook *)a)->path, ((const struct vif_hook *)b)->path);
}

int vif_hooks_scan(const char *dir, enum vif_hook_kind kind, struct vif_hook_list *l)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t first = l->n;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		struct stat st;
		struct vif_hook *nv;

		if (kind == VIF_HOOK_EXEC ? !exec_name_ok(e->d_name) : !fragment_name_ok(e->d_name))
			continue;
		/* regular and executable, following a symlink as run-parts does */
		if (fstatat(dirfd(d), e->d_name, &st, 0) || !S_ISREG(st.st_mode) ||
		    faccessat(dirfd(d), e->d_name, X_OK, 0))
			continue;
		nv = realloc(l->v, (l->n + 1) * sizeof(*l->v));
		if (!nv) {
			closedir(d);
			return -1;
		}
		l->v = nv;
		l->v[l->n].kind = kind;
		snprintf(l->v[l->n].path, sizeof(l->v[l->n].path), "%s/%s", dir, e->d_name);
		l->n++;
	}
	closedir(d);
	if (l->n > first)
		qsort(l->v + first, l->n - first, sizeof(*l->v), cmp_hook);
	return 0;
}

void vif_hooks_free(struct vif_hook_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ---- environment ---------------------------------------------------------------- */

static const char *const set_names[] = {"command",
					"type_if",
					"vif",
					"dev",
					"vifname",
					"bridge",
					"ip",
					"XENBUS_PATH",
					"INTERFACE",
					"domid",
					"devid",
					"XENPLUMB_ACTION",
					"XENPLUMB_TYPE",
					"XENPLUMB_VIF",
					"XENPLUMB_DEV",
					"XENPLUMB_VIFNAME",
					"XENPLUMB_BRIDGE",
					"XENPLUMB_BRIDGE_KIND",
					"XENPLUMB_VLAN",
					"XENPLUMB_MAC",
					"XENPLUMB_IP",
					"XENPLUMB_MTU",
					"XENPLUMB_VM_UUID",
					"XENPLUMB_VM_NAME",
					"XENPLUMB_DOMID",
					"XENPLUMB_DEVID",
					"XENPLUMB_XENBUS_PATH",
					"XENPLUMB_HOOK",
					NULL};

static int is_set_here(const char *kv)
{
	size_t i, n = strcspn(kv, "=");

	for (i = 0; set_names[i]; i++)
		if (strlen(set_names[i]) == n && !strncmp(kv, set_names[i], n))
			return 1;
	return 0;
}

static int put(char **env, size_t *n, const char *k, const char *v)
{
	size_t len = strlen(k) + strlen(v ? v : "") + 2;

	env[*n] = malloc(len);
	if (!env[*n])
		return -1;
	snprintf(env[*n], len, "%s=%s", k, v ? v : "");
	(*n)++;
	return 0;
}

static int put_facts(char **env, size_t *n, const struct vif_hook_facts *f)
{
	char d[16], v[16], xb[128];
	int rc = 0;

	snprintf(d, sizeof(d), "%u", f->domid);
	snprintf(v, sizeof(v), "%u", f->devid);
	snprintf(xb, sizeof(xb), "%s%s", f->xbpath && *f->xbpath != '/' ? "/local/domain/0/" : "",
		 f->xbpath ? f->xbpath : "");
	/* the stock scripts' names */
	rc |= put(env, n, "command", f->action);
	rc |= put(env, n, "type_if", f->type_if);
	rc |= put(env, n, "vif", f->vif);
	rc |= put(env, n, "dev", f->dev);
	rc |= put(env, n, "vifname", f->vifname);
	rc |= put(env, n, "bridge", f->bridge);
	rc |= put(env, n, "ip", f->ip);
	rc |= put(env, n, "XENBUS_PATH", f->xbpath);
	if (f->type_if && !strcmp(f->type_if, "tap"))
		rc |= put(env, n, "INTERFACE", f->vif);
	rc |= put(env, n, "domid", d);
	rc |= put(env, n, "devid", v);
	/* ours */
	rc |= put(env, n, "XENPLUMB_ACTION", f->action);
	rc |= put(env, n, "XENPLUMB_TYPE", f->type_if);
	rc |= put(env, n, "XENPLUMB_VIF", f->vif);
	rc |= put(env, n, "XENPLUMB_DEV", f->dev);
	rc |= put(env, n, "XENPLUMB_VIFNAME", f->vifname);
	rc |= put(env, n, "XENPLUMB_BRIDGE", f->bridge);
	rc |= put(env, n, "XENPLUMB_BRIDGE_KIND", f->bridge_kind);
	rc |= put(env, n, "XENPLUMB_VLAN", f->vlan);
	rc |= put(env, n, "XENPLUMB_MAC", f->mac);
	rc |= put(env, n, "XENPLUMB_IP", f->ip);
	rc |= put(env, n, "XENPLUMB_MTU", f->mtu);
	rc |= put(env, n, "XENPLUMB_VM_UUID", f->vm_uuid);
	rc |= put(env, n, "XENPLUMB_VM_NAME", f->vm_name);
	rc |= put(env, n, "XENPLUMB_DOMID", d);
	rc |= put(env, n, "XENPLUMB_DEVID", v);
	rc |= put(env, n, "XENPLUMB_XENBUS_PATH", xb);
	return rc;
}

char **vif_hooks_env(const struct vif_hook_facts *f, char *const *base)
{
	size_t nb = 0, n = 0, i;
	char **env;

	while (base && base[nb])
		nb++;
	/* base, the facts, XENPLUMB_HOOK (set per hook), NULL */
	env = calloc(nb + sizeof(set_names) / sizeof(set_names[0]) + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < nb; i++) {
		if (is_set_here(base[i]))
			continue;
		env[n] = strdup(base[i]);
		if (!env[n++]) {
			vif_hooks_env_free(env);
			return NULL;
		}
	}
	if (put_facts(env, &n, f)) {
		vif_hooks_env_free(env);
		return NULL;
	}
	return env;
}

void vif_hooks_env_free(char **env)
{
	size_t i;

	if (!env)
		return;
	for (i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

/* ---- running one ----------------------------------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct outbuf {
	char line[1024];
	size_t len;
	const char *hook;
	vif_hook_out out;
	void *ctx;
};

static void out_bytes(struct outbuf *o, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] != '\n' && o->len < sizeof(o->line) - 1) {
			o->line[o->len++] = b[i];
			continue;
		}
		o->line[o->len] = 0;
		o->out(o->ctx, o->hook, o->line);
		o->len = 0;
		if (b[i] != '\n') /* an over-long line goes on in the next one */
			o->line[o->len++] = b[i];
	}
}

static void out_flush(struct outbuf *o)
{
	if (o->len) {
		o->line[o->len] = 0;
		o->out(o->ctx, o->hook, o->line);
		o->len = 0;
	}
}

/* Child side: only async-signal-safe calls from here to execve. */
static void child(int wfd, const char *file, char *const argv[], char **env)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	sigset_t none;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (null < 0 || dup2(null, 0) < 0 || dup2(wfd, 1) < 0 || dup2(wfd, 2) < 0)
		_exit(126);
	execve(file, argv, env);
	_exit(errno == ENOENT ? 127 : 126);
}

/* Read the hook's output until it exits or the deadline.  1 exited (*st),
 * 0 deadline. */
static int watch(pid_t pid, int rfd, long deadline, struct outbuf *o, int *st)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);

	for (;;) {
		struct pollfd p[2] = {{.fd = rfd, .events = POLLIN}, {.fd = pfd, .events = POLLIN}};
		long left = deadline - now_ms();
		char b[512];
		ssize_t n;

		if (waitpid(pid, st, WNOHANG) == pid) {
			/* what it wrote before exiting; a child left holding the
			 * pipe is not waited for */
			while (rfd >= 0 && (n = read(rfd, b, sizeof(b))) > 0)
				out_bytes(o, b, (size_t)n);
			if (pfd >= 0)
				close(pfd);
			return 1;
		}
		if (left <= 0) {
			if (pfd >= 0)
				close(pfd);
			return 0;
		}
		/* without pidfd (old kernel), look again every 50 ms */
		if (poll(rfd >= 0 ? p : p + 1, rfd >= 0 ? 2 : 1,
			 pfd >= 0 ? (int)left : (int)(left < 50 ? left : 50)) <= 0)
			continue;
		if (rfd >= 0 && (p[0].revents & (POLLIN | POLLHUP))) {
			n = read(rfd, b, sizeof(b));
			if (n > 0)
				out_bytes(o, b, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				rfd = -1; /* EOF: now wait for the exit alone */
		}
	}
}

static void describe(int st, char *why, size_t whylen)
{
	if (WIFEXITED(st))
		snprintf(why, whylen, "exited %d%s", WEXITSTATUS(st),
			 WEXITSTATUS(st) == 127	  ? " (cannot execute: not found)"
			 : WEXITSTATUS(st) == 126 ? " (cannot execute)"
						  : "");
	else if (WIFSIGNALED(st))
		snprintf(why, whylen, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(why, whylen, "status %d", st);
}

int vif_hook_run(const struct vif_hook *h, const struct vif_hook_facts *f, char **env,
		 int timeout_ms, vif_hook_out out, void *ctx, char *why, size_t whylen)
{
	char type_arg[32], hookvar[600];
	struct outbuf o = {.hook = h->path, .out = out, .ctx = ctx};
	size_t ne = 0;
	int fds[2], st = 0, done;
	pid_t pid;

	snprintf(type_arg, sizeof(type_arg), "type_if=%s", f->type_if ? f->type_if : "vif");
	snprintf(hookvar, sizeof(hookvar), "XENPLUMB_HOOK=%s", h->path);
	while (env[ne])
		ne++;
	env[ne] = hookvar; /* room for it was left by vif_hooks_env */
	if (pipe2(fds, O_CLOEXEC)) {
		env[ne] = NULL;
		snprintf(why, whylen, "cannot run: pipe: %s", strerror(errno));
		return -1;
	}
	/* the read end never blocks: a child the hook left may hold the pipe */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	pid = fork();
	if (pid == 0) {
		char *argv_exec[] = {(char *)h->path, (char *)f->action, NULL};
		char *argv_frag[] = {"sh",     "-c", (char *)prelude, "sh", (char *)f->action,
				     type_arg, NULL};

		child(fds[1], h->kind == VIF_HOOK_EXEC ? h->path : "/bin/sh",
		      h->kind == VIF_HOOK_EXEC ? argv_exec : argv_frag, env);
	}
	env[ne] = NULL;
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		snprintf(why, whylen, "cannot run: fork: %s", strerror(errno));
		return -1;
	}
	setpgid(pid, pid); /* as the child does: no race with the kill below */
	done = watch(pid, fds[0], now_ms() + timeout_ms, &o, &st);
	if (!done) {
		kill(-pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	close(fds[0]);
	out_flush(&o);
	if (!done) {
		snprintf(why, whylen, "killed after %d ms (XENPLUMB_HOOK_TIMEOUT)", timeout_ms);
		return -2;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	describe(st, why, whylen);
	return -1;
}

/* ---- all of them ------------------------------------------------------------------- */

int vif_hooks_timeout_ms(void)
{
	const char *e = getenv("XENPLUMB_HOOK_TIMEOUT");
	char *end;
	double s;

	if (!e || !*e)
		return VIF_HOOK_TIMEOUT_MS_DEFAULT;
	s = strtod(e, &end);
	if (*end || !(s > 0) || s > 3600) {
		xp_log(LOG_WARNING,
		       "XENPLUMB_HOOK_TIMEOUT=%s is not 0 < seconds <= 3600; using %d s", e,
		       VIF_HOOK_TIMEOUT_MS_DEFAULT / 1000);
		return VIF_HOOK_TIMEOUT_MS_DEFAULT;
	}
	return (int)(s * 1000);
}

static void log_line(void *ctx, const char *hook, const char *line)
{
	(void)ctx;
	xp_log(LOG_INFO, "hook %s: %s", hook, line);
}

static const char *dir_of(const char *var, const char *def)
{
	const char *e = getenv(var);

	return e && *e ? e : def;
}

extern char **environ;

void vif_hooks_run_all(const struct vif_hook_facts *f, void (*late)(void *), void *late_arg,
		       vif_hook_out out, void *ctx, struct vif_hook_result *res)
{
	struct vif_hook_list l = {0};
	char **env, why[256];
	int tmo;
	size_t i;

	memset(res, 0, sizeof(*res));
	if (vif_hooks_scan(dir_of("XENPLUMB_VIF_HOOKS_DIR", VIF_HOOKS_DIR_DEFAULT), VIF_HOOK_EXEC,
			   &l) ||
	    vif_hooks_scan(dir_of("XENPLUMB_VIF_POST_DIR", VIF_POST_DIR_DEFAULT), VIF_HOOK_FRAGMENT,
			   &l)) {
		xp_log(LOG_WARNING, "hooks not run: out of memory");
		vif_hooks_free(&l);
		return;
	}
	if (!l.n)
		return;
	if (late)
		late(late_arg);
	env = vif_hooks_env(f, environ);
	tmo = vif_hooks_timeout_ms();
	for (i = 0; env && i < l.n; i++) {
		int rc =
		    vif_hook_run(&l.v[i], f, env, tmo, out ? out : log_line, ctx, why, sizeof(why));

		res->ran++;
		if (!rc)
			continue;
		res->failed++;
		res->killed += rc == -2;
		xp_log(LOG_WARNING, "hook %s %s; the vif stays plumbed", l.v[i].path, why);
	}
	if (!env)
		xp_log(LOG_WARNING, "hooks not run: out of memory");
	vif_hooks_env_free(env);
	vif_hooks_free(&l);
}
