build-soak/obj/src/core/fs.o: src/core/fs.c src/core/fs.h src/core/buf.h \
 src/core/err.h include/weir.h src/core/filepool.h src/core/worker.h
src/core/fs.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/core/filepool.h:
src/core/worker.h:
