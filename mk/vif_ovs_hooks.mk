# Unit tests of src/vif/hooks.c (per-vif hooks: vif-hooks.d executables and
# the stock vif-post.d/*.hook fragments) and src/vif/vif_ovs.c (a vif on an
# Open vSwitch bridge); both are in VIF_SRCS (mk/vif.mk).

$(B)/tests/unit/test_vif_hooks: $(B)/tests/unit/vif/test_vif_hooks.o $(B)/src/vif/hooks.o \
		$(B)/src/common/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/unit/test_vif_hooks
DEPS       += $(B)/tests/unit/vif/test_vif_hooks.d

$(B)/tests/unit/test_vif_ovs: $(B)/tests/unit/vif/test_vif_ovs.o $(B)/src/vif/vif_ovs.o \
		$(B)/src/vif/vlanspec.o $(B)/src/common/ovs.o $(B)/src/common/ovsdb.o \
		$(B)/src/common/log.o $(B)/src/common/xsutil.o
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(XS_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/unit/test_vif_ovs
DEPS       += $(B)/tests/unit/vif/test_vif_ovs.d
