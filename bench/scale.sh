#!/bin/sh
# Costs against map and host size (issue 18); bench/run starts it in a
# private network namespace of its own.  Writes "key value" lines to
# $XPB_OUT (keys scale.*):
#  - start --dry-run of XPB_SMALL and XPB_HUGE bridges (wall, and
#    instructions by callgrind): linear means <= 12x for 10x;
#  - stop, and a reload that drops them all, of XPB_DEL created bridges,
#    next to the kernel's own floor in the same run: `ip link del group`
#    of the same XPB_DEL bridges, made by the same start;
#  - status BRIDGE's netlink requests (strace) with 20 and XPB_BIG links
#    on the host.
set -u
: "${B:=build}" "${XPB_CALLGRIND:=1}" "${XPB_SMALL:=4000}" "${XPB_HUGE:=40000}"
: "${XPB_DEL:=500}" "${XPB_DEL_RUNS:=2}" "${XPB_SCALE_RUNS:=3}" "${XPB_BIG:=2000}"
ROOT=$(pwd)
OUT=$XPB_OUT
TMP=$XPB_TMP/scale
TIMER=$ROOT/$B/bench/xpbtime
NX=$ROOT/$B/network-xenplumb
GROUP=2020633698
mkdir -p "$TMP"

say() { echo "bench: $*" >&2; }
die() {
	echo "bench: FAILED: $*" >&2
	exit 1
}
res() { echo "scale.$1 $2" >>"$OUT"; }
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
stats() { # FILE KEY
	sort -n "$1" | awk -v k="scale.$2" '{ v[NR] = $1 }
		END { if (NR) printf "%s.p50_ms %.3f\n%s.max_ms %.3f\n%s.runs %d\n",
			k, v[int((NR + 1) / 2)] / 1e6, k, v[NR] / 1e6, k, NR }' >>"$OUT"
}
get() { sed -n "s/^scale\.$1 //p" "$OUT" | tail -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
timed() { # FILE CMD...: wall ns to FILE; fails when CMD did
	_f=$1
	shift
	_l=$("$TIMER" -l "$TMP/cmd.log" -- "$@")
	field wall_ns "$_l" >>"$_f"
	[ "$(field fails "$_l")" = 0 ]
}
bridges() { # N PREFIX: a map of N bridges
	awk -v n="$1" -v p="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "[bridge %s%d]\n", p, i }'
}
nbr() { ip -o link show type bridge | grep -c ": $1[0-9]*[:@]"; }

export XENPLUMB_STATE_DIR="$TMP/state"
export XENPLUMB_HOTPLUG_LOG="$TMP/hotplug.log"
mkdir -p "$XENPLUMB_STATE_DIR"
ip link set lo up || die "lo up"

# ------------------------------------------- start --dry-run, map size ---
for n in "$XPB_SMALL" "$XPB_HUGE"; do
	say "scale: start --dry-run of $n bridges, $XPB_SCALE_RUNS runs"
	bridges "$n" xs >"$TMP/dry$n.conf"
	i=0
	while [ "$i" -lt "$XPB_SCALE_RUNS" ]; do
		timed "$TMP/dry$n" "$NX" start --dry-run -c "$TMP/dry$n.conf" ||
			die "start --dry-run of $n bridges"
		i=$((i + 1))
	done
	stats "$TMP/dry$n" "dry.$n"
	if [ "$XPB_CALLGRIND" = 1 ]; then
		valgrind -q --tool=callgrind --callgrind-out-file="$TMP/cg.dry$n" \
			"$NX" start --dry-run -c "$TMP/dry$n.conf" >/dev/null 2>>"$TMP/cmd.log" ||
			die "callgrind of start --dry-run"
		res "dry.$n.instructions" "$(sed -n 's/^summary: //p' "$TMP/cg.dry$n")"
	fi
done
res dry.small "$XPB_SMALL"
res dry.huge "$XPB_HUGE"
res dry.ratio.wall_p50 "$(ratio "$(get "dry.$XPB_HUGE.p50_ms")" "$(get "dry.$XPB_SMALL.p50_ms")")"
[ "$XPB_CALLGRIND" = 1 ] && res dry.ratio.instructions \
	"$(ratio "$(get "dry.$XPB_HUGE.instructions")" "$(get "dry.$XPB_SMALL.instructions")")"

# ---------------------------------- deleting XPB_DEL created bridges ---
bridges "$XPB_DEL" xd >"$TMP/del.conf"
printf '[bridge xkeep]\n' >"$TMP/keep.conf"
ip link add xkeep type bridge || die "bridge xkeep"
made() {
	"$NX" start -c "$TMP/del.conf" >>"$TMP/cmd.log" 2>&1 || die "start of $XPB_DEL bridges"
	[ "$(nbr xd)" -eq "$XPB_DEL" ] || die "start made $(nbr xd) bridges, not $XPB_DEL"
}
r=0
while [ "$r" -lt "$XPB_DEL_RUNS" ]; do
	say "scale: deleting $XPB_DEL created bridges: stop, reload, ip link del group ($((r + 1))/$XPB_DEL_RUNS)"
	made
	timed "$TMP/del.stop" "$NX" stop -c "$TMP/del.conf" || die "stop"
	[ "$(nbr xd)" -eq 0 ] || die "stop left $(nbr xd) bridges"
	made
	timed "$TMP/del.reload" "$NX" reload -c "$TMP/keep.conf" || die "reload"
	[ "$(nbr xd)" -eq 0 ] || die "reload left $(nbr xd) bridges"
	ip link show xkeep >/dev/null 2>&1 || die "reload deleted the adopted bridge"
	"$NX" stop -c "$TMP/keep.conf" >>"$TMP/cmd.log" 2>&1
	made
	timed "$TMP/del.group" ip link del group "$GROUP" || die "ip link del group"
	[ "$(nbr xd)" -eq 0 ] || die "ip link del group left bridges"
	rm -rf "$XENPLUMB_STATE_DIR" && mkdir -p "$XENPLUMB_STATE_DIR"
	r=$((r + 1))
done
for k in stop reload group; do stats "$TMP/del.$k" "del.$k"; done
res del.n "$XPB_DEL"
res del.ratio.stop "$(ratio "$(get del.stop.p50_ms)" "$(get del.group.p50_ms)")"
res del.ratio.reload "$(ratio "$(get del.reload.p50_ms)" "$(get del.group.p50_ms)")"
ip link del xkeep

# --------------------------------------- status BRIDGE, host links ---
printf '[bridge xst]\nports = xsp0\n' >"$TMP/st.conf"
ip link add xsp0 type veth peer name xsq0 || die "veth"
"$NX" start -c "$TMP/st.conf" >>"$TMP/cmd.log" 2>&1 || die "start xst"
sends() { # status's netlink requests
	strace -f -e trace=sendmsg,sendto -o "$TMP/st.trace" "$NX" status xst -c "$TMP/st.conf" \
		>/dev/null 2>>"$TMP/cmd.log"
	grep -c 'NETLINK\|nlmsg_type' "$TMP/st.trace"
}
for want in 20 "$XPB_BIG"; do
	have=$(ip -o link show | wc -l)
	if [ "$have" -lt "$want" ]; then
		awk -v w="$want" -v n=$(((want - have) / 2)) 'BEGIN { for (i = 0; i < n; i++)
			printf "link add xsf%d.%d type veth peer name xsg%d.%d\n", w, i, w, i }' >"$TMP/fill"
		ip -batch "$TMP/fill" || die "filling to $want links"
	fi
	res "status.$want.links" "$(ip -o link show | wc -l)"
	res "status.$want.sends" "$(sends)"
done
res status.big "$XPB_BIG"
"$NX" stop -c "$TMP/st.conf" >>"$TMP/cmd.log" 2>&1
say "scale part done"
exit 0
