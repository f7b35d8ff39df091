#!/bin/sh
# vif-xenplumb on an Open vSwitch bridge (a real ovsdb-server and
# ovs-vswitchd, userspace datapath; tests/lib/ovs.sh): a bridge over a NIC
# (veth) made by network-xenplumb from the map, guests with access ports
# on VLANs 10 and 20 and one trunk, checked with ovs-vsctl and ovs-ofctl;
# frames pass between same-tag guests (and to the trunk guest's VLAN 10
# subinterface), never across tags; external_ids for a controller; the
# stock contract (script=vif-openvswitch, bridge=BR.TAG:TRUNK, no map);
# offline removes the port and nothing else; reload takes back a bridge and a
# map port the map dropped; a missing ovsdb-server or
# bridge is a clear hotplug-error and leaves nothing behind.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
. "$T_ROOT/tests/lib/ovs.sh"
vif_init
GUESTS=""
cleanup() {
	for g in $GUESTS; do ip netns del "$g" 2>/dev/null; done
	ovs_stop
	vif_cleanup
}
trap cleanup EXIT
ovs_start || t_bail "cannot start Open vSwitch"
NET=$B/network-xenplumb

# the uplink NIC: a veth whose peer is a "switch" netns
ip link add nic0 type veth peer name up0 netns "$VIF_GUEST" || t_bail "nic0"
vif_map "[bridge xpovs0]
type = openvswitch
datapath-type = netdev
ports = nic0
"
export XENPLUMB_STATE_DIR="$VIF_TMP/state"
t_ok "network-xenplumb start makes the OVS bridge" "$NET" start -c "$XENPLUMB_CONF"
t_eq "bridge exists" xpovs0 "$(ovs-vsctl list-br)"
t_eq "userspace datapath" netdev "$(ovs-vsctl get Bridge xpovs0 datapath_type)"
t_eq "uplink port" nic0 "$(ovs-vsctl list-ports xpovs0)"
t_match "the applied map says xpovs0 is an Open vSwitch bridge" "^b xpovs0 antispoof=0 type=openvswitch$" \
	"$(cat "$XENPLUMB_STATE_DIR/applied-map")"
# hotplug goes by the applied map: a live map with a typo is never read
printf '[bridge xpovs0]\ntype = openvswich\n' >"$VIF_TMP/typo.conf"
typo_online() { (XENPLUMB_CONF="$VIF_TMP/typo.conf" && export XENPLUMB_CONF && vif_run online "$@"); }

# a guest: vif D.N with its peer alone in a netns of its own, an address
guest() { # D N ADDR [KEY=VAL...]
	_d=$1 _n=$2 _a=$3
	shift 3
	vif_mkvif "$_d" "$_n" "$@" || return 1
	_g=xpg$$-$_d-$_n
	ip netns add "$_g" || return 1
	GUESTS="$GUESTS $_g"
	ip -n "$VIF_GUEST" link set "g${_d}_$_n" netns "$_g" || return 1
	ip -n "$_g" link set lo up
	ip -n "$_g" link set "g${_d}_$_n" up
	[ -z "$_a" ] || ip -n "$_g" addr add "$_a" dev "g${_d}_$_n"
	xenstore-write "/local/domain/$_d/vm" "/vm/0000000$_d-0000-4000-8000-00000000000$_n" \
		"/vm/0000000$_d-0000-4000-8000-00000000000$_n/uuid" \
		"0000000$_d-0000-4000-8000-00000000000$_n"
}
# after an offline the toolstack takes the backend's hotplug-status away
# (else the vif counts as a running guest's that start must put back)
unplugged() { xenstore-rm "$VIF_BE/$1/$2/hotplug-status"; }
# a reply to any of three single pings (the first may go to ARP and MAC
# learning on a loaded host); a blocked path fails all three
gping() {
	for _t in 1 2 3; do
		ip netns exec "xpg$$-$1" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0
	done
	return 1
}

# a hook records what it is told about each vif
mkdir -p "$VIF_TMP/hooks.d"
printf '#!/bin/sh\necho "$XENPLUMB_ACTION $XENPLUMB_DEV $XENPLUMB_BRIDGE $XENPLUMB_BRIDGE_KIND $XENPLUMB_VLAN" >>"$0.out"\n' \
	>"$VIF_TMP/hooks.d/10-rec" && chmod +x "$VIF_TMP/hooks.d/10-rec"
export XENPLUMB_VIF_HOOKS_DIR="$VIF_TMP/hooks.d" XENPLUMB_VIF_POST_DIR="$VIF_TMP/none.d"
guest 3 0 192.0.2.3/24 bridge=xpovs0.10 || t_bail "guest 3.0"
guest 4 0 192.0.2.4/24 bridge=xpovs0.10 || t_bail "guest 4.0"
guest 5 0 192.0.2.5/24 bridge=xpovs0.20 || t_bail "guest 5.0"
# The trunk guest tags its frames itself.  This kernel has no 8021q, so
# its "VLAN 10 interface" is an access port (tag 10) of a second OVS bridge
# whose trunk port is the guest's end of vif6.0; that end stays in this
# namespace (ovs-vswitchd's), and so does the address.
ip link add vif6.0 type veth peer name g6_0 && _vif_keys 6 0 bridge=xpovs0:10:20 ||
	t_bail "guest 6.0"
xenstore-write /local/domain/6/vm /vm/00000006-0000-4000-8000-000000000000 \
	/vm/00000006-0000-4000-8000-000000000000/uuid 00000006-0000-4000-8000-000000000000
ip link set g6_0 up
ovs_addbr xpg6 && ovs-vsctl --timeout=20 add-port xpg6 g6_0 vlan_mode=trunk trunks=10,20 \
	-- add-port xpg6 g6v10 tag=10 -- set Interface g6v10 type=internal ||
	t_bail "trunk guest's bridge"
ip link set xpg6 up && ip link set g6v10 up && ip addr add 192.0.2.6/24 dev g6v10 ||
	t_bail "trunk guest's VLAN 10"
t_ok "online 3.0 by the applied map (the live map has a typo)" typo_online 3 0
for v in 3 4 5 6; do
	t_ok "online $v.0" vif_run online $v 0
	t_eq "$v.0 connected" connected "$(vif_status $v 0)"
done
t_eq "ports" "nic0 vif3.0 vif4.0 vif5.0 vif6.0" \
	"$(ovs-vsctl list-ports xpovs0 | sort | tr '\n' ' ' | sed 's/ $//')"
t_eq "3.0 access tag 10" "10 access" "$(ovs-vsctl get Port vif3.0 tag vlan_mode | tr '\n' ' ' | sed 's/ $//')"
t_eq "5.0 access tag 20" "20" "$(ovs-vsctl get Port vif5.0 tag)"
t_eq "6.0 trunk 10,20" "[10, 20] trunk []" \
	"$(ovs-vsctl get Port vif6.0 trunks vlan_mode tag | tr '\n' ' ' | sed 's/ $//')"
t_eq "uplink: trunk (every VLAN)" "[] []" "$(ovs-vsctl get Port nic0 tag trunks | tr '\n' ' ' | sed 's/ $//')"
t_match "hook: an OVS vif's facts" "^online vif3.0 xpovs0 openvswitch 10p$" "$(cat "$VIF_TMP/hooks.d/10-rec.out")"
t_match "hook: the trunk's VLANs" "^online vif6.0 xpovs0 openvswitch 10/20$" "$(cat "$VIF_TMP/hooks.d/10-rec.out")"
of=$(ovs-ofctl show xpovs0)
for v in 3 4 5 6; do
	t_match "ovs-ofctl: vif$v.0 is an OpenFlow port" "^ *[0-9]+\(vif$v\.0\)" "$of"
done
t_eq "vif: fixed MAC, up" "fe:ff:ff:ff:ff:ff 1" "$("$NLPROBE" link vif3.0 mac up | tr '\n' ' ' | sed 's/ $//')"
t_eq "iface-id: VM uuid . devid" '"00000003-0000-4000-8000-000000000000.0"' \
	"$(ovs-vsctl get Interface vif3.0 external_ids:iface-id)"
t_eq "attached-mac" '"00:16:3e:00:03:00"' "$(ovs-vsctl get Interface vif3.0 external_ids:attached-mac)"
t_eq "vm-id" '"00000003-0000-4000-8000-000000000000"' "$(ovs-vsctl get Interface vif3.0 external_ids:vm-id)"
t_eq "xs-vm-uuid" '"00000003-0000-4000-8000-000000000000"' \
	"$(ovs-vsctl get Interface vif3.0 external_ids:xs-vm-uuid)"
t_eq "xen-vm-name (Debian's vif-openvswitch)" guest3 "$(ovs-vsctl get Interface vif3.0 external_ids:xen-vm-name)"

# ---- traffic ----------------------------------------------------------------------
t_ok "same tag: 3.0 reaches 4.0" gping 3-0 192.0.2.4
t_ok "trunk guest's VLAN 10 reaches 3.0" sh -c "ping -n -q -c 1 -W 1 192.0.2.3 || ping -n -q -c 1 -W 1 192.0.2.3 || ping -n -q -c 1 -W 1 192.0.2.3"
t_fails "across tags: 3.0 does not reach 5.0" gping 3-0 192.0.2.5
t_fails "across tags: 5.0 does not reach 4.0" gping 5-0 192.0.2.4
t_ok "the trunk guest's VLAN 10 does not reach 5.0 (VLAN 20)" \
	sh -c '! ping -n -q -c 1 -W 1 192.0.2.5 >/dev/null 2>&1'
# the uplink trunks every VLAN: a broadcast from 3.0 leaves on nic0 tagged 10
tr=$(ovs-appctl ofproto/trace xpovs0 in_port=vif3.0,dl_src=00:16:3e:00:03:00,dl_dst=ff:ff:ff:ff:ff:ff 2>&1)
t_match "uplink: 3.0's broadcast is tagged 10" "push_vlan\(vid=10" "$tr"
odp=$(ovs-appctl dpif/show | sed -n 's|^[[:space:]]*nic0 [0-9]*/\([0-9]*\).*|\1|p')
t_match "uplink: ... out of nic0 (datapath port $odp)" "push_vlan\(vid=10,pcp=0\),([0-9]+,)*$odp(,|\$)" \
	"$(printf '%s\n' "$tr" | grep 'Datapath actions')"

# ---- offline removes the port and nothing else --------------------------------------
t_ok "offline 4.0" vif_run offline 4 0
t_eq "4.0's port gone, the rest stays" "nic0 vif3.0 vif5.0 vif6.0" \
	"$(ovs-vsctl list-ports xpovs0 | sort | tr '\n' ' ' | sed 's/ $//')"
t_eq "4.0's Interface row gone" "" "$(ovs-vsctl --columns=name find Interface name=vif4.0)"
t_match "hook on offline: the OVS kind" "^offline vif4.0 xpovs0 openvswitch" "$(cat "$VIF_TMP/hooks.d/10-rec.out")"
t_nomatch "ovs-ofctl: vif4.0 gone" '\(vif4\.0\)' "$(ovs-ofctl show xpovs0)"
t_eq "vif4.0 down" 0 "$("$NLPROBE" link vif4.0 up)"
t_ok "3.0 still reaches 6.0's VLAN 10" gping 3-0 192.0.2.6
t_ok "offline again: nothing to do" vif_run offline 4 0

# ---- online again (a reboot with the same domid) replaces, not duplicates -----------
t_ok "online 4.0 again" vif_run online 4 0
t_ok "online 4.0 once more (udev's second call)" vif_run online 4 0
t_eq "one port vif4.0" 1 "$(ovs-vsctl --columns=name find Port name=vif4.0 | grep -c name)"
t_ok "4.0 reaches 3.0 again" gping 4-0 192.0.2.3

# ---- 16 guests at once: concurrent transactions, each one port ---------------------
pids=""
for i in $(seq 20 35); do vif_mkvif 10 $i bridge=xpovs0.20 || t_bail "vif 10.$i"; done
for i in $(seq 20 35); do vif_run online 10 $i >/dev/null 2>&1 & pids="$pids $!"; done
wait $pids
t_eq "16 parallel onlines: 16 ports" 16 "$(ovs-vsctl list-ports xpovs0 | grep -c '^vif10\.')"
t_eq "all connected" "16 connected" \
	"$(for i in $(seq 20 35); do vif_status 10 $i; done | sort | uniq -c | sed 's/^ *//')"
pids=""
for i in $(seq 20 35); do vif_run offline 10 $i >/dev/null 2>&1 & pids="$pids $!"; done
wait $pids
t_eq "16 parallel offlines: none left" 0 "$(ovs-vsctl list-ports xpovs0 | grep -c '^vif10\.')"
for i in $(seq 20 35); do unplugged 10 $i; done

# ---- vifname, mtu ---------------------------------------------------------------------
guest 7 0 "" bridge=xpovs0.20 vifname=db7 mtu=1400 || t_bail "guest 7.0"
t_ok "online 7.0 (vifname db7, mtu 1400)" vif_run online 7 0
t_eq "port named after the vifname" 20 "$(ovs-vsctl get Port db7 tag)"
t_eq "MTU 1400" 1400 "$("$NLPROBE" link db7 mtu)"
t_eq "frontend mtu" 1400 "$(xenstore-read /local/domain/7/device/vif/0/mtu)"
xenstore-rm "$VIF_BE/7/0"
t_ok "offline with the backend directory gone" vif_run offline 7 0
t_eq "db7's port gone" "" "$(ovs-vsctl --columns=name find Port name=db7)"

# ---- stock contract: script=vif-openvswitch, bridge=BR.TAG:TRUNK, no map ---------
ln -s "$(cd "$(dirname "$VIF_BIN")" && pwd)/vif-xenplumb" "$VIF_TMP/vif-openvswitch"
export XENPLUMB_CONF="$VIF_TMP/none.conf"
guest 8 0 192.0.2.8/24 bridge=xpovs0.10 script=/etc/xen/scripts/vif-openvswitch ||
	t_bail "guest 8.0"
guest 8 1 "" bridge=xpovs0.5:10:20 script=/etc/xen/scripts/vif-openvswitch || t_bail "guest 8.1"
stockovs() { # ACTION D N: as libxl runs script=vif-openvswitch (compat link), no map at all
	env XENPLUMB_STATE_DIR="$VIF_TMP/nostate" script=/etc/xen/scripts/vif-openvswitch XENBUS_TYPE=vif XENBUS_PATH="backend/vif/$2/$3" \
		XENBUS_BASE_PATH=backend netdev= vif="vif$2.$3" "$VIF_TMP/vif-openvswitch" "$1" \
		type_if=vif </dev/null
}
t_ok "compat online 8.0 (bridge=xpovs0.10, no map)" stockovs online 8 0
t_eq "8.0 tag 10" 10 "$(ovs-vsctl get Port vif8.0 tag)"
t_ok "compat 8.0 reaches 3.0" gping 8-0 192.0.2.3
t_ok "compat online 8.1 (xpovs0.5:10:20)" stockovs online 8 1
t_eq "8.1 native VLAN 5, trunks 10 20" "5 [10, 20] native-untagged" \
	"$(ovs-vsctl get Port vif8.1 tag trunks vlan_mode | tr '\n' ' ' | sed 's/ $//')"
t_ok "compat offline 8.0" stockovs offline 8 0
unplugged 8 0
t_eq "8.0's port gone" "" "$(ovs-vsctl --columns=name find Port name=vif8.0)"

# ---- errors: clear, and nothing left behind ---------------------------------------
guest 9 0 "" bridge=xpovs0.10 script=/etc/xen/scripts/vif-openvswitch || t_bail "guest 9.0"
t_fails "no ovsdb-server: online fails" env XENPLUMB_OVSDB=unix:$VIF_TMP/nosuch.sock \
	script=/etc/xen/scripts/vif-openvswitch XENBUS_TYPE=vif XENBUS_PATH=backend/vif/9/0 \
	XENBUS_BASE_PATH=backend vif=vif9.0 "$VIF_TMP/vif-openvswitch" online type_if=vif
t_match "hotplug-error names the socket" "no ovsdb-server socket at $VIF_TMP/nosuch.sock" \
	"$(vif_error 9 0)"
t_eq "hotplug-status error" error "$(vif_status 9 0)"
t_eq "vif9.0 left down, MAC untouched" "0" "$("$NLPROBE" link vif9.0 up)"
xenstore-rm "$VIF_BE/9/0/hotplug-error" "$VIF_BE/9/0/hotplug-status"
vif_key 9 0 bridge nosuchbr.10
t_fails "missing OVS bridge: online fails" stockovs online 9 0
t_match "hotplug-error names the bridge" "bridge nosuchbr .*does not exist" "$(vif_error 9 0)"
t_eq "no port row left" "" "$(ovs-vsctl --columns=name find Port name=vif9.0)"

# ---- status ------------------------------------------------------------------------
st=$("$NET" status -c "$VIF_TMP/xenplumb.conf" 2>&1)
t_match "status: the OVS bridge" "openvswitch bridge xpovs0: netdev datapath, created by xenplumb" "$st"
t_match "status: the uplink" "^  port nic0$" "$st"
t_match "status: a guest port and its tag" "guest vif3.0 \(vif 3/0\) tag 10 access" "$st"
t_match "status: the trunk" "guest vif6.0 \(vif 6/0\) trunks 10,20 trunk" "$st"
t_match "status: matches the map" "status: OK" "$st"
t_nomatch "status: no guest on OVS is a vif on no bridge" "guest-vif" "$st"
ovs-vsctl --timeout=20 del-port xpovs0 nic0
st=$("$NET" status -c "$VIF_TMP/xenplumb.conf" 2>&1)
t_match "status: a map port gone is drift" "xpovs0 port: want nic0, have missing" "$st"
t_fails "status exits non-zero on drift" "$NET" status -c "$VIF_TMP/xenplumb.conf"
t_ok "status --json validates" sh -c '"$1" status -c "$2" --json >"$3"; python3 -c "
import json,sys,jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))" "$4" "$3"' sh \
	"$NET" "$VIF_TMP/xenplumb.conf" "$VIF_TMP/st.json" "$T_ROOT/docs/status-schema.json"
t_ok "start again re-adds the map port" "$NET" start -c "$VIF_TMP/xenplumb.conf"
t_match "nic0 back on xpovs0" "nic0" "$(ovs-vsctl list-ports xpovs0)"
# a per-bridge wrapper's stop (network-bridge arguments) is scoped to its
# Linux bridge: Open vSwitch is left alone
ip link add xpleg0 type veth peer name xpleg0p
t_ok "network-xenplumb stop bridge=xpleg1 netdev=xpleg0" "$NET" stop bridge=xpleg1 netdev=xpleg0
t_match "... leaves the OVS bridge xenplumb made" "^xpovs0$" "$(ovs-vsctl list-br)"
t_match "... and its ports" "nic0" "$(ovs-vsctl list-ports xpovs0)"

# ---- reload takes back what the map dropped, as for Linux bridges -------------------
ip link add nic1 type veth peer name up1 netns "$VIF_GUEST" || t_bail "nic1"
NONE_CONF=$XENPLUMB_CONF
MAP1=$(cat "$VIF_TMP/xenplumb.conf")
vif_map "$MAP1
[bridge xpovs1]
type = openvswitch
datapath-type = netdev
ports = nic1
"
t_ok "reload adds a second OVS bridge" "$NET" reload -c "$XENPLUMB_CONF"
t_eq "... with its port" nic1 "$(ovs-vsctl list-ports xpovs1 2>&1)"
t_match "... and xpovs0 keeps its uplink" "^nic0$" "$(ovs-vsctl list-ports xpovs0)"
vif_map "[bridge xpovs0]
type = openvswitch
datapath-type = netdev
"
out=$("$NET" reload -c "$XENPLUMB_CONF" 2>&1)
t_eq "reload to a map without xpovs1 and without xpovs0's nic0 exits 0" 0 $?
t_match "... says it deletes xpovs1" "delete OVS bridge xpovs1 \(created by xenplumb, no longer in the map\)" "$out"
t_fails "... and xpovs1 is gone" ovs-vsctl br-exists xpovs1
t_nomatch "... nic0 (a map port it added) left xpovs0" "^nic0$" "$(ovs-vsctl list-ports xpovs0)"
t_match "... the guests' ports stay" "^vif3\.0$" "$(ovs-vsctl list-ports xpovs0)"
t_match "... the bridge it did not make stays, with its ports" "g6_0 g6v10" \
	"$(ovs-vsctl list-ports xpg6 | sort | tr '\n' ' ')"
vif_map "[bridge xplin9]
"
out=$("$NET" reload -c "$XENPLUMB_CONF" 2>&1)
t_eq "reload to a map with no OVS bridge exits 0" 0 $?
t_match "... keeps xpovs0 for its guests, and says so" "keep OVS bridge xpovs0: ports not in the map are on it" "$out"
t_match "... xpovs0 still there" "^xpovs0$" "$(ovs-vsctl list-br)"
vif_map "$MAP1"
t_ok "reload back to the first map" "$NET" reload -c "$XENPLUMB_CONF"
t_match "... nic0 back on xpovs0" "^nic0$" "$(ovs-vsctl list-ports xpovs0)"
t_fails "... the Linux bridge of the map in between is gone" ip link show xplin9
export XENPLUMB_CONF="$NONE_CONF" # as before this part

# ---- stop removes what start made, after the guests left --------------------------
for v in 3 4 5 6; do vif_run offline $v 0 >/dev/null 2>&1; done
stockovs offline 8 1 >/dev/null 2>&1
# xpg6 (the trunk guest's, made by ovs-vsctl) carries no xenplumb mark
t_ok "network-xenplumb stop" "$NET" stop -c "$VIF_TMP/xenplumb.conf"
t_eq "the bridge xenplumb made is gone, the one it did not make stays" "xpg6" "$(ovs-vsctl list-br)"
t_eq "... with its ports" "g6_0 g6v10" "$(ovs-vsctl list-ports xpg6 | sort | tr '\n' ' ' | sed 's/ $//')"
t_done
