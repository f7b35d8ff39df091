#!/bin/sh
# The VM kernel has what the host lacks: bonding, 802.1Q, dummy and bridge
# VLAN filtering (plus veth, tap, nf_tables, br_netfilter).  Builds
#   xpd1, xpd2 (dummy) -> xpbond0 (balance-alb, miimon 100) -> xpbond0.100
#   (VLAN 100) -> port of xpbr0 (vlan_filtering 1, bridge VLAN 200 on it)
# and a lone dummy xpdum0, then reads everything back over netlink (ip -j).
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"

command -v jq >/dev/null || t_bail "jq is not in the VM image"

# Each jq start costs ~0.3 s under TCG: snap flattens every link's
# netlink attributes once into "ifname key value" lines, jl reads them.
snap_file=$(mktemp)
trap 'rm -f "$snap_file"' EXIT
snap() {
	ip -d -j link show | jq -r '.[] | .ifname as $n | {
		kind: .linkinfo.info_kind, slave_kind: .linkinfo.info_slave_kind,
		master, link, operstate, mode: .linkinfo.info_data.mode,
		miimon: .linkinfo.info_data.miimon, id: .linkinfo.info_data.id,
		protocol: .linkinfo.info_data.protocol,
		vlan_filtering: .linkinfo.info_data.vlan_filtering
	} | to_entries[] | "\($n) \(.key) \(.value)"' >"$snap_file"
}
jl() { awk -v n="$1" -v k="$2" '$1 == n && $2 == k { print $3 }' "$snap_file"; }

t_ok "dummy slave 1" ip link add xpd1 type dummy
t_ok "dummy slave 2" ip link add xpd2 type dummy
t_ok "bond balance-alb miimon 100" ip link add xpbond0 type bond mode balance-alb miimon 100
t_ok "enslave xpd1" ip link set xpd1 master xpbond0
t_ok "enslave xpd2" ip link set xpd2 master xpbond0
t_ok "VLAN 100 on the bond" ip link add link xpbond0 name xpbond0.100 type vlan id 100
t_ok "VLAN-filtering bridge" ip link add xpbr0 type bridge vlan_filtering 1
t_ok "VLAN device as bridge port" ip link set xpbond0.100 master xpbr0
t_ok "bridge VLAN 200 on the port" bridge vlan add dev xpbond0.100 vid 200
t_ok "lone dummy" ip link add xpdum0 type dummy
t_ok "veth pair" ip link add xpv0 type veth peer name xpv1
t_ok "tap device" ip tuntap add dev xptap0 mode tap
t_ok "tap as bridge port" ip link set xptap0 master xpbr0
for d in xpd1 xpd2 xpbond0 xpbond0.100 xpbr0 xpdum0; do
	ip link set "$d" up || t_failmsg "set $d up"
done
# operstate follows the slaves' carrier asynchronously (linkwatch)
i=0
while [ "$(cat /sys/class/net/xpbond0/operstate)" != up ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
snap

t_eq "bond kind" bond "$(jl xpbond0 kind)"
t_eq "bond mode" balance-alb "$(jl xpbond0 mode)"
t_eq "bond miimon" 100 "$(jl xpbond0 miimon)"
for s in xpd1 xpd2; do
	t_eq "$s kind" dummy "$(jl $s kind)"
	t_eq "$s master" xpbond0 "$(jl $s master)"
	t_eq "$s slave kind" bond "$(jl $s slave_kind)"
done
t_eq "bond has carrier through its slaves" UP "$(jl xpbond0 operstate)"
t_eq "vlan kind" vlan "$(jl xpbond0.100 kind)"
t_eq "vlan id" 100 "$(jl xpbond0.100 id)"
t_eq "vlan protocol" 802.1Q "$(jl xpbond0.100 protocol)"
t_eq "vlan lower device" xpbond0 "$(jl xpbond0.100 link)"
t_eq "vlan master" xpbr0 "$(jl xpbond0.100 master)"
t_eq "vlan slave kind" bridge "$(jl xpbond0.100 slave_kind)"
t_eq "bridge kind" bridge "$(jl xpbr0 kind)"
t_eq "bridge vlan_filtering" 1 "$(jl xpbr0 vlan_filtering)"
vids=$(bridge -j vlan show dev xpbond0.100 | jq -r '.[] | select(.ifname == "xpbond0.100") | .vlans[].vlan')
t_match "bridge VLAN 200 on the port" '^200$' "$vids"
t_match "default PVID 1 on the port" '^1$' "$vids"
t_eq "dummy kind" dummy "$(jl xpdum0 kind)"

# Changing the bond's mode needs it down and slave-free: netlink refuses.
t_fails "bond mode change refused while enslaved+up" ip link set xpbond0 type bond mode active-backup

# veth and tap, which the vif script plumbs.
t_eq "veth kind" veth "$(jl xpv0 kind)"
t_eq "tap kind" tun "$(jl xptap0 kind)"
t_eq "tap master" xpbr0 "$(jl xptap0 master)"

# nf_tables and br_netfilter are loaded and usable in this namespace.
t_ok "nf_tables loaded" test -d /sys/module/nf_tables
t_ok "br_netfilter loaded" test -d /sys/module/br_netfilter
t_ok "bridge-nf sysctl present" test -e /proc/sys/net/bridge/bridge-nf-call-iptables
command -v nft >/dev/null || command -v ebtables >/dev/null ||
	t_failmsg "neither nft nor ebtables in the VM image"
if command -v nft >/dev/null; then
	t_ok "nft bridge table" nft add table bridge xptest
	t_ok "nft netdev table" nft add table netdev xpt
	t_ok "nft netdev ingress chain on the tap" \
		nft add chain netdev xpt in '{ type filter hook ingress device xptap0 priority 0; }'
fi
if command -v ebtables >/dev/null; then
	t_ok "ebtables bridge rule" ebtables -A FORWARD -i xptap0 -j DROP
	t_match "ebtables rule listed" 'xptap0' "$(ebtables -L FORWARD 2>&1)"
fi

# Teardown: deleting the bond frees its slaves and drops the VLAN on it.
t_ok "delete bond" ip link del xpbond0
snap
t_eq "xpd1 released" "null" "$(jl xpd1 master)"
t_fails "VLAN gone with its bond" ip link show dev xpbond0.100
t_ok "delete bridge" ip link del xpbr0
t_ok "delete dummy" ip link del xpdum0
t_done
