/* The status table, rendered from the model status.c builds (see
 * status.h); it reads nothing but the model. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "map/conf.h"
#include "net/l3.h"
#include "net/status.h"

static json_object *get(json_object *j, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(j, key, &v);
	return v;
}

static const char *str(json_object *j, const char *key)
{
	return json_object_get_string(get(j, key)); /* NULL for null */
}

static int num(json_object *j, const char *key)
{
	return json_object_get_int(get(j, key));
}

static int yes(json_object *j, const char *key)
{
	return json_object_get_boolean(get(j, key));
}

static size_t count(json_object *j, const char *key)
{
	return json_object_array_length(get(j, key));
}

static json_object *item(json_object *j, const char *key, size_t i)
{
	return json_object_array_get_idx(get(j, key), i);
}

static const char *updown(json_object *j)
{
	return !yes(j, "exists") ? "MISSING" : yes(j, "up") ? "up" : "DOWN";
}

static void bridge_text(json_object *br, FILE *out)
{
	if (yes(br, "exists"))
		fprintf(out, "bridge %s: %s, mtu %d, stp %s, forward-delay %d%s%s\n",
			str(br, "name"), updown(br), num(br, "mtu"), yes(br, "stp") ? "on" : "off",
			num(br, "forward_delay"),
			yes(br, "vlan_filtering") ? ", vlan-filtering" : "",
			yes(br, "created") ? ", created by xenplumb" : ", adopted");
	else
		fprintf(out, "bridge %s: MISSING\n", str(br, "name"));
	for (size_t i = 0; i < count(br, "ports"); i++) {
		json_object *p = item(br, "ports", i);
		fprintf(out, "  port %s: %s\n", str(p, "name"),
			yes(p, "attached")  ? "attached"
			: yes(p, "present") ? "NOT ATTACHED"
					    : "MISSING");
	}
	for (size_t i = 0; i < count(br, "guests"); i++) {
		json_object *g = item(br, "guests", i);
		const char *name = str(g, "domain");
		if (get(g, "domid"))
			fprintf(out, "  guest %s: domain %d%s%s%s, %s\n", str(g, "port"),
				num(g, "domid"), name ? " \"" : "", name ? name : "",
				name ? "\"" : "", str(g, "domain_state"));
		else
			fprintf(out, "  other port %s (not in the map, not a vif)\n",
				str(g, "port"));
	}
}

static void bond_text(json_object *b, FILE *out)
{
	/* "mode" is null for a device of another kind squatting the bond's
	 * name; the table has always printed that device's bond mode, 0 */
	const char *mode = str(b, "mode");

	fprintf(out, "bond %s: %s", str(b, "name"), updown(b));
	if (yes(b, "exists")) {
		fprintf(out, ", mode %s, miimon %d, slaves", mode ? mode : xp_bond_mode_name(0),
			num(b, "miimon"));
		for (size_t k = 0; k < count(b, "slaves"); k++) {
			json_object *s = item(b, "slaves", k);
			fprintf(out, " %s%s", str(s, "name"),
				yes(s, "enslaved") ? "" : "(NOT ENSLAVED)");
		}
	}
	fprintf(out, "\n");
}

static void list_text(json_object *j, const char *key, FILE *out)
{
	size_t n = count(j, key);

	if (!n)
		fprintf(out, " none");
	for (size_t k = 0; k < n; k++)
		fprintf(out, " %s", json_object_get_string(item(j, key, k)));
}

/* "vxlan vx100: up, mtu 1450, vni 100, local 192.0.2.1, dstport 4789,
 * learning off, created by xenplumb, floods to 192.0.2.2 192.0.2.3 (map:
 * 192.0.2.2 192.0.2.3)" */
static void vxlan_text(json_object *v, FILE *out)
{
	fprintf(out, "vxlan %s: %s", str(v, "name"), updown(v));
	if (yes(v, "exists") && get(v, "vni")) {
		fprintf(out, ", mtu %d, vni %d, local %s, dstport %d, learning %s%s, floods to",
			num(v, "mtu"), num(v, "vni"), str(v, "local"), num(v, "dstport"),
			yes(v, "learning") ? "on" : "off",
			yes(v, "created") ? ", created by xenplumb" : ", adopted");
		list_text(v, "flood", out);
	}
	if (get(v, "remotes")) {
		fprintf(out, " (map:");
		list_text(v, "remotes", out);
		fprintf(out, ")");
	} else
		fprintf(out, " (flood list not managed: no remote in the map)");
	fprintf(out, "\n");
}

static void ovs_port_text(json_object *p, FILE *out)
{
	const char *role = str(p, "role"), *owner = str(p, "owner");

	if (!strcmp(role, "internal"))
		return;
	fprintf(out, "  %s %s", !strcmp(role, "guest") ? "guest" : "port", str(p, "name"));
	if (!strcmp(role, "guest") && owner)
		fprintf(out, " (%s)", owner);
	else if (!strcmp(role, "other"))
		fprintf(out, " (not in the map, not a vif)");
	if (get(p, "tag"))
		fprintf(out, " tag %d", num(p, "tag"));
	if (get(p, "trunks"))
		fprintf(out, " trunks %s", str(p, "trunks"));
	if (get(p, "vlan_mode"))
		fprintf(out, " %s", str(p, "vlan_mode"));
	if (get(p, "error"))
		fprintf(out, " ERROR: %s", str(p, "error"));
	fprintf(out, "\n");
}

/* Open vSwitch bridges (src/net/ovsnet.c's status model). */
static void ovs_text(json_object *m, FILE *out)
{
	json_object *o = get(m, "openvswitch");

	if (!o)
		return;
	if (strcmp(str(o, "ovsdb"), "reachable")) {
		fprintf(out, "openvswitch: ovsdb-server unreachable: %s\n", str(o, "error"));
		return;
	}
	for (size_t i = 0; i < count(o, "bridges"); i++) {
		json_object *b = item(o, "bridges", i);

		if (!get(b, "ports")) {
			fprintf(out, "openvswitch bridge %s: MISSING\n", str(b, "name"));
			continue;
		}
		fprintf(out, "openvswitch bridge %s: %s datapath, %s%s\n", str(b, "name"),
			str(b, "datapath_type"),
			yes(b, "created") ? "created by xenplumb" : "adopted",
			yes(b, "in_map") ? "" : ", not in the map");
		for (size_t k = 0; k < count(b, "ports"); k++)
			ovs_port_text(item(b, "ports", k), out);
	}
}

static void tail_text(json_object *m, FILE *out)
{
	size_t n = count(m, "drift");

	if (!strcmp(str(m, "xenstore"), "unreachable"))
		fprintf(out, "xenstore: unreachable (guest domains unknown)\n");
	if (n) {
		fprintf(out, "drift (%zu):\n", n);
		for (size_t i = 0; i < n; i++) {
			json_object *d = item(m, "drift", i);
			fprintf(out, "  %s %s: want %s, have %s\n", str(d, "device"),
				str(d, "what"), str(d, "want"), str(d, "have"));
		}
	}
	for (size_t i = 0; i < count(m, "missing"); i++) {
		json_object *d = item(m, "missing", i);
		if (!i)
			fprintf(out, "missing (%zu):\n", count(m, "missing"));
		fprintf(out, "  %s: %s, does not exist%s%s%s\n", str(d, "device"), str(d, "role"),
			str(d, "where")[0] ? " (" : "", str(d, "where"),
			str(d, "where")[0] ? ")" : "");
	}
	if (yes(m, "matches_map"))
		fprintf(out, "status: OK -- live matches the map\n");
	else if (!n)
		fprintf(out, "status: DEGRADED -- devices the map names are missing; start adds "
			     "them once they exist\n");
	else
		fprintf(out, "status: DRIFT -- live differs from the map\n");
}

void xp_status_render(json_object *m, FILE *out)
{
	for (size_t i = 0; i < count(m, "bridges"); i++)
		bridge_text(item(m, "bridges", i), out);
	for (size_t i = 0; i < count(m, "bonds"); i++)
		bond_text(item(m, "bonds", i), out);
	for (size_t i = 0; i < count(m, "vlans"); i++) {
		json_object *v = item(m, "vlans", i);
		fprintf(out, "vlan %s: %s, parent %s, id %d\n", str(v, "name"), updown(v),
			str(v, "parent"), num(v, "id"));
	}
	for (size_t i = 0; i < count(m, "dummies"); i++) {
		json_object *d = item(m, "dummies", i);
		fprintf(out, "dummy %s: %s\n", str(d, "name"), updown(d));
	}
	for (size_t i = 0; i < count(m, "vxlans"); i++)
		vxlan_text(item(m, "vxlans", i), out);
	for (size_t i = 0; i < count(m, "networks"); i++) {
		json_object *nw = item(m, "networks", i);
		fprintf(out, "network %s: bridge %s", str(nw, "name"), str(nw, "bridge"));
		if (get(nw, "vlan"))
			fprintf(out, " vlan %d", num(nw, "vlan"));
		fprintf(out, "\n");
	}
	ovs_text(m, out);
	xp_l3_render(m, out);
	tail_text(m, out);
}
