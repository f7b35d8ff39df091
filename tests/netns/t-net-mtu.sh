#!/bin/sh
# Bridge MTU is the map's, not the guests': every bridge network-xenplumb
# creates or adopts has its MTU set explicitly (the map's mtu, else its
# uplink port's, else 1500; an adopted one where it is), so that no port can
# drag it -- a Linux bridge whose MTU was never set follows its smallest port
# (net/bridge/br_if.c, br_mtu_auto_adjust).  vif-xenplumb never lets a
# guest's mtu key move a bridge's MTU, up or down, whoever made the bridge:
# a guest with mtu=68 on a bridge with a host address, and mtu=9000 on a
# port-less bridge.  stop gives an adopted bridge back the MTU it had.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init
X=$B/network-xenplumb
export XENPLUMB_STATE_DIR="$VIF_TMP/state"
mtu() { "$NLPROBE" link "$1" mtu; }

ip link set lo up
ip link add eth1 type veth peer name eth1-peer
ip link add eth2 type veth peer name eth2-peer
ip link set eth2 mtu 9000
ip link set eth2-peer mtu 9000
for l in eth1 eth2; do ip link set "$l" up; done

cat >"$VIF_TMP/map.conf" <<MAP
[bridge xenbr0]
ports = eth1
default = yes

[bridge xenbr9]
ports = eth2

[bridge xenlan]

[bridge xenbig]
mtu = 9000
MAP
out=$($X start -c "$VIF_TMP/map.conf" 2>&1)
t_eq "start: exit 0" 0 $?
t_match "start pins xenbr0's MTU before its port joins" \
	"set xenbr0 mtu 1500, pinned.*add port eth1 to bridge xenbr0" "$(printf '%s' "$out" | tr '\n' ' ')"
t_eq "xenbr0: its uplink's MTU (1500)" 1500 "$(mtu xenbr0)"
t_eq "xenbr9: its uplink's MTU (9000)" 9000 "$(mtu xenbr9)"
t_eq "xenlan (no ports): 1500" 1500 "$(mtu xenlan)"
t_eq "xenbig: the map's MTU (9000)" 9000 "$(mtu xenbig)"
out=$($X start -c "$VIF_TMP/map.conf" 2>&1)
t_eq "second start: exit 0" 0 $?
t_match "second start: nothing to do" "nothing to do" "$out"
$X status -c "$VIF_TMP/map.conf" >/dev/null 2>&1
t_eq "status matches" 0 $?

# a port of a smaller MTU does not drag a bridge xenplumb made
ip link set eth1 mtu 1400
t_eq "eth1 at 1400: xenbr0 stays at 1500" 1500 "$(mtu xenbr0)"
ip link set eth1 mtu 1500

# guests: mtu=68 on the bridge with the host's address
ip addr add 192.0.2.1/24 dev xenbr0
vif_map "$(cat "$VIF_TMP/map.conf")"
vif_mkvif 3 0 bridge=xenbr0 mtu=68 || t_bail "vif 3.0"
t_ok "online vif3.0 (mtu=68)" vif_run online 3 0
t_eq "vif3.0 has the guest's MTU, 68" 68 "$(mtu vif3.0)"
t_eq "xenbr0 stays at 1500" 1500 "$(mtu xenbr0)"
t_match "the host address on xenbr0 stays" "192.0.2.1/24" "$(ip -4 addr show dev xenbr0)"
# mtu=9000 on a port-less bridge
vif_mkvif 3 1 bridge=xenlan mtu=9000 || t_bail "vif 3.1"
t_ok "online vif3.1 (mtu=9000)" vif_run online 3 1
t_eq "vif3.1 has 9000" 9000 "$(mtu vif3.1)"
t_eq "xenlan stays at 1500" 1500 "$(mtu xenlan)"
vif_mkvif 3 2 bridge=xenlan || t_bail "vif 3.2"
t_ok "online vif3.2 (no mtu key)" vif_run online 3 2
t_eq "the next guest gets the bridge's 1500" 1500 "$(mtu vif3.2)"

# bridges xenplumb never touched: the admin's, port-less and with a port
ip link add adm0 type bridge
ip link set adm0 up
vif_mkvif 4 0 bridge=adm0 mtu=9000 || t_bail "vif 4.0"
t_ok "online on the admin's port-less bridge (mtu=9000)" vif_run online 4 0
t_eq "adm0 stays at 1500" 1500 "$(mtu adm0)"
ip link add adm1 type bridge
ip link add pa type veth peer name pa-peer
ip link set pa master adm1
ip link set adm1 up
vif_mkvif 4 1 bridge=adm1 mtu=68 || t_bail "vif 4.1"
t_ok "online on the admin's bridge with a port (mtu=68)" vif_run online 4 1
t_eq "adm1 stays at 1500" 1500 "$(mtu adm1)"
t_eq "vif4.1 has 68" 68 "$(mtu vif4.1)"
for v in "3 0" "3 1" "3 2" "4 0" "4 1"; do
	# shellcheck disable=SC2086
	vif_run offline $v >/dev/null 2>&1
done
t_eq "guests gone: xenbr0 still 1500" 1500 "$(mtu xenbr0)"
out=$($X stop -c "$VIF_TMP/map.conf" 2>&1)
t_eq "stop: exit 0" 0 $?

# an adopted bridge: pinned where it is; with a map mtu, stop gives back the old one
ip link add br0 type bridge
ip link add pb type veth peer name pb-peer
ip link set pb master br0
ip link set br0 up
cat >"$VIF_TMP/adopt.conf" <<MAP
[bridge br0]
ports = pb
MAP
out=$($X start -c "$VIF_TMP/adopt.conf" 2>&1)
t_eq "adopt br0: exit 0" 0 $?
t_match "br0 pinned at its own MTU" "set br0 mtu 1500, pinned" "$out"
ip link set pb mtu 1400
t_eq "pb at 1400: br0 stays at 1500" 1500 "$(mtu br0)"
ip link set pb mtu 1500
t_match "state records br0's MTU" "^mtu br0 [0-9]* 1500" "$(cat "$XENPLUMB_STATE_DIR/state")"
out=$($X stop -c "$VIF_TMP/adopt.conf" 2>&1)
t_eq "stop: exit 0" 0 $?
t_match "stop: nothing to give back" "nothing to do" "$out"
t_nomatch "state forgets br0's MTU" "^mtu" "$(cat "$XENPLUMB_STATE_DIR/state" 2>/dev/null)"
printf '[bridge br0]\nports = pb\nmtu = 1400\n' >"$VIF_TMP/adopt2.conf"
out=$($X start -c "$VIF_TMP/adopt2.conf" 2>&1)
t_eq "adopt br0 with mtu = 1400: exit 0" 0 $?
t_eq "br0 at 1400" 1400 "$(mtu br0)"
out=$($X stop -c "$VIF_TMP/adopt2.conf" 2>&1)
t_eq "stop: exit 0" 0 $?
t_match "stop gives br0 back 1500" "set br0 mtu 1500 \(was 1400\)" "$out"
t_eq "br0 at 1500 again" 1500 "$(mtu br0)"
t_ok "br0 itself stays" ip link show br0
t_done
