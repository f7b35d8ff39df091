/*
 * xsstub.so — LD_PRELOAD shim that lets Debian's C xenstored 4.17 run and
 * serve its unix socket on a machine without a hypervisor.
 *
 * Only the start-up path needs Xen.  xenstored's domain_init() opens
 * libxenctrl, libxengnttab and libxenevtchn and binds VIRQ_DOM_EXC;
 * dom0_init() reads dom0's event-channel port from /proc/xen/xsd_port and
 * maps dom0's ring page from /proc/xen/xsd_kva.  Every symbol below replaces
 * the one xenstored imports, so the real libraries (which would open
 * /dev/xen/... and fail) are never entered.  After start-up the daemon only
 * polls its socket and the event-channel fd; we hand it an eventfd that is
 * never signalled, so no hypervisor event ever arrives.
 *
 * xenstored also syslogs (e.g. "Checking store ..." at every start); that
 * goes to its stderr, i.e. the test's private log, not the host's journal.
 *
 * Always built without sanitizers: an ASan runtime cannot be preloaded into
 * a non-ASan daemon.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <syslog.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

/* Opaque handles: xenstored only checks them against NULL and passes them
 * back to us. */
static char fake_xc, fake_xce, fake_xgt;

/* --- libxenctrl ------------------------------------------------------- */

/* domain_init(): the "connection to the hypervisor". */
xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
				unsigned open_flags)
{
	(void)logger, (void)dombuild_logger, (void)open_flags;
	return (xc_interface *)&fake_xc;
}

int xc_interface_close(xc_interface *xch)
{
	(void)xch;
	return 0;
}

/* Asked whether a domain exists: when a node's permissions name it
 * (XS_SET_PERMS answers ENOENT for an unknown owner and ignores unknown
 * readers) and when counting a domain's nodes.  Every ordinary domid is
 * reported as a running domain, so tests may set permissions for the
 * guest domids they invent.  Nothing ever asks about dying domains: that
 * only happens on VIRQ_DOM_EXC, which never fires here. */
int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
		      xc_dominfo_t *info)
{
	(void)xch;
	if (max_doms < 1 || first_domid >= DOMID_FIRST_RESERVED)
		return 0;
	memset(info, 0, sizeof(*info));
	info->domid = first_domid;
	info->running = 1;
	return 1;
}

/* --- libxenevtchn ----------------------------------------------------- */

static int evt_fd = -1;		    /* polled by xenstored, never readable */
static evtchn_port_t next_port = 1; /* local ports we hand out */

static xenevtchn_handle *evtchn_handle(void)
{
	if (evt_fd < 0)
		evt_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return evt_fd < 0 ? NULL : (xenevtchn_handle *)&fake_xce;
}

xenevtchn_handle *xenevtchn_open(xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger, (void)open_flags;
	return evtchn_handle();
}

/* Only used by live update; stubbed so it cannot reach /dev/xen/evtchn. */
xenevtchn_handle *xenevtchn_fdopen(xentoollog_logger *logger, int fd, unsigned open_flags)
{
	(void)logger, (void)fd, (void)open_flags;
	return evtchn_handle();
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	(void)xce;
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	(void)xce;
	return evt_fd;
}

/* VIRQ_DOM_EXC at start-up, dom0's port and XS_INTRODUCE'd domains:
 * each gets a fresh local port number. */
xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	(void)xce, (void)virq;
	return (xenevtchn_port_or_error_t)next_port++;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
						     evtchn_port_t remote_port)
{
	(void)xce, (void)domid, (void)remote_port;
	return (xenevtchn_port_or_error_t)next_port++;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce, (void)port;
	return 0;
}

/* Kicks a guest after writing to its ring: there is no guest. */
int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce, (void)port;
	return 0;
}

/* Only called when the fd polls readable, which it never does. */
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	(void)xce;
	errno = EAGAIN;
	return -1;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce, (void)port;
	return 0;
}

/* --- libxengnttab ----------------------------------------------------- */

xengnttab_handle *xengnttab_open(xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger, (void)open_flags;
	return (xengnttab_handle *)&fake_xgt;
}

int xengnttab_close(xengnttab_handle *xgt)
{
	(void)xgt;
	return 0;
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	(void)xgt, (void)nr_grants;
	return 0;
}

/* XS_INTRODUCE maps the guest's ring page.  Give it a private zeroed page:
 * the "guest" never writes a request, so the connection stays idle, but
 * introduce/release and their watches work. */
void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
{
	void *p;

	(void)xgt, (void)domid, (void)ref;
	p = mmap(NULL, (size_t)getpagesize(), prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	(void)xgt;
	return munmap(start_address, (size_t)count * (size_t)getpagesize());
}

/* --- /proc/xen/xsd_port and /proc/xen/xsd_kva ------------------------- */

/* An anonymous file holding LEN bytes of DATA (or zeroes if DATA is NULL),
 * positioned at its start. */
static int anon_file(const char *name, const void *data, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if ((data ? write(fd, data, len) != (ssize_t)len : ftruncate(fd, (off_t)len) != 0) ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* xenstored reads dom0's event-channel port as text from xsd_port and
 * mmaps one shared page (dom0's ring) from xsd_kva.  All other paths go to
 * the real open(). */
int open(const char *path, int flags, ...)
{
	static int (*real_open)(const char *, int, ...);
	mode_t mode = 0;

	if (strcmp(path, "/proc/xen/xsd_port") == 0)
		return anon_file("xsd_port", "1\n", 2);
	if (strcmp(path, "/proc/xen/xsd_kva") == 0)
		return anon_file("xsd_kva", NULL, (size_t)getpagesize());

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (!real_open)
		real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	if (!real_open) {
		errno = ENOSYS;
		return -1;
	}
	return real_open(path, flags, mode);
}

/* --- syslog ----------------------------------------------------------- */

static void log_to_stderr(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void log_to_stderr(const char *fmt, va_list ap)
{
	size_t n = strlen(fmt);

	fputs("xenstored: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (n == 0 || fmt[n - 1] != '\n')
		fputc('\n', stderr);
	fflush(stderr);
}

/* What xenstored calls (built with _FORTIFY_SOURCE); glibc declares it
 * only under fortification, so declare it here. */
void __syslog_chk(int pri, int flag, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)pri, (void)flag;
	va_start(ap, fmt);
	log_to_stderr(fmt, ap);
	va_end(ap);
}

void syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	(void)pri;
	va_start(ap, fmt);
	log_to_stderr(fmt, ap);
	va_end(ap);
}
