#!/bin/sh
# Guests survive network-xenplumb: running guests' vifs that end up on no
# bridge (the bridge deleted under them, then recreated by start or reload)
# are put back by start/reload with the bridge, antispoofing and name they
# had, found from their xenstore backend keys; status calls each such vif
# drift; vifs of domains that are gone, or that the toolstack never
# plumbed, are left alone; a dry run only says what it would do.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
cd "$T_ROOT" || exit 1
X=$B/network-xenplumb
vif_init
export XENPLUMB_STATE_DIR="$VIF_TMP/state"
ip link add eth0 type veth peer name lan0 || t_bail "veth"
vif_map "[bridge xenbr0]
ports = eth0
antispoof = yes
default = yes

[bridge xenbr1]"
M=$XENPLUMB_CONF
t_ok "start" "$X" start -c "$M"

t_ok "guest 1: a PV vif with an ip key" vif_mkvif 1 0 bridge=xenbr0 ip=192.0.2.11
t_ok "guest 2: a PV vif renamed by vifname" vif_mkvif 2 0 bridge=xenbr0 vifname=web2
t_ok "guest 3: an HVM guest's PV vif" vif_mkvif 3 0 bridge=xenbr1
t_ok "guest 3: and its emulated NIC" vif_mktap 3 0 bridge=xenbr1
t_ok "guest 4: plumbed, then its domain is gone" vif_mkvif 4 0 bridge=xenbr1
t_ok "guest 5: made but never plumbed" vif_mkvif 5 0 bridge=xenbr1
for d in 1 2 3 4; do t_ok "online vif$d.0" vif_run online $d 0; done
t_ok "add vif3.0-emu" vif_run_tap add 3 0
t_ok "status matches the map with every guest on its bridge" "$X" status -c "$M"
xenstore-rm /local/domain/4

# The admin deletes both bridges under the guests.
ip link del xenbr0
ip link del xenbr1
out=$("$X" status -c "$M" 2>&1)
t_eq "status exits 1 (drift)" 1 "$(
	"$X" status -c "$M" >/dev/null 2>&1
	echo $?
)"
t_match "status: vif1.0 is drift, on no bridge" 'vif1\.0.*guest-vif|guest-vif.*vif1\.0' "$out"
t_match "status: web2 is drift" 'web2.*guest-vif|guest-vif.*web2' "$out"
t_match "status: vif3.0-emu is drift" 'vif3\.0-emu' "$out"
t_nomatch "status: the gone domain's vif is not" 'vif4\.0' "$out"
t_nomatch "status: the never plumbed vif is not" 'vif5\.0' "$out"
json=$("$X" status --json -c "$M" 2>/dev/null)
t_match "status --json lists the drift" '"what": *"guest-vif"' "$json"

dry=$("$X" start --dry-run -c "$M" 2>&1)
t_match "dry run says it would re-plug vif1.0" 're-plug guest vif vif1\.0' "$dry"
t_eq "dry run changed nothing" absent "$(vif_facts xenbr0)"

out=$("$X" start -c "$M" 2>&1)
t_eq "start recreates the bridges and exits 0" 0 "$?"
t_match "start says it re-plugged vif1.0" 're-plugged guest vif vif1\.0 \(domain 1\)' "$out"
t_match "start says it re-plugged web2" 're-plugged guest vif web2 \(domain 2\)' "$out"
t_eq "vif1.0 back on xenbr0, up" "xenbr0 1" "$("$NLPROBE" link vif1.0 master up | tr '\n' ' ' | sed 's/ $//')"
t_eq "web2 back on xenbr0 under its vifname" "xenbr0" "$("$NLPROBE" link web2 master)"
t_eq "vif3.0-emu back on xenbr1" "xenbr1" "$("$NLPROBE" link vif3.0-emu master)"
t_eq "and its PV vif too" "xenbr1" "$("$NLPROBE" link vif3.0 master)"
t_ok "vif1.0's antispoofing table is in place" nft list table netdev xenplumb-vif1.0
t_match "and still admits only its address" '192\.0\.2\.11' "$(nft list table netdev xenplumb-vif1.0 2>&1)"
t_eq "the gone domain's vif stays off" "" "$("$NLPROBE" link vif4.0 master)"
t_eq "the never plumbed vif stays off" "" "$("$NLPROBE" link vif5.0 master)"
t_eq "hotplug-status still connected" connected "$(vif_status 1 0)"
t_ok "status matches the map again" "$X" status -c "$M"

out=$("$X" reload -c "$M" 2>&1)
t_nomatch "a reload with every guest in place re-plugs nothing" 're-plug' "$out"
ip link set vif1.0 nomaster
out=$("$X" reload -c "$M" 2>&1)
t_match "a reload re-plugs a vif found on no bridge" 're-plugged guest vif vif1\.0' "$out"
t_eq "vif1.0 on xenbr0" xenbr0 "$("$NLPROBE" link vif1.0 master)"

out=$("$X" stop -c "$M" 2>&1)
t_match "stop keeps a bridge with guests (and says so)" 'kept: it has guest ports' "$out"
t_done
