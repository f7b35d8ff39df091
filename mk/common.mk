# src/common/: code shared by both helpers (logging, validators, the one
# netlink request/reply layer, xenstore helpers).  It uses neither src/net
# nor src/vif (tests/lint checks the folders' boundaries).
COMMON_SRCS := src/common/validate.c src/common/log.c src/common/nl.c src/common/nametab.c src/common/bridge.c \
               src/common/brinfo.c \
               src/common/xsutil.c src/common/ovsdb.c src/common/ovs.c src/common/l3nl.c \
               src/common/sysctl.c src/common/nft.c src/common/dnsmasq_pid.c src/common/regfile.c
COMMON_OBJS := $(COMMON_SRCS:%.c=$(B)/%.o)
DEPS += $(COMMON_OBJS:.o=.d)
