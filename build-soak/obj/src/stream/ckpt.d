build-soak/obj/src/stream/ckpt.o: src/stream/ckpt.c src/stream/ckpt.h \
 src/core/buf.h src/core/err.h include/weir.h src/core/opts.h \
 src/core/fs.h src/stream/logjson.h
src/stream/ckpt.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/core/opts.h:
src/core/fs.h:
src/stream/logjson.h:
