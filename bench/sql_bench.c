/*
 * sql_bench.c ROWS - the SQL projection/filter operator (exec/project.h) alone: ROWS seed-like records
 * (nested analytics/sales structs, a timestamp, a short string) in memory, each query compiled with
 * wsql_compile and run over batches of 65536 rows into an output batch, best of 3 runs. Prints one JSON
 * line per query; bench/sql_bench.sh runs the same queries in DuckDB in the same run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/vec.h"
#include "exec/project.h"
#include "sql/plan.h"

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *const QUERIES[][2] = {
    {"flatten", "SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions, "
                "sales.quantity AS quantity, sales.total_price AS total_price FROM STREAM(t)"},
    {"filter_arith", "SELECT datetime, analytics.clicks * 2 + analytics.impressions AS score FROM STREAM(t) "
                     "WHERE sales.quantity > 3 AND sales.total_price < 5.0"},
    {"string_time", "SELECT hour(datetime) AS h, date_trunc('minute', datetime) AS m, upper(tag) AS u "
                    "FROM STREAM(t) WHERE tag LIKE '%7%'"},
};

int main(int argc, char **argv) {
    int64_t rows = argc > 1 ? atoll(argv[1]) : 2000000;
    const int64_t batch_rows = 65536;
    for (size_t q = 0; q < sizeof QUERIES / sizeof QUERIES[0]; q++) {
        char sc[2048];
        snprintf(sc, sizeof sc,
                 "CREATE TABLE t (analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP, "
                 "sales STRUCT<quantity: INT, total_price: DOUBLE>, tag STRING) USING json;\n%s;",
                 QUERIES[q][1]);
        WScript *s = NULL;
        WErr err;
        werr_init(&err);
        if (wsql_compile(sc, strlen(sc), "bench.sql", &s, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        const WBoundSelect *sel = s->queries[0].select;
        int64_t n_batches = (rows + batch_rows - 1) / batch_rows;
        WBatch *in = calloc((size_t)n_batches, sizeof *in);
        if (!in) return 1;
        /* the same formulas as bench/sql_bench.mjs */
        for (int64_t b = 0; b < n_batches; b++) {
            wbatch_init(&in[b], &s->tables[0].schema);
            for (int64_t i = b * batch_rows; i < rows && i < (b + 1) * batch_rows; i++) {
                wbatch_begin_row(&in[b]);
                WVec *a = wbatch_col(&in[b], 0), *sa = wbatch_col(&in[b], 2);
                wvec_append_struct(a);
                wvec_append_i32(&a->children[0], (int32_t)(i % 10 + 1));
                wvec_append_i32(&a->children[1], (int32_t)(i % 11 + 10));
                wvec_append_i64(wbatch_col(&in[b], 1), 1662464400000000LL + i * 500000);
                wvec_append_struct(sa);
                wvec_append_i32(&sa->children[0], (int32_t)(i % 10 + 1));
                wvec_append_f64(&sa->children[1], (double)(i % 100) / 10.0);
                char tag[32];
                int tn = snprintf(tag, sizeof tag, "user%d", (int)(i % 1000));
                wvec_append_str(wbatch_col(&in[b], 3), tag, (size_t)tn);
            }
        }
        WBatch out;
        wbatch_init(&out, &sel->out_schema);
        WProject *p = NULL;
        if (wproject_open(sel, s->time_zone, &p, &err)) return 1;
        double best = 1e9;
        int64_t out_rows = 0;
        for (int run = 0; run < 3; run++) {
            out_rows = 0;
            double t0 = now_s();
            for (int64_t b = 0; b < n_batches; b++) {
                wbatch_reset(&out);
                if (wproject_run(p, &in[b], &out, &err)) {
                    fprintf(stderr, "%s\n", err.msg);
                    return 1;
                }
                out_rows += wbatch_rows(&out);
            }
            double t = now_s() - t0;
            if (t < best) best = t;
        }
        printf("{\"query\": \"%s\", \"rows\": %lld, \"out_rows\": %lld, \"weir_s\": %.4f}\n", QUERIES[q][0],
               (long long)rows, (long long)out_rows, best);
        wproject_close(p);
        wbatch_fini(&out);
        for (int64_t b = 0; b < n_batches; b++) wbatch_fini(&in[b]);
        free(in);
        wsql_script_free(s);
    }
    return 0;
}
