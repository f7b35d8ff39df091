#include "vif/vif_plumb.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/bridge.h"
#include "common/log.h"
#include "common/nl.h"
#include "vif/vif_args.h"
#include "vif/vif_bridge.h"
#include "vif/vif_steps.h"

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

/* A look-up's answer that there is no such link. */
static int missing(int rc)
{
	return rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV;
}

static int is_bridge(struct xp_link *l)
{
	const char *type = xp_link_kind(l);

	return type && !strcmp(type, "bridge");
}

/* xp_link_by_name, sorted into VIF_LINK_*. */
int vif_link_get(struct nl_sock *sk, const char *name, struct xp_link **out)
{
	struct xp_link *l;
	int err = xp_link_by_name(sk, name, &l);

	*out = NULL;
	if (missing(err))
		return VIF_LINK_NONE;
	if (err < 0)
		return -1;
	*out = l;
	return is_bridge(l) ? VIF_LINK_BRIDGE : VIF_LINK_OTHER;
}

int vif_link_kind(struct nl_sock *sk, const char *name)
{
	struct xp_link *l;
	int k = vif_link_get(sk, name, &l);

	if (l)
		xp_link_free(l);
	return k;
}

/* The altnames of one link (RTM_GETLINK by index, its IFLA_PROP_LIST):
 * the first that is a guest NIC's kernel name other than kname. */
struct alt_scan {
	const char *kname;
	char other[XP_IFNAMSIZ];
};

static int on_link_alts(struct nlmsghdr *nlh, void *arg)
{
	struct alt_scan *a = arg;
	struct nlattr *pl = nlmsg_find_attr(nlh, sizeof(struct ifinfomsg), IFLA_PROP_LIST), *n;
	unsigned d, i;
	int rem;

	if (!pl)
		return 0;
	nla_for_each_nested(n, pl, rem)
	{
		char name[XP_IFNAMSIZ];

		if (nla_type(n) != IFLA_ALT_IFNAME || a->other[0])
			continue;
		nla_strlcpy(name, n, sizeof(name));
		if (strcmp(name, a->kname) &&
		    (!vif_parse_devname(name, 0, &d, &i) || !vif_parse_devname(name, 1, &d, &i)))
			memcpy(a->other, name, sizeof(name));
	}
	return 0;
}

/* The link named kname, if it is this vif's device (one RTM_GETLINK by
 * name, whose answer carries the altnames too).  Not when it carries
 * another guest NIC's kernel name as an altname: then it is that NIC,
 * renamed to kname (by a vifname this version refuses, or by hand).
 * 0 and *l ours; 1 (and *l NULL) with the refusal in err; or the lookup's
 * negative libnl error. */
static int find_vif(struct nl_sock *sk, const char *kname, struct xp_link **l, char *err,
		    size_t errlen)
{
	struct alt_scan a = {.kname = kname};
	int rc = xp_link_by_name_raw(sk, kname, l, on_link_alts, &a);

	if (rc < 0)
		return rc;
	if (a.other[0]) {
		snprintf(err, errlen,
			 "%s is not this vif: it is %s renamed (its altname), another NIC; "
			 "left alone",
			 (*l)->name, a.other);
		xp_link_free(*l);
		*l = NULL;
		return 1;
	}
	return 0;
}

static int set_up(struct nl_sock *sk, struct xp_link *l, int up)
{
	struct xp_link_set c = XP_LINK_SET_INIT;

	c.flags = up ? IFF_UP : 0;
	c.flags_mask = IFF_UP;
	return xp_link_change_do(sk, l, &c);
}

static int set_master(struct nl_sock *sk, struct xp_link *l, int master)
{
	struct xp_link_set c = XP_LINK_SET_INIT;

	c.master = master;
	return xp_link_change_do(sk, l, &c);
}

/* name/mac/mtu/master/up in one request (the kernel applies them in that
 * order); NULL/0 leaves that attribute alone. */
static int set_attrs(struct nl_sock *sk, struct xp_link *l, const char *name, const uint8_t *mac,
		     int mtu, int master, int up)
{
	struct xp_link_set c = XP_LINK_SET_INIT;

	c.name = name;
	c.addr = mac;
	c.addrlen = mac ? 6 : 0;
	c.mtu = mtu;
	if (master)
		c.master = master;
	if (up)
		c.flags = c.flags_mask = IFF_UP;
	return xp_link_change_do(sk, l, &c);
}

static int vfailf(char *err, size_t errlen, int nlerr, const char *kernel, const char *fmt,
		  va_list ap)
{
	char what[200];

	vsnprintf(what, sizeof(what), fmt, ap);
	if (nlerr && kernel && *kernel)
		snprintf(err, errlen, "%s: %s: %s", what, xp_nl_strerror(nlerr), kernel);
	else if (nlerr)
		snprintf(err, errlen, "%s: %s", what, xp_nl_strerror(nlerr));
	else
		snprintf(err, errlen, "%s", what);
	return -1;
}

/* A refusal found by a look-up (libnl's words only). */
__attribute__((format(printf, 4, 5))) static int failf(char *err, size_t errlen, int nlerr,
						       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfailf(err, errlen, nlerr, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

/* A request the kernel refused (xp_nl_do): its extended-ack text too. */
__attribute__((format(printf, 4, 5))) static int failk(char *err, size_t errlen, int nlerr,
						       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfailf(err, errlen, nlerr, xp_nl_last_error(), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- online: the checks, then the steps ---------------------------------- */

/* One online: what the checks found, what the steps did. */
struct plumb {
	struct nl_sock *sk;
	struct vif_plan *p;
	char *err;
	size_t errlen;
	struct xp_link *l, *br; /* the port and its bridge as found */
	int ifindex, brindex;
	char oldname[XP_IFNAMSIZ];
	uint8_t oldmac[6];
	int has_oldmac, oldmtu, was_up;
	const char *dev;     /* the port's name now */
	const char *newname; /* the name to give it, NULL: keep */
	int mtu, defpvid;
	int brmtu;    /* the bridge's MTU as found: no guest moves it */
	int up;	      /* set up by the attributes request */
	int altnamed; /* kept its kernel name as an altname */
	/* undo: the port found again (after a rename the old object has the
	 * old name), and set down, before the first undo that touches it */
	struct xp_link *ul;
	int ul_state; /* 0 not yet looked for, 1 found, -1 gone */
};

static int check_port(struct plumb *c)
{
	int rc = find_vif(c->sk, c->p->kname, &c->l, c->err, c->errlen);

	if (rc < 0)
		return failf(c->err, c->errlen, missing(rc) ? 0 : rc, "cannot find device %s",
			     c->p->kname);
	if (rc > 0)
		return -1;
	c->ifindex = c->l->ifindex;
	snprintf(c->oldname, sizeof(c->oldname), "%s", c->l->name);
	c->oldmtu = c->l->mtu;
	c->was_up = !!(c->l->flags & IFF_UP);
	if (c->l->addrlen == 6) {
		memcpy(c->oldmac, c->l->addr, 6);
		c->has_oldmac = 1;
	}
	c->dev = c->oldname;
	return 0;
}

static int check_bridge(struct plumb *c)
{
	const struct vif_plan *p = c->p;
	int rc = 0;

	if (p->br && !strcmp(p->br->name, p->bridge)) {
		c->br = xp_link_ref(p->br); /* resolving the bridge key looked it up already */
	} else {
		rc = xp_link_by_name(c->sk, p->bridge, &c->br);
	}
	if (p->ovs) {
		/* its internal port, when the datapath has one, gives the MTU */
		c->mtu = p->mtu ? p->mtu : rc == 0 ? c->br->mtu : c->oldmtu;
		return 0;
	}
	if (rc < 0)
		return failf(c->err, c->errlen, missing(rc) ? 0 : rc, "cannot find bridge %s",
			     p->bridge);
	if (!is_bridge(c->br))
		return failf(c->err, c->errlen, 0, "%s is not a bridge", p->bridge);
	c->brindex = c->br->ifindex;
	if (c->brindex == c->ifindex)
		return failf(c->err, c->errlen, 0, "%s cannot be its own bridge", p->bridge);
	if (c->l->master && c->l->master != c->brindex)
		return failf(c->err, c->errlen, 0, "%s is already a port of another device",
			     c->dev);
	c->brmtu = c->br->mtu;
	c->mtu = p->mtu ? p->mtu : c->brmtu;
	return 0;
}

static int check_vlans(struct plumb *c)
{
	int filtering = 0, rc;

	if (!c->p->has_vlan)
		return 0;
	rc = xp_br_vlan_info(c->sk, c->brindex, &filtering, &c->defpvid);
	if (rc < 0)
		return failf(c->err, c->errlen, rc, "cannot read VLAN settings of bridge %s",
			     c->p->bridge);
	if (!filtering)
		return failf(c->err, c->errlen, 0,
			     "bridge %s does not filter VLANs (vlan_filtering=0): cannot "
			     "give %s its VLANs",
			     c->p->bridge, c->p->kname);
	return 0;
}

static int check_newname(struct plumb *c)
{
	const char *nn = c->p->newname;
	struct xp_link *other;
	int rc;

	if (!nn || !*nn || !strcmp(nn, c->dev))
		return 0;
	c->newname = nn;
	rc = xp_link_by_name(c->sk, nn, &other);
	if (rc == 0) {
		int same = other->ifindex == c->ifindex;

		xp_link_free(other);
		if (!same)
			return failf(c->err, c->errlen, 0,
				     "cannot rename %s to %s: a link with that name exists", c->dev,
				     nn);
	} else if (!missing(rc)) {
		return failf(c->err, c->errlen, rc, "cannot look up %s", nn);
	}
	return 0;
}

/* All refusals, before any change. */
static int plumb_check(struct plumb *c)
{
	return check_port(c) || check_bridge(c) || check_vlans(c) || check_newname(c) ? -1 : 0;
}

/* The port for an undo, or NULL when it is gone. */
static struct xp_link *undo_link(struct plumb *c)
{
	if (c->ul_state == 0) {
		c->ul_state = xp_link_by_index(c->sk, c->ifindex, &c->ul) < 0 ? -1 : 1;
		if (c->ul_state < 0)
			xp_log(LOG_WARNING, "undo: %s is gone", c->p->kname);
		else
			set_up(c->sk, c->ul, 0);
	}
	return c->ul_state > 0 ? c->ul : NULL;
}

static void undo_up_again(void *ctx)
{
	struct plumb *c = ctx;
	struct xp_link *l = undo_link(c);

	if (l)
		set_up(c->sk, l, 1);
}

static void undo_attrs(void *ctx)
{
	struct plumb *c = ctx;
	struct xp_link *l = undo_link(c);
	int err;

	if (!l)
		return;
	err = set_attrs(c->sk, l, c->newname ? c->oldname : NULL, c->has_oldmac ? c->oldmac : NULL,
			c->oldmtu, 0, 0);
	if (err < 0)
		xp_log(LOG_WARNING, "undo: cannot restore %s: %s", c->oldname, xp_nl_strerror(err));
}

/* Before the old name comes back: it is the altname. */
static void undo_altname(void *ctx)
{
	struct plumb *c = ctx;

	if (c->altnamed && undo_link(c))
		xp_nl_altname(c->sk, RTM_DELLINKPROP, c->ifindex, c->p->kname);
}

static void undo_join(void *ctx)
{
	struct plumb *c = ctx;
	struct xp_link *l = undo_link(c);

	if (l && set_master(c->sk, l, 0) < 0)
		xp_log(LOG_WARNING, "undo: cannot take %s off bridge %s", c->p->kname,
		       c->p->bridge);
}

static void undo_ovs(void *ctx)
{
	struct plumb *c = ctx;
	char e[256];
	int found;

	if (vif_ovs_unplug(c->dev, &found, e, sizeof(e)))
		xp_log(LOG_WARNING, "undo: %s", e);
}

static void undo_antispoof(void *ctx)
{
	struct plumb *c = ctx;
	char e[256];

	if (xp_antispoof_remove(c->p->table, e, sizeof(e)))
		xp_log(LOG_WARNING, "undo: %s", e);
}

/* Down while it changes, and up again if anything fails. */
static int step_down(struct vif_steps *s, void *ctx)
{
	struct plumb *c = ctx;
	int rc;

	/* Already on its bridge under its name (an online after an online):
	 * no down/up flap for the guest. */
	if (!c->was_up || (!c->newname && c->l->master == c->brindex))
		return 0;
	if (vif_steps_record(s, undo_up_again))
		return failf(c->err, c->errlen, 0, "too many steps");
	rc = set_up(c->sk, c->l, 0);
	return rc < 0 ? failk(c->err, c->errlen, rc, "cannot set %s down", c->dev) : 0;
}

/* The guest's mtu key sets the vif's MTU, never the bridge's.  A bridge
 * whose MTU was never set follows its smallest port (and a lone port up),
 * so before a vif of another MTU joins, the bridge's MTU is set to what it
 * is (common/bridge.c: xp_br_pin_mtu); its value does not change, so there
 * is nothing to undo.  A vif of the bridge's MTU cannot move it: it is
 * already the smallest port's (or, on a port-less bridge, its own). */
static int step_pin_bridge_mtu(struct vif_steps *s, void *ctx)
{
	struct plumb *c = ctx;
	int rc;

	(void)s;
	/* an Open vSwitch bridge's own MTU is ovs-vswitchd's (mtu_request) */
	if (c->p->ovs || c->mtu == c->brmtu)
		return 0;
	rc = xp_br_pin_mtu(c->sk, c->brindex, c->brmtu);
	if (rc < 0)
		return failk(c->err, c->errlen, rc, "cannot keep bridge %s at mtu %d", c->p->bridge,
			     c->brmtu);
	xp_log(LOG_INFO, "%s: mtu %d, bridge %s kept at mtu %d", c->dev, c->mtu, c->p->bridge,
	       c->brmtu);
	return 0;
}

/* Rename, MAC, MTU, join (and up, when nothing sits between joining and
 * going up) in one request.  Whatever part of it the kernel applied is
 * undone, so the undos are recorded first. */
static int step_attrs(struct vif_steps *s, void *ctx)
{
	struct plumb *c = ctx;
	int up_now = !c->p->has_vlan && !c->p->antispoof && !c->p->ovs, rc;

	if (vif_steps_record(s, undo_attrs) || vif_steps_record(s, undo_altname) ||
	    vif_steps_record(s, undo_join))
		return failf(c->err, c->errlen, 0, "too many steps");
	rc = set_attrs(c->sk, c->l, c->newname, port_mac, c->mtu, c->p->ovs ? 0 : c->brindex,
		       up_now);
	if (rc < 0 && c->newname)
		return failk(c->err, c->errlen, rc,
			     "cannot rename %s to %s and add it to bridge %s", c->dev, c->newname,
			     c->p->bridge);
	if (rc < 0)
		return failk(c->err, c->errlen, rc,
			     "cannot set MAC and MTU of %s and add it to bridge %s", c->dev,
			     c->p->bridge);
	c->up = up_now;
	if (c->newname) {
		c->dev = c->newname;
		xp_log(LOG_INFO, "renamed %s to %s", c->p->kname, c->newname);
	}
	return 0;
}

/* A renamed port keeps its kernel name findable for offline (undone by
 * undo_altname, recorded with the rename). */
static int step_altname(struct vif_steps *s, void *ctx)
{
	struct plumb *c = ctx;
	int rc;

	(void)s;
	if (!c->newname || strcmp(c->oldname, c->p->kname))
		return 0;
	rc = xp_nl_altname(c->sk, RTM_NEWLINKPROP, c->ifindex, c->p->kname);
	if (rc < 0)
		return failk(c->err, c->errlen, rc, "cannot give %s the altname %s", c->dev,
			     c->p->kname);
	c->altnamed = 1;
	return 0;
}

/* The port on an Open vSwitch bridge: one OVSDB transaction (its undo
 * another). */
static int step_ovs(struct vif_steps *s, void *ctx)
{
	struct plumb *c = ctx;

	if (!c->p->ovs)
		return 0;
	c->p->ovs_req.dev = c->dev;
	c->p->ovs_req.bridge = c->p->bridge;
	if (vif_ovs_plug(&c->p->ovs_req, c->err, c->errlen))
		return -1;
	if (vif_steps_record(s, undo_ovs)) {
		undo_ovs(c);
		return failf(c->err, c->errlen, 0, "too many steps");
	}
	return 0;
}

/* The port's VLANs (undone by leaving the bridge). */
static int step_vlans(struct vif_steps *s, void *ctx)
{
	struct plumb *c = ctx;
	int rc;

	(void)s;
	if (!c->p->has_vlan)
		return 0;
	rc = brvlan_add(c->sk, c->ifindex, c->p->vlan);
	return rc < 0 ? failk(c->err, c->errlen, rc, "cannot give %s its VLANs on bridge %s",
			      c->dev, c->p->bridge)
		      : 0;
}

/* The bridge's default VLAN off the port, unless it is one of its own. */
static int step_default_vlan(struct vif_steps *s, void *ctx)
{
	struct plumb *c = ctx;
	char txt[128];

	(void)s;
	if (!c->p->has_vlan)
		return 0;
	if (c->defpvid && !xp_vlanspec_has(c->p->vlan, c->defpvid)) {
		int rc = brvlan_del(c->sk, c->ifindex, c->defpvid);
		if (rc < 0)
			return failk(c->err, c->errlen, rc,
				     "cannot remove the default VLAN from %s", c->dev);
	}
	xp_vlanspec_format(c->p->vlan, txt, sizeof(txt));
	xp_log(LOG_INFO, "%s: VLANs %s on bridge %s", c->dev, txt, c->p->bridge);
	return 0;
}

static int step_antispoof(struct vif_steps *s, void *ctx)
{
	struct plumb *c = ctx;
	struct vif_plan *p = c->p;

	if (!p->antispoof)
		return 0;
	p->as.dev = c->dev;
	p->as.table = p->table;
	if (xp_antispoof_install(&p->as, c->err, c->errlen))
		return -1;
	if (vif_steps_record(s, undo_antispoof)) {
		undo_antispoof(c);
		return failf(c->err, c->errlen, 0, "too many steps");
	}
	xp_log(LOG_INFO, "%s: antispoofing on (nftables table netdev %s)", c->dev, p->table);
	return 0;
}

/* Up, unless the attributes request did it (undone by undo_link). */
static int step_up(struct vif_steps *s, void *ctx)
{
	struct plumb *c = ctx;
	int rc;

	(void)s;
	if (c->up)
		return 0;
	rc = set_up(c->sk, c->l, 1);
	return rc < 0 ? failk(c->err, c->errlen, rc, "cannot set %s up", c->dev) : 0;
}

static const struct vif_step up_steps[] = {
    {"down", step_down},
    {"bridge mtu", step_pin_bridge_mtu},
    {"attributes", step_attrs},
    {"altname", step_altname},
    {"openvswitch port", step_ovs},
    {"vlans", step_vlans},
    {"default vlan", step_default_vlan},
    {"antispoof", step_antispoof},
    {"up", step_up},
};

int vif_plumb_up(struct nl_sock *sk, struct vif_plan *p, int *mtu_out, char *err, size_t errlen)
{
	struct plumb c = {.sk = sk, .p = p, .err = err, .errlen = errlen};
	struct vif_steps s;
	int rc;

	vif_steps_init(&s, &c);
	rc = plumb_check(&c);
	if (rc == 0)
		rc = vif_steps_run(&s, up_steps, sizeof(up_steps) / sizeof(up_steps[0]), NULL);
	if (rc == 0) {
		*mtu_out = c.mtu;
		xp_log(LOG_INFO, "%s: on %sbridge %s, mtu %d, up", c.dev,
		       p->ovs ? "Open vSwitch " : "", p->bridge, c.mtu);
	}
	if (c.ul)
		xp_link_free(c.ul);
	if (c.l)
		xp_link_free(c.l);
	if (c.br)
		xp_link_free(c.br);
	return rc;
}

int vif_plumb_down(struct nl_sock *sk, const char *kname, const char *table, int *found, char *err,
		   size_t errlen)
{
	struct xp_link *l;
	char e[256];
	int rc, ret = 0;

	*found = 0;
	rc = find_vif(sk, kname, &l, err, errlen);
	if (rc > 0)
		return -1;
	if (rc == 0) {
		const char *name = l->name;
		int ifindex = l->ifindex;

		*found = 1;
		rc = set_up(sk, l, 0);
		if (rc < 0 && rc != -NLE_NODEV)
			xp_log(LOG_WARNING, "cannot set %s down: %s", name, xp_nl_strerror(rc));
		if (l->master) {
			rc = set_master(sk, l, 0);
			if (rc < 0 && rc != -NLE_NODEV)
				ret = failk(err, errlen, rc, "cannot take %s off its bridge", name);
		}
		/* The altname stays: a later run for this vif (udev's offline
		 * after libxl's, a late online) still finds the device by its
		 * kernel name, and its identity rests on it. */
		(void)ifindex;
		xp_log(LOG_INFO, "%s: down, off its bridge", name);
		xp_link_free(l);
	} else if (!missing(rc)) {
		return failf(err, errlen, rc, "cannot look up %s", kname);
	}
	/* Not fatal: without nf_tables there is no table to remove. */
	if (table && xp_antispoof_remove(table, e, sizeof(e)))
		xp_log(LOG_WARNING, "cannot remove antispoof table %s: %s", table, e);
	return ret;
}

/* The port goes first (as the stock script: del-port, then down), so that
 * ovs-vswitchd, restoring the device's flags as it lets go of it, cannot
 * undo the down. */
int vif_plumb_down_ovs(struct nl_sock *sk, const char *kname, const char *name_hint, int *found,
		       char *err, size_t errlen)
{
	struct xp_link *l = NULL;
	char name[XP_IFNAMSIZ];
	int rc = xp_link_by_name(sk, kname, &l), pfound = 0, urc;

	*found = 0;
	if (rc < 0 && !missing(rc))
		return failf(err, errlen, rc, "cannot look up %s", kname);
	snprintf(name, sizeof(name), "%s",
		 l			   ? l->name
		 : name_hint && *name_hint ? name_hint
					   : kname);
	urc = vif_ovs_unplug(name, &pfound, err, errlen); /* down even when it failed */
	if (l) {
		*found = 1;
		rc = set_up(sk, l, 0);
		if (rc < 0 && rc != -NLE_NODEV)
			xp_log(LOG_WARNING, "cannot set %s down: %s", name, xp_nl_strerror(rc));
		if (strcmp(name, kname))
			xp_nl_altname(sk, RTM_DELLINKPROP, l->ifindex, kname);
		xp_link_free(l);
	}
	if (urc)
		return -1;
	xp_log(LOG_INFO, "%s: %s, down", name,
	       pfound ? "its Open vSwitch port removed" : "no Open vSwitch port");
	return 0;
}
