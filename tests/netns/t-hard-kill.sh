#!/bin/sh
# kill -9 convergence on the host kernel (bridges and veth "NICs"):
# network-xenplumb start, reload and stop are SIGKILLed at random points
# (after a random 0..XP_KILL_MAX_US microsecond delay, so often while a
# netlink request is in flight or the state file is being replaced), many
# times.  After each kill:
#   - a plain re-run converges: start exits 0, status exits 0, a third run
#     plans nothing;
#   - stop then removes exactly what xenplumb created: the namespace's links,
#     masters, addresses and routes, and the state file, are those a clean
#     start+stop leaves (which is the namespace from before, except that the
#     map's ports stay on the admin's bridge br0, as it has a guest port;
#     this is checked too);
#   - or, on the other half of the iterations, stop right after the kill
#     does the same (the state file must not be stale or half-written).
# A witness watches the adopted devices for the whole test: the veth NICs
# (eth0 with IPv4/IPv6 addresses and a default route that xenbr0 takes over,
# move-addresses = yes), the admin's bridge br0 with its address and its
# guest port vif1.0: none ever goes down, loses carrier, gets renamed or
# deleted; only eth0 loses addresses (the move), and stop gives them back.
# XP_KILL_ITER (default 60) sets the number of kill iterations.  Then the
# same deterministically: SIGKILL (by strace) at each netlink request and
# each write of a start and of a stop.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
# shellcheck source=tests/lib/witness.sh
. "$(dirname "$0")/../lib/witness.sh"
# shellcheck source=tests/lib/kill.sh
. "$(dirname "$0")/../lib/kill.sh"
net_setup nlprobe
ITER=${XP_KILL_ITER:-60}

# links with their kind and master, and addresses: what stop must restore
# (once br0 and the guest port have carrier and link-local addresses, which
# come asynchronously after the set-up)
shape() { net_shape --settle "br0 vif1.0 vif1.0-guest" 'bridge|veth|bridge_slave'; }

sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip link set lo up
for n in 0 1 2 3; do
	ip link add eth$n type veth peer name eth$n-peer
	ip link set eth$n-peer up
	ip link set eth$n up
done
ip addr add 10.1.0.5/24 dev eth0
ip addr add 2001:db8:1::5/64 dev eth0
ip route add default via 10.1.0.1 dev eth0
ip link add br0 type bridge stp_state 0 forward_delay 1500
ip link add vif1.0 type veth peer name vif1.0-guest
ip link set vif1.0 master br0
ip link set vif1.0-guest up
ip link set vif1.0 up
ip link set br0 up
ip addr add 10.3.0.5/24 dev br0
cat >"$tmp/map.conf" <<MAP
[bridge xenbr0]
ports = eth0
default = yes
move-addresses = yes

[bridge xenbr1]
ports = eth1
stp = on
mtu = 1400

[bridge xenbr2]

[bridge br0]
ports = eth2 eth3
stp = on
forward-delay = 4
MAP
# reload's map: one bridge fewer, one more, a port moved
sed -e 's/^\[bridge xenbr2\]/[bridge xenbr3]/' -e 's/^ports = eth2 eth3/ports = eth2/' \
	"$tmp/map.conf" >"$tmp/map2.conf"

shape >"$tmp/base"
W_TIMEOUT= # it watches the whole test
w_start eth0 eth1 eth2 eth3 br0 vif1.0 vif1.0-guest
t_ok "witness is ready" test -e "$tmp/ready"

kill_init "$tmp/map.conf" shape
# A full start, to size the random delay: up to its run time.
t0=$(date +%s%N)
t_ok "a first start works" "$X" start -c "$tmp/map.conf"
t1=$(date +%s%N)
t_ok "and stop restores the namespace" "$X" stop -c "$tmp/map.conf"
kill_ref
diff "$tmp/base" "$tmp/ref" | grep '^[<>]' >"$tmp/refdiff"
t_eq "clean start+stop: as before, but eth2 and eth3 stay on br0 (guest port vif1.0)" \
	"< link eth2 master=- kind= veth |> link eth2 master=br0 kind= veth |< link eth3 master=- kind= veth |> link eth3 master=br0 kind= veth " \
	"$(tr '\n' '|' <"$tmp/refdiff" | sed 's/|$//')"
t_eq "and the state keeps just those two ports" "port br0 eth2|port br0 eth3" \
	"$(tr '\n' '|' <"$tmp/refstate" | sed 's/|$//')"
max=$(((t1 - t0) / 1000))
[ "$max" -gt 1000 ] || max=1000
echo "# one start takes $(((t1 - t0) / 1000)) us; kills land within 0..$max us"

kill_iterations "$ITER" "$max" "$tmp/map2.conf"
t_eq "$iter kill iterations ($killed processes actually killed) converged" 0 "$bad"
t_ok "some runs were really killed mid-way" test "$killed" -ge $((ITER / 4))
echo "# $iter iterations, $killed SIGKILLs landed"

# Every kill point, deterministically: strace delivers SIGKILL on entry to
# the N-th sendmsg (each netlink request) or the N-th write (each state
# journal record, each line of output) of start and of stop, for every N
# a clean run makes; after each, re-run and stop (start), or stop again
# (stop), as above.
command -v strace >/dev/null || t_bail "strace missing (scripts/deps/fuzz.txt)"
for sc in sendmsg write; do
	[ "$bad" -eq 0 ] || break
	ns=$(kill_count $sc "$X" start -c "$tmp/map.conf")
	t_ok "stop after counting ${sc}s" "$X" stop -c "$tmp/map.conf"
	"$X" start -c "$tmp/map.conf" >/dev/null 2>&1
	nt=$(kill_count $sc "$X" stop -c "$tmp/map.conf")
	echo "# start makes ${ns:-0} ${sc}s, stop ${nt:-0}"
	t_ok "start and stop make ${sc}s" test "${ns:-0}" -gt 0 -a "${nt:-0}" -gt 0
	kill_sweep start $sc "$ns" 1 1 rerun
	kill_sweep stop $sc "$nt" 1 1
done
t_eq "SIGKILL at each of $points syscall points of start and stop converged" 0 "$bad"
t_eq "every one of them was really killed" "$points" "$skilled"

w_stop
t_nomatch "witness: no adopted device went down, lost carrier, was renamed or deleted" \
	"^(DOWN|CARRIER-LOSS|RENAME|DELETE|OVERRUN)" "$wev"
t_nomatch "witness: only eth0 (moved to xenbr0) ever lost an address" \
	"^ADDR-DEL ([^e]|e[^t]|et[^h]|eth[^0]|eth0[^ ])" "$wev"
t_match "witness saw eth0's addresses move (it was watching)" "^ADDR-DEL eth0 " "$wev"
t_done
