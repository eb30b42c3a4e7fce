build-soak/obj/src/api/write.o: src/api/write.c src/api/batch_int.h \
 src/core/vec.h src/core/schema.h src/core/buf.h src/core/err.h \
 include/weir.h src/api/batch_priv.h src/core/opts.h \
 src/formats/batchfile.h
src/api/batch_int.h:
src/core/vec.h:
src/core/schema.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/api/batch_priv.h:
src/core/opts.h:
src/formats/batchfile.h:
