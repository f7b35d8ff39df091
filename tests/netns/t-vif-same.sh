#!/bin/sh
# Runs for one vif serialise on that vif (its lock in
# $XENPLUMB_STATE_DIR/vif) and end consistent: 160 onlines of one renamed
# vif at once (what udev's run beside libxl's produces, many times over),
# half of them udev-style, all succeed and leave it plumbed and connected.
# An online after an online changes nothing (no down/up flap for the
# guest); an offline after an offline is clean.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init

COUNT=160
ip link add xpbr0 type bridge && ip link set xpbr0 up || t_bail "bridge"
PLUMBED="xpbr0 1500 fe:ff:ff:ff:ff:ff 1"
DOWN=" 1500 fe:ff:ff:ff:ff:ff 0"

# burst D N: COUNT onlines of vif D.N at once; prints how many failed
burst() {
	i=0
	while [ $i -lt $COUNT ]; do
		if [ $((i % 2)) = 0 ]; then
			(vif_run online "$1" "$2" >"$VIF_TMP/out.$i" 2>&1
			echo $? >"$VIF_TMP/rc.$i") &
		else
			(UDEV_CALL=1 vif_run online "$1" "$2" >"$VIF_TMP/out.$i" 2>&1
			echo $? >"$VIF_TMP/rc.$i") &
		fi
		i=$((i + 1))
	done
	wait
	bad=0 i=0
	while [ $i -lt $COUNT ]; do
		[ "$(cat "$VIF_TMP/rc.$i")" = 0 ] || {
			bad=$((bad + 1))
			[ $bad -le 3 ] && sed "s/^/#   run $i: /" "$VIF_TMP/out.$i"
		}
		i=$((i + 1))
	done
	echo $bad
}

for round in 1 2 3; do
	vif_mkvif 7 $round bridge=xpbr0 vifname=web$round || t_bail "vif 7.$round"
	t_eq "round $round: $COUNT onlines of vif7.$round at once all exit 0" 0 \
		"$(burst 7 $round | tail -n 1)"
	t_eq "round $round: hotplug-status connected" connected "$(vif_status 7 $round)"
	t_eq "round $round: no hotplug-error" "" "$(vif_error 7 $round)"
	t_eq "round $round: web$round plumbed" "$PLUMBED" "$(vif_facts web$round)"
	t_match "round $round: kernel name kept as altname" "altname vif7\.$round" \
		"$(ip link show web$round 2>/dev/null)"
	t_eq "round $round: one port on the bridge per vif so far" $round \
		"$("$NLPROBE" ports xpbr0 | grep -c .)"
done

# -- online after online: idempotent, and no flap --
cc=$(cat /sys/class/net/web1/carrier_changes)
idx=$(cat /sys/class/net/web1/ifindex)
t_ok "online again" vif_run online 7 1
t_ok "and again" vif_run online 7 1
t_eq "still plumbed" "$PLUMBED" "$(vif_facts web1)"
t_eq "same device" "$idx" "$(cat /sys/class/net/web1/ifindex)"
t_eq "no down/up on the way (carrier changes)" "$cc" "$(cat /sys/class/net/web1/carrier_changes)"
t_eq "connected" connected "$(vif_status 7 1)"

# -- offline after offline: clean --
t_ok "offline" vif_run offline 7 1
t_eq "down, off the bridge" "$DOWN" "$(vif_facts web1)"
t_ok "offline again: exit 0" vif_run offline 7 1
t_eq "still down, off the bridge" "$DOWN" "$(vif_facts web1)"
t_match "kernel name still its altname" "altname vif7\.1" "$(ip link show web1 2>/dev/null)"
t_eq "no hotplug-error" "" "$(vif_error 7 1)"
t_ok "online after the offlines plumbs it again" vif_run online 7 1
t_eq "plumbed" "$PLUMBED" "$(vif_facts web1)"

# -- the lock is per vif: one file each, no global lock file --
t_eq "lock files: one per vif" "7.1.lock 7.2.lock 7.3.lock" \
	"$(ls "$XENPLUMB_STATE_DIR/vif" | tr '\n' ' ' | sed 's/ $//')"
# a run for another vif does not wait while this one's lock is held
vif_mkvif 7 9 bridge=xpbr0 || t_bail "vif 7.9"
t_ok "vif 7.9 plumbs while 7.2's lock is held" \
	flock "$XENPLUMB_STATE_DIR/vif/7.2.lock" env B="$B" sh -c \
	"XENBUS_PATH=backend/vif/7/9 vif=vif7.9 '$VIF_BIN' online type_if=vif </dev/null"
t_eq "connected" connected "$(vif_status 7 9)"
t_done
