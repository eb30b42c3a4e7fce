build-soak/obj/src/stream/segments.o: src/stream/segments.c \
 src/stream/segments.h src/core/err.h include/weir.h src/core/buf.h \
 src/core/fs.h src/stream/ckpt.h src/core/opts.h
src/stream/segments.h:
src/core/err.h:
include/weir.h:
src/core/buf.h:
src/core/fs.h:
src/stream/ckpt.h:
src/core/opts.h:
