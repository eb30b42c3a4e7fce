/*
 * vec.h - columnar vectors and batches in Apache Arrow's memory layout.
 *
 * A WVec holds one column of one batch:
 *   validity  bitmap, bit i set when row i is not NULL (LSB first, as in Arrow); always present
 *   values    BOOLEAN: bitmap; INT/DATE: int32[]; BIGINT/TIMESTAMP: int64[]; DOUBLE: double[]
 *   offsets   STRING: int32[len + 1], row i is chars[offsets[i] .. offsets[i+1])
 *   children  STRUCT: one child vector per field, each exactly `len` rows long (a NULL struct row
 *             also appends NULL to every child, so children stay aligned as Arrow requires)
 * A NULL row still occupies its slot (value 0, empty string).
 *
 * A WBatch is a STRUCT vector whose children are the columns. Memory: each vector owns growable buffers
 * that wbatch_reset empties without freeing, so a stream of batches reuses the same memory (this is the
 * "arena reset between batches" of DESIGN.md, per buffer rather than one arena, because Arrow's layout
 * needs each buffer contiguous and growable while a batch is decoded).
 *
 * Decoders append row by row and may roll back a half-decoded bad record with wbatch_truncate.
 */
#ifndef WEIR_CORE_VEC_H
#define WEIR_CORE_VEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/schema.h"

typedef struct WVec WVec;
struct WVec {
    const WType *type;   /* borrowed from the schema, which must outlive the vector */
    int64_t len;         /* rows */
    int64_t cap;         /* rows the fixed buffers can hold */
    int64_t null_count;
    uint8_t *validity;
    void *values;
    int32_t *offsets;    /* STRING */
    char *chars;         /* STRING */
    int64_t chars_len, chars_cap;
    int n_children;      /* STRUCT */
    WVec *children;      /* STRUCT */
};

typedef struct WBatch {
    const WType *schema; /* STRUCT type; borrowed */
    WVec root;           /* root.children[i] is column i; root.len is the row count */
} WBatch;

int wvec_init(WVec *v, const WType *type);
void wvec_fini(WVec *v);
void wvec_reset(WVec *v);                      /* len = 0, memory kept */
int wvec_reserve(WVec *v, int64_t rows);       /* room for `rows` more rows */
void wvec_truncate(WVec *v, int64_t len);      /* drop rows >= len (len <= v->len) */

int wvec_append_null(WVec *v);                 /* any type; STRUCT: children get NULL too */
int wvec_append_bool(WVec *v, int x);
int wvec_append_i32(WVec *v, int32_t x);       /* INT, DATE */
int wvec_append_i64(WVec *v, int64_t x);       /* BIGINT, TIMESTAMP */
int wvec_append_f64(WVec *v, double x);
int wvec_append_str(WVec *v, const char *s, size_t n);
/* STRUCT: marks the next row valid; the caller appends exactly one value to each child. */
int wvec_append_struct(WVec *v);
/* Appends row `row` of src (same type) to dst, nested fields included: gathers rows between batches. */
int wvec_append_from(WVec *dst, const WVec *src, int64_t row);

static inline int wvec_is_null(const WVec *v, int64_t i) { return !((v->validity[i >> 3] >> (i & 7)) & 1); }
static inline int wvec_bool(const WVec *v, int64_t i) { return (((const uint8_t *)v->values)[i >> 3] >> (i & 7)) & 1; }
static inline int32_t wvec_i32(const WVec *v, int64_t i) { return ((const int32_t *)v->values)[i]; }
static inline int64_t wvec_i64(const WVec *v, int64_t i) { return ((const int64_t *)v->values)[i]; }
static inline double wvec_f64(const WVec *v, int64_t i) { return ((const double *)v->values)[i]; }
static inline const char *wvec_str(const WVec *v, int64_t i, size_t *out_len) {
    *out_len = (size_t)(v->offsets[i + 1] - v->offsets[i]);
    /* A column of only empty strings may never have allocated its bytes. */
    return v->chars ? v->chars + v->offsets[i] : "";
}

int wbatch_init(WBatch *b, const WType *schema);
void wbatch_fini(WBatch *b);
void wbatch_reset(WBatch *b);
static inline int64_t wbatch_rows(const WBatch *b) { return b->root.len; }
static inline WVec *wbatch_col(WBatch *b, int i) { return &b->root.children[i]; }
/* Starts a row: call once per row before appending one value to every column. */
static inline int wbatch_begin_row(WBatch *b) { return wvec_append_struct(&b->root); }
void wbatch_truncate(WBatch *b, int64_t rows);

#endif
