#include "vif/vif_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir that accepts an existing directory (and no symlink in its place). */
static int ensure_dir(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(path, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (lstat(path, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", path);
		return -1;
	}
	return 0;
}

int vif_lock(unsigned domid, unsigned devid, char *err, size_t errlen)
{
	const char *run = getenv("XENPLUMB_STATE_DIR");
	char dir[256], path[300];
	struct stat st;
	int fd;

	if (!run || !*run)
		run = VIF_RUN_DIR_DEFAULT;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/vif", run) >= sizeof(dir)) {
		snprintf(err, errlen, "run directory %.64s...: path too long", run);
		return -1;
	}
	if (ensure_dir(run, err, errlen) || ensure_dir(dir, err, errlen))
		return -1;
	snprintf(path, sizeof(path), "%s/%u.%u.lock", dir, domid, devid);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open lock file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "lock file %s is not a regular file", path);
		return -1;
	}
	while (flock(fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
