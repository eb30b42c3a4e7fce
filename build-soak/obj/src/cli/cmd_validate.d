build-soak/obj/src/cli/cmd_validate.o: src/cli/cmd_validate.c \
 src/cli/cli_io.h src/core/buf.h src/core/err.h include/weir.h \
 src/core/fs.h src/core/opts.h src/cli/cmd.h src/core/schema.h \
 src/core/vec.h src/formats/csv.h src/formats/badrec.h src/formats/json.h
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
