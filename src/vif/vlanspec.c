#include "vif/vlanspec.h"

#include <stdio.h>
#include <string.h>

static void set_bit(uint8_t *m, int v)
{
	m[v >> 3] |= (uint8_t)(1u << (v & 7));
}

static int get_bit(const uint8_t *m, int v)
{
	return (m[v >> 3] >> (v & 7)) & 1;
}

void xp_vlanspec_init(struct xp_vlanspec *s)
{
	memset(s, 0, sizeof(*s));
}

int xp_vlanspec_has(const struct xp_vlanspec *s, int vid)
{
	return vid >= XP_VID_MIN && vid <= XP_VID_MAX && get_bit(s->member, vid);
}

int xp_vlanspec_flags(const struct xp_vlanspec *s, int vid)
{
	int f = 0;

	if (!xp_vlanspec_has(s, vid))
		return 0;
	if (get_bit(s->untagged, vid))
		f |= XP_VLAN_F_UNTAGGED;
	if (s->pvid == vid)
		f |= XP_VLAN_F_PVID;
	return f;
}

int xp_vlanspec_add(struct xp_vlanspec *s, int vid, int flags)
{
	if (vid < XP_VID_MIN || vid > XP_VID_MAX || get_bit(s->member, vid))
		return -1;
	set_bit(s->member, vid);
	if (flags & (XP_VLAN_F_UNTAGGED | XP_VLAN_F_PVID))
		set_bit(s->untagged, vid);
	if (flags & XP_VLAN_F_PVID)
		s->pvid = vid;
	s->count++;
	return 0;
}

/* A decimal number of 1..4 digits without a leading zero; advances *p. */
static int take_num(const char **p, int *out)
{
	const char *q = *p;
	int v = 0, n = 0;

	if (*q == '0')
		return -1;
	while (*q >= '0' && *q <= '9') {
		if (++n > 4)
			return -1;
		v = v * 10 + (*q++ - '0');
	}
	if (n == 0)
		return -1;
	*p = q;
	*out = v;
	return 0;
}

static int fail(char *err, size_t errlen, const char *term, size_t tlen, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "vlan spec term '%.*s': %s", (int)(tlen > 40 ? 40 : tlen),
			 term, why);
	return -1;
}

/* Parse one '/'-separated term [t, t+len). */
static int parse_term(const char *t, size_t len, struct xp_vlanspec *s, int *npvid, char *err,
		      size_t errlen)
{
	char buf[32];
	const char *p = buf;
	int a, b = 0, step = 0, cnt = 0, flags = 0;
	char kind = 0;

	if (len == 0)
		return fail(err, errlen, t, len, "empty term");
	if (len >= sizeof(buf))
		return fail(err, errlen, t, len, "term too long");
	memcpy(buf, t, len);
	buf[len] = '\0';
	if (take_num(&p, &a))
		return fail(err, errlen, t, len, "expected a VLAN id (1-4094)");
	if (*p == '-' || *p == '+') {
		kind = *p++;
		if (take_num(&p, &b))
			return fail(err, errlen, t, len, "expected a number");
		if (kind == '+') {
			step = b;
			if (*p++ != 'x' || take_num(&p, &cnt))
				return fail(err, errlen, t, len, "expected BASE+STEPxCOUNT");
		}
	}
	if (*p == 'p' && !kind) {
		flags = XP_VLAN_F_PVID | XP_VLAN_F_UNTAGGED;
		p++;
	} else if (*p == 'u') {
		flags = XP_VLAN_F_UNTAGGED;
		p++;
	}
	if (*p == 'p')
		return fail(err, errlen, t, len, "only a single VLAN id can be the PVID");
	if (*p)
		return fail(err, errlen, t, len, "unexpected characters");
	if (a < XP_VID_MIN || a > XP_VID_MAX)
		return fail(err, errlen, t, len, "VLAN id out of range 1-4094");
	if (kind == '-') {
		if (b < XP_VID_MIN || b > XP_VID_MAX)
			return fail(err, errlen, t, len, "VLAN id out of range 1-4094");
		if (b < a)
			return fail(err, errlen, t, len, "range end below its start");
		step = 1;
		cnt = b - a;
	} else if (kind == '+') {
		if ((long)a + (long)step * cnt > XP_VID_MAX)
			return fail(err, errlen, t, len, "sequence passes VLAN 4094");
	}
	if (flags & XP_VLAN_F_PVID)
		(*npvid)++;
	if (*npvid > 1)
		return fail(err, errlen, t, len, "more than one PVID");
	for (int i = 0; i <= cnt; i++)
		if (xp_vlanspec_add(s, a + i * step, flags))
			return fail(err, errlen, t, len, "VLAN listed more than once");
	return 0;
}

int xp_vlanspec_parse(const char *text, struct xp_vlanspec *s, char *err, size_t errlen)
{
	const char *t = text;
	int npvid = 0, nterms = 0, single = 0;

	xp_vlanspec_init(s);
	if (err && errlen)
		err[0] = '\0';
	if (!text || !*text) {
		if (err && errlen)
			snprintf(err, errlen, "vlan spec is empty");
		return -1;
	}
	if (strlen(text) > XP_VLANSPEC_MAX) {
		if (err && errlen)
			snprintf(err, errlen, "vlan spec longer than %d bytes", XP_VLANSPEC_MAX);
		return -1;
	}
	for (;;) {
		const char *e = strchr(t, '/');
		size_t len = e ? (size_t)(e - t) : strlen(t);

		if (parse_term(t, len, s, &npvid, err, errlen))
			return -1;
		nterms++;
		single = strspn(t, "0123456789") == len ||
			 (len > 1 && t[len - 1] == 'u' && strspn(t, "0123456789") == len - 1);
		if (!e)
			break;
		t = e + 1;
	}
	if (npvid == 0) {
		/* A lone VLAN id is the PVID without saying so. */
		if (nterms == 1 && single && s->count == 1) {
			for (int v = XP_VID_MIN; v <= XP_VID_MAX; v++)
				if (xp_vlanspec_has(s, v)) {
					s->pvid = v;
					set_bit(s->untagged, v);
					break;
				}
		} else {
			if (err && errlen)
				snprintf(err, errlen,
					 "vlan spec '%.40s': no VLAN is marked as the PVID ('p')",
					 text);
			return -1;
		}
	}
	return 0;
}

int xp_vlanspec_next_run(const struct xp_vlanspec *s, int *lo, int *hi, int *flags)
{
	int v = *lo == 0 ? XP_VID_MIN : *hi + 1;
	int f;

	while (v <= XP_VID_MAX && !xp_vlanspec_has(s, v))
		v++;
	if (v > XP_VID_MAX)
		return -1;
	f = xp_vlanspec_flags(s, v);
	*lo = v;
	*flags = f;
	if (!(f & XP_VLAN_F_PVID))
		while (v + 1 <= XP_VID_MAX && xp_vlanspec_has(s, v + 1) &&
		       xp_vlanspec_flags(s, v + 1) == f)
			v++;
	*hi = v;
	return 0;
}

void xp_vlanspec_format(const struct xp_vlanspec *s, char *buf, size_t len)
{
	int lo = 0, hi = 0, f;
	size_t off = 0;

	if (!len)
		return;
	buf[0] = '\0';
	while (xp_vlanspec_next_run(s, &lo, &hi, &f) == 0) {
		char one[24];
		const char *suf = (f & XP_VLAN_F_PVID) ? "p" : (f & XP_VLAN_F_UNTAGGED) ? "u" : "";
		int n;

		if (lo == hi)
			n = snprintf(one, sizeof(one), "%s%d%s", off ? "/" : "", lo, suf);
		else
			n = snprintf(one, sizeof(one), "%s%d-%d%s", off ? "/" : "", lo, hi, suf);
		if (n < 0 || off + (size_t)n >= len)
			break;
		memcpy(buf + off, one, (size_t)n + 1);
		off += (size_t)n;
	}
}
