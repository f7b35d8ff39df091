#!/bin/sh
# The OVSDB client (src/common/ovsdb.c, ovs.c) against a real ovsdb-server
# and ovs-vswitchd (tests/lib/ovs.sh; userspace datapath), through the
# tests/tools/ovsdbc driver: a port with tag/trunks/external_ids as
# ovs-vsctl sees it, the deterministic port UUID, replacing a port another
# tool made, Interface errors and a missing bridge as clear messages with
# nothing left behind, removal, a missing or dead server, and ovs-vswitchd
# not running (the change is undone, not left half-applied).
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/lib/ovs.sh"
C=$B/tests/tools/ovsdbc
[ -x "$C" ] || t_bail "no $C (run make)"
trap 'ovs_stop' EXIT
ovs_start || t_bail "cannot start Open vSwitch"
ovs_addbr xpovs0 || t_bail "bridge"
ip link add p1 type veth peer name p1g && ip link set p1 up || t_bail "veth"
ip link add p2 type veth peer name p2g && ip link set p2 up || t_bail "veth"

t_ok "add an access port" $C add xpovs0 p1 tag=10 iface-id=lsp-1 attached-mac=00:16:3e:00:00:01
t_eq "on the bridge" p1 "$(ovs-vsctl list-ports xpovs0)"
t_eq "tag" 10 "$(ovs-vsctl get Port p1 tag)"
t_eq "vlan_mode access" access "$(ovs-vsctl get Port p1 vlan_mode)"
t_eq "iface-id" lsp-1 "$(ovs-vsctl get Interface p1 external_ids:iface-id)"
t_eq "attached-mac" '"00:16:3e:00:00:01"' "$(ovs-vsctl get Interface p1 external_ids:attached-mac)"
t_eq "owner mark on the port" ovsdbc "$(ovs-vsctl get Port p1 external_ids:xenplumb)"
t_match "ovs-vswitchd has it (an OpenFlow port)" '^ *[0-9]+\(p1\)' "$(ovs-ofctl show xpovs0)"
u1=$(ovs-vsctl get Port p1 _uuid)
t_match "version-8 UUID" '^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab]' "$u1"

t_ok "add a trunk port with a native VLAN" $C add xpovs0 p2 tag=5 trunks=20,30
t_eq "trunks" "[20, 30]" "$(ovs-vsctl get Port p2 trunks)"
t_eq "native-untagged" native-untagged "$(ovs-vsctl get Port p2 vlan_mode)"

# again: the same name is replaced, with the same UUID
t_ok "re-add p1 with another tag" $C add xpovs0 p1 tag=11
t_eq "new tag" 11 "$(ovs-vsctl get Port p1 tag)"
t_eq "same UUID" "$u1" "$(ovs-vsctl get Port p1 _uuid)"
t_eq "one port p1" 1 "$(ovs-vsctl --columns=name find Port name=p1 | grep -c name)"

# a port ovs-vsctl made (as stock vif-openvswitch does) on another bridge
ovs_addbr xpovs1 || t_bail "bridge 2"
ovs-vsctl --timeout=20 del-port p2 && ovs-vsctl --timeout=20 add-port xpovs1 p2 tag=99 ||
	t_bail "stock-style port"
t_ok "add over a port another tool made" $C add xpovs0 p2 tag=7
t_eq "moved to xpovs0" "p1 p2" "$(ovs-vsctl list-ports xpovs0 | tr '\n' ' ' | sed 's/ $//')"
t_eq "gone from xpovs1" "" "$(ovs-vsctl list-ports xpovs1)"

# clear errors, nothing left behind
out=$($C add xpovs0 nosuch0 2>&1)
t_match "no such device: Interface error reported" \
	"bridge xpovs0 cannot use port nosuch0: could not open network device nosuch0" "$out"
t_eq "and the port is not left behind" "" "$(ovs-vsctl --columns=name find Port name=nosuch0)"
out=$($C add nobr0 p3 2>&1)
t_match "missing bridge named" "no Open vSwitch bridge nobr0" "$out"
t_eq "no port row made" "" "$(ovs-vsctl --columns=name find Port name=p3)"
out=$($C add xpovs0 p3 tag=5000 2>&1)
t_match "tag out of range: the op and the server's words" "ovsdb op 4 \(insert Port\): .*5000" "$out"
out=$($C transact '["Open_vSwitch",{"op":"select","table":"NoSuch","where":[]}]' 2>&1)
t_match "unknown table: server's error" "ovsdb op 1 \(select NoSuch\): .*No table named NoSuch" "$out"
out=$($C transact '["Nope",{"op":"comment","comment":"x"}]' 2>&1)
t_match "unknown database" "refused the transaction: unknown database" "$out"

# removal
t_eq "del p1: found, applied" "1 1" "$($C del p1)"
t_eq "p1 gone" "p2" "$(ovs-vsctl list-ports xpovs0)"
t_eq "Interface row gone too" "" "$(ovs-vsctl --columns=name find Interface name=p1)"
t_nomatch "ovs-vswitchd dropped it" '\(p1\)' "$(ovs-ofctl show xpovs0)"
t_eq "del again: not found" "0 0" "$($C del p1)"
ovs-vsctl --timeout=20 add-port xpovs1 p1 || t_bail "port by ovs-vsctl"
t_eq "del a port ovs-vsctl made (looked up by name)" "1 1" "$($C del p1)"
t_eq "xpovs1 empty" "" "$(ovs-vsctl list-ports xpovs1)"
t_eq "the bridges stay" "xpovs0 xpovs1" "$(ovs-vsctl list-br | tr '\n' ' ' | sed 's/ $//')"

# ovs-vswitchd not running: the change is not left in the database
ovs_stop_vswitchd
out=$(XENPLUMB_OVSDB_WAIT_MS=1500 $C add xpovs0 p1 tag=3 2>&1)
t_match "vswitchd down: named" "ovs-vswitchd did not apply the change.*is ovs-vswitchd running" "$out"
t_eq "and the port was taken back" "" "$(ovs-vsctl --no-wait --columns=name find Port name=p1)"
t_eq "del without vswitchd: found, not applied" "1 0" "$(XENPLUMB_OVSDB_WAIT_MS=300 $C del p2)"

# no server at all
sock=$XENPLUMB_OVSDB
ovs_stop
out=$(XENPLUMB_OVSDB=$sock $C has-br xpovs0 2>&1)
t_match "socket gone: clear error" "no ovsdb-server socket at /tmp/xpovs.*/db.sock" "$out"
out=$(XENPLUMB_OVSDB=/dev/null $C has-br xpovs0 2>&1)
t_match "not a socket: clear error" "ovsdb-server is not listening at /dev/null" "$out"
t_done
