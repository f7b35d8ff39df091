#!/bin/sh
# Concurrency: network-xenplumb reload/start racing with 64 parallel
# vif-xenplumb onlines on the same bridge, two reloads at once, and vif
# hotplug while the run lock is held.
#   1. 64 onlines on xenbr0 at once with a reload that changes xenbr0 (stp,
#      a new uplink port), deletes one bridge and creates another, several
#      rounds back and forth (back to map a, the new uplink stays: xenbr0
#      has guest ports, by design): every online exits 0 and is connected, every
#      guest port is on xenbr0 and up afterwards, a witness saw no guest
#      port leave xenbr0 (or go down, or get deleted), and the reload is
#      correct (exit 0, status exit 0, a further start plans nothing).
#   2. Two reloads at once to the same map, repeatedly, with the 64 guests
#      connected: both exit 0 (they serialise on the lock), the result is
#      the map, the guests stay.
#   3. The run lock held by this test (flock on STATEDIR/lock): 64 onlines
#      still all complete and connect (hotplug never takes the lock), while
#      a reload started meanwhile is still waiting when they are done and
#      finishes correctly once the lock is released.
# No timing is asserted.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
# shellcheck source=tests/lib/witness.sh
. "$T_ROOT/tests/lib/witness.sh"
X=$B/network-xenplumb
W=$B/tests/tools/witness
[ -x "$X" ] && [ -x "$W" ] || t_bail "build $X and $W first (make)"
ip link show xenbr0 >/dev/null 2>&1 && t_bail "not in a private namespace (xenbr0 exists)"
vif_init
export XENPLUMB_STATE_DIR="$VIF_TMP/state"
W_DIR=$VIF_TMP
W_TIMEOUT= # a witness a round, as long as the round takes
COUNT=64
D=30
ROUNDS=${XP_RACE_ROUNDS:-4}

ip link set lo up
for n in 0 1; do
	ip link add eth$n type veth peer name eth$n-peer || t_bail "veth"
	ip link set eth$n-peer up
	ip link set eth$n up
done
cat >"$VIF_TMP/a.conf" <<MAP
[bridge xenbr0]
ports = eth0
stp = off
default = yes

[bridge xenbr1]
MAP
cat >"$VIF_TMP/b.conf" <<MAP
[bridge xenbr0]
ports = eth0 eth1
stp = on
default = yes

[bridge xenbr2]
MAP
vif_map "$(cat "$VIF_TMP/a.conf")"
i=0
while [ $i -lt $COUNT ]; do
	vif_mkvif $D $i bridge=xenbr0 || t_bail "vif $D.$i"
	i=$((i + 1))
done
t_ok "start (map a)" "$X" start -c "$VIF_TMP/a.conf"

# all_vifs ACTION: every hotplug at once (background; pids in $VPIDS);
# wait_vifs: wait for just those (a bare wait would wait for the witness)
all_vifs() {
	VPIDS=""
	i=0
	while [ $i -lt $COUNT ]; do
		rm -f "$VIF_TMP/rc.$i"
		(vif_run "$1" $D $i >"$VIF_TMP/out.$i" 2>&1; echo $? >"$VIF_TMP/rc.$i") &
		VPIDS="$VPIDS $!"
		i=$((i + 1))
	done
}
wait_vifs() { for _p in $VPIDS; do wait "$_p"; done; }
vif_failures() { # after wait: how many exited non-zero (their output shown)
	bad=0
	i=0
	while [ $i -lt $COUNT ]; do
		[ "$(cat "$VIF_TMP/rc.$i" 2>/dev/null)" = 0 ] || {
			bad=$((bad + 1))
			sed "s/^/#   $D.$i: /" "$VIF_TMP/out.$i" >&2
		}
		i=$((i + 1))
	done
	echo $bad
}
guests_ok() { # every guest connected, on xenbr0 and up
	n=0
	i=0
	while [ $i -lt $COUNT ]; do
		if [ "$(vif_status $D $i)" = connected ] &&
			[ "$(vif_facts vif$D.$i | cut -d' ' -f1,4)" = "xenbr0 1" ]; then
			n=$((n + 1))
		else
			echo "#   vif$D.$i: $(vif_status $D $i) / $(vif_facts vif$D.$i)" >&2
		fi
		i=$((i + 1))
	done
	echo $n
}
converged() { # MAP: status exits 0 and a start plans nothing
	"$X" status -c "$1" >"$VIF_TMP/st" 2>&1 || { sed 's/^/# status: /' "$VIF_TMP/st"; return 1; }
	o=$("$X" start -c "$1" 2>&1)
	[ "$o" = "nothing to do" ] || { printf '%s\n' "$o" | sed 's/^/# start: /'; return 1; }
}
map_shape() { # the parts of the map a reload changes
	for b in xenbr1 xenbr2; do ip link show $b >/dev/null 2>&1 && printf '%s ' $b; done
	ip -o link show eth1 | grep -q 'master xenbr0' && printf 'eth1@xenbr0 '
	ip -d link show xenbr0 | grep -q 'stp_state 1' && printf 'stp'
	echo
}
vifnames() { i=0; while [ $i -lt $COUNT ]; do printf 'vif%s.%s ' $D $i; i=$((i + 1)); done; }

# -- 1. onlines racing with reload --------------------------------------------
r=1
to=b
while [ $r -le $ROUNDS ]; do
	# shellcheck disable=SC2046
	w_start eth0 $(vifnames)
	all_vifs online
	"$X" reload --wait 600 -c "$VIF_TMP/$to.conf" >"$VIF_TMP/reload.out" 2>&1 &
	rp=$!
	wait $rp
	rrc=$?
	wait_vifs
	t_eq "round $r: $COUNT onlines racing a reload to map $to all exit 0" 0 "$(vif_failures)"
	t_eq "round $r: the reload exits 0" 0 "$rrc"
	[ "$rrc" = 0 ] || sed 's/^/#   /' "$VIF_TMP/reload.out"
	t_eq "round $r: all $COUNT guests connected, on xenbr0, up" $COUNT "$(guests_ok)"
	t_ok "round $r: map $to is in place (status 0, nothing more to do)" converged "$VIF_TMP/$to.conf"
	# back to map a, eth1 stays on xenbr0: the bridge has guest ports
	want="xenbr1 eth1@xenbr0 "
	[ $to = b ] && want="xenbr2 eth1@xenbr0 stp"
	t_eq "round $r: the reload's changes are there" "$want" "$(map_shape)"
	[ $to = a ] && [ $r -gt 1 ] && t_match "round $r: the reload says why eth1 stays" \
		"eth1 stays on xenbr0: the bridge has guest ports" "$(cat "$VIF_TMP/reload.out")"
	w_stop
	t_nomatch "round $r: witness: no guest port left xenbr0, went down or was deleted" \
		"^(MASTER [^ ]+ xenbr0 |DOWN|CARRIER-LOSS|DELETE|RENAME|OVERRUN)" "$wev"
	t_match "round $r: witness saw the guests join (it was watching)" "^MASTER vif$D.63 - xenbr0" \
		"$wev"
	all_vifs offline
	wait_vifs
	t_eq "round $r: $COUNT offlines exit 0" 0 "$(vif_failures)"
	[ $to = b ] && to=a || to=b
	r=$((r + 1))
done

# -- 2. two reloads at once ---------------------------------------------------
all_vifs online
wait_vifs
t_eq "$COUNT guests online again" 0 "$(vif_failures)"
r=1
bad=0
while [ $r -le 8 ]; do
	"$X" reload -c "$VIF_TMP/$to.conf" >"$VIF_TMP/r1" 2>&1 &
	p1=$!
	"$X" reload -c "$VIF_TMP/$to.conf" >"$VIF_TMP/r2" 2>&1 &
	p2=$!
	wait $p1; rc1=$?
	wait $p2; rc2=$?
	if [ $rc1 != 0 ] || [ $rc2 != 0 ]; then
		t_failmsg "two reloads to map $to: exit $rc1 and $rc2"
		sed 's/^/#   1: /' "$VIF_TMP/r1"; sed 's/^/#   2: /' "$VIF_TMP/r2"; bad=1; break
	fi
	if ! converged "$VIF_TMP/$to.conf"; then
		t_failmsg "two reloads to map $to: not converged"; bad=1; break
	fi
	# one of them did the work, the other (after the lock) found nothing to do
	if ! cat "$VIF_TMP/r1" "$VIF_TMP/r2" | grep -qx "nothing to do"; then
		t_failmsg "two reloads to map $to: neither found the other's work done"
		sed 's/^/#   1: /' "$VIF_TMP/r1"; sed 's/^/#   2: /' "$VIF_TMP/r2"; bad=1; break
	fi
	[ $to = b ] && to=a || to=b
	r=$((r + 1))
done
t_eq "8 times two reloads at once: both exit 0, they serialise, the map results" 0 $bad
t_eq "the $COUNT guests stayed through them" $COUNT "$(guests_ok)"
all_vifs offline
wait_vifs
t_eq "$COUNT offlines exit 0" 0 "$(vif_failures)"

# -- 3. hotplug while the run lock is held ------------------------------------
command -v flock >/dev/null || t_bail "flock(1) missing (util-linux)"
rm -f "$VIF_TMP/held" "$VIF_TMP/release"
flock "$XENPLUMB_STATE_DIR/lock" sh -c \
	"touch '$VIF_TMP/held'; while [ ! -e '$VIF_TMP/release' ]; do sleep 0.05; done" &
hp=$!
k=0
while [ ! -e "$VIF_TMP/held" ] && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
t_ok "this test holds the run lock" test -e "$VIF_TMP/held"
"$X" reload --wait 600 -c "$VIF_TMP/$to.conf" >"$VIF_TMP/reload.out" 2>&1 &
rp=$!
all_vifs online
wait_vifs
t_eq "with the lock held, $COUNT onlines all exit 0" 0 "$(vif_failures)"
t_eq "and all $COUNT are connected, on xenbr0, up" $COUNT "$(guests_ok)"
t_ok "the reload started meanwhile still waits for the lock" kill -0 $rp
# all it may have said is that it waits (every 2 s, naming the holder)
t_eq "and has changed nothing yet" "" \
	"$(grep -v "^network-xenplumb: waiting for $XENPLUMB_STATE_DIR/lock, held by pid $hp " "$VIF_TMP/reload.out")"
touch "$VIF_TMP/release"
wait $hp
wait $rp
t_eq "released: the reload exits 0" 0 $?
t_ok "map $to is in place" converged "$VIF_TMP/$to.conf"
t_eq "the guests stayed" $COUNT "$(guests_ok)"
t_done
