#!/bin/sh
# move-addresses: a port's IPv4 and IPv6 addresses and its routes in the
# main and a policy table move onto the bridge without the port going
# down, and stop moves them back (identical addresses and routes).  Without
# move-addresses the same map is refused, naming what to change, and
# nothing changes.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
# shellcheck source=tests/lib/witness.sh
. "$(dirname "$0")/../lib/witness.sh"
net_setup

sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0 up
ip link set eth0-peer up
ip addr add 10.0.0.5/24 brd + dev eth0
ip addr add 10.0.0.6/24 dev eth0
ip addr add 2001:db8::5/64 dev eth0
ip route add default via 10.0.0.1 dev eth0
ip route add 172.16.0.0/16 via 10.0.0.3 dev eth0 metric 50
ip route add 192.168.7.0/24 via 10.0.0.2 dev eth0 table 100
ip -6 route add 2001:db8:9::/48 via 2001:db8::1 dev eth0 table 100
ip -6 route add default via 2001:db8::1 dev eth0
ip rule add from 10.0.0.5 table 100
ip -6 rule add from 2001:db8::5 table 100
net_l3 eth0 | sed 's/eth0/DEV/g' >"$tmp/eth0-l3"

cat >"$tmp/refuse.conf" <<MAP
[bridge xenbr0]
ports = eth0
MAP
net_snap >"$tmp/s0"
out=$($X start -c "$tmp/refuse.conf" 2>&1)
t_eq "port with addresses, no move-addresses: exit 2" 2 $?
t_match "refusal names the map line and what eth0 carries" \
	"refuse.conf:1: port eth0 of bridge xenbr0 carries 10.0.0.5/24, 10.0.0.6/24, 2001:db8::5/64 and 5 routes" "$out"
t_match "refusal says what to change" "move-addresses = yes in \[bridge xenbr0\]" "$out"
t_match "nothing changed, it says" "nothing changed" "$out"
net_snap >"$tmp/s1"
t_ok "refusal changed nothing" diff "$tmp/s0" "$tmp/s1"

cat >"$tmp/move.conf" <<MAP
[bridge xenbr0]
ports = eth0
move-addresses = yes
MAP
w_start eth0 eth0-peer
out=$($X start -c "$tmp/move.conf" 2>&1)
t_eq "start with move-addresses exits 0" 0 $?
t_eq "xenbr0 has what eth0 had" "$(cat "$tmp/eth0-l3")" "$(net_l3 xenbr0 | sed 's/xenbr0/DEV/g')"
t_eq "eth0 kept no address or route (link-local aside)" "" "$(net_l3 eth0)"
t_ok "eth0 is a port of xenbr0" sh -c "ip link show eth0 | grep -q 'master xenbr0'"
t_ok "policy rule untouched" sh -c "ip rule show | grep -q 'from 10.0.0.5 lookup 100'"
t_match "state records the moves" "^addr eth0 xenbr0 10.0.0.5/24" "$(cat "$tmp/state/state")"
t_eq "second start: nothing to do" "nothing to do" "$($X start -c "$tmp/move.conf" 2>&1)"
out=$($X stop -c "$tmp/move.conf" 2>&1)
t_eq "stop exits 0" 0 $?
w_stop
t_match "witness saw eth0 join xenbr0 (it was watching)" "^MASTER eth0 - xenbr0" "$wev"
t_nomatch "witness: eth0 never went down, lost carrier, was renamed or deleted" \
	"^(DOWN|CARRIER-LOSS|RENAME|DELETE)" "$wev"
t_fails "xenbr0 is gone" ip link show xenbr0
net_snap >"$tmp/s2"
t_ok "stop moved everything back (identical addresses and routes)" diff "$tmp/s0" "$tmp/s2"
t_done
