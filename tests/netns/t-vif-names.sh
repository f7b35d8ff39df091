#!/bin/sh
# vifname may not be (or become) the name netback or qemu gives a guest NIC
# (vifD.N, vifD.N-emu, any D and N, this guest's other NIC included), nor a
# name the kernel rewrites ('%'); this vif's own kernel name is fine.  And a
# device that carries another NIC's kernel name as its altname (a guest NIC
# renamed to this vif's kernel name, as earlier versions allowed) is not this
# vif: online, offline, add and remove leave it alone.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init

ip link add xpbr0 type bridge && ip link set xpbr0 up || t_bail "bridge"

# refused DESC VIFNAME [tap]: vif 1.N with that vifname fails, is named in
# hotplug-error, and stays as it was (name, bridge, state)
N=0
refused() {
	N=$((N + 1))
	vif_mkvif 1 $N bridge=xpbr0 "vifname=$2" || t_bail "vif 1.$N"
	_before=$("$NLPROBE" link vif1.$N master mtu mac up | tr '\n' ' ')
	t_fails "$1: online fails" vif_run online 1 $N
	t_eq "$1: hotplug-status" error "$(vif_status 1 $N)"
	t_match "$1: hotplug-error names it and the vif" \
		"online vif1\.$N \(domain 1\): vifname $(printf '%s' "$2" | sed 's/[.%]/\\&/g')" \
		"$(vif_error 1 $N)"
	t_eq "$1: vif1.$N untouched" "$_before" "$("$NLPROBE" link vif1.$N master mtu mac up | tr '\n' ' ')"
}

refused "an HVM guest's emulated-NIC name" vif2.0-emu
refused "another guest's PV name" vif2.0
refused "this guest's other PV NIC" vif1.0
refused "this guest's own emulated NIC" vif1.3-emu
refused "a name no toolstack gives yet" vif7.12345
refused "leading zeros" vif02.0
refused "the kernel's %d" web%d
t_eq "no web0 or similar was made" "" "$("$NLPROBE" ports xpbr0)"

# this vif's own kernel name is no rename
vif_mkvif 1 20 bridge=xpbr0 vifname=vif1.20 || t_bail "vif 1.20"
t_ok "vifname = its own kernel name: online" vif_run online 1 20
t_eq "connected" connected "$(vif_status 1 20)"
t_ok "offline" vif_run offline 1 20

# a tap with vifname: the -emu name it gets is checked as a whole
vif_mktap 1 21 bridge=xpbr0 vifname=vif3.0 || t_bail "tap 1.21"
t_fails "tap whose vifname becomes vif3.0-emu: add fails" vif_run_tap add 1 21
t_eq "tap left as it was" absent "$(vif_facts vif3.0-emu)"

# -- guest 1's NIC under guest 2's emulated-NIC name (made by hand, as an
# earlier version would have left it): guest 2's add/remove leave it alone --
vif_mkvif 1 30 bridge=xpbr0 || t_bail "vif 1.30"
t_ok "guest 1's NIC online" vif_run online 1 30
ip link set vif1.30 down && ip link set vif1.30 name vif2.0-emu &&
	ip link property add dev vif2.0-emu altname vif1.30 && ip link set vif2.0-emu up ||
	t_bail "rename by hand"
_vif_keys 2 0 bridge=xpbr0 type_if=ioemu || t_bail "guest 2 keys"
G1="xpbr0 1500 fe:ff:ff:ff:ff:ff 1"
t_eq "guest 1's NIC on the bridge, up" "$G1" "$(vif_facts vif2.0-emu)"
t_fails "remove type_if=tap for guest 2 refuses" vif_run_tap remove 2 0
t_match "and says whose NIC it is" "remove vif2\.0-emu \(domain 2\): vif2\.0-emu is not this vif: it is vif1\.30 renamed" \
	"$(vif_error 2 0)"
t_eq "guest 1's NIC still on the bridge and up" "$G1" "$(vif_facts vif2.0-emu)"
t_fails "add type_if=tap for guest 2 refuses too" vif_run_tap add 2 0
t_eq "guest 1's NIC still as it was" "$G1" "$(vif_facts vif2.0-emu)"
t_ok "guest 1's own offline finds it (by its altname) and takes it down" vif_run offline 1 30
t_eq "down and off the bridge" " 1500 fe:ff:ff:ff:ff:ff 0" "$(vif_facts vif2.0-emu)"
t_done
