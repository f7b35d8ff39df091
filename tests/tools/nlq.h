/* Small synchronous rtnetlink queries shared by the test tools (witness,
 * nlprobe).  Built on libnl-3's socket and message helpers; replies are
 * handed to the caller as raw netlink messages so that every attribute the
 * kernel sends (bond mode, bridge STP, ...) can be read, including the ones
 * libnl-route has no getter for. */
#ifndef XP_NLQ_H
#define XP_NLQ_H

#include <linux/netlink.h>
#include <net/if.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stddef.h>

/* Called once per reply message; return 0 to go on, <0 (a libnl NLE_ code)
 * to stop with that error. */
typedef int (*nlq_fn)(struct nlmsghdr *nlh, void *arg);

/* A connected NETLINK_ROUTE socket with strict dump checking, so the kernel
 * filters dumps by the header and attributes we send.  NULL on failure. */
struct nl_sock *nlq_open(void);

/* Send msg (consumed) and call fn for every reply until the answer is
 * complete (one message, or NLMSG_DONE for a dump).  Returns 0 or a
 * negative libnl error (-NLE_OBJ_NOTFOUND when the kernel says ENODEV). */
int nlq_request(struct nl_sock *sk, struct nl_msg *msg, nlq_fn fn, void *arg);

/* RTM_GETLINK for one link, by name (ifindex 0) or by ifindex (name NULL).
 * On success *out is a malloc'd copy of the RTM_NEWLINK reply. */
int nlq_get_link(struct nl_sock *sk, const char *name, int ifindex, struct nlmsghdr **out);

/* Facts every tool wants from an RTM_NEWLINK message. */
struct nlq_link {
	int ifindex;
	char name[IFNAMSIZ];
	unsigned int flags; /* IFF_* */
	int operstate;	    /* IF_OPER_*, -1 when absent */
	int master;	    /* ifindex, 0 for none */
	int link;	    /* IFLA_LINK ifindex, 0 for none */
	int link_netnsid;   /* -1 unless IFLA_LINK is in another namespace */
	unsigned int mtu;
	unsigned char mac[32];
	int maclen;
	char kind[32]; /* IFLA_INFO_KIND, "" for none */
	char slave_kind[32];
};

/* Parse an RTM_NEWLINK/RTM_DELLINK message.  Returns 0, or -1 when it is
 * not a well-formed link message. */
int nlq_parse_link(struct nlmsghdr *nlh, struct nlq_link *l);

/* The IFLA_INFO_DATA (slave: IFLA_INFO_SLAVE_DATA) nest of a link message,
 * or NULL. */
struct nlattr *nlq_link_info_data(struct nlmsghdr *nlh, int slave);

/* Carrier as the tools define it: IFF_LOWER_UP set and the operational
 * state UP or UNKNOWN (for drivers that do not report one). */
int nlq_has_carrier(const struct nlq_link *l);

/* "up", "down", "lowerlayerdown", ...; "?" for values outside the RFC. */
const char *nlq_operstate_name(int operstate);

/* Name of ifindex in the current namespace into buf; "#N" when unknown,
 * "-" for 0. */
void nlq_ifname(struct nl_sock *sk, int ifindex, char *buf, size_t len);

/* "10.0.0.5/24" or "fe80::1/64" into buf (at least 64 bytes). */
void nlq_format_prefix(int family, const void *addr, size_t addrlen, int plen, char *buf,
		       size_t len);

#endif
