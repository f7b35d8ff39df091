/* xpbfloor: the least any vif online can do, as a process: make the vif a
 * port of the bridge and bring it up, in one RTM_NEWLINK, and wait for the
 * kernel's answer.
 *
 *   xpbfloor VIF BRIDGE
 *
 * Linked statically (mk/bench.mk), with no library but libc and no other
 * request: no xenstore, no map, no log.  The bench times it in the same
 * loop as /bin/true and `ip link set VIF master BRIDGE`, so the table shows
 * how much of an online is the kernel's own work (the port's sysfs
 * entries, the link coming up) rather than the helper's.  Exits 0, or 1
 * with the kernel's error.
 *
 * Built a second time as xpbwork (-DXPB_WORK, mk/bench.mk):
 *
 *   xpbwork VIF BRIDGE BACKEND FRONTEND
 *
 * the same RTM_NEWLINK plus the xenstore requests an online of
 * vif-xenplumb makes through libxenstore (linked statically here): the
 * backend's directory, its bridge and mac keys, then one transaction
 * reading the frontend and backend directories and writing the frontend's
 * mtu and the backend's hotplug-status.  Nine round trips to xenstored:
 * the helper's own work with nothing of the helper around it (no dynamic
 * loading, map, lock, log or link look-ups), so the table shows how much
 * of an online the work itself costs. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef XPB_WORK
#include <stdbool.h>
#include <stdlib.h>
#include <xenstore.h>
#define PROG  "xpbwork"
#define USAGE "usage: xpbwork VIF BRIDGE BACKEND FRONTEND\n"
#define NARGS 5
#else
#define PROG  "xpbfloor"
#define USAGE "usage: xpbfloor VIF BRIDGE\n"
#define NARGS 3
#endif

static void put_attr(struct nlmsghdr *h, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

#ifdef XPB_WORK
static int rd(struct xs_handle *h, xs_transaction_t t, const char *dir, const char *key)
{
	char path[256];
	unsigned int n;
	char *v;

	snprintf(path, sizeof(path), "%s%s%s", dir, *key ? "/" : "", key);
	v = xs_read(h, t, path, &n);
	free(v);
	return v ? 0 : -1;
}

static int wr(struct xs_handle *h, xs_transaction_t t, const char *dir, const char *key,
	      const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_write(h, t, path, val, (unsigned int)strlen(val)) ? 0 : -1;
}

/* The helper's reads before the port is made. */
static struct xs_handle *xs_before(const char *be)
{
	struct xs_handle *h = xs_open(0);
	unsigned int n;
	char **d;

	if (!h)
		return NULL;
	d = xs_directory(h, XBT_NULL, be, &n);
	free(d);
	if (!d || rd(h, XBT_NULL, be, "bridge") || rd(h, XBT_NULL, be, "mac")) {
		xs_close(h);
		return NULL;
	}
	return h;
}

/* ... and its one transaction after. */
static int xs_after(struct xs_handle *h, const char *be, const char *fe)
{
	xs_transaction_t t = xs_transaction_start(h);
	int bad;

	if (t == XBT_NULL)
		return -1;
	bad = rd(h, t, fe, "") || wr(h, t, fe, "mtu", "1500") || rd(h, t, be, "") ||
	      wr(h, t, be, "hotplug-status", "connected");
	return xs_transaction_end(h, t, bad) && !bad ? 0 : -1;
}
#endif

int main(int argc, char **argv)
{
	_Alignas(struct nlmsghdr) char rbuf[512], abuf[512];
	struct nlmsghdr *req = (struct nlmsghdr *)rbuf, *ans = (struct nlmsghdr *)abuf;
	struct ifinfomsg *ifi;
	unsigned int master;
	int fd;

#ifdef XPB_WORK
	struct xs_handle *xs;
#endif

	if (argc != NARGS || strlen(argv[1]) >= IFNAMSIZ) {
		fprintf(stderr, USAGE);
		return 2;
	}
#ifdef XPB_WORK
	xs = xs_before(argv[3]);
	if (!xs) {
		fprintf(stderr, PROG ": xenstore: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
#endif
	master = if_nametoindex(argv[2]);
	if (!master) {
		fprintf(stderr, PROG ": %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	memset(rbuf, 0, sizeof(rbuf));
	req->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	req->nlmsg_type = RTM_NEWLINK;
	req->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = 1;
	ifi = NLMSG_DATA(req);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	put_attr(req, IFLA_IFNAME, argv[1], strlen(argv[1]) + 1);
	put_attr(req, IFLA_MASTER, &master, sizeof(master));
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 || send(fd, req, req->nlmsg_len, 0) < 0 ||
	    recv(fd, abuf, sizeof(abuf), 0) < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		fprintf(stderr, PROG ": netlink: %s\n", strerror(errno));
		return 1;
	}
	if (ans->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(ans);

		if (e->error) {
			fprintf(stderr, PROG ": %s: %s\n", argv[1], strerror(-e->error));
			return 1;
		}
	}
#ifdef XPB_WORK
	if (xs_after(xs, argv[3], argv[4])) {
		fprintf(stderr, PROG ": xenstore: the transaction failed: %s\n", strerror(errno));
		return 1;
	}
	xs_close(xs);
#endif
	return 0;
}
