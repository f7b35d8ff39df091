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
	for (size_t pos = 0; pos < n; pos++)
		if (!xp_nametab_get(&c->byname, pos_name(c, pos), NULL))
			xp_nametab_put(&c->byname, pos_name(c, pos), (long)pos);
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

	if (r > 0 && (pos < base || pos - base >= n))
		return -1;
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
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->bridges);
	free(c->vlans);
	free(c->bonds);
	free(c->dummies);
	free(c->networks);
	free(c->files);
	xp_nametab_free(&c->byname);
	memset(c, 0, sizeof(*c));
}

/* ---- sections and keys ------------------------------------------------- */

enum kind { K_NONE, K_BRIDGE, K_VLAN, K_BOND, K_DUMMY, K_NETWORK, K_GLOBAL, K_SKIP };
static const char *const kind_names[] = {"",	  "bridge",  "vlan",  "bond",
					 "dummy", "network", "global"};
#define KINDS_LIST "bridge, vlan, bond, dummy, network or global"

enum vtype { T_BOOL, T_UINT, T_MTU, T_VLANID, T_IFNAME, T_IFLIST, T_MODE, T_LACP, T_XMIT };

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
    {K_NETWORK, "bridge", T_IFNAME, NW(bridge), 0, 0, 0, 0},
    {K_NETWORK, "vlan", T_VLANID, NW(vlan), 0, 0, 0, 0},
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
	case K_NETWORK:
		return (char *)&c->networks[idx];
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
	case K_NETWORK: {
		struct xp_network *nw = grow(&c->networks, &c->nnetworks, sizeof(*nw));
		if (nw) {
			nw->loc = loc;
			*idx = c->nnetworks - 1;
		}
		e = nw;
		break;
	}
	default:
		return NULL;
	}
	if (e) /* name is the first member of every kind */
		snprintf(e, k == K_NETWORK ? XP_NETNAME_MAX : XP_IFNAMSIZ, "%s", name);
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
	for (size_t i = K_BRIDGE; i <= K_GLOBAL; i++)
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
	if (k == K_NETWORK ? (why = netname_why(w[1])) != NULL : xp_valid_ifname(w[1], &why)) {
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
		if (xp_parse_uint(val, kd->lo, kd->hi, &v))
			err(p, file, line, "bad %s '%s' -- use a whole number from %ld to %ld%s",
			    kd->name, val, kd->lo, kd->hi,
			    kd->hi == XP_DELAY_MAX ? " (milliseconds)" : " (seconds)");
		else
			*ip = (int)v;
		break;
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
		if (!strcasecmp(val, "slow") || !strcmp(val, "0"))
			*ip = 0;
		else if (!strcasecmp(val, "fast") || !strcmp(val, "1"))
			*ip = 1;
		else
			err(p, file, line, "bad lacp-rate '%s' -- use slow or fast", val);
		break;
	case T_XMIT:
		if ((*ip = xp_xmit_hash_parse(val)) < 0)
			err(p, file, line, "unknown xmit-hash-policy '%s' -- use " XMIT_HASH_LIST,
			    val);
		break;
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
		else if (nw->vlan > 0 && br->vlan_filtering != 1)
			err(p, f, kline(p, K_NETWORK, i, "vlan", l),
			    "network vlan on a bridge without VLAN filtering, '%s' -- set "
			    "vlan-filtering = yes in [bridge %s]",
			    nw->bridge, nw->bridge);
	}
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
	size_t total = c->nbridges + c->nvlans + c->nbonds + c->ndummies, n;
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
