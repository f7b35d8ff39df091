#include "vif/vif_undo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/regfile.h"

static const char *state_dir(void)
{
	const char *d = getenv("XENPLUMB_STATE_DIR");

	return d && *d ? d : "/run/xenplumb";
}

int vif_undo_path(char *buf, size_t len, const char *kname)
{
	int n = snprintf(buf, len, "%s/vif/%s", state_dir(), kname);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int mkdirs(const char *path)
{
	char d[256];

	snprintf(d, sizeof(d), "%s", path);
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

int vif_undo_open(struct vif_undo *u, const char *kname, char *err, size_t errlen)
{
	struct stat st;

	u->fd = -1;
	u->n = 0;
	if (vif_undo_path(u->path, sizeof(u->path), kname) || mkdirs(u->path)) {
		snprintf(err, errlen, "cannot make the state directory for %s under %s: %s", kname,
			 state_dir(), strerror(errno));
		return -1;
	}
	/* never through a symlink, never into a FIFO */
	u->fd = open(u->path,
		     O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		     0644);
	if (u->fd < 0 && errno != ENXIO && errno != ELOOP) { /* ENXIO: a FIFO, ELOOP: a symlink */
		snprintf(err, errlen, "cannot create %s: %s", u->path, strerror(errno));
		return -1;
	}
	if (u->fd < 0 || fstat(u->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(u->fd);
		u->fd = -1;
		snprintf(err, errlen,
			 "%s is not a regular file; it is not xenplumb's journal: remove it",
			 u->path);
		return -1;
	}
	return 0;
}

int vif_undo_add(struct vif_undo *u, char *err, size_t errlen, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1) {
		snprintf(err, errlen, "undo record too long for %s", u->path);
		return -1;
	}
	line[n++] = '\n';
	/* one write of a whole line (O_APPEND): a kill leaves whole lines */
	if (write(u->fd, line, (size_t)n) != n) {
		snprintf(err, errlen, "cannot write %s: %s", u->path, strerror(errno));
		return -1;
	}
	u->n++;
	return 0;
}

void vif_undo_close(struct vif_undo *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}

void vif_undo_free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

int vif_undo_read(const char *path, char ***lines, size_t *n, char *err, size_t errlen)
{
	FILE *f = xp_fopen_regular(path);
	char buf[600];
	char **v = NULL;
	size_t k = 0;

	*lines = NULL;
	*n = 0;
	if (!f) {
		if (errno == ENOENT)
			return 1;
		if (errno == EINVAL)
			snprintf(
			    err, errlen,
			    "%s is not a regular file; it is not xenplumb's journal: remove it",
			    path);
		else
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		size_t l = strcspn(buf, "\n");
		char **nv;

		if (buf[l] != '\n') /* a torn last line (killed mid-write) */
			break;
		buf[l] = '\0';
		nv = realloc(v, (k + 1) * sizeof(*v));
		if (!nv || !(nv[k] = strdup(buf))) {
			v = nv ? nv : v;
			fclose(f);
			vif_undo_free_lines(v, k);
			snprintf(err, errlen, "out of memory reading %s", path);
			return -1;
		}
		v = nv;
		k++;
	}
	fclose(f);
	*lines = v;
	*n = k;
	return 0;
}
