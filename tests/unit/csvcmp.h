/*
 * csvcmp.h - helpers shared by test_csv.c and tests/fuzz/fuzz_csv.c, which both decode the same text two
 * ways (whole, and streamed a few bytes at a time; fast paths on and off) and compare the batches: a feed
 * for wcsv_begin_stream, and a bit-for-bit comparison of two batches of one schema.
 */
#ifndef WEIR_TESTS_CSVCMP_H
#define WEIR_TESTS_CSVCMP_H

#include <string.h>

#include "core/vec.h"

/* A STRING value without arithmetic on a NULL chars buffer (a column of only empty strings has none). */
static inline const char *col_str(const WVec *v, int64_t i, size_t *n) {
    *n = (size_t)(v->offsets[i + 1] - v->offsets[i]);
    return *n ? v->chars + v->offsets[i] : "";
}

/* Streaming input: hands out the text `step` bytes at a time. */
typedef struct Feed {
    const char *text;
    size_t len, at, step;
} Feed;

static inline int feed_fill(void *user, char *buf, size_t cap, size_t *got, WErr *err) {
    (void)err;
    Feed *f = user;
    size_t n = f->len - f->at;
    if (n > f->step) n = f->step;
    if (n > cap) n = cap;
    if (n) memcpy(buf, f->text + f->at, n);
    f->at += n;
    *got = n;
    return WEIR_OK;
}

/* Same rows, nulls and values (bit for bit; NaN payloads aside) in two batches of the same schema. */
static inline int same_batch(const WBatch *a, const WBatch *b) {
    if (wbatch_rows(a) != wbatch_rows(b)) return 0;
    for (int c = 0; c < a->schema->n_fields; c++) {
        const WVec *va = &a->root.children[c], *vb = &b->root.children[c];
        if (va->len != wbatch_rows(a) || vb->len != va->len) return 0;
        for (int64_t i = 0; i < va->len; i++) {
            if (wvec_is_null(va, i) != wvec_is_null(vb, i)) return 0;
            if (wvec_is_null(va, i)) continue;
            switch (va->type->id) {
            case WT_STRING: {
                size_t n1, n2;
                const char *s1 = col_str(va, i, &n1), *s2 = col_str(vb, i, &n2);
                if (n1 != n2 || (n1 && memcmp(s1, s2, n1))) return 0;
                break;
            }
            case WT_DOUBLE: {
                double x = wvec_f64(va, i), y = wvec_f64(vb, i);
                if (memcmp(&x, &y, sizeof x) && !(x != x && y != y)) return 0;
                break;
            }
            case WT_BOOLEAN: if (wvec_bool(va, i) != wvec_bool(vb, i)) return 0; break;
            case WT_INT: case WT_DATE: if (wvec_i32(va, i) != wvec_i32(vb, i)) return 0; break;
            default: if (wvec_i64(va, i) != wvec_i64(vb, i)) return 0; break;
            }
        }
    }
    return 1;
}

#endif
