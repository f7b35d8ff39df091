#include "net/report.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define PROG "network-xenplumb"

static int rep_syslog;
static json_object *rep_errors;

void xp_report_init(int syslog_on, int json)
{
	rep_syslog = syslog_on;
	if (rep_errors)
		json_object_put(rep_errors);
	rep_errors = json ? json_object_new_array() : NULL;
}

static void said(int prio, const char *msg)
{
	if (rep_syslog)
		xp_log(prio, "%s", msg);
	if (rep_errors && prio <= LOG_ERR)
		json_object_array_add(rep_errors, json_object_new_string(msg));
}

void xp_say(int prio, const char *fmt, ...)
{
	char msg[1400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, PROG ": %s\n", msg);
	said(prio, msg);
}

void xp_say_raw(int prio, const char *msg)
{
	fflush(stdout);
	fprintf(stderr, "%s\n", msg);
	said(prio, msg);
}

void xp_note(int prio, const char *fmt, ...)
{
	char msg[1400];
	va_list ap;

	if (!rep_syslog)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xp_log(prio, "%s", msg);
}

json_object *xp_report_errors(void)
{
	json_object *e = rep_errors;

	rep_errors = NULL;
	return e;
}

/* ---- the executor's progress lines -------------------------------------- */

static void jadd(json_object *arr, const char *k1, json_object *v1, const char *k2, json_object *v2)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, k1, v1);
	json_object_object_add(o, k2, v2);
	json_object_array_add(arr, o);
}

static void progress_line(struct xp_progress *p, const char *l)
{
	const char *cmd = p->command ? p->command : "run";
	int step = 0, off = 0;

	if (sscanf(l, " %d. %n", &step, &off) == 1 && off > 0 && step > 0) {
		xp_note(LOG_NOTICE, "%s: %d. %s", cmd, step, l + off);
		if (p->steps)
			jadd(p->steps, "step", json_object_new_int(step), "text",
			     json_object_new_string(l + off));
	} else if (!strncmp(l, "FAILED: ", 8)) {
		xp_note(LOG_ERR, "%s: %s", cmd, l);
	} else if (!strncmp(l, "  undone: ", 10)) {
		xp_note(LOG_NOTICE, "%s: rollback: undone: %s", cmd, l + 10);
		if (p->rollback)
			jadd(p->rollback, "text", json_object_new_string(l + 10), "undone",
			     json_object_new_boolean(1));
	} else if (!strncmp(l, "  undo FAILED: ", 15)) {
		xp_note(LOG_ERR, "%s: rollback: undo FAILED: %s", cmd, l + 15);
		if (p->rollback)
			jadd(p->rollback, "text", json_object_new_string(l + 15), "undone",
			     json_object_new_boolean(0));
	} else if (!strncmp(l, "rolling back", 12)) {
		xp_note(LOG_WARNING, "%s: %s", cmd, l);
	} else if (!strncmp(l, "warning: ", 9)) {
		xp_note(LOG_WARNING, "%s: %s", cmd, l + 9);
	} else if (*l) {
		xp_note(LOG_INFO, "%s: %s", cmd, l);
	}
}

static ssize_t progress_write(void *cookie, const char *buf, size_t size)
{
	struct xp_progress *p = cookie;

	if (!p->quiet) {
		fwrite(buf, 1, size, stdout);
		fflush(stdout);
	}
	for (size_t i = 0; i < size; i++) {
		if (buf[i] != '\n') {
			if (p->n < sizeof(p->line) - 1)
				p->line[p->n++] = buf[i];
			continue;
		}
		p->line[p->n] = '\0';
		progress_line(p, p->line);
		p->n = 0;
	}
	return (ssize_t)size;
}

static int progress_close(void *cookie)
{
	struct xp_progress *p = cookie;

	if (p->n) {
		p->line[p->n] = '\0';
		progress_line(p, p->line);
		p->n = 0;
	}
	return 0;
}

FILE *xp_progress_open(struct xp_progress *p)
{
	cookie_io_functions_t io = {.write = progress_write, .close = progress_close};
	FILE *f;

	p->n = 0;
	f = fopencookie(p, "w", io);
	if (f)
		setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

const char *xp_kind_module(const char *kind)
{
	static const char *const map[][2] = {
	    {"bridge", "bridge"},   {"bond", "bonding"},
	    {"vlan", "8021q"},	    {"dummy", "dummy"},
	    {"vxlan", "vxlan"},	    {"openvswitch", "openvswitch"},
	    {"ovs", "openvswitch"}, {"ovs-bridge", "openvswitch"},
	};

	for (size_t i = 0; kind && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(kind, map[i][0]))
			return map[i][1];
	return NULL;
}
