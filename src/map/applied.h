/* The applied map: what network-xenplumb start/reload last applied, as
 * vif-xenplumb needs it, written atomically into the state directory
 * (STATE_DIR/applied-map).  vif hotplug reads this instead of the live
 * /etc/xen/xenplumb.conf, so an admin's half-edited map cannot break a
 * guest start, and a hotplug costs one look-up, not a parse of the map.
 *
 * Format (text, version 1; docs/network-xenplumb.md):
 *
 *   xenplumb-applied-map 1
 *   default BRIDGE|-
 *   # from FILE by COMMAND: records sorted bytewise by "TYPE NAME"
 *   b NAME antispoof=0|1 [type=openvswitch] [iface-id=vm-name]
 *                                      one per [bridge] (an Open vSwitch
 *                                      bridge's type, and iface-id = name)
 *   n NAME bridge=BRIDGE vlan=0..4094  one per [network]
 *   r NAME uplink=DEV address=A|- address6=A|- proxy=0|1 antispoof=0|1
 *                                      one per [routed]
 *   t NAME bridge=BRIDGE address=A/LEN dhcp=0|1   one per [nat]
 *   end
 *
 * A reader maps the file and finds a record by binary search over its
 * lines: the cost does not grow with the map beyond log2(records) line
 * comparisons.  Words after the name are KEY=VALUE; unknown keys are
 * ignored, so later versions may add some without a new version number. */
#ifndef XP_MAP_APPLIED_H
#define XP_MAP_APPLIED_H

#include <stddef.h>

#include "map/conf.h"

#define XP_APPLIED_NAME	   "applied-map"
#define XP_APPLIED_MAGIC   "xenplumb-applied-map 1\n"
#define XP_APPLIED_MAX	   (256u << 20) /* bytes a reader accepts */
#define XP_STATE_DIR_ENV   "XENPLUMB_STATE_DIR"
#define XP_STATE_DIR_SHARE "/run/xenplumb" /* the default, as src/net/state.h */

/* STATE_DIR/applied-map for the state directory $XENPLUMB_STATE_DIR (or
 * /run/xenplumb) into buf. */
void xp_applied_path(char *buf, size_t len);

/* Write c (a loaded, valid map read from source) as dir/applied-map:
 * a temporary file, then rename(2).  0, or -1 with err set. */
int xp_applied_write(const char *dir, const struct xp_conf *c, const char *source,
		     const char *command, char *err, size_t errlen);
/* The same in two halves, so a run that fails writes nothing: stage
 * writes the temporary file (its path into tmp) before the run changes
 * the host; commit renames it into place after success, discard removes
 * it after a failure. */
int xp_applied_stage(const char *dir, const struct xp_conf *c, const char *source,
		     const char *command, char *tmp, size_t tmplen, char *err, size_t errlen);
int xp_applied_commit(const char *dir, const char *tmp, char *err, size_t errlen);
void xp_applied_discard(const char *tmp);
/* Remove dir/applied-map (stop).  0 (also when absent) or -1 with err. */
int xp_applied_remove(const char *dir, char *err, size_t errlen);
/* The file's text for c, as xp_applied_write writes it (malloc'd; NULL
 * when out of memory).  For tests. */
char *xp_applied_format(const struct xp_conf *c, const char *source, const char *command,
			size_t *len);

struct xp_applied {
	const char *text; /* the mapping */
	size_t len;
	size_t rec, end; /* the records: [rec, end) */
	char dflt[XP_IFNAMSIZ];
};

/* Open path: 1 opened, 0 no such file, -1 unreadable or damaged (err
 * names the file and what to do). */
int xp_applied_open(const char *path, struct xp_applied *a, char *err, size_t errlen);
/* The same over a buffer (tests): 1 or -1. */
int xp_applied_from_text(const char *text, size_t len, struct xp_applied *a, char *err,
			 size_t errlen);
void xp_applied_close(struct xp_applied *a);

/* Does a hold what c would be written as (default bridge and records;
 * the comment line aside)?  1 yes, 0 no. */
int xp_applied_same(const struct xp_applied *a, const struct xp_conf *c);

/* Look-ups: 0 found (outputs set), -1 absent. */
int xp_applied_network(const struct xp_applied *a, const char *name, char bridge[XP_IFNAMSIZ],
		       int *vlan);
int xp_applied_bridge(const struct xp_applied *a, const char *name, int *antispoof);
/* A bridge record's words: antispoof, type (XP_BR_LINUX unless
 * type=openvswitch) and iface_id_by_name (iface-id=vm-name). */
struct xp_applied_br {
	int antispoof;
	int type;
	int iface_id_by_name;
};
int xp_applied_bridge_info(const struct xp_applied *a, const char *name, struct xp_applied_br *b);
/* The [routed] and [nat] networks (what vif-xenplumb needs of them: the
 * vif side never parses the map when there is an applied one) into c's
 * routed[] and nats[], the rest of c empty; free with xp_conf_free.  A
 * binary search to the first of them, then one line each.  0, or -1 (out
 * of memory or a damaged record). */
int xp_applied_l3(const struct xp_applied *a, struct xp_conf *c);
/* The default bridge, or NULL. */
const char *xp_applied_default(const struct xp_applied *a);

#endif
