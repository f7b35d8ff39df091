#!/bin/sh
# vif hotplug goes by the map network-xenplumb applied (issue 14): an admin's
# typo in the live map breaks no guest start, the live map is not even
# opened while an applied map exists, and it is read only where none does;
# a damaged applied map is an error that says what to run; a 40,000-bridge
# applied map costs a look-up (timed as a comment, not judged).
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init
X=$B/network-xenplumb
A=$XENPLUMB_STATE_DIR/applied-map
command -v strace >/dev/null || t_bail "strace missing (scripts/deps/net.txt)"

cat >"$VIF_TMP/xenplumb.conf" <<'MAP'
[bridge xpbr0]
default = yes
[bridge xpbr1]
antispoof = yes
[network dmz]
bridge = xpbr1
MAP
export XENPLUMB_CONF="$VIF_TMP/xenplumb.conf"
t_ok "network-xenplumb start (by XENPLUMB_CONF)" $X start
t_ok "it wrote the applied map" test -f "$A"

# the admin starts editing: the live map now has an error
printf '[bridge xpbr2]\nstp = perhaps\n' >>"$XENPLUMB_CONF"
t_fails "the live map no longer checks" $X check

vif_mkvif 3 0 || t_bail "vif 3.0"
t_ok "online with no bridge key: the applied default" vif_run online 3 0
t_eq "3.0 connected" connected "$(vif_status 3 0)"
t_match "3.0 on xpbr0" "^xpbr0 " "$(vif_facts vif3.0)"
vif_mkvif 3 1 bridge=dmz || t_bail "vif 3.1"
# antispoof = yes comes from the applied map: a vif without a mac is refused
xenstore-rm "$VIF_BE/3/1/mac"
t_fails "bridge=dmz (antispoof from the applied map), no mac: refused" vif_run online 3 1
t_match "the applied map's antispoof named" "bridge xpbr1 has antispoof = yes but the vif has no mac key" \
	"$(vif_error 3 1)"
vif_key 3 1 bridge xpbr0
t_ok "the same vif on xpbr0 (no antispoof)" vif_run online 3 1
t_match "3.1 on xpbr0" "^xpbr0 " "$(vif_facts vif3.1)"
vif_mkvif 3 2 bridge=dmz mac=00:16:3e:00:03:02 || t_bail "vif 3.2"
strace -f -qq -e trace=open,openat -o "$VIF_TMP/open.txt" \
	env script=/etc/xen/scripts/vif-xenplumb XENBUS_TYPE=vif XENBUS_PATH=backend/vif/3/2 \
	XENBUS_BASE_PATH=backend vif=vif3.2 "$VIF_BIN" online type_if=vif >/dev/null 2>&1 </dev/null
t_fails "the live map is never opened" grep -q "xenplumb.conf" "$VIF_TMP/open.txt"
t_ok "the applied map is" grep -q "applied-map" "$VIF_TMP/open.txt"

# no applied map: the live file, typo and all
mv "$A" "$VIF_TMP/applied.save"
vif_mkvif 4 0 || t_bail "vif 4.0"
t_fails "without an applied map the live map's error fails the hotplug" vif_run online 4 0
t_match "hotplug-error names the live file and line" "map $XENPLUMB_CONF: $XENPLUMB_CONF:8: stp is not yes or no" \
	"$(vif_error 4 0)"
t_eq "hotplug-status error" error "$(vif_status 4 0)"

# a damaged applied map is an error, not a silent fall-back
head -c 40 "$VIF_TMP/applied.save" >"$A"
vif_mkvif 4 1 bridge=xpbr0 || t_bail "vif 4.1"
t_fails "a damaged applied map fails the hotplug" vif_run online 4 1
t_match "and says what to run" "applied map $A is damaged .* -- run network-xenplumb reload" \
	"$(vif_error 4 1)"

# the admin fixes the map and reloads: hotplug follows
head -n 6 "$XENPLUMB_CONF" >"$VIF_TMP/fixed.conf" && mv "$VIF_TMP/fixed.conf" "$XENPLUMB_CONF"
printf '[network lab]\nbridge = xpbr0\n' >>"$XENPLUMB_CONF"
t_ok "reload after the fix" $X reload
vif_mkvif 4 2 bridge=lab || t_bail "vif 4.2"
t_ok "a network added by reload is there for the next hotplug" vif_run online 4 2
t_match "4.2 on xpbr0" "^xpbr0 " "$(vif_facts vif4.2)"

# ---- a reload's re-plug of detached guests goes by the map it just applied
# (network lab moves from xpbr0 to xpbr1 while vif4.2 is off its bridge)
ip link del xpbr0
sed -i 's/^bridge = xpbr0$/bridge = xpbr1/' "$XENPLUMB_CONF"
t_match "lab now on xpbr1 in the live map" "^bridge = xpbr1$" "$(tail -1 "$XENPLUMB_CONF")"
t_ok "reload recreates xpbr0 and re-plugs the detached guests" $X reload
t_match "the applied map says lab is on xpbr1" "^n lab bridge=xpbr1 vlan=0$" "$(cat "$A")"
t_match "vif4.2 (bridge=lab) went back by the new map: xpbr1" "^xpbr1 " "$(vif_facts vif4.2)"
t_match "vif3.0 (the default bridge) back on xpbr0" "^xpbr0 " "$(vif_facts vif3.0)"

# ---- cost: a 40,000-bridge applied map against a 1-bridge one ----------------
# (a comment for the reader; the project does not judge timings in tests)
big=$VIF_TMP/big
mkdir -p "$big"
python3 - "$big/applied-map" <<'PY'
import sys
recs = ["b xpbr0 antispoof=0", "n lab bridge=xpbr0 vlan=0"]
recs += ["b xb%05d antispoof=0" % i for i in range(40000)]
recs += ["n net%05d bridge=xb%05d vlan=0" % (i, i) for i in range(40000)]
recs.sort(key=lambda r: " ".join(r.split(" ")[:2]).encode())
with open(sys.argv[1], "w") as f:
    f.write("xenplumb-applied-map 1\ndefault xpbr0\n# 40,000 bridges\n")
    f.write("\n".join(recs) + "\nend\n")
PY
vif_mkvif 5 0 bridge=lab || t_bail "vif 5.0"
big_online() { (XENPLUMB_STATE_DIR=$big && vif_run online 5 0); }
t_ok "online with the 40,000-bridge applied map" big_online
t_match "5.0 on xpbr0" "^xpbr0 " "$(vif_facts vif5.0)"
# The cost as instructions executed (callgrind): deterministic, unlike the
# wall clock of a shared host.  Hotplug must not grow with the map beyond
# a look-up: within 1.3 times the small map's count.
command -v valgrind >/dev/null || t_bail "valgrind missing (scripts/deps/build.txt)"
icount() { # STATE_DIR -> instructions of one online of vif5.0
	env XENPLUMB_STATE_DIR="$1" script=/etc/xen/scripts/vif-xenplumb XENBUS_TYPE=vif \
		XENBUS_PATH=backend/vif/5/0 XENBUS_BASE_PATH=backend vif=vif5.0 \
		valgrind --tool=callgrind --callgrind-out-file=/dev/null "$VIF_BIN" online \
		type_if=vif </dev/null 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
small=$(icount "$XENPLUMB_STATE_DIR")
large=$(icount "$big")
echo "# vif online: $small instructions with the 2-bridge applied map, $large with 40,000 bridges"
t_ok "40,000 bridges cost less than 1.3 times 2 bridges" test "$((large * 10))" -lt "$((small * 13))"
t_eq "still connected" connected "$(vif_status 5 0)"
t_done
