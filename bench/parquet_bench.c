/*
 * parquet_bench.c - weir's Parquet writer and reader on the seed's flattened schema
 * (datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE).
 *
 * usage: parquet_bench [-w] OUT_DIR ROWS CODEC[:LEVEL]...   prints one JSON line per codec:
 *   {"codec":..,"rows":..,"write_s":..,"write_cpu_s":..,"sync_s":..,"bytes":..,"read_s":..}
 * write_s is wall time, write_cpu_s the process's CPU time (user + system) over the same calls: on a
 * shared machine the CPU time is the steadier figure. The writer is not durable while timed (DuckDB's
 * COPY does not fsync); sync_s is the time to then fsync the file and its folder, which a durable
 * close adds. -w: write only (for profiling).
 * Rows are generated as the seed's generator does (clicks 1..10, impressions 10..20, quantity 1..10,
 * total_price = round(random(), 2) * 10, datetimes a few hundred ms apart) in batches of 65536 rows;
 * only wpq_writer_* calls are timed (generation is not). Reading times wpq_reader_next over the whole
 * file in batches of 65536 rows. bench/parquet_bench.sh runs it beside DuckDB.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "core/opts.h"
#include "core/schema.h"
#include "core/vec.h"
#include "formats/parquet.h"
#include "weir.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double clock_s(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu_now(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

int main(int argc, char **argv) {
    int write_only = argc > 1 && !strcmp(argv[1], "-w");
    if (write_only) argv++, argc--;
    if (argc < 4) {
        fprintf(stderr, "usage: parquet_bench [-w] OUT_DIR ROWS CODEC...\n");
        return 2;
    }
    const char *dir = argv[1];
    int64_t rows = atoll(argv[2]);
    const char *ddl = "datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE";
    WType schema;
    WErr err;
    werr_init(&err);
    if (wschema_parse(ddl, strlen(ddl), &schema, &err)) return 1;
    for (int ci = 3; ci < argc; ci++) {
        /* CODEC or CODEC:LEVEL (compressionLevel; the file is then weir_CODEC-LEVEL.parquet) */
        char codec[64], path[1024];
        snprintf(codec, sizeof codec, "%s", argv[ci]);
        char *colon = strchr(codec, ':');
        WOpts o;
        wopts_init(&o);
        if (colon) {
            *colon = 0;
            wopts_set(&o, "compressionLevel", colon + 1);
            snprintf(path, sizeof path, "%s/weir_%s-%s.parquet", dir, codec, colon + 1);
        } else snprintf(path, sizeof path, "%s/weir_%s.parquet", dir, codec);
        wopts_set(&o, "compression", codec);
        WPqWriter *w = NULL;
        if (wpq_writer_open(path, &schema, &o, &w, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        wpq_writer_set_durable(w, 0);
        rng = 88172645463325252ull;
        WBatch b;
        wbatch_init(&b, &schema);
        int64_t ts = 1662464400000000ll; /* 2022-09-06T11:40:00Z */
        double spent = 0, cpu = 0;
        for (int64_t done = 0; done < rows;) {
            wbatch_reset(&b);
            int64_t n = rows - done < 65536 ? rows - done : 65536;
            for (int64_t i = 0; i < n; i++) {
                wbatch_begin_row(&b);
                ts += (int64_t)(rnd() % 400000);
                wvec_append_i64(wbatch_col(&b, 0), ts);
                wvec_append_i32(wbatch_col(&b, 1), 1 + (int32_t)(rnd() % 10));
                wvec_append_i32(wbatch_col(&b, 2), 10 + (int32_t)(rnd() % 11));
                wvec_append_i32(wbatch_col(&b, 3), 1 + (int32_t)(rnd() % 10));
                double r = (double)(rnd() >> 11) / 9007199254740992.0;
                wvec_append_f64(wbatch_col(&b, 4), round(r * 100) / 100 * 10);
            }
            double t0 = now(), c0 = cpu_now();
            if (wpq_writer_write_batch(w, &b, &err)) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
            spent += now() - t0;
            cpu += cpu_now() - c0;
            done += n;
        }
        double t0 = now(), c0 = cpu_now();
        if (wpq_writer_close(w, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        spent += now() - t0;
        cpu += cpu_now() - c0;
        wbatch_fini(&b);
        wopts_fini(&o);
        t0 = now();
        int fd = open(path, O_RDONLY), dfd = open(dir, O_RDONLY | O_DIRECTORY);
        if (fd < 0 || dfd < 0 || fsync(fd) || fsync(dfd)) {
            perror(path);
            return 1;
        }
        close(fd);
        close(dfd);
        double sync_s = now() - t0;
        struct stat st;
        stat(path, &st);
        if (write_only) {
            printf("{\"codec\":\"%s\",\"rows\":%lld,\"write_s\":%.3f,\"write_cpu_s\":%.3f,\"sync_s\":%.3f,\"bytes\":%lld}\n",
                   argv[ci], (long long)rows, spent, cpu, sync_s, (long long)st.st_size);
            continue;
        }
        /* read back */
        t0 = now();
        WPqReader *r = NULL;
        if (wpq_reader_open(path, &r, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        WBatch rb;
        wbatch_init(&rb, wpq_reader_schema(r));
        int64_t got = 0, total = 0;
        while (wpq_reader_next(r, &rb, 65536, &got, &err) == WEIR_OK && got > 0) total += got;
        double read_s = now() - t0;
        if (err.code || total != rows) {
            fprintf(stderr, "read back %lld rows: %s\n", (long long)total, err.msg);
            return 1;
        }
        wbatch_fini(&rb);
        wpq_reader_close(r);
        printf("{\"codec\":\"%s\",\"rows\":%lld,\"write_s\":%.3f,\"write_cpu_s\":%.3f,\"sync_s\":%.3f,\"bytes\":%lld,"
               "\"read_s\":%.3f}\n",
               argv[ci], (long long)rows, spent, cpu, sync_s, (long long)st.st_size, read_s);
        fflush(stdout);
    }
    wtype_fini(&schema);
    return 0;
}
