build-soak/obj/src/cli/cmd_run.o: src/cli/cmd_run.c src/cli/cmd.h \
 src/core/buf.h src/core/fs.h src/core/err.h include/weir.h \
 src/sql/plan.h src/core/opts.h src/core/schema.h src/sql/resolve.h \
 src/core/arena.h src/sql/ast.h src/stream/driver.h src/stream/sink.h \
 src/core/vec.h src/stream/trigger.h
src/cli/cmd.h:
src/core/buf.h:
src/core/fs.h:
src/core/err.h:
include/weir.h:
src/sql/plan.h:
src/core/opts.h:
src/core/schema.h:
src/sql/resolve.h:
src/core/arena.h:
src/sql/ast.h:
src/stream/driver.h:
src/stream/sink.h:
src/core/vec.h:
src/stream/trigger.h:
