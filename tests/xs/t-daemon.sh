#!/bin/sh
# tests/lib/xs.sh and tests/xs/with-xenstored: a private xenstored starts,
# answers, stays private, and is always stopped without leaving a process,
# socket or rundir behind — also when the test using it fails or is killed.
. "$(dirname "$0")/../lib/t.sh"
. "$(dirname "$0")/../lib/xs.sh"

tmp=$(mktemp -d) || t_bail "mktemp"
# shellcheck disable=SC2034 # run by xs.sh's exit trap
XS_CLEANUP='rm -rf "$tmp"'

# gone PID: no such process (reaped, or never ours), or at most a zombie
# that is not a running daemon
gone() { ! _xs_alive "$1"; }
# no_trace PID DIR: the daemon is gone and its rundir (socket) removed
no_trace() { gone "$1" && [ ! -e "$2" ]; }

# --- start, use, stop ------------------------------------------------------
xs_start # not in t_ok: that would run it in a subshell
t_eq "xs_start" 0 $?
pid=${XS_PID:-none} dir=${XS_RUNDIR:-none}
t_ok "daemon runs" _xs_alive "$pid"
t_match "it is xenstored" 'xenstored' "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
t_eq "XENSTORED_PATH is the rundir's socket" "$dir/socket" "${XENSTORED_PATH:-}"
t_eq "XENSTORED_RUNDIR is the rundir" "$dir" "${XENSTORED_RUNDIR:-}"
t_ok "socket exists" test -S "$dir/socket"
t_match "its syslog goes to its private log" 'Checking store' "$(cat "$dir/log")"
t_ok "xs_write" xs_write /xp/t/key hello
t_eq "xs_read" hello "$(xs_read /xp/t/key)"
t_ok "xs_exists" xs_exists /xp/t/key
t_eq "xs_list" key "$(xs_list /xp/t)"
t_ok "xs_chmod" xs_chmod /xp/t/key n0 r5
t_match "permissions set" 'n0,r5' "$(xenstore-ls -p /xp/t)"
t_ok "xs_rm" xs_rm /xp/t
t_fails "removed key is gone" xs_read /xp/t/key
xs_stop
t_eq "xs_stop" 0 $?
t_ok "daemon gone after xs_stop" gone "$pid"
t_ok "rundir and socket removed" test ! -e "$dir"
t_eq "env cleared" "" "${XENSTORED_PATH:-}"
t_fails "tools no longer reach a daemon" xenstore-exists /
xs_stop
t_eq "xs_stop is idempotent" 0 $?

# --- two daemons side by side ------------------------------------------------
xs_start || t_bail "first daemon"
a_pid=$XS_PID a_dir=$XS_RUNDIR a_path=$XENSTORED_PATH
xs_start || t_bail "second daemon"
b_pid=$XS_PID b_dir=$XS_RUNDIR b_path=$XENSTORED_PATH
t_ok "two different daemons" test "$a_pid" != "$b_pid" -a "$a_dir" != "$b_dir"
t_ok "both run" sh -c "kill -0 $a_pid && kill -0 $b_pid"
XENSTORED_PATH=$a_path xs_write /xp/who a
XENSTORED_PATH=$b_path xs_write /xp/who b
XENSTORED_PATH=$a_path xs_write /xp/only-a 1
t_eq "A keeps its value" a "$(XENSTORED_PATH=$a_path xs_read /xp/who)"
t_eq "B keeps its value" b "$(XENSTORED_PATH=$b_path xs_read /xp/who)"
t_fails "B does not see A's key" env XENSTORED_PATH="$b_path" xenstore-read /xp/only-a
xs_stop
t_ok "both stopped and cleaned" sh -c "! [ -e '$a_dir' ] && ! [ -e '$b_dir' ]"
t_ok "first gone" gone "$a_pid"
t_ok "second gone" gone "$b_pid"

# --- a subshell stops its own daemon, and only that one --------------------
xs_start || t_bail "outer daemon"
o_pid=$XS_PID o_path=$XENSTORED_PATH
xs_write /xp/outer 1
(
	xs_start || exit 99
	echo "$XS_PID $XS_RUNDIR" >"$tmp/sub"
	xs_write /xp/inner 1
	false
)
rc=$?
read -r s_pid s_dir <"$tmp/sub" || s_pid=none
t_eq "failing subshell keeps its status" 1 "$rc"
t_ok "subshell's daemon stopped, rundir removed" no_trace "$s_pid" "$s_dir"
t_ok "outer daemon untouched" _xs_alive "$o_pid"
t_eq "outer daemon still answers" 1 "$(XENSTORED_PATH=$o_path xs_read /xp/outer)"
xs_stop
t_ok "outer daemon stopped" gone "$o_pid"

# --- a failing test body still stops its daemon -----------------------------
lib="$T_ROOT/tests/lib/xs.sh"
sh -c '. "$1"; xs_start || exit 99; echo "$XS_PID $XS_RUNDIR" >"$2"
	xs_write /x 1; false; exit 3' sh "$lib" "$tmp/info"
rc=$?
read -r f_pid f_dir <"$tmp/info" || f_pid=none
t_eq "failing body keeps its exit status" 3 "$rc"
t_ok "its daemon was stopped, rundir removed" no_trace "$f_pid" "$f_dir"

sh -c '. "$1"; set -e; xs_start; echo "$XS_PID $XS_RUNDIR" >"$2"
	xenstore-read /does/not/exist; echo not-reached' sh "$lib" "$tmp/info2" >"$tmp/out2" 2>&1
rc=$?
read -r e_pid e_dir <"$tmp/info2" || e_pid=none
t_ok "set -e body failed" test "$rc" -ne 0
t_nomatch "set -e stopped the body" not-reached "$(cat "$tmp/out2")"
t_ok "set -e: daemon stopped, rundir removed" no_trace "$e_pid" "$e_dir"

# --- ... and so does a killed one ------------------------------------------
sh -c '. "$1"; xs_start || exit 99; echo "$XS_PID $XS_RUNDIR" >"$2.tmp"
	sleep 30 & echo $! >"$2.sleep"; mv "$2.tmp" "$2"; wait $!' sh "$lib" "$tmp/info3" &
sub=$!
n=0
while [ ! -f "$tmp/info3" ] && [ $n -lt 500 ]; do sleep 0.01; n=$((n + 1)); done
read -r k_pid k_dir <"$tmp/info3" || k_pid=none
t_ok "killed body: daemon was running" _xs_alive "$k_pid"
kill -TERM "$sub"
wait "$sub"
rc=$?
t_eq "killed body exits 143" 143 "$rc"
t_ok "killed body: daemon stopped, rundir removed" no_trace "$k_pid" "$k_dir"
kill "$(cat "$tmp/info3.sleep")" 2>/dev/null # its orphaned sleep

# --- start-up failures are reported, fast, and leave nothing ---------------
mkdir "$tmp/td"
out=$(TMPDIR=$tmp/td XENSTORED=/bin/false xs_start 2>&1)
rc=$?
t_ok "a daemon that exits at once fails xs_start" test "$rc" -ne 0
t_match "with a message" 'did not answer' "$out"
out=$(XS_STUB=/nonexistent/xsstub.so xs_start 2>&1)
t_match "a missing stub is reported" 'no stub' "$out"
printf '#!/bin/sh\necho $$ >"%s"\nexec sleep 30\n' "$tmp/mute.pid" >"$tmp/mute"
chmod +x "$tmp/mute"
start=$(date +%s)
out=$(TMPDIR=$tmp/td XENSTORED=$tmp/mute XS_START_TIMEOUT=1 xs_start 2>&1)
rc=$?
took=$(($(date +%s) - start))
t_ok "a daemon that never answers fails xs_start" test "$rc" -ne 0
t_ok "after the timeout (took ${took}s)" test "$took" -le 3
t_ok "and is killed" gone "$(cat "$tmp/mute.pid" 2>/dev/null || echo none)"
t_eq "no rundir left behind by failed starts" "" "$(ls "$tmp/td")"

# --- with-xenstored ----------------------------------------------------------
out=$("$T_ROOT/tests/xs/with-xenstored" sh -c \
	'xenstore-write /w 1 && echo "$XENSTORED_RUNDIR"; exit 5')
rc=$?
t_eq "with-xenstored passes on CMD's status" 5 "$rc"
t_match "CMD ran against a private rundir" '/xs\.' "$out"
t_ok "and its rundir is gone" test ! -e "$out"
t_ok "with-xenstored: success is 0" "$T_ROOT/tests/xs/with-xenstored" \
	xenstore-exists /tool/xenstored
t_fails "with-xenstored: no command is an error" "$T_ROOT/tests/xs/with-xenstored"

t_done
