#!/bin/sh
# reload moves a port between bridges in one run: a port xenplumb put on a
# bridge the new map drops (or that loses it) goes onto the bridge the new
# map gives it -- off the old one first (the kernel takes a port with one
# master only), then the old bridge goes if xenplumb made it.  A failure
# rolls everything back; a port the admin put on a bridge is still refused.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup
master() { ip -j link show "$1" | jq -r '.[0].master'; }

ip link set lo up
for n in 1 2 3; do
	ip link add "eth$n" type veth peer name "eth$n-peer"
	ip link set "eth$n" up
done
ip link add br0 type bridge
ip link set br0 up

cat >"$tmp/map1.conf" <<MAP
[bridge xenbr0]
ports = eth1

[bridge br0]
ports = eth3
MAP
cat >"$tmp/map2.conf" <<MAP
[bridge xenbr2]
ports = eth1

[bridge br0]

[bridge xenbr3]
ports = eth3
MAP
out=$($X start -c "$tmp/map1.conf" 2>&1)
t_eq "start map1: exit 0" 0 $?
t_eq "eth1 on xenbr0" xenbr0 "$(master eth1)"
t_eq "eth3 on the adopted br0" br0 "$(master eth3)"

# a failure half-way rolls the move back
out=$(XENPLUMB_FAIL_AT=4 $X reload -c "$tmp/map2.conf" 2>&1)
t_eq "reload failing at step 4: exit 1" 1 $?
t_eq "rolled back: eth1 on xenbr0" xenbr0 "$(master eth1)"
t_eq "rolled back: eth3 on br0" br0 "$(master eth3)"
t_ok "rolled back: xenbr0 still there" ip link show xenbr0

out=$($X reload -c "$tmp/map2.conf" 2>&1)
t_eq "reload map2: exit 0" 0 $?
t_match "eth1 leaves xenbr0 for xenbr2" "remove port eth1 from xenbr0 \(moving to xenbr2" "$out"
t_eq "eth1 on xenbr2" xenbr2 "$(master eth1)"
t_eq "eth3 moved from the adopted br0 to xenbr3" xenbr3 "$(master eth3)"
t_fails "xenbr0 (dropped) deleted" ip link show xenbr0
t_ok "br0 (adopted) stays" ip link show br0
t_match "state: eth1 is xenbr2's" "^port xenbr2 eth1$" "$(cat "$tmp/state/state")"
t_nomatch "state: no record of xenbr0" "xenbr0" "$(cat "$tmp/state/state")"
out=$($X reload -c "$tmp/map2.conf" 2>&1)
t_match "reload again: nothing to do" "nothing to do" "$out"

# back again
out=$($X reload -c "$tmp/map1.conf" 2>&1)
t_eq "reload map1: exit 0" 0 $?
t_eq "eth1 back on a new xenbr0" xenbr0 "$(master eth1)"
t_eq "eth3 back on br0" br0 "$(master eth3)"
t_fails "xenbr2 deleted" ip link show xenbr2

# the admin's port: never taken
ip link add adm0 type bridge
ip link set eth2 master adm0
printf '[bridge xenbr0]\nports = eth1 eth2\n\n[bridge br0]\nports = eth3\n' >"$tmp/map3.conf"
out=$($X reload -c "$tmp/map3.conf" 2>&1)
t_eq "the admin's port on adm0: exit 2" 2 $?
t_match "refused as enslaved to adm0" "port eth2 of bridge xenbr0 is already enslaved to adm0" "$out"
t_eq "eth2 stays on adm0" adm0 "$(master eth2)"
ip link set eth2 nomaster
ip link del adm0

out=$($X stop -c "$tmp/map1.conf" 2>&1)
t_eq "stop: exit 0" 0 $?
t_eq "after stop: eth1 eth2 eth3 on no bridge" "null null null" \
	"$(master eth1) $(master eth2) $(master eth3)"
t_eq "after stop: no xenbr* left" "" "$(ip -br link show type bridge | awk '$1 ~ /^xenbr/')"
t_ok "br0 (the admin's) still there" ip link show br0
t_eq "state empty" "" "$(grep -v '^#' "$tmp/state/state")"
t_done
