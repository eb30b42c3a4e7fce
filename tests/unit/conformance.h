/*
 * conformance.h - for the tests that read others' suites: where the suites are, and reading a whole file.
 *
 * The suites are found through $WEIR_CONFORMANCE, else ../shared/conformance (beside the repository),
 * ../../shared/conformance (from a worktree), /work/shared/conformance, or the copy in tests/conformance.
 * The outside folder is looked up first so that a fuller copy of a suite wins over the one committed here.
 */
#ifndef WEIR_TEST_CONFORMANCE_H
#define WEIR_TEST_CONFORMANCE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

/* The first root in which `probe` (a folder below the root, e.g. "json-test-suite") exists, or NULL. */
static const char *conformance_root(const char *probe) {
    static char buf[1024];
    const char *cands[] = {getenv("WEIR_CONFORMANCE"), "../shared/conformance", "../../shared/conformance",
                           "/work/shared/conformance", "tests/conformance"};
    for (size_t i = 0; i < sizeof cands / sizeof *cands; i++) {
        if (!cands[i]) continue;
        snprintf(buf, sizeof buf, "%s/%s", cands[i], probe);
        DIR *d = opendir(buf);
        if (d) {
            closedir(d);
            snprintf(buf, sizeof buf, "%s", cands[i]);
            return buf;
        }
    }
    return NULL;
}

/* The whole file, NUL-terminated (not counted in *len); NULL when it cannot be read. Caller frees. */
static char *conformance_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        fclose(f);
        return NULL;
    }
    b[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return b;
}

#endif
