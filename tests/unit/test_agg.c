/*
 * test_agg.c - the streaming aggregation against hand-computed results: append with watermark and late
 * rows, no-data batches and the final flush, update and complete modes, every aggregate function with
 * Spark's NULL rules and result types, NULL and floating grouping keys, sliding windows, Spark's output
 * mode rule, exact double sums (against an independent 128-bit fixed-point oracle) and bit-identical
 * results whatever the batch boundaries.
 *
 * `test_agg --oracle DIR` instead writes random click data with late rows (input.csv), weir's appended
 * windows (weir_windows.csv) and late rows (weir_late.csv) for tests/oracle/agg_oracle.mjs (DuckDB).
 */
#include "aggtest.h"
#include "check.h"
#include "exec/xsum.h"
#include "weir.h"

static WType schema;

typedef struct Run {
    WAggOp *op;
    WBatch in, out, late;
    int64_t batch;
} Run;

static int run_open(Run *r, const WAggSpec *spec) {
    WErr err;
    werr_init(&err);
    memset(r, 0, sizeof *r);
    int rc = wagg_open(spec, &r->op, &err);
    if (rc) {
        fprintf(stderr, "open: %s\n", err.msg);
        return rc;
    }
    wbatch_init(&r->in, &schema);
    wbatch_init(&r->out, wagg_output_schema(r->op));
    wbatch_init(&r->late, wagg_late_schema(r->op));
    return WEIR_OK;
}

static void run_close(Run *r) {
    wagg_close(r->op);
    wbatch_fini(&r->in);
    wbatch_fini(&r->out);
    wbatch_fini(&r->late);
}

/* Processes r->in (or a no-data batch when nodata) and clears it for the next batch. */
static int run_batch(Run *r, int nodata) {
    WErr err;
    werr_init(&err);
    int rc = wagg_process_batch(r->op, nodata ? NULL : &r->in, r->batch++, &r->out, &r->late, &err);
    if (rc) fprintf(stderr, "batch: %s\n", err.msg);
    wbatch_reset(&r->in);
    return rc;
}

static int run_flush(Run *r) {
    WErr err;
    werr_init(&err);
    int rc = wagg_flush_all(r->op, r->batch++, &r->out, &err);
    if (rc) fprintf(stderr, "flush: %s\n", err.msg);
    return rc;
}

static void spec_base(WAggSpec *s, const WAggCall *aggs, int n_aggs, WOutputMode mode) {
    memset(s, 0, sizeof *s);
    s->input = &schema;
    s->ts_col = C_TS;
    WErr err;
    werr_init(&err);
    wwindow_time(&s->window, 30 * SEC, 0, 0, &err);
    s->has_watermark = 1;
    s->delay_us = 10 * SEC;
    s->aggs = aggs;
    s->n_aggs = n_aggs;
    s->mode = mode;
}

static void test_append_watermark(void) {
    static const WAggCall aggs[] = {{WAGG_COUNT_STAR, -1, "n", 0},  {WAGG_SUM, C_CLICKS, "sc", 0},
                                    {WAGG_AVG, C_CLICKS, "ac", 0},  {WAGG_MIN, C_CLICKS, "mn", 0},
                                    {WAGG_MAX, C_K, "mk", 0},       {WAGG_SUM, C_PRICE, "sp", 0},
                                    {WAGG_COUNT, C_CLICKS, "cc", 0}};
    WAggSpec spec;
    spec_base(&spec, aggs, 7, WOUT_APPEND);
    Run r;
    CHECK_EQ_INT(run_open(&r, &spec), WEIR_OK);
    /* output schema: window struct, then the aggregates in Spark's result types */
    const WType *ot = wagg_output_schema(r.op);
    CHECK_EQ_INT(ot->n_fields, 8);
    CHECK_EQ_STR(ot->fields[0].name, "window");
    CHECK_EQ_INT(ot->fields[0].type.id, WT_STRUCT);
    CHECK_EQ_STR(ot->fields[0].type.fields[0].name, "start");
    CHECK_EQ_INT(ot->fields[0].type.fields[1].type.id, WT_TIMESTAMP);
    CHECK_EQ_INT(ot->fields[1].type.id, WT_BIGINT);
    CHECK_EQ_INT(ot->fields[2].type.id, WT_BIGINT);
    CHECK_EQ_INT(ot->fields[3].type.id, WT_DOUBLE);
    CHECK_EQ_INT(ot->fields[4].type.id, WT_INT);
    CHECK_EQ_INT(ot->fields[5].type.id, WT_STRING);
    CHECK_EQ_INT(ot->fields[6].type.id, WT_DOUBLE);
    CHECK_EQ_STR(wagg_late_schema(r.op)->fields[5].name, "missed_watermark");
    CHECK_EQ_INT(wagg_watermark(r.op), INT64_MIN);

    /* batch 0: no watermark yet */
    at_row(&r.in, 1 * SEC, "a", 1, 0.1, 0);
    at_row(&r.in, 5 * SEC, "c", 2, 0.2, 0);
    at_row(&r.in, 31 * SEC, "b", 4, 1.5, 0);
    at_row(&r.in, NULL_TS, "z", 100, 1, 0); /* no event time: no window */
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 0);
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_null_time, 1);
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_total, 2);
    CHECK_EQ_INT(wagg_watermark(r.op), 21 * SEC); /* 31 s - 10 s */
    CHECK(!wagg_needs_nodata_batch(r.op));        /* [0,30) ends after 21 s */

    /* batch 1 (watermark 21 s): 2 s is still on time for [0,30) */
    at_row(&r.in, 2 * SEC, "b", 8, 0.3, 0);
    at_row(&r.in, 45 * SEC, "a", 16, 2.25, 0);
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 0);
    CHECK_EQ_INT(wbatch_rows(&r.late), 0);
    CHECK_EQ_INT(wagg_stats(r.op)->watermark, 21 * SEC);
    CHECK_EQ_INT(wagg_watermark(r.op), 35 * SEC);
    CHECK(wagg_needs_nodata_batch(r.op)); /* [0,30) can close now */

    /* batch 2: no data; the watermark 35 s closes [0,30) */
    CHECK_EQ_INT(run_batch(&r, 1), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 1);
    CHECK_EQ_INT(at_wstart(&r.out, 0), 0);
    CHECK_EQ_INT(at_wend(&r.out, 0), 30 * SEC);
    CHECK_EQ_INT(at_i64(&r.out, "n", 0), 3);
    CHECK_EQ_INT(at_i64(&r.out, "sc", 0), 11);
    CHECK(at_f64(&r.out, "ac", 0) == 11.0 / 3);
    CHECK_EQ_INT(at_i32(&r.out, "mn", 0), 1);
    CHECK(at_str_eq(&r.out, "mk", 0, "c"));
    /* the doubles 0.1 + 0.2 + 0.3 sum exactly to 0.60000000000000000555..., below the midpoint between
     * 0.6 and the next double, so the correctly rounded sum is 0.6 (a naive loop gives 0.6000000000000001) */
    CHECK(at_f64(&r.out, "sp", 0) == 0.6);
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_removed, 1);
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_total, 1);
    CHECK(!wagg_needs_nodata_batch(r.op));

    /* batch 3 (watermark 35 s): 20 s belongs to [0,30), already closed: a late row, kept aside */
    at_row(&r.in, 20 * SEC, "late", 64, 9, 7);
    at_row(&r.in, 59 * SEC, "a", 32, 0.5, 0);
    at_row(&r.in, 30 * SEC, "a", NULL_I, NULL_D, 0); /* on time for [30,60) */
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 0);
    CHECK_EQ_INT(wbatch_rows(&r.late), 1);
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_dropped_by_watermark, 1);
    CHECK_EQ_INT(wagg_stats(r.op)->num_late_rows, 1);
    CHECK(at_str_eq(&r.late, "k", 0, "late"));
    CHECK_EQ_INT(at_i64(&r.late, "datetime", 0), 20 * SEC);
    CHECK_EQ_INT(at_i32(&r.late, "clicks", 0), 64);
    CHECK_EQ_INT(at_i64(&r.late, "big", 0), 7);
    CHECK_EQ_INT(at_i64(&r.late, "missed_watermark", 0), 35 * SEC);
    CHECK_EQ_INT(wagg_watermark(r.op), 49 * SEC);

    /* the end of a bounded run: everything left is emitted */
    CHECK_EQ_INT(run_flush(&r), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 1);
    CHECK_EQ_INT(at_wstart(&r.out, 0), 30 * SEC);
    CHECK_EQ_INT(at_wend(&r.out, 0), 60 * SEC);
    CHECK_EQ_INT(at_i64(&r.out, "n", 0), 4);
    CHECK_EQ_INT(at_i64(&r.out, "cc", 0), 3);
    CHECK_EQ_INT(at_i64(&r.out, "sc", 0), 52);
    CHECK(at_f64(&r.out, "ac", 0) == 52.0 / 3);
    CHECK(at_f64(&r.out, "sp", 0) == 4.25);
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_total, 0);
    CHECK_EQ_INT(wagg_stats(r.op)->total_dropped_by_watermark, 1);
    CHECK_EQ_INT(wagg_watermark(r.op), INT64_MAX);
    /* wrong batch numbers are refused */
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wagg_process_batch(r.op, NULL, 99, &r.out, NULL, &err), WEIR_MISUSE);
    run_close(&r);
}

static void test_null_rules_and_functions(void) {
    static const WAggCall aggs[] = {
        {WAGG_COUNT_STAR, -1, "n", 0},       {WAGG_COUNT, C_CLICKS, "cc", 0},    {WAGG_SUM, C_CLICKS, "sc", 0},
        {WAGG_AVG, C_PRICE, "ap", 0},        {WAGG_MIN, C_PRICE, "mnp", 0},      {WAGG_MAX, C_PRICE, "mxp", 0},
        {WAGG_FIRST, C_CLICKS, "fc", 0},     {WAGG_LAST, C_CLICKS, "lc", 0},     {WAGG_FIRST, C_K, "fk", 0},
        {WAGG_LAST, C_K, "lk", 0},           {WAGG_COUNT_DISTINCT, C_K, "dk", 0}, {WAGG_COUNT_DISTINCT, C_PRICE, "dp", 0},
        {WAGG_APPROX_COUNT_DISTINCT, C_K, "ak", 0}, {WAGG_SUM, C_BIG, "sb", 0}, {WAGG_MIN, C_K, "mnk", 0},
        {WAGG_MAX, C_TS, "mxt", 0},          {WAGG_AVG, C_BIG, "ab", 0}};
    WAggSpec spec;
    spec_base(&spec, aggs, 17, WOUT_COMPLETE);
    Run r;
    CHECK_EQ_INT(run_open(&r, &spec), WEIR_OK);
    const WType *ot = wagg_output_schema(r.op);
    CHECK_EQ_INT(ot->fields[at_col(&r.out, "sb")].type.id, WT_BIGINT);
    CHECK_EQ_INT(ot->fields[at_col(&r.out, "ab")].type.id, WT_DOUBLE);
    CHECK_EQ_INT(ot->fields[at_col(&r.out, "mxt")].type.id, WT_TIMESTAMP);
    CHECK_EQ_INT(ot->fields[at_col(&r.out, "ak")].type.id, WT_BIGINT);
    /* window [0,30): only NULL clicks/prices/keys */
    at_row(&r.in, 1 * SEC, NULL, NULL_I, NULL_D, NULL_L);
    at_row(&r.in, 2 * SEC, NULL, NULL_I, NULL_D, NULL_L);
    /* window [30,60) */
    at_row(&r.in, 31 * SEC, NULL, NULL_I, -0.0, 5);   /* first(clicks) is this NULL */
    at_row(&r.in, 32 * SEC, "b", 3, 0.0, INT64_MAX);
    at_row(&r.in, 33 * SEC, "a", 7, NAN, INT64_MAX);   /* NaN is the largest double */
    at_row(&r.in, 34 * SEC, "b", 3, -2.5, -INT64_MAX); /* 128-bit accumulator: no overflow midway */
    at_row(&r.in, 35 * SEC, "ab", NULL_I, 1e300, -INT64_MAX); /* last(clicks) is this NULL */
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 2);
    /* all-NULL group: counts 0, sum/avg/min/max NULL, first/last NULL */
    CHECK_EQ_INT(at_i64(&r.out, "n", 0), 2);
    CHECK_EQ_INT(at_i64(&r.out, "cc", 0), 0);
    CHECK(at_null(&r.out, "sc", 0));
    CHECK(at_null(&r.out, "ap", 0));
    CHECK(at_null(&r.out, "mnp", 0));
    CHECK(at_null(&r.out, "mxp", 0));
    CHECK(at_null(&r.out, "fc", 0));
    CHECK(at_null(&r.out, "lk", 0));
    CHECK_EQ_INT(at_i64(&r.out, "dk", 0), 0);
    CHECK_EQ_INT(at_i64(&r.out, "ak", 0), 0);
    CHECK(at_null(&r.out, "sb", 0));
    CHECK(at_null(&r.out, "ab", 0));
    CHECK(!at_null(&r.out, "mxt", 0));
    /* the other window */
    CHECK_EQ_INT(at_i64(&r.out, "n", 1), 5);
    CHECK_EQ_INT(at_i64(&r.out, "cc", 1), 3);
    CHECK_EQ_INT(at_i64(&r.out, "sc", 1), 13);
    CHECK(isnan(at_f64(&r.out, "ap", 1)));
    CHECK(at_f64(&r.out, "mnp", 1) == -2.5);
    CHECK(isnan(at_f64(&r.out, "mxp", 1)));
    CHECK(at_null(&r.out, "fc", 1));
    CHECK(at_null(&r.out, "lc", 1));
    CHECK(at_null(&r.out, "fk", 1));
    CHECK(at_str_eq(&r.out, "lk", 1, "ab"));
    CHECK_EQ_INT(at_i64(&r.out, "dk", 1), 3);  /* b, a, ab */
    CHECK_EQ_INT(at_i64(&r.out, "dp", 1), 4);  /* -0.0 and 0.0 are one value; NaN, -2.5, 1e300 */
    CHECK_EQ_INT(at_i64(&r.out, "ak", 1), 3);
    CHECK_EQ_INT(at_i64(&r.out, "sb", 1), 5); /* 5 + MAX + MAX - MAX - MAX */
    CHECK(at_f64(&r.out, "ab", 1) == 1.0);
    CHECK(at_str_eq(&r.out, "mnk", 1, "a"));
    CHECK_EQ_INT(at_i64(&r.out, "mxt", 1), 35 * SEC);
    /* complete mode: the next batch shows both windows again, updated */
    at_row(&r.in, 3 * SEC, "x", 1, 2.0, 1);
    at_row(&r.in, 36 * SEC, "b", 9, 1.0, 0);
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 2);
    CHECK_EQ_INT(at_i64(&r.out, "n", 0), 3);
    CHECK_EQ_INT(at_i64(&r.out, "sc", 0), 1);
    CHECK(at_f64(&r.out, "ap", 0) == 2.0);
    CHECK(at_null(&r.out, "fc", 0)); /* first() keeps batch 0's NULL (ignoreNulls = false) */
    CHECK_EQ_INT(at_i32(&r.out, "lc", 0), 1);
    CHECK_EQ_INT(at_i32(&r.out, "lc", 1), 9);
    CHECK_EQ_INT(at_i64(&r.out, "dk", 1), 3);
    /* BIGINT sum beyond the range is Spark's ANSI overflow error, at output */
    WErr err;
    werr_init(&err);
    at_row(&r.in, 37 * SEC, "b", 9, 1.0, INT64_MAX);
    CHECK_EQ_INT(wagg_process_batch(r.op, &r.in, r.batch++, &r.out, NULL, &err), WEIR_UNSUPPORTED);
    CHECK(strstr(err.msg, "ARITHMETIC_OVERFLOW") != NULL);
    run_close(&r);
}

static void test_keys_update(void) {
    static const WAggCall aggs[] = {{WAGG_COUNT_STAR, -1, "n", 0}, {WAGG_SUM, C_CLICKS, "sc", 0}};
    static const int keys[] = {C_K, C_PRICE};
    WAggSpec spec;
    spec_base(&spec, aggs, 2, WOUT_UPDATE);
    spec.key_cols = keys;
    spec.n_keys = 2;
    Run r;
    CHECK_EQ_INT(run_open(&r, &spec), WEIR_OK);
    const WType *ot = wagg_output_schema(r.op);
    CHECK_EQ_STR(ot->fields[1].name, "k");
    CHECK_EQ_INT(ot->fields[2].type.id, WT_DOUBLE);
    /* NULL keys form one group; -0.0 and 0.0 are one key (normalized to 0.0); NaNs are one key */
    at_row(&r.in, 1 * SEC, NULL, 1, 0.0, 0);
    at_row(&r.in, 2 * SEC, NULL, 2, -0.0, 0);
    at_row(&r.in, 3 * SEC, "a", 4, NAN, 0);
    at_row(&r.in, 4 * SEC, "a", 8, -NAN, 0);
    at_row(&r.in, 5 * SEC, "a", 16, NULL_D, 0);
    at_row(&r.in, 6 * SEC, "", 32, 1.0, 0);
    at_row(&r.in, 7 * SEC, "a", 64, 1.0, 0);
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 5);
    WBuf d;
    wbuf_init(&d);
    at_dump(&d, &r.out);
    /* sorted by window, then keys with NULLs first, strings bytewise, NaN last */
    CHECK_EQ_STR(wbuf_cstr(&d), "{0,30000000}|NULL|0x0p+0|2|3\n"
                                "{0,30000000}|''|0x1p+0|1|32\n"
                                "{0,30000000}|'a'|NULL|1|16\n"
                                "{0,30000000}|'a'|0x1p+0|1|64\n"
                                "{0,30000000}|'a'|nan|2|12\n");
    /* update mode: only the groups this batch changed */
    at_row(&r.in, 8 * SEC, "", 1, 1.0, 0);
    at_row(&r.in, 40 * SEC, "z", 1, 1.0, 0);
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    wbuf_reset(&d);
    at_dump(&d, &r.out);
    CHECK_EQ_STR(wbuf_cstr(&d), "{0,30000000}|''|0x1p+0|2|33\n"
                                "{30000000,60000000}|'z'|0x1p+0|1|1\n");
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_updated, 2);
    /* watermark is now 30 s: in update mode the [0,30) groups expire silently; late rows are set aside */
    at_row(&r.in, 9 * SEC, "a", 1, 1.0, 0);
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 0);
    CHECK_EQ_INT(wbatch_rows(&r.late), 1);
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_removed, 5);
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_total, 1);
    wbuf_fini(&d);
    run_close(&r);
}

static void test_sliding_and_rules(void) {
    static const WAggCall aggs[] = {{WAGG_SUM, C_CLICKS, "sc", 0}};
    WAggSpec spec;
    spec_base(&spec, aggs, 1, WOUT_APPEND);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wwindow_time(&spec.window, 10 * SEC, 5 * SEC, 0, &err), WEIR_OK);
    spec.delay_us = 0;
    Run r;
    CHECK_EQ_INT(run_open(&r, &spec), WEIR_OK);
    at_row(&r.in, 7 * SEC, "a", 1, 0, 0);  /* [0,10) and [5,15) */
    at_row(&r.in, 12 * SEC, "a", 2, 0, 0); /* [5,15) and [10,20) */
    at_row(&r.in, 3 * SEC, "a", 4, 0, 0);  /* [-5,5) and [0,10) */
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    CHECK_EQ_INT(wagg_watermark(r.op), 12 * SEC);
    /* watermark 12 s: [-5,5) and [0,10) close; 9 s is late for [0,10) only, so it is counted once
     * as dropped and still lands in [5,15) */
    at_row(&r.in, 9 * SEC, "a", 8, 0, 0);
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    WBuf d;
    wbuf_init(&d);
    at_dump(&d, &r.out);
    CHECK_EQ_STR(wbuf_cstr(&d), "{-5000000,5000000}|4\n{0,10000000}|5\n");
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_dropped_by_watermark, 1);
    CHECK_EQ_INT(wbatch_rows(&r.late), 1);
    CHECK_EQ_INT(run_flush(&r), WEIR_OK);
    wbuf_reset(&d);
    at_dump(&d, &r.out);
    CHECK_EQ_STR(wbuf_cstr(&d), "{5000000,15000000}|11\n{10000000,20000000}|2\n");
    wbuf_fini(&d);
    run_close(&r);

    /* Spark's rule: append with an aggregation needs a watermark on the window's column */
    WAggOp *op = NULL;
    spec.has_watermark = 0;
    werr_init(&err);
    CHECK_EQ_INT(wagg_open(&spec, &op, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "Append output mode not supported") != NULL);
    spec.has_watermark = 1;
    spec.window.kind = WWIN_NONE;
    werr_init(&err);
    CHECK_EQ_INT(wagg_open(&spec, &op, &err), WEIR_MISUSE);
    /* sum of a STRING is refused with the column named */
    static const WAggCall bad[] = {{WAGG_SUM, C_K, "s", 0}};
    spec_base(&spec, bad, 1, WOUT_UPDATE);
    werr_init(&err);
    CHECK_EQ_INT(wagg_open(&spec, &op, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "(k)") != NULL);
    /* without window nor watermark, update mode groups by keys alone */
    static const WAggCall cnt[] = {{WAGG_COUNT_STAR, -1, "n", 0}};
    static const int keys[] = {C_K};
    spec_base(&spec, cnt, 1, WOUT_UPDATE);
    spec.window.kind = WWIN_NONE;
    spec.has_watermark = 0;
    spec.ts_col = -1;
    spec.key_cols = keys;
    spec.n_keys = 1;
    CHECK_EQ_INT(run_open(&r, &spec), WEIR_OK);
    CHECK_EQ_INT(wagg_output_schema(r.op)->n_fields, 2);
    at_row(&r.in, NULL_TS, "a", 1, 0, 0);
    at_row(&r.in, 5, "a", 1, 0, 0);
    at_row(&r.in, 5, "b", 1, 0, 0);
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    wbuf_init(&d);
    at_dump(&d, &r.out);
    CHECK_EQ_STR(wbuf_cstr(&d), "'a'|2\n'b'|1\n");
    wbuf_fini(&d);
    run_close(&r);
}

/* Session windows, hand-computed: gap 10 s, delay 5 s, key k. */
static void test_sessions(void) {
    static const WAggCall aggs[] = {{WAGG_COUNT_STAR, -1, "n", 0}, {WAGG_SUM, C_CLICKS, "sc", 0},
                                    {WAGG_FIRST, C_CLICKS, "fc", 0}, {WAGG_LAST, C_CLICKS, "lc", 0},
                                    {WAGG_SUM, C_PRICE, "sp", 0},    {WAGG_MIN, C_CLICKS, "mn", 0},
                                    {WAGG_COUNT_DISTINCT, C_CLICKS, "dc", 0}};
    static const int keys[] = {C_K};
    WAggSpec spec;
    spec_base(&spec, aggs, 7, WOUT_APPEND);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wwindow_session(&spec.window, 0, &err), WEIR_MISUSE);
    CHECK_EQ_INT(wwindow_session(&spec.window, 10 * SEC, &err), WEIR_OK);
    spec.delay_us = 5 * SEC;
    spec.key_cols = keys;
    spec.n_keys = 1;
    Run r;
    CHECK_EQ_INT(run_open(&r, &spec), WEIR_OK);
    CHECK_EQ_STR(wagg_output_schema(r.op)->fields[0].name, "session_window");
    /* batch 0: a@0, a@5 -> a[0,15); b@3 -> b[3,13); a@30 -> a[30,40) */
    at_row(&r.in, 0, "a", 1, 0.5, 0);
    at_row(&r.in, 5 * SEC, "a", 2, 0.25, 0);
    at_row(&r.in, 3 * SEC, "b", 4, 1, 0);
    at_row(&r.in, 30 * SEC, "a", 8, 2, 0);
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 0);
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_total, 3);
    CHECK_EQ_INT(wagg_watermark(r.op), 25 * SEC);
    /* batch 1 (watermark 25 s): a@20 -> [20,30) touches a[30,40): one session a[20,40); b@1 -> [1,11) ended
     * before the watermark: late. a[0,15) and b[3,13) close. */
    at_row(&r.in, 20 * SEC, "a", 16, 4, 0);
    at_row(&r.in, 1 * SEC, "b", 32, 8, 0);
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    WBuf d;
    wbuf_init(&d);
    at_dump(&d, &r.out);
    CHECK_EQ_STR(wbuf_cstr(&d), "{0,15000000}|'a'|2|3|1|2|0x1.8p-1|1|2\n"
                                "{3000000,13000000}|'b'|1|4|4|4|0x1p+0|4|1\n");
    CHECK_EQ_INT(wbatch_rows(&r.late), 1);
    CHECK_EQ_INT(at_i64(&r.late, "missed_watermark", 0), 25 * SEC);
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_removed, 2);
    /* batch 2 (watermark 25 s): a@12 -> [12,22) is late; a@17 -> [17,27) extends a[20,40) to a[17,40);
     * c@100 opens c[100,110) */
    at_row(&r.in, 12 * SEC, "a", 64, 16, 0);
    at_row(&r.in, 17 * SEC, "a", 1, 0.125, 0);
    at_row(&r.in, 100 * SEC, "c", 2, 0, 0);
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 0);
    CHECK_EQ_INT(wbatch_rows(&r.late), 1);
    CHECK(wagg_needs_nodata_batch(r.op)); /* watermark 95 s closes a[17,40) */
    CHECK_EQ_INT(run_batch(&r, 1), WEIR_OK);
    wbuf_reset(&d);
    at_dump(&d, &r.out);
    /* rows arrived 30 s (8), 20 s (16), 17 s (1): first() is the first to arrive, last() the last */
    CHECK_EQ_STR(wbuf_cstr(&d), "{17000000,40000000}|'a'|3|25|8|1|0x1.88p+2|1|3\n");
    CHECK_EQ_INT(run_flush(&r), WEIR_OK);
    wbuf_reset(&d);
    at_dump(&d, &r.out);
    CHECK_EQ_STR(wbuf_cstr(&d), "{100000000,110000000}|'c'|1|2|2|2|0x0p+0|2|1\n");
    run_close(&r);

    /* a row that bridges two sessions merges them (complete mode: nothing closes) */
    spec.mode = WOUT_COMPLETE;
    CHECK_EQ_INT(run_open(&r, &spec), WEIR_OK);
    at_row(&r.in, 0, "x", 1, 0.1, 0);         /* x[0,10) */
    at_row(&r.in, 25 * SEC, "x", 2, 0.2, 0);  /* x[25,35) */
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    at_row(&r.in, 12 * SEC, "x", 4, 0.3, 0);  /* x[12,22): touches neither */
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 3);
    at_row(&r.in, 20 * SEC, "x", 8, 0.4, 0);  /* [20,30) bridges x[12,22) and x[25,35) */
    at_row(&r.in, 10 * SEC, NULL, 16, 0.5, 0); /* a NULL key is a key of its own */
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    wbuf_reset(&d);
    at_dump(&d, &r.out);
    /* 0.2 + 0.3 + 0.4 exactly rounded: 0x1.ccccccccccccdp-1 (0.9000000000000000222); first() from the
     * session whose first row arrived first (25 s, clicks 2), last() the row that arrived last (8) */
    CHECK_EQ_STR(wbuf_cstr(&d), "{0,10000000}|'x'|1|1|1|1|0x1.999999999999ap-4|1|1\n"
                                "{10000000,20000000}|NULL|1|16|16|16|0x1p-1|16|1\n"
                                "{12000000,35000000}|'x'|3|14|2|8|0x1.ccccccccccccdp-1|2|3\n");
    CHECK_EQ_INT(wagg_stats(r.op)->num_rows_total, 3);
    run_close(&r);
    wbuf_fini(&d);
}

/* ---- exact sums ---- */

static double exact_k1024(__int128 k) { return (double)k / 1024.0; } /* int128 -> double rounds once */

static void test_xsum(void) {
    WXSum s;
    wxsum_init(&s);
    double v[] = {1e100, 1.0, -1e100};
    for (int i = 0; i < 3; i++) wxsum_add(&s, v[i]);
    CHECK(wxsum_value(&s) == 1.0);
    wxsum_fini(&s);
    for (int i = 0; i < 10; i++) wxsum_add(&s, 0.1);
    CHECK(wxsum_value(&s) == 1.0); /* the naive loop gives 0.9999999999999999 */
    wxsum_fini(&s);
    wxsum_add(&s, 4.9e-324);
    wxsum_add(&s, 4.9e-324);
    wxsum_add(&s, 4.9e-324);
    CHECK(wxsum_value(&s) == 1.5e-323);
    wxsum_add(&s, -1.5e-323);
    CHECK(wxsum_value(&s) == 0.0);
    wxsum_fini(&s);
    wxsum_add(&s, 1.7976931348623157e308);
    wxsum_add(&s, 1.7976931348623157e308);
    CHECK(isinf(wxsum_value(&s)) && wxsum_value(&s) > 0);
    wxsum_add(&s, -1.7976931348623157e308);
    CHECK(wxsum_value(&s) == 1.7976931348623157e308);
    wxsum_fini(&s);
    /* ties to even: 2^53 + 1 -> 2^53, 2^53 + 3 -> 2^53 + 4; just above the tie rounds up */
    wxsum_add(&s, 9007199254740992.0);
    wxsum_add(&s, 1.0);
    CHECK(wxsum_value(&s) == 9007199254740992.0);
    wxsum_add(&s, 2.0);
    CHECK(wxsum_value(&s) == 9007199254740996.0);
    wxsum_add(&s, -3.0);
    wxsum_add(&s, 1.0);
    wxsum_add(&s, 1e-300);
    CHECK(wxsum_value(&s) == 9007199254740994.0);
    wxsum_fini(&s);
    wxsum_add(&s, -2.5);
    wxsum_add(&s, -1e-20);
    CHECK(wxsum_value(&s) == -2.5);
    wxsum_add(&s, -2.5);
    CHECK(wxsum_value(&s) == -5.0);
    wxsum_fini(&s);
    wxsum_add(&s, INFINITY);
    wxsum_add(&s, 1);
    CHECK(wxsum_value(&s) == INFINITY);
    wxsum_add(&s, -INFINITY);
    CHECK(isnan(wxsum_value(&s)));
    wxsum_fini(&s);
    wxsum_add(&s, NAN);
    CHECK(isnan(wxsum_value(&s)));
    wxsum_fini(&s);
    /* random values of all magnitudes k/1024 against a 128-bit fixed-point sum, with a serialization
     * round trip in the middle */
    uint64_t seed = 42;
    int ok = 1;
    for (int t = 0; t < 300; t++) {
        __int128 ex = 0;
        WXSum a;
        wxsum_init(&a);
        int n = 1 + (int)(at_rand(&seed) % 200);
        for (int i = 0; i < n; i++) {
            int sh = (int)(at_rand(&seed) % 50); /* shift 11..60: |k| < 2^53 */
            int64_t k = (int64_t)(at_rand(&seed) >> (11 + sh));
            if (at_rand(&seed) & 1) k = -k;
            ex += k;
            wxsum_add(&a, (double)k / 1024.0); /* exact: |k| < 2^53 */
            if (i == n / 2) {
                WBuf b;
                wbuf_init(&b);
                wxsum_write(&a, &b);
                WXSum c;
                wxsum_init(&c);
                ok &= wxsum_read(&c, (const uint8_t *)b.data, b.len) == (long)b.len;
                ok &= wxsum_value(&c) == wxsum_value(&a);
                wxsum_fini(&a);
                a = c;
                wbuf_fini(&b);
            }
        }
        if (wxsum_value(&a) != exact_k1024(ex)) ok = 0;
        wxsum_fini(&a);
    }
    CHECK(ok);
    /* merging two partial sums is exact too: split random values between two sums at random */
    ok = 1;
    for (int t = 0; t < 300; t++) {
        __int128 ex = 0;
        WXSum a, b, c;
        wxsum_init(&a);
        wxsum_init(&b);
        wxsum_init(&c);
        int n = 1 + (int)(at_rand(&seed) % 100);
        for (int i = 0; i < n; i++) {
            int sh = (int)(at_rand(&seed) % 50);
            int64_t k = (int64_t)(at_rand(&seed) >> (11 + sh));
            if (at_rand(&seed) & 1) k = -k;
            ex += k;
            wxsum_add(at_rand(&seed) & 1 ? &a : &b, (double)k / 1024.0);
            wxsum_add(&c, (double)k / 1024.0);
        }
        if (t % 3 == 0) wxsum_add(&b, 1e-300 * (double)(t + 1)); /* far apart limb ranges */
        if (t % 3 == 0) wxsum_add(&c, 1e-300 * (double)(t + 1));
        wxsum_merge(&a, &b);
        if (t % 3 != 0 && wxsum_value(&a) != exact_k1024(ex)) ok = 0;
        if (wxsum_value(&a) != wxsum_value(&c)) ok = 0;
        wxsum_fini(&a);
        wxsum_fini(&b);
        wxsum_fini(&c);
    }
    CHECK(ok);
    /* damaged serializations are refused */
    uint8_t bad[12] = {0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8}; /* top limb not pure sign */
    CHECK(wxsum_read(&s, bad, sizeof bad) < 0);
    uint8_t bad2[4] = {0, 0xff, 0xff, 1}; /* negative limb index */
    CHECK(wxsum_read(&s, bad2, sizeof bad2) < 0);
    wxsum_fini(&s);
}

/* Random rows in time order with some disorder; prices k/2^30 (|k| < 2^53, so exact) of mixed
 * magnitudes, so that sums of a few need more than 53 bits and a naive sum rounds. */
#define PRICE_SCALE 1073741824.0
static void gen_rows(WBatch *all, int n, uint64_t seed) {
    for (int i = 0; i < n; i++) {
        int64_t ts = (int64_t)i * 700000 + (int64_t)(at_rand(&seed) % 20000000) - 10000000;
        int mag = (int)(at_rand(&seed) % 40);
        int64_t k = (int64_t)(at_rand(&seed) >> (11 + mag));
        if (at_rand(&seed) % 3 == 0) k = -k;
        char key[8];
        snprintf(key, sizeof key, "k%d", (int)(at_rand(&seed) % 3));
        at_row(all, ts, key, (int)(at_rand(&seed) % 1000), (double)k / PRICE_SCALE, (int64_t)(at_rand(&seed) % 100000));
    }
}

static void copy_rows(WBatch *dst, const WBatch *src, int64_t from, int64_t to) {
    for (int64_t r = from; r < to; r++) {
        wbatch_begin_row(dst);
        for (int c = 0; c < src->root.n_children; c++) {
            const WVec *v = &src->root.children[c];
            WVec *d = wbatch_col(dst, c);
            if (wvec_is_null(v, r)) wvec_append_null(d);
            else if (c == C_K) {
                size_t n;
                const char *s = wvec_str(v, r, &n);
                wvec_append_str(d, s, n);
            } else if (c == C_CLICKS) wvec_append_i32(d, wvec_i32(v, r));
            else if (c == C_PRICE) wvec_append_f64(d, wvec_f64(v, r));
            else wvec_append_i64(d, wvec_i64(v, r));
        }
    }
}

/* Runs `all` split at the given cut points (append, huge delay so no row is late) and dumps the output. */
static void run_split(const WBatch *all, const int64_t *cuts, int ncuts, WOutputMode mode, WBuf *dump) {
    static const WAggCall aggs[] = {{WAGG_SUM, C_PRICE, "sp", 0},  {WAGG_AVG, C_PRICE, "ap", 0},
                                    {WAGG_SUM, C_CLICKS, "sc", 0}, {WAGG_MIN, C_PRICE, "mn", 0},
                                    {WAGG_LAST, C_PRICE, "lp", 0}, {WAGG_APPROX_COUNT_DISTINCT, C_BIG, "ad", 0},
                                    {WAGG_COUNT_DISTINCT, C_CLICKS, "dc", 0}};
    static const int keys[] = {C_K};
    WAggSpec spec;
    spec_base(&spec, aggs, 7, mode);
    spec.delay_us = 1000000 * SEC;
    spec.key_cols = keys;
    spec.n_keys = 1;
    Run r;
    if (run_open(&r, &spec)) abort();
    int64_t prev = 0;
    for (int i = 0; i <= ncuts; i++) {
        int64_t to = i < ncuts ? cuts[i] : wbatch_rows(all);
        copy_rows(&r.in, all, prev, to);
        prev = to;
        if (run_batch(&r, 0)) abort();
        if (mode == WOUT_APPEND) at_dump(dump, &r.out);
    }
    if (run_flush(&r)) abort();
    at_dump(dump, &r.out);
    run_close(&r);
}

static void test_determinism(void) {
    WBatch all;
    wbatch_init(&all, &schema);
    gen_rows(&all, 3000, 7);
    WBuf a, b, c;
    wbuf_init(&a);
    wbuf_init(&b);
    wbuf_init(&c);
    int64_t one[] = {0};
    run_split(&all, one, 0, WOUT_APPEND, &a);
    int64_t cuts[] = {1, 2, 100, 101, 1500, 2999};
    run_split(&all, cuts, 6, WOUT_APPEND, &b);
    int64_t many[300];
    for (int i = 0; i < 300; i++) many[i] = (i + 1) * 10 - (i % 7);
    run_split(&all, many, 299, WOUT_APPEND, &c);
    CHECK(a.len > 1000);
    CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
    CHECK(a.len == c.len && !memcmp(a.data, c.data, a.len));
    /* and the DOUBLE sums are the correctly rounded exact sums (fixed-point oracle) of every window and key */
    static const WAggCall aggs[] = {{WAGG_SUM, C_PRICE, "sp", 0}, {WAGG_COUNT_STAR, -1, "n", 0}};
    static const int keys[] = {C_K};
    WAggSpec spec;
    spec_base(&spec, aggs, 2, WOUT_COMPLETE);
    spec.key_cols = keys;
    spec.n_keys = 1;
    Run r;
    CHECK_EQ_INT(run_open(&r, &spec), WEIR_OK);
    copy_rows(&r.in, &all, 0, wbatch_rows(&all));
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    int ok = 1, naive_differs = 0;
    int64_t total = 0;
    for (int64_t g = 0; g < wbatch_rows(&r.out); g++) {
        int64_t ws = at_wstart(&r.out, g);
        size_t kn;
        const char *ks = wvec_str(wbatch_col(&r.out, 1), g, &kn);
        __int128 ex = 0;
        double naive = 0;
        int64_t cnt = 0;
        for (int64_t i = 0; i < wbatch_rows(&all); i++) {
            int64_t ts = wvec_i64(wbatch_col(&all, C_TS), i);
            size_t n;
            const char *s = wvec_str(wbatch_col(&all, C_K), i, &n);
            if (ts - ((ts % (30 * SEC)) + 30 * SEC) % (30 * SEC) != ws || n != kn || memcmp(s, ks, n)) continue;
            double p = wvec_f64(wbatch_col(&all, C_PRICE), i);
            ex += (__int128)(p * PRICE_SCALE);
            naive += p;
            cnt++;
        }
        ok &= cnt == at_i64(&r.out, "n", g);
        double exact = (double)ex / PRICE_SCALE; /* int128 -> double rounds once; the scaling is exact */
        ok &= at_f64(&r.out, "sp", g) == exact;
        naive_differs += naive != exact;
        total += cnt;
    }
    CHECK(ok);
    CHECK_EQ_INT(total, 3000);
    printf("exact sums: %d of %lld groups differ from a naive left-to-right double sum\n", naive_differs,
           (long long)wbatch_rows(&r.out));
    CHECK(naive_differs > 0); /* the data really exercises rounding */
    run_close(&r);
    wbuf_fini(&a);
    wbuf_fini(&b);
    wbuf_fini(&c);
    wbatch_fini(&all);
}

/* Memory of the seed's query: 4 sums (3 INT, 1 DOUBLE) per 30-second window, no keys. */
static void test_memory(void) {
    static const WAggCall aggs[] = {{WAGG_SUM, C_CLICKS, "Clicks", 0}, {WAGG_SUM, C_CLICKS, "Impressions", 0},
                                    {WAGG_SUM, C_CLICKS, "Quantity", 0}, {WAGG_SUM, C_PRICE, "Total_price", 0}};
    WAggSpec spec;
    spec_base(&spec, aggs, 4, WOUT_APPEND);
    spec.delay_us = INT64_MAX / 2; /* nothing closes */
    Run r;
    CHECK_EQ_INT(run_open(&r, &spec), WEIR_OK);
    int64_t mem[3] = {0, 0, 0};
    int64_t groups[3] = {0, 0, 0};
    int step = 0;
    uint64_t seed = 3;
    for (int64_t w = 0; w < 400000; w++) {
        /* prices as the seed's generator makes them: round(random(), 2) * 10, e.g. 3.9000000000000004 */
        at_row(&r.in, w * 30 * SEC + 1, NULL, (int)(at_rand(&seed) % 10), (double)(at_rand(&seed) % 101) / 100.0 * 10.0, 0);
        at_row(&r.in, w * 30 * SEC + 2, NULL, 1, (double)(at_rand(&seed) % 101) / 100.0 * 10.0, 0);
        if (wbatch_rows(&r.in) == 20000) {
            CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
            if (w + 1 == 100000 || w + 1 == 200000 || w + 1 == 400000) {
                mem[step] = wagg_stats(r.op)->memory_used_bytes;
                groups[step++] = wagg_stats(r.op)->num_rows_total;
            }
        }
    }
    double per = (double)(mem[2] - mem[0]) / (double)(groups[2] - groups[0]);
    printf("seed query state: %lld groups use %lld bytes; %.1f bytes per group (100k -> 400k groups)\n",
           (long long)groups[2], (long long)mem[2], per);
    CHECK(per <= 150);
    run_close(&r);
}

/* ---- oracle data for tests/oracle/agg_oracle.mjs ---- */

static int write_oracle(const char *dir) {
    char path[4096];
    static const WAggCall aggs[] = {{WAGG_SUM, C_CLICKS, "Clicks", 0}, {WAGG_SUM, C_PRICE, "Total_price", 0},
                                    {WAGG_COUNT_STAR, -1, "n", 0},     {WAGG_MIN, C_CLICKS, "mn", 0},
                                    {WAGG_MAX, C_CLICKS, "mx", 0},     {WAGG_AVG, C_PRICE, "ap", 0}};
    for (int variant = 0; variant < 2; variant++) {
        WAggSpec spec;
        spec_base(&spec, aggs, 6, WOUT_APPEND);
        WErr err;
        werr_init(&err);
        if (variant == 1) wwindow_time(&spec.window, 30 * SEC, 10 * SEC, 0, &err); /* sliding */
        Run r;
        if (run_open(&r, &spec)) return 1;
        snprintf(path, sizeof path, "%s/input_%d.csv", dir, variant);
        FILE *fin = fopen(path, "w");
        snprintf(path, sizeof path, "%s/weir_windows_%d.csv", dir, variant);
        FILE *fout = fopen(path, "w");
        snprintf(path, sizeof path, "%s/weir_late_%d.csv", dir, variant);
        FILE *flate = fopen(path, "w");
        if (!fin || !fout || !flate) return 1;
        fprintf(fin, "id,batch,ts,clicks,price_k\n");
        fprintf(fout, "start,end,clicks,price_bits,n,mn,mx,avg_bits\n");
        fprintf(flate, "id,missed_watermark\n");
        uint64_t seed = 99 + (uint64_t)variant;
        int64_t id = 0, base = 1795500000LL * SEC;
        for (int b = 0; b < 40; b++) {
            int n = (int)(at_rand(&seed) % 200);
            for (int i = 0; i < n; i++) {
                /* mostly increasing event time with jitter of up to 40 s: some rows arrive late */
                int64_t ts = base + (int64_t)b * 12 * SEC + (int64_t)(at_rand(&seed) % (52 * SEC)) - 40 * SEC;
                int clicks = at_rand(&seed) % 11 == 0 ? NULL_I : (int)(at_rand(&seed) % 50);
                int mag = (int)(at_rand(&seed) % 30);
                int64_t k = (int64_t)(at_rand(&seed) >> (14 + mag));
                if (at_rand(&seed) % 4 == 0) k = -k;
                int price_null = at_rand(&seed) % 13 == 0;
                at_row(&r.in, ts, NULL, clicks, price_null ? NULL_D : (double)k / 1024.0, id);
                fprintf(fin, "%lld,%d,%lld,", (long long)id, b, (long long)ts);
                if (clicks == NULL_I) fprintf(fin, ",");
                else fprintf(fin, "%d,", clicks);
                if (price_null) fprintf(fin, "\n");
                else fprintf(fin, "%lld\n", (long long)k);
                id++;
            }
            int nodata = wbatch_rows(&r.in) == 0;
            if (run_batch(&r, nodata)) return 1;
            for (int64_t j = 0; j < wbatch_rows(&r.late); j++)
                fprintf(flate, "%lld,%lld\n", (long long)at_i64(&r.late, "big", j),
                        (long long)at_i64(&r.late, "missed_watermark", j));
            for (int pass = 0; pass < 2; pass++) {
                WBatch *o = &r.out;
                for (int64_t j = 0; j < wbatch_rows(o); j++) {
                    uint64_t pb, ab;
                    double sp = at_f64(o, "Total_price", j), ap = at_f64(o, "ap", j);
                    memcpy(&pb, &sp, 8);
                    memcpy(&ab, &ap, 8);
                    fprintf(fout, "%lld,%lld,", (long long)at_wstart(o, j), (long long)at_wend(o, j));
                    if (at_null(o, "Clicks", j)) fprintf(fout, ",");
                    else fprintf(fout, "%lld,", (long long)at_i64(o, "Clicks", j));
                    if (at_null(o, "Total_price", j)) fprintf(fout, ",");
                    else fprintf(fout, "%llu,", (unsigned long long)pb);
                    fprintf(fout, "%lld,", (long long)at_i64(o, "n", j));
                    if (at_null(o, "mn", j)) fprintf(fout, ",,");
                    else fprintf(fout, "%d,%d,", at_i32(o, "mn", j), at_i32(o, "mx", j));
                    if (at_null(o, "ap", j)) fprintf(fout, "\n");
                    else fprintf(fout, "%llu\n", (unsigned long long)ab);
                }
                /* close what the watermark allows before the next file, as the driver would */
                if (pass == 0 && wagg_needs_nodata_batch(r.op)) {
                    if (run_batch(&r, 1)) return 1;
                    fprintf(fin, "%s", "");
                    /* the no-data batch counts as a batch for the oracle too */
                    fprintf(fin, "#nodata,%d\n", b);
                } else break;
            }
        }
        if (run_flush(&r)) return 1;
        for (int64_t j = 0; j < wbatch_rows(&r.out); j++) {
            WBatch *o = &r.out;
            uint64_t pb, ab;
            double sp = at_f64(o, "Total_price", j), ap = at_f64(o, "ap", j);
            memcpy(&pb, &sp, 8);
            memcpy(&ab, &ap, 8);
            fprintf(fout, "%lld,%lld,", (long long)at_wstart(o, j), (long long)at_wend(o, j));
            if (at_null(o, "Clicks", j)) fprintf(fout, ",");
            else fprintf(fout, "%lld,", (long long)at_i64(o, "Clicks", j));
            if (at_null(o, "Total_price", j)) fprintf(fout, ",");
            else fprintf(fout, "%llu,", (unsigned long long)pb);
            fprintf(fout, "%lld,", (long long)at_i64(o, "n", j));
            if (at_null(o, "mn", j)) fprintf(fout, ",,");
            else fprintf(fout, "%d,%d,", at_i32(o, "mn", j), at_i32(o, "mx", j));
            if (at_null(o, "ap", j)) fprintf(fout, "\n");
            else fprintf(fout, "%llu\n", (unsigned long long)ab);
        }
        fclose(fin);
        fclose(fout);
        fclose(flate);
        run_close(&r);
    }
    return 0;
}

/* The DOUBLE and INT sums add runs of one group's values at once (agg.c: XRun, a 128-bit accumulator
 * flushed into the exact sum). Differential check against plain wxsum_add of every value: rows in time
 * order with long runs per window (over 1024, so the accumulator is flushed mid-run), values of every
 * kind (prices, random bit patterns: subnormals, huge, zeros of both signs, NaN, infinities, and values
 * whose exponents jump so the run's base moves), NULLs; with and without a key; the sums must agree bit
 * for bit (NaN with NaN), and the INT sums exactly. */
static void test_run_sums(void) {
    static const WAggCall aggs[] = {{WAGG_SUM, C_PRICE, "sp", 0}, {WAGG_SUM, C_CLICKS, "sc", 0}};
    static const int keys[] = {C_K};
    uint64_t st = 0x853c49e6748fea9bULL;
    long bad = 0, groups = 0;
    for (int round = 0; round < 24; round++) {
        WAggSpec spec;
        spec_base(&spec, aggs, 2, WOUT_COMPLETE);
        spec.has_watermark = 0;
        if (round & 1) {
            spec.key_cols = keys;
            spec.n_keys = 1;
        }
        Run r;
        CHECK_EQ_INT(run_open(&r, &spec), WEIR_OK);
        enum { N = 6000, W = 8 };
        static double price[N];
        static int32_t clicks[N];
        static int64_t tsv[N];
        static int key[N];
        for (int i = 0; i < N; i++) {
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            uint64_t x = st ^ (st >> 29);
            tsv[i] = (int64_t)i * (W * 30 * SEC) / N + (int64_t)(x % (3 * SEC)); /* runs of ~750 rows a window */
            if (round % 3 == 2) tsv[i] = (int64_t)(x % 2) * 30 * SEC; /* two windows, runs of 3000 */
            key[i] = (int)((x >> 8) % 3);
            clicks[i] = (int32_t)((x >> 20) % 2000001) - 1000000;
            if ((x >> 12) % 50 == 0 && round % 4 < 2) clicks[i] = NULL_I; /* half the rounds without NULLs */
            switch ((x >> 40) % 8) {
            case 0: { uint64_t b = st * 0x9E3779B97F4A7C15ULL; memcpy(&price[i], &b, 8); break; }
            case 1: price[i] = ldexp((double)((x >> 8) % 1000 + 1), (int)((x >> 20) % 120) - 60); break;
            case 2: price[i] = (x >> 9) % 2 ? 0.0 : -0.0; break;
            case 3: price[i] = ldexp(1.0, (int)((x >> 20) % 2100) - 1074); break;
            case 4: price[i] = NULL_D; break;
            default: price[i] = (double)((x >> 8) % 101) / 100.0 * 10.0 * ((x >> 30) % 2 ? 1 : -1); break;
            }
            if (price[i] != price[i] && (x >> 50) % 4) price[i] = 1.5; /* fewer NaN, so most sums stay finite */
            if (round >= 12 && ((x >> 40) % 8) == 0) price[i] = 2.25; /* half the rounds without random bits */
            if (round % 4 >= 2 && price[i] == NULL_D) price[i] = -0.5; /* half the rounds without NULLs */
            char kb[4] = {(char)('a' + key[i]), 0};
            at_row(&r.in, tsv[i], kb, clicks[i], price[i], 0);
        }
        CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
        for (int64_t g = 0; g < wbatch_rows(&r.out); g++) {
            int64_t ws = at_wstart(&r.out, g);
            int kk = -1;
            if (round & 1) {
                size_t kn;
                kk = wvec_str(wbatch_col(&r.out, 1), g, &kn)[0] - 'a';
            }
            WXSum x;
            wxsum_init(&x);
            int64_t sc = 0;
            int any_p = 0, any_c = 0;
            for (int i = 0; i < N; i++) {
                if (tsv[i] / (30 * SEC) * (30 * SEC) != ws || (kk >= 0 && key[i] != kk)) continue;
                if (price[i] != NULL_D) wxsum_add(&x, price[i]), any_p = 1;
                if (clicks[i] != NULL_I) sc += clicks[i], any_c = 1;
            }
            double want = wxsum_value(&x), got = at_f64(&r.out, "sp", g);
            int pnull = wvec_is_null(wbatch_col(&r.out, (round & 1) ? 2 : 1), g);
            int cnull = wvec_is_null(wbatch_col(&r.out, (round & 1) ? 3 : 2), g);
            if (pnull != !any_p || cnull != !any_c || (any_p && memcmp(&want, &got, 8) && !(want != want && got != got)) ||
                (any_c && at_i64(&r.out, "sc", g) != sc)) {
                if (++bad < 5) fprintf(stderr, "run sums differ: round %d window %lld: %a vs %a\n", round, (long long)ws, got, want);
            }
            wxsum_fini(&x);
            groups++;
        }
        run_close(&r);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(groups > 24 * 2);
    /* the accumulator's bound: after 1.0 sets the base, values 2^63 units above it with a full mantissa,
     * 3000 of them in one run (2048 would overflow 128 bits without the flush every 1024 values) */
    WAggSpec spec;
    spec_base(&spec, aggs, 2, WOUT_COMPLETE);
    spec.has_watermark = 0;
    Run r;
    CHECK_EQ_INT(run_open(&r, &spec), WEIR_OK);
    WXSum x;
    wxsum_init(&x);
    double big = ldexp((double)((UINT64_C(1) << 53) - 1), 3);
    for (int i = 0; i < 3001; i++) {
        double v = i == 0 ? 1.0 : big;
        at_row(&r.in, 5 * SEC, "a", 1, v, 0);
        wxsum_add(&x, v);
    }
    CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&r.out), 1);
    CHECK(at_f64(&r.out, "sp", 0) == wxsum_value(&x));
    run_close(&r);
    wxsum_fini(&x);
}

/* Tumbling windows without keys take runs of rows at once (the rows after one whose times fall in its
 * window); a NULL event time anywhere in a chunk sends it row by row instead. Both must give the same
 * windows, values and late rows, bit for bit: the same random data (times mostly in order with some
 * disorder, late rows, NULL values, every aggregate function) fed in the same chunks, once as it is and
 * once with a row of NULL time added to each chunk. */
static void test_tumbling_runs(void) {
    static const WAggCall aggs[] = {{WAGG_SUM, C_CLICKS, "sc", 0},     {WAGG_SUM, C_PRICE, "sp", 0},
                                    {WAGG_SUM, C_BIG, "sb", 0},        {WAGG_COUNT_STAR, -1, "n", 0},
                                    {WAGG_COUNT, C_PRICE, "np", 0},    {WAGG_AVG, C_PRICE, "ap", 0},
                                    {WAGG_MIN, C_CLICKS, "mi", 0},     {WAGG_MAX, C_PRICE, "mx", 0},
                                    {WAGG_FIRST, C_PRICE, "fp", 0},    {WAGG_LAST, C_K, "lk", 0},
                                    {WAGG_COUNT_DISTINCT, C_CLICKS, "dc", 0}};
    const int n_aggs = (int)(sizeof aggs / sizeof *aggs);
    uint64_t st = 0x2545F4914F6CDD1DULL;
    long differ = 0, windows = 0, late_rows = 0;
    for (int round = 0; round < 12; round++) {
        WBuf dump[2];
        for (int pass = 0; pass < 2; pass++) {
            uint64_t rs = st; /* the same data in both passes */
            WAggSpec spec;
            spec_base(&spec, aggs, n_aggs, round % 3 == 2 ? WOUT_UPDATE : WOUT_APPEND);
            WErr err;
            werr_init(&err);
            if (round % 2) wwindow_time(&spec.window, 7 * SEC, 0, 3 * SEC, &err); /* with a start offset */
            spec.delay_us = (round % 4) * SEC;
            Run r;
            CHECK_EQ_INT(run_open(&r, &spec), WEIR_OK);
            wbuf_init(&dump[pass]);
            int64_t t = (int64_t)(at_rand(&rs) % 1000) * SEC - 500 * SEC; /* before 1970 too */
            for (int b = 0; b < 40; b++) {
                int rows = (int)(at_rand(&rs) % 300);
                for (int i = 0; i < rows; i++) {
                    uint64_t x = at_rand(&rs);
                    t += (int64_t)(x % 200000);
                    int64_t ts = t - (int64_t)((x >> 20) % 4000000) * ((x >> 44) % 8 == 0); /* disorder */
                    if ((x >> 50) % 500 == 0) ts -= 40 * SEC;                              /* very late */
                    char k[2] = {(char)('a' + (x >> 8) % 3), 0};
                    at_row(&r.in, ts, (x >> 12) % 9 ? k : NULL, (x >> 16) % 11 ? (int32_t)((x >> 24) % 50) : NULL_I,
                           (x >> 32) % 13 ? (double)((x >> 36) % 1000) / 8.0 - 60 : NULL_D, (int64_t)(x >> 40) - (1 << 23));
                }
                if (pass) at_row(&r.in, NULL_TS, "z", 1, 1.0, 1);
                CHECK_EQ_INT(run_batch(&r, 0), WEIR_OK);
                wbuf_printf(&dump[pass], "batch %d\n", b);
                at_dump(&dump[pass], &r.out);
                wbuf_puts(&dump[pass], "late\n");
                at_dump(&dump[pass], &r.late);
                if (!pass) windows += wbatch_rows(&r.out), late_rows += wbatch_rows(&r.late);
            }
            CHECK_EQ_INT(run_flush(&r), WEIR_OK);
            at_dump(&dump[pass], &r.out);
            if (!pass) windows += wbatch_rows(&r.out);
            run_close(&r);
            if (pass) st = rs;
        }
        differ += dump[0].len != dump[1].len || memcmp(dump[0].data, dump[1].data, dump[0].len);
        wbuf_fini(&dump[0]);
        wbuf_fini(&dump[1]);
    }
    printf("tumbling runs: %ld windows, %ld late rows\n", windows, late_rows);
    CHECK_EQ_INT(differ, 0);
    CHECK(windows > 500);
    CHECK(late_rows > 50);
}

int main(int argc, char **argv) {
    at_schema(&schema);
    if (argc == 3 && !strcmp(argv[1], "--oracle")) {
        int rc = write_oracle(argv[2]);
        wtype_fini(&schema);
        return rc;
    }
    test_append_watermark();
    test_null_rules_and_functions();
    test_keys_update();
    test_sliding_and_rules();
    test_sessions();
    test_xsum();
    test_run_sums();
    test_tumbling_runs();
    test_determinism();
    test_memory();
    wtype_fini(&schema);
    return check_summary();
}
