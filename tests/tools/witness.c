/* witness: record disruptive rtnetlink events on a set of links, so a test
 * can prove that an operation (xenplumb start/reload, a vif hotplug) left
 * them alone.  Subscribes first, then takes its baseline, so nothing that
 * happens after the ready marker can be missed; a kernel overrun (ENOBUFS)
 * is reported as an event and the baseline is re-read. */
#include "nlq.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/socket.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_QUIET = 0, EXIT_EVENTS = 1, EXIT_ERROR = 2 };

static const char usage_text[] =
    "usage: witness [-o FILE] [--ready FILE] [--timeout SEC] [--routes] IFNAME...\n"
    "\n"
    "Watches the named links (resolved to ifindexes at start, so a renamed link\n"
    "stays watched) until SIGTERM/SIGINT/SIGHUP or --timeout, and writes one line\n"
    "per disruptive event, as it happens:\n"
    "  DOWN IF               IFF_UP cleared (admin down)\n"
    "  CARRIER-LOSS IF       carrier lost (IFF_LOWER_UP cleared or operstate left\n"
    "                        up/unknown) while the link stayed admin up\n"
    "  RENAME OLD NEW        same ifindex, new name (later lines use NEW)\n"
    "  DELETE IF             link deleted (or moved to another namespace)\n"
    "  MASTER IF OLD NEW     master (bridge/bond) changed; '-' means none\n"
    "  ADDR-DEL IF ADDR/LEN  an IPv4 or IPv6 address removed\n"
    "  ROUTE-DEL IF DST/LEN  a route through IF removed (only with --routes)\n"
    "  OVERRUN ENOBUFS       the kernel dropped notifications; the baseline was\n"
    "                        re-read and any change found reported as above\n"
    "Events on other links are ignored.  Coming back up, gaining carrier or\n"
    "gaining an address are not events.\n"
    "\n"
    "  -o, --output FILE   write events to FILE (created at start) not stdout\n"
    "  -r, --ready FILE    create FILE (containing the pid) once subscribed and\n"
    "                      the baseline is taken: start acting only after that\n"
    "  -t, --timeout SEC   stop by itself after SEC seconds\n"
    "      --routes        also report route deletions\n"
    "      --rcvbuf BYTES  socket receive buffer (default 4 MiB; tiny values\n"
    "                      provoke OVERRUN, for testing)\n"
    "\n"
    "Exit status: 0 no event seen, 1 events seen (including OVERRUN), 2 error\n"
    "(bad usage, a named link does not exist, netlink failure).\n"
    "\n"
    "Example (sh):\n"
    "  rm -f /tmp/ready\n"
    "  $B/tests/tools/witness --ready /tmp/ready br0 eth0 >/tmp/events &\n"
    "  pid=$!\n"
    "  while [ ! -e /tmp/ready ]; do sleep 0.05; done\n"
    "  network-xenplumb reload            # the operation under test\n"
    "  kill -TERM $pid; wait $pid; rc=$?  # rc 0 and /tmp/events empty: silent\n"
    "Carrier and operstate changes reach netlink through the kernel's linkwatch,\n"
    "up to a second late: wait for the state (e.g. nlprobe link IF carrier)\n"
    "before the kill when a test expects CARRIER-LOSS.\n";

struct watch {
	int ifindex;
	char name[IFNAMSIZ];
	char master_name[IFNAMSIZ + 8];
	unsigned int flags;
	int carrier;
	int master;
	int gone;
};

struct witness {
	struct watch *w;
	int n;
	FILE *out;
	int events;
	int routes;
	struct nl_sock *query; /* requests: baseline, master names */
	struct nl_sock *mcast; /* notifications */
};

static void emit(struct witness *ws, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(struct witness *ws, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(ws->out, fmt, ap);
	va_end(ap);
	fputc('\n', ws->out);
	fflush(ws->out);
	ws->events++;
}

static struct watch *find(struct witness *ws, int ifindex)
{
	for (int i = 0; i < ws->n; i++)
		if (ws->w[i].ifindex == ifindex)
			return &ws->w[i];
	return NULL;
}

static void set_state(struct witness *ws, struct watch *w, const struct nlq_link *l)
{
	w->flags = l->flags;
	w->carrier = nlq_has_carrier(l);
	if (w->master != l->master || !w->master_name[0])
		nlq_ifname(ws->query, l->master, w->master_name, sizeof(w->master_name));
	w->master = l->master;
}

/* Compare a link message (notification or re-read) with the baseline,
 * report what got worse, and make it the new baseline. */
static void on_link(struct witness *ws, struct nlmsghdr *nlh)
{
	struct ifinfomsg *ifi;
	struct watch *w;
	struct nlq_link l;
	char old_master[sizeof(w->master_name)];

	if (!nlmsg_valid_hdr(nlh, sizeof(*ifi)))
		return;
	ifi = nlmsg_data(nlh);
	/* AF_BRIDGE messages describe bridge-port state, not the link. */
	if (ifi->ifi_family != AF_UNSPEC)
		return;
	w = find(ws, ifi->ifi_index);
	if (!w || w->gone || nlq_parse_link(nlh, &l) < 0)
		return;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		emit(ws, "DELETE %s", w->name);
		w->gone = 1;
		return;
	}
	if (l.name[0] && strcmp(l.name, w->name)) {
		emit(ws, "RENAME %s %s", w->name, l.name);
		snprintf(w->name, sizeof(w->name), "%s", l.name);
	}
	if ((w->flags & IFF_UP) && !(l.flags & IFF_UP))
		emit(ws, "DOWN %s", w->name);
	else if (w->carrier && !nlq_has_carrier(&l) && (l.flags & IFF_UP))
		emit(ws, "CARRIER-LOSS %s", w->name);
	snprintf(old_master, sizeof(old_master), "%s", w->master_name);
	if (l.master != w->master) {
		set_state(ws, w, &l);
		emit(ws, "MASTER %s %s %s", w->name, old_master, w->master_name);
	} else {
		set_state(ws, w, &l);
	}
}

static void on_addr(struct witness *ws, struct nlmsghdr *nlh)
{
	struct nlattr *tb[IFA_MAX + 1], *a;
	struct ifaddrmsg *ifa;
	struct watch *w;
	char buf[80];

	if (nlh->nlmsg_type != RTM_DELADDR || !nlmsg_valid_hdr(nlh, sizeof(*ifa)) ||
	    nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return;
	ifa = nlmsg_data(nlh);
	w = find(ws, (int)ifa->ifa_index);
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!w || !a)
		return;
	nlq_format_prefix(ifa->ifa_family, nla_data(a), (size_t)nla_len(a), ifa->ifa_prefixlen, buf,
			  sizeof(buf));
	emit(ws, "ADDR-DEL %s %s", w->name, buf);
}

static int route_uses(struct witness *ws, struct nlattr **tb, struct watch **w)
{
	*w = tb[RTA_OIF] ? find(ws, (int)nla_get_u32(tb[RTA_OIF])) : NULL;
	if (!*w && tb[RTA_MULTIPATH]) {
		struct rtnexthop *nh = nla_data(tb[RTA_MULTIPATH]);
		int rem = nla_len(tb[RTA_MULTIPATH]);
		while (!*w && rem >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
		       nh->rtnh_len <= rem) {
			*w = find(ws, nh->rtnh_ifindex);
			rem -= NLMSG_ALIGN(nh->rtnh_len);
			nh = (struct rtnexthop *)((char *)nh + NLMSG_ALIGN(nh->rtnh_len));
		}
	}
	return *w != NULL;
}

static void on_route(struct witness *ws, struct nlmsghdr *nlh)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg *rtm;
	struct watch *w;
	static const unsigned char any[16];
	char buf[80];

	if (!ws->routes || nlh->nlmsg_type != RTM_DELROUTE || !nlmsg_valid_hdr(nlh, sizeof(*rtm)) ||
	    nlmsg_parse(nlh, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return;
	rtm = nlmsg_data(nlh);
	if ((rtm->rtm_flags & RTM_F_CLONED) || !route_uses(ws, tb, &w))
		return;
	if (tb[RTA_DST])
		nlq_format_prefix(rtm->rtm_family, nla_data(tb[RTA_DST]),
				  (size_t)nla_len(tb[RTA_DST]), rtm->rtm_dst_len, buf, sizeof(buf));
	else
		nlq_format_prefix(rtm->rtm_family, any, sizeof(any), 0, buf, sizeof(buf));
	emit(ws, "ROUTE-DEL %s %s", w->name, buf);
}

/* Re-read every watched link and report what changed since the baseline. */
static int resync(struct witness *ws)
{
	for (int i = 0; i < ws->n; i++) {
		struct watch *w = &ws->w[i];
		struct nlmsghdr *nlh;
		int err;
		if (w->gone)
			continue;
		err = nlq_get_link(ws->query, NULL, w->ifindex, &nlh);
		if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) {
			emit(ws, "DELETE %s", w->name);
			w->gone = 1;
			continue;
		}
		if (err < 0) {
			fprintf(stderr, "witness: re-reading %s: %s\n", w->name, nl_geterror(err));
			return -1;
		}
		on_link(ws, nlh);
		free(nlh);
	}
	return 0;
}

/* Read every queued notification.  0 when drained, -1 on a fatal error. */
static int drain(struct witness *ws)
{
	static char buf[1 << 18];
	int fd = nl_socket_get_fd(ws->mcast);

	for (;;) {
		struct sockaddr_nl from = {.nl_family = AF_NETLINK, .nl_pid = 1};
		socklen_t fromlen = sizeof(from);
		ssize_t len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
				       (struct sockaddr *)&from, &fromlen);
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		int rem;

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (len < 0 && errno == ENOBUFS) {
			emit(ws, "OVERRUN ENOBUFS");
			if (resync(ws) < 0)
				return -1;
			continue;
		}
		if (len < 0) {
			perror("witness: recv");
			return -1;
		}
		if ((size_t)len > sizeof(buf)) {
			fprintf(stderr, "witness: notification of %zd bytes truncated\n", len);
			emit(ws, "OVERRUN TRUNCATED");
			if (resync(ws) < 0)
				return -1;
			continue;
		}
		if (from.nl_pid != 0) /* only the kernel speaks here */
			continue;
		rem = (int)len;
		for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
			switch (nlh->nlmsg_type) {
			case RTM_NEWLINK:
			case RTM_DELLINK:
				on_link(ws, nlh);
				break;
			case RTM_DELADDR:
				on_addr(ws, nlh);
				break;
			case RTM_DELROUTE:
				on_route(ws, nlh);
				break;
			default:
				break;
			}
		}
	}
}

static int subscribe(struct witness *ws, int rcvbuf)
{
	int fd, err;

	ws->mcast = nl_socket_alloc();
	if (!ws->mcast)
		return -NLE_NOMEM;
	nl_socket_disable_seq_check(ws->mcast);
	err = nl_connect(ws->mcast, NETLINK_ROUTE);
	if (err < 0)
		return err;
	fd = nl_socket_get_fd(ws->mcast);
	/* Root may exceed net.core.rmem_max; a small test value must not be
	 * raised to the default, so use the plain option for it. */
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		return -nl_syserr2nlerr(errno);
	if (rcvbuf <= 0) {
		int big = 4 << 20;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	}
	err = nl_socket_add_memberships(ws->mcast, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
					RTNLGRP_IPV6_IFADDR, 0);
	if (err >= 0 && ws->routes)
		err =
		    nl_socket_add_memberships(ws->mcast, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, 0);
	return err;
}

/* Resolve the names (after subscribing) into the baseline. */
static int baseline(struct witness *ws, char **names, int count)
{
	ws->w = calloc((size_t)count, sizeof(*ws->w));
	if (!ws->w)
		return -1;
	for (int i = 0; i < count; i++) {
		struct nlmsghdr *nlh;
		struct nlq_link l;
		int err;
		if (strlen(names[i]) == 0 || strlen(names[i]) >= IFNAMSIZ) {
			fprintf(stderr, "witness: bad interface name '%s'\n", names[i]);
			return -1;
		}
		err = nlq_get_link(ws->query, names[i], 0, &nlh);
		if (err < 0) {
			fprintf(stderr, "witness: %s: %s\n", names[i],
				err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV ? "no such link"
									      : nl_geterror(err));
			return -1;
		}
		if (nlq_parse_link(nlh, &l) < 0 || find(ws, l.ifindex)) {
			free(nlh);
			continue; /* named twice */
		}
		free(nlh);
		ws->w[ws->n].ifindex = l.ifindex;
		snprintf(ws->w[ws->n].name, sizeof(ws->w[0].name), "%s", l.name);
		set_state(ws, &ws->w[ws->n], &l);
		ws->n++;
	}
	return 0;
}

static int write_ready(const char *path)
{
	size_t n = strlen(path) + 8;
	char *tmp = malloc(n);
	FILE *f;
	int ok;

	if (!tmp)
		return -1;
	snprintf(tmp, n, "%s.tmp", path);
	f = fopen(tmp, "w");
	ok = f && fprintf(f, "%ld\n", (long)getpid()) > 0;
	if (f && fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp, path) != 0)
		ok = 0;
	if (!ok) {
		fprintf(stderr, "witness: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok ? 0 : -1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int watch_loop(struct witness *ws, int sfd, long timeout_s)
{
	long deadline = timeout_s > 0 ? now_ms() + timeout_s * 1000L : -1;
	struct pollfd pfd[2] = {{.fd = nl_socket_get_fd(ws->mcast), .events = POLLIN},
				{.fd = sfd, .events = POLLIN}};

	for (;;) {
		int wait_ms = -1, r;
		if (deadline >= 0) {
			long left = deadline - now_ms();
			if (left <= 0)
				break;
			wait_ms = left > 60000 ? 60000 : (int)left;
		}
		r = poll(pfd, 2, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("witness: poll");
			return -1;
		}
		if ((pfd[0].revents & (POLLIN | POLLERR)) && drain(ws) < 0)
			return -1;
		if (pfd[1].revents & POLLIN)
			break;
	}
	/* Whatever the kernel queued before the signal still counts. */
	return drain(ws);
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return (errno || end == s || *end || *out < lo || *out > hi) ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
					     {"ready", required_argument, NULL, 'r'},
					     {"timeout", required_argument, NULL, 't'},
					     {"routes", no_argument, NULL, 'R'},
					     {"rcvbuf", required_argument, NULL, 'B'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct witness ws = {.out = stdout};
	const char *out_path = NULL, *ready_path = NULL;
	long timeout_s = 0, rcvbuf = 0;
	sigset_t sigs;
	int c, sfd, err, rc = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "o:r:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_path = optarg;
			break;
		case 'r':
			ready_path = optarg;
			break;
		case 't':
			if (parse_long(optarg, 1, 86400, &timeout_s) < 0)
				goto usage;
			break;
		case 'R':
			ws.routes = 1;
			break;
		case 'B':
			if (parse_long(optarg, 1, 1L << 30, &rcvbuf) < 0)
				goto usage;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_QUIET;
		default:
			goto usage;
		}
	}
	if (optind >= argc)
		goto usage;

	/* Background jobs of a non-interactive shell start with SIGINT
	 * ignored; an ignored signal is dropped even while blocked. */
	signal(SIGINT, SIG_DFL);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("witness: signalfd");
		return EXIT_ERROR;
	}
	if (out_path) {
		ws.out = fopen(out_path, "w");
		if (!ws.out) {
			fprintf(stderr, "witness: %s: %s\n", out_path, strerror(errno));
			close(sfd);
			return EXIT_ERROR;
		}
	}
	ws.query = nlq_open();
	err = ws.query ? subscribe(&ws, (int)rcvbuf) : -NLE_NOMEM;
	if (err < 0)
		fprintf(stderr, "witness: netlink: %s\n", nl_geterror(err));
	else if (baseline(&ws, argv + optind, argc - optind) == 0 &&
		 (!ready_path || write_ready(ready_path) == 0) &&
		 watch_loop(&ws, sfd, timeout_s) == 0)
		rc = ws.events ? EXIT_EVENTS : EXIT_QUIET;

	if (ws.out != stdout && fclose(ws.out) != 0)
		rc = EXIT_ERROR;
	nl_socket_free(ws.mcast);
	nl_socket_free(ws.query);
	free(ws.w);
	close(sfd);
	return rc;

usage:
	fputs(usage_text, stderr);
	return EXIT_ERROR;
}
