#!/bin/sh
# vif-xenplumb online/offline against the real xenstored, as libxl and as
# udev (xend) run it, compared with the stock /etc/xen/scripts/vif-bridge
# on equivalent vifs; tap (emulated NIC) add/remove; vifname; bridge from
# the map (default bridge, logical network); no-op combinations; privilege.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init

STOCK=/etc/xen/scripts/vif-bridge
[ -x "$STOCK" ] || t_bail "no stock $STOCK (xen-utils-common)"

t_match "--help prints usage" "usage: vif-xenplumb online" "$("$VIF_BIN" --help)"
t_fails "no action: error" "$VIF_BIN"

ip link add xpbr0 type bridge && ip link set xpbr0 mtu 1400 up || t_bail "bridge"

stock() { # ACTION D N: the stock script with libxl's environment
	env script=$STOCK XENBUS_TYPE=vif XENBUS_PATH="backend/vif/$2/$3" \
		XENBUS_BASE_PATH=backend netdev= vif="vif$2.$3" "$STOCK" "$1" type_if=vif \
		</dev/null
}

# ---- same end state as stock ------------------------------------------------
# (D=5 ours, D=6 stock) plain / with an mtu key / with a vifname
vif_mkvif 5 0 bridge=xpbr0 && vif_mkvif 6 0 bridge=xpbr0 || t_bail "vifs"
vif_mkvif 5 1 bridge=xpbr0 mtu=1300 && vif_mkvif 6 1 bridge=xpbr0 mtu=1300 || t_bail "vifs"
vif_mkvif 5 2 bridge=xpbr0 vifname=web5 && vif_mkvif 6 2 bridge=xpbr0 vifname=web6 ||
	t_bail "vifs"
for n in 0 1 2; do
	t_ok "online 5.$n (xenplumb)" vif_run online 5 $n
	t_ok "online 6.$n (stock vif-bridge)" stock online 6 $n
	t_eq "5.$n hotplug-status as stock" "$(vif_status 6 $n)" "$(vif_status 5 $n)"
done
for n in 0 1; do
	t_eq "5.$n frontend mtu as stock" \
		"$(xenstore-read /local/domain/6/device/vif/$n/mtu 2>&1)" \
		"$(xenstore-read /local/domain/5/device/vif/$n/mtu 2>&1)"
done
# Stock derives the frontend path from the renamed device (web6: no domid),
# so it writes no frontend mtu for a vifname; xenplumb uses the backend ids.
t_eq "vifname: frontend mtu (where stock fails to write it)" 1400 \
	"$(xenstore-read /local/domain/5/device/vif/2/mtu 2>&1)"
t_eq "hotplug-status connected" connected "$(vif_status 5 0)"
t_eq "plain: link as stock" "$(vif_facts vif6.0)" "$(vif_facts vif5.0)"
t_eq "plain: bridge's MTU, fixed MAC, up" "xpbr0 1400 fe:ff:ff:ff:ff:ff 1" "$(vif_facts vif5.0)"
t_eq "mtu key: link as stock" "$(vif_facts vif6.1)" "$(vif_facts vif5.1)"
t_eq "mtu key: 1300" "xpbr0 1300 fe:ff:ff:ff:ff:ff 1" "$(vif_facts vif5.1)"
t_eq "mtu key: frontend mtu" 1300 "$(xenstore-read /local/domain/5/device/vif/1/mtu)"
t_eq "vifname: link as stock" "$(vif_facts web6)" "$(vif_facts web5)"
t_eq "vifname: old name still finds it (altname)" "$(vif_facts web5)" "$(vif_facts vif5.2)"
t_eq "vifname: renamed" web5 "$("$NLPROBE" link vif5.2 name)"
t_eq "no hotplug-error" "" "$(vif_error 5 0)"
for n in 0 1 2; do
	t_ok "offline 5.$n (xenplumb)" vif_run offline 5 $n
	t_ok "offline 6.$n (stock)" stock offline 6 $n
done
t_eq "plain offline: as stock" "$(vif_facts vif6.0)" "$(vif_facts vif5.0)"
t_eq "plain offline: down, off the bridge" " 1400 fe:ff:ff:ff:ff:ff 0" "$(vif_facts vif5.0)"
t_eq "mtu offline: as stock" "$(vif_facts vif6.1)" "$(vif_facts vif5.1)"
t_eq "vifname offline: as stock" "$(vif_facts web6)" "$(vif_facts web5)"
t_match "hotplug log has the actions" "vif-xenplumb\[[0-9]+\]: online vif5\.0 \(domain 5\): done" "$(cat "$XENPLUMB_HOTPLUG_LOG")"

# ---- libxl: xl removes the backend directory before offline ---------------
vif_mkvif 7 0 bridge=xpbr0 vifname=db7 || t_bail "vif 7.0"
t_ok "online 7.0" vif_run online 7 0
t_eq "7.0 plumbed" "xpbr0 1400 fe:ff:ff:ff:ff:ff 1" "$(vif_facts db7)"
xenstore-rm "$VIF_BE/7/0"
t_ok "offline with the backend directory gone" vif_run offline 7 0
t_eq "7.0 down, off the bridge (found by its kernel name)" " 1400 fe:ff:ff:ff:ff:ff 0" \
	"$(vif_facts db7)"
t_fails "backend directory not recreated" xenstore-exists "$VIF_BE/7/0"

# ---- the device is already gone (netback deleted it) ----------------------
vif_mkvif 7 1 bridge=xpbr0 || t_bail "vif 7.1"
t_ok "online 7.1" vif_run online 7 1
ip link del vif7.1
t_ok "offline of a vanished device exits 0" vif_run offline 7 1
t_eq "and reports no error" "" "$(vif_error 7 1)"
t_ok "offline of a device that never existed exits 0" vif_run offline 7 9

# ---- udev / xend style ----------------------------------------------------
# The uevent's variables in the environment, VAR=VAL arguments after the
# action (overriding the environment); bridge= from the arguments is used
# when the store has no bridge key, as stock does.
vif_mkvif 8 0 || t_bail "vif 8.0"
t_ok "udev online with VAR=VAL arguments" env -u vif ACTION=online SUBSYSTEM=xen-backend \
	XENBUS_TYPE=vif XENBUS_PATH=backend/vif/8/0 XENBUS_BASE_PATH=backend \
	script=/etc/xen/scripts/vif-xenplumb vif=vif1.1 \
	"$VIF_BIN" online bridge=xpbr0 vif=vif8.0 </dev/null
t_eq "udev: plumbed on the bridge from the arguments" "xpbr0 1400 fe:ff:ff:ff:ff:ff 1" \
	"$(vif_facts vif8.0)"
t_eq "udev: connected" connected "$(vif_status 8 0)"
t_ok "udev offline" env XENBUS_PATH=backend/vif/8/0 vif=vif8.0 "$VIF_BIN" offline </dev/null
t_eq "udev: offline" " 1400 fe:ff:ff:ff:ff:ff 0" "$(vif_facts vif8.0)"
vif_mkvif 8 1 bridge=xpbr0 || t_bail "vif 8.1"
t_ok "absolute XENBUS_PATH" env XENBUS_PATH=/local/domain/0/backend/vif/8/1 vif=vif8.1 \
	"$VIF_BIN" online </dev/null
t_eq "absolute path: connected" connected "$(vif_status 8 1)"

# udev calls (UDEV_CALL=1, set by our rules) step aside for libxl and for
# emulated NICs whose vif uses another script
vif_mkvif 8 3 bridge=xpbr0 || t_bail "vif 8.3"
xenstore-write /libxl/disable_udev 1
t_ok "udev call while libxl runs the scripts: exit 0" env UDEV_CALL=1 \
	XENBUS_PATH=backend/vif/8/3 vif=vif8.3 "$VIF_BIN" online type_if=vif
t_eq "udev call ignored: not plumbed" "" "$("$NLPROBE" link vif8.3 master)"
t_ok "without UDEV_CALL libxl's own call still works" vif_run online 8 3
t_eq "plumbed by the libxl call" xpbr0 "$("$NLPROBE" link vif8.3 master)"
xenstore-rm /libxl/disable_udev
vif_mktap 8 4 bridge=xpbr0 script=/etc/xen/scripts/vif-bridge || t_bail "tap 8.4"
t_ok "udev tap add for a vif-bridge vif: exit 0" env UDEV_CALL=1 INTERFACE=vif8.4-emu \
	"$VIF_BIN" add type_if=tap
t_eq "that tap is left alone" "" "$("$NLPROBE" link vif8.4-emu master)"
vif_mktap 8 5 bridge=xpbr0 || t_bail "tap 8.5"
t_ok "udev tap add for a vif-xenplumb vif" env UDEV_CALL=1 INTERFACE=vif8.5-emu \
	"$VIF_BIN" add type_if=tap
t_eq "that tap is plumbed" xpbr0 "$("$NLPROBE" link vif8.5-emu master)"

# ---- no-op combinations, as stock -----------------------------------------
vif_mkvif 8 2 bridge=xpbr0 || t_bail "vif 8.2"
t_ok "add type_if=vif does nothing" vif_run add 8 2
t_ok "online type_if=tap does nothing" env XENBUS_PATH=backend/vif/8/2 vif=vif8.2 \
	INTERFACE=vif8.2-emu "$VIF_BIN" online type_if=tap </dev/null
t_eq "8.2 untouched" " 1500 $("$NLPROBE" link vif8.2 mac) 0" "$(vif_facts vif8.2)"
t_eq "8.2 no status" "" "$(vif_status 8 2)"
t_fails "unknown action fails" vif_run start 8 2

# ---- tap: an HVM guest's emulated NIC --------------------------------------
vif_mktap 9 0 bridge=xpbr0 || t_bail "tap 9.0"
t_ok "tap add" vif_run_tap add 9 0
t_eq "tap plumbed" "xpbr0 1400 fe:ff:ff:ff:ff:ff 1" "$(vif_facts vif9.0-emu)"
t_eq "tap add writes no hotplug-status (as stock)" "" "$(vif_status 9 0)"
t_ok "tap: online type_if=vif then is a different device" true
t_ok "tap remove" vif_run_tap remove 9 0
t_eq "tap removed" " 1400 fe:ff:ff:ff:ff:ff 0" "$(vif_facts vif9.0-emu)"
vif_mktap 9 1 bridge=xpbr0 vifname=win9 || t_bail "tap 9.1"
t_ok "tap add with vifname" vif_run_tap add 9 1
t_eq "tap renamed to VIFNAME-emu" "xpbr0 1400 fe:ff:ff:ff:ff:ff 1" "$(vif_facts win9-emu)"
t_ok "tap remove with vifname" vif_run_tap remove 9 1
t_eq "tap with vifname removed" " 1400 fe:ff:ff:ff:ff:ff 0" "$(vif_facts win9-emu)"

# ---- vifname refused when the name is taken --------------------------------
ip link add hostnic0 type veth peer name hostnic0p || t_bail "host nic"
ip link set hostnic0 up
before=$("$NLPROBE" link hostnic0)
vif_mkvif 10 0 bridge=xpbr0 vifname=hostnic0 || t_bail "vif 10.0"
t_fails "vifname of a host NIC: refused" vif_run online 10 0
t_eq "status error" error "$(vif_status 10 0)"
t_match "error names the taken name" "hostnic0.*exists" "$(vif_error 10 0)"
t_eq "host NIC untouched" "$before" "$("$NLPROBE" link hostnic0)"
t_eq "vif 10.0 left as it was" " 1500 $("$NLPROBE" link vif10.0 mac) 0" "$(vif_facts vif10.0)"
vif_mkvif 11 0 bridge=xpbr0 || t_bail "vif 11.0"
vif_mkvif 10 1 bridge=xpbr0 vifname=vif11.0 || t_bail "vif 10.1"
t_fails "vifname of another guest's NIC: refused" vif_run online 10 1
t_match "error says so" "another guest" "$(vif_error 10 1)"
vif_mkvif 10 2 bridge=xpbr0 vifname=vif12.0 || t_bail "vif 10.2"
t_fails "vifname that netback will give another guest: refused" vif_run online 10 2
t_eq "vif 10.2 not renamed" vif10.2 "$("$NLPROBE" link vif10.2 name)"

# ---- bridge from the map ----------------------------------------------------
ip link add xpbr1 type bridge && ip link set xpbr1 up || t_bail "bridge 1"
vif_mkvif 12 0 || t_bail "vif 12.0"
t_fails "no bridge key and no map: error" vif_run online 12 0
t_eq "error text, named" "online vif12.0 (domain 12): no bridge given and no default" \
	"$(vif_error 12 0)"
vif_map '[bridge xpbr1]
default = yes

[bridge xpbr0]
vlan-filtering = yes    # the map says so; this host kernel cannot

[network dmz]
bridge = xpbr1

[network lab]
bridge = xpbr0
vlan = 30'
xenstore-rm "$VIF_BE/12/0/hotplug-error"
t_ok "default bridge from the map" vif_run online 12 0
t_eq "on the default bridge" xpbr1 "$("$NLPROBE" link vif12.0 master)"
t_eq "no new hotplug-error" "" "$(vif_error 12 0)"
vif_mkvif 12 1 bridge=dmz || t_bail "vif 12.1"
t_ok "logical network" vif_run online 12 1
t_eq "on the network's bridge" xpbr1 "$("$NLPROBE" link vif12.1 master)"
vif_mkvif 12 2 bridge=lab || t_bail "vif 12.2"
t_fails "network with a VLAN on a bridge without vlan_filtering: error" vif_run online 12 2
t_match "error names the bridge" "bridge xpbr0 does not filter VLANs" "$(vif_error 12 2)"
t_eq "12.2 not plumbed" " 1500" "$("$NLPROBE" link vif12.2 master mtu | tr '\n' ' ' | sed 's/ $//')"
vif_map '[bridge xpbr1]
defualt = yes'
vif_mkvif 12 3 bridge=xpbr0 || t_bail "vif 12.3"
t_fails "map with an error: refused" vif_run online 12 3
t_match "error names the map's diagnostic" "map .*xenplumb.conf.*:2:" "$(vif_error 12 3)"
export XENPLUMB_CONF="$VIF_TMP/none.conf"

# ---- privilege ----------------------------------------------------------------
vif_mkvif 13 0 bridge=xpbr0 || t_bail "vif 13.0"
if command -v setpriv >/dev/null; then
	t_fails "without CAP_NET_ADMIN: refused" setpriv --inh-caps=-net_admin \
		--bounding-set=-net_admin env XENBUS_PATH=backend/vif/13/0 vif=vif13.0 \
		"$VIF_BIN" online
	t_match "hotplug-error says why" "CAP_NET_ADMIN" "$(vif_error 13 0)"
	t_eq "13.0 not plumbed" "" "$("$NLPROBE" link vif13.0 master)"
else
	t_failmsg "setpriv (util-linux) missing"
fi

t_done
