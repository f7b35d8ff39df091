# src/map/: the map parser and network-bridge's legacy arguments, with
# their unit tests.  Other parts link $(CONF_OBJS); list it in a recipe or
# after this fragment is read (mk/*.mk are included in name order).

CONF_OBJS := $(B)/src/common/nametab.o $(B)/src/map/conf.o $(B)/src/map/conf_lex.o $(B)/src/map/conf_legacy.o \
             $(B)/src/map/applied.o \
             $(B)/src/common/validate.o

CONF_TESTS := $(B)/tests/unit/test_conf $(B)/tests/unit/test_validate $(B)/tests/unit/test_applied
UNIT_TESTS += $(CONF_TESTS)

$(B)/tests/unit/test_conf: $(B)/tests/unit/map/test_conf.o $(CONF_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/tests/unit/test_validate: $(B)/tests/unit/common/test_validate.o $(B)/src/common/validate.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

# the applied map (src/map/applied.c): format, atomic write, look-ups
$(B)/tests/unit/test_applied: $(B)/tests/unit/map/test_applied.o $(CONF_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

DEPS += $(B)/tests/unit/map/test_applied.d

# make bench's applied-map writer (bench/xpbapply.c, mk/bench.mk)
$(B)/bench/xpbapply: $(B)/bench/xpbapply.o $(CONF_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^
DEPS += $(CONF_OBJS:.o=.d) $(B)/tests/unit/map/test_conf.d $(B)/tests/unit/common/test_validate.d
