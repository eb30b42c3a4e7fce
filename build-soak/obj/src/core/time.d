build-soak/obj/src/core/time.o: src/core/time.c src/core/num.h \
 src/core/num_swar.h src/core/time_int.h src/core/time.h src/core/err.h \
 include/weir.h
src/core/num.h:
src/core/num_swar.h:
src/core/time_int.h:
src/core/time.h:
src/core/err.h:
include/weir.h:
