/* What xenplumb did to the host, kept across runs in the state directory
 * (/run/xenplumb, or $XENPLUMB_STATE_DIR) so that stop and reload undo only
 * xenplumb's own work: devices it created, ports it added, NICs it
 * enslaved into a bond it created, addresses and routes it moved.
 *
 * The file is plain text, one record a line, replaced atomically at the
 * end of a run.  During a run every change is appended to a journal
 * (state.journal: the same lines, "-" in front of a removed record), one
 * write(2) per change and no fsync: the page cache outlives a killed
 * process, and the state directory is /run, which does not outlive a
 * reboot anyway.  Loading replays the journal over the snapshot (replaying
 * a line twice changes nothing), so a run killed at any point leaves every
 * record it wrote ahead of the kernel request. */
#ifndef XP_STATE_H
#define XP_STATE_H

#include <stddef.h>

#include "net/observe.h"

#define XP_STATE_DIR_DEFAULT "/run/xenplumb"

struct xp_st_dev {
	char name[XP_IFNAMSIZ];
	int kind;
	int ifindex; /* when created; a different index means someone else's */
};

struct xp_st_port {
	char bridge[XP_IFNAMSIZ];
	char port[XP_IFNAMSIZ];
};

struct xp_st_slave {
	char bond[XP_IFNAMSIZ];
	char slave[XP_IFNAMSIZ];
	int was_up;
};

struct xp_st_move {
	char from[XP_IFNAMSIZ]; /* the port that had it */
	char to[XP_IFNAMSIZ];	/* the bridge that has it now */
	int is_route;
	int had; /* the bridge had it before: stop gives the port its copy back and
		    leaves the bridge's */
	struct xp_addr addr;
	struct xp_route route;
};

/* A bridge whose MTU xenplumb set (pinned: its ports no longer move it);
 * old: the MTU it had, which stop gives back to a bridge it adopted. */
struct xp_st_mtu {
	char dev[XP_IFNAMSIZ];
	int ifindex;
	int old;
};

/* A VLAN start put on a trunk port (of a VLAN-filtering bridge it did not
 * create: on its own bridges the VLANs go with the bridge). */
struct xp_st_pvlan {
	char bridge[XP_IFNAMSIZ];
	char port[XP_IFNAMSIZ];
	int vid;
};

struct xp_state {
	struct xp_st_dev *devs;
	size_t ndevs;
	struct xp_st_port *ports;
	size_t nports;
	struct xp_st_slave *slaves;
	size_t nslaves;
	struct xp_st_move *moves;
	size_t nmoves;
	struct xp_st_mtu *mtus;
	size_t nmtus;
	struct xp_st_pvlan *pvlans;
	size_t npvlans;
	int jfd;      /* journal fd + 1 while changes are journaled, else 0 */
	int jerr;     /* first journal write error (-errno), 0 if none */
	int replayed; /* load replayed a journal: the snapshot is behind */
	/* devs by name, once there are many (state.c): kept right by the
	 * add and remove calls, rebuilt on a look-up when devgen moved
	 * without them */
	struct xp_st_devix *devix;
	unsigned long devgen;
	/* records outside this run's scope (network-bridge arguments name one
	 * bridge): written out with s, never planned over; not owned by s */
	const struct xp_state *rest;
};

/* The state directory (env or default). */
const char *xp_state_dir(void);
/* Create the directory (0755) when missing.  0 or -errno. */
int xp_state_dir_ensure(const char *dir);

/* Load dir/state and replay dir/state.journal over it; a missing file is
 * an empty state.  0 or -1 (message in err). */
int xp_state_load(const char *dir, struct xp_state *s, char *err, size_t errlen);
/* Write dir/state atomically (0644) in one write(2), then drop the journal
 * (a journal of s's changes must be closed first).  0 or -errno. */
int xp_state_save(const char *dir, const struct xp_state *s);
/* From now on append every change of s to dir/state.journal.  0 or
 * -errno. */
int xp_state_journal_open(const char *dir, struct xp_state *s);
void xp_state_journal_close(struct xp_state *s);
/* Frees the records and closes the journal. */
void xp_state_free(struct xp_state *s);

/* Record keeping. */
const struct xp_st_dev *xp_state_dev(const struct xp_state *s, const char *name);
int xp_state_add_dev(struct xp_state *s, const char *name, int kind, int ifindex);
void xp_state_del_dev(struct xp_state *s, const char *name);
int xp_state_has_port(const struct xp_state *s, const char *bridge, const char *port);
int xp_state_add_port(struct xp_state *s, const char *bridge, const char *port);
void xp_state_del_port(struct xp_state *s, const char *bridge, const char *port);
int xp_state_add_slave(struct xp_state *s, const char *bond, const char *slave, int was_up);
void xp_state_del_slave(struct xp_state *s, const char *bond, const char *slave);
int xp_state_add_move(struct xp_state *s, const struct xp_st_move *m);
void xp_state_del_move(struct xp_state *s, const struct xp_st_move *m);
const struct xp_st_mtu *xp_state_mtu(const struct xp_state *s, const char *dev);
int xp_state_add_mtu(struct xp_state *s, const char *dev, int ifindex, int old);
void xp_state_del_mtu(struct xp_state *s, const char *dev);
int xp_state_has_pvlan(const struct xp_state *s, const char *bridge, const char *port, int vid);
int xp_state_add_pvlan(struct xp_state *s, const char *bridge, const char *port, int vid);
void xp_state_del_pvlan(struct xp_state *s, const char *bridge, const char *port, int vid);

/* Move the records no keep() accepts into rest (which must be empty) and
 * point s->rest at it.  kind: 'd'ev, 'p'ort, 's'lave, 'm'ove, 'u' (mtu),
 * 'v' (pvlan); a, b: the record's two names (dev: name and kind name; mtu:
 * bridge and "").  Journal closed. */
void xp_state_scope(struct xp_state *s, struct xp_state *rest,
		    int (*keep)(int kind, const char *a, const char *b, const void *arg),
		    const void *arg);

/* Text form of one record, and back (used by the file and by tests). */
int xp_state_format(const struct xp_state *s, char **out);
int xp_state_parse(const char *text, struct xp_state *s, char *err, size_t errlen);

#endif
