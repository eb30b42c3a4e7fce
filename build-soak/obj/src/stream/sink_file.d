build-soak/obj/src/stream/sink_file.o: src/stream/sink_file.c \
 src/core/buf.h src/core/fs.h src/core/err.h include/weir.h \
 src/core/num.h src/core/time.h src/core/worker.h src/formats/compress.h \
 src/formats/csv.h src/core/opts.h src/core/vec.h src/core/schema.h \
 src/formats/badrec.h src/formats/json.h src/formats/parquet.h \
 src/stream/manifest.h src/stream/sink.h
src/core/buf.h:
src/core/fs.h:
src/core/err.h:
include/weir.h:
src/core/num.h:
src/core/time.h:
src/core/worker.h:
src/formats/compress.h:
src/formats/csv.h:
src/core/opts.h:
src/core/vec.h:
src/core/schema.h:
src/formats/badrec.h:
src/formats/json.h:
src/formats/parquet.h:
src/stream/manifest.h:
src/stream/sink.h:
