# Xen tier: real Xen 4.17 + a Debian dom0 + PV guests in QEMU (TCG), with
# our helpers as the dom0's network and vif scripts.  See tests/xen/README.md.
.PHONY: test-xen
test-xen: all
	tests/xen/run
