#!/bin/sh
# VXLAN over a bond VLAN underlay (the VM kernel has bonding and 8021q):
# host A (this namespace) is built by network-xenplumb from one map:
#   eth0 + eth1 -> bond0 (active-backup, miimon 100) -> bond0.100
#   (192.0.2.1/24) -> VXLAN vx100 (VNI 100, local 192.0.2.1 on device
#   bond0.100, flood list 192.0.2.2) -> bridge brvx, logical network "web";
# host B (a namespace) has the same by hand on the veth peers.  A guest on
# A, plugged by vif-xenplumb with bridge=web, reaches a guest on B; the
# VXLAN's MTU is the VLAN's minus 50 and a full-size frame crosses without
# fragmenting the underlay; when the active slave fails the bond fails
# over and the segment carries on.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init
X=$B/network-xenplumb
[ -x "$X" ] || t_bail "build $X first"
HB=xpvb-$$
GB=xpvg-$$
export XENPLUMB_STATE_DIR="$VIF_TMP/state"
XS_CLEANUP="ip netns del $HB 2>/dev/null; ip netns del $GB 2>/dev/null"
trap 'vif_cleanup; eval "$XS_CLEANUP"' EXIT
hb() { ip netns exec "$HB" "$@"; }
gb() { ip netns exec "$GB" "$@"; }
frags() { awk '$1 == "Ip:" && $2 !~ /^[0-9]/ { for (i = 2; i <= NF; i++) if ($i == "FragCreates") c = i }
	$1 == "Ip:" && $2 ~ /^[0-9]/ { print $c }' /proc/net/snmp; }

ip link set lo up
ip netns add "$HB" && ip netns add "$GB" || t_bail "cannot add namespaces"
hb ip link set lo up
for n in 0 1; do
	ip link add eth$n type veth peer name eth$n netns "$HB" || t_bail "no veth eth$n"
	ip link set eth$n up
done
# host B by hand: the same bond and VLAN, VXLAN, bridge, a guest
hb ip link add bond0 type bond mode active-backup miimon 100 &&
	hb ip link set eth0 master bond0 && hb ip link set eth1 master bond0 &&
	hb ip link add link bond0 name bond0.100 type vlan id 100 &&
	hb ip addr add 192.0.2.2/24 dev bond0.100 &&
	hb ip link set bond0 up && hb ip link set bond0.100 up &&
	hb ip link add vx100 type vxlan id 100 local 192.0.2.2 dstport 4789 &&
	hb ip link set vx100 mtu 1450 &&
	hb ip link add brvx type bridge stp_state 0 forward_delay 0 &&
	hb ip link set vx100 master brvx up && hb ip link set brvx up &&
	hb bridge fdb append 00:00:00:00:00:00 dev vx100 dst 192.0.2.1 &&
	hb ip link add vifB type veth peer name eth0 netns "$GB" &&
	hb ip link set vifB master brvx mtu 1450 up &&
	gb ip link set lo up && gb ip link set eth0 mtu 1450 up &&
	gb ip addr add 198.51.100.2/24 dev eth0 || t_bail "cannot build host B"

cat >"$VIF_TMP/map.conf" <<MAP
[bond bond0]
slaves = eth0 eth1
mode = active-backup
miimon = 100

[vlan bond0.100]

[vxlan vx100]
vni = 100
local = 192.0.2.1
device = bond0.100
remote = 192.0.2.2

[bridge brvx]
ports = vx100

[network web]
bridge = brvx
MAP
out=$($X start -c "$VIF_TMP/map.conf" 2>&1)
t_eq "start on host A exits 0" 0 $?
printf '%s\n' "$out" | sed 's/^/#   /'
ip addr add 192.0.2.1/24 dev bond0.100
t_ok "underlay: A reaches B over bond0.100" ping -c 1 -W 2 192.0.2.2
t_eq "vx100's MTU is bond0.100's minus 50" 1450 "$(cat /sys/class/net/vx100/mtu)"
t_eq "brvx follows it" 1450 "$(cat /sys/class/net/brvx/mtu)"

export XENPLUMB_CONF="$VIF_TMP/map.conf"
vif_mkvif 7 0 bridge=web || t_bail "no vif 7.0"
t_ok "vif-xenplumb online with bridge=web" vif_run online 7 0
t_eq "the vif is on brvx with its MTU" "brvx 1450" "$(vif_facts vif7.0 | cut -d' ' -f1,2)"
in_guest ip link set g7_0 mtu 1450
in_guest ip addr add 198.51.100.1/24 dev g7_0
t_ok "guest on A pings guest on B" in_guest ping -c 2 -W 2 198.51.100.2
f0=$(frags)
t_ok "a full-size frame (1450) crosses" in_guest ping -c 2 -W 2 -s 1422 198.51.100.2
t_eq "... without fragmenting the underlay" "$f0" "$(frags)"
active=$(cat /sys/class/net/bond0/bonding/active_slave)
t_match "bond0 has an active slave" '^eth[01]$' "$active"
ip link set "$active" down
t_ok "active slave down: the guests still reach each other" \
	in_guest ping -c 2 -W 3 198.51.100.2
t_eq "... over the other slave" "$([ "$active" = eth0 ] && echo eth1 || echo eth0)" \
	"$(cat /sys/class/net/bond0/bonding/active_slave)"
ip link set "$active" up
t_ok "offline" vif_run offline 7 0
out=$($X stop -c "$VIF_TMP/map.conf" 2>&1)
t_eq "stop exits 0" 0 $?
for d in vx100 brvx bond0.100 bond0; do t_fails "$d is gone" ip link show $d; done
t_done
