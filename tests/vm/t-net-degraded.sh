#!/bin/sh
# On the VM kernel (bonding, 802.1Q, vlan_filtering):
#  - degraded, not blocked: a missing bond slave and a missing VLAN parent
#    are reported with their FILE:LINE and skipped, the rest applies, exit
#    3; once they exist, start completes the map (the bond is xenplumb's, so
#    its new slave is enslaved);
#  - altnames: a bond slave and a VLAN parent named by altname are their
#    devices (no drift, nothing to do on a second start);
#  - trunk VLANs that start puts on a port of an ADOPTED VLAN-filtering
#    bridge are recorded and removed by stop (the port stays);
#  - a stop SIGKILLed between deleting a created bond and bringing its
#    former slave up: the next stop brings the NIC up.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup
master() { ip -j link show "$1" | jq -r '.[0].master // "-"'; }
isup() { ip -j link show "$1" | jq -r '.[0].flags | index("UP") != null'; }

ip link set lo up
for n in 0 1 5 6 7; do
	ip link add "eth$n" type veth peer name "eth$n-peer"
	ip link set "eth$n" up
done

# ---- a missing bond slave and VLAN parent
cat >"$tmp/map.conf" <<MAP
[bond bond0]
slaves = eth0 eth9
mode = active-backup
miimon = 100

[vlan eth8.100]
parent = eth8
id = 100

[bridge br100]
ports = eth8.100

[bridge xenbr0]
ports = bond0
MAP
out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "missing slave and parent: exit 3 (degraded)" 3 $?
t_match "missing slave at its line" \
	"^$tmp/map.conf:2: eth9 \(slave of bond bond0\) does not exist; skipped" "$out"
t_match "missing parent at its line" \
	"^$tmp/map.conf:7: eth8 \(parent of VLAN eth8.100\) does not exist; skipped" "$out"
t_eq "bond0 made with eth0; xenbr0 over it" "bond0 xenbr0" "$(master eth0) $(master bond0)"
t_ok "br100 made (without its port)" ip link show br100
out=$($X status -c "$tmp/map.conf" 2>&1)
t_eq "status: exit 3 ($(printf '%s' "$out" | tr '\n' '|'))" 3 $?
t_match "status: eth9 missing" "eth9: slave of bond bond0, does not exist" "$out"
ip link add eth9 type veth peer name eth9-peer
ip link add eth8 type veth peer name eth8-peer
ip link set eth8 up
out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "once they exist: exit 0" 0 $?
t_eq "eth9 enslaved into bond0" bond0 "$(master eth9)"
t_eq "eth8.100 made and on br100" br100 "$(master eth8.100)"
$X status -c "$tmp/map.conf" >/dev/null 2>&1
t_eq "status: exit 0" 0 $?
out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "stop: exit 0" 0 $?
t_fails "bond0 gone" ip link show bond0
t_eq "eth0 up again after stop" true "$(isup eth0)"

# ---- altnames for a slave and a parent
ip link property add dev eth5 altname enp5s0
ip link property add dev eth6 altname enp6s0
cat >"$tmp/alt.conf" <<MAP
[bond bond5]
slaves = enp5s0

[vlan v6]
parent = enp6s0
id = 6
MAP
out=$($X start -c "$tmp/alt.conf" 2>&1)
t_eq "altname slave and parent: exit 0" 0 $?
t_eq "eth5 in bond5" bond5 "$(master eth5)"
t_eq "v6 on eth6" eth6 "$(ip -j link show v6 | jq -r '.[0].link')"
out=$($X start -c "$tmp/alt.conf" 2>&1)
t_match "second start: nothing to do" "nothing to do" "$out"
$X status -c "$tmp/alt.conf" >/dev/null 2>&1
t_eq "status: exit 0 (no drift)" 0 $?
t_ok "stop: exit 0" $X stop -c "$tmp/alt.conf"
t_fails "bond5 gone" ip link show bond5
t_fails "v6 gone" ip link show v6

# ---- trunk VLANs on an adopted bridge
ip link add brt type bridge vlan_filtering 1
ip link set eth6 master brt
ip link set brt up
cat >"$tmp/trunk.conf" <<MAP
[bridge brt]
ports = eth6
vlan-filtering = yes

[network web]
bridge = brt
vlan = 20
MAP
out=$($X start -c "$tmp/trunk.conf" 2>&1)
t_eq "trunk on the adopted brt: exit 0" 0 $?
t_match "VLAN 20 on eth6" "20" "$(bridge -j vlan show dev eth6 | jq -r '.[0].vlans[].vlan')"
t_match "state records it" "^pvlan brt eth6 20$" "$(cat "$tmp/state/state")"
out=$($X stop -c "$tmp/trunk.conf" 2>&1)
t_eq "stop: exit 0" 0 $?
t_match "stop removes VLAN 20 from eth6" "remove vlan 20 on bridge port eth6" "$out"
t_nomatch "eth6 has no VLAN 20" "^20$" "$(bridge -j vlan show dev eth6 | jq -r '.[0].vlans[].vlan')"
t_eq "eth6 stays on brt" brt "$(master eth6)"
ip link set eth6 nomaster
ip link del brt

# ---- stop killed between deleting bond7 and bringing eth7 up
printf '[bond bond7]\nslaves = eth7\n' >"$tmp/kill.conf"
$X start -c "$tmp/kill.conf" >/dev/null 2>&1
n=$(strace -f -c -o "$tmp/sc" -e trace=sendmsg "$X" stop -c "$tmp/kill.conf" 2>&1 >/dev/null;
	awk '$NF == "sendmsg" {print $4}' "$tmp/sc")
t_match "a clean stop sends requests" "^[0-9]+$" "$n"
t_eq "clean stop: eth7 up" true "$(isup eth7)"
$X start -c "$tmp/kill.conf" >/dev/null 2>&1
t_eq "eth7 in bond7 again" bond7 "$(master eth7)"
# the last request of stop is eth7's up: killed on entering it
strace -o /dev/null -e trace=sendmsg -e inject=sendmsg:signal=SIGKILL:when="$n" \
	"$X" stop -c "$tmp/kill.conf" >"$tmp/out" 2>&1
t_fails "killed stop: bond7 deleted" ip link show bond7
t_eq "killed stop: eth7 left down" false "$(isup eth7)"
t_match "state still knows eth7 was up" "^slave bond7 eth7 1$" "$(cat "$tmp/state/state" "$tmp/state/state.journal" 2>/dev/null)"
out=$($X stop -c "$tmp/kill.conf" 2>&1)
t_eq "next stop: exit 0" 0 $?
t_match "next stop brings eth7 up" "set eth7 up" "$out"
t_eq "eth7 up" true "$(isup eth7)"
t_nomatch "state forgets it" "eth7" "$(grep -v '^#' "$tmp/state/state")"
out=$($X stop -c "$tmp/kill.conf" 2>&1)
t_match "a third stop: nothing to do" "nothing to do" "$out"
t_done
