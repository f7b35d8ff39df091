/* The two small helpers the planner, the executor's state and the
 * observer share for their arrays and link names.  Static inline: each
 * object keeps its own copy at no call, and the planner still links alone
 * (lint, test_plan). */
#ifndef XP_NET_GROW_H
#define XP_NET_GROW_H

#include <stdlib.h>
#include <string.h>

#include "common/validate.h"

/* Room for element n of an array of n elements of size bytes, one more at
 * a time.  Out of memory aborts: a planner or an executor that cannot
 * hold its own records has nothing useful left to say. */
static inline void *xp_grow(void *ptr, size_t n, size_t size)
{
	void *q = realloc(ptr, (n + 1) * size);

	if (!q)
		abort();
	return q;
}

/* The same for an array only ever grown by xp_grow_pow2 from n = 0: its
 * room doubles at each power of two, so adding n elements costs O(n). */
static inline void *xp_grow_pow2(void *ptr, size_t n, size_t size)
{
	void *q;

	if (n & (n - 1))
		return ptr;
	q = realloc(ptr, (n ? 2 * n : 1) * size);
	if (!q)
		abort();
	return q;
}

/* A link name into a XP_IFNAMSIZ buffer, cut at 15 bytes; NULL is "". */
static inline void xp_set_name(char *dst, const char *src)
{
	size_t n = src ? strnlen(src, XP_IFNAMSIZ - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = 0;
}

#endif
