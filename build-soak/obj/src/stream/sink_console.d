build-soak/obj/src/stream/sink_console.o: src/stream/sink_console.c \
 src/core/buf.h src/core/num.h src/core/time.h src/core/err.h \
 include/weir.h src/stream/sink.h src/core/opts.h src/core/schema.h \
 src/core/vec.h
src/core/buf.h:
src/core/num.h:
src/core/time.h:
src/core/err.h:
include/weir.h:
src/stream/sink.h:
src/core/opts.h:
src/core/schema.h:
src/core/vec.h:
