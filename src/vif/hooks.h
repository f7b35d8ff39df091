/* Per-vif hooks: after a successful online/offline/add/remove,
 * vif-xenplumb runs
 *
 *   1. the executables in XENPLUMB_VIF_HOOKS_DIR (default
 *      /etc/xen/xenplumb/vif-hooks.d), run-parts style: names of letters,
 *      digits, '_' and '-' only (no dot: foo.dpkg-old, foo~ are skipped),
 *      regular executable files, in byte order; argv: HOOK ACTION;
 *   2. the stock fragments (FILE.hook) in /etc/xen/scripts/vif-post.d
 *      (XENPLUMB_VIF_POST_DIR) that are executable, as the stock
 *      call_hooks sources them: through /bin/sh, sourced (". FILE") after
 *      a prelude defining the stock helpers they use (log, fatal,
 *      xenstore_read, xenstore_read_default, xenstore_write, do_or_die,
 *      do_without_error), positional parameters ACTION type_if=TYPE;
 *
 * each with the inherited environment plus the guest's facts (the stock
 * variable names command type_if vif dev vifname bridge ip XENBUS_PATH
 * INTERFACE domid devid, and XENPLUMB_* ones), stdin /dev/null, stdout and
 * stderr line by line into the hotplug log, in its own process group,
 * killed (the whole group) after XENPLUMB_HOOK_TIMEOUT seconds (default
 * 10).  A hook that fails, is killed or cannot run is reported (syslog,
 * hotplug log, stderr) and does not undo the plumbing nor change the exit
 * status.  With no hook installed, nothing forks: one directory read each.
 */
#ifndef XP_VIF_HOOKS_H
#define XP_VIF_HOOKS_H

#include <stddef.h>

#define VIF_HOOKS_DIR_DEFAULT	    "/etc/xen/xenplumb/vif-hooks.d"
#define VIF_POST_DIR_DEFAULT	    "/etc/xen/scripts/vif-post.d"
#define VIF_HOOK_TIMEOUT_MS_DEFAULT 10000

/* What is known about the vif; NULL or "" = unknown (offline after the
 * backend directory went away knows little). */
struct vif_hook_facts {
	const char *action;	 /* online offline add remove */
	const char *type_if;	 /* vif tap */
	const char *vif;	 /* the kernel's name: vifD.N / vifD.N-emu */
	const char *dev;	 /* the name in use (vifname, else vif) */
	const char *vifname;	 /* the vifname key */
	const char *bridge;	 /* bridge joined */
	const char *bridge_kind; /* linux openvswitch */
	const char *xbpath;	 /* XENBUS_PATH as the caller gave it */
	const char *vlan;	 /* VLANs, canonical text */
	const char *mac, *ip, *mtu;
	const char *vm_uuid, *vm_name;
	unsigned domid, devid;
};

enum vif_hook_kind { VIF_HOOK_EXEC, VIF_HOOK_FRAGMENT };

struct vif_hook {
	enum vif_hook_kind kind;
	char path[512];
};

struct vif_hook_list {
	struct vif_hook *v;
	size_t n;
};

/* The hooks of one directory (kind says which rules apply), appended to
 * l in byte order of their names.  A missing directory is no hook.
 * 0, or -1 on allocation failure. */
int vif_hooks_scan(const char *dir, enum vif_hook_kind kind, struct vif_hook_list *l);
void vif_hooks_free(struct vif_hook_list *l);

/* The environment for the hooks: base (environ) without the names set
 * here, then the facts.  NULL-terminated, malloc'd (free with
 * vif_hooks_env_free). */
char **vif_hooks_env(const struct vif_hook_facts *f, char *const *base);
void vif_hooks_env_free(char **env);

/* Output of a hook, one line at a time (without the newline). */
typedef void (*vif_hook_out)(void *ctx, const char *hook, const char *line);

struct vif_hook_result {
	int ran, failed, killed;
};

/* Run one hook with env, at most timeout_ms.  Returns 0 when it exited 0;
 * else -1 with why (exit status, signal, killed at timeout, cannot run). */
int vif_hook_run(const struct vif_hook *h, const struct vif_hook_facts *f, char **env,
		 int timeout_ms, vif_hook_out out, void *ctx, char *why, size_t whylen);

/* Everything: scan both directories (from the environment or defaults),
 * run each hook, report each failure through out's context with xp_log.
 * out NULL = the hotplug log (xp_log).  late, if not NULL, is called with
 * late_arg once there is a hook to run, before the facts are put in the
 * environment: facts that cost a round trip (the guest's name and uuid)
 * are read only then, not on every hotplug. */
void vif_hooks_run_all(const struct vif_hook_facts *f, void (*late)(void *), void *late_arg,
		       vif_hook_out out, void *ctx, struct vif_hook_result *res);

/* XENPLUMB_HOOK_TIMEOUT (seconds, may have a fraction; 0 < t <= 3600), else
 * the default. */
int vif_hooks_timeout_ms(void);

#endif
