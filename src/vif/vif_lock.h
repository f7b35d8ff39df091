/* Same-vif serialisation: every run for backend D/N (online, offline, add,
 * remove, from libxl or from udev) holds an exclusive flock(2) on
 * RUNDIR/vif/D.N.lock (RUNDIR: $XENPLUMB_STATE_DIR, default /run/xenplumb)
 * from before it reads its keys until after it reports.  Runs for other
 * vifs never wait: there is no global lock.  The files stay (removing a
 * lock file while another run waits on it would let two runs in at once);
 * there is one per vif ever plugged, and /run is emptied at boot. */
#ifndef XP_VIF_LOCK_H
#define XP_VIF_LOCK_H

#include <stddef.h>

#define VIF_RUN_DIR_DEFAULT "/run/xenplumb"

/* The lock's fd (close it to release, or just exit), or -1 with a message
 * in err.  Waits while another run for the same vif holds it. */
int vif_lock(unsigned domid, unsigned devid, char *err, size_t errlen);

#endif
