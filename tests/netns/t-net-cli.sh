#!/bin/sh
# network-xenplumb's command line as admins expect it (issue 14): --version,
# unknown commands and options named, options before or after the command,
# -c/--config/--config=/XENPLUMB_CONF, check, status NAME, --json for the
# plan and the result (numbered exactly as the real run), a JSON error
# object, a UTF-8 BOM, and the applied map start/reload write and stop
# removes.
# shellcheck source=tests/lib/t.sh
. "$(dirname "$0")/../lib/t.sh"
# shellcheck source=tests/lib/net.sh
. "$(dirname "$0")/../lib/net.sh"
net_setup
snap() { net_snap --qdisc --order; }
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
A=$tmp/state/applied-map

ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link add eth1 type veth peer name eth1-peer
ip link set eth0 up
ip link set eth1 up
cat >"$tmp/map.conf" <<'MAP'
[bridge xenbr0]
ports = eth0
default = yes

[bridge xenbr1]
ports = eth1
mtu = 1400
antispoof = yes

[network dmz]
bridge = xenbr1
MAP

# ---- --version, unknown words ------------------------------------------------
ver=$(sed -n '1s/^xenplumb (\([^)-]*\).*/\1/p' debian/changelog)
t_eq "--version: the changelog's version" "network-xenplumb $ver" "$($X --version)"
t_eq "-V" "network-xenplumb $ver" "$($X -V)"
t_eq "vif-xenplumb --version" "vif-xenplumb $ver" "$("$B/vif-xenplumb" --version)"
out=$($X strat 2>&1)
t_eq "unknown command: exit 2" 2 $?
t_match "unknown command named" "^network-xenplumb: unknown command 'strat' \(did you mean 'start'\?\)" "$out"
t_match "and the usage" "usage: network-xenplumb" "$out"
out=$($X start --bogus 2>&1)
t_eq "unknown option: exit 2" 2 $?
t_match "unknown option named" "^network-xenplumb: unknown option '--bogus'" "$out"
out=$($X 2>&1)
t_eq "no command: exit 2" 2 $?
t_match "no command: said" "no command given" "$out"
out=$($X start -c 2>&1)
t_eq "-c without FILE: exit 2" 2 $?
t_match "-c without FILE: said" "option '-c' needs a FILE" "$out"
t_match "--help: usage on stdout" "usage: network-xenplumb" "$($X --help 2>/dev/null)"
t_match "--help after the command" "usage: network-xenplumb" "$($X start --help 2>/dev/null)"

# ---- every way to name the map gives the same plan ------------------------------
want=$($X start -c "$tmp/map.conf" --dry-run 2>&1)
t_match "dry run plans xenbr0" "create bridge xenbr0" "$want"
t_eq "options before the command" "$want" "$($X -c "$tmp/map.conf" --dry-run start 2>&1)"
t_eq "--config FILE" "$want" "$($X --config "$tmp/map.conf" start -n 2>&1)"
t_eq "--config=FILE" "$want" "$($X start --config="$tmp/map.conf" --dry-run 2>&1)"
t_eq "-cFILE" "$want" "$($X start -c"$tmp/map.conf" --dry-run 2>&1)"
t_eq "XENPLUMB_CONF" "$want" "$(XENPLUMB_CONF="$tmp/map.conf" $X start --dry-run 2>&1)"
t_eq "-c wins over XENPLUMB_CONF" "$want" \
	"$(XENPLUMB_CONF=/nonexistent $X start -c "$tmp/map.conf" --dry-run 2>&1)"

# ---- check --------------------------------------------------------------------
snap >"$tmp/s0"
out=$($X check -c "$tmp/map.conf" 2>&1)
t_eq "check of a good map: exit 0" 0 $?
t_eq "check says ok and what the map has" \
	"$tmp/map.conf: ok (2 bridges, 0 bonds, 0 vlans, 0 dummies, 1 network)" "$out"
cat >"$tmp/bad.conf" <<'MAP'
[bridge xenbr0]
ports = eth0
default = yes
stp = perhaps

[bridge xenbr1]
# the second default
default = yes
[network dmz]
bridge = xenbr9
MAP
out=$($X check -c "$tmp/bad.conf" 2>&1)
t_eq "check of a bad map: exit 2" 2 $?
t_match "every error: the value" "bad.conf:4: stp is not yes or no, 'perhaps'" "$out"
t_match "every error: the key's line, not the header's" "bad.conf:8: second default bridge" "$out"
t_match "every error: the network's bridge key" "bad.conf:10: network names a bridge not in the map, 'xenbr9'" "$out"
t_match "and how many" "3 errors in $tmp/bad.conf" "$out"
$X --json check -c "$tmp/bad.conf" >"$tmp/check.json" 2>/dev/null
t_eq "check --json: exit 2" 2 $?
t_eq "check --json: an error object" "error 3" \
	"$(jq_ "$tmp/check.json" 'd["result"], len(d["errors"])')"
t_fails "check wrote no state" test -e "$tmp/state"
snap >"$tmp/s1"
t_ok "check changed nothing" cmp -s "$tmp/s0" "$tmp/s1"
printf '\357\273\277[bridge xenbr0]\nports = eth0\n' >"$tmp/bom.conf"
t_ok "a map that starts with a UTF-8 BOM checks" $X check -c "$tmp/bom.conf"

# ---- status --json on a map error --------------------------------------------------
$X status --json -c "$tmp/bad.conf" >"$tmp/st.json" 2>"$tmp/st.err"
t_eq "status --json with map errors: exit 2" 2 $?
t_eq "status --json prints a JSON error object" "status error $tmp/bad.conf" \
	"$(jq_ "$tmp/st.json" 'd["command"], d["result"], d["map"]')"
t_match "with each error" "bad.conf:4: stp is not yes or no" "$(jq_ "$tmp/st.json" 'd["errors"][0]')"
t_match "errors on stderr too" "bad.conf:8: second default bridge" "$(cat "$tmp/st.err")"

# ---- --json: the dry run's steps are the real run's --------------------------------
$X start --dry-run --json -c "$tmp/map.conf" >"$tmp/dry.json"
t_eq "dry run --json: exit 0" 0 $?
t_eq "dry run --json: planned, nothing applied" "planned 0 True" \
	"$(jq_ "$tmp/dry.json" 'd["result"], d["applied"], d["dry_run"]')"
t_fails "dry run wrote no applied map" test -e "$A"
$X start --json -c "$tmp/map.conf" >"$tmp/real.json"
t_eq "start --json: exit 0" 0 $?
t_eq "start --json: applied every step" "applied True" \
	"$(jq_ "$tmp/real.json" 'd["result"], d["applied"] == len(d["steps"]) > 0')"
t_eq "the dry run's steps, numbered as the real run's" \
	"$(jq_ "$tmp/real.json" 'json.dumps(d["steps"], sort_keys=True)')" \
	"$(jq_ "$tmp/dry.json" 'json.dumps(d["steps"], sort_keys=True)')"
t_eq "the step numbers are 1..n" "True" \
	"$(jq_ "$tmp/real.json" '[s["step"] for s in d["steps"]] == list(range(1, len(d["steps"]) + 1))')"
t_ok "xenbr1 was made" ip link show xenbr1

# ---- the applied map -------------------------------------------------------------
t_ok "start wrote the applied map" test -f "$A"
t_eq "applied map mode 0644" 644 "$(stat -c %a "$A")"
t_eq "applied map: what hotplug needs, sorted" "xenplumb-applied-map 1
default xenbr0
b xenbr0 antispoof=0
b xenbr1 antispoof=1
n dmz bridge=xenbr1 vlan=0
end" "$(grep -v '^#' "$A")"
t_match "applied map names its source" "^# from $tmp/map.conf by network-xenplumb start" "$(cat "$A")"
cp "$A" "$tmp/a1"
# an edit with no host change still reaches hotplug
printf '[network lab]\nbridge = xenbr0\n' >>"$tmp/map.conf"
out=$($X reload -c "$tmp/map.conf" 2>&1)
t_eq "reload of a new network: nothing to do on the host" "nothing to do" "$out"
t_match "reload wrote the new network" "^n lab bridge=xenbr0 vlan=0$" "$(cat "$A")"
t_match "by reload" "by network-xenplumb reload" "$(cat "$A")"
t_eq "check: the applied map is this map (no note)" 1 "$($X check -c "$tmp/map.conf" | wc -l)"
cp "$tmp/map.conf" "$tmp/edit.conf"
printf '[network lab2]\nbridge = xenbr0\n' >>"$tmp/edit.conf"
t_match "check of an edit not applied yet: says hotplug goes by the old one" \
	"^note: vif hotplug still goes by the map applied last; network-xenplumb reload applies this one" \
	"$($X check -c "$tmp/edit.conf")"
$X check --json -c "$tmp/edit.conf" >"$tmp/edit.json"
t_eq "check --json: applied_map differs" "ok differs" "$(jq_ "$tmp/edit.json" 'd["result"], d["applied_map"]')"
cp "$A" "$tmp/a2"
# a map with errors, or a run that fails, leaves the applied map as it was
t_fails "start of a bad map fails" $X start -c "$tmp/bad.conf"
t_ok "bad map: applied map unchanged" cmp -s "$tmp/a2" "$A"
printf '[bridge xenbr2]\n' >>"$tmp/map.conf"
XENPLUMB_FAIL_AT=1 $X reload -c "$tmp/map.conf" >/dev/null 2>&1
t_eq "failed reload: exit 1" 1 $?
t_ok "failed reload: applied map unchanged" cmp -s "$tmp/a2" "$A"
t_eq "no temporary file left" "applied-map lock state" "$(ls "$tmp/state" | tr '\n' ' ' | sed 's/ $//')"
t_ok "reload" $X reload -c "$tmp/map.conf"
t_match "reload put xenbr2 in" "^b xenbr2 antispoof=0$" "$(cat "$A")"

# ---- status NAME ---------------------------------------------------------------------
out=$($X status xenbr1 -c "$tmp/map.conf")
t_eq "status NAME: exit 0" 0 $?
t_match "status NAME: that bridge" "^bridge xenbr1: up, mtu 1400" "$out"
t_match "status NAME: its network" "^network dmz: bridge xenbr1" "$out"
t_nomatch "status NAME: no other bridge" "bridge xenbr0|network lab" "$out"
$X status --json -c "$tmp/map.conf" xenbr0 >"$tmp/one.json"
t_eq "status NAME --json: one bridge, its network" "['xenbr0'] ['lab']" \
	"$(jq_ "$tmp/one.json" '[b["name"] for b in d["bridges"]], [n["name"] for n in d["networks"]]')"
out=$($X status nosuch -c "$tmp/map.conf" 2>&1)
t_eq "status of a bridge not in the map: exit 2" 2 $?
t_match "and says so" "no bridge 'nosuch' in" "$out"
$X status nosuch --json -c "$tmp/map.conf" >"$tmp/nosuch.json" 2>/dev/null
t_match "with --json: an error object" "error .*no bridge 'nosuch'" \
	"$(jq_ "$tmp/nosuch.json" 'd["result"], d["errors"][0]')"
out=$($X status xenbr0 xenbr1 -c "$tmp/map.conf" 2>&1)
t_eq "status takes one NAME" 2 $?
t_match "the second is named" "unexpected argument 'xenbr1'" "$out"

# ---- stop --json, and the applied map goes -------------------------------------------
$X stop --json -c "$tmp/map.conf" >"$tmp/stop.json"
t_eq "stop --json: exit 0" 0 $?
t_eq "stop --json: applied" "stop applied" "$(jq_ "$tmp/stop.json" 'd["command"], d["result"]')"
t_match "stop --json: the deletes" "delete bridge xenbr0" "$(jq_ "$tmp/stop.json" '[s["text"] for s in d["steps"]]')"
t_fails "stop removed the applied map" test -e "$A"

# ---- the same in text: the dry run's numbered lines are the real run's
$X start --dry-run -c "$tmp/map.conf" | grep -E '^ *[0-9]+\. ' >"$tmp/dry.txt"
$X start -c "$tmp/map.conf" | grep -E '^ *[0-9]+\. ' >"$tmp/real.txt"
t_ok "text: the dry run numbers its steps as the real run" diff "$tmp/dry.txt" "$tmp/real.txt"
t_ok "and stop" $X stop -c "$tmp/map.conf"

# ---- legacy arguments leave the applied map alone ---------------------------------------
t_ok "legacy start" $X start bridge=xenbr0 netdev=eth0
t_fails "legacy start writes no applied map" test -e "$A"
t_ok "legacy stop" $X stop bridge=xenbr0 netdev=eth0
out=$($X bridge=xenbr0 start 2>&1)
t_eq "legacy arguments before the command: usage error" 2 $?
t_match "named as a command" "unknown command 'bridge=xenbr0'" "$out"

# ---- bash completion, per command ---------------------------------------------------------
comp() { # WORDS...: what the completion offers for the last word
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMPREPLY=(); "_${1//-/_}"; echo "${COMPREPLY[*]}"' sh etc/bash-completion/xenplumb "$@" 2>&1
}
t_ok "completion parses in bash" bash -n etc/bash-completion/xenplumb
t_eq "completion: the commands" "start stop status reload check" "$(comp network-xenplumb '')"
t_eq "completion: a command after options" "start stop status" \
	"$(comp network-xenplumb -c "$tmp/map.conf" --json st)"
t_eq "completion: start's options" "--config --dry-run --json" "$(comp network-xenplumb start --)"
t_eq "completion: check's options" "-c --config --json" "$(comp network-xenplumb check -)"
t_eq "completion: status NAME from the map's bridges" "xenbr0 xenbr1 xenbr2" \
	"$(comp network-xenplumb --config "$tmp/map.conf" status xen)"
t_eq "completion: --config=FILE's bridges" "xenbr1" \
	"$(comp network-xenplumb status "--config=$tmp/map.conf" xenbr1)"
t_eq "completion: legacy arguments after start" "bridge= netdev= antispoof= vifnum=" \
	"$(comp network-xenplumb start '')"
t_eq "completion: no legacy arguments after reload" "" "$(comp network-xenplumb reload '')"
t_eq "completion: nothing after check" "" "$(comp network-xenplumb check '')"
t_eq "completion: vif-xenplumb --version" "--version" "$(comp vif-xenplumb --v)"
t_eq "completion: vif online's type_if" "type_if=vif" "$(comp vif-xenplumb online '')"
t_done
