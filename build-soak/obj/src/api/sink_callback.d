build-soak/obj/src/api/sink_callback.o: src/api/sink_callback.c \
 src/api/batch_int.h src/core/vec.h src/core/schema.h src/core/buf.h \
 src/core/err.h include/weir.h src/api/sink_callback.h src/stream/sink.h \
 src/core/opts.h
src/api/batch_int.h:
src/core/vec.h:
src/core/schema.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/api/sink_callback.h:
src/stream/sink.h:
src/core/opts.h:
