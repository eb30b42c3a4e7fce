build-soak/obj/src/sql/resolve_agg.o: src/sql/resolve_agg.c \
 src/core/buf.h src/sql/lex.h src/core/err.h include/weir.h \
 src/sql/parse.h src/sql/ast.h src/core/arena.h src/core/schema.h \
 src/sql/resolve.h
src/core/buf.h:
src/sql/lex.h:
src/core/err.h:
include/weir.h:
src/sql/parse.h:
src/sql/ast.h:
src/core/arena.h:
src/core/schema.h:
src/sql/resolve.h:
