/*
 * fuzz_state.c - libFuzzer target for state store files as the aggregation reads them (make fuzz-state).
 *
 * The first input byte picks one of three aggregations (tumbling windows without keys, the seed's four
 * sums; sliding windows or session windows with a STRING and an INT key and every aggregate function);
 * the rest is a state
 * file image (delta or snapshot) given to wagg_load_image, which checks the checksum and structure
 * (wstate_parse) and decodes every record into groups. Whatever the bytes: no crash, no leak, and either
 * WEIR_CORRUPT / WEIR_MISUSE, or groups that the operator can then emit and evict (a final flush).
 * To make the checksum no obstacle, when the first byte is odd the trailer CRC is recomputed first.
 * Seeds in tests/fuzz/corpus/state are real files written by the operator (test_state --corpus DIR).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "exec/agg.h"
#include "weir.h"

static WType fz_schema;
static int fz_ready;

static const WAggCall FZ_AGGS_ALL[] = {
    {WAGG_COUNT_STAR, -1, "n", 0},       {WAGG_SUM, 3, "sp", 0},          {WAGG_SUM, 2, "sc", 0},
    {WAGG_AVG, 4, "ab", 0},              {WAGG_SUM, 4, "sb", 0},          {WAGG_COUNT_DISTINCT, 1, "dk", 0},
    {WAGG_COUNT_DISTINCT, 2, "dc", 0},   {WAGG_APPROX_COUNT_DISTINCT, 3, "ap", 0.2}, /* p = 5: small seeds */
    {WAGG_FIRST, 1, "fk", 0},            {WAGG_LAST, 3, "lp", 0},         {WAGG_MIN, 1, "mk", 0},
    {WAGG_MAX, 3, "mp", 0},              {WAGG_AVG, 3, "avp", 0}};
static const WAggCall FZ_AGGS_SEED[] = {{WAGG_SUM, 2, "Clicks", 0}, {WAGG_SUM, 2, "Impressions", 0},
                                     {WAGG_SUM, 2, "Quantity", 0}, {WAGG_SUM, 3, "Total_price", 0}};
static const int FZ_KEYS[] = {2, 1};

static void fz_setup(void) {
    const char *ddl = "datetime TIMESTAMP, k STRING, clicks INT, price DOUBLE, big BIGINT";
    WErr e;
    werr_init(&e);
    if (wschema_parse(ddl, strlen(ddl), &fz_schema, &e)) abort();
    fz_ready = 1;
}

/* The aggregation `which` (0: the seed's sums, tumbling; 1: keys and every function, sliding; 2: the
 * same with session windows of 10 s). */
static void fz_spec(WAggSpec *spec, int which) {
    if (!fz_ready) fz_setup();
    WErr err;
    werr_init(&err);
    memset(spec, 0, sizeof *spec);
    spec->input = &fz_schema;
    spec->ts_col = 0;
    spec->has_watermark = 1;
    spec->delay_us = 10000000;
    spec->mode = WOUT_APPEND;
    if (which) {
        if (which == 2) wwindow_session(&spec->window, 10000000, &err);
        else wwindow_time(&spec->window, 30000000, 10000000, 0, &err);
        spec->aggs = FZ_AGGS_ALL;
        spec->n_aggs = (int)(sizeof FZ_AGGS_ALL / sizeof FZ_AGGS_ALL[0]);
        spec->key_cols = FZ_KEYS;
        spec->n_keys = 2;
    } else {
        wwindow_time(&spec->window, 30000000, 0, 0, &err);
        spec->aggs = FZ_AGGS_SEED;
        spec->n_aggs = 4;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    WAggSpec spec;
    fz_spec(&spec, ((data[0] >> 1) & 3) % 3);
    WErr err;
    werr_init(&err);
    WAggOp *op;
    if (wagg_open(&spec, &op, &err)) abort();
    uint8_t *img = malloc(size);
    if (!img) abort();
    size_t n = size - 1;
    memcpy(img, data + 1, n);
    if ((data[0] & 1) && n >= 4) {
        uLong crc = crc32(0L, Z_NULL, 0);
        crc = crc32(crc, img, (uInt)(n - 4));
        for (int i = 0; i < 4; i++) img[n - 4 + i] = (uint8_t)(crc >> (8 * i));
    }
    int rc = wagg_load_image(op, img, n, &err);
    if (rc != WEIR_OK && rc != WEIR_CORRUPT && rc != WEIR_MISUSE && rc != WEIR_NOMEM) abort();
    if (rc != WEIR_OK && err.msg[0] == 0) abort(); /* an error always says what */
    if (rc == WEIR_OK) {
        WBatch out;
        if (wbatch_init(&out, wagg_output_schema(op))) abort();
        /* emitting may fail only with Spark's BIGINT overflow of a loaded 128-bit sum */
        rc = wagg_flush_all(op, 0, &out, &err);
        if (rc != WEIR_OK && rc != WEIR_UNSUPPORTED) abort();
        if (rc == WEIR_OK && wagg_stats(op)->num_rows_total != 0) abort();
        wbatch_fini(&out);
    }
    free(img);
    wagg_close(op);
    return 0;
}
