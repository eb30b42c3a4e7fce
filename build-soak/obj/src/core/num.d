build-soak/obj/src/core/num.o: src/core/num.c src/core/num.h \
 include/weir.h src/core/num_pow10.h src/core/num_scan.h \
 src/core/num_swar.h
src/core/num.h:
include/weir.h:
src/core/num_pow10.h:
src/core/num_scan.h:
src/core/num_swar.h:
