#!/bin/sh
# status: the table and --json (validated against docs/status-schema.json)
# for a live state that matches the map (exit 0) and one that drifts
# (exit 1); guest vifs tied to their domain by name and, renamed, through
# xenstore's backend vifname; a vif whose domain is gone is drift; without
# xenstore, domains are "unknown".
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
cd "$T_ROOT" || exit 1
X=$B/network-xenplumb
[ -x "$X" ] || t_bail "build $X first (make)"
python3 -c 'import jsonschema' 2>/dev/null || t_bail "python3-jsonschema missing (scripts/install-deps)"
ip link show xenbr0 >/dev/null 2>&1 && t_bail "not in a private namespace (xenbr0 exists)"
tmp=$(mktemp -d)
export XENPLUMB_STATE_DIR="$tmp/state"
# shellcheck source=tests/lib/xs.sh
. "$T_ROOT/tests/lib/xs.sh"
XS_CLEANUP="rm -rf $tmp"

validate() { # FILE: valid against the schema?
	python3 - "$T_ROOT/docs/status-schema.json" "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator(schema).validate(doc)
PY
}
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link add eth1 type veth peer name eth1-peer
ip link set eth0 up
ip link set eth1 up
cat >"$tmp/map.conf" <<MAP
[bridge xenbr0]
ports = eth0
default = yes

[bridge xenbr1]
ports = eth1

[network dmz]
bridge = xenbr1
MAP

# no xenstore reachable at all
export XENSTORED_PATH="$tmp/no-such-socket"
out=$($X status -c "$tmp/map.conf" 2>&1)
t_eq "status before start: exit 1 (drift)" 1 $?
t_match "table says xenbr0 is missing" "bridge xenbr0: MISSING" "$out"
t_match "drift lists the missing bridge" "xenbr0 exists: want bridge, have missing" "$out"
$X status -c "$tmp/map.conf" --json >"$tmp/j0"
t_eq "status --json before start: exit 1" 1 $?
t_ok "JSON (drift) is valid against the schema" validate "$tmp/j0"
t_eq "JSON says it does not match" "False" "$(jq_ "$tmp/j0" 'd["matches_map"]')"

$X start -c "$tmp/map.conf" >/dev/null 2>&1 || t_bail "start failed"
out=$($X status -c "$tmp/map.conf" 2>&1)
t_eq "status after start: exit 0" 0 $?
t_match "table: live matches the map" "status: OK" "$out"
t_match "table: xenbr0 up, created" "bridge xenbr0: up, mtu 1500, stp off, .*created by xenplumb" "$out"
t_match "table: port attached" "port eth0: attached" "$out"
t_match "table: network" "network dmz: bridge xenbr1" "$out"
$X status -c "$tmp/map.conf" --json >"$tmp/j1"
t_eq "status --json after start: exit 0" 0 $?
t_ok "JSON (clean) is valid against the schema" validate "$tmp/j1"
t_eq "JSON: no drift" "0" "$(jq_ "$tmp/j1" 'len(d["drift"])')"
t_eq "JSON: xenbr0 port eth0 attached" "True" "$(jq_ "$tmp/j1" 'd["bridges"][0]["ports"][0]["attached"]')"

# guests: vif3.0 (domain 3 "web" exists), vif7.0-emu (domain 7 gone),
# renamed "web-nic" (backend vif/3/1 says vifname = web-nic)
for g in vif3.0 vif7.0-emu web-nic; do
	ip link add "$g" type veth peer name "$g-p" 2>/dev/null ||
		ip link add "$g" type veth peer name "p$$-$(echo "$g" | tr -dc 0-9)"
	ip link set "$g" master xenbr0
done
out=$($X status -c "$tmp/map.conf" --json)
t_eq "guests, no xenstore: exit 0 (nothing known to be wrong)" 0 $?
printf '%s\n' "$out" >"$tmp/j2"
t_ok "JSON (guests, no xenstore) is valid" validate "$tmp/j2"
t_eq "no xenstore: domain state unknown" "unknown unknown unknown" \
	"$(jq_ "$tmp/j2" '" ".join(g["domain_state"] for g in d["bridges"][0]["guests"])')"
t_eq "no xenstore: says so" "unreachable" "$(jq_ "$tmp/j2" 'd["xenstore"]')"

unset XENSTORED_PATH
xs_start || t_bail "cannot start xenstored"
xs_write /local/domain/3/name web
xs_write /local/domain/0/backend/vif/3/1/vifname web-nic
xs_write /local/domain/0/backend/vif/7/0/vifname vif7.0-emu
out=$($X status -c "$tmp/map.conf" 2>&1)
t_eq "a vif whose domain is gone: exit 1" 1 $?
t_match "table: guest with domain name" 'guest vif3.0: domain 3 "web", exists' "$out"
t_match "table: renamed vif found through xenstore" 'guest web-nic: domain 3 "web", exists' "$out"
t_match "table: vif of a gone domain" "guest vif7.0-emu: domain 7, gone" "$out"
t_match "drift: stale vif" "vif7.0-emu stale-vif: want domain 7, have domain gone" "$out"
$X status -c "$tmp/map.conf" --json >"$tmp/j3"
t_ok "JSON (xenstore, guests) is valid" validate "$tmp/j3"
t_eq "JSON: domain source is xenstore (no hypervisor)" "xenstore" "$(jq_ "$tmp/j3" 'd["domain_source"]')"
t_eq "JSON: renamed vif's devid" "1" \
	"$(jq_ "$tmp/j3" '[g["devid"] for g in d["bridges"][0]["guests"] if g["port"]=="web-nic"][0]')"
t_eq "status changed nothing: start has nothing to do" "nothing to do" "$($X start -c "$tmp/map.conf" 2>&1)"

out=$($X stop -c "$tmp/map.conf" 2>&1)
t_match "stop keeps xenbr0: it has guests" "bridge xenbr0 kept: it has guest ports" "$out"
t_ok "xenbr0 still there" ip link show xenbr0
t_fails "xenbr1 (no guests) gone" ip link show xenbr1
out=$($X status bridge=xenbr0 netdev=eth0 2>&1)
t_match "legacy status works" "bridge xenbr0: up" "$out"
t_done
