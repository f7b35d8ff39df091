/* The one netlink path of both helpers: a socket set up once, a request
 * with the kernel's ack and its extended-ack text, a query whose answers go
 * to a callback (with a per-request sequence check), and an ifindex cache.
 * Links are always looked up by name or index (RTM_GETLINK for one link),
 * never by dumping every link, so the cost of a call does not grow with the
 * number of guests. */
#ifndef XP_COMMON_NL_H
#define XP_COMMON_NL_H

#include <netlink/netlink.h>
#include <stdint.h>

struct nlmsghdr;

/* A connected NETLINK_ROUTE socket, set up as xp_nl_setup() says, or NULL
 * (errno-style message logged). */
struct nl_sock *xp_nl_open(void);
void xp_nl_close(struct nl_sock *sk);
/* Strict dump filtering, extended error messages, and a receive buffer
 * that holds any answer (one recvmsg per message). */
void xp_nl_setup(struct nl_sock *sk);

/* Send a request, wait for the kernel's answer.  Frees msg.  0 or a
 * negative libnl error; the kernel's own words in xp_nl_last_error()
 * ("" when it gave none). */
int xp_nl_do(struct nl_sock *sk, struct nl_msg *msg);
const char *xp_nl_last_error(void);
/* What the next xp_nl_last_error() says (a test hook's injected failure). */
void xp_nl_set_last_error(const char *text);

/* Send msg (freed) and hand every answer to fn until the kernel's ack (a
 * single answer) or the dump's end.  0 or a negative libnl error
 * (-NLE_OBJ_NOTFOUND when the kernel says ENODEV). */
int xp_nl_query(struct nl_sock *sk, struct nl_msg *msg, int (*fn)(struct nlmsghdr *nlh, void *arg),
		void *arg);
/* NL_CB_SEQ_CHECK callback: only answers to request number *arg (an
 * unsigned int) count. */
int xp_nl_seq_check(struct nl_msg *msg, void *arg);

/* The RTM_GETLINK for one link, by ifindex or (ifindex 0) by name, without
 * its counters; NULL when out of memory. */
struct nl_msg *xp_nl_getlink_msg(int ifindex, const char *name);

/* ifindex by name (RTM_GETLINK, never an ioctl), 0 when missing; cached for
 * the process.  Forget a name when its device is created or deleted. */
int xp_nl_ifindex(struct nl_sock *sk, const char *name);
void xp_nl_ifindex_forget(const char *name);
/* The ifindex of name (0: no such device; uncached) and its master's in
 * *master (0: none), in one RTM_GETLINK. */
int xp_nl_link_master(struct nl_sock *sk, const char *name, int *master);
/* RTM_NEWLINKPROP / RTM_DELLINKPROP (type) of one IFLA_ALT_IFNAME on the
 * link ifindex; 0 or -NLE_*. */
int xp_nl_altname(struct nl_sock *sk, int type, int ifindex, const char *name);

/* One link as the kernel's RTM_NEWLINK answer describes it: what the
 * helpers read of it (libnl-3's attribute parser; no libnl-route, whose
 * shared object alone cost about 0.25 ms of every helper's start). */
struct xp_link {
	int ifindex;
	int master; /* IFLA_MASTER, 0: none */
	int mtu;
	unsigned int flags; /* ifi_flags (IFF_UP ...) */
	char name[16];
	char kind[32];		/* IFLA_INFO_KIND, "" for none */
	unsigned char addr[32]; /* IFLA_ADDRESS, addrlen bytes */
	int addrlen;
	int refs;
};
/* Another reference to l (l); xp_link_free drops one (NULL is fine). */
struct xp_link *xp_link_ref(struct xp_link *l);
void xp_link_free(struct xp_link *l);
/* IFLA_INFO_KIND ("bridge", "veth" ...), NULL when it has none. */
const char *xp_link_kind(const struct xp_link *l);

/* 0 and *out (caller xp_link_free()s it), -NLE_OBJ_NOTFOUND if there is no
 * such link, another negative libnl error otherwise. */
int xp_link_by_name(struct nl_sock *sk, const char *name, struct xp_link **out);
int xp_link_by_index(struct nl_sock *sk, int ifindex, struct xp_link **out);
/* xp_link_by_name, and raw(answer, arg) on the kernel's RTM_NEWLINK answer
 * before it is parsed (for attributes struct xp_link leaves out, e.g.
 * IFLA_PROP_LIST's altnames): one request where two were needed. */
int xp_link_by_name_raw(struct nl_sock *sk, const char *name, struct xp_link **out,
			int (*raw)(struct nlmsghdr *nlh, void *arg), void *arg);

/* A change to one link: only what is set goes into the request. */
struct xp_link_set {
	unsigned int flags, flags_mask; /* the flags under flags_mask */
	const char *name;		/* a new name (when it differs), or NULL */
	const uint8_t *addr;		/* a new address of addrlen bytes, or NULL */
	int addrlen;
	int mtu;    /* 0: keep */
	int master; /* -1: keep, 0: off its master, else the master's ifindex */
};
#define XP_LINK_SET_INIT                                                                           \
	{                                                                                          \
		0, 0, NULL, NULL, 0, 0, -1                                                         \
	}
/* Apply c to link (RTM_NEWLINK, and RTM_SETLINK again where the kernel
 * does not take NEWLINK for an existing link) through xp_nl_do, so a
 * refusal leaves the kernel's text in xp_nl_last_error(). */
int xp_link_change_do(struct nl_sock *sk, const struct xp_link *link, const struct xp_link_set *c);

/* libnl error text. */
const char *xp_nl_strerror(int err);

/* CAP_NET_ADMIN in the effective set (not just uid 0). */
int xp_have_net_admin(void);

#endif
