#!/bin/sh
# One guest network over three hosts with a static flood list (head-end
# replication) and MAC learning: VNI 100 over an IPv4 underlay, VNI 106 over
# IPv6.  Guests on hosts 1 and 3 reach each other, a full-size frame with
# DF set crosses (guest MTU 1450 = 1500 - 50 over IPv4, 1430 = 1500 - 70
# over IPv6) and one byte more does not; the hosts learn where each guest
# MAC lives; with learning off nothing is learned and flooding still
# carries the traffic.  Then guest 1 moves from host 1 to host 2 (offline
# on 1, online on 2, same MAC, announced as netfront does) and host 3's
# guest reaches it again: the time is measured and reported.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/netns/t-vxlan-lib.sh
. "$(dirname "$0")/t-vxlan-lib.sh"
vx_init

M1=02:00:00:00:17:01 M3=02:00:00:00:17:03
M4=02:00:00:00:17:04 M6=02:00:00:00:17:06
for n in 1 2 3; do
	vx_ip_segment $n vx100 brvx 100 192.0.2.$n 1450 ||
		t_bail "cannot build VNI 100 on host $n"
	vx_ip_segment $n vx106 brvx6 106 2001:db8:17::$n 1430 ||
		t_bail "cannot build VNI 106 on host $n"
	for m in 1 2 3; do
		[ $m = $n ] && continue
		vx_flood $n vx100 192.0.2.$m && vx_flood $n vx106 2001:db8:17::$m ||
			t_bail "cannot set the flood list on host $n"
	done
done
t_eq "host 1's flood list for VNI 100" "192.0.2.2 192.0.2.3" \
	"$(vx_h 1 bridge fdb show dev vx100 | awk '$1 == "00:00:00:00:00:00" { print $3 }' | sort | xargs)"

vx_guest 1 1 $M1 && vx_guest 3 3 $M3 && vx_guest 4 1 $M4 && vx_guest 6 3 $M6 ||
	t_bail "cannot make the guests"
for g in 1 3; do vx_g $g ip link set eth0 mtu 1450; done
for g in 4 6; do vx_g $g ip link set eth0 mtu 1430; done
vx_attach 1 1 brvx 1450 && vx_attach 3 3 brvx 1450 &&
	vx_attach 4 1 brvx6 1430 && vx_attach 6 3 brvx6 1430 || t_bail "cannot attach the guests"

t_ok "IPv4 underlay: guest 1 (host 1) pings guest 3 (host 3)" \
	vx_wait 5 vx_g 1 ping -c 1 -W 1 198.51.100.3
t_ok "... over IPv6 inside" vx_wait 5 vx_g 1 ping -c 1 -W 1 2001:db8:100::3
t_eq "host 1 learned guest 3's MAC behind host 3" 192.0.2.3 "$(vx_fdb 1 vx100 $M3)"
t_eq "host 3 learned guest 1's MAC behind host 1" 192.0.2.1 "$(vx_fdb 3 vx100 $M1)"
t_eq "host 2 (no guest) learned guest 1 from the flood" 192.0.2.1 "$(vx_fdb 2 vx100 $M1)"
f0=$(vx_fragcreates 1 Ip)
t_ok "full-size IPv4 frame (1450) with DF set crosses" \
	vx_g 1 ping -c 2 -W 2 -M do -s 1422 198.51.100.3
t_eq "... and host 1 fragmented no underlay packet for it" "$f0" "$(vx_fragcreates 1 Ip)"
t_fails "one byte more is refused with DF (the guest's MTU is the segment's)" \
	vx_g 1 ping -c 1 -W 1 -M do -s 1423 198.51.100.3
# What the 50 bytes are for: at the kernel's default of 1500 on the VXLAN
# (it has no lower device to take a limit from) a full-size frame does not
# fit the underlay; the kernel drops it and answers "frag needed".
for h in 1 3; do vx_h $h ip link set vx100 mtu 1500; vx_h $h ip link set vif$h.0 mtu 1500; vx_g $h ip link set eth0 mtu 1500; done
out=$(vx_g 1 ping -c 1 -W 2 -M do -s 1472 198.51.100.3 2>&1)
t_match "at 1500 on the VXLAN a full-size DF frame is lost (frag needed)" \
	', 0 received|Frag needed' "$out"
for h in 1 3; do vx_g $h ip link set eth0 mtu 1450; vx_h $h ip link set vif$h.0 mtu 1450; vx_h $h ip link set vx100 mtu 1450; done
t_ok "full-size IPv6 packet (1450) crosses" vx_g 1 ping -c 2 -W 2 -M do -s 1402 2001:db8:100::3

t_ok "IPv6 underlay: guest 4 (host 1) pings guest 6 (host 3)" \
	vx_wait 5 vx_g 4 ping -c 1 -W 1 198.51.100.6
t_eq "host 1 learned guest 6 behind host 3's IPv6 address" 2001:db8:17::3 "$(vx_fdb 1 vx106 $M6)"
f0=$(vx_fragcreates 1 Ip6)
t_ok "full-size frame (1430 = 1500 - 70) with DF set crosses" \
	vx_g 4 ping -c 2 -W 2 -M do -s 1402 198.51.100.6
t_eq "... unfragmented on the IPv6 underlay" "$f0" "$(vx_fragcreates 1 Ip6)"

# Learning off: flush and stop learning everywhere; flooding still works.
for n in 1 2 3; do
	vx_h $n ip link set vx100 type vxlan nolearning
	vx_h $n bridge fdb show dev vx100 | awk '$1 != "00:00:00:00:00:00" && /dst/ { print $1 }' |
		while read -r mac; do vx_h $n bridge fdb del "$mac" dev vx100 dst "$(vx_fdb $n vx100 "$mac")"; done
done
t_ok "learning off: guests still reach each other by flooding" \
	vx_g 1 ping -c 2 -W 1 198.51.100.3
t_eq "... and host 1 learned nothing" "" "$(vx_fdb 1 vx100 $M3)"
for n in 1 2 3; do vx_h $n ip link set vx100 type vxlan learning; done
vx_g 1 ping -c 1 -W 1 198.51.100.3 >/dev/null
vx_g 3 ping -c 1 -W 1 198.51.100.1 >/dev/null
t_eq "learning back on: host 3 knows guest 1 behind host 1 again" 192.0.2.1 "$(vx_fdb 3 vx100 $M1)"

# Migration: guest 1 leaves host 1 and arrives on host 2.
vx_pingtrace 3 198.51.100.1 "$VX_TMP/ping"
sleep 1
t_ok "offline on host 1 (the vif goes)" vx_unplug 1 1
t_eq "host 1's bridge forgets guest 1's MAC with its port" "" \
	"$(vx_h 1 bridge fdb show br brvx | grep -i "^$M1 .*master brvx" | grep -v 'dev vx100')"
sleep 0.2
t_ok "online on host 2 (same MAC)" vx_arrive 1 2 brvx 1450
t_ok "the guest announces itself (gratuitous ARP + unsolicited NA)" vx_announce 1
t_ok "guest 3 reaches guest 1 on host 2" vx_wait 10 vx_g 3 ping -c 1 -W 1 198.51.100.1
t_eq "host 3 now has guest 1 behind host 2" 192.0.2.2 "$(vx_fdb 3 vx100 $M1)"
t_ok "... over IPv6 too" vx_g 3 ping -c 1 -W 1 2001:db8:100::1
vx_pingstop
set -- $(vx_outage "$VX_TMP/ping")
t_match "guest 3's ping was answered around the move" '^[0-9]' "$1"
echo "# measured (static, learning): longest gap ${1}s, $2 of guest 3's pings (every 20 ms) lost"
t_done
