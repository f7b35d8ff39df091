# src/vif/: vif-xenplumb, the vif hotplug helper, its unit tests and its libraries.
# Links the map parser ($(CONF_OBJS), mk/conf.mk) and the shared helpers.

VIF_SRCS := src/vif/vif-xenplumb.c src/vif/vif_args.c src/vif/vif_keys.c src/vif/vif_bridge.c \
            src/vif/vif_plumb.c src/vif/vif_steps.c src/vif/vlanspec.c src/vif/antispoof.c \
            src/vif/vif_lock.c src/vif/hooks.c src/vif/vif_ovs.c src/vif/antispoof_nd.c \
            src/vif/vif_route.c src/vif/vif_undo.c src/vif/vif_nat.c src/vif/vif_l3.c
VIF_OBJS := $(VIF_SRCS:%.c=$(B)/%.o)
VIF_BIN  := $(B)/vif-xenplumb

# VIF_STATIC_NL=1 links libnl-3 into vif-xenplumb statically.  Neither
# helper links libnl-route-3 any more (common/nl.c builds and parses the
# link requests on libnl-3): measured with both builds alternating in one
# loop (docs/bench.md), that took online from 2.84 to 2.49 ms, nearly all
# of what static linking of both libnl libraries gave (2.97 -> 2.55 ms),
# with libnl's security fixes still reaching the helper.  Static libnl-3
# stays off: a distribution wants those fixes without a rebuild (and
# LGPL-2.1 static linking obliges relinkable objects).
VIF_STATIC_NL ?= 0
ifeq ($(VIF_STATIC_NL),1)
VIF_NL_LIBS := -Wl,-Bstatic $(NL_LIBS) -Wl,-Bdynamic
else
VIF_NL_LIBS := $(NL_LIBS)
endif

$(VIF_BIN): $(VIF_OBJS) $(sort $(CONF_OBJS) $(COMMON_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(VIF_NL_LIBS) $(XS_LIBS) $(JSON_LIBS)

VIF_TESTS := $(B)/tests/unit/test_vlanspec $(B)/tests/unit/test_vif_bridge \
             $(B)/tests/unit/test_vif_keys $(B)/tests/unit/test_vif_args \
             $(B)/tests/unit/test_vif_antispoof $(B)/tests/unit/test_vif_steps \
             $(B)/tests/unit/test_vif_undo $(B)/tests/unit/test_vif_l3

$(B)/tests/unit/test_vlanspec: $(B)/tests/unit/vif/test_vlanspec.o $(B)/src/vif/vlanspec.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/tests/unit/test_vif_bridge: $(B)/tests/unit/vif/test_vif_bridge.o $(B)/src/vif/vif_bridge.o \
		$(B)/src/vif/vlanspec.o $(B)/src/common/validate.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/tests/unit/test_vif_keys: $(B)/tests/unit/vif/test_vif_keys.o $(B)/src/vif/vif_keys.o \
		$(B)/src/vif/vlanspec.o $(B)/src/common/validate.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/tests/unit/test_vif_args: $(B)/tests/unit/vif/test_vif_args.o $(B)/src/vif/vif_args.o \
		$(B)/src/common/validate.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/tests/unit/test_vif_antispoof: $(B)/tests/unit/vif/test_vif_antispoof.o $(B)/src/vif/antispoof.o \
		$(B)/src/vif/antispoof_nd.o $(B)/src/common/nft.o $(B)/src/common/nl.o $(B)/src/common/nametab.o $(B)/src/common/log.o \
		$(B)/src/common/validate.o
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(NL_LIBS) $(CMOCKA_LIBS)

$(B)/tests/unit/test_vif_steps: $(B)/tests/unit/vif/test_vif_steps.o $(B)/src/vif/vif_steps.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/tests/unit/test_vif_undo: $(B)/tests/unit/vif/test_vif_undo.o $(B)/src/vif/vif_undo.o \
		$(B)/src/common/regfile.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

# vif_l3's choices are pure; the rest of the routed/NAT modules only link in
$(B)/tests/unit/test_vif_l3: $(B)/tests/unit/vif/test_vif_l3.o $(B)/src/vif/vif_l3.o \
		$(B)/src/vif/vif_route.o $(B)/src/vif/vif_nat.o $(B)/src/vif/vif_undo.o \
		$(B)/src/vif/antispoof.o $(B)/src/vif/antispoof_nd.o $(sort $(CONF_OBJS) $(COMMON_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(NL_LIBS) $(XS_LIBS) $(CMOCKA_LIBS)

BINS       += $(VIF_BIN)
UNIT_TESTS += $(VIF_TESTS)
DEPS       += $(VIF_OBJS:.o=.d) $(patsubst $(B)/tests/unit/%,$(B)/tests/unit/vif/%.d,$(VIF_TESTS))
