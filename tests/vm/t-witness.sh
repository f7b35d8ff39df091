#!/bin/sh
# witness and nlprobe on what only the VM kernel has: a balance-alb bond of
# two dummies, VLAN 100 on it, and a VLAN-filtering bridge with that VLAN
# device as its port.  Runs from the repository root with $B set, in its
# own network namespace.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/witness.sh
. "$(dirname "$0")/../lib/witness.sh"
w_setup
ip link show bond0 >/dev/null 2>&1 && t_bail "not in a private namespace (bond0 exists)"

# Same pattern as tests/netns/t-witness.sh: start, wait for ready, act,
# stop; slower under TCG: the witness may wait 20 s to be ready and runs
# for up to 200 s, until_ok polls for up to 10 s.
W_TIMEOUT=200
W_TRIES=400
UNTIL_TRIES=200
lines() { tr '\n' ' ' | sed 's/ $//'; }

ip link set lo up
t_ok "two dummies" sh -c 'ip link add d1 type dummy && ip link add d2 type dummy'
t_ok "bond0 balance-alb miimon 100" ip link add bond0 type bond mode balance-alb miimon 100
t_ok "enslave the dummies" sh -c 'ip link set d1 master bond0 && ip link set d2 master bond0'
t_ok "bond0.100" ip link add link bond0 name bond0.100 type vlan id 100
t_ok "VLAN-filtering bridge" ip link add br0 type bridge vlan_filtering 1
t_ok "bond0.100 into br0" ip link set bond0.100 master br0
t_ok "bridge VLAN 200 on the port" bridge vlan add dev bond0.100 vid 200
for l in d1 d2 bond0 bond0.100 br0; do ip link set "$l" up; done
until_ok carrier_is bond0.100 1 || t_failmsg "bond0.100 never got carrier"

# ---- nlprobe ---------------------------------------------------------------
t_eq "bond kind" bond "$("$P" link bond0 kind)"
t_eq "bond mode" balance-alb "$("$P" link bond0 bond_mode)"
t_eq "bond miimon" 100 "$("$P" link bond0 bond_miimon)"
t_eq "bond slaves (ports)" "d1 d2" "$("$P" ports bond0 | sort | lines)"
t_eq "slave's master and slave kind" "bond0 bond" "$("$P" link d1 master slave_kind | lines)"
t_eq "dummy kind" dummy "$("$P" link d1 kind)"
t_eq "vlan kind, id, parent, protocol" "vlan 100 bond0 802.1Q" \
	"$("$P" link bond0.100 kind vlan_id vlan_parent vlan_protocol | lines)"
t_eq "bridge vlan_filtering" 1 "$("$P" link br0 bridge_vlan_filtering)"
t_eq "bridge default pvid" 1 "$("$P" link br0 bridge_default_pvid)"
t_eq "bridge port" bond0.100 "$("$P" ports br0)"
t_eq "port VLANs: default pvid untagged, and 200" "1 pvid untagged|200" \
	"$("$P" vlans bond0.100 | paste -sd'|')"
t_match "bridge's own VLAN 1" "^1 pvid untagged$" "$("$P" vlans br0)"
ip link set bond0 type bond miimon 200
t_eq "nlprobe follows a change" 200 "$("$P" link bond0 bond_miimon)"
ip link set bond0 type bond miimon 100

# ---- witness ---------------------------------------------------------------
w_start bond0 bond0.100 || t_bail "witness did not get ready: $(cat "$tmp/err")"
ip link set bond0 up                # already up
ip link set bond0 type bond miimon 100 # same value
ip link set bond0.100 mtu "$("$P" link bond0.100 mtu)"
bridge vlan add dev bond0.100 vid 200 # already there
sleep 0.5
w_stop
t_eq "silent over no-ops: exit 0" 0 "$wrc"
t_eq "silent over no-ops: no lines" "" "$wev"

w_start bond0 bond0.100 || t_bail "witness did not get ready"
ip link set d1 down
ip link set d1 up
sleep 0.5
w_stop
t_eq "one slave flapping does not disturb the bond" "0:" "$wrc:$wev"

w_start bond0 bond0.100 || t_bail "witness did not get ready"
ip link set bond0 down
w_stop
t_eq "bond down: exit 1" 1 "$wrc"
t_match "bond down: DOWN bond0" "^DOWN bond0$" "$wev"
t_match "bond down: its VLAN follows" "^DOWN bond0.100$" "$wev"

ip link set bond0 up
ip link set bond0.100 up
until_ok carrier_is bond0 1 || t_failmsg "bond0 did not get carrier back"
w_start bond0 || t_bail "witness did not get ready"
ip link set d1 down
ip link set d2 down
until_ok carrier_is bond0 0 || t_failmsg "bond0 kept carrier without slaves"
w_stop
t_eq "all slaves down: CARRIER-LOSS bond0 only" "1:CARRIER-LOSS bond0" "$wrc:$wev"

w_start bond0 d1 || t_bail "witness did not get ready"
ip link set d1 nomaster
ip link del bond0
w_stop
t_match "release: MASTER d1 bond0 -" "^MASTER d1 bond0 -$" "$wev"
t_match "delete: DELETE bond0" "^DELETE bond0$" "$wev"
t_done
