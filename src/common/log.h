/* Logging for the helpers: syslog (daemon facility), stderr when asked, and
 * for vif hotplug the append-only /var/log/xen/xen-hotplug.log the stock
 * scripts write (path overridable by XENPLUMB_HOTPLUG_LOG for tests). */
#ifndef XP_LOG_H
#define XP_LOG_H

#include <syslog.h>

/* prog: "network-xenplumb" / "vif-xenplumb".  to_stderr: echo to stderr.
 * hotplug_log: also append to the hotplug log file. */
void xp_log_init(const char *prog, int to_stderr, int hotplug_log);
void xp_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xp_log_close(void);

#define XP_HOTPLUG_LOG_DEFAULT "/var/log/xen/xen-hotplug.log"

#endif
