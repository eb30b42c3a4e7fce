build-soak/obj/src/api/arrow.o: src/api/arrow.c src/api/batch_int.h \
 src/core/vec.h src/core/schema.h src/core/buf.h src/core/err.h \
 include/weir.h src/api/batch_priv.h
src/api/batch_int.h:
src/core/vec.h:
src/core/schema.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/api/batch_priv.h:
