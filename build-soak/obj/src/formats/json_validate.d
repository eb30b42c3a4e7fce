build-soak/obj/src/formats/json_validate.o: src/formats/json_validate.c \
 src/formats/json.h src/core/buf.h src/core/opts.h src/core/err.h \
 include/weir.h src/core/vec.h src/core/schema.h src/formats/badrec.h \
 src/formats/json_lex.h
src/formats/json.h:
src/core/buf.h:
src/core/opts.h:
src/core/err.h:
include/weir.h:
src/core/vec.h:
src/core/schema.h:
src/formats/badrec.h:
src/formats/json_lex.h:
