# The helpers' --version: one place, debian/changelog's top entry
# (XP_VERSION, mk/install.mk), compiled into the two main objects, which are
# rebuilt when the changelog changes.
XP_VERSION_OBJS := $(B)/src/net/network-xenplumb.o $(B)/src/vif/vif-xenplumb.o
$(XP_VERSION_OBJS): CFLAGS += -DXP_VERSION='"$(XP_VERSION)"'
$(XP_VERSION_OBJS): debian/changelog
