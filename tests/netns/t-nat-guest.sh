#!/bin/sh
# NAT guests ([nat] in the map, or script=vif-nat): a host-only bridge with
# the guests' gateway, masquerade out of whichever uplink holds the default
# route, and a dnsmasq network-xenplumb starts, owns and stops.
# A guest (veth stand-in plugged through the real xenstored) gets its
# static lease (mac/ip keys) from that dnsmasq, reaches a host behind the
# uplink by masquerade, and keeps reaching it after the default route moved
# to another uplink; offline and stop leave no lease entry, rule, address
# or process behind.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init
X=$B/network-xenplumb
[ -x "$X" ] || t_bail "no $X (run make)"
command -v ping >/dev/null || t_bail "ping (iputils-ping) missing"
command -v nft >/dev/null || t_bail "nft (nftables) missing"
[ -x /usr/sbin/dnsmasq ] || t_bail "dnsmasq missing (package dnsmasq-base)"
command -v busybox >/dev/null || t_bail "busybox (udhcpc) missing (package busybox-static)"
OUT=xpo-$$-$(date +%N)
ip netns add "$OUT" || t_bail "cannot create the outside netns"
trap 'ip netns del "$OUT" 2>/dev/null; vif_cleanup' EXIT
export XENPLUMB_STATE_DIR="$VIF_TMP/state"
# dnsmasq reads its dhcp-hostsdir as an unprivileged user, as it would
# under /run/xenplumb (0755): mktemp's 0700 would hide it
chmod 0755 "$VIF_TMP"
in_out() { ip netns exec "$OUT" "$@"; }
pings() { "$@" -c 3 -i 0.2 -w 4 >/dev/null 2>&1; }
ours() { # dnsmasq processes (not zombies) running our config
	for p in $(pgrep -x dnsmasq); do
		grep -qa "conf-file=$XENPLUMB_STATE_DIR/nat/lan/dnsmasq.conf" "/proc/$p/cmdline" 2>/dev/null &&
			! grep -q '^State:.*Z' "/proc/$p/status" && echo "$p"
	done
}

# two uplinks to one outside host, which has a test address on lo and no
# route back to the guests' 10.1.1.0/24
ip link set lo up
for u in A:198.51.100 B:203.0.113; do
	ip link add "up${u%%:*}" type veth peer name "o${u%%:*}" netns "$OUT" || t_bail "uplink $u"
	ip link set "up${u%%:*}" up
	ip addr add "${u#*:}.1/24" dev "up${u%%:*}"
	in_out ip link set "o${u%%:*}" up
	in_out ip addr add "${u#*:}.100/24" dev "o${u%%:*}"
done
in_out ip link set lo up
in_out ip addr add 192.0.2.200/32 dev lo
ip route add default via 198.51.100.100 dev upA
in_out nft -f - <<'NFT' || t_bail "counters on the outside host"
table ip obs {
	chain in {
		type filter hook input priority 0;
		ip saddr 198.51.100.1 icmp type echo-request counter
		ip saddr 203.0.113.1 icmp type echo-request counter
		ip saddr 10.1.1.0/24 counter
	}
}
NFT
seen() { in_out nft list chain ip obs in | sed -n "s|.*ip saddr $1 .* packets \\([0-9]*\\).*|\\1|p"; }
before=$(ip route show; nft list tables; cat /proc/sys/net/ipv4/conf/all/forwarding)

# STATE/l3 must be a regular file of ours: a FIFO there is refused by
# start and stop alike (never opened for long: it would block the run).
mkdir -p "$XENPLUMB_STATE_DIR"
mkfifo "$XENPLUMB_STATE_DIR/l3"
vif_map '[bridge xnat0]

[nat lan]
bridge = xnat0
address = 10.1.1.1/24'
out=$("$X" start -c "$XENPLUMB_CONF" 2>&1)
t_eq "start with a FIFO at STATE/l3 fails" 1 "$?"
t_match "and names it" "l3 is not a regular file" "$out"
t_nomatch "no NAT gateway put on the bridge" "10.1.1.1/24" "$(ip addr show dev xnat0 2>&1)"
out=$("$X" stop -c "$XENPLUMB_CONF" 2>&1)
t_eq "so does stop" 1 "$?"
rm -f "$XENPLUMB_STATE_DIR/l3"
t_ok "stop once it is gone" "$X" stop -c "$XENPLUMB_CONF"

# Nothing half-applied: a map whose routed network's uplink is missing
# fails, and what the NAT network had already done is undone.
vif_map '[bridge xnat0]

[nat lan]
bridge = xnat0
address = 10.1.1.1/24
dhcp = yes

[routed bad]
uplink = nosuch0'
out=$("$X" start -c "$XENPLUMB_CONF" 2>&1)
t_eq "start with a missing routed uplink fails" 1 "$?"
t_match "and says which" "routed/bad: uplink nosuch0 does not exist" "$out"
t_nomatch "the NAT gateway was taken off again" "10.1.1.1/24" "$(ip addr show dev xnat0 2>&1)"
t_eq "no dnsmasq left running" "" "$(ours)"
t_eq "forwarding set back" 0 "$(cat /proc/sys/net/ipv4/conf/all/forwarding)"
t_ok "stop after the failed start" "$X" stop -c "$XENPLUMB_CONF"

# (a host-only bridge without ports: this kernel has no dummy module; the VM
# tier covers [dummy] ports)
vif_map '[bridge xnat0]

[nat lan]
bridge = xnat0
address = 10.1.1.1/24
dhcp = yes'
j=$("$X" start -c "$XENPLUMB_CONF" --json 2>"$VIF_TMP/start.err")
t_eq "start with a NAT network (--json): exit 0" 0 "$?"
t_match "gateway on the bridge" "inet 10.1.1.1/24" "$(ip addr show dev xnat0)"
nets=$(printf '%s' "$j" | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["result"]); print("\n".join(a["networks"]))')
t_match "--json: the bridge was applied" "^applied" "$nets"
t_match "--json: the NAT network's lines are in the answer" "nat lan: 10.1.1.1/24 on xnat0" "$nets"
t_match "... and on stderr, as before" "nat lan: 10.1.1.1/24 on xnat0" "$(cat "$VIF_TMP/start.err")"
t_match "masquerade out of anything but the bridge" \
	'ip saddr 10.1.1.0/24 oifname != "xnat0" masquerade' "$(nft list table ip xenplumb-nat 2>&1)"
t_eq "IPv4 forwarding on" 1 "$(cat /proc/sys/net/ipv4/conf/all/forwarding)"
t_match "forwarding confined to the NAT guests" 'meta nfproto ipv4 drop' \
	"$(nft list table inet xenplumb-forward 2>&1)"
t_match "one dnsmasq of ours runs" '^[0-9]+$' "$(ours)"
t_match "it is bound to the bridge only" "interface=xnat0" \
	"$(cat "$XENPLUMB_STATE_DIR/nat/lan/dnsmasq.conf")"
t_ok "a second start changes nothing" "$X" start -c "$XENPLUMB_CONF"
t_eq "still one dnsmasq" 1 "$(ours | wc -l)"

# network-bridge arguments (a per-bridge wrapper's calls) neither apply nor
# undo routed/NAT networks: another bridge comes and goes, the NAT stays.
ip link add xlg0 type veth peer name xlg0p || t_bail "legacy port"
t_ok "legacy start of another bridge" "$X" start bridge=xlegbr netdev=xlg0
t_ok "legacy stop of it" "$X" stop bridge=xlegbr netdev=xlg0
t_match "the NAT gateway stays" "inet 10.1.1.1/24" "$(ip addr show dev xnat0)"
t_eq "its dnsmasq stays" 1 "$(ours | wc -l)"
t_ok "its masquerade table stays" nft list table ip xenplumb-nat
t_match "its record stays" '^nft tables ' "$(cat "$XENPLUMB_STATE_DIR/l3")"
ip link del xlg0

vif_mkvif 50 0 bridge=lan ip=10.1.1.57 || t_bail "vif 50.0"
in_guest ip link set g50_0 address 00:16:3e:00:32:00 up
t_ok "online" vif_run online 50 0
t_eq "on the NAT bridge" xnat0 "$("$NLPROBE" link vif50.0 master)"
t_eq "static lease handed to dnsmasq" "00:16:3e:00:32:00,10.1.1.57,dom50" \
	"$(cat "$XENPLUMB_STATE_DIR/nat/lan/hosts.d/vif50.0" 2>&1)"
cat >"$VIF_TMP/udhcpc.sh" <<EOS
#!/bin/sh
case \$1 in
bound|renew)
	ip addr add \$ip/\${mask:-24} dev \$interface
	[ -n "\$router" ] && ip route add default via \$router
	echo "\$ip \$router" >"$VIF_TMP/lease.\$interface" ;;
esac
EOS
chmod +x "$VIF_TMP/udhcpc.sh"
t_ok "the guest gets a lease" in_guest busybox udhcpc -i g50_0 -n -q -f -t 5 -T 1 \
	-s "$VIF_TMP/udhcpc.sh"
t_eq "its static address and the gateway" "10.1.1.57 10.1.1.1" "$(cat "$VIF_TMP/lease.g50_0" 2>&1)"
t_ok "guest reaches the outside host through uplink A" pings in_guest ping 192.0.2.200
t_match "masqueraded as uplink A's address" '^[1-9]' "$(seen 198.51.100.1)"
t_eq "no guest address got out" 0 "$(seen 10.1.1.0/24)"
ip route replace default via 203.0.113.100 dev upB
t_ok "after the default route moved to uplink B, still reachable" pings in_guest ping 192.0.2.200
t_match "masqueraded as uplink B's address now" '^[1-9]' "$(seen 203.0.113.1)"
t_eq "still no guest address got out" 0 "$(seen 10.1.1.0/24)"

t_ok "status" "$X" status -c "$XENPLUMB_CONF"
t_match "status shows the NAT network and its guest" "guest vif50.0" \
	"$("$X" status -c "$XENPLUMB_CONF" 2>&1)"

# script=vif-nat (install-compat): the map's NAT network, by the name called
ln -s "$(cd "$(dirname "$VIF_BIN")" && pwd)/vif-xenplumb" "$VIF_TMP/vif-nat"
vif_mkvif 51 0 ip=10.1.1.58 || t_bail "vif 51.0"
xenstore-rm "$VIF_BE/51/0/bridge" 2>/dev/null
t_ok "script=vif-nat guest online" env script=/etc/xen/scripts/vif-nat XENBUS_TYPE=vif \
	XENBUS_PATH=backend/vif/51/0 XENBUS_BASE_PATH=backend netdev= vif=vif51.0 \
	"$VIF_TMP/vif-nat" online type_if=vif
t_eq "on the NAT bridge" xnat0 "$("$NLPROBE" link vif51.0 master)"
t_ok "its lease entry" test -f "$XENPLUMB_STATE_DIR/nat/lan/hosts.d/vif51.0"
t_ok "script=vif-nat guest offline" env script=/etc/xen/scripts/vif-nat XENBUS_TYPE=vif \
	XENBUS_PATH=backend/vif/51/0 XENBUS_BASE_PATH=backend netdev= vif=vif51.0 \
	"$VIF_TMP/vif-nat" offline type_if=vif

t_ok "offline" vif_run offline 50 0
t_eq "no lease entry left" "" "$(ls "$XENPLUMB_STATE_DIR/nat/lan/hosts.d" 2>&1)"
ip route replace default via 198.51.100.100 dev upA
# reload without the [nat] section undoes what it had added, not the bridge
cp "$XENPLUMB_CONF" "$VIF_TMP/with-nat.conf"
vif_map '[bridge xnat0]'
t_ok "reload without the [nat] section" "$X" reload -c "$XENPLUMB_CONF"
t_eq "its dnsmasq stopped" "" "$(ours)"
t_nomatch "its gateway address gone" "10.1.1.1/24" "$(ip addr show dev xnat0 2>&1)"
t_fails "its masquerade table gone" nft list table ip xenplumb-nat
t_ok "the bridge stays" ip link show xnat0
vif_map "$(cat "$VIF_TMP/with-nat.conf")"
t_ok "reload with it again" "$X" reload -c "$XENPLUMB_CONF"
t_match "dnsmasq back" '^[0-9]+$' "$(ours)"

# Ownership: a table of our name that is not the one we made (the kernel's
# handle of it differs from the one recorded) is never replaced or deleted.
t_match "the state records the tables' kernel handles" '^nft tables [1-9][0-9]* [1-9][0-9]*$' \
	"$(grep '^nft tables' "$XENPLUMB_STATE_DIR/l3")"
nft delete table ip xenplumb-nat
nft -f - <<'NFT' || t_bail "someone else's table"
table ip xenplumb-nat {
	chain someone {
	}
}
NFT
out=$("$X" reload -c "$XENPLUMB_CONF" 2>&1)
t_eq "reload refuses a table of our name it did not make" 1 "$?"
t_match "and names it" 'table ip xenplumb-nat \(handle [0-9]+\) is not one xenplumb made' "$out"
t_match "that table is left as it was" "chain someone" "$(nft list table ip xenplumb-nat 2>&1)"
t_match "status: drift, the masquerade table is not ours" \
	'another table of that name \(not xenplumb.s\)' "$("$X" status -c "$XENPLUMB_CONF" 2>&1)"
out=$("$X" stop -c "$XENPLUMB_CONF" 2>&1)
t_eq "stop" 0 "$?"
t_match "stop leaves it alone, saying so" \
	'table ip xenplumb-nat \(handle [0-9]+\) is not the one xenplumb made: left alone' "$out"
t_match "it is still there" "chain someone" "$(nft list table ip xenplumb-nat 2>&1)"
t_fails "our own forward table is gone" nft list table inet xenplumb-forward
nft delete table ip xenplumb-nat
t_eq "no dnsmasq left" "" "$(ours)"
t_fails "no NAT bridge left" ip link show xnat0
t_eq "routes, rules and forwarding as before" "$before" \
	"$(ip route show; nft list tables; cat /proc/sys/net/ipv4/conf/all/forwarding)"
t_fails "nothing left in the state directory for it" test -e "$XENPLUMB_STATE_DIR/nat/lan"
t_done
