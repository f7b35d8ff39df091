#!/bin/sh
# Per-vif hooks (src/vif/hooks.c) run by vif-xenplumb after a successful
# action: an executable in vif-hooks.d and a stock-style vif-post.d/*.hook
# fragment get the guest's facts (online, offline, tap add/remove); a
# failing hook is reported and leaves the vif plumbed; a hanging hook (and
# its child) is killed at XENPLUMB_HOOK_TIMEOUT; a failed action runs no
# hook; with no hook installed the helper creates no process at all.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init
command -v strace >/dev/null || t_bail "no strace (scripts/deps/vif.txt)"

ip link add xpbr0 type bridge && ip link set xpbr0 up || t_bail "bridge"
H=$VIF_TMP/hooks.d P=$VIF_TMP/post.d OUT=$VIF_TMP/out
mkdir -p "$H" "$P" "$OUT"
export XENPLUMB_VIF_HOOKS_DIR="$H" XENPLUMB_VIF_POST_DIR="$P"
xenstore-write /local/domain/3/vm /vm/6a7f2d3c-0000-4000-8000-000000000003 \
	/vm/6a7f2d3c-0000-4000-8000-000000000003/uuid 6a7f2d3c-0000-4000-8000-000000000003

# ---- no hook: no process -----------------------------------------------------
vif_mkvif 3 9 bridge=xpbr0 || t_bail "vif 3.9"
strace -f -qq -o "$VIF_TMP/strace" -e trace=fork,vfork,clone,clone3,execve \
	env ASAN_OPTIONS=detect_leaks=0 script=/etc/xen/scripts/vif-xenplumb XENBUS_TYPE=vif \
	XENBUS_PATH=backend/vif/3/9 \
	XENBUS_BASE_PATH=backend netdev= vif=vif3.9 "$VIF_BIN" online type_if=vif </dev/null
sed "s/^/# strace: /" "$VIF_TMP/strace"
t_eq "no hook: online ok" connected "$(vif_status 3 9)"
# env execs the helper: the only execve; no clone/fork at all after it
t_eq "no hook: one execve (the helper), no fork or clone" \
	"execve execve" "$(sed -n 's/^[0-9]*  *\([a-z0-9]*\)(.*/\1/p' "$VIF_TMP/strace" | tr '\n' ' ' | sed 's/ $//')"
t_ok "offline 3.9" vif_run offline 3 9

# ---- an executable hook and a stock fragment ---------------------------------
cat >"$H/10-record" <<'HOOK'
#!/bin/sh
env | grep -E '^(XENPLUMB_[A-Z_]*|command|vif|dev|bridge|XENBUS_PATH|type_if|INTERFACE)=' |
	sort >"$XP_T_OUT/exec.$XENPLUMB_ACTION.$XENPLUMB_DEV"
echo "args: $*"
echo "to stderr" >&2
HOOK
cat >"$P/00-vif-local.hook" <<'HOOK'
# sourced by the stock scripts' call_hooks, with their variables set
echo "$command $dev $vif $bridge $XENBUS_PATH $type_if $1" >"$XP_T_OUT/frag.$command.$dev"
mac=$(xenstore_read "$XENBUS_PATH/mac")
log info "fragment saw mac $mac"
HOOK
chmod +x "$H/10-record" "$P/00-vif-local.hook"
# not hooks: not executable, a dpkg leftover, a fragment without the mode
printf '#!/bin/sh\ntouch "$XP_T_OUT/ran.noexec"\n' >"$H/20-noexec"
printf '#!/bin/sh\ntouch "$XP_T_OUT/ran.dpkg"\n' >"$H/30-x.dpkg-old" && chmod +x "$H/30-x.dpkg-old"
printf 'touch "$XP_T_OUT/ran.frag-noexec"\n' >"$P/01-noexec.hook"
export XP_T_OUT="$OUT"

vif_mkvif 3 0 bridge=xpbr0 vifname=web3 ip=192.0.2.3 || t_bail "vif 3.0"
t_ok "online with hooks" vif_run online 3 0
t_eq "connected" connected "$(vif_status 3 0)"
e=$(cat "$OUT/exec.online.web3" 2>&1)
t_match "exec hook: action" "^XENPLUMB_ACTION=online$" "$e"
t_match "exec hook: dev in use" "^XENPLUMB_DEV=web3$" "$e"
t_match "exec hook: kernel name" "^XENPLUMB_VIF=vif3.0$" "$e"
t_match "exec hook: bridge" "^XENPLUMB_BRIDGE=xpbr0$" "$e"
t_match "exec hook: bridge kind" "^XENPLUMB_BRIDGE_KIND=linux$" "$e"
t_match "exec hook: mac" "^XENPLUMB_MAC=00:16:3e:00:03:00$" "$e"
t_match "exec hook: ip" "^XENPLUMB_IP=192.0.2.3$" "$e"
t_match "exec hook: MTU" "^XENPLUMB_MTU=1500$" "$e"
t_match "exec hook: VM uuid" "^XENPLUMB_VM_UUID=6a7f2d3c-0000-4000-8000-000000000003$" "$e"
t_match "exec hook: VM name" "^XENPLUMB_VM_NAME=guest3$" "$e"
t_match "exec hook: domid" "^XENPLUMB_DOMID=3$" "$e"
t_match "exec hook: full backend path" "^XENPLUMB_XENBUS_PATH=/local/domain/0/backend/vif/3/0$" "$e"
t_match "exec hook: stock names too" "^command=online$" "$e"
t_eq "fragment: stock variables and \$1" "online web3 vif3.0 xpbr0 backend/vif/3/0 vif online" \
	"$(cat "$OUT/frag.online.web3" 2>&1)"
log=$(cat "$XENPLUMB_HOTPLUG_LOG")
t_match "hook output in the hotplug log" "hook $H/10-record: args: online" "$log"
t_match "hook stderr in the hotplug log" "hook $H/10-record: to stderr" "$log"
t_match "fragment used the stock helpers" "00-vif-local.hook: info: fragment saw mac 00:16:3e:00:03:00" "$log"
t_eq "only executables with run-parts names ran" "" "$(ls "$OUT" | grep ran.)"
t_ok "offline with hooks" vif_run offline 3 0
t_match "exec hook on offline" "^XENPLUMB_ACTION=offline$" "$(cat "$OUT/exec.offline.web3" 2>&1)"
t_eq "fragment on offline" "offline web3 vif3.0 xpbr0 backend/vif/3/0 vif offline" \
	"$(cat "$OUT/frag.offline.web3" 2>&1)"

# an emulated NIC: add/remove type_if=tap, INTERFACE set as for stock
vif_mktap 3 1 bridge=xpbr0 || t_bail "tap 3.1"
t_ok "tap add with hooks" vif_run_tap add 3 1
t_match "tap: type" "^XENPLUMB_TYPE=tap$" "$(cat "$OUT/exec.add.vif3.1-emu" 2>&1)"
t_match "tap: INTERFACE" "^INTERFACE=vif3.1-emu$" "$(cat "$OUT/exec.add.vif3.1-emu" 2>&1)"
t_ok "tap remove with hooks" vif_run_tap remove 3 1
t_match "tap remove hook" "^XENPLUMB_ACTION=remove$" "$(cat "$OUT/exec.remove.vif3.1-emu" 2>&1)"

# ---- a failing hook is reported, the vif stays -------------------------------
printf '#!/bin/sh\necho "cannot do it"\nexit 3\n' >"$H/50-fail" && chmod +x "$H/50-fail"
vif_mkvif 3 2 bridge=xpbr0 || t_bail "vif 3.2"
t_ok "online with a failing hook still succeeds" vif_run online 3 2
t_eq "connected" connected "$(vif_status 3 2)"
t_eq "no hotplug-error" "" "$(vif_error 3 2)"
t_eq "still plumbed" "xpbr0 1500 fe:ff:ff:ff:ff:ff 1" "$(vif_facts vif3.2)"
t_match "failure reported in the log" "hook $H/50-fail exited 3; the vif stays plumbed" \
	"$(cat "$XENPLUMB_HOTPLUG_LOG")"
t_ok "and the hooks after it ran" test -f "$OUT/exec.online.vif3.2"
rm -f "$H/50-fail"

# ---- a hanging hook is killed at the timeout ---------------------------------
cat >"$H/60-hang" <<'HOOK'
#!/bin/sh
sleep 300 &
echo $! >"$XP_T_OUT/hang.pid"
echo "hanging"
wait
HOOK
chmod +x "$H/60-hang"
vif_mkvif 3 3 bridge=xpbr0 || t_bail "vif 3.3"
export XENPLUMB_HOOK_TIMEOUT=1
t_ok "online with a hanging hook returns" vif_run online 3 3
unset XENPLUMB_HOOK_TIMEOUT
t_eq "connected" connected "$(vif_status 3 3)"
t_match "killed, and said so" "hook $H/60-hang killed after 1000 ms" "$(cat "$XENPLUMB_HOTPLUG_LOG")"
pid=$(cat "$OUT/hang.pid" 2>/dev/null)
alive() { [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" | grep -q '^[ZX]'; }
n=0
while [ -n "$pid" ] && alive "$pid" && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
t_fails "the hook's child was killed with it" alive "${pid:-1}"
rm -f "$H/60-hang"

# ---- a failed action runs no hook --------------------------------------------
rm -f "$OUT"/*
vif_mkvif 3 4 bridge=nosuchbr || t_bail "vif 3.4"
t_fails "online onto a missing bridge fails" vif_run online 3 4
t_eq "and ran no hook" "" "$(ls "$OUT")"
t_done
