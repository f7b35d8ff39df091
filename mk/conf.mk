# The map parser (src/conf*.c) and the shared validators, with their unit
# tests.  Other parts link $(CONF_OBJS); list it in a recipe or after this
# fragment is read (mk/*.mk are included in name order).

CONF_OBJS := $(B)/src/conf.o $(B)/src/conf_lex.o $(B)/src/conf_legacy.o $(B)/src/validate.o

CONF_TESTS := $(B)/tests/unit/test_conf $(B)/tests/unit/test_validate
UNIT_TESTS += $(CONF_TESTS)

$(B)/tests/unit/test_conf: $(B)/tests/unit/test_conf.o $(CONF_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/tests/unit/test_validate: $(B)/tests/unit/test_validate.o $(B)/src/validate.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

DEPS += $(CONF_OBJS:.o=.d) $(CONF_TESTS:=.d)
