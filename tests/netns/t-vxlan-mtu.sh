#!/bin/sh
# The MTU of a guest network over VXLAN, end to end: network-xenplumb
# gives each VXLAN its underlay's MTU minus the encapsulation (50 bytes
# over IPv4, 70 over IPv6; the map's mtu when it sets one) and pins the
# bridge over it at that MTU, its uplink's (issue 13 item 6), in the plan
# --dry-run prints as in the real run.  Guests whose mtu key is smaller or
# larger than the segment's never move the bridge, and a full-size frame
# with DF set crosses from host 1 to host 3 without fragmenting the
# underlay: on the usual 1500 underlay (1450 inside) and on a jumbo one
# (9000: 8950 inside).  A VXLAN xenplumb creates carries its ownership mark.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/netns/t-vxlan-lib.sh
. "$(dirname "$0")/t-vxlan-lib.sh"
cd "$T_ROOT" || exit 1
{ [ -x "$B/network-xenplumb" ] && [ -x "$B/vif-xenplumb" ]; } || t_bail "build first (make)"
vx_init
vx_xs || t_bail "cannot start xenstored"

M1=00:16:3e:00:17:11 M3=00:16:3e:00:17:13 M5=00:16:3e:00:17:15 M7=00:16:3e:00:17:17
# map N: host N's map (VNI 100 over IPv4, 106 over IPv6, 200 with its own mtu)
map() {
	o=$((4 - $1))
	cat >"$VX_TMP/map$1.conf" <<MAP
[vxlan vx100]
vni = 100
local = 192.0.2.$1
remote = 192.0.2.$o

[vxlan vx106]
vni = 106
local = 2001:db8:17::$1
remote = 2001:db8:17::$o

[vxlan vx200]
vni = 200
device = eth0
local = 192.0.2.$1
remote = 192.0.2.$o
mtu = 1400

[bridge brvx]
ports = vx100

[bridge brvx6]
ports = vx106

[bridge br200]
ports = vx200

[network web]
bridge = brvx
MAP
}
mtu() { vx_h "$1" cat "/sys/class/net/$2/mtu"; }
# the MTUs on host N, "vx100 brvx vx106 brvx6 vx200 br200"
mtus() { echo "$(mtu "$1" vx100) $(mtu "$1" brvx) $(mtu "$1" vx106) $(mtu "$1" brvx6) $(mtu "$1" vx200) $(mtu "$1" br200)"; }
# underlay MTU M on the switch and hosts 1 and 3
underlay() {
	for d in ul-h1 ul-h3 ul0; do ip link set "$d" mtu "$1" || return 1; done
	for n in 1 3; do vx_h $n ip link set eth0 mtu "$1" || return 1; done
}

map 1
map 3
out=$(vx_x 1 start --dry-run 2>&1)
t_eq "host 1: start --dry-run exits 0" 0 $?
t_match "the dry run sets vx100 to the underlay's 1500 minus 50" \
	"set vx100 mtu 1450 \(was 1500\) \(the underlay's 1500 minus 50" "$out"
t_match "... and pins brvx at it, its uplink's" "set brvx mtu 1450, pinned: ports no longer move it" \
	"$out"
t_match "... vx106 (IPv6 underlay) at 1500 minus 70" "set vx106 mtu 1430 \(was 1500\)" "$out"
t_match "... brvx6 at 1430" "set brvx6 mtu 1430, pinned" "$out"
t_match "... br200 at the map's 1400 for vx200" "set br200 mtu 1400, pinned" "$out"
t_fails "... and created nothing" vx_h 1 ip link show brvx

for n in 1 3; do
	out=$(vx_x $n start 2>&1)
	t_eq "host $n: start exits 0" 0 $?
	[ $n = 1 ] && out1=$out
done
t_match "the real run plans the same" "set brvx mtu 1450, pinned: ports no longer move it" "$out1"
for n in 1 3; do
	t_eq "host $n: vx100 brvx vx106 brvx6 vx200 br200 MTUs" "1450 1450 1430 1430 1400 1400" \
		"$(mtus $n)"
done
t_eq "the VXLAN start created carries xenplumb's mark (link group 0x78706c62)" 2020633698 \
	"$(vx_h 1 ip -j -d link show vx100 | jq -r '.[0].group')"

# Guests 1 (host 1) and 3 (host 3) on the segment; guest 5 with a smaller
# and guest 7 with a larger mtu key beside guest 1.
vx_guest 1 1 $M1 vif11.0 && vx_guest 3 3 $M3 vif33.0 && vx_guest 5 1 $M5 vif15.0 &&
	vx_guest 7 1 $M7 vif17.0 || t_bail "cannot make the guests"
t_ok "host 1: online vif11.0 (bridge=web)" vx_vif online 1 11 bridge=web mac=$M1
t_ok "host 3: online vif33.0 (bridge=web)" vx_vif online 3 33 bridge=web mac=$M3
t_ok "host 1: online vif15.0 with mtu=1400" vx_vif online 1 15 bridge=web mac=$M5 mtu=1400
t_eq "... the vif gets 1400, brvx keeps 1450" "brvx 1400 1450" \
	"$(vx_port 1 vif15.0) $(mtu 1 brvx)"
t_ok "host 1: online vif17.0 with mtu=9000" vx_vif online 1 17 bridge=web mac=$M7 mtu=9000
t_eq "... the vif gets 9000, brvx keeps 1450" "brvx 9000 1450" \
	"$(vx_port 1 vif17.0) $(mtu 1 brvx)"
t_eq "vif11.0 and vif33.0 have the segment's MTU" "brvx 1450 brvx 1450" \
	"$(vx_port 1 vif11.0) $(vx_port 3 vif33.0)"
for g in 1 3; do vx_g $g ip link set eth0 mtu 1450; done
t_ok "guest 1 (host 1) pings guest 3 (host 3)" vx_wait 5 vx_g 1 ping -c 1 -W 1 198.51.100.3
f0=$(vx_fragcreates 1 Ip)
t_ok "a full-size frame (1450: 1422 bytes of ping) with DF set crosses" \
	vx_g 1 ping -c 2 -W 2 -M do -s 1422 198.51.100.3
t_eq "... without fragmenting the underlay" "$f0" "$(vx_fragcreates 1 Ip)"
t_fails "one byte more does not fit with DF" vx_g 1 ping -c 1 -W 1 -M do -s 1423 198.51.100.3

# A jumbo underlay: stop (guests off first), 9000 on the wire, start again.
for d in 11 15 17; do vx_vif offline 1 $d >/dev/null 2>&1; done
vx_vif offline 3 33 >/dev/null 2>&1
for n in 1 3; do
	vx_x $n stop >/dev/null 2>&1
	t_fails "host $n: stop removed brvx" vx_h $n ip link show brvx
done
underlay 9000 || t_bail "cannot raise the underlay's MTU"
for n in 1 3; do
	out=$(vx_x $n start 2>&1)
	t_eq "host $n: start on the 9000 underlay exits 0" 0 $?
	t_eq "host $n: vx100 brvx vx106 brvx6 vx200 br200 MTUs" "8950 8950 8930 8930 1400 1400" \
		"$(mtus $n)"
done
t_ok "host 1: online vif11.0 again" vx_vif online 1 11 bridge=web mac=$M1
t_ok "host 3: online vif33.0 again" vx_vif online 3 33 bridge=web mac=$M3
t_eq "the vifs have the segment's 8950" "brvx 8950 brvx 8950" \
	"$(vx_port 1 vif11.0) $(vx_port 3 vif33.0)"
for g in 1 3; do vx_g $g ip link set eth0 mtu 8950; done
t_ok "guest 1 pings guest 3 over the jumbo underlay" vx_wait 5 vx_g 1 ping -c 1 -W 1 198.51.100.3
f0=$(vx_fragcreates 1 Ip)
t_ok "a full-size frame (8950) with DF set crosses" vx_g 1 ping -c 2 -W 2 -M do -s 8922 198.51.100.3
t_eq "... without fragmenting the underlay" "$f0" "$(vx_fragcreates 1 Ip)"
t_done
