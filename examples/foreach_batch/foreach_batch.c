/*
 * foreach_batch.c - the seed's Task_2 as a C program on the public library (weir.h): read the click-stream
 * CSV folder Task_1 writes as a stream and hand each micro-batch to a foreachBatch writer that appends it
 * to a Parquet folder, exactly once through any crash.
 *
 *   cc foreach_batch.c $(pkg-config --cflags --libs weir) -o foreach_batch
 *   ./foreach_batch CSV_DIR PARQUET_DIR CHECKPOINT_DIR [TRIGGER]     (TRIGGER: availableNow, once, 1 second)
 *
 * It runs until Ctrl-C / SIGTERM (or, with availableNow / once, until the input present at start is done).
 *
 * The query is the seed's Task_2: sums per 30-second window of event time, with a 10-second watermark,
 * in append mode, so each window is delivered once, in the batch where the watermark passes its end.
 *
 * Exactly once: the writer skips empty batches and writes batch N to PARQUET_DIR/part-<N>.parquet.
 * weir_batch_write writes under a temporary '.'-name and renames, so the file appears whole or not at all,
 * and a batch delivered again after a crash (it had not been committed) replaces its own file with the
 * same rows: each window ends up in the folder exactly once.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <weir.h>

#define TABLE                                                                                     \
    "CREATE TABLE clicks_csv (datetime TIMESTAMP, clicks INT, impressions INT, quantity INT,"     \
    " total_price DOUBLE) USING csv OPTIONS (path '%s', header true, maxFilesPerTrigger 5)"

#define QUERY                                                                              \
    "SELECT sum(clicks) AS Clicks, sum(impressions) AS Impressions, sum(quantity) AS Quantity,"  \
    " sum(total_price) AS Total_price, window.start AS Start, window.end AS `End`"               \
    " FROM STREAM(clicks_csv) WATERMARK datetime DELAY OF INTERVAL 10 SECONDS"                     \
    " GROUP BY window(datetime, '30 seconds')"

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

/* The foreachBatch writer: one Parquet file per non-empty batch, named from the batch id. */
static int write_batch(const weir_batch *batch, int64_t batch_id, void *user) {
    const char *out_dir = user;
    if (weir_batch_num_rows(batch) == 0) return 0; /* weir does not call for empty batches; be explicit */
    char path[4096];
    snprintf(path, sizeof path, "%s/part-%08lld.parquet", out_dir, (long long)batch_id);
    char *msg = NULL;
    int rc = weir_batch_write(batch, path, "parquet", NULL, &msg);
    if (rc) {
        fprintf(stderr, "foreach_batch: batch %lld: %s\n", (long long)batch_id, msg);
        weir_free(msg);
    }
    return rc; /* non-zero: the batch is not committed and comes again after a restart */
}

int main(int argc, char **argv) {
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: %s CSV_DIR PARQUET_DIR CHECKPOINT_DIR [TRIGGER]\n", argv[0]);
        return 2;
    }
    const char *in = argv[1], *out = argv[2], *ckpt = argv[3], *trigger = argc == 5 ? argv[4] : "0";
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    const char *engine_opts[] = {"timeZone", "UTC", NULL};
    weir_engine *e = NULL;
    char *msg = NULL;
    if (weir_engine_open(engine_opts, &e, &msg) != WEIR_OK) {
        fprintf(stderr, "foreach_batch: %s\n", msg);
        weir_free(msg);
        return 1;
    }
    char table[8192];
    snprintf(table, sizeof table, TABLE, in);
    if (weir_engine_exec(e, table) != WEIR_OK) {
        fprintf(stderr, "foreach_batch: %s\n", weir_engine_errmsg(e));
        weir_engine_close(e);
        return 1;
    }
    const char *query_opts[] = {"queryName", "task2", "checkpointLocation", ckpt, "trigger", trigger, NULL};
    weir_query *q = NULL;
    if (weir_query_start(e, QUERY, query_opts, write_batch, (void *)out, &q) != WEIR_OK) {
        fprintf(stderr, "foreach_batch: %s\n", weir_engine_errmsg(e));
        weir_engine_close(e);
        return 1;
    }
    weir_engine_close(e); /* the query keeps what it needs */
    weir_query_state st;
    while ((st = weir_query_wait(q, 200)) == WEIR_QUERY_RUNNING)
        if (stop_signal) weir_query_stop(q);
    int rc = 0;
    if (st == WEIR_QUERY_FAILED) {
        fprintf(stderr, "foreach_batch: %s\n", weir_query_errmsg(q));
        rc = 1;
    }
    weir_query_free(q);
    return rc;
}
