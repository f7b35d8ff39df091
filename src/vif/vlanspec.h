/* The xl vif `vlan` key: which VLANs a guest port carries on a VLAN-aware
 * bridge.  Terms separated by '/':
 *
 *   ID[p|u]        one VLAN; 'p' = PVID (implies untagged), 'u' = untagged
 *   LO-HI[u]       every VLAN from LO to HI (LO <= HI)
 *   BASE+STEPxN[u] BASE and N more, each STEP above the last
 *
 * Every id is 1..4094.  Exactly one VLAN must carry 'p', except that a spec
 * made of a single ID is that port's PVID without it.  A VLAN named twice is
 * an error.  Pure code: no I/O, no allocation. */
#ifndef XP_VLANSPEC_H
#define XP_VLANSPEC_H

#include <stddef.h>
#include <stdint.h>

#define XP_VID_MIN	1
#define XP_VID_MAX	4094
#define XP_VLANSPEC_MAX 1024 /* longest spec text accepted */

struct xp_vlanspec {
	uint8_t member[512];   /* bit per VLAN id: the port carries it */
	uint8_t untagged[512]; /* bit per VLAN id: egress untagged */
	int pvid;	       /* 0 = none */
	int count;	       /* number of member VLANs */
};

/* Flags of one run of VLANs sharing the same egress/pvid state. */
#define XP_VLAN_F_PVID	   1
#define XP_VLAN_F_UNTAGGED 2

void xp_vlanspec_init(struct xp_vlanspec *s);

/* Parse `text`.  0 on success; -1 with a message in err (which names the
 * offending term) on any error, *s then undefined. */
int xp_vlanspec_parse(const char *text, struct xp_vlanspec *s, char *err, size_t errlen);

/* Add one VLAN with XP_VLAN_F_* flags (the pvid flag replaces any earlier
 * pvid).  -1 if vid is out of range or already present. */
int xp_vlanspec_add(struct xp_vlanspec *s, int vid, int flags);

int xp_vlanspec_has(const struct xp_vlanspec *s, int vid);
int xp_vlanspec_flags(const struct xp_vlanspec *s, int vid);

/* Iterate maximal runs [*lo,*hi] of member VLANs with identical flags, the
 * PVID always a run of its own.  Start with *lo = 0; returns 0 while a run
 * was found, -1 when there are no more. */
int xp_vlanspec_next_run(const struct xp_vlanspec *s, int *lo, int *hi, int *flags);

/* Canonical text, e.g. "10p/20-30/40u"; truncated if buf is too small. */
void xp_vlanspec_format(const struct xp_vlanspec *s, char *buf, size_t len);

#endif
