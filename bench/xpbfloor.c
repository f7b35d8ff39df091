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
 * with the kernel's error. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void put_attr(struct nlmsghdr *h, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

int main(int argc, char **argv)
{
	_Alignas(struct nlmsghdr) char rbuf[512], abuf[512];
	struct nlmsghdr *req = (struct nlmsghdr *)rbuf, *ans = (struct nlmsghdr *)abuf;
	struct ifinfomsg *ifi;
	unsigned int master;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= IFNAMSIZ) {
		fprintf(stderr, "usage: xpbfloor VIF BRIDGE\n");
		return 2;
	}
	master = if_nametoindex(argv[2]);
	if (!master) {
		fprintf(stderr, "xpbfloor: %s: %s\n", argv[2], strerror(errno));
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
		fprintf(stderr, "xpbfloor: netlink: %s\n", strerror(errno));
		return 1;
	}
	if (ans->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(ans);

		if (e->error) {
			fprintf(stderr, "xpbfloor: %s: %s\n", argv[1], strerror(-e->error));
			return 1;
		}
	}
	return 0;
}
