/* A guest vif on an Open vSwitch bridge: its Port and Interface rows
 * (common/ovs.h), one OVSDB transaction to plug, one to unplug.
 *
 * VLANs (the bridge key's BR.TAG:T1:T2, the vlan key, a network's VLAN):
 * the PVID becomes Port.tag, the other (tagged) VLANs Port.trunks, and
 * vlan_mode follows: access (tag alone), trunk (trunks alone),
 * native-untagged (both).  OVS has one untagged VLAN per port, so a spec
 * with another untagged VLAN is refused.  No VLAN at all leaves tag,
 * trunks and vlan_mode empty, as the stock vif-openvswitch does (OVS then
 * trunks every VLAN).
 *
 * Interface.external_ids, for controllers such as OVN's ovn-controller and
 * as XenServer/XCP-ng and Debian's vif-openvswitch set them: iface-id (the
 * logical port to bind: "VMUUID.DEVID", or with iface-id = name in the
 * map "VMNAME.DEVID" with libxl's "--incoming" suffix dropped),
 * attached-mac, iface-status=active, vm-id and xs-vm-uuid (the VM's
 * UUID), xen-vm-uuid and xen-vm-name (Debian's names); xenplumb=vif D/N
 * marks the rows as ours. */
#ifndef XP_VIF_OVS_H
#define XP_VIF_OVS_H

#include <stddef.h>
#include <stdint.h>

#include "vif/vlanspec.h"

struct xs_handle;

struct vif_ovs_req {
	const char *bridge;
	const char *dev;		/* the port's name: the vif's name in use */
	const struct xp_vlanspec *vlan; /* NULL = none */
	const char *mac;		/* the guest's MAC text, NULL = none */
	const char *vm_uuid, *vm_name;	/* NULL = unknown */
	unsigned domid, devid;
	int iface_id_by_name; /* iface-id from the VM's name, not its UUID */
};

/* tag / trunks (room for 4094) from a spec.  0, or -1 with a message. */
int vif_ovs_vlan(const struct xp_vlanspec *v, int *tag, uint16_t *trunks, size_t *ntrunks,
		 char *err, size_t errlen);

/* The iface-id r gets; "" when the VM's UUID (or name) is unknown. */
void vif_ovs_iface_id(const struct vif_ovs_req *r, char *buf, size_t len);

/* The VM's UUID (from /local/domain/D/vm -> VMPATH/uuid) and name
 * (/local/domain/D/name); "" for what is not there. */
void vif_ovs_vm_facts(struct xs_handle *xs, unsigned domid, char *uuid, size_t ulen, char *name,
		      size_t nlen);

/* Plug: one transaction, then wait for ovs-vswitchd (XENPLUMB_OVSDB_WAIT_MS).
 * A missing ovsdb-server, a missing bridge, an Interface error: -1 with a
 * message naming it; nothing is left in the database then. */
int vif_ovs_plug(const struct vif_ovs_req *r, char *err, size_t errlen);

/* Unplug: remove the port named dev and nothing else (*found = 0 if there
 * was none).  0 or -1. */
int vif_ovs_unplug(const char *dev, int *found, char *err, size_t errlen);

#endif
