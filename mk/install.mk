# Install, uninstall, compat mode, packages and the sandbox demo.
#
#   make install   [DESTDIR=] [PREFIX=/usr] [SYSCONFDIR=/etc]
#   make uninstall (same variables: removes exactly what install put there)
#   make install-compat / uninstall-compat   (opt-in: vif-bridge, vif-route, vif-nat -> xenplumb)
#   make install-xend-udev / uninstall-xend-udev  (xend hosts only: udev runs
#                  vif-xenplumb; never on xl/libxl hosts, see below)
#   make deb       Debian package into build/pkg/
#   make rpm       RPM package into build/pkg/
#   make demo      sandbox demo in a private network namespace (root)
#
# Layout: the helpers live in $(SBINDIR); $(XEN_SCRIPT_DIR) (where xl and
# xend resolve a relative script= name) gets symlinks to them, so nothing
# executable is a conffile.  The map is installed only when absent.
#
# The udev rule is for xend hosts only, so it is installed inactive, in
# $(XP_UDEV_SHARE).  xl/libxl (every Xen since 4.2, all of Debian's and
# RHEL's) runs the vif script itself, has not written /libxl/disable_udev
# since 4.6, and netback's online/offline uevent names the script: an
# active rule would run a second vif-xenplumb for every vif, alongside
# libxl's.  install-xend-udev links it into $(UDEV_ETC_RULESDIR).

PREFIX         ?= /usr
SYSCONFDIR     ?= /etc
LOCALSTATEDIR  ?= /var
SBINDIR        ?= $(PREFIX)/sbin
LIBEXECDIR     ?= $(PREFIX)/lib/xenplumb
DATADIR        ?= $(PREFIX)/share
MANDIR         ?= $(DATADIR)/man
DOCDIR         ?= $(DATADIR)/doc/xenplumb
BASHCOMPDIR    ?= $(DATADIR)/bash-completion/completions
UNITDIR        ?= $(PREFIX)/lib/systemd/system
UDEV_ETC_RULESDIR ?= $(SYSCONFDIR)/udev/rules.d
XEN_CONFIG_DIR ?= $(SYSCONFDIR)/xen
XEN_SCRIPT_DIR ?= $(XEN_CONFIG_DIR)/scripts
INSTALL        ?= install

XP_VERSION := $(shell sed -n '1s/^xenplumb (\([^)-]*\).*/\1/p' debian/changelog 2>/dev/null)
ifeq ($(XP_VERSION),)
XP_VERSION := 0.0.0
endif

XP_HELPERS   := network-xenplumb vif-xenplumb
XP_MAN5      := $(wildcard man/*.5)
XP_MAN8      := $(wildcard man/*.8)
XP_EXAMPLES  := $(sort $(wildcard etc/examples/*.conf etc/examples/*.frr)) etc/xl.conf.example
XP_DOCS      := $(sort $(wildcard docs/*.md))
XP_UDEV_SRC  := $(wildcard etc/udev/xenplumb-vif.rules)
XP_UDEV_NAME := 90-xenplumb-vif.rules
XP_UDEV_SHARE := $(DATADIR)/xenplumb/udev
XP_MAP_SRC   := etc/xenplumb.conf

D := $(DESTDIR)

.PHONY: install uninstall install-compat uninstall-compat install-xend-udev \
        uninstall-xend-udev helpers deb rpm pkg-clean

# Just the two installed helpers (what the packages build).
helpers: $(addprefix $(B)/,$(XP_HELPERS))

install: helpers
	$(INSTALL) -d -m 0755 $(D)$(SBINDIR) $(D)$(XEN_SCRIPT_DIR) $(D)$(LIBEXECDIR) \
	    $(D)$(DOCDIR)/examples $(D)$(BASHCOMPDIR) $(D)$(UNITDIR) \
	    $(if $(XP_MAN5),$(D)$(MANDIR)/man5) $(if $(XP_MAN8),$(D)$(MANDIR)/man8)
	$(INSTALL) -m 0755 $(addprefix $(B)/,$(XP_HELPERS)) $(D)$(SBINDIR)/
	for h in $(XP_HELPERS); do \
	    ln -sfn $(SBINDIR)/$$h $(D)$(XEN_SCRIPT_DIR)/$$h || exit 1; done
	$(INSTALL) -m 0755 scripts/xenplumb-compat $(D)$(LIBEXECDIR)/xenplumb-compat
	@if [ -e $(D)$(XEN_CONFIG_DIR)/xenplumb.conf ]; then \
	    echo "keeping existing $(D)$(XEN_CONFIG_DIR)/xenplumb.conf"; \
	else \
	    echo "$(INSTALL) -m 0644 $(XP_MAP_SRC) $(D)$(XEN_CONFIG_DIR)/xenplumb.conf"; \
	    $(INSTALL) -m 0644 $(XP_MAP_SRC) $(D)$(XEN_CONFIG_DIR)/xenplumb.conf; fi
	$(INSTALL) -m 0644 $(XP_EXAMPLES) $(D)$(DOCDIR)/examples/
	$(if $(XP_DOCS),$(INSTALL) -m 0644 $(XP_DOCS) $(D)$(DOCDIR)/)
	$(if $(XP_MAN5),$(INSTALL) -m 0644 $(XP_MAN5) $(D)$(MANDIR)/man5/)
	$(if $(XP_MAN8),$(INSTALL) -m 0644 $(XP_MAN8) $(D)$(MANDIR)/man8/)
	$(INSTALL) -m 0644 etc/bash-completion/xenplumb $(D)$(BASHCOMPDIR)/network-xenplumb
	ln -sfn network-xenplumb $(D)$(BASHCOMPDIR)/vif-xenplumb
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    etc/systemd/xenplumb.service.in >$(D)$(UNITDIR)/xenplumb.service
	chmod 0644 $(D)$(UNITDIR)/xenplumb.service
ifneq ($(XP_UDEV_SRC),)
	$(INSTALL) -d -m 0755 $(D)$(XP_UDEV_SHARE)
	sed 's|@XEN_SCRIPT_DIR@|$(XEN_SCRIPT_DIR)|g' $(XP_UDEV_SRC) >$(D)$(XP_UDEV_SHARE)/$(XP_UDEV_NAME)
	chmod 0644 $(D)$(XP_UDEV_SHARE)/$(XP_UDEV_NAME)
endif

# Removes what install put there.  The map stays if the admin changed it.
# Directories are removed only when empty and only when they are ours, or
# when installing into a DESTDIR created them.
uninstall:
	@if [ -d $(D)$(LOCALSTATEDIR)/lib/xenplumb/compat ]; then \
	    $(MAKE) --no-print-directory uninstall-compat; fi
	@$(MAKE) --no-print-directory uninstall-xend-udev
	rm -f $(addprefix $(D)$(SBINDIR)/,$(XP_HELPERS)) \
	      $(addprefix $(D)$(XEN_SCRIPT_DIR)/,$(XP_HELPERS)) \
	      $(D)$(LIBEXECDIR)/xenplumb-compat \
	      $(addprefix $(D)$(DOCDIR)/examples/,$(notdir $(XP_EXAMPLES))) \
	      $(addprefix $(D)$(DOCDIR)/,$(notdir $(XP_DOCS))) \
	      $(addprefix $(D)$(MANDIR)/man5/,$(notdir $(XP_MAN5))) \
	      $(addprefix $(D)$(MANDIR)/man8/,$(notdir $(XP_MAN8))) \
	      $(D)$(BASHCOMPDIR)/network-xenplumb $(D)$(BASHCOMPDIR)/vif-xenplumb \
	      $(D)$(UNITDIR)/xenplumb.service $(D)$(XP_UDEV_SHARE)/$(XP_UDEV_NAME)
	@m=$(D)$(XEN_CONFIG_DIR)/xenplumb.conf; \
	if [ -f $$m ] && cmp -s $$m $(XP_MAP_SRC); then echo "rm -f $$m"; rm -f $$m; \
	elif [ -e $$m ]; then echo "keeping modified $$m"; fi
	@for d in $(DOCDIR)/examples $(DOCDIR) $(LIBEXECDIR) $(XP_UDEV_SHARE) $(DATADIR)/xenplumb; do \
	    rmdir $(D)$$d 2>/dev/null || true; done
	@if [ -n "$(DESTDIR)" ]; then \
	    for d in $(SBINDIR) $(XEN_SCRIPT_DIR) $(MANDIR)/man5 $(MANDIR)/man8 \
	        $(BASHCOMPDIR) $(DATADIR)/doc $(UNITDIR) $(UDEV_ETC_RULESDIR); do \
	        while [ -n "$$d" ] && [ "$$d" != / ] && rmdir $(D)$$d 2>/dev/null; do \
	            d=$${d%/*}; done; done; fi

# xend hosts only (Xen 4.1 and older, where udev, not the toolstack, runs
# the vif script): activate the rule.  Never on an xl/libxl host (see the
# top of this file).  udev is told to re-read its rules when this is the
# running system.
install-xend-udev:
	@test -f $(D)$(XP_UDEV_SHARE)/$(XP_UDEV_NAME) || \
	    { echo "$(D)$(XP_UDEV_SHARE)/$(XP_UDEV_NAME) is missing: make install first" >&2; exit 1; }
	$(INSTALL) -d -m 0755 $(D)$(UDEV_ETC_RULESDIR)
	ln -sfn $(XP_UDEV_SHARE)/$(XP_UDEV_NAME) $(D)$(UDEV_ETC_RULESDIR)/$(XP_UDEV_NAME)
	@if [ -z "$(DESTDIR)" ] && command -v udevadm >/dev/null 2>&1; then \
	    echo "udevadm control --reload"; udevadm control --reload || true; fi

# Removes the link only if it is ours.
uninstall-xend-udev:
	@l=$(D)$(UDEV_ETC_RULESDIR)/$(XP_UDEV_NAME); \
	if [ -L $$l ] && [ "$$(readlink $$l)" = $(XP_UDEV_SHARE)/$(XP_UDEV_NAME) ]; then \
	    echo "rm -f $$l"; rm -f $$l; \
	    if [ -z "$(DESTDIR)" ] && command -v udevadm >/dev/null 2>&1; then \
	        udevadm control --reload || true; fi; fi

# Opt-in: existing guests (script=vif-bridge or no script) use xenplumb.
# ROOT is $(DESTDIR); see scripts/xenplumb-compat for what is changed.
install-compat:
	XEN_SCRIPT_DIR=$(XEN_SCRIPT_DIR) XEN_CONFIG_DIR=$(XEN_CONFIG_DIR) \
	XP_STATE_DIR=$(LOCALSTATEDIR)/lib/xenplumb/compat \
	    scripts/xenplumb-compat --root "$(DESTDIR)" enable

uninstall-compat:
	XEN_SCRIPT_DIR=$(XEN_SCRIPT_DIR) XEN_CONFIG_DIR=$(XEN_CONFIG_DIR) \
	XP_STATE_DIR=$(LOCALSTATEDIR)/lib/xenplumb/compat \
	    scripts/xenplumb-compat --root "$(DESTDIR)" disable

# Packages: built from a copy of the tree (what git tracks plus new files
# it does not ignore) so nothing from build/ leaks in; results in build/pkg/.
PKG_DIR := build/pkg

# $(call xp_copy_tree,DEST): the source tree, as git sees it, into DEST
define xp_copy_tree
	rm -rf $(1) && mkdir -p $(1)
	git ls-files -z --cached --others --exclude-standard | \
	    xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
	    tar --null -T - -cf - | tar -C $(1) -xf -
endef

deb:
	$(call xp_copy_tree,$(PKG_DIR)/deb/xenplumb-$(XP_VERSION))
	cd $(PKG_DIR)/deb/xenplumb-$(XP_VERSION) && dpkg-buildpackage -b -us -uc -j2
	mv $(PKG_DIR)/deb/xenplumb_$(XP_VERSION)_*.deb $(PKG_DIR)/
	rm -rf $(PKG_DIR)/deb
	@ls -1 $(PKG_DIR)/xenplumb_$(XP_VERSION)_*.deb

rpm:
	$(call xp_copy_tree,$(PKG_DIR)/rpm/xenplumb-$(XP_VERSION))
	mkdir -p $(PKG_DIR)/rpm/SOURCES
	tar -C $(PKG_DIR)/rpm -czf $(PKG_DIR)/rpm/SOURCES/xenplumb-$(XP_VERSION).tar.gz \
	    xenplumb-$(XP_VERSION)
	rpmbuild -bb --nodeps --define "_topdir $(abspath $(PKG_DIR)/rpm)" \
	    --define "debug_package %{nil}" rpm/xenplumb.spec
	mv $(PKG_DIR)/rpm/RPMS/*/xenplumb-$(XP_VERSION)-*.rpm $(PKG_DIR)/
	rm -rf $(PKG_DIR)/rpm
	@ls -1 $(PKG_DIR)/xenplumb-$(XP_VERSION)-*.rpm

pkg-clean:
	rm -rf $(PKG_DIR)

demo:
	scripts/demo
