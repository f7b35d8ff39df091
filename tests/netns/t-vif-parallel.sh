#!/bin/sh
# No global lock: 64 onlines for different vifs at once all connect, and 64
# offlines at once all come back clean.  Also reports (never asserts) the time of sequential onlines
# (process start included) and prints the median for the record.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init

COUNT=64
ip link add xpbr0 type bridge && ip link set xpbr0 up || t_bail "bridge"
i=0
while [ $i -lt $COUNT ]; do
	vif_mkvif 20 $i bridge=xpbr0 || t_bail "vif 20.$i"
	i=$((i + 1))
done

# run_all ACTION: start every hotplug at once, collect exit codes
run_all() {
	i=0
	while [ $i -lt $COUNT ]; do
		(vif_run "$1" 20 $i >"$VIF_TMP/out.$i" 2>&1; echo $? >"$VIF_TMP/rc.$i") &
		i=$((i + 1))
	done
	wait
	bad=0
	i=0
	while [ $i -lt $COUNT ]; do
		[ "$(cat "$VIF_TMP/rc.$i")" = 0 ] || {
			bad=$((bad + 1))
			sed "s/^/#   20.$i: /" "$VIF_TMP/out.$i"
		}
		i=$((i + 1))
	done
	echo $bad
}

t_eq "$COUNT parallel onlines all exit 0" 0 "$(run_all online | tail -n 1)"
n=0 up=0
i=0
while [ $i -lt $COUNT ]; do
	[ "$(vif_status 20 $i)" = connected ] && n=$((n + 1))
	[ "$(vif_facts vif20.$i)" = "xpbr0 1500 fe:ff:ff:ff:ff:ff 1" ] && up=$((up + 1))
	i=$((i + 1))
done
t_eq "all $COUNT connected" $COUNT $n
t_eq "all $COUNT on the bridge and up" $COUNT $up
t_eq "the bridge has $COUNT ports" $COUNT "$("$NLPROBE" ports xpbr0 | grep -c .)"
t_eq "no hotplug-error anywhere" "" "$(xenstore-ls $VIF_BE 2>/dev/null | grep hotplug-error)"

t_eq "$COUNT parallel offlines all exit 0" 0 "$(run_all offline | tail -n 1)"
clean=0
i=0
while [ $i -lt $COUNT ]; do
	[ "$(vif_facts vif20.$i)" = " 1500 fe:ff:ff:ff:ff:ff 0" ] && clean=$((clean + 1))
	i=$((i + 1))
done
t_eq "all $COUNT down and off the bridge" $COUNT $clean
t_eq "the bridge has no ports" 0 "$("$NLPROBE" ports xpbr0 | grep -c .)"

# -- sequential timing (process start included), for the record --
ms_of() { # start end (ns) -> microseconds
	echo $((($2 - $1) / 1000))
}
: >"$VIF_TMP/times"
i=0
while [ $i -lt 40 ]; do
	s=$(date +%s%N)
	vif_run online 20 $i >/dev/null 2>&1
	e=$(date +%s%N)
	ms_of "$s" "$e" >>"$VIF_TMP/times"
	vif_run offline 20 $i >/dev/null 2>&1
	i=$((i + 1))
done
p50=$(sort -n "$VIF_TMP/times" | sed -n 20p)
echo "# sequential online p50: ${p50} us (40 runs, env+exec included)"
# Timing is reported, never asserted: `make bench` measures it against stock.
t_done
