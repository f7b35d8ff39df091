/* A run of steps that each make one change and record how to take it back;
 * the first failing step makes the run take back every recorded change, the
 * newest first.  Pure: no netlink, no I/O, so tests/unit/vif drives it with
 * fake steps.
 *
 * A step records its undo when it has made (or may have partly made) its
 * change: before a request the kernel may apply in part, after one it
 * applies whole.  A step with nothing to do returns 0 and records nothing. */
#ifndef XP_VIF_STEPS_H
#define XP_VIF_STEPS_H

#include <stddef.h>

/* More than any run records (vif_plumb_up: at most five). */
#define VIF_UNDO_MAX 8

typedef void vif_undo_fn(void *ctx);

struct vif_steps {
	void *ctx; /* handed to every step and undo */
	vif_undo_fn *undo[VIF_UNDO_MAX];
	size_t n;
};

struct vif_step {
	const char *name;
	/* 0 done (or nothing to do); -1 failed, having said why itself */
	int (*run)(struct vif_steps *s, void *ctx);
};

void vif_steps_init(struct vif_steps *s, void *ctx);

/* Record fn as the undo of the change being made.  0, or -1 when the list
 * is full (a step must then fail without making its change). */
int vif_steps_record(struct vif_steps *s, vif_undo_fn *fn);

/* Every recorded undo, the newest first; the list is empty afterwards. */
void vif_steps_undo(struct vif_steps *s);

/* Run steps[0..n-1] in order.  0 when all ran; -1 when one failed, after
 * undoing what the run recorded.  *failed (when not NULL) names the failed
 * step, NULL on success. */
int vif_steps_run(struct vif_steps *s, const struct vif_step *steps, size_t n, const char **failed);

#endif
