build-soak/obj/src/cli/cmd_inspect.o: src/cli/cmd_inspect.c src/cli/cmd.h \
 src/core/buf.h src/core/time.h src/core/err.h include/weir.h \
 src/stream/ckpt.h src/core/opts.h src/stream/logjson.h \
 src/stream/source_file.h src/core/schema.h src/core/vec.h
src/cli/cmd.h:
src/core/buf.h:
src/core/time.h:
src/core/err.h:
include/weir.h:
src/stream/ckpt.h:
src/core/opts.h:
src/stream/logjson.h:
src/stream/source_file.h:
src/core/schema.h:
src/core/vec.h:
