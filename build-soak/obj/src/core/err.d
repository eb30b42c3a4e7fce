build-soak/obj/src/core/err.o: src/core/err.c src/core/err.h \
 include/weir.h
src/core/err.h:
include/weir.h:
