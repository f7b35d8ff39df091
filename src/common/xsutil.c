#include "common/xsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

struct xs_handle *xp_xs_open(void)
{
	return xs_open(0);
}

void xp_xs_close(struct xs_handle *h)
{
	if (h)
		xs_close(h);
}

struct xs_handle *xp_xs_open_readonly(void)
{
	struct xs_handle *h = xs_open(XS_OPEN_READONLY);

	return h ? h : xs_open(0);
}

static int join(char *out, size_t len, const char *dir, const char *key)
{
	int n = key ? snprintf(out, len, "%s/%s", dir, key) : snprintf(out, len, "%s", dir);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int xp_xs_read(struct xs_handle *h, const char *dir, const char *key, char *buf, size_t len,
	       const char **why)
{
	char path[256];
	unsigned int n = 0;
	char *v;

	*why = NULL;
	buf[0] = '\0';
	if (join(path, sizeof(path), dir, key)) {
		*why = "xenstore path too long";
		return -1;
	}
	v = xs_read(h, XBT_NULL, path, &n);
	if (!v) {
		if (errno == ENOENT)
			return 0;
		*why = "cannot read from xenstore";
		return -1;
	}
	if (n >= len) {
		*why = "value too long";
		free(v);
		return -1;
	}
	if (memchr(v, '\0', n)) {
		*why = "value holds a NUL byte";
		free(v);
		return -1;
	}
	memcpy(buf, v, n);
	buf[n] = '\0';
	free(v);
	return 1;
}

int xp_xs_write(struct xs_handle *h, const char *dir, const char *key, const char *value)
{
	char path[256];

	if (join(path, sizeof(path), dir, key))
		return -1;
	return xs_write(h, XBT_NULL, path, value, (unsigned int)strlen(value)) ? 0 : -1;
}

int xp_xs_exists(struct xs_handle *h, const char *path)
{
	unsigned int n;
	char *v = xs_read(h, XBT_NULL, path, &n);

	if (v) {
		free(v);
		return 1;
	}
	return errno == ENOENT ? 0 : -1;
}

char **xp_xs_list(struct xs_handle *h, const char *path, unsigned int *n)
{
	char **v;

	*n = 0;
	v = xs_directory(h, XBT_NULL, path, n);
	if (!v)
		*n = 0;
	return v;
}

/* One attempt at p[0..n) in transaction t: each directory read once (when
 * it differs from the item before), its items written only if it is there.
 * 0, or -1 with the transaction still open. */
static int put_in(struct xs_handle *h, xs_transaction_t t, struct xp_xs_put *p, size_t n,
		  char (*path)[256])
{
	int present = 0;

	for (size_t i = 0; i < n; i++) {
		if (!i || strcmp(p[i].dir, p[i - 1].dir)) {
			unsigned int len;
			char *v = xs_read(h, t, p[i].dir, &len);

			if (!v && errno != ENOENT)
				return -1;
			present = v != NULL;
			free(v);
		}
		p[i].done = present;
		if (present && !xs_write(h, t, path[i], p[i].val, (unsigned int)strlen(p[i].val)))
			return -1;
	}
	return 0;
}

int xp_xs_put_if_dirs(struct xs_handle *h, struct xp_xs_put *p, size_t n)
{
	char path[8][256];

	if (n > 8)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (join(path[i], sizeof(path[i]), p[i].dir, p[i].key))
			return -1;
	for (int tries = 0; tries < 16; tries++) {
		xs_transaction_t t = xs_transaction_start(h);

		if (t == XBT_NULL)
			return -1;
		if (put_in(h, t, p, n, path)) {
			xs_transaction_end(h, t, true);
			return -1;
		}
		if (xs_transaction_end(h, t, false))
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	return -1;
}

int xp_xs_report_error(struct xs_handle *h, const char *dir, const char *msg)
{
	struct xp_xs_put p[] = {{dir, "hotplug-error", msg, 0},
				{dir, "hotplug-status", "error", 0}};

	return xp_xs_put_if_dirs(h, p, 2) ? -1 : p[0].done;
}
