#!/bin/sh
# An Open vSwitch bridge's map port that does not exist degrades as a Linux
# bridge's does (main's issue 13 item 2): start reports FILE:LINE, skips it,
# makes the bridge with the other ports and exits 3; status lists it under
# missing (exit 3); strict = yes makes it an error that changes nothing; once
# the NIC exists a start adds it.  A map port on another OVS bridge is
# refused before anything changes (a reload counts the bridges it drops as
# gone).  A real ovsdb-server and ovs-vswitchd
# (tests/lib/ovs.sh, userspace datapath).
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/lib/ovs.sh"
NET=$B/network-xenplumb
TMP=$(mktemp -d /tmp/xpovsdeg.XXXXXX) || t_bail "tmp"
trap 'ovs_stop; rm -rf "$TMP"' EXIT
ovs_start || t_bail "cannot start Open vSwitch"
export XENPLUMB_STATE_DIR="$TMP/state"
ip link add nic1 type veth peer name nic1p || t_bail "veth"

printf '[bridge xpovs1]\ntype = openvswitch\ndatapath-type = netdev\nports = nic1 nic9\n' >"$TMP/m.conf"
out=$("$NET" start -c "$TMP/m.conf" 2>&1)
rc=$?
t_eq "start with a missing port: exit 3 (degraded)" 3 "$rc"
t_match "names the map line and the port" "$TMP/m.conf:4: nic9 \(port of Open vSwitch bridge xpovs1\) does not exist; skipped" "$out"
t_eq "the bridge is made with the port that exists" nic1 "$(ovs-vsctl list-ports xpovs1)"
t_match "the applied map is written (hotplug can plug into it)" "^b xpovs1 antispoof=0 type=openvswitch$" \
	"$(cat "$XENPLUMB_STATE_DIR/applied-map")"
st=$("$NET" status -c "$TMP/m.conf" 2>&1)
rc=$?
t_eq "status: exit 3 (only missing)" 3 "$rc"
t_match "status: nic9 missing" "nic9" "$st"
j=$("$NET" status -c "$TMP/m.conf" --json 2>/dev/null)
t_eq "status --json: missing names it" "nic9 port of Open vSwitch bridge xpovs1" \
	"$(printf '%s' "$j" | python3 -c 'import json,sys; m=json.load(sys.stdin)["missing"]; print(" ".join(m[0][k] for k in ("device","role")))')"

printf '[global]\nstrict = yes\n[bridge xpovs2]\ntype = openvswitch\ndatapath-type = netdev\nports = nic1 nic9\n' \
	>"$TMP/s.conf"
out=$("$NET" start -c "$TMP/s.conf" 2>&1)
rc=$?
t_eq "strict: exit 2" 2 "$rc"
t_match "strict: names it" "$TMP/s.conf:6: port nic9 of Open vSwitch bridge xpovs2 does not exist \(strict" "$out"
t_eq "strict: nothing changed (no xpovs2)" xpovs1 "$(ovs-vsctl list-br)"

ip link add nic9 type veth peer name nic9p || t_bail "veth nic9"
t_ok "start once nic9 exists: exit 0" "$NET" start -c "$TMP/m.conf"
t_eq "both ports now" "nic1 nic9" "$(ovs-vsctl list-ports xpovs1 | sort | tr '\n' ' ' | sed 's/ $//')"
t_ok "stop" "$NET" stop -c "$TMP/m.conf"
t_eq "the bridge xenplumb made is gone" "" "$(ovs-vsctl list-br)"

# A map port that is on another OVS bridge is refused before anything
# changes, the netlink part too (it used to be found after the netlink
# part had applied, which then stayed)
ovs_addbr xpforeign || t_bail "foreign bridge"
ovs-vsctl --timeout=20 add-port xpforeign nic1 || t_bail "nic1 on xpforeign"
printf '[bridge xplnx1]\n\n[bridge xpovs3]\ntype = openvswitch\ndatapath-type = netdev\nports = nic1\n' \
	>"$TMP/t.conf"
out=$("$NET" start -c "$TMP/t.conf" 2>&1)
rc=$?
t_eq "start with a port on another OVS bridge: exit 2" 2 "$rc"
t_match "names the map line, the port and its bridge" \
	"$TMP/t.conf:3: port nic1 of OVS bridge xpovs3 is a port of OVS bridge xpforeign" "$out"
t_match "and says nothing changed" "start: 1 error; nothing changed" "$out"
t_fails "the Linux bridge of the same map was not made" ip link show xplnx1
t_eq "no OVS bridge was made" xpforeign "$(ovs-vsctl list-br)"
j=$("$NET" start -c "$TMP/t.conf" --json 2>/dev/null)
t_eq "--json: the answer says error" error \
	"$(printf '%s' "$j" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')"
ovs-vsctl --timeout=20 del-br xpforeign

# a reload may move a map port from a bridge it drops to one it adds: the
# check counts the dropped bridge as gone
printf '[bridge xpovs4]\ntype = openvswitch\ndatapath-type = netdev\nports = nic1\n' >"$TMP/r1.conf"
printf '[bridge xpovs5]\ntype = openvswitch\ndatapath-type = netdev\nports = nic1\n' >"$TMP/r2.conf"
t_ok "start with nic1 on xpovs4" "$NET" start -c "$TMP/r1.conf"
out=$("$NET" reload -c "$TMP/r2.conf" 2>&1)
t_eq "reload moving nic1 to xpovs5 (xpovs4 dropped): exit 0" 0 $?
t_eq "nic1 is on xpovs5, xpovs4 is gone" "xpovs5 nic1" "$(ovs-vsctl list-br) $(ovs-vsctl list-ports xpovs5)"
t_ok "stop" "$NET" stop -c "$TMP/r2.conf"
t_done
