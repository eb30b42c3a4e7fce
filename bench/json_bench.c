/*
 * json_bench.c - decoding speed of the JSON reader on the seed's records (make bench-json).
 *
 * Builds N records (default 2,000,000) like the seed generator's, with varying values, in memory, both as
 * JSON Lines and as arrays of 10,000 records (the seed's file layout, one array per "file"), then decodes
 * them with the seed's schema in batches of 65,536 rows (the batch reset between calls, as a stream does)
 * and prints MB/s and records/s, best of 3 runs. Single thread. Usage: json_bench [N]
 * `json_bench FILE` instead times mapping FILE (mmap) plus decoding it, for comparison with
 * a reader that starts from a file (DuckDB's read_json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/json.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *DDL =
    "analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP, sales STRUCT<quantity INT, total_price DOUBLE>";

static int record(char *p, long i) {
    unsigned h = (unsigned)i * 2654435761u;
    int q = (int)(h % 10) + 1, c = (int)((h >> 8) % 10) + 1, im = (int)((h >> 16) % 11) + 10;
    long s = 1662464400L + i / 2;
    int hh = (int)(s / 3600 % 24), mm = (int)(s / 60 % 60), ss = (int)(s % 60);
    static const char *prices[] = {"3.9000000000000004", "5.1", "0.7000000000000001", "9.4", "2.0", "6.3"};
    return sprintf(p,
                   "{\"datetime\": \"2022-09-%02dT%02d:%02d:%02d.%06ld\", \"sales\": {\"quantity\": %d, \"total_price\": "
                   "%s}, \"analytics\": {\"clicks\": %d, \"impressions\": %d}}",
                   6 + (int)(i / 86400 % 20), hh, mm, ss, (i * 7919) % 1000000, q, prices[h % 6], c, im);
}

static double run(const WType *schema, const char *buf, size_t len, long per_file, long *rows_out, long *bad) {
    WErr err;
    werr_init(&err);
    WJsonReader *r;
    if (wjson_reader_open(schema, NULL, &r, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    WBatch b;
    wbatch_init(&b, schema);
    long rows = 0;
    double t0 = now();
    /* per_file == 0: one JSON Lines buffer; else arrays separated by '\n' each are a "file" */
    const char *p = buf, *e = buf + len;
    while (p < e) {
        const char *fe = per_file ? memchr(p, '\n', (size_t)(e - p)) : e;
        if (!fe) fe = e;
        wjson_begin(r, "bench", p, (size_t)(fe - p));
        int done = 0;
        while (!done) {
            if (wjson_next(r, &b, 65536, &done, &err)) {
                fprintf(stderr, "%s\n", err.msg);
                exit(1);
            }
            rows += wbatch_rows(&b);
            wbatch_reset(&b);
        }
        p = fe + (fe < e);
    }
    double t = now() - t0;
    *rows_out = rows;
    *bad = (long)wjson_reader_bad_records(r);
    wbatch_fini(&b);
    wjson_reader_close(r);
    return t;
}

static int from_file(const WType *schema, const char *path) {
    double best = 1e9;
    long rows = 0, bad = 0;
    size_t len = 0;
    for (int k = 0; k < 3; k++) {
        double t0 = now();
        int fd = open(path, O_RDONLY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st)) {
            perror(path);
            return 1;
        }
        len = (size_t)st.st_size;
        /* mapped, as a file source would: no copy, no zeroed pages */
        char *buf = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : NULL;
        close(fd);
        if (buf == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        run(schema, buf, len, 0, &rows, &bad);
        double t = now() - t0;
        if (len) munmap(buf, len);
        if (t < best) best = t;
    }
    printf("%s: %ld records, %.1f MB: mmap + decode %.3f s, %.1f MB/s, %.2f M records/s (bad records: %ld)\n", path,
           rows, len / 1e6, best, len / 1e6 / best, rows / 1e6 / best, bad);
    return 0;
}

int main(int argc, char **argv) {
    WType schema;
    WErr err;
    werr_init(&err);
    if (wschema_parse(DDL, strlen(DDL), &schema, &err)) return 1;
    if (argc > 1 && (argv[1][0] < '0' || argv[1][0] > '9')) {
        int rc = from_file(&schema, argv[1]);
        wtype_fini(&schema);
        return rc;
    }
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    size_t cap = (size_t)n * 200 + 1024;
    char *lines = malloc(cap), *arrays = malloc(cap);
    size_t ll = 0, al = 0;
    for (long i = 0; i < n; i++) {
        ll += (size_t)record(lines + ll, i);
        lines[ll++] = '\n';
        arrays[al++] = i % 10000 == 0 ? '[' : ',';
        if (i % 10000) arrays[al++] = ' ';
        al += (size_t)record(arrays + al, i);
        if (i % 10000 == 9999 || i == n - 1) arrays[al++] = ']', arrays[al++] = '\n';
    }
    struct { const char *name; const char *buf; size_t len; long per_file; } sets[] = {
        {"JSON Lines", lines, ll, 0}, {"arrays of 10000", arrays, al, 10000}};
    for (int s = 0; s < 2; s++) {
        double best = 1e9;
        long rows = 0, bad = 0;
        for (int k = 0; k < 3; k++) {
            double t = run(&schema, sets[s].buf, sets[s].len, sets[s].per_file, &rows, &bad);
            if (t < best) best = t;
        }
        printf("%-16s %ld records, %.1f MB: %.3f s, %.1f MB/s, %.2f M records/s (bad records: %ld)\n", sets[s].name,
               rows, sets[s].len / 1e6, best, sets[s].len / 1e6 / best, rows / 1e6 / best, bad);
    }
    free(lines);
    free(arrays);
    wtype_fini(&schema);
    return 0;
}
