build-soak/obj/src/cli/cmd_cat.o: src/cli/cmd_cat.c src/cli/cmd.h \
 src/core/num.h src/core/time.h src/core/err.h include/weir.h \
 src/formats/parquet.h src/core/buf.h src/core/opts.h src/core/schema.h \
 src/core/vec.h
src/cli/cmd.h:
src/core/num.h:
src/core/time.h:
src/core/err.h:
include/weir.h:
src/formats/parquet.h:
src/core/buf.h:
src/core/opts.h:
src/core/schema.h:
src/core/vec.h:
