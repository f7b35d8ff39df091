#include "vif/vif_plumb.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/bridge.h"
#include "common/log.h"
#include "common/nl.h"
#include "vif/vif_bridge.h"

/* VLANs 1..4094 alternate at worst: 2047 runs. */
#define XP_VLAN_MAX_RUNS 2048

static const uint8_t port_mac[6] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff};

/* Every VLAN of s on port ifindex, as runs in one request (the PVID flag
 * moves the port's PVID). */
static int brvlan_add(struct nl_sock *sk, int ifindex, const struct xp_vlanspec *s)
{
	struct xp_vlan_run runs[XP_VLAN_MAX_RUNS];
	size_t n = 0;
	int lo = 0, hi = 0, f;

	while (n < XP_VLAN_MAX_RUNS && xp_vlanspec_next_run(s, &lo, &hi, &f) == 0) {
		runs[n].lo = lo;
		runs[n].hi = hi;
		runs[n].flags = (f & XP_VLAN_F_PVID ? BRIDGE_VLAN_INFO_PVID : 0) |
				(f & XP_VLAN_F_UNTAGGED ? BRIDGE_VLAN_INFO_UNTAGGED : 0);
		n++;
	}
	return xp_brport_vlans(sk, ifindex, 0, runs, n);
}

static int brvlan_del(struct nl_sock *sk, int ifindex, int vid)
{
	struct xp_vlan_run r = {vid, vid, 0};

	return xp_brport_vlans(sk, ifindex, 1, &r, 1);
}

int vif_link_get(struct nl_sock *sk, const char *name, struct rtnl_link **out)
{
	struct rtnl_link *l;
	int err = xp_link_by_name(sk, name, &l);
	const char *type;

	*out = NULL;
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
		return VIF_LINK_NONE;
	if (err < 0)
		return -1;
	*out = l;
	type = rtnl_link_get_type(l);
	return type && !strcmp(type, "bridge") ? VIF_LINK_BRIDGE : VIF_LINK_OTHER;
}

int vif_link_kind(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *l;
	int k = vif_link_get(sk, name, &l);

	if (l)
		rtnl_link_put(l);
	return k;
}

/* RTM_NEWLINKPROP / RTM_DELLINKPROP with one IFLA_ALT_IFNAME. */
static int altname(struct nl_sock *sk, int type, int ifindex, const char *name)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *m = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_ACK);
	struct nlattr *pl;
	int err;

	if (!m)
		return -NLE_NOMEM;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    !(pl = nla_nest_start(m, IFLA_PROP_LIST)) ||
	    nla_put_string(m, IFLA_ALT_IFNAME, name) < 0) {
		nlmsg_free(m);
		return -NLE_NOMEM;
	}
	nla_nest_end(m, pl);
	err = nl_send_auto(sk, m);
	nlmsg_free(m);
	return err < 0 ? err : nl_wait_for_ack(sk);
}

/* One change to link l; changes is consumed. */
static int change(struct nl_sock *sk, struct rtnl_link *l, struct rtnl_link *changes)
{
	int err = xp_link_change(sk, l, changes);

	rtnl_link_put(changes);
	return err;
}

static int set_up(struct nl_sock *sk, struct rtnl_link *l, int up)
{
	struct rtnl_link *c = rtnl_link_alloc();

	if (!c)
		return -NLE_NOMEM;
	if (up)
		rtnl_link_set_flags(c, IFF_UP);
	else
		rtnl_link_unset_flags(c, IFF_UP);
	return change(sk, l, c);
}

static int set_master(struct nl_sock *sk, struct rtnl_link *l, int master)
{
	struct rtnl_link *c = rtnl_link_alloc();

	if (!c)
		return -NLE_NOMEM;
	rtnl_link_set_master(c, master);
	return change(sk, l, c);
}

/* name/mac/mtu/master/up in one request (the kernel applies them in that
 * order); NULL/0 leaves that attribute alone. */
static int set_attrs(struct nl_sock *sk, struct rtnl_link *l, const char *name, const uint8_t *mac,
		     int mtu, int master, int up)
{
	struct rtnl_link *c = rtnl_link_alloc();
	struct nl_addr *a = NULL;
	int err;

	if (!c)
		return -NLE_NOMEM;
	if (name)
		rtnl_link_set_name(c, name);
	if (mac) {
		a = nl_addr_build(AF_LLC, mac, 6);
		if (!a) {
			rtnl_link_put(c);
			return -NLE_NOMEM;
		}
		rtnl_link_set_addr(c, a);
	}
	if (mtu)
		rtnl_link_set_mtu(c, (unsigned)mtu);
	if (master)
		rtnl_link_set_master(c, master);
	if (up)
		rtnl_link_set_flags(c, IFF_UP);
	err = change(sk, l, c);
	if (a)
		nl_addr_put(a);
	return err;
}

/* What this run changed, to undo it. */
struct undo {
	int ifindex;
	char oldname[XP_IFNAMSIZ];
	uint8_t oldmac[6];
	int has_oldmac;
	int oldmtu;
	int was_up;
	int downed, renamed, altnamed, attrs, joined, antispoofed;
};

static void rollback(struct nl_sock *sk, const struct undo *u, const struct vif_plan *p)
{
	struct rtnl_link *l;
	char e[256];

	if (u->antispoofed && xp_antispoof_remove(p->table, e, sizeof(e)))
		xp_log(LOG_WARNING, "undo: %s", e);
	if (xp_link_by_index(sk, u->ifindex, &l) < 0) {
		xp_log(LOG_WARNING, "undo: %s is gone", p->kname);
		return;
	}
	set_up(sk, l, 0);
	if (u->joined && set_master(sk, l, 0) < 0)
		xp_log(LOG_WARNING, "undo: cannot take %s off bridge %s", p->kname, p->bridge);
	if (u->altnamed)
		altname(sk, RTM_DELLINKPROP, u->ifindex, p->kname);
	if (u->renamed || u->attrs) {
		int err = set_attrs(sk, l, u->renamed ? u->oldname : NULL,
				    u->has_oldmac ? u->oldmac : NULL, u->oldmtu, 0, 0);
		if (err < 0)
			xp_log(LOG_WARNING, "undo: cannot restore %s: %s", u->oldname,
			       xp_nl_strerror(err));
	}
	if (u->was_up)
		set_up(sk, l, 1);
	rtnl_link_put(l);
}

__attribute__((format(printf, 4, 5))) static int failf(char *err, size_t errlen, int nlerr,
						       const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (nlerr)
		snprintf(err, errlen, "%s: %s", what, xp_nl_strerror(nlerr));
	else
		snprintf(err, errlen, "%s", what);
	return -1;
}

int vif_plumb_up(struct nl_sock *sk, struct vif_plan *p, int *mtu_out, char *err, size_t errlen)
{
	struct rtnl_link *l = NULL, *br = NULL, *other = NULL;
	struct undo u;
	const char *dev;
	struct nl_addr *a;
	int rc, brmtu, filtering = 0, defpvid = 0, mtu, up = 0;

	memset(&u, 0, sizeof(u));
	rc = xp_link_by_name(sk, p->kname, &l);
	if (rc < 0)
		return failf(err, errlen, rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV ? 0 : rc,
			     "cannot find device %s", p->kname);
	u.ifindex = rtnl_link_get_ifindex(l);
	snprintf(u.oldname, sizeof(u.oldname), "%s", rtnl_link_get_name(l));
	u.oldmtu = (int)rtnl_link_get_mtu(l);
	u.was_up = !!(rtnl_link_get_flags(l) & IFF_UP);
	a = rtnl_link_get_addr(l);
	if (a && nl_addr_get_len(a) == 6) {
		memcpy(u.oldmac, nl_addr_get_binary_addr(a), 6);
		u.has_oldmac = 1;
	}
	dev = u.oldname;

	if (p->br && !strcmp(rtnl_link_get_name(p->br), p->bridge)) {
		br = p->br; /* resolving the bridge key looked it up already */
		nl_object_get((struct nl_object *)br);
		rc = 0;
	} else {
		rc = xp_link_by_name(sk, p->bridge, &br);
	}
	if (rc < 0) {
		failf(err, errlen, rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV ? 0 : rc,
		      "cannot find bridge %s", p->bridge);
		goto out;
	}
	if (!rtnl_link_get_type(br) || strcmp(rtnl_link_get_type(br), "bridge")) {
		rc = failf(err, errlen, 0, "%s is not a bridge", p->bridge);
		goto out;
	}
	if (rtnl_link_get_ifindex(br) == u.ifindex) {
		rc = failf(err, errlen, 0, "%s cannot be its own bridge", p->bridge);
		goto out;
	}
	brmtu = (int)rtnl_link_get_mtu(br);
	if (rtnl_link_get_master(l) && rtnl_link_get_master(l) != rtnl_link_get_ifindex(br)) {
		rc = failf(err, errlen, 0, "%s is already a port of another device", dev);
		goto out;
	}
	if (p->has_vlan) {
		rc = xp_br_vlan_info(sk, rtnl_link_get_ifindex(br), &filtering, &defpvid);
		if (rc < 0) {
			failf(err, errlen, rc, "cannot read VLAN settings of bridge %s", p->bridge);
			goto out;
		}
		if (!filtering) {
			rc = failf(err, errlen, 0,
				   "bridge %s does not filter VLANs (vlan_filtering=0): cannot "
				   "give %s its VLANs",
				   p->bridge, p->kname);
			goto out;
		}
	}
	if (p->newname && *p->newname && strcmp(p->newname, dev)) {
		rc = xp_link_by_name(sk, p->newname, &other);
		if (rc == 0) {
			int same = rtnl_link_get_ifindex(other) == u.ifindex;
			rtnl_link_put(other);
			other = NULL;
			if (!same) {
				rc = failf(err, errlen, 0,
					   "cannot rename %s to %s: a link with that name exists",
					   dev, p->newname);
				goto out;
			}
		} else if (rc != -NLE_OBJ_NOTFOUND && rc != -NLE_NODEV) {
			failf(err, errlen, rc, "cannot look up %s", p->newname);
			goto out;
		}
	}

	if (u.was_up) {
		rc = set_up(sk, l, 0);
		if (rc < 0) {
			failf(err, errlen, rc, "cannot set %s down", dev);
			goto undo;
		}
		u.downed = 1;
	}
	mtu = p->mtu ? p->mtu : brmtu;
	{
		const char *nn =
		    p->newname && *p->newname && strcmp(p->newname, dev) ? p->newname : NULL;
		/* Nothing to do between joining and going up: one request. */
		int up_now = !p->has_vlan && !p->antispoof;

		rc = set_attrs(sk, l, nn, port_mac, mtu, rtnl_link_get_ifindex(br), up_now);
		/* whatever part of it the kernel applied is undone */
		u.attrs = u.joined = 1;
		u.renamed = !!nn;
		if (rc < 0 && nn) {
			failf(err, errlen, rc, "cannot rename %s to %s and add it to bridge %s",
			      dev, nn, p->bridge);
			goto undo;
		}
		if (rc < 0) {
			failf(err, errlen, rc,
			      "cannot set MAC and MTU of %s and add it to bridge %s", dev,
			      p->bridge);
			goto undo;
		}
		up = up_now;
		if (nn) {
			dev = nn;
			xp_log(LOG_INFO, "renamed %s to %s", p->kname, nn);
			/* keep the kernel name findable for offline */
			if (!strcmp(u.oldname, p->kname)) {
				rc = altname(sk, RTM_NEWLINKPROP, u.ifindex, p->kname);
				if (rc < 0) {
					failf(err, errlen, rc, "cannot give %s the altname %s", dev,
					      p->kname);
					goto undo;
				}
				u.altnamed = 1;
			}
		}
	}
	if (p->has_vlan) {
		char txt[128];

		rc = brvlan_add(sk, u.ifindex, p->vlan);
		if (rc < 0) {
			failf(err, errlen, rc, "cannot give %s its VLANs on bridge %s", dev,
			      p->bridge);
			goto undo;
		}
		if (defpvid && !xp_vlanspec_has(p->vlan, defpvid)) {
			rc = brvlan_del(sk, u.ifindex, defpvid);
			if (rc < 0) {
				failf(err, errlen, rc, "cannot remove the default VLAN from %s",
				      dev);
				goto undo;
			}
		}
		xp_vlanspec_format(p->vlan, txt, sizeof(txt));
		xp_log(LOG_INFO, "%s: VLANs %s on bridge %s", dev, txt, p->bridge);
	}
	if (p->antispoof) {
		p->as.dev = dev;
		p->as.table = p->table;
		if (xp_antispoof_install(&p->as, err, errlen))
			goto undo;
		u.antispoofed = 1;
		xp_log(LOG_INFO, "%s: antispoofing on (nftables table netdev %s)", dev, p->table);
	}
	if (!up) {
		rc = set_up(sk, l, 1);
		if (rc < 0) {
			failf(err, errlen, rc, "cannot set %s up", dev);
			goto undo;
		}
	}
	*mtu_out = mtu;
	xp_log(LOG_INFO, "%s: on bridge %s, mtu %d, up", dev, p->bridge, mtu);
	rc = 0;
	goto out;
undo:
	rollback(sk, &u, p);
	rc = -1;
out:
	if (l)
		rtnl_link_put(l);
	if (br)
		rtnl_link_put(br);
	return rc < 0 ? -1 : 0;
}

int vif_plumb_down(struct nl_sock *sk, const char *kname, const char *table, int *found, char *err,
		   size_t errlen)
{
	struct rtnl_link *l;
	char e[256];
	int rc, ret = 0;

	*found = 0;
	rc = xp_link_by_name(sk, kname, &l);
	if (rc == 0) {
		const char *name = rtnl_link_get_name(l);
		int ifindex = rtnl_link_get_ifindex(l);

		*found = 1;
		rc = set_up(sk, l, 0);
		if (rc < 0 && rc != -NLE_NODEV)
			xp_log(LOG_WARNING, "cannot set %s down: %s", name, xp_nl_strerror(rc));
		if (rtnl_link_get_master(l)) {
			rc = set_master(sk, l, 0);
			if (rc < 0 && rc != -NLE_NODEV) {
				snprintf(err, errlen, "cannot take %s off its bridge: %s", name,
					 xp_nl_strerror(rc));
				ret = -1;
			}
		}
		if (strcmp(name, kname))
			altname(sk, RTM_DELLINKPROP, ifindex, kname);
		xp_log(LOG_INFO, "%s: down, off its bridge", name);
		rtnl_link_put(l);
	} else if (rc != -NLE_OBJ_NOTFOUND && rc != -NLE_NODEV) {
		snprintf(err, errlen, "cannot look up %s: %s", kname, xp_nl_strerror(rc));
		return -1;
	}
	/* Not fatal: without nf_tables there is no table to remove. */
	if (table && xp_antispoof_remove(table, e, sizeof(e)))
		xp_log(LOG_WARNING, "cannot remove antispoof table %s: %s", table, e);
	return ret;
}
