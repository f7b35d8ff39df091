/* Small, checked helpers over libxenstore for both helpers: one
 * connection, bounded reads that refuse embedded NULs and over-long values,
 * directory listings, and (vif-xenplumb) the hotplug-status /
 * hotplug-error reports. */
#ifndef XP_XSUTIL_H
#define XP_XSUTIL_H

#include <stddef.h>

struct xs_handle;

/* Connect (socket or kernel device, as libxenstore decides); NULL on error
 * with errno set. */
struct xs_handle *xp_xs_open(void);
void xp_xs_close(struct xs_handle *h);
/* A connection for reading only (network-xenplumb status): read-only when
 * the daemon grants it, else an ordinary one; NULL when unreachable. */
struct xs_handle *xp_xs_open_readonly(void);

/* Read DIR/KEY into buf (NUL-terminated).  Returns 1 when present and
 * valid, 0 when absent, -1 when unreadable, longer than len-1 bytes or
 * holding a NUL byte (*why says which). */
int xp_xs_read(struct xs_handle *h, const char *dir, const char *key, char *buf, size_t len,
	       const char **why);

/* Write DIR/KEY = value.  0 or -1. */
int xp_xs_write(struct xs_handle *h, const char *dir, const char *key, const char *value);

/* 1 if the node exists, 0 if not, -1 on error. */
int xp_xs_exists(struct xs_handle *h, const char *path);

/* The children of path: one malloc'd block (free() it once) of *n names,
 * or NULL (absent or unreadable, *n = 0). */
char **xp_xs_list(struct xs_handle *h, const char *path, unsigned int *n);

/* Writes that never recreate a directory the toolstack removed: several
 * in one transaction: each item's dir/key = val, written
 * only if its dir exists then (items of one directory next to each other:
 * each directory is read once).  done is set to 1 where written, 0 where
 * its directory has gone.  0, or -1 on error (nothing written). */
struct xp_xs_put {
	const char *dir, *key, *val;
	int done;
};
int xp_xs_put_if_dirs(struct xs_handle *h, struct xp_xs_put *p, size_t n);

/* hotplug-error=msg and hotplug-status=error, in one transaction, only if
 * dir still exists (never recreate a directory the toolstack removed).
 * 1 written, 0 dir absent, -1 error. */
int xp_xs_report_error(struct xs_handle *h, const char *dir, const char *msg);

#endif
