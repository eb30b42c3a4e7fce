build-soak/obj/src/formats/csv_read.o: src/formats/csv_read.c \
 src/formats/csv.h src/core/buf.h src/core/opts.h src/core/err.h \
 include/weir.h src/core/vec.h src/core/schema.h src/formats/badrec.h \
 src/formats/csv_internal.h src/core/time.h src/core/num.h \
 src/core/num_scan.h src/core/num_swar.h src/core/time_scan.h
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
src/core/num_scan.h:
src/core/num_swar.h:
src/core/time_scan.h:
