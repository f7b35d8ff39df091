/* What network-xenplumb tells: every error, refusal, applied operation
 * and rollback goes to stderr/stdout as before and, for a run that changes
 * the host (start, stop, reload without --dry-run), to syslog as well
 * (docs/logging.md: facility daemon, tag network-xenplumb, err for what
 * failed or was refused, warning for what was left as it is on purpose,
 * notice for each change and each undo, info for the rest).  With --json
 * the messages are also collected for the JSON answer.  status, check and
 * dry runs change nothing and log nothing. */
#ifndef XP_NET_REPORT_H
#define XP_NET_REPORT_H

#include <stdio.h>

struct json_object;
struct xp_plan;

/* syslog: send the messages to syslog too.  json: collect errors for
 * xp_report_errors(). */
void xp_report_init(int syslog, int json);
/* "network-xenplumb: MESSAGE" to stderr (and syslog at prio). */
void xp_say(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* MESSAGE as it is (a map diagnostic "FILE:LINE: ...") to stderr and
 * syslog. */
void xp_say_raw(int prio, const char *msg);
/* To syslog only (when on), e.g. a line already printed to stdout. */
void xp_note(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The error messages said so far (a JSON array owned by the caller, or
 * NULL without json). */
struct json_object *xp_report_errors(void);

/* The executor's progress lines ("  3. add port ...", "FAILED: ...",
 * "  undone: ...") as a stream: each line goes to stdout unless quiet,
 * to syslog with a priority by its kind, and into steps/rollback (JSON
 * arrays, when not NULL) as {step, text} / {text, undone}. */
struct xp_progress {
	int quiet;
	const char *command;
	struct json_object *steps;
	struct json_object *rollback;
	char line[1200];
	size_t n;
};
FILE *xp_progress_open(struct xp_progress *p);

/* A kernel without the driver for a kind answers "Unknown device type"
 * (EOPNOTSUPP) when the device is created: the module to load, for the
 * kind's name (bridge bond vlan dummy vxlan openvswitch), or NULL. */
const char *xp_kind_module(const char *kind);

#endif
