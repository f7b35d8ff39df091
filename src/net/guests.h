/* Running guests' vifs that are on no bridge, and putting them back.
 *
 * A vif stays plumbed only as long as its bridge does: when an admin
 * deletes a bridge, or a start/reload recreates one, the guests that were
 * on it are left on no bridge.  After every start and reload
 * network-xenplumb finds, from the guests' xenstore backend keys, each vif
 * (and emulated NIC) that the toolstack had plumbed (hotplug-status
 * connected) of a domain that still runs, whose device exists and has no
 * master, and runs vif-xenplumb's own online (add, for a tap) for it again,
 * with the environment libxl gives it: the same bridge, VLANs and
 * antispoofing as at its first hotplug, decided by the same code (the
 * model is xcp-networkd's move of vifs when a bond is rebuilt).  status
 * lists each such vif as drift.  A vif that is a port of an Open vSwitch
 * bridge (in OVSDB) is on a bridge even when the kernel shows no master
 * (the userspace datapath); a bridge OVS lost takes its Port rows with it,
 * so its guests are found and put back as on a Linux bridge. */
#ifndef XP_NET_GUESTS_H
#define XP_NET_GUESTS_H

#include <net/if.h>
#include <stddef.h>
#include <stdio.h>

struct xs_handle;
struct nl_sock;
struct xp_nametab;

struct xp_guest {
	int domid, devid;
	int tap;	      /* the emulated NIC (vifD.N-emu) */
	char name[IFNAMSIZ];  /* the device's name now */
	char kname[IFNAMSIZ]; /* vifD.N or vifD.N-emu: libxl's name for it */
};

/* Every connected guest vif of a running domain whose device exists and
 * is on no bridge: *out (free() it) and the count.  xs NULL: none. */
size_t xp_guests_detached(struct xs_handle *xs, struct nl_sock *sk, struct xp_guest **out);
/* Same, taking the devices named in ports (bridge ports just observed) as
 * on a bridge without asking the kernel: status's one request per guest
 * vif is then one per guest vif off the bridges it looked at. */
size_t xp_guests_detached_but(struct xs_handle *xs, struct nl_sock *sk,
			      const struct xp_nametab *ports, struct xp_guest **out);

/* Run vif-xenplumb online (add for a tap) for each; lines on out.  The
 * helper is XENPLUMB_VIF_HELPER, else vif-xenplumb beside this program.
 * Returns how many could not be put back. */
size_t xp_guests_replug(const struct xp_guest *g, size_t n, int dry_run, FILE *out);

#endif
