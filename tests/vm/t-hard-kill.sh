#!/bin/sh
# kill -9 convergence on the VM kernel (bonding, 802.1Q, dummy):
# network-xenplumb start, reload and stop SIGKILLed at random points, many
# times, on a map with an adopted bond (the admin's bond0 over eth0+eth1,
# with an address) and its adopted VLAN bond0.10 (with an address), a new
# VLAN and bridge on it, a new bond1 over eth2+eth3 (NICs it sets down to
# enslave) with a VLAN and bridge, a dummy under a bridge, and the admin's
# bridge br0 with a guest port.  After each kill a plain re-run (reload
# after a killed reload) converges
# (start 0, status 0, a third run plans nothing) and stop leaves exactly
# what a clean start+stop leaves (links, kinds, masters, admin up flags,
# addresses, routes, the state file); or stop right after the kill does.
# A witness proves the adopted devices (bond0, eth0, eth1, bond0.10, br0,
# vif1.0) never went down, lost carrier, were renamed or deleted, or lost
# an address.  Then a SIGKILL (by strace) at every netlink request of a
# start, each followed by stop.  XP_KILL_ITER (default 4) sets the random
# iterations; the sweep takes every XP_SWEEP_STEP-th (5) request from a random
# first one (the VM under TCG is slow: the test has 300 s).
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
# shellcheck source=tests/lib/witness.sh
. "$(dirname "$0")/../lib/witness.sh"
# shellcheck source=tests/lib/kill.sh
. "$(dirname "$0")/../lib/kill.sh"
net_setup nlprobe
ITER=${XP_KILL_ITER:-4}
STEP=${XP_SWEEP_STEP:-5}

# name kind master admin-up per link; addresses (no link-local); routes.
# Carrier comes back asynchronously (linkwatch) after enslave/release.
shape() { net_shape --up --no-ll --settle "eth0 eth1 eth2 eth3" 'bridge|bond|vlan|veth|dummy'; }

for f in all default; do echo 0 >/proc/sys/net/ipv6/conf/$f/accept_dad; done
ip link set lo up
for n in 0 1 2 3; do
	ip link add eth$n type veth peer name eth$n-peer
	ip link set eth$n-peer up
done
ip link add bond0 type bond mode active-backup miimon 100 || t_bail "no bonding"
ip link set eth0 master bond0
ip link set eth1 master bond0
ip link set bond0 up
ip addr add 10.1.0.5/24 dev bond0
ip link add link bond0 name bond0.10 type vlan id 10 || t_bail "no 8021q"
ip link set bond0.10 up
ip addr add 10.10.0.5/24 dev bond0.10
ip link set eth2 up
ip link set eth3 up
ip link add br0 type bridge stp_state 0
ip link add vif1.0 type veth peer name vif1.0-guest
ip link set vif1.0 master br0
ip link set vif1.0-guest up
ip link set vif1.0 up
ip link set br0 up
cat >"$tmp/map.conf" <<MAP
[bond bond0]
slaves = eth0 eth1

[vlan bond0.10]
parent = bond0
id = 10

[vlan bond0.100]
parent = bond0
id = 100

[bridge br100]
ports = bond0.100
default = yes

[bond bond1]
slaves = eth2 eth3
mode = active-backup
miimon = 100

[vlan bond1.200]
parent = bond1
id = 200

[bridge br200]
ports = bond1.200

[dummy dummy0]

[bridge xenbr1]
ports = dummy0

[bridge br0]
stp = on
MAP
# reload's map: xenbr1 goes, xenbr2 (empty) comes, br200 gets stp.  (Not
# dummy0 from xenbr1 to xenbr2: reload refuses to move a port between
# bridges, "already enslaved", even without a kill.)
sed -e 's/^\[bridge xenbr1\]/[bridge xenbr2]/' -e '/^ports = dummy0/d' \
	-e 's/^ports = bond1.200/&\nstp = on/' "$tmp/map.conf" >"$tmp/map2.conf"

shape >"$tmp/base"
W_TIMEOUT= # it watches the whole test
W_TRIES=400
w_start eth0 eth1 bond0 bond0.10 br0 vif1.0
t_ok "witness is ready" test -e "$tmp/ready"

kill_init "$tmp/map.conf" shape
t0=$(date +%s%N)
t_ok "a first start works" "$X" start -c "$tmp/map.conf"
t1=$(date +%s%N)
t_ok "and stop works" "$X" stop -c "$tmp/map.conf"
kill_ref
t_ok "clean start+stop leaves the namespace as it was" diff "$tmp/base" "$tmp/ref"
max=$(((t1 - t0) / 1000))
[ "$max" -gt 1000 ] || max=1000
echo "# one start takes $max us; kills land within 0..$max us"

# (a reload is killed within a third of that: it has less to do)
kill_iterations "$ITER" "$max" "$tmp/map2.conf" 3
t_eq "$iter kill iterations ($killed processes actually killed) converged" 0 "$bad"
t_ok "some runs were really killed mid-way" test "$killed" -ge $((ITER / 4))
echo "# $iter iterations, $killed SIGKILLs landed"

# Every netlink request of a start, deterministically: strace delivers
# SIGKILL on entry to the N-th sendmsg; stop must then leave what a clean
# start+stop leaves (a NIC set down to join the new bond included).
command -v strace >/dev/null || t_bail "strace missing in the VM"
ns=$(kill_count sendmsg "$X" start -c "$tmp/map.conf")
t_ok "stop after counting" "$X" stop -c "$tmp/map.conf"
echo "# start makes ${ns:-0} sendmsgs"
t_ok "start makes netlink requests" test "${ns:-0}" -gt 0
kill_sweep start sendmsg "$ns" $(($(kill_rand "$STEP") + 1)) "$STEP"
t_eq "SIGKILL at $points of the $ns netlink requests of start: stop restores" 0 "$bad"
t_eq "every one of them was really killed" "$points" "$skilled"
w_stop
t_nomatch "witness: no adopted device went down, lost carrier, was renamed or deleted, lost an address" \
	"^(DOWN|CARRIER-LOSS|RENAME|DELETE|ADDR-DEL|OVERRUN)" "$wev"
t_done
