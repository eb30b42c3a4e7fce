build-soak/obj/src/core/opts.o: src/core/opts.c src/core/opts.h \
 src/core/err.h include/weir.h
src/core/opts.h:
src/core/err.h:
include/weir.h:
