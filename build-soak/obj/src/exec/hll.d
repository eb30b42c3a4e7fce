build-soak/obj/src/exec/hll.o: src/exec/hll.c src/exec/hll.h
src/exec/hll.h:
