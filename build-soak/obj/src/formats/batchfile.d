build-soak/obj/src/formats/batchfile.o: src/formats/batchfile.c \
 src/core/buf.h src/core/fs.h src/core/err.h include/weir.h \
 src/formats/batchfile.h src/core/opts.h src/core/vec.h src/core/schema.h \
 src/formats/compress.h src/formats/csv.h src/formats/badrec.h \
 src/formats/json.h src/formats/parquet.h
src/core/buf.h:
src/core/fs.h:
src/core/err.h:
include/weir.h:
src/formats/batchfile.h:
src/core/opts.h:
src/core/vec.h:
src/core/schema.h:
src/formats/compress.h:
src/formats/csv.h:
src/formats/badrec.h:
src/formats/json.h:
src/formats/parquet.h:
