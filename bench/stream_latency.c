/*
 * stream_latency.c - latency of the streaming runtime, in one process: from a file's rename into the watched
 * folder to its rows being committed (the driver's commits/N written), for the seed's Task_1 query writing
 * CSV through the real csv sink.
 *
 *   stream_latency DIR [RATE_FILES_PER_S [SECONDS [PREFILL_FILES]]]
 *
 * A writer thread drops RATE files per second, 10 records each (temp name, then rename: a finished file
 * lands at once), for SECONDS seconds. Each record carries its file's number in analytics.clicks; a thin
 * wrapper around the csv sink notes which file numbers each batch wrote, and the progress object the driver
 * hands to the run's on_progress, on its own thread right after commits/N, gives the commit instant of
 * every file of batch N. With PREFILL_FILES > 0 the folder first gets that many files, taken by an
 * availableNow run over the same checkpoint, so the measured run starts with a folder of already-taken
 * files (the relisting problem of Spark); a sync() then writes the prefill back before the measured run
 * starts.
 * Prints p50 / p90 / p99 / max in milliseconds (and, for runs of 20 s or more, p50 / p99 by 10-second window
 * of the run), the time of the prefill run, and how many batches ran and how long they took
 * (durationMs.triggerExecution of their progress lines), and what the disk under DIR was asked to do meanwhile:
 * its write, flush and discard requests per batch (/proc/diskstats, the whole machine's, for the device DIR
 * is on), and when in the wall clock's 100 ms period the batches over 4 ms began (on this machine they
 * bunch where bench/stall_probe.c finds the CPUs stopped: bench/RESULTS.md, 2026-12-08, later).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "core/fs.h"
#include "sql/plan.h"
#include "stream/driver.h"
#include "stream/sink.h"

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const WSinkOps *real_ops;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t n_files_total;
static int64_t *t_renamed, *t_committed;
static int32_t **batch_files; /* per batch id, the file numbers it wrote (-1 terminated) */
static int64_t *batch_len, batch_cap;
static int64_t committed_count;
static int32_t file_offset;   /* numbers below this belong to the prefill */
static double *batch_ms;      /* each progress line's durationMs.triggerExecution: how long batches take */
static double *file_batch_ms; /* per file, its batch's triggerExecution: the rest of its latency is the wait
                               * for its batch to begin (the batch before it running, the wake-up) */
static int64_t n_batch_ms, cap_batch_ms;
static int64_t slow_phase[10], n_slow; /* batches over 4 ms, by the 10 ms of the wall clock's 100 ms they began in */

static int b_open(const WSinkConfig *cfg, WSink **out, WErr *err) { return real_ops->open(cfg, out, err); }
static int b_begin(WSink *s, int64_t n, int *skip, WErr *err) { return real_ops->begin(s, n, skip, err); }
static int b_commit(WSink *s, int64_t n, WSinkStats *st, WErr *err) { return real_ops->commit(s, n, st, err); }
static int b_prepare(WSink *s, int64_t n, WErr *err) { return real_ops->prepare(s, n, err); }
static void b_abort(WSink *s, int64_t n) { real_ops->abort(s, n); }
static void b_close(WSink *s) { real_ops->close(s); }

static int b_write(WSink *s, int64_t n, const WBatch *rows, WErr *err) {
    const WVec *clicks = &rows->root.children[1];
    pthread_mutex_lock(&lock);
    if (n >= batch_cap) {
        int64_t cap = (n + 1) * 2;
        batch_files = realloc(batch_files, (size_t)cap * sizeof *batch_files);
        batch_len = realloc(batch_len, (size_t)cap * sizeof *batch_len);
        for (int64_t i = batch_cap; i < cap; i++) batch_files[i] = NULL, batch_len[i] = 0;
        batch_cap = cap;
    }
    int32_t last = -1;
    for (int64_t i = 0; i < rows->root.len; i++) {
        int32_t f = wvec_i32(clicks, i);
        if (f == last) continue;
        last = f;
        if ((batch_len[n] & (batch_len[n] - 1)) == 0)
            batch_files[n] = realloc(batch_files[n], (size_t)(batch_len[n] ? batch_len[n] * 2 : 1) * sizeof(int32_t));
        batch_files[n][batch_len[n]++] = f;
    }
    pthread_mutex_unlock(&lock);
    return real_ops->write(s, n, rows, err);
}

static int b_sync(WSink *s, WErr *err) { return real_ops->sync(s, err); }
static int64_t b_last_batch(const WSink *s) { return real_ops->last_batch(s); }
static int b_record(const WSink *s, int64_t n, const char **t, size_t *l) { return real_ops->record(s, n, t, l); }
static int b_restore(WSink *s, int64_t n, const char *t, size_t l, WErr *err) { return real_ops->restore(s, n, t, l, err); }
static const WSinkOps bench_ops = {"csv",     b_open,  b_begin,   b_write, b_commit,     b_abort,
                                   b_close,   b_prepare, b_sync,  b_last_batch, b_record, b_restore};

/* Each batch's progress object, handed over by the driver's own thread right after commits/N (the
 * run's on_progress): marks the files of its batch committed now. (Until 2026-12-07 the lines went
 * through a pipe to a thread of this program, whose wake-up, up to 3 ms on this machine's shared vCPUs,
 * was counted in every file's latency.) */
static const char *dump_path; /* STREAM_LATENCY_PROGRESS: every progress line kept, written out at the end */
static char *dump_buf;
static size_t dump_len, dump_cap;

static void on_progress(void *user, const char *json, size_t len) {
    (void)user;
    int64_t t = now_ns();
    if (dump_path) {
        if (dump_len + len + 1 > dump_cap) {
            dump_cap = (dump_len + len + 1) * 2;
            dump_buf = realloc(dump_buf, dump_cap);
            if (!dump_buf) exit(1);
        }
        memcpy(dump_buf + dump_len, json, len);
        dump_len += len;
        dump_buf[dump_len++] = '\n';
    }
    char line[4096];
    size_t n_copy = len < sizeof line - 1 ? len : sizeof line - 1; /* the fields looked at come first */
    memcpy(line, json, n_copy);
    line[n_copy] = 0;
    const char *p = strstr(line, "\"batchId\":");
    if (!p) return;
    int64_t n = strtoll(p + 10, NULL, 10);
    const char *te = strstr(line, "\"triggerExecution\":");
    pthread_mutex_lock(&lock);
    if (te && n_batch_ms == cap_batch_ms) {
        cap_batch_ms = cap_batch_ms ? 2 * cap_batch_ms : 4096;
        batch_ms = realloc(batch_ms, (size_t)cap_batch_ms * sizeof *batch_ms);
    }
    if (te) batch_ms[n_batch_ms++] = strtod(te + 19, NULL);
    if (te && batch_ms[n_batch_ms - 1] > 4.0) { /* a slow batch: when in the wall clock's 100 ms it began */
        struct timespec w;
        clock_gettime(CLOCK_REALTIME, &w);
        int64_t began_ms = ((int64_t)w.tv_sec * 1000000000 + w.tv_nsec) / 1000000 - (int64_t)batch_ms[n_batch_ms - 1];
        slow_phase[began_ms % 100 / 10]++;
        n_slow++;
    }
    for (int64_t i = 0; n < batch_cap && i < batch_len[n]; i++) {
        int64_t f = batch_files[n][i] - file_offset;
        if (f >= 0 && f < n_files_total && !t_committed[f]) {
            t_committed[f] = t;
            file_batch_ms[f] = te ? strtod(te + 19, NULL) : 0;
            committed_count++;
        }
    }
    pthread_mutex_unlock(&lock);
}

static void write_file(const char *dir, int64_t id, int renamed_index) {
    char tmp[4200], dst[4200], buf[4096];
    int len = 0;
    for (int r = 0; r < 10; r++)
        len += snprintf(buf + len, sizeof buf - (size_t)len,
                        "{\"datetime\":\"2022-09-06T11:40:%02d.%06d\",\"sales\":{\"quantity\":%d,\"total_price\":%d.9"
                        "000000000000004},\"analytics\":{\"clicks\":%" PRId64 ",\"impressions\":%d}}\n",
                        r, (int)(id % 1000000), r + 1, r, id, 10 + r);
    snprintf(tmp, sizeof tmp, "%s/.f%08" PRId64 ".tmp", dir, id);
    snprintf(dst, sizeof dst, "%s/f%08" PRId64 ".json", dir, id);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, buf, (size_t)len) != len) {
        perror(tmp);
        exit(1);
    }
    close(fd);
    if (rename(tmp, dst) != 0) {
        perror(dst);
        exit(1);
    }
    if (renamed_index >= 0) t_renamed[renamed_index] = now_ns();
}

typedef struct RunArg {
    WScript *s;
    WRunOptions ro;
    WErr err;
    int rc;
} RunArg;

static void *run_thread(void *arg) {
    RunArg *a = arg;
    werr_init(&a->err);
    a->rc = wdriver_run(a->s, &a->ro, &a->err);
    return NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Completed write, flush and discard requests of the device holding dir (/proc/diskstats); 0 when it is
 * not listed there (tmpfs). */
typedef struct DiskCount {
    unsigned long long writes, flushes, discards;
} DiskCount;

static int disk_count(const char *dir, DiskCount *c) {
    memset(c, 0, sizeof *c);
    struct stat st;
    FILE *f = stat(dir, &st) == 0 ? fopen("/proc/diskstats", "r") : NULL;
    if (!f) return 0;
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned maj, min;
        unsigned long long v[17] = {0};
        char name[64];
        int n = sscanf(line, "%u %u %63s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
                       &maj, &min, name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10],
                       &v[11], &v[12], &v[13], &v[14], &v[15], &v[16]);
        if (n < 7 || maj != major(st.st_dev) || min != minor(st.st_dev)) continue;
        c->writes = v[4];
        c->discards = n >= 15 ? v[11] : 0;
        c->flushes = n >= 19 ? v[15] : 0;
        found = 1;
    }
    fclose(f);
    return found;
}

int main(int argc, char **argv) {
    dump_path = getenv("STREAM_LATENCY_PROGRESS"); /* read once: on_progress runs on the measured path */
    if (argc < 2) {
        fprintf(stderr, "usage: stream_latency DIR [RATE [SECONDS [PREFILL]]]\n");
        return 2;
    }
    const char *dir = argv[1];
    int rate = argc > 2 ? atoi(argv[2]) : 1000;
    int seconds = argc > 3 ? atoi(argv[3]) : 10;
    int prefill = argc > 4 ? atoi(argv[4]) : 0;
    char in[4096], sql[16384];
    snprintf(in, sizeof in, "%s/in", dir);
    WErr err;
    werr_init(&err);
    if (wfs_mkdirs(in, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    snprintf(sql, sizeof sql,
             "CREATE TABLE src (analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP,\n"
             "  sales STRUCT<quantity: INT, total_price: DOUBLE>) USING json OPTIONS (path '%s/in');\n"
             "CREATE TABLE dst USING csv OPTIONS (path '%s/out', header true, checkpointLocation '%s/ck');\n"
             "INSERT INTO dst SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,\n"
             "  sales.quantity AS quantity, sales.total_price AS total_price FROM STREAM(src);\n",
             dir, dir, dir);
    WScript *s = NULL;
    if (wsql_compile(sql, strlen(sql), "bench.sql", &s, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    real_ops = wsink_lookup("csv");
    if (!real_ops) {
        fprintf(stderr, "no csv sink\n");
        return 1;
    }
    if (prefill > 0) {
        for (int i = 0; i < prefill; i++) write_file(in, 1000000000 + i, -1);
        WTrigger t = {WTRIG_AVAILABLE_NOW, 0};
        WRunOptions ro;
        memset(&ro, 0, sizeof ro);
        ro.trigger = &t;
        ro.stop_fd = -1;
        ro.sink_lookup = wsink_lookup;
        int64_t t0 = now_ns();
        if (wdriver_run(s, &ro, &err)) {
            fprintf(stderr, "prefill run: %s\n", err.msg);
            return 1;
        }
        printf("prefill: %d files taken by an availableNow run in %.2f s\n", prefill, (now_ns() - t0) / 1e9);
        /* the 100,000 files' own pages and inodes written back now, not by the kernel during the measured run,
         * where that write-back would delay the batches' fsyncs: the figure is about the folder, not the
         * setup's leftover I/O */
        int64_t t1 = now_ns();
        sync();
        printf("prefill written back (sync) in %.2f s\n", (now_ns() - t1) / 1e9);
    }
    n_files_total = (int64_t)rate * seconds;
    t_renamed = calloc((size_t)n_files_total, sizeof *t_renamed);
    t_committed = calloc((size_t)n_files_total, sizeof *t_committed);
    file_batch_ms = calloc((size_t)n_files_total, sizeof *file_batch_ms);
    int spipe[2];
    if (pipe(spipe)) return 1;
    RunArg ra;
    memset(&ra, 0, sizeof ra);
    ra.s = s;
    ra.ro.progress = WPROGRESS_OFF;
    ra.ro.on_progress = on_progress;
    ra.ro.stop_fd = spipe[0];
    ra.ro.sink_ops = &bench_ops;
    pthread_t th_run;
    pthread_create(&th_run, NULL, run_thread, &ra);
    struct timespec pause = {0, 300 * 1000000};
    nanosleep(&pause, NULL); /* let the query start and list the folder */
    DiskCount d0, d1;
    int counted = disk_count(dir, &d0);
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    int64_t period = 1000000000LL / rate;
    for (int64_t i = 0; i < n_files_total; i++) {
        next.tv_nsec += period;
        while (next.tv_nsec >= 1000000000) next.tv_nsec -= 1000000000, next.tv_sec++;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        write_file(in, i, (int)i);
    }
    int64_t deadline = now_ns() + 20000000000LL;
    for (;;) {
        pthread_mutex_lock(&lock);
        int64_t c = committed_count;
        pthread_mutex_unlock(&lock);
        if (c >= n_files_total || now_ns() > deadline) break;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    if (write(spipe[1], "x", 1) != 1) return 1;
    pthread_join(th_run, NULL);
    counted = counted && disk_count(dir, &d1);
    FILE *dump = dump_path ? fopen(dump_path, "w") : NULL;
    if (dump) {
        fwrite(dump_buf, 1, dump_len, dump);
        fclose(dump);
    }
    free(dump_buf);
    if (ra.rc) {
        fprintf(stderr, "run: %s\n", ra.err.msg);
        return 1;
    }
    int64_t *lat = malloc((size_t)n_files_total * sizeof *lat), n = 0;
    for (int64_t i = 0; i < n_files_total; i++)
        if (t_committed[i]) lat[n++] = t_committed[i] - t_renamed[i];
    qsort(lat, (size_t)n, sizeof *lat, cmp64);
    if (n == 0) {
        printf("no file committed\n");
        return 1;
    }
    printf("files: %" PRId64 " written at %d/s, %" PRId64 " committed; latency rename -> commit: p50 %.3f ms, "
           "p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
           n_files_total, rate, n, lat[n / 2] / 1e6, lat[n * 9 / 10] / 1e6, lat[n * 99 / 100] / 1e6, lat[n - 1] / 1e6);
    /* over a long run, the same by 10-second windows of the files' renames: latency that grows with the
     * run (a cost that grows with what the query has done) shows here */
    int64_t per_window = (int64_t)rate * 10;
    if (n_files_total >= 2 * per_window) {
        printf("by 10 s window of the run, p50 / p99 ms:");
        for (int64_t w0 = 0; w0 + per_window <= n_files_total; w0 += per_window) {
            int64_t m = 0;
            for (int64_t i = w0; i < w0 + per_window; i++)
                if (t_committed[i]) lat[m++] = t_committed[i] - t_renamed[i];
            qsort(lat, (size_t)m, sizeof *lat, cmp64);
            if (m) printf(" %.2f/%.1f", lat[m / 2] / 1e6, lat[m * 99 / 100] / 1e6);
        }
        printf("\n");
    }
    double *wait = malloc((size_t)n_files_total * sizeof *wait);
    int64_t nw = 0;
    for (int64_t i = 0; i < n_files_total; i++)
        if (t_committed[i]) wait[nw++] = (double)(t_committed[i] - t_renamed[i]) / 1e6 - file_batch_ms[i];
    qsort(wait, (size_t)nw, sizeof *wait, cmp_double);
    printf("of which waiting for its batch to begin (latency minus its batch's triggerExecution): p50 %.3f ms, "
           "p90 %.3f ms, p99 %.3f ms\n", wait[nw / 2], wait[nw * 9 / 10], wait[nw * 99 / 100]);
    free(wait);
    qsort(batch_ms, (size_t)n_batch_ms, sizeof *batch_ms, cmp_double);
    if (n_batch_ms)
        printf("batches: %" PRId64 ", %.2f files each; duration (triggerExecution) p50 %.3f ms, p90 %.3f ms, p99 %.3f ms\n",
               n_batch_ms, (double)n / (double)n_batch_ms, batch_ms[n_batch_ms / 2], batch_ms[n_batch_ms * 9 / 10],
               batch_ms[n_batch_ms * 99 / 100]);
    if (n_slow) {
        printf("batches over 4 ms: %" PRId64 "; by the 10 ms of the wall clock's 100 ms period they began in:", n_slow);
        for (int i = 0; i < 10; i++) printf(" %" PRId64, slow_phase[i]);
        printf("\n");
    }
    if (n_batch_ms && counted)
        printf("disk requests per batch (/proc/diskstats, the whole machine's): writes %.1f, flushes %.2f, discards "
               "%.2f\n", (double)(d1.writes - d0.writes) / (double)n_batch_ms,
               (double)(d1.flushes - d0.flushes) / (double)n_batch_ms, (double)(d1.discards - d0.discards) / (double)n_batch_ms);
    free(batch_ms);
    wsql_script_free(s);
    return n == n_files_total ? 0 : 1;
}
