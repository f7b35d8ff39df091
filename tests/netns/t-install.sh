#!/bin/sh
# make install / uninstall / install-compat / uninstall-compat into scratch
# roots: files land with the right modes, the map is never overwritten,
# uninstall leaves nothing behind, and compat mode (copy and dpkg flavours)
# round-trips vif-bridge and xl.conf byte for byte.
. "$(dirname "$0")/../lib/t.sh"
cd "$T_ROOT" || t_bail "no repo root"

TMP=$(mktemp -d) || t_bail "mktemp"
trap 'rm -rf "$TMP"' EXIT
case $B in *san*) SAN=1 ;; *) SAN=0 ;; esac
M="make -s --no-print-directory B=$B SAN=$SAN"

# fingerprint FILE: content hash, mode and mtime
fp() { printf '%s %s\n' "$(sha256sum <"$1" | cut -d' ' -f1)" "$(stat -c '%a %Y' "$1")"; }
# tree DIR: every path under DIR (relative), sorted
tree() { (cd "$1" && find . -mindepth 1 | sort); }

# ---------------------------------------------------------------- install
R=$TMP/root
mkdir -p "$R"
t_ok "make install into DESTDIR" $M install DESTDIR="$R"

for h in network-xenplumb vif-xenplumb; do
	t_eq "$h installed 0755" "755" "$(stat -c %a "$R/usr/sbin/$h" 2>&1)"
	t_eq "/etc/xen/scripts/$h links to /usr/sbin/$h" "/usr/sbin/$h" \
		"$(readlink "$R/etc/xen/scripts/$h")"
	t_ok "installed $h --help runs" "$R/usr/sbin/$h" --help
done
if [ -f /etc/xen/scripts/hotplugpath.sh ]; then
	# shellcheck disable=SC1091
	t_eq "scripts go to xl's XEN_SCRIPT_DIR" "$(. /etc/xen/scripts/hotplugpath.sh &&
		echo "$XEN_SCRIPT_DIR")" /etc/xen/scripts
fi
t_eq "map installed 0644" "644" "$(stat -c %a "$R/etc/xen/xenplumb.conf" 2>&1)"
t_ok "map is the shipped example" cmp etc/xenplumb.conf "$R/etc/xen/xenplumb.conf"
t_eq "compat tool installed 0755" "755" \
	"$(stat -c %a "$R/usr/lib/xenplumb/xenplumb-compat" 2>&1)"
for m in man5/xenplumb.conf.5 man8/network-xenplumb.8 man8/vif-xenplumb.8; do
	t_ok "man page $m installed" test -f "$R/usr/share/man/$m"
	if [ -f "$R/usr/share/man/$m" ]; then
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$R/usr/share/man/$m" 2>&1 >/dev/null)
		t_eq "man -l $m renders without warnings" "" "$w"
	fi
done
t_ok "examples installed" test -f "$R/usr/share/doc/xenplumb/examples/xl.conf.example"
n=$(ls etc/examples/*.conf 2>/dev/null | wc -l)
t_ok "map examples installed ($n)" test "$n" -gt 0 -a \
	"$(ls "$R"/usr/share/doc/xenplumb/examples/*.conf 2>/dev/null | wc -l)" -eq "$n"
t_ok "docs installed" test -f "$R/usr/share/doc/xenplumb/quickstart.md"
t_ok "bash completion installed" test -f \
	"$R/usr/share/bash-completion/completions/network-xenplumb"
t_eq "completion for vif-xenplumb" network-xenplumb \
	"$(readlink "$R/usr/share/bash-completion/completions/vif-xenplumb")"
t_ok "completion script parses in bash" bash -n \
	"$R/usr/share/bash-completion/completions/network-xenplumb"
# complete WORDS...: what the installed completion offers for the last word
complete_words() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMPREPLY=(); "_${1//-/_}"; echo "${COMPREPLY[*]}"' sh \
		"$R/usr/share/bash-completion/completions/network-xenplumb" "$@" 2>&1
}
t_eq "completion: network-xenplumb subcommands" "start stop status" \
	"$(complete_words network-xenplumb st)"
t_eq "completion: status options" "--config --json" "$(complete_words network-xenplumb status --)"
t_eq "completion: vif-xenplumb actions" "online offline" "$(complete_words vif-xenplumb o)"
t_eq "completion: vif-xenplumb type_if" "type_if=tap" \
	"$(complete_words vif-xenplumb add type)"
u=$R/usr/lib/systemd/system/xenplumb.service
t_match "unit starts the installed helper" \
	'^ExecStart=/usr/sbin/network-xenplumb start$' "$(cat "$u" 2>&1)"
t_match "unit stops it at shutdown" '^ExecStop=/usr/sbin/network-xenplumb stop$' "$(cat "$u" 2>&1)"
t_match "unit stays active after start" '^RemainAfterExit=yes$' "$(cat "$u" 2>&1)"
t_match "unit runs before guests" '^Before=.*xendomains\.service' "$(cat "$u" 2>&1)"
t_match "unit runs after the NICs" '^After=network\.target' "$(cat "$u" 2>&1)"
# verify checks that ExecStart exists: point it into the scratch root
sed "s|/usr/sbin/|$R/usr/sbin/|" "$u" >"$TMP/xenplumb.service"
t_ok "systemd-analyze verify accepts the unit" \
	systemd-analyze verify --man=no "$TMP/xenplumb.service"
# The udev rule is for xend hosts only: shipped inactive, activated by
# make install-xend-udev (on xl hosts it would run a second vif-xenplumb).
XR=usr/share/xenplumb/udev/90-xenplumb-vif.rules
if [ -f etc/udev/xenplumb-vif.rules ]; then
	t_ok "xend udev rule shipped under /usr/share/xenplumb/udev" test -f "$R/$XR"
	t_nomatch "udev rule has no unexpanded @VAR@" '@[A-Z_]+@' "$(cat "$R/$XR")"
	t_eq "no active udev rule installed" "" \
		"$(find "$R" -path '*/rules.d/*' 2>/dev/null)"
else
	t_failmsg "etc/udev/xenplumb-vif.rules missing from the tree"
fi
t_ok "make install-xend-udev" $M install-xend-udev DESTDIR="$R"
t_eq "xend rule active: /etc/udev/rules.d links to the shipped one" "/$XR" \
	"$(readlink "$R/etc/udev/rules.d/90-xenplumb-vif.rules")"
t_ok "make uninstall-xend-udev" $M uninstall-xend-udev DESTDIR="$R"
t_fails "xend rule inactive again" test -e "$R/etc/udev/rules.d/90-xenplumb-vif.rules"
$M install-xend-udev DESTDIR="$R" >/dev/null 2>&1
ww=$(find "$R" -perm -0002 ! -type l)
t_eq "nothing world-writable" "" "$ww"
t_eq "everything owned by root" "" "$(find "$R" ! -user root)"

# The map is never overwritten.
echo "# admin's own map" >"$R/etc/xen/xenplumb.conf"
t_ok "make install again" $M install DESTDIR="$R"
t_eq "existing map kept" "# admin's own map" "$(cat "$R/etc/xen/xenplumb.conf")"
t_ok "make uninstall with an edited map" $M uninstall DESTDIR="$R"
t_eq "edited map survives uninstall" "# admin's own map" "$(cat "$R/etc/xen/xenplumb.conf")"
t_eq "only the edited map is left" "./etc
./etc/xen
./etc/xen/xenplumb.conf" "$(tree "$R")"

rm -rf "$R" && mkdir -p "$R"
$M install DESTDIR="$R" >/dev/null 2>&1
t_ok "make uninstall" $M uninstall DESTDIR="$R"
t_eq "uninstall leaves nothing" "" "$(tree "$R")"

# PREFIX and SYSCONFDIR are honoured everywhere, unit included.
R2=$TMP/local
mkdir -p "$R2"
t_ok "install PREFIX=/usr/local SYSCONFDIR=/usr/local/etc" \
	$M install DESTDIR="$R2" PREFIX=/usr/local SYSCONFDIR=/usr/local/etc
t_match "unit follows PREFIX" '^ExecStart=/usr/local/sbin/network-xenplumb start$' \
	"$(cat "$R2/usr/local/lib/systemd/system/xenplumb.service" 2>&1)"
t_ok "map under SYSCONFDIR" test -f "$R2/usr/local/etc/xen/xenplumb.conf"
t_eq "nothing outside PREFIX" "./usr" "$(cd "$R2" && find . -mindepth 1 -maxdepth 1)"
$M uninstall DESTDIR="$R2" PREFIX=/usr/local SYSCONFDIR=/usr/local/etc >/dev/null 2>&1
t_eq "uninstall PREFIX=/usr/local leaves nothing" "" "$(tree "$R2")"

# ---------------------------------------------------------------- compat
# A root that looks like a Xen dom0: Debian's vif-bridge and xl.conf (or
# stand-ins where Xen is not installed, e.g. in the VM).
mkroot() { # DIR
	mkdir -p "$1/etc/xen/scripts"
	if [ -f /etc/xen/scripts/vif-bridge ]; then
		cp -p /etc/xen/scripts/vif-bridge "$1/etc/xen/scripts/"
	else
		printf '#!/bin/sh\n# stand-in vif-bridge\n' >"$1/etc/xen/scripts/vif-bridge"
		chmod 0755 "$1/etc/xen/scripts/vif-bridge"
	fi
	if [ -f /etc/xen/scripts/vif-openvswitch ]; then
		cp -p /etc/xen/scripts/vif-openvswitch "$1/etc/xen/scripts/"
	else
		printf '#!/bin/sh\n# stand-in vif-openvswitch\n' >"$1/etc/xen/scripts/vif-openvswitch"
		chmod 0755 "$1/etc/xen/scripts/vif-openvswitch"
	fi
	if [ -f /etc/xen/xl.conf ]; then
		cp -p /etc/xen/xl.conf "$1/etc/xen/"
	else
		printf '## Global XL config file ##\n#vif.default.script="vif-bridge"\n' >"$1/etc/xen/xl.conf"
	fi
	touch -d '2020-01-02 03:04:05' "$1/etc/xen/xl.conf"
}
active_script() { grep -E '^[[:space:]]*vif\.default\.script' "$1/etc/xen/xl.conf"; }

C=$TMP/compat
mkroot "$C"
vb0=$(fp "$C/etc/xen/scripts/vif-bridge")
vo0=$(fp "$C/etc/xen/scripts/vif-openvswitch")
xl0=$(fp "$C/etc/xen/xl.conf")
before=$(tree "$C")
$M install DESTDIR="$C" >/dev/null 2>&1
t_ok "make install-compat (copy mode)" $M install-compat DESTDIR="$C"
t_eq "vif-bridge now links to vif-xenplumb" vif-xenplumb "$(readlink "$C/etc/xen/scripts/vif-bridge")"
t_eq "original vif-bridge kept aside" "$vb0" "$(fp "$C/etc/xen/scripts/vif-bridge.xenplumb-orig")"
t_eq "vif-openvswitch now links to vif-xenplumb" vif-xenplumb \
	"$(readlink "$C/etc/xen/scripts/vif-openvswitch")"
t_eq "original vif-openvswitch kept aside" "$vo0" \
	"$(fp "$C/etc/xen/scripts/vif-openvswitch.xenplumb-orig")"
t_eq "vif-route now links to vif-xenplumb" vif-xenplumb "$(readlink "$C/etc/xen/scripts/vif-route")"
t_eq "vif-nat now links to vif-xenplumb" vif-xenplumb "$(readlink "$C/etc/xen/scripts/vif-nat")"
t_eq "xl.conf default script is vif-xenplumb" 'vif.default.script="vif-xenplumb"' \
	"$(active_script "$C")"
t_ok "install-compat again is a no-op" $M install-compat DESTDIR="$C"
t_eq "still one active default script" 'vif.default.script="vif-xenplumb"' "$(active_script "$C")"
t_match "status says enabled" 'enabled \(copy mode\)' \
	"$(scripts/xenplumb-compat --root "$C" status 2>&1)"
t_ok "make uninstall-compat" $M uninstall-compat DESTDIR="$C"
t_eq "vif-bridge restored byte for byte" "$vb0" "$(fp "$C/etc/xen/scripts/vif-bridge")"
t_eq "vif-openvswitch restored byte for byte" "$vo0" "$(fp "$C/etc/xen/scripts/vif-openvswitch")"
t_fails "vif-route link gone (there was none before)" test -L "$C/etc/xen/scripts/vif-route"
t_eq "xl.conf restored byte for byte" "$xl0" "$(fp "$C/etc/xen/xl.conf")"
t_ok "uninstall-compat again is a no-op" $M uninstall-compat DESTDIR="$C"
$M uninstall DESTDIR="$C" >/dev/null 2>&1
t_eq "root is as before install" "$before" "$(tree "$C")"

# uninstall with compat still enabled undoes compat first.
$M install DESTDIR="$C" >/dev/null 2>&1
$M install-compat DESTDIR="$C" >/dev/null 2>&1
t_ok "make uninstall with compat enabled" $M uninstall DESTDIR="$C"
t_eq "vif-bridge back after uninstall" "$vb0" "$(fp "$C/etc/xen/scripts/vif-bridge")"
t_eq "xl.conf back after uninstall" "$xl0" "$(fp "$C/etc/xen/xl.conf")"
t_eq "root is as before, again" "$before" "$(tree "$C")"

# dpkg flavour: a diversion keeps upgrades of xen-utils-common off our link.
P=$TMP/dpkg
mkroot "$P"
mkdir -p "$P/var/lib/dpkg"
printf '%s\n' 'Package: dpkg' 'Status: install ok installed' 'Version: 1.21.22' \
	'Architecture: amd64' 'Maintainer: x <x@example.org>' 'Description: x' \
	>"$P/var/lib/dpkg/status"
: >"$P/var/lib/dpkg/diversions"
: >"$P/var/lib/dpkg/diversions-old" # dpkg-divert keeps its backup there
vb0=$(fp "$P/etc/xen/scripts/vif-bridge")
xl0=$(fp "$P/etc/xen/xl.conf")
before=$(tree "$P")
$M install DESTDIR="$P" >/dev/null 2>&1
t_ok "install-compat (dpkg mode)" $M install-compat DESTDIR="$P"
t_match "dpkg knows the diversion" 'vif-bridge to /etc/xen/scripts/vif-bridge.xenplumb-orig by xenplumb' \
	"$(dpkg-divert --root="$P" --list 2>&1)"
t_match "and vif-openvswitch's" 'vif-openvswitch to /etc/xen/scripts/vif-openvswitch.xenplumb-orig by xenplumb' \
	"$(dpkg-divert --root="$P" --list 2>&1)"
t_eq "diverted original intact" "$vb0" "$(fp "$P/etc/xen/scripts/vif-bridge.xenplumb-orig")"
t_match "dpkg diverts vif-route too" 'vif-route to /etc/xen/scripts/vif-route.xenplumb-orig by xenplumb' \
	"$(dpkg-divert --root="$P" --list 2>&1)"
t_ok "uninstall-compat (dpkg mode)" $M uninstall-compat DESTDIR="$P"
t_eq "no diversion left" "" "$(dpkg-divert --root="$P" --list 2>&1)"
t_eq "vif-bridge restored (dpkg)" "$vb0" "$(fp "$P/etc/xen/scripts/vif-bridge")"
t_eq "xl.conf restored (dpkg)" "$xl0" "$(fp "$P/etc/xen/xl.conf")"
$M uninstall DESTDIR="$P" >/dev/null 2>&1
t_eq "dpkg root as before" "$before" "$(tree "$P")"

# xl.conf with an active default line and no final newline.
X=$TMP/xl
mkroot "$X"
printf 'a=1\n  vif.default.script="vif-bridge"\nlockfile="/var/lock/xl"' >"$X/etc/xen/xl.conf"
xl0=$(fp "$X/etc/xen/xl.conf")
$M install DESTDIR="$X" >/dev/null 2>&1
$M install-compat DESTDIR="$X" >/dev/null 2>&1
t_eq "old active default commented out" 'vif.default.script="vif-xenplumb"' "$(active_script "$X")"
t_ok "no-newline xl.conf still has its last setting" grep -qx 'lockfile="/var/lock/xl"' "$X/etc/xen/xl.conf"
$M uninstall-compat DESTDIR="$X" >/dev/null 2>&1
t_eq "no-newline xl.conf restored byte for byte" "$xl0" "$(fp "$X/etc/xen/xl.conf")"

# xl.conf edited by the admin after enable: only our lines go.
printf 'a=1\n' >"$X/etc/xen/xl.conf"
$M install-compat DESTDIR="$X" >/dev/null 2>&1
echo 'b=2' >>"$X/etc/xen/xl.conf"
o=$($M uninstall-compat DESTDIR="$X" 2>&1)
t_match "edited xl.conf: warns" 'edited since enable' "$o"
t_eq "edited xl.conf: admin line kept, ours gone" 'a=1
b=2' "$(cat "$X/etc/xen/xl.conf")"

# No xl.conf at all: created, then removed.
rm -f "$X/etc/xen/xl.conf"
$M install-compat DESTDIR="$X" >/dev/null 2>&1
t_eq "absent xl.conf created with our default" 'vif.default.script="vif-xenplumb"' "$(active_script "$X")"
$M uninstall-compat DESTDIR="$X" >/dev/null 2>&1
t_fails "absent xl.conf removed again" test -e "$X/etc/xen/xl.conf"
t_fails "no compat state left" test -e "$X/var/lib/xenplumb"

t_done
