build-soak/obj/src/core/tz.o: src/core/tz.c src/core/time_int.h \
 src/core/time.h src/core/err.h include/weir.h
src/core/time_int.h:
src/core/time.h:
src/core/err.h:
include/weir.h:
