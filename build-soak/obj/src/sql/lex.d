build-soak/obj/src/sql/lex.o: src/sql/lex.c src/sql/lex.h src/core/buf.h \
 src/core/err.h include/weir.h
src/sql/lex.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
