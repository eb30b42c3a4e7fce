build-soak/obj/src/exec/xsum.o: src/exec/xsum.c src/exec/xsum.h \
 src/core/buf.h include/weir.h
src/exec/xsum.h:
src/core/buf.h:
include/weir.h:
