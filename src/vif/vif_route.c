#include "vif/vif_route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/l3nl.h"
#include "common/log.h"
#include "common/nl.h"
#include "common/sysctl.h"
#include "vif/vif_nat.h"
#include "vif/vif_undo.h"

static const uint8_t port_mac[6] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff};

struct rctx {
	struct nl_sock *sk;
	struct vif_route_plan *p;
	struct vif_undo u;
	char dev[XP_IFNAMSIZ]; /* the port's name now */
	int ifindex, upidx;
	struct xp_linkinfo link; /* as found */
	struct xp_ipaddr src4;
	int nv4, nv6;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int fail(struct rctx *c, int nlerr, const char *fmt,
						      ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (nlerr && *xp_nl_last_error())
		snprintf(c->err, c->errlen, "%s: %s (%s)", what, xp_nl_strerror(nlerr),
			 xp_nl_last_error());
	else if (nlerr)
		snprintf(c->err, c->errlen, "%s: %s", what, xp_nl_strerror(nlerr));
	else
		snprintf(c->err, c->errlen, "%s", what);
	return -1;
}

/* ---- checks before anything changes ------------------------------------ */

static int need_sysctl(struct rctx *c, int fam, const char *dev, const char *key, int *val)
{
	char e[256];
	int missing;

	if (xp_sysctl_get(fam, dev, key, val, &missing, e, sizeof(e))) {
		if (missing) {
			*val = -1;
			return 0;
		}
		return fail(c, 0, "%s: %s", c->p->what, e);
	}
	return 0;
}

static int check_v4(struct rctx *c)
{
	const struct vif_route_plan *p = c->p;
	int fwd, rc;

	if (!c->nv4)
		return 0;
	if (p->forward_checks) {
		if (need_sysctl(c, XP_SYSCTL_V4, p->uplink, "forwarding", &fwd))
			return -1;
		if (fwd != 1)
			return fail(c, 0,
				    "%s: uplink %s does not forward IPv4 "
				    "(net.ipv4.conf.%s.forwarding = %d): start network-xenplumb "
				    "with a [routed] section for it, or set that sysctl",
				    p->what, p->uplink, p->uplink, fwd);
	}
	if (p->has_src4) {
		c->src4 = p->src4;
		return 0;
	}
	rc = xp_addr_first(c->sk, c->upidx, AF_INET, &c->src4);
	if (rc == -NLE_OBJ_NOTFOUND)
		return fail(c, 0,
			    "%s: uplink %s has no IPv4 address to give the vif (set address in "
			    "the map's [routed] section)",
			    p->what, p->uplink);
	return rc < 0 ? fail(c, rc, "%s: cannot read the addresses of %s", p->what, p->uplink) : 0;
}

static int check_v6(struct rctx *c)
{
	const struct vif_route_plan *p = c->p;
	int all, force, fwd, pndp, allpndp, dis;

	if (!c->nv6)
		return 0;
	if (need_sysctl(c, XP_SYSCTL_V6, c->dev, "disable_ipv6", &dis))
		return -1;
	if (dis != 0)
		return fail(c, 0, "%s: the guest has IPv6 addresses but IPv6 is off on %s", p->what,
			    c->dev);
	if (!p->forward_checks)
		return 0;
	if (need_sysctl(c, XP_SYSCTL_V6, "all", "forwarding", &all) ||
	    need_sysctl(c, XP_SYSCTL_V6, p->uplink, "force_forwarding", &force) ||
	    need_sysctl(c, XP_SYSCTL_V6, p->uplink, "forwarding", &fwd) ||
	    need_sysctl(c, XP_SYSCTL_V6, p->uplink, "proxy_ndp", &pndp) ||
	    need_sysctl(c, XP_SYSCTL_V6, "all", "proxy_ndp", &allpndp))
		return -1;
	if (all != 1 && force != 1)
		return fail(c, 0,
			    "%s: the host does not forward IPv6 from %s "
			    "(net.ipv6.conf.all.forwarding = %d, and %s): start "
			    "network-xenplumb with a [routed] section for it",
			    p->what, p->uplink, all,
			    force < 0 ? "this kernel has no force_forwarding (Linux 6.17+)"
				      : "force_forwarding = 0 on it");
	if (p->proxy && (fwd != 1 || (pndp != 1 && allpndp != 1)))
		return fail(c, 0,
			    "%s: uplink %s cannot proxy NDP for the guest "
			    "(net.ipv6.conf.%s.forwarding = %d, proxy_ndp = %d): start "
			    "network-xenplumb with a [routed] section for it",
			    p->what, p->uplink, p->uplink, fwd, pndp);
	return 0;
}

/* Another port has this address routed to it (our protocol): refuse. */
static int route_taken(struct rctx *c, const struct xp_ipaddr *ip)
{
	char txt[64], other[XP_IFNAMSIZ] = "another port";
	struct xp_linkinfo ol;
	int oo = 0;

	if (xp_route_find(c->sk, ip, c->ifindex, &oo) < 0 || !oo)
		return 0;
	xp_ip_format(ip, txt, sizeof(txt));
	if (!xp_link_info(c->sk, NULL, oo, &ol))
		snprintf(other, sizeof(other), "%s", ol.name);
	return fail(c, 0, "%s: %s is already routed to %s (another guest's address?)", c->p->what,
		    txt, other);
}

static int checks(struct rctx *c, const struct xp_linkinfo *l)
{
	const struct vif_route_plan *p = c->p;

	for (size_t i = 0; i < p->nips; i++) {
		if (p->ips[i].family == AF_INET)
			c->nv4++;
		else
			c->nv6++;
	}
	if (!p->nips)
		return fail(c, 0,
			    "%s: the vif has no ip key; a routed guest needs its addresses "
			    "(vif = ['ip=192.0.2.10 2001:db8::10, ...'])",
			    p->what);
	if (l->master)
		return fail(c, 0, "%s: %s is a port of another device", p->what, c->dev);
	c->upidx = xp_nl_ifindex(c->sk, p->uplink);
	if (c->upidx <= 0)
		return fail(c, 0, "%s: uplink %s does not exist", p->what, p->uplink);
	if (c->upidx == c->ifindex)
		return fail(c, 0, "%s: %s cannot be its own uplink", p->what, c->dev);
	for (size_t i = 0; i < p->nips; i++)
		if (route_taken(c, &p->ips[i]))
			return -1;
	return check_v4(c) || check_v6(c) ? -1 : 0;
}

/* ---- steps, each journaled once made ------------------------------------ */

static int set_updown(struct nl_sock *sk, int ifindex, int up)
{
	return xp_link_set(sk, ifindex, up, NULL, NULL, 0);
}

/* name, MAC and MTU in one request; the kernel name stays an altname. */
static int step_attrs(struct rctx *c)
{
	const struct vif_route_plan *p = c->p;
	const char *nn =
	    p->newname && *p->newname && strcmp(p->newname, c->dev) ? p->newname : NULL;
	int err = xp_link_set(c->sk, c->ifindex, -1, nn, port_mac, p->mtu);

	if (err < 0)
		return fail(c, err, "cannot set name, MAC and MTU of %s", c->dev);
	if (c->link.has_mac && memcmp(c->link.mac, port_mac, 6)) {
		const uint8_t *m = c->link.mac;

		if (vif_undo_add(&c->u, c->err, c->errlen, "mac %s %02x:%02x:%02x:%02x:%02x:%02x",
				 c->dev, m[0], m[1], m[2], m[3], m[4], m[5]))
			return -1;
	}
	if (!nn)
		return 0;
	xp_nl_ifindex_forget(c->dev);
	if (vif_undo_add(&c->u, c->err, c->errlen, "name %s %s", nn, c->dev))
		return -1;
	snprintf(c->dev, sizeof(c->dev), "%s", nn);
	xp_log(LOG_INFO, "renamed %s to %s", p->kname, nn);
	err = xp_nl_altname(c->sk, RTM_NEWLINKPROP, c->ifindex, p->kname);
	if (err < 0 && err != -NLE_EXIST)
		return fail(c, err, "cannot give %s the altname %s", nn, p->kname);
	return 0;
}

static int step_group(struct rctx *c, unsigned old)
{
	int err = xp_link_set_group(c->sk, c->ifindex, XP_ROUTED_GROUP);

	if (err < 0)
		return fail(c, err, "cannot put %s in interface group %#x", c->dev,
			    XP_ROUTED_GROUP);
	return vif_undo_add(&c->u, c->err, c->errlen, "group %s %u", c->dev, old);
}

/* Set fam/dev/key to val unless it is so; journal the old value.  A key
 * this kernel lacks is skipped when optional. */
static int step_sysctl(struct rctx *c, int fam, const char *key, int val, int optional)
{
	char e[256];
	int old, missing;

	if (xp_sysctl_get(fam, c->dev, key, &old, &missing, e, sizeof(e)))
		return missing && optional ? 0 : fail(c, 0, "%s: %s", c->p->what, e);
	if (old == val)
		return 0;
	if (xp_sysctl_set(fam, c->dev, key, val, e, sizeof(e)))
		return fail(c, 0, "%s: %s", c->p->what, e);
	return vif_undo_add(&c->u, c->err, c->errlen, "sysctl %d %s %s %d", fam, c->dev, key, old);
}

static int step_addr(struct rctx *c, const struct xp_ipaddr *a)
{
	char txt[64];
	int err = xp_addr_change(c->sk, 1, c->ifindex, a);

	xp_ip_format(a, txt, sizeof(txt));
	if (err == -NLE_EXIST)
		return 0; /* not ours to delete later */
	if (err < 0)
		return fail(c, err, "cannot add %s to %s", txt, c->dev);
	return vif_undo_add(&c->u, c->err, c->errlen, "addr %s %s", c->dev, txt);
}

static int step_route(struct rctx *c, const struct xp_ipaddr *ip)
{
	const struct vif_route_plan *p = c->p;
	char txt[64];
	int err;

	xp_ip_format(ip, txt, sizeof(txt));
	if (route_taken(c, ip))
		return -1;
	err = xp_route_change(c->sk, 1, ip, c->ifindex, ip->family == AF_INET ? &c->src4 : NULL,
			      p->metric);
	if (err == -NLE_EXIST)
		return fail(c, 0, "%s: a route to %s with metric %d exists already", p->what, txt,
			    p->metric);
	if (err < 0)
		return fail(c, err, "cannot route %s via %s", txt, c->dev);
	if (vif_undo_add(&c->u, c->err, c->errlen, "route %s %s %d", c->dev, txt, p->metric))
		return -1;
	if (!p->proxy || (ip->prefixlen >= 0 && ip->prefixlen != xp_ip_full(ip->family)))
		return 0; /* a prefix is routed to the host, not proxied */
	err = xp_pneigh_change(c->sk, 1, c->upidx, ip);
	if (err == -NLE_EXIST) {
		xp_log(LOG_INFO, "%s: proxy entry for %s on %s exists already (kept)", c->dev, txt,
		       p->uplink);
		return 0;
	}
	if (err < 0)
		return fail(c, err, "cannot add a proxy %s entry for %s on %s",
			    ip->family == AF_INET ? "ARP" : "NDP", txt, p->uplink);
	return vif_undo_add(&c->u, c->err, c->errlen, "pneigh %s %s", p->uplink, txt);
}

static int step_antispoof(struct rctx *c)
{
	struct vif_route_plan *p = c->p;

	if (!p->antispoof)
		return 0;
	p->as.dev = c->dev;
	p->as.table = p->table;
	if (xp_antispoof_install(&p->as, c->err, c->errlen))
		return -1;
	xp_log(LOG_INFO, "%s: antispoofing on (nftables table netdev %s)", c->dev, p->table);
	return vif_undo_add(&c->u, c->err, c->errlen, "antispoof %s", p->table);
}

static int steps_link(struct rctx *c, unsigned oldgroup)
{
	struct xp_ipaddr ll6;
	const char *why;
	int err;

	err = set_updown(c->sk, c->ifindex, 0);
	if (err < 0)
		return fail(c, err, "cannot set %s down", c->dev);
	if (step_attrs(c) || step_group(c, oldgroup) ||
	    step_sysctl(c, XP_SYSCTL_V4, "forwarding", 1, 0) ||
	    step_sysctl(c, XP_SYSCTL_V4, "proxy_arp", 1, 0))
		return -1;
	if (c->nv6 && (step_sysctl(c, XP_SYSCTL_V6, "forwarding", 1, 0) ||
		       step_sysctl(c, XP_SYSCTL_V6, "force_forwarding", 1, 1)))
		return -1;
	if (c->nv4 && step_addr(c, &c->src4))
		return -1;
	if (c->nv6) {
		if (c->p->has_src6)
			ll6 = c->p->src6;
		else if (xp_parse_ipaddr("fe80::1/64", &ll6, &why))
			return fail(c, 0, "internal: %s", why);
		if (step_addr(c, &ll6))
			return -1;
	}
	if (step_antispoof(c))
		return -1;
	err = set_updown(c->sk, c->ifindex, 1);
	return err < 0 ? fail(c, err, "cannot set %s up", c->dev) : 0;
}

int vif_route_up(struct nl_sock *sk, struct vif_route_plan *p, char *err, size_t errlen)
{
	struct rctx c = {.sk = sk, .p = p, .err = err, .errlen = errlen};
	struct xp_linkinfo l;
	int rc, had;

	c.u.fd = -1;
	rc = xp_link_info(sk, p->kname, 0, &l);
	if (rc < 0)
		return fail(&c, rc == -NLE_OBJ_NOTFOUND ? 0 : rc, "cannot find device %s",
			    p->kname);
	c.ifindex = l.ifindex;
	c.link = l;
	snprintf(c.dev, sizeof(c.dev), "%s", l.name);
	rc = checks(&c, &l);
	if (rc)
		return -1;
	/* a journal left by an online that never saw its offline */
	if (vif_route_undo(sk, p->kname, &had, err, errlen))
		return -1;
	if (vif_undo_open(&c.u, p->kname, err, errlen))
		return -1;
	rc = vif_undo_add(&c.u, err, errlen, "net routed %s", p->net ? p->net : "-");
	if (!rc)
		rc = steps_link(&c, l.group);
	for (size_t i = 0; !rc && i < p->nips; i++)
		rc = step_route(&c, &p->ips[i]);
	vif_undo_close(&c.u);
	if (rc) {
		char e2[256];

		if (vif_route_undo(sk, p->kname, &had, e2, sizeof(e2)))
			xp_log(LOG_WARNING, "undo: %s", e2);
		set_updown(sk, c.ifindex, 0);
		return -1;
	}
	p->mtu_out = p->mtu ? p->mtu : l.mtu;
	xp_log(LOG_INFO, "%s: routed via uplink %s, %zu address(es), up", c.dev, p->uplink,
	       p->nips);
	return 0;
}

/* ---- undo ---------------------------------------------------------------- */

static int gone(int err)
{
	return err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV || err == -NLE_NOADDR ||
	       err == -NLE_FAILURE;
}

static int undo_addrlike(struct nl_sock *sk, const char *kind, const char *dev, const char *ip,
			 int metric)
{
	struct xp_ipaddr a;
	int idx = xp_nl_ifindex(sk, dev), err;

	if (idx <= 0)
		return 0; /* gone with its device */
	if (xp_parse_ipaddr(ip, &a, NULL))
		return -NLE_INVAL;
	if (!strcmp(kind, "addr"))
		err = xp_addr_change(sk, 0, idx, &a);
	else if (!strcmp(kind, "route"))
		err = xp_route_change(sk, 0, &a, idx, NULL, metric);
	else
		err = xp_pneigh_change(sk, 0, idx, &a);
	return gone(err) ? 0 : err;
}

static int undo_name(struct nl_sock *sk, const char *now, const char *old)
{
	int idx = xp_nl_ifindex(sk, now), err;

	if (idx <= 0)
		return 0;
	set_updown(sk, idx, 0);
	xp_nl_altname(sk, RTM_DELLINKPROP, idx,
		      old); /* the name cannot be taken while an altname */
	err = xp_link_set(sk, idx, -1, old, NULL, 0);
	xp_nl_ifindex_forget(now);
	return err;
}

/* One record; 0 when undone or nothing was left to undo. */
static int undo_one(struct nl_sock *sk, char *line, char *e, size_t elen)
{
	char kind[16], a[300], b[300], d[300], x[300];
	int n = sscanf(line, "%15s %299s %299s %299s %299s", kind, a, b, d, x), v, idx, err = 0;

	if (n >= 2 && !strcmp(kind, "net"))
		return 0; /* what the port is on, for status */
	if (n >= 3 && (!strcmp(kind, "addr") || !strcmp(kind, "pneigh")))
		err = undo_addrlike(sk, kind, a, b, 0);
	else if (n == 4 && !strcmp(kind, "route"))
		err = undo_addrlike(sk, kind, a, b, atoi(d));
	else if (n == 5 && !strcmp(kind, "sysctl")) {
		v = atoi(x);
		if (xp_nl_ifindex(sk, b) > 0 && xp_sysctl_set(atoi(a), b, d, v, e, elen))
			return -1;
	} else if (n == 3 && !strcmp(kind, "group")) {
		idx = xp_nl_ifindex(sk, a);
		err = idx > 0 ? xp_link_set_group(sk, idx, (unsigned)strtoul(b, NULL, 10)) : 0;
	} else if (n == 3 && !strcmp(kind, "mac")) {
		uint8_t mac[6];

		idx = xp_nl_ifindex(sk, a);
		if (idx > 0 && !xp_parse_mac(b, mac, 0, NULL))
			err = xp_link_set(sk, idx, -1, NULL, mac, 0);
	} else if (n == 3 && !strcmp(kind, "name")) {
		err = undo_name(sk, a, b);
	} else if (n == 2 && !strcmp(kind, "antispoof")) {
		return xp_antispoof_remove(a, e, elen);
	} else if (n == 4 && !strcmp(kind, "hostfile")) {
		return vif_nat_host_remove(a, b, d, e, elen);
	} else {
		snprintf(e, elen, "unknown undo record '%s'", line);
		return -1;
	}
	if (err < 0 && !gone(err)) {
		snprintf(e, elen, "cannot undo '%s': %s", line, xp_nl_strerror(err));
		return -1;
	}
	return 0;
}

int vif_route_undo(struct nl_sock *sk, const char *kname, int *had, char *err, size_t errlen)
{
	char path[256], e[300];
	char **lines;
	size_t n;
	int rc, bad = 0;

	*had = 0;
	if (vif_undo_path(path, sizeof(path), kname)) {
		snprintf(err, errlen, "state path for %s too long", kname);
		return -1;
	}
	rc = vif_undo_read(path, &lines, &n, err, errlen);
	if (rc)
		return rc > 0 ? 0 : -1;
	*had = 1;
	for (size_t i = n; i-- > 0;) {
		if (undo_one(sk, lines[i], e, sizeof(e))) {
			xp_log(LOG_WARNING, "%s", e);
			if (!bad)
				snprintf(err, errlen, "%s", e);
			bad = 1;
		}
	}
	vif_undo_free_lines(lines, n);
	if (!bad && unlink(path) && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
		return -1;
	}
	return bad ? -1 : 0;
}
