#!/bin/sh
# Routed guests ([routed] in the map, or script=vif-route): a guest behind
# a veth stand-in vif, plugged through the real xenstored, reaches a host
# behind the uplink over IPv4 and IPv6 and is reached from it (host routes
# via the vif, proxy ARP/NDP on the uplink, forwarding for that path only);
# a second guest cannot take or send from the first one's address; a vif
# without an ip key is refused; offline and stop leave no route, proxy
# entry, address, sysctl or rule behind.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init
X=$B/network-xenplumb
[ -x "$X" ] || t_bail "no $X (run make)"
command -v ping >/dev/null || t_bail "ping (iputils-ping) missing"
command -v nft >/dev/null || t_bail "nft (nftables) missing"
OUT=xpo-$$-$(date +%N)
ip netns add "$OUT" || t_bail "cannot create the outside netns"
trap 'ip netns del "$OUT" 2>/dev/null; vif_cleanup' EXIT
export XENPLUMB_STATE_DIR="$VIF_TMP/state"
in_out() { ip netns exec "$OUT" "$@"; }
pings() { "$@" -c 3 -i 0.2 -w 4 >/dev/null 2>&1; } # any reply counts
sysctls() {
	for k in ipv4/conf/up0/forwarding ipv6/conf/up0/forwarding ipv6/conf/up0/proxy_ndp \
		ipv6/conf/up0/accept_ra ipv4/conf/all/forwarding ipv6/conf/all/forwarding; do
		printf '%s=%s ' "$k" "$(cat /proc/sys/net/$k)"
	done
}
l3snap() { # (ip's stderr: a veth whose peer is in a netns without an id)
	ip route show proto 200 2>/dev/null
	ip -6 route show proto 200 2>/dev/null
	ip neigh show proxy 2>/dev/null
	ip -6 neigh show proxy 2>/dev/null
	nft list tables
	sysctls
}

ip link set lo up
ip link add up0 type veth peer name o0 netns "$OUT" || t_bail "uplink"
ip link set up0 up
ip addr add 192.0.2.1/24 dev up0
ip addr add 2001:db8:1::1/64 dev up0 nodad
in_out ip link set lo up
in_out ip link set o0 up
in_out ip addr add 192.0.2.100/24 dev o0
in_out ip addr add 2001:db8:1::100/64 dev o0 nodad
before=$(l3snap)

vif_map '[routed web]
uplink = up0'
t_ok "start with a routed network" "$X" start -c "$XENPLUMB_CONF"
t_eq "uplink forwards IPv4" 1 "$(cat /proc/sys/net/ipv4/conf/up0/forwarding)"
t_eq "uplink proxies NDP" 1 "$(cat /proc/sys/net/ipv6/conf/up0/proxy_ndp)"
t_eq "uplink keeps taking RAs" 2 "$(cat /proc/sys/net/ipv6/conf/up0/accept_ra)"
t_eq "global IPv4 forwarding untouched" 0 "$(cat /proc/sys/net/ipv4/conf/all/forwarding)"
t_match "forwarding confined to the guests' path" 'iifname "up0" meta nfproto ipv4 drop' \
	"$(nft list table inet xenplumb-forward 2>&1)"

# a hook sees a routed port with the facts a bridged one gets: kind
# routed, and the bridge key (the network's name) for the bridge
mkdir -p "$VIF_TMP/hooks.d" "$VIF_TMP/post.d"
printf '#!/bin/sh\necho "$XENPLUMB_ACTION $XENPLUMB_VIF dev=$XENPLUMB_DEV kind=$XENPLUMB_BRIDGE_KIND bridge=$XENPLUMB_BRIDGE mac=$XENPLUMB_MAC mtu=$XENPLUMB_MTU vm=$XENPLUMB_VM_NAME ip=$XENPLUMB_IP" >>"$0.out"\n' \
	>"$VIF_TMP/hooks.d/facts"
chmod +x "$VIF_TMP/hooks.d/facts"
export XENPLUMB_VIF_HOOKS_DIR="$VIF_TMP/hooks.d" XENPLUMB_VIF_POST_DIR="$VIF_TMP/post.d"
hooked() { grep "^$1 $2 " "$VIF_TMP/hooks.d/facts.out" 2>/dev/null; }

# guest 40: two addresses, one of each family
vif_mkvif 40 0 bridge=web "ip=192.0.2.10 2001:db8:1::10" || t_bail "vif 40.0"
in_guest ip link set g40_0 address 00:16:3e:00:28:00 up
t_ok "online" vif_run online 40 0
t_eq "connected" connected "$(vif_status 40 0)"
t_eq "hook: the routed port's facts" \
	"online vif40.0 dev=vif40.0 kind=routed bridge=web mac=00:16:3e:00:28:00 mtu=1500 vm=guest40 ip=192.0.2.10 2001:db8:1::10" \
	"$(hooked online vif40.0)"
t_match "host route via the vif" "192.0.2.10 dev vif40.0 proto 200 scope link src 192.0.2.1 metric 2" \
	"$(ip route show 192.0.2.10)"
t_match "IPv6 host route via the vif" "2001:db8:1::10 dev vif40.0 proto 200 metric 2" \
	"$(ip -6 route show 2001:db8:1::10)"
t_match "proxy ARP entry on the uplink" "192.0.2.10 dev up0 proxy" "$(ip neigh show proxy)"
t_match "proxy NDP entry on the uplink" "2001:db8:1::10 dev up0 proxy" "$(ip -6 neigh show proxy)"
t_match "vif has the uplink's address" "inet 192.0.2.1/32" "$(ip addr show dev vif40.0)"
t_match "vif has the IPv6 gateway fe80::1" "inet6 fe80::1/64" "$(ip addr show dev vif40.0)"
t_match "antispoofing on by default" "ip saddr != 192.0.2.10 drop" \
	"$(nft list table netdev xenplumb-vif40.0 2>&1)"
in_guest ip addr add 192.0.2.10/32 dev g40_0
in_guest ip route add 192.0.2.1 dev g40_0
in_guest ip route add default via 192.0.2.1
in_guest ip -6 addr add 2001:db8:1::10/128 dev g40_0 nodad
in_guest ip -6 route add default via fe80::1 dev g40_0
t_ok "outside host reaches the guest (IPv4)" pings in_out ping 192.0.2.10
t_ok "guest reaches the outside host (IPv4)" pings in_guest ping 192.0.2.100
t_ok "outside host reaches the guest (IPv6)" pings in_out ping -6 2001:db8:1::10
t_ok "guest reaches the outside host (IPv6)" pings in_guest ping -6 2001:db8:1::100

# guest 41 asks for 40's address: refused, nothing left behind
vif_mkvif 41 0 bridge=web ip=192.0.2.10 || t_bail "vif 41.0"
t_fails "a second guest cannot take the first one's address" vif_run online 41 0
t_match "error names the owner" "192.0.2.10/32 is already routed to vif40.0" "$(vif_error 41 0)"
t_match "route still to the first guest" "dev vif40.0" "$(ip route show 192.0.2.10)"
t_fails "no journal for the refused vif" test -e "$XENPLUMB_STATE_DIR/vif/vif41.0"
# guest 41 with its own address sends from 40's: dropped.  It gets a netns
# of its own; the outside host counts what arrives from each source.
vif_key 41 0 ip 192.0.2.11
G2=xpg2-$$-$(date +%N)
ip netns add "$G2" || t_bail "second guest netns"
trap 'ip netns del "$G2" 2>/dev/null; ip netns del "$OUT" 2>/dev/null; vif_cleanup' EXIT
in_guest ip link set g41_0 netns "$G2"
in_g2() { ip netns exec "$G2" "$@"; }
in_g2 ip link set lo up
in_g2 ip link set g41_0 address 00:16:3e:00:29:00 up
t_ok "online with its own address" vif_run online 41 0
in_g2 ip addr add 192.0.2.11/32 dev g41_0
in_g2 ip addr add 192.0.2.10/32 dev g41_0
in_g2 ip route add 192.0.2.1 dev g41_0
in_g2 ip route add default via 192.0.2.1 src 192.0.2.11
in_out nft -f - <<'NFT' || t_bail "counters on the outside host"
table ip obs {
	chain in {
		type filter hook input priority 0;
		ip saddr 192.0.2.10 icmp type echo-request counter
		ip saddr 192.0.2.11 icmp type echo-request counter
	}
}
NFT
seen() { # SADDR: echo requests the outside host got from it
	in_out nft list chain ip obs in | sed -n "s/.*ip saddr $1 .* packets \([0-9]*\).*/\1/p"
}
t_ok "second guest reaches outside from its own address" pings in_g2 ping -I 192.0.2.11 192.0.2.100
in_g2 ping -I 192.0.2.10 -c 3 -i 0.2 -w 2 192.0.2.100 >/dev/null 2>&1
t_eq "nothing from the first guest's address got out of the second" 0 "$(seen 192.0.2.10)"
t_match "(the outside host does count the second guest's own)" '^[1-9]' "$(seen 192.0.2.11)"

# a routed vif without an ip key
vif_mkvif 42 0 bridge=web || t_bail "vif 42.0"
t_fails "no ip key on a routed network: refused" vif_run online 42 0
t_match "hotplug-error says why" "has no ip key" "$(vif_error 42 0)"

# status: the network, its guest and the guest's addresses; drift when a
# route or proxy entry goes missing
out=$("$X" status -c "$XENPLUMB_CONF" 2>&1)
t_ok "status: no drift while all is in place" "$X" status -c "$XENPLUMB_CONF"
t_match "status shows the routed network" "routed web: uplink up0, proxy ARP/NDP, antispoof" "$out"
t_match "status shows the guest and its addresses" \
	"guest vif40.0: 192.0.2.10/32, 2001:db8:1::10/128" "$out"
"$X" status --json -c "$XENPLUMB_CONF" >"$VIF_TMP/status.json" 2>&1
t_ok "status --json is valid against docs/status-schema.json" python3 - \
	"$T_ROOT/docs/status-schema.json" "$VIF_TMP/status.json" <<'PY'
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
PY
ip route del 192.0.2.10/32 dev vif40.0 proto 200
ip neigh del proxy 2001:db8:1::10 dev up0
t_fails "status: drift when a route and a proxy entry are gone" "$X" status -c "$XENPLUMB_CONF"
out=$("$X" status -c "$XENPLUMB_CONF" 2>&1)
t_match "drift names the missing route" "vif40.0.*route.*192.0.2.10/32 via vif40.0.*missing" "$out"
t_match "drift names the missing proxy entry" "vif40.0.*proxy entry.*2001:db8:1::10/128 on up0" "$out"
# (offline below copes with what is already gone)

# offline removes exactly what online added
t_ok "offline 40" vif_run offline 40 0
t_match "hook: offline of a routed port says routed" "^offline vif40.0 dev=vif40.0 kind=routed bridge=web " \
	"$(hooked offline vif40.0)"
t_ok "offline 41" vif_run offline 41 0
t_eq "no route left" "" "$(ip route show proto 200 2>/dev/null; ip -6 route show proto 200 2>/dev/null)"
t_eq "no proxy entry left" "" "$(ip neigh show proxy 2>/dev/null; ip -6 neigh show proxy 2>/dev/null)"
t_nomatch "no address left on the vif" "192.0.2.1/32" "$(ip addr show dev vif40.0 2>/dev/null)"
t_fails "no antispoof table left" nft list table netdev xenplumb-vif40.0
# (the per-vif lock files, D.N.lock, stay by design)
t_eq "no journal left" "" "$(ls "$XENPLUMB_STATE_DIR/vif" 2>/dev/null | grep -v '\.lock$')"

# script=vif-route (install-compat): the helper under that name, gatewaydev
# (libxl's netdev) naming the uplink, no bridge key
ln -s "$(cd "$(dirname "$VIF_BIN")" && pwd)/vif-xenplumb" "$VIF_TMP/vif-route"
vif_mkvif 43 0 ip=192.0.2.13 gatewaydev=up0 || t_bail "vif 43.0"
xenstore-rm "$VIF_BE/43/0/bridge" 2>/dev/null
in_guest ip link set g43_0 address 00:16:3e:00:2b:00 up
t_ok "script=vif-route guest online" env script=/etc/xen/scripts/vif-route XENBUS_TYPE=vif \
	XENBUS_PATH=backend/vif/43/0 XENBUS_BASE_PATH=backend netdev=up0 vif=vif43.0 \
	"$VIF_TMP/vif-route" online type_if=vif
t_match "routed by the name it was called by" "192.0.2.13 dev vif43.0 proto 200" \
	"$(ip route show 192.0.2.13)"
t_ok "script=vif-route guest offline" env script=/etc/xen/scripts/vif-route XENBUS_TYPE=vif \
	XENBUS_PATH=backend/vif/43/0 XENBUS_BASE_PATH=backend netdev=up0 vif=vif43.0 \
	"$VIF_TMP/vif-route" offline type_if=vif
t_eq "its route is gone" "" "$(ip route show 192.0.2.13)"

# Hotplug goes by the applied map (what start applied), never the live
# map: with a typo in the live map a routed guest is still routed.
cp "$XENPLUMB_CONF" "$VIF_TMP/good.conf"
printf '[routed web]\nuplnk = up0\n' >"$XENPLUMB_CONF"
vif_mkvif 44 0 bridge=web ip=192.0.2.14 || t_bail "vif 44.0"
in_guest ip link set g44_0 address 00:16:3e:00:2c:00 up
t_ok "online with a typo in the live map" vif_run online 44 0
t_match "routed by the applied map's [routed web]" "192.0.2.14 dev vif44.0 proto 200" \
	"$(ip route show 192.0.2.14)"
t_match "proxy ARP on the applied map's uplink" "192.0.2.14 dev up0 proxy" \
	"$(ip neigh show proxy 2>/dev/null)"
t_ok "offline 44" vif_run offline 44 0
t_eq "its route is gone" "" "$(ip route show 192.0.2.14)"
cp "$VIF_TMP/good.conf" "$XENPLUMB_CONF"

# What is at a journal's path must be a regular file of ours: a FIFO there
# is refused (never opened for long: it would block the hotplug for good).
vif_mkvif 45 0 bridge=web ip=192.0.2.15 || t_bail "vif 45.0"
in_guest ip link set g45_0 address 00:16:3e:00:2d:00 up
mkfifo "$XENPLUMB_STATE_DIR/vif/vif45.0"
t_fails "online with a FIFO at its journal's path fails" vif_run online 45 0
t_match "hotplug-error names it" "vif45.0 is not a regular file" "$(vif_error 45 0)"
t_eq "nothing routed for it" "" "$(ip route show 192.0.2.15)"
rm -f "$XENPLUMB_STATE_DIR/vif/vif45.0"
vif_run offline 45 0 >/dev/null 2>&1

# (as libxl does once a vif is gone: else status would see connected vifs
# on no bridge that are no routed guests any more)
for d in 40 41 42 43 44 45; do xenstore-rm "$VIF_BE/$d"; done
t_ok "status with the routed network" "$X" status -c "$XENPLUMB_CONF"
t_ok "stop" "$X" stop -c "$XENPLUMB_CONF"
t_eq "stop leaves the host as it was" "$before" "$(l3snap)"
t_done
