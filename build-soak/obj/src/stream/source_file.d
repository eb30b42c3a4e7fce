build-soak/obj/src/stream/source_file.o: src/stream/source_file.c \
 src/stream/source_file.h src/core/buf.h src/core/err.h include/weir.h \
 src/core/opts.h src/core/schema.h src/core/vec.h src/stream/ckpt.h \
 src/core/time.h src/core/fs.h src/core/worker.h src/formats/badrec.h \
 src/formats/csv.h src/formats/json.h src/formats/parquet.h \
 src/stream/logjson.h src/stream/manifest.h src/stream/segments.h \
 src/stream/trigger.h
src/stream/source_file.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/core/opts.h:
src/core/schema.h:
src/core/vec.h:
src/stream/ckpt.h:
src/core/time.h:
src/core/fs.h:
src/core/worker.h:
src/formats/badrec.h:
src/formats/csv.h:
src/formats/json.h:
src/formats/parquet.h:
src/stream/logjson.h:
src/stream/manifest.h:
src/stream/segments.h:
src/stream/trigger.h:
