build-soak/obj/src/formats/parquet/pq_mem.o: src/formats/parquet/pq_mem.c \
 src/formats/parquet/pq_int.h src/core/buf.h src/core/err.h \
 include/weir.h src/core/schema.h
src/formats/parquet/pq_int.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/core/schema.h:
