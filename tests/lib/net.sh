# shellcheck shell=sh
# Shared set-up and snapshots for the network-xenplumb tests of the netns
# and VM tiers (source after t.sh; POSIX sh, on the host and in the VM).
#
#   net_setup [nlprobe]       $X, $W (and $P) built, a private namespace, $tmp
#   net_netns NAME            another namespace, deleted at exit
#   net_snap [OPTION...]      links, addresses, routes: compare before/after
#   net_shape [OPTION...]     links' kind and master, addresses, routes: what
#                             a stop after a kill must restore
#   net_l3 DEV                one device's addresses and routes
#   net_settle [--ll] IF...   wait for carrier (and a link-local address)
#   net_dad_wait              wait until no IPv6 address is tentative
#   net_ping_lost FILE        requests a stopped ping saw no reply to
#   net_ping_slow FILE MS     requests whose reply took longer than MS ms
#   net_fail_each N MAP BEFORE SNAP...  start failing at each step: rolled back?

# net_setup [nlprobe]: cd to the repository; $X (network-xenplumb), $W
# (witness) and, with "nlprobe", $P built; a private namespace; a scratch
# $tmp and a private state dir.  At exit the witness $wpid and the pinger
# $ppid (if running) are killed, the namespaces of net_netns deleted and
# $tmp removed.
net_setup() {
	cd "$T_ROOT" || exit 1
	X=$B/network-xenplumb
	W=$B/tests/tools/witness
	P=$B/tests/tools/nlprobe
	if [ "${1:-}" = nlprobe ]; then
		{ [ -x "$X" ] && [ -x "$W" ] && [ -x "$P" ]; } || t_bail "build $X, $W and $P first (make)"
	else
		{ [ -x "$X" ] && [ -x "$W" ]; } || t_bail "build $X and $W first (make)"
	fi
	ip link show xenbr0 >/dev/null 2>&1 && t_bail "not in a private namespace (xenbr0 exists)"
	tmp=$(mktemp -d)
	wpid=
	ppid=
	NET_NETNS=
	trap net_cleanup EXIT
	export XENPLUMB_STATE_DIR="$tmp/state"
}
net_cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null
	[ -n "$ppid" ] && kill "$ppid" 2>/dev/null
	for _ns in $NET_NETNS; do ip netns del "$_ns" 2>/dev/null; done
	rm -rf "$tmp"
}

# net_netns NAME: add the namespace NAME (bails if it cannot), deleted at exit
net_netns() {
	ip netns add "$1" || t_bail "cannot add namespace $1"
	NET_NETNS="$NET_NETNS $1"
}

# net_settle [--ll] IF...: wait (up to 5 s each) until every IF has carrier
# and, with --ll, an IPv6 link-local address.  Carrier (and with it the
# link-local address) comes back through the kernel's linkwatch,
# asynchronously, after a NIC was down or enslaved.  (Not --ll for a bond's
# slaves: they have no address of their own.)  Needs nlprobe ($P).
net_settle() {
	_st_ll=0
	[ "${1:-}" = --ll ] && { _st_ll=1; shift; }
	for _st_n in "$@"; do
		_st_i=0
		until [ "$("${P:-$B/tests/tools/nlprobe}" link "$_st_n" carrier)" = 1 ] &&
			{ [ "$_st_ll" = 0 ] || ip -6 addr show dev "$_st_n" | grep -q 'inet6 fe80'; }; do
			_st_i=$((_st_i + 1))
			[ $_st_i -lt 100 ] || break
			sleep 0.05
		done
	done
}

# net_dad_wait: wait (up to 5 s) until no IPv6 address in the namespace is
# tentative.  Duplicate address detection ends 1 to 2 s after a link came
# up or an address was added; then the address loses its "tentative" flag
# and gains its local route, asynchronously: a snapshot taken before and
# one taken after would differ in what no tool did.  (An address whose DAD
# failed stays tentative for good: it is not waited for.)
net_dad_wait() {
	_dw_i=0
	while [ $_dw_i -lt 100 ] && ip -6 addr show tentative -dadfailed 2>/dev/null | grep -q inet6; do
		_dw_i=$((_dw_i + 1))
		sleep 0.05
	done
}

# net_ping_lost FILE: the sequence numbers with no reply up to the last one
# answered, in the output of a ping (not -q) that was stopped by a signal:
# iputils' (icmp_seq=, from 1) or busybox's (seq=, from 0, in the VM).  The
# request in flight when the signal came has no reply yet and is not a
# loss; ping's own "% packet loss" counts it as one.
net_ping_lost() {
	sed -n -e 's/^[0-9]* bytes from .* icmp_seq=\([0-9]*\) .*/i \1/p' \
		-e 's/^[0-9]* bytes from .* seq=\([0-9]*\) .*/b \1/p' "$1" | sort -k2,2n -u |
		awk 'NR == 1 { p = $1 == "i" ? 0 : -1 } { for (i = p + 1; i < $2; i++) print i; p = $2 }'
}

# net_ping_slow FILE MS: the sequence numbers whose reply took longer than
# MS milliseconds (iputils' or busybox's output): requests that waited in a
# neighbour's queue for a retransmitted ARP or NDP solicitation.
net_ping_slow() {
	sed -n 's/^[0-9]* bytes from .* \(icmp_\)\{0,1\}seq=\([0-9]*\) .* time=\([0-9.]*\) ms.*/\2 \3/p' "$1" |
		awk -v ms="$2" '$2 + 0 > ms + 0 { print $1 }'
}

# net_l3 DEV: DEV's addresses ("FAMILY ADDR", link-local aside) and its
# routes in every table (local, multicast, link-local and the kernel's own
# left out), each sorted: what moving addresses to a bridge and back moves
net_l3() {
	ip -o addr show dev "$1" | awk '{print $3, $4}' | grep -v 'inet6 fe80' | sort
	{ ip route show table all dev "$1"; ip -6 route show table all dev "$1"; } |
		grep -v '^local \|^multicast \|^fe80::/64\|proto kernel' | sort
}

# net_snap [OPTION...]: every link (ip -d), every address (order aside) and
# the routes of every table; left out are ifindexes, the bridge timers and
# each link's qdisc (a veth that was up once keeps noqueue instead of noop).
#   --qdisc         keep the qdisc (a test that never sets a link up or down)
#   --order         addresses (ip addr show, with each link's header line)
#                   and routes as the kernel lists them, not sorted
#   --ifindex       keep the ifindexes
#   --no-operstate  leave out operstate (carrier is asynchronous on the VM
#                   kernel's bonds and VLANs)
#   --settle "IF..." first net_settle --ll those links
#   --rules         add the policy rules (ip rule show)
#   --vlans         add the bridge VLANs (bridge vlan show)
net_snap() {
	_sn_q=0 _sn_o=0 _sn_i=0 _sn_st=0 _sn_se="" _sn_r=0 _sn_v=0
	while [ $# -gt 0 ]; do
		case $1 in
		--qdisc) _sn_q=1 ;;
		--order) _sn_o=1 ;;
		--ifindex) _sn_i=1 ;;
		--no-operstate) _sn_st=1 ;;
		--settle) _sn_se=$2; shift ;;
		--rules) _sn_r=1 ;;
		--vlans) _sn_v=1 ;;
		*) echo "net_snap: unknown option $1" >&2; return 2 ;;
		esac
		shift
	done
	# shellcheck disable=SC2086 # a list of links
	[ -n "$_sn_se" ] && net_settle --ll $_sn_se
	net_dad_wait
	set -- -e 's/[a-z_]+_timer +[0-9.]+//g'
	[ $_sn_i = 1 ] || set -- "$@" -e 's/^[0-9]+: //' -e 's/ifindex [0-9]+//'
	[ $_sn_q = 1 ] || set -- "$@" -e 's/qdisc [a-z_]+ //'
	[ $_sn_st = 1 ] && set -- "$@" -e 's/ (operstate|state) [A-Z]+//'
	ip -d link show | sed -E "$@"
	if [ $_sn_o = 1 ]; then
		{ ip addr show; ip route show table all; ip -6 route show table all; } | sed -E "$@"
	else
		if [ $_sn_i = 1 ]; then ip -o addr show | sort; else
			ip -o addr show | sed -E 's/^[0-9]+: //' | sort; fi
		{ ip route show table all; ip -6 route show table all; } | sort
	fi
	[ $_sn_r = 1 ] && ip rule show
	[ $_sn_v = 1 ] && bridge vlan show
	return 0
}

# net_shape [--up] [--no-ll] [--settle "IF..."] KINDS: per link (sorted)
#   link NAME [up|down] master=MASTER|- kind= KIND
# (KIND: the first of the grep -E alternatives KINDS, e.g. 'bridge|veth',
# its spaces kept); then the addresses ("addr IF FAMILY ADDR", sorted) and
# the routes of every table (sorted; local, multicast and fe80:: ones left
# out).  Coarser than net_snap on purpose: after a killed run and a stop,
# links may differ in what neither the map nor the admin set.
#   --up       add whether the link is administratively up
#   --no-ll    leave out link-local addresses
#   --settle "IF..."  first net_settle those links: carrier, and a
#              link-local address unless --no-ll (a bond's slaves have none)
net_shape() {
	_sh_up=0 _sh_ll=1 _sh_se=""
	while [ $# -gt 1 ]; do
		case $1 in
		--up) _sh_up=1 ;;
		--no-ll) _sh_ll=0 ;;
		--settle) _sh_se=$2; shift ;;
		*) echo "net_shape: unknown option $1" >&2; return 2 ;;
		esac
		shift
	done
	# shellcheck disable=SC2086 # a list of links
	if [ -n "$_sh_se" ]; then
		if [ $_sh_ll = 1 ]; then net_settle --ll $_sh_se; else net_settle $_sh_se; fi
	fi
	# one awk for all links: a process per link costs ~0.1 s under TCG
	ip -o -d link show | awk -v kinds=" ($1) " -v up="$_sh_up" '
	match($0, /^[0-9]+: [^:@]+/) {
		name = substr($0, RSTART, RLENGTH); sub(/^[0-9]+: /, "", name)
		u = ""
		if (up == 1) {
			u = " down"
			if (match($0, /<[^>]*>/) && ("," substr($0, RSTART + 1, RLENGTH - 2) ",") ~ /,UP,/) u = " up"
		}
		m = "-"
		for (i = 1; i < NF; i++) if ($i == "master") m = $(i + 1)
		k = ""
		if (match($0, kinds)) k = substr($0, RSTART, RLENGTH)
		print "link " name u " master=" m " kind=" k
	}' | sort
	if [ $_sh_ll = 1 ]; then ip -o addr show; else ip -o addr show | grep -v ' fe80'; fi |
		awk '{print "addr", $2, $3, $4}' | sort
	{ ip route show table all; ip -6 route show table all; } |
		grep -v '^local\|^multicast\|fe80::' | sort
}

# net_fail_each N MAP BEFORE SNAP...: run "$X start -c MAP" with an
# injected failure at each step 1..N (XENPLUMB_FAIL_AT); each must exit 1,
# report the injected failure, say it undid everything, leave the output of
# the command SNAP... as it is in the file BEFORE, and record no device,
# port, address or route in the state.  Each step that does not is one
# "not ok" (with what differs); net_bad is set to their number (0: every
# step rolled back).  The caller asserts net_bad = 0 with its own words.
net_fail_each() {
	_fe_n=$1 _fe_map=$2 _fe_before=$3
	shift 3
	net_bad=0
	_fe_i=1
	while [ "$_fe_i" -le "$_fe_n" ]; do
		_fe_out=$(XENPLUMB_FAIL_AT=$_fe_i $X start -c "$_fe_map" 2>&1)
		_fe_rc=$?
		"$@" >"$tmp/fe-after"
		_fe_why=
		if [ "$_fe_rc" -ne 1 ]; then
			_fe_why="exit $_fe_rc, want 1"
		elif ! printf '%s\n' "$_fe_out" | grep -q "injected failure (XENPLUMB_FAIL_AT=$_fe_i)"; then
			_fe_why="failure not reported"
		elif ! printf '%s\n' "$_fe_out" | grep -q "everything this run did was undone"; then
			_fe_why="not rolled back"
		elif ! diff "$_fe_before" "$tmp/fe-after" >/dev/null; then
			_fe_why="namespace differs after rollback"
		elif grep -q '^dev \|^port \|^addr \|^route ' "$XENPLUMB_STATE_DIR/state" 2>/dev/null; then
			_fe_why="state still records something"
		fi
		if [ -n "$_fe_why" ]; then
			t_failmsg "failure injected at step $_fe_i of $_fe_n: $_fe_why"
			diff "$_fe_before" "$tmp/fe-after" | sed 's/^/#   /'
			printf '%s\n' "$_fe_out" | sed 's/^/#   out: /'
			grep -v '^#' "$XENPLUMB_STATE_DIR/state" 2>/dev/null | sed 's/^/#   state: /'
			net_bad=$((net_bad + 1))
		fi
		_fe_i=$((_fe_i + 1))
	done
	rm -f "$tmp/fe-after"
}
