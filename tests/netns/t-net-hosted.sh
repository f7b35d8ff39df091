#!/bin/sh
# Moves keep everything (field notes 6: hosted servers).  A port with the
# usual layouts of a rented server -- a /32 with a peer, a default route
# "via GW onlink", route metrics (mtu lock, advmss, realm), routes in other
# tables, of other types and scopes, an alias label (eth0:1), finite
# lifetimes, IPv6 route preference and expiry, onlink and multipath
# nexthops (all through the port, or one through it and one elsewhere),
# noprefixroute -- moves onto its bridge and back with every attribute the
# same: `ip -d -j addr` and `ip -d -j route show table all` (IPv4 and
# IPv6), device names aside, are identical on the bridge and after stop.
# With DAD on, the moved IPv6 addresses are usable at once (never
# tentative) and keep their flags.  An address the adopted bridge already
# had is neither moved nor recorded, and stays on the bridge after stop.
# A label that would be too long on the bridge is refused.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup
command -v jq >/dev/null || t_bail "jq missing"

sysctl -qw net.ipv6.conf.all.accept_dad=1 net.ipv6.conf.default.accept_dad=1
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link add eth9 type veth peer name eth9-peer
for d in eth0 eth0-peer eth9 eth9-peer; do ip link set "$d" up; done
ip addr add 192.0.2.1/26 dev eth9
ip -6 addr add 2001:db8:9::5/64 dev eth9 nodad

ip addr add 203.0.113.5 peer 203.0.113.1/32 dev eth0
ip addr add 198.51.100.7/25 label eth0:1 valid_lft 3600 preferred_lft 1800 dev eth0
ip addr add 198.51.100.8/25 label eth0:web dev eth0
ip -6 addr add 2001:db8:1::5/64 valid_lft 7200 preferred_lft 3600 dev eth0
ip -6 addr add 2001:db8:2::5/64 noprefixroute dev eth0
ip route add default via 203.0.113.129 dev eth0 onlink
ip route add 192.0.2.128/27 via 203.0.113.1 dev eth0 proto static metric 30 mtu lock 1400 advmss 1360 realm 5
ip route add 192.0.2.160/27 nexthop via 203.0.113.1 dev eth0 weight 2 nexthop via 203.0.113.129 dev eth0 onlink
ip route add 192.0.2.192/27 nexthop via 203.0.113.1 dev eth0 nexthop via 192.0.2.62 dev eth9
ip route add 192.0.2.224/27 dev eth0 scope link proto boot table 100
ip route add local 198.51.100.200/29 dev eth0 table 100 proto static
ip route add 203.0.113.64/26 via 203.0.113.1 dev eth0 table 4000 metric 7 hoplimit 9 rto_min 50ms
ip -6 route add 2001:db8:77::/48 via 2001:db8:1::1 dev eth0 metric 100 pref high
ip -6 route add default via fe80::1 dev eth0 proto static pref low
ip -6 route add 2001:db8:88::/48 nexthop via 2001:db8:1::1 dev eth0 nexthop via 2001:db8:1::2 dev eth0
ip -6 route add 2001:db8:99::/48 nexthop via 2001:db8:1::1 dev eth0 nexthop via 2001:db8:9::1 dev eth9
ip -6 route add 2001:db8:66::/48 via 2001:db8:ff::1 dev eth0 onlink table 100
ip -6 route add 2001:db8:55::/48 via 2001:db8:1::1 dev eth0 expires 3600
k=0
while [ -n "$(ip -6 addr show dev eth0 tentative)" ] && [ $k -lt 100 ]; do sleep 0.1; k=$((k + 1)); done
t_eq "eth0's IPv6 addresses passed DAD" "" "$(ip -6 addr show dev eth0 tentative)"

# DEV's addresses (link-local aside), device name as DEV, finite lifetimes
# as "finite" (they count down); the values themselves are checked below
addrs() {
	ip -d -j addr show dev "$1" | jq -S --arg d "$1" '[.[0].addr_info[]
	  | select(.scope != "link")
	  | (.label //= "") | .label |= sub("^" + $d; "DEV")
	  | .valid_life_time |= (if . == 4294967295 then "forever" else "finite" end)
	  | .preferred_life_time |= (if . == 4294967295 then "forever" else "finite" end)]
	  | sort_by(.local)'
}
# every route of every table but the kernel's own, DEV for eth0/xenbr0,
# multipath nexthops sorted (IPv6 keeps siblings in insertion order)
routes() {
	{ ip -d -j route show table all; ip -d -j -6 route show table all; } | jq -s -S '[add[]
	  | select(.protocol != "kernel" and .type != "multicast" and (.dst | startswith("fe80") | not))
	  | (.. | objects | select(has("dev")) | .dev) |= sub("^(eth0|xenbr0)$"; "DEV")
	  | if has("expires") then .expires = "finite" else . end
	  | if has("nexthops") then .nexthops |= sort_by(.gateway) else . end]
	  | sort_by(.table, .dst, .metric // 0)'
}
life() { # DEV ADDR: valid preferred
	ip -j addr show dev "$1" | jq -r --arg a "$2" \
		'.[0].addr_info[] | select(.local == $a) | "\(.valid_life_time) \(.preferred_life_time)"'
}
addrs eth0 >"$tmp/a0"
routes >"$tmp/r0"
t_match "the layout has a peer, a label and lifetimes" '"address": "203.0.113.1"' "$(cat "$tmp/a0")"
t_match "and an onlink default route" '"onlink"' "$(cat "$tmp/r0")"
t_eq "and 13 routes through eth0 to move" 13 "$(jq '[.[] | select(.dev == "DEV" or (.nexthops // [] | any(.dev == "DEV")))] | unique | length' "$tmp/r0")"

cat >"$tmp/map.conf" <<MAP
[bridge xenbr0]
ports = eth0
move-addresses = yes
MAP
out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "start moves the hosted layout: exit 0" 0 $?
t_nomatch "nothing failed or rolled back" "FAILED|rolling back" "$out"
t_eq "no moved IPv6 address on xenbr0 is tentative" "" "$(ip -6 addr show dev xenbr0 tentative scope global)"
addrs xenbr0 >"$tmp/a1"
routes >"$tmp/r1"
t_ok "xenbr0's addresses are eth0's, every attribute (peer, label, flags, scope, lifetimes)" \
	diff "$tmp/a0" "$tmp/a1"
t_ok "every route is as it was, through xenbr0 (table, type, proto, scope, metrics, pref, onlink, nexthops)" \
	diff "$tmp/r0" "$tmp/r1"
t_eq "eth0 kept no address (link-local aside)" "[]" "$(addrs eth0 | jq -c .)"
t_match "the alias label follows the bridge" '"label": "xenbr0:1"' \
	"$(ip -j addr show dev xenbr0 | jq '.[0].addr_info[]')"
set -- $(life xenbr0 198.51.100.7)
t_ok "the IPv4 lifetimes came across (valid <= 3600, > 3500)" test "$1" -le 3600 -a "$1" -gt 3500
t_ok "preferred too (<= 1800, > 1700)" test "$2" -le 1800 -a "$2" -gt 1700
set -- $(life xenbr0 2001:db8:1::5)
t_ok "the IPv6 lifetimes came across (valid <= 7200, > 7100)" test "$1" -le 7200 -a "$1" -gt 7100
t_eq "second start: nothing to do" "nothing to do" "$($X start -c "$tmp/map.conf" 2>&1)"

out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "stop moves it all back: exit 0" 0 $?
t_eq "no IPv6 address on eth0 is tentative after the move back" "" "$(ip -6 addr show dev eth0 tentative scope global)"
addrs eth0 >"$tmp/a2"
routes >"$tmp/r2"
t_ok "after stop eth0's addresses are as before, every attribute" diff "$tmp/a0" "$tmp/a2"
t_ok "and every route is as before" diff "$tmp/r0" "$tmp/r2"
t_fails "xenbr0 is gone" ip link show xenbr0

# -- the same layout by network-bridge's arguments ----------------------------
out=$($X start bridge=xenbr0 netdev=eth0 2>&1)
t_eq "legacy start moves it too: exit 0" 0 $?
addrs xenbr0 >"$tmp/a3"
routes >"$tmp/r3"
t_ok "legacy: addresses identical on the bridge" diff "$tmp/a0" "$tmp/a3"
t_ok "legacy: routes identical through the bridge" diff "$tmp/r0" "$tmp/r3"
$X stop bridge=xenbr0 netdev=eth0 >/dev/null 2>&1
addrs eth0 >"$tmp/a4"
routes >"$tmp/r4"
t_ok "legacy stop: addresses as before" diff "$tmp/a0" "$tmp/a4"
t_ok "legacy stop: routes as before" diff "$tmp/r0" "$tmp/r4"

# -- an adopted bridge's own address is not moved, recorded or taken --------
ip link add xenbr0 type bridge
ip link set xenbr0 up
ip addr add 198.51.100.8/25 dev xenbr0
out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "start onto a bridge that has one of the addresses: exit 0" 0 $?
t_match "it says so" "198.51.100.8/25 is on xenbr0 already: taken off port eth0 only" "$out"
t_nomatch "it is not added to the bridge" "add address 198.51.100.8/25" "$out"
t_match "the record says the bridge had it (not a move onto it)" "^addr eth0 xenbr0 198.51.100.8/25 [0-9]+ [0-9]+ [^ ]+ had nl " \
	"$(grep '^addr' "$tmp/state/state")"
$X stop -c "$tmp/map.conf" >/dev/null 2>&1
t_ok "after stop the bridge still has its own address" sh -c \
	"ip -4 addr show dev xenbr0 | grep -q 198.51.100.8/25"
t_ok "and eth0 has it too, as before" sh -c "ip -4 addr show dev eth0 | grep -q 198.51.100.8/25"
ip link del xenbr0
addrs eth0 >"$tmp/a5"
t_ok "eth0's addresses are as before" diff "$tmp/a0" "$tmp/a5"

# -- a label that cannot follow --------------------------------------------
ip addr add 198.51.100.9/25 label eth0:toolong dev eth0
cat >"$tmp/long.conf" <<MAP
[bridge xenbr-public]
ports = eth0
move-addresses = yes
MAP
out=$($X start -c "$tmp/long.conf" 2>&1)
t_eq "a label too long for the bridge: exit 2" 2 $?
t_match "the refusal names the address, label and bridge" \
	"198.51.100.9/25 of port eth0 has label eth0:toolong, which on bridge xenbr-public would be xenbr-public:toolong, longer than 15" "$out"
t_fails "nothing was built" ip link show xenbr-public
t_done
