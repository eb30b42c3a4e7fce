build-soak/obj/src/formats/json_write.o: src/formats/json_write.c \
 src/formats/json.h src/core/buf.h src/core/opts.h src/core/err.h \
 include/weir.h src/core/vec.h src/core/schema.h src/formats/badrec.h \
 src/core/num.h src/core/time.h src/formats/json_lex.h
src/formats/json.h:
src/core/buf.h:
src/core/opts.h:
src/core/err.h:
include/weir.h:
src/core/vec.h:
src/core/schema.h:
src/formats/badrec.h:
src/core/num.h:
src/core/time.h:
src/formats/json_lex.h:
