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
cd "$T_ROOT" || exit 1
X=$B/network-xenplumb
W=$B/tests/tools/witness
[ -x "$X" ] && [ -x "$W" ] || t_bail "build $X and $W first (make)"
ip link show xenbr0 >/dev/null 2>&1 && t_bail "not in a private namespace (xenbr0 exists)"
tmp=$(mktemp -d)
wpid=""
trap '[ -n "$wpid" ] && kill "$wpid" 2>/dev/null; rm -rf "$tmp"' EXIT
export XENPLUMB_STATE_DIR="$tmp/state"
ITER=${XP_KILL_ITER:-60}

# links with their kind and master, and addresses: what stop must restore
shape() {
	ip -o -d link show | sed -E 's/^[0-9]+: ([^:@]+)[:@].*/\1/' | sort | while read -r l; do
		m=$(ip -o link show "$l" | sed -nE 's/.* master ([^ ]+) .*/\1/p')
		k=$(ip -o -d link show "$l" | grep -oE ' (bridge|veth|bridge_slave) ' | head -1)
		echo "link $l master=${m:--} kind=$k"
	done
	ip -o addr show | awk '{print "addr", $2, $3, $4}' | sort
	{ ip route show table all; ip -6 route show table all; } | grep -v '^local\|^multicast\|fe80::' | sort
}

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
"$W" --ready "$tmp/ready" -o "$tmp/ev" eth0 eth1 eth2 eth3 br0 vif1.0 vif1.0-guest &
wpid=$!
i=0
while [ ! -e "$tmp/ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t_ok "witness is ready" test -e "$tmp/ready"

# A full start, to size the random delay: up to its run time.
t0=$(date +%s%N)
t_ok "a first start works" "$X" start -c "$tmp/map.conf"
t1=$(date +%s%N)
t_ok "and stop restores the namespace" "$X" stop -c "$tmp/map.conf"
shape >"$tmp/ref"
diff "$tmp/base" "$tmp/ref" | grep '^[<>]' >"$tmp/refdiff"
t_eq "clean start+stop: as before, but eth2 and eth3 stay on br0 (guest port vif1.0)" \
	"< link eth2 master=- kind= veth |> link eth2 master=br0 kind= veth |< link eth3 master=- kind= veth |> link eth3 master=br0 kind= veth " \
	"$(tr '\n' '|' <"$tmp/refdiff" | sed 's/|$//')"
grep -v '^#' "$tmp/state/state" | sort >"$tmp/refstate"
t_eq "and the state keeps just those two ports" "port br0 eth2|port br0 eth3" \
	"$(tr '\n' '|' <"$tmp/refstate" | sed 's/|$//')"
max=$(((t1 - t0) / 1000))
[ "$max" -gt 1000 ] || max=1000
echo "# one start takes $(((t1 - t0) / 1000)) us; kills land within 0..$max us"

rand() { # 0..$1-1
	od -An -N4 -tu4 /dev/urandom | awk -v m="$1" '{print $1 % m}'
}

# killrun US CMD...: run CMD, SIGKILL it after US microseconds (if alive)
killrun() {
	us=$1; shift
	"$@" >"$tmp/out" 2>&1 &
	p=$!
	usleep_s=$(printf '%d.%06d' $((us / 1000000)) $((us % 1000000)))
	sleep "$usleep_s"
	if kill -9 "$p" 2>/dev/null; then killed=$((killed + 1)); fi
	wait "$p" 2>/dev/null
}

killed=0
bad=0
check() { # MAP WHAT [CMD]: re-run CMD (start; reload after a killed reload)
	if ! o=$("$X" "${3:-start}" -c "$1" 2>&1); then
		t_failmsg "$2: re-run ${3:-start} failed"; printf '%s\n' "$o" | sed 's/^/#   /'; bad=1
		return 1
	fi
	if ! o=$("$X" status -c "$1" 2>&1); then
		t_failmsg "$2: status after re-run exits non-zero"
		printf '%s\n' "$o" | sed 's/^/#   /'; bad=1; return 1
	fi
	# (a note, e.g. why a port stays on a bridge with guests, is not a change)
	o=$("$X" "${3:-start}" -c "$1" 2>&1 | grep -v '^note: ')
	if [ "$o" != "nothing to do" ]; then
		t_failmsg "$2: a third run still plans something"
		printf '%s\n' "$o" | sed 's/^/#   /'; bad=1; return 1
	fi
}
stopped_clean() { # what
	if ! o=$("$X" stop -c "$tmp/map.conf" 2>&1); then
		t_failmsg "$1: stop failed"; printf '%s\n' "$o" | sed 's/^/#   /'; bad=1; return 1
	fi
	shape >"$tmp/now"
	if ! diff "$tmp/ref" "$tmp/now" >"$tmp/diff"; then
		t_failmsg "$1: stop did not leave exactly what a clean start+stop leaves"
		sed 's/^/#   /' "$tmp/diff"; sed 's/^/#   state: /' "$tmp/state/state" 2>/dev/null
		printf '%s\n' "$o" | sed 's/^/#   stop: /'; sed 's/^/#   killed run: /' "$tmp/out"
		bad=1; return 1
	fi
	grep -v '^#' "$tmp/state/state" 2>/dev/null | sort >"$tmp/nowstate"
	if ! diff "$tmp/refstate" "$tmp/nowstate" >"$tmp/diff"; then
		t_failmsg "$1: the state after stop is not what a clean start+stop leaves"
		sed 's/^/#   /' "$tmp/diff"; bad=1; return 1
	fi
	# a kill while the state is replaced may leave its one temporary file
	# (overwritten next time), never one per killed run
	if [ "$(ls "$tmp/state" | grep -c tmp)" -gt 1 ] || ls "$tmp/state" | grep -q 'tmp.'; then
		t_failmsg "$1: temporary state files pile up"; ls "$tmp/state" | sed 's/^/#   /'
		bad=1; return 1
	fi
}

n=1
while [ "$n" -le "$ITER" ] && [ "$bad" -eq 0 ]; do
	d=$(rand "$max")
	case $((n % 4)) in
	0) # kill start, re-run, stop
		killrun "$d" "$X" start -c "$tmp/map.conf"
		check "$tmp/map.conf" "iteration $n (start killed after $d us)" &&
			stopped_clean "iteration $n (start killed after $d us, then re-run)" ;;
	1) # kill start, stop straight away
		killrun "$d" "$X" start -c "$tmp/map.conf"
		stopped_clean "iteration $n (start killed after $d us, then stop)" ;;
	2) # kill reload to map2 from a started map, re-run reload
		"$X" start -c "$tmp/map.conf" >/dev/null 2>&1
		killrun "$d" "$X" reload -c "$tmp/map2.conf"
		check "$tmp/map2.conf" "iteration $n (reload killed after $d us)" reload &&
			o=$("$X" reload -c "$tmp/map.conf" 2>&1) &&
			stopped_clean "iteration $n (reload killed after $d us, reloaded back)" ;;
	3) # kill stop, re-run stop
		"$X" start -c "$tmp/map.conf" >/dev/null 2>&1
		killrun "$d" "$X" stop -c "$tmp/map.conf"
		stopped_clean "iteration $n (stop killed after $d us)" ;;
	esac
	n=$((n + 1))
done
t_eq "$((n - 1)) kill iterations ($killed processes actually killed) converged" 0 "$bad"
t_ok "some runs were really killed mid-way" test "$killed" -ge $((ITER / 4))
echo "# $((n - 1)) iterations, $killed SIGKILLs landed"

# Every kill point, deterministically: strace delivers SIGKILL on entry to
# the N-th sendmsg (each netlink request) or the N-th write (each state
# journal record, each line of output) of start and of stop, for every N
# a clean run makes; after each, re-run and stop (start), or stop again
# (stop), as above.
command -v strace >/dev/null || t_bail "strace missing (scripts/deps/fuzz.txt)"
calls() { # SYSCALL CMD...: how many times a clean CMD makes SYSCALL
	sc=$1; shift
	strace -f -c -o "$tmp/sc" -e trace="$sc" "$@" >/dev/null 2>&1
	awk -v s="$sc" '$NF == s {print $4}' "$tmp/sc"
}
points=0
skilled=0
for sc in sendmsg write; do
	[ "$bad" -eq 0 ] || break
	ns=$(calls $sc "$X" start -c "$tmp/map.conf")
	t_ok "stop after counting ${sc}s" "$X" stop -c "$tmp/map.conf"
	"$X" start -c "$tmp/map.conf" >/dev/null 2>&1
	nt=$(calls $sc "$X" stop -c "$tmp/map.conf")
	echo "# start makes ${ns:-0} ${sc}s, stop ${nt:-0}"
	t_ok "start and stop make ${sc}s" test "${ns:-0}" -gt 0 -a "${nt:-0}" -gt 0
	k=1
	while [ "$k" -le "${ns:-0}" ] && [ "$bad" -eq 0 ]; do
		strace -o /dev/null -e trace=$sc -e inject=$sc:signal=SIGKILL:when=$k \
			"$X" start -c "$tmp/map.conf" >"$tmp/out" 2>&1
		[ $? = 137 ] && skilled=$((skilled + 1))
		if [ $((k % 2)) = 0 ]; then
			check "$tmp/map.conf" "start killed at $sc $k" &&
				stopped_clean "start killed at $sc $k, re-run"
		else
			stopped_clean "start killed at $sc $k, then stop"
		fi
		points=$((points + 1))
		k=$((k + 1))
	done
	k=1
	while [ "$k" -le "${nt:-0}" ] && [ "$bad" -eq 0 ]; do
		"$X" start -c "$tmp/map.conf" >/dev/null 2>&1
		strace -o /dev/null -e trace=$sc -e inject=$sc:signal=SIGKILL:when=$k \
			"$X" stop -c "$tmp/map.conf" >"$tmp/out" 2>&1
		[ $? = 137 ] && skilled=$((skilled + 1))
		stopped_clean "stop killed at $sc $k"
		points=$((points + 1))
		k=$((k + 1))
	done
done
t_eq "SIGKILL at each of $points syscall points of start and stop converged" 0 "$bad"
t_eq "every one of them was really killed" "$points" "$skilled"

kill "$wpid"; wait "$wpid"; wpid=""
t_nomatch "witness: no adopted device went down, lost carrier, was renamed or deleted" \
	"^(DOWN|CARRIER-LOSS|RENAME|DELETE|OVERRUN)" "$(cat "$tmp/ev")"
t_nomatch "witness: only eth0 (moved to xenbr0) ever lost an address" \
	"^ADDR-DEL ([^e]|e[^t]|et[^h]|eth[^0]|eth0[^ ])" "$(cat "$tmp/ev")"
t_match "witness saw eth0's addresses move (it was watching)" "^ADDR-DEL eth0 " "$(cat "$tmp/ev")"
t_done
