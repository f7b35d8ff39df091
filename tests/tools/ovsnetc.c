/* ovsnetc: drives src/net/ovsnet.c against a real ovsdb-server (tests
 * only, beside network-xenplumb):
 *   ovsnetc start BRIDGE DPTYPE|- MTU|0 [PORT...]
 *   ovsnetc stop
 *   ovsnetc status BRIDGE DPTYPE|- [PORT...]     prints the JSON */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/ovs.h"
#include "net/ovsnet.h"

static void print(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

int main(int argc, char **argv)
{
	struct xp_ovsnet_bridge b = {0};
	char path[256], err[1024] = "";
	struct xp_ovsdb *db;
	int rc = -1;

	if (argc < 2)
		return 2;
	db = xp_ovsdb_open(xp_ovsdb_sock_path(path, sizeof(path)), 20000, err, sizeof(err));
	if (!db)
		return fprintf(stderr, "ovsnetc: %s\n", err), 1;
	if (argc >= 4) {
		b.name = argv[2];
		b.datapath_type = strcmp(argv[3], "-") ? argv[3] : NULL;
		b.loc = "test.conf:1: ";
	}
	if (!strcmp(argv[1], "start") && argc >= 5) {
		b.mtu = atoi(argv[4]);
		b.ports = (const char *const *)argv + 5;
		b.nports = (size_t)(argc - 5);
		rc = xp_ovsnet_start(db, &b, 1, 0, print, NULL, err, sizeof(err));
	} else if (!strcmp(argv[1], "stop"))
		rc = xp_ovsnet_stop(db, 0, print, NULL, err, sizeof(err));
	else if (!strcmp(argv[1], "status") && argc >= 4) {
		struct xp_ovs_obs o;
		json_object *j = json_object_new_object();

		b.ports = (const char *const *)argv + 4;
		b.nports = (size_t)(argc - 4);
		rc = xp_ovs_observe(db, &o, err, sizeof(err));
		if (!rc) {
			printf("drift %d\n", xp_ovsnet_status(&o, &b, 1, j));
			printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
			xp_ovs_obs_free(&o);
		}
		json_object_put(j);
	}
	if (rc)
		fprintf(stderr, "ovsnetc: %s\n", err);
	xp_ovsdb_close(db);
	return rc ? 1 : 0;
}
