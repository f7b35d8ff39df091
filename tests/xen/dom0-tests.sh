#!/bin/sh
# The Xen tier's checks, run inside dom0 by /init (tests/xen/dom0-init) on
# real Xen 4.17: network-xenplumb applies /etc/xen/xenplumb.conf, xl starts
# PV guests whose vifs vif-xenplumb plumbs, and we look at the result from
# dom0 (links, xenstore, xl's logs) and from the guests (their consoles).
#
#   g1  br100 (bond0 -> bond0.100 -> br100)  script=vif-xenplumb     192.0.2.11
#   g2  br100, no script= (xl.conf's vif.default.script)             192.0.2.12
#   g3  bridge=dmz: map network = brv VLAN 20                        198.51.100.13
#   g4  brv + vlan key 30 (vif-vlan-shim-30 writes it, as new libxl
#       does), mtu=1400                                              198.51.100.14
#   g5  script=vif-route (a link to vif-xenplumb, as install-compat
#       makes it): [routed public], uplink upr                       203.0.113.15
#   g6  bridge=lan: [nat lan], host-only brn, masquerade             10.1.1.16
# pout (a netns behind upr, 203.0.113.100) is the outside host for g5 and
# g6; dom0's default route is via it, and it has no route to 10.1.1.0/24.
# dom0 is 192.0.2.1 on br100; probes in namespaces p20/p30 sit on brv VLANs
# 20/30 as 198.51.100.1/.2.  Only documentation-range addresses, and this
# machine has no NIC at all: nothing leaves it.
. /xp/tests/lib/t.sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
S=/etc/xen/scripts
WIT=/xp/bin/witness
L=/var/log/xen
CL=$L/console
T=/tmp/xpt
mkdir -p $T
# shellcheck disable=SC2317
note() { printf '%s\n' "$*" | sed 's/^/# /'; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# ------------------------------------------------------------ helpers ---
sysfs() { cat "/sys/class/net/$1/$2" 2>/dev/null; }
master_of() { basename "$(readlink "/sys/class/net/$1/master" 2>/dev/null)" 2>/dev/null; }
be() { echo "/local/domain/0/backend/vif/$1/$2"; } # domid devid
xsr() { xenstore-read "$1" 2>/dev/null; }
# what xl reported as errors (its debug output names the script too)
xl_errlines() { cat "$@" 2>/dev/null | grep -aE 'libxl: error|exited with error|hotplug-error'; }
wait_log() { # guest pattern seconds: wait for the guest console to show it
	[ -n "$(domid_of "$1")" ] || { echo "$1 is not running"; return 1; }
	_i=0
	while [ $_i -lt "$3" ]; do
		grep -q -- "$2" "$CL/guest-$1.log" 2>/dev/null && return 0
		sleep 1; _i=$((_i + 1))
	done
	return 1
}
glog() { grep '^XPG ' "$CL/guest-$1.log" 2>/dev/null | tr -d '\r'; }
pingw() { # [ns] addr seconds: true once addr answers
	_ns=
	if [ $# -eq 3 ]; then _ns="ip netns exec $1"; shift; fi
	_i=0
	while [ $_i -lt "$2" ]; do
		$_ns ping -c 1 -W 1 "$1" >/dev/null 2>&1 && return 0
		_i=$((_i + 1))
	done
	return 1
}
# xl_run LOG ARGS...: xl -vvv ARGS with a time limit, output in LOG
xl_run() { _l=$1; shift; timeout -k 5 180 xl -vvv "$@" >"$_l" 2>&1; }
# xl_ok DESC LOG ARGS...: a check that xl ARGS succeeds (its errors shown if not)
xl_ok() {
	_d=$1 _l=$2; shift 2
	if xl_run "$_l" "$@"; then t_pass "$_d"; else
		t_failmsg "$_d (exit $?)"; xl_errs "$_l"; fi
}
xl_errs() { grep -avE 'libxl: debug|xencall|domainbuilder' "$1" | tail -n 25 | sed 's/^/#   /'; }
pingg() { # guest [ns] addr seconds: pingw, failing at once when guest is not running
	_g=$1; shift
	[ -n "$(domid_of "$_g")" ] || { echo "$_g is not running"; return 1; }
	pingw "$@"
}
vifs_now() { for _f in /sys/class/net/vif*; do [ -e "$_f" ] && printf '%s ' "${_f##*/}"; done; }
backends_now() { xenstore-list /local/domain/0/backend/vif 2>/dev/null | sort | tr '\n' ' '; }

mkcfg() { # name mem extra vifspec...
	_n=$1 _e=$2; shift 2
	_v=""
	for s in "$@"; do _v="$_v${_v:+, }'$s'"; done
	cat >"$T/$_n.cfg" <<EOF
name = "$_n"
kernel = "/xp/guest/vmlinux.gz"
ramdisk = "/xp/guest/initrd.gz"
extra = "console=hvc0 quiet $_e"
memory = 128
vcpus = 1
on_crash = "destroy"
vif = [ $_v ]
EOF
}

# ----------------------------------------------------- the host side ---
# Two veth pairs stand in for the machine's NICs.
for n in 0 1; do
	ip link add nic$n type veth peer name nic${n}p && ip link set nic${n}p up
done
# The routed network's uplink, and the outside host behind it.
ip netns add pout
ip link add upr type veth peer name uprp
ip link set uprp netns pout
ip addr add 203.0.113.1/24 dev upr
ip link set upr up
ip -n pout link set lo up
ip -n pout addr add 203.0.113.100/24 dev uprp
ip -n pout link set uprp up
ip route add default via 203.0.113.100 dev upr
t_ok "network-xenplumb start applies /etc/xen/xenplumb.conf" timeout 120 $S/network-xenplumb start
note "$(ip -br link | tr -s ' ')"
t_eq "bond0 enslaves nic0 and nic1" "nic0 nic1" \
	"$(tr ' ' '\n' </sys/class/net/bond0/bonding/slaves 2>/dev/null | grep . | sort | tr '\n' ' ' | sed 's/ $//')"
t_match "bond0 is active-backup" '^active-backup' "$(sysfs bond0 bonding/mode)"
t_match "bond0.100 is VLAN 100 on bond0" 'vlan protocol 802.1Q id 100' "$(ip -d link show bond0.100 2>&1)"
t_eq "bond0.100 is a port of br100" br100 "$(master_of bond0.100)"
t_eq "br100 is up" up "$(sysfs br100 operstate)"
t_eq "brv filters VLANs" 1 "$(sysfs brv bridge/vlan_filtering)"

rm -f $T/wit.ready
$WIT -o $T/wit.out -r $T/wit.ready bond0 bond0.100 br100 >$T/wit.err 2>&1 &
wpid=$!
i=0; while [ ! -f $T/wit.ready ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_ok "witness watches bond0, bond0.100, br100" test -f $T/wit.ready
t_ok "network-xenplumb start again adopts what is there" timeout 120 $S/network-xenplumb start

ip addr add 192.0.2.1/24 dev br100
# Probes on brv: a veth port untagged in VLAN 20 (30), its peer in netns p20 (p30).
for v in 20 30; do
	ip netns add p$v
	ip link add pr$v type veth peer name pr${v}p
	ip link set pr${v}p netns p$v
	ip link set pr$v master brv up
	bridge vlan del dev pr$v vid 1 2>/dev/null
	bridge vlan add dev pr$v vid $v pvid untagged
	ip -n p$v addr add 198.51.100.$((v / 10 - 1))/24 dev pr${v}p
	ip -n p$v link set pr${v}p up
done

# ------------------------------------------------------------ guests ---
mkcfg g1 "xp.ip=192.0.2.11/24 xp.ip1=192.0.2.21/24 xp.ping=192.0.2.1,192.0.2.12" \
	"bridge=br100,mac=00:16:3e:00:00:11,script=vif-xenplumb"
mkcfg g2 "xp.ip=192.0.2.12/24 xp.ping=192.0.2.1,192.0.2.11" \
	"bridge=br100,mac=00:16:3e:00:00:12"
mkcfg g3 "xp.ip=198.51.100.13/24 xp.ping=198.51.100.1" \
	"bridge=dmz,mac=00:16:3e:00:00:13,script=vif-xenplumb"
mkcfg g4 "xp.ip=198.51.100.14/24 xp.ping=198.51.100.2 xp.noping=198.51.100.13" \
	"bridge=brv,mac=00:16:3e:00:00:14,mtu=1400,script=vif-vlan-shim-30"
mkcfg g5 "xp.ip=203.0.113.15/32 xp.gw=203.0.113.1 xp.ping=203.0.113.100" \
	"mac=00:16:3e:00:00:15,ip=203.0.113.15,script=vif-route"
mkcfg g6 "xp.ip=10.1.1.16/24 xp.gw=10.1.1.1 xp.ping=203.0.113.100" \
	"bridge=lan,mac=00:16:3e:00:00:16,script=vif-xenplumb"
grep -q 'vif.default.script="vif-xenplumb"' /etc/xen/xl.conf &&
	! grep -q script= $T/g2.cfg && note "g2 relies on xl.conf's vif.default.script"

# All at once: each create is slow under TCG, and they overlap well.
note "creating g1..g6 at $(uptime_s) s"
pids=
for g in g1 g2 g3 g4 g5 g6; do
	(xl_run $T/create-$g.log create $T/$g.cfg; echo $? >$T/create-$g.rc) &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
for g in g1 g2 g3 g4 g5 g6; do
	if [ "$(cat $T/create-$g.rc)" = 0 ]; then t_pass "xl create $g"; else
		t_failmsg "xl create $g (exit $(cat $T/create-$g.rc))"; xl_errs $T/create-$g.log; fi
done
note "created at $(uptime_s) s"

domid_of() { xl list 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'; }
check_vif() { # guest bridge vlans mtu mac  (few processes: each is slow here)
	d=$(domid_of "$1")
	[ -n "$d" ] || { t_failmsg "$1: is not running, no vif to check"; return; }
	v=vif$d.0
	f=$(timeout 30 /xp/bin/nlprobe link "$v" master mtu mac up 2>&1 | tr '\n' ' ')
	t_match "$1: $v is a port of $2, MTU $4, netback's MAC, up" "^$2 ($4) fe:ff:ff:ff:ff:ff 1 \$" "$f"
	if [ "$2" != br100 ]; then
		t_eq "$1: $v carries exactly VLAN $3" "$3" "$(timeout 30 /xp/bin/nlprobe vlans "$v" 2>&1 | tr '\n' ';')"
	fi
	k=$(timeout 30 xenstore-ls "$(be "$d" 0)" 2>&1 || echo "xenstore-ls failed: $?")
	t_match "$1: backend mac is the configured one" "^mac = \"$5\"" "$k"
	t_match "$1: hotplug-status connected" '^hotplug-status = "connected"' "$k"
	t_nomatch "$1: no hotplug-error" '^hotplug-error' "$k"
}
check_vif g1 br100 "" 1500 00:16:3e:00:00:11
check_vif g2 br100 "" 1500 00:16:3e:00:00:12
# g3 has no mtu key, so it gets brv's MTU at its hotplug (as stock does).
# brv has no port of its own, and the kernel lowers a bridge's MTU to its
# smallest port's: if g4 (mtu=1400, created in parallel) joined first, that
# MTU is 1400.
check_vif g3 brv "20 pvid untagged;" "1500|1400" 00:16:3e:00:00:13
check_vif g4 brv "30 pvid untagged;" 1400 00:16:3e:00:00:14

# Reachability, seen from dom0 ...
t_ok "dom0 reaches g1 across br100/bond0.100" pingg g1 192.0.2.11 120
t_ok "dom0 reaches g2" pingg g2 192.0.2.12 60
up3=0 up4=0
pingg g3 p20 198.51.100.13 60 && up3=1
pingg g4 p30 198.51.100.14 60 && up4=1
t_eq "probe on brv VLAN 20 reaches g3 (bridge=dmz)" 1 $up3
t_eq "probe on brv VLAN 30 reaches g4 (vlan key 30)" 1 $up4
# Isolation means something only for a guest that its own VLAN reaches.
if [ $up4 = 1 ]; then t_fails "probe on VLAN 20 cannot reach g4 (VLAN 30)" pingw p20 198.51.100.14 5
else t_failmsg "probe on VLAN 20 cannot reach g4: unproven, g4 unreachable"; fi
if [ $up3 = 1 ]; then t_fails "probe on VLAN 30 cannot reach g3 (VLAN 20)" pingw p30 198.51.100.13 5
else t_failmsg "probe on VLAN 30 cannot reach g3: unproven, g3 unreachable"; fi
# Routed and NAT guests, seen from dom0 and from the outside host.
d5=$(domid_of g5)
t_match "g5: host route via its vif (script=vif-route)" "203.0.113.15 dev vif$d5.0 proto 200" \
	"$(ip route show 203.0.113.15 2>&1)"
t_match "g5: proxy ARP entry on upr" "203.0.113.15 dev upr proxy" "$(ip neigh show proxy 2>&1)"
t_eq "g5: hotplug-status connected" connected "$(xsr "$(be "$d5" 0)/hotplug-status")"
t_ok "the outside host reaches g5 across dom0 (routed)" pingg g5 pout 203.0.113.15 120
d6=$(domid_of g6)
t_eq "g6: its vif is a port of the NAT bridge" brn "$(master_of vif$d6.0)"
# ... and from the guests.
for g in g1 g2 g3 g4 g5 g6; do
	[ -n "$(domid_of $g)" ] || continue
	wait_log $g "XPG pings-done" 120 || note "$g: no pings-done"
done
t_match "g1's eth0 has its configured MAC" 'mac eth0 00:16:3e:00:00:11' "$(glog g1)"
t_match "g1 reaches dom0" 'ping 192.0.2.1 ok' "$(glog g1)"
t_match "g1 reaches g2 across br100" 'ping 192.0.2.12 ok' "$(glog g1)"
t_match "g2 reaches g1" 'ping 192.0.2.11 ok' "$(glog g2)"
t_match "g3 reaches the VLAN 20 probe" 'ping 198.51.100.1 ok' "$(glog g3)"
t_match "g4 reaches the VLAN 30 probe" 'ping 198.51.100.2 ok' "$(glog g4)"
t_match "g5 reaches the outside host (routed)" 'ping 203.0.113.100 ok' "$(glog g5)"
t_match "g6 reaches the outside host (masquerade)" 'ping 203.0.113.100 ok' "$(glog g6)"
if [ $up3 = 1 ]; then
	t_match "g4 (VLAN 30) is isolated from g3 (VLAN 20)" 'noping 198.51.100.13 isolated' "$(glog g4)"
else t_failmsg "g4 (VLAN 30) is isolated from g3: unproven, g3 unreachable"; fi

# network-xenplumb start while guests run leaves their vifs where they are.
t_ok "network-xenplumb start with guests running" timeout 120 $S/network-xenplumb start
d1=$(domid_of g1)
t_eq "g1's vif is still on br100" br100 "$(master_of vif$d1.0)"
t_ok "dom0 still reaches g1" pingg g1 192.0.2.11 10

# ----------------------------------------- live attach and detach ---
xl_ok "xl network-attach g1 (bridge=br100)" $T/attach.log network-attach g1 bridge=br100 mac=00:16:3e:00:01:11
t_eq "g1: vif$d1.1 is a port of br100" br100 "$(master_of vif$d1.1)"
t_eq "g1: vif$d1.1 hotplug-status" connected "$(xsr "$(be "$d1" 1)/hotplug-status")"
t_ok "g1 brings up its new eth1" wait_log g1 "XPG eth1 up 00:16:3e:00:01:11" 60
t_ok "dom0 reaches g1's eth1 address" pingg g1 192.0.2.21 60
# (the guest answers ARP only on the NIC that has the address)
t_match "br100 learnt eth1's MAC on vif$d1.1" "dev vif$d1.1" "$(bridge fdb show br br100 | grep -i 00:16:3e:00:01:11)"
xl_ok "xl network-detach g1 1" $T/detach.log network-detach g1 1
t_match "network-detach ran vif-xenplumb offline" 'hotplug script: /etc/xen/scripts/vif-xenplumb offline' "$(cat $T/detach.log)"
t_eq "network-detach reported no error" "" "$(xl_errlines $T/detach.log)"
t_fails "vif$d1.1 is gone" test -e /sys/class/net/vif$d1.1
t_eq "backend vif $d1/1 is gone from xenstore" "" "$(xenstore-list "$(be "$d1" 1)" 2>/dev/null; xsr "$(be "$d1" 1)/state")"
t_ok "g1 saw eth1 go" wait_log g1 "XPG eth1 gone" 30
t_ok "g1 still reachable on eth0" pingg g1 192.0.2.11 10

# ------------------------------------------------ destroy, shutdown ---
gone_ok() { # guest domid vif: everything of it is gone
	t_fails "$1: xl list no longer shows it" xl list "$1"
	t_fails "$1: $3 is gone" test -e /sys/class/net/$3
	t_eq "$1: no backend/vif/$2 left in xenstore" "" "$(xenstore-list "/local/domain/0/backend/vif/$2" 2>/dev/null)"
	t_eq "$1: no /local/domain/$2 left" "" "$(xenstore-list "/local/domain/$2" 2>/dev/null)"
	t_nomatch "$1: no bridge still lists $3" "$3" "$(bridge link show 2>&1)"
}
xl_ok "xl destroy g1" $T/destroy.log destroy g1
sleep 1
t_match "destroy ran vif-xenplumb offline for g1" 'hotplug script: /etc/xen/scripts/vif-xenplumb offline' \
	"$(cat $T/destroy.log $L/xl-g1.log 2>/dev/null)"
t_eq "destroy reported no error" "" "$(xl_errlines $T/destroy.log $L/xl-g1.log)"
gone_ok g1 "$d1" "vif$d1.0"

d2=$(domid_of g2)
xl_ok "xl shutdown -w g2" $T/shutdown.log shutdown -w g2
i=0; while [ -e /sys/class/net/vif$d2.0 ] && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
sleep 1
t_match "shutdown ran vif-xenplumb offline for g2 (xl.conf default script)" \
	'hotplug script: /etc/xen/scripts/vif-xenplumb offline' "$(cat $T/shutdown.log $L/xl-g2.log 2>/dev/null)"
t_eq "shutdown reported no error" "" "$(xl_errlines $T/shutdown.log $L/xl-g2.log)"
gone_ok g2 "$d2" "vif$d2.0"

# ------------------------------------------------- hostile vif specs ---
bad() { # name what vifspec pattern-the-error-must-match
	before_v=$(vifs_now) before_b=$(backends_now)
	mkcfg "$1" "xp.ip=192.0.2.99/24" "$3"
	xl_run $T/$1.log create $T/$1.cfg
	_rc=$?
	t_ok "$1 ($2) fails to start" test "$_rc" -ne 0
	t_match "$1: xl shows xenplumb's hotplug-error" "libxl: error: .*script: .*$4" "$(cat $T/$1.log)"
	t_fails "$1: no domain left" xl list "$1"
	t_eq "$1: no vif left behind" "$before_v" "$(vifs_now)"
	t_eq "$1: no vif backend left in xenstore" "$before_b" "$(backends_now)"
}
bad bad1 "bridge=nonexistent" "bridge=nonexistent,mac=00:16:3e:00:00:21,script=vif-xenplumb" nonexistent
bad bad2 "mtu=99999" "bridge=br100,mac=00:16:3e:00:00:22,mtu=99999,script=vif-xenplumb" 99999

# ------------------------------------------------------------ the end ---
for g in g3 g4 g5 g6; do xl_run $T/destroy-$g.log destroy $g; done
t_eq "all guests gone" "" "$(xl list 2>/dev/null | awk 'NR > 2 { print $1 }')"
t_eq "no routed guest's route or proxy entry left" "" \
	"$(ip route show proto 200; ip neigh show proxy)"
kill -TERM $wpid
wait $wpid
wrc=$?
t_eq "witness saw no down/carrier/delete event on bond0, bond0.100, br100" "0:" "$wrc:$(cat $T/wit.out 2>/dev/null)"
note "witness: $(cat $T/wit.out $T/wit.err 2>/dev/null)"
t_eq "bond0 is still up" up "$(sysfs bond0 operstate)"
t_eq "bond0.100 is still up" up "$(sysfs bond0.100 operstate)"
t_ok "network-xenplumb status" timeout 120 $S/network-xenplumb status

if [ "$T_FAILED" -ne 0 ]; then
	note "--- xl logs and hotplug logs for the failures above"
	for f in $L/xl-*.log $T/*.log $L/*.log; do
		[ -f "$f" ] || continue
		note "== $f"
		grep -aE 'hotplug|script|error|vif' "$f" | grep -v 'libxl: debug' | tail -n 25 | sed 's/^/# /'
	done
fi
t_done
