build-soak/obj/src/cli/cmd_convert.o: src/cli/cmd_convert.c \
 src/cli/cli_io.h src/core/buf.h src/core/err.h include/weir.h \
 src/core/fs.h src/core/opts.h src/cli/cmd.h src/core/schema.h \
 src/core/vec.h src/formats/csv.h src/formats/badrec.h src/formats/json.h \
 src/formats/parquet.h
src/cli/cli_io.h:
src/core/buf.h:
src/core/err.h:
include/weir.h:
src/core/fs.h:
src/core/opts.h:
src/cli/cmd.h:
src/core/schema.h:
src/core/vec.h:
src/formats/csv.h:
src/formats/badrec.h:
src/formats/json.h:
src/formats/parquet.h:
