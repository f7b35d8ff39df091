#!/bin/sh
# Bulk deletes (issue 18): stop, reload and rollback delete the devices
# xenplumb created with one RTM_DELLINK by link group (every created
# device carries group 2020633698) -- but only when every device of that
# group is one the state records as created, of its kind and ifindex.  A
# foreign device carrying the group makes them delete device by device,
# and it survives.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup
S=$tmp/state
mkdir -p "$S"
G=2020633698
ip link set lo up

i=1
while [ "$i" -le 12 ]; do
	printf '[bridge gb%d]\n' "$i"
	i=$((i + 1))
done >"$tmp/map.conf"
nbr() { ip -o link show type bridge | grep -c ': gb[0-9]*[:@]'; }

# -- stop: one request ------------------------------------------------------
$X start -c "$tmp/map.conf" >/dev/null 2>&1
t_eq "start made 12 bridges" 12 "$(nbr)"
out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "stop exits 0" 0 $?
t_match "stop deleted them in one request by link group" \
	"12 devices deleted in one request, by link group $G" "$out"
t_eq "no bridge left" 0 "$(nbr)"
t_eq "each delete is still listed" 12 "$(echo "$out" | grep -c '\. delete bridge gb')"
t_eq "the state is empty" "" "$(grep -v '^#' "$S/state" 2>/dev/null)"

# -- a foreign device in the group: one by one, and it survives -------------
$X start -c "$tmp/map.conf" >/dev/null 2>&1
ip link add alien0 type bridge
ip link set alien0 group "$G"
out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "stop with a foreign device in the group exits 0" 0 $?
t_nomatch "no group delete then" "by link group" "$out"
t_eq "xenplumb's bridges are gone all the same" 0 "$(nbr)"
t_ok "the foreign bridge carrying the group survives" ip link show alien0

# -- a created device replaced by one of another ifindex: one by one --------
ip link del alien0
$X start -c "$tmp/map.conf" >/dev/null 2>&1
ip link del gb3
ip link add gb3 type bridge
ip link set gb3 group "$G"
out=$($X stop -c "$tmp/map.conf" 2>&1)
t_nomatch "a recorded name with another ifindex: no group delete" "by link group" "$out"
t_ok "the impostor gb3 survives" ip link show gb3
t_eq "the other 11 are gone" 1 "$(nbr)"
ip link del gb3
: >"$S/state"

# -- a foreign device of another kind carrying the group --------------------
$X start -c "$tmp/map.conf" >/dev/null 2>&1
ip link add alien1 type veth peer name alien1p
ip link set alien1 group "$G"
out=$($X stop -c "$tmp/map.conf" 2>&1)
t_nomatch "a veth in the group: no group delete" "by link group" "$out"
t_ok "the veth survives" ip link show alien1
t_eq "the bridges are gone" 0 "$(nbr)"
ip link del alien1

# -- reload: all it created leaves the map: one request ---------------------
$X start -c "$tmp/map.conf" >/dev/null 2>&1
ip link add adopted0 type bridge
printf '[bridge adopted0]\n' >"$tmp/other.conf"
out=$($X reload -c "$tmp/other.conf" 2>&1)
t_eq "reload exits 0" 0 $?
t_match "reload deleted the 12 bridges out of the map by link group" \
	"12 devices deleted in one request, by link group $G" "$out"
t_eq "none of them left" 0 "$(nbr)"
t_ok "the adopted bridge stays" ip link show adopted0
$X stop -c "$tmp/other.conf" >/dev/null 2>&1
t_ok "stop leaves the adopted bridge" ip link show adopted0
ip link del adopted0

# -- reload keeping some: the group holds devices that stay: one by one -----
$X start -c "$tmp/map.conf" >/dev/null 2>&1
head -n 4 "$tmp/map.conf" >"$tmp/small.conf"
out=$($X reload -c "$tmp/small.conf" 2>&1)
t_eq "a reload keeping 4 exits 0" 0 $?
t_nomatch "no group delete while created devices stay" "by link group" "$out"
t_eq "4 bridges left" 4 "$(nbr)"
$X stop -c "$tmp/small.conf" >/dev/null 2>&1
t_eq "stop took the last 4" 0 "$(nbr)"

# -- rollback of a start that fails after creating them ---------------------
n=$($X start --dry-run -c "$tmp/map.conf" 2>&1 | grep -c '^ *[0-9]*\. ')
out=$(XENPLUMB_FAIL_AT="$n" $X start -c "$tmp/map.conf" 2>&1)
t_eq "a start failing at its last step exits 1" 1 $?
t_match "its rollback deleted the bridges by link group" \
	"the devices deleted in one request, by link group $G" "$out"
t_eq "no bridge left after the rollback" 0 "$(nbr)"
t_eq "the state is empty after the rollback" "" "$(grep -v '^#' "$S/state" 2>/dev/null)"

# -- rollback with a foreign device in the group: one by one ----------------
ip link add alien2 type bridge
ip link set alien2 group "$G"
out=$(XENPLUMB_FAIL_AT="$n" $X start -c "$tmp/map.conf" 2>&1)
t_eq "the failing start exits 1" 1 $?
t_nomatch "rollback without the group delete" "by link group" "$out"
t_eq "its bridges are gone all the same" 0 "$(nbr)"
t_ok "the foreign bridge survives the rollback" ip link show alien2
t_done
