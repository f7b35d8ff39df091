#include "net/planout.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "net/steps.h"

/* The executor's view of a master's ifindex, before anything is applied:
 * what observe saw, or (1) a bridge an earlier op of the plan creates. */
struct sim {
	const struct xp_plan *p;
	const struct xp_observed *o;
	size_t cur; /* the op being taken: every op before it is done */
};

static int sim_ifindex(void *ctx, const char *name)
{
	const struct sim *s = ctx;
	const struct xp_obs_link *l = xp_obs_find(s->o, name);

	if (l && l->kind != XP_K_ABSENT && l->ifindex > 0)
		return l->ifindex;
	return xp_plan_has_op(s->p, XP_OP_CREATE, name, s->cur);
}

/* The executor's loop (xp_exec_run) without sending: each op, then what
 * it folds in, counted right after it. */
size_t xp_plan_steps(const struct xp_plan *p, const struct xp_observed *o, size_t *order)
{
	unsigned char *done = calloc(p->n + 1, 1);
	struct sim s = {p, o, 0};
	struct xp_fold f;
	size_t k = 0;

	if (!done)
		abort();
	for (size_t i = 0; i < p->n; i++) {
		if (done[i])
			continue;
		s.cur = i;
		xp_plan_fold(p, i, done, sim_ifindex, &s, &f);
		order[k++] = i;
		for (int j = 0; j < f.n; j++) {
			done[f.at[j]] = 1;
			order[k++] = f.at[j];
		}
	}
	free(done);
	return k;
}

void xp_plan_print_steps(const struct xp_plan *p, const size_t *order, FILE *out)
{
	char line[400];

	fprintf(out, "plan (%zu operation%s, dry run: nothing changed):\n", p->n,
		p->n == 1 ? "" : "s");
	for (size_t k = 0; k < p->n; k++) {
		xp_op_format(&p->ops[order[k]], line, sizeof(line));
		fprintf(out, "%4zu. %s\n", k + 1, line);
	}
}

static json_object *jstr(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

json_object *xp_plan_json_steps(const struct xp_plan *p, const size_t *order)
{
	json_object *a = json_object_new_array();
	char line[400];

	for (size_t k = 0; k < p->n; k++) {
		const struct xp_op *op = &p->ops[order[k]];
		json_object *s = json_object_new_object();

		xp_op_format(op, line, sizeof(line));
		json_object_object_add(s, "step", json_object_new_int((int)k + 1));
		json_object_object_add(s, "op", jstr(xp_op_name(op->type)));
		json_object_object_add(s, "device", jstr(op->dev));
		json_object_object_add(s, "peer", jstr(op->peer));
		json_object_object_add(s, "text", json_object_new_string(line));
		json_object_array_add(a, s);
	}
	return a;
}

json_object *xp_plan_json_notes(const struct xp_plan *p)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < p->nnotes; i++)
		json_object_array_add(a, json_object_new_string(p->notes[i]));
	return a;
}

json_object *xp_plan_json_drift(const struct xp_plan *p)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < p->ndrift; i++) {
		json_object *d = json_object_new_object();
		json_object_object_add(d, "device", json_object_new_string(p->drift[i].device));
		json_object_object_add(d, "what", json_object_new_string(p->drift[i].what));
		json_object_object_add(d, "want", json_object_new_string(p->drift[i].want));
		json_object_object_add(d, "have", json_object_new_string(p->drift[i].have));
		json_object_array_add(a, d);
	}
	return a;
}

const struct xp_op *xp_plan_op_of(const struct xp_plan *p, const char *text)
{
	char line[400];

	for (size_t i = 0; text && i < p->n; i++) {
		size_t n;
		xp_op_format(&p->ops[i], line, sizeof(line));
		n = strlen(line);
		if (!strncmp(text, line, n) && (text[n] == '\0' || text[n] == ' '))
			return &p->ops[i];
	}
	return NULL;
}
