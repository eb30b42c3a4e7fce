build-soak/obj/src/sql/resolve.o: src/sql/resolve.c src/sql/resolve.h \
 src/core/arena.h src/core/err.h include/weir.h src/core/schema.h \
 src/core/buf.h src/sql/ast.h src/core/time.h src/sql/lex.h \
 src/sql/parse.h
src/sql/resolve.h:
src/core/arena.h:
src/core/err.h:
include/weir.h:
src/core/schema.h:
src/core/buf.h:
src/sql/ast.h:
src/core/time.h:
src/sql/lex.h:
src/sql/parse.h:
