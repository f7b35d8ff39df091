#!/bin/sh
# network-xenplumb on the host kernel, in a private namespace: two NICs
# (veths) -> xenbr0/xenbr1 from scratch; a second start changes nothing;
# --dry-run changes nothing; stop removes exactly what start made.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup
# the namespace, ifindexes and timers aside; the qdisc and the order of
# addresses and routes kept (eth0 and eth1 stay up throughout)
snap() { net_snap --qdisc --order; }

ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link add eth1 type veth peer name eth1-peer
ip link set eth0 up
ip link set eth1 up
cat >"$tmp/map.conf" <<MAP
# two NICs, two bridges
[bridge xenbr0]
ports = eth0
stp = off
forward-delay = 0
default = yes

[bridge xenbr1]
ports = eth1
mtu = 1400
MAP

snap >"$tmp/s0"
out=$($X start -c "$tmp/map.conf" --dry-run 2>&1)
t_eq "dry-run exits 0" 0 $?
t_match "dry-run prints the plan" "create bridge xenbr0" "$out"
t_match "dry-run says it changed nothing" "dry run: nothing changed" "$out"
snap >"$tmp/s1"
t_ok "dry-run changed nothing" cmp -s "$tmp/s0" "$tmp/s1"
t_fails "dry-run wrote no state" test -e "$tmp/state/state"

out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "start exits 0" 0 $?
t_match "start prints what it did" "1\. create bridge xenbr0" "$out"
t_ok "xenbr0 is a bridge" sh -c "ip -d link show xenbr0 | grep -q 'bridge forward_delay 0 .*stp_state 0'"
t_ok "xenbr0 is up" sh -c "ip link show xenbr0 | grep -q '[<,]UP[,>]'"
t_ok "xenbr1 is up" sh -c "ip link show xenbr1 | grep -q '[<,]UP[,>]'"
t_ok "eth0 is a port of xenbr0" sh -c "ip link show eth0 | grep -q 'master xenbr0'"
t_ok "eth1 is a port of xenbr1" sh -c "ip link show eth1 | grep -q 'master xenbr1'"
t_ok "xenbr1 mtu 1400" sh -c "ip link show xenbr1 | grep -q 'mtu 1400'"
if [ -x "$P" ]; then
	t_match "nlprobe: xenbr0 stp off" "bridge_stp=0" "$($P link xenbr0)"
fi
t_match "state records xenbr0 as created" "^dev xenbr0 bridge" "$(cat "$tmp/state/state")"
t_eq "state file mode 0644" "644" "$(stat -c %a "$tmp/state/state")"
t_eq "lock file mode 0600" "600" "$(stat -c %a "$tmp/state/lock")"
t_eq "state dir mode 0755" "755" "$(stat -c %a "$tmp/state")"

snap >"$tmp/s2"
out=$($X start -c "$tmp/map.conf" 2>&1)
t_eq "second start exits 0" 0 $?
t_eq "second start: nothing to do" "nothing to do" "$out"
snap >"$tmp/s3"
t_ok "second start changed nothing" diff "$tmp/s2" "$tmp/s3"
out=$($X reload -c "$tmp/map.conf" 2>&1)
t_eq "reload with the same map: nothing to do" "nothing to do" "$out"

out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "stop exits 0" 0 $?
t_match "stop deletes xenbr0" "delete bridge xenbr0" "$out"
t_fails "xenbr0 is gone" ip link show xenbr0
t_fails "xenbr1 is gone" ip link show xenbr1
t_ok "eth0 is still up" sh -c "ip link show eth0 | grep -q '[<,]UP[,>]'"
out=$($X stop -c "$tmp/map.conf" 2>&1)
t_eq "second stop: nothing to do" "nothing to do" "$out"
snap >"$tmp/s4"
t_ok "start+stop leaves the namespace as it was" cmp -s "$tmp/s0" "$tmp/s4"
t_done
