build-soak/obj/src/core/schema.o: src/core/schema.c src/core/schema.h \
 src/core/buf.h src/core/err.h include/weir.h
src/core/schema.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
