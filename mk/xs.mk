# xenstore test tier: the LD_PRELOAD stub that lets the real xenstored run
# without a hypervisor, and the cmocka test run against it by
# tests/run-tier xs (through tests/xs/with-xenstored).

XS_STUB_SO := $(B)/tests/xs/xsstub.so
XS_TEST    := $(B)/tests/xs/test_xenstore
XS_REPORT_TEST := $(B)/tests/xs/test_xsreport

# The stub is preloaded into Debian's (non-sanitized) xenstored, so it is
# always built with plain flags, never with $(OPT)'s sanitizers, even when
# SAN=1.  gnu11, not c11: <xenctrl.h> uses anonymous unions.
XS_STUB_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -g -fPIC -MMD -MP

$(B)/tests/xs/xsstub.o: tests/xs/xsstub.c
	@mkdir -p $(dir $@)
	$(CC) $(XS_STUB_CFLAGS) -c -o $@ $<

$(XS_STUB_SO): $(B)/tests/xs/xsstub.o
	$(CC) -shared -o $@ $^ -ldl

$(XS_TEST): $(B)/tests/xs/test_xenstore.o
	$(CC) $(LDFLAGS) -o $@ $^ $(XS_LIBS) $(CMOCKA_LIBS)

# hotplug-status/-error and the frontend mtu (src/common/xsutil.c) against
# the real daemon
$(XS_REPORT_TEST): $(B)/tests/xs/test_xsreport.o $(B)/src/common/xsutil.o
	$(CC) $(LDFLAGS) -o $@ $^ $(XS_LIBS) $(CMOCKA_LIBS)

TEST_BINS += $(XS_STUB_SO) $(XS_TEST) $(XS_REPORT_TEST)
DEPS      += $(B)/tests/xs/xsstub.d $(B)/tests/xs/test_xenstore.d $(B)/tests/xs/test_xsreport.d
