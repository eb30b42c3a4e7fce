build-soak/obj/src/core/timefmt.o: src/core/timefmt.c src/core/time_int.h \
 src/core/time.h src/core/err.h include/weir.h
src/core/time_int.h:
src/core/time.h:
src/core/err.h:
include/weir.h:
