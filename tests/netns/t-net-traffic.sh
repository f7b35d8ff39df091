#!/bin/sh
# An adopted bridge carrying traffic: two guests (namespaces) ping each
# other across br0 while start, reload (map edited: a bridge added, MTU and
# forward delay changed) and stop run.  No ping may be lost, and the
# witness on br0 and its ports must see no down, carrier loss, rename,
# delete or address loss.  stop leaves the adopted br0 and its ports alone,
# but for the MTU the map gave it, which it gives back.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
# shellcheck source=tests/lib/witness.sh
. "$(dirname "$0")/../lib/witness.sh"
net_setup
ip link show br0 >/dev/null 2>&1 && t_bail "not in a private namespace (br0 exists)"
A=xpA$$
G=xpB$$

ip link set lo up
net_netns "$A"
net_netns "$G"
ip link add pa type veth peer name eth0 netns "$A"
ip link add pb type veth peer name eth0 netns "$G"
ip link add eth1 type veth peer name eth1-peer
ip link add br0 type bridge stp_state 0 forward_delay 1500
ip link set pa master br0
ip link set pb master br0
ip addr add 10.9.0.254/24 dev br0
for l in pa pb br0 eth1; do ip link set "$l" up; done
ip -n "$A" addr add 10.9.0.1/24 dev eth0
ip -n "$G" addr add 10.9.0.2/24 dev eth0
ip -n "$A" link set eth0 up
ip -n "$G" link set eth0 up
ip netns exec "$A" ping -c 1 -W 5 10.9.0.2 >/dev/null || t_bail "no connectivity across br0"

cat >"$tmp/map1.conf" <<MAP
[bridge br0]
ports = pa
forward-delay = 2

[bridge xenbr1]
ports = eth1
MAP
cat >"$tmp/map2.conf" <<MAP
[bridge br0]
ports = pa
forward-delay = 3
mtu = 1400

[bridge xenbr1]
ports = eth1
mtu = 1300

[bridge xenbr2]
MAP

w_start br0 pa pb
t_ok "witness is ready" test -e "$tmp/ready"
ip netns exec "$A" ping -q -i 0.02 -c 250 -W 1 10.9.0.2 >"$tmp/ping" 2>&1 &
ppid=$!
sleep 0.5
out=$($X start -c "$tmp/map1.conf" 2>&1)
t_eq "start exits 0" 0 $?
t_match "start adopts br0: only its forward delay changes" "set br0 forward-delay 2" "$out"
t_nomatch "start creates no br0" "create bridge br0" "$out"
sleep 0.5
out=$($X reload -c "$tmp/map2.conf" 2>&1)
t_eq "reload exits 0" 0 $?
t_match "reload adds xenbr2" "create bridge xenbr2" "$out"
t_match "reload changes br0's mtu" "set br0 mtu 1400" "$out"
t_ok "xenbr1 mtu is 1300" sh -c "ip link show xenbr1 | grep -q 'mtu 1300'"
sleep 0.5
out=$($X stop -c "$tmp/map2.conf" 2>&1)
t_eq "stop exits 0" 0 $?
t_match "stop deletes what it made" "delete bridge xenbr2" "$out"
t_match "stop gives br0 back the MTU it had (1500)" "set br0 mtu 1500 \(was 1400\)" "$out"
t_nomatch "stop does nothing else to br0" "br0 [^m]|br0$" "$out"
t_ok "br0 mtu is 1500 again" sh -c "ip link show br0 | grep -q 'mtu 1500'"
wait "$ppid"
prc=$?
ppid=
t_eq "ping across br0 ran through" 0 "$prc"
t_match "no ping lost while start/reload/stop ran" " 0% packet loss" "$(cat "$tmp/ping")"
w_stop
t_eq "witness: no event at all on br0, pa, pb" "0:" "$wrc:$wev"
t_ok "br0 still exists" ip link show br0
t_ok "pb still a port of br0" sh -c "ip link show pb | grep -q 'master br0'"
t_ok "br0 keeps its address" sh -c "ip addr show br0 | grep -q 10.9.0.254/24"
t_fails "xenbr1 is gone" ip link show xenbr1
t_done
