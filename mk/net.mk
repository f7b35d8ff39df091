# src/net/: network-xenplumb, the map made live over netlink.  The planner
# (plan.c, pctx.c, the kind table kinds.c + kind/*.c, the observed-state
# container obs.c) is pure and unit-tested; steps.c is the executor's pure
# part; observe/exec/addrmove talk netlink.

NET_KINDS     := src/net/kind/bridge.c src/net/kind/bond.c src/net/kind/vlan.c src/net/kind/dummy.c \
                 src/net/kind/vxlan.c
# The planner: links alone (no executor, no netlink; see test_plan below).
NET_PLAN_SRCS := src/net/plan.c src/net/pctx.c src/net/kinds.c $(NET_KINDS) src/net/obs.c \
                 src/net/state.c
NET_CORE_SRCS := $(NET_PLAN_SRCS) src/net/steps.c \
                 src/net/observe.c src/net/exec.c src/net/groupdel.c src/net/addrmove.c
NET_SRCS      := src/net/network-xenplumb.c src/net/status.c src/net/status_text.c src/net/guests.c \
                 src/net/xc_lazy.c src/net/lock.c src/net/report.c src/net/planout.c src/net/ovsnet.c \
                 src/net/l3.c src/net/l3_rules.c \
                 $(NET_CORE_SRCS)
NET_OBJS      := $(NET_SRCS:%.c=$(B)/%.o)
NET_CORE_OBJS := $(NET_CORE_SRCS:%.c=$(B)/%.o)
NET_BIN       := $(B)/network-xenplumb

$(NET_BIN): $(NET_OBJS) $(sort $(CONF_OBJS) $(COMMON_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(XS_LIBS) $(JSON_LIBS)

NET_PLAN_OBJS := $(NET_PLAN_SRCS:%.c=$(B)/%.o) $(B)/src/common/nametab.o $(B)/src/common/brinfo.o
NET_STEPS_OBJS := $(B)/src/net/steps.o $(NET_PLAN_OBJS)

# The map, the planner and the kinds: no exec.o, no nl.o, no libnl (json-c
# for the kinds' status hooks only).
$(B)/tests/unit/test_plan: $(B)/tests/unit/net/test_plan.o $(NET_PLAN_OBJS) $(sort $(CONF_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(CMOCKA_LIBS)

# The state journal's replay of a killed run, without root: state.o links
# with the planner's objects alone.
$(B)/tests/unit/test_state: $(B)/tests/unit/net/test_state.o $(NET_PLAN_OBJS) $(sort $(CONF_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(CMOCKA_LIBS)

# The executor's pure step logic (inverse ops, folding) on its own.
$(B)/tests/unit/test_exec: $(B)/tests/unit/net/test_exec.o $(NET_STEPS_OBJS) $(sort $(CONF_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(CMOCKA_LIBS)

# The name table and the kind table's fill/observe halves, without a socket.
$(B)/tests/unit/test_kinds: $(B)/tests/unit/net/test_kinds.o $(NET_PLAN_OBJS) $(sort $(CONF_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(CMOCKA_LIBS)

# The [vxlan] kind: map text -> planner, and its fill/observe halves.
$(B)/tests/unit/test_vxlan: $(B)/tests/unit/net/test_vxlan.o $(NET_PLAN_OBJS) $(sort $(CONF_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(CMOCKA_LIBS)

# The plan as shown (planout.c): the dry run's numbering, the JSON steps.
$(B)/tests/unit/test_planout: $(B)/tests/unit/net/test_planout.o $(B)/src/net/planout.o \
		$(NET_STEPS_OBJS) $(sort $(CONF_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(CMOCKA_LIBS)

# The routed/NAT networks' nft JSON, DHCP range and dnsmasq config.
$(B)/tests/unit/test_l3_rules: $(B)/tests/unit/net/test_l3_rules.o $(B)/src/net/l3_rules.o \
		$(B)/src/common/validate.o
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(CMOCKA_LIBS)
# Linear in the map (issue 18): strcmp wrapped, to count comparisons, and
# xp_nametab_put, to count the state's index writes.
$(B)/tests/unit/test_scale: $(B)/tests/unit/net/test_scale.o $(B)/src/net/planout.o \
		$(NET_STEPS_OBJS) $(sort $(CONF_OBJS))
	$(CC) $(LDFLAGS) -Wl,--wrap=strcmp -Wl,--wrap=xp_nametab_put -o $@ $^ $(JSON_LIBS) \
		$(CMOCKA_LIBS)

BINS       += $(NET_BIN)
UNIT_TESTS += $(B)/tests/unit/test_scale
UNIT_TESTS += $(B)/tests/unit/test_plan $(B)/tests/unit/test_exec $(B)/tests/unit/test_kinds \
              $(B)/tests/unit/test_state $(B)/tests/unit/test_vxlan $(B)/tests/unit/test_planout \
              $(B)/tests/unit/test_l3_rules
DEPS       += $(NET_OBJS:.o=.d) $(B)/tests/unit/net/test_plan.d $(B)/tests/unit/net/test_state.d $(B)/tests/unit/net/test_exec.d \
              $(B)/tests/unit/net/test_kinds.d $(B)/tests/unit/net/test_vxlan.d $(B)/tests/unit/net/test_planout.d \
              $(B)/tests/unit/net/test_l3_rules.d $(B)/tests/unit/net/test_scale.d

# xenctrl.h needs GNU C (anonymous unions in the public headers).
$(B)/src/net/status.o: CFLAGS += -std=gnu11

# libxenctrl is dlopened by status alone (src/net/xc_lazy.c): its soname, and
# libxentoollog's, as the linker would have recorded them.
xp_soname = $(or $(shell readelf -d $$($(CC) -print-file-name=$(1)) 2>/dev/null | \
		sed -n 's/.*Library soname: \[\(.*\)\]/\1/p'),$(1))
$(B)/src/net/xc_lazy.o: CFLAGS += -std=gnu11 \
	-DXP_XENCTRL_SO='"$(call xp_soname,libxenctrl.so)"' \
	-DXP_XENTOOLLOG_SO='"$(call xp_soname,libxentoollog.so)"'
