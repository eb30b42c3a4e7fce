build-soak/obj/src/exec/state.o: src/exec/state.c src/exec/state.h \
 src/core/buf.h src/core/err.h include/weir.h src/core/fs.h
src/exec/state.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/core/fs.h:
