#!/bin/sh
# The hotplug log never blocks a hotplug: it is opened O_NONBLOCK |
# O_NOFOLLOW and used only when it is a regular file.  A FIFO at the log
# path (with or without a reader) or a symlink there is not written: the
# run completes, warns (stderr, which libxl logs, and syslog), and plumbs.
# Without a syslog daemon, vif-xenplumb tries /dev/log once per run, not
# once per line.  Every line names action, vif and domain.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init
command -v strace >/dev/null || t_bail "strace missing (scripts/deps/vif.txt)"

ip link add xpbr0 type bridge && ip link set xpbr0 up || t_bail "bridge"
PLUMBED="xpbr0 1500 fe:ff:ff:ff:ff:ff 1"
N=0
# online_with LOGPATH: a fresh vif 8.N online with that log path, bounded by
# timeout(1) only so that a hang fails the test instead of stalling the tier
online_with() {
	N=$((N + 1))
	vif_mkvif 8 $N bridge=xpbr0 || t_bail "vif 8.$N"
	XENPLUMB_HOTPLUG_LOG=$1 timeout 60 sh -c ". '$T_ROOT/tests/netns/t-vif-lib.sh'; vif_run online 8 $N" \
		>"$VIF_TMP/out" 2>&1
}

# -- a FIFO without a reader (the hang of issue 14) --
mkfifo "$VIF_TMP/fifo" || t_bail "mkfifo"
online_with "$VIF_TMP/fifo"
t_eq "FIFO log, no reader: online exits 0 (no hang)" 0 $?
t_eq "connected" connected "$(vif_status 8 $N)"
t_eq "plumbed" "$PLUMBED" "$(vif_facts vif8.$N)"
t_match "warns that the log is not a regular file" \
	"online vif8\.$N \(domain 8\): hotplug log $VIF_TMP/fifo is not a regular file" \
	"$(cat "$VIF_TMP/out")"

# -- a FIFO with a reader (held open read-write here): still not written --
exec 3<>"$VIF_TMP/fifo"
online_with "$VIF_TMP/fifo"
t_eq "FIFO log with a reader: online exits 0" 0 $?
t_eq "connected" connected "$(vif_status 8 $N)"
t_eq "nothing was written into the FIFO" "" \
	"$(dd if=/dev/fd/3 iflag=nonblock bs=64k count=1 2>/dev/null)"
exec 3<&-

# -- a symlink at the log path: not followed --
echo "precious" >"$VIF_TMP/target"
ln -s "$VIF_TMP/target" "$VIF_TMP/link"
online_with "$VIF_TMP/link"
t_eq "symlinked log: online exits 0" 0 $?
t_eq "the symlink's target untouched" precious "$(cat "$VIF_TMP/target")"
t_match "warns about the symlink" "hotplug log $VIF_TMP/link is a symbolic link" \
	"$(cat "$VIF_TMP/out")"

# -- a missing directory: quietly syslog only --
online_with "$VIF_TMP/nodir/xen-hotplug.log"
t_eq "log directory missing: online exits 0" 0 $?
t_eq "and no warning for it" "" "$(grep -i 'hotplug log' "$VIF_TMP/out")"

# -- a regular file: appended, 0640, every line named --
online_with "$VIF_TMP/hotplug.log"
t_eq "regular log: online exits 0" 0 $?
t_eq "created 0640" "-rw-r-----" "$(ls -l "$VIF_TMP/hotplug.log" | cut -c1-10)"
lines=$(grep -c . "$VIF_TMP/hotplug.log")
t_ok "several lines written" test "$lines" -ge 3
t_eq "every line names action, vif and domain" "$lines" \
	"$(grep -c "vif-xenplumb\[[0-9]*\]: online vif8\.$N (domain 8): " "$VIF_TMP/hotplug.log")"

# -- syslog: one connection attempt per run, not per line --
# No syslog daemon listens in the run: in a private mount namespace an empty
# file covers /dev/log (connect fails there as on a host without a daemon),
# whether or not this machine's /dev/log has a listener.
N=$((N + 1))
vif_mkvif 8 $N bridge=xpbr0 || t_bail "vif 8.$N"
: >"$VIF_TMP/nolog"
XENPLUMB_HOTPLUG_LOG="$VIF_TMP/sys.log" unshare -m --propagation private sh -c "
	if [ -e /dev/log ] || [ -L /dev/log ]; then
		mount --bind '$VIF_TMP/nolog' /dev/log || exit 97
	fi
	strace -f -qq -e trace=connect -o '$VIF_TMP/strace' \
		sh -c \". '$T_ROOT/tests/netns/t-vif-lib.sh'; vif_run online 8 $N\"" >/dev/null 2>&1
t_ok "ran with no syslog daemon on /dev/log" test $? -ne 97
t_eq "no syslog daemon: online connected" connected "$(vif_status 8 $N)"
lines=$(grep -c . "$VIF_TMP/sys.log")
tries=$(grep -c '/dev/log' "$VIF_TMP/strace")
t_ok "$lines lines logged" test "$lines" -ge 3
t_ok "with at most 2 attempts on /dev/log (one probe, both socket types): $tries" \
	test "$tries" -le 2
t_done
