build-soak/obj/src/core/buf.o: src/core/buf.c src/core/buf.h \
 include/weir.h
src/core/buf.h:
include/weir.h:
