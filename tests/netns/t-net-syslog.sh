#!/bin/sh
# What network-xenplumb sends to syslog (docs/logging.md): every applied
# step, every map error and refusal, the CAP_NET_ADMIN error, the failure,
# each undo of the rollback, the module to load for a missing driver, and
# the Open vSwitch steps;
# facility daemon, tag network-xenplumb[PID].  status, check and dry runs
# log nothing.  Without a syslog daemon a run asks /dev/log once, not once a
# line.  The listener is our own, on /dev/log of a private mount namespace
# (a tmpfs /dev holding the few nodes the commands use): never the host's
# syslog.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
# The test runs in a mount namespace of its own; its TAP lines come out on
# stdout as any test's.
if [ "${XP_SYSLOG_INNER:-}" != 1 ]; then
	XP_SYSLOG_INNER=1 exec unshare -m --propagation private sh "$0"
fi
net_setup
command -v strace >/dev/null || t_bail "strace missing (scripts/deps/net.txt)"
command -v setpriv >/dev/null || t_bail "setpriv missing (util-linux)"
LOG=$tmp/syslog.txt
# A /dev of our own: a fresh tmpfs over /dev in this private mount
# namespace, with nodes made here (the host's /dev is neither bound nor
# touched; nothing under $tmp refers to it).
[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] ||
	t_bail "not in a private mount namespace"
mount -t tmpfs -o mode=0755 xpdev /dev || t_bail "tmpfs on /dev"
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
	IFS=: read -r name maj min <<EOF_N
$n
EOF_N
	mknod -m 0666 "/dev/$name" c "$maj" "$min" || t_bail "/dev/$name"
done
ln -s /proc/self/fd /dev/fd

# listen_start: our syslog daemon on /dev/log, every datagram a line of $LOG
listen_start() {
	: >"$LOG"
	python3 -c '
import socket, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[2], "w").close()
os.rename(sys.argv[2], sys.argv[2] + ".up")
with open(sys.argv[1], "a") as f:
    while True:
        m = s.recv(65536).decode("utf-8", "replace").rstrip("\n")
        f.write(m + "\n"); f.flush()
' "$LOG" "$tmp/ready" &
	lpid=$!
	i=0
	until [ -e "$tmp/ready.up" ] || [ $i -ge 500 ]; do sleep 0.01; i=$((i + 1)); done
	rm -f "$tmp/ready.up"
	[ -S /dev/log ] || t_bail "listener did not start"
}
listen_stop() { kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null; rm -f /dev/log; }
# mark: everything sent so far is in $LOG (a marker line has arrived)
mark_n=0
mark() {
	mark_n=$((mark_n + 1))
	logger -u /dev/log -t xpmark "mark $mark_n"
	i=0
	until grep -q "xpmark.*mark $mark_n\$" "$LOG" || [ $i -ge 500 ]; do
		sleep 0.01
		i=$((i + 1))
	done
}
# since: the lines after the last mark but one (this step's), marks aside
since() { awk -v n="$((mark_n - 1))" '/xpmark.*mark /{m=$NF; next} m==n' "$LOG"; }
trap 'listen_stop; rm -rf "$tmp"' EXIT

ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0 up
cat >"$tmp/map.conf" <<'MAP'
[bridge xenbr0]
ports = eth0
[bridge xenbr1]
MAP
# <PRI> = facility daemon (3) * 8 + severity
ERR='<27>' WARN='<28>' NOTICE='<29>'

nsteps=$($X start -c "$tmp/map.conf" --dry-run | grep -cE '^ *[0-9]+\. ')
listen_start
mark
$X start -c "$tmp/map.conf" >/dev/null
t_eq "start exits 0" 0 $?
mark
lines=$(since)
t_match "each step at notice, facility daemon, tagged with the pid" \
	"^$NOTICE.* network-xenplumb\[[0-9]+\]: start: 1\. create bridge xenbr0" "$lines"
t_match "the port step" "^$NOTICE.*: start: [0-9]+\. add port eth0 to bridge xenbr0" "$lines"
t_match "the summary" "^$NOTICE.*: start: [0-9]+ operations applied" "$lines"
t_eq "one line per step" "$nsteps" "$(printf '%s\n' "$lines" | grep -cE ': start: [0-9]+\. ')"
mark

# read-only commands log nothing
$X status -c "$tmp/map.conf" >/dev/null
$X status --json -c "$tmp/map.conf" >/dev/null
$X check -c "$tmp/map.conf" >/dev/null
$X reload --dry-run -c "$tmp/map.conf" >/dev/null
printf '[bridge xenbr0]\nstp = perhaps\n' >"$tmp/bad.conf"
$X check -c "$tmp/bad.conf" >/dev/null 2>&1
mark
t_eq "status, check and dry runs log nothing" "" "$(since)"

# map errors
$X reload -c "$tmp/bad.conf" >/dev/null 2>&1
t_eq "reload of a bad map: exit 2" 2 $?
mark
lines=$(since)
t_match "the map error at err, with FILE:LINE and the value" \
	"^$ERR.*network-xenplumb\[[0-9]+\]: $tmp/bad.conf:2: stp is not yes or no, 'perhaps'" "$lines"
t_match "and nothing changed" "^$ERR.*: 1 error in the map; nothing changed" "$lines"

# a refusal: a port with an address, no move-addresses
ip link add eth1 type veth peer name eth1-peer
ip addr add 192.0.2.7/24 dev eth1
printf '[bridge xenbr0]\nports = eth0\n[bridge xenbr1]\nports = eth1\n' >"$tmp/refuse.conf"
out=$($X reload -c "$tmp/refuse.conf" 2>&1 >/dev/null)
t_eq "refused reload: exit 2" 2 $?
mark
lines=$(since)
t_match "the refusal at err, as on stderr" "^$ERR.*network-xenplumb\[[0-9]+\]: .*eth1" "$lines"
first=$(printf '%s\n' "$out" | head -1)
t_match "the same text as stderr" "$(printf '%s' "$first" | sed 's/[][\.*^$()+?{}|]/\\&/g')" "$lines"
t_match "and its summary" "^$ERR.*: reload: 1 error; nothing changed" "$lines"

# without CAP_NET_ADMIN
setpriv --bounding-set=-net_admin $X reload -c "$tmp/map.conf" >/dev/null 2>"$tmp/cap.err"
t_eq "no CAP_NET_ADMIN: exit 2" 2 $?
mark
t_match "the CAP_NET_ADMIN error at err" "^$ERR.*: reload needs CAP_NET_ADMIN" "$(since)"
t_eq "said once on stderr, named once" \
	"network-xenplumb: reload needs CAP_NET_ADMIN (run as root); try --dry-run or status" \
	"$(cat "$tmp/cap.err")"

# a failed step and the rollback
printf '[bridge xenbr0]\nports = eth0\n[bridge xenbr1]\n[bridge xenbr2]\nmtu = 1400\n' \
	>"$tmp/more.conf"
XENPLUMB_FAIL_AT=2 $X reload -c "$tmp/more.conf" >/dev/null 2>&1
t_eq "failed reload: exit 1" 1 $?
mark
lines=$(since)
t_match "the step done first at notice" "^$NOTICE.*: reload: 1\. create bridge xenbr2" "$lines"
t_match "the failure at err" "^$ERR.*: reload: FAILED: .*injected failure" "$lines"
t_match "each undo at notice" "^$NOTICE.*: reload: rollback: undone: delete bridge xenbr2" "$lines"
t_match "the outcome at err" "^$ERR.*: reload: .*everything this run did was undone" "$lines"
t_fails "rolled back" ip link show xenbr2

# a driver the kernel lacks: the module to load
t_fails "this kernel has no dummy driver (precondition)" ip link add xpprobe0 type dummy
printf '[dummy dummy0]\n' >"$tmp/dummy.conf"
out=$($X start -c "$tmp/dummy.conf" 2>&1)
t_eq "start of a dummy without the driver: exit 1" 1 $?
t_match "stderr names the module and the modprobe" \
	"network-xenplumb: the kernel has no dummy driver: load it with 'modprobe dummy'" "$out"
mark
t_match "so does syslog, at err" "^$ERR.*: the kernel has no dummy driver: load it with 'modprobe dummy'" "$(since)"

# stop logs its steps too
$X stop -c "$tmp/map.conf" >/dev/null
mark
t_match "stop's steps at notice" "^$NOTICE.*: stop: 1\. delete bridge" "$(since)"

# Open vSwitch steps (OVSDB, not netlink) are logged as the netlink ones
# are: a change at notice, a bridge kept for its guests at warning
# shellcheck source=tests/lib/ovs.sh
. "$T_ROOT/tests/lib/ovs.sh"
ovs_start || t_bail "cannot start Open vSwitch"
trap 'listen_stop; ovs_stop; rm -rf "$tmp"' EXIT
printf '[bridge xpslovs]\ntype = openvswitch\ndatapath-type = netdev\n' >"$tmp/ovs.conf"
mark
$X start -c "$tmp/ovs.conf" >/dev/null
t_eq "start of an OVS bridge exits 0" 0 $?
mark
t_match "the OVS step at notice, with its command" \
	"^$NOTICE.* network-xenplumb\[[0-9]+\]: start: create OVS bridge xpslovs" "$(since)"
ovs-vsctl --timeout=20 add-port xpslovs xpslg -- set Interface xpslg type=internal
mark
$X stop -c "$tmp/ovs.conf" >/dev/null
mark
t_match "a bridge kept for a port not in the map at warning" \
	"^$WARN.*: stop: keep OVS bridge xpslovs: ports not in the map are on it \(xpslg\)" "$(since)"
ovs-vsctl --timeout=20 del-port xpslovs xpslg
mark
$X stop -c "$tmp/ovs.conf" >/dev/null
mark
t_match "stop's OVS step at notice" "^$NOTICE.*: stop: delete OVS bridge xpslovs" "$(since)"
ovs_stop
listen_stop

# no daemon: /dev/log is asked once per run, not once per line
t_fails "no /dev/log now" test -e /dev/log
# (LeakSanitizer cannot run under ptrace: a SAN=1 build checks leaks elsewhere)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -f -qq -e trace=connect -o "$tmp/strace.txt" $X start -c "$tmp/map.conf" >"$tmp/nolog.out"
t_eq "start without a syslog daemon: exit 0" 0 $?
t_match "it still prints its steps" "1\. create bridge xenbr0" "$(cat "$tmp/nolog.out")"
n=$(grep -c '/dev/log' "$tmp/strace.txt")
t_eq "one connect to /dev/log for $(grep -cE '^ *[0-9]+\. ' "$tmp/nolog.out") steps" 1 "$n"
t_ok "stop" $X stop -c "$tmp/map.conf"
t_done
