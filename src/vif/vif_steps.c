/* Steps with recorded undos; see vif_steps.h. */
#include "vif/vif_steps.h"

void vif_steps_init(struct vif_steps *s, void *ctx)
{
	s->ctx = ctx;
	s->n = 0;
}

int vif_steps_record(struct vif_steps *s, vif_undo_fn *fn)
{
	if (s->n >= VIF_UNDO_MAX)
		return -1;
	s->undo[s->n++] = fn;
	return 0;
}

void vif_steps_undo(struct vif_steps *s)
{
	while (s->n > 0)
		s->undo[--s->n](s->ctx);
}

int vif_steps_run(struct vif_steps *s, const struct vif_step *steps, size_t n, const char **failed)
{
	if (failed)
		*failed = NULL;
	for (size_t i = 0; i < n; i++) {
		if (steps[i].run(s, s->ctx) == 0)
			continue;
		if (failed)
			*failed = steps[i].name;
		vif_steps_undo(s);
		return -1;
	}
	return 0;
}
