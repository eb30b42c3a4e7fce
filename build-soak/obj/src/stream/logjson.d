build-soak/obj/src/stream/logjson.o: src/stream/logjson.c \
 src/stream/logjson.h src/core/buf.h include/weir.h
src/stream/logjson.h:
src/core/buf.h:
include/weir.h:
