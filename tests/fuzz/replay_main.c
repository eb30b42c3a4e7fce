/*
 * replay_main.c - a plain main() for the libFuzzer targets: runs LLVMFuzzerTestOneInput once on each file
 * named on the command line, so the checked-in corpus (tests/fuzz/corpus/NAME) is replayed by every
 * `make test` without clang's fuzzer runtime (tests/cli/fuzz_replay.sh builds and runs it).
 */
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int main(int argc, char **argv) {
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "cannot open %s\n", argv[i]);
            failed = 1;
            continue;
        }
        unsigned char *buf = NULL;
        size_t len = 0, cap = 0;
        for (;;) {
            if (len == cap) {
                cap = cap ? cap * 2 : 4096;
                unsigned char *nb = realloc(buf, cap);
                if (!nb) abort();
                buf = nb;
            }
            size_t got = fread(buf + len, 1, cap - len, f);
            if (got == 0) break;
            len += got;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(buf, len); /* a finding aborts or trips a sanitizer */
        free(buf);
    }
    return failed;
}
