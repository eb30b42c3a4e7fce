/*
 * aggtest.h - helpers shared by test_agg.c and test_state.c: a click-stream input schema, row
 * builders with NULL sentinels, and a dump of result rows to text with doubles as exact hex (%a), so
 * two runs can be compared bit for bit.
 */
#ifndef WEIR_TEST_AGGTEST_H
#define WEIR_TEST_AGGTEST_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/schema.h"
#include "core/vec.h"
#include "exec/agg.h"

#define SEC 1000000LL
#define NULL_TS INT64_MIN
#define NULL_I INT32_MIN
#define NULL_L INT64_MIN
static const double NULL_D = -1234567.875; /* sentinel: never used as data */

/* datetime TIMESTAMP, k STRING, clicks INT, price DOUBLE, big BIGINT */
enum { C_TS, C_K, C_CLICKS, C_PRICE, C_BIG };

static inline void at_schema(WType *t) {
    const char *ddl = "datetime TIMESTAMP, k STRING, clicks INT, price DOUBLE, big BIGINT";
    WErr err;
    werr_init(&err);
    if (wschema_parse(ddl, strlen(ddl), t, &err)) abort();
}

static inline void at_row(WBatch *b, int64_t ts, const char *k, int32_t clicks, double price, int64_t big) {
    if (wbatch_begin_row(b)) abort();
    int rc = ts == NULL_TS ? wvec_append_null(wbatch_col(b, C_TS)) : wvec_append_i64(wbatch_col(b, C_TS), ts);
    rc |= k ? wvec_append_str(wbatch_col(b, C_K), k, strlen(k)) : wvec_append_null(wbatch_col(b, C_K));
    rc |= clicks == NULL_I ? wvec_append_null(wbatch_col(b, C_CLICKS)) : wvec_append_i32(wbatch_col(b, C_CLICKS), clicks);
    rc |= price == NULL_D ? wvec_append_null(wbatch_col(b, C_PRICE)) : wvec_append_f64(wbatch_col(b, C_PRICE), price);
    rc |= big == NULL_L ? wvec_append_null(wbatch_col(b, C_BIG)) : wvec_append_i64(wbatch_col(b, C_BIG), big);
    if (rc) abort();
}

static inline void at_value(WBuf *o, const WVec *v, int64_t r) {
    if (wvec_is_null(v, r)) {
        wbuf_puts(o, "NULL");
        return;
    }
    switch (v->type->id) {
    case WT_BOOLEAN: wbuf_puts(o, wvec_bool(v, r) ? "true" : "false"); break;
    case WT_INT:
    case WT_DATE: wbuf_printf(o, "%d", wvec_i32(v, r)); break;
    case WT_DOUBLE: wbuf_printf(o, "%a", wvec_f64(v, r)); break;
    case WT_STRING: {
        size_t n;
        const char *s = wvec_str(v, r, &n);
        wbuf_printf(o, "'%.*s'", (int)n, s);
        break;
    }
    case WT_STRUCT:
        wbuf_putc(o, '{');
        for (int i = 0; i < v->n_children; i++) {
            if (i) wbuf_putc(o, ',');
            at_value(o, &v->children[i], r);
        }
        wbuf_putc(o, '}');
        break;
    default: wbuf_printf(o, "%lld", (long long)wvec_i64(v, r)); break;
    }
}

/* Appends every row of b as one line "v1|v2|...\n". */
static inline void at_dump(WBuf *o, const WBatch *b) {
    for (int64_t r = 0; r < wbatch_rows(b); r++) {
        for (int c = 0; c < b->root.n_children; c++) {
            if (c) wbuf_putc(o, '|');
            at_value(o, &b->root.children[c], r);
        }
        wbuf_putc(o, '\n');
    }
}

static inline int at_col(const WBatch *b, const char *name) {
    int i = wtype_field_index(b->schema, name, strlen(name));
    if (i < 0) {
        fprintf(stderr, "no column %s\n", name);
        abort();
    }
    return i;
}
static inline int at_null(const WBatch *b, const char *name, int64_t r) {
    return wvec_is_null(&b->root.children[at_col(b, name)], r);
}
static inline int64_t at_i64(const WBatch *b, const char *name, int64_t r) {
    return wvec_i64(&b->root.children[at_col(b, name)], r);
}
static inline int32_t at_i32(const WBatch *b, const char *name, int64_t r) {
    return wvec_i32(&b->root.children[at_col(b, name)], r);
}
static inline double at_f64(const WBatch *b, const char *name, int64_t r) {
    return wvec_f64(&b->root.children[at_col(b, name)], r);
}
static inline int at_str_eq(const WBatch *b, const char *name, int64_t r, const char *s) {
    size_t n;
    const char *p = wvec_str(&b->root.children[at_col(b, name)], r, &n);
    return n == strlen(s) && !memcmp(p, s, n);
}
static inline int64_t at_wstart(const WBatch *b, int64_t r) {
    return wvec_i64(&b->root.children[at_col(b, "window")].children[0], r);
}
static inline int64_t at_wend(const WBatch *b, int64_t r) {
    return wvec_i64(&b->root.children[at_col(b, "window")].children[1], r);
}

/* Deterministic pseudo-random numbers (splitmix64). */
static inline uint64_t at_rand(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

#endif
