/*
 * test_stream_driver.c - the micro-batch driver (stream/driver.h) with real SQL (wsql_compile), the real file
 * source and checkpoint, and a small test sink that keeps its committed batches in a file, so that crashes
 * can be simulated in a child process (fork + _exit at a chosen step) and the restart checked:
 *   - availableNow honours maxFilesPerTrigger; trigger once takes everything in one batch;
 *   - rows are projected and filtered (expected sums worked out by hand from the files written);
 *   - crash after the sink committed batch N but before commits/N: the restart's begin(N) skips, nothing is
 *     written twice, commits/N is written;
 *   - crash while batch N was being written: the restart re-runs N with exactly the same rows;
 *   - a stop request ends a processing-time query; two queries run side by side; checkpoint rules
 *     (checkpointLocation, weir.checkpointRoot, refusal without one); a damaged checkpoint is an error;
 *   - with the real csv sink: a crash of the machine that kept commits/N but lost the sink's manifest entry
 *     of N (whose fsync commit leaves running, sink.h: sync), lost whole or left empty: the restart runs N
 *     again, and the manifest lists every row exactly once.
 */
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/fs.h"
#include "sql/plan.h"
#include "stream/ckpt.h"
#include "stream/driver.h"
#include "stream/manifest.h"
#include "stream/sink.h"

static char root[] = "/tmp/weir-test-driver-XXXXXX";
static int crash_after_commit = -1, crash_in_write = -1;

/* ---- the test sink: "<checkpoint>/testsink" holds one line per committed batch: "N rows sum" */
struct WSink {
    char path[4200];
    int64_t rows, sum;
    int writes_of_skipped; /* write() calls for a batch begin() said to skip */
    int skip;
};

static int t_open(const WSinkConfig *c, WSink **out, WErr *err) {
    (void)err;
    WSink *s = calloc(1, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s/testsink", c->checkpoint_dir);
    *out = s;
    return 0;
}

static int committed_has(const char *path, int64_t n) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    long long b, r, m;
    int found = 0;
    while (fscanf(f, "%lld %lld %lld", &b, &r, &m) == 3)
        if (b == n) found = 1;
    fclose(f);
    return found;
}

static int t_begin(WSink *s, int64_t n, int *skip, WErr *err) {
    (void)err;
    s->rows = s->sum = 0;
    s->skip = *skip = committed_has(s->path, n);
    return 0;
}

static int t_write(WSink *s, int64_t n, const WBatch *b, WErr *err) {
    (void)err;
    if (s->skip) s->writes_of_skipped++;
    if (n == crash_in_write) _exit(9);
    const WVec *v = &b->root.children[0];
    for (int64_t i = 0; i < b->root.len; i++) {
        s->rows++;
        if (!wvec_is_null(v, i)) s->sum += v->type->id == WT_INT ? wvec_i32(v, i) : wvec_i64(v, i);
    }
    return 0;
}

static int t_commit(WSink *s, int64_t n, WSinkStats *st, WErr *err) {
    (void)err;
    FILE *f = fopen(s->path, "a");
    fprintf(f, "%lld %lld %lld\n", (long long)n, (long long)s->rows, (long long)s->sum);
    fflush(f);
    fsync(fileno(f));
    fclose(f);
    st->rows = s->rows;
    st->files = 1;
    st->bytes = 0;
    if (n == crash_after_commit) _exit(9);
    return 0;
}

static void t_abort(WSink *s, int64_t n) { (void)s; (void)n; }
static void t_close(WSink *s) { free(s); }

static const WSinkOps test_ops = {"test", t_open, t_begin, t_write, t_commit, t_abort, t_close, NULL, NULL, NULL, NULL, NULL};
static const WSinkOps *lookup(const char *fmt) { return !strcmp(fmt, "test") ? &test_ops : NULL; }

/* Sums of the committed lines: batches, rows, sum; duplicates (a batch committed twice) counted. */
static void committed(const char *ck, int64_t *batches, int64_t *rows, int64_t *sum, int64_t *dupes) {
    char p[4200];
    snprintf(p, sizeof p, "%s/testsink", ck);
    *batches = *rows = *sum = *dupes = 0;
    FILE *f = fopen(p, "r");
    if (!f) return;
    long long b, r, m, seen[4096] = {0};
    while (fscanf(f, "%lld %lld %lld", &b, &r, &m) == 3) {
        if (b >= 0 && b < 4096 && seen[b]++) (*dupes)++;
        (*batches)++;
        *rows += r;
        *sum += m;
    }
    fclose(f);
}

static int rm_entry(const char *p, const struct stat *sb, int f, struct FTW *w) {
    (void)sb; (void)f; (void)w;
    return remove(p);
}

/* Writes n files of 4 records a = base+1 .. base+4 (JSON Lines), all older than the stability window. */
static void put_files(const char *dir, const char *prefix, int n, int base) {
    WErr err;
    werr_init(&err);
    wfs_mkdirs(dir, &err);
    for (int i = 0; i < n; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s%03d.json", dir, prefix, i);
        FILE *f = fopen(p, "w");
        for (int r = 1; r <= 4; r++) fprintf(f, "{\"a\": %d, \"s\": \"x%d\"}\n", base + i * 4 + r, r);
        fclose(f);
        struct timespec ts[2] = {{time(NULL) - 100 + i, 0}, {time(NULL) - 100 + i, 0}};
        utimensat(AT_FDCWD, p, ts, 0);
    }
}

static WScript *compile(const char *sql) {
    WErr err;
    werr_init(&err);
    WScript *s = NULL;
    int rc = wsql_compile(sql, strlen(sql), "t.sql", &s, &err);
    if (rc) fprintf(stderr, "compile: %s\n", err.msg);
    CHECK_EQ_INT(rc, 0);
    return s;
}

static int run(const char *sql, const char *trigger, WErr *err) {
    WScript *s = compile(sql);
    if (!s) return -1;
    WTrigger t;
    wtrigger_parse(trigger, &t, err);
    WRunOptions ro;
    memset(&ro, 0, sizeof ro);
    ro.trigger = &t;
    ro.stop_fd = -1;
    ro.sink_lookup = lookup;
    int rc = wdriver_run(s, &ro, err);
    wsql_script_free(s);
    return rc;
}

/* Runs in a child that may crash (_exit) at the step chosen; returns its exit status. */
static int run_child(const char *sql, const char *trigger) {
    fflush(NULL);
    pid_t p = fork();
    if (p == 0) {
        WErr err;
        werr_init(&err);
        _exit(run(sql, trigger, &err) ? 1 : 0);
    }
    int st = 0;
    waitpid(p, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *sql_for(const char *in, const char *ck, const char *extra_src, const char *select, const char *where) {
    static char buf[8192];
    snprintf(buf, sizeof buf,
             "CREATE TABLE src (a INT, s STRING) USING json OPTIONS (path '%s'%s);\n"
             "CREATE TABLE dst USING test OPTIONS (checkpointLocation '%s');\n"
             "INSERT INTO dst %s FROM STREAM(src) %s;\n",
             in, extra_src, ck, select, where);
    return buf;
}

/* Rows and sum of the single INT column of the CSV files the manifest of dir lists (no header). */
static void manifest_rows(const char *dir, int64_t *last_batch, int64_t *rows, int64_t *sum) {
    WErr err;
    werr_init(&err);
    WManifest m;
    wmanifest_init(&m);
    CHECK_EQ_INT(wmanifest_read(dir, &m, &err), WEIR_OK);
    *last_batch = m.last_batch;
    *rows = *sum = 0;
    for (int64_t i = 0; i < m.n; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", dir, m.files[i].path);
        FILE *f = fopen(p, "r");
        CHECK(f != NULL);
        long long v;
        while (f && fscanf(f, "%lld", &v) == 1) {
            (*rows)++;
            *sum += v;
        }
        if (f) fclose(f);
    }
    wmanifest_fini(&m);
}

/* The csv sink, killed (_exit) when it is about to commit batch crash_commit_at. */
static WSinkOps crash_ops;
static int64_t crash_commit_at = -1;
static int crash_commit(WSink *s, int64_t n, WSinkStats *st, WErr *err) {
    if (n == crash_commit_at) _exit(7);
    return wsink_lookup("csv")->commit(s, n, st, err);
}
static const WSinkOps *crash_lookup(const char *fmt) { return !strcmp(fmt, "csv") ? &crash_ops : NULL; }

static int run_csv(const char *sql, WErr *err) {
    WScript *s = compile(sql);
    if (!s) return -1;
    WTrigger t;
    wtrigger_parse("availableNow", &t, err);
    WRunOptions ro;
    memset(&ro, 0, sizeof ro);
    ro.trigger = &t;
    ro.stop_fd = -1;
    ro.sink_lookup = crash_commit_at >= 0 ? crash_lookup : wsink_lookup;
    int rc = wdriver_run(s, &ro, err);
    wsql_script_free(s);
    return rc;
}

/* The csv sink's entry of the last committed batch lost in a crash of the machine after commits/N reached
 * the disk (how = 0: the entry gone, as when its name was not yet durable; 1: empty, as when it was made
 * ahead and its fill was lost): the restart runs that batch again; then new files go on from the next
 * batch. how = 2: the crash came after the next batch's plan too (offsets/N+1, which holds the entry's
 * text): the restart writes the entry back as it was and runs N + 1. */
static void lost_record(int how) {
    char in[4200], out[4200], ck[4200], sql[16384], p[4400];
    snprintf(in, sizeof in, "%s/lr_in%d", root, how);
    snprintf(out, sizeof out, "%s/lr_out%d", root, how);
    snprintf(ck, sizeof ck, "%s/lr_ck%d", root, how);
    put_files(in, "r", 8, 0); /* a = 1 .. 32 */
    snprintf(sql, sizeof sql,
             "CREATE TABLE src (a INT, s STRING) USING json OPTIONS (path '%s', maxFilesPerTrigger 2);\n"
             "CREATE TABLE dst USING csv OPTIONS (path '%s', checkpointLocation '%s');\n"
             "INSERT INTO dst SELECT a FROM STREAM(src);\n", in, out, ck);
    WErr err;
    werr_init(&err);
    int64_t last, rows, sum;
    char saved[4096] = "";
    if (how < 2) {
        CHECK_EQ_INT(run_csv(sql, &err), 0);
        manifest_rows(out, &last, &rows, &sum);
        CHECK_EQ_INT(last, 3);
        CHECK_EQ_INT(rows, 32);
        snprintf(p, sizeof p, "%s/_weir_metadata/3", out);
        if (how == 0) CHECK_EQ_INT(unlink(p), 0);
        else CHECK_EQ_INT(truncate(p, 0), 0);
        manifest_rows(out, &last, &rows, &sum);
        CHECK_EQ_INT(last, 2); /* the crash's state: batch 3 committed in the checkpoint, not in the manifest */
        CHECK_EQ_INT(rows, 24);
    } else {
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            crash_ops = *wsink_lookup("csv");
            crash_ops.commit = crash_commit;
            crash_commit_at = 3;
            _exit(run_csv(sql, &err));
        }
        int st = 0;
        CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7);
        snprintf(p, sizeof p, "%s/_weir_metadata/2", out);
        FILE *f = fopen(p, "r");
        CHECK(f != NULL);
        size_t got = f ? fread(saved, 1, sizeof saved - 1, f) : 0;
        saved[got] = 0;
        if (f) fclose(f);
        CHECK(got > 3);
        CHECK_EQ_INT(unlink(p), 0); /* lost with the machine; offsets/3 is durable */
        manifest_rows(out, &last, &rows, &sum);
        CHECK_EQ_INT(last, 1);
        CHECK_EQ_INT(rows, 16);
    }
    werr_clear(&err);
    CHECK_EQ_INT(run_csv(sql, &err), 0);
    if (err.msg[0]) fprintf(stderr, "lost record: %s\n", err.msg);
    manifest_rows(out, &last, &rows, &sum);
    CHECK_EQ_INT(last, 3);
    CHECK_EQ_INT(rows, 32);
    CHECK_EQ_INT(sum, 32 * 33 / 2);
    if (how == 2) { /* written back as it was */
        WBuf t;
        wbuf_init(&t);
        snprintf(p, sizeof p, "%s/_weir_metadata/2", out);
        CHECK_EQ_INT(wfs_read_file(p, &t, NULL, &err), 0);
        CHECK(t.len == strlen(saved) && memcmp(t.data, saved, t.len) == 0);
        wbuf_fini(&t);
    }
    WCkpt *c = NULL;
    CHECK_EQ_INT(wckpt_open(ck, &c, &err), 0);
    if (c) CHECK_EQ_INT(wckpt_last_committed(c), 3);
    wckpt_close(c);
    put_files(in, "t", 2, 100); /* a = 101 .. 108 */
    CHECK_EQ_INT(run_csv(sql, &err), 0);
    manifest_rows(out, &last, &rows, &sum);
    CHECK_EQ_INT(last, 4);
    CHECK_EQ_INT(rows, 40);
    CHECK_EQ_INT(sum, 32 * 33 / 2 + 108 * 109 / 2 - 100 * 101 / 2);
}

int main(void) {
    CHECK(mkdtemp(root) != NULL);
    char in[512], ck[512];
    WErr err;
    werr_init(&err);
    int64_t b, r, sum, d;

    /* availableNow, 12 files of 4 rows, 5 files per trigger: 3 batches; WHERE keeps even a, b = a * 2 */
    snprintf(in, sizeof in, "%s/in1", root);
    snprintf(ck, sizeof ck, "%s/ck1", root);
    put_files(in, "f", 12, 0); /* a = 1 .. 48 */
    CHECK_EQ_INT(run(sql_for(in, ck, ", maxFilesPerTrigger 5", "SELECT a * 2 AS b, upper(s) AS s", "WHERE a % 2 = 0"),
                     "availableNow", &err), 0);
    committed(ck, &b, &r, &sum, &d);
    CHECK_EQ_INT(b, 3);
    CHECK_EQ_INT(r, 24);           /* the 24 even values of 1..48 */
    CHECK_EQ_INT(sum, 2 * 600);    /* 2 * (2 + 4 + ... + 48) */
    WBuf prog;
    wbuf_init(&prog);
    WCkpt *c = NULL;
    CHECK_EQ_INT(wckpt_open(ck, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_committed(c), 2);
    CHECK_EQ_INT(wckpt_read_progress(c, &prog, &err), 0);
    wckpt_close(c);
    /* appended by the query's logger thread (driver.c, log_progress): every batch's line, in order, the
     * last one too once the run has returned */
    const char *line0 = strstr(wbuf_cstr(&prog), "\"batchId\":0,"), *line1 = strstr(wbuf_cstr(&prog), "\"batchId\":1,"),
               *line2 = strstr(wbuf_cstr(&prog), "\"batchId\":2,");
    CHECK(line0 && line1 && line2 && line0 < line1 && line1 < line2);
    int lines = 0;
    for (size_t i = 0; i < prog.len; i++) lines += prog.data[i] == '\n';
    CHECK_EQ_INT(lines, 3);
    CHECK(strstr(wbuf_cstr(&prog), "\"numInputRows\":20,") != NULL); /* 5 files x 4 rows read in batch 0 */
    wbuf_fini(&prog);
    /* a second run finds nothing new and commits nothing */
    CHECK_EQ_INT(run(sql_for(in, ck, ", maxFilesPerTrigger 5", "SELECT a * 2 AS b, upper(s) AS s", "WHERE a % 2 = 0"),
                     "availableNow", &err), 0);
    committed(ck, &b, &r, &sum, &d);
    CHECK_EQ_INT(b, 3);

    /* trigger once: all 12 files in one batch despite the limit */
    snprintf(ck, sizeof ck, "%s/ck2", root);
    CHECK_EQ_INT(run(sql_for(in, ck, ", maxFilesPerTrigger 5", "SELECT a", ""), "once", &err), 0);
    committed(ck, &b, &r, &sum, &d);
    CHECK_EQ_INT(b, 1);
    CHECK_EQ_INT(r, 48);
    CHECK_EQ_INT(sum, 1176);       /* 1 + ... + 48 */

    /* crash after the sink committed batch 1, before commits/1 */
    snprintf(ck, sizeof ck, "%s/ck3", root);
    const char *q3 = sql_for(in, ck, ", maxFilesPerTrigger 4", "SELECT a", "");
    crash_after_commit = 1;
    CHECK_EQ_INT(run_child(q3, "availableNow"), 9);
    crash_after_commit = -1;
    CHECK_EQ_INT(wckpt_open(ck, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(c), 1);
    CHECK_EQ_INT(wckpt_last_committed(c), 0);
    wckpt_close(c);
    CHECK_EQ_INT(run(q3, "availableNow", &err), 0);
    committed(ck, &b, &r, &sum, &d);
    CHECK_EQ_INT(d, 0);            /* begin(1) said skip: batch 1 not written again */
    CHECK_EQ_INT(b, 3);
    CHECK_EQ_INT(r, 48);
    CHECK_EQ_INT(sum, 1176);
    CHECK_EQ_INT(wckpt_open(ck, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_committed(c), 2);
    wckpt_close(c);

    /* crash in the middle of writing batch 1: the re-run writes batch 1 with the same input */
    snprintf(ck, sizeof ck, "%s/ck4", root);
    const char *q4 = sql_for(in, ck, ", maxFilesPerTrigger 4", "SELECT a", "");
    put_files(in, "g", 2, 1000); /* 8 more rows, a = 1001 .. 1008: every file is in the plan before the crash */
    crash_in_write = 1;
    CHECK_EQ_INT(run_child(q4, "availableNow"), 9);
    crash_in_write = -1;
    CHECK_EQ_INT(run(q4, "availableNow", &err), 0);
    committed(ck, &b, &r, &sum, &d);
    CHECK_EQ_INT(d, 0);
    CHECK_EQ_INT(b, 4);            /* 14 files, 4 per trigger */
    CHECK_EQ_INT(r, 56);
    CHECK_EQ_INT(sum, 1176 + 8036); /* + 1001 + ... + 1008 */

    /* a processing-time query stops when asked */
    int pfd[2];
    CHECK_EQ_INT(pipe(pfd), 0);
    CHECK_EQ_INT(write(pfd[1], "x", 1), 1);
    snprintf(ck, sizeof ck, "%s/ck5", root);
    WScript *s = compile(sql_for(in, ck, "", "SELECT a", ""));
    WRunOptions ro;
    memset(&ro, 0, sizeof ro);
    ro.stop_fd = pfd[0];
    ro.sink_lookup = lookup;
    CHECK_EQ_INT(wdriver_run(s, &ro, &err), 0);
    close(pfd[0]);
    close(pfd[1]);
    char dir[4096];
    int tmp = 0;
    /* checkpoint rules */
    CHECK_EQ_INT(wdriver_checkpoint_dir(s, &s->queries[0], dir, sizeof dir, &tmp, &err), 0);
    CHECK_EQ_STR(dir, ck);
    wsql_script_free(s);
    char sql[16384];
    snprintf(sql, sizeof sql, "CREATE TABLE src (a INT) USING json OPTIONS (path '%s');\n"
             "CREATE TABLE out1 USING csv OPTIONS (path '%s/o');\nINSERT INTO out1 SELECT a FROM STREAM(src);\n", in, root);
    s = compile(sql);
    werr_clear(&err);
    CHECK_EQ_INT(wdriver_checkpoint_dir(s, &s->queries[0], dir, sizeof dir, &tmp, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "checkpointLocation") && strstr(err.msg, "weir.checkpointRoot"));
    wsql_script_free(s);
    snprintf(sql, sizeof sql, "SET weir.checkpointRoot = '%s/cr';\n"
             "CREATE TABLE src (a INT) USING json OPTIONS (path '%s');\n"
             "CREATE TABLE t1 USING test OPTIONS (x 1);\nCREATE TABLE t2 USING test OPTIONS (x 2);\n"
             "INSERT INTO t1 SELECT a FROM STREAM(src) WHERE a < 10;\n"
             "INSERT INTO t2 SELECT a FROM STREAM(src) WHERE a >= 10;\n", root, in);
    s = compile(sql);
    werr_clear(&err);
    CHECK_EQ_INT(wdriver_checkpoint_dir(s, &s->queries[1], dir, sizeof dir, &tmp, &err), 0);
    snprintf(ck, sizeof ck, "%s/cr/t2", root);
    CHECK_EQ_STR(dir, ck);
    wsql_script_free(s);
    /* ... and the two queries run side by side, each with its own checkpoint */
    CHECK_EQ_INT(run(sql, "availableNow", &err), 0);
    int64_t b1, r1, s1, b2, r2, s2;
    snprintf(ck, sizeof ck, "%s/cr/t1", root);
    committed(ck, &b1, &r1, &s1, &d);
    snprintf(ck, sizeof ck, "%s/cr/t2", root);
    committed(ck, &b2, &r2, &s2, &d);
    CHECK_EQ_INT(r1, 9);            /* a = 1 .. 9 */
    CHECK_EQ_INT(s1, 45);
    CHECK_EQ_INT(r1 + r2, 56);
    CHECK_EQ_INT(s1 + s2, 1176 + 8036);

    /* event time and watermark: max event time of batch 0 is 11:40:30, delay 10 s -> the next watermark is
     * 11:40:20 = 1662464420000 ms; batch 1 runs with it and reports it */
    snprintf(in, sizeof in, "%s/in_wm", root);
    snprintf(ck, sizeof ck, "%s/ck_wm", root);
    wfs_mkdirs(in, &err);
    const char *texts[2] = {"{\"t\": \"2022-09-06T11:40:00\", \"a\": 1}\n{\"t\": \"2022-09-06T11:40:30\", \"a\": 2}\n",
                            "{\"t\": \"2022-09-06T11:40:05\", \"a\": 3}\n"};
    for (int i = 0; i < 2; i++) {
        char pth[4200];
        snprintf(pth, sizeof pth, "%s/w%d.json", in, i);
        FILE *wf = fopen(pth, "w");
        fputs(texts[i], wf);
        fclose(wf);
        struct timespec ts2[2] = {{time(NULL) - 50 + i, 0}, {time(NULL) - 50 + i, 0}};
        utimensat(AT_FDCWD, pth, ts2, 0);
    }
    snprintf(sql, sizeof sql, "CREATE TABLE src (t TIMESTAMP, a INT) USING json OPTIONS (path '%s', "
             "maxFilesPerTrigger 1);\nCREATE TABLE dst USING test OPTIONS (checkpointLocation '%s');\n"
             "INSERT INTO dst SELECT a FROM STREAM(src) WATERMARK t DELAY OF INTERVAL 10 SECONDS;\n", in, ck);
    CHECK_EQ_INT(run(sql, "availableNow", &err), 0);
    CHECK_EQ_INT(wckpt_open(ck, &c, &err), 0);
    int64_t wm = 0;
    CHECK_EQ_INT(wckpt_read_commit(c, 0, &wm, &err), 0);
    CHECK_EQ_INT(wm, 1662464420000);
    CHECK_EQ_INT(wckpt_read_commit(c, 1, &wm, &err), 0);
    CHECK_EQ_INT(wm, 1662464420000);  /* 11:40:05 does not move it back */
    WOffsetsEntry oe;
    wckpt_offsets_init(&oe);
    CHECK_EQ_INT(wckpt_read_offsets(c, 1, &oe, &err), 0);
    CHECK_EQ_INT(oe.watermark_ms, 1662464420000);
    wckpt_offsets_fini(&oe);
    wbuf_init(&prog);
    CHECK_EQ_INT(wckpt_read_progress(c, &prog, &err), 0);
    CHECK(strstr(wbuf_cstr(&prog), "\"eventTime\":{\"avg\":\"2022-09-06T11:40:15.000Z\",\"max\":\"2022-09-06T11:40:30.000Z\","
                 "\"min\":\"2022-09-06T11:40:00.000Z\",\"watermark\":\"1970-01-01T00:00:00.000Z\"}") != NULL);
    CHECK(strstr(wbuf_cstr(&prog), "\"watermark\":\"2022-09-06T11:40:20.000Z\"") != NULL);
    wbuf_fini(&prog);
    wckpt_close(c);

    /* retention follows spark.sql.streaming.minBatchesToRetain: 14 one-file batches keeping 5 + 1 entries */
    snprintf(ck, sizeof ck, "%s/ck_ret", root);
    snprintf(in, sizeof in, "%s/in1", root);
    snprintf(sql, sizeof sql, "SET spark.sql.streaming.minBatchesToRetain = 5;\n%s",
             sql_for(in, ck, ", maxFilesPerTrigger 1", "SELECT a", ""));
    CHECK_EQ_INT(run(sql, "availableNow", &err), 0);
    CHECK_EQ_INT(wckpt_open(ck, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_committed(c), 13);
    CHECK_EQ_INT(wckpt_oldest_retained(c), 8);
    wckpt_close(c);

    /* fewer batches to retain than a segment of the source's log spans (10): offsets/K stays until a durable
     * segment holds K's files, and a restart finds every taken file (it once reported a damaged checkpoint:
     * batches 10 .. 12 were in neither); the files taken are not taken again */
    snprintf(ck, sizeof ck, "%s/ck_ret1", root);
    snprintf(in, sizeof in, "%s/in_ret1", root);
    put_files(in, "r", 14, 0);
    snprintf(sql, sizeof sql, "SET spark.sql.streaming.minBatchesToRetain = 1;\n%s",
             sql_for(in, ck, ", maxFilesPerTrigger 1", "SELECT a", ""));
    CHECK_EQ_INT(run(sql, "availableNow", &err), 0);
    CHECK_EQ_INT(wckpt_open(ck, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_committed(c), 13);
    CHECK_EQ_INT(wckpt_oldest_retained(c), 10); /* batches 0 .. 9 are in the segment written at batch 9 */
    wckpt_close(c);
    put_files(in, "s", 3, 1000);
    werr_clear(&err);
    CHECK_EQ_INT(run(sql, "availableNow", &err), 0);
    if (err.msg[0]) fprintf(stderr, "restart: %s\n", err.msg);
    int64_t k_b, k_r, k_s, k_d;
    committed(ck, &k_b, &k_r, &k_s, &k_d);
    CHECK_EQ_INT(k_b, 17);
    CHECK_EQ_INT(k_r, 17 * 4);
    CHECK_EQ_INT(k_d, 0);
    CHECK_EQ_INT(k_s, 56 * 57 / 2 + 3 * 4000 + 12 * 13 / 2); /* a = 1 .. 56, then 1000 + 1 .. 12 */

    /* commits/N is not fsynced: a machine crash may leave the last one torn. The batch then runs again and
     * the sink, which committed it, skips it: its output is there once */
    snprintf(ck, sizeof ck, "%s/ck1", root);
    char p[4200], sinkf[4200];
    snprintf(p, sizeof p, "%s/commits/2", ck);
    snprintf(sinkf, sizeof sinkf, "%s/testsink", ck);
    CHECK(committed_has(sinkf, 2));
    FILE *f = fopen(p, "w");
    fputs("v1\n{\"nextBatchWat", f);
    fclose(f);
    werr_clear(&err);
    CHECK_EQ_INT(run(sql_for(in, ck, "", "SELECT a", ""), "availableNow", &err), 0);
    CHECK_EQ_INT(wckpt_open(ck, &c, &err), 0);
    CHECK(wckpt_last_committed(c) >= 2); /* 2 again, then the files of in1 */
    wckpt_close(c);
    int twice = 0;
    f = fopen(sinkf, "r");
    long long bb, rr, mm;
    while (f && fscanf(f, "%lld %lld %lld", &bb, &rr, &mm) == 3) twice += bb == 2;
    if (f) fclose(f);
    CHECK_EQ_INT(twice, 1);
    /* a damaged offsets entry (those are fsynced) fails the run with the file's name */
    snprintf(p, sizeof p, "%s/offsets/2", ck);
    f = fopen(p, "w");
    fputs("v1\n{\"batchWatermarkMs\":0,\"batchTimes", f);
    fclose(f);
    werr_clear(&err);
    CHECK_EQ_INT(run(sql_for(in, ck, "", "SELECT a", ""), "availableNow", &err), WEIR_CORRUPT);
    CHECK(strstr(err.msg, "offsets/2") != NULL);

    lost_record(0);
    lost_record(1);
    lost_record(2);

    nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return check_summary();
}
