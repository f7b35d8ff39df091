#include "vif/vif_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOMID_MAX 32751u /* below DOMID_FIRST_RESERVED */
#define DEVID_MAX 999999u

const char *vif_action_name(enum vif_action a)
{
	switch (a) {
	case VIF_ONLINE:
		return "online";
	case VIF_OFFLINE:
		return "offline";
	case VIF_ADD:
		return "add";
	case VIF_REMOVE:
		return "remove";
	}
	return "?";
}

static int is_var_arg(const char *a)
{
	const char *eq = strchr(a, '=');

	return eq && eq != a;
}

const char *vif_getvar(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);

	/* The last VAR=VAL on the command line wins, like the stock evalVariables. */
	for (int i = argc - 1; i >= 1; i--)
		if (!strncmp(argv[i], name, n) && argv[i][n] == '=')
			return argv[i] + n + 1;
	return getenv(name);
}

/* Decimal, no sign, no leading zero (except "0"), at most max; advances *p. */
static int take_id(const char **p, unsigned max, unsigned *out)
{
	const char *q = *p;
	unsigned long v = 0;

	if (*q < '0' || *q > '9' || (q[0] == '0' && q[1] >= '0' && q[1] <= '9'))
		return -1;
	while (*q >= '0' && *q <= '9') {
		v = v * 10 + (unsigned long)(*q++ - '0');
		if (v > max)
			return -1;
	}
	*p = q;
	*out = (unsigned)v;
	return 0;
}

int vif_parse_xbpath(const char *p, unsigned *domid, unsigned *devid)
{
	unsigned be;

	if (!p || strlen(p) >= VIF_PATH_MAX)
		return -1;
	if (*p == '/') {
		static const char pre[] = "/local/domain/";
		if (strncmp(p, pre, sizeof(pre) - 1))
			return -1;
		p += sizeof(pre) - 1;
		if (take_id(&p, DOMID_MAX, &be) || *p++ != '/')
			return -1;
	}
	if (strncmp(p, "backend/vif/", 12))
		return -1;
	p += 12;
	if (take_id(&p, DOMID_MAX, domid) || *p++ != '/' || take_id(&p, DEVID_MAX, devid) || *p)
		return -1;
	return 0;
}

int vif_parse_devname(const char *name, int tap, unsigned *domid, unsigned *devid)
{
	const char *p = name;

	if (!name || strlen(name) >= XP_IFNAMSIZ || strncmp(p, "vif", 3))
		return -1;
	p += 3;
	if (take_id(&p, DOMID_MAX, domid) || *p++ != '.' || take_id(&p, DEVID_MAX, devid))
		return -1;
	if (tap && strcmp(p, "-emu"))
		return -1;
	if (!tap && *p)
		return -1;
	return 0;
}

static int copy_opt(char *dst, size_t len, const char *v, const char *what, char *err,
		    size_t errlen)
{
	dst[0] = '\0';
	if (!v)
		return 0;
	if (xp_valid_text(v, len - 1)) {
		snprintf(err, errlen, "%s from the environment is too long or not printable", what);
		return -1;
	}
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* The command: the first argument that is no VAR=VAL. */
static int parse_action(int argc, char **argv, struct vif_inv *inv, char *err, size_t errlen)
{
	const char *cmd = NULL;

	for (int i = 1; i < argc; i++)
		if (!is_var_arg(argv[i])) {
			cmd = argv[i];
			break;
		}
	if (!cmd) {
		snprintf(err, errlen,
			 "usage: vif-xenplumb online|offline|add|remove [type_if=vif|tap]");
		return -1;
	}
	if (!strcmp(cmd, "online"))
		inv->action = VIF_ONLINE;
	else if (!strcmp(cmd, "offline"))
		inv->action = VIF_OFFLINE;
	else if (!strcmp(cmd, "add"))
		inv->action = VIF_ADD;
	else if (!strcmp(cmd, "remove"))
		inv->action = VIF_REMOVE;
	else {
		snprintf(err, errlen, "invalid command '%.32s'",
			 xp_valid_text(cmd, 32) ? "?" : cmd);
		return -1;
	}
	inv->up = inv->action == VIF_ONLINE || inv->action == VIF_ADD;
	return 0;
}

static int parse_type(int argc, char **argv, struct vif_inv *inv, char *err, size_t errlen)
{
	const char *t = vif_getvar(argc, argv, "type_if");

	if (!t || !*t || !strcmp(t, "vif"))
		inv->type = VIF_TYPE_VIF;
	else if (!strcmp(t, "tap"))
		inv->type = VIF_TYPE_TAP;
	else {
		snprintf(err, errlen, "unknown interface type '%.16s'",
			 xp_valid_text(t, 16) ? "?" : t);
		return -1;
	}
	return 0;
}

/* A PV vif: XENBUS_PATH names the backend, vif the device in it.  The pair
 * must agree before the backend path is kept: a mismatched pair names no
 * backend this run may write to (it could be another guest's). */
static int parse_vif_dev(int argc, char **argv, struct vif_inv *inv, char *err, size_t errlen)
{
	const char *xb = vif_getvar(argc, argv, "XENBUS_PATH"), *v;
	unsigned d2, n2;

	if (!xb || vif_parse_xbpath(xb, &inv->domid, &inv->devid)) {
		snprintf(err, errlen, "XENBUS_PATH missing or not backend/vif/DOMID/DEVID");
		return -1;
	}
	v = vif_getvar(argc, argv, "vif");
	if (!v || vif_parse_devname(v, 0, &d2, &n2)) {
		snprintf(err, errlen, "vif missing or not a vifDOMID.DEVID name");
		return -1;
	}
	if (d2 != inv->domid || n2 != inv->devid) {
		snprintf(err, errlen, "vif %s does not belong to %s: nothing written there", v, xb);
		return -1;
	}
	memcpy(inv->dev, v, strlen(v) + 1);
	memcpy(inv->xbpath, xb, strlen(xb) + 1);
	return 0;
}

/* tap: the backend follows from the emulated NIC's name, as stock does; a
 * XENBUS_PATH given beside it must be that NIC's. */
static int parse_tap_dev(int argc, char **argv, struct vif_inv *inv, char *err, size_t errlen)
{
	const char *v = vif_getvar(argc, argv, "INTERFACE");
	unsigned d2, n2;

	if (!v || vif_parse_devname(v, 1, &inv->domid, &inv->devid)) {
		snprintf(err, errlen, "INTERFACE missing or not a vifDOMID.DEVID-emu name");
		return -1;
	}
	memcpy(inv->dev, v, strlen(v) + 1);
	v = vif_getvar(argc, argv, "XENBUS_PATH");
	if (v && *v && (vif_parse_xbpath(v, &d2, &n2) || d2 != inv->domid || n2 != inv->devid)) {
		snprintf(err, errlen,
			 "INTERFACE %s does not belong to XENBUS_PATH %.64s: nothing "
			 "written there",
			 inv->dev, xp_valid_text(v, 64) ? "?" : v);
		return -1;
	}
	if (v && *v)
		memcpy(inv->xbpath, v, strlen(v) + 1); /* libxl's, valid for driver domains */
	else
		snprintf(inv->xbpath, sizeof(inv->xbpath), "/local/domain/0/backend/vif/%u/%u",
			 inv->domid, inv->devid);
	return 0;
}

/* libxl's netdev: the vif's gatewaydev (vif-route's uplink). */
static int parse_netdev(int argc, char **argv, struct vif_inv *inv, char *err, size_t errlen)
{
	const char *v = vif_getvar(argc, argv, "netdev");

	if (!v || !*v)
		return 0;
	if (xp_valid_ifname(v, NULL)) {
		snprintf(err, errlen, "netdev '%.16s' is not an interface name",
			 xp_valid_text(v, 16) ? "?" : v);
		return -1;
	}
	snprintf(inv->netdev, sizeof(inv->netdev), "%s", v);
	return 0;
}

/* Is name shaped like a name netback (vifD.N) or qemu (vifD.N-emu) gives a
 * guest NIC, for any D and N (leading zeros and out-of-range ids too: no
 * guessing which ones the toolstack could produce)? */
static int devname_shaped(const char *name)
{
	const char *p = name;
	size_t a, b;

	if (strncmp(p, "vif", 3))
		return 0;
	p += 3;
	a = strspn(p, "0123456789");
	if (!a || p[a] != '.')
		return 0;
	p += a + 1;
	b = strspn(p, "0123456789");
	if (!b)
		return 0;
	p += b;
	return !*p || !strcmp(p, "-emu");
}

int vif_check_vifname(const char *vifname, const struct vif_inv *inv, char *err, size_t errlen)
{
	if (!vifname || !*vifname || !strcmp(vifname, inv->dev))
		return 0;
	if (strchr(vifname, '%')) {
		snprintf(err, errlen, "vifname %s: the kernel would rewrite a name with '%%'",
			 vifname);
		return -1;
	}
	if (devname_shaped(vifname)) {
		snprintf(err, errlen,
			 "vifname %s: has the form of a guest NIC's kernel name (vifD.N or "
			 "vifD.N-emu), which another guest's NIC has or could get",
			 vifname);
		return -1;
	}
	return 0;
}

int vif_inv_parse(int argc, char **argv, struct vif_inv *inv, char *err, size_t errlen)
{
	memset(inv, 0, sizeof(*inv));
	if (parse_action(argc, argv, inv, err, errlen) || parse_type(argc, argv, inv, err, errlen))
		return -1;
	if ((inv->type == VIF_TYPE_VIF) !=
	    (inv->action == VIF_ONLINE || inv->action == VIF_OFFLINE)) {
		inv->noop = 1;
		return 0;
	}
	if (copy_opt(inv->bridge, sizeof(inv->bridge), vif_getvar(argc, argv, "bridge"), "bridge",
		     err, errlen) ||
	    copy_opt(inv->ip, sizeof(inv->ip), vif_getvar(argc, argv, "ip"), "ip", err, errlen) ||
	    parse_netdev(argc, argv, inv, err, errlen))
		return -1;
	if (inv->type == VIF_TYPE_VIF)
		return parse_vif_dev(argc, argv, inv, err, errlen);
	return parse_tap_dev(argc, argv, inv, err, errlen);
}
