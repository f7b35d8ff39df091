/* Serialise start/stop/reload: an exclusive flock on STATEDIR/lock, held
 * for the whole run.  vif hotplug never takes it. */
#ifndef XP_LOCK_H
#define XP_LOCK_H

#include <stddef.h>

/* Blocks until the lock is ours (at most timeout_s seconds; 0 = forever).
 * Returns the fd to keep open, or -1 with a message in err. */
int xp_lock_take(const char *dir, int timeout_s, char *err, size_t errlen);
void xp_lock_release(int fd);

#endif
