/* libnftables on demand and the nfnetlink checks; see nft.h. */
#include "common/nft.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <endian.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/nl.h"

/* libnftables is loaded only when a vif needs it: most hotplugs never do,
 * and it (with its own libraries) would double the helper's start-up. */
static struct {
	void *h;
	struct nft_ctx *(*ctx_new)(uint32_t);
	void (*ctx_free)(struct nft_ctx *);
	unsigned int (*get_flags)(struct nft_ctx *);
	void (*set_flags)(struct nft_ctx *, unsigned int);
	int (*buffer_output)(struct nft_ctx *);
	int (*buffer_error)(struct nft_ctx *);
	const char *(*get_error)(struct nft_ctx *);
	int (*run_cmd)(struct nft_ctx *, const char *);
} nft;

static int load_nft(char *err, size_t errlen)
{
	if (nft.h)
		return 0;
	nft.h = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!nft.h) {
		snprintf(err, errlen, "cannot load libnftables.so.1 (package libnftables1)");
		return -1;
	}
	*(void **)&nft.ctx_new = dlsym(nft.h, "nft_ctx_new");
	*(void **)&nft.ctx_free = dlsym(nft.h, "nft_ctx_free");
	*(void **)&nft.get_flags = dlsym(nft.h, "nft_ctx_output_get_flags");
	*(void **)&nft.set_flags = dlsym(nft.h, "nft_ctx_output_set_flags");
	*(void **)&nft.buffer_output = dlsym(nft.h, "nft_ctx_buffer_output");
	*(void **)&nft.buffer_error = dlsym(nft.h, "nft_ctx_buffer_error");
	*(void **)&nft.get_error = dlsym(nft.h, "nft_ctx_get_error_buffer");
	*(void **)&nft.run_cmd = dlsym(nft.h, "nft_run_cmd_from_buffer");
	if (!nft.ctx_new || !nft.ctx_free || !nft.get_flags || !nft.set_flags ||
	    !nft.buffer_output || !nft.buffer_error || !nft.get_error || !nft.run_cmd) {
		snprintf(err, errlen, "libnftables.so.1 lacks a needed function");
		dlclose(nft.h);
		nft.h = NULL;
		return -1;
	}
	return 0;
}

int xp_nft_run(const char *cmd, char *err, size_t errlen)
{
	struct nft_ctx *ctx;
	int rc;

	if (load_nft(err, errlen))
		return -1;
	ctx = nft.ctx_new(NFT_CTX_DEFAULT);
	if (!ctx) {
		snprintf(err, errlen, "cannot create an nftables context");
		return -1;
	}
	/* JSON output also makes libnftables 1.0 parse its input as JSON */
	nft.set_flags(ctx, nft.get_flags(ctx) | NFT_CTX_OUTPUT_JSON);
	nft.buffer_output(ctx);
	nft.buffer_error(ctx);
	rc = nft.run_cmd(ctx, cmd);
	if (rc) {
		const char *e = nft.get_error(ctx);
		size_t n;

		snprintf(err, errlen, "nftables: %s", e && *e ? e : "command failed");
		/* one line for hotplug-error */
		for (n = 0; err[n]; n++)
			if (err[n] == '\n' || (unsigned char)err[n] < 0x20)
				err[n] = ' ';
		while (n > 0 && err[n - 1] == ' ')
			err[--n] = '\0';
	}
	nft.ctx_free(ctx);
	return rc ? -1 : 0;
}

static int on_table(struct nlmsghdr *nlh, void *arg)
{
	unsigned long long *handle = arg;
	struct nlattr *tb[NFTA_TABLE_MAX + 1];

	if (handle && nlmsg_parse(nlh, sizeof(struct nfgenmsg), tb, NFTA_TABLE_MAX, NULL) == 0 &&
	    tb[NFTA_TABLE_HANDLE] && nla_len(tb[NFTA_TABLE_HANDLE]) == 8)
		*handle = (unsigned long long)be64toh(nla_get_u64(tb[NFTA_TABLE_HANDLE]));
	return 0;
}

/* One NFT_MSG_GETTABLE over nfnetlink (xp_nl_query: the table is the one
 * answer): cheap, and without nf_tables loaded there can be no table. */
int xp_nft_table_handle(int nfproto, const char *table, unsigned long long *handle)
{
	struct nfgenmsg g = {.nfgen_family = (unsigned char)nfproto, .version = NFNETLINK_V0};
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *m;
	int err = -1;

	if (handle)
		*handle = 0;
	if (!sk || nl_connect(sk, NETLINK_NETFILTER) < 0)
		goto out;
	m = nlmsg_alloc_simple((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE,
			       NLM_F_REQUEST | NLM_F_ACK);
	if (!m || nlmsg_append(m, &g, sizeof(g), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(m, NFTA_TABLE_NAME, table) < 0) {
		nlmsg_free(m);
		goto out;
	}
	err = xp_nl_query(sk, m, on_table, handle);
	if (err >= 0)
		err = 1;
	else if (err == -NLE_OBJ_NOTFOUND || err == -NLE_OPNOTSUPP || err == -NLE_NOACCESS ||
		 err == -NLE_PROTO_MISMATCH)
		err = 0;
	else
		err = -1;
out:
	if (sk)
		nl_socket_free(sk);
	return err;
}

int xp_nft_table_exists(int nfproto, const char *table)
{
	return xp_nft_table_handle(nfproto, table, NULL);
}

/* libnftables exit()s the whole process when it cannot open its netfilter
 * netlink socket, which would leave the toolstack without hotplug-error:
 * check that socket first and fail like any other error. */
int xp_nft_reachable(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ok = sk && nl_connect(sk, NETLINK_NETFILTER) == 0;

	if (sk)
		nl_socket_free(sk);
	return ok;
}
