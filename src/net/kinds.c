/* The kind table: one row per netdev kind, each defined in its own file
 * under kind/.  Order is dependency order (see kind.h).  Adding a kind:
 * its file with its row, one line here, its map keys in src/map/conf.c. */
#include <string.h>

#include "net/kind.h"

const struct xp_kind *const xp_kinds[] = {
    &xp_kind_dummy, &xp_kind_bond, &xp_kind_vlan, &xp_kind_bridge, NULL,
};

const struct xp_kind *xp_kind_get(int kind)
{
	for (size_t i = 0; xp_kinds[i]; i++)
		if (xp_kinds[i]->kind == kind)
			return xp_kinds[i];
	return NULL;
}

const struct xp_kind *xp_kind_by_name(const char *name)
{
	for (size_t i = 0; name && xp_kinds[i]; i++)
		if (!strcmp(xp_kinds[i]->name, name))
			return xp_kinds[i];
	return NULL;
}

int xp_kind_has_ports(int kind)
{
	const struct xp_kind *k = xp_kind_get(kind);
	return k && k->has_ports;
}

int xp_kind_has_parent(int kind)
{
	const struct xp_kind *k = xp_kind_get(kind);
	return k && k->has_parent;
}

const char *xp_kind_name(int kind)
{
	const struct xp_kind *k = xp_kind_get(kind);

	if (k)
		return k->name;
	return kind == XP_K_ABSENT ? "absent" : "device";
}
