#include "common/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/validate.h"

int xp_sysctl_path(char *buf, size_t len, int family, const char *dev, const char *key)
{
	int n;

	if (xp_valid_ifname(dev, NULL) || strchr(key, '/') || strstr(key, ".."))
		return -1;
	n = snprintf(buf, len, "/proc/sys/net/%s/conf/%s/%s",
		     family == XP_SYSCTL_V6 ? "ipv6" : "ipv4", dev, key);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int xp_sysctl_get(int family, const char *dev, const char *key, int *val, int *missing, char *err,
		  size_t errlen)
{
	char path[128], buf[32];
	ssize_t n;
	long v;
	char *end;
	int fd;

	if (missing)
		*missing = 0;
	if (xp_sysctl_path(path, sizeof(path), family, dev, key)) {
		snprintf(err, errlen, "bad sysctl name %s/%s", dev, key);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (missing && errno == ENOENT)
			*missing = 1;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, n ? strerror(errno) : "empty");
		return -1;
	}
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v < -2147483647L || v > 2147483647L) {
		snprintf(err, errlen, "%s holds '%.*s', not a number", path,
			 (int)strcspn(buf, "\n"), buf);
		return -1;
	}
	*val = (int)v;
	return 0;
}

int xp_sysctl_set(int family, const char *dev, const char *key, int val, char *err, size_t errlen)
{
	char path[128], buf[16];
	int fd, n;
	ssize_t w;

	if (xp_sysctl_path(path, sizeof(path), family, dev, key)) {
		snprintf(err, errlen, "bad sysctl name %s/%s", dev, key);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %d to %s: %s", val, path, strerror(errno));
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", val);
	w = write(fd, buf, (size_t)n);
	if (w != n) {
		snprintf(err, errlen, "cannot write %d to %s: %s", val, path,
			 w < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	if (close(fd)) {
		snprintf(err, errlen, "cannot write %d to %s: %s", val, path, strerror(errno));
		return -1;
	}
	return 0;
}
