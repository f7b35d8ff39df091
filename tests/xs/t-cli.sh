#!/bin/sh
# Both helpers' conventions against the real xenstored (issue 14): the same
# --version; vif-xenplumb without CAP_NET_ADMIN names itself once and still
# reports hotplug-error/-status into its backend; network-xenplumb status
# NAME shows that bridge's guests, tied to their domains through xenstore,
# and only that bridge's drift; status --json's error object.  The network
# parts run in a throwaway network namespace (unshare -n).
. "$(dirname "$0")/../lib/t.sh"
. "$(dirname "$0")/../lib/xs.sh"
cd "$T_ROOT" || exit 1
X=$B/network-xenplumb
V=$B/vif-xenplumb
{ [ -x "$X" ] && [ -x "$V" ]; } || t_bail "build $X and $V first (make)"
tmp=$(mktemp -d) || t_bail "mktemp"
# shellcheck disable=SC2034 # run by xs.sh's exit trap
XS_CLEANUP='rm -rf "$tmp"'
export XENPLUMB_STATE_DIR="$tmp/state" XENPLUMB_HOTPLUG_LOG="$tmp/hotplug.log"
xs_start || t_bail "cannot start xenstored"
BE=/local/domain/0/backend/vif
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

ver=$(sed -n '1s/^xenplumb (\([^)-]*\).*/\1/p' debian/changelog)
t_eq "vif-xenplumb --version" "vif-xenplumb $ver" "$($V --version)"
t_eq "network-xenplumb --version: the same" "network-xenplumb $ver" "$($X --version)"

# ---- vif-xenplumb without CAP_NET_ADMIN ----------------------------------------
xs_write "$BE/9/0/online" 1
setpriv --bounding-set=-net_admin env XENBUS_PATH=backend/vif/9/0 vif=vif9.0 \
	"$V" online type_if=vif </dev/null >/dev/null 2>"$tmp/cap.err"
t_eq "no CAP_NET_ADMIN: exit 1" 1 $?
t_eq "one line, the program named once, the vif and domain named" \
	"vif-xenplumb: online vif9.0 (domain 9): needs CAP_NET_ADMIN (run it as root, as the toolstack does)" \
	"$(cat "$tmp/cap.err")"
t_match "hotplug-error in its backend" "needs CAP_NET_ADMIN" "$(xs_read "$BE/9/0/hotplug-error")"
t_eq "hotplug-status error" error "$(xs_read "$BE/9/0/hotplug-status")"

# ---- status NAME with guests from xenstore (a throwaway netns) -------------------
cat >"$tmp/map.conf" <<'MAP'
[bridge xpbr0]
default = yes
[bridge xpbr1]
MAP
xs_write /local/domain/7/name web7
xs_write /local/domain/8/name db8
unshare -n sh -c '
	set -e
	ip link set lo up
	"$1" start -c "$2/map.conf" >/dev/null
	ip link add vif7.0 type veth peer name g7
	ip link add vif8.0 type veth peer name g8
	ip link add vif8.1 type veth peer name g81
	ip link set vif7.0 master xpbr0
	ip link set vif8.0 master xpbr1
	ip link set vif8.1 master xpbr1
	"$1" status xpbr0 -c "$2/map.conf" >"$2/one.txt" || true
	"$1" status --json -c "$2/map.conf" xpbr1 >"$2/one.json" || true
	"$1" status -c "$2/map.conf" >"$2/all.txt" || true
' sh "$X" "$tmp" || t_bail "status in a throwaway netns"
out=$(cat "$tmp/one.txt")
t_match "status xpbr0: its guest, with the domain's name from xenstore" \
	'guest vif7.0: domain 7 "web7", exists' "$out"
t_nomatch "status xpbr0: no other bridge's guests" "vif8\.|xpbr1" "$out"
t_match "status (all) has both" "guest vif8.1" "$(cat "$tmp/all.txt")"
t_eq "status xpbr1 --json: its two guests" "['vif8.0', 'vif8.1'] ['db8', 'db8']" \
	"$(jq_ "$tmp/one.json" '[g["port"] for g in d["bridges"][0]["guests"]], [g["domain"] for g in d["bridges"][0]["guests"]]')"
t_eq "status xpbr1 --json: one bridge" 1 "$(jq_ "$tmp/one.json" 'len(d["bridges"])')"

# ---- status --json on a map error ------------------------------------------------
printf '[bridge xpbr0]\nmtu = 10\n' >"$tmp/bad.conf"
$X status --json -c "$tmp/bad.conf" >"$tmp/err.json" 2>/dev/null
t_eq "status --json of a bad map: exit 2" 2 $?
t_eq "a JSON error object with the error" "error True" \
	"$(jq_ "$tmp/err.json" 'd["result"], "bad.conf:2: bad mtu" in d["errors"][0]')"
xs_stop
t_done
