build-soak/obj/src/exec/window.o: src/exec/window.c src/exec/window.h \
 src/core/err.h include/weir.h
src/exec/window.h:
src/core/err.h:
include/weir.h:
