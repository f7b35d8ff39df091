# src/vif/hooks.c: per-vif hooks (vif-hooks.d executables and the stock
# vif-post.d/*.hook fragments) run after a successful action.  Its own
# fragment (read after mk/vif.mk) until it joins VIF_SRCS there.
VIF_HOOKS_SRCS := src/vif/hooks.c

$(B)/tests/unit/test_vif_hooks: $(B)/tests/unit/vif/test_vif_hooks.o $(B)/src/vif/hooks.o \
		$(B)/src/common/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/unit/test_vif_hooks
DEPS       += $(B)/src/vif/hooks.d $(B)/tests/unit/vif/test_vif_hooks.d

# src/vif/vif_ovs.c: a vif on an Open vSwitch bridge (one OVSDB transaction
# per plug/unplug); joins VIF_SRCS with hooks.c once the vif helper calls them.
VIF_OVS_SRCS := src/vif/vif_ovs.c

$(B)/tests/unit/test_vif_ovs: $(B)/tests/unit/vif/test_vif_ovs.o $(B)/src/vif/vif_ovs.o \
		$(B)/src/vif/vlanspec.o $(B)/src/common/ovs.o $(B)/src/common/ovsdb.o \
		$(B)/src/common/log.o $(B)/src/common/xsutil.o
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(XS_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/unit/test_vif_ovs
DEPS       += $(B)/src/vif/vif_ovs.d $(B)/tests/unit/vif/test_vif_ovs.d
