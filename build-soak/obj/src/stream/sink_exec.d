build-soak/obj/src/stream/sink_exec.o: src/stream/sink_exec.c \
 src/core/buf.h src/core/fs.h src/core/err.h include/weir.h \
 src/formats/batchfile.h src/core/opts.h src/core/vec.h src/core/schema.h \
 src/stream/sink.h
src/core/buf.h:
src/core/fs.h:
src/core/err.h:
include/weir.h:
src/formats/batchfile.h:
src/core/opts.h:
src/core/vec.h:
src/core/schema.h:
src/stream/sink.h:
