/* libnftables, loaded on first use (dlopen: most runs of either helper
 * never need it, and it would double their start-up), fed JSON commands.
 * Before any call that would reach libnftables, the netfilter netlink
 * socket is checked: libnftables exit()s the process when it cannot open
 * it, which would leave no error report behind. */
#ifndef XP_COMMON_NFT_H
#define XP_COMMON_NFT_H

#include <stddef.h>

/* Can the netfilter netlink socket be opened (nf_tables reachable)? */
int xp_nft_reachable(void);
/* Does table `name` of family (NFPROTO_*) exist?  1, 0, -1 (cannot tell). */
int xp_nft_table_exists(int nfproto, const char *name);
/* The same, and its handle into *handle (0 when absent): the kernel gives
 * each new table the next of a per-namespace counter and never reuses one,
 * so a recorded handle proves a table is the one made then. */
int xp_nft_table_handle(int nfproto, const char *name, unsigned long long *handle);
/* Run a JSON command text.  0, or -1 with nft's message (one line). */
int xp_nft_run(const char *json, char *err, size_t errlen);

#endif
