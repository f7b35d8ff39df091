#!/bin/sh
# vif-xenplumb writes only into its own vif's backend directory, against the
# real xenstored: a vif=/XENBUS_PATH (or INTERFACE=/XENBUS_PATH) pair that
# does not agree writes nothing anywhere (not into another guest's connected
# backend), and an online whose backend directory has gone does not create
# it again.  Every run is in a private network namespace (unshare -n): none
# of these reaches a change, and none could touch the host's links.
. "$(dirname "$0")/../lib/t.sh"
. "$(dirname "$0")/../lib/xs.sh"
: "${B:=build}"
BIN=$B/vif-xenplumb
[ -x "$BIN" ] || t_bail "no $BIN (run make)"

tmp=$(mktemp -d) || t_bail "mktemp"
# shellcheck disable=SC2034 # run by xs.sh's exit trap
XS_CLEANUP='rm -rf "$tmp"'
xs_start || t_bail "cannot start xenstored"
export XENPLUMB_STATE_DIR="$tmp/run" XENPLUMB_HOTPLUG_LOG="$tmp/log" XENPLUMB_CONF="$tmp/none"
BE=/local/domain/0/backend/vif

# a connected guest 42 and a guest 40 being set up
for d in 40 42; do
	xs_write "$BE/$d/0/frontend-id" "$d" && xs_write "$BE/$d/0/online" 1 ||
		t_bail "backend $d"
done
xs_write "$BE/42/0/hotplug-status" connected
snap() { xenstore-ls -f "$BE" 2>/dev/null; }
before=$(snap)

run() { unshare -n env "$@" "$BIN" online type_if=vif </dev/null; }

t_fails "vif of guest 40 with guest 42's XENBUS_PATH: refused" \
	run XENBUS_PATH=backend/vif/42/0 vif=vif40.0
t_fails "vif of guest 42's other NIC: refused" run XENBUS_PATH=backend/vif/42/0 vif=vif42.1
t_fails "absolute XENBUS_PATH of guest 42, vif of 40: refused" \
	run XENBUS_PATH=/local/domain/0/backend/vif/42/0 vif=vif40.0
t_fails "tap of guest 40 with guest 42's XENBUS_PATH: refused" \
	unshare -n env XENBUS_PATH=backend/vif/42/0 INTERFACE=vif40.0-emu "$BIN" add type_if=tap
t_eq "guest 42 still connected" connected "$(xs_read "$BE/42/0/hotplug-status")"
t_eq "no hotplug-error anywhere" "" "$(snap | grep hotplug-error)"
t_eq "the backends are byte for byte as before" "$before" "$(snap)"
t_match "the refusal is logged, named" \
	'online vif40\.0 \(domain [0-9?]+\): vif vif40\.0 does not belong to backend/vif/42/0' \
	"$(cat "$tmp/log")"

# -- the backend directory has gone (libxl removed the device) --
xs_rm "$BE/40/0"
t_fails "online for a removed backend fails" run XENBUS_PATH=backend/vif/40/0 vif=vif40.0
t_ok "and does not create it again" sh -c "! xenstore-exists $BE/40/0"
t_match "logged: the directory has gone" 'online vif40\.0 \(domain 40\): backend directory backend/vif/40/0 has gone' \
	"$(cat "$tmp/log")"
t_done
