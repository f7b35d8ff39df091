#!/bin/sh
# Injected failure at every step (XENPLUMB_FAIL_AT=N) of a start that
# creates bridges, adopts one (changing STP/forward delay/MTU, adding a
# port) and moves IPv4+IPv6 addresses and main+policy-table routes: each
# run must fail, say what failed, and leave the namespace exactly as it was
# (links, addresses, routes of every table) with no device left recorded.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup
snap() { net_snap --rules; }

sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip link set lo up
for n in 0 1 2 3; do ip link add eth$n type veth peer name eth$n-peer; done
ip link set eth0 up
ip link set eth2 up
ip link set eth3 up
ip link add br0 type bridge stp_state 0 forward_delay 1500
ip link set eth3 master br0
ip link set br0 up
ip addr add 10.0.0.5/24 brd + dev eth0
ip addr add 10.0.0.6/24 dev eth0
ip addr add 2001:db8::5/64 dev eth0
ip route add default via 10.0.0.1 dev eth0
ip route add 192.168.7.0/24 via 10.0.0.2 dev eth0 table 100
ip -6 route add 2001:db8:9::/48 via 2001:db8::1 dev eth0 table 100
ip rule add from 10.0.0.5 table 100
cat >"$tmp/map.conf" <<MAP
[bridge xenbr0]
ports = eth0
move-addresses = yes
mtu = 1400

[bridge xenbr1]
ports = eth2

[bridge br0]
ports = eth3 eth1
stp = on
forward-delay = 4
MAP

snap >"$tmp/before"
plan=$($X start -c "$tmp/map.conf" --dry-run)
t_eq "dry-run exits 0" 0 $?
n=$(printf '%s\n' "$plan" | grep -cE '^ +[0-9]+\. ')
t_ok "the plan has many steps ($n)" test "$n" -ge 15
printf '%s\n' "$plan" | sed 's/^/# /'
net_fail_each "$n" "$tmp/map.conf" "$tmp/before" snap
t_eq "failure at each of $n steps rolled back to the identical namespace" 0 "$net_bad"

out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "start without injected failure exits 0" 0 $?
t_ok "br0 now has stp on" sh -c "ip -d link show br0 | grep -q 'stp_state 1'"
t_ok "10.0.0.5 moved to xenbr0" sh -c "ip addr show xenbr0 | grep -q 'inet 10.0.0.5/24'"
t_eq "second start: nothing to do" "nothing to do" "$($X start -c "$tmp/map.conf" 2>&1)"
# a failure in stop rolls back too
snap >"$tmp/started"
out=$(XENPLUMB_FAIL_AT=5 $X stop -c "$tmp/map.conf" 2>&1)
t_eq "stop with injected failure exits 1" 1 $?
snap >"$tmp/after"
t_ok "failed stop rolled back" diff "$tmp/started" "$tmp/after"
out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "stop exits 0" 0 $?
t_fails "xenbr0 is gone" ip link show xenbr0
t_ok "adopted br0 stays" ip link show br0
t_fails "eth1, added by start, left br0" sh -c "ip link show eth1 | grep -q 'master br0'"
t_ok "eth3, the admin's port, stays on br0" sh -c "ip link show eth3 | grep -q 'master br0'"
t_ok "10.0.0.5 back on eth0" sh -c "ip addr show eth0 | grep -q 'inet 10.0.0.5/24 brd 10.0.0.255'"
t_ok "policy route back on eth0" sh -c "ip route show table 100 | grep -q '192.168.7.0/24 via 10.0.0.2 dev eth0'"
t_done
