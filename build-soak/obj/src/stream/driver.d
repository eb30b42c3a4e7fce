build-soak/obj/src/stream/driver.o: src/stream/driver.c \
 src/stream/driver.h src/core/err.h include/weir.h src/sql/plan.h \
 src/core/opts.h src/core/schema.h src/core/buf.h src/sql/resolve.h \
 src/core/arena.h src/sql/ast.h src/stream/sink.h src/core/vec.h \
 src/stream/trigger.h src/core/fs.h src/core/time.h src/core/filepool.h \
 src/core/worker.h src/exec/agg.h src/exec/state.h src/exec/window.h \
 src/exec/project.h src/stream/ckpt.h src/stream/logjson.h \
 src/stream/source_file.h
src/stream/driver.h:
src/core/err.h:
include/weir.h:
src/sql/plan.h:
src/core/opts.h:
src/core/schema.h:
src/core/buf.h:
src/sql/resolve.h:
src/core/arena.h:
src/sql/ast.h:
src/stream/sink.h:
src/core/vec.h:
src/stream/trigger.h:
src/core/fs.h:
src/core/time.h:
src/core/filepool.h:
src/core/worker.h:
src/exec/agg.h:
src/exec/state.h:
src/exec/window.h:
src/exec/project.h:
src/stream/ckpt.h:
src/stream/logjson.h:
src/stream/source_file.h:
