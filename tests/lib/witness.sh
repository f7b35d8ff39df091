# shellcheck shell=sh
# The witness pattern (tests/tools/witness) for the netns and VM tiers
# (source after t.sh; POSIX sh):
#   w_start IF... ; act ; w_stop ; check $wrc and $wev
#
#   w_setup           for a test of the tools themselves: cd to the
#                     repository, $W (witness) and $P (nlprobe) built, a
#                     scratch $tmp; at exit the witness is killed, $tmp
#                     removed (net_setup does the same for xenplumb's tests)
#   w_start [WITNESS-OPTION...] IF...  start $W on IFs in the background
#                     ($wpid), events to $W_DIR/ev, its stderr to
#                     $W_DIR/err; returns once it is subscribed ($W_DIR/ready
#                     exists), 1 if it died or was not ready in time
#   w_stop            SIGTERM it and wait: $wrc its exit status, $wev the
#                     event lines
#   until_ok CMD...   poll CMD until it succeeds, 1 if it never does
#   w_saw ERE         poll (as until_ok) until the running witness has
#                     written an event line matching ERE: a link's carrier
#                     (IFF_LOWER_UP) changes at once, but its notification
#                     comes from the kernel's linkwatch, later, so polling
#                     the state alone does not mean the witness has the event
#   carrier_is IF 0|1 does IF (not) have carrier (nlprobe, $P)
#
# Knobs (set before the calls; the defaults suit the host kernel, a test in
# the VM under TCG raises them):
#   W_DIR        where ready, ev and err go (default $tmp)
#   W_TIMEOUT    the witness's own --timeout, s (default 120; empty: none,
#                for a witness that watches a whole long test)
#   W_TRIES      w_start's wait for ready, in 0.05 s steps (default 200)
#   UNTIL_TRIES  until_ok's, in 0.05 s steps (default 100)
# $W may carry a command prefix (valgrind ...): it is word-split.

w_setup() {
	cd "$T_ROOT" || exit 1
	W=$B/tests/tools/witness
	P=$B/tests/tools/nlprobe
	{ [ -x "$W" ] && [ -x "$P" ]; } || t_bail "build $W and $P first (make)"
	tmp=$(mktemp -d)
	wpid=
	trap '[ -n "$wpid" ] && kill "$wpid" 2>/dev/null; rm -rf "$tmp"' EXIT
}

w_start() {
	_w_d=${W_DIR:-$tmp}
	rm -f "$_w_d/ready" "$_w_d/ev"
	if [ -n "${W_TIMEOUT-120}" ]; then set -- --timeout "${W_TIMEOUT-120}" "$@"; fi
	# shellcheck disable=SC2086 # $W may carry a valgrind prefix
	$W --ready "$_w_d/ready" -o "$_w_d/ev" "$@" 2>"$_w_d/err" &
	wpid=$!
	_w_i=0
	while [ ! -e "$_w_d/ready" ]; do
		kill -0 "$wpid" 2>/dev/null || { wait "$wpid"; wpid=; return 1; }
		_w_i=$((_w_i + 1))
		[ "$_w_i" -lt "${W_TRIES:-200}" ] || return 1
		sleep 0.05
	done
}

w_stop() {
	kill -TERM "$wpid"
	wait "$wpid"
	wrc=$?
	wpid=
	wev=$(cat "${W_DIR:-$tmp}/ev")
}

until_ok() {
	_u_i=0
	until "$@" >/dev/null 2>&1; do
		_u_i=$((_u_i + 1))
		[ "$_u_i" -lt "${UNTIL_TRIES:-100}" ] || return 1
		sleep 0.05
	done
}

w_saw() { until_ok grep -Eq -- "$1" "${W_DIR:-$tmp}/ev"; }

carrier_is() { [ "$("${P:-$B/tests/tools/nlprobe}" link "$1" carrier)" = "$2" ]; }
