build-soak/obj/src/formats/csv_write.o: src/formats/csv_write.c \
 src/formats/csv.h src/core/buf.h src/core/opts.h src/core/err.h \
 include/weir.h src/core/vec.h src/core/schema.h src/formats/badrec.h \
 src/formats/csv_internal.h src/core/time.h src/core/num.h
src/formats/csv.h:
src/core/buf.h:
src/core/opts.h:
src/core/err.h:
include/weir.h:
src/core/vec.h:
src/core/schema.h:
src/formats/badrec.h:
src/formats/csv_internal.h:
src/core/time.h:
src/core/num.h:
