/* ovsdbc: drives src/common/ovs.c against a real ovsdb-server for the
 * netns tests (tests/netns/t-ovs-client.sh), before and beside the helpers.
 *
 *   ovsdbc add BRIDGE PORT [tag=N] [trunks=A,B..] [mode=M] [mtu=N]
 *              [owner=TEXT] [K=V as Interface external_ids...]
 *   ovsdbc del PORT          prints "found applied" (0/1 each)
 *   ovsdbc has-br BRIDGE     prints 1 or 0
 *   ovsdbc transact JSON     the params array; prints the result array
 * The socket is $XENPLUMB_OVSDB (see xp_ovsdb_sock_path). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ovs.h"
#include "common/ovsdb.h"

#define MAXKV 16

static int add(struct xp_ovsdb *db, int argc, char **argv, char *err, size_t len)
{
	static uint16_t trunks[4096];
	struct xp_ovs_kv kv[MAXKV];
	struct xp_ovs_port p = {.bridge = argv[2],
				.name = argv[3],
				.trunks = trunks,
				.iface_ids = kv,
				.owner = "ovsdbc"};
	int i;

	for (i = 4; i < argc; i++) {
		char *v = strchr(argv[i], '=');

		if (!v)
			return fprintf(stderr, "bad argument %s\n", argv[i]), -1;
		*v++ = 0;
		if (!strcmp(argv[i], "tag"))
			p.tag = atoi(v);
		else if (!strcmp(argv[i], "mode"))
			p.vlan_mode = v;
		else if (!strcmp(argv[i], "mtu"))
			p.mtu_request = atoi(v);
		else if (!strcmp(argv[i], "owner"))
			p.owner = v;
		else if (!strcmp(argv[i], "trunks"))
			for (char *s = strtok(v, ","); s && p.ntrunks < 4096; s = strtok(NULL, ","))
				trunks[p.ntrunks++] = (uint16_t)atoi(s);
		else if (p.niface_ids < MAXKV)
			kv[p.niface_ids++] = (struct xp_ovs_kv){argv[i], v};
	}
	return xp_ovs_port_add(db, &p, xp_ovs_wait_ms(), err, len);
}

static int transact(struct xp_ovsdb *db, const char *text, char *err, size_t len)
{
	struct xp_ovsdb_txn t;
	json_object *res = NULL;
	int rc;

	t.params = json_tokener_parse(text);
	if (!t.params || !json_object_is_type(t.params, json_type_array))
		return fprintf(stderr, "not a JSON array\n"), -1;
	t.nops = (int)json_object_array_length(t.params) - 1;
	t.failed = -1;
	rc = xp_ovsdb_transact(db, &t, &res, err, len);
	if (!rc)
		printf("%s\n", json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN));
	json_object_put(res);
	xp_ovsdb_txn_free(&t);
	return rc;
}

int main(int argc, char **argv)
{
	char path[256], err[1024] = "";
	struct xp_ovsdb *db;
	int rc = -1, found, applied;

	if (argc < 3)
		return fprintf(stderr, "usage: see tests/tools/ovsdbc.c\n"), 2;
	db = xp_ovsdb_open(xp_ovsdb_sock_path(path, sizeof(path)), 15000, err, sizeof(err));
	if (!db)
		return fprintf(stderr, "ovsdbc: %s\n", err), 1;
	if (!strcmp(argv[1], "add") && argc >= 4)
		rc = add(db, argc, argv, err, sizeof(err));
	else if (!strcmp(argv[1], "del")) {
		rc = xp_ovs_port_del(db, argv[2], xp_ovs_wait_ms(), &found, &applied, err,
				     sizeof(err));
		if (!rc)
			printf("%d %d\n", found, applied);
	} else if (!strcmp(argv[1], "has-br")) {
		rc = xp_ovs_bridge_exists(db, argv[2], err, sizeof(err));
		if (rc >= 0)
			printf("%d\n", rc);
		rc = rc < 0 ? -1 : 0;
	} else if (!strcmp(argv[1], "transact"))
		rc = transact(db, argv[2], err, sizeof(err));
	else
		snprintf(err, sizeof(err), "unknown command %s", argv[1]);
	if (rc)
		fprintf(stderr, "ovsdbc: %s\n", err);
	xp_ovsdb_close(db);
	return rc ? 1 : 0;
}
