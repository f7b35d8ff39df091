#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <paths.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "xenplumb";
static int log_stderr;
static int log_fd = -1;
static int log_syslog;

/* Does a syslog daemon listen on /dev/log?  Asked once per run: while none
 * does, glibc's syslog() would try to connect again for every line. */
static int syslog_listening(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int types[] = {SOCK_DGRAM, SOCK_STREAM};

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", _PATH_LOG);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0), ok, e;

		if (fd < 0)
			return 0;
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		e = errno;
		close(fd);
		if (ok)
			return 1;
		if (e != EPROTOTYPE)
			return 0;
	}
	return 0;
}

void xp_log_init(const char *prog, int to_stderr, int hotplug_log)
{
	log_prog = prog;
	log_stderr = to_stderr;
	log_syslog = syslog_listening();
	if (log_syslog)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (hotplug_log) {
		const char *path = getenv("XENPLUMB_HOTPLUG_LOG");
		if (!path || !*path)
			path = XP_HOTPLUG_LOG_DEFAULT;
		/* Not world-readable or writable; a missing directory is not an
		 * error (syslog still has every line). */
		log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	}
}

void xp_log(int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_syslog)
		syslog(prio, "%s", msg);
	if (log_stderr && prio <= LOG_NOTICE)
		fprintf(stderr, "%s: %s\n", log_prog, msg);
	if (log_fd >= 0) {
		char line[1200];
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;
		int n;

		strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
		n = snprintf(line, sizeof(line), "%s %s[%ld]: %s\n", ts, log_prog, (long)getpid(),
			     msg);
		if (n > 0) {
			size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
			/* One write(2) per line so parallel hotplugs do not interleave. */
			if (write(log_fd, line, len) < 0) {
				/* nothing useful to do: syslog has the line */
			}
		}
	}
}

void xp_log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	if (log_syslog)
		closelog();
	log_syslog = 0;
}
