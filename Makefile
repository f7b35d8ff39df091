# xenplumb — top-level build.  `make` builds everything into $(B); `make test`
# runs every test tier (unit, xenstore, netns, VM) plus the sanitizer build.
# Each part of the tree owns a fragment in mk/*.mk that adds to the variables
# below; this file only holds what they share.

CC      ?= cc
B       ?= build
SAN     ?= 0
PKG_CONFIG ?= pkg-config

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla
CSTD    := -std=c11 -D_GNU_SOURCE
OPT     ?= -O2 -g
ifeq ($(SAN),1)
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
           -fno-sanitize-recover=all
LDSAN   := -fsanitize=address,undefined
endif

NL_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libnl-3.0 2>/dev/null)
NL_LIBS    := $(shell $(PKG_CONFIG) --libs libnl-3.0 2>/dev/null)
JSON_CFLAGS:= $(shell $(PKG_CONFIG) --cflags json-c 2>/dev/null)
JSON_LIBS  := $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null)
XS_LIBS    := -lxenstore
XC_LIBS    := -lxenctrl
CMOCKA_LIBS:= $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

CFLAGS  ?=
CFLAGS  += $(CSTD) $(WARN) $(OPT) -Isrc $(NL_CFLAGS) $(JSON_CFLAGS) -MMD -MP
LDFLAGS += $(LDSAN)

# Fragments append to these.
BINS       :=   # installed helpers
TEST_BINS  :=   # test programs and utilities (never installed)
UNIT_TESTS :=   # cmocka test binaries run by test-unit
DEPS       :=

.PHONY: all clean test test-unit test-xs test-netns test-vm test-san demo check-deps
all:

include $(sort $(wildcard mk/*.mk))

all: $(BINS) $(TEST_BINS) $(UNIT_TESTS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The README's test command.  Every tier runs; none skips silently.
test:
	tests/run-all

test-unit: all
	tests/run-tier unit

test-xs: all
	tests/run-tier xs

test-netns: all
	tests/run-tier netns

test-vm: all
	tests/run-tier vm

test-san:
	$(MAKE) SAN=1 B=build/san all
	B=build/san tests/run-tier unit
	B=build/san tests/run-tier xs
	B=build/san tests/run-tier netns

clean:
	rm -rf build

-include $(DEPS)
