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
. "$(dirname "$0")/../lib/t.sh"
cd "$T_ROOT" || exit 1
X=$B/network-xenplumb
W=$B/tests/tools/witness
P=$B/tests/tools/nlprobe
{ [ -x "$X" ] && [ -x "$W" ] && [ -x "$P" ]; } || t_bail "build $X, $W and $P first"
tmp=$(mktemp -d)
wpid=""
trap '[ -n "$wpid" ] && kill "$wpid" 2>/dev/null; rm -rf "$tmp"' EXIT
export XENPLUMB_STATE_DIR="$tmp/state"
ITER=${XP_KILL_ITER:-4}
STEP=${XP_SWEEP_STEP:-5}

# carrier comes back asynchronously (linkwatch) after enslave/release
settle() {
	for s_n in eth0 eth1 eth2 eth3; do
		s_i=0
		until [ "$("$P" link "$s_n" carrier)" = 1 ]; do
			s_i=$((s_i + 1))
			[ $s_i -lt 100 ] || break
			sleep 0.05
		done
	done
}
# name kind master admin-up per link; addresses (no link-local); routes
shape() {
	settle
	ip -o -d link show | sed -E -n \
		-e 's/^[0-9]+: ([^:@]+)[:@] <([^>]*)>.*/\1 \2 &/p' | while read -r l fl rest; do
		m=$(printf '%s\n' "$rest" | sed -nE 's/.* master ([^ ]+) .*/\1/p')
		k=$(printf '%s\n' "$rest" | grep -oE ' (bridge|bond|vlan|veth|dummy) ' | head -1)
		case ",$fl," in *,UP,*) up=up ;; *) up=down ;; esac
		echo "link $l $up master=${m:--} kind=$k"
	done | sort
	ip -o addr show | grep -v ' fe80' | awk '{print "addr", $2, $3, $4}' | sort
	{ ip route show table all; ip -6 route show table all; } |
		grep -v '^local\|^multicast\|fe80::' | sort
}

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
"$W" --ready "$tmp/ready" -o "$tmp/ev" eth0 eth1 bond0 bond0.10 br0 vif1.0 &
wpid=$!
i=0
while [ ! -e "$tmp/ready" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
t_ok "witness is ready" test -e "$tmp/ready"

t0=$(date +%s%N)
t_ok "a first start works" "$X" start -c "$tmp/map.conf"
t1=$(date +%s%N)
t_ok "and stop works" "$X" stop -c "$tmp/map.conf"
shape >"$tmp/ref"
t_ok "clean start+stop leaves the namespace as it was" diff "$tmp/base" "$tmp/ref"
grep -v '^#' "$tmp/state/state" 2>/dev/null | sort >"$tmp/refstate"
max=$(((t1 - t0) / 1000))
[ "$max" -gt 1000 ] || max=1000
echo "# one start takes $max us; kills land within 0..$max us"

rand() { od -An -N4 -tu4 /dev/urandom | awk -v m="$1" '{print $1 % m}'; }
killrun() { # US CMD...
	us=$1; shift
	"$@" >"$tmp/out" 2>&1 &
	p=$!
	sleep "$(printf '%d.%06d' $((us / 1000000)) $((us % 1000000)))"
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
stopped_clean() { # WHAT
	if ! o=$("$X" stop -c "$tmp/map.conf" 2>&1); then
		t_failmsg "$1: stop failed"; printf '%s\n' "$o" | sed 's/^/#   /'; bad=1; return 1
	fi
	shape >"$tmp/now"
	if ! diff "$tmp/ref" "$tmp/now" >"$tmp/diff"; then
		t_failmsg "$1: stop did not leave what a clean start+stop leaves"
		sed 's/^/#   /' "$tmp/diff"; sed 's/^/#   state: /' "$tmp/state/state" 2>/dev/null
		printf '%s\n' "$o" | sed 's/^/#   stop: /'; sed 's/^/#   killed run: /' "$tmp/out"
		bad=1; return 1
	fi
	grep -v '^#' "$tmp/state/state" 2>/dev/null | sort >"$tmp/nowstate"
	if ! diff "$tmp/refstate" "$tmp/nowstate" >"$tmp/diff"; then
		t_failmsg "$1: the state after stop differs"; sed 's/^/#   /' "$tmp/diff"
		bad=1; return 1
	fi
}

n=1
while [ "$n" -le "$ITER" ] && [ "$bad" -eq 0 ]; do
	d=$(rand "$max")
	case $((n % 4)) in
	0)
		killrun "$d" "$X" start -c "$tmp/map.conf"
		check "$tmp/map.conf" "iteration $n (start killed after $d us)" &&
			stopped_clean "iteration $n (start killed after $d us, then re-run)" ;;
	1)
		killrun "$d" "$X" start -c "$tmp/map.conf"
		stopped_clean "iteration $n (start killed after $d us, then stop)" ;;
	2)
		"$X" start -c "$tmp/map.conf" >/dev/null 2>&1
		killrun "$((d / 3))" "$X" reload -c "$tmp/map2.conf"
		check "$tmp/map2.conf" "iteration $n (reload killed after $((d / 3)) us)" reload &&
			"$X" reload -c "$tmp/map.conf" >/dev/null 2>&1 &&
			stopped_clean "iteration $n (reload killed, reloaded back)" ;;
	3)
		"$X" start -c "$tmp/map.conf" >/dev/null 2>&1
		killrun "$d" "$X" stop -c "$tmp/map.conf"
		stopped_clean "iteration $n (stop killed after $d us)" ;;
	esac
	n=$((n + 1))
done
t_eq "$((n - 1)) kill iterations ($killed processes actually killed) converged" 0 "$bad"
t_ok "some runs were really killed mid-way" test "$killed" -ge $((ITER / 4))
echo "# $((n - 1)) iterations, $killed SIGKILLs landed"

# Every netlink request of a start, deterministically: strace delivers
# SIGKILL on entry to the N-th sendmsg; stop must then leave what a clean
# start+stop leaves (a NIC set down to join the new bond included).
command -v strace >/dev/null || t_bail "strace missing in the VM"
strace -f -c -o "$tmp/sc" -e trace=sendmsg "$X" start -c "$tmp/map.conf" >/dev/null 2>&1
ns=$(awk '$NF == "sendmsg" {print $4}' "$tmp/sc")
t_ok "stop after counting" "$X" stop -c "$tmp/map.conf"
echo "# start makes ${ns:-0} sendmsgs"
t_ok "start makes netlink requests" test "${ns:-0}" -gt 0
k=$(($(rand "$STEP") + 1))
skilled=0
points=0
while [ "$k" -le "${ns:-0}" ] && [ "$bad" -eq 0 ]; do
	strace -o /dev/null -e trace=sendmsg -e inject=sendmsg:signal=SIGKILL:when=$k \
		"$X" start -c "$tmp/map.conf" >"$tmp/out" 2>&1
	[ $? = 137 ] && skilled=$((skilled + 1))
	stopped_clean "start killed at sendmsg $k, then stop"
	points=$((points + 1))
	k=$((k + STEP))
done
t_eq "SIGKILL at $points of the $ns netlink requests of start: stop restores" 0 "$bad"
t_eq "every one of them was really killed" "$points" "$skilled"
kill "$wpid"; wait "$wpid"; wpid=""
t_nomatch "witness: no adopted device went down, lost carrier, was renamed or deleted, lost an address" \
	"^(DOWN|CARRIER-LOSS|RENAME|DELETE|ADDR-DEL|OVERRUN)" "$(cat "$tmp/ev")"
t_done
