build-soak/obj/src/formats/csv_common.o: src/formats/csv_common.c \
 src/formats/csv_internal.h src/core/err.h include/weir.h src/core/opts.h \
 src/core/time.h
src/formats/csv_internal.h:
src/core/err.h:
include/weir.h:
src/core/opts.h:
src/core/time.h:
