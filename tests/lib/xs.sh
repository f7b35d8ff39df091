# shellcheck shell=sh
# Private xenstored for tests: Debian's real C xenstored 4.17 run without a
# hypervisor through the LD_PRELOAD stub tests/xs/xsstub.so.  POSIX sh; on
# the host and inside the busybox VM alike (busybox tools and the xenstore
# binaries are all it needs).
#
#   xs_start [XENSTORED-ARGS...]  start one in a fresh rundir and point
#                                 XENSTORED_RUNDIR/XENSTORED_PATH (honoured
#                                 by libxenstore, so by xenstore-* and our
#                                 helpers) at it; fails within
#                                 $XS_START_TIMEOUT s (5) if it never answers
#   xs_stop                       stop every daemon this shell started and
#                                 remove their rundirs (idempotent)
#   xs_write PATH VALUE | xs_read PATH | xs_rm PATH | xs_exists PATH
#   xs_list PATH | xs_chmod PATH PERM...
#
# xs_start installs EXIT (and HUP/INT/TERM) traps calling xs_stop, so a
# test that fails or dies never leaves a daemon or socket behind.  They
# replace the caller's traps: put your own clean-up in XS_CLEANUP (a
# command string the main shell runs once, after xs_stop, when it exits) or
# call xs_stop from your own trap set after xs_start.
#
# Start-up: the daemon answers ~4 ms after exec; xs_start returns in
# ~20 ms and xs_stop in ~15 ms on the (2-core, no KVM) build host.
#
# Environment: XENSTORED (daemon, default /usr/lib/xen-4.17/bin/xenstored),
# XS_STUB (default $B/tests/xs/xsstub.so), XS_TRACE=1 (xenstored -T trace
# in the rundir), XS_KEEP=1 (keep rundirs, with the daemon's log, for
# debugging).  After xs_start: XS_PID, XS_RUNDIR (its log is $XS_RUNDIR/log).

XS_DAEMONS=""

# Poll every 10 ms where sleep takes fractions, else every second.
if sleep 0.01 2>/dev/null; then _xs_tick=0.01 _xs_hz=100; else _xs_tick=1 _xs_hz=1; fi

# _xs_alive PID: the process exists and is not a zombie
_xs_alive() {
	if [ -d /proc/self ]; then
		[ -r "/proc/$1/stat" ] || return 1
		read -r _xs_st <"/proc/$1/stat" 2>/dev/null || return 1
		_xs_st=${_xs_st##*) }
		[ "${_xs_st%% *}" != Z ]
	else
		kill -0 "$1" 2>/dev/null
	fi
}

# _xs_kill PID RUNDIR: stop one daemon and remove its rundir.  Written to
# run to the end under set -e too (it runs from the EXIT trap).
_xs_kill() {
	kill -TERM "$1" 2>/dev/null || :
	_xs_n=0
	while _xs_alive "$1" && [ "$_xs_n" -lt $((2 * _xs_hz)) ]; do
		sleep $_xs_tick
		_xs_n=$((_xs_n + 1))
	done
	if _xs_alive "$1"; then kill -KILL "$1" 2>/dev/null || :; fi
	wait "$1" 2>/dev/null || :
	case $2 in
	*/xs.*) [ -n "${XS_KEEP:-}" ] || rm -rf "$2" ;;
	esac
	return 0
}

# _xs_self: _xs_me = this (sub)shell's own pid ($$ is the parent's in a
# subshell, and a subshell must neither stop nor wait for its parent's
# daemons).  The read is a builtin, so /proc/self is this shell.
_xs_self() {
	read -r _xs_me _xs_rest </proc/self/stat 2>/dev/null || _xs_me=$$
}

xs_stop() {
	_xs_self
	for _xs_e in $XS_DAEMONS; do # OWNER:PID:RUNDIR
		_xs_r=${_xs_e#*:}
		if [ "${_xs_e%%:*}" = "$_xs_me" ]; then
			_xs_kill "${_xs_r%%:*}" "${_xs_r#*:}"
		fi
	done
	XS_DAEMONS=""
	unset XENSTORED_RUNDIR XENSTORED_PATH XS_PID XS_RUNDIR
	return 0
}

_xs_at_exit() {
	xs_stop
	# a subshell exiting must not run the main shell's clean-up
	if [ -n "${XS_CLEANUP:-}" ] && [ "$_xs_me" = "$$" ]; then
		_xs_c=$XS_CLEANUP
		XS_CLEANUP=""
		eval "$_xs_c" || :
	fi
}

xs_start() {
	: "${XENSTORED:=/usr/lib/xen-4.17/bin/xenstored}"
	: "${XS_STUB:=${B:-build}/tests/xs/xsstub.so}"
	case $XS_STUB in
	/*) _xs_stub=$XS_STUB ;;
	*) _xs_stub=$(pwd)/$XS_STUB ;;
	esac
	if [ ! -x "$XENSTORED" ]; then
		echo "xs_start: no xenstored at $XENSTORED" >&2; return 1
	fi
	if [ ! -f "$_xs_stub" ]; then
		echo "xs_start: no stub at $_xs_stub (run make)" >&2; return 1
	fi
	_xs_dir=$(mktemp -d "${TMPDIR:-/tmp}/xs.XXXXXX") || return 1

	trap '_xs_at_exit' EXIT
	trap '_xs_at_exit; exit 129' HUP
	trap '_xs_at_exit; exit 130' INT
	trap '_xs_at_exit; exit 143' TERM
	_xs_self
	if [ -n "${XS_TRACE:-}" ]; then set -- -T "$_xs_dir/trace" "$@"; fi
	# -N: stay in the foreground as our child (no fork, no daemonizing);
	# the store itself is in memory (4.17's default).
	XENSTORED_RUNDIR=$_xs_dir XENSTORED_PATH=$_xs_dir/socket \
		LD_PRELOAD=$_xs_stub "$XENSTORED" -N -F "$_xs_dir/xenstored.pid" \
		"$@" </dev/null >"$_xs_dir/log" 2>&1 &
	XS_PID=$!
	# shellcheck disable=SC2034 # for callers
	XS_RUNDIR=$_xs_dir
	XS_DAEMONS="$XS_DAEMONS $_xs_me:$XS_PID:$_xs_dir"
	XENSTORED_RUNDIR=$_xs_dir
	XENSTORED_PATH=$_xs_dir/socket
	export XENSTORED_RUNDIR XENSTORED_PATH

	# Ready when it answers a request (the socket exists before the daemon
	# starts accepting).
	_xs_n=0
	_xs_max=$((${XS_START_TIMEOUT:-5} * _xs_hz))
	until xenstore-exists / >/dev/null 2>&1; do
		_xs_n=$((_xs_n + 1))
		if ! _xs_alive "$XS_PID" || [ "$_xs_n" -ge "$_xs_max" ]; then
			echo "xs_start: xenstored did not answer on $XENSTORED_PATH" >&2
			sed 's/^/xs_start:   /' "$_xs_dir/log" >&2
			XS_DAEMONS=${XS_DAEMONS% "$_xs_me:$XS_PID:$_xs_dir"}
			_xs_kill "$XS_PID" "$_xs_dir"
			unset XENSTORED_RUNDIR XENSTORED_PATH XS_PID XS_RUNDIR
			return 1
		fi
		sleep $_xs_tick
	done
	return 0
}

xs_write() { xenstore-write "$1" "$2"; }
xs_read() { xenstore-read "$1"; }
xs_rm() { xenstore-rm "$1"; }
xs_exists() { xenstore-exists "$1"; }
xs_list() { xenstore-list "$1"; }
xs_chmod() { _xs_p=$1; shift; xenstore-chmod "$_xs_p" "$@"; }
