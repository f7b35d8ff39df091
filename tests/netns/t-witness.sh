#!/bin/sh
# The test tools themselves, on the host kernel in a private namespace
# (bridge + veth): witness must catch every disruptive event on the links it
# watches and stay silent otherwise; nlprobe must report what ip(8) set.
# Also shows the witness pattern other tests use:
#   witness --ready R -o EV IF... &  wait for R;  act;  kill -TERM;  wait
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/witness.sh
. "$(dirname "$0")/../lib/witness.sh"
w_setup
ip link show br0 >/dev/null 2>&1 && t_bail "not in a private namespace (br0 exists)"

# (w_start, w_stop, until_ok: 5 s, as carrier news comes via linkwatch)

ip link set lo up
ip link add br0 type bridge forward_delay 700
ip link add a0 type veth peer name a1
ip link add d0 type veth peer name d1
ip link set a0 master br0
ip link set a0 mtu 1400
for l in br0 a0 a1 d0 d1; do ip link set "$l" up; done
ip addr add 10.9.0.5/24 dev a1
ip addr add fd00:9::5/64 dev a1 nodad
ip link set br0 type bridge stp_state 1
until_ok carrier_is a0 1 || t_bail "a0 never got carrier"

# ---- nlprobe reports what ip set -----------------------------------------
t_eq "nlprobe: mtu" 1400 "$("$P" link a0 mtu)"
t_eq "nlprobe: master" br0 "$("$P" link a0 master)"
t_eq "nlprobe: no master is empty" "" "$("$P" link a1 master)"
t_eq "nlprobe: kind veth, peer" "veth a1" "$("$P" link a0 kind veth_peer | tr '\n' ' ' | sed 's/ $//')"
t_eq "nlprobe: kind bridge" bridge "$("$P" link br0 kind)"
t_eq "nlprobe: bridge stp" 1 "$("$P" link br0 bridge_stp)"
t_eq "nlprobe: bridge forward_delay" 700 "$("$P" link br0 bridge_forward_delay)"
t_eq "nlprobe: forward_delay agrees with sysfs" "$(cat /sys/class/net/br0/bridge/forward_delay)" \
	"$("$P" link br0 bridge_forward_delay)"
t_eq "nlprobe: ifindex agrees with sysfs" "$(cat /sys/class/net/a0/ifindex)" "$("$P" link a0 ifindex)"
t_eq "nlprobe: mac agrees with sysfs" "$(cat /sys/class/net/a1/address)" "$("$P" link a1 mac)"
t_eq "nlprobe: up, carrier" "1 1" "$("$P" link a1 up carrier | tr '\n' ' ' | sed 's/ $//')"
t_eq "nlprobe: bridge port state key" 1 "$("$P" link a0 | grep -c '^port_state=')"
t_eq "nlprobe: ports of br0" a0 "$("$P" ports br0)"
t_eq "nlprobe: addrs" "10.9.0.5/24 fd00:9::5/64" \
	"$("$P" addrs a1 | grep -v '^fe80:' | tr '\n' ' ' | sed 's/ $//')"
t_eq "nlprobe: no addrs on d0 but link-local" "" "$("$P" addrs d0 | grep -v '^fe80:')"
t_fails "nlprobe: unknown link fails" "$P" link nosuch0
t_fails "nlprobe: key of another kind fails" "$P" link br0 bond_mode
t_ok "nlprobe: exists" "$P" exists br0
t_fails "nlprobe: exists fails for a missing link" "$P" exists nosuch0
t_fails "nlprobe: bad usage fails" "$P" frobnicate br0
# From here on: no STP, no forwarding delay, so ports forward at once.
ip link set br0 type bridge stp_state 0
ip link set br0 type bridge forward_delay 0
t_eq "nlprobe: stp and forward_delay changed" "0 0" \
	"$("$P" link br0 bridge_stp bridge_forward_delay | tr '\n' ' ' | sed 's/ $//')"
until_ok carrier_is br0 1 || t_failmsg "br0 never got carrier"
ip link set br0 down
t_eq "nlprobe: down bridge" "0 0" "$("$P" link br0 up carrier | tr '\n' ' ' | sed 's/ $//')"
ip link set br0 up

# ---- witness: silence ----------------------------------------------------
w_start br0 a0 a1 || t_bail "witness did not get ready: $(cat "$tmp/err")"
t_match "ready file holds the pid" "^$wpid\$" "$(cat "$tmp/ready")"
sleep 0.3
w_stop
t_eq "silent: nothing changed, exit 0" 0 "$wrc"
t_eq "silent: nothing changed, no lines" "" "$wev"

w_start br0 a0 a1 || t_bail "witness did not get ready"
ip link set d0 down
ip link set d0 up
ip addr add 10.8.0.1/24 dev d0
ip addr del 10.8.0.1/24 dev d0
ip link set d1 down
ip link set d1 name e1
ip link set d0 master br0
ip link set d0 nomaster
ip link del d0
ip link set a0 up          # already up: a no-op
ip link set a0 mtu 1400    # same value
ip addr add 10.9.1.5/24 dev a1 # gaining an address is not an event
ip link set br0 type bridge forward_delay 0
sleep 0.3
w_stop
t_eq "silent over unrelated changes and no-ops, exit 0" 0 "$wrc"
t_eq "silent over unrelated changes and no-ops, no lines" "" "$wev"

# ---- witness: each disruptive event --------------------------------------
w_start a1 || t_bail "witness did not get ready"
ip addr del 10.9.0.5/24 dev a1
ip addr del fd00:9::5/64 dev a1
w_stop
t_eq "address removal: exit 1" 1 "$wrc"
t_eq "address removal: v4 and v6 reported" \
	"ADDR-DEL a1 10.9.0.5/24|ADDR-DEL a1 fd00:9::5/64" "$(echo "$wev" | paste -sd'|')"

w_start a0 a1 || t_bail "witness did not get ready"
ip link set a1 down
until_ok carrier_is a0 0 || t_failmsg "a0 kept carrier after its peer went down"
# (a0's own notification comes later, by linkwatch: let it arrive)
w_saw '^CARRIER-LOSS a0$'
w_stop
t_eq "down: exit 1" 1 "$wrc"
t_match "down: DOWN a1" "^DOWN a1$" "$wev"
t_match "peer down: CARRIER-LOSS a0" "^CARRIER-LOSS a0$" "$wev"
t_nomatch "admin down is not also reported as carrier loss" "CARRIER-LOSS a1" "$wev"
t_nomatch "carrier loss is not reported as down" "^DOWN a0" "$wev"
t_match "down: link-local address removal reported" "^ADDR-DEL a1 fe80:" "$wev"

w_start a1 || t_bail "witness did not get ready"
ip link set a1 name a9
ip link set a9 up
ip link set a9 down
ip link set a9 name a1
w_stop
t_eq "rename: each rename reported, later lines use the new name" \
	"RENAME a1 a9|DOWN a9|RENAME a9 a1" "$(echo "$wev" | grep -v ADDR-DEL | paste -sd'|')"

w_start a0 || t_bail "witness did not get ready"
ip link set a0 nomaster
ip link set a0 master br0
w_stop
t_eq "master change reported" "MASTER a0 br0 -|MASTER a0 - br0" \
	"$(echo "$wev" | grep MASTER | paste -sd'|')"

ip link set a1 up
ip route add 10.77.0.0/16 dev a1
ip addr add 10.9.0.5/24 dev a1
w_start --routes a1 || t_bail "witness did not get ready"
ip route del 10.77.0.0/16 dev a1
w_stop
t_eq "--routes: route deletion reported" "ROUTE-DEL a1 10.77.0.0/16" "$wev"

ip link add g0 type veth peer name g1
ip link set g0 up
ip link set g1 up
until_ok carrier_is br0 1 || t_failmsg "br0 never got carrier"
w_start a0 br0 g1 || t_bail "witness did not get ready"
ip link del a0
ip link del g0
w_stop
t_eq "delete: exit 1" 1 "$wrc"
t_match "delete: DELETE a0" "^DELETE a0$" "$wev"
t_match "delete: its peer's deletion too" "^DELETE g1$" "$wev"
t_match "delete: an up link is seen going down first" "^DOWN a0$" "$wev"
t_match "delete: the bridge lost its only port's carrier" "^CARRIER-LOSS br0$" "$wev"
t_eq "delete: each deletion reported once" 2 "$(echo "$wev" | grep -c '^DELETE')"

# ---- witness: overrun is reported, never silent --------------------------
ip link add f0 type veth peer name f1
ip link set f0 up
w_start --rcvbuf 1 f0 || t_bail "witness did not get ready"
kill -STOP "$wpid"
n=0
while [ "$n" -lt 100 ]; do
	ip link set f0 down
	ip link set f0 up
	n=$((n + 1))
done
ip link set f0 down
kill -CONT "$wpid"
w_stop
t_eq "overrun: exit 1" 1 "$wrc"
t_match "overrun: OVERRUN reported" "^OVERRUN ENOBUFS$" "$wev"
t_match "overrun: the re-read finds the link down" "^DOWN f0$" "$wev"

# ---- witness: usage and errors -------------------------------------------
rm -f "$tmp/ready"
"$W" --ready "$tmp/ready" nosuch0 >/dev/null 2>&1
t_eq "missing link: exit 2" 2 "$?"
t_fails "missing link: no ready file" test -e "$tmp/ready"
"$W" >/dev/null 2>&1
t_eq "no link named: exit 2" 2 "$?"
t_match "--help documents the pattern" "kill -TERM" "$("$W" --help)"
"$W" --timeout 1 f0 >"$tmp/out"
t_eq "--timeout ends a quiet watch with 0" "0:" "$?:$(cat "$tmp/out")"

# ---- memory checks: valgrind on the plain build (ASan covers build/san) --
if nm "$P" 2>/dev/null | grep -q __asan_init; then
	t_pass "sanitizer build: ASan/UBSan checked every run above"
else
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
	# shellcheck disable=SC2086 # $vg is a command prefix
	t_ok "valgrind: nlprobe link" $vg "$P" link br0
	t_ok "valgrind: nlprobe addrs/ports/vlans" sh -c \
		"$vg $P addrs f0 && $vg $P ports br0 && $vg $P vlans br0"
	W="$vg $W"
	ip link set f0 up
	w_start --routes br0 f0 || t_bail "witness under valgrind did not get ready"
	ip link set f0 down
	w_stop
	t_eq "valgrind: witness exits 1 (not 99) and clean" "1:" "$wrc:$(cat "$tmp/err")"
	t_match "valgrind: witness saw the event" "^DOWN f0$" "$wev"
fi
t_done
