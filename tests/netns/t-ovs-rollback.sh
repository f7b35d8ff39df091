#!/bin/sh
# A failure of the Open vSwitch part after its transaction applied (an
# Interface error that ovs-vswitchd reports, injected here with
# XENPLUMB_OVS_FAIL) leaves nothing of the run behind: the OVS bridges the
# run made or added ports to are taken back, and so is the netlink part
# (the Linux bridge of the same map, the veth ports' membership), which
# used to stay applied.  The state, the applied map and OVSDB are as
# before; a start without the failure then applies.  The same for a reload
# that adds a Linux and an OVS bridge to an applied map: what was applied
# before stays.  A real ovsdb-server and ovs-vswitchd (tests/lib/ovs.sh,
# userspace datapath).
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/lib/ovs.sh"
NET=$B/network-xenplumb
TMP=$(mktemp -d /tmp/xpovsrb.XXXXXX) || t_bail "tmp"
trap 'ovs_stop; rm -rf "$TMP"' EXIT
ovs_start || t_bail "cannot start Open vSwitch"
export XENPLUMB_STATE_DIR="$TMP/state"
for n in nic1 nic2 nic3; do ip link add $n type veth peer name ${n}p || t_bail "veth $n"; done
brs() { ovs-vsctl list-br | tr '\n' ' ' | sed 's/ $//'; }

# xpl1 (Linux, port nic3), xpo1 (OVS, nic1) then xpo2 (OVS, nic2): xpo2 fails
printf '[bridge xpl1]\nports = nic3\n\n[bridge xpo1]\ntype = openvswitch\ndatapath-type = netdev\nports = nic1\n\n[bridge xpo2]\ntype = openvswitch\ndatapath-type = netdev\nports = nic2\n' >"$TMP/a.conf"
out=$(XENPLUMB_OVS_FAIL=xpo2 "$NET" start -c "$TMP/a.conf" 2>&1)
rc=$?
t_eq "start whose second OVS bridge fails: exit 1" 1 "$rc"
t_match "names the bridge and the failure" "OVS bridge xpo2: injected failure" "$out"
t_match "says the OVS changes were undone" "this run's Open vSwitch changes were undone" "$out"
t_match "the first OVS bridge is taken back" "undone: OVS bridge xpo1 \(deleted again\)" "$out"
t_match "and the netlink part is rolled back" "rolling back [0-9]+ operations" "$out"
t_match "and says so" "everything this run did was undone" "$out"
t_eq "no OVS bridge is left" "" "$(brs)"
t_fails "the Linux bridge of the same map is gone" ip link show xpl1
t_eq "nic3 is on no bridge" "" "$(basename "$(readlink /sys/class/net/nic3/master 2>/dev/null)" 2>/dev/null)"
t_eq "no device or port is recorded" "" "$(grep -E '^(dev|port) ' "$XENPLUMB_STATE_DIR/state" 2>/dev/null)"
t_fails "no applied map was written" test -s "$XENPLUMB_STATE_DIR/applied-map"
j=$(XENPLUMB_OVS_FAIL=xpo2 "$NET" start -c "$TMP/a.conf" --json 2>/dev/null)
t_eq "--json: the answer says rolled-back" rolled-back \
	"$(printf '%s' "$j" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')"
t_eq "--json run: no OVS bridge is left either" "" "$(brs)"

j=$("$NET" start -c "$TMP/a.conf" --json 2>"$TMP/start.err")
t_eq "start without the failure (--json): exit 0" 0 "$?"
ovs=$(printf '%s' "$j" | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["result"]); print("\n".join(a["openvswitch"]))')
t_match "--json: applied" "^applied" "$ovs"
t_match "--json: the answer has the OVS steps" "create OVS bridge xpo2" "$ovs"
t_match "... which go to stderr too" "create OVS bridge xpo2" "$(cat "$TMP/start.err")"
t_eq "both OVS bridges" "xpo1 xpo2" "$(brs)"
t_eq "and the Linux bridge with its port" xpl1 "$(basename "$(readlink /sys/class/net/nic3/master)")"

# a reload adding xpl2 (Linux) and xpo3 (OVS) whose xpo3 fails: the map
# applied before stays as it was
ip link add nic4 type veth peer name nic4p || t_bail "veth nic4"
cp "$TMP/state/applied-map" "$TMP/applied.before"
printf '\n[bridge xpl2]\n\n[bridge xpo3]\ntype = openvswitch\ndatapath-type = netdev\nports = nic4\n' | cat "$TMP/a.conf" - >"$TMP/b.conf"
out=$(XENPLUMB_OVS_FAIL=xpo3 "$NET" reload -c "$TMP/b.conf" 2>&1)
t_eq "reload whose new OVS bridge fails: exit 1" 1 $?
t_match "rolled back" "everything this run did was undone" "$out"
t_fails "the new Linux bridge is gone" ip link show xpl2
t_eq "the OVS bridges applied before stay, the new one is gone" "xpo1 xpo2" "$(brs)"
t_ok "the old Linux bridge stays" ip link show xpl1
t_ok "the applied map is the one before" cmp "$TMP/applied.before" "$TMP/state/applied-map"
t_ok "reload without the failure: exit 0" "$NET" reload -c "$TMP/b.conf"
t_eq "now three OVS bridges" "xpo1 xpo2 xpo3" "$(brs)"
t_ok "stop" "$NET" stop -c "$TMP/b.conf"
t_eq "every bridge xenplumb made is gone" "" "$(brs)"
t_fails "xpl1 is gone" ip link show xpl1
t_done
