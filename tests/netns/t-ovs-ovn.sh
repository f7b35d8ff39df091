#!/bin/sh
# OVN binds a guest's vif by the external_ids vif-xenplumb sets: a private
# OVN (NB and SB ovsdb-servers, ovn-northd, ovn-controller on the private
# Open vSwitch of tests/lib/ovs.sh, their own rundir/logdir/dbdir) with a
# logical switch whose two ports are named by the iface-ids of two guests'
# vifs on br-int.  After online, ovn-sbctl shows each Port_Binding bound to
# this chassis and up; the guests reach each other through OVN's pipeline;
# after offline the binding is released.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
. "$T_ROOT/tests/lib/ovs.sh"
vif_init
for c in ovn-northd ovn-controller ovn-nbctl ovn-sbctl; do
	command -v $c >/dev/null || t_bail "no $c (ovn-central, ovn-host: scripts/deps/vif.txt)"
done
GUESTS=""
ovn_stop() {
	for p in "$OVN_RUNDIR"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
	sleep 0.2
}
cleanup() {
	for g in $GUESTS; do ip netns del "$g" 2>/dev/null; done
	[ -n "${OVN_RUNDIR:-}" ] && ovn_stop
	ovs_stop
	vif_cleanup
}
trap cleanup EXIT
ovs_start || t_bail "cannot start Open vSwitch"

D=$OVS_DIR/ovn
mkdir -p "$D"
export OVN_RUNDIR="$D" OVN_LOGDIR="$D" OVN_DBDIR="$D" OVN_SYSCONFDIR="$D"
NB="unix:$D/nb.sock" SB="unix:$D/sb.sock"
for db in nb sb; do
	ovsdb-tool create "$D/$db.db" "/usr/share/ovn/ovn-$db.ovsschema" || t_bail "$db db"
	ovsdb-server --remote="punix:$D/$db.sock" --pidfile="$D/$db.pid" --unixctl="$D/$db.ctl" \
		--log-file="$D/$db.log" --detach --no-chdir "$D/$db.db" 2>/dev/null ||
		t_bail "$db ovsdb-server"
done
ovn-nbctl --db="$NB" init && ovn-sbctl --db="$SB" init || t_bail "init NB/SB"
ovn-northd --ovnnb-db="$NB" --ovnsb-db="$SB" --pidfile="$D/northd.pid" \
	--log-file="$D/northd.log" --detach --no-chdir 2>/dev/null || t_bail "ovn-northd"
ovs-vsctl set Open_vSwitch . external_ids:system-id=xp-chassis-1 external_ids:ovn-remote="$SB" \
	external_ids:ovn-encap-type=geneve external_ids:ovn-encap-ip=127.0.0.1 \
	external_ids:ovn-bridge-datapath-type=netdev || t_bail "chassis config"
ovn-controller "unix:$OVS_RUNDIR/db.sock" --pidfile="$D/controller.pid" \
	--log-file="$D/controller.log" --detach --no-chdir 2>/dev/null || t_bail "ovn-controller"
t_ok "ovn-controller made br-int" ovs-vsctl --timeout=20 wait-until Bridge br-int
vif_map "[bridge br-int]
type = openvswitch
"

# two guests, each in a netns of its own, VM uuids in xenstore as libxl writes them
guest() { # D ADDR MAC
	vif_mkvif "$1" 0 bridge=br-int mac="$3" || return 1
	_g=xpg$$-$1
	ip netns add "$_g" || return 1
	GUESTS="$GUESTS $_g"
	ip -n "$VIF_GUEST" link set "g${1}_0" netns "$_g" &&
		ip -n "$_g" link set "g${1}_0" address "$3" up &&
		ip -n "$_g" addr add "$2" dev "g${1}_0" || return 1
	xenstore-write "/local/domain/$1/vm" "/vm/5e0e0d0c-0000-4000-8000-00000000000$1" \
		"/vm/5e0e0d0c-0000-4000-8000-00000000000$1/uuid" "5e0e0d0c-0000-4000-8000-00000000000$1"
}
guest 3 192.0.2.3/24 00:16:3e:00:00:03 || t_bail "guest 3"
guest 4 192.0.2.4/24 00:16:3e:00:00:04 || t_bail "guest 4"
L3=5e0e0d0c-0000-4000-8000-000000000003.0 L4=5e0e0d0c-0000-4000-8000-000000000004.0
ovn-nbctl --db="$NB" ls-add ls0 &&
	ovn-nbctl --db="$NB" lsp-add ls0 "$L3" -- lsp-set-addresses "$L3" "00:16:3e:00:00:03 192.0.2.3" &&
	ovn-nbctl --db="$NB" lsp-add ls0 "$L4" -- lsp-set-addresses "$L4" "00:16:3e:00:00:04 192.0.2.4" ||
	t_bail "logical switch"
# port security: only the addresses above may be used
ovn-nbctl --db="$NB" lsp-set-port-security "$L3" "00:16:3e:00:00:03 192.0.2.3" || t_bail "psec"

t_ok "online 3.0" vif_run online 3 0
t_ok "online 4.0" vif_run online 4 0
t_eq "iface-id is the logical port" "\"$L3\"" "$(ovs-vsctl get Interface vif3.0 external_ids:iface-id)"
ch=$(ovn-sbctl --db="$SB" --bare --columns=_uuid find Chassis name=xp-chassis-1)
t_ok "Port_Binding of 3.0 bound to this chassis" \
	ovn-sbctl --db="$SB" --timeout=20 wait-until Port_Binding "$L3" chassis="$ch"
t_ok "Port_Binding of 4.0 bound to this chassis" \
	ovn-sbctl --db="$SB" --timeout=20 wait-until Port_Binding "$L4" chassis="$ch"
t_match "ovn-sbctl show lists both bindings" "Port_Binding \"?$L3\"?" "$(ovn-sbctl --db="$SB" show)"
t_ok "3.0's binding comes up" ovn-sbctl --db="$SB" --timeout=20 wait-until Port_Binding "$L3" up=true
t_ok "ovn-installed on the Interface" \
	ovs-vsctl --timeout=20 wait-until Interface vif3.0 external_ids:ovn-installed=true
t_ok "4.0 binding up" ovn-sbctl --db="$SB" --timeout=20 wait-until Port_Binding "$L4" up=true
t_ok "guests reach each other through OVN" ip netns exec "xpg$$-3" ping -n -q -c 1 -W 2 192.0.2.4
# port security: 3.0 sending from another address is dropped by OVN
ip -n "xpg$$-3" addr add 192.0.2.33/24 dev g3_0
t_fails "a spoofed source from 3.0 is dropped (port security)" \
	ip netns exec "xpg$$-3" ping -n -q -c 1 -W 1 -I 192.0.2.33 192.0.2.4

t_ok "offline 3.0" vif_run offline 3 0
t_ok "binding released" ovn-sbctl --db="$SB" --timeout=20 wait-until Port_Binding "$L3" chassis=[]
t_ok "4.0 still bound" ovn-sbctl --db="$SB" --timeout=5 wait-until Port_Binding "$L4" chassis="$ch"
t_done
