/*
 * csv_bench.c - single-thread throughput of the CSV codec on the seed's flattened rows
 * (datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE; stage 1 output).
 *
 * Builds N random seed-like rows (default 2,000,000), encodes them in batches of 4096 rows (encode MB/s
 * of CSV text produced), then decodes the text in batches of 4096 rows (decode MB/s of CSV text read),
 * best of 3 runs each, and checks the decoded rows equal the encoded ones. With an argument PATH it also
 * writes the CSV text there (for comparing other tools on the same bytes).
 *
 *   make bench-csv            (or build/csv_bench [ROWS] [PATH])
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/csv.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t s = 88172645463325252ULL;
static uint64_t rnd(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }

#define BATCH 4096

int main(int argc, char **argv) {
    long rows = argc > 1 ? atol(argv[1]) : 2000000;
    const char *ddl = "datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE";
    WType st;
    WErr e;
    werr_init(&e);
    if (wschema_parse(ddl, strlen(ddl), &st, &e)) return 1;
    long nb = (rows + BATCH - 1) / BATCH;
    WBatch *bs = calloc((size_t)nb, sizeof *bs);
    int64_t t0 = 1795500000000000LL;
    for (long i = 0; i < nb; i++) {
        wbatch_init(&bs[i], &st);
        for (long r = 0; r < BATCH && i * BATCH + r < rows; r++) {
            wbatch_begin_row(&bs[i]);
            t0 += (int64_t)(rnd() % 1000000);
            wvec_append_i64(wbatch_col(&bs[i], 0), t0);
            wvec_append_i32(wbatch_col(&bs[i], 1), (int32_t)(1 + rnd() % 10));
            wvec_append_i32(wbatch_col(&bs[i], 2), (int32_t)(10 + rnd() % 11));
            wvec_append_i32(wbatch_col(&bs[i], 3), (int32_t)(1 + rnd() % 10));
            wvec_append_f64(wbatch_col(&bs[i], 4), (double)(rnd() % 101) / 100.0 * 10.0);
        }
    }
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "header", "true");
    WCsvWriter *w;
    if (wcsv_writer_open(&st, &o, &w, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
    WBuf out;
    wbuf_init(&out);
    double best_enc = 1e9;
    for (int run = 0; run < 3; run++) {
        wbuf_reset(&out);
        double a = now();
        wcsv_write_header(w, &out, &e);
        for (long i = 0; i < nb; i++)
            if (wcsv_write_batch(w, &bs[i], &out, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
        double t = now() - a;
        if (t < best_enc) best_enc = t;
    }
    WCsvReader *r;
    if (wcsv_reader_open(&st, &o, &r, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
    WBatch b;
    wbatch_init(&b, &st);
    double best_dec = 1e9;
    long got = 0, mism = 0;
    for (int run = 0; run < 3; run++) {
        double a = now();
        wcsv_begin(r, "bench.csv", out.data, out.len);
        int done = 0;
        got = 0;
        long bi = 0;
        while (!done) {
            wbatch_reset(&b);
            if (wcsv_next(r, &b, BATCH, &done, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
            got += wbatch_rows(&b);
            if (run == 0 && wbatch_rows(&b)) {
                WBatch *x = &bs[bi++];
                for (int64_t k = 0; k < wbatch_rows(&b); k++)
                    if (wvec_i64(wbatch_col(&b, 0), k) != wvec_i64(wbatch_col(x, 0), k) ||
                        wvec_i32(wbatch_col(&b, 2), k) != wvec_i32(wbatch_col(x, 2), k) ||
                        wvec_f64(wbatch_col(&b, 4), k) != wvec_f64(wbatch_col(x, 4), k))
                        mism++;
            }
        }
        double t = now() - a;
        if (t < best_dec) best_dec = t;
    }
    double mb = (double)out.len / 1e6;
    printf("rows %ld, CSV %.1f MB (%.1f bytes/row), rows read back %ld, mismatches %ld\n", rows, mb,
           (double)out.len / (double)rows, got, mism);
    printf("encode: %.3f s  %.1f MB/s  %.2f M rows/s\n", best_enc, mb / best_enc, (double)rows / best_enc / 1e6);
    printf("decode: %.3f s  %.1f MB/s  %.2f M rows/s\n", best_dec, mb / best_dec, (double)rows / best_dec / 1e6);
    /* The same text with datetime and total_price read as STRING: the scanner and integer path alone,
     * without the double and timestamp conversions of core/num and core/time. */
    const char *ddl2 = "datetime STRING, clicks INT, impressions INT, quantity INT, total_price STRING";
    WType st2;
    if (wschema_parse(ddl2, strlen(ddl2), &st2, &e)) return 1;
    WCsvReader *r2;
    if (wcsv_reader_open(&st2, &o, &r2, &e)) return 1;
    WBatch b2;
    wbatch_init(&b2, &st2);
    double best2 = 1e9;
    for (int run = 0; run < 3; run++) {
        double a = now();
        wcsv_begin(r2, "bench.csv", out.data, out.len);
        int done = 0;
        while (!done) {
            wbatch_reset(&b2);
            if (wcsv_next(r2, &b2, BATCH, &done, &e)) return 1;
        }
        double t = now() - a;
        if (t < best2) best2 = t;
    }
    printf("decode, datetime and total_price as STRING: %.3f s  %.1f MB/s\n", best2, mb / best2);
    wcsv_reader_close(r2);
    wbatch_fini(&b2);
    wtype_fini(&st2);
    if (argc > 2) {
        FILE *f = fopen(argv[2], "wb");
        if (!f || fwrite(out.data, 1, out.len, f) != out.len) return 1;
        fclose(f);
    }
    wcsv_reader_close(r);
    wcsv_writer_close(w);
    wbatch_fini(&b);
    for (long i = 0; i < nb; i++) wbatch_fini(&bs[i]);
    free(bs);
    wbuf_fini(&out);
    wopts_fini(&o);
    wtype_fini(&st);
    return mism || got != rows;
}
