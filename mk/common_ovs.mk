# src/common/ovsdb.c (an RFC 7047 OVSDB client over json-c) and ovs.c (Open
# vSwitch's Bridge/Port/Interface rows over it), shared by both helpers.
# Both are in COMMON_SRCS (mk/common.mk); their unit test and the test
# drivers tests/tools/ovsdbc (ovs.c) and ovsnetc (src/net/ovsnet.c) here.
OVS_COMMON_SRCS := src/common/ovsdb.c src/common/ovs.c

$(B)/tests/unit/test_ovsdb: $(B)/tests/unit/common/test_ovsdb.o \
		$(OVS_COMMON_SRCS:%.c=$(B)/%.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/unit/test_ovsdb
DEPS       += $(B)/tests/unit/common/test_ovsdb.d

# tests/tools/ovsdbc: drives ovs.c against a real ovsdb-server (netns tests)
$(B)/tests/tools/ovsdbc: $(B)/tests/tools/ovsdbc.o $(OVS_COMMON_SRCS:%.c=$(B)/%.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS)

TEST_BINS += $(B)/tests/tools/ovsdbc
DEPS      += $(B)/tests/tools/ovsdbc.d

$(B)/tests/tools/ovsnetc: $(B)/tests/tools/ovsnetc.o $(B)/src/net/ovsnet.o \
		$(OVS_COMMON_SRCS:%.c=$(B)/%.o) $(B)/src/common/nl.o $(B)/src/common/log.o \
		$(B)/src/common/nametab.o
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(NL_LIBS)
TEST_BINS += $(B)/tests/tools/ovsnetc
DEPS      += $(B)/tests/tools/ovsnetc.d
