/* A table from interface names to integers: open addressing (FNV-1a,
 * linear probing), grown when half full, deletes leave tombstones.  Keys
 * are copied (at most XP_IFNAMSIZ - 1 bytes; a longer name is never
 * stored, so never found).  Used by observe's name index and by the
 * ifindex cache in nl.c.  Out of memory aborts: callers cannot say
 * anything useful without their index. */
#ifndef XP_COMMON_NAMETAB_H
#define XP_COMMON_NAMETAB_H

#include <stddef.h>

#include "common/validate.h"

struct xp_nametab_ent {
	char name[XP_IFNAMSIZ]; /* "" and !used: empty */
	long value;
	unsigned char used; /* 1: holds name; 2: deleted (keeps probing) */
};

struct xp_nametab {
	struct xp_nametab_ent *e;
	size_t cap;  /* slots, a power of two; 0: nothing stored yet */
	size_t fill; /* slots used or deleted */
};

/* 1 and *value when name is there, else 0. */
int xp_nametab_get(const struct xp_nametab *t, const char *name, long *value);
/* Insert or replace. */
void xp_nametab_put(struct xp_nametab *t, const char *name, long value);
void xp_nametab_del(struct xp_nametab *t, const char *name);
void xp_nametab_free(struct xp_nametab *t);

#endif
