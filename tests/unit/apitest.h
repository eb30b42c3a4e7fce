/*
 * apitest.h - the batch the public-API tests read: 5 rows over every weir type, NULLs in every column,
 * an empty string, a NULL struct row and a struct with a nested struct. The expected values are the
 * arrays below (written by hand); the tests derive sums and NULL counts from them, not from weir.
 */
#ifndef WEIR_TEST_APITEST_H
#define WEIR_TEST_APITEST_H

#include <stdlib.h>
#include <string.h>

#include "api/batch_int.h"
#include "core/schema.h"
#include "core/vec.h"

#define AT_ROWS 5
#define AT_DDL "b BOOLEAN, i INT, l BIGINT, d DOUBLE, s STRING, dt DATE, ts TIMESTAMP, st STRUCT<x: INT, inner: STRUCT<y: STRING>>"
/* null[row][col]; columns in DDL order, then st.x (7), st.inner (8), st.inner.y (9) */
static const int at_null[AT_ROWS][10] = {
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, },
    {1, 1, 1, 1, 1, 1, 1, 1, 1, 1},  /* the whole row NULL, the struct too (so its fields) */
    {0, 0, 0, 0, 0, 0, 0, 0, 1, 1},  /* st = {x: NULL, inner: NULL} is itself not NULL */
    {0, 1, 0, 1, 0, 0, 0, 0, 0, 1},
    {1, 0, 1, 0, 1, 1, 1, 0, 0, 0},
};
/* at_null column 7 is for st itself; st.x nulls: */
static const int at_x_null[AT_ROWS] = {0, 1, 1, 0, 0};
static const int at_b[AT_ROWS] = {1, 0, 0, 1, 0};
static const int32_t at_i[AT_ROWS] = {7, 0, -3, 0, 100};
static const int64_t at_l[AT_ROWS] = {10000000000LL, 0, -5, 42, 0};
static const double at_d[AT_ROWS] = {1.5, 0, -0.25, 0, 2.0};
static const char *const at_s[AT_ROWS] = {"h\xc3\xa9llo", "", "", "x,y", ""};
static const int32_t at_dt[AT_ROWS] = {19000, 0, -1, 0, 0};
static const int64_t at_ts[AT_ROWS] = {1700000000000000LL, 0, -1, 0, 0};
static const int32_t at_x[AT_ROWS] = {1, 0, 0, 5, 9};
static const char *const at_y[AT_ROWS] = {"a", "", "", "", "zz"};

typedef struct AtBatch {
    WType schema;
    WBatch b;
    int *freed; /* set to 1 by the batch's on_free */
} AtBatch;

static void at_free(void *user) {
    AtBatch *a = user;
    *a->freed = 1;
    wbatch_fini(&a->b);
    wtype_fini(&a->schema);
    free(a);
}

/* Builds the batch; `rows` (<= AT_ROWS) limits it (0 gives an empty batch). */
static weir_batch *at_make(int rows, int *freed) {
    AtBatch *a = calloc(1, sizeof *a);
    WErr err;
    werr_init(&err);
    if (!a || wschema_parse(AT_DDL, strlen(AT_DDL), &a->schema, &err) || wbatch_init(&a->b, &a->schema)) abort();
    a->freed = freed;
    *freed = 0;
    for (int r = 0; r < rows; r++) {
        const int *n = at_null[r];
        int rc = wbatch_begin_row(&a->b);
        rc |= n[0] ? wvec_append_null(wbatch_col(&a->b, 0)) : wvec_append_bool(wbatch_col(&a->b, 0), at_b[r]);
        rc |= n[1] ? wvec_append_null(wbatch_col(&a->b, 1)) : wvec_append_i32(wbatch_col(&a->b, 1), at_i[r]);
        rc |= n[2] ? wvec_append_null(wbatch_col(&a->b, 2)) : wvec_append_i64(wbatch_col(&a->b, 2), at_l[r]);
        rc |= n[3] ? wvec_append_null(wbatch_col(&a->b, 3)) : wvec_append_f64(wbatch_col(&a->b, 3), at_d[r]);
        rc |= n[4] ? wvec_append_null(wbatch_col(&a->b, 4)) : wvec_append_str(wbatch_col(&a->b, 4), at_s[r], strlen(at_s[r]));
        rc |= n[5] ? wvec_append_null(wbatch_col(&a->b, 5)) : wvec_append_i32(wbatch_col(&a->b, 5), at_dt[r]);
        rc |= n[6] ? wvec_append_null(wbatch_col(&a->b, 6)) : wvec_append_i64(wbatch_col(&a->b, 6), at_ts[r]);
        WVec *st = wbatch_col(&a->b, 7);
        if (n[7]) rc |= wvec_append_null(st);
        else {
            rc |= wvec_append_struct(st);
            rc |= at_x_null[r] ? wvec_append_null(&st->children[0]) : wvec_append_i32(&st->children[0], at_x[r]);
            WVec *inner = &st->children[1];
            if (n[8]) rc |= wvec_append_null(inner);
            else {
                rc |= wvec_append_struct(inner);
                WVec *y = &inner->children[0];
                rc |= n[9] ? wvec_append_null(y) : wvec_append_str(y, at_y[r], strlen(at_y[r]));
            }
        }
        if (rc) abort();
    }
    weir_batch *wb = wapi_batch_wrap(&a->b, at_free, a);
    if (!wb) abort();
    return wb;
}

#endif
