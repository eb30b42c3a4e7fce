build-soak/obj/src/stream/manifest.o: src/stream/manifest.c \
 src/stream/manifest.h src/core/err.h include/weir.h src/core/fs.h \
 src/core/buf.h src/core/opts.h src/core/schema.h src/core/vec.h \
 src/formats/json.h src/formats/badrec.h src/stream/segments.h
src/stream/manifest.h:
src/core/err.h:
include/weir.h:
src/core/fs.h:
src/core/buf.h:
src/core/opts.h:
src/core/schema.h:
src/core/vec.h:
src/formats/json.h:
src/formats/badrec.h:
src/stream/segments.h:
