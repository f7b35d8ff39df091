#!/bin/sh
# Ownership is proven before anything is deleted: every device xenplumb
# creates carries link group 2020633698 (XP_OWN_GROUP, set in the creating
# RTM_NEWLINK), and a state record is honoured only when the device of
# that name has the record's kind, the record's ifindex (0: written ahead
# of a create, then the mark alone decides) and the mark.  A refused
# record is reported, dropped, and never fatal.  Non-regular state and
# journal files, and maps/includes on /proc, /sys or device files, are
# refused naming the file.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup
S=$tmp/state
mkdir -p "$S"

ip link set lo up
ip link add eth5 type veth peer name eth5-peer
ip link set eth5 up
cat >"$tmp/map.conf" <<MAP
[bridge xenbr0]
ports = eth5
MAP

# -- the mark ---------------------------------------------------------------
$X start -c "$tmp/map.conf" >/dev/null 2>&1
t_eq "a created bridge carries xenplumb's link group" 2020633698 \
	"$(ip -j -d link show xenbr0 | jq -r '.[0].group')"
idx=$(cat /sys/class/net/xenbr0/ifindex)
t_match "the state records it with its ifindex" "^dev xenbr0 bridge $idx$" "$(cat "$S/state")"
$X stop -c "$tmp/map.conf" >/dev/null 2>&1
t_fails "stop deleted the bridge it proved its own" ip link show xenbr0

# -- wrong kind: a veth NIC named as a bridge -------------------------------
printf 'dev eth5 bridge %s\n' "$(cat /sys/class/net/eth5/ifindex)" >"$S/state"
out=$($X stop 2>&1)
t_eq "record naming a veth as a bridge: stop exits 0" 0 $?
t_ok "the veth is still there" ip link show eth5
t_match "the refusal names the record and why" \
	"record 'dev eth5 bridge [0-9]+' refused: eth5 is a veth, not a bridge; not xenplumb's to delete, the record is dropped" "$out"
t_nomatch "nothing was deleted" "delete " "$out"
t_eq "the record is dropped" "" "$(grep -v '^#' "$S/state")"

# -- lo: used to fail every later stop --------------------------------------
printf 'dev lo bridge 1\n' >"$S/state"
out=$($X stop 2>&1)
t_eq "record naming lo as a bridge: stop exits 0" 0 $?
t_match "lo is refused as a plain device" "lo is a plain device \(NIC\), not a bridge" "$out"
out=$($X stop 2>&1)
t_eq "and the next stop exits 0 as well" 0 $?
t_ok "lo is up" sh -c "ip link show lo | grep -q UP"

# -- ifindex 0 (written ahead of a create) and an admin's device of that name
ip link add br-admin type bridge
printf 'dev br-admin bridge 0\n' >"$S/state"
out=$($X stop 2>&1)
t_eq "ifindex-0 record, admin's bridge of that name: stop exits 0" 0 $?
t_ok "the admin's bridge is still there" ip link show br-admin
t_match "refused: no mark" "br-admin does not carry xenplumb's mark \(link group 0, not 2020633698\)" "$out"

# -- right kind and ifindex, but no mark (a forged or pre-mark record) -------
printf 'dev br-admin bridge %s\n' "$(cat /sys/class/net/br-admin/ifindex)" >"$S/state"
out=$($X stop 2>&1)
t_eq "forged record with the right ifindex: stop exits 0" 0 $?
t_ok "the admin's bridge is still there" ip link show br-admin
t_match "refused for want of the mark" "br-admin does not carry xenplumb's mark" "$out"

# -- wrong ifindex: xenplumb's bridge, a stale record ------------------------
$X start -c "$tmp/map.conf" >/dev/null 2>&1
idx=$(cat /sys/class/net/xenbr0/ifindex)
sed -i "s/^dev xenbr0 bridge $idx$/dev xenbr0 bridge $((idx + 1000))/" "$S/state"
out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "stale ifindex: stop exits 0" 0 $?
t_ok "the bridge of the stale record stays" ip link show xenbr0
t_match "refused naming both ifindexes" "xenbr0 has ifindex $idx, not $((idx + 1000))" "$out"
ip link del xenbr0

# -- ifindex 0 and the mark: a run killed right after the create -------------
$X start -c "$tmp/map.conf" >/dev/null 2>&1
sed -i 's/^dev xenbr0 bridge [0-9]*$/dev xenbr0 bridge 0/' "$S/state"
out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "ifindex-0 record of a marked bridge: stop exits 0" 0 $?
t_fails "the marked bridge is proven ours and deleted" ip link show xenbr0

# -- a marked device of another kind --------------------------------------
ip link add xenbr0 type veth peer name xenbr0-p
ip link set xenbr0 group 2020633698
printf 'dev xenbr0 bridge %s\n' "$(cat /sys/class/net/xenbr0/ifindex)" >"$S/state"
out=$($X stop 2>&1)
t_eq "the mark on a device of the wrong kind: stop exits 0" 0 $?
t_ok "that veth stays" ip link show xenbr0
t_match "refused for its kind" "xenbr0 is a veth, not a bridge" "$out"
ip link del xenbr0

# -- FIFOs as state and journal --------------------------------------------
rm -f "$S/state" "$S/state.journal"
mkfifo "$S/state"
out=$(timeout 10 $X stop 2>&1)
t_eq "a FIFO as state file: stop exits 2 at once (no hang)" 2 $?
t_match "the FIFO state file is named" "$S/state is not a regular file" "$out"
rm -f "$S/state"
mkfifo "$S/state.journal"
out=$(timeout 10 $X stop 2>&1)
t_eq "a FIFO as journal: stop exits 2 at once (no hang)" 2 $?
t_match "the FIFO journal is named" "$S/state.journal is not a regular file" "$out"
out=$(timeout 10 $X start -c "$tmp/map.conf" 2>&1)
t_eq "and start refuses it too" 2 $?
t_fails "start changed nothing" ip link show xenbr0
rm -f "$S/state.journal"

# -- maps and includes on /proc, /sys, devices --------------------------------
for f in /proc/self/status /sys/class/net/lo/mtu /dev/zero; do
	printf 'include %s\n[bridge xenbr0]\nports = eth5\n' "$f" >"$tmp/inc.conf"
	out=$(timeout 10 $X start -c "$tmp/inc.conf" 2>&1)
	t_eq "include $f: exit 2" 2 $?
	t_match "include $f is refused naming the line and file" "inc.conf:1: cannot read included file, '$f'" "$out"
done
out=$($X status -c /proc/self/status 2>&1)
t_eq "a /proc file as the map: exit 2" 2 $?
t_match "named as a kernel file" "'/proc/self/status' -- it is a kernel file" "$out"
t_fails "none of them built anything" ip link show xenbr0
t_done
