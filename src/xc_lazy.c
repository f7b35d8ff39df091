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

static void *lib_sym(const char *lib, const char *name)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);

	return h ? dlsym(h, name) : NULL;
}

#define LAZY(lib, ret, name, params)                                                               \
	typedef ret(*name##_fn) params;                                                            \
	static name##_fn name##_real(void)                                                         \
	{                                                                                          \
		static name##_fn fn;                                                               \
		static int tried;                                                                  \
		if (!tried) {                                                                      \
			tried = 1;                                                                 \
			*(void **)&fn = lib_sym(lib, #name);                                       \
		}                                                                                  \
		return fn;                                                                         \
	}

LAZY(XP_XENTOOLLOG_SO, xentoollog_logger_stdiostream *, xtl_createlogger_stdiostream,
     (FILE *, xentoollog_level, unsigned))
LAZY(XP_XENTOOLLOG_SO, void, xtl_logger_destroy, (struct xentoollog_logger *))
LAZY(XP_XENCTRL_SO, xc_interface *, xc_interface_open,
     (xentoollog_logger *, xentoollog_logger *, unsigned))
LAZY(XP_XENCTRL_SO, int, xc_interface_close, (xc_interface *))
LAZY(XP_XENCTRL_SO, int, xc_domain_getinfo,
     (xc_interface *, uint32_t, unsigned int, xc_dominfo_t *))

xentoollog_logger_stdiostream *xtl_createlogger_stdiostream(FILE *f, xentoollog_level min_level,
							    unsigned flags)
{
	xtl_createlogger_stdiostream_fn fn = xtl_createlogger_stdiostream_real();
	return fn ? fn(f, min_level, flags) : NULL;
}

void xtl_logger_destroy(struct xentoollog_logger *logger)
{
	xtl_logger_destroy_fn fn = xtl_logger_destroy_real();
	if (fn && logger)
		fn(logger);
}

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
				unsigned open_flags)
{
	xc_interface_open_fn fn = xc_interface_open_real();
	return fn ? fn(logger, dombuild_logger, open_flags) : NULL;
}

int xc_interface_close(xc_interface *xch)
{
	xc_interface_close_fn fn = xc_interface_close_real();
	return fn ? fn(xch) : 0;
}

int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
		      xc_dominfo_t *info)
{
	xc_domain_getinfo_fn fn = xc_domain_getinfo_real();
	return fn ? fn(xch, first_domid, max_doms, info) : -1;
}
