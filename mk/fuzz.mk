# Fuzzing (fuzz/): libFuzzer targets over xenplumb's pure parsers, and their
# replay in the unit tier.  See docs/hardening.md.
#
#   make fuzz        every target for FUZZ_SECONDS (default 600) each,
#                    FUZZ_JOBS (default 2) at a time
#   make fuzz-smoke  every target for about 10 s (meant for `make test`)
#   make fuzz-bins   just build $(FUZZ_B)/fz_*
#
# The fuzzers are always built with clang, -fsanitize=fuzzer,address,
# undefined, into $(FUZZ_B) (never mixed with $(B)'s objects).  Seeds come
# from fuzz/corpus/TARGET (hand-written values, tests/maps/{good,bad} for
# conf); new inputs go to $(FUZZ_B)/work/TARGET, crashes to
# $(FUZZ_B)/crash-TARGET-*.  A crash found is copied by hand into
# fuzz/crashers/TARGET/, which test_fuzz_regress replays forever after.

FUZZ_CC      ?= clang
FUZZ_B       := $(B)/fuzzer
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_JOBS    ?= 2
FUZZ_TARGETS := conf legacy values vifkeys vifargs vifbridge plan
FUZZ_FLAGS   := -std=c11 -D_GNU_SOURCE $(WARN) -O1 -g -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=all -Isrc $(NL_CFLAGS) \
                $(JSON_CFLAGS) -MMD -MP
# The planner as test_plan links it (mk/net.mk; mk/*.mk are read in name
# order, so listed here by name).
FUZZ_PLAN_SRCS := src/net/plan.c src/net/pctx.c src/net/kinds.c src/net/kind/bridge.c \
                  src/net/kind/bond.c src/net/kind/vlan.c src/net/kind/dummy.c src/net/obs.c \
                  src/net/state.c src/net/steps.c src/common/nametab.c src/common/brinfo.c \
                  fuzz/plan.c
FUZZ_LIB_SRCS := src/map/conf.c src/map/conf_lex.c src/map/conf_legacy.c src/common/validate.c \
                 src/vif/vlanspec.c src/vif/vif_keys.c src/vif/vif_args.c src/vif/vif_bridge.c \
                 fuzz/targets.c $(FUZZ_PLAN_SRCS)
FUZZ_LIB_OBJS := $(FUZZ_LIB_SRCS:%.c=$(FUZZ_B)/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_B)/fz_%)

$(FUZZ_B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_B)/fz_%: $(FUZZ_B)/fuzz/fz_%.o $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(JSON_LIBS)

.PHONY: fuzz fuzz-smoke fuzz-bins
fuzz-bins: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	B=$(B) FUZZ_B=$(FUZZ_B) fuzz/run $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

fuzz-smoke: $(FUZZ_BINS)
	B=$(B) FUZZ_B=$(FUZZ_B) fuzz/run $(FUZZ_SMOKE_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

# The unit-tier replay: the same entry points, built with $(CC) and the
# project's flags (and SAN=1's sanitizers), no libFuzzer.
FUZZ_REGRESS := $(B)/tests/unit/test_fuzz_regress
$(FUZZ_REGRESS): $(B)/tests/unit/test_fuzz_regress.o $(B)/fuzz/targets.o \
		$(sort $(CONF_OBJS) $(B)/src/vif/vlanspec.o $(B)/src/vif/vif_keys.o $(B)/src/vif/vif_args.o \
		$(B)/src/vif/vif_bridge.o $(FUZZ_PLAN_SRCS:%.c=$(B)/%.o))
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(FUZZ_REGRESS)
DEPS       += $(FUZZ_REGRESS).d $(B)/fuzz/targets.d $(B)/fuzz/plan.d \
              $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz/fz_%.d)
