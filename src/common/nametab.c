/* See nametab.h. */
#include "common/nametab.h"

#include <stdlib.h>
#include <string.h>

static size_t name_hash(const char *name)
{
	size_t h = 2166136261u;

	while (*name) {
		h ^= (unsigned char)*name++;
		h *= 16777619u;
	}
	return h;
}

static int key_ok(const char *name)
{
	return name && strnlen(name, XP_IFNAMSIZ) < XP_IFNAMSIZ;
}

/* The slot holding name, or (when absent) the slot it would go into. */
static struct xp_nametab_ent *slot(const struct xp_nametab *t, const char *name, int *found)
{
	size_t m = t->cap - 1, h = name_hash(name) & m;
	struct xp_nametab_ent *free_slot = NULL;

	*found = 0;
	for (size_t n = 0; n < t->cap && t->e[h].used; n++, h = (h + 1) & m) {
		if (t->e[h].used == 2) {
			if (!free_slot)
				free_slot = &t->e[h];
		} else if (!strcmp(t->e[h].name, name)) {
			*found = 1;
			return &t->e[h];
		}
	}
	if (free_slot)
		return free_slot;
	return t->e[h].used ? NULL : &t->e[h];
}

int xp_nametab_get(const struct xp_nametab *t, const char *name, long *value)
{
	struct xp_nametab_ent *e;
	int found;

	if (!t || !t->cap || !key_ok(name))
		return 0;
	e = slot(t, name, &found);
	if (!found)
		return 0;
	if (value)
		*value = e->value;
	return 1;
}

static void grow(struct xp_nametab *t)
{
	struct xp_nametab old = *t;

	t->cap = old.cap ? 2 * old.cap : 64;
	t->fill = 0;
	t->e = calloc(t->cap, sizeof(*t->e));
	if (!t->e)
		abort();
	for (size_t i = 0; i < old.cap; i++)
		if (old.e[i].used == 1)
			xp_nametab_put(t, old.e[i].name, old.e[i].value);
	free(old.e);
}

void xp_nametab_put(struct xp_nametab *t, const char *name, long value)
{
	struct xp_nametab_ent *e;
	int found;

	if (!key_ok(name))
		return;
	if (2 * (t->fill + 1) > t->cap)
		grow(t);
	e = slot(t, name, &found);
	if (!found) {
		if (!e->used)
			t->fill++;
		memcpy(e->name, name, strlen(name) + 1);
		e->used = 1;
	}
	e->value = value;
}

void xp_nametab_del(struct xp_nametab *t, const char *name)
{
	struct xp_nametab_ent *e;
	int found;

	if (!t->cap || !key_ok(name))
		return;
	e = slot(t, name, &found);
	if (found)
		e->used = 2;
}

void xp_nametab_free(struct xp_nametab *t)
{
	free(t->e);
	memset(t, 0, sizeof(*t));
}
