/* How vif-xenplumb was invoked: the action, the interface type and the
 * device/backend it is about, from argv (libxl: `online type_if=vif`; xend
 * via udev: `online` plus VAR=VAL arguments) and the environment (libxl:
 * script XENBUS_TYPE XENBUS_PATH XENBUS_BASE_PATH netdev vif [INTERFACE];
 * udev: the uevent's variables).  VAR=VAL arguments override the
 * environment.  Everything is validated here; nothing else reads env. */
#ifndef XP_VIF_ARGS_H
#define XP_VIF_ARGS_H

#include <stddef.h>

#include "common/validate.h"

enum vif_action { VIF_ONLINE, VIF_OFFLINE, VIF_ADD, VIF_REMOVE };
enum vif_type { VIF_TYPE_VIF, VIF_TYPE_TAP };

#define VIF_PATH_MAX  96
#define VIF_VALUE_MAX 256

struct vif_inv {
	enum vif_action action;
	enum vif_type type;
	int noop;		    /* action does not apply to type: exit 0 */
	int up;			    /* online/add (1) or offline/remove (0) */
	char xbpath[VIF_PATH_MAX];  /* backend directory, as given or derived */
	unsigned domid, devid;	    /* from the backend path */
	char dev[XP_IFNAMSIZ];	    /* kernel's name: vifD.N or vifD.N-emu */
	char bridge[VIF_VALUE_MAX]; /* `bridge` from env/args ("" if none) */
	char ip[VIF_VALUE_MAX];	    /* `ip` from env/args ("" if none) */
	char netdev[XP_IFNAMSIZ];   /* `netdev` (libxl: the vif's gatewaydev; "" if none) */
};

/* Look-up of a variable: args' VAR=VAL first, then getenv. */
const char *vif_getvar(int argc, char **argv, const char *name);

/* Parse and validate.  0 ok; -1 with message in err.  On error inv->xbpath
 * is filled only when the backend path and the device name agree (the vif's
 * own backend), so the caller reports hotplug-error there and nowhere else;
 * after a mismatched pair it stays "" and nothing is written. */
int vif_inv_parse(int argc, char **argv, struct vif_inv *inv, char *err, size_t errlen);

/* Validate a backend path: "backend/vif/D/N" or
 * "/local/domain/B/backend/vif/D/N", decimal ids without leading zeros. */
int vif_parse_xbpath(const char *p, unsigned *domid, unsigned *devid);

/* Parse a netback/qemu device name "vifD.N" or "vifD.N-emu" (tap=1). */
int vif_parse_devname(const char *name, int tap, unsigned *domid, unsigned *devid);

/* The name the port is to get (tap: with -emu added) may not be one the
 * kernel rewrites ('%') nor have the shape of a guest NIC's kernel name
 * (vifD.N, vifD.N-emu: another guest's, or this guest's other NIC), unless
 * it is this vif's own kernel name.  0 ok; -1 with message in err. */
int vif_check_vifname(const char *vifname, const struct vif_inv *inv, char *err, size_t errlen);

const char *vif_action_name(enum vif_action a);

#endif
