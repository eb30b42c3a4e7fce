build-soak/obj/src/formats/parquet/pq_writer.o: \
 src/formats/parquet/pq_writer.c src/formats/parquet.h src/core/buf.h \
 src/core/err.h include/weir.h src/core/opts.h src/core/schema.h \
 src/core/vec.h src/formats/parquet/pq_int.h
src/formats/parquet.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/core/opts.h:
src/core/schema.h:
src/core/vec.h:
src/formats/parquet/pq_int.h:
