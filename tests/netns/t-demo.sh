#!/bin/sh
# Runs the sandbox demo (scripts/demo) and checks its key lines: the map is
# applied, every simulated guest is plugged and reported connected, guests
# reach each other and the LAN, private is isolated, status prints a table
# and valid JSON, unplug and stop work, and nothing is left behind.
. "$(dirname "$0")/../lib/t.sh"
cd "$T_ROOT" || t_bail "no repo root"
case $B in *san*) export SAN=1 ;; esac
export XP_DEMO_NO_DEPS=1 # the tier's own build has what the demo needs

# other tests may add and delete namespaces meanwhile: look at the demo's
demo_ns() { ip netns list | sed 's/ .*//' | grep '^xpdemo-' | sort; }
ns_before=$(demo_ns)
out=$(scripts/demo 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
t_eq "demo exits 0" 0 "$rc"
t_match "demo ends with done" '^demo: done$' "$out"
t_nomatch "no FAILED line" 'FAILED' "$out"
for h in "A private xenstored" "network-xenplumb start" "Plug simulated guests" \
	"Traffic between simulated guests" "network-xenplumb status" "Unplug the guests" \
	"network-xenplumb stop" "Clean up"; do
	t_match "heading: $h" "^=== [0-9]+\. $h" "$out"
done
t_match "xenbr0..2 exist after start" 'xenbr0 .*' "$(printf '%s\n' "$out" |
	sed -n '/network-xenplumb start/,/Plug simulated/p' | grep -E '^    xenbr[0-2] ' | sort | tr '\n' ' ')"
for dev in vif1.0 vif1.1 vif2.0 vif2.1 vif4.0; do
	t_match "$dev plugged and connected" \
		"hotplug-status=connected; $dev is a port of xenbr[0-2]" "$out"
done
t_match "vif2.0 (no bridge key) on the default bridge" 'vif2\.0 is a port of xenbr0' "$out"
t_match "network 'private' resolves to xenbr2" 'vif4\.0 is a port of xenbr2' "$out"
t_match "tap plugged on its bridge" 'tap plugged; vif3\.0-emu is a port of xenbr2' "$out"
t_match "vifs unplugged: only the NICs stay on bridges" '^    3: eth1: .*master xenbr1' \
	"$(printf '%s\n' "$out" | sed -n '/Unplug the guests/,/network-xenplumb stop/p')"
t_nomatch "no vif left on a bridge after unplug" 'vif[0-9]' \
	"$(printf '%s\n' "$out" | sed -n '/Unplug the guests/,/network-xenplumb stop/p' | grep master)"
t_nomatch "unplug reports no error" 'vif-xenplumb: ' \
	"$(printf '%s\n' "$out" | sed -n '/Unplug the guests/,/network-xenplumb stop/p')"
t_match "stop deletes the bridges it created" 'delete bridge xenbr0' "$out"
for p in "guest 1 -> guest 2 on xenbr0" "guest 1 -> LAN router via eth0" \
	"guest 2 -> storage box via eth1" "guest 4 -> guest 1 on 'private'"; do
	t_match "ping $p" "ping $p \(.*\): ok" "$out"
done
t_match "private network isolated" 'isolation: .*: ok' "$out"
t_match "antispoof drops a forged source address" 'antispoof: .* is dropped: ok' "$out"
json=$(printf '%s\n' "$out" | sed -n '/status --json$/,/^=== /p' | sed -e '1d' -e '$d' |
	sed 's/^    //')
t_ok "status --json is valid JSON" sh -c 'printf "%s\n" "$1" | jq -e . >/dev/null' sh "$json"
t_match "status table names the bridges" 'xenbr0' "$(printf '%s\n' "$out" |
	sed -n '/^  \$ network-xenplumb status$/,/status --json/p')"
t_eq "no namespace left behind" "$ns_before" "$(demo_ns)"
t_eq "no scratch dir left behind" "" "$(ls -d "${TMPDIR:-/tmp}"/xpdemo.* 2>/dev/null)"
t_done
