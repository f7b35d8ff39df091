#!/bin/sh
# VM half of `make bench` (bench/run boots it through tests/vm/run with
# xp.tests=b-net64.sh; it is not a t-*.sh, so the VM test tier never runs
# it).  network-xenplumb start of a map with dummy0, 64 VLANs on it and 64
# bridges (one per VLAN), then a no-op reload, timed with $B/bench/xpbtime
# next to reference commands run in the same VM, because TCG inflates every
# absolute number:
#   ref.true      /bin/true: what a process start costs here
#   ref.ipbatch   ip -batch creating the same 129 links (one process, one
#                 netlink request per change: the kernel's own floor)
#   ref.iplink    ip -d link show: one dump of every link
#   calib         ip -batch creating 64 bridges + 32 veth pairs, also run on
#                 the host by bench/host.sh, to estimate the VM's slowdown
# Results are "# XPB key value" lines; the checks (TAP) are functional only
# (the map was applied, the reload changed nothing), never about time.
# xp.bench.runs=N on the kernel command line sets the repetitions (5).
# shellcheck disable=SC1091
. "$(dirname "$0")/../lib/t.sh"

NX=$B/network-xenplumb
TIMER=$B/bench/xpbtime
[ -x "$NX" ] || t_bail "$NX is missing"
[ -x "$TIMER" ] || t_bail "$TIMER is missing (make bench builds it)"
RUNS=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^xp\.bench\.runs=//p')
: "${RUNS:=5}"
TMP=$(mktemp -d)
export XENPLUMB_STATE_DIR="$TMP/state"
export XENPLUMB_HOTPLUG_LOG="$TMP/hotplug.log"
mkdir -p "$XENPLUMB_STATE_DIR"
MAP=$TMP/net64.conf
NV=64

xpb() { echo "# XPB $1 $2"; }
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# timed FILE CMD...: run CMD under xpbtime, append its ns to FILE; the
# exit status is CMD's success (0) or not (1); $RSS gets its peak RSS
timed() {
	_f=$1
	shift
	_l=$("$TIMER" -l "$TMP/cmd.log" -- "$@")
	field wall_ns "$_l" >>"$_f"
	RSS=$(field maxrss_kb "$_l")
	[ "$(field fails "$_l")" = 0 ]
}
# stats FILE KEY: p50 and max in ms
stats() {
	sort -n "$1" | awk -v k="$2" '{ v[NR] = $1 }
		END { if (NR) printf "# XPB %s.p50_ms %.3f\n# XPB %s.max_ms %.3f\n# XPB %s.runs %d\n",
			k, v[int((NR + 1) / 2)] / 1e6, k, v[NR] / 1e6, k, NR }'
}
p50() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

ip link set lo up
{
	echo "# bench: dummy0, $NV VLANs on it, one bridge per VLAN"
	echo "[dummy dummy0]"
	i=1
	while [ "$i" -le "$NV" ]; do
		printf '\n[vlan dummy0.%d]\n\n[bridge xbr%d]\nports = dummy0.%d\n' \
			$((100 + i)) "$i" $((100 + i))
		i=$((i + 1))
	done
} >"$MAP"

# --- references -----------------------------------------------------------
i=1
{
	echo "link add xpr0 type dummy"
	echo "link set xpr0 up"
	while [ "$i" -le "$NV" ]; do
		echo "link add link xpr0 name xpr0.$((100 + i)) type vlan id $((100 + i))"
		echo "link add xpb$i type bridge"
		echo "link set xpr0.$((100 + i)) master xpb$i"
		echo "link set xpr0.$((100 + i)) up"
		echo "link set xpb$i up"
		i=$((i + 1))
	done
} >"$TMP/ref.batch"
{
	echo "link del xpr0"
	i=1
	while [ "$i" -le "$NV" ]; do
		echo "link del xpb$i"
		i=$((i + 1))
	done
} >"$TMP/ref.undo"
i=1
while [ "$i" -le 64 ]; do
	echo "link add xpc$i type bridge"
	[ "$i" -le 32 ] && echo "link add xpcv$i type veth peer name xpcp$i"
	i=$((i + 1))
done >"$TMP/calib.batch"
sed -n 's/^link add \([^ ]*\) .*/link del \1/p' "$TMP/calib.batch" >"$TMP/calib.undo"

r=0
refok=0
while [ "$r" -lt "$RUNS" ]; do
	timed "$TMP/true" true || refok=1
	timed "$TMP/ipbatch" ip -batch "$TMP/ref.batch" || refok=1
	timed "$TMP/iplink" ip -d link show || refok=1
	ip -batch "$TMP/ref.undo" || refok=1
	timed "$TMP/calib" ip -batch "$TMP/calib.batch" || refok=1
	ip -batch "$TMP/calib.undo" || refok=1
	r=$((r + 1))
done
t_eq "reference commands ran" 0 "$refok"
stats "$TMP/true" vm.ref.true
stats "$TMP/ipbatch" vm.ref.ipbatch
stats "$TMP/iplink" vm.ref.iplink
stats "$TMP/calib" vm.calib

# --- network-xenplumb start / reload ----------------------------------------
links() { ip -o link show | sed 's/^[0-9]*: //; s/ link\/.*//' | sort; }
# ports_ok: every xbrN has dummy0.(100+N), a VLAN of dummy0 with id 100+N,
# as its port (one ip call: process starts are dear under TCG)
ports_ok() {
	ip -o -d link show | awk -v nv="$NV" '
		match($0, / dummy0\.[0-9]+@dummy0: /) {
			id = substr($0, RSTART + 8, RLENGTH - 17) + 0
			if ($0 ~ (" master xbr" (id - 100) " ") && $0 ~ ("vlan protocol 802.1Q id " id " "))
				ok++
		}
		END { exit ok != nv }'
}
# clean: remove everything the map made, so each start begins from nothing
clean() {
	"$NX" stop -c "$MAP" >>"$TMP/cmd.log" 2>&1
	ip link del dummy0 2>/dev/null
	i=1
	while [ "$i" -le "$NV" ]; do
		ip link del "xbr$i" 2>/dev/null
		i=$((i + 1))
	done
	rm -rf "$XENPLUMB_STATE_DIR" && mkdir -p "$XENPLUMB_STATE_DIR"
}

# facts: what a no-op reload must not change, one line per link: ifindex,
# name, admin flags (not carrier: operstate settles on its own), mtu, master
facts() {
	ip -o link show | awk '{
		n = split($3, f, /[<>,]/)
		fl = ""
		for (i = 1; i <= n; i++)
			if (f[i] != "" && f[i] !~ /^(LOWER_UP|NO-CARRIER|M-DOWN)$/) fl = fl f[i] ","
		m = "-"; mtu = "-"
		for (i = 4; i < NF; i++) {
			if ($i == "master") m = $(i + 1)
			if ($i == "mtu") mtu = $(i + 1)
		}
		print $1, $2, fl, mtu, m }' | sort
}

startok=0 reloadok=0 same=0 shaped=0
r=0
while [ "$r" -lt "$RUNS" ]; do
	clean
	timed "$TMP/start" "$NX" start -c "$MAP" || startok=$((startok + 1))
	START_RSS=$RSS
	ports_ok || shaped=$((shaped + 1))
	facts >"$TMP/before"
	timed "$TMP/reload" "$NX" reload -c "$MAP" || reloadok=$((reloadok + 1))
	RELOAD_RSS=$RSS
	facts >"$TMP/after"
	if ! cmp -s "$TMP/before" "$TMP/after"; then
		same=$((same + 1))
		diff "$TMP/before" "$TMP/after" | sed 's/^/#   reload changed: /'
	fi
	r=$((r + 1))
done
t_eq "start -c MAP succeeded every time" 0 "$startok"
t_eq "the 64 VLANs are the 64 bridges' ports after every start" 0 "$shaped"
t_eq "no-op reload succeeded every time" 0 "$reloadok"
t_eq "no-op reload left every link as it was" 0 "$same"
t_eq "bridges in the namespace" "$NV" "$(ip -o link show type bridge | wc -l)"
stats "$TMP/start" vm.start
stats "$TMP/reload" vm.reload
xpb vm.start.rss_kb "$START_RSS"
xpb vm.reload.rss_kb "$RELOAD_RSS"
xpb vm.links_made $((2 * NV + 1))
xpb vm.runs "$RUNS"
xpb vm.start.x_ipbatch "$(awk -v a="$(p50 "$TMP/start")" -v b="$(p50 "$TMP/ipbatch")" 'BEGIN { printf "%.2f", a / b }')"
xpb vm.reload.x_iplink "$(awk -v a="$(p50 "$TMP/reload")" -v b="$(p50 "$TMP/iplink")" 'BEGIN { printf "%.2f", a / b }')"
xpb vm.start.x_true "$(awk -v a="$(p50 "$TMP/start")" -v b="$(p50 "$TMP/true")" 'BEGIN { printf "%.1f", a / b }')"
xpb vm.reload.x_true "$(awk -v a="$(p50 "$TMP/reload")" -v b="$(p50 "$TMP/true")" 'BEGIN { printf "%.1f", a / b }')"

# --- syscall counts (deterministic, unlike TCG time) -------------------------
# strace -f -c: total calls, and the netlink traffic (sendmsg/sendto/recvmsg/
# recvfrom) that shows round trips.
sc() { # FILE PREFIX
	awk -v p="$2" '
		$NF == "total" { total = $4 }
		$NF ~ /^(sendmsg|sendto)$/ { sends += $4 }
		$NF ~ /^(recvmsg|recvfrom)$/ { recvs += $4 }
		END { printf "# XPB %s.syscalls %d\n# XPB %s.sends %d\n# XPB %s.recvs %d\n",
			p, total, p, sends, p, recvs }' "$1"
}
if command -v strace >/dev/null 2>&1; then
	clean
	strace -f -c -o "$TMP/st.start" "$NX" start -c "$MAP" >>"$TMP/cmd.log" 2>&1
	strace -f -c -o "$TMP/st.reload" "$NX" reload -c "$MAP" >>"$TMP/cmd.log" 2>&1
	strace -f -c -o "$TMP/st.true" true
	sc "$TMP/st.start" vm.start
	sc "$TMP/st.reload" vm.reload
	sc "$TMP/st.true" vm.ref.true
	t_ok "strace counted start" test -s "$TMP/st.start"
	# where the time goes (by syscall, busiest first)
	for a in start reload; do
		sed -n '3,10p' "$TMP/st.$a" | sed "s/^/#   strace $a: /"
	done
else
	t_failmsg "strace is not in the VM image (needed for the syscall counts)"
fi
clean
sed 's/^/#   cmd.log: /' "$TMP/cmd.log" | tail -n 20
rm -rf "$TMP"
t_done
