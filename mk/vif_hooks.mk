# src/vif/hooks.c: per-vif hooks (vif-hooks.d executables and the stock
# vif-post.d/*.hook fragments) run after a successful action.  Its own
# fragment (read after mk/vif.mk) until it joins VIF_SRCS there.
VIF_HOOKS_SRCS := src/vif/hooks.c

$(B)/tests/unit/test_vif_hooks: $(B)/tests/unit/vif/test_vif_hooks.o $(B)/src/vif/hooks.o \
		$(B)/src/common/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/unit/test_vif_hooks
DEPS       += $(B)/src/vif/hooks.d $(B)/tests/unit/vif/test_vif_hooks.d
