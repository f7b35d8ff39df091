# shellcheck shell=sh
# Shared set-up for the network-xenplumb netns tests (source after t.sh).

# net_setup: $X (network-xenplumb) and $W (witness) built, a private
# namespace, a scratch $tmp removed at exit (with the witness $wpid, if
# one runs), and a private state dir.
net_setup() {
	cd "$T_ROOT" || exit 1
	X=$B/network-xenplumb
	W=$B/tests/tools/witness
	{ [ -x "$X" ] && [ -x "$W" ]; } || t_bail "build $X and $W first (make)"
	ip link show xenbr0 >/dev/null 2>&1 && t_bail "not in a private namespace (xenbr0 exists)"
	tmp=$(mktemp -d)
	wpid=
	trap '[ -n "$wpid" ] && kill "$wpid" 2>/dev/null; rm -rf "$tmp"' EXIT
	export XENPLUMB_STATE_DIR="$tmp/state"
}

# net_snap: links, addresses (order aside) and routes of every table, with
# ifindexes, timers and the qdisc left out (a veth that was up once keeps
# noqueue instead of noop).
net_snap() {
	ip -d link show | sed -E -e 's/^[0-9]+: //' -e 's/ifindex [0-9]+//' \
		-e 's/[a-z_]+_timer +[0-9.]+//g' -e 's/qdisc [a-z_]+ //'
	ip -o addr show | sed -E 's/^[0-9]+: //' | sort
	{ ip route show table all; ip -6 route show table all; } | sort
}
