build-soak/obj/src/stream/sink_registry.o: src/stream/sink_registry.c \
 src/stream/sink.h src/core/err.h include/weir.h src/core/opts.h \
 src/core/schema.h src/core/buf.h src/core/vec.h
src/stream/sink.h:
src/core/err.h:
include/weir.h:
src/core/opts.h:
src/core/schema.h:
src/core/buf.h:
src/core/vec.h:
