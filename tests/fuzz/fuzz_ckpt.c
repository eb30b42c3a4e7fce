/*
 * fuzz_ckpt.c - libFuzzer target for what the stream layer parses back from disk (run: make fuzz-ckpt):
 * the log JSON reader (stream/logjson.h), checkpoint entries (offsets/N, commits/N, metadata, the file
 * source's log: file lines of a plan and compacted segments, through wsrc_log_read) and trigger / duration
 * text.
 *
 * The first byte picks the target. Whatever the bytes: no crash, no leak, and a damaged checkpoint file is
 * WEIR_CORRUPT (or WEIR_IO), never accepted half-read. For the JSON reader, every member of an object that
 * parses is re-encoded and must parse back to the same key and value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/fs.h"
#include "stream/ckpt.h"
#include "stream/logjson.h"
#include "stream/source_file.h"
#include "stream/trigger.h"

static char root[64];

static void put(const char *rel, const uint8_t *d, size_t n) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    WErr e;
    werr_init(&e);
    wfs_write_atomic(p, d, n, &e);
}

static int count_entry(void *user, const WSrcFile *f) {
    (void)f;
    (*(int *)user)++;
    return 0;
}

/* The file lines of the plans of an opened checkpoint, through the source's log reader. */
static void read_plan_files(WCkpt *c) {
    int k = 0;
    WErr err;
    werr_init(&err);
    int rc = wsrc_log_read(c, count_entry, &k, &err);
    if (rc != WEIR_OK && rc != WEIR_CORRUPT && rc != WEIR_NOMEM) abort();
}

static void json_roundtrip(const uint8_t *d, size_t n) {
    WLogObj o;
    const char *what;
    size_t at;
    if (wlogj_parse((const char *)d, n, &o, &what, &at) == 0) {
        WBuf b;
        wbuf_init(&b);
        wbuf_putc(&b, '{');
        for (int i = 0; i < o.n; i++) {
            if (i) wbuf_putc(&b, ',');
            if (o.m[i].is_str) wlogj_put_field_str(&b, o.m[i].key, o.m[i].val, o.m[i].val_len);
            else {
                wlogj_put_str(&b, o.m[i].key, strlen(o.m[i].key));
                wbuf_putc(&b, ':');
                wbuf_append(&b, o.m[i].val, o.m[i].val_len);
            }
        }
        wbuf_putc(&b, '}');
        WLogObj o2;
        if (wlogj_parse(b.data, b.len, &o2, &what, &at) != 0) abort();
        WBuf scratch;
        wbuf_init(&scratch);
        for (int i = 0; i < o.n; i++) {
            /* keys that are not valid UTF-8 cannot round-trip (they become U+FFFD); the rest must */
            if (!wlogj_utf8_valid(o.m[i].key, strlen(o.m[i].key)) || strlen(o.m[i].key) > 100) continue;
            size_t len = 0;
            if (o.m[i].is_str) {
                const char *v = wlogj_get_bytes(&o2, o.m[i].key, &len, &scratch);
                /* only a key that appears once (also not as "<key>_b64") has one meaning to compare */
                int dup = 0;
                char k64[128];
                snprintf(k64, sizeof k64, "%s_b64", o.m[i].key);
                for (int j = 0; j < o.n; j++)
                    if (j != i && (!strcmp(o.m[j].key, o.m[i].key) || !strcmp(o.m[j].key, k64))) dup = 1;
                for (int j = 0; j < o.n; j++)
                    if (strlen(o.m[j].key) > 4 && !strcmp(o.m[j].key + strlen(o.m[j].key) - 4, "_b64")) dup = 1;
                if (dup) continue;
                if (!v || len != o.m[i].val_len || memcmp(v, o.m[i].val, len)) abort();
            }
        }
        wbuf_fini(&scratch);
        wlogj_fini(&o2);
        wbuf_fini(&b);
    }
    wlogj_fini(&o);
}

/* The fuzzer's own reading of an entry's seal (stream/ckpt.c: text, the line {"batchId":N,"crc32":"..."},
 * spaces, a newline): -1 when the bytes do not end like a sealed entry, 1 when they carry batch n's seal
 * over what precedes it, 0 when they end like one but are not batch n's whole entry. */
static int sealed_for(const uint8_t *d, size_t n, long long id) {
    if (n < 2 || (d[n - 2] != ' ' && d[n - 2] != '\n')) return -1;
    size_t end = n - 1;
    while (end > 0 && d[end - 1] == ' ') end--;
    if (end == 0 || d[end - 1] != '\n') return 0;
    size_t start = end - 1;
    while (start > 0 && d[start - 1] != '\n') start--;
    char want[64];
    int w = snprintf(want, sizeof want, "{\"batchId\":%lld,\"crc32\":\"%08lx\"}", id,
                     crc32(0L, d, (uInt)start) & 0xffffffffUL);
    return (size_t)w == end - 1 - start && memcmp(d + start, want, (size_t)w) == 0;
}

/* d sealed for batch 0 (as the writer would), into out (size n + 64 + padding). */
static size_t seal0(const uint8_t *d, size_t n, uint8_t *out) {
    memcpy(out, d, n);
    int w = snprintf((char *)out + n, 64, "{\"batchId\":0,\"crc32\":\"%08lx\"}\n", crc32(0L, d, (uInt)n) & 0xffffffffUL);
    size_t len = n + (size_t)w;
    out[len++] = ' ';
    out[len++] = '\n';
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!root[0]) {
        snprintf(root, sizeof root, "/tmp/weir-fuzz-ckpt-%d", (int)getpid());
        WErr e;
        werr_init(&e);
        char p[128];
        snprintf(p, sizeof p, "%s/offsets", root);
        wfs_mkdirs(p, &e);
        snprintf(p, sizeof p, "%s/commits", root);
        wfs_mkdirs(p, &e);
        snprintf(p, sizeof p, "%s/sources/0", root);
        wfs_mkdirs(p, &e);
        snprintf(p, sizeof p, "%s/progress", root);
        wfs_mkdirs(p, &e);
    }
    if (size < 1) return 0;
    int which = data[0] % 7;
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    WErr err;
    werr_init(&err);
    WCkpt *c = NULL;
    static const uint8_t meta[] = "{\"id\":\"00000000-0000-4000-8000-000000000000\"}\n";
    static const uint8_t off0[] = "v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":0}\n{\"logOffset\":0}\n";
    char path[256];
    switch (which) {
    case 0:
        json_roundtrip(d, n);
        break;
    case 1: /* offsets/0 */
    case 2: /* commits/0 */
    case 3: /* metadata */
        put("metadata", which == 3 ? d : meta, which == 3 ? n : sizeof meta - 1);
        put("offsets/0", which == 1 ? d : off0, which == 1 ? n : sizeof off0 - 1);
        snprintf(path, sizeof path, "%s/commits/0", root);
        if (which == 2) put("commits/0", d, n);
        else unlink(path);
        {
            int rc = wckpt_open(root, &c, &err);
            if (rc != WEIR_OK && rc != WEIR_CORRUPT && rc != WEIR_IO && rc != WEIR_NOMEM) abort();
            /* an empty offsets/0 is one made ahead and never filled, one with a NUL byte or without a final
             * newline a fill cut by a crash, one that ends like a sealed entry without batch 0's valid seal
             * a reused entry not filled or torn (and commits/0 is absent): nothing planned */
            int cut = n == 0 || memchr(d, 0, n) != NULL || d[n - 1] != '\n' || sealed_for(d, n, 0) == 0;
            int64_t planned = which == 1 && cut ? -1 : 0;
            if (rc == WEIR_OK && (wckpt_last_planned(c) != planned || !wckpt_id(c)[0])) abort();
            if (rc == WEIR_OK) read_plan_files(c);
            wckpt_close(c);
        }
        break;
    case 4: { /* a compacted segment of the file source's log */
        put("metadata", meta, sizeof meta - 1);
        snprintf(path, sizeof path, "%s/offsets/0", root);
        unlink(path);
        snprintf(path, sizeof path, "%s/commits/0", root);
        unlink(path);
        put("sources/0/0-0.compact", d, n);
        int rc = wckpt_open(root, &c, &err);
        if (rc == WEIR_OK) {
            int k = 0;
            rc = wsrc_log_read(c, count_entry, &k, &err);
            if (rc != WEIR_OK && rc != WEIR_CORRUPT && rc != WEIR_NOMEM) abort();
        }
        wckpt_close(c);
        snprintf(path, sizeof path, "%s/sources/0/0-0.compact", root);
        unlink(path);
        break;
    }
    case 6: { /* offsets/0 with the bytes as its text, sealed for batch 0 */
        uint8_t *sealed = malloc(n + 80);
        size_t len = seal0(d, n, sealed);
        put("metadata", meta, sizeof meta - 1);
        put("offsets/0", sealed, len);
        free(sealed);
        snprintf(path, sizeof path, "%s/commits/0", root);
        unlink(path);
        int rc = wckpt_open(root, &c, &err);
        if (rc != WEIR_OK && rc != WEIR_CORRUPT && rc != WEIR_IO && rc != WEIR_NOMEM) abort();
        /* planned when the text before the seal ends its last line (else the seal line is not a line) */
        int whole = n > 0 && d[n - 1] == '\n' && memchr(d, 0, n) == NULL;
        if (rc == WEIR_OK && wckpt_last_planned(c) != (whole ? 0 : -1)) abort();
        if (rc == WEIR_OK) read_plan_files(c);
        wckpt_close(c);
        break;
    }
    default: {
        char *t = malloc(n + 1);
        memcpy(t, d, n);
        t[n] = 0;
        int64_t ms;
        wdur_parse_ms(t, &ms);
        WTrigger tr;
        wtrigger_parse(t, &tr, &err);
        free(t);
    }
    }
    return 0;
}
