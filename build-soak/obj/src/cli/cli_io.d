build-soak/obj/src/cli/cli_io.o: src/cli/cli_io.c src/cli/cli_io.h \
 src/core/buf.h src/core/err.h include/weir.h src/core/fs.h \
 src/core/opts.h
src/cli/cli_io.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/core/fs.h:
src/core/opts.h:
