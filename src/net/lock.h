/* Serialise start/stop/reload: an exclusive flock on STATEDIR/lock, held
 * for the whole run.  vif hotplug never takes it.
 *
 * The holder writes "PID COMMAND LINE" into the lock file once it has the
 * lock (for a waiter's message and for the admin: cat STATEDIR/lock).  A
 * waiter names the holder from /proc/locks (the kernel's word: the pid
 * that holds the flock on that inode) and /proc/PID/cmdline, else from the
 * file's text. */
#ifndef XP_LOCK_H
#define XP_LOCK_H

#include <stddef.h>
#include <stdio.h>

#define XP_LOCK_WAIT_DEFAULT 5	/* seconds; --wait */
#define XP_LOCK_SAY_EVERY    2	/* seconds between "waiting for ..." lines */
#define XP_EXIT_LOCKED	     75 /* EX_TEMPFAIL: the lock stayed taken */

/* Waits at most wait_s seconds (0: not at all) for the lock, writing a
 * line to say (when not NULL) every XP_LOCK_SAY_EVERY seconds naming the
 * holder.  Returns the fd to keep open; -1 on an error, -2 when the wait
 * ran out, with a message in err either way. */
int xp_lock_take(const char *dir, int wait_s, FILE *say, char *err, size_t errlen);
/* The holder of the lock on fd as "pid 123 (network-xenplumb start)", or
 * "an unknown process". */
void xp_lock_holder(int fd, const char *path, char *buf, size_t len);
void xp_lock_release(int fd);

#endif
