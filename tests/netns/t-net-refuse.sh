#!/bin/sh
# Refusals change nothing: a malformed map (every error as FILE:LINE), a
# device of the wrong kind under a bridge's name, a port enslaved
# elsewhere, and a caller without CAP_NET_ADMIN (who may still --dry-run).
# Also: start/stop serialise on the state directory's lock.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
cd "$T_ROOT" || exit 1
X=$(pwd)/$B/network-xenplumb
[ -x "$X" ] || t_bail "build $X first (make)"
ip link show xenbr0 >/dev/null 2>&1 && t_bail "not in a private namespace (xenbr0 exists)"
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
export XENPLUMB_STATE_DIR="$tmp/state"

# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
# A refusal changes nothing at all: the qdisc, the order of addresses and
# routes and the ifindexes are kept too (no link is ever set up or down
# between two snapshots).
snap() { net_snap --qdisc --order --ifindex; }

ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link add eth1 type veth peer name eth1-peer
ip link set eth0 up
snap >"$tmp/s0"

cat >"$tmp/bad.conf" <<MAP
[bridge xenbr0]
ports = eth0
stp = maybe

[bridge xenbr1]
ports = eth1
mtu = 12
MAP
out=$($X start -c "$tmp/bad.conf" 2>&1)
t_eq "malformed map: exit 2" 2 $?
t_match "first error at its line" "^$tmp/bad.conf:3: .*maybe" "$out"
t_match "second error at its line" "^$tmp/bad.conf:7: .*12" "$out"
t_match "says nothing changed" "nothing changed" "$out"
out=$($X reload -c "$tmp/bad.conf" 2>&1)
t_eq "malformed map, reload: exit 2" 2 $?
out=$($X start -c "$tmp/nonexistent.conf" 2>&1)
t_eq "missing map: exit 2" 2 $?
t_match "missing map is named" "nonexistent.conf" "$out"

ip link add xenbr0 type veth peer name xenbr0-peer
cat >"$tmp/good.conf" <<MAP
[bridge xenbr1]
ports = eth1

[bridge xenbr0]
ports = eth0
MAP
snap >"$tmp/s0"
out=$($X start -c "$tmp/good.conf" 2>&1)
t_eq "wrong kind: exit 2" 2 $?
t_match "wrong kind named with its map line" "good.conf:4: xenbr0 exists but is a veth, not a bridge" "$out"
snap >"$tmp/s1"
t_ok "wrong kind: nothing changed (not even xenbr1)" diff "$tmp/s0" "$tmp/s1"
ip link del xenbr0

ip link add other0 type bridge
ip link set eth0 master other0
snap >"$tmp/s0"
out=$($X start -c "$tmp/good.conf" 2>&1)
t_eq "port enslaved elsewhere: exit 2" 2 $?
t_match "says where eth0 is" "eth0 of bridge xenbr0 is already enslaved to other0" "$out"
snap >"$tmp/s1"
t_ok "port elsewhere: nothing changed" diff "$tmp/s0" "$tmp/s1"
ip link set eth0 nomaster
ip link del other0

snap >"$tmp/s0"
out=$(setpriv --bounding-set=-net_admin --inh-caps=-net_admin $X start -c "$tmp/good.conf" 2>&1)
t_eq "root without CAP_NET_ADMIN: exit 2" 2 $?
t_match "says it needs CAP_NET_ADMIN" "needs CAP_NET_ADMIN" "$out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $X start -c "$tmp/good.conf" 2>&1)
t_eq "unprivileged user: exit 2" 2 $?
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $X start -c "$tmp/good.conf" --dry-run 2>&1)
t_eq "unprivileged --dry-run works" 0 $?
t_match "unprivileged --dry-run shows the plan" "create bridge xenbr0" "$out"
snap >"$tmp/s1"
t_ok "unprivileged runs changed nothing" diff "$tmp/s0" "$tmp/s1"

# the lock: a start waits while someone holds it
$X start -c "$tmp/good.conf" >/dev/null 2>&1
$X stop -c "$tmp/good.conf" >/dev/null 2>&1
t_ok "lock file exists" test -f "$tmp/state/lock"
# the holder says when it has the lock: a fixed sleep before the start
# would let a start that runs first on a slow machine take it instead
flock "$tmp/state/lock" sh -c "touch '$tmp/held'; sleep 1.5" &
fpid=$!
k=0
while [ ! -e "$tmp/held" ] && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
t_ok "this test holds the run lock" test -e "$tmp/held"
t0=$(date +%s%N)
$X start -c "$tmp/good.conf" >/dev/null 2>&1
rc=$?
t1=$(date +%s%N)
wait "$fpid"
t_eq "start under a held lock still succeeds" 0 "$rc"
t_ok "start waited for the lock (>= 0.9 s)" test $(((t1 - t0) / 1000000)) -ge 900
$X stop -c "$tmp/good.conf" >/dev/null 2>&1
t_done
