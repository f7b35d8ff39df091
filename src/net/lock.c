/* The run lock; see lock.h. */
#include "net/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

/* /proc/PID/cmdline with blanks between the words, or "". */
static void cmdline_of(long pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	buf[0] = 0;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == 0 || buf[i] == '\n')
			buf[i] = ' ';
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = 0;
}

/* The pid /proc/locks names as the FLOCK holder of st's inode, or 0. */
static long locks_pid(const struct stat *st)
{
	FILE *f = fopen("/proc/locks", "re");
	char line[256];
	long pid = 0;

	if (!f)
		return 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		char type[16], mode[16], rw[16];
		unsigned maj, min;
		unsigned long ino;
		long p;

		/* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; a waiter's
		 * line starts "1: -> FLOCK ..." and does not parse */
		if (sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%lu", type, mode, rw, &p, &maj,
			   &min, &ino) == 7 &&
		    !strcmp(type, "FLOCK") && ino == (unsigned long)st->st_ino &&
		    makedev(maj, min) == st->st_dev)
			pid = p;
	}
	fclose(f);
	return pid;
}

void xp_lock_holder(int fd, const char *path, char *buf, size_t len)
{
	char text[300] = "";
	struct stat st;
	long pid = 0;
	ssize_t n;

	(void)path;
	if (fstat(fd, &st) == 0)
		pid = locks_pid(&st);
	if (pid > 0) {
		char cmd[256];
		cmdline_of(pid, cmd, sizeof(cmd));
		snprintf(buf, len, "pid %ld (%s)", pid, cmd[0] ? cmd : "command unknown");
		return;
	}
	n = pread(fd, text, sizeof(text) - 1, 0);
	if (n > 0) {
		text[n] = 0;
		text[strcspn(text, "\n")] = 0;
		if (sscanf(text, "%ld", &pid) == 1 && pid > 0) {
			const char *c = strchr(text, ' ');
			snprintf(buf, len, "pid %ld (%s)", pid, c ? c + 1 : "command unknown");
			return;
		}
	}
	snprintf(buf, len, "an unknown process");
}

/* Say who holds the lock now: "PID COMMAND LINE\n". */
static void write_holder(int fd)
{
	char cmd[256], line[300];
	int n;

	cmdline_of((long)getpid(), cmd, sizeof(cmd));
	n = snprintf(line, sizeof(line), "%ld %s\n", (long)getpid(), cmd);
	if (n > 0 && ftruncate(fd, 0) == 0 && pwrite(fd, line, (size_t)n, 0) < 0)
		return; /* the lock holds all the same */
}

static int open_lock(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open lock %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "lock %s is not a regular file; remove it", path);
		close(fd);
		return -1;
	}
	return fd;
}

int xp_lock_take(const char *dir, int wait_s, FILE *say, char *err, size_t errlen)
{
	char path[4096], who[400];
	struct timespec nap = {0, 50L * 1000 * 1000}, t0, now;
	long said = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/lock", dir);
	if ((fd = open_lock(path, err, errlen)) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long ms;

		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			write_holder(fd);
			return fd;
		}
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= (long)wait_s * 1000) {
			xp_lock_holder(fd, path, who, sizeof(who));
			snprintf(err, errlen,
				 "%s is held by %s; gave up after %d s (--wait SECONDS to wait "
				 "longer)",
				 path, who, wait_s);
			close(fd);
			return -2;
		}
		if (say && ms / 1000 >= (said + 1) * XP_LOCK_SAY_EVERY) {
			said = ms / 1000 / XP_LOCK_SAY_EVERY;
			xp_lock_holder(fd, path, who, sizeof(who));
			fprintf(say, "network-xenplumb: waiting for %s, held by %s (%ld s of %d)\n",
				path, who, ms / 1000, wait_s);
			fflush(say);
		}
		nanosleep(&nap, NULL);
	}
	snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
	close(fd);
	return -1;
}

void xp_lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
