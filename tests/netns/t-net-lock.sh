#!/bin/sh
# The run lock: a start that finds another run holding STATEDIR/lock waits
# at most --wait seconds (default 5), says every 2 s who holds it (pid and
# command, from /proc/locks), then gives up with exit 75 and changes
# nothing; --wait 0 gives up at once; the holder writes its pid and command
# into the lock file; a lock that is not a regular file is refused.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup
command -v flock >/dev/null || t_bail "flock(1) missing (util-linux)"

ip link set lo up
ip link add eth0 type veth peer name eth0-peer
cat >"$tmp/map.conf" <<MAP
[bridge xenbr0]
ports = eth0
MAP
$X start -c "$tmp/map.conf" >/dev/null 2>&1
t_match "the holder's pid and command are in the lock file" \
	"^[0-9]+ .*network-xenplumb start -c $tmp/map.conf" "$(cat "$tmp/state/lock")"
$X stop -c "$tmp/map.conf" >/dev/null 2>&1
net_snap >"$tmp/s0"

flock "$tmp/state/lock" sh -c "touch '$tmp/held'; while [ ! -e '$tmp/release' ]; do sleep 0.05; done" &
hp=$!
k=0
while [ ! -e "$tmp/held" ] && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
t_ok "this test holds the run lock" test -e "$tmp/held"

out=$($X start -c "$tmp/map.conf" --wait 3 2>&1)
t_eq "lock held past --wait 3: exit 75" 75 $?
t_match "it said who holds it while waiting" \
	"waiting for $tmp/state/lock, held by pid $hp \(flock $tmp/state/lock sh -c" "$out"
t_match "then gave up naming the holder and --wait" \
	"lock is held by pid $hp \(flock .*gave up after 3 s \(--wait SECONDS to wait longer\); nothing changed" "$out"
t_nomatch "and planned nothing" "create bridge" "$out"

out=$($X stop -c "$tmp/map.conf" --wait=0 2>&1)
t_eq "--wait=0: exit 75 at once" 75 $?
t_nomatch "--wait=0 did not wait" "waiting for" "$out"
t_match "--wait=0 names the holder" "held by pid $hp" "$out"
net_snap >"$tmp/s1"
t_ok "the runs that gave up changed nothing" diff "$tmp/s0" "$tmp/s1"

$X start -c "$tmp/map.conf" --wait 30 >"$tmp/late.out" 2>&1 &
sp=$!
sleep 0.3
touch "$tmp/release"
wait $hp
wait $sp
t_eq "released within --wait 30: start exits 0" 0 $?
t_ok "and built the bridge" ip link show xenbr0
$X stop -c "$tmp/map.conf" >/dev/null 2>&1

out=$($X start -c "$tmp/map.conf" --wait abc 2>&1)
t_eq "--wait abc: exit 2" 2 $?
t_match "--wait abc is named" "bad --wait, 'abc'" "$out"

rm -f "$tmp/state/lock"
mkfifo "$tmp/state/lock"
out=$(timeout 10 $X start -c "$tmp/map.conf" 2>&1)
t_eq "a FIFO as lock: exit 2 (no hang)" 2 $?
t_match "the FIFO lock is named" "lock $tmp/state/lock is not a regular file" "$out"
t_done
