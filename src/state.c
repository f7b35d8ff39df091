/* The state file; see state.h.  Format, one record a line:
 *   dev NAME KIND IFINDEX
 *   port BRIDGE PORT
 *   slave BOND SLAVE WAS_UP
 *   addr FROM TO ADDR/PLEN FLAGS SCOPE BROADCAST|-
 *   route FROM TO TABLE DST/LEN GW|- PREFSRC|- METRIC PROTO SCOPE TYPE TOS
 * with KIND one of bridge bond vlan dummy and "-" for a missing value. */
#include "state.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_FILE "state"

static void *grow(void *ptr, size_t n, size_t size)
{
	void *q = realloc(ptr, (n + 1) * size);
	if (!q)
		abort();
	return q;
}

static void set_name(char *dst, const char *src)
{
	size_t n = src ? strnlen(src, XP_IFNAMSIZ - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = 0;
}

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

void xp_state_free(struct xp_state *s)
{
	free(s->devs);
	free(s->ports);
	free(s->slaves);
	free(s->moves);
	memset(s, 0, sizeof(*s));
}

const struct xp_st_dev *xp_state_dev(const struct xp_state *s, const char *name)
{
	for (size_t i = 0; i < s->ndevs; i++)
		if (!strcmp(s->devs[i].name, name))
			return &s->devs[i];
	return NULL;
}

int xp_state_add_dev(struct xp_state *s, const char *name, int kind, int ifindex)
{
	struct xp_st_dev *d;

	xp_state_del_dev(s, name);
	s->devs = grow(s->devs, s->ndevs, sizeof(*s->devs));
	d = &s->devs[s->ndevs++];
	set_name(d->name, name);
	d->kind = kind;
	d->ifindex = ifindex;
	return 0;
}

void xp_state_del_dev(struct xp_state *s, const char *name)
{
	for (size_t i = 0; i < s->ndevs; i++)
		if (!strcmp(s->devs[i].name, name)) {
			memmove(&s->devs[i], &s->devs[i + 1],
				(s->ndevs - i - 1) * sizeof(*s->devs));
			s->ndevs--;
			return;
		}
}

int xp_state_has_port(const struct xp_state *s, const char *bridge, const char *port)
{
	for (size_t i = 0; s && i < s->nports; i++)
		if (!strcmp(s->ports[i].bridge, bridge) && !strcmp(s->ports[i].port, port))
			return 1;
	return 0;
}

int xp_state_add_port(struct xp_state *s, const char *bridge, const char *port)
{
	if (xp_state_has_port(s, bridge, port))
		return 0;
	s->ports = grow(s->ports, s->nports, sizeof(*s->ports));
	set_name(s->ports[s->nports].bridge, bridge);
	set_name(s->ports[s->nports].port, port);
	s->nports++;
	return 0;
}

void xp_state_del_port(struct xp_state *s, const char *bridge, const char *port)
{
	for (size_t i = 0; i < s->nports; i++)
		if (!strcmp(s->ports[i].bridge, bridge) && !strcmp(s->ports[i].port, port)) {
			memmove(&s->ports[i], &s->ports[i + 1],
				(s->nports - i - 1) * sizeof(*s->ports));
			s->nports--;
			return;
		}
}

int xp_state_add_slave(struct xp_state *s, const char *bond, const char *slave, int was_up)
{
	xp_state_del_slave(s, bond, slave);
	s->slaves = grow(s->slaves, s->nslaves, sizeof(*s->slaves));
	set_name(s->slaves[s->nslaves].bond, bond);
	set_name(s->slaves[s->nslaves].slave, slave);
	s->slaves[s->nslaves].was_up = was_up;
	s->nslaves++;
	return 0;
}

void xp_state_del_slave(struct xp_state *s, const char *bond, const char *slave)
{
	for (size_t i = 0; i < s->nslaves; i++)
		if (!strcmp(s->slaves[i].bond, bond) && !strcmp(s->slaves[i].slave, slave)) {
			memmove(&s->slaves[i], &s->slaves[i + 1],
				(s->nslaves - i - 1) * sizeof(*s->slaves));
			s->nslaves--;
			return;
		}
}

static int move_equal(const struct xp_st_move *a, const struct xp_st_move *b)
{
	if (strcmp(a->from, b->from) || strcmp(a->to, b->to) || a->is_route != b->is_route)
		return 0;
	return a->is_route ? xp_route_equal(&a->route, &b->route)
			   : xp_addr_equal(&a->addr, &b->addr);
}

int xp_state_add_move(struct xp_state *s, const struct xp_st_move *m)
{
	xp_state_del_move(s, m);
	s->moves = grow(s->moves, s->nmoves, sizeof(*s->moves));
	s->moves[s->nmoves++] = *m;
	return 0;
}

void xp_state_del_move(struct xp_state *s, const struct xp_st_move *m)
{
	for (size_t i = 0; i < s->nmoves; i++)
		if (move_equal(&s->moves[i], m)) {
			memmove(&s->moves[i], &s->moves[i + 1],
				(s->nmoves - i - 1) * sizeof(*s->moves));
			s->nmoves--;
			return;
		}
}

/* ---- text form ---- */

static const char *kind_word(int kind)
{
	return xp_kind_name(kind);
}

static int kind_parse(const char *w)
{
	static const int kinds[] = {XP_K_BRIDGE, XP_K_BOND, XP_K_VLAN, XP_K_DUMMY};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(w, xp_kind_name(kinds[i])))
			return kinds[i];
	return -1;
}

static void ip_str(int family, const uint8_t *a, char *buf, size_t len)
{
	if (!inet_ntop(family, a, buf, (socklen_t)len))
		snprintf(buf, len, "-");
}

int xp_state_format(const struct xp_state *s, char **out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN];

	if (!f)
		return -ENOMEM;
	fprintf(f, "# xenplumb state: what network-xenplumb created or moved\n");
	for (size_t i = 0; i < s->ndevs; i++)
		fprintf(f, "dev %s %s %d\n", s->devs[i].name, kind_word(s->devs[i].kind),
			s->devs[i].ifindex);
	for (size_t i = 0; i < s->nports; i++)
		fprintf(f, "port %s %s\n", s->ports[i].bridge, s->ports[i].port);
	for (size_t i = 0; i < s->nslaves; i++)
		fprintf(f, "slave %s %s %d\n", s->slaves[i].bond, s->slaves[i].slave,
			s->slaves[i].was_up);
	for (size_t i = 0; i < s->nmoves; i++) {
		const struct xp_st_move *m = &s->moves[i];
		if (!m->is_route) {
			ip_str(m->addr.family, m->addr.addr, a, sizeof(a));
			if (m->addr.has_brd)
				ip_str(AF_INET, m->addr.brd, b, sizeof(b));
			else
				snprintf(b, sizeof(b), "-");
			fprintf(f, "addr %s %s %s/%d %u %d %s\n", m->from, m->to, a,
				m->addr.prefixlen, m->addr.flags, m->addr.scope, b);
			continue;
		}
		const struct xp_route *r = &m->route;
		ip_str(r->family, r->dst, a, sizeof(a));
		if (r->has_gw)
			ip_str(r->family, r->gw, b, sizeof(b));
		else
			snprintf(b, sizeof(b), "-");
		if (r->has_prefsrc)
			ip_str(r->family, r->prefsrc, c, sizeof(c));
		else
			snprintf(c, sizeof(c), "-");
		fprintf(f, "route %s %s %s %u %s/%d %s %s %u %d %d %d %d\n", m->from, m->to,
			r->family == AF_INET6 ? "inet6" : "inet", r->table, a, r->dst_len, b, c,
			r->priority, r->protocol, r->scope, r->type, r->tos);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
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

static int parse_line(char *line, struct xp_state *s)
{
	char w[14][64];
	int n = sscanf(
	    line, "%63s %63s %63s %63s %63s %63s %63s %63s %63s %63s %63s %63s %63s %63s", w[0],
	    w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13]);
	long v[6];
	struct xp_st_move m;

	if (n <= 0 || w[0][0] == '#')
		return 0;
	memset(&m, 0, sizeof(m));
	if (!strcmp(w[0], "dev") && n == 4) {
		int kind = kind_parse(w[2]);
		if (xp_valid_ifname(w[1], NULL) || kind < 0 ||
		    xp_parse_uint(w[3], 0, 0x7fffffff, &v[0]) < 0)
			return -1;
		return xp_state_add_dev(s, w[1], kind, (int)v[0]);
	}
	if (!strcmp(w[0], "port") && n == 3 && names_ok(w[1], w[2]))
		return xp_state_add_port(s, w[1], w[2]);
	if (!strcmp(w[0], "slave") && n == 4 && names_ok(w[1], w[2]) &&
	    xp_parse_uint(w[3], 0, 1, &v[0]) == 0)
		return xp_state_add_slave(s, w[1], w[2], (int)v[0]);
	if (!strcmp(w[0], "addr") && n == 7 && names_ok(w[1], w[2])) {
		int fam = AF_INET;
		set_name(m.from, w[1]);
		set_name(m.to, w[2]);
		if (parse_ip(w[3], &m.addr.family, m.addr.addr, &m.addr.prefixlen) < 0 ||
		    xp_parse_uint(w[4], 0, 0xffffffffL, &v[0]) < 0 ||
		    xp_parse_uint(w[5], 0, 255, &v[1]) < 0)
			return -1;
		m.addr.flags = (unsigned)v[0];
		m.addr.scope = (int)v[1];
		if (strcmp(w[6], "-")) {
			if (parse_ip(w[6], &fam, m.addr.brd, NULL) < 0 || fam != AF_INET)
				return -1;
			m.addr.has_brd = 1;
		}
		return xp_state_add_move(s, &m);
	}
	if (!strcmp(w[0], "route") && n == 13 && names_ok(w[1], w[2])) {
		struct xp_route *r = &m.route;
		set_name(m.from, w[1]);
		set_name(m.to, w[2]);
		m.is_route = 1;
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
		    xp_parse_uint(w[9], 0, 255, &v[2]) < 0 ||
		    xp_parse_uint(w[10], 0, 255, &v[3]) < 0 ||
		    xp_parse_uint(w[11], 0, 255, &v[4]) < 0 ||
		    xp_parse_uint(w[12], 0, 255, &v[5]) < 0)
			return -1;
		r->priority = (unsigned)v[1];
		r->protocol = (int)v[2];
		r->scope = (int)v[3];
		r->type = (int)v[4];
		r->tos = (int)v[5];
		return xp_state_add_move(s, &m);
	}
	return -1;
}

int xp_state_parse(const char *text, struct xp_state *s, char *err, size_t errlen)
{
	char *copy = strdup(text), *save = NULL;
	int lineno = 0, rc = 0;

	memset(s, 0, sizeof(*s));
	if (!copy)
		return -1;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (parse_line(line, s) < 0) {
			snprintf(err, errlen, "state line %d is malformed: %.80s", lineno, line);
			rc = -1;
			break;
		}
	}
	free(copy);
	if (rc)
		xp_state_free(s);
	return rc;
}

int xp_state_load(const char *dir, struct xp_state *s, char *err, size_t errlen)
{
	char path[4096], *text;
	FILE *f;
	long size;
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 || size > (1 << 22) ||
	    fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot read", path);
		return -1;
	}
	text = calloc(1, (size_t)size + 1);
	if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
		free(text);
		fclose(f);
		snprintf(err, errlen, "%s: cannot read", path);
		return -1;
	}
	fclose(f);
	rc = xp_state_parse(text, s, err, errlen);
	free(text);
	return rc;
}

int xp_state_save(const char *dir, const struct xp_state *s)
{
	char path[4096], tmp[4200], *text = NULL;
	int fd, rc;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path); /* one writer: the lock holder */
	rc = xp_state_format(s, &text);
	if (rc < 0)
		return rc;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		rc = -errno;
		free(text);
		return rc;
	}
	len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
		rc = errno ? -errno : -EIO;
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
	return 0;
}
