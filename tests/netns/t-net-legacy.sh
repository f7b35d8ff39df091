#!/bin/sh
# xend compatibility: "network-xenplumb start bridge=xenbr0 netdev=veth-x"
# (network-bridge's arguments) builds xenbr0 on veth-x and moves its IPv4
# and IPv6 addresses and routes onto the bridge with nothing going down;
# "stop bridge=xenbr0 netdev=veth-x" moves them back and removes xenbr0.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
# shellcheck source=tests/lib/witness.sh
. "$(dirname "$0")/../lib/witness.sh"
net_setup

sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip link set lo up
ip link add veth-x type veth peer name veth-y
ip link set veth-x up
ip link set veth-y up
ip addr add 192.0.2.10/24 dev veth-x
ip addr add 2001:db8:5::10/64 dev veth-x
ip route add default via 192.0.2.1 dev veth-x
ip route add 198.51.100.0/24 via 192.0.2.1 dev veth-x table 7
net_snap >"$tmp/s0"

w_start veth-x

out=$($X start bridge=xenbr0 netdev=veth-x --dry-run 2>&1)
t_match "legacy dry-run plans the address move" "add address 192.0.2.10/24 to xenbr0" "$out"
out=$($X start bridge=xenbr0 netdev=veth-x 2>&1)
t_eq "legacy start exits 0" 0 $?
t_ok "veth-x is a port of xenbr0" sh -c "ip link show veth-x | grep -q 'master xenbr0'"
t_ok "192.0.2.10 is on xenbr0" sh -c "ip -4 addr show xenbr0 | grep -q 192.0.2.10/24"
t_ok "2001:db8:5::10 is on xenbr0" sh -c "ip -6 addr show xenbr0 | grep -q 2001:db8:5::10/64"
t_ok "default route via xenbr0" sh -c "ip route show default | grep -q 'via 192.0.2.1 dev xenbr0'"
t_ok "table 7 route via xenbr0" sh -c "ip route show table 7 | grep -q 'dev xenbr0'"
t_fails "veth-x kept no IPv4 address" sh -c "ip -4 addr show veth-x | grep -q inet"
t_eq "legacy start again: nothing to do" "nothing to do" "$($X start bridge=xenbr0 netdev=veth-x 2>&1)"
out=$($X stop bridge=xenbr0 netdev=veth-x 2>&1)
t_eq "legacy stop exits 0" 0 $?
w_stop
t_nomatch "witness: veth-x never went down, lost carrier, was renamed or deleted" \
	"^(DOWN|CARRIER-LOSS|RENAME|DELETE)" "$wev"
net_snap >"$tmp/s1"
t_ok "legacy stop restored addresses and routes exactly" diff "$tmp/s0" "$tmp/s1"

out=$($X start bridge=xenbr0 netdev=veth-x bogus=1 2>&1)
t_eq "unknown legacy argument: exit 2" 2 $?
t_match "unknown legacy argument is named" "bogus=1" "$out"
out=$($X start bridge=xenbr0 netdev=nosuch0 2>&1)
t_eq "missing netdev: exit 2" 2 $?
t_match "missing netdev is named" "port nosuch0 of bridge xenbr0 does not exist" "$out"
net_snap >"$tmp/s2"
t_ok "refused legacy runs changed nothing" diff "$tmp/s0" "$tmp/s2"
t_done
