/* A guest on a NAT network is a port of the network's host-only bridge,
 * plumbed like any other; in addition its static DHCP lease (its `mac` and
 * first IPv4 address of `ip`) goes to the network's dnsmasq, which
 * network-xenplumb started: one file per port, KNAME, in that dnsmasq's
 * dhcp-hostsdir ($XENPLUMB_STATE_DIR/nat/NET/hosts.d), then a SIGHUP so it
 * re-reads them -- sent only to the process the pid file names, and only
 * when its command line is network-xenplumb's dnsmasq for that config. */
#ifndef XP_VIF_NAT_H
#define XP_VIF_NAT_H

#include <stddef.h>
#include <stdint.h>

#include "common/validate.h"

/* $XENPLUMB_STATE_DIR/nat/NET (the directory network-xenplumb owns). */
int vif_nat_dir(char *buf, size_t len, const char *net);

/* Write NATDIR/hosts.d/KNAME ("mac,ip,host") and HUP the dnsmasq.  The
 * written path goes to *path (for the undo journal).  0 (also when the
 * network runs no dnsmasq: nothing is written then, *path = ""), -1. */
int vif_nat_host_add(const char *natdir, const char *kname, const uint8_t mac[6],
		     const struct xp_ipaddr *ip, const char *host, char *path, size_t pathlen,
		     char *err, size_t errlen);
/* Remove it and HUP the dnsmasq (pidfile, conf: as network-xenplumb
 * wrote them).  A missing file or dnsmasq is fine. */
int vif_nat_host_remove(const char *path, const char *pidfile, const char *conf, char *err,
			size_t errlen);

#endif
