# Test utilities: the link-event witness and the netlink probe (tests/tools).
TOOLS_B    := $(B)/tests/tools
TOOLS_OBJS := $(TOOLS_B)/nlq.o $(TOOLS_B)/witness.o $(TOOLS_B)/nlprobe.o

$(TOOLS_B)/witness: $(TOOLS_B)/witness.o $(TOOLS_B)/nlq.o
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS)

$(TOOLS_B)/nlprobe: $(TOOLS_B)/nlprobe.o $(TOOLS_B)/nlq.o
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS)

TEST_BINS += $(TOOLS_B)/witness $(TOOLS_B)/nlprobe
DEPS      += $(TOOLS_OBJS:.o=.d)
