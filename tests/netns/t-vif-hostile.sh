#!/bin/sh
# Hostile or broken xenstore values and environment: every case must fail
# with exit 1, hotplug-status=error and a printable hotplug-error, plumb
# nothing, and leave every other device (a host NIC, another guest's vif,
# the bridge) untouched.  Also: keys the guest writes in its own frontend
# directory are never used.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init

ip link add xpbr0 type bridge && ip link set xpbr0 up || t_bail "bridge"
ip link add hostnic0 type veth peer name hostnic0p && ip link set hostnic0 up || t_bail "host nic"
vif_mkvif 40 0 bridge=xpbr0 && vif_run online 40 0 || t_bail "other guest"

snapshot() {
	"$NLPROBE" link hostnic0
	"$NLPROBE" link vif40.0
	"$NLPROBE" link xpbr0
	"$NLPROBE" ports xpbr0
}
SNAP=$(snapshot)
HOSTNIC=$("$NLPROBE" link hostnic0)
N=0

# bad DESC ERRPATTERN KEY=VALUE...: a fresh vif 41.N with these keys
bad() {
	_desc=$1 _pat=$2
	shift 2
	N=$((N + 1))
	vif_mkvif 41 $N "$@" || {
		t_failmsg "$_desc: setup"
		return
	}
	_mac=$("$NLPROBE" link vif41.$N mac)
	_out=$(vif_run online 41 $N 2>&1)
	_rc=$?
	_err=$(vif_error 41 $N)
	if [ "$_rc" -ne 1 ]; then
		t_failmsg "$_desc: exit $_rc, want 1"
		printf '%s\n' "$_out" | sed 's/^/#   /'
	elif [ "$(vif_status 41 $N)" != error ]; then
		t_failmsg "$_desc: hotplug-status '$(vif_status 41 $N)'"
	elif [ -z "$_err" ] || printf '%s' "$_err" | LC_ALL=C grep -q '[^ -~]'; then
		t_failmsg "$_desc: hotplug-error empty or unprintable: '$_err'"
	elif ! printf '%s\n' "$_err" | grep -Eq -- "$_pat"; then
		t_failmsg "$_desc: hotplug-error '$_err' does not match /$_pat/"
	elif [ "$(vif_facts vif41.$N)" != " 1500 $_mac 0" ] ||
		[ "$("$NLPROBE" link vif41.$N name)" != "vif41.$N" ]; then
		t_failmsg "$_desc: vif41.$N was changed: $(vif_facts vif41.$N)"
	elif [ "$(snapshot)" != "$SNAP" ]; then
		t_failmsg "$_desc: another device was changed"
	else
		t_pass "$_desc"
	fi
}

long() { head -c "$1" /dev/zero | tr '\0' "${2:-a}"; }
CTL=$(printf 'xp\001br0')
ESC=$(printf 'xpbr0\033[2J')
NL=$(printf 'xpbr0\nx')

# -- bridge --
bad "bridge with /" "interface name" bridge=a/b
bad "bridge ../../xpbr0" "interface name" bridge=../../xpbr0
bad "bridge .." "interface name" bridge=..
bad "bridge with a control byte" "not printable" "bridge=$CTL"
bad "bridge with an escape sequence" "not printable" "bridge=$ESC"
bad "bridge with a newline" "not printable" "bridge=$NL"
bad "bridge name of 16 bytes" "longer than 15" bridge=abcdefghijklmnop
bad "bridge of 2000 bytes" "bridge" "bridge=$(long 2000)"
bad "bridge names a host NIC" "hostnic0 .*is not a bridge" bridge=hostnic0
bad "bridge names another guest's vif" "vif40.0 .*is not a bridge" bridge=vif40.0
bad "bridge names loopback" "lo .*is not a bridge" bridge=lo
bad "bridge that does not exist" "bridge nosuchbr does not exist" bridge=nosuchbr
bad "BR.TAG on a bridge without VLAN filtering" "bridge xpbr0 does not filter VLANs" \
	bridge=xpbr0.10
bad "BR:T:T on a bridge without VLAN filtering" "bridge xpbr0 does not filter VLANs" \
	bridge=xpbr0:10:20
bad "BR:0" "VLAN id" bridge=xpbr0:0
bad "BR:4095" "VLAN id" bridge=xpbr0:4095
bad "BR.TAG on a host NIC" "hostnic0 .*is not a bridge" bridge=hostnic0.10
# -- mtu --
bad "mtu not numeric" "mtu abc" bridge=xpbr0 mtu=abc
bad "mtu 0" "mtu 0" bridge=xpbr0 mtu=0
bad "mtu 67" "mtu 67" bridge=xpbr0 mtu=67
bad "mtu 65536" "mtu 65536" bridge=xpbr0 mtu=65536
bad "mtu huge" "mtu" bridge=xpbr0 mtu=99999999999999999999999
bad "mtu negative" "mtu" bridge=xpbr0 mtu=-1500
bad "mtu with a space" "mtu" "bridge=xpbr0" "mtu=1500 "
bad "mtu hex" "mtu" bridge=xpbr0 mtu=0x5dc
# -- mac --
bad "mac not hex" "mac" bridge=xpbr0 mac=zz:zz:zz:zz:zz:zz
bad "mac multicast" "multicast" bridge=xpbr0 mac=01:00:5e:00:00:01
bad "mac short" "mac" bridge=xpbr0 mac=00:16:3e:00:00
bad "mac with a shell tail" "mac" "bridge=xpbr0" "mac=00:16:3e:00:00:01;reboot"
bad "mac all zero" "zero" bridge=xpbr0 mac=00:00:00:00:00:00
# -- vlan --
bad "vlan 0" "VLAN id" bridge=xpbr0 vlan=0
bad "vlan 4095" "out of range" bridge=xpbr0 vlan=4095
bad "vlan 4096" "out of range" bridge=xpbr0 vlan=4096
bad "vlan list without a PVID" "PVID" bridge=xpbr0 vlan=10/20
bad "vlan range backwards" "below its start" bridge=xpbr0 vlan=1p/10-5
bad "vlan junk" "VLAN id" bridge=xpbr0 vlan=abc
bad "vlan overlapping" "more than once" bridge=xpbr0 vlan=10p/5-15
bad "vlan of 1500 bytes" "vlan" "bridge=xpbr0" "vlan=$(long 1500 1)"
bad "vlan on a bridge without VLAN filtering" "bridge xpbr0 does not filter VLANs" \
	bridge=xpbr0 vlan=10
bad "vlan key and BR.TAG together" "VLANs given twice" bridge=xpbr0.10 vlan=20
# -- vifname --
bad "vifname with /" "vifname" bridge=xpbr0 vifname=a/b
bad "vifname .." "vifname" bridge=xpbr0 vifname=..
bad "vifname with a control byte" "vifname" "bridge=xpbr0" "vifname=$CTL"
bad "vifname of 16 bytes" "longer than 15" bridge=xpbr0 vifname=abcdefghijklmnop
bad "vifname of a host NIC" "hostnic0: a link with that name exists" bridge=xpbr0 \
	vifname=hostnic0
bad "vifname of another guest's vif" "another guest" bridge=xpbr0 vifname=vif40.0
bad "vifname of the bridge" "xpbr0: a link with that name exists" bridge=xpbr0 vifname=xpbr0
bad "vifname with a colon" "vifname" bridge=xpbr0 vifname=eth0:1
# -- ip --
bad "ip out of range" "ip" bridge=xpbr0 ip=10.0.0.300
bad "ip with shell text" "ip" "bridge=xpbr0" "ip=; rm -rf /"
bad "ip prefix too long" "ip" bridge=xpbr0 ip=10.0.0.1/33

# -- the environment --
vif_mkvif 42 0 bridge=xpbr0 || t_bail "vif 42.0"
t_fails "XENBUS_PATH with .. is refused" env XENBUS_PATH=backend/vif/42/0/../../40/0 \
	vif=vif42.0 "$VIF_BIN" online
t_fails "XENBUS_PATH outside backend/vif is refused" env XENBUS_PATH=/local/domain/40 \
	vif=vif42.0 "$VIF_BIN" online
t_fails "vif not matching XENBUS_PATH is refused" env XENBUS_PATH=backend/vif/42/0 \
	vif=vif40.0 "$VIF_BIN" online
t_eq "and nothing written into the backend it named" "" "$(vif_error 42 0)"
t_fails "vif naming a host NIC is refused" env XENBUS_PATH=backend/vif/42/0 vif=hostnic0 \
	"$VIF_BIN" online
t_fails "offline for another guest's device name is refused" env \
	XENBUS_PATH=backend/vif/42/0 vif=vif40.0 "$VIF_BIN" offline
t_fails "tap with a bad INTERFACE is refused" env INTERFACE=hostnic0 "$VIF_BIN" add \
	type_if=tap
# guest 40 is connected: a pair naming its backend with another vif (or its
# vif with another backend) writes nothing into it and leaves its NIC alone
BE40=$(xenstore-ls -f "$VIF_BE/40" 2>/dev/null)
t_fails "vif42.0 with guest 40's XENBUS_PATH: online refused" env \
	XENBUS_PATH=backend/vif/40/0 vif=vif42.0 "$VIF_BIN" online type_if=vif
t_fails "same pair: offline refused" env XENBUS_PATH=backend/vif/40/0 vif=vif42.0 \
	"$VIF_BIN" offline type_if=vif
t_fails "vif42.0-emu tap with guest 40's XENBUS_PATH: remove refused" env \
	XENBUS_PATH=backend/vif/40/0 INTERFACE=vif42.0-emu "$VIF_BIN" remove type_if=tap
t_eq "guest 40 still connected" connected "$(vif_status 40 0)"
t_eq "guest 40's backend exactly as it was (no hotplug-error)" "$BE40" \
	"$(xenstore-ls -f "$VIF_BE/40" 2>/dev/null)"
t_eq "guest 42's backend got no hotplug-error either" "" "$(vif_error 42 0)"
t_eq "nothing else changed by the bad environments" "$SNAP" "$(snapshot)"
t_eq "vif42.0 untouched" "" "$("$NLPROBE" link vif42.0 master)"

# -- the backend directory has gone (libxl removed the device): online
# plumbs nothing and does not create it again --
vif_mkvif 44 0 bridge=xpbr0 || t_bail "vif 44.0"
F44=$("$NLPROBE" link vif44.0 master mtu mac up)
xenstore-rm "$VIF_BE/44/0"
t_fails "online for a removed backend fails" vif_run online 44 0
t_ok "the backend directory is not created again" sh -c "! xenstore-exists $VIF_BE/44/0"
t_eq "vif44.0 not plumbed" "$F44" "$("$NLPROBE" link vif44.0 master mtu mac up)"

# -- the guest's own (frontend) directory is never read --
vif_mkvif 43 0 bridge=xpbr0 mtu=1400 || t_bail "vif 43.0"
FE=/local/domain/43/device/vif/0
xenstore-write $FE/bridge hostnic0 $FE/vifname hostnic0 $FE/mac 02:00:00:00:00:01 \
	$FE/vlan 4095 $FE/ip 1.2.3.4 $FE/script /bin/false
t_ok "online ignores the frontend's keys" vif_run online 43 0
t_eq "plumbed from the backend keys" "xpbr0 1400 fe:ff:ff:ff:ff:ff 1" "$(vif_facts vif43.0)"
t_eq "host NIC untouched" "$HOSTNIC" "$("$NLPROBE" link hostnic0)"
t_ok "offline" vif_run offline 43 0

t_eq "at least 30 hostile values were tried" 1 "$([ $N -ge 30 ] && echo 1 || echo 0)"
t_done
