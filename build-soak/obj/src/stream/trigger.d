build-soak/obj/src/stream/trigger.o: src/stream/trigger.c \
 src/stream/trigger.h src/core/err.h include/weir.h
src/stream/trigger.h:
src/core/err.h:
include/weir.h:
