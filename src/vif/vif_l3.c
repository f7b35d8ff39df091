#include "vif/vif_l3.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/l3nl.h"
#include "common/log.h"
#include "vif/vif_nat.h"
#include "vif/vif_route.h"
#include "vif/vif_undo.h"

int vif_lock_parse(const char *s, enum vif_lock *out, char *err, size_t errlen)
{
	static const char *const names[] = {"network_default", "locked", "unlocked", "disabled"};

	*out = VIF_LOCK_DEFAULT;
	if (!s || !*s)
		return 0;
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum vif_lock)i;
			return 0;
		}
	snprintf(err, errlen,
		 "locking-mode key '%.64s': use locked, unlocked, disabled or network_default",
		 xp_valid_text(s, 64) ? "(unprintable)" : s);
	return -1;
}

int vif_lock_apply(enum vif_lock l, int network_default)
{
	switch (l) {
	case VIF_LOCK_LOCKED:
		return 1;
	case VIF_LOCK_UNLOCKED:
		return 0;
	case VIF_LOCK_DISABLED:
		return 2;
	default:
		return network_default ? 1 : 0;
	}
}

enum vif_as vif_as_name(const char *argv0)
{
	const char *b = argv0 ? strrchr(argv0, '/') : NULL;

	b = b ? b + 1 : argv0 ? argv0 : "";
	if (!strcmp(b, "vif-route"))
		return VIF_AS_ROUTE;
	if (!strcmp(b, "vif-nat"))
		return VIF_AS_NAT;
	return VIF_AS_BRIDGE;
}

int vif_pick_routed(const struct xp_conf *c, const char *bridge, enum vif_as as,
		    const char *gatewaydev, const struct xp_routed **r, char *err, size_t errlen)
{
	*r = NULL;
	if (bridge && *bridge && (*r = xp_conf_routed(c, bridge)))
		return 1;
	if (as != VIF_AS_ROUTE)
		return 0;
	for (size_t i = 0; c && gatewaydev && *gatewaydev && i < c->nrouted; i++)
		if (!strcmp(c->routed[i].uplink, gatewaydev)) {
			*r = &c->routed[i];
			return 1;
		}
	if (c && c->nrouted == 1)
		*r = &c->routed[0];
	else if (c && c->nrouted > 1) {
		snprintf(err, errlen,
			 "vif-route: the map has %zu [routed] networks and none has the vif's "
			 "gatewaydev '%s' as uplink: name one with bridge=NAME",
			 c->nrouted, gatewaydev ? gatewaydev : "");
		return -1;
	}
	return 1;
}

int vif_pick_nat(const struct xp_conf *c, const char *bridge, enum vif_as as,
		 const struct xp_nat **n, char *err, size_t errlen)
{
	*n = NULL;
	if (bridge && *bridge) {
		*n = xp_conf_nat(c, bridge);
		if (!*n)
			*n = xp_conf_nat_of_bridge(c, bridge);
		return *n ? 1 : 0;
	}
	if (as != VIF_AS_NAT)
		return 0;
	if (c && c->nnats == 1) {
		*n = &c->nats[0];
		return 1;
	}
	snprintf(err, errlen, "vif-nat: the map has %zu [nat] networks: %s", c ? c->nnats : 0,
		 c && c->nnats ? "name one with bridge=NAME" : "add one (see xenplumb.conf(5))");
	return -1;
}

int vif_l3_route_up(struct nl_sock *sk, const struct vif_route_in *in, int *mtu, char *err,
		    size_t errlen)
{
	const struct xp_routed *r = in->r;
	const struct vif_keys *k = in->k;
	struct vif_route_plan p;
	char what[128];
	int lock = vif_lock_apply(in->lock, r ? r->antispoof : 0);

	memset(&p, 0, sizeof(p));
	if (r)
		snprintf(what, sizeof(what), "routed network %s", r->name);
	else
		snprintf(what, sizeof(what), "vif-route via %s (no [routed] section for it)",
			 in->uplink);
	p.what = what;
	p.net = r ? r->name : "-";
	p.kname = in->kname;
	p.newname = k->vifname;
	p.uplink = r ? r->uplink : in->uplink;
	p.mtu = k->mtu;
	if (r && r->has_address) {
		p.has_src4 = 1;
		p.src4 = r->address;
	}
	if (r && r->has_address6) {
		p.has_src6 = 1;
		p.src6 = r->address6;
		if (p.src6.addr[0] == 0xfe && (p.src6.addr[1] & 0xc0) == 0x80)
			p.src6.prefixlen = 64;
	}
	p.proxy = r ? r->proxy : 0;
	p.metric = in->tap ? 1 : 2;
	p.ips = k->ips;
	p.nips = k->nips;
	p.forward_checks = 1;
	p.table = in->table;
	if (lock) {
		if (!k->has_mac) {
			snprintf(err, errlen, "%s: antispoofing needs the vif's mac key", what);
			return -1;
		}
		p.antispoof = 1;
		memcpy(p.as.mac, k->mac, 6);
		p.as.ips = k->ips;
		p.as.nips = k->nips;
		p.as.disabled = lock == 2;
	}
	if (vif_route_up(sk, &p, err, errlen))
		return -1;
	*mtu = k->mtu ? k->mtu : p.mtu_out;
	return 0;
}

int vif_l3_nat_up(const struct xp_nat *n, const char *kname, const struct vif_keys *k,
		  unsigned domid, unsigned devid, char *err, size_t errlen)
{
	const struct xp_ipaddr *ip = NULL;
	char dir[256], path[320], host[32];
	struct vif_undo u;
	int rc;

	for (size_t i = 0; i < k->nips && !ip; i++)
		if (k->ips[i].family == AF_INET)
			ip = &k->ips[i];
	if (!n->dhcp || !k->has_mac || !ip)
		return 0;
	if (vif_nat_dir(dir, sizeof(dir), n->name)) {
		snprintf(err, errlen, "state path for nat %s too long", n->name);
		return -1;
	}
	if (devid)
		snprintf(host, sizeof(host), "dom%u-%u", domid, devid + 1);
	else
		snprintf(host, sizeof(host), "dom%u", domid);
	if (vif_undo_open(&u, kname, err, errlen))
		return -1;
	rc = vif_undo_add(&u, err, errlen, "net nat %s", n->name);
	if (!rc)
		rc =
		    vif_nat_host_add(dir, kname, k->mac, ip, host, path, sizeof(path), err, errlen);
	if (!rc && *path) {
		rc = vif_undo_add(&u, err, errlen, "hostfile %s %s/dnsmasq.pid %s/dnsmasq.conf",
				  path, dir, dir);
		xp_log(LOG_INFO, "%s: static lease for nat %s in %s", kname, n->name, path);
	}
	vif_undo_close(&u);
	return rc;
}
