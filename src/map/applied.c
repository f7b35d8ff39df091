#include "map/applied.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define END_LINE "end\n"

void xp_applied_path(char *buf, size_t len)
{
	const char *d = getenv(XP_STATE_DIR_ENV);

	snprintf(buf, len, "%s/" XP_APPLIED_NAME, d && *d ? d : XP_STATE_DIR_SHARE);
}

/* ---- writing ------------------------------------------------------------ */

/* The key of a record line: "TYPE NAME", up to the second blank (or the
 * end of the line). */
static size_t key_len(const char *s, size_t n)
{
	const char *sp = n > 2 ? memchr(s + 2, ' ', n - 2) : NULL;
	const char *nl = memchr(s, '\n', n);

	if (sp && (!nl || sp < nl))
		return (size_t)(sp - s);
	return nl ? (size_t)(nl - s) : n;
}

static int keycmp(const char *a, size_t la, const char *b, size_t lb)
{
	int r = memcmp(a, b, la < lb ? la : lb);

	return r ? r : (la > lb) - (la < lb);
}

static int rec_cmp(const void *pa, const void *pb)
{
	const char *a = *(char *const *)pa, *b = *(char *const *)pb;

	return keycmp(a, key_len(a, strlen(a)), b, key_len(b, strlen(b)));
}

/* Append to a growing string; -1 when out of memory. */
struct buf {
	char *p;
	size_t n, cap;
};

static int put(struct buf *b, const char *s)
{
	size_t l = strlen(s);

	if (b->n + l + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *np;
		while (cap < b->n + l + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, l + 1);
	b->n += l;
	return 0;
}

/* An address as the applied map writes it: ADDR or ADDR/LEN, "-" for
 * none. */
static void ip_text(const struct xp_ipaddr *a, int has, int with_len, char *buf, size_t len)
{
	char t[INET6_ADDRSTRLEN];

	if (!has || !inet_ntop(a->family, a->addr, t, sizeof(t)))
		snprintf(buf, len, "-");
	else if (with_len)
		snprintf(buf, len, "%s/%d", t, a->prefixlen);
	else
		snprintf(buf, len, "%s", t);
}

/* r NAME uplink=U address=A|- address6=A|- proxy=0|1 antispoof=0|1 */
static int routed_rec(char **out, const struct xp_routed *r)
{
	char a4[64], a6[64];

	ip_text(&r->address, r->has_address, 0, a4, sizeof(a4));
	ip_text(&r->address6, r->has_address6, 0, a6, sizeof(a6));
	return asprintf(out, "r %s uplink=%s address=%s address6=%s proxy=%d antispoof=%d\n",
			r->name, r->uplink, a4, a6, r->proxy ? 1 : 0, r->antispoof ? 1 : 0);
}

/* t NAME bridge=B address=A/LEN dhcp=0|1 */
static int nat_rec(char **out, const struct xp_nat *n)
{
	char a[64];

	ip_text(&n->address, 1, 1, a, sizeof(a));
	return asprintf(out, "t %s bridge=%s address=%s dhcp=%d\n", n->name, n->bridge, a,
			n->dhcp ? 1 : 0);
}

/* One record per bridge, network, routed and NAT network, sorted by key.
 * NULL when out of memory; *n the count. */
static char **records(const struct xp_conf *c, size_t *n)
{
	size_t total = c->nbridges + c->nnetworks + c->nrouted + c->nnats, k = 0;
	char **r = calloc(total ? total : 1, sizeof(*r));

	if (!r)
		return NULL;
	for (size_t i = 0; i < c->nbridges; i++)
		if (asprintf(&r[k++], "b %s antispoof=%d%s%s\n", c->bridges[i].name,
			     c->bridges[i].antispoof ? 1 : 0,
			     c->bridges[i].type == XP_BR_OVS ? " type=openvswitch" : "",
			     c->bridges[i].iface_id_by_name ? " iface-id=vm-name" : "") < 0)
			r[--k] = NULL;
	for (size_t i = 0; i < c->nnetworks; i++)
		if (asprintf(&r[k++], "n %s bridge=%s vlan=%d\n", c->networks[i].name,
			     c->networks[i].bridge, c->networks[i].vlan) < 0)
			r[--k] = NULL;
	for (size_t i = 0; i < c->nrouted; i++)
		if (routed_rec(&r[k++], &c->routed[i]) < 0)
			r[--k] = NULL;
	for (size_t i = 0; i < c->nnats; i++)
		if (nat_rec(&r[k++], &c->nats[i]) < 0)
			r[--k] = NULL;
	if (k != total) {
		for (size_t i = 0; i < k; i++)
			free(r[i]);
		free(r);
		return NULL;
	}
	qsort(r, total, sizeof(*r), rec_cmp);
	*n = total;
	return r;
}

char *xp_applied_format(const struct xp_conf *c, const char *source, const char *command,
			size_t *len)
{
	const struct xp_bridge *d = xp_conf_default_bridge(c);
	struct buf b = {0};
	char line[4400], src[4096];
	size_t n = 0;
	char **r = records(c, &n);
	int bad;

	if (!r)
		return NULL;
	/* one line: no control byte from the path */
	snprintf(src, sizeof(src), "%s", source ? source : "?");
	for (char *q = src; *q; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q == 0x7f)
			*q = '?';
	snprintf(line, sizeof(line), "default %s\n# from %s by network-xenplumb %s; do not edit\n",
		 d ? d->name : "-", src, command ? command : "?");
	bad = put(&b, XP_APPLIED_MAGIC) || put(&b, line);
	for (size_t i = 0; i < n; i++) {
		bad |= !bad && put(&b, r[i]);
		free(r[i]);
	}
	free(r);
	bad |= !bad && put(&b, END_LINE);
	if (bad) {
		free(b.p);
		return NULL;
	}
	*len = b.n;
	return b.p;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int xp_applied_stage(const char *dir, const struct xp_conf *c, const char *source,
		     const char *command, char *tmp, size_t tmplen, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = xp_applied_format(c, source, command, &len);
	int fd, e = 0;

	if (!text) {
		snprintf(err, errlen, "applied map: out of memory");
		return -1;
	}
	snprintf(tmp, tmplen, "%s/." XP_APPLIED_NAME ".%ld", dir, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || fchmod(fd, 0644) < 0 || write_all(fd, text, len) < 0 || fsync(fd) < 0)
		e = errno ? errno : EIO;
	if (fd >= 0 && close(fd) < 0 && !e)
		e = errno;
	free(text);
	if (e) {
		unlink(tmp);
		snprintf(err, errlen, "cannot write the applied map %s: %s", tmp, strerror(e));
		return -1;
	}
	return 0;
}

int xp_applied_commit(const char *dir, const char *tmp, char *err, size_t errlen)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/" XP_APPLIED_NAME, dir);
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot write the applied map %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

void xp_applied_discard(const char *tmp)
{
	if (tmp && *tmp)
		unlink(tmp);
}

int xp_applied_write(const char *dir, const struct xp_conf *c, const char *source,
		     const char *command, char *err, size_t errlen)
{
	char tmp[4096];

	if (xp_applied_stage(dir, c, source, command, tmp, sizeof(tmp), err, errlen) < 0)
		return -1;
	return xp_applied_commit(dir, tmp, err, errlen);
}

int xp_applied_remove(const char *dir, char *err, size_t errlen)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/" XP_APPLIED_NAME, dir);
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove the applied map %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* The line after the one starting at off (or len). */
static size_t next_line(const char *t, size_t len, size_t off)
{
	const char *nl = memchr(t + off, '\n', len - off);

	return nl ? (size_t)(nl - t) + 1 : len;
}

int xp_applied_from_text(const char *text, size_t len, struct xp_applied *a, char *err,
			 size_t errlen)
{
	size_t ml = strlen(XP_APPLIED_MAGIC), el = strlen(END_LINE), off, dl;

	memset(a, 0, sizeof(*a));
	if (len < ml + el || memcmp(text, XP_APPLIED_MAGIC, ml) ||
	    memcmp(text + len - el, END_LINE, el) || (len > el && text[len - el - 1] != '\n')) {
		snprintf(err, errlen, "not a version 1 applied map, or cut short");
		return -1;
	}
	off = ml;
	if (len - off < 8 || memcmp(text + off, "default ", 8)) {
		snprintf(err, errlen, "no default line");
		return -1;
	}
	dl = next_line(text, len, off) - off - 9;
	if (dl == 0 || dl >= XP_IFNAMSIZ) {
		snprintf(err, errlen, "bad default line");
		return -1;
	}
	if (memcmp(text + off + 8, "-\n", 2))
		memcpy(a->dflt, text + off + 8, dl);
	off = next_line(text, len, off);
	while (off < len - el && text[off] == '#')
		off = next_line(text, len, off);
	a->text = text;
	a->len = len;
	a->rec = off;
	a->end = len - el;
	return 1;
}

int xp_applied_open(const char *path, struct xp_applied *a, char *err, size_t errlen)
{
	char why[128];
	struct stat st;
	void *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	memset(a, 0, sizeof(*a));
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "applied map %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (size_t)st.st_size > XP_APPLIED_MAX) {
		close(fd);
		snprintf(err, errlen,
			 "applied map %s is not a regular file of 1 to %u bytes -- run "
			 "network-xenplumb reload",
			 path, XP_APPLIED_MAX);
		return -1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "applied map %s: %s", path, strerror(errno));
		return -1;
	}
	if (xp_applied_from_text(m, (size_t)st.st_size, a, why, sizeof(why)) < 0) {
		munmap(m, (size_t)st.st_size);
		snprintf(err, errlen,
			 "applied map %s is damaged (%s) -- run network-xenplumb reload", path,
			 why);
		return -1;
	}
	return 1;
}

int xp_applied_same(const struct xp_applied *a, const struct xp_conf *c)
{
	struct xp_applied b;
	char err[128];
	size_t len = 0;
	char *text = xp_applied_format(c, "", "", &len);
	int same = 0;

	if (text && xp_applied_from_text(text, len, &b, err, sizeof(err)) > 0)
		same = !strcmp(a->dflt, b.dflt) && a->end - a->rec == b.end - b.rec &&
		       !memcmp(a->text + a->rec, b.text + b.rec, a->end - a->rec);
	free(text);
	return same;
}

void xp_applied_close(struct xp_applied *a)
{
	if (a->text)
		munmap((void *)a->text, a->len);
	memset(a, 0, sizeof(*a));
}

/* Binary search over the record lines for "type name": the line's start
 * and length, or -1. */
static int find(const struct xp_applied *a, char type, const char *name, size_t *at, size_t *n)
{
	char key[96];
	size_t lo = a->rec, hi = a->end;
	int kl = snprintf(key, sizeof(key), "%c %s", type, name);

	if (!a->text || kl < 0 || (size_t)kl >= sizeof(key) || strchr(name, ' ') ||
	    strchr(name, '\n'))
		return -1;
	while (lo < hi) {
		size_t s = lo + (hi - lo) / 2, e;
		int c;

		while (s > lo && a->text[s - 1] != '\n')
			s--;
		e = next_line(a->text, hi, s); /* past the '\n' */
		c = keycmp(key, (size_t)kl, a->text + s, key_len(a->text + s, e - s));
		if (c == 0) {
			*at = s;
			*n = e - s;
			return 0;
		}
		if (c < 0)
			hi = s;
		else
			lo = e;
	}
	return -1;
}

/* The value of word "name=" in the record line [s, s+n) into out. */
static int field(const struct xp_applied *a, size_t s, size_t n, const char *name, char *out,
		 size_t outlen)
{
	size_t nl = strlen(name);
	const char *p = a->text + s, *end = p + n;

	while (p < end) {
		const char *w = memchr(p, ' ', (size_t)(end - p)), *we;
		if (!w)
			return -1;
		w++;
		we = w;
		while (we < end && *we != ' ' && *we != '\n')
			we++;
		if ((size_t)(we - w) > nl && !memcmp(w, name, nl) && w[nl] == '=') {
			size_t vl = (size_t)(we - w) - nl - 1;
			if (vl >= outlen)
				return -1;
			memcpy(out, w + nl + 1, vl);
			out[vl] = '\0';
			return 0;
		}
		p = we;
	}
	return -1;
}

int xp_applied_network(const struct xp_applied *a, const char *name, char bridge[XP_IFNAMSIZ],
		       int *vlan)
{
	char v[8];
	size_t s, n;
	long id;

	if (find(a, 'n', name, &s, &n) || field(a, s, n, "bridge", bridge, XP_IFNAMSIZ) ||
	    field(a, s, n, "vlan", v, sizeof(v)) || xp_parse_uint(v, 0, 4094, &id))
		return -1;
	*vlan = (int)id;
	return 0;
}

int xp_applied_bridge(const struct xp_applied *a, const char *name, int *antispoof)
{
	struct xp_applied_br b;

	if (xp_applied_bridge_info(a, name, &b))
		return -1;
	*antispoof = b.antispoof;
	return 0;
}

int xp_applied_bridge_info(const struct xp_applied *a, const char *name, struct xp_applied_br *b)
{
	char v[16];
	size_t s, n;

	if (find(a, 'b', name, &s, &n))
		return -1;
	b->antispoof = field(a, s, n, "antispoof", v, sizeof(v)) == 0 && !strcmp(v, "1");
	b->type = field(a, s, n, "type", v, sizeof(v)) == 0 && !strcmp(v, "openvswitch")
		      ? XP_BR_OVS
		      : XP_BR_LINUX;
	b->iface_id_by_name =
	    field(a, s, n, "iface-id", v, sizeof(v)) == 0 && !strcmp(v, "vm-name");
	return 0;
}

const char *xp_applied_default(const struct xp_applied *a)
{
	return a->dflt[0] ? a->dflt : NULL;
}

/* The first record line whose key is not below "type " (binary search). */
static size_t first_of(const struct xp_applied *a, char type)
{
	char key[3] = {type, ' ', '\0'};
	size_t lo = a->rec, hi = a->end;

	while (lo < hi) {
		size_t s = lo + (hi - lo) / 2, e;

		while (s > lo && a->text[s - 1] != '\n')
			s--;
		e = next_line(a->text, hi, s);
		if (keycmp(a->text + s, e - s < 2 ? e - s : 2, key, 2) < 0)
			lo = e;
		else
			hi = s;
	}
	return lo;
}

static int ip_field(const struct xp_applied *a, size_t s, size_t n, const char *name,
		    struct xp_ipaddr *ip, int *has)
{
	char v[64];

	if (field(a, s, n, name, v, sizeof(v)))
		return -1;
	*has = strcmp(v, "-") != 0;
	memset(ip, 0, sizeof(*ip));
	return *has ? xp_parse_ipaddr(v, ip, NULL) : 0;
}

static int bool_field(const struct xp_applied *a, size_t s, size_t n, const char *name)
{
	char v[4];

	return field(a, s, n, name, v, sizeof(v)) == 0 && !strcmp(v, "1");
}

/* The name of the record line at s (after "X "). */
static int rec_name(const struct xp_applied *a, size_t s, size_t n, char *out, size_t len)
{
	size_t kl = key_len(a->text + s, n);

	if (kl < 3 || kl - 2 >= len)
		return -1;
	memcpy(out, a->text + s + 2, kl - 2);
	out[kl - 2] = '\0';
	return 0;
}

static int one_routed(const struct xp_applied *a, size_t s, size_t n, struct xp_routed *r)
{
	memset(r, 0, sizeof(*r));
	if (rec_name(a, s, n, r->name, sizeof(r->name)) ||
	    field(a, s, n, "uplink", r->uplink, sizeof(r->uplink)) ||
	    ip_field(a, s, n, "address", &r->address, &r->has_address) ||
	    ip_field(a, s, n, "address6", &r->address6, &r->has_address6))
		return -1;
	r->proxy = bool_field(a, s, n, "proxy");
	r->antispoof = bool_field(a, s, n, "antispoof");
	return 0;
}

static int one_nat(const struct xp_applied *a, size_t s, size_t n, struct xp_nat *t)
{
	int has;

	memset(t, 0, sizeof(*t));
	if (rec_name(a, s, n, t->name, sizeof(t->name)) ||
	    field(a, s, n, "bridge", t->bridge, sizeof(t->bridge)) ||
	    ip_field(a, s, n, "address", &t->address, &has) || !has)
		return -1;
	t->dhcp = bool_field(a, s, n, "dhcp");
	return 0;
}

/* The records of one type, in order, into a grown array. */
static int l3_records(const struct xp_applied *a, char type, void **arr, size_t *count, size_t size)
{
	for (size_t s = first_of(a, type), e; s < a->end && a->text[s] == type; s = e) {
		void *np;

		e = next_line(a->text, a->end, s);
		if (s + 1 >= e || a->text[s + 1] != ' ')
			break;
		np = realloc(*arr, (*count + 1) * size);
		if (!np)
			return -1;
		*arr = np;
		if ((type == 'r' ? one_routed(a, s, e - s, (struct xp_routed *)np + *count)
				 : one_nat(a, s, e - s, (struct xp_nat *)np + *count)))
			return -1;
		(*count)++;
	}
	return 0;
}

int xp_applied_l3(const struct xp_applied *a, struct xp_conf *c)
{
	memset(c, 0, sizeof(*c));
	if (!a->text)
		return 0;
	if (l3_records(a, 'r', (void **)&c->routed, &c->nrouted, sizeof(*c->routed)) ||
	    l3_records(a, 't', (void **)&c->nats, &c->nnats, sizeof(*c->nats))) {
		xp_conf_free(c);
		return -1;
	}
	return 0;
}
