/* xpbapply: write the applied map for a map file, as `network-xenplumb
 * start` writes it after a successful run, without plumbing anything.
 *
 *   xpbapply MAP DIR
 *
 * Parses MAP with the project's parser (xp_conf_load) and writes
 * DIR/applied-map with xp_applied_write (a temporary file, then rename),
 * the functions start uses.  The bench needs it for a 40,000-bridge map:
 * creating 40,000 bridges only to have start write that file would measure
 * the kernel, not the vif helper.  Exits 0, or 1 with the error. */
#include <stdio.h>

#include "map/applied.h"
#include "map/conf.h"

int main(int argc, char **argv)
{
	struct xp_conf c;
	struct xp_diag d = {0};
	char err[600];
	int rc = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: xpbapply MAP DIR\n");
		return 2;
	}
	if (xp_conf_load(argv[1], &c, &d)) {
		fprintf(stderr, "xpbapply: %s\n", d.n ? d.msgs[0] : argv[1]);
		xp_diag_free(&d);
		return 1;
	}
	if (xp_applied_write(argv[2], &c, argv[1], "start", err, sizeof(err)) < 0) {
		fprintf(stderr, "xpbapply: %s\n", err);
		rc = 1;
	}
	xp_conf_free(&c);
	return rc;
}
