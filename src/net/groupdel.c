/* Deleting many devices in one request (issue 18): RTM_DELLINK with
 * ifindex 0 and IFLA_GROUP deletes every link of that group in one go
 * (the kernel's rtnl_group_dellink: one rtnl lock, one batch of
 * unregistering, one RCU grace period instead of one per device).  Every
 * device xenplumb creates carries XP_OWN_GROUP, but the admin can put any
 * device in any group: the request is sent only when one dump of the links
 * proves that the group holds exactly the devices asked for, each of the
 * kind its op says and with the ifindex the state records for it.
 * Otherwise nothing is sent and the caller deletes device by device, with
 * its own checks.  Between the dump and the delete a device could still be
 * put into the group (one request later); the per-device path has the
 * same window between its check and its delete. */
#include "net/groupdel.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/nametab.h"
#include "common/nl.h"
#include "net/kind.h"
#include "net/observe.h"

struct want {
	const struct xp_op *op;
	int ifindex; /* as recorded */
	int seen;    /* in the group, of its kind, with that ifindex */
};

struct dump {
	struct want *w;
	struct xp_nametab byname; /* name -> index in w */
	int other;		  /* a link of the group that is not one of w */
};

static int on_link(struct nlmsghdr *nlh, void *arg)
{
	struct dump *d = arg;
	struct ifinfomsg *ifi = nlmsg_data(nlh);
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	const struct xp_kind *k;
	const char *kind = "";
	struct want *w;
	long i;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_GROUP] ||
	    nla_get_u32(tb[IFLA_GROUP]) != XP_OWN_GROUP)
		return 0;
	if (tb[IFLA_LINKINFO] &&
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 && li[IFLA_INFO_KIND])
		kind = nla_get_string(li[IFLA_INFO_KIND]);
	if (!tb[IFLA_IFNAME] || !xp_nametab_get(&d->byname, nla_get_string(tb[IFLA_IFNAME]), &i)) {
		d->other = 1;
		return 0;
	}
	w = &d->w[i];
	k = xp_kind_get(w->op->kind);
	if (!k || strcmp(kind, k->name) || ifi->ifi_index != w->ifindex || w->seen)
		d->other = 1;
	else
		w->seen = 1;
	return 0;
}

/* One dump of the links: does the group hold exactly ops' devices? */
static int group_is(struct nl_sock *sk, struct dump *d, size_t n)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);

	if (!msg)
		return 0;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		return 0;
	}
	if (xp_nl_query(sk, msg, on_link, d) < 0 || d->other)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!d->w[i].seen)
			return 0;
	return 1;
}

static int send_group_del(struct nl_sock *sk)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 0};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_DELLINK, 0);

	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_GROUP, XP_OWN_GROUP) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	return xp_nl_do(sk, msg);
}

int xp_group_delete(struct nl_sock *sk, const struct xp_state *s, const struct xp_op *const *ops,
		    size_t n)
{
	struct dump d = {calloc(n ? n : 1, sizeof(*d.w)), {0}, 0};
	int rc = 0;

	if (!d.w)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct xp_st_dev *r = xp_state_dev(s, ops[i]->dev);
		/* recorded as created, with its ifindex, once */
		if (ops[i]->type != XP_OP_DELETE || !r || r->kind != ops[i]->kind ||
		    r->ifindex <= 0 || xp_nametab_get(&d.byname, ops[i]->dev, NULL))
			goto out;
		d.w[i] = (struct want){ops[i], r->ifindex, 0};
		xp_nametab_put(&d.byname, ops[i]->dev, (long)i);
	}
	if (n && group_is(sk, &d, n)) {
		rc = send_group_del(sk);
		rc = rc < 0 ? rc : 1;
		for (size_t i = 0; i < n; i++)
			xp_nl_ifindex_forget(ops[i]->dev);
	}
out:
	xp_nametab_free(&d.byname);
	free(d.w);
	return rc;
}
