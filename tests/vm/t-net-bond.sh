#!/bin/sh
# network-xenplumb on the VM kernel (bonding, 802.1Q, dummy), from scratch:
#   bond0 (balance-alb, miimon 100) over eth0+eth1 (veths) -> bond0.100 ->
#   br100; xenbr0 on the NIC eth2; host-only xenbr1 on dummy0 (created).
# The NICs carry nothing, so the plan may set them down to enslave them
# (and says so); a NIC with an address is refused.  A second start does
# nothing; an injected failure at every step rolls back to the identical
# state; stop removes everything and the NICs are up again.  Legacy
# arguments with netdev=dummyN create the dummy.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup nlprobe

# Carrier (and with it the IPv6 link-local address) comes back through the
# kernel's linkwatch, asynchronously, after a NIC was down or enslaved:
# wait for it, and leave operstate out, before comparing states.
snap() { net_snap --no-operstate --settle "eth0 eth1 eth2 eth3"; }
probe() { "$P" link "$1" | sed -n "s/^$2=//p"; }

# no DAD: link-local addresses are final at once, so snapshots compare
for f in all default; do echo 0 >/proc/sys/net/ipv6/conf/$f/accept_dad; done
ip link set lo up
for n in 0 1 2 3; do ip link add eth$n type veth peer name eth$n-peer; done
for n in 0 1 2 3; do ip link set eth$n up; ip link set eth$n-peer up; done
cat >"$tmp/map.conf" <<MAP
[bond bond0]
slaves = eth0 eth1
mode = balance-alb
miimon = 100

[vlan bond0.100]
parent = bond0
id = 100

[bridge br100]
ports = bond0.100
stp = off

[dummy dummy0]

[bridge xenbr0]
ports = eth2
default = yes

[bridge xenbr1]
ports = dummy0
MAP

snap >"$tmp/s0"
plan=$($X start -c "$tmp/map.conf" --dry-run)
t_eq "dry-run exits 0" 0 $?
t_match "plan says why a NIC goes down" "set eth0 down \(to join new bond bond0; eth0 carries no address or route\)" "$plan"
n=$(printf '%s\n' "$plan" | grep -cE '^ +[0-9]+\. ')
net_fail_each "$n" "$tmp/map.conf" "$tmp/s0" snap
t_eq "injected failure at each of $n steps rolled back to the identical state" 0 "$net_bad"

out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "start exits 0" 0 $?
t_eq "bond0 is a bond" bond "$(probe bond0 kind)"
t_eq "bond0 mode balance-alb" balance-alb "$(probe bond0 bond_mode)"
t_eq "bond0 miimon 100" 100 "$(probe bond0 bond_miimon)"
t_eq "eth0 enslaved to bond0" bond0 "$(probe eth0 master)"
t_eq "eth1 enslaved to bond0" bond0 "$(probe eth1 master)"
t_eq "eth0 up again" 1 "$(probe eth0 up)"
t_eq "bond0.100 is a VLAN" vlan "$(probe bond0.100 kind)"
t_eq "bond0.100 id 100" 100 "$(probe bond0.100 vlan_id)"
t_eq "bond0.100 on bond0" bond0 "$(probe bond0.100 vlan_parent)"
t_eq "bond0.100 is a port of br100" br100 "$(probe bond0.100 master)"
t_eq "dummy0 created" dummy "$(probe dummy0 kind)"
t_eq "dummy0 is a port of xenbr1" xenbr1 "$(probe dummy0 master)"
t_eq "eth2 is a port of xenbr0" xenbr0 "$(probe eth2 master)"
for d in bond0 bond0.100 br100 dummy0 xenbr0 xenbr1; do
	t_eq "$d is up" 1 "$(probe "$d" up)"
done
t_eq "second start: nothing to do" "nothing to do" "$($X start -c "$tmp/map.conf" 2>&1)"
out=$($X status -c "$tmp/map.conf" 2>&1)
t_eq "status: exit 0" 0 $?
t_match "status shows the bond" "bond bond0: up, mode balance-alb, miimon 100, slaves eth0 eth1" "$out"

out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "stop exits 0" 0 $?
for d in bond0 bond0.100 br100 dummy0 xenbr0 xenbr1; do
	t_fails "$d is gone" ip link show "$d"
done
t_eq "eth0 up after its bond went" 1 "$(probe eth0 up)"
t_eq "eth1 up after its bond went" 1 "$(probe eth1 up)"
snap >"$tmp/s2"
t_ok "start+stop: identical state" diff "$tmp/s0" "$tmp/s2"

# a NIC with an address is not enslaved into a new bond
ip addr add 10.1.1.3/24 dev eth3
cat >"$tmp/bad.conf" <<MAP
[bond bond1]
slaves = eth3
MAP
out=$($X start -c "$tmp/bad.conf" 2>&1)
t_eq "NIC with an address into a new bond: exit 2" 2 $?
t_match "refusal names the NIC and its address" "bad.conf:1: slave eth3 of new bond bond1 carries 10.1.1.3/24" "$out"
t_fails "bond1 not created" ip link show bond1
t_eq "eth3 still up" 1 "$(probe eth3 up)"

# legacy arguments: a missing dummyN netdev is created (host-only bridge)
out=$($X start bridge=xenbr9 netdev=dummy5 2>&1)
t_eq "legacy start with netdev=dummy5 exits 0" 0 $?
t_eq "dummy5 created" dummy "$(probe dummy5 kind)"
t_eq "dummy5 is a port of xenbr9" xenbr9 "$(probe dummy5 master)"
out=$($X stop bridge=xenbr9 netdev=dummy5 2>&1)
t_eq "legacy stop exits 0" 0 $?
t_fails "dummy5 is gone" ip link show dummy5
t_fails "xenbr9 is gone" ip link show xenbr9
t_done
