/* The undo journal of one guest port's layer-3 plumbing (routed and NAT
 * guests): every change online makes is recorded, after it succeeded, as
 * one line of $XENPLUMB_STATE_DIR/vif/KNAME (default /run/xenplumb), and
 * offline (or a failed online) undoes the lines in reverse and removes the
 * file.  So offline removes exactly what online added, even when the
 * backend directory is already gone, and nothing it did not add: a proxy
 * entry the admin made is never recorded, hence never deleted.
 *
 *   sysctl FAMILY DEV KEY OLD      restore OLD (only while DEV exists)
 *   group DEV OLD                  restore the link's interface group
 *   addr DEV ADDR/LEN              delete the address
 *   route DEV ADDR/LEN METRIC      delete the route (protocol XP_RTPROT)
 *   pneigh DEV ADDR/LEN            delete the proxy neighbour entry
 *   hostfile PATH PIDFILE CONF     remove a dnsmasq dhcp-hostsdir entry and
 *                                  have that dnsmasq (if it is ours) re-read
 */
#ifndef XP_VIF_UNDO_H
#define XP_VIF_UNDO_H

#include <stddef.h>

struct vif_undo {
	char path[256];
	int fd; /* -1: not open */
	int n;	/* records written */
};

/* The journal's path for a port's kernel name ("vif3.0", "vif3.0-emu"). */
int vif_undo_path(char *buf, size_t len, const char *kname);

/* Create (truncate) the journal.  0, or -1 with err. */
int vif_undo_open(struct vif_undo *u, const char *kname, char *err, size_t errlen);
/* Append one record (a line without '\n'). 0 or -1 with err. */
int vif_undo_add(struct vif_undo *u, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void vif_undo_close(struct vif_undo *u);

/* Read the journal's records: 0 and a malloc'd array of n malloc'd lines
 * (in the order written); 1 when there is no journal; -1 with err. */
int vif_undo_read(const char *path, char ***lines, size_t *n, char *err, size_t errlen);
void vif_undo_free_lines(char **lines, size_t n);

#endif
