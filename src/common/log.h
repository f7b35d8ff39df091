/* Logging for the helpers: syslog (daemon facility), stderr when asked, and
 * for vif hotplug the append-only /var/log/xen/xen-hotplug.log the stock
 * scripts write (path overridable by XENPLUMB_HOTPLUG_LOG for tests).  A
 * log path that is not a regular file (a FIFO, a symlink) is never opened
 * (a warning goes to syslog instead), so logging never blocks a hotplug. */
#ifndef XP_LOG_H
#define XP_LOG_H

#include <syslog.h>

/* prog: "network-xenplumb" / "vif-xenplumb".  to_stderr: echo to stderr.
 * hotplug_log: also append to the hotplug log file. */
void xp_log_init(const char *prog, int to_stderr, int hotplug_log);
void xp_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xp_log_close(void);

/* A prefix for every later line (vif-xenplumb: "online vif3.0 (domain 3)"),
 * "" for none; the current one. */
void xp_log_set_context(const char *ctx);
const char *xp_log_context(void);

/* 1 when a syslog daemon accepts a connection on the socket at path.
 * xp_log_init asks once for /dev/log; without a daemon no line goes to
 * syslog (glibc would try to connect again for every line). */
int xp_log_syslog_reachable(const char *path);

/* Open a log file for appending without ever blocking: O_NONBLOCK |
 * O_NOFOLLOW, and only a regular file.  The fd, or -1 with *why (NULL when
 * the file or its directory is just missing). */
int xp_log_open_file(const char *path, const char **why);

#define XP_HOTPLUG_LOG_DEFAULT "/var/log/xen/xen-hotplug.log"

#endif
