/* Reading a file xenplumb keeps in its state directory (routed/NAT
 * records, vif journals, dnsmasq's pid file) without trusting what is
 * there: no symlink is followed and a FIFO or device is never opened for
 * long (a FIFO would block the reader for good). */
#ifndef XP_COMMON_REGFILE_H
#define XP_COMMON_REGFILE_H

#include <stdio.h>

/* path as a stream for reading when it is a regular file.  NULL with
 * errno: ENOENT (absent), EINVAL (there, not a regular file: a symlink,
 * FIFO, socket, device or directory), or open's own. */
FILE *xp_fopen_regular(const char *path);

#endif
