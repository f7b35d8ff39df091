#!/bin/sh
# The EVPN recipe of docs/multi-host.md: FRR (Debian's zebra + bgpd, the
# frr.conf of etc/examples/frr-evpn.frr, an iBGP full mesh with
# advertise-all-vni) on each of three hosts; network-xenplumb builds VXLAN
# VNI 100 with learning off and no static flood list from the same map on
# every host (before FRR starts on hosts 1 and 2, after it on host 3), and
# vif-xenplumb plugs the guests (bridge=web).  BGP fills the flood list (type-3 routes)
# and the FDB (type-2: guest MACs learned on one host appear on the others
# as extern_learn entries); guests on hosts 1 and 3 reach each other with
# full-size DF frames; guest 1 then moves to host 2 and host 3 follows it
# by a MAC mobility update (sequence number 1): the time is reported.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/netns/t-vxlan-lib.sh
. "$(dirname "$0")/t-vxlan-lib.sh"
cd "$T_ROOT" || exit 1
{ [ -x "$B/network-xenplumb" ] && [ -x "$B/vif-xenplumb" ]; } || t_bail "build first (make)"
vx_init
vx_xs || t_bail "cannot start xenstored"
M1=00:16:3e:00:17:01 M3=00:16:3e:00:17:03

for n in 1 2 3; do
	cat >"$VX_TMP/map$n.conf" <<MAP
[vxlan vx100]
vni = 100
local = 192.0.2.$n
learning = off

[bridge brvx]
ports = vx100

[network web]
bridge = brvx
MAP
	frr_conf $n "$VX_TMP/frr$n.conf" || t_bail "no frr.conf for host $n"
done
for n in 1 2; do t_ok "host $n: network-xenplumb start" vx_x $n start; done
t_match "host 1's VXLAN does not learn" ' nolearning ' "$(vx_h 1 ip -d link show vx100)"
t_eq "... has MTU 1450" 1450 "$(vx_h 1 cat /sys/class/net/vx100/mtu)"
t_eq "no flood list before FRR" "" "$(vx_h 2 bridge fdb show dev vx100 | grep '^00:00:00:00:00:00')"
for n in 1 2 3; do
	t_ok "zebra + bgpd answer on host $n (private paths)" frr_start $n "$VX_TMP/frr$n.conf"
done
t_ok "host 3: network-xenplumb start after FRR" vx_x 3 start
established() {
	frr_vtysh "$1" -c "show bgp l2vpn evpn summary json" |
		jq -e '[.peers[].state] == ["Established", "Established"]'
}
for n in 1 2 3; do
	t_ok "host $n: both iBGP sessions established" vx_wait 40 established $n
done
vteps() { frr_vtysh "$1" -c "show evpn vni 100 json" | jq -r '.numRemoteVteps // [] | sort | join(" ")'; }
t_ok "host 2 learns both remote VTEPs of VNI 100" vx_wait 10 vx_is "192.0.2.1 192.0.2.3" vteps 2
flood() { vx_h "$1" bridge fdb show dev vx100 | awk '$1 == "00:00:00:00:00:00" { print $3 }' | sort | xargs; }
t_eq "... and zebra installed them as its flood list" "192.0.2.1 192.0.2.3" "$(flood 2)"

vx_guest 1 1 $M1 vif11.0 && vx_guest 3 3 $M3 vif33.0 || t_bail "cannot make the guests"
t_ok "host 1: online vif11.0 (bridge=web)" vx_vif online 1 11 bridge=web mac=$M1
t_ok "host 3: online vif33.0 (bridge=web)" vx_vif online 3 33 bridge=web mac=$M3
for g in 1 3; do vx_g $g ip link set eth0 mtu 1450; done
vx_announce 1
vx_announce 3
t_ok "guest 1's MAC, learned on host 1, reaches host 2's FDB through BGP" \
	vx_wait 10 vx_is 192.0.2.1 vx_fdb 2 vx100 $M1
t_match "... as an extern_learn entry (zebra's, not the kernel's learning)" \
	"^$M1 dst 192.0.2.1 self extern_learn" "$(vx_h 2 bridge fdb show dev vx100)"
t_ok "guest 3's MAC reaches host 1" vx_wait 10 vx_is 192.0.2.3 vx_fdb 1 vx100 $M3
mac() { # N MAC FIELD
	frr_vtysh "$1" -c "show evpn mac vni 100 mac $2 json" | jq -r ".\"$2\".$3"
}
mac2() { echo "$(mac "$1" "$2" type) $(mac "$1" "$2" remoteVtep)"; }
t_eq "host 2's EVPN table: guest 1 is remote, behind host 1" "remote 192.0.2.1" \
	"$(mac 2 $M1 type) $(mac 2 $M1 remoteVtep)"
t_eq "host 1's EVPN table: guest 1 is local" local "$(mac 1 $M1 type)"

t_ok "guest 1 (host 1) pings guest 3 (host 3)" vx_wait 5 vx_g 1 ping -c 1 -W 1 198.51.100.3
t_ok "... over IPv6" vx_g 1 ping -c 1 -W 1 2001:db8:100::3
t_ok "full-size frame (1450) with DF set crosses" vx_g 1 ping -c 2 -W 2 -M do -s 1422 198.51.100.3

# Move 1, offline on host 1 then online on host 2: host 1 withdraws guest
# 1's route when its vif goes, so host 2 advertises it afresh (sequence 0).
vx_pingtrace 3 198.51.100.1 "$VX_TMP/ping"
sleep 1
t_ok "host 1: offline vif11.0" vx_vif offline 1 11
t_ok "... the backend goes (the vif leaves host 1)" vx_unplug 1 1 vif11.0
t_ok "host 3 hears the withdrawal: guest 1 leaves its FDB" vx_wait 10 vx_is "" vx_fdb 3 vx100 $M1
vx_rename 1 vif11.0 vif12.0
t_ok "host 2: the new domain's vif appears" vx_plug 1 2 vif12.0
t_ok "host 2: online vif12.0 (bridge=web, same MAC)" vx_vif online 2 12 bridge=web mac=$M1
t_ok "the guest announces itself (gratuitous ARP + unsolicited NA)" vx_announce 1
t_ok "guest 3 reaches guest 1 on host 2" vx_wait 10 vx_g 3 ping -c 1 -W 1 198.51.100.1
t_ok "host 3's FDB follows guest 1 to host 2" vx_wait 10 vx_is 192.0.2.2 vx_fdb 3 vx100 $M1
t_eq "host 3's EVPN table: guest 1 behind host 2, a fresh route (sequence 0)" "192.0.2.2 0" \
	"$(mac 3 $M1 remoteVtep) $(mac 3 $M1 remoteSequence)"
t_ok "host 1 points at host 2 now" vx_wait 10 vx_is 192.0.2.2 vx_fdb 1 vx100 $M1
t_ok "... over IPv6 too" vx_g 3 ping -c 1 -W 1 2001:db8:100::1
vx_pingstop
set -- $(vx_outage "$VX_TMP/ping")
t_match "guest 3's ping was answered around the move" '^[0-9]' "$1"
echo "# measured (EVPN, offline then online): longest gap ${1}s, $2 of guest 3's pings (every 20 ms) lost"

# Move 2, in xl migrate's order, host 2 -> host 1: the destination's vif is
# online before the guest runs there, the guest resumes and announces
# while the source's vif still exists (its FDB entry still local), and
# the source's vif goes last (the source domain is paused in between: its
# vif neither sends nor receives, emulated by a blocking bridge port, which
# keeps its FDB entries).  Host 1 learns the MAC that host 2 still
# advertises: MAC mobility, sequence 1, and every host follows the higher
# sequence.  (The guest's device on host 1 is a second veth, eth1, with
# the same MAC; eth0 stays up but silent on host 2 until it goes.)
ip -n "$VX_PFX-h1" link add vif13.0 type veth peer name eth1 netns "$VX_PFX-g1" &&
	vx_g 1 ip link set eth1 address $M1 mtu 1450 || t_bail "no second guest device"
t_ok "host 1: online vif13.0 before the guest runs there" vx_vif online 1 13 bridge=web mac=$M1
vx_pingtrace 3 198.51.100.1 "$VX_TMP/ping2"
sleep 1
t_ok "the source pauses the guest (host 2's vif blocks)" vx_h 2 bridge link set dev vif12.0 state 4
resume() {
	vx_g 1 ip addr flush dev eth0 &&
		vx_g 1 sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1 &&
		vx_g 1 ip addr add 198.51.100.1/24 dev eth1 &&
		vx_g 1 ip addr add 2001:db8:100::1/64 dev eth1 nodad &&
		vx_g 1 ip link set eth1 up
}
t_ok "the guest resumes on host 1 and announces itself" resume
t_ok "guest 3 reaches guest 1 on host 1" vx_wait 10 vx_g 3 ping -c 1 -W 1 198.51.100.1
t_ok "host 3's FDB follows guest 1 to host 1" vx_wait 10 vx_is 192.0.2.1 vx_fdb 3 vx100 $M1
t_eq "host 1's EVPN table: guest 1 local, sequence 1 (MAC mobility)" "local 1" \
	"$(mac 1 $M1 type) $(mac 1 $M1 localSequence)"
t_eq "host 3's EVPN table: guest 1 behind host 1, sequence 1" "192.0.2.1 1" \
	"$(mac 3 $M1 remoteVtep) $(mac 3 $M1 remoteSequence)"
t_ok "host 2 gave up its local entry for the higher sequence" \
	vx_wait 10 vx_is "remote 192.0.2.1" mac2 2 $M1
t_ok "host 2: offline vif12.0 (the source's vif goes last)" vx_vif offline 2 12
vx_h 2 ip link del vif12.0
t_ok "guest 3 still reaches guest 1" vx_g 3 ping -c 1 -W 1 2001:db8:100::1
vx_pingstop
set -- $(vx_outage "$VX_TMP/ping2")
t_match "guest 3's ping was answered around the move" '^[0-9]' "$1"
echo "# measured (EVPN, xl migrate order): longest gap ${1}s, $2 of guest 3's pings lost"

out=$(vx_x 1 status 2>&1)
t_eq "host 1: status exits 0 (zebra's flood list is not drift)" 0 $?
t_match "... and says the list is not xenplumb's" \
	'vxlan vx100: up, mtu 1450, vni 100, local 192.0.2.1, .*learning off.*floods to 192.0.2.[23] 192.0.2.[23] \(flood list not managed' "$out"
vx_vif offline 1 13 >/dev/null 2>&1
vx_vif offline 3 33 >/dev/null 2>&1
for n in 1 2 3; do t_ok "host $n: stop" vx_x $n stop; done
t_fails "host 1: vx100 is gone" vx_h 1 ip link show vx100
t_ok "zebra on host 2 forgets VNI 100" vx_wait 10 vx_is "" vteps 2
t_done
