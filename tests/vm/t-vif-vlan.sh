#!/bin/sh
# vif-xenplumb on a VLAN-aware bridge (vlan_filtering=1; the VM's kernel
# has it, the host's does not): the xl `vlan` key (PVID, untagged, tagged
# lists, ranges, BASE+STEPxCOUNT, the default VLAN removed), the bridge key
# forms BR.TAG, BR:T:T and BR.TAG:T, a logical network with a VLAN, offline,
# and isolation: guests on the same VLAN reach each other, others do not.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init

ip link add xpbr0 type bridge vlan_filtering 1 && ip link set xpbr0 up ||
	t_bail "VLAN-filtering bridge"
t_eq "bridge filters VLANs" 1 "$("$NLPROBE" link xpbr0 bridge_vlan_filtering)"

vlans() { "$NLPROBE" vlans "$1" | tr '\n' '/' | sed 's|/$||'; }

# case D N WANT KEY=VAL...: online, compare the port's VLANs
case_vlan() {
	cv_d=$1 cv_n=$2 cv_want=$3
	shift 3
	vif_mkvif "$cv_d" "$cv_n" "$@" || {
		t_failmsg "setup $*"
		return
	}
	t_ok "online with $*" vif_run online "$cv_d" "$cv_n"
	t_eq "$*: connected" connected "$(vif_status "$cv_d" "$cv_n")"
	t_eq "$*: port VLANs" "$cv_want" "$(vlans "vif$cv_d.$cv_n")"
}

case_vlan 50 0 "10 pvid untagged" bridge=xpbr0 vlan=10
case_vlan 50 1 "10 pvid untagged/20" bridge=xpbr0 vlan=10p/20
case_vlan 50 2 "5 pvid untagged/20 untagged/21 untagged/22 untagged" bridge=xpbr0 \
	vlan=5p/20-22u
case_vlan 50 3 "10 pvid untagged/100/110/120/130/140" bridge=xpbr0 vlan=10p/100+10x4
case_vlan 50 4 "1 pvid untagged/20" bridge=xpbr0 vlan=1p/20
case_vlan 50 5 "7 untagged/8 pvid untagged" bridge=xpbr0 vlan=7u/8p
case_vlan 51 0 "30 pvid untagged" bridge=xpbr0.30
case_vlan 51 1 "40/41" bridge=xpbr0:40:41
case_vlan 51 2 "30 pvid untagged/40" bridge=xpbr0.30:40
vif_map '[bridge xpbr0]
vlan-filtering = yes

[network lab]
bridge = xpbr0
vlan = 60'
case_vlan 51 3 "60 pvid untagged" bridge=lab
export XENPLUMB_CONF="$VIF_TMP/none.conf"
# no vlan key: the kernel's default (VLAN 1 PVID untagged) is kept
case_vlan 51 4 "1 pvid untagged" bridge=xpbr0

t_ok "offline removes the port and its VLANs" vif_run offline 50 1
t_eq "no VLANs left on vif50.1" "" "$(vlans vif50.1)"
t_eq "vif50.1 off the bridge" "" "$("$NLPROBE" link vif50.1 master)"

vif_mkvif 52 0 bridge=xpbr0 vlan=10p/10 || t_bail "vif 52.0"
t_fails "bad spec on a VLAN bridge: refused" vif_run online 52 0
t_match "error names the term" "more than once" "$(vif_error 52 0)"
t_eq "52.0 not plumbed" "" "$("$NLPROBE" link vif52.0 master)"

# -- isolation: A and B on VLAN 100, C on VLAN 200, same IP subnet --
for g in a b c; do
	ip netns add "$VIF_GUEST-$g" || t_bail "netns $g"
done
iso() { # D LETTER VLAN IP
	vif_mkvif "$1" 0 bridge=xpbr0 "vlan=$3" || return 1
	ip -n "$VIF_GUEST" link set "g${1}_0" netns "$VIF_GUEST-$2" || return 1
	ip -n "$VIF_GUEST-$2" link set "g${1}_0" up &&
		ip -n "$VIF_GUEST-$2" addr add "$4/24" dev "g${1}_0" &&
		vif_run online "$1" 0
}
t_ok "guest A on VLAN 100" iso 60 a 100 10.100.0.1
t_ok "guest B on VLAN 100" iso 61 b 100 10.100.0.2
t_ok "guest C on VLAN 200" iso 62 c 200 10.100.0.3
t_ok "A reaches B (same VLAN)" ip netns exec "$VIF_GUEST-a" ping -c 1 -W 2 10.100.0.2
t_fails "A cannot reach C (other VLAN)" ip netns exec "$VIF_GUEST-a" ping -c 1 -W 1 10.100.0.3
t_fails "B cannot reach C (other VLAN)" ip netns exec "$VIF_GUEST-b" ping -c 1 -W 1 10.100.0.3
xenstore-write "$VIF_BE/62/0/vlan" 100
t_ok "C offline" vif_run offline 62 0
t_ok "C online again, now on VLAN 100" vif_run online 62 0
t_eq "C's port is on VLAN 100" "100 pvid untagged" "$(vlans vif62.0)"
t_eq "C's port is up on the bridge" "xpbr0 1500 fe:ff:ff:ff:ff:ff 1" "$(vif_facts vif62.0)"
ip -n "$VIF_GUEST-a" neigh flush dev g60_0
t_ok "A reaches C on the same VLAN (the control)" ip netns exec "$VIF_GUEST-a" \
	ping -c 2 -W 3 10.100.0.3
for g in a b c; do ip netns del "$VIF_GUEST-$g"; done
t_done
