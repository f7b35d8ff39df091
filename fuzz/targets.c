/* Fuzz entry points: see targets.h. */
#include "targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/validate.h"
#include "map/conf.h"
#include "vif/vif_args.h"
#include "vif/vif_bridge.h"
#include "vif/vif_keys.h"
#include "vif/vlanspec.h"

#define XPF_MAX_INPUT 65536
#define XPF_MAX_ARGS  32

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz invariant broken: %s\n", what);
		abort();
	}
}

/* The input as a NUL-terminated string (it stops at the first NUL). */
static char *cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Split a copy of the input on '\n' into at most max strings (an empty
 * piece is kept).  Returns the count; *buf must be freed. */
static int split(const uint8_t *data, size_t size, char **v, int max, char **buf)
{
	char *s = cstr(data, size), *p = s;
	int n = 0;

	*buf = s;
	if (size == 0)
		return 0;
	while (n < max) {
		char *nl = strchr(p, '\n');

		v[n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

/* ---- conf ---------------------------------------------------------------- */

/* A private directory with a few files an include may name.  Made once per
 * process; removed at exit. */
static char conf_dir[64];
static char conf_name[96];

static void conf_dir_rm(void)
{
	static const char *const files[] = {"a.conf", "b.conf", "d/c.conf", "d/e.conf", "big.conf"};
	char p[160];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", conf_dir, files[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/d", conf_dir);
	rmdir(p);
	rmdir(conf_dir);
}

static void put(const char *rel, const char *text)
{
	char p[160];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", conf_dir, rel);
	if (!(f = fopen(p, "w")))
		abort();
	fputs(text, f);
	fclose(f);
}

static void conf_dir_make(void)
{
	char p[160];

	if (conf_dir[0])
		return;
	snprintf(conf_dir, sizeof(conf_dir), "/tmp/xpfuzz.XXXXXX");
	if (!mkdtemp(conf_dir))
		abort();
	snprintf(p, sizeof(p), "%s/d", conf_dir);
	if (mkdir(p, 0700))
		abort();
	put("a.conf", "[bridge xenbr1]\nports = eth1\n");
	put("b.conf", "include a.conf\n[network n]\nbridge = xenbr1\n");
	put("d/c.conf", "[vlan eth0.5]\n");
	put("d/e.conf", "include ../b.conf\n[dummy dummy3]\n");
	{
		/* just over the parser's size limit is not known here: a large file */
		FILE *f;

		snprintf(p, sizeof(p), "%s/big.conf", conf_dir);
		if (!(f = fopen(p, "w")))
			abort();
		for (int i = 0; i < 20000; i++)
			fputs("# padding line for a large include\n", f);
		fclose(f);
	}
	snprintf(conf_name, sizeof(conf_name), "%s/fuzz.conf", conf_dir);
	atexit(conf_dir_rm);
}

/* Includes must stay inside conf_dir: the parser itself follows absolute
 * paths and ".." anywhere (it is root's own map), and opening arbitrary
 * files (devices, FIFOs) from a fuzzer is not harmless.  Inputs that could
 * leave the directory are not run. */
static int conf_escapes(const char *s)
{
	if (strstr(s, ".."))
		return 1;
	for (const char *p = s; (p = strstr(p, "include")); p += 7) {
		const char *q = p + 7;

		while (*q == ' ' || *q == '\t' || *q == '"' || *q == '\v' || *q == '\f' ||
		       *q == '\r')
			q++;
		if (*q == '/' || *q == '~' || *q == '$' || *q == '{')
			return 1;
	}
	return 0;
}

static void conf_invariants(const struct xp_conf *c, const struct xp_diag *d, int rc)
{
	if (rc) {
		check(rc > 0 && d->n > 0, "errors reported without messages");
		check(!c->nbridges && !c->nvlans && !c->nbonds && !c->ndummies && !c->nnetworks,
		      "a map with errors left data behind");
		return;
	}
	check(d->n == 0, "success with diagnostics");
	for (size_t i = 0; i < c->nbridges; i++) {
		const struct xp_bridge *b = &c->bridges[i];

		check(!xp_valid_ifname(b->name, NULL), "bridge name invalid");
		check(xp_conf_bridge(c, b->name) == b, "bridge look-up");
		check(b->mtu == XP_UNSET || (b->mtu >= XP_MTU_MIN && b->mtu <= XP_MTU_MAX),
		      "bridge mtu range");
		for (size_t j = 0; j < b->nports; j++)
			check(!xp_valid_ifname(b->ports[j], NULL), "port name invalid");
		check(b->loc.file && b->loc.line > 0, "bridge location");
	}
	for (size_t i = 0; i < c->nvlans; i++) {
		const struct xp_vlan *v = &c->vlans[i];

		check(!xp_valid_ifname(v->name, NULL) && !xp_valid_ifname(v->parent, NULL),
		      "vlan names invalid");
		check(v->id >= XP_VID_MIN && v->id <= XP_VID_MAX, "vlan id range");
		check(xp_conf_vlan(c, v->name) == v, "vlan look-up");
	}
	for (size_t i = 0; i < c->nbonds; i++) {
		const struct xp_bond *b = &c->bonds[i];

		check(!xp_valid_ifname(b->name, NULL), "bond name invalid");
		check(b->mode == XP_UNSET || xp_bond_mode_name(b->mode) != NULL, "bond mode");
		for (size_t j = 0; j < b->nslaves; j++)
			check(!xp_valid_ifname(b->slaves[j], NULL), "slave name invalid");
	}
	for (size_t i = 0; i < c->ndummies; i++)
		check(!xp_valid_ifname(c->dummies[i].name, NULL), "dummy name invalid");
	for (size_t i = 0; i < c->nnetworks; i++) {
		const struct xp_network *n = &c->networks[i];

		check(memchr(n->name, '\0', sizeof(n->name)) != NULL, "network name unterminated");
		check(n->vlan >= 0 && n->vlan <= XP_VID_MAX, "network vlan range");
		check(xp_conf_network(c, n->name) == n, "network look-up");
	}
	if (xp_conf_default_bridge(c))
		check(xp_conf_bridge(c, xp_conf_default_bridge(c)->name) != NULL,
		      "default bridge not in the map");
}

int xpf_conf(const uint8_t *data, size_t size)
{
	struct xp_conf c;
	struct xp_diag d = {0};
	char *text;

	if (size > XPF_MAX_INPUT)
		return 0;
	conf_dir_make();
	text = cstr(data, size);
	if (!conf_escapes(text)) {
		int rc = xp_conf_parse_string(conf_name, text, &c, &d);

		conf_invariants(&c, &d, rc);
		for (size_t i = 0; i < d.n; i++)
			check(d.msgs[i] != NULL && d.msgs[i][0] != '\0', "empty diagnostic");
		xp_conf_free(&c);
		xp_diag_free(&d);
	}
	free(text);
	return 0;
}

/* ---- legacy -------------------------------------------------------------- */

int xpf_legacy(const uint8_t *data, size_t size)
{
	char *argv[XPF_MAX_ARGS], *buf;
	struct xp_conf c;
	struct xp_diag d = {0};
	int argc;

	if (size > 4096)
		return 0;
	argc = split(data, size, argv, XPF_MAX_ARGS, &buf);
	int rc = xp_conf_from_legacy(argc, argv, &c, &d);
	if (rc) {
		check(d.n > 0, "legacy error without message");
		check(!c.nbridges && !c.ndummies, "legacy error left data");
	} else {
		check(c.legacy && c.nbridges == 1, "legacy map has one bridge");
		check(!xp_valid_ifname(c.bridges[0].name, NULL), "legacy bridge name");
		check(c.bridges[0].move_addresses == 1, "legacy moves addresses");
		for (size_t j = 0; j < c.bridges[0].nports; j++)
			check(!xp_valid_ifname(c.bridges[0].ports[j], NULL), "legacy port name");
	}
	xp_conf_free(&c);
	xp_diag_free(&d);
	free(buf);
	return 0;
}

/* ---- values and VLAN specs ----------------------------------------------- */

static void vlanspec_roundtrip(const char *s)
{
	struct xp_vlanspec a, b;
	char err[256], txt[8192], txt2[8192];
	int lo = 0, hi, flags, count = 0, pvids = 0;

	if (xp_vlanspec_parse(s, &a, err, sizeof(err))) {
		check(err[0] != '\0', "vlanspec error without message");
		return;
	}
	check(strlen(s) <= XP_VLANSPEC_MAX, "vlanspec accepted an over-long text");
	check(a.count > 0, "vlanspec accepted with no VLAN");
	check(a.pvid >= 0 && a.pvid <= XP_VID_MAX, "pvid range");
	check(a.pvid == 0 || xp_vlanspec_has(&a, a.pvid), "pvid not a member");
	check(xp_vlanspec_has(&a, 0) == 0 && xp_vlanspec_has(&a, 4095) == 0, "vid 0/4095");
	while (!xp_vlanspec_next_run(&a, &lo, &hi, &flags)) {
		check(lo >= XP_VID_MIN && hi <= XP_VID_MAX && lo <= hi, "run bounds");
		for (int v = lo; v <= hi; v++)
			check(xp_vlanspec_flags(&a, v) == flags, "run flags");
		if (flags & XP_VLAN_F_PVID) {
			check(lo == hi && lo == a.pvid, "pvid run");
			pvids++;
		}
		count += hi - lo + 1;
		lo = hi + 1;
		check(count <= 4094, "runs overflow");
	}
	check(count == a.count, "runs cover count");
	check(pvids == (a.pvid != 0), "one pvid run");
	xp_vlanspec_format(&a, txt, sizeof(txt));
	if (strlen(txt) > XP_VLANSPEC_MAX)
		return; /* canonical form longer than the input limit: not reparsable */
	if (a.pvid == 0)
		return; /* a spec without PVID has no canonical text the parser takes */
	check(xp_vlanspec_parse(txt, &b, err, sizeof(err)) == 0, "canonical text reparses");
	check(!memcmp(a.member, b.member, sizeof(a.member)) &&
		  !memcmp(a.untagged, b.untagged, sizeof(a.untagged)) && a.pvid == b.pvid &&
		  a.count == b.count,
	      "vlanspec round trip");
	xp_vlanspec_format(&b, txt2, sizeof(txt2));
	check(!strcmp(txt, txt2), "canonical text is stable");
}

int xpf_values(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	struct xp_ipaddr ips[VIF_MAX_IPS];
	uint8_t mac[6];
	long lv;
	int iv;
	size_t n;
	char *s;

	if (size < 1 || size > 4096)
		return 0;
	s = cstr(data + 1, size - 1);
	switch (data[0] % 9) {
	case 0:
		if (!xp_valid_ifname(s, &why)) {
			size_t l = strlen(s);

			check(l >= 1 && l <= 15, "ifname length");
			check(!strpbrk(s, "/: \t\n") && strcmp(s, ".") && strcmp(s, ".."),
			      "ifname characters");
		} else {
			check(why != NULL, "ifname reason");
		}
		break;
	case 1:
		if (!xp_parse_mac(s, mac, data[0] & 16, &why) && (data[0] & 16))
			check(!(mac[0] & 1) &&
				  (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]),
			      "unicast mac");
		break;
	case 2: {
		long lo = (long)(data[0] >> 4) * 100, hi = lo + 5000;

		if (!xp_parse_uint(s, lo, hi, &lv))
			check(lv >= lo && lv <= hi && s[0] >= '0' && s[0] <= '9', "uint range");
		break;
	}
	case 3:
		if (!xp_parse_mtu(s, &iv, &why))
			check(iv >= XP_MTU_MIN && iv <= XP_MTU_MAX, "mtu range");
		break;
	case 4:
		if (!xp_parse_vlan_id(s, &iv, &why))
			check(iv >= XP_VID_MIN && iv <= XP_VID_MAX, "vlan id range");
		break;
	case 5:
		if (!xp_parse_ipaddr(s, &ips[0], &why)) {
			check(ips[0].family == 2 || ips[0].family == 10, "ip family");
			check(ips[0].prefixlen >= -1 &&
				  ips[0].prefixlen <= (ips[0].family == 2 ? 32 : 128),
			      "prefix range");
		}
		break;
	case 6:
		if (!xp_valid_text(s, 64))
			check(strlen(s) <= 64, "text length");
		break;
	case 7:
		if (!vif_parse_ips(s, ips, VIF_MAX_IPS, &n, &why))
			check(n <= VIF_MAX_IPS, "ip count");
		break;
	default:
		vlanspec_roundtrip(s);
		break;
	}
	free(s);
	return 0;
}

/* ---- vif keys ------------------------------------------------------------ */

/* A field "\x01" stands for an absent key. */
static const char *field(char **v, int n, int i)
{
	if (i >= n || !strcmp(v[i], "\x01"))
		return NULL;
	return v[i];
}

int xpf_vifkeys(const uint8_t *data, size_t size)
{
	char *v[8], *buf, err[256];
	struct vif_raw raw;
	struct vif_keys k;
	int n, tap;

	if (size < 1 || size > 8192)
		return 0;
	tap = data[0] & 1;
	n = split(data + 1, size - 1, v, 8, &buf);
	raw = (struct vif_raw){field(v, n, 0), field(v, n, 1), field(v, n, 2),
			       field(v, n, 3), field(v, n, 4), field(v, n, 5)};
	err[0] = '\0';
	if (vif_keys_parse(&raw, tap, &k, err, sizeof(err))) {
		check(err[0] != '\0', "vif key error without message");
	} else {
		check(memchr(k.bridge, '\0', sizeof(k.bridge)) != NULL, "bridge unterminated");
		check(!k.vifname[0] || !xp_valid_ifname(k.vifname, NULL), "vifname valid");
		check(!tap || !k.vifname[0] ||
			  (strlen(k.vifname) > 4 &&
			   !strcmp(k.vifname + strlen(k.vifname) - 4, "-emu")),
		      "tap vifname has -emu");
		check(k.mtu == 0 || (k.mtu >= XP_MTU_MIN && k.mtu <= XP_MTU_MAX), "vif mtu");
		check(k.nips <= VIF_MAX_IPS, "vif ips");
		check(!k.has_mac || !(k.mac[0] & 1), "vif mac unicast");
		check(!k.has_vlan || k.vlan.count > 0, "vif vlan");
	}
	free(buf);
	return 0;
}

/* ---- vif args ------------------------------------------------------------ */

int xpf_vifargs(const uint8_t *data, size_t size)
{
	char *argv[XPF_MAX_ARGS + 1], *buf, err[256];
	struct vif_inv inv;
	unsigned d1, d2;
	int argc;

	if (size > 4096)
		return 0;
	argc = split(data, size, argv, XPF_MAX_ARGS, &buf);
	argv[argc] = NULL;
	err[0] = '\0';
	if (vif_inv_parse(argc, argv, &inv, err, sizeof(err))) {
		check(err[0] != '\0', "vif args error without message");
	} else if (!inv.noop) {
		check(vif_parse_xbpath(inv.xbpath, &d1, &d2) == 0, "xbpath valid");
		check(d1 == inv.domid && d2 == inv.devid, "xbpath ids");
		check(!xp_valid_ifname(inv.dev, NULL), "dev valid");
		check(vif_action_name(inv.action) != NULL, "action name");
	}
	for (int i = 0; i < argc; i++) {
		if (!vif_parse_xbpath(argv[i], &d1, &d2))
			check(strstr(argv[i], "backend/vif/") != NULL, "xbpath shape");
		if (!vif_parse_devname(argv[i], i & 1, &d1, &d2))
			check(!strncmp(argv[i], "vif", 3) && strlen(argv[i]) < XP_IFNAMSIZ,
			      "devname shape");
	}
	free(buf);
	return 0;
}

/* ---- vif bridge ---------------------------------------------------------- */

/* Fake host: a name is a bridge if it starts with "br" or "xenbr", another
 * link if it starts with "eth" or "bond", missing otherwise; "err*" fails
 * the look-up.  Networks: "net*" -> br0 (VLAN from the name's length),
 * "nbad*" -> a bridge that does not exist. */
struct fake {
	int has_default;
};

static int fake_kind(void *ctx, const char *name)
{
	(void)ctx;
	check(!xp_valid_ifname(name, NULL), "link_kind called with an invalid name");
	if (!strncmp(name, "err", 3))
		return -1;
	if (!strncmp(name, "br", 2) || !strncmp(name, "xenbr", 5))
		return VIF_LINK_BRIDGE;
	if (!strncmp(name, "eth", 3) || !strncmp(name, "bond", 4))
		return !strncmp(name, "eth9", 4) ? VIF_LINK_BRIDGE : VIF_LINK_OTHER;
	return VIF_LINK_NONE;
}

static int fake_network(void *ctx, const char *name, char bridge[XP_IFNAMSIZ], int *vlan)
{
	(void)ctx;
	if (!strncmp(name, "net", 3)) {
		snprintf(bridge, XP_IFNAMSIZ, "br0");
		*vlan = (int)(strlen(name) % 5) * 100;
		return 0;
	}
	if (!strncmp(name, "nbad", 4)) {
		snprintf(bridge, XP_IFNAMSIZ, "missing0");
		*vlan = 0;
		return 0;
	}
	return -1;
}

static const char *fake_default(void *ctx)
{
	return ((struct fake *)ctx)->has_default ? "xenbr0" : NULL;
}

int xpf_vifbridge(const uint8_t *data, size_t size)
{
	struct fake f;
	struct vif_lookup lk = {&f, fake_kind, fake_network, fake_default};
	struct vif_target t;
	char err[256], *key;

	if (size < 1 || size > 1024)
		return 0;
	f.has_default = data[0] & 1;
	key = cstr(data + 1, size - 1);
	err[0] = '\0';
	if (vif_resolve_bridge(key, &lk, &t, err, sizeof(err))) {
		check(err[0] != '\0', "bridge error without message");
	} else {
		check(!xp_valid_ifname(t.bridge, NULL), "resolved bridge name valid");
		check(fake_kind(NULL, t.bridge) == VIF_LINK_BRIDGE, "resolved to a bridge");
		check(!t.has_vlan || t.vlan.count > 0, "resolved vlan set");
		check(memchr(t.how, '\0', sizeof(t.how)) != NULL, "how unterminated");
	}
	free(key);
	return 0;
}

const struct xpf_target xpf_targets[] = {
    {"conf", xpf_conf},	      {"legacy", xpf_legacy},
    {"values", xpf_values},   {"vifkeys", xpf_vifkeys},
    {"vifargs", xpf_vifargs}, {"vifbridge", xpf_vifbridge},
    {"plan", xpf_plan},	      {NULL, NULL},
};
