# Code shared by both helpers.
COMMON_SRCS := src/validate.c src/log.c src/nlutil.c
COMMON_OBJS := $(COMMON_SRCS:%.c=$(B)/%.o)
DEPS += $(COMMON_OBJS:.o=.d)
