build-soak/obj/src/cli/cmd_check.o: src/cli/cmd_check.c src/cli/cmd.h \
 src/core/buf.h src/sql/plan.h src/core/err.h include/weir.h \
 src/core/opts.h src/core/schema.h src/sql/resolve.h src/core/arena.h \
 src/sql/ast.h
src/cli/cmd.h:
src/core/buf.h:
src/sql/plan.h:
src/core/err.h:
include/weir.h:
src/core/opts.h:
src/core/schema.h:
src/sql/resolve.h:
src/core/arena.h:
src/sql/ast.h:
