build-soak/obj/src/exec/agg.o: src/exec/agg.c src/exec/agg.h \
 src/core/err.h include/weir.h src/core/schema.h src/core/buf.h \
 src/core/vec.h src/exec/state.h src/exec/window.h src/sql/resolve.h \
 src/core/arena.h src/sql/ast.h src/core/time.h src/exec/hll.h \
 src/exec/watermark.h src/exec/xsum.h
src/exec/agg.h:
src/core/err.h:
include/weir.h:
src/core/schema.h:
src/core/buf.h:
src/core/vec.h:
src/exec/state.h:
src/exec/window.h:
src/sql/resolve.h:
src/core/arena.h:
src/sql/ast.h:
src/core/time.h:
src/exec/hll.h:
src/exec/watermark.h:
src/exec/xsum.h:
