build-soak/obj/src/core/worker.o: src/core/worker.c src/core/worker.h \
 src/core/err.h include/weir.h
src/core/worker.h:
src/core/err.h:
include/weir.h:
