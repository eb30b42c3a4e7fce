/*
 * agg_bench.c - the seed's stage 2 on one core: CSV text to 30-second window sums with weir's CSV decoder
 * and streaming aggregation, and the state cost of 1 million groups.
 *
 *   agg_bench seed CSV_PATH [ROWS]   writes ROWS (default 2,000,000) seed-like rows to CSV_PATH (for DuckDB
 *                                    to read the same bytes), then times: read the file (as the file
 *                                    source does: in pieces into the decoder's reused buffer, through
 *                                    wcsv_begin_stream), decode it in batches of 65536 rows, aggregate (append mode, 10 s watermark,
 *                                    sum(clicks), sum(impressions), sum(quantity), sum(total_price) per
 *                                    30 s window), final flush; best of 3. Prints the windows' checksum
 *                                    so the DuckDB side can be compared.
 *   agg_bench groups STATE_DIR [ROWS] [KEYS]  GROUP BY a key column with KEYS (default 1,000,000) values
 *                                    and the window (update mode, state in STATE_DIR, snapshot every 10
 *                                    batches): per batch of 100,000 rows, memory held and time to write
 *                                    the state; then a batch that changes 1000 groups.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "exec/agg.h"
#include "formats/csv.h"
#include "weir.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t s = 88172645463325252ULL;
static uint64_t rnd(void) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

static void die(const char *what, const WErr *e) {
    fprintf(stderr, "agg_bench: %s: %s\n", what, e ? e->msg : "");
    exit(1);
}

static const char *DDL = "datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE";

/* Seed-like text: 10 events per ~5 s file in the original; here one event every ~1 ms on average, in
 * order with up to 2 s of disorder, written as the stage-1 CSV (ISO timestamps with microseconds). */
static void write_seed_csv(const char *path, long rows) {
    FILE *f = fopen(path, "w");
    if (!f) die("cannot create the CSV file", NULL);
    fputs("datetime,clicks,impressions,quantity,total_price\n", f);
    int64_t base = 1795500000000000LL;
    for (long i = 0; i < rows; i++) {
        int64_t ts = base + i * 1000 + (int64_t)(rnd() % 2000000);
        time_t sec = (time_t)(ts / 1000000);
        struct tm tm;
        gmtime_r(&sec, &tm);
        char d[64];
        strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
        double price = (double)(rnd() % 101) / 100.0 * 10.0;
        fprintf(f, "%s.%06lld,%d,%d,%d,%.17g\n", d, (long long)(ts % 1000000), (int)(1 + rnd() % 10),
                (int)(10 + rnd() % 11), (int)(1 + rnd() % 10), price);
    }
    fclose(f);
}

/* The file, read piece by piece into the CSV decoder's buffer; the time spent reading is counted apart. */
typedef struct Feed {
    int fd;
    double seconds;
} Feed;

static int feed_fill(void *user, char *buf, size_t cap, size_t *got, WErr *err) {
    (void)err;
    Feed *f = user;
    double t0 = now();
    ssize_t r = read(f->fd, buf, cap);
    f->seconds += now() - t0;
    if (r < 0) die("cannot read", NULL);
    *got = (size_t)r;
    return WEIR_OK;
}

static int seed_query(const char *path, long rows) {
    /* AGG_BENCH_KEEP=1 reuses the file (for profiling the timed part alone) */
    const char *keep = getenv("AGG_BENCH_KEEP");
    FILE *old = keep && *keep == '1' ? fopen(path, "rb") : NULL;
    if (old) fclose(old);
    else write_seed_csv(path, rows);
    WType st;
    WErr e;
    werr_init(&e);
    if (wschema_parse(DDL, strlen(DDL), &st, &e)) die("schema", &e);
    static const WAggCall aggs[] = {{WAGG_SUM, 1, "Clicks", 0}, {WAGG_SUM, 2, "Impressions", 0},
                                    {WAGG_SUM, 3, "Quantity", 0}, {WAGG_SUM, 4, "Total_price", 0}};
    double best = 1e9, best_dec = 1e9, best_agg = 1e9, best_read = 1e9;
    int64_t windows = 0, sum_clicks = 0;
    double sum_price = 0;
    for (int run = 0; run < 3; run++) {
        double t0 = now(), agg = 0;
        Feed feed = {open(path, O_RDONLY), 0};
        if (feed.fd < 0) die("cannot open", NULL);
        WOpts o;
        wopts_init(&o);
        wopts_set(&o, "header", "true");
        WCsvReader *r;
        if (wcsv_reader_open(&st, &o, &r, &e)) die("csv", &e);
        WAggSpec spec;
        memset(&spec, 0, sizeof spec);
        spec.input = &st;
        spec.ts_col = 0;
        wwindow_time(&spec.window, 30000000, 0, 0, &e);
        spec.has_watermark = 1;
        spec.delay_us = 10000000;
        spec.aggs = aggs;
        spec.n_aggs = 4;
        spec.mode = WOUT_APPEND;
        WAggOp *op;
        if (wagg_open(&spec, &op, &e)) die("agg", &e);
        WBatch in, out;
        wbatch_init(&in, &st);
        wbatch_init(&out, wagg_output_schema(op));
        wcsv_begin_stream(r, path, feed_fill, &feed);
        int done = 0;
        int64_t batch = 0;
        windows = sum_clicks = 0;
        sum_price = 0;
        double dec = 0;
        while (!done) {
            wbatch_reset(&in);
            double d0 = now();
            if (wcsv_next(r, &in, 65536, &done, &e)) die("decode", &e);
            dec += now() - d0;
            for (int pass = 0; pass < 2; pass++) {
                double a0 = now();
                if (wagg_process_batch(op, pass ? NULL : &in, batch++, &out, NULL, &e)) die("batch", &e);
                agg += now() - a0;
                for (int64_t i = 0; i < wbatch_rows(&out); i++) {
                    windows++;
                    sum_clicks += wvec_i64(wbatch_col(&out, 1), i);
                    sum_price += wvec_f64(wbatch_col(&out, 4), i);
                }
                if (!wagg_needs_nodata_batch(op)) break;
            }
        }
        if (wagg_flush_all(op, batch, &out, &e)) die("flush", &e);
        for (int64_t i = 0; i < wbatch_rows(&out); i++) {
            windows++;
            sum_clicks += wvec_i64(wbatch_col(&out, 1), i);
            sum_price += wvec_f64(wbatch_col(&out, 4), i);
        }
        double t = now() - t0, read = feed.seconds;
        dec -= read;
        close(feed.fd);
        if (t < best) best = t;
        if (dec < best_dec) best_dec = dec;
        if (agg < best_agg) best_agg = agg;
        if (read < best_read) best_read = read;
        wbatch_fini(&in);
        wbatch_fini(&out);
        wagg_close(op);
        wcsv_reader_close(r);
        wopts_fini(&o);
    }
    printf("weir seed query: %ld rows, %" PRId64 " windows, sum(Clicks) %" PRId64 ", sum(Total_price) %.6f\n",
           rows, windows, sum_clicks, sum_price);
    printf("weir_seconds %.4f (of which: read the file %.4f, CSV decode %.4f, aggregation %.4f)\n", best, best_read,
           best_dec, best_agg);
    wtype_fini(&st);
    return 0;
}

static int groups_query(const char *dir, long rows, long keys) {
    const char *ddl = "datetime TIMESTAMP, k BIGINT, clicks INT, impressions INT, quantity INT, total_price DOUBLE";
    WType st;
    WErr e;
    werr_init(&e);
    if (wschema_parse(ddl, strlen(ddl), &st, &e)) die("schema", &e);
    static const WAggCall aggs[] = {{WAGG_SUM, 2, "Clicks", 0}, {WAGG_SUM, 3, "Impressions", 0},
                                    {WAGG_SUM, 4, "Quantity", 0}, {WAGG_SUM, 5, "Total_price", 0}};
    static const int key_cols[] = {1};
    WAggSpec spec;
    memset(&spec, 0, sizeof spec);
    spec.input = &st;
    spec.ts_col = 0;
    wwindow_time(&spec.window, 3600LL * 1000000, 0, 0, &e); /* one window holds every group */
    spec.has_watermark = 1;
    spec.delay_us = 3600LL * 1000000;
    spec.aggs = aggs;
    spec.n_aggs = 4;
    spec.key_cols = key_cols;
    spec.n_keys = 1;
    spec.mode = WOUT_UPDATE;
    spec.state_dir = dir;
    WAggOp *op;
    if (wagg_open(&spec, &op, &e)) die("agg", &e);
    if (wagg_restore(op, -1, &e)) die("restore", &e);
    WBatch in, out;
    wbatch_init(&in, &st);
    wbatch_init(&out, wagg_output_schema(op));
    int64_t base = 1795500000000000LL, batch = 0;
    const long per = 100000;
    printf("batch rows groups memory_bytes bytes_per_group updated state_write_ms state_bytes\n");
    double t0 = now();
    for (long done = 0; done < rows; done += per) {
        wbatch_reset(&in);
        for (long i = done; i < done + per && i < rows; i++) {
            wbatch_begin_row(&in);
            wvec_append_i64(wbatch_col(&in, 0), base + i);
            wvec_append_i64(wbatch_col(&in, 1), (int64_t)((uint64_t)i * 7919 % (uint64_t)keys)); /* every key by row KEYS */
            wvec_append_i32(wbatch_col(&in, 2), (int32_t)(1 + rnd() % 10));
            wvec_append_i32(wbatch_col(&in, 3), (int32_t)(10 + rnd() % 11));
            wvec_append_i32(wbatch_col(&in, 4), (int32_t)(1 + rnd() % 10));
            wvec_append_f64(wbatch_col(&in, 5), (double)(rnd() % 101) / 10.0);
        }
        if (wagg_process_batch(op, &in, batch, &out, NULL, &e)) die("batch", &e);
        const WAggStats *x = wagg_stats(op);
        printf("%" PRId64 " %lld %" PRId64 " %" PRId64 " %.1f %" PRId64 " %.1f %" PRId64 "%s\n", batch,
               (long long)wbatch_rows(&in), x->num_rows_total, x->memory_used_bytes,
               (double)x->memory_used_bytes / (double)x->num_rows_total, x->num_rows_updated,
               (double)x->state_write_us / 1000.0, x->state_bytes_written, (batch + 1) % 10 == 0 ? " (snapshot)" : "");
        batch++;
    }
    double total = now() - t0;
    /* a small batch against the big state: the delta is small */
    wbatch_reset(&in);
    for (long i = 0; i < 1000; i++) {
        wbatch_begin_row(&in);
        wvec_append_i64(wbatch_col(&in, 0), base + rows + i);
        wvec_append_i64(wbatch_col(&in, 1), i * 997 % keys);
        wvec_append_i32(wbatch_col(&in, 2), 1);
        wvec_append_i32(wbatch_col(&in, 3), 1);
        wvec_append_i32(wbatch_col(&in, 4), 1);
        wvec_append_f64(wbatch_col(&in, 5), 1.5);
    }
    if (wagg_process_batch(op, &in, batch, &out, NULL, &e)) die("batch", &e);
    const WAggStats *x = wagg_stats(op);
    printf("small batch%s: ", (batch + 1) % 10 == 0 ? " (with a snapshot)" : "");
    printf("1000 rows, %" PRId64 " groups changed of %" PRId64 ": state write %.2f ms, %" PRId64 " bytes\n",
           x->num_rows_updated, x->num_rows_total, (double)x->state_write_us / 1000.0, x->state_bytes_written);
    printf("total %.2f s for %ld rows\n", total, rows);
    wbatch_fini(&in);
    wbatch_fini(&out);
    wagg_close(op);
    wtype_fini(&st);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && !strcmp(argv[1], "seed")) return seed_query(argv[2], argc > 3 ? atol(argv[3]) : 2000000);
    if (argc >= 3 && !strcmp(argv[1], "groups"))
        return groups_query(argv[2], argc > 3 ? atol(argv[3]) : 2000000, argc > 4 ? atol(argv[4]) : 1000000);
    fprintf(stderr, "usage: agg_bench seed CSV_PATH [ROWS] | groups STATE_DIR [ROWS] [KEYS]\n");
    return 2;
}
