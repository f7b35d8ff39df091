# src/common/ovsdb.c (an RFC 7047 OVSDB client over json-c) and ovs.c (Open
# vSwitch's Bridge/Port/Interface rows over it), shared by both helpers.
# Its own fragment, read after mk/common.mk (file names sort so), until
# they join COMMON_SRCS there.
OVS_COMMON_SRCS := src/common/ovsdb.c src/common/ovs.c
COMMON_SRCS += $(OVS_COMMON_SRCS)
COMMON_OBJS += $(OVS_COMMON_SRCS:%.c=$(B)/%.o)

$(B)/tests/unit/test_ovsdb: $(B)/tests/unit/common/test_ovsdb.o \
		$(OVS_COMMON_SRCS:%.c=$(B)/%.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/unit/test_ovsdb
DEPS       += $(OVS_COMMON_SRCS:%.c=$(B)/%.d) $(B)/tests/unit/common/test_ovsdb.d

# tests/tools/ovsdbc: drives ovs.c against a real ovsdb-server (netns tests)
$(B)/tests/tools/ovsdbc: $(B)/tests/tools/ovsdbc.o $(OVS_COMMON_SRCS:%.c=$(B)/%.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS)

TEST_BINS += $(B)/tests/tools/ovsdbc
DEPS      += $(B)/tests/tools/ovsdbc.d

# src/net/ovsnet.c: the map's Open vSwitch bridges for network-xenplumb
# (compiled here until it joins mk/net.mk's object list)
$(B)/tests/tools/ovsnetc: $(B)/tests/tools/ovsnetc.o $(B)/src/net/ovsnet.o \
		$(OVS_COMMON_SRCS:%.c=$(B)/%.o) $(B)/src/common/nl.o $(B)/src/common/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(NL_LIBS)
TEST_BINS += $(B)/tests/tools/ovsnetc
DEPS      += $(B)/tests/tools/ovsnetc.d $(B)/src/net/ovsnet.d
