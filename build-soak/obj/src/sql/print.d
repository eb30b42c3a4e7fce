build-soak/obj/src/sql/print.o: src/sql/print.c src/core/num.h \
 src/sql/parse.h src/core/buf.h src/core/err.h include/weir.h \
 src/sql/ast.h src/core/arena.h src/core/schema.h
src/core/num.h:
src/sql/parse.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/sql/ast.h:
src/core/arena.h:
src/core/schema.h:
