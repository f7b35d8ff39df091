/* Unit tests for src/vif/hooks.c: which files count as hooks (names,
 * modes, order), the environment the hooks get, and running real ones: an
 * executable's output and exit status, a stock-style fragment sourced with
 * the stock variables and helpers, a hook that cannot be executed, and a
 * hanging hook (and the child it left) killed at the timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vif/hooks.h"

static char tmp[64];

static void mkfile(const char *name, const char *text, mode_t mode)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/xp-hooks.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd);
}

static const struct vif_hook_facts facts = {
    .action = "online",
    .type_if = "vif",
    .vif = "vif3.0",
    .dev = "web3",
    .vifname = "web3",
    .bridge = "ovsbr0",
    .bridge_kind = "openvswitch",
    .xbpath = "backend/vif/3/0",
    .vlan = "10p",
    .mac = "00:16:3e:00:03:00",
    .ip = "192.0.2.3",
    .mtu = "1500",
    .vm_uuid = "6a7f2d3c-0000-4000-8000-000000000003",
    .vm_name = "guest3",
    .domid = 3,
    .devid = 0,
};

static void test_scan(void **state)
{
	struct vif_hook_list l = {0};
	(void)state;

	mkfile("20-b", "#!/bin/sh\n", 0755);
	mkfile("10-a", "#!/bin/sh\n", 0755);
	mkfile("30-noexec", "#!/bin/sh\n", 0644);
	mkfile("40-c.dpkg-old", "#!/bin/sh\n", 0755);
	mkfile("50-d~", "#!/bin/sh\n", 0755);
	mkfile(".hidden", "#!/bin/sh\n", 0755);
	mkfile("00-x.hook", "true\n", 0755);
	mkfile("01-y.hook", "true\n", 0644);
	assert_int_equal(mkdir(strcat(strcpy((char[128]){0}, tmp), "/60-dir"), 0755), 0);
	assert_int_equal(vif_hooks_scan(tmp, VIF_HOOK_EXEC, &l), 0);
	assert_int_equal(l.n, 2);
	assert_non_null(strstr(l.v[0].path, "/10-a"));
	assert_non_null(strstr(l.v[1].path, "/20-b"));
	assert_int_equal(l.v[0].kind, VIF_HOOK_EXEC);
	/* fragments: *.hook and executable, as stock call_hooks */
	assert_int_equal(vif_hooks_scan(tmp, VIF_HOOK_FRAGMENT, &l), 0);
	assert_int_equal(l.n, 3);
	assert_non_null(strstr(l.v[2].path, "/00-x.hook"));
	assert_int_equal(l.v[2].kind, VIF_HOOK_FRAGMENT);
	vif_hooks_free(&l);
	assert_int_equal(vif_hooks_scan("/nonexistent/hooks.d", VIF_HOOK_EXEC, &l), 0);
	assert_int_equal(l.n, 0);
}

static const char *env_get(char **env, const char *k)
{
	size_t i, n = strlen(k);

	for (i = 0; env[i]; i++)
		if (!strncmp(env[i], k, n) && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

static void test_env(void **state)
{
	char *base[] = {"PATH=/usr/bin:/bin", "bridge=stale", "XENPLUMB_ACTION=x", "KEEP=1", NULL};
	char **env = vif_hooks_env(&facts, base);
	size_t i, nb = 0;
	(void)state;

	assert_non_null(env);
	assert_string_equal(env_get(env, "PATH"), "/usr/bin:/bin");
	assert_string_equal(env_get(env, "KEEP"), "1");
	assert_string_equal(env_get(env, "bridge"), "ovsbr0");
	for (i = 0; env[i]; i++)
		nb += !strncmp(env[i], "bridge=", 7);
	assert_int_equal(nb, 1);
	assert_string_equal(env_get(env, "command"), "online");
	assert_string_equal(env_get(env, "vif"), "vif3.0");
	assert_string_equal(env_get(env, "dev"), "web3");
	assert_string_equal(env_get(env, "XENBUS_PATH"), "backend/vif/3/0");
	assert_string_equal(env_get(env, "XENPLUMB_XENBUS_PATH"),
			    "/local/domain/0/backend/vif/3/0");
	assert_string_equal(env_get(env, "XENPLUMB_ACTION"), "online");
	assert_string_equal(env_get(env, "XENPLUMB_VM_UUID"), facts.vm_uuid);
	assert_string_equal(env_get(env, "XENPLUMB_BRIDGE_KIND"), "openvswitch");
	assert_string_equal(env_get(env, "XENPLUMB_DOMID"), "3");
	assert_null(env_get(env, "INTERFACE")); /* only for a tap */
	vif_hooks_env_free(env);
}

static char got[4096];

static void collect(void *ctx, const char *hook, const char *line)
{
	(void)ctx;
	(void)hook;
	strncat(got, line, sizeof(got) - strlen(got) - 2);
	strcat(got, "|");
}

static int run1(const char *name, enum vif_hook_kind kind, int tmo, char *why, size_t wl)
{
	struct vif_hook h = {.kind = kind};
	char **env = vif_hooks_env(&facts, NULL);
	int rc;

	snprintf(h.path, sizeof(h.path), "%s/%s", tmp, name);
	got[0] = 0;
	why[0] = 0;
	rc = vif_hook_run(&h, &facts, env, tmo, collect, NULL, why, wl);
	vif_hooks_env_free(env);
	return rc;
}

static int under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p && strstr(p, "vgpreload");
}

static void test_run_exec(void **state)
{
	char why[256];
	(void)state;

	mkfile("ok", "#!/bin/sh\necho \"$1 $XENPLUMB_DEV $XENPLUMB_BRIDGE\"\necho err >&2\n", 0755);
	assert_int_equal(run1("ok", VIF_HOOK_EXEC, 5000, why, sizeof(why)), 0);
	assert_string_equal(got, "online web3 ovsbr0|err|");
	mkfile("fail", "#!/bin/sh\necho no\nexit 3\n", 0755);
	assert_int_equal(run1("fail", VIF_HOOK_EXEC, 5000, why, sizeof(why)), -1);
	assert_string_equal(why, "exited 3");
	assert_string_equal(got, "no|");
	mkfile("badinterp", "#!/nonexistent/sh\n", 0755);
	assert_int_equal(run1("badinterp", VIF_HOOK_EXEC, 5000, why, sizeof(why)), -1);
	/* valgrind cannot survive a failed execve: the child dies otherwise */
	if (!under_valgrind())
		assert_non_null(strstr(why, "exited 127"));
	mkfile("nonl", "#!/bin/sh\nprintf last\n", 0755);
	assert_int_equal(run1("nonl", VIF_HOOK_EXEC, 5000, why, sizeof(why)), 0);
	assert_string_equal(got, "last|");
}

static void test_run_fragment(void **state)
{
	char why[256];
	(void)state;

	/* sourced, not executed: no #!, variables of the stock scripts,
	 * positional parameters as stock, the stock helpers */
	mkfile("00-local.hook",
	       "echo \"cmd=$command dev=$dev vif=$vif bridge=$bridge ip=$ip xb=$XENBUS_PATH\"\n"
	       "echo \"args=$1 $2\"\n"
	       "log info \"from a fragment\"\n"
	       "x=$(xenstore_read_default /nonexistent/key dflt); echo \"x=$x\"\n",
	       0755);
	assert_int_equal(run1("00-local.hook", VIF_HOOK_FRAGMENT, 5000, why, sizeof(why)), 0);
	assert_string_equal(got, "cmd=online dev=web3 vif=vif3.0 bridge=ovsbr0 ip=192.0.2.3 "
				 "xb=backend/vif/3/0|args=online type_if=vif|info: from a fragment|"
				 "x=dflt|");
	mkfile("01-fatal.hook", "fatal \"no good\"\necho not reached\n", 0755);
	assert_int_equal(run1("01-fatal.hook", VIF_HOOK_FRAGMENT, 5000, why, sizeof(why)), -1);
	assert_string_equal(got, "fatal: no good|");
}

/* not there, or a zombie its new parent has not reaped yet */
static int alive1(int pid)
{
	char p[64], buf[512], *s;
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	f = fopen(p, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	s = strrchr(buf, ')');
	return s && s[1] == ' ' && s[2] != 'Z' && s[2] != 'X';
}

/* a SIGKILLed process may take a moment to die: look for up to 5 s */
static int alive(int pid)
{
	int i;

	for (i = 0; i < 100 && alive1(pid); i++)
		usleep(50000);
	return alive1(pid);
}

static void test_timeout(void **state)
{
	char why[256];
	FILE *f;
	int pid = 0;
	(void)state;

	/* hangs, and leaves a child holding the pipe: both are killed */
	mkfile("hang", "#!/bin/sh\nsleep 300 &\necho $! > \"$0.pid\"\necho started\nwait\n", 0755);
	assert_int_equal(run1("hang", VIF_HOOK_EXEC, 300, why, sizeof(why)), -2);
	assert_non_null(strstr(why, "killed after 300 ms"));
	assert_string_equal(got, "started|");
	snprintf(why, sizeof(why), "%s/hang.pid", tmp);
	f = fopen(why, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &pid), 1);
	fclose(f);
	assert_false(alive(pid)); /* its child went with it */
	/* a hook that exits while a child keeps the pipe open is not waited for */
	mkfile("bg", "#!/bin/sh\nsleep 300 &\necho $! > \"$0.pid\"\necho bg\n", 0755);
	assert_int_equal(run1("bg", VIF_HOOK_EXEC, 2000, why, sizeof(why)), 0);
	assert_string_equal(got, "bg|");
	snprintf(why, sizeof(why), "%s/bg.pid", tmp);
	f = fopen(why, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &pid), 1);
	fclose(f);
	kill(pid, SIGKILL);
}

static void test_timeout_env(void **state)
{
	(void)state;
	unsetenv("XENPLUMB_HOOK_TIMEOUT");
	assert_int_equal(vif_hooks_timeout_ms(), VIF_HOOK_TIMEOUT_MS_DEFAULT);
	setenv("XENPLUMB_HOOK_TIMEOUT", "0.5", 1);
	assert_int_equal(vif_hooks_timeout_ms(), 500);
	setenv("XENPLUMB_HOOK_TIMEOUT", "-1", 1);
	assert_int_equal(vif_hooks_timeout_ms(), VIF_HOOK_TIMEOUT_MS_DEFAULT);
	setenv("XENPLUMB_HOOK_TIMEOUT", "5s", 1);
	assert_int_equal(vif_hooks_timeout_ms(), VIF_HOOK_TIMEOUT_MS_DEFAULT);
	unsetenv("XENPLUMB_HOOK_TIMEOUT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_scan, setup, teardown),
	    cmocka_unit_test(test_env),
	    cmocka_unit_test_setup_teardown(test_run_exec, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_fragment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
	    cmocka_unit_test(test_timeout_env),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
