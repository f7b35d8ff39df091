#!/bin/sh
# The wrapper pattern (field notes 1-3): xend or a hand-written
# network-script calls network-bridge once per bridge,
#   network-xenplumb start vifnum=0 bridge=xenbr0 netdev=eth0
#   network-xenplumb start vifnum=1 bridge=xenbr1 netdev=eth1
# and the same for stop and status.  Each call touches only the bridge it
# names: stopping or re-starting one bridge leaves the other (its port,
# its moved addresses and routes, its state records) exactly as it was, in
# whatever order the calls come.  reload refuses legacy arguments, and -c
# next to them is refused (both change nothing).
#   A. two NICs, two bridges (eth0 -> xenbr0, eth1 -> xenbr1), defaults
#      from vifnum (xenbrN, ethN)
#   B. xenbr0 on eth0 plus a host-only xenbr1 on a NIC without a network
#      (this kernel has no dummy module: tests/vm/t-net-wrapper.sh does
#      the dummy0 variants)
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
# shellcheck source=tests/lib/witness.sh
. "$(dirname "$0")/../lib/witness.sh"
net_setup

sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip link set lo up
for n in 0 1; do
	ip link add eth$n type veth peer name eth$n-peer
	ip link set eth$n up
	ip link set eth$n-peer up
done
ip addr add 192.0.2.10/24 dev eth0
ip addr add 2001:db8:10::10/64 dev eth0
ip route add default via 192.0.2.1 dev eth0
ip addr add 198.51.100.10/24 dev eth1
ip route add 203.0.113.0/24 via 198.51.100.1 dev eth1
ip route add 203.0.113.0/25 via 198.51.100.1 dev eth1 table 11
net_snap >"$tmp/s0"
net_l3 eth0 | sed 's/eth0/DEV/g' >"$tmp/eth0-l3"
net_l3 eth1 | sed 's/eth1/DEV/g' >"$tmp/eth1-l3"

# wrapper.sh ACTION: what a two-bridges network-script does
wrapper() {
	$X "$1" vifnum=0 bridge=xenbr0 netdev=eth0 || return $?
	$X "$1" vifnum=1 bridge=xenbr1 netdev=eth1
}
# state records naming a bridge
recs() { grep -c " $1\( \|$\)" "$tmp/state/state"; }

# -- A: two NICs, two bridges --------------------------------------------
w_start eth0 eth1
out=$(wrapper start 2>&1)
t_eq "A: wrapper start (both lines) exits 0" 0 $?
t_ok "A: eth0 on xenbr0, eth1 on xenbr1" sh -c \
	"ip link show eth0 | grep -q 'master xenbr0' && ip link show eth1 | grep -q 'master xenbr1'"
t_eq "A: xenbr0 has what eth0 had" "$(cat "$tmp/eth0-l3")" "$(net_l3 xenbr0 | sed 's/xenbr0/DEV/g')"
t_eq "A: xenbr1 has what eth1 had" "$(cat "$tmp/eth1-l3")" "$(net_l3 xenbr1 | sed 's/xenbr1/DEV/g')"
$X status vifnum=0 bridge=xenbr0 netdev=eth0 >"$tmp/st0" 2>&1
t_eq "A: status of xenbr0 alone: matches (exit 0)" 0 $?
t_nomatch "A: status of xenbr0 says nothing of xenbr1" "xenbr1|eth1" "$(cat "$tmp/st0")"
$X status vifnum=1 >"$tmp/st1" 2>&1
t_eq "A: status vifnum=1 (xenbr1 on eth1 by default): exit 0" 0 $?
t_match "A: it is about xenbr1" "xenbr1" "$(cat "$tmp/st1")"
t_nomatch "A: and not about xenbr0" "xenbr0" "$(cat "$tmp/st1")"
# what the bridges carry (a re-created bridge has a new MAC and link-local)
shape() {
	for d in eth0 eth1 xenbr0 xenbr1; do
		echo "$d $(ip -o link show "$d" | grep -o 'master [a-z0-9]*')"
		net_l3 "$d" | grep -v 'fe80'
	done
}
shape >"$tmp/a1"

out=$($X stop bridge=xenbr1 netdev=eth1 vifnum=1 --dry-run 2>&1)
t_nomatch "A: stop of xenbr1 --dry-run plans nothing for xenbr0" "xenbr0|eth0" "$out"
out=$($X stop bridge=xenbr1 netdev=eth1 vifnum=1 2>&1)
t_eq "A: stop of xenbr1 exits 0" 0 $?
t_nomatch "A: it did nothing to xenbr0 or eth0" "xenbr0|eth0" "$out"
t_ok "A: xenbr0 is still there" ip link show xenbr0
t_fails "A: xenbr1 is gone" ip link show xenbr1
t_eq "A: xenbr0 still has eth0's addresses and routes" "$(cat "$tmp/eth0-l3")" \
	"$(net_l3 xenbr0 | sed 's/xenbr0/DEV/g')"
t_eq "A: eth1 has its own back" "$(cat "$tmp/eth1-l3")" "$(net_l3 eth1 | sed 's/eth1/DEV/g')"
t_eq "A: xenbr1's records are gone" 0 "$(recs xenbr1)"
t_ok "A: xenbr0's records are kept" test "$(recs xenbr0)" -gt 0
out=$($X start vifnum=1 2>&1)
t_eq "A: start of xenbr1 alone afterwards exits 0" 0 $?
shape >"$tmp/a2"
t_ok "A: and the bridges are as after the wrapper's start" diff "$tmp/a1" "$tmp/a2"
t_eq "A: start of xenbr0 again: nothing to do" "nothing to do" \
	"$($X start vifnum=0 bridge=xenbr0 netdev=eth0 2>&1)"

# stop in the other order than start: xenbr0 first
out=$($X stop vifnum=0 bridge=xenbr0 netdev=eth0 2>&1)
t_eq "A: stop of xenbr0 first exits 0" 0 $?
t_ok "A: xenbr1 untouched by it" sh -c "ip link show eth1 | grep -q 'master xenbr1'"
t_eq "A: xenbr1 keeps eth1's addresses and routes" "$(cat "$tmp/eth1-l3")" \
	"$(net_l3 xenbr1 | sed 's/xenbr1/DEV/g')"
out=$($X stop vifnum=1 bridge=xenbr1 netdev=eth1 2>&1)
t_eq "A: then stop of xenbr1 exits 0" 0 $?
w_stop
t_nomatch "A: witness: no NIC went down, lost carrier or was renamed" \
	"^(DOWN|CARRIER-LOSS|RENAME|DELETE)" "$wev"
net_snap >"$tmp/a3"
t_ok "A: after both stops the host is as before" diff "$tmp/s0" "$tmp/a3"
t_eq "A: no record is left" "" "$(grep -v '^#' "$tmp/state/state")"

# -- refusals ----------------------------------------------------------------
out=$($X reload vifnum=0 bridge=xenbr0 netdev=eth0 2>&1)
t_eq "reload with legacy arguments: exit 2" 2 $?
t_match "reload's refusal says why" "reload takes no network-bridge arguments \(vifnum=0 ...\)" "$out"
printf '[bridge xenbr9]\n' >"$tmp/map.conf"
out=$($X start -c "$tmp/map.conf" bridge=xenbr0 netdev=eth0 2>&1)
t_eq "-c with legacy arguments: exit 2" 2 $?
t_match "-c's refusal names both" "-c $tmp/map.conf and network-bridge arguments \(bridge=xenbr0 ...\) exclude each other" "$out"
net_snap >"$tmp/r1"
t_ok "the refusals changed nothing" diff "$tmp/s0" "$tmp/r1"

# -- B: xenbr0 on eth0, host-only xenbr1 on a NIC without a network ----------
ip link set eth1 nomaster 2>/dev/null
ip addr flush dev eth1
ip link add hostonly0 type veth peer name hostonly0-p
ip link set hostonly0 up # xenplumb brings a port up and leaves it up
net_snap >"$tmp/b0"
$X start vifnum=0 bridge=xenbr0 netdev=eth0 >/dev/null 2>&1
t_eq "B: start xenbr0 on eth0" 0 $?
$X start bridge=xenbr1 netdev=hostonly0 antispoof=yes vifnum=1 >/dev/null 2>&1
t_eq "B: start host-only xenbr1 on hostonly0" 0 $?
t_ok "B: hostonly0 on xenbr1" sh -c "ip link show hostonly0 | grep -q 'master xenbr1'"
ip addr add 192.168.1.1/24 dev xenbr1
$X stop bridge=xenbr0 netdev=eth0 vifnum=0 >/dev/null 2>&1
t_eq "B: stop xenbr0 (the public one) first" 0 $?
t_ok "B: the host-only bridge stays, with its port" sh -c "ip link show hostonly0 | grep -q 'master xenbr1'"
t_eq "B: and eth0 has its own back" "$(cat "$tmp/eth0-l3")" "$(net_l3 eth0 | sed 's/eth0/DEV/g')"
$X start vifnum=0 bridge=xenbr0 netdev=eth0 >/dev/null 2>&1
t_eq "B: start xenbr0 again while xenbr1 runs" 0 $?
$X stop bridge=xenbr1 netdev=hostonly0 vifnum=1 >/dev/null 2>&1
t_eq "B: stop xenbr1" 0 $?
t_eq "B: xenbr0 keeps eth0's addresses" "$(cat "$tmp/eth0-l3")" "$(net_l3 xenbr0 | sed 's/xenbr0/DEV/g')"
$X stop bridge=xenbr0 netdev=eth0 vifnum=0 >/dev/null 2>&1
net_snap >"$tmp/b1"
t_ok "B: after both stops the host is as before" diff "$tmp/b0" "$tmp/b1"
t_done
