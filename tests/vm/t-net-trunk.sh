#!/bin/sh
# A VLAN-aware bridge over a bond trunk: bond0 (active-backup, miimon 100)
# over eth0+eth1 is the only map port of brt (vlan-filtering = yes), and
# the networks dmz (VLAN 10) and web (VLAN 20) live on brt, so start tags
# VLANs 10 and 20 on the trunk.  A guest port with PVID 10 (as
# vif-xenplumb makes it) then reaches the far end's VLAN 10, and not its
# VLAN 20.  A second start does nothing; rollback at every step restores
# the identical state; stop removes it all.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup nlprobe
F=xpfar$$
G=xpgst$$
probe() { "$P" link "$1" | sed -n "s/^$2=//p"; }
# Carrier (and with it the IPv6 link-local address) comes back through the
# kernel's linkwatch, asynchronously, after a NIC was down or enslaved:
# wait for it, and leave operstate out, before comparing states; the
# bridge VLANs are part of the state.
snap() { net_snap --no-operstate --settle "eth0 eth1 gst0" --vlans; }

for f in all default; do echo 0 >/proc/sys/net/ipv6/conf/$f/accept_dad; done
ip link set lo up
net_netns "$F"
net_netns "$G"
ip link add eth0 type veth peer name sw0 netns "$F"
ip link add eth1 type veth peer name sw1 netns "$F"
ip -n "$F" link add sw type bridge
ip -n "$F" link set sw0 master sw
ip -n "$F" link set sw1 master sw
ip -n "$F" link add link sw name sw.10 type vlan id 10
ip -n "$F" link add link sw name sw.20 type vlan id 20
ip -n "$F" addr add 10.10.0.1/24 dev sw.10
ip -n "$F" addr add 10.20.0.1/24 dev sw.20
for l in lo sw0 sw1 sw sw.10 sw.20; do ip -n "$F" link set "$l" up; done
ip link set eth0 up
ip link set eth1 up
ip link add gst0 type veth peer name eth0 netns "$G"
ip -n "$G" addr add 10.10.0.2/24 dev eth0
ip -n "$G" addr add 10.20.0.2/24 dev eth0
ip -n "$G" link set eth0 up
ip link set gst0 up

cat >"$tmp/map.conf" <<MAP
[bond bond0]
slaves = eth0 eth1
mode = active-backup
miimon = 100

[bridge brt]
ports = bond0
vlan-filtering = yes
stp = off
forward-delay = 0

[network dmz]
bridge = brt
vlan = 10

[network web]
bridge = brt
vlan = 20
MAP

snap >"$tmp/s0"
plan=$($X start -c "$tmp/map.conf" --dry-run)
t_eq "dry-run exits 0" 0 $?
t_match "plan tags VLAN 10 on the trunk" "add vlan 10 on bridge port bond0" "$plan"
n=$(printf '%s\n' "$plan" | grep -cE '^ +[0-9]+\. ')
net_fail_each "$n" "$tmp/map.conf" "$tmp/s0" snap
t_eq "injected failure at each of $n steps rolled back" 0 "$net_bad"

out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "start exits 0" 0 $?
t_eq "brt filters VLANs" 1 "$(probe brt bridge_vlan_filtering)"
t_eq "bond0 is brt's port" brt "$(probe bond0 master)"
vl=$("$P" vlans bond0 | tr '\n' '/')
t_match "trunk carries VLAN 10 tagged" "(^|/)10/" "$vl"
t_match "trunk carries VLAN 20 tagged" "(^|/)20/" "$vl"
t_eq "second start: nothing to do" "nothing to do" "$($X start -c "$tmp/map.conf" 2>&1)"
out=$($X status -c "$tmp/map.conf" 2>&1)
t_eq "status exit 0" 0 $?
t_match "status lists the networks" "network dmz: bridge brt vlan 10" "$out"

# a guest port with PVID 10, untagged (what vif-xenplumb does for vlan=10)
ip link set gst0 master brt
bridge vlan del dev gst0 vid 1
bridge vlan add dev gst0 vid 10 pvid untagged
i=0
until ip netns exec "$G" ping -c 1 -W 1 10.10.0.1 >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 10 ] || break
done
t_ok "guest on VLAN 10 reaches the far end's VLAN 10 over the bond trunk" \
	ip netns exec "$G" ping -c 2 -W 2 10.10.0.1
t_fails "guest on VLAN 10 does not reach VLAN 20" ip netns exec "$G" ping -c 2 -W 1 10.20.0.1

out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "stop exits 0" 0 $?
t_match "stop keeps brt: a guest is on it" "bridge brt kept: it has guest ports \(gst0\)" "$out"
ip link set gst0 nomaster
out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "stop once the guest left exits 0" 0 $?
t_fails "brt is gone" ip link show brt
t_fails "bond0 is gone" ip link show bond0
t_eq "eth0 up again" 1 "$(probe eth0 up)"
t_done
