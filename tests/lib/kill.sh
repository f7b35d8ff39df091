# shellcheck shell=sh
# kill -9 convergence tests (tests/netns/t-hard-kill.sh, tests/vm/t-hard-kill.sh):
# network-xenplumb ($X) SIGKILLed at random points and, by strace, at every
# Nth syscall; after each kill a re-run must converge and stop must leave
# what a clean start+stop leaves.  Source after t.sh and net.sh.
#
#   kill_init MAP SHAPE  the map of the runs and the command (one word: a
#                   function of the test, e.g. calling net_shape) printing
#                   what stop must restore; zeroes
#                   the counters: bad (1 after the first failure, which
#                   stops the loops), killed, points, skilled
#   kill_ref        after a clean start+stop: record the reference
#                   ($tmp/ref, and the state's records in $tmp/refstate)
#   kill_rand N     a random number 0..N-1
#   kill_run US CMD...  run CMD (output in $tmp/out), SIGKILL it after US
#                   microseconds if it is still running (then killed+1)
#   kill_converges MAP WHAT [CMD]  re-run CMD (start; reload after a killed
#                   reload): exits 0, status exits 0, a third run plans
#                   nothing
#   kill_stopped_clean WHAT  stop: exits 0, leaves the reference (shape and
#                   state), no temporary state files piling up
#   kill_iterations ITER MAX MAP2 [RELOAD_DIV]  ITER random kills within
#                   0..MAX us, cycling through: start killed then re-run and
#                   stop; start killed then stop; reload to MAP2 killed
#                   (after a delay / RELOAD_DIV) then re-run, reload back
#                   and stop; stop killed then stop.  Sets iter (how many ran)
#   kill_count SYSCALL CMD...  how many SYSCALLs a clean CMD makes
#   kill_sweep start|stop SYSCALL COUNT FIRST STEP [rerun]  for K = FIRST,
#                   FIRST+STEP, ... <= COUNT: the command SIGKILLed (by strace)
#                   on entering its Kth SYSCALL (stop: after a start), then
#                   stopped clean; with "rerun", a start killed at an even K
#                   is first re-run to convergence.  Counts points (kills
#                   attempted) and skilled (really killed)
# Each failure is one "not ok" line with the details and sets bad=1; the
# test asserts bad = 0 (and the counters) with its own words.

kill_init() {
	KILL_MAP=$1
	KILL_SHAPE=$2
	bad=0
	killed=0
	points=0
	skilled=0
}

kill_shape() { "$KILL_SHAPE"; }

kill_ref() {
	kill_shape >"$tmp/ref"
	grep -v '^#' "$XENPLUMB_STATE_DIR/state" 2>/dev/null | sort >"$tmp/refstate"
}

kill_rand() { od -An -N4 -tu4 /dev/urandom | awk -v m="$1" '{print $1 % m}'; }

kill_run() {
	_k_us=$1
	shift
	"$@" >"$tmp/out" 2>&1 &
	_k_p=$!
	sleep "$(printf '%d.%06d' $((_k_us / 1000000)) $((_k_us % 1000000)))"
	if kill -9 "$_k_p" 2>/dev/null; then killed=$((killed + 1)); fi
	wait "$_k_p" 2>/dev/null
}

kill_converges() {
	if ! _k_o=$("$X" "${3:-start}" -c "$1" 2>&1); then
		t_failmsg "$2: re-run ${3:-start} failed"; printf '%s\n' "$_k_o" | sed 's/^/#   /'; bad=1
		return 1
	fi
	if ! _k_o=$("$X" status -c "$1" 2>&1); then
		t_failmsg "$2: status after re-run exits non-zero"
		printf '%s\n' "$_k_o" | sed 's/^/#   /'; bad=1; return 1
	fi
	# (a note, e.g. why a port stays on a bridge with guests, is not a change)
	_k_o=$("$X" "${3:-start}" -c "$1" 2>&1 | grep -v '^note: ')
	if [ "$_k_o" != "nothing to do" ]; then
		t_failmsg "$2: a third run still plans something"
		printf '%s\n' "$_k_o" | sed 's/^/#   /'; bad=1; return 1
	fi
}

kill_stopped_clean() {
	_k_sd=$XENPLUMB_STATE_DIR
	if ! _k_o=$("$X" stop -c "$KILL_MAP" 2>&1); then
		t_failmsg "$1: stop failed"; printf '%s\n' "$_k_o" | sed 's/^/#   /'; bad=1; return 1
	fi
	kill_shape >"$tmp/now"
	if ! diff "$tmp/ref" "$tmp/now" >"$tmp/diff"; then
		t_failmsg "$1: stop did not leave exactly what a clean start+stop leaves"
		sed 's/^/#   /' "$tmp/diff"; sed 's/^/#   state: /' "$_k_sd/state" 2>/dev/null
		printf '%s\n' "$_k_o" | sed 's/^/#   stop: /'; sed 's/^/#   killed run: /' "$tmp/out"
		bad=1; return 1
	fi
	grep -v '^#' "$_k_sd/state" 2>/dev/null | sort >"$tmp/nowstate"
	if ! diff "$tmp/refstate" "$tmp/nowstate" >"$tmp/diff"; then
		t_failmsg "$1: the state after stop is not what a clean start+stop leaves"
		sed 's/^/#   /' "$tmp/diff"; bad=1; return 1
	fi
	# a kill while the state is replaced may leave its one temporary file
	# (overwritten next time), never one per killed run
	# shellcheck disable=SC2010 # names we made, no odd characters
	if [ "$(ls "$_k_sd" | grep -c tmp)" -gt 1 ] || ls "$_k_sd" | grep -q 'tmp.'; then
		t_failmsg "$1: temporary state files pile up"; ls "$_k_sd" | sed 's/^/#   /'
		bad=1; return 1
	fi
}

kill_iterations() {
	_k_iter=$1 _k_max=$2 _k_map2=$3 _k_div=${4:-1}
	iter=1
	while [ "$iter" -le "$_k_iter" ] && [ "$bad" -eq 0 ]; do
		_k_d=$(kill_rand "$_k_max")
		case $((iter % 4)) in
		0) # kill start, re-run, stop
			kill_run "$_k_d" "$X" start -c "$KILL_MAP"
			kill_converges "$KILL_MAP" "iteration $iter (start killed after $_k_d us)" &&
				kill_stopped_clean "iteration $iter (start killed after $_k_d us, then re-run)" ;;
		1) # kill start, stop straight away
			kill_run "$_k_d" "$X" start -c "$KILL_MAP"
			kill_stopped_clean "iteration $iter (start killed after $_k_d us, then stop)" ;;
		2) # kill reload to MAP2 from a started map, re-run reload, reload back
			_k_d=$((_k_d / _k_div))
			"$X" start -c "$KILL_MAP" >/dev/null 2>&1
			kill_run "$_k_d" "$X" reload -c "$_k_map2"
			kill_converges "$_k_map2" "iteration $iter (reload killed after $_k_d us)" reload &&
				_k_o=$("$X" reload -c "$KILL_MAP" 2>&1) &&
				kill_stopped_clean "iteration $iter (reload killed after $_k_d us, reloaded back)" ;;
		3) # kill stop, re-run stop
			"$X" start -c "$KILL_MAP" >/dev/null 2>&1
			kill_run "$_k_d" "$X" stop -c "$KILL_MAP"
			kill_stopped_clean "iteration $iter (stop killed after $_k_d us)" ;;
		esac
		iter=$((iter + 1))
	done
	iter=$((iter - 1))
}

kill_count() {
	_k_sc=$1
	shift
	strace -f -c -o "$tmp/sc" -e trace="$_k_sc" "$@" >/dev/null 2>&1
	awk -v s="$_k_sc" '$NF == s {print $4}' "$tmp/sc"
}

kill_sweep() {
	_k_cmd=$1 _k_sc=$2 _k_n=${3:-0} _k_k=$4 _k_step=$5 _k_rerun=${6:-}
	while [ "$_k_k" -le "$_k_n" ] && [ "$bad" -eq 0 ]; do
		[ "$_k_cmd" = stop ] && "$X" start -c "$KILL_MAP" >/dev/null 2>&1
		strace -o /dev/null -e trace="$_k_sc" -e inject="$_k_sc":signal=SIGKILL:when="$_k_k" \
			"$X" "$_k_cmd" -c "$KILL_MAP" >"$tmp/out" 2>&1
		_k_rc=$?
		if [ "$_k_rc" = 137 ]; then
			skilled=$((skilled + 1))
		else
			echo "# $_k_cmd was not killed at $_k_sc $_k_k of $_k_n (exit $_k_rc)"
			sed 's/^/#   /' "$tmp/out"
		fi
		if [ "$_k_cmd" = stop ]; then
			kill_stopped_clean "stop killed at $_k_sc $_k_k"
		elif [ "$_k_rerun" = rerun ] && [ $((_k_k % 2)) = 0 ]; then
			kill_converges "$KILL_MAP" "start killed at $_k_sc $_k_k" &&
				kill_stopped_clean "start killed at $_k_sc $_k_k, re-run"
		else
			kill_stopped_clean "start killed at $_k_sc $_k_k, then stop"
		fi
		points=$((points + 1))
		_k_k=$((_k_k + _k_step))
	done
}
