#!/bin/sh
# Degraded, not blocked: a port (or a VLAN's parent) the map names that does
# not exist is reported with its FILE:LINE and skipped, everything else
# applies, the exit is 3 (degraded); status names the missing device plainly
# and exits 3; a later start, once the device exists, completes the map.
# [global] strict = yes restores all or nothing; map errors change nothing.
# (Bond slaves and VLAN parents: tests/vm/t-net-degraded.sh; this kernel
# has no 8021q or bonding.)
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup

ip link set lo up
ip link add eth1 type veth peer name eth1-peer
ip link add eth2 type veth peer name eth2-peer
ip link set eth1 up

cat >"$tmp/map.conf" <<MAP
[bridge xenbr0]
ports = eth1 eth9

[bridge xenbr1]
ports = eth2

[bridge br100]
ports = eth8
MAP

out=$($X start -c "$tmp/map.conf" --dry-run 2>&1)
t_eq "dry run with a missing port: exit 3 (degraded)" 3 $?
t_ok "dry run created nothing" sh -c '! ip link show xenbr0 >/dev/null 2>&1'

out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "start with a missing port: exit 3 (degraded)" 3 $?
t_match "missing port named with its FILE:LINE" \
	"^$tmp/map.conf:2: eth9 \(port of bridge xenbr0\) does not exist; skipped" "$out"
t_match "second missing port named with its FILE:LINE" \
	"^$tmp/map.conf:8: eth8 \(port of bridge br100\) does not exist" "$out"
t_match "says degraded" "degraded: 2 devices missing" "$out"
t_eq "xenbr0 created" bridge "$(ip -d -j link show xenbr0 | jq -r '.[0].linkinfo.info_kind')"
t_eq "eth1 is a port of xenbr0" xenbr0 "$(ip -j link show eth1 | jq -r '.[0].master')"
t_eq "xenbr1 and its port applied too" xenbr1 "$(ip -j link show eth2 | jq -r '.[0].master')"
t_eq "br100 created (without its missing port)" bridge \
	"$(ip -d -j link show br100 | jq -r '.[0].linkinfo.info_kind')"

out=$($X status -c "$tmp/map.conf" 2>&1)
t_eq "status while degraded: exit 3" 3 $?
t_match "status lists the missing port plainly" \
	"eth9: port of bridge xenbr0, does not exist \($tmp/map.conf:2\)" "$out"
t_match "status lists the other missing port" "eth8: port of bridge br100, does not exist" "$out"
t_nomatch "no garbled conflict line" "conflict" "$out"
t_match "status says DEGRADED" "^status: DEGRADED" "$out"
j=$($X status -c "$tmp/map.conf" --json 2>/dev/null)
t_eq "status --json: missing list" "eth8 eth9" \
	"$(printf '%s' "$j" | jq -r '[.missing[].device] | sort | join(" ")')"
t_eq "status --json: where" "$tmp/map.conf:2" \
	"$(printf '%s' "$j" | jq -r '.missing[] | select(.device == "eth9") | .where')"
t_eq "status --json: drift empty" 0 "$(printf '%s' "$j" | jq '.drift | length')"

out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "start again, still missing: exit 3" 3 $?
t_match "nothing else to do" "nothing to do" "$out"

# the device appears (a renamed NIC comes back): start completes the map
ip link add eth9 type veth peer name eth9-peer
ip link add eth8 type veth peer name eth8-peer
ip link set eth8 up
out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "start once the devices exist: exit 0" 0 $?
t_eq "eth9 now a port of xenbr0" xenbr0 "$(ip -j link show eth9 | jq -r '.[0].master')"
t_eq "eth8 a port of br100" br100 "$(ip -j link show eth8 | jq -r '.[0].master')"
$X status -c "$tmp/map.conf" >/dev/null 2>&1
t_eq "status: exit 0" 0 $?
$X stop -c "$tmp/map.conf" >/dev/null 2>&1
t_eq "stop: exit 0" 0 $?
t_ok "stop removed xenbr0" sh -c '! ip link show xenbr0 >/dev/null 2>&1'
t_ok "stop removed br100" sh -c '! ip link show br100 >/dev/null 2>&1'

# a later reload completes a degraded map too
ip link del eth9
$X start -c "$tmp/map.conf" >/dev/null 2>&1
t_eq "degraded again: exit 3" 3 $?
ip link add eth9 type veth peer name eth9-peer
$X reload -c "$tmp/map.conf" >/dev/null 2>&1
t_eq "reload once eth9 exists: exit 0" 0 $?
t_eq "reload added eth9 to xenbr0" xenbr0 "$(ip -j link show eth9 | jq -r '.[0].master')"
$X stop -c "$tmp/map.conf" >/dev/null 2>&1
ip link del eth9

# strict = yes: all or nothing, as before
net_snap >"$tmp/s0"
cat >"$tmp/strict.conf" <<MAP
[global]
strict = yes

[bridge xenbr0]
ports = eth1 eth9
MAP
out=$($X start -c "$tmp/strict.conf" 2>&1)
t_eq "strict: missing port is an error, exit 2" 2 $?
t_match "strict error names FILE:LINE and the port" \
	"^$tmp/strict.conf:5: port eth9 of bridge xenbr0 does not exist \(strict = yes" "$out"
t_match "strict: nothing changed" "nothing changed" "$out"
net_snap >"$tmp/s1"
t_ok "strict refusal changed nothing" diff "$tmp/s0" "$tmp/s1"
out=$($X status -c "$tmp/strict.conf" 2>&1)
t_match "strict status still names it as missing" "eth9: port of bridge xenbr0" "$out"

# a bad [global] is a map error, and map errors still change nothing
printf '[global]\nstrict = maybe\n[bridge xenbr0]\nports = eth9\n' >"$tmp/bad.conf"
out=$($X start -c "$tmp/bad.conf" 2>&1)
t_eq "bad strict value: exit 2" 2 $?
t_match "bad strict named at its line" "^$tmp/bad.conf:2: .*maybe" "$out"
printf '[global foo]\n' >"$tmp/bad2.conf"
out=$($X start -c "$tmp/bad2.conf" 2>&1)
t_eq "[global NAME]: exit 2" 2 $?
t_match "[global] takes no name" "takes no name" "$out"
net_snap >"$tmp/s2"
t_ok "map errors changed nothing" diff "$tmp/s0" "$tmp/s2"
t_done
