/*
 * fuzz_manifest.c - libFuzzer target for the file sink's manifest reader (stream/manifest.h).
 *
 * Any bytes as one `_weir_metadata` entry file: wmanifest_parse must return WEIR_OK or WEIR_CORRUPT
 * (never crash, leak or read past the text); every entry it accepts has a non-empty relative path
 * without "..", and the count of entries matches what was appended. Each line also goes through
 * retention's filter (wmanifest_entry_retained), which must read only that line. The same bytes, up to the first NUL,
 * as a file name of the manifest folder: wseg_parse_name (stream/segments.h) takes it as a segment only
 * with first <= last.
 */
#include <stdlib.h>
#include <string.h>

#include "stream/manifest.h"
#include "stream/segments.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    char *text = malloc(size ? size : 1); /* exactly size bytes, so overreads are caught */
    if (!text) return 0;
    memcpy(text, data, size);
    WManifest m;
    wmanifest_init(&m);
    WErr err;
    werr_init(&err);
    int rc = wmanifest_parse("fuzz", text, size, &m, &err);
    if (rc != WEIR_OK && rc != WEIR_CORRUPT && rc != WEIR_NOMEM) abort();
    if (rc == WEIR_OK)
        for (int64_t i = 0; i < m.n; i++)
            if (!m.files[i].path[0] || m.files[i].path[0] == '/' || strstr(m.files[i].path, "..")) abort();
    wmanifest_fini(&m);
    /* retention's filter on each line, which reads exactly the line (ASan catches more) */
    for (size_t at = 0; at < size;) {
        const char *nl = memchr(text + at, '\n', size - at);
        size_t len = nl ? (size_t)(nl - (text + at)) : size - at;
        char *line = malloc(len ? len : 1);
        if (!line) break;
        memcpy(line, text + at, len);
        int keep = wmanifest_entry_retained(line, len, 1000);
        if (keep != 0 && keep != 1) abort();
        free(line);
        at += len + 1;
    }
    char name[256];
    size_t n = strnlen(text, size < sizeof name - 1 ? size : sizeof name - 1);
    memcpy(name, text, n);
    name[n] = 0;
    WSeg seg;
    if (wseg_parse_name(name, 1, &seg) && (seg.first < 0 || seg.last < seg.first)) abort();
    free(text);
    return 0;
}
