#!/bin/sh
# Host-native stand-in for the VM's 64-VLAN map (bench/run starts it in a
# private network namespace of its own): the host kernel has no 8021q or
# dummy, but network-xenplumb's start/reload code paths are the same for a
# map of 64 bridges, each with one existing veth as its port (128 links).
# Times start from nothing and a no-op reload natively, and counts their
# instructions (callgrind), syscalls, netlink round trips and fsyncs
# (strace).  Writes "key value" lines to $XPB_OUT (keys net64host.*).
set -u
: "${B:=build}" "${XPB_NET_RUNS:=5}" "${XPB_CALLGRIND:=1}"
ROOT=$(pwd)
OUT=$XPB_OUT
TMP=$XPB_TMP/net64
TIMER=$ROOT/$B/bench/xpbtime
NX=$ROOT/$B/network-xenplumb
NV=64
mkdir -p "$TMP"

die() {
	echo "bench: FAILED: $*" >&2
	exit 1
}
res() { echo "net64host.$1 $2" >>"$OUT"; }
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
stats() { # FILE KEY
	sort -n "$1" | awk -v k="net64host.$2" '{ v[NR] = $1 }
		END { if (NR) printf "%s.p50_ms %.3f\n%s.max_ms %.3f\n%s.runs %d\n",
			k, v[int((NR + 1) / 2)] / 1e6, k, v[NR] / 1e6, k, NR }' >>"$OUT"
}

export XENPLUMB_STATE_DIR="$TMP/state"
export XENPLUMB_HOTPLUG_LOG="$TMP/hotplug.log"
MAP=$TMP/net64h.conf
ip link set lo up || die "lo up"
i=1
while [ "$i" -le "$NV" ]; do
	printf '[bridge xbr%d]\nports = xpe%d\n\n' "$i" "$i"
	echo "link add xpe$i type veth peer name xpq$i" >>"$TMP/nics.batch"
	echo "link set xpq$i up" >>"$TMP/nics.batch"
	i=$((i + 1))
done >"$MAP"
ip -batch "$TMP/nics.batch" || die "creating the stand-in NICs"

clean() {
	"$NX" stop -c "$MAP" >>"$TMP/cmd.log" 2>&1
	i=1
	while [ "$i" -le "$NV" ]; do
		ip link del "xbr$i" 2>/dev/null
		i=$((i + 1))
	done
	rm -rf "$XENPLUMB_STATE_DIR" && mkdir -p "$XENPLUMB_STATE_DIR"
}
ports_ok() {
	[ "$(ip -o link show | grep -cE ' xpe([0-9]+)@xpq[0-9]+: .* master xbr\1 ')" -eq "$NV" ]
}
facts() {
	ip -o link show | awk '{
		n = split($3, f, /[<>,]/)
		fl = ""
		for (i = 1; i <= n; i++)
			if (f[i] != "" && f[i] !~ /^(LOWER_UP|NO-CARRIER|M-DOWN)$/) fl = fl f[i] ","
		m = "-"
		for (i = 4; i < NF; i++) if ($i == "master") m = $(i + 1)
		print $1, $2, fl, m }' | sort
}

bad=0
r=0
while [ "$r" -lt "$XPB_NET_RUNS" ]; do
	clean
	l=$("$TIMER" -l "$TMP/cmd.log" -- "$NX" start -c "$MAP")
	[ "$(field fails "$l")" = 0 ] || bad=$((bad + 1))
	field wall_ns "$l" >>"$TMP/start"
	res start.rss_kb "$(field maxrss_kb "$l")"
	ports_ok || bad=$((bad + 1))
	facts >"$TMP/before"
	l=$("$TIMER" -l "$TMP/cmd.log" -- "$NX" reload -c "$MAP")
	[ "$(field fails "$l")" = 0 ] || bad=$((bad + 1))
	field wall_ns "$l" >>"$TMP/reload"
	res reload.rss_kb "$(field maxrss_kb "$l")"
	facts >"$TMP/after"
	cmp -s "$TMP/before" "$TMP/after" || bad=$((bad + 1))
	r=$((r + 1))
done
stats "$TMP/start" start
stats "$TMP/reload" reload
res failures "$bad"
res links_in_map $((2 * NV))

# counts: strace (syscalls, netlink round trips, fsyncs), callgrind
sc() { # FILE KEY
	awk -v k="net64host.$2" '
		$NF == "total" { total = $4 }
		$NF == "sendmsg" || $NF == "sendto" { sends += $4 }
		$NF == "fsync" || $NF == "fdatasync" { fsyncs += $4 }
		END { printf "%s.syscalls %d\n%s.sends %d\n%s.fsyncs %d\n", k, total, k, sends, k, fsyncs }' \
		"$1" >>"$OUT"
}
clean
strace -f -c -o "$TMP/st.start" "$NX" start -c "$MAP" >>"$TMP/cmd.log" 2>&1
strace -f -c -o "$TMP/st.reload" "$NX" reload -c "$MAP" >>"$TMP/cmd.log" 2>&1
sc "$TMP/st.start" start
sc "$TMP/st.reload" reload
# what a no-op reload asks the kernel: requests by type ("_dump": a dump)
strace -f -e trace=sendmsg,sendto -o "$TMP/st.msgs" "$NX" reload -c "$MAP" >>"$TMP/cmd.log" 2>&1
grep -o 'nlmsg_type=[A-Z_]*, nlmsg_flags=[A-Z_|]*' "$TMP/st.msgs" |
	sed 's/nlmsg_type=\([A-Z_]*\), nlmsg_flags=.*DUMP.*/\1_dump/; s/nlmsg_type=\([A-Z_]*\),.*/\1/' |
	sort | uniq -c | while read -r cnt typ; do res "reload.requests.$typ" "$cnt"; done
if [ "$XPB_CALLGRIND" = 1 ]; then
	clean
	for a in start reload; do
		valgrind -q --tool=callgrind --callgrind-out-file="$TMP/cg.$a" "$NX" "$a" -c "$MAP" \
			>>"$TMP/cmd.log" 2>&1 || bad=$((bad + 1))
		res "$a.instructions" "$(awk '/^summary:/ { print $2 }' "$TMP/cg.$a")"
	done
fi
clean
[ "$bad" -eq 0 ] || {
	echo "bench: net64 (host): $bad failed or ineffective runs; log:" >&2
	tail -n 20 "$TMP/cmd.log" >&2
	exit 1
}
exit 0
