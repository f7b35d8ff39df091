#!/bin/sh
# Host half of `make bench` (bench/run starts it inside a private network
# namespace with `ip netns exec`, which also gives it a private mount
# namespace).  Plumbs veth vifs onto a bridge with Debian's stock
# /etc/xen/scripts/vif-bridge and with $B/vif-xenplumb, invoked the way libxl
# invokes a vif script, against a real xenstored, and writes "key value"
# lines to $XPB_OUT.  Progress goes to stderr.
#
# Environment: B, XPB_OUT (results), XPB_TMP (scratch dir), XPB_RUNS
# (latency runs per helper, default 50), XPB_REPS (repetitions of each
# concurrency level, default 5), XPB_LINK_RUNS (runs per link count,
# default 20), XPB_BIG (links for the scaling phase, default 2000),
# XPB_CALLGRIND=0 (skip instruction counts).
set -u
: "${B:=build}" "${XPB_RUNS:=50}" "${XPB_REPS:=5}" "${XPB_LINK_RUNS:=20}"
: "${XPB_BIG:=2000}" "${XPB_CALLGRIND:=1}"
ROOT=$(pwd)
OUT=$XPB_OUT
TMP=$XPB_TMP
TIMER=$ROOT/$B/bench/xpbtime
STOCK=/etc/xen/scripts/vif-bridge
XP=$ROOT/$B/vif-xenplumb
FLOOR=$ROOT/$B/bench/xpbfloor
WORK=$ROOT/$B/bench/xpbwork
HELPERS="stock xenplumb"
LOG=$TMP/helpers.log

say() { echo "bench: $*" >&2; }
die() {
	echo "bench: FAILED: $*" >&2
	exit 1
}
res() { echo "$1 $2" >>"$OUT"; }
path_of() { if [ "$1" = stock ]; then echo "$STOCK"; else echo "$XP"; fi; }

# ----------------------------------------------------------- sandbox ---
# The stock script appends to /var/log/xen/xen-hotplug.log: give it a
# private one (this mount namespace is ours alone).
if [ -d /var/log/xen ]; then
	mount -t tmpfs -o size=64m xpbench /var/log/xen || die "tmpfs on /var/log/xen"
fi
# xenplumb's files go to the scratch dir as well; its map names the bridge.
export XENPLUMB_CONF="$TMP/xenplumb.conf"
export XENPLUMB_STATE_DIR="$TMP/state"
export XENPLUMB_HOTPLUG_LOG="$TMP/xp-hotplug.log"
APPLY=$ROOT/$B/bench/xpbapply
mkdir -p "$XENPLUMB_STATE_DIR"
printf '[bridge xenbr0]\ndefault = yes\n' >"$XENPLUMB_CONF"
# On a host, `network-xenplumb start` has written the applied map, and the
# vif helper reads that, not the live map.  xpbapply writes it from the map
# with the same functions start uses, without creating anything.
"$APPLY" "$XENPLUMB_CONF" "$XENPLUMB_STATE_DIR" || die "applied map"

ip link set lo up || die "lo up"
ip link add xenbr0 type bridge || die "bridge xenbr0"
ip link set xenbr0 up || die "xenbr0 up"

# shellcheck source=../tests/lib/xs.sh
# shellcheck disable=SC1091
. "$ROOT/tests/lib/xs.sh"
xs_start || die "xenstored did not start"
xenstore-write /local/domain/0/name Domain-0 /local/domain/0/domid 0 || die "dom0 keys"

# ------------------------------------------------------------- vifs ---
# vif_keys HELPER D N: the backend and frontend keys libxl writes before it
# runs the script (one xenstore-write for all of them).
vif_keys() {
	be=/local/domain/0/backend/vif/$2/$3
	fe=/local/domain/$2/device/vif/$3
	mac=$(printf '00:16:3e:%02x:%02x:%02x' $(($2 / 256 % 256)) $(($2 % 256)) "$3")
	xenstore-write "/local/domain/$2/name" "guest$2" \
		"$be/frontend" "$fe" "$be/frontend-id" "$2" "$be/online" 1 "$be/state" 2 \
		"$be/script" "$(path_of "$1")" "$be/mac" "$mac" "$be/bridge" xenbr0 \
		"$be/handle" "$3" "$be/type" vif \
		"$fe/backend" "$be" "$fe/backend-id" 0 "$fe/handle" "$3" "$fe/mac" "$mac" \
		"$fe/state" 1
}
vif_keys_rm() { xenstore-rm "/local/domain/0/backend/vif/$1" "/local/domain/$1" 2>/dev/null; }
# netback's part: the vif device (a veth here; its peer stands for the guest)
vif_dev() { ip link add "vif$1.$2" type veth peer name "xpg$1.$2"; }
vif_dev_rm() { ip link del "vif$1.$2" 2>/dev/null; }

# hotplug HELPER ACTION D N [COPIES]: run the helper for vif D.N (COPIES
# copies, for vifs D.N .. D+COPIES-1.N, all at once) exactly as libxl runs
# a vif script; prints xpbtime's line.
hotplug() {
	_s=$(path_of "$1")
	"$TIMER" -l "$LOG" -n "${5:-1}" -b "$3" -e "script=$_s" -e XENBUS_TYPE=vif \
		-e "XENBUS_PATH=backend/vif/%i/$4" -e XENBUS_BASE_PATH=backend -e netdev= \
		-e "vif=vif%i.$4" -- "$_s" "$2" type_if=vif
}
field() { # NAME LINE
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
master_of() { basename "$(readlink "/sys/class/net/$1/master" 2>/dev/null)" 2>/dev/null; }

# plugged D N: the helper's effect is visible (status in xenstore, port of
# the bridge, up)
plugged() {
	[ "$(xenstore-read "/local/domain/0/backend/vif/$1/$2/hotplug-status" 2>/dev/null)" = connected ] &&
		[ "$(master_of "vif$1.$2")" = xenbr0 ] &&
		ip link show "vif$1.$2" | grep -q '[<,]UP[,>]'
}
unplugged() { [ -z "$(master_of "vif$1.$2")" ]; }

# stats FILE PREFIX: p50/p90/max (ms) of the ns values in FILE
stats() {
	sort -n "$1" | awk -v p="$2" '
	{ v[NR] = $1 }
	END {
		if (NR == 0) exit 1
		i50 = int((NR * 50 + 99) / 100); i90 = int((NR * 90 + 99) / 100)
		printf "%s.p50_ms %.3f\n%s.p90_ms %.3f\n%s.max_ms %.3f\n%s.runs %d\n",
			p, v[i50] / 1e6, p, v[i90] / 1e6, p, v[NR] / 1e6, p, NR
	}' >>"$OUT"
}
get() { sed -n "s/^$1 //p" "$OUT" | tail -n 1; }

# one_cycle HELPER D TAG: create vif D.0, online it, offline it, remove it;
# times go to $TMP/TAG.HELPER.{online,offline}, peak RSS to .rss, and a
# failed or ineffective run to .fail.
one_cycle() {
	h=$1 d=$2 tag=$3
	vif_dev "$d" 0 || die "veth vif$d.0"
	xenstore-rm "/local/domain/0/backend/vif/$d/0/hotplug-status" 2>/dev/null
	l=$(hotplug "$h" online "$d" 0)
	field wall_ns "$l" >>"$TMP/$tag.$h.online"
	field maxrss_kb "$l" >>"$TMP/$tag.$h.rss"
	if [ "$(field fails "$l")" != 0 ] || ! plugged "$d" 0; then
		echo "online $d" >>"$TMP/$tag.$h.fail"
	fi
	l=$(hotplug "$h" offline "$d" 0)
	field wall_ns "$l" >>"$TMP/$tag.$h.offline"
	field maxrss_kb "$l" >>"$TMP/$tag.$h.rss"
	if [ "$(field fails "$l")" != 0 ] || ! unplugged "$d" 0; then
		echo "offline $d" >>"$TMP/$tag.$h.fail"
	fi
	vif_dev_rm "$d" 0
}
nfail() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# ------------------------------------------------------ calibration ---
# The same ip -batch tests/vm/b-net64.sh times in the VM (64 bridges, 32
# veth pairs), so bench/run can estimate how much slower the VM is.
i=1
while [ "$i" -le 64 ]; do
	echo "link add xpc$i type bridge"
	[ "$i" -le 32 ] && echo "link add xpcv$i type veth peer name xpcp$i"
	i=$((i + 1))
done >"$TMP/calib.batch"
sed -n 's/^link add \([^ ]*\) .*/link del \1/p' "$TMP/calib.batch" >"$TMP/calib.undo"
for _ in 1 2 3 4 5; do
	l=$("$TIMER" -l "$LOG" -- ip -batch "$TMP/calib.batch")
	[ "$(field fails "$l")" = 0 ] || die "calibration batch"
	field wall_ns "$l" >>"$TMP/calib"
	ip -batch "$TMP/calib.undo" || die "calibration undo"
done
stats "$TMP/calib" host.calib

# ---------------------------------------------------- 1. latency ---
say "latency: $XPB_RUNS online+offline cycles per helper (alternating)"
for h in $HELPERS; do vif_keys "$h" 1 0 || die "xenstore keys"; done
# the stock script and xenplumb take turns on vif1.0, so load changes on
# the (shared) machine hit both alike; 3 warm-up cycles each are dropped
for h in $HELPERS; do
	vif_keys "$h" 1 0
	for _ in 1 2 3; do one_cycle "$h" 1 warm; done
done
# ref_cycle: the floor in the same loop: a process start (true), the
# one netlink change every helper must make (ip link set master), and that
# change plus the helper's own xenstore requests (xpbwork)
# (ref_cycle TAG: times to $TMP/TAG.true and $TMP/TAG.master)
ref_cycle() {
	vif_dev 1 0 || die "veth vif1.0"
	field wall_ns "$("$TIMER" -l "$LOG" -- true)" >>"$TMP/$1.true"
	field wall_ns "$("$TIMER" -l "$LOG" -- ip link set vif1.0 master xenbr0)" >>"$TMP/$1.master"
	vif_dev_rm 1 0
	vif_dev 1 0 || die "veth vif1.0"
	l=$("$TIMER" -l "$LOG" -- "$FLOOR" vif1.0 xenbr0)
	[ "$(field fails "$l")" = 0 ] && [ "$(master_of vif1.0)" = xenbr0 ] || die "xpbfloor vif1.0"
	field wall_ns "$l" >>"$TMP/$1.floor"
	field wall_ns "$("$TIMER" -l "$LOG" -- "$XP" --help)" >>"$TMP/$1.help"
	vif_dev_rm 1 0
	vif_dev 1 0 || die "veth vif1.0"
	vif_keys xenplumb 1 0 || die "xenstore keys"
	xenstore-rm /local/domain/0/backend/vif/1/0/hotplug-status 2>/dev/null
	l=$("$TIMER" -l "$LOG" -- "$WORK" vif1.0 xenbr0 /local/domain/0/backend/vif/1/0 \
		/local/domain/1/device/vif/0)
	[ "$(field fails "$l")" = 0 ] && plugged 1 0 || die "xpbwork vif1.0"
	field wall_ns "$l" >>"$TMP/$1.work"
	vif_dev_rm 1 0
}
i=0
while [ "$i" -lt "$XPB_RUNS" ]; do
	for h in $HELPERS; do
		vif_keys "$h" 1 0
		one_cycle "$h" 1 lat
	done
	ref_cycle ref
	i=$((i + 1))
done
stats "$TMP/ref.true" ref.true
stats "$TMP/ref.master" ref.ip_master
stats "$TMP/ref.floor" ref.floor
stats "$TMP/ref.work" ref.work
stats "$TMP/ref.help" ref.help
for h in $HELPERS; do
	for a in online offline; do stats "$TMP/lat.$h.$a" "$a.$h"; done
	res "online.$h.fails" "$(nfail "$TMP/lat.$h.fail")"
	sort -n "$TMP/lat.$h.rss" | awk -v h="$h" '{ v[NR] = $1 }
		END { printf "rss.%s.p50_kb %d\nrss.%s.max_kb %d\n", h, v[int((NR + 1) / 2)], h, v[NR] }' >>"$OUT"
done
for a in online offline; do
	res "$a.ratio_p50" "$(awk -v s="$(get "$a.stock.p50_ms")" -v x="$(get "$a.xenplumb.p50_ms")" \
		'BEGIN { printf "%.1f", s / x }')"
done
# ------------------------------------------------ 1b. map size ---
# The same online with a map of 1 bridge and of XPB_MAP_HUGE bridges
# (xenbr0 the default among them), alternating, each with its applied map
# written (a state directory per map), as start leaves it on a host.
: "${XPB_MAP_HUGE:=40000}" "${XPB_MAP_RUNS:=10}"
say "map size: $XPB_MAP_RUNS cycles with a 1-bridge and a $XPB_MAP_HUGE-bridge map"
SMALLMAP=$XENPLUMB_CONF
HUGEMAP=$TMP/xenplumb-huge.conf
{
	printf '[bridge xenbr0]\ndefault = yes\n'
	awk -v n="$XPB_MAP_HUGE" 'BEGIN { for (i = 2; i <= n; i++) printf "[bridge xm%d]\n", i }'
} >"$HUGEMAP"
SMALLSTATE=$XENPLUMB_STATE_DIR
HUGESTATE=$TMP/state-huge
mkdir -p "$HUGESTATE"
"$APPLY" "$HUGEMAP" "$HUGESTATE" || die "applied map of $HUGEMAP"
i=0
while [ "$i" -lt "$XPB_MAP_RUNS" ]; do
	for m in small huge; do
		if [ "$m" = small ]; then
			XENPLUMB_CONF=$SMALLMAP XENPLUMB_STATE_DIR=$SMALLSTATE
		else
			XENPLUMB_CONF=$HUGEMAP XENPLUMB_STATE_DIR=$HUGESTATE
		fi
		vif_keys xenplumb 1 0
		one_cycle xenplumb 1 "map$m"
	done
	i=$((i + 1))
done
XENPLUMB_CONF=$SMALLMAP XENPLUMB_STATE_DIR=$SMALLSTATE
for m in small huge; do
	stats "$TMP/map$m.xenplumb.online" "mapsize.$m.online"
	res "mapsize.$m.fails" "$(nfail "$TMP/map$m.xenplumb.fail")"
done
res mapsize.huge.bridges "$XPB_MAP_HUGE"
res mapsize.ratio.online_p50 "$(awk -v a="$(get mapsize.huge.online.p50_ms)" \
	-v b="$(get mapsize.small.online.p50_ms)" 'BEGIN { printf "%.2f", a / b }')"
vif_keys_rm 1

# -------------------------------------------------- 2. concurrency ---
# N vifs (vif100.0 ...) plugged by N helper processes started together.
D0=100
for n in 1 8 64; do
	say "concurrency: $n onlines at once, $XPB_REPS times per helper"
	for h in $HELPERS; do
		: >"$TMP/conc.$n.$h"
		fails=0
		r=0
		while [ "$r" -lt "$XPB_REPS" ]; do
			k=0
			while [ "$k" -lt "$n" ]; do
				vif_keys "$h" $((D0 + k)) 0 || die "xenstore keys"
				vif_dev $((D0 + k)) 0 || die "veth"
				k=$((k + 1))
			done
			l=$(hotplug "$h" online "$D0" 0 "$n")
			field wall_ns "$l" >>"$TMP/conc.$n.$h"
			f=$(field fails "$l")
			k=0
			bad=0
			while [ "$k" -lt "$n" ]; do
				plugged $((D0 + k)) 0 || bad=$((bad + 1))
				k=$((k + 1))
			done
			[ "$bad" -gt "$f" ] && f=$bad
			fails=$((fails + f))
			hotplug "$h" offline "$D0" 0 "$n" >/dev/null
			k=0
			while [ "$k" -lt "$n" ]; do
				vif_dev_rm $((D0 + k)) 0
				vif_keys_rm $((D0 + k))
				k=$((k + 1))
			done
			r=$((r + 1))
		done
		stats "$TMP/conc.$n.$h" "concurrent.$n.$h"
		res "concurrent.$n.$h.fails" "$fails"
	done
done

# --------------------------------------------- 3. links on the host ---
nlinks() { ip -o link show | wc -l; }
# fill_to N: add veth pairs (xpbf*/xpbp*) until the namespace has N links
fill_to() {
	have=$(nlinks)
	[ "$have" -ge "$1" ] && return 0
	pairs=$((($1 - have) / 2))
	i=0
	while [ "$i" -lt "$pairs" ]; do
		echo "link add xpbf$have.$i type veth peer name xpbp$have.$i"
		i=$((i + 1))
	done >"$TMP/batch"
	if [ $((($1 - have) % 2)) -ne 0 ]; then
		echo "link add xpbb$have type bridge" >>"$TMP/batch"
	fi
	ip -batch "$TMP/batch" || die "creating $1 links"
}

# cg_count HELPER D: user-space instructions (callgrind) of one online of
# vif D.0, the helper and every process it starts.
cg_count() {
	_s=$(path_of "$1")
	rm -rf "$TMP/cg" && mkdir -p "$TMP/cg"
	vif_dev "$2" 0 || die "veth"
	vif_keys "$1" "$2" 0
	script=$_s XENBUS_TYPE=vif XENBUS_PATH=backend/vif/$2/0 XENBUS_BASE_PATH=backend \
		netdev='' vif=vif$2.0 valgrind -q --tool=callgrind --trace-children=yes \
		--callgrind-out-file="$TMP/cg/out.%p" "$_s" online type_if=vif \
		>>"$LOG" 2>&1 || echo "callgrind $1 failed" >>"$TMP/cg.fail"
	plugged "$2" 0 || echo "callgrind $1 did not plug" >>"$TMP/cg.fail"
	vif_dev_rm "$2" 0
	vif_keys_rm "$2"
	cat "$TMP"/cg/out.* 2>/dev/null | awk '/^summary:/ { s += $2; n++ }
		END { printf "%d %d\n", s, n }'
}

for want in 20 "$XPB_BIG"; do
	fill_to "$want"
	have=$(nlinks)
	say "links: $have links in the namespace, $XPB_LINK_RUNS cycles per helper"
	res "links.$want.actual" "$have"
	i=0
	while [ "$i" -lt "$XPB_LINK_RUNS" ]; do
		for h in $HELPERS; do
			vif_keys "$h" 2 0
			one_cycle "$h" 2 "links$want"
		done
		ref_cycle "links$want.ref"
		i=$((i + 1))
	done
	# the same netlink change by iproute2: what the kernel alone makes of
	# the extra links (and of the machine's load at that moment)
	stats "$TMP/links$want.ref.master" "links.$want.ref_ip_master"
	for h in $HELPERS; do
		stats "$TMP/links$want.$h.online" "links.$want.$h.online"
		res "links.$want.$h.fails" "$(nfail "$TMP/links$want.$h.fail")"
		if [ "$XPB_CALLGRIND" = 1 ]; then
			say "links: callgrind of one $h online with $have links"
			cg=$(cg_count "$h" 3)
			res "links.$want.$h.instructions" "${cg% *}"
			res "links.$want.$h.processes" "${cg#* }"
		fi
	done
	vif_keys_rm 2
done
res links.ratio.ref_ip_master.wall_p50 "$(awk -v a="$(get "links.$XPB_BIG.ref_ip_master.p50_ms")" \
	-v b="$(get links.20.ref_ip_master.p50_ms)" 'BEGIN { printf "%.2f", a / b }')"
for h in $HELPERS; do
	res "links.ratio.$h.wall_p50" "$(awk -v a="$(get "links.$XPB_BIG.$h.online.p50_ms")" \
		-v b="$(get "links.20.$h.online.p50_ms")" 'BEGIN { printf "%.2f", a / b }')"
	if [ "$XPB_CALLGRIND" = 1 ]; then
		res "links.ratio.$h.instructions" "$(awk -v a="$(get "links.$XPB_BIG.$h.instructions")" \
			-v b="$(get "links.20.$h.instructions")" 'BEGIN { printf "%.3f", a / b }')"
	fi
done
[ -f "$TMP/cg.fail" ] && sed 's/^/bench: /' "$TMP/cg.fail" >&2
res links.big "$XPB_BIG"

# helper failures leave their messages here
if [ -s "$LOG" ]; then
	cp "$LOG" "$TMP/helpers.log.keep"
fi
say "host part done"
exit 0
