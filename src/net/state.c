/* The state file; see state.h.  Format, one record a line:
 *   dev NAME KIND IFINDEX
 *   port BRIDGE PORT
 *   slave BOND SLAVE WAS_UP
 *   addr FROM TO ADDR/PLEN FLAGS SCOPE BROADCAST|- [had] [nl IFINDEX HEX]
 *   route FROM TO TABLE DST/LEN GW|- PREFSRC|- METRIC PROTO SCOPE TYPE TOS
 *         [had] [nl IFINDEX HEX]
 * ("had": the bridge had it already; stop gives the port its copy back and
 * leaves the bridge's)
 * ("nl IFINDEX HEX": the kernel's own message as it was dumped from the
 * device with that ifindex, in hex: what a move re-sends, every attribute
 * included)
 * with KIND one of bridge bond vlan dummy and "-" for a missing value.
 * The journal (state.journal) holds the same lines, and "-" then a record
 * for its removal; a replay applies them in order. */
#include "net/state.h"

#include "common/nametab.h"
#include "net/grow.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_FILE   "state"
#define JOURNAL_FILE "state.journal"

const char *xp_state_dir(void)
{
	const char *d = getenv("XENPLUMB_STATE_DIR");
	return d && *d ? d : XP_STATE_DIR_DEFAULT;
}

int xp_state_dir_ensure(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return 0;
}

/* The name index of devs: a state of DEVIX_MIN records or more made by
 * xp_state_add_dev has one (smaller ones, and hand-built ones, are
 * scanned).  It is right while gen == devgen, and rebuilt by the next
 * look-up otherwise: appends and removals keep it right (dev_remove); a
 * change to devs made any other way must move devgen. */
#define DEVIX_MIN 16
struct xp_st_devix {
	struct xp_nametab t; /* name -> index in devs (the first of a name) */
	unsigned long gen;
};

static void devix_free(struct xp_state *s)
{
	if (s->devix)
		xp_nametab_free(&s->devix->t);
	free(s->devix);
	s->devix = NULL;
}

void xp_state_free(struct xp_state *s)
{
	xp_state_journal_close(s);
	devix_free(s);
	free(s->devs);
	free(s->ports);
	free(s->slaves);
	free(s->moves);
	free(s->mtus);
	free(s->pvlans);
	memset(s, 0, sizeof(*s));
}

/* ---- one record as a line ---- */

#define LINE_MAX_LEN (2 * XP_NL_MAX + 400)

static void ip_str(int family, const uint8_t *a, char *buf, size_t len)
{
	if (!inet_ntop(family, a, buf, (socklen_t)len))
		snprintf(buf, len, "-");
}

static int fmt_dev(char *buf, size_t len, const struct xp_st_dev *d)
{
	return snprintf(buf, len, "dev %s %s %d\n", d->name, xp_kind_name(d->kind), d->ifindex);
}

static int fmt_port(char *buf, size_t len, const struct xp_st_port *p)
{
	return snprintf(buf, len, "port %s %s\n", p->bridge, p->port);
}

static int fmt_slave(char *buf, size_t len, const struct xp_st_slave *sl)
{
	return snprintf(buf, len, "slave %s %s %d\n", sl->bond, sl->slave, sl->was_up);
}

/* " nl IFINDEX HEX\n" (or "\n" when there is no message) at buf. */
static int fmt_nl(char *buf, size_t len, int n, int origidx, const unsigned char *nl,
		  unsigned short nllen)
{
	static const char hex[] = "0123456789abcdef";
	size_t at;

	if (n < 0 || (size_t)n >= len)
		return n;
	if (!nllen || (size_t)n + 32 + 2 * (size_t)nllen >= len)
		return n + snprintf(buf + n, len - (size_t)n, "\n");
	at = (size_t)n + (size_t)snprintf(buf + n, len - (size_t)n, " nl %d ", origidx);
	for (size_t i = 0; i < nllen; i++) {
		buf[at++] = hex[nl[i] >> 4];
		buf[at++] = hex[nl[i] & 15];
	}
	buf[at++] = '\n';
	buf[at] = 0;
	return (int)at;
}

static int fmt_mtu(char *buf, size_t len, const struct xp_st_mtu *m)
{
	return snprintf(buf, len, "mtu %s %d %d\n", m->dev, m->ifindex, m->old);
}

static int fmt_pvlan(char *buf, size_t len, const struct xp_st_pvlan *v)
{
	return snprintf(buf, len, "pvlan %s %s %d\n", v->bridge, v->port, v->vid);
}

static int fmt_move(char *buf, size_t len, const struct xp_st_move *m)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN];
	const struct xp_route *r = &m->route;
	int n;

	if (!m->is_route) {
		ip_str(m->addr.family, m->addr.addr, a, sizeof(a));
		if (m->addr.has_brd)
			ip_str(AF_INET, m->addr.brd, b, sizeof(b));
		else
			snprintf(b, sizeof(b), "-");
		n = snprintf(buf, len, "addr %s %s %s/%d %u %d %s%s", m->from, m->to, a,
			     m->addr.prefixlen, m->addr.flags, m->addr.scope, b,
			     m->had ? " had" : "");
		return fmt_nl(buf, len, n, m->addr.origidx, m->addr.nl, m->addr.nllen);
	}
	ip_str(r->family, r->dst, a, sizeof(a));
	if (r->has_gw)
		ip_str(r->family, r->gw, b, sizeof(b));
	else
		snprintf(b, sizeof(b), "-");
	if (r->has_prefsrc)
		ip_str(r->family, r->prefsrc, c, sizeof(c));
	else
		snprintf(c, sizeof(c), "-");
	n = snprintf(buf, len, "route %s %s %s %u %s/%d %s %s %u %d %d %d %d%s", m->from, m->to,
		     r->family == AF_INET6 ? "inet6" : "inet", r->table, a, r->dst_len, b, c,
		     r->priority, r->protocol, r->scope, r->type, r->tos, m->had ? " had" : "");
	return fmt_nl(buf, len, n, r->origidx, r->nl, r->nllen);
}

/* ---- the journal ---- */

static int is_regular(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

int xp_state_journal_open(const char *dir, struct xp_state *s)
{
	char path[4096];
	int fd;

	xp_state_journal_close(s);
	snprintf(path, sizeof(path), "%s/%s", dir, JOURNAL_FILE);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd < 0)
		return -errno;
	if (!is_regular(fd)) {
		close(fd);
		return -EINVAL;
	}
	s->jfd = fd + 1;
	return 0;
}

void xp_state_journal_close(struct xp_state *s)
{
	if (s->jfd)
		close(s->jfd - 1);
	s->jfd = 0;
}

/* Append one record (del: its removal) in one write(2). */
static void journal(struct xp_state *s, int del, const char *rec, int n)
{
	char line[LINE_MAX_LEN + 1];
	ssize_t w;

	if (!s->jfd || n <= 0 || n >= LINE_MAX_LEN)
		return;
	line[0] = '-';
	memcpy(line + 1, rec, (size_t)n);
	w = write(s->jfd - 1, del ? line : line + 1, (size_t)n + (del ? 1 : 0));
	if (w != n + (del ? 1 : 0) && !s->jerr)
		s->jerr = w < 0 ? -errno : -EIO;
}

/* ---- record keeping ---- */

static struct xp_st_dev *dev_find(const struct xp_state *s, const char *name)
{
	struct xp_st_devix *x = s->devix;
	long v;

	if (x && strnlen(name, XP_IFNAMSIZ) < XP_IFNAMSIZ) {
		if (x->gen != s->devgen) {
			xp_nametab_free(&x->t);
			for (size_t i = 0; i < s->ndevs; i++)
				if (!xp_nametab_get(&x->t, s->devs[i].name, NULL))
					xp_nametab_put(&x->t, s->devs[i].name, (long)i);
			x->gen = s->devgen;
		}
		return xp_nametab_get(&x->t, name, &v) ? &s->devs[v] : NULL;
	}
	for (size_t i = 0; i < s->ndevs; i++)
		if (!strcmp(s->devs[i].name, name))
			return &s->devs[i];
	return NULL;
}

const struct xp_st_dev *xp_state_dev(const struct xp_state *s, const char *name)
{
	return dev_find(s, name);
}

#define REMOVE_AT(arr, n, i) memmove(&(arr)[i], &(arr)[(i) + 1], ((n) - (i)-1) * sizeof(*(arr)))

/* devs[i] goes.  A right index stays right: the name leaves it and the
 * records after i move down one, which costs what the shift does, and
 * nothing more when the last record goes (an unwind's order: a stop of n
 * devices stays linear, where a rebuild at each look-up made it n^2). */
static void dev_remove(struct xp_state *s, size_t i)
{
	struct xp_st_devix *x = s->devix;
	int right = x && x->gen == s->devgen;

	if (right) {
		xp_nametab_del(&x->t, s->devs[i].name);
		for (size_t j = i + 1; j < s->ndevs; j++)
			xp_nametab_put(&x->t, s->devs[j].name, (long)(j - 1));
	}
	REMOVE_AT(s->devs, s->ndevs, i);
	s->ndevs--;
	s->devgen++;
	if (right)
		x->gen = s->devgen;
}

int xp_state_add_dev(struct xp_state *s, const char *name, int kind, int ifindex)
{
	struct xp_st_dev *d = dev_find(s, name);
	char line[LINE_MAX_LEN];

	if (d && d->kind == kind && d->ifindex == ifindex)
		return 0;
	if (d) /* replaced: the journal line alone says so (replay removes first) */
		dev_remove(s, (size_t)(d - s->devs));
	s->devs = xp_grow(s->devs, s->ndevs, sizeof(*s->devs));
	d = &s->devs[s->ndevs++];
	xp_set_name(d->name, name);
	d->kind = kind;
	d->ifindex = ifindex;
	if (!s->devix && s->ndevs >= DEVIX_MIN) {
		s->devix = calloc(1, sizeof(*s->devix));
		if (s->devix) /* else scans */
			s->devix->gen = s->devgen - 1;
	} else if (s->devix && s->devix->gen == s->devgen) { /* an append keeps it */
		xp_nametab_put(&s->devix->t, d->name, (long)(s->ndevs - 1));
	}
	journal(s, 0, line, fmt_dev(line, sizeof(line), d));
	return 0;
}

void xp_state_del_dev(struct xp_state *s, const char *name)
{
	struct xp_st_dev *d = dev_find(s, name);
	char line[LINE_MAX_LEN];

	if (!d)
		return;
	journal(s, 1, line, fmt_dev(line, sizeof(line), d));
	dev_remove(s, (size_t)(d - s->devs));
}

static int port_at(const struct xp_state *s, const char *bridge, const char *port)
{
	for (size_t i = 0; s && i < s->nports; i++)
		if (!strcmp(s->ports[i].bridge, bridge) && !strcmp(s->ports[i].port, port))
			return (int)i;
	return -1;
}

int xp_state_has_port(const struct xp_state *s, const char *bridge, const char *port)
{
	return port_at(s, bridge, port) >= 0;
}

int xp_state_add_port(struct xp_state *s, const char *bridge, const char *port)
{
	char line[LINE_MAX_LEN];

	if (xp_state_has_port(s, bridge, port))
		return 0;
	s->ports = xp_grow(s->ports, s->nports, sizeof(*s->ports));
	xp_set_name(s->ports[s->nports].bridge, bridge);
	xp_set_name(s->ports[s->nports].port, port);
	s->nports++;
	journal(s, 0, line, fmt_port(line, sizeof(line), &s->ports[s->nports - 1]));
	return 0;
}

void xp_state_del_port(struct xp_state *s, const char *bridge, const char *port)
{
	char line[LINE_MAX_LEN];
	int i = port_at(s, bridge, port);

	if (i < 0)
		return;
	journal(s, 1, line, fmt_port(line, sizeof(line), &s->ports[i]));
	REMOVE_AT(s->ports, s->nports, (size_t)i);
	s->nports--;
}

static struct xp_st_slave *slave_find(const struct xp_state *s, const char *bond, const char *slave)
{
	for (size_t i = 0; i < s->nslaves; i++)
		if (!strcmp(s->slaves[i].bond, bond) && !strcmp(s->slaves[i].slave, slave))
			return &s->slaves[i];
	return NULL;
}

int xp_state_add_slave(struct xp_state *s, const char *bond, const char *slave, int was_up)
{
	struct xp_st_slave *sl = slave_find(s, bond, slave);
	char line[LINE_MAX_LEN];

	if (sl && sl->was_up == was_up)
		return 0;
	if (sl) {
		REMOVE_AT(s->slaves, s->nslaves, (size_t)(sl - s->slaves));
		s->nslaves--;
	}
	s->slaves = xp_grow(s->slaves, s->nslaves, sizeof(*s->slaves));
	sl = &s->slaves[s->nslaves++];
	xp_set_name(sl->bond, bond);
	xp_set_name(sl->slave, slave);
	sl->was_up = was_up;
	journal(s, 0, line, fmt_slave(line, sizeof(line), sl));
	return 0;
}

void xp_state_del_slave(struct xp_state *s, const char *bond, const char *slave)
{
	struct xp_st_slave *sl = slave_find(s, bond, slave);
	char line[LINE_MAX_LEN];

	if (!sl)
		return;
	journal(s, 1, line, fmt_slave(line, sizeof(line), sl));
	REMOVE_AT(s->slaves, s->nslaves, (size_t)(sl - s->slaves));
	s->nslaves--;
}

static int move_equal(const struct xp_st_move *a, const struct xp_st_move *b)
{
	if (strcmp(a->from, b->from) || strcmp(a->to, b->to) || a->is_route != b->is_route)
		return 0;
	return a->is_route ? xp_route_equal(&a->route, &b->route)
			   : xp_addr_equal(&a->addr, &b->addr);
}

static int move_at(const struct xp_state *s, const struct xp_st_move *m)
{
	for (size_t i = 0; i < s->nmoves; i++)
		if (move_equal(&s->moves[i], m))
			return (int)i;
	return -1;
}

int xp_state_add_move(struct xp_state *s, const struct xp_st_move *m)
{
	char line[LINE_MAX_LEN];
	int i = move_at(s, m), n = fmt_move(line, sizeof(line), m);

	if (i >= 0) {
		char old[LINE_MAX_LEN];
		fmt_move(old, sizeof(old), &s->moves[i]);
		if (!strcmp(old, line))
			return 0;
		REMOVE_AT(s->moves, s->nmoves, (size_t)i);
		s->nmoves--;
	}
	s->moves = xp_grow(s->moves, s->nmoves, sizeof(*s->moves));
	s->moves[s->nmoves++] = *m;
	journal(s, 0, line, n);
	return 0;
}

void xp_state_del_move(struct xp_state *s, const struct xp_st_move *m)
{
	char line[LINE_MAX_LEN];
	int i = move_at(s, m);

	if (i < 0)
		return;
	journal(s, 1, line, fmt_move(line, sizeof(line), &s->moves[i]));
	REMOVE_AT(s->moves, s->nmoves, (size_t)i);
	s->nmoves--;
}

void xp_state_scope(struct xp_state *s, struct xp_state *rest,
		    int (*keep)(int kind, const char *a, const char *b, const void *arg),
		    const void *arg)
{
	memset(rest, 0, sizeof(*rest));
	for (size_t i = s->ndevs; i-- > 0;)
		if (!keep('d', s->devs[i].name, xp_kind_name(s->devs[i].kind), arg)) {
			xp_state_add_dev(rest, s->devs[i].name, s->devs[i].kind,
					 s->devs[i].ifindex);
			dev_remove(s, i);
		}
	for (size_t i = s->nports; i-- > 0;)
		if (!keep('p', s->ports[i].bridge, s->ports[i].port, arg)) {
			xp_state_add_port(rest, s->ports[i].bridge, s->ports[i].port);
			REMOVE_AT(s->ports, s->nports, i);
			s->nports--;
		}
	for (size_t i = s->nslaves; i-- > 0;)
		if (!keep('s', s->slaves[i].bond, s->slaves[i].slave, arg)) {
			xp_state_add_slave(rest, s->slaves[i].bond, s->slaves[i].slave,
					   s->slaves[i].was_up);
			REMOVE_AT(s->slaves, s->nslaves, i);
			s->nslaves--;
		}
	for (size_t i = s->nmtus; i-- > 0;)
		if (!keep('u', s->mtus[i].dev, "", arg)) {
			xp_state_add_mtu(rest, s->mtus[i].dev, s->mtus[i].ifindex, s->mtus[i].old);
			REMOVE_AT(s->mtus, s->nmtus, i);
			s->nmtus--;
		}
	for (size_t i = s->npvlans; i-- > 0;)
		if (!keep('v', s->pvlans[i].bridge, s->pvlans[i].port, arg)) {
			xp_state_add_pvlan(rest, s->pvlans[i].bridge, s->pvlans[i].port,
					   s->pvlans[i].vid);
			REMOVE_AT(s->pvlans, s->npvlans, i);
			s->npvlans--;
		}
	/* moves keep their order (move-back depends on it) */
	for (size_t i = 0; i < s->nmoves;)
		if (!keep('m', s->moves[i].from, s->moves[i].to, arg)) {
			xp_state_add_move(rest, &s->moves[i]);
			REMOVE_AT(s->moves, s->nmoves, i);
			s->nmoves--;
		} else {
			i++;
		}
	s->rest = rest;
}

static int mtu_at(const struct xp_state *s, const char *dev)
{
	for (size_t i = 0; s && i < s->nmtus; i++)
		if (!strcmp(s->mtus[i].dev, dev))
			return (int)i;
	return -1;
}

const struct xp_st_mtu *xp_state_mtu(const struct xp_state *s, const char *dev)
{
	int i = mtu_at(s, dev);
	return i < 0 ? NULL : &s->mtus[i];
}

/* The first record of a bridge keeps its MTU from before xenplumb. */
int xp_state_add_mtu(struct xp_state *s, const char *dev, int ifindex, int old)
{
	const struct xp_st_mtu *m = xp_state_mtu(s, dev);
	char line[LINE_MAX_LEN];

	if (m && m->ifindex == ifindex)
		return 0;
	if (m) { /* another bridge of that name: a new record */
		REMOVE_AT(s->mtus, s->nmtus, (size_t)(m - s->mtus));
		s->nmtus--;
	}
	s->mtus = xp_grow(s->mtus, s->nmtus, sizeof(*s->mtus));
	xp_set_name(s->mtus[s->nmtus].dev, dev);
	s->mtus[s->nmtus].ifindex = ifindex;
	s->mtus[s->nmtus].old = old;
	s->nmtus++;
	journal(s, 0, line, fmt_mtu(line, sizeof(line), &s->mtus[s->nmtus - 1]));
	return 0;
}

void xp_state_del_mtu(struct xp_state *s, const char *dev)
{
	char line[LINE_MAX_LEN];
	int i = mtu_at(s, dev);

	if (i < 0)
		return;
	journal(s, 1, line, fmt_mtu(line, sizeof(line), &s->mtus[i]));
	REMOVE_AT(s->mtus, s->nmtus, (size_t)i);
	s->nmtus--;
}

static int pvlan_at(const struct xp_state *s, const char *bridge, const char *port, int vid)
{
	for (size_t i = 0; s && i < s->npvlans; i++)
		if (!strcmp(s->pvlans[i].bridge, bridge) && !strcmp(s->pvlans[i].port, port) &&
		    s->pvlans[i].vid == vid)
			return (int)i;
	return -1;
}

int xp_state_has_pvlan(const struct xp_state *s, const char *bridge, const char *port, int vid)
{
	return pvlan_at(s, bridge, port, vid) >= 0;
}

int xp_state_add_pvlan(struct xp_state *s, const char *bridge, const char *port, int vid)
{
	char line[LINE_MAX_LEN];

	if (pvlan_at(s, bridge, port, vid) >= 0)
		return 0;
	s->pvlans = xp_grow(s->pvlans, s->npvlans, sizeof(*s->pvlans));
	xp_set_name(s->pvlans[s->npvlans].bridge, bridge);
	xp_set_name(s->pvlans[s->npvlans].port, port);
	s->pvlans[s->npvlans].vid = vid;
	s->npvlans++;
	journal(s, 0, line, fmt_pvlan(line, sizeof(line), &s->pvlans[s->npvlans - 1]));
	return 0;
}

void xp_state_del_pvlan(struct xp_state *s, const char *bridge, const char *port, int vid)
{
	char line[LINE_MAX_LEN];
	int i = pvlan_at(s, bridge, port, vid);

	if (i < 0)
		return;
	journal(s, 1, line, fmt_pvlan(line, sizeof(line), &s->pvlans[i]));
	REMOVE_AT(s->pvlans, s->npvlans, (size_t)i);
	s->npvlans--;
}

/* ---- text form ---- */

static int kind_parse(const char *w)
{
	static const int kinds[] = {XP_K_BRIDGE, XP_K_BOND, XP_K_VLAN, XP_K_DUMMY, XP_K_VXLAN};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(w, xp_kind_name(kinds[i])))
			return kinds[i];
	return -1;
}

struct textbuf {
	char *buf;
	size_t len, cap;
	int bad;
};

static void tb_add(struct textbuf *t, const char *line, int n)
{
	if (n < 0 || n >= LINE_MAX_LEN) {
		t->bad = 1;
		return;
	}
	if (t->len + (size_t)n + 1 > t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 4096;
		char *q;
		while (cap < t->len + (size_t)n + 1)
			cap *= 2;
		q = realloc(t->buf, cap);
		if (!q) {
			t->bad = 1;
			return;
		}
		t->buf = q;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, line, (size_t)n + 1);
	t->len += (size_t)n;
}

int xp_state_format(const struct xp_state *s, char **out)
{
	static const char head[] = "# xenplumb state: what network-xenplumb created or moved\n";
	struct textbuf t = {NULL, 0, 0, 0};
	char line[LINE_MAX_LEN];

	tb_add(&t, head, (int)sizeof(head) - 1);
	for (size_t i = 0; i < s->ndevs; i++)
		tb_add(&t, line, fmt_dev(line, sizeof(line), &s->devs[i]));
	for (size_t i = 0; i < s->nports; i++)
		tb_add(&t, line, fmt_port(line, sizeof(line), &s->ports[i]));
	for (size_t i = 0; i < s->nslaves; i++)
		tb_add(&t, line, fmt_slave(line, sizeof(line), &s->slaves[i]));
	for (size_t i = 0; i < s->nmoves; i++)
		tb_add(&t, line, fmt_move(line, sizeof(line), &s->moves[i]));
	for (size_t i = 0; i < s->nmtus; i++)
		tb_add(&t, line, fmt_mtu(line, sizeof(line), &s->mtus[i]));
	for (size_t i = 0; i < s->npvlans; i++)
		tb_add(&t, line, fmt_pvlan(line, sizeof(line), &s->pvlans[i]));
	if (s->rest) {
		char *more = NULL;
		if (xp_state_format(s->rest, &more) < 0) {
			t.bad = 1;
		} else {
			const char *body = strchr(more, '\n'); /* after its head line */
			body = body ? body + 1 : more;
			if (*body)
				tb_add(&t, body, (int)strlen(body));
		}
		free(more);
	}
	if (t.bad) {
		free(t.buf);
		return -ENOMEM;
	}
	*out = t.buf;
	return 0;
}

static int parse_ip(const char *s, int *family, uint8_t *out, int *plen)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	char *slash;
	long v;

	snprintf(tmp, sizeof(tmp), "%s", s);
	slash = strchr(tmp, '/');
	if (plen) {
		if (!slash || xp_parse_uint(slash + 1, 0, 128, &v) < 0)
			return -1;
		*plen = (int)v;
		*slash = 0;
	}
	if (*family == 0)
		*family = strchr(tmp, ':') ? AF_INET6 : AF_INET;
	return inet_pton(*family, tmp, out) == 1 ? 0 : -1;
}

static int names_ok(const char *a, const char *b)
{
	return xp_valid_ifname(a, NULL) == 0 && xp_valid_ifname(b, NULL) == 0;
}

/* Up to 14 blank-separated words of at most 63 bytes (longer ones are
 * cut, as sscanf's %63s would); how many. */
/* Up to 14 blank-separated words, as sscanf's "%63s" x 14 reads them (a
 * longer word goes on as the next one); how many. */
static int split_words(const char *line, char (*w)[64])
{
	int n = 0;

	while (n < 14) {
		size_t len;
		line += strspn(line, " \t\n\r\v\f");
		if (!*line)
			break;
		len = strcspn(line, " \t\n\r\v\f");
		if (len > 63)
			len = 63;
		memcpy(w[n], line, len);
		w[n++][len] = 0;
		line += len;
	}
	return n;
}

/* " nl IFINDEX HEX" at the end of a move record: cut off line, into
 * *idx, buf, *len.  0 (also when absent) or -1. */
static int parse_nl(char *line, int *idx, unsigned char *buf, unsigned short *len)
{
	char *at = strstr(line, " nl ");
	char *hex, *end;
	long v;
	size_t n;

	*len = 0;
	if (!at)
		return 0;
	*at = 0;
	at += 4;
	hex = strchr(at, ' ');
	if (!hex)
		return -1;
	*hex++ = 0;
	if (xp_parse_uint(at, 1, 0x7fffffff, &v) < 0)
		return -1;
	*idx = (int)v;
	n = strcspn(hex, " \t\r\n");
	end = hex + n;
	if (*end && end[strspn(end, " \t\r\n")])
		return -1;
	if (n % 2 || n / 2 > XP_NL_MAX || n == 0)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int byte;
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1 ||
		    !strchr("0123456789abcdef", hex[2 * i]) ||
		    !strchr("0123456789abcdef", hex[2 * i + 1]))
			return -1;
		buf[i] = (unsigned char)byte;
	}
	*len = (unsigned short)(n / 2);
	return 0;
}

/* "addr FROM TO ADDR/PLEN FLAGS SCOPE BROADCAST|-" into m.  0 or -1. */
static int parse_addr_words(char (*w)[64], struct xp_st_move *m)
{
	int fam = AF_INET;
	long v[2];

	xp_set_name(m->from, w[1]);
	xp_set_name(m->to, w[2]);
	if (parse_ip(w[3], &m->addr.family, m->addr.addr, &m->addr.prefixlen) < 0 ||
	    xp_parse_uint(w[4], 0, 0xffffffffL, &v[0]) < 0 ||
	    xp_parse_uint(w[5], 0, 255, &v[1]) < 0)
		return -1;
	m->addr.flags = (unsigned)v[0];
	m->addr.scope = (int)v[1];
	if (strcmp(w[6], "-")) {
		if (parse_ip(w[6], &fam, m->addr.brd, NULL) < 0 || fam != AF_INET)
			return -1;
		m->addr.has_brd = 1;
	}
	return 0;
}

/* "route FROM TO FAMILY TABLE DST/LEN GW|- PREFSRC|- METRIC PROTO SCOPE
 * TYPE TOS" into m.  0 or -1. */
static int parse_route_words(char (*w)[64], struct xp_st_move *m)
{
	struct xp_route *r = &m->route;
	long v[6];

	xp_set_name(m->from, w[1]);
	xp_set_name(m->to, w[2]);
	m->is_route = 1;
	r->family = !strcmp(w[3], "inet6") ? AF_INET6 : AF_INET;
	if (xp_parse_uint(w[4], 0, 0xffffffffL, &v[0]) < 0 ||
	    parse_ip(w[5], &r->family, r->dst, &r->dst_len) < 0)
		return -1;
	r->table = (unsigned)v[0];
	if (strcmp(w[6], "-")) {
		if (parse_ip(w[6], &r->family, r->gw, NULL) < 0)
			return -1;
		r->has_gw = 1;
	}
	if (strcmp(w[7], "-")) {
		if (parse_ip(w[7], &r->family, r->prefsrc, NULL) < 0)
			return -1;
		r->has_prefsrc = 1;
	}
	if (xp_parse_uint(w[8], 0, 0xffffffffL, &v[1]) < 0 ||
	    xp_parse_uint(w[9], 0, 255, &v[2]) < 0 || xp_parse_uint(w[10], 0, 255, &v[3]) < 0 ||
	    xp_parse_uint(w[11], 0, 255, &v[4]) < 0 || xp_parse_uint(w[12], 0, 255, &v[5]) < 0)
		return -1;
	r->priority = (unsigned)v[1];
	r->protocol = (int)v[2];
	r->scope = (int)v[3];
	r->type = (int)v[4];
	r->tos = (int)v[5];
	return 0;
}

/* An addr or route record (with its optional "had" and message) into s. */
static int parse_move(char *line, struct xp_state *s)
{
	char w[14][64];
	struct xp_st_move m;
	unsigned char nl[XP_NL_MAX];
	unsigned short nllen = 0;
	int nlidx = 0, n, route = !strncmp(line, "route", 5);

	memset(&m, 0, sizeof(m));
	if (parse_nl(line, &nlidx, nl, &nllen) < 0)
		return -1;
	n = split_words(line, w);
	if (n > 7 && !strcmp(w[n - 1], "had")) {
		m.had = 1; /* the bridge's own as well */
		n--;
	}
	if (n != (route ? 13 : 7) || !names_ok(w[1], w[2]) ||
	    (route ? parse_route_words(w, &m) : parse_addr_words(w, &m)) < 0)
		return -1;
	m.addr.origidx = m.route.origidx = nlidx;
	memcpy(route ? m.route.nl : m.addr.nl, nl, nllen);
	if (route)
		m.route.nllen = nllen;
	else
		m.addr.nllen = nllen;
	return xp_state_add_move(s, &m);
}

/* "mtu BRIDGE IFINDEX OLD", "pvlan BRIDGE PORT VID" */
static int parse_bridge_record(char (*w)[64], int n, struct xp_state *s)
{
	long v[2];

	if (!strcmp(w[0], "mtu") && n == 4 && !xp_valid_ifname(w[1], NULL) &&
	    xp_parse_uint(w[2], 0, 0x7fffffff, &v[0]) == 0 &&
	    xp_parse_uint(w[3], 0, 0xffff, &v[1]) == 0)
		return xp_state_add_mtu(s, w[1], (int)v[0], (int)v[1]);
	if (!strcmp(w[0], "pvlan") && n == 4 && names_ok(w[1], w[2]) &&
	    xp_parse_uint(w[3], 1, 4094, &v[0]) == 0)
		return xp_state_add_pvlan(s, w[1], w[2], (int)v[0]);
	return -1;
}

static int parse_record(char *line, struct xp_state *s)
{
	char w[14][64];
	int n;
	long v;

	if (!strncmp(line, "addr ", 5) || !strncmp(line, "route ", 6))
		return parse_move(line, s);
	n = split_words(line, w);
	if (n <= 0)
		return -1;
	if (!strcmp(w[0], "dev") && n == 4) {
		int kind = kind_parse(w[2]);
		if (xp_valid_ifname(w[1], NULL) || kind < 0 ||
		    xp_parse_uint(w[3], 0, 0x7fffffff, &v) < 0)
			return -1;
		return xp_state_add_dev(s, w[1], kind, (int)v);
	}
	if (!strcmp(w[0], "port") && n == 3 && names_ok(w[1], w[2]))
		return xp_state_add_port(s, w[1], w[2]);
	if (!strcmp(w[0], "mtu") || !strcmp(w[0], "pvlan"))
		return parse_bridge_record(w, n, s);
	if (!strcmp(w[0], "slave") && n == 4 && names_ok(w[1], w[2]) &&
	    xp_parse_uint(w[3], 0, 1, &v) == 0)
		return xp_state_add_slave(s, w[1], w[2], (int)v);
	return -1;
}

/* A line: a record, "-" and a record (its removal: journal only), a
 * comment or nothing. */
static int parse_line(char *line, struct xp_state *s, int journal_line)
{
	struct xp_state one;
	int rc;

	line += strspn(line, " \t");
	if (!*line || *line == '#')
		return 0;
	if (*line != '-')
		return parse_record(line, s);
	if (!journal_line)
		return -1;
	memset(&one, 0, sizeof(one));
	rc = parse_record(line + 1, &one);
	for (size_t i = 0; rc == 0 && i < one.ndevs; i++)
		xp_state_del_dev(s, one.devs[i].name);
	for (size_t i = 0; rc == 0 && i < one.nports; i++)
		xp_state_del_port(s, one.ports[i].bridge, one.ports[i].port);
	for (size_t i = 0; rc == 0 && i < one.nslaves; i++)
		xp_state_del_slave(s, one.slaves[i].bond, one.slaves[i].slave);
	for (size_t i = 0; rc == 0 && i < one.nmoves; i++)
		xp_state_del_move(s, &one.moves[i]);
	for (size_t i = 0; rc == 0 && i < one.nmtus; i++)
		xp_state_del_mtu(s, one.mtus[i].dev);
	for (size_t i = 0; rc == 0 && i < one.npvlans; i++)
		xp_state_del_pvlan(s, one.pvlans[i].bridge, one.pvlans[i].port, one.pvlans[i].vid);
	xp_state_free(&one);
	return rc;
}

/* Parse text into s (adding to what s holds). */
static int parse_text(char *text, struct xp_state *s, const char *what, int journal_line, char *err,
		      size_t errlen)
{
	char *save = NULL;
	int lineno = 0;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (parse_line(line, s, journal_line) < 0) {
			snprintf(err, errlen, "%s line %d is malformed: %.80s", what, lineno, line);
			return -1;
		}
	}
	return 0;
}

int xp_state_parse(const char *text, struct xp_state *s, char *err, size_t errlen)
{
	char *copy = strdup(text);
	int rc;

	memset(s, 0, sizeof(*s));
	if (!copy)
		return -1;
	rc = parse_text(copy, s, "state", 0, err, errlen);
	free(copy);
	if (rc)
		xp_state_free(s);
	return rc;
}

/* The whole of fd as a string (at most 4 MiB); NULL on error. */
static char *read_all(int fd, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	while (buf) {
		ssize_t n;
		if (len + 1 >= cap) {
			char *q = cap < (1u << 22) ? realloc(buf, cap * 2) : NULL;
			if (!q)
				break;
			buf = q;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			buf[len] = 0;
			*lenp = len;
			return buf;
		}
		len += (size_t)n;
	}
	free(buf);
	return NULL;
}

/* Open path for reading when it is a regular file: a FIFO would block the
 * open or the read, a device could act.  fd, -1 with errno ENOENT when
 * missing, else -1 with a message in err. */
static int open_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0) {
		if (errno == ENOENT)
			return -1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		errno = EIO;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
			 "%s is not a regular file; it is not xenplumb's state: remove it (what "
			 "it should have recorded is then forgotten)",
			 path);
		close(fd);
		errno = EIO;
		return -1;
	}
	return fd;
}

int xp_state_load(const char *dir, struct xp_state *s, char *err, size_t errlen)
{
	char path[4096], jpath[4096], *text;
	size_t len;
	int fd, jfd, rc = 0;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	snprintf(jpath, sizeof(jpath), "%s/%s", dir, JOURNAL_FILE);
	/* The journal first: a writer that replaces the snapshot meanwhile
	 * unlinks it, and this one still reads it (replay is idempotent). */
	jfd = open_regular(jpath, err, errlen);
	if (jfd < 0 && errno != ENOENT)
		return -1;
	fd = open_regular(path, err, errlen);
	if (fd < 0 && errno != ENOENT) {
		rc = -1;
	} else if (fd >= 0) {
		text = read_all(fd, &len);
		close(fd);
		if (!text) {
			snprintf(err, errlen, "%s: cannot read", path);
			rc = -1;
		} else {
			rc = parse_text(text, s, "state", 0, err, errlen);
			free(text);
		}
	}
	if (rc == 0 && jfd >= 0) {
		text = read_all(jfd, &len);
		if (!text) {
			snprintf(err, errlen, "%s: cannot read", jpath);
			rc = -1;
		} else {
			/* a line without its newline was never completed: ignored */
			char *end = strrchr(text, '\n');
			if (end)
				end[1] = 0;
			else
				text[0] = 0;
			s->replayed = text[0] != 0;
			rc = parse_text(text, s, JOURNAL_FILE, 1, err, errlen);
			free(text);
		}
	}
	if (jfd >= 0)
		close(jfd);
	if (rc)
		xp_state_free(s);
	return rc;
}

int xp_state_save(const char *dir, const struct xp_state *s)
{
	char path[4096], tmp[4200], jpath[4096], *text = NULL;
	int fd, rc;
	size_t len;
	ssize_t w;

	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	snprintf(jpath, sizeof(jpath), "%s/%s", dir, JOURNAL_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path); /* one writer: the lock holder */
	rc = xp_state_format(s, &text);
	if (rc < 0)
		return rc;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd < 0 || !is_regular(fd)) {
		rc = fd < 0 ? -errno : -EINVAL;
		if (fd >= 0)
			close(fd);
		free(text);
		return rc;
	}
	/* One write and no fsync: see state.h. */
	len = strlen(text);
	w = write(fd, text, len);
	if (w != (ssize_t)len) {
		rc = w < 0 ? -errno : -EIO;
		close(fd);
		unlink(tmp);
		free(text);
		return rc;
	}
	free(text);
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		rc = -errno;
		unlink(tmp);
		return rc;
	}
	/* The snapshot holds everything the journal said. */
	if (unlink(jpath) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}
