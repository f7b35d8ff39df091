# src/net/: network-xenplumb, the map made live over netlink.  The planner
# (plan.c, the plan halves of src/net/kind/*.c) is pure and unit-tested;
# observe/exec/addrmove talk netlink.

NET_KINDS     := src/net/kind/bridge.c src/net/kind/bond.c src/net/kind/vlan.c src/net/kind/dummy.c
NET_CORE_SRCS := src/net/plan.c $(NET_KINDS) \
                 src/net/observe.c src/net/state.c src/net/exec.c src/net/addrmove.c
NET_SRCS      := src/net/network-xenplumb.c src/net/status.c src/net/xc_lazy.c src/net/lock.c \
                 $(NET_CORE_SRCS)
NET_OBJS      := $(NET_SRCS:%.c=$(B)/%.o)
NET_CORE_OBJS := $(NET_CORE_SRCS:%.c=$(B)/%.o)
NET_BIN       := $(B)/network-xenplumb

$(NET_BIN): $(NET_OBJS) $(sort $(CONF_OBJS) $(COMMON_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(XS_LIBS) $(JSON_LIBS)

$(B)/tests/unit/test_plan: $(B)/tests/unit/net/test_plan.o $(NET_CORE_OBJS) \
		$(sort $(CONF_OBJS) $(B)/src/common/log.o $(B)/src/common/nl.o $(B)/src/common/bridge.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(CMOCKA_LIBS)

BINS       += $(NET_BIN)
UNIT_TESTS += $(B)/tests/unit/test_plan
DEPS       += $(NET_OBJS:.o=.d) $(B)/tests/unit/net/test_plan.d

# xenctrl.h needs GNU C (anonymous unions in the public headers).
$(B)/src/net/status.o: CFLAGS += -std=gnu11

# libxenctrl is dlopened by status alone (src/net/xc_lazy.c): its soname, and
# libxentoollog's, as the linker would have recorded them.
xp_soname = $(or $(shell readelf -d $$($(CC) -print-file-name=$(1)) 2>/dev/null | \
		sed -n 's/.*Library soname: \[\(.*\)\]/\1/p'),$(1))
$(B)/src/net/xc_lazy.o: CFLAGS += -std=gnu11 \
	-DXP_XENCTRL_SO='"$(call xp_soname,libxenctrl.so)"' \
	-DXP_XENTOOLLOG_SO='"$(call xp_soname,libxentoollog.so)"'
