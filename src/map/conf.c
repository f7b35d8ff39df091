/* The map parser: reads xenplumb.conf and its includes into struct xp_conf,
 * then checks the whole map for conflicts.  Every problem becomes one
 * diagnostic "FILE:LINE: what is wrong, 'value' -- what to change"; any
 * problem leaves the caller with an empty map.  No global state. */
#include "map/conf.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "map/conf_lex.h"

#define XP_INCLUDE_DEPTH 8	   /* files open at once, the top one counted */
#define XP_MAP_MAX_BYTES (1 << 20) /* one map file */
#define XP_DELAY_MAX	 60000	   /* miimon/updelay/downdelay, ms */
/* A value already reported as bad: later checks stay quiet about it. */
#define BAD_INT	 (-2)
#define BAD_NAME "/"

/* ---- diagnostics ------------------------------------------------------ */

void xp_diag_add(struct xp_diag *d, const char *file, int line, const char *fmt, ...)
{
	char body[1024], *msg, **nm;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (!file)
		n = asprintf(&msg, "%s", body);
	else if (line > 0)
		n = asprintf(&msg, "%s:%d: %s", file, line, body);
	else
		n = asprintf(&msg, "%s: %s", file, body);
	if (n < 0)
		return;
	for (char *q = msg; *q; q++) /* messages stay printable ASCII */
		if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
			*q = '?';
	nm = realloc(d->msgs, (d->n + 1) * sizeof(*nm));
	if (!nm) {
		free(msg);
		return;
	}
	d->msgs = nm;
	d->msgs[d->n++] = msg;
}

void xp_diag_free(struct xp_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	d->msgs = NULL;
	d->n = 0;
}

/* ---- name tables ------------------------------------------------------- */

static const char *const bond_modes[] = {
    "balance-rr", "active-backup", "balance-xor", "broadcast",
    "802.3ad",	  "balance-tlb",   "balance-alb",
};
#define BOND_MODES_LIST                                                                            \
	"balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb or balance-alb"

/* Indexed by the kernel's BOND_XMIT_POLICY_* values. */
static const char *const xmit_hashes[] = {
    "layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac",
};
#define XMIT_HASH_LIST "layer2, layer3+4, layer2+3, encap2+3, encap3+4 or vlan+srcmac"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int name_parse(const char *const *names, size_t n, const char *s)
{
	long v;

	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(s, names[i]))
			return (int)i;
	if (!xp_parse_uint(s, 0, (long)n - 1, &v))
		return (int)v;
	return -1;
}

const char *xp_bond_mode_name(int mode)
{
	return mode >= 0 && (size_t)mode < NELEM(bond_modes) ? bond_modes[mode] : NULL;
}

int xp_bond_mode_parse(const char *s)
{
	return s ? name_parse(bond_modes, NELEM(bond_modes), s) : -1;
}

const char *xp_xmit_hash_name(int policy)
{
	return policy >= 0 && (size_t)policy < NELEM(xmit_hashes) ? xmit_hashes[policy] : NULL;
}

int xp_xmit_hash_parse(const char *s)
{
	return s ? name_parse(xmit_hashes, NELEM(xmit_hashes), s) : -1;
}

/* ---- look-ups ---------------------------------------------------------- */

static size_t ndevs(const struct xp_conf *c)
{
	return c->nbridges + c->nvlans + c->nbonds + c->ndummies;
}

/* The device at position pos, counting bridges, vlans, bonds, dummies. */
static const char *pos_name(const struct xp_conf *c, size_t pos)
{
	if (pos < c->nbridges)
		return c->bridges[pos].name;
	pos -= c->nbridges;
	if (pos < c->nvlans)
		return c->vlans[pos].name;
	pos -= c->nvlans;
	if (pos < c->nbonds)
		return c->bonds[pos].name;
	pos -= c->nbonds;
	return pos < c->ndummies ? c->dummies[pos].name : "";
}

/* The name index of conf.h (the first device of a name wins). */
static void index_names(struct xp_conf *c)
{
	size_t n = ndevs(c);

	xp_nametab_free(&c->byname);
	c->index_dups = 0;
	for (size_t pos = 0; pos < n; pos++)
		if (!xp_nametab_get(&c->byname, pos_name(c, pos), NULL))
			xp_nametab_put(&c->byname, pos_name(c, pos), (long)pos);
		else
			c->index_dups = 1;
	c->nindexed = n;
}

void xp_conf_reindex(struct xp_conf *c)
{
	if (c->nindexed)
		index_names(c);
}

/* name's first device by the index: 1 and *pos; 0: no device has that
 * name; -1: no index for c (or a name too long for it): scan. */
static int index_find(const struct xp_conf *c, const char *name, size_t *pos)
{
	long v;

	if (!c->nindexed || c->nindexed != ndevs(c) || strnlen(name, XP_IFNAMSIZ) >= XP_IFNAMSIZ)
		return -1;
	if (!xp_nametab_get(&c->byname, name, &v))
		return 0;
	*pos = (size_t)v;
	return 1;
}

/* name's entry in the array of a kind (at positions base .. base + n - 1
 * of the index): 1 and *i; 0: no device of that name; -1: scan (no index,
 * or the name's first device is of another kind). */
static int index_in(const struct xp_conf *c, const char *name, size_t base, size_t n, size_t *i)
{
	size_t pos = 0;
	int r = index_find(c, name, &pos);

	/* of another kind: no device of this kind has the name, unless some
	 * name is used twice (a map with errors) */
	if (r > 0 && (pos < base || pos - base >= n))
		return c->index_dups ? -1 : 0;
	if (r > 0)
		*i = pos - base;
	return r;
}

#define FIND_IN(arr, n, base, key)                                                                 \
	do {                                                                                       \
		size_t i_ = 0;                                                                     \
		int r_ = c && (key) ? index_in(c, (key), (base), c->n, &i_) : 0;                   \
		if (r_ > 0 && !strcmp(c->arr[i_].name, (key)))                                     \
			return &c->arr[i_];                                                        \
		for (i_ = 0; r_ && i_ < c->n; i_++)                                                \
			if (!strcmp(c->arr[i_].name, (key)))                                       \
				return &c->arr[i_];                                                \
		return NULL;                                                                       \
	} while (0)

/* A linear scan: kinds the index does not cover (VXLANs, routed and NAT
 * networks: a few per map). */
#define FIND(arr, n, key)                                                                          \
	do {                                                                                       \
		for (size_t i_ = 0; c && (key) && i_ < c->n; i_++)                                 \
			if (!strcmp(c->arr[i_].name, (key)))                                       \
				return &c->arr[i_];                                                \
		return NULL;                                                                       \
	} while (0)

const struct xp_bridge *xp_conf_bridge(const struct xp_conf *c, const char *name)
{
	FIND_IN(bridges, nbridges, 0, name);
}

const struct xp_network *xp_conf_network(const struct xp_conf *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->nnetworks; i++)
		if (!strcmp(c->networks[i].name, name))
			return &c->networks[i];
	return NULL;
}

const struct xp_routed *xp_conf_routed(const struct xp_conf *c, const char *name)
{
	FIND(routed, nrouted, name);
}

const struct xp_nat *xp_conf_nat(const struct xp_conf *c, const char *name)
{
	FIND(nats, nnats, name);
}

const struct xp_nat *xp_conf_nat_of_bridge(const struct xp_conf *c, const char *bridge)
{
	for (size_t i = 0; c && bridge && i < c->nnats; i++)
		if (!strcmp(c->nats[i].bridge, bridge))
			return &c->nats[i];
	return NULL;
}

const struct xp_bond *xp_conf_bond(const struct xp_conf *c, const char *name)
{
	FIND_IN(bonds, nbonds, c->nbridges + c->nvlans, name);
}

const struct xp_vlan *xp_conf_vlan(const struct xp_conf *c, const char *name)
{
	FIND_IN(vlans, nvlans, c->nbridges, name);
}

const struct xp_dummy *xp_conf_dummy(const struct xp_conf *c, const char *name)
{
	FIND_IN(dummies, ndummies, c->nbridges + c->nvlans + c->nbonds, name);
}

const struct xp_vxlan *xp_conf_vxlan(const struct xp_conf *c, const char *name)
{
	FIND(vxlans, nvxlans, name);
}

int xp_vxlan_port(const struct xp_vxlan *v)
{
	return v->dstport > 0 ? v->dstport : XP_VXLAN_PORT_DEFAULT;
}

int xp_vxlan_family(const struct xp_vxlan *v)
{
	int six = v->local.family == AF_INET6 || v->group.family == AF_INET6;

	for (size_t i = 0; i < v->nremotes; i++)
		six |= v->remotes[i].family == AF_INET6;
	return six ? AF_INET6 : AF_INET;
}

const struct xp_bridge *xp_conf_default_bridge(const struct xp_conf *c)
{
	for (size_t i = 0; c && i < c->nbridges; i++)
		if (c->bridges[i].is_default)
			return &c->bridges[i];
	return NULL;
}

void xp_conf_free(struct xp_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nbridges; i++)
		free(c->bridges[i].ports);
	for (size_t i = 0; i < c->nbonds; i++)
		free(c->bonds[i].slaves);
	for (size_t i = 0; i < c->nvxlans; i++)
		free(c->vxlans[i].remotes);
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->bridges);
	free(c->vlans);
	free(c->bonds);
	free(c->dummies);
	free(c->vxlans);
	free(c->networks);
	free(c->routed);
	free(c->nats);
	free(c->files);
	xp_nametab_free(&c->byname);
	memset(c, 0, sizeof(*c));
}

/* ---- sections and keys ------------------------------------------------- */

enum kind {
	K_NONE,
	K_BRIDGE,
	K_VLAN,
	K_BOND,
	K_DUMMY,
	K_VXLAN,
	K_NETWORK,
	K_ROUTED,
	K_NAT,
	K_GLOBAL,
	K_SKIP
};
static const char *const kind_names[] = {"",	  "bridge",  "vlan",   "bond", "dummy",
					 "vxlan", "network", "routed", "nat",  "global"};
#define KINDS_LIST "bridge, vlan, bond, dummy, vxlan, network, routed, nat or global"
#define K_LAST	   K_GLOBAL
/* kinds named like networks, not interfaces */
#define NETLIKE(k) ((k) == K_NETWORK || (k) == K_ROUTED || (k) == K_NAT)

/* T_NUM: a number without a unit; T_UADDR/T_MADDR: one unicast/multicast
 * address; T_ADDRLIST: unicast addresses (struct xp_ipaddr, count at
 * off_n, off_n + sizeof(size_t): "was set"). */
enum vtype {
	T_BOOL,
	T_UINT,
	T_NUM,
	T_MTU,
	T_VLANID,
	T_IFNAME,
	T_IFLIST,
	T_MODE,
	T_LACP,
	T_XMIT,
	T_UADDR,
	T_MADDR,
	T_ADDRLIST,
	T_BRTYPE,
	T_DPTYPE,
	T_IFACEID,
	T_IP4,	  /* IPv4 address, no prefix (struct xp_ipaddr) */
	T_IP6,	  /* IPv6 address, no prefix */
	T_IP4NET, /* IPv4 address with its prefix */
	T_RANGE,  /* two IPv4 addresses: off and off_n */
};

struct keydef {
	enum kind kind;
	const char *name;
	enum vtype type;
	size_t off;	/* the field in the section's struct */
	size_t off_n;	/* T_IFLIST: its count */
	long lo, hi;	/* T_UINT */
	size_t off_loc; /* where the key's line is kept (0: not kept) */
};

#define BR(f) offsetof(struct xp_bridge, f)
#define VL(f) offsetof(struct xp_vlan, f)
#define BO(f) offsetof(struct xp_bond, f)
#define DU(f) offsetof(struct xp_dummy, f)
#define NW(f) offsetof(struct xp_network, f)
#define VX(f) offsetof(struct xp_vxlan, f)
#define RT(f) offsetof(struct xp_routed, f)
#define NA(f) offsetof(struct xp_nat, f)
#define GL(f) offsetof(struct xp_global, f)
static const struct keydef keys[] = {
    {K_BRIDGE, "ports", T_IFLIST, BR(ports), BR(nports), 0, 0, BR(ports_loc)},
    {K_BRIDGE, "mtu", T_MTU, BR(mtu), 0, 0, 0, 0},
    {K_BRIDGE, "stp", T_BOOL, BR(stp), 0, 0, 0, 0},
    {K_BRIDGE, "forward-delay", T_UINT, BR(forward_delay), 0, 0, 30, 0},
    {K_BRIDGE, "vlan-filtering", T_BOOL, BR(vlan_filtering), 0, 0, 0, 0},
    {K_BRIDGE, "default", T_BOOL, BR(is_default), 0, 0, 0, 0},
    {K_BRIDGE, "move-addresses", T_BOOL, BR(move_addresses), 0, 0, 0, 0},
    {K_BRIDGE, "antispoof", T_BOOL, BR(antispoof), 0, 0, 0, 0},
    {K_BRIDGE, "type", T_BRTYPE, BR(type), 0, 0, 0, 0},
    {K_BRIDGE, "datapath-type", T_DPTYPE, BR(datapath_type), 0, 0, 0, 0},
    {K_BRIDGE, "iface-id", T_IFACEID, BR(iface_id_by_name), 0, 0, 0, 0},
    {K_VLAN, "parent", T_IFNAME, VL(parent), 0, 0, 0, VL(parent_loc)},
    {K_VLAN, "id", T_VLANID, VL(id), 0, 0, 0, 0},
    {K_VLAN, "mtu", T_MTU, VL(mtu), 0, 0, 0, 0},
    {K_BOND, "slaves", T_IFLIST, BO(slaves), BO(nslaves), 0, 0, BO(slaves_loc)},
    {K_BOND, "mode", T_MODE, BO(mode), 0, 0, 0, 0},
    {K_BOND, "miimon", T_UINT, BO(miimon), 0, 0, XP_DELAY_MAX, 0},
    {K_BOND, "lacp-rate", T_LACP, BO(lacp_rate), 0, 0, 0, 0},
    {K_BOND, "xmit-hash-policy", T_XMIT, BO(xmit_hash_policy), 0, 0, 0, 0},
    {K_BOND, "primary", T_IFNAME, BO(primary), 0, 0, 0, 0},
    {K_BOND, "updelay", T_UINT, BO(updelay), 0, 0, XP_DELAY_MAX, 0},
    {K_BOND, "downdelay", T_UINT, BO(downdelay), 0, 0, XP_DELAY_MAX, 0},
    {K_BOND, "mtu", T_MTU, BO(mtu), 0, 0, 0, 0},
    {K_DUMMY, "mtu", T_MTU, DU(mtu), 0, 0, 0, 0},
    {K_VXLAN, "vni", T_NUM, VX(vni), 0, 1, XP_VXLAN_VNI_MAX, 0},
    {K_VXLAN, "local", T_UADDR, VX(local), 0, 0, 0, 0},
    {K_VXLAN, "device", T_IFNAME, VX(device), 0, 0, 0, 0},
    {K_VXLAN, "dstport", T_NUM, VX(dstport), 0, 1, 65535, 0},
    {K_VXLAN, "remote", T_ADDRLIST, VX(remotes), VX(nremotes), 0, 0, 0},
    {K_VXLAN, "group", T_MADDR, VX(group), 0, 0, 0, 0},
    {K_VXLAN, "learning", T_BOOL, VX(learning), 0, 0, 0, 0},
    {K_VXLAN, "mtu", T_MTU, VX(mtu), 0, 0, 0, 0},
    {K_NETWORK, "bridge", T_IFNAME, NW(bridge), 0, 0, 0, 0},
    {K_NETWORK, "vlan", T_VLANID, NW(vlan), 0, 0, 0, 0},
    {K_ROUTED, "uplink", T_IFNAME, RT(uplink), 0, 0, 0, 0},
    {K_ROUTED, "address", T_IP4, RT(address), RT(has_address), 0, 0, 0},
    {K_ROUTED, "address6", T_IP6, RT(address6), RT(has_address6), 0, 0, 0},
    {K_ROUTED, "proxy", T_BOOL, RT(proxy), 0, 0, 0, 0},
    {K_ROUTED, "antispoof", T_BOOL, RT(antispoof), 0, 0, 0, 0},
    {K_NAT, "bridge", T_IFNAME, NA(bridge), 0, 0, 0, 0},
    {K_NAT, "address", T_IP4NET, NA(address), 0, 0, 0, 0},
    {K_NAT, "masquerade", T_BOOL, NA(masquerade), 0, 0, 0, 0},
    {K_NAT, "dhcp", T_BOOL, NA(dhcp), 0, 0, 0, 0},
    {K_NAT, "dhcp-range", T_RANGE, NA(range_lo), NA(range_hi), 0, 0, 0},
    {K_NAT, "dns", T_BOOL, NA(dns), 0, 0, 0, 0},
    {K_GLOBAL, "strict", T_BOOL, GL(strict), 0, 0, 0, 0},
};
#define NKEYS NELEM(keys)

/* What the parser is inside of, per file: an include neither sees nor
 * changes the including file's current section. */
struct section {
	enum kind kind;
	size_t idx;	   /* element in the kind's array */
	int seen[NKEYS];   /* line where each key was set, 0 if not yet */
	const char *label; /* "[kind name]" for messages */
	char labelbuf[96];
};

/* A whole-map error held back so all of them come out in file order. */
struct pending {
	const char *file;
	int line;
	char *msg;
};

struct parser {
	struct xp_conf *c;
	struct xp_diag *d;
	int errors;
	int defer; /* hold errors in pend[] (the whole-map checks) */
	struct pending *pend;
	size_t npend;
	int depth;
	char **real; /* canonical path of every file read, parallel to c->files */
	char *stack[XP_INCLUDE_DEPTH];
	/* per kind, per element: the line each key was set on (0: not set),
	 * so whole-map errors point at the offending key */
	int (*klines[K_SKIP])[NKEYS];
	size_t nklines[K_SKIP];
};

static void err(struct parser *p, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void err(struct parser *p, const char *file, int line, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->errors++;
	if (p->defer) {
		struct pending *np = realloc(p->pend, (p->npend + 1) * sizeof(*np));
		if (np) {
			p->pend = np;
			np[p->npend] = (struct pending){file, line, strdup(buf)};
			if (np[p->npend].msg) {
				p->npend++;
				return;
			}
		}
	}
	xp_diag_add(p->d, file, line, "%s", buf);
}

static void oom(struct parser *p, const char *file, int line)
{
	err(p, file, line, "out of memory");
}

/* Grow *arr (of elements of size sz) by one zeroed element. */
static void *grow(void *arrp, size_t *n, size_t sz)
{
	void **arr = arrp;
	char *na = realloc(*arr, (*n + 1) * sz);

	if (!na)
		return NULL;
	*arr = na;
	memset(na + *n * sz, 0, sz);
	return na + (*n)++ * sz;
}

static char *elem_base(struct xp_conf *c, enum kind k, size_t idx)
{
	switch (k) {
	case K_BRIDGE:
		return (char *)&c->bridges[idx];
	case K_VLAN:
		return (char *)&c->vlans[idx];
	case K_BOND:
		return (char *)&c->bonds[idx];
	case K_DUMMY:
		return (char *)&c->dummies[idx];
	case K_VXLAN:
		return (char *)&c->vxlans[idx];
	case K_NETWORK:
		return (char *)&c->networks[idx];
	case K_ROUTED:
		return (char *)&c->routed[idx];
	case K_NAT:
		return (char *)&c->nats[idx];
	case K_GLOBAL:
		return (char *)&c->global;
	default:
		return NULL;
	}
}

/* Network names: letters, digits, '-', '_', '.', 1..63 bytes. */
static const char *netname_why(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= XP_NETNAME_MAX)
		return "a network name has 1 to 63 characters";
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') &&
		    !(ch >= '0' && ch <= '9') && ch != '-' && ch != '_' && ch != '.')
			return "a network name may use only letters, digits, '-', '_' and '.'";
	}
	return NULL;
}

/* [routed] and [nat] entries, with their defaults. */
static void *new_l3_element(struct xp_conf *c, enum kind k, struct xp_loc loc, size_t *idx)
{
	if (k == K_ROUTED) {
		struct xp_routed *r = grow(&c->routed, &c->nrouted, sizeof(*r));
		if (r) {
			r->loc = loc;
			r->proxy = r->antispoof = 1;
			*idx = c->nrouted - 1;
		}
		return r;
	}
	struct xp_nat *na = grow(&c->nats, &c->nnats, sizeof(*na));
	if (na) {
		na->loc = loc;
		na->masquerade = na->dns = 1;
		*idx = c->nnats - 1;
	}
	return na;
}

static void *new_element(struct parser *p, enum kind k, const char *name, struct xp_loc loc,
			 size_t *idx)
{
	struct xp_conf *c = p->c;
	void *e = NULL;

	switch (k) {
	case K_BRIDGE: {
		struct xp_bridge *b = grow(&c->bridges, &c->nbridges, sizeof(*b));
		if (b) {
			b->mtu = b->stp = b->forward_delay = b->vlan_filtering = XP_UNSET;
			b->loc = loc;
			*idx = c->nbridges - 1;
		}
		e = b;
		break;
	}
	case K_VLAN: {
		struct xp_vlan *v = grow(&c->vlans, &c->nvlans, sizeof(*v));
		if (v) {
			v->id = v->mtu = XP_UNSET;
			v->loc = loc;
			*idx = c->nvlans - 1;
		}
		e = v;
		break;
	}
	case K_BOND: {
		struct xp_bond *b = grow(&c->bonds, &c->nbonds, sizeof(*b));
		if (b) {
			b->mode = b->miimon = b->lacp_rate = b->xmit_hash_policy = XP_UNSET;
			b->updelay = b->downdelay = b->mtu = XP_UNSET;
			b->loc = loc;
			*idx = c->nbonds - 1;
		}
		e = b;
		break;
	}
	case K_DUMMY: {
		struct xp_dummy *du = grow(&c->dummies, &c->ndummies, sizeof(*du));
		if (du) {
			du->mtu = XP_UNSET;
			du->loc = loc;
			*idx = c->ndummies - 1;
		}
		e = du;
		break;
	}
	case K_VXLAN: {
		struct xp_vxlan *vx = grow(&c->vxlans, &c->nvxlans, sizeof(*vx));
		if (vx) {
			vx->vni = vx->dstport = vx->learning = vx->mtu = XP_UNSET;
			vx->loc = loc;
			*idx = c->nvxlans - 1;
		}
		e = vx;
		break;
	}
	case K_NETWORK: {
		struct xp_network *nw = grow(&c->networks, &c->nnetworks, sizeof(*nw));
		if (nw) {
			nw->loc = loc;
			*idx = c->nnetworks - 1;
		}
		e = nw;
		break;
	}
	case K_ROUTED:
	case K_NAT:
		e = new_l3_element(c, k, loc, idx);
		break;
	default:
		return NULL;
	}
	if (e) /* name is the first member of every kind */
		snprintf(e, NETLIKE(k) ? XP_NETNAME_MAX : XP_IFNAMSIZ, "%s", name);
	return e;
}

/* The nearest string in names[] to s, or NULL when none is close. */
static const char *nearest(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	int bd = 99, limit = strlen(s) <= 4 ? 1 : 2;

	for (size_t i = 0; i < n; i++) {
		int dist = names[i] ? xp_lex_distance(s, names[i]) : 99;
		if (dist < bd) {
			bd = dist;
			best = names[i];
		}
	}
	return bd <= limit ? best : NULL;
}

/* [global]: no name, and its keys apply to the whole map. */
static void global_header(struct parser *p, struct section *s, const char *file, int line,
			  size_t nw, char **w)
{
	if (nw > 1) {
		err(p, file, line, "[global] takes no name, '%s' -- write [global]", w[1]);
		return;
	}
	s->kind = K_GLOBAL;
	s->idx = 0;
	s->label = "[global]";
}

static void section_header(struct parser *p, struct section *s, const char *file, int line, char *t)
{
	size_t len = strlen(t), nw;
	char **w;
	int nomem;
	enum kind k = K_NONE;
	const char *why;
	void *e;

	s->kind = K_SKIP; /* until the header proves good: its keys are skipped */
	memset(s->seen, 0, sizeof(s->seen));
	if (t[len - 1] != ']') {
		err(p, file, line, "section header not closed, '%s' -- end it with ']'", t);
		return;
	}
	t[len - 1] = '\0';
	nw = xp_lex_words(t + 1, &w, &nomem);
	if (nomem) {
		oom(p, file, line);
		return;
	}
	if (nw == 0) {
		err(p, file, line, "empty section header, '[]' -- write [KIND NAME]");
		goto out;
	}
	xp_lex_norm_key(w[0]);
	for (size_t i = K_BRIDGE; i <= K_LAST; i++)
		if (!strcmp(w[0], kind_names[i]))
			k = (enum kind)i;
	if (k == K_NONE) {
		const char *near = nearest(w[0], kind_names + 1, NELEM(kind_names) - 1);
		err(p, file, line, "unknown section kind '%s' -- %s%s%suse " KINDS_LIST, w[0],
		    near ? "did you mean '" : "", near ? near : "", near ? "'? " : "");
		goto out;
	}
	if (k == K_GLOBAL) {
		global_header(p, s, file, line, nw, w);
		goto out;
	}
	if (nw == 1) {
		err(p, file, line, "section [%s] has no name -- write [%s NAME]", w[0], w[0]);
		goto out;
	}
	if (nw > 2) {
		err(p, file, line,
		    "section header has more than a kind and a name, '%s' -- write [%s NAME] "
		    "(names contain no spaces or commas)",
		    w[2], w[0]);
		goto out;
	}
	if (NETLIKE(k) ? (why = netname_why(w[1])) != NULL : xp_valid_ifname(w[1], &why)) {
		err(p, file, line, "bad %s name '%s' -- %s", kind_names[k], w[1], why);
		goto out;
	}
	e = new_element(p, k, w[1], (struct xp_loc){file, line}, &s->idx);
	if (!e || !grow(&p->klines[k], &p->nklines[k], sizeof(*p->klines[k]))) {
		oom(p, file, line);
		goto out;
	}
	s->kind = k;
	snprintf(s->labelbuf, sizeof(s->labelbuf), "[%s %s]", kind_names[k], w[1]);
	s->label = s->labelbuf;
out:
	free(w);
}

static void valid_keys(enum kind k, char *buf, size_t sz)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].kind == k && used < sz) {
			int n =
			    snprintf(buf + used, sz - used, "%s%s", used ? ", " : "", keys[i].name);
			used += n > 0 ? (size_t)n : 0;
		}
}

static void unknown_key(struct parser *p, const struct section *s, const char *file, int line,
			const char *key)
{
	const char *names[NKEYS];
	size_t n = 0;
	const char *near, *other = NULL;
	char list[256];

	for (size_t i = 0; i < NKEYS; i++) {
		if (keys[i].kind == s->kind)
			names[n++] = keys[i].name;
		else if (!strcmp(keys[i].name, key) && !other)
			other = kind_names[keys[i].kind];
	}
	valid_keys(s->kind, list, sizeof(list));
	near = nearest(key, names, n);
	if (other)
		err(p, file, line,
		    "key '%s' is not valid in %s (it belongs in a [%s] section) -- %s%s", key,
		    s->label, other, n ? "valid keys here: " : "no keys are valid here", list);
	else if (near)
		err(p, file, line, "unknown key '%s' in %s -- did you mean '%s'?", key, s->label,
		    near);
	else
		err(p, file, line, "unknown key '%s' in %s -- %s%s", key, s->label,
		    n ? "valid keys: " : "no keys are valid here", list);
}

static void set_list(struct parser *p, const struct section *s, const struct keydef *kd, char *base,
		     const char *file, int line, char *val)
{
	char(**list)[XP_IFNAMSIZ] = (char(**)[XP_IFNAMSIZ])(void *)(base + kd->off);
	size_t *count = (size_t *)(void *)(base + kd->off_n);
	char **w;
	int nomem;
	size_t n = xp_lex_words(val, &w, &nomem);
	const char *why;

	if (nomem) {
		oom(p, file, line);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int dup = 0;
		if (xp_valid_ifname(w[i], &why)) {
			err(p, file, line, "bad interface name in %s, '%s' -- %s", kd->name, w[i],
			    why);
			continue;
		}
		for (size_t j = 0; j < *count; j++)
			dup |= !strcmp((*list)[j], w[i]);
		if (dup) {
			err(p, file, line,
			    "interface listed twice in %s of %s, '%s' -- list it once", kd->name,
			    s->label, w[i]);
			continue;
		}
		char *slot = grow(list, count, XP_IFNAMSIZ);
		if (!slot) {
			oom(p, file, line);
			break;
		}
		snprintf(slot, XP_IFNAMSIZ, "%s", w[i]);
	}
	free(w);
}

static const char *unit(const struct keydef *kd)
{
	if (kd->type == T_NUM)
		return "";
	return kd->hi == XP_DELAY_MAX ? " (milliseconds)" : " (seconds)";
}

/* One address: local (this host's, unicast) or group (multicast).  A bad
 * one is left unset, family BAD_INT: no follow-on errors. */
static int addr_ok(struct parser *p, const struct keydef *kd, const struct xp_ipaddr *a,
		   const char *file, int line, const char *val, int mcast)
{
	const char *why = NULL;

	if (a->prefixlen >= 0)
		why = "an address without /prefix";
	else if (xp_ipaddr_unspecified(a))
		why = "a real address, not the unspecified one";
	else if (mcast && !xp_ipaddr_multicast(a))
		why = "a multicast address (224.0.0.0/4 or ff00::/8); unicast remotes go in "
		      "remote";
	else if (!mcast && xp_ipaddr_multicast(a))
		why = kd->type == T_ADDRLIST ? "unicast addresses of the other hosts; a "
					       "multicast group goes in group"
					     : "this host's own unicast address; a multicast "
					       "group goes in group";
	if (why)
		err(p, file, line, "bad %s address '%s' -- use %s", kd->name, val, why);
	return !why;
}

static void set_addr(struct parser *p, const struct keydef *kd, struct xp_ipaddr *a,
		     const char *file, int line, const char *val)
{
	struct xp_ipaddr v;

	if (xp_parse_ipaddr(val, &v, NULL)) {
		err(p, file, line,
		    "bad %s address '%s' -- use an IPv4 or IPv6 address such as 192.0.2.1",
		    kd->name, val);
		a->family = BAD_INT;
		return;
	}
	if (addr_ok(p, kd, &v, file, line, val, kd->type == T_MADDR))
		*a = v;
	else
		a->family = BAD_INT;
}

/* remote: unicast addresses, each once. */
static void set_addrs(struct parser *p, const struct section *s, const struct keydef *kd,
		      char *base, const char *file, int line, char *val)
{
	struct xp_ipaddr **list = (struct xp_ipaddr **)(void *)(base + kd->off);
	size_t *count = (size_t *)(void *)(base + kd->off_n);
	char **w;
	int nomem;
	size_t n = xp_lex_words(val, &w, &nomem);

	if (nomem) {
		oom(p, file, line);
		return;
	}
	((struct xp_vxlan *)(void *)base)->has_remote = 1;
	for (size_t i = 0; i < n; i++) {
		struct xp_ipaddr a, *slot;
		int dup = 0;
		if (xp_parse_ipaddr(w[i], &a, NULL)) {
			err(p, file, line,
			    "bad %s address '%s' -- use IPv4 or IPv6 addresses such as 192.0.2.2",
			    kd->name, w[i]);
			continue;
		}
		if (!addr_ok(p, kd, &a, file, line, w[i], 0))
			continue;
		for (size_t j = 0; j < *count; j++)
			dup |= xp_ipaddr_equal(&(*list)[j], &a);
		if (dup) {
			err(p, file, line, "address listed twice in %s of %s, '%s' -- list it once",
			    kd->name, s->label, w[i]);
			continue;
		}
		if (!(slot = grow(list, count, sizeof(*slot)))) {
			oom(p, file, line);
			break;
		}
		*slot = a;
	}
	free(w);
}

/* The Open vSwitch keys of [bridge]: type, datapath-type, iface-id. */
static void set_ovs_value(struct parser *p, const struct keydef *kd, const char *file, int line,
			  const char *val, int *ip)
{
	if (kd->type == T_BRTYPE && !strcmp(val, "linux"))
		*ip = XP_BR_LINUX;
	else if (kd->type == T_BRTYPE && (!strcmp(val, "openvswitch") || !strcmp(val, "ovs")))
		*ip = XP_BR_OVS;
	else if (kd->type == T_BRTYPE)
		err(p, file, line, "unknown bridge type '%s' -- use linux or openvswitch", val);
	else if (kd->type == T_DPTYPE && (!strcmp(val, "system") || !strcmp(val, "netdev")))
		snprintf((char *)ip, 16, "%s", val);
	else if (kd->type == T_DPTYPE)
		err(p, file, line,
		    "unknown datapath-type '%s' -- use system (the kernel's) or netdev "
		    "(userspace)",
		    val);
	else if (!strcmp(val, "uuid") || !strcmp(val, "name"))
		*ip = !strcmp(val, "name");
	else
		err(p, file, line,
		    "bad iface-id '%s' -- use uuid (VMUUID.DEVID) or name (VMNAME.DEVID)", val);
}

/* lacp-rate: 0 slow, 1 fast, -1 neither */
static int lacp_rate_parse(const char *val)
{
	if (!strcasecmp(val, "slow") || !strcmp(val, "0"))
		return 0;
	if (!strcasecmp(val, "fast") || !strcmp(val, "1"))
		return 1;
	return -1;
}

/* Address-valued keys; a bad value leaves the address unset (family 0). */
static void set_ip(struct parser *p, const struct keydef *kd, char *base, const char *file,
		   int line, char *val)
{
	struct xp_ipaddr *a = (struct xp_ipaddr *)(void *)(base + kd->off), tmp[2];
	const char *why = NULL;
	char **w;
	int nomem, fam = kd->type == T_IP6 ? AF_INET6 : AF_INET;

	if (kd->type == T_RANGE) {
		size_t nw = xp_lex_words(val, &w, &nomem);
		if (nomem)
			return oom(p, file, line);
		if (nw != 2 || xp_parse_ipaddr(w[0], &tmp[0], &why) ||
		    xp_parse_ipaddr(w[1], &tmp[1], &why) || tmp[0].family != AF_INET ||
		    tmp[1].family != AF_INET || tmp[0].prefixlen >= 0 || tmp[1].prefixlen >= 0)
			err(p, file, line, "bad %s '%s' -- give two IPv4 addresses, FIRST LAST",
			    kd->name, val);
		else {
			*a = tmp[0];
			*(struct xp_ipaddr *)(void *)(base + kd->off_n) = tmp[1];
		}
		free(w);
		return;
	}
	a->family = -1; /* reported bad: later checks stay quiet about it */
	if (xp_parse_ipaddr(val, &tmp[0], &why))
		err(p, file, line, "bad %s '%s' -- %s", kd->name, val, why);
	else if (tmp[0].family != fam)
		err(p, file, line, "bad %s '%s' -- use an %s address", kd->name, val,
		    fam == AF_INET ? "IPv4" : "IPv6");
	else if (kd->type == T_IP4NET && (tmp[0].prefixlen < 8 || tmp[0].prefixlen > 30))
		err(p, file, line,
		    "bad %s '%s' -- give the gateway with its subnet's prefix, /8 to /30 "
		    "(10.1.1.1/24)",
		    kd->name, val);
	else if (kd->type != T_IP4NET && tmp[0].prefixlen >= 0)
		err(p, file, line, "bad %s '%s' -- give the address without a prefix", kd->name,
		    val);
	else {
		*a = tmp[0];
		if (kd->off_n)
			*(int *)(void *)(base + kd->off_n) = 1;
	}
}

/* The address-valued keys: VXLAN's (local, group, remote), routed and NAT
 * networks' (address, address6, dhcp-range). */
static void set_address_key(struct parser *p, const struct section *s, const struct keydef *kd,
			    char *base, const char *file, int line, char *val)
{
	if (kd->type == T_UADDR || kd->type == T_MADDR)
		set_addr(p, kd, (struct xp_ipaddr *)(void *)(base + kd->off), file, line, val);
	else if (kd->type == T_ADDRLIST)
		set_addrs(p, s, kd, base, file, line, val);
	else
		set_ip(p, kd, base, file, line, val);
}

static void set_value(struct parser *p, const struct section *s, const struct keydef *kd,
		      const char *file, int line, char *val)
{
	char *base = elem_base(p->c, s->kind, s->idx);
	int *ip = (int *)(void *)(base + kd->off);
	const char *why = NULL;
	int errors = p->errors;
	long v;
	int r;

	switch (kd->type) {
	case T_BOOL:
		if ((r = xp_lex_bool(val)) < 0)
			err(p, file, line,
			    "%s is not yes or no, '%s' -- use yes or no (or on/off, true/false, "
			    "1/0)",
			    kd->name, val);
		else
			*ip = r;
		break;
	case T_UINT:
	case T_NUM:
		if (xp_parse_uint(val, kd->lo, kd->hi, &v))
			err(p, file, line, "bad %s '%s' -- use a whole number from %ld to %ld%s",
			    kd->name, val, kd->lo, kd->hi, unit(kd));
		else
			*ip = (int)v;
		break;
	case T_UADDR:
	case T_MADDR:
	case T_ADDRLIST:
	case T_IP4:
	case T_IP6:
	case T_IP4NET:
	case T_RANGE:
		set_address_key(p, s, kd, base, file, line, val);
		return;
	case T_MTU:
		if (xp_parse_mtu(val, ip, &why))
			err(p, file, line, "bad mtu '%s' -- %s", val, why);
		break;
	case T_VLANID:
		if (xp_parse_vlan_id(val, ip, &why))
			err(p, file, line, "bad VLAN %s '%s' -- %s", kd->name, val, why);
		break;
	case T_IFNAME:
		if (xp_valid_ifname(val, &why))
			err(p, file, line, "bad interface name for %s, '%s' -- %s", kd->name, val,
			    why);
		else
			snprintf((char *)ip, XP_IFNAMSIZ, "%s", val);
		break;
	case T_IFLIST:
		set_list(p, s, kd, base, file, line, val);
		break;
	case T_MODE:
		if ((*ip = xp_bond_mode_parse(val)) < 0)
			err(p, file, line, "unknown bond mode '%s' -- use " BOND_MODES_LIST, val);
		break;
	case T_LACP:
		if ((*ip = lacp_rate_parse(val)) < 0)
			err(p, file, line, "bad lacp-rate '%s' -- use slow or fast", val);
		break;
	case T_XMIT:
		if ((*ip = xp_xmit_hash_parse(val)) < 0)
			err(p, file, line, "unknown xmit-hash-policy '%s' -- use " XMIT_HASH_LIST,
			    val);
		break;
	default:
		set_ovs_value(p, kd, file, line, val, ip);
		return;
	}
	if (errors == p->errors || kd->type == T_BOOL || kd->type == T_MTU || kd->type == T_IFLIST)
		return;
	if (kd->type == T_IFNAME) /* mark it reported: no "has no parent" on top */
		snprintf((char *)ip, XP_IFNAMSIZ, "%s", BAD_NAME);
	else
		*ip = BAD_INT;
}

static void key_line(struct parser *p, struct section *s, const char *file, int line, char *t,
		     char *eq)
{
	char *key, *val;
	const struct keydef *kd = NULL;

	*eq = '\0';
	key = xp_lex_trim(t);
	val = xp_lex_trim(eq + 1);
	if (!*key) {
		err(p, file, line, "line has no key before '=', '= %s' -- write KEY = VALUE", val);
		return;
	}
	xp_lex_norm_key(key);
	if (s->kind == K_SKIP) /* under a broken header: already reported */
		return;
	if (s->kind == K_NONE) {
		err(p, file, line,
		    "key outside any section, '%s' -- put it under a [KIND NAME] line", key);
		return;
	}
	for (size_t i = 0; i < NKEYS && !kd; i++)
		if (keys[i].kind == s->kind && !strcmp(keys[i].name, key))
			kd = &keys[i];
	if (!kd) {
		unknown_key(p, s, file, line, key);
		return;
	}
	if (s->seen[kd - keys]) {
		err(p, file, line, "key set twice in %s, '%s' (first at line %d) -- keep one",
		    s->label, key, s->seen[kd - keys]);
		return;
	}
	s->seen[kd - keys] = line;
	if (s->idx < p->nklines[s->kind])
		p->klines[s->kind][s->idx][kd - keys] = line;
	if (!*val) {
		err(p, file, line, "key has no value, '%s' -- write %s = VALUE or remove the line",
		    key, key);
		return;
	}
	if (kd->off_loc) /* the line that names the devices, for later messages */
		*(struct xp_loc *)(void *)(elem_base(p->c, s->kind, s->idx) + kd->off_loc) =
		    (struct xp_loc){file, line};
	set_value(p, s, kd, file, line, val);
}

/* ---- files and includes ------------------------------------------------ */

static void parse_text(struct parser *p, const char *file, char *text, size_t len);

static int file_index(const struct xp_conf *c, const char *file)
{
	for (size_t i = 0; i < c->nfiles; i++)
		if (c->files[i] == file)
			return (int)i;
	return -1;
}

/* Record a file; returns its stored display name, or NULL (error added). */
static const char *add_file(struct parser *p, const char *name, const char *real,
			    const struct xp_loc *from)
{
	struct xp_conf *c = p->c;
	char **nf = realloc(c->files, (c->nfiles + 1) * sizeof(*nf));
	char **nr;

	if (nf)
		c->files = nf;
	nr = nf ? realloc(p->real, (c->nfiles + 1) * sizeof(*nr)) : NULL;
	if (nr)
		p->real = nr;
	if (!nf || !nr || !(c->files[c->nfiles] = strdup(name)))
		goto nomem;
	if (!(p->real[c->nfiles] = strdup(real))) {
		free(c->files[c->nfiles]);
		goto nomem;
	}
	return c->files[c->nfiles++];
nomem:
	oom(p, from ? from->file : name, from ? from->line : 0);
	return NULL;
}

/* Is fd on a kernel pseudo-filesystem (/proc, /sys, ...)?  Its files look
 * regular, with size 0, and would read as an empty map. */
static int on_pseudo_fs(int fd)
{
	static const long magic[] = {PROC_SUPER_MAGIC,	  SYSFS_MAGIC,	    DEBUGFS_MAGIC,
				     TRACEFS_MAGIC,	  SECURITYFS_MAGIC, CGROUP_SUPER_MAGIC,
				     CGROUP2_SUPER_MAGIC, BPF_FS_MAGIC};
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		if ((long)sf.f_type == magic[i])
			return 1;
	return 0;
}

/* Parse one file (top level when from is NULL, else included at from). */
static void parse_path(struct parser *p, const char *path, const struct xp_loc *from)
{
	const char *at = from ? from->file : path;
	int atl = from ? from->line : 0;
	char real[PATH_MAX], *text = NULL;
	const char *name;
	struct stat st;
	FILE *f;
	size_t len;

	/* never open a FIFO or device: the open itself can block or act */
	if (realpath(path, real) && !stat(real, &st) && !S_ISREG(st.st_mode)) {
		err(p, at, atl, "cannot read %s, '%s' -- it must be a regular file",
		    from ? "included file" : "map", path);
		return;
	}
	if (!realpath(path, real) || !(f = fopen(path, "r"))) {
		err(p, at, atl, "cannot read %s, '%s': %s -- %s", from ? "included file" : "map",
		    path, strerror(errno),
		    from ? "fix the include path (relative to the including file)"
			 : "check the path");
		return;
	}
	for (int i = 0; i < p->depth; i++)
		if (!strcmp(p->stack[i], real)) {
			err(p, at, atl,
			    "include loop, '%s' is already being read -- remove this include",
			    path);
			goto out;
		}
	for (size_t i = 0; i < p->c->nfiles; i++)
		if (!strcmp(p->real[i], real)) {
			err(p, at, atl,
			    "file included twice, '%s' (first as '%s') -- include it once", path,
			    p->c->files[i]);
			goto out;
		}
	if (p->depth >= XP_INCLUDE_DEPTH) {
		err(p, at, atl,
		    "includes nested too deep, '%s' -- at most %d files may be open at once", path,
		    XP_INCLUDE_DEPTH);
		goto out;
	}
	if (on_pseudo_fs(fileno(f))) {
		err(p, at, atl,
		    "cannot read %s, '%s' -- it is a kernel file (/proc, /sys), not a map; "
		    "name a file of your own",
		    from ? "included file" : "map", path);
		goto out;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > XP_MAP_MAX_BYTES) {
		err(p, at, atl,
		    "cannot read %s, '%s' -- it must be a regular file of at most %d bytes",
		    from ? "included file" : "map", path, XP_MAP_MAX_BYTES);
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		oom(p, at, atl);
		goto out;
	}
	len = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		err(p, at, atl, "cannot read '%s': read error -- check the file", path);
		goto out;
	}
	text[len] = '\0';
	if (!(name = add_file(p, path, real, from)))
		goto out;
	p->stack[p->depth++] = p->real[p->c->nfiles - 1];
	parse_text(p, name, text, len);
	p->depth--;
out:
	free(text);
	fclose(f);
}

static void include_line(struct parser *p, const char *file, int line, char *arg)
{
	const char *slash = strrchr(file, '/');
	struct xp_loc from = {file, line};
	size_t alen = strlen(arg);
	char *pat;
	glob_t g;
	int r;

	if (alen >= 2 && arg[0] == '"' && arg[alen - 1] == '"') {
		arg[alen - 1] = '\0';
		arg++;
	}
	if (!*arg) {
		err(p, file, line,
		    "include without a path, 'include' -- write include PATH-OR-GLOB");
		return;
	}
	if (arg[0] == '/' || !slash)
		pat = strdup(arg);
	else if (asprintf(&pat, "%.*s/%s", (int)(slash - file), file, arg) < 0)
		pat = NULL;
	if (!pat) {
		oom(p, file, line);
		return;
	}
	if (!strpbrk(arg, "*?[")) {
		parse_path(p, pat, &from);
		free(pat);
		return;
	}
	r = glob(pat, 0, NULL, &g);
	if (r == 0)
		for (size_t i = 0; i < g.gl_pathc; i++)
			parse_path(p, g.gl_pathv[i], &from);
	else if (r != GLOB_NOMATCH)
		err(p, file, line, "cannot expand include, '%s' -- check the pattern", arg);
	if (r != GLOB_NOMATCH)
		globfree(&g);
	free(pat);
}

static int is_include(const char *t)
{
	return !strncmp(t, "include", 7) && (t[7] == '\0' || t[7] == ' ' || t[7] == '\t');
}

static void parse_text(struct parser *p, const char *file, char *text, size_t len)
{
	struct section s = {.kind = K_NONE};
	char *line = text, *end = text + len;
	int lineno = 0;

	/* a UTF-8 byte order mark (editors on Windows write one) */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		line += 3;
	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		char *t, *eq;

		if (nl)
			*nl = '\0';
		lineno++;
		if (strlen(line) != (size_t)((nl ? nl : end) - line)) {
			err(p, file, lineno,
			    "line holds a NUL byte -- save the file as plain text");
		} else if (!*(t = xp_lex_clean(line))) {
			/* blank or comment */
		} else if (t[0] == '[') {
			section_header(p, &s, file, lineno, t);
		} else if (is_include(t)) {
			include_line(p, file, lineno, xp_lex_trim(t + 7));
		} else if ((eq = strchr(t, '=')) != NULL) {
			key_line(p, &s, file, lineno, t, eq);
		} else {
			err(p, file, lineno,
			    "not a section, key or include, '%s' -- write [KIND NAME], KEY = VALUE "
			    "or include PATH",
			    t);
		}
		if (!nl)
			break;
		line = nl + 1;
	}
}

/* ---- whole-map checks ---------------------------------------------------- */

struct dev {
	const char *name;
	enum kind kind;
	const struct xp_loc *loc;
};

/* The line key (of kind k) was set on in element idx, else fallback (the
 * section header's line): whole-map errors name the offending key. */
static int kline(const struct parser *p, enum kind k, size_t idx, const char *key, int fallback)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].kind == k && !strcmp(keys[i].name, key))
			return idx < p->nklines[k] && p->klines[k][idx][i] ? p->klines[k][idx][i]
									   : fallback;
	return fallback;
}

/* Every netdev the map defines, bridges first. */
static size_t list_devs(const struct xp_conf *c, struct dev *out)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nbridges; i++)
		out[n++] = (struct dev){c->bridges[i].name, K_BRIDGE, &c->bridges[i].loc};
	for (size_t i = 0; i < c->nvlans; i++)
		out[n++] = (struct dev){c->vlans[i].name, K_VLAN, &c->vlans[i].loc};
	for (size_t i = 0; i < c->nbonds; i++)
		out[n++] = (struct dev){c->bonds[i].name, K_BOND, &c->bonds[i].loc};
	for (size_t i = 0; i < c->ndummies; i++)
		out[n++] = (struct dev){c->dummies[i].name, K_DUMMY, &c->dummies[i].loc};
	for (size_t i = 0; i < c->nvxlans; i++)
		out[n++] = (struct dev){c->vxlans[i].name, K_VXLAN, &c->vxlans[i].loc};
	return n;
}

/* Is location a before b in reading order? */
static int loc_before(const struct xp_conf *c, const struct xp_loc *a, const struct xp_loc *b)
{
	int fa = file_index(c, a->file), fb = file_index(c, b->file);

	return fa != fb ? fa < fb : a->line < b->line;
}

/* devs is list_devs' list: in the index's order (while it lists the
 * indexed kinds alone). */
static const struct dev *find_dev(const struct xp_conf *c, const struct dev *devs, size_t n,
				  const char *name)
{
	size_t pos = 0;
	int r = n == c->nindexed ? index_find(c, name, &pos) : -1;

	if (r > 0 && pos < n && !strcmp(devs[pos].name, name))
		return &devs[pos];
	for (size_t i = 0; r && i < n; i++)
		if (!strcmp(devs[i].name, name))
			return &devs[i];
	return NULL;
}

/* The interfaces dev sits directly on: ports, slaves, or a VLAN's parent. */
static size_t lowers(const struct xp_conf *c, const struct dev *dv, const char **out, size_t max)
{
	size_t n = 0;

	if (dv->kind == K_BRIDGE) {
		const struct xp_bridge *b = xp_conf_bridge(c, dv->name);
		for (size_t i = 0; i < b->nports && n < max; i++)
			out[n++] = b->ports[i];
	} else if (dv->kind == K_BOND) {
		const struct xp_bond *b = xp_conf_bond(c, dv->name);
		for (size_t i = 0; i < b->nslaves && n < max; i++)
			out[n++] = b->slaves[i];
	} else if (dv->kind == K_VLAN) {
		const struct xp_vlan *v = xp_conf_vlan(c, dv->name);
		if (v->parent[0])
			out[n++] = v->parent;
	} else if (dv->kind == K_VXLAN) {
		const struct xp_vxlan *v = xp_conf_vxlan(c, dv->name);
		if (v->device[0])
			out[n++] = v->device;
	}
	return n;
}

/* Does name sit, at any depth, on target? */
static int sits_on(const struct xp_conf *c, const struct dev *devs, size_t ndev, const char *name,
		   const char *target, int depth)
{
	const struct dev *dv = find_dev(c, devs, ndev, name);
	const char *low[64];
	size_t n;

	if (!dv || depth > 16)
		return 0;
	n = lowers(c, dv, low, NELEM(low));
	for (size_t i = 0; i < n; i++)
		if (!strcmp(low[i], target) || sits_on(c, devs, ndev, low[i], target, depth + 1))
			return 1;
	return 0;
}

static void check_names(struct parser *p, const struct dev *devs, size_t n)
{
	struct xp_nametab uses = {0}; /* name -> devices of that name */
	long k;

	for (size_t j = 0; j < n; j++)
		xp_nametab_put(&uses, devs[j].name,
			       xp_nametab_get(&uses, devs[j].name, &k) ? k + 1 : 1);
	for (size_t j = 0; j < n; j++) {
		/* a name used once (one too long for the table: scanned) */
		if (xp_nametab_get(&uses, devs[j].name, &k) && k == 1)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (i == j || strcmp(devs[i].name, devs[j].name) ||
			    !loc_before(p->c, devs[i].loc, devs[j].loc))
				continue;
			err(p, devs[j].loc->file, devs[j].loc->line,
			    "name already defined, '%s' (as [%s %s] at %s:%d) -- give each "
			    "interface one section",
			    devs[j].name, kind_names[devs[i].kind], devs[i].name, devs[i].loc->file,
			    devs[i].loc->line);
			break;
		}
	}
	xp_nametab_free(&uses);
}

static void check_vlans(struct parser *p, const struct dev *devs, size_t n)
{
	for (size_t i = 0; i < p->c->nvlans; i++) {
		struct xp_vlan *v = &p->c->vlans[i];
		const char *f = v->loc.file, *dot = strrchr(v->name, '.');
		long nid = -1;
		int l = v->loc.line;
		const struct dev *par;

		if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1) &&
		    xp_parse_uint(dot + 1, 0, 9999999, &nid))
			nid = 10000000; /* digits, but too many: out of range below */
		if (v->id == BAD_INT)
			; /* reported where it was set */
		else if (v->id == XP_UNSET && nid >= 0 && (nid < 1 || nid > 4094))
			err(p, f, l,
			    "bad VLAN id in name '%s', '%s' -- VLAN id must be a number from 1 to "
			    "4094 (or set id = ID)",
			    v->name, dot + 1);
		else if (v->id == XP_UNSET && nid >= 0)
			v->id = (int)nid;
		else if (v->id == XP_UNSET)
			err(p, f, l,
			    "vlan has no id, '%s' -- set id = 1..4094 or name it PARENT.ID",
			    v->name);
		else if (nid >= 0 && nid != v->id)
			err(p, f, kline(p, K_VLAN, i, "id", l),
			    "vlan name says id %ld but id = %d, '%s' -- make the name and the id "
			    "agree",
			    nid, v->id, v->name);
		if (!v->parent[0]) {
			if (dot && nid >= 0 && dot > v->name)
				snprintf(v->parent, sizeof(v->parent), "%.*s", (int)(dot - v->name),
					 v->name);
			else
				err(p, f, l, "vlan has no parent, '%s' -- set parent = INTERFACE",
				    v->name);
		}
		par = v->parent[0] ? find_dev(p->c, devs, n, v->parent) : NULL;
		if (par && par->kind == K_VLAN)
			err(p, f, kline(p, K_VLAN, i, "parent", l),
			    "vlan on top of a vlan, parent '%s' -- set parent to a NIC, bond, "
			    "dummy "
			    "or bridge",
			    v->parent);
		if (par && v->mtu != XP_UNSET) {
			const struct xp_bond *b = xp_conf_bond(p->c, par->name);
			const struct xp_bridge *br = xp_conf_bridge(p->c, par->name);
			const struct xp_dummy *du = xp_conf_dummy(p->c, par->name);
			int pm = b ? b->mtu : br ? br->mtu : du ? du->mtu : XP_UNSET;
			if (pm != XP_UNSET && v->mtu > pm)
				err(p, f, kline(p, K_VLAN, i, "mtu", l),
				    "vlan mtu above its parent's, '%d' (parent '%s' has mtu %d) -- "
				    "lower it or raise the parent's",
				    v->mtu, v->parent, pm);
		}
	}
}

struct member {
	const char *ifname;
	enum kind master_kind;
	const char *master;
	const struct xp_loc *loc;
	int line; /* of the ports / slaves key */
};

static const char *role(enum kind k)
{
	return k == K_BRIDGE ? "a port of bridge" : "a slave of bond";
}

static void check_member(struct parser *p, const struct dev *devs, size_t n, const struct member *m,
			 const struct member *prev, size_t nprev)
{
	const struct dev *low = find_dev(p->c, devs, n, m->ifname);
	const char *f = m->loc->file;
	int l = m->line;

	if (low && low->kind == K_BRIDGE) {
		err(p, f, l,
		    "a bridge cannot be %s '%s', '%s' -- remove it (connect bridges with a veth "
		    "pair instead)",
		    role(m->master_kind), m->master, m->ifname);
		return;
	}
	if (m->master_kind == K_BOND && low && low->kind == K_VXLAN) {
		err(p, f, l,
		    "bond enslaves a vxlan, '%s' -- make it a port of a bridge; the bond belongs "
		    "under it (device = BOND)",
		    m->ifname);
		return;
	}
	if (m->master_kind == K_BOND && low && low->kind == K_BOND) {
		err(p, f, l, "bond enslaves a bond, '%s' -- list its NICs in slaves instead",
		    m->ifname);
		return;
	}
	if (sits_on(p->c, devs, n, m->ifname, m->master, 0)) {
		err(p, f, l, "loop: '%s' runs on top of '%s', so it cannot be %s '%s' -- remove it",
		    m->ifname, m->master, role(m->master_kind), m->master);
		return;
	}
	for (size_t i = 0; i < nprev; i++) {
		const struct member *o = &prev[i];
		if (strcmp(o->ifname, m->ifname))
			continue;
		if (o->master_kind == K_BOND && m->master_kind == K_BRIDGE)
			err(p, f, l,
			    "bond slave used as a bridge port, '%s' (slave of bond '%s' at %s:%d) "
			    "-- "
			    "make '%s' the port of bridge '%s' instead",
			    m->ifname, o->master, o->loc->file, o->line, o->master, m->master);
		else
			err(p, f, l,
			    "interface has two masters, '%s' is %s '%s' (%s:%d) and %s '%s' -- "
			    "an interface can belong to one bridge or bond only",
			    m->ifname, role(o->master_kind), o->master, o->loc->file, o->line,
			    role(m->master_kind), m->master);
		return;
	}
}

/* Bridge ports and bond slaves: what each may be, and one master each.
 * Bond slaves are checked first, so a slave reused as a port is reported
 * at the bridge. */
static void check_members(struct parser *p, const struct dev *devs, size_t n)
{
	const struct xp_conf *c = p->c;
	size_t total = 0, k = 0;
	struct xp_nametab seen = {0}; /* ifname -> its first member */
	struct member *m;

	for (size_t i = 0; i < c->nbridges; i++)
		total += c->bridges[i].nports;
	for (size_t i = 0; i < c->nbonds; i++)
		total += c->bonds[i].nslaves;
	if (!total)
		return;
	m = calloc(total, sizeof(*m));
	if (!m) {
		oom(p, NULL, 0);
		return;
	}
	for (size_t i = 0; i < c->nbonds; i++) {
		int l = kline(p, K_BOND, i, "slaves", c->bonds[i].loc.line);
		for (size_t j = 0; j < c->bonds[i].nslaves; j++)
			m[k++] = (struct member){c->bonds[i].slaves[j], K_BOND, c->bonds[i].name,
						 &c->bonds[i].loc, l};
	}
	for (size_t i = 0; i < c->nbridges; i++) {
		int l = kline(p, K_BRIDGE, i, "ports", c->bridges[i].loc.line);
		for (size_t j = 0; j < c->bridges[i].nports; j++)
			m[k++] = (struct member){c->bridges[i].ports[j], K_BRIDGE,
						 c->bridges[i].name, &c->bridges[i].loc, l};
	}
	for (size_t i = 0; i < total; i++) {
		long f; /* the first member of that name: the one check_member reports */
		if (strnlen(m[i].ifname, XP_IFNAMSIZ) >= XP_IFNAMSIZ)
			check_member(p, devs, n, &m[i], m, i);
		else if (xp_nametab_get(&seen, m[i].ifname, &f))
			check_member(p, devs, n, &m[i], &m[f], 1);
		else {
			xp_nametab_put(&seen, m[i].ifname, (long)i);
			check_member(p, devs, n, &m[i], m, 0);
		}
	}
	xp_nametab_free(&seen);
	free(m);
}

/* Keys of one bridge type on a bridge of the other. */
static void check_ovs_bridge(struct parser *p, const struct xp_bridge *b)
{
	const char *f = b->loc.file, *k = NULL;
	int l = b->loc.line;

	if (b->type != XP_BR_OVS) {
		if (b->datapath_type[0] || b->iface_id_by_name)
			err(p, f, l,
			    "%s needs type = openvswitch, bridge '%s' is a Linux bridge -- remove "
			    "it or set type = openvswitch",
			    b->datapath_type[0] ? "datapath-type" : "iface-id", b->name);
		return;
	}
	if (b->stp >= 0)
		k = "stp";
	else if (b->forward_delay >= 0)
		k = "forward-delay";
	else if (b->vlan_filtering >= 0)
		k = "vlan-filtering";
	else if (b->move_addresses)
		k = "move-addresses";
	else if (b->antispoof)
		k = "antispoof";
	if (k)
		err(p, f, l,
		    "%s is a Linux bridge key, bridge '%s' has type = openvswitch -- remove it "
		    "(Open vSwitch bridges always filter VLANs by the ports' tag/trunks)",
		    k, b->name);
}

static void check_bridges(struct parser *p)
{
	const struct xp_bridge *first = NULL;

	for (size_t i = 0; i < p->c->nbridges; i++) {
		const struct xp_bridge *b = &p->c->bridges[i];
		const char *f = b->loc.file;
		int l = b->loc.line;

		if (b->is_default && first)
			err(p, f, kline(p, K_BRIDGE, i, "default", l),
			    "second default bridge, '%s' (first is '%s' at %s:%d) -- set default = "
			    "yes on one bridge only",
			    b->name, first->name, first->loc.file,
			    kline(p, K_BRIDGE, (size_t)(first - p->c->bridges), "default",
				  first->loc.line));
		else if (b->is_default)
			first = b;
		check_ovs_bridge(p, b);
		if (b->stp == 1 && b->forward_delay >= 0 && b->forward_delay < 2)
			err(p, f, kline(p, K_BRIDGE, i, "forward-delay", l),
			    "forward-delay too short for STP, '%d' -- with stp = on use 2 to 30 "
			    "seconds",
			    b->forward_delay);
	}
}

static int slave_of(const struct xp_bond *b, const char *name)
{
	for (size_t i = 0; i < b->nslaves; i++)
		if (!strcmp(b->slaves[i], name))
			return 1;
	return 0;
}

static void check_bonds(struct parser *p)
{
	for (size_t i = 0; i < p->c->nbonds; i++) {
		const struct xp_bond *b = &p->c->bonds[i];
		const char *f = b->loc.file;
		int l = b->loc.line, m = b->mode;
		const char *mn = m == XP_UNSET ? "balance-rr (the default)" : xp_bond_mode_name(m);

		if (m == BAD_INT)
			continue; /* a bad mode: mode-specific checks would only guess */
		if (b->lacp_rate >= 0 && m != XP_BOND_8023AD)
			err(p, f, kline(p, K_BOND, i, "lacp-rate", l),
			    "lacp-rate needs mode 802.3ad, bond '%s' has mode %s -- remove "
			    "lacp-rate "
			    "or set mode = 802.3ad",
			    b->name, mn);
		if (b->xmit_hash_policy >= 0 && m != XP_BOND_8023AD && m != XP_BOND_BALANCE_XOR &&
		    m != XP_BOND_BALANCE_TLB)
			err(p, f, kline(p, K_BOND, i, "xmit-hash-policy", l),
			    "xmit-hash-policy has no effect in mode %s, bond '%s' -- remove it or "
			    "use "
			    "mode 802.3ad, balance-xor or balance-tlb",
			    mn, b->name);
		if (b->primary[0] && m != XP_BOND_ACTIVE_BACKUP && m != XP_BOND_BALANCE_TLB &&
		    m != XP_BOND_BALANCE_ALB)
			err(p, f, kline(p, K_BOND, i, "primary", l),
			    "primary needs mode active-backup, balance-tlb or balance-alb, bond "
			    "'%s' "
			    "has mode %s -- remove primary or change the mode",
			    b->name, mn);
		else if (b->primary[0] && strcmp(b->primary, BAD_NAME) && !slave_of(b, b->primary))
			err(p, f, kline(p, K_BOND, i, "primary", l),
			    "primary is not a slave of bond '%s', '%s' -- add it to slaves or "
			    "pick one of the slaves",
			    b->name, b->primary);
		for (int k = 0; k < 2; k++) {
			int dl = k ? b->downdelay : b->updelay;
			const char *kn = k ? "downdelay" : "updelay";
			if (dl <= 0)
				continue;
			if (b->miimon == BAD_INT)
				continue;
			if (b->miimon <= 0)
				err(p, f, kline(p, K_BOND, i, kn, l),
				    "%s without miimon in bond '%s', '%d' -- set miimon (e.g. 100) "
				    "or "
				    "remove %s",
				    kn, b->name, dl, kn);
			else if (dl % b->miimon)
				err(p, f, kline(p, K_BOND, i, kn, l),
				    "%s is not a multiple of miimon %d in bond '%s', '%d' -- use a "
				    "multiple of %d",
				    kn, b->miimon, b->name, dl, b->miimon);
		}
	}
}

static void check_networks(struct parser *p, const struct dev *devs, size_t n)
{
	const struct xp_conf *c = p->c;

	for (size_t i = 0; i < c->nnetworks; i++) {
		const struct xp_network *nw = &c->networks[i];
		const struct xp_bridge *br = xp_conf_bridge(c, nw->bridge);
		const struct dev *dv = find_dev(c, devs, n, nw->bridge);
		const struct xp_bridge *clash = xp_conf_bridge(c, nw->name);
		const char *f = nw->loc.file;
		int l = nw->loc.line;

		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->networks[j].name, nw->name)) {
				err(p, f, l,
				    "network defined twice, '%s' (first at %s:%d) -- give each "
				    "network "
				    "one section",
				    nw->name, c->networks[j].loc.file, c->networks[j].loc.line);
				break;
			}
		if (clash)
			err(p, f, l,
			    "network has the name of a bridge, '%s' (bridge at %s:%d) -- rename "
			    "the "
			    "network",
			    nw->name, clash->loc.file, clash->loc.line);
		if (!strcmp(nw->bridge, BAD_NAME))
			continue;
		if (!nw->bridge[0])
			err(p, f, l, "network has no bridge, '%s' -- set bridge = BRIDGE",
			    nw->name);
		else if (dv && !br)
			err(p, f, kline(p, K_NETWORK, i, "bridge", l),
			    "network bridge is a %s, not a bridge, '%s' -- name a [bridge]",
			    kind_names[dv->kind], nw->bridge);
		else if (!br)
			err(p, f, kline(p, K_NETWORK, i, "bridge", l),
			    "network names a bridge not in the map, '%s' -- add [bridge %s] or fix "
			    "the name",
			    nw->bridge, nw->bridge);
		else if (nw->vlan > 0 && br->vlan_filtering != 1 && br->type != XP_BR_OVS)
			err(p, f, kline(p, K_NETWORK, i, "vlan", l),
			    "network vlan on a bridge without VLAN filtering, '%s' -- set "
			    "vlan-filtering = yes in [bridge %s]",
			    nw->bridge, nw->bridge);
	}
}

/* The device's MTU as the map sets it (XP_UNSET when it does not). */
static int map_mtu(const struct xp_conf *c, const char *name)
{
	const struct xp_bond *b = xp_conf_bond(c, name);
	const struct xp_bridge *br = xp_conf_bridge(c, name);
	const struct xp_dummy *du = xp_conf_dummy(c, name);
	const struct xp_vlan *vl = xp_conf_vlan(c, name);

	return b ? b->mtu : br ? br->mtu : du ? du->mtu : vl ? vl->mtu : XP_UNSET;
}

/* One family for local, remotes and group; no remote is local itself. */
static void check_vxlan_addrs(struct parser *p, const struct xp_vxlan *v)
{
	const char *f = v->loc.file;
	int l = v->loc.line, fam = v->local.family > 0 ? v->local.family : v->group.family;
	char a[64], b[64];

	if (v->local.family > 0 && v->group.family > 0 && v->group.family != fam)
		err(p, f, l,
		    "vxlan '%s' mixes address families, local %s and group %s -- use IPv4 or "
		    "IPv6 for both",
		    v->name, xp_ipaddr_format(&v->local, a, sizeof(a)),
		    xp_ipaddr_format(&v->group, b, sizeof(b)));
	for (size_t i = 0; i < v->nremotes; i++) {
		const struct xp_ipaddr *r = &v->remotes[i];
		xp_ipaddr_format(r, b, sizeof(b));
		if (fam > 0 && r->family != fam)
			err(p, f, l,
			    "vxlan '%s' mixes address families, remote %s and local %s -- use one "
			    "family for the whole segment",
			    v->name, b, xp_ipaddr_format(&v->local, a, sizeof(a)));
		else if (fam <= 0 && r->family != v->remotes[0].family)
			err(p, f, l,
			    "vxlan '%s' mixes address families in remote, '%s' -- use one family "
			    "for the whole segment",
			    v->name, b);
		else if (xp_ipaddr_equal(r, &v->local))
			err(p, f, l,
			    "vxlan '%s' lists its own local address as a remote, '%s' -- remove it "
			    "from remote (list the other hosts)",
			    v->name, b);
	}
}

static void check_vxlan(struct parser *p, const struct dev *devs, size_t n,
			const struct xp_vxlan *v)
{
	const char *f = v->loc.file;
	int l = v->loc.line;
	const struct dev *dv = v->device[0] ? find_dev(p->c, devs, n, v->device) : NULL;
	int um;

	if (v->vni == XP_UNSET)
		err(p, f, l, "vxlan has no vni, '%s' -- set vni = 1..%d (the same on every host)",
		    v->name, XP_VXLAN_VNI_MAX);
	if (!v->local.family && !v->device[0])
		err(p, f, l,
		    "vxlan has no underlay, '%s' -- set local = THIS-HOST'S-ADDRESS or device = "
		    "INTERFACE",
		    v->name);
	if (v->has_remote && v->group.family)
		err(p, f, l,
		    "vxlan has both remote and group, '%s' -- use a static flood list (remote) or "
		    "a multicast group, not both",
		    v->name);
	else if (v->group.family > 0 && !v->device[0])
		err(p, f, l,
		    "vxlan group needs a device, '%s' -- set device = the interface that joins "
		    "the group",
		    v->name);
	if (dv && dv->kind == K_VXLAN)
		err(p, f, l,
		    "vxlan on top of a vxlan, device '%s' -- name the underlay NIC, bond "
		    "or VLAN",
		    v->device);
	if (v->local.family >= 0 && v->group.family >= 0)
		check_vxlan_addrs(p, v);
	um = v->device[0] ? map_mtu(p->c, v->device) : XP_UNSET;
	if (v->mtu > 0 && um > 0 && v->mtu > um - (xp_vxlan_family(v) == AF_INET6 ? 70 : 50))
		err(p, f, l,
		    "vxlan mtu does not fit its device, '%d' (%s has mtu %d, VXLAN needs %d of "
		    "it) -- lower it to %d or raise the device's",
		    v->mtu, v->device, um, xp_vxlan_family(v) == AF_INET6 ? 70 : 50,
		    um - (xp_vxlan_family(v) == AF_INET6 ? 70 : 50));
}

static void check_vxlans(struct parser *p, const struct dev *devs, size_t n)
{
	const struct xp_conf *c = p->c;

	for (size_t i = 0; i < c->nvxlans; i++) {
		const struct xp_vxlan *v = &c->vxlans[i];
		check_vxlan(p, devs, n, v);
		for (size_t j = 0; j < i && v->vni > 0; j++) {
			const struct xp_vxlan *o = &c->vxlans[j];
			if (o->vni != v->vni || xp_vxlan_port(o) != xp_vxlan_port(v))
				continue;
			err(p, v->loc.file, v->loc.line,
			    "VNI %d on port %d used twice, '%s' (and [vxlan %s] at %s:%d) -- give "
			    "each segment its own VNI",
			    v->vni, xp_vxlan_port(v), v->name, o->name, o->loc.file, o->loc.line);
			break;
		}
	}
}

/* Is name taken by another network-like section or a bridge?  Reports
 * the clash at (f, l). */
static void l3_name(struct parser *p, const char *what, const char *name, const void *self,
		    const char *f, int l)
{
	const struct xp_conf *c = p->c;
	const struct xp_bridge *br = xp_conf_bridge(c, name);
	const struct xp_network *nw = xp_conf_network(c, name);
	const struct xp_routed *r = xp_conf_routed(c, name);
	const struct xp_nat *n = xp_conf_nat(c, name);
	const struct xp_loc *other = NULL;

	if (br)
		other = &br->loc;
	else if (nw)
		other = &nw->loc;
	else if (r && (const void *)r != self)
		other = &r->loc;
	else if (n && (const void *)n != self)
		other = &n->loc;
	if (other)
		err(p, f, l, "%s network name already used, '%s' (at %s:%d) -- rename one", what,
		    name, other->file, other->line);
}

static uint32_t ip4val(const struct xp_ipaddr *a)
{
	return (uint32_t)a->addr[0] << 24 | (uint32_t)a->addr[1] << 16 | (uint32_t)a->addr[2] << 8 |
	       a->addr[3];
}

static void check_nat(struct parser *p, const struct xp_nat *n)
{
	const struct xp_conf *c = p->c;
	const char *f = n->loc.file;
	int l = n->loc.line;
	uint32_t mask, net;

	l3_name(p, "nat", n->name, n, f, l);
	if (!strcmp(n->bridge, BAD_NAME))
		return;
	if (!n->bridge[0])
		err(p, f, l, "nat network has no bridge, '%s' -- set bridge = BRIDGE", n->name);
	else if (!xp_conf_bridge(c, n->bridge))
		err(p, f, l,
		    "nat network names a bridge not in the map, '%s' -- add [bridge %s] or fix "
		    "the name",
		    n->bridge, n->bridge);
	else if (xp_conf_nat_of_bridge(c, n->bridge) != n)
		err(p, f, l, "bridge already has a nat network, '%s' -- one [nat] per bridge",
		    n->bridge);
	if (n->address.family <= 0) {
		if (!n->address.family)
			err(p, f, l,
			    "nat network has no address, '%s' -- set address = GATEWAY/PREFIX",
			    n->name);
		return;
	}
	mask = 0xffffffffu << (32 - n->address.prefixlen);
	net = ip4val(&n->address) & mask;
	if (n->range_lo.family > 0 &&
	    ((ip4val(&n->range_lo) & mask) != net || (ip4val(&n->range_hi) & mask) != net ||
	     ip4val(&n->range_lo) > ip4val(&n->range_hi)))
		err(p, f, l,
		    "dhcp-range not inside the nat network's subnet, or backwards -- give FIRST "
		    "LAST within the subnet of address");
}

static void check_l3(struct parser *p)
{
	const struct xp_conf *c = p->c;

	for (size_t i = 0; i < c->nrouted; i++) {
		const struct xp_routed *r = &c->routed[i];

		l3_name(p, "routed", r->name, r, r->loc.file, r->loc.line);
		if (!r->uplink[0])
			err(p, r->loc.file, r->loc.line,
			    "routed network has no uplink, '%s' -- set uplink = INTERFACE",
			    r->name);
		else if (strcmp(r->uplink, BAD_NAME) && xp_conf_nat_of_bridge(c, r->uplink))
			err(p, r->loc.file, r->loc.line,
			    "routed uplink is a nat network's bridge, '%s' -- name the interface "
			    "to the outside",
			    r->uplink);
	}
	for (size_t i = 0; i < c->nnats; i++)
		check_nat(p, &c->nats[i]);
}

/* Emit the held-back errors sorted by file, then line (stable). */
static void flush_pending(struct parser *p)
{
	struct pending *q = p->pend;

	for (size_t i = 1; i < p->npend; i++)
		for (size_t j = i; j > 0; j--) {
			struct xp_loc a = {q[j - 1].file, q[j - 1].line},
				      b = {q[j].file, q[j].line};
			struct pending t;
			if (!loc_before(p->c, &b, &a))
				break;
			t = q[j - 1];
			q[j - 1] = q[j];
			q[j] = t;
		}
	for (size_t i = 0; i < p->npend; i++) {
		xp_diag_add(p->d, q[i].file, q[i].line, "%s", q[i].msg);
		free(q[i].msg);
	}
	free(q);
	p->pend = NULL;
	p->npend = 0;
}

static void check_map(struct parser *p)
{
	const struct xp_conf *c = p->c;
	size_t total = c->nbridges + c->nvlans + c->nbonds + c->ndummies + c->nvxlans, n;
	struct dev *devs = calloc(total ? total : 1, sizeof(*devs));

	if (!devs) {
		oom(p, NULL, 0);
		return;
	}
	n = list_devs(c, devs);
	index_names(p->c);
	p->defer = 1;
	check_names(p, devs, n);
	check_vlans(p, devs, n);
	check_members(p, devs, n);
	check_bridges(p);
	check_bonds(p);
	check_networks(p, devs, n);
	check_vxlans(p, devs, n);
	check_l3(p);
	p->defer = 0;
	free(devs);
	flush_pending(p);
}

/* ---- entry points ------------------------------------------------------ */

static int finish(struct parser *p)
{
	for (size_t i = 0; i < p->c->nfiles; i++)
		free(p->real[i]);
	free(p->real);
	check_map(p); /* even after syntax errors: every error in one run */
	for (size_t k = 0; k < K_SKIP; k++)
		free(p->klines[k]);
	if (p->errors)
		xp_conf_free(p->c);
	return p->errors;
}

int xp_conf_load(const char *path, struct xp_conf *c, struct xp_diag *d)
{
	struct parser p = {.c = c, .d = d};

	memset(c, 0, sizeof(*c));
	if (!path) {
		err(&p, "(map)", 0, "no map path given -- name a file");
		return finish(&p);
	}
	parse_path(&p, path, NULL);
	return finish(&p);
}

int xp_conf_parse_string(const char *name, const char *text, struct xp_conf *c, struct xp_diag *d)
{
	struct parser p = {.c = c, .d = d};
	char real[PATH_MAX];
	size_t len = strlen(text);
	char *copy = strdup(text);
	const char *file;

	memset(c, 0, sizeof(*c));
	if (!realpath(name, real))
		snprintf(real, sizeof(real), "%s", name);
	if (!copy) {
		oom(&p, name, 0);
		return finish(&p);
	}
	file = add_file(&p, name, real, NULL);
	if (file) {
		p.stack[p.depth++] = p.real[0];
		parse_text(&p, file, copy, len);
	}
	free(copy);
	return finish(&p);
}
