/* libxenctrl for network-xenplumb, loaded on first use.
 *
 * Only `status` asks the hypervisor anything (status.c), yet linking
 * libxenctrl made every start, stop and reload map and relocate it and its
 * six Xen libraries (a sixth of a no-op reload's instructions).  These
 * definitions stand in for the five functions status.c calls: the first
 * call dlopens the real libraries (sonames fixed at build time), later
 * calls go straight through.  When they cannot be loaded, xc_interface_open
 * fails as it does without a hypervisor, and status falls back to
 * xenstore. */
#include <dlfcn.h>
#include <stddef.h>
#include <xenctrl.h>
#include <xentoollog.h>

#ifndef XP_XENCTRL_SO
#define XP_XENCTRL_SO "libxenctrl.so"
#endif
#ifndef XP_XENTOOLLOG_SO
#define XP_XENTOOLLOG_SO "libxentoollog.so"
#endif

/* The function name in lib, looked up once (NULL when unavailable). */
static void *lazy(void **slot, int *tried, const char *lib, const char *name)
{
	if (!*tried) {
		void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
		*tried = 1;
		*slot = h ? dlsym(h, name) : NULL;
	}
	return *slot;
}

#define REAL(fn, lib, name)                                                                        \
	do {                                                                                       \
		static void *slot_;                                                                \
		static int tried_;                                                                 \
		*(void **)&(fn) = lazy(&slot_, &tried_, (lib), (name));                            \
	} while (0)

xentoollog_logger_stdiostream *xtl_createlogger_stdiostream(FILE *f, xentoollog_level min_level,
							    unsigned flags)
{
	xentoollog_logger_stdiostream *(*fn)(FILE *, xentoollog_level, unsigned);

	REAL(fn, XP_XENTOOLLOG_SO, "xtl_createlogger_stdiostream");
	return fn ? fn(f, min_level, flags) : NULL;
}

void xtl_logger_destroy(struct xentoollog_logger *logger)
{
	void (*fn)(struct xentoollog_logger *);

	REAL(fn, XP_XENTOOLLOG_SO, "xtl_logger_destroy");
	if (fn && logger)
		fn(logger);
}

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
				unsigned open_flags)
{
	xc_interface *(*fn)(xentoollog_logger *, xentoollog_logger *, unsigned);

	REAL(fn, XP_XENCTRL_SO, "xc_interface_open");
	return fn ? fn(logger, dombuild_logger, open_flags) : NULL;
}

int xc_interface_close(xc_interface *xch)
{
	int (*fn)(xc_interface *);

	REAL(fn, XP_XENCTRL_SO, "xc_interface_close");
	return fn ? fn(xch) : 0;
}

int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
		      xc_dominfo_t *info)
{
	int (*fn)(xc_interface *, uint32_t, unsigned int, xc_dominfo_t *);

	REAL(fn, XP_XENCTRL_SO, "xc_domain_getinfo");
	return fn ? fn(xch, first_domid, max_doms, info) : -1;
}
