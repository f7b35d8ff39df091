# shellcheck shell=sh
# Helpers for the vif-xenplumb tests (tests/netns/t-vif-*.sh and
# tests/vm/t-vif-*.sh), sourced after tests/lib/t.sh.  Run directly (as the
# netns tier does with every t-*.sh) it checks itself: one guest NIC made,
# brought online and offline.
#
#   vif_init                 private xenstored + guest netns + temp dir
#   vif_mkvif D N [KEY=VAL..] a veth vifD.N (peer gD_N in the guest netns)
#                            and its backend keys as libxl writes them
#   vif_mktap D N [KEY=VAL..] a tap vifD.N-emu and the same keys
#   vif_key D N KEY VAL      (re)write one backend key
#   vif_run ACTION D N [ARGS] run vif-xenplumb as libxl does (its env)
#   vif_run_tap ACTION D N    same for the emulated NIC (add|remove type_if=tap)
#   vif_status D N           hotplug-status ("" when absent)
#   vif_error D N            hotplug-error  ("" when absent)
#   vif_facts NAME           "master mtu mac up" of a link (or "absent")
#   vif_map TEXT             write the map and point XENPLUMB_CONF at it
#   in_guest CMD..           run CMD in the guest netns

: "${B:=build}"
VIF_BIN=$B/vif-xenplumb
VIF_BE=/local/domain/0/backend/vif
NLPROBE=$B/tests/tools/nlprobe

vif_cleanup() {
	[ -n "${VIF_GUEST:-}" ] && ip netns del "$VIF_GUEST" 2>/dev/null
	[ -n "${VIF_TMP:-}" ] && rm -rf "$VIF_TMP"
	xs_stop
}

vif_init() {
	. "$T_ROOT/tests/lib/xs.sh"
	[ -x "$VIF_BIN" ] || t_bail "no $VIF_BIN (run make)"
	xs_start || t_bail "cannot start xenstored"
	VIF_TMP=$(mktemp -d "${TMPDIR:-/tmp}/xpvif.XXXXXX")
	VIF_GUEST=xpg-$$-$(date +%N 2>/dev/null || echo 0)
	ip netns add "$VIF_GUEST" || t_bail "cannot create guest netns"
	ip -n "$VIF_GUEST" link set lo up
	trap 'vif_cleanup' EXIT
	trap 'vif_cleanup; exit 129' HUP
	trap 'vif_cleanup; exit 130' INT
	trap 'vif_cleanup; exit 143' TERM
	export XENPLUMB_HOTPLUG_LOG="$VIF_TMP/xen-hotplug.log"
	export XENPLUMB_CONF="$VIF_TMP/none.conf"
	# the per-vif locks; no applied map: the tests name their maps by XENPLUMB_CONF
	export XENPLUMB_STATE_DIR="$VIF_TMP/state"
	xenstore-write /local/domain/0/name Domain-0
}

in_guest() { ip netns exec "$VIF_GUEST" "$@"; }

vif_map() {
	printf '%s\n' "$1" >"$VIF_TMP/xenplumb.conf"
	export XENPLUMB_CONF="$VIF_TMP/xenplumb.conf"
}

vif_key() { xenstore-write -- "$VIF_BE/$1/$2/$3" "$4"; }

# _vif_keys D N [KEY=VAL...]: the backend directory (and the frontend's
# beside it) as libxl lays them out
_vif_keys() {
	_vd=$1 _vn=$2
	shift 2
	xenstore-write /local/domain/$_vd/name "guest$_vd" \
		"$VIF_BE/$_vd/$_vn/frontend" "/local/domain/$_vd/device/vif/$_vn" \
		"$VIF_BE/$_vd/$_vn/frontend-id" "$_vd" \
		"$VIF_BE/$_vd/$_vn/online" 1 \
		"$VIF_BE/$_vd/$_vn/state" 1 \
		"$VIF_BE/$_vd/$_vn/script" /etc/xen/scripts/vif-xenplumb \
		"$VIF_BE/$_vd/$_vn/mac" "00:16:3e:00:$(printf %02x $((_vd % 256))):$(printf %02x $((_vn % 256)))" \
		"$VIF_BE/$_vd/$_vn/handle" "$_vn" \
		"$VIF_BE/$_vd/$_vn/type" vif \
		"/local/domain/$_vd/device/vif/$_vn/backend" "$VIF_BE/$_vd/$_vn" \
		"/local/domain/$_vd/device/vif/$_vn/backend-id" 0 \
		"/local/domain/$_vd/device/vif/$_vn/handle" "$_vn" \
		"/local/domain/$_vd/device/vif/$_vn/state" 1 ||
		return 1
	for _kv in "$@"; do
		xenstore-write -- "$VIF_BE/$_vd/$_vn/${_kv%%=*}" "${_kv#*=}" || return 1
	done
}

vif_mkvif() {
	_vd=$1 _vn=$2
	ip link add "vif$_vd.$_vn" type veth peer name "g${_vd}_$_vn" netns "$VIF_GUEST" || return 1
	in_guest ip link set "g${_vd}_$_vn" up
	_vif_keys "$@"
}

vif_mktap() {
	_vd=$1 _vn=$2
	ip tuntap add dev "vif$_vd.$_vn-emu" mode tap || return 1
	_vif_keys "$@"
}

# libxl's environment for a PV vif: script XENBUS_TYPE XENBUS_PATH
# XENBUS_BASE_PATH netdev vif; argv ACTION type_if=vif.
vif_run() {
	_va=$1 _vd=$2 _vn=$3
	shift 3
	env script=/etc/xen/scripts/vif-xenplumb XENBUS_TYPE=vif \
		XENBUS_PATH="backend/vif/$_vd/$_vn" XENBUS_BASE_PATH=backend netdev= \
		vif="vif$_vd.$_vn" "$VIF_BIN" "$_va" type_if=vif "$@" </dev/null
}

# For an HVM guest's emulated NIC libxl adds INTERFACE and runs add|remove.
vif_run_tap() {
	_va=$1 _vd=$2 _vn=$3
	shift 3
	env script=/etc/xen/scripts/vif-xenplumb XENBUS_TYPE=vif \
		XENBUS_PATH="backend/vif/$_vd/$_vn" XENBUS_BASE_PATH=backend netdev= \
		INTERFACE="vif$_vd.$_vn-emu" vif="vif$_vd.$_vn" "$VIF_BIN" "$_va" type_if=tap \
		"$@" </dev/null
}

vif_status() { xenstore-read "$VIF_BE/$1/$2/hotplug-status" 2>/dev/null || echo ""; }
vif_error() { xenstore-read "$VIF_BE/$1/$2/hotplug-error" 2>/dev/null || echo ""; }

# master mtu mac up, space separated ("absent" if there is no such link)
vif_facts() {
	if ! "$NLPROBE" exists "$1" >/dev/null 2>&1; then
		echo absent
		return
	fi
	"$NLPROBE" link "$1" master mtu mac up | tr '\n' ' ' | sed 's/ $//'
}

# Self-test when run as a test of its own.
case $0 in
*t-vif-lib.sh)
	. "$(dirname "$0")/../lib/t.sh"
	vif_init
	t_ok "bridge" ip link add xpbr0 type bridge
	t_ok "vif made with libxl's keys" vif_mkvif 3 0 bridge=xpbr0
	t_eq "frontend key" /local/domain/3/device/vif/0 "$(xenstore-read $VIF_BE/3/0/frontend)"
	t_ok "peer is in the guest netns" in_guest ip link show g3_0
	t_ok "online" vif_run online 3 0
	t_eq "connected" connected "$(vif_status 3 0)"
	t_eq "facts" "xpbr0 1500 fe:ff:ff:ff:ff:ff 1" "$(vif_facts vif3.0)"
	t_ok "offline" vif_run offline 3 0
	t_eq "facts after" " 1500 fe:ff:ff:ff:ff:ff 0" "$(vif_facts vif3.0)"
	t_eq "absent link" absent "$(vif_facts nosuch0)"
	t_done
	;;
esac
