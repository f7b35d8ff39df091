# shellcheck shell=sh
# Helpers for the multi-host VXLAN tests (tests/netns/t-vxlan-*.sh), sourced
# after tests/lib/t.sh.  Three "hosts" are network namespaces joined by an
# underlay: a bridge "ul0" in the test's own namespace (the switch) with one
# veth per host; host N has eth0 = 192.0.2.N/24 and 2001:db8:17::N/64, MTU
# 1500.  Guests are namespaces of their own with one veth (eth0 inside,
# a vif-like name on the host side), so a guest can move between hosts
# while its own device (and MAC) stays, as a migrated domain's netfront.
# Run directly (as the netns tier does with every t-*.sh) it checks itself.
#
#   vx_init                  hosts 1..3 + underlay + scratch dir $VX_TMP
#   vx_h N CMD..             run CMD in host N
#   vx_guest G H MAC [IF]    guest G (198.51.100.G/24, 2001:db8:100::G/64)
#                            plugged into host H as IF (vifG.0), not enslaved
#   vx_g G CMD..             run CMD in guest G
#   vx_unplug G H            "offline": host H loses the guest's vif (it goes
#                            to a parking namespace, as a destroyed backend)
#   vx_plug G H              "online" on host H: the vif appears there (down)
#   vx_announce G            what netfront does after migration: gratuitous
#                            ARP + unsolicited NA (the kernel's own, by a
#                            link down/up with arp_notify/ndisc_notify on)
#   vx_fdb N DEV MAC         "dst" of MAC in host N's FDB on DEV ("" none)
#   vx_wait SECS CMD..       retry CMD every 0.1 s until it succeeds
#   vx_is VALUE CMD..        CMD prints VALUE (for vx_wait)
#   vx_ip_segment N DEV BR VNI LOCAL MTU [ARGS..]  by hand (ip link, no
#                            xenplumb): VXLAN DEV (port 4789, ARGS added,
#                            e.g. nolearning) as the port of bridge BR, up
#   vx_flood N DEV ADDR..    static flood list: all-zeros FDB entries
#   vx_attach G H BR MTU     the vif of guest G on host H joins BR, up
#   vx_arrive G H BR MTU     vx_plug + vx_attach
#   vx_fragcreates N Ip|Ip6  host N's count of fragments it created
#   vx_pingtrace G ADDR FILE continuous ping (20 ms, timestamped) in the
#                            background; $VX_PING is its pid
#   vx_pingstop              stop it
#   vx_outage FILE           "GAP LOST": the longest time without a reply
#                            (s) and the number of requests not answered
#   vx_x N ARGS..            network-xenplumb ARGS on host N, its map
#                            $VX_TMP/mapN.conf and state dir $VX_TMP/stateN
#   vx_xs                    a private xenstored (the hosts share it; each
#                            domain has its own domid, as after a migration)
#   vx_vif ACTION N D [K=V..] vif-xenplumb ACTION on host N for vifD.0 as
#                            libxl runs it (backend keys K=V written first
#                            on online), with host N's map
#   vx_port N IF             "MASTER MTU" of IF on host N
#   vx_rename G OLD NEW      the parked vif of guest G gets its new name
#   frr_start N CONF         zebra + bgpd for host N with config CONF, all
#                            paths under $VX_TMP/frrN (nothing in /etc/frr
#                            or /run/frr); waits until both answer vtysh
#   frr_conf N FILE          etc/examples/frr-evpn.frr made host N's (its
#                            router-id and hostname, the others as neighbors)
#   frr_vtysh N ARGS..       vtysh against host N's daemons
#   frr_stop N               stop host N's daemons

VX_PFX=xv$$
FRR_DIR=/usr/lib/frr

vx_cleanup() {
	# Daemon pids are kept in a file: frr_start may run in a subshell
	# (t_ok runs its command in one), where a variable would be lost.
	_pids=$(cat "$VX_TMP/daemons" 2>/dev/null)
	for _p in $_pids; do kill "$_p" 2>/dev/null; done
	for _p in $_pids; do
		_n=0
		while kill -0 "$_p" 2>/dev/null && [ $_n -lt 30 ]; do
			sleep 0.1
			_n=$((_n + 1))
		done
		kill -9 "$_p" 2>/dev/null
	done
	for _ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $_ns in "$VX_PFX"-*) ip netns del "$_ns" ;; esac
	done
	[ -n "${VX_TMP:-}" ] && rm -rf "$VX_TMP"
	[ -n "${VX_CLEANUP:-}" ] && eval "$VX_CLEANUP"
	return 0
}

vx_h() {
	_n=$1
	shift
	ip netns exec "$VX_PFX-h$_n" "$@"
}
vx_g() {
	_n=$1
	shift
	ip netns exec "$VX_PFX-g$_n" "$@"
}

vx_init() {
	VX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/xpvx.XXXXXX") || t_bail "no scratch dir"
	trap 'vx_cleanup' EXIT
	trap 'vx_cleanup; exit 129' HUP
	trap 'vx_cleanup; exit 130' INT
	trap 'vx_cleanup; exit 143' TERM
	ip link show ul0 >/dev/null 2>&1 && t_bail "not in a private namespace (ul0 exists)"
	ip link set lo up
	ip link add ul0 type bridge stp_state 0 forward_delay 0 || t_bail "no underlay bridge"
	ip link set ul0 up
	ip netns add "$VX_PFX-park" || t_bail "cannot add namespaces"
	for _n in 1 2 3; do
		ip netns add "$VX_PFX-h$_n" || t_bail "cannot add host namespace $_n"
		vx_h "$_n" ip link set lo up
		ip link add "ul-h$_n" type veth peer name eth0 netns "$VX_PFX-h$_n" ||
			t_bail "no underlay veth for host $_n"
		ip link set "ul-h$_n" master ul0 up
		vx_h "$_n" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
		vx_h "$_n" ip addr add "192.0.2.$_n/24" dev eth0
		vx_h "$_n" ip addr add "2001:db8:17::$_n/64" dev eth0 nodad
		vx_h "$_n" ip link set eth0 up
	done
	vx_wait 5 vx_h 1 ping -c 1 -W 1 192.0.2.3 || t_bail "underlay does not carry 1 -> 3"
}

vx_wait() {
	_t=$(($1 * 10))
	shift
	while [ $_t -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_t=$((_t - 1))
	done
	"$@"
}

vx_ip_segment() {
	_n=$1 _dev=$2 _br=$3 _vni=$4 _loc=$5 _mtu=$6
	shift 6
	vx_h "$_n" ip link add "$_dev" type vxlan id "$_vni" local "$_loc" dstport 4789 "$@" &&
		vx_h "$_n" ip link set "$_dev" mtu "$_mtu" &&
		vx_h "$_n" ip link add "$_br" type bridge stp_state 0 forward_delay 0 &&
		vx_h "$_n" ip link set "$_dev" master "$_br" up &&
		vx_h "$_n" ip link set "$_br" up
}

vx_flood() {
	_n=$1 _dev=$2
	shift 2
	for _a in "$@"; do
		vx_h "$_n" bridge fdb append 00:00:00:00:00:00 dev "$_dev" dst "$_a" || return 1
	done
}

vx_attach() { vx_h "$2" ip link set "vif$1.0" master "$3" mtu "$4" up; }

vx_arrive() { vx_plug "$1" "$2" && vx_attach "$@"; }

vx_fragcreates() {
	if [ "$2" = Ip6 ]; then
		vx_h "$1" awk '$1 == "Ip6FragCreates" { print $2 }' /proc/net/snmp6
	else
		vx_h "$1" awk '$1 == "Ip:" && $2 !~ /^[0-9]/ { for (i = 2; i <= NF; i++) if ($i == "FragCreates") c = i }
			$1 == "Ip:" && $2 ~ /^[0-9]/ { print $c }' /proc/net/snmp
	fi
}

vx_pingtrace() {
	ip netns exec "$VX_PFX-g$1" ping -D -n -i 0.02 -W 1 "$2" >"$3" 2>&1 &
	VX_PING=$!
}

vx_pingstop() {
	sleep 0.3
	kill "$VX_PING" 2>/dev/null
	wait "$VX_PING" 2>/dev/null
	return 0
}

vx_outage() {
	awk '/bytes from/ { t = substr($1, 2, length($1) - 2) + 0
		if (n++ && t - last > gap) gap = t - last
		last = t; split($0, a, "icmp_seq="); split(a[2], b, " ")
		if (b[1] + 0 > max) max = b[1] + 0 }
		END { printf "%.3f %d\n", gap, max - n }' "$1"
}

vx_is() {
	_want=$1
	shift
	_got=$("$@")
	[ "$_got" = "$_want" ] || { echo "wanted '$_want', got '$_got'"; return 1; }
}

vx_guest() { # G H MAC [IFNAME]
	ip netns add "$VX_PFX-g$1" || return 1
	vx_g "$1" ip link set lo up
	for _k in all default; do
		vx_g "$1" sysctl -qw "net.ipv4.conf.$_k.arp_notify=1" \
			"net.ipv6.conf.$_k.ndisc_notify=1" "net.ipv6.conf.$_k.keep_addr_on_down=1" \
			"net.ipv6.conf.$_k.accept_dad=0" || return 1
	done
	ip -n "$VX_PFX-h$2" link add "${4:-vif$1.0}" type veth peer name eth0 \
		netns "$VX_PFX-g$1" || return 1
	vx_g "$1" ip link set eth0 address "$3" || return 1
	vx_g "$1" ip addr add "198.51.100.$1/24" dev eth0
	vx_g "$1" ip addr add "2001:db8:100::$1/64" dev eth0 nodad
	vx_g "$1" ip link set eth0 up
}

# vx_unplug G H [IFNAME], vx_plug G H [IFNAME]: the vif is vifG.0 unless named
vx_unplug() { ip -n "$VX_PFX-h$2" link set "${3:-vif$1.0}" netns "$VX_PFX-park"; }
vx_plug() { ip -n "$VX_PFX-park" link set "${3:-vif$1.0}" netns "$VX_PFX-h$2"; }

vx_announce() {
	vx_g "$1" ip link set eth0 down
	vx_g "$1" ip link set eth0 up
}

vx_fdb() { # N DEV MAC -> dst of that MAC ("" when absent)
	vx_h "$1" bridge fdb show dev "$2" | awk -v m="$3" '$1 == m {
		for (i = 2; i < NF; i++) if ($i == "dst") { print $(i + 1); exit } }'
}

vx_x() {
	_n=$1
	shift
	_c=$1
	shift
	XENPLUMB_STATE_DIR=$VX_TMP/state$_n vx_h "$_n" "$T_ROOT/$B/network-xenplumb" "$_c" \
		-c "$VX_TMP/map$_n.conf" "$@"
}

vx_xs() {
	. "$T_ROOT/tests/lib/xs.sh"
	XS_CLEANUP=vx_cleanup
	xs_start || return 1
	export XENPLUMB_HOTPLUG_LOG="$VX_TMP/xen-hotplug.log"
	xenstore-write /local/domain/0/name Domain-0
}

VX_BE=/local/domain/0/backend/vif
vx_vif() { # ACTION N D [KEY=VAL..]
	_a=$1 _n=$2 _d=$3
	shift 3
	if [ "$_a" = online ]; then
		xenstore-write "/local/domain/$_d/name" "guest$_d" \
			"$VX_BE/$_d/0/frontend" "/local/domain/$_d/device/vif/0" \
			"$VX_BE/$_d/0/frontend-id" "$_d" "$VX_BE/$_d/0/online" 1 \
			"$VX_BE/$_d/0/state" 1 "$VX_BE/$_d/0/script" /etc/xen/scripts/vif-xenplumb \
			"$VX_BE/$_d/0/handle" 0 "$VX_BE/$_d/0/type" vif || return 1
		for _kv in "$@"; do
			xenstore-write -- "$VX_BE/$_d/0/${_kv%%=*}" "${_kv#*=}" || return 1
		done
	fi
	# as on a host: the state dir network-xenplumb wrote its applied map
	# to, and no live map (only the applied one can name the network)
	vx_h "$_n" env XENPLUMB_STATE_DIR="$VX_TMP/state$_n" XENPLUMB_CONF="$VX_TMP/no-map.conf" \
		script=/etc/xen/scripts/vif-xenplumb \
		XENBUS_TYPE=vif XENBUS_PATH="backend/vif/$_d/0" XENBUS_BASE_PATH=backend netdev= \
		vif="vif$_d.0" "$T_ROOT/$B/vif-xenplumb" "$_a" type_if=vif </dev/null
}
vx_status() { xenstore-read "$VX_BE/$1/0/hotplug-status" 2>/dev/null || echo ""; }

vx_port() {
	vx_h "$1" sh -c 'echo "$(basename "$(readlink /sys/class/net/$1/master)") $(cat /sys/class/net/$1/mtu)"' - "$2"
}

vx_rename() { ip -n "$VX_PFX-park" link set "$2" name "$3"; }

frr_start() { # N CONF
	_d=$VX_TMP/frr$1
	mkdir -p "$_d" || return 1
	cp "$2" "$_d/frr.conf" || return 1
	: >"$_d/vtysh.conf"
	# The daemons drop to Debian's frr user (root is not in frrvty, so
	# FRR refuses to run as root): the scratch dir becomes frr's.
	chmod 755 "$VX_TMP" && chown -R frr:frr "$_d" || return 1
	for _dm in zebra bgpd; do
		# -P 0: no TCP vty; -z: a private zserv socket; --vty_socket: a
		# private vty dir; -i: a private pid file.
		# ip netns exec execs the daemon, so $! is the daemon itself.
		ip netns exec "$VX_PFX-h$1" "$FRR_DIR/$_dm" -u frr -g frr -P 0 \
			-f "$_d/frr.conf" -i "$_d/$_dm.pid" -z "$_d/zserv.api" \
			--vty_socket "$_d" --log "file:$_d/$_dm.log" \
			</dev/null >"$_d/$_dm.out" 2>&1 &
		echo $! >>"$VX_TMP/daemons"
		vx_wait 10 test -S "$_d/$_dm.vty" || {
			echo "# frr_start: $_dm of host $1 did not come up" >&2
			sed 's/^/#   /' "$_d/$_dm.out" "$_d/$_dm.log" >&2
			return 1
		}
		[ "$_dm" = zebra ] && { vx_wait 10 test -S "$_d/zserv.api" || return 1; }
	done
	vx_wait 10 frr_vtysh "$1" -c "show bgp summary"
}

frr_conf() {
	awk -v n="$1" '
		/^hostname / { print "hostname xenhost" n; next }
		/^ bgp router-id / { print " bgp router-id 192.0.2." n; next }
		/^ neighbor 192\.0\.2\.[0-9]+ peer-group vteps$/ {
			if (!done) for (m = 1; m <= 3; m++)
				if (m != n) print " neighbor 192.0.2." m " peer-group vteps"
			done = 1; next }
		{ print }' "$T_ROOT/etc/examples/frr-evpn.frr" >"$2"
}

frr_vtysh() {
	_n=$1
	shift
	vx_h "$_n" vtysh --vty_socket "$VX_TMP/frr$_n" --config_dir "$VX_TMP/frr$_n" "$@"
}

frr_stop() {
	for _dm in bgpd zebra; do
		_pf=$VX_TMP/frr$1/$_dm.pid
		[ -f "$_pf" ] && kill "$(cat "$_pf")" 2>/dev/null
	done
	return 0
}

# Self-test when run as a test of its own.
case $0 in
*t-vxlan-lib.sh)
	. "$(dirname "$0")/../lib/t.sh"
	vx_init
	t_ok "underlay: host 1 reaches host 3 over IPv6" vx_h 1 ping -c 1 -W 2 2001:db8:17::3
	t_ok "guest 5 plugged into host 1" vx_guest 5 1 02:00:00:00:17:05
	t_ok "its vif is on host 1" vx_h 1 ip link show vif5.0
	t_ok "unplug: off host 1" vx_unplug 5 1
	t_fails "host 1 has no vif5.0" vx_h 1 ip link show vif5.0
	t_ok "plug into host 2" vx_plug 5 2
	t_ok "host 2 has vif5.0" vx_h 2 ip link show vif5.0
	t_eq "guest keeps its MAC" 02:00:00:00:17:05 \
		"$(vx_g 5 cat /sys/class/net/eth0/address)"
	t_done
	;;
esac
