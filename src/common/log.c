#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "xenplumb";
static int log_stderr;
static int log_fd = -1;
static int log_syslog; /* a syslog daemon listened when we started */
static char log_ctx[160];
static char log_pending[400]; /* a warning from init, logged once named */

static void flush_pending(void)
{
	if (log_pending[0]) {
		char w[sizeof(log_pending)];

		memcpy(w, log_pending, sizeof(w));
		log_pending[0] = '\0';
		xp_log(LOG_WARNING, "%s", w);
	}
}

int xp_log_syslog_reachable(const char *path)
{
	static const int types[] = {SOCK_DGRAM, SOCK_STREAM};
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	if (strlen(path) >= sizeof(a.sun_path))
		return 0;
	memcpy(a.sun_path, path, strlen(path) + 1);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0), ok, e;

		if (fd < 0)
			continue;
		ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		e = errno;
		close(fd);
		if (ok)
			return 1;
		if (e != EPROTOTYPE) /* no socket there at all: the other type fares no better */
			return 0;
	}
	return 0;
}

int xp_log_open_file(const char *path, const char **why)
{
	struct stat st;
	int fd;

	*why = NULL;
	/* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of
	 * blocking the open, one with a reader is refused below. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0640);
	if (fd < 0) {
		if (errno == ELOOP)
			*why = "is a symbolic link";
		else if (errno == ENXIO)
			*why = "is not a regular file (a FIFO or socket?)";
		else if (errno != ENOENT)
			*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		*why = "is not a regular file";
		return -1;
	}
	return fd;
}

void xp_log_init(const char *prog, int to_stderr, int hotplug_log)
{
	log_prog = prog;
	log_stderr = to_stderr;
	log_ctx[0] = '\0';
	log_pending[0] = '\0';
	/* Without a listening daemon glibc's syslog() tries to connect again
	 * for every line: find out once, and then leave syslog alone. */
	log_syslog = xp_log_syslog_reachable("/dev/log");
	if (log_syslog)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (hotplug_log) {
		const char *path = getenv("XENPLUMB_HOTPLUG_LOG"), *why;

		if (!path || !*path)
			path = XP_HOTPLUG_LOG_DEFAULT;
		/* Not world-readable or writable; a missing directory is not an
		 * error (syslog still has every line). */
		log_fd = xp_log_open_file(path, &why);
		/* logged by xp_log_set_context, so that it is named too */
		if (log_fd < 0 && why)
			snprintf(log_pending, sizeof(log_pending),
				 "hotplug log %.256s %s: not written, syslog only", path, why);
	}
}

void xp_log_set_context(const char *ctx)
{
	snprintf(log_ctx, sizeof(log_ctx), "%s", ctx ? ctx : "");
	flush_pending();
}

const char *xp_log_context(void)
{
	return log_ctx;
}

static void to_file(const char *msg)
{
	char line[1300];
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	n = snprintf(line, sizeof(line), "%s %s[%ld]: %s\n", ts, log_prog, (long)getpid(), msg);
	if (n > 0) {
		size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
		/* One write(2) per line so parallel hotplugs do not interleave. */
		if (write(log_fd, line, len) < 0) {
			/* nothing useful to do: syslog has the line */
		}
	}
}

void xp_log(int prio, const char *fmt, ...)
{
	char body[1024], msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (log_ctx[0])
		snprintf(msg, sizeof(msg), "%s: %s", log_ctx, body);
	else
		snprintf(msg, sizeof(msg), "%s", body);
	if (log_syslog)
		syslog(prio, "%s", msg);
	if (log_stderr && prio <= LOG_NOTICE)
		fprintf(stderr, "%s: %s\n", log_prog, msg);
	if (log_fd >= 0)
		to_file(msg);
}

void xp_log_close(void)
{
	flush_pending();
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	if (log_syslog)
		closelog();
	log_syslog = 0;
}
