# shellcheck shell=sh
# Minimal TAP helpers for xenplumb's shell tests.  Every check prints one
# "ok N - what" or "not ok N - what" line; t_done prints the plan and exits
# non-zero when anything failed.  There is no skip: a test that cannot run
# its checks fails (t_bail), so no tier passes by doing nothing.

T_N=0
T_FAILED=0
: "${B:=build}"
T_ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." 2>/dev/null && pwd)
[ -d "$T_ROOT/tests/lib" ] || T_ROOT=${XP_ROOT:-/xp}

t_pass() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
t_failmsg() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }

# t_ok DESC CMD... : passes when CMD exits 0 (its output is shown on failure)
t_ok() {
	_d=$1; shift
	if _o=$("$@" 2>&1); then t_pass "$_d"; else
		t_failmsg "$_d"; printf '%s\n' "$_o" | sed 's/^/#   /'; fi
}

# t_fails DESC CMD... : passes when CMD exits non-zero
t_fails() {
	_d=$1; shift
	if _o=$("$@" 2>&1); then
		t_failmsg "$_d (command succeeded)"; printf '%s\n' "$_o" | sed 's/^/#   /'
	else t_pass "$_d"; fi
}

# t_eq DESC EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then t_pass "$1"; else
		t_failmsg "$1"; echo "#   expected: '$2'"; echo "#   actual:   '$3'"; fi
}

# t_match DESC PATTERN(grep -E) TEXT
t_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then t_pass "$1"; else
		t_failmsg "$1"; echo "#   no match for /$2/ in:"; printf '%s\n' "$3" | sed 's/^/#     /'; fi
}

# t_nomatch DESC PATTERN TEXT
t_nomatch() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		t_failmsg "$1"; echo "#   unexpected /$2/ in:"; printf '%s\n' "$3" | sed 's/^/#     /'
	else t_pass "$1"; fi
}

t_bail() { t_failmsg "BAIL: $*"; t_done; }

t_done() {
	echo "1..$T_N"
	[ "$T_N" -gt 0 ] || { echo "not ok - no checks ran"; exit 1; }
	[ "$T_FAILED" -eq 0 ]
	exit $?
}
