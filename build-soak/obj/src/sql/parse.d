build-soak/obj/src/sql/parse.o: src/sql/parse.c src/sql/parse.h \
 src/core/buf.h src/core/err.h include/weir.h src/sql/ast.h \
 src/core/arena.h src/core/schema.h src/core/num.h src/sql/lex.h
src/sql/parse.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/sql/ast.h:
src/core/arena.h:
src/core/schema.h:
src/core/num.h:
src/sql/lex.h:
