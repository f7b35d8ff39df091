#include "vif/vif_nat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/dnsmasq_pid.h"
#include "common/log.h"

int vif_nat_dir(char *buf, size_t len, const char *net)
{
	const char *d = getenv("XENPLUMB_STATE_DIR");
	int n = snprintf(buf, len, "%s/nat/%s", d && *d ? d : "/run/xenplumb", net);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void hup(const char *natdir_or_pidfile, const char *conf, int is_dir)
{
	char pidfile[300], cf[300];
	int pid;

	if (is_dir) {
		snprintf(pidfile, sizeof(pidfile), "%s/dnsmasq.pid", natdir_or_pidfile);
		snprintf(cf, sizeof(cf), "%s/dnsmasq.conf", natdir_or_pidfile);
	} else {
		snprintf(pidfile, sizeof(pidfile), "%s", natdir_or_pidfile);
		snprintf(cf, sizeof(cf), "%s", conf);
	}
	pid = xp_dnsmasq_pid(pidfile, cf);
	if (pid > 0 && kill(pid, SIGHUP))
		xp_log(LOG_WARNING, "cannot signal dnsmasq %d: %s", pid, strerror(errno));
}

int vif_nat_host_add(const char *natdir, const char *kname, const uint8_t mac[6],
		     const struct xp_ipaddr *ip, const char *host, char *path, size_t pathlen,
		     char *err, size_t errlen)
{
	char dir[300], tmp[340], a[INET6_ADDRSTRLEN], line[200];
	int fd, n;

	*path = '\0';
	snprintf(dir, sizeof(dir), "%s/hosts.d", natdir);
	if (access(dir, F_OK))
		return 0; /* no DHCP on this network */
	if (snprintf(path, pathlen, "%s/%s", dir, kname) >= (int)pathlen ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, kname) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "path under %s too long", dir);
		return -1;
	}
	inet_ntop(AF_INET, ip->addr, a, sizeof(a));
	n = snprintf(line, sizeof(line), "%02x:%02x:%02x:%02x:%02x:%02x,%s,%s\n", mac[0], mac[1],
		     mac[2], mac[3], mac[4], mac[5], a, host);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	/* dnsmasq reads it as its unprivileged user, whatever our umask */
	if (fd < 0 || fchmod(fd, 0644) || write(fd, line, (size_t)n) != n || close(fd) ||
	    rename(tmp, path)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		*path = '\0';
		return -1;
	}
	hup(natdir, NULL, 1);
	return 0;
}

int vif_nat_host_remove(const char *path, const char *pidfile, const char *conf, char *err,
			size_t errlen)
{
	if (unlink(path) && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
		return -1;
	}
	hup(pidfile, conf, 0);
	return 0;
}
