# network-xenplumb: the map made live over netlink.  The planner (plan.c,
# nd_*.c) is pure and unit-tested; observe/exec/addrmove talk netlink.

NET_CORE_SRCS := src/plan.c src/nd_bridge.c src/nd_bond.c src/nd_vlan.c src/nd_dummy.c \
                 src/observe.c src/state.c src/exec.c src/addrmove.c
NET_SRCS      := src/network-xenplumb.c src/status.c src/xc_lazy.c src/lock.c $(NET_CORE_SRCS)
NET_OBJS      := $(NET_SRCS:%.c=$(B)/%.o)
NET_CORE_OBJS := $(NET_CORE_SRCS:%.c=$(B)/%.o)
NET_BIN       := $(B)/network-xenplumb

$(NET_BIN): $(NET_OBJS) $(sort $(CONF_OBJS) $(B)/src/log.o $(B)/src/nlutil.o $(B)/src/validate.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(XS_LIBS) $(JSON_LIBS)

$(B)/tests/unit/test_plan: $(B)/tests/unit/test_plan.o $(NET_CORE_OBJS) \
		$(sort $(CONF_OBJS) $(B)/src/log.o $(B)/src/nlutil.o $(B)/src/validate.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(CMOCKA_LIBS)

BINS       += $(NET_BIN)
UNIT_TESTS += $(B)/tests/unit/test_plan
DEPS       += $(NET_OBJS:.o=.d) $(B)/tests/unit/test_plan.d

# xenctrl.h needs GNU C (anonymous unions in the public headers).
$(B)/src/status.o: CFLAGS += -std=gnu11

# libxenctrl is dlopened by status alone (src/xc_lazy.c): its soname, and
# libxentoollog's, as the linker would have recorded them.
xp_soname = $(or $(shell readelf -d $$($(CC) -print-file-name=$(1)) 2>/dev/null | \
		sed -n 's/.*Library soname: \[\(.*\)\]/\1/p'),$(1))
$(B)/src/xc_lazy.o: CFLAGS += -std=gnu11 \
	-DXP_XENCTRL_SO='"$(call xp_soname,libxenctrl.so)"' \
	-DXP_XENTOOLLOG_SO='"$(call xp_soname,libxentoollog.so)"'
