#include "common/dnsmasq_pid.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/regfile.h"

static int zombie(int pid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the name may hold anything */
	return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

int xp_dnsmasq_is_ours(int pid, const char *conf)
{
	char buf[4096], want[400], proc[64];
	ssize_t n;
	int fd, found = 0, isdnsmasq;
	const char *base;

	if (pid <= 1)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/%d/cmdline", pid);
	fd = open(proc, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	base = strrchr(buf, '/');
	base = base ? base + 1 : buf;
	isdnsmasq = !strcmp(base, "dnsmasq");
	snprintf(want, sizeof(want), "--conf-file=%s", conf);
	for (char *a = buf; a < buf + n; a += strlen(a) + 1)
		if (!strcmp(a, want))
			found = 1;
	return isdnsmasq && found && !zombie(pid);
}

int xp_dnsmasq_pid(const char *pidfile, const char *conf)
{
	FILE *f = xp_fopen_regular(pidfile);
	long pid;
	int ok;

	if (!f)
		return 0;
	ok = fscanf(f, "%ld", &pid) == 1 && pid > 1 && pid < 4194305;
	fclose(f);
	return ok && xp_dnsmasq_is_ours((int)pid, conf) ? (int)pid : 0;
}
