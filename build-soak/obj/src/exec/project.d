build-soak/obj/src/exec/project.o: src/exec/project.c src/exec/project.h \
 src/core/err.h include/weir.h src/core/vec.h src/core/schema.h \
 src/core/buf.h src/sql/resolve.h src/core/arena.h src/sql/ast.h \
 src/core/time.h src/exec/expr.h
src/exec/project.h:
src/core/err.h:
include/weir.h:
src/core/vec.h:
src/core/schema.h:
src/core/buf.h:
src/sql/resolve.h:
src/core/arena.h:
src/sql/ast.h:
src/core/time.h:
src/exec/expr.h:
