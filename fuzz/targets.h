/* Fuzz entry points, shared by the libFuzzer binaries (fuzz/fz_*.c, built
 * by mk/fuzz.mk) and by the unit-tier replay of the seed corpora and the
 * crashers (tests/unit/test_fuzz_regress.c, built without libFuzzer).
 *
 * Each takes arbitrary bytes and drives one pure parser of xenplumb; an
 * invariant that does not hold calls abort(), which both libFuzzer and the
 * replay report.  They return 0 (libFuzzer's "keep going"). */
#ifndef XP_FUZZ_TARGETS_H
#define XP_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

typedef int (*xpf_fn)(const uint8_t *data, size_t size);

/* The map parser over arbitrary text; includes resolve inside a private
 * temporary directory (see fuzz/targets.c). */
int xpf_conf(const uint8_t *data, size_t size);
/* network-bridge legacy arguments: argv split from the input on '\n'/NUL. */
int xpf_legacy(const uint8_t *data, size_t size);
/* Validators (ifname, mac, uint, mtu, vlan id, ip, text, ip lists) and the
 * VLAN-spec parser, which must round-trip through its canonical form. */
int xpf_values(const uint8_t *data, size_t size);
/* The backend keys (vif_keys_parse), fields split on '\n'. */
int xpf_vifkeys(const uint8_t *data, size_t size);
/* vif-xenplumb's argv (vif_inv_parse, backend path, device name). */
int xpf_vifargs(const uint8_t *data, size_t size);
/* Bridge-key resolution over a fake, deterministic link/network lookup. */
int xpf_vifbridge(const uint8_t *data, size_t size);
/* The planner (start, reload, stop) over a generated map x observed state
 * x state records; asserts plan.h's rules (fuzz/plan.c). */
int xpf_plan(const uint8_t *data, size_t size);

struct xpf_target {
	const char *name;
	xpf_fn fn;
};
/* Every target, NULL-terminated; names match fuzz/corpus/NAME. */
extern const struct xpf_target xpf_targets[];

#endif
