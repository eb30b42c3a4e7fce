build-soak/obj/src/cli/main.o: src/cli/main.c src/cli/cmd.h \
 include/weir.h
src/cli/cmd.h:
include/weir.h:
