/* The run lock; see lock.h. */
#include "net/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

int xp_lock_take(const char *dir, int timeout_s, char *err, size_t errlen)
{
	char path[4096];
	struct timespec nap = {0, 50L * 1000 * 1000};
	time_t until = time(NULL) + timeout_s;
	int fd;

	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open lock %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | (timeout_s ? LOCK_NB : 0)) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		if (timeout_s && time(NULL) >= until) {
			snprintf(err, errlen,
				 "another network-xenplumb holds %s for more than %d s; giving up",
				 path, timeout_s);
			close(fd);
			return -1;
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
