/* network-bridge's arguments as a map.  xend ran
 *   network-bridge start vifnum=0 bridge=xenbr0 netdev=eth0 antispoof=no
 * and the script took bridge=xenbr${vifnum} and netdev=eth${vifnum} when
 * absent.  The caller strips the start/stop/status word; every remaining
 * word must be one of the four k=v settings. */
#include "map/conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map/conf_lex.h"

#define LEGACY_FILE "<arguments>"

static const char *const legacy_keys[] = {"bridge", "netdev", "antispoof", "vifnum"};
#define NLEGACY (sizeof(legacy_keys) / sizeof(legacy_keys[0]))

static int is_dummy_name(const char *s)
{
	return !strncmp(s, "dummy", 5) && s[5] && strspn(s + 5, "0123456789") == strlen(s + 5);
}

static void set_name(char dst[XP_IFNAMSIZ], const char *src)
{
	size_t n = strnlen(src, XP_IFNAMSIZ - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Fill *c from the collected values; returns 0 or -1 when out of memory. */
static int build(struct xp_conf *c, const char *bridge, const char *netdev, int antispoof)
{
	struct xp_bridge *b;

	c->legacy = 1;
	c->files = calloc(1, sizeof(*c->files));
	if (!c->files || !(c->files[0] = strdup(LEGACY_FILE)))
		return -1;
	c->nfiles = 1;
	c->bridges = b = calloc(1, sizeof(*b));
	if (!b)
		return -1;
	c->nbridges = 1;
	set_name(b->name, bridge);
	b->loc = (struct xp_loc){c->files[0], 0};
	b->mtu = b->stp = b->forward_delay = b->vlan_filtering = XP_UNSET;
	b->is_default = 1;
	b->move_addresses = 1;
	b->antispoof = antispoof;
	b->ports = calloc(1, sizeof(*b->ports));
	if (!b->ports)
		return -1;
	set_name(b->ports[0], netdev);
	b->nports = 1;
	if (is_dummy_name(netdev)) {
		c->dummies = calloc(1, sizeof(*c->dummies));
		if (!c->dummies)
			return -1;
		c->ndummies = 1;
		set_name(c->dummies[0].name, netdev);
		c->dummies[0].loc = b->loc;
		c->dummies[0].mtu = XP_UNSET;
	}
	return 0;
}

int xp_conf_from_legacy(int argc, char **argv, struct xp_conf *c, struct xp_diag *d)
{
	const char *val[NLEGACY] = {NULL};
	char defbr[32], defdev[32];
	const char *bridge, *netdev;
	const char *why;
	int errors = 0, antispoof = 0;
	long vifnum = 0;

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t k = NLEGACY;

		for (size_t j = 0; eq && j < NLEGACY; j++)
			if (strlen(legacy_keys[j]) == (size_t)(eq - argv[i]) &&
			    !strncmp(argv[i], legacy_keys[j], (size_t)(eq - argv[i])))
				k = j;
		if (!eq) {
			xp_diag_add(d, LEGACY_FILE, 0,
				    "argument is not KEY=VALUE, '%s' -- use bridge=, netdev=, "
				    "antispoof= or vifnum=",
				    argv[i]);
			errors++;
		} else if (k == NLEGACY) {
			xp_diag_add(
			    d, LEGACY_FILE, 0,
			    "unknown argument, '%s' -- network-xenplumb understands bridge=, "
			    "netdev=, antispoof= and vifnum=",
			    argv[i]);
			errors++;
		} else if (val[k]) {
			xp_diag_add(d, LEGACY_FILE, 0,
				    "argument given twice, '%s' (first '%s=%s') -- give it once",
				    argv[i], legacy_keys[k], val[k]);
			errors++;
		} else {
			val[k] = eq + 1;
		}
	}
	if (val[3] && xp_parse_uint(val[3], 0, 9999, &vifnum)) {
		xp_diag_add(d, LEGACY_FILE, 0,
			    "bad vifnum, '%s' -- use a whole number from 0 to 9999", val[3]);
		errors++;
	}
	if (val[2] && (antispoof = xp_lex_bool(val[2])) < 0) {
		xp_diag_add(d, LEGACY_FILE, 0,
			    "bad antispoof, '%s' -- use yes or no (or on/off, true/false, 1/0)",
			    val[2]);
		errors++;
	}
	snprintf(defbr, sizeof(defbr), "xenbr%ld", vifnum);
	snprintf(defdev, sizeof(defdev), "eth%ld", vifnum);
	bridge = val[0] ? val[0] : defbr;
	netdev = val[1] ? val[1] : defdev;
	if (xp_valid_ifname(bridge, &why)) {
		xp_diag_add(d, LEGACY_FILE, 0, "bad bridge name, '%s' -- %s", bridge, why);
		errors++;
	}
	if (xp_valid_ifname(netdev, &why)) {
		xp_diag_add(d, LEGACY_FILE, 0, "bad netdev name, '%s' -- %s", netdev, why);
		errors++;
	}
	if (!errors && !strcmp(bridge, netdev)) {
		xp_diag_add(d, LEGACY_FILE, 0,
			    "bridge and netdev are the same interface, '%s' -- name a bridge and "
			    "the NIC it bridges",
			    bridge);
		errors++;
	}
	if (!errors && build(c, bridge, netdev, antispoof < 0 ? 0 : antispoof)) {
		xp_diag_add(d, LEGACY_FILE, 0, "out of memory");
		errors++;
	}
	if (errors)
		xp_conf_free(c);
	return errors;
}
