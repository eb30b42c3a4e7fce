/*
 * fuzz_duration.c - libFuzzer target for the duration parser of weir's command-line options
 * (src/cli/duration.h: "5s", "500ms", "1 second"). The parser lives in the cli layer, which the fuzz
 * build does not link, so its one source file is compiled in here.
 *
 * Any NUL-terminated text: no crash, and a parsed duration is never negative.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/duration.c"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    int64_t us = -1;
    if (wcli_parse_duration(text, &us) == 0 && us < 0) abort();
    free(text);
    return 0;
}
