#!/bin/sh
# A VXLAN whose underlay device is a bridge the same map creates (the
# host's uplink on xenbr0 with move-addresses, the segment over xenbr0):
# start makes xenbr0 before the VXLAN, which gets xenbr0's MTU minus 50
# and carries frames to the far host; reload and stop delete the VXLAN
# before its underlay bridge (the kernel takes a VXLAN along with its
# lower device, and the VXLAN's own delete would then fail), and stop
# leaves the host as it was.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup nlprobe
F=xpvxu$$
probe() { "$P" link "$1" | sed -n "s/^$2=//p"; }

sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip link set lo up
net_netns "$F"
ip link add eth0 type veth peer name sw0 netns "$F"
ip addr add 192.0.2.1/24 dev eth0
ip link set eth0 up
ip -n "$F" addr add 192.0.2.2/24 dev sw0
ip -n "$F" link set sw0 up
ip -n "$F" link set lo up
# the far host's end of the segment, and an address on it to ping
ip -n "$F" link add vx300 type vxlan id 300 local 192.0.2.2 dstport 4789 dev sw0
ip -n "$F" link set vx300 mtu 1450
ip -n "$F" addr add 10.30.0.2/24 dev vx300
ip -n "$F" link set vx300 up
ip netns exec "$F" bridge fdb append 00:00:00:00:00:00 dev vx300 dst 192.0.2.1
net_snap >"$tmp/s0"

cat >"$tmp/map.conf" <<MAP
[bridge xenbr0]
ports = eth0
move-addresses = yes

[vxlan vx300]
vni = 300
device = xenbr0
local = 192.0.2.1
remote = 192.0.2.2

[bridge brvx]
ports = vx300
MAP
out=$($X start --dry-run -c "$tmp/map.conf" 2>&1)
t_eq "dry run exits 0 (the underlay bridge is made by the same plan)" 0 $?
printf '%s\n' "$out" | sed 's/^/# dry-run: /'
br=$(printf '%s\n' "$out" | grep -n "create bridge xenbr0" | cut -d: -f1)
vx=$(printf '%s\n' "$out" | grep -n "create vxlan vx300" | cut -d: -f1)
t_ok "xenbr0 is created before vx300" test "${br:-99}" -lt "${vx:-0}"
t_match "vx300's MTU is xenbr0's 1500 minus 50" "set vx300 mtu 1450" "$out"

out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "start exits 0" 0 $?
t_match "vx300 sits on xenbr0" "dev xenbr0" "$(ip -d link show vx300)"
t_eq "vx300 mtu 1450" 1450 "$(probe vx300 mtu)"
t_eq "vx300 is a port of brvx" brvx "$(probe vx300 master)"
t_eq "eth0 is a port of xenbr0" xenbr0 "$(probe eth0 master)"
t_match "192.0.2.1 moved to xenbr0" "192.0.2.1/24" "$(ip -o addr show dev xenbr0)"
# an address on the segment's bridge, the test's own, to reach the far end
ip addr add 10.30.0.1/24 dev brvx
t_ok "a ping crosses the segment over the underlay bridge" ping -c 1 -W 5 10.30.0.2
ip addr del 10.30.0.1/24 dev brvx

# reload to a map without the segment: the VXLAN goes, its bridge too,
# xenbr0 stays
head -3 "$tmp/map.conf" >"$tmp/map2.conf"
out=$($X reload -c "$tmp/map2.conf" 2>&1)
t_eq "reload without the segment exits 0" 0 $?
t_fails "vx300 is gone" ip link show vx300
t_fails "brvx is gone" ip link show brvx
t_eq "xenbr0 stays with eth0" xenbr0 "$(probe eth0 master)"

out=$($X reload -c "$tmp/map.conf" 2>&1)
t_eq "reload with the segment again exits 0" 0 $?
t_match "vx300 back on xenbr0" "dev xenbr0" "$(ip -d link show vx300)"
# stop deletes vx300 before xenbr0 (one by one too: the plan's order)
out=$($X stop --dry-run -c "$tmp/map.conf" 2>&1)
printf '%s\n' "$out" | sed 's/^/# stop dry-run: /'
vx=$(printf '%s\n' "$out" | grep -n "delete vxlan vx300" | cut -d: -f1)
br=$(printf '%s\n' "$out" | grep -n "delete bridge xenbr0" | cut -d: -f1)
t_ok "stop plans vx300's delete before xenbr0's" test "${vx:-99}" -lt "${br:-0}"
out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "stop exits 0" 0 $?
printf '%s\n' "$out" | sed 's/^/# stop: /'
net_snap >"$tmp/s1"
t_eq "stop leaves the host as it was" "$(cat "$tmp/s0")" "$(cat "$tmp/s1")"
t_done
