# src/net/ commands: network-xenplumb's command table, status (one JSON
# model, rendered as the table) and the state journal's unit test.
# Read before mk/net.mk (name order: "net-" sorts before "net."), so the
# variables defined there are empty here: objects are named directly.

# Sources of network-xenplumb added by the command/status split; the
# binary's rule (mk/net.mk) links its prerequisites ($^), these included.
NET_CMD_SRCS := src/net/status_text.c src/net/report.c src/net/planout.c
NET_CMD_OBJS := $(NET_CMD_SRCS:%.c=$(B)/%.o)
$(B)/network-xenplumb: $(NET_CMD_OBJS)

# The state journal, without root: state.o and what it calls (observe.o
# for the kind names and address/route comparison, which needs the map's
# lookups, and the shared helpers).  $(CONF_OBJS): mk/conf.mk, read before.
$(B)/tests/unit/test_state: $(B)/tests/unit/net/test_state.o $(B)/src/net/state.o \
		$(B)/src/net/observe.o $(sort $(CONF_OBJS) $(B)/src/common/log.o \
		$(B)/src/common/nl.o $(B)/src/common/bridge.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/unit/test_state
DEPS       += $(NET_CMD_OBJS:.o=.d) $(B)/tests/unit/net/test_state.d
