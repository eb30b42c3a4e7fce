build-soak/obj/src/cli/duration.o: src/cli/duration.c src/cli/duration.h
src/cli/duration.h:
