# make bench: xenplumb side by side with Debian's stock vif-bridge on the
# same harness (real xenstored, a private network namespace, veth vifs, a
# bridge), plus network-xenplumb start/reload of a 64-VLAN map in the VM.
# Not part of `make test`: it measures, it does not judge.  See docs/bench.md.
#   make bench                     everything (host part, then the VM part)
#   make bench BENCH_ARGS=--no-vm  host part only
#   make bench BENCH_ARGS=--quick  fewer runs (a smoke test of the harness)

BENCH_TIME := $(B)/bench/xpbtime
BENCH_APPLY := $(B)/bench/xpbapply
BENCH_FLOOR := $(B)/bench/xpbfloor
BENCH_WORK := $(B)/bench/xpbwork
BENCH_ARGS ?=

$(BENCH_TIME): $(B)/bench/xpbtime.o
	$(CC) $(LDFLAGS) -o $@ $^

# static: the floor has no dynamic loading either
$(BENCH_FLOOR): $(B)/bench/xpbfloor.o
	$(CC) $(LDFLAGS) -static -o $@ $^

# the same source plus the helper's xenstore requests, libxenstore linked in
# statically (a measuring tool, never installed)
$(B)/bench/xpbwork.o: bench/xpbfloor.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DXPB_WORK -MF $(B)/bench/xpbwork.d -c -o $@ $<

$(BENCH_WORK): $(B)/bench/xpbwork.o
	$(CC) $(LDFLAGS) -static -o $@ $^ -lxenstore -lxentoolcore

# $(BENCH_APPLY) (bench/xpbapply.c) links $(CONF_OBJS): its rule is in
# mk/conf.mk, which is read after this fragment.

.PHONY: bench
bench: $(BENCH_TIME) $(BENCH_APPLY) $(BENCH_FLOOR) $(BENCH_WORK) $(B)/vif-xenplumb $(B)/network-xenplumb $(B)/tests/xs/xsstub.so
	B=$(B) bench/run $(BENCH_ARGS)

DEPS += $(B)/bench/xpbtime.d $(B)/bench/xpbapply.d $(B)/bench/xpbfloor.d \
        $(B)/bench/xpbwork.d
