/* A guest vif on an Open vSwitch bridge: see vif_ovs.h. */
#include "vif/vif_ovs.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/ovs.h"
#include "common/xsutil.h"

int vif_ovs_vlan(const struct xp_vlanspec *v, int *tag, uint16_t *trunks, size_t *ntrunks,
		 char *err, size_t errlen)
{
	int lo = 0, hi = 0, f;

	*tag = 0;
	*ntrunks = 0;
	if (!v)
		return 0;
	while (xp_vlanspec_next_run(v, &lo, &hi, &f) == 0) {
		int id;

		if (f & XP_VLAN_F_PVID) {
			*tag = lo;
			continue;
		}
		if (f & XP_VLAN_F_UNTAGGED) {
			snprintf(err, errlen,
				 "VLAN %d untagged: an Open vSwitch port carries one untagged VLAN "
				 "(its PVID, Port.tag)",
				 lo);
			return -1;
		}
		for (id = lo; id <= hi; id++)
			trunks[(*ntrunks)++] = (uint16_t)id;
	}
	return 0;
}

void vif_ovs_iface_id(const struct vif_ovs_req *r, char *buf, size_t len)
{
	const char *base = r->iface_id_by_name ? r->vm_name : r->vm_uuid;
	size_t n;

	buf[0] = 0;
	if (!base || !*base)
		return;
	n = strlen(base);
	/* libxl names a domain NAME--incoming while it is migrated in */
	if (r->iface_id_by_name && n > 10 && !strcmp(base + n - 10, "--incoming"))
		n -= 10;
	snprintf(buf, len, "%.*s.%u", (int)n, base, r->devid);
}

void vif_ovs_vm_facts(struct xs_handle *xs, unsigned domid, char *uuid, size_t ulen, char *name,
		      size_t nlen)
{
	char dom[64], vm[256];
	const char *why;

	uuid[0] = name[0] = 0;
	snprintf(dom, sizeof(dom), "/local/domain/%u", domid);
	if (xp_xs_read(xs, dom, "name", name, nlen, &why) != 1)
		name[0] = 0;
	if (xp_xs_read(xs, dom, "vm", vm, sizeof(vm), &why) != 1 || vm[0] != '/')
		return;
	if (xp_xs_read(xs, vm, "uuid", uuid, ulen, &why) != 1)
		uuid[0] = 0;
}

#define VIF_OVS_IDS 8

static size_t external_ids(const struct vif_ovs_req *r, struct xp_ovs_kv *kv, char *iface_id,
			   size_t idlen)
{
	size_t n = 0;

	vif_ovs_iface_id(r, iface_id, idlen);
	if (*iface_id)
		kv[n++] = (struct xp_ovs_kv){"iface-id", iface_id};
	if (r->mac && *r->mac)
		kv[n++] = (struct xp_ovs_kv){"attached-mac", r->mac};
	kv[n++] = (struct xp_ovs_kv){"iface-status", "active"};
	if (r->vm_uuid && *r->vm_uuid) {
		kv[n++] = (struct xp_ovs_kv){"vm-id", r->vm_uuid};
		kv[n++] = (struct xp_ovs_kv){"xs-vm-uuid", r->vm_uuid};
		kv[n++] = (struct xp_ovs_kv){"xen-vm-uuid", r->vm_uuid};
	}
	if (r->vm_name && *r->vm_name)
		kv[n++] = (struct xp_ovs_kv){"xen-vm-name", r->vm_name};
	return n;
}

static struct xp_ovsdb *open_db(char *err, size_t errlen)
{
	char path[256];

	return xp_ovsdb_open(xp_ovsdb_sock_path(path, sizeof(path)), xp_ovs_wait_ms() + 5000, err,
			     errlen);
}

int vif_ovs_plug(const struct vif_ovs_req *r, char *err, size_t errlen)
{
	static uint16_t trunks[XP_VID_MAX];
	struct xp_ovs_kv kv[VIF_OVS_IDS];
	struct xp_ovs_port p = {
	    .bridge = r->bridge, .name = r->dev, .trunks = trunks, .iface_ids = kv};
	char iface_id[200], owner[48];
	struct xp_ovsdb *db;
	int rc;

	if (vif_ovs_vlan(r->vlan, &p.tag, trunks, &p.ntrunks, err, errlen))
		return -1;
	p.niface_ids = external_ids(r, kv, iface_id, sizeof(iface_id));
	snprintf(owner, sizeof(owner), "vif %u/%u", r->domid, r->devid);
	p.owner = owner;
	db = open_db(err, errlen);
	if (!db)
		return -1;
	rc = xp_ovs_port_add(db, &p, xp_ovs_wait_ms(), err, errlen);
	xp_ovsdb_close(db);
	return rc;
}

int vif_ovs_unplug(const char *dev, int *found, char *err, size_t errlen)
{
	struct xp_ovsdb *db = open_db(err, errlen);
	int applied = 0, rc;

	*found = 0;
	if (!db)
		return -1;
	rc = xp_ovs_port_del(db, dev, xp_ovs_wait_ms(), found, &applied, err, errlen);
	xp_ovsdb_close(db);
	if (!rc && *found && !applied)
		xp_log(LOG_WARNING,
		       "port %s removed from the database; ovs-vswitchd has not "
		       "applied it yet",
		       dev);
	return rc;
}
