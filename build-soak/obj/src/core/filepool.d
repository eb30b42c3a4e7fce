build-soak/obj/src/core/filepool.o: src/core/filepool.c \
 src/core/filepool.h src/core/err.h include/weir.h
src/core/filepool.h:
src/core/err.h:
include/weir.h:
