/* Per-interface network sysctls, read and written through their files in
 * /proc/sys/net (per network namespace, as the kernel scopes them):
 *
 *   net/ipv4/conf/DEV/forwarding    DEV "all" and "default" are allowed
 *   net/ipv6/conf/DEV/proxy_ndp ...
 *
 * No sysctl(8), no exec.  Errors name the file and the value. */
#ifndef XP_COMMON_SYSCTL_H
#define XP_COMMON_SYSCTL_H

#include <stddef.h>

enum xp_sysctl_family { XP_SYSCTL_V4 = 4, XP_SYSCTL_V6 = 6 };

/* The file of one key: "/proc/sys/net/ipv4/conf/DEV/KEY". */
int xp_sysctl_path(char *buf, size_t len, int family, const char *dev, const char *key);

/* Read an integer value.  0 and *val, -1 with err (ENOENT: the key or
 * the device does not exist: *missing = 1 when missing is given). */
int xp_sysctl_get(int family, const char *dev, const char *key, int *val, int *missing, char *err,
		  size_t errlen);

/* Write an integer value.  0, or -1 with err naming the file and value. */
int xp_sysctl_set(int family, const char *dev, const char *key, int val, char *err, size_t errlen);

#endif
