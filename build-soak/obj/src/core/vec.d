build-soak/obj/src/core/vec.o: src/core/vec.c src/core/vec.h \
 src/core/schema.h src/core/buf.h src/core/err.h include/weir.h
src/core/vec.h:
src/core/schema.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
