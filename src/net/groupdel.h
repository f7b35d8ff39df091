/* Deleting devices xenplumb created in one request, by link group (see
 * groupdel.c). */
#ifndef XP_NET_GROUPDEL_H
#define XP_NET_GROUPDEL_H

#include <stddef.h>

#include "net/plan.h"
#include "net/state.h"

struct nl_sock;

/* Below this many deletes, one by one (a dump of every link costs more). */
#define XP_GROUP_DELETE_MIN 4

/* Delete ops' devices (XP_OP_DELETE each) with one RTM_DELLINK by
 * XP_OWN_GROUP when the links of that group are exactly those devices, of
 * their ops' kinds, with the ifindexes s records for them.  1: deleted;
 * 0: not so (nothing sent: delete them one by one); < 0: the kernel
 * refused the request (a libnl error; one by one then names the device). */
int xp_group_delete(struct nl_sock *sk, const struct xp_state *s, const struct xp_op *const *ops,
		    size_t n);

#endif
