/* Which dnsmasq is network-xenplumb's: the one whose pid the pid file
 * names, if that process runs a dnsmasq whose arguments include
 * --conf-file=CONF for our config.  Both helpers check it before they
 * signal a process, so a stale pid file (the pid reused by another
 * process) never gets anything killed or hung up. */
#ifndef XP_COMMON_DNSMASQ_PID_H
#define XP_COMMON_DNSMASQ_PID_H

/* The pid, or 0 when no such process runs (or it is a zombie). */
int xp_dnsmasq_pid(const char *pidfile, const char *conf);
/* Same check for a known pid. */
int xp_dnsmasq_is_ours(int pid, const char *conf);

#endif
