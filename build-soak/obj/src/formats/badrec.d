build-soak/obj/src/formats/badrec.o: src/formats/badrec.c \
 src/formats/badrec.h src/core/err.h include/weir.h src/core/opts.h
src/formats/badrec.h:
src/core/err.h:
include/weir.h:
src/core/opts.h:
