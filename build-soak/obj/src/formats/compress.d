build-soak/obj/src/formats/compress.o: src/formats/compress.c \
 src/formats/compress.h src/core/buf.h src/core/err.h include/weir.h
src/formats/compress.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
