build-soak/obj/src/formats/parquet/pq_thrift.o: \
 src/formats/parquet/pq_thrift.c src/formats/parquet/pq_int.h \
 src/core/buf.h src/core/err.h include/weir.h src/core/schema.h
src/formats/parquet/pq_int.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/core/schema.h:
