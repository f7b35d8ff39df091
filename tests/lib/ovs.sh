# shellcheck shell=sh
# A private Open vSwitch for tests: Debian's real ovsdb-server and
# ovs-vswitchd (openvswitch-switch), with their own database, rundir, logdir
# and sysconfdir under one temporary directory, never the host's
# /etc/openvswitch or /run/openvswitch.  Run it inside the test's network
# namespace (the netns tier does): bridges use the userspace datapath
# (datapath_type=netdev), which needs no openvswitch kernel module; their
# internal ports are taps in that namespace.
#
#   ovs_start        create the db (ovsdb-tool create), start both daemons,
#                    `ovs-vsctl init`; exports OVS_RUNDIR OVS_DBDIR OVS_LOGDIR
#                    OVS_SYSCONFDIR (so ovs-vsctl/ovs-ofctl/ovs-appctl find
#                    them) and XENPLUMB_OVSDB (so our helpers do)
#   ovs_stop_vswitchd  stop ovs-vswitchd alone (ovsdb-server keeps running)
#   ovs_stop         stop both daemons (idempotent); the directory goes
#                    unless OVS_KEEP=1
#   ovs_addbr BR     an empty bridge of the userspace datapath
#   ovs_log          the daemons' logs (for failure output)
#
# Stopping is the caller's job: call ovs_stop from the test's clean-up.

OVS_SCHEMA=${OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
OVS_DIR=""

ovs_start() {
	for _o in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl; do
		command -v "$_o" >/dev/null 2>&1 ||
			{ echo "# no $_o (openvswitch-switch, scripts/deps/vif.txt)"; return 1; }
	done
	[ -r "$OVS_SCHEMA" ] || { echo "# no $OVS_SCHEMA (openvswitch-common)"; return 1; }
	OVS_DIR=$(mktemp -d /tmp/xpovs.XXXXXX) || return 1
	mkdir -p "$OVS_DIR/run" "$OVS_DIR/db" "$OVS_DIR/log" "$OVS_DIR/etc"
	export OVS_RUNDIR="$OVS_DIR/run" OVS_DBDIR="$OVS_DIR/db" OVS_LOGDIR="$OVS_DIR/log"
	export OVS_SYSCONFDIR="$OVS_DIR/etc" OVS_PKGDATADIR=/usr/share/openvswitch
	export XENPLUMB_OVSDB="unix:$OVS_RUNDIR/db.sock"
	ovsdb-tool create "$OVS_DBDIR/conf.db" "$OVS_SCHEMA" || return 1
	ovsdb-server --remote="punix:$OVS_RUNDIR/db.sock" --pidfile="$OVS_RUNDIR/ovsdb-server.pid" \
		--log-file="$OVS_LOGDIR/ovsdb-server.log" --detach --no-chdir \
		"$OVS_DBDIR/conf.db" 2>/dev/null || return 1
	ovs-vsctl --no-wait init || return 1
	ovs-vswitchd --pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
		--log-file="$OVS_LOGDIR/ovs-vswitchd.log" --detach --no-chdir \
		"unix:$OVS_RUNDIR/db.sock" 2>/dev/null || return 1
	# up when it has applied the initial configuration
	ovs-vsctl --timeout=20 set Open_vSwitch . external_ids:xenplumb-test=1 || return 1
}

# _ovs_kill NAME: TERM the daemon from its pidfile and wait for it
_ovs_kill() {
	_p=$OVS_RUNDIR/$1.pid
	[ -f "$_p" ] || return 0
	_pid=$(cat "$_p")
	kill -TERM "$_pid" 2>/dev/null || :
	_n=0
	while kill -0 "$_pid" 2>/dev/null && [ "$_n" -lt 50 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	kill -KILL "$_pid" 2>/dev/null || :
	rm -f "$_p"
}

ovs_stop_vswitchd() { [ -n "$OVS_DIR" ] && _ovs_kill ovs-vswitchd; }

ovs_stop() {
	[ -n "$OVS_DIR" ] || return 0
	_ovs_kill ovs-vswitchd
	_ovs_kill ovsdb-server
	[ -n "${OVS_KEEP:-}" ] || rm -rf "$OVS_DIR"
	OVS_DIR=""
}

ovs_addbr() {
	ovs-vsctl --timeout=20 add-br "$1" -- set Bridge "$1" datapath_type=netdev
}

ovs_log() {
	[ -n "$OVS_DIR" ] && tail -n 30 "$OVS_LOGDIR"/*.log | sed 's/^/#   /'
}
