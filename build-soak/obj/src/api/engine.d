build-soak/obj/src/api/engine.o: src/api/engine.c src/api/sink_callback.h \
 src/stream/sink.h src/core/err.h include/weir.h src/core/opts.h \
 src/core/schema.h src/core/buf.h src/core/vec.h src/sql/lex.h \
 src/sql/plan.h src/sql/resolve.h src/core/arena.h src/sql/ast.h \
 src/stream/driver.h src/stream/trigger.h
src/api/sink_callback.h:
src/stream/sink.h:
src/core/err.h:
include/weir.h:
src/core/opts.h:
src/core/schema.h:
src/core/buf.h:
src/core/vec.h:
src/sql/lex.h:
src/sql/plan.h:
src/sql/resolve.h:
src/core/arena.h:
src/sql/ast.h:
src/stream/driver.h:
src/stream/trigger.h:
