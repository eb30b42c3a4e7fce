build-soak/obj/src/cli/cmd_gen.o: src/cli/cmd_gen.c src/cli/cmd.h \
 src/cli/duration.h src/core/buf.h src/core/fs.h src/core/err.h \
 include/weir.h src/core/num.h src/core/time.h
src/cli/cmd.h:
src/cli/duration.h:
src/core/buf.h:
src/core/fs.h:
src/core/err.h:
include/weir.h:
src/core/num.h:
src/core/time.h:
