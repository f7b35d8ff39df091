#!/bin/sh
# The wrapper pattern with dummies (field notes 2, 3, 7; needs the dummy
# module, which the host kernel lacks):
#   B. xenbr0 on eth0 plus a host-only xenbr1 on dummy0, one call each
#      (network-bridge "$@" vifnum=1 bridge=xenbr1 netdev=dummy0
#      antispoof=yes): start creates dummy0; stopping either bridge leaves
#      the other (and dummy0 belongs to xenbr1 alone); both stops restore
#      the host.
#   C. the laptop's single dummy0 bridge (bridge=xenbr0 netdev=dummy0).
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup

for f in all default; do echo 0 >/proc/sys/net/ipv6/conf/$f/accept_dad; done
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0 up
ip link set eth0-peer up
ip addr add 192.0.2.10/24 dev eth0
ip route add default via 192.0.2.1 dev eth0
net_snap --no-operstate >"$tmp/s0"
net_l3 eth0 | sed 's/eth0/DEV/g' >"$tmp/eth0-l3"

# -- B: public xenbr0 + host-only xenbr1 on dummy0 ----------------------------
out=$($X start vifnum=0 bridge=xenbr0 netdev=eth0 2>&1)
t_eq "B: start xenbr0 on eth0" 0 $?
out=$($X start vifnum=1 bridge=xenbr1 netdev=dummy0 antispoof=yes 2>&1)
t_eq "B: start xenbr1 on dummy0" 0 $?
t_match "B: dummy0 was created" "create dummy dummy0" "$out"
t_ok "B: dummy0 on xenbr1" sh -c "ip link show dummy0 | grep -q 'master xenbr1'"
t_eq "B: xenbr0 has eth0's addresses" "$(cat "$tmp/eth0-l3")" "$(net_l3 xenbr0 | sed 's/xenbr0/DEV/g')"
out=$($X status vifnum=1 bridge=xenbr1 netdev=dummy0 2>&1)
t_eq "B: status of xenbr1 alone: exit 0" 0 $?
t_nomatch "B: status of xenbr1 says nothing of xenbr0" "xenbr0|eth0" "$out"

out=$($X stop vifnum=0 bridge=xenbr0 netdev=eth0 2>&1)
t_eq "B: stop xenbr0 first" 0 $?
t_nomatch "B: it did not touch xenbr1 or dummy0" "xenbr1|dummy0" "$out"
t_ok "B: xenbr1 and dummy0 stay" sh -c "ip link show dummy0 | grep -q 'master xenbr1'"
t_eq "B: eth0 has its own back" "$(cat "$tmp/eth0-l3")" "$(net_l3 eth0 | sed 's/eth0/DEV/g')"
out=$($X start vifnum=0 bridge=xenbr0 netdev=eth0 2>&1)
t_eq "B: start xenbr0 again while xenbr1 runs" 0 $?
out=$($X stop vifnum=1 bridge=xenbr1 netdev=dummy0 2>&1)
t_eq "B: stop xenbr1" 0 $?
t_match "B: it deletes dummy0, which it created" "delete dummy dummy0" "$out"
t_nomatch "B: and nothing of xenbr0's" "xenbr0|eth0" "$out"
t_fails "B: dummy0 is gone" ip link show dummy0
t_ok "B: xenbr0 stays, with eth0" sh -c "ip link show eth0 | grep -q 'master xenbr0'"
t_eq "B: xenbr0 keeps eth0's addresses" "$(cat "$tmp/eth0-l3")" "$(net_l3 xenbr0 | sed 's/xenbr0/DEV/g')"
$X stop vifnum=0 bridge=xenbr0 netdev=eth0 >/dev/null 2>&1
t_eq "B: last stop exits 0" 0 $?
net_snap --no-operstate >"$tmp/s1"
t_ok "B: after both stops the host is as before" diff "$tmp/s0" "$tmp/s1"
t_eq "B: no record is left" "" "$(grep -v '^#' "$tmp/state/state")"

# -- C: the laptop's dummy0 bridge ------------------------------------------
out=$($X start bridge=xenbr0 netdev=dummy0 2>&1)
t_eq "C: start bridge=xenbr0 netdev=dummy0" 0 $?
t_ok "C: dummy0 created on xenbr0" sh -c "ip link show dummy0 | grep -q 'master xenbr0'"
t_eq "C: both carry xenplumb's mark" "2020633698 2020633698" \
	"$(ip -j -d link show dummy0 | jq -r '.[0].group') $(ip -j -d link show xenbr0 | jq -r '.[0].group')"
ip addr add 198.51.100.1/24 dev dummy0 # the admin's static address, as on ifcfg-dummy0
out=$($X stop bridge=xenbr0 netdev=dummy0 2>&1)
t_eq "C: stop" 0 $?
t_fails "C: xenbr0 gone" ip link show xenbr0
net_snap --no-operstate >"$tmp/s2"
t_ok "C: the host is as before" diff "$tmp/s0" "$tmp/s2"
t_done
