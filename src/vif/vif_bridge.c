#include "vif/vif_bridge.h"

#include <stdio.h>
#include <string.h>

static int need_bridge(const struct vif_lookup *lk, const char *name, const char *key, char *err,
		       size_t errlen)
{
	int k = lk->link_kind(lk->ctx, name);

	if (k == VIF_LINK_BRIDGE)
		return 0;
	if (k < 0)
		snprintf(err, errlen, "cannot look up bridge %s", name);
	else if (k == VIF_LINK_NONE)
		snprintf(err, errlen, "bridge %s (from bridge key %s) does not exist", name, key);
	else
		snprintf(err, errlen, "%s (from bridge key %s) is not a bridge", name, key);
	return -1;
}

static void set_bridge(struct vif_target *t, const char *name)
{
	snprintf(t->bridge, sizeof(t->bridge), "%s", name);
}

/* BR.TAG, BR:T:T or BR.TAG:T:T.  1 if key has that shape (then 0/-1 in *rc),
 * 0 if it does not. */
static int ovs_form(const char *key, const struct vif_lookup *lk, struct vif_target *t, int *rc,
		    char *err, size_t errlen)
{
	char head[64], br[XP_IFNAMSIZ];
	const char *colon = strchr(key, ':'), *why;
	size_t hlen = colon ? (size_t)(colon - key) : strlen(key);
	char *dot;
	int vid;

	if (hlen == 0 || hlen >= sizeof(head))
		return 0;
	memcpy(head, key, hlen);
	head[hlen] = '\0';
	dot = strrchr(head, '.');
	if (!dot && !colon)
		return 0;
	/* BR:T:T where BR's real name has a dot (bond0.100:5) */
	if (colon && dot && !xp_valid_ifname(head, NULL) &&
	    lk->link_kind(lk->ctx, head) == VIF_LINK_BRIDGE)
		dot = NULL;
	xp_vlanspec_init(&t->vlan);
	*rc = -1;
	if (dot) {
		*dot = '\0';
		if (xp_parse_vlan_id(dot + 1, &vid, &why)) {
			/* "name.x" that is not BR.TAG: plainly a missing bridge */
			if (!colon)
				return 0;
			snprintf(err, errlen, "bridge key %s: %s", key, why);
			return 1;
		}
		xp_vlanspec_add(&t->vlan, vid, XP_VLAN_F_PVID | XP_VLAN_F_UNTAGGED);
	}
	if (xp_valid_ifname(head, &why)) {
		snprintf(err, errlen, "bridge key %s: %s", key, why);
		return 1;
	}
	memcpy(br, head, strlen(head) + 1); /* valid: at most 15 bytes */
	while (colon) {
		const char *next = strchr(colon + 1, ':');
		size_t n = next ? (size_t)(next - colon - 1) : strlen(colon + 1);
		char tag[8];

		if (n == 0 || n >= sizeof(tag)) {
			snprintf(err, errlen,
				 "bridge key %s: a trunk VLAN id is missing or too long", key);
			return 1;
		}
		memcpy(tag, colon + 1, n);
		tag[n] = '\0';
		if (xp_parse_vlan_id(tag, &vid, &why)) {
			snprintf(err, errlen, "bridge key %s: %s", key, why);
			return 1;
		}
		if (xp_vlanspec_add(&t->vlan, vid, 0)) {
			snprintf(err, errlen, "bridge key %s: VLAN %d listed twice", key, vid);
			return 1;
		}
		colon = next;
	}
	if (need_bridge(lk, br, key, err, errlen))
		return 1;
	set_bridge(t, br);
	t->has_vlan = 1;
	snprintf(t->how, sizeof(t->how), "bridge key %s", key);
	*rc = 0;
	return 1;
}

int vif_resolve_bridge(const char *key, const struct vif_lookup *lk, struct vif_target *t,
		       char *err, size_t errlen)
{
	const char *why;
	char nbr[XP_IFNAMSIZ];
	int nvlan, rc;
	int valid;

	memset(t, 0, sizeof(*t));
	if (!key || !*key) {
		const char *def = lk->default_bridge(lk->ctx);

		if (!def) {
			snprintf(err, errlen, "no bridge given and no default");
			return -1;
		}
		if (need_bridge(lk, def, "(default)", err, errlen))
			return -1;
		set_bridge(t, def);
		snprintf(t->how, sizeof(t->how), "default bridge");
		return 0;
	}
	if (xp_valid_text(key, 255)) {
		snprintf(err, errlen, "bridge key is not printable text");
		return -1;
	}
	valid = xp_valid_ifname(key, &why) == 0;
	if (valid) {
		int k = lk->link_kind(lk->ctx, key);

		if (k < 0) {
			snprintf(err, errlen, "cannot look up bridge %s", key);
			return -1;
		}
		if (k == VIF_LINK_BRIDGE) {
			set_bridge(t, key);
			snprintf(t->how, sizeof(t->how), "bridge key");
			return 0;
		}
		if (k == VIF_LINK_OTHER) {
			snprintf(err, errlen, "%s (from bridge key) is not a bridge", key);
			return -1;
		}
	}
	if (ovs_form(key, lk, t, &rc, err, errlen))
		return rc;
	if (lk->network(lk->ctx, key, nbr, &nvlan) == 0) {
		if (need_bridge(lk, nbr, key, err, errlen))
			return -1;
		set_bridge(t, nbr);
		if (nvlan) {
			xp_vlanspec_init(&t->vlan);
			xp_vlanspec_add(&t->vlan, nvlan, XP_VLAN_F_PVID | XP_VLAN_F_UNTAGGED);
			t->has_vlan = 1;
		}
		snprintf(t->how, sizeof(t->how), "network %s", key);
		return 0;
	}
	if (valid && !strncmp(key, "xenbr", 5) && key[5] &&
	    strspn(key + 5, "0123456789") == strlen(key + 5)) {
		snprintf(nbr, sizeof(nbr), "eth%s", key + 5);
		if (lk->link_kind(lk->ctx, nbr) == VIF_LINK_BRIDGE) {
			set_bridge(t, nbr);
			snprintf(t->how, sizeof(t->how), "bridge key %s (old xenbrN name)", key);
			return 0;
		}
	}
	if (!valid)
		snprintf(err, errlen, "bridge key %s: %s", key, why);
	else
		snprintf(err, errlen, "bridge %s does not exist", key);
	return -1;
}
