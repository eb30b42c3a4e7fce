build-soak/obj/src/formats/json_read.o: src/formats/json_read.c \
 src/formats/json.h src/core/buf.h src/core/opts.h src/core/err.h \
 include/weir.h src/core/vec.h src/core/schema.h src/formats/badrec.h \
 src/core/num.h src/core/num_scan.h src/core/num_swar.h src/core/time.h \
 src/formats/json_lex.h
src/formats/json.h:
src/core/buf.h:
src/core/opts.h:
src/core/err.h:
include/weir.h:
src/core/vec.h:
src/core/schema.h:
src/formats/badrec.h:
src/core/num.h:
src/core/num_scan.h:
src/core/num_swar.h:
src/core/time.h:
src/formats/json_lex.h:
