/* Dummy devices: create when missing, adopt when present. */
#include "net/kind.h"

static int map_entry(const struct xp_conf *c, size_t i, struct xp_kind_entry *e)
{
	if (i >= c->ndummies)
		return 0;
	*e = (struct xp_kind_entry){&c->dummies[i], c->dummies[i].name, &c->dummies[i].loc};
	return 1;
}

static const void *map_find(const struct xp_conf *c, const char *name)
{
	return xp_conf_dummy(c, name);
}

static void plan(struct xp_pctx *x, const void *spec, const struct xp_obs_link *l)
{
	const struct xp_dummy *d = spec;

	if (!l)
		xp_pctx_create(x, d->name, XP_K_DUMMY, d);
	else
		xp_pctx_mtu(x, d->name, d->mtu, l);
}

static int fill_create(const void *spec, struct xp_attrw *w)
{
	const struct xp_dummy *d = spec;

	w->mtu = d->mtu;
	return 0;
}

const struct xp_kind xp_kind_dummy = {
    .name = "dummy",
    .kind = XP_K_DUMMY,
    .role = "dummy",
    .map_entry = map_entry,
    .map_find = map_find,
    .plan = plan,
    .fill_create = fill_create,
    .fold_create = 1,
};
