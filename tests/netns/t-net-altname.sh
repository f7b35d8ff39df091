#!/bin/sh
# Altnames: a port named by an altname (`ip link property add dev eth0
# altname enp3s0`, as systemd's naming leaves them) is its device
# everywhere: start adds eth0, a second start has nothing to do, status and
# stop see it as the map's port (not a guest), two names of one NIC in two
# bridges are refused (one start never moves a NIC from one bridge to
# another), and a state record written under the altname is still ours.
# (Bond slaves and VLAN parents by altname: tests/vm/t-net-degraded.sh.)
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup

ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link add eth1 type veth peer name eth1-peer
ip link property add dev eth0 altname enp3s0 || t_bail "no altnames"
ip link set eth0 up
net_snap >"$tmp/s0"

printf '[bridge xenbr0]\nports = enp3s0\n' >"$tmp/map.conf"
out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "start with an altname port: exit 0" 0 $?
t_match "says whose altname it is, at its line" \
	"note: $tmp/map.conf:2: enp3s0 is an altname of eth0" "$out"
t_eq "eth0 is a port of xenbr0" xenbr0 "$(ip -j link show eth0 | jq -r '.[0].master')"
t_match "state records the kernel's name" "^port xenbr0 eth0$" "$(cat "$tmp/state/state")"
out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "second start: exit 0" 0 $?
t_match "second start: nothing to do" "nothing to do" "$out"
out=$($X status -c "$tmp/map.conf" 2>&1)
t_eq "status: exit 0 (matches)" 0 $?
t_match "status: the port is the map's, attached" "port eth0: attached" "$out"
t_nomatch "status: not a guest" "^  guest |stale" "$out"
j=$($X status -c "$tmp/map.conf" --json 2>/dev/null)
t_eq "status --json parses, no guests" 0 "$(printf '%s' "$j" | jq '.bridges[0].guests | length')"
out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "stop: exit 0" 0 $?
t_nomatch "stop keeps no bridge for a 'guest'" "kept" "$out"
t_fails "xenbr0 deleted" ip link show xenbr0
net_snap >"$tmp/s1"
t_ok "start+stop by altname: host as before" diff "$tmp/s0" "$tmp/s1"

# two names of one NIC in two bridges: refused, nothing changes
printf '[bridge xenbr0]\nports = eth0\n\n[bridge xenbr1]\nports = enp3s0\n' >"$tmp/two.conf"
out=$($X start -c "$tmp/two.conf" 2>&1)
t_eq "eth0 and its altname in two bridges: exit 2" 2 $?
t_match "named as two masters at its line" \
	"^$tmp/two.conf:5: interface has two masters, 'eth0'.*xenbr0.*$tmp/two.conf:2" "$out"
t_match "nothing changed" "nothing changed" "$out"
net_snap >"$tmp/s2"
t_ok "refusal changed nothing" diff "$tmp/s0" "$tmp/s2"

# an admin's bridge holds eth0; the map names it by altname elsewhere
ip link add adm0 type bridge
ip link set eth0 master adm0
printf '[bridge xenbr1]\nports = enp3s0\n' >"$tmp/moved.conf"
out=$($X start -c "$tmp/moved.conf" 2>&1)
t_eq "altname port enslaved elsewhere: exit 2" 2 $?
t_match "says it is enslaved to adm0" "port eth0 of bridge xenbr1 is already enslaved to adm0" "$out"
t_eq "eth0 stays on adm0" adm0 "$(ip -j link show eth0 | jq -r '.[0].master')"
ip link set eth0 nomaster
ip link del adm0

# a record written under the altname (an older xenplumb): still ours
$X start -c "$tmp/map.conf" >/dev/null 2>&1
sed -i 's/^port xenbr0 eth0$/port xenbr0 enp3s0/' "$tmp/state/state"
out=$($X stop 2>&1)
t_eq "stop with no map and an altname record: exit 0" 0 $?
t_nomatch "not kept for a guest" "kept" "$out"
t_fails "xenbr0 deleted" ip link show xenbr0
t_done
