build-soak/obj/src/sql/plan.o: src/sql/plan.c src/sql/plan.h \
 src/core/err.h include/weir.h src/core/opts.h src/core/schema.h \
 src/core/buf.h src/sql/resolve.h src/core/arena.h src/sql/ast.h \
 src/core/time.h src/sql/lex.h src/sql/parse.h
src/sql/plan.h:
src/core/err.h:
include/weir.h:
src/core/opts.h:
src/core/schema.h:
src/core/buf.h:
src/sql/resolve.h:
src/core/arena.h:
src/sql/ast.h:
src/core/time.h:
src/sql/lex.h:
src/sql/parse.h:
