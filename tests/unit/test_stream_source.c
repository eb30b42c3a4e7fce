/*
 * test_stream_source.c - the streaming file source (stream/source_file.h) on real folders: each file taken
 * once across restarts, hidden names and glob filters, per-trigger limits and ordering, the re-run of a
 * planned batch with exactly its files, log compaction, discovery by inotify, growing JSON Lines files read
 * by byte ranges, names forgotten past maxFileAge, and bad input (malformed records, deleted and unreadable files) dead-lettered.
 * Expected values are computed by hand from the files the test writes.
 */
#include <dirent.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/fs.h"
#include "core/schema.h"
#include "stream/ckpt.h"
#include "stream/manifest.h"
#include "stream/source_file.h"

static char root[] = "/tmp/weir-test-src-XXXXXX";
static char in_dir[600], ck_dir[600], log_dir[600], bad_dir[600];
static WType schema;
static WCkpt *ck;

static int rm_entry(const char *p, const struct stat *sb, int f, struct FTW *w) {
    (void)sb; (void)f; (void)w;
    return remove(p);
}

/* Writes a JSON Lines file of records a = from..to-1 with an mtime `age_s` seconds in the past. */
static void put_records(const char *name, int from, int to, int age_s) {
    char path[800];
    snprintf(path, sizeof path, "%s/%s", in_dir, name);
    FILE *f = fopen(path, "w");
    for (int i = from; i < to; i++) fprintf(f, "{\"a\": %d, \"s\": \"r%d\"}\n", i, i);
    fclose(f);
    struct timeval tv[2];
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= age_s;
    tv[1] = tv[0];
    utimes(path, tv);
}

static void put_text(const char *name, const char *text, int age_s) {
    char path[800];
    snprintf(path, sizeof path, "%s/%s", in_dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    struct timeval tv[2];
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= age_s;
    tv[1] = tv[0];
    utimes(path, tv);
}

typedef struct Sum {
    int64_t rows, sum, nulls;
} Sum;

static int add_rows(void *user, const WBatch *b, WErr *err) {
    (void)err;
    Sum *s = user;
    const WVec *a = &b->root.children[0];
    for (int64_t i = 0; i < b->root.len; i++) {
        s->rows++;
        if (wvec_is_null(a, i)) s->nulls++;
        else s->sum += wvec_i32(a, i);
    }
    return 0;
}

/* (Re)opens the checkpoint, as a restart does, then the source over folder dir. */
static WFileSource *open_src_in(const char *dir, WOpts *o) {
    WFileSourceConfig cfg = {dir, "json", o, &schema, "UTC", "q"};
    WErr err;
    werr_init(&err);
    wckpt_close(ck);
    ck = NULL;
    CHECK_EQ_INT(wckpt_open(ck_dir, &ck, &err), 0);
    WFileSource *s = NULL;
    int rc = wsrc_open(&cfg, ck, &s, &err);
    if (rc) fprintf(stderr, "open: %s\n", err.msg);
    CHECK_EQ_INT(rc, 0);
    return s;
}

static WFileSource *open_src(WOpts *o) { return open_src_in(in_dir, o); }

/* Plans batch n and makes its plan durable in offsets/n, as the driver does; returns the number of files. */
static int plan_batch(WFileSource *s, int64_t n, int no_limits) {
    WErr err;
    werr_init(&err);
    int nf = 0;
    WOffsetsEntry e;
    wckpt_offsets_init(&e);
    CHECK_EQ_INT(wsrc_plan(s, n, no_limits, &nf, &e.files, &err), 0);
    if (nf) {
        e.batch_id = n;
        e.log_offset = n;
        CHECK_EQ_INT(wckpt_write_offsets(ck, &e, &err), 0);
    }
    wckpt_offsets_fini(&e);
    return nf;
}

/* Plans, reads and commits one batch (with retention, as the driver); returns the number of files. The
 * segment a commit starts is waited for, so that which batches the segments hold does not depend on how
 * fast the disk is (a commit that finds the last segment still being written leaves its entries to a
 * later one, which the tests' counts of segments would see). */
static int run_batch(WFileSource *s, int64_t n, int no_limits, Sum *sum, WSrcBatchStats *st) {
    WErr err;
    werr_init(&err);
    int nf = plan_batch(s, n, no_limits);
    if (!nf) return 0;
    WSrcBatchStats st0;
    CHECK_EQ_INT(wsrc_read_batch(s, n, add_rows, sum, st ? st : &st0, &err), 0);
    CHECK_EQ_INT(wckpt_write_commit(ck, n, 0, &err), 0);
    CHECK_EQ_INT(wsrc_after_commit(s, n, &err), 0);
    CHECK_EQ_INT(wsrc_log_wait(s), 0);
    CHECK_EQ_INT(wckpt_purge(ck, n, WCKPT_MIN_BATCHES_TO_RETAIN, &err), 0);
    return nf;
}

static void fresh_checkpoint(void) {
    wckpt_close(ck);
    ck = NULL;
    nftw(ck_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_once_and_restart(void) {
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "maxFilesPerTrigger", "2");
    put_records("f1.json", 0, 10, 30);   /* oldest */
    put_records("f2.json", 10, 20, 20);
    put_records("f3.json", 20, 30, 10);
    put_records(".hidden.json", 100, 110, 30);
    put_records("_temp.json", 200, 210, 30);
    WFileSource *s = open_src(&o);
    CHECK_EQ_INT(wsrc_ready(s), 3);
    Sum sum = {0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 0, 0, &sum, NULL), 2); /* the two oldest, maxFilesPerTrigger 2 */
    CHECK_EQ_INT(sum.rows, 20);
    CHECK_EQ_INT(sum.sum, 190);                       /* 0 + ... + 19 */
    const WSrcFile *files;
    int n;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wsrc_batch_files(s, 0, &files, &n, &err), 0);
    CHECK(n == 2 && !strcmp(files[0].name, "f1.json") && !strcmp(files[1].name, "f2.json"));
    /* batch 1 planned and logged, then a crash before it ran */
    CHECK_EQ_INT(plan_batch(s, 1, 0), 1);
    wsrc_close(s);
    put_records("f4.json", 30, 40, 5);
    s = open_src(&o);
    /* the re-run of batch 1 has exactly its logged file, not f4 */
    CHECK_EQ_INT(wsrc_batch_files(s, 1, &files, &n, &err), 0);
    CHECK(n == 1 && !strcmp(files[0].name, "f3.json"));
    WSrcBatchStats st;
    sum = (Sum){0, 0, 0};
    CHECK_EQ_INT(wsrc_read_batch(s, 1, add_rows, &sum, &st, &err), 0);
    CHECK_EQ_INT(sum.sum, 245);                       /* 20 + ... + 29 */
    CHECK_EQ_INT(wckpt_write_commit(ck, 1, 0, &err), 0);
    CHECK_EQ_INT(wsrc_after_commit(s, 1, &err), 0);
    /* restart did not read any taken file: only f4 is new */
    CHECK_EQ_INT(wsrc_files_opened(s), 1);
    CHECK_EQ_INT(wsrc_ready(s), 1);
    sum = (Sum){0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 2, 0, &sum, NULL), 1);
    CHECK_EQ_INT(sum.sum, 345);
    wsrc_close(s);
    /* a crash after choosing batch 3's files but before its plan was durable: they are planned again */
    put_records("f5.json", 40, 41, 1);
    s = open_src(&o);
    int nf = 0;
    WBuf lines;
    wbuf_init(&lines);
    CHECK_EQ_INT(wsrc_plan(s, 3, 0, &nf, &lines, &err), 0);
    CHECK_EQ_INT(nf, 1);
    CHECK(strstr(wbuf_cstr(&lines), "{\"path\":\"f5.json\",\"size\":") == wbuf_cstr(&lines));
    wbuf_fini(&lines);
    wsrc_close(s);
    s = open_src(&o);
    CHECK_EQ_INT(wsrc_ready(s), 1);
    wsrc_close(s);
    wopts_fini(&o);
}

static void test_limits_order_glob(void) {
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "latestFirst", "true");
    wopts_set(&o, "maxBytesPerTrigger", "1");          /* at least one file per batch anyway */
    wopts_set(&o, "pathGlobFilter", "*.jsonl");
    put_records("g1.jsonl", 1, 2, 30);
    put_records("g2.jsonl", 2, 3, 20);
    put_records("g3.txt", 1000, 1001, 10);
    fresh_checkpoint();
    WFileSource *s = open_src(&o);
    Sum sum = {0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 0, 0, &sum, NULL), 1);
    CHECK_EQ_INT(sum.sum, 2);                          /* newest first: g2 */
    CHECK_EQ_INT(run_batch(s, 1, 0, &sum, NULL), 1);
    CHECK_EQ_INT(sum.sum, 3);
    CHECK_EQ_INT(run_batch(s, 2, 0, &sum, NULL), 0);   /* g3.txt never matches */
    wsrc_close(s);
    wopts_fini(&o);
}

static int count_cb(void *user, const WSrcFile *f) {
    (void)f;
    (*(int *)user)++;
    return 0;
}

/* The compacted segments of sources/0, oldest first (at most 64). */
typedef struct SegInfo {
    long long first, last, bytes;
} SegInfo;

static int cmp_seg(const void *a, const void *b) {
    const SegInfo *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

static int list_segs(SegInfo *out, int cap) {
    DIR *d = opendir(log_dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        long long a, b;
        char tail[16];
        if (sscanf(e->d_name, "%lld-%lld%15s", &a, &b, tail) != 3 || strcmp(tail, ".compact") || n == cap) continue;
        char p[1200];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", log_dir, e->d_name);
        out[n++] = (SegInfo){a, b, stat(p, &st) == 0 ? (long long)st.st_size : -1};
    }
    if (d) closedir(d);
    qsort(out, (size_t)n, sizeof *out, cmp_seg);
    return n;
}

/* How many of the log's segments hold `needle`. */
static int segments_with(const char *needle) {
    SegInfo sg[64];
    int n = list_segs(sg, 64), found = 0;
    for (int i = 0; i < n; i++) {
        char p[1200], text[65536];
        snprintf(p, sizeof p, "%s/%lld-%lld.compact", log_dir, sg[i].first, sg[i].last);
        FILE *f = fopen(p, "r");
        size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
        if (f) fclose(f);
        text[len] = 0;
        found += strstr(text, needle) != NULL;
    }
    return found;
}

/* The segments cover batches 0..last without gap or overlap, and are size-tiered: each is more than twice
 * the size of the one after it (else the two would have merged). */
static void check_segments(long long last, int max_segments) {
    SegInfo sg[64];
    int n = list_segs(sg, 64);
    CHECK(n >= 1 && n <= max_segments);
    long long next = 0;
    int contiguous = 1, tiered = 1;
    for (int i = 0; i < n; i++) {
        contiguous &= sg[i].first == next;
        next = sg[i].last + 1;
        if (i > 0) tiered &= sg[i - 1].bytes > 2 * sg[i].bytes;
    }
    CHECK(contiguous);
    CHECK_EQ_INT(next - 1, last);
    CHECK(tiered);
}

/* Counts fsyncs of one folder (core/fs's observer; the segment writer's thread calls it too). */
static char watched_dir[700];
static _Atomic int watched_syncs;
static void count_watched(const char *dir, void *arg) {
    (void)arg;
    if (strcmp(dir, watched_dir) == 0) watched_syncs++;
}

static void test_compaction(void) {
    fresh_checkpoint();
    /* sources/0's name in sources/: not fsynced by the new checkpoint's open, once by the first segment */
    snprintf(watched_dir, sizeof watched_dir, "%s/sources", ck_dir);
    watched_syncs = 0;
    wfs_observe_dir_syncs(count_watched, NULL);
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "maxFilesPerTrigger", "1");
    wopts_set(&o, "pathGlobFilter", "c*");
    for (int i = 0; i < 230; i++) {
        char name[32];
        snprintf(name, sizeof name, "c%03d.json", i);
        put_records(name, i, i + 1, 1000 - i);
    }
    WFileSource *s = open_src(&o);
    CHECK_EQ_INT(watched_syncs, 0);
    Sum sum = {0, 0, 0};
    for (int i = 0; i < 35; i++) CHECK_EQ_INT(run_batch(s, i, 0, &sum, NULL), 1);
    CHECK_EQ_INT(sum.sum, 595);                        /* 0 + ... + 34 */
    wsrc_close(s);
    CHECK_EQ_INT(watched_syncs, 1);
    wfs_observe_dir_syncs(NULL, NULL);
    /* 35 batches: segments of 10 batches each, merged: they cover 0..29; 30..34 still in offsets/ */
    check_segments(29, 2);
    s = open_src(&o);
    CHECK_EQ_INT(wsrc_ready(s), 195);
    CHECK_EQ_INT(wsrc_files_opened(s), 0);
    /* 230 batches: retention has removed offsets/0..128; the log is whole from segments + offsets */
    for (int i = 35; i < 230; i++) CHECK_EQ_INT(run_batch(s, i, 0, &sum, NULL), 1);
    wsrc_close(s);
    check_segments(229, 5);
    CHECK_EQ_INT(segments_with("forgetBefore"), 0);   /* nothing was past maxFileAge */
    s = open_src(&o);
    CHECK_EQ_INT(wsrc_ready(s), 0);
    CHECK_EQ_INT(wsrc_files_known(s), 230);
    wsrc_close(s);
    int entries = 0;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wsrc_log_read(ck, count_cb, &entries, &err), 0);
    CHECK_EQ_INT(entries, 230);
    /* a merge interrupted after the merged segment was written: its inputs are ignored and removed */
    SegInfo sg[64];
    int n = list_segs(sg, 64);
    CHECK(n >= 1 && sg[0].last >= 19);
    char p[800];
    snprintf(p, sizeof p, "%s/0-9.compact", log_dir);
    FILE *f = fopen(p, "w");
    fputs("v1\n{\"path\":\"ghost.json\",\"size\":1,\"timestamp\":1,\"batchId\":5}\n", f);
    fclose(f);
    s = open_src(&o);
    CHECK_EQ_INT(wsrc_files_known(s), 230);
    CHECK(!wfs_exists(p));
    wsrc_close(s);
    /* a damaged segment is reported with its name */
    char name[64];
    snprintf(name, sizeof name, "%lld-%lld.compact", sg[n - 1].first, sg[n - 1].last);
    snprintf(p, sizeof p, "%s/%s", log_dir, name);
    f = fopen(p, "w");
    fputs("v1\n{\"path\":\"c200.json\",\"size\":", f);
    fclose(f);
    WFileSourceConfig cfg = {in_dir, "json", &o, &schema, "UTC", "q"};
    WFileSource *bad = NULL;
    werr_clear(&err);
    CHECK_EQ_INT(wsrc_open(&cfg, ck, &bad, &err), WEIR_CORRUPT);
    CHECK(strstr(err.msg, name) != NULL);
    /* so is a number too long for 64 bits in a line otherwise as weir writes them (found by fuzz-ckpt: the
     * fast path overflowed before it counted the digits) */
    f = fopen(p, "w");
    fputs("v1\n{\"path\":\"c200.json\",\"size\":69999999999999999999999999,\"timestamp\":1,\"batchId\":5}\n", f);
    fclose(f);
    werr_clear(&err);
    CHECK_EQ_INT(wsrc_open(&cfg, ck, &bad, &err), WEIR_CORRUPT);
    CHECK(strstr(err.msg, name) != NULL);
    wopts_fini(&o);
}

/* A first batch that takes many files (a full folder at the start) gives a big first segment; the small
 * batches after it merge among themselves and leave it alone (it is not rewritten each time the number of
 * batches doubles). */
static void test_compaction_big_first(void) {
    fresh_checkpoint();
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "pathGlobFilter", "b*");
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof name, "b%03d.json", i);
        put_records(name, i, i + 1, 2000);
    }
    WFileSource *s = open_src(&o);
    Sum sum = {0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 0, 0, &sum, NULL), 300);
    wsrc_close(s);
    wopts_set(&o, "maxFilesPerTrigger", "1");
    for (int i = 0; i < 79; i++) {
        char name[32];
        snprintf(name, sizeof name, "b%03d.json", 300 + i);
        put_records(name, 300 + i, 301 + i, 1000 - i);
    }
    s = open_src(&o);
    for (int i = 1; i < 80; i++) CHECK_EQ_INT(run_batch(s, i, 0, &sum, NULL), 1);
    wsrc_close(s);
    check_segments(79, 4);
    char p[800];
    snprintf(p, sizeof p, "%s/0-9.compact", log_dir);
    CHECK(wfs_exists(p)); /* the big segment, never merged */
    wopts_fini(&o);
}

/* Whether a taken file may be read from the middle when it grows is decided from its first byte when it
 * grows (not when it is listed): a JSON array that grows is not read again, a JSON Lines file is. */
static void test_growing_array_vs_lines(void) {
    fresh_checkpoint();
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "pathGlobFilter", "growth*");
    WFileSource *s = open_src(&o);
    put_text("growth1.json", " [{\"a\": 1}, {\"a\": 2}]\n", 0);
    put_text("growth2.json", "{\"a\": 10}\n", 0);
    struct pollfd p = {wsrc_fd(s), POLLIN, 0};
    CHECK(poll(&p, 1, 2000) == 1);
    struct timespec ts = {0, 200 * 1000000};
    nanosleep(&ts, NULL);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    Sum sum = {0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 0, 0, &sum, NULL), 2);
    CHECK_EQ_INT(sum.sum, 13);
    char path[800];
    snprintf(path, sizeof path, "%s/growth1.json", in_dir);
    FILE *f = fopen(path, "a");
    fputs("[{\"a\": 100}]\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/growth2.json", in_dir);
    f = fopen(path, "a");
    fputs("{\"a\": 1000}\n", f);
    fclose(f);
    CHECK(poll(&p, 1, 2000) == 1);
    nanosleep(&ts, NULL);
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    CHECK_EQ_INT(wsrc_ready(s), 1); /* growth2 only */
    sum = (Sum){0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 1, 0, &sum, NULL), 1);
    CHECK_EQ_INT(sum.rows, 1);
    CHECK_EQ_INT(sum.sum, 1000);
    wsrc_close(s);
    wopts_fini(&o);
}

static void test_inotify_growing_bad(void) {
    fresh_checkpoint();
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "pathGlobFilter", "n*");
    wopts_set(&o, "badRecordsPath", bad_dir);
    wopts_set(&o, "mode", "DROPMALFORMED");
    WFileSource *s = open_src(&o);
    CHECK_EQ_INT(wsrc_ready(s), 0);
    /* a file written after start is found by its close event, without a rescan */
    put_records("n1.json", 1, 4, 0);
    struct pollfd p = {wsrc_fd(s), POLLIN, 0};
    CHECK(poll(&p, 1, 2000) == 1);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    CHECK_EQ_INT(wsrc_ready(s), 1);
    Sum sum = {0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 0, 0, &sum, NULL), 1);
    CHECK_EQ_INT(sum.sum, 6);
    /* it grows: only the appended range is read in the next batch */
    char path[800];
    snprintf(path, sizeof path, "%s/n1.json", in_dir);
    FILE *f = fopen(path, "a");
    fputs("{\"a\": 100}\n{\"a\": 200}\n", f);
    fclose(f);
    CHECK(poll(&p, 1, 2000) == 1);
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    sum = (Sum){0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 1, 0, &sum, NULL), 1);
    CHECK_EQ_INT(sum.rows, 2);
    CHECK_EQ_INT(sum.sum, 300);
    /* a new file renamed over the taken name is not read (names are taken once) */
    put_records(".n1.tmp", 500, 510, 0);
    char tmp[800];
    snprintf(tmp, sizeof tmp, "%s/.n1.tmp", in_dir);
    CHECK_EQ_INT(rename(tmp, path), 0);
    CHECK(poll(&p, 1, 2000) == 1);
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    CHECK_EQ_INT(wsrc_ready(s), 0);
    /* bad input: a malformed record, binary garbage, non-UTF-8, an empty file, a file deleted after it was
     * planned; none stops the batch, each is dead-lettered */
    put_text("n2.json", "{\"a\": 7}\n{\"a\": tru\n{\"a\": 8}\n", 0);
    put_text("n3.json", "\x01\x02\xff\xfe\x00garbage", 0);
    put_text("n4.json", "{\"a\": 9, \"s\": \"caf\xe9\"}\n", 0);
    put_text("n5.json", "", 0);
    put_records("n6.json", 50, 51, 0);
    struct timespec ts = {0, 200 * 1000000};
    nanosleep(&ts, NULL);
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    CHECK_EQ_INT(wsrc_ready(s), 5);
    CHECK_EQ_INT(plan_batch(s, 2, 0), 5);
    snprintf(path, sizeof path, "%s/n6.json", in_dir);
    unlink(path);
    WSrcBatchStats st;
    sum = (Sum){0, 0, 0};
    CHECK_EQ_INT(wsrc_read_batch(s, 2, add_rows, &sum, &st, &err), 0);
    CHECK_EQ_INT(sum.sum, 15);                         /* 7 + 8 survive */
    CHECK_EQ_INT(st.files_skipped, 1);
    CHECK_EQ_INT(st.files_read, 4);
    CHECK(st.bad_records >= 3);                        /* line 2 of n2, n3, n4 */
    WBuf b;
    wbuf_init(&b);
    snprintf(path, sizeof path, "%s/bad-q-2.jsonl", bad_dir);
    CHECK_EQ_INT(wfs_read_file(path, &b, NULL, &err), 0);
    const char *t = wbuf_cstr(&b);
    CHECK(strstr(t, "n2.json\",\"line\":2,\"offset\":9,") != NULL);
    CHECK(strstr(t, "\"record\":\"{\\\"a\\\": tru\"") != NULL);
    CHECK(strstr(t, "n3.json") != NULL);
    CHECK(strstr(t, "n4.json") != NULL);
    CHECK(strstr(t, "n6.json\",\"line\":0,\"offset\":0,\"reason\":\"the file was deleted after it was found\"") != NULL);
    wbuf_fini(&b);
    /* an unreadable file (only meaningful when not running as root) */
    if (geteuid() != 0) {
        put_records("n7.json", 1, 2, 0);
        snprintf(path, sizeof path, "%s/n7.json", in_dir);
        chmod(path, 0);
        nanosleep(&ts, NULL);
        CHECK_EQ_INT(wsrc_discover(s, &err), 0);
        CHECK_EQ_INT(wckpt_write_commit(ck, 2, 0, &err), 0);
        CHECK_EQ_INT(plan_batch(s, 3, 0), 1);
        CHECK_EQ_INT(wsrc_read_batch(s, 3, add_rows, &sum, &st, &err), 0);
        CHECK_EQ_INT(st.files_skipped, 1);
        chmod(path, 0644);
    }
    wsrc_close(s);
    int entries = 0;
    CHECK_EQ_INT(wsrc_log_read(ck, count_cb, &entries, &err), 0);
    CHECK_EQ_INT(entries, geteuid() != 0 ? 8 : 7);
    wopts_fini(&o);
}

static void test_clean_source(void) {
    fresh_checkpoint();
    char arch[800], p[900];
    snprintf(arch, sizeof arch, "%s/archive", root);
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "pathGlobFilter", "z*");
    wopts_set(&o, "cleanSource", "archive");
    wopts_set(&o, "sourceArchiveDir", arch);
    put_records("z1.json", 5, 7, 10);
    WFileSource *s = open_src(&o);
    Sum sum = {0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 0, 0, &sum, NULL), 1);
    CHECK_EQ_INT(sum.sum, 11);
    snprintf(p, sizeof p, "%s/z1.json", in_dir);
    CHECK(!wfs_exists(p));                             /* moved away after the commit */
    snprintf(p, sizeof p, "%s/z1.json", arch);
    CHECK(wfs_exists(p));
    wsrc_close(s);
    /* delete */
    wopts_set(&o, "cleanSource", "delete");
    put_records("z2.json", 1, 2, 10);
    s = open_src(&o);
    CHECK_EQ_INT(run_batch(s, 1, 0, &sum, NULL), 1);
    snprintf(p, sizeof p, "%s/z2.json", in_dir);
    CHECK(!wfs_exists(p));
    /* the taken set still remembers both: a restart takes nothing */
    wsrc_close(s);
    s = open_src(&o);
    CHECK_EQ_INT(wsrc_ready(s), 0);
    CHECK_EQ_INT(wsrc_files_known(s) >= 2, 1);
    wsrc_close(s);
    /* an archive inside the source folder is refused, as in Spark */
    wopts_set(&o, "cleanSource", "archive");
    snprintf(arch, sizeof arch, "%s/sub", in_dir);
    wopts_set(&o, "sourceArchiveDir", arch);
    WFileSourceConfig cfg = {in_dir, "json", &o, &schema, "UTC", "q"};
    WErr err;
    werr_init(&err);
    WFileSource *bad = NULL;
    CHECK_EQ_INT(wsrc_open(&cfg, ck, &bad, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "inside the source folder") != NULL);
    /* bad option values name the option */
    wopts_set(&o, "cleanSource", "shred");
    werr_clear(&err);
    CHECK_EQ_INT(wsrc_open(&cfg, ck, &bad, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "cleanSource") != NULL);
    wopts_set(&o, "cleanSource", "off");
    wopts_set(&o, "maxFileAge", "forever");
    werr_clear(&err);
    CHECK_EQ_INT(wsrc_open(&cfg, ck, &bad, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "maxFileAge") != NULL);
    wopts_fini(&o);
}

static void test_max_file_age(void) {
    fresh_checkpoint();
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "pathGlobFilter", "m*");
    wopts_set(&o, "maxFileAge", "1 hour");
    put_records("m_old.json", 1, 2, 7200);             /* two hours older than the newest */
    put_records("m_new.json", 2, 3, 0);
    WFileSource *s = open_src(&o);
    Sum sum = {0, 0, 0};
    /* m_new was just written: listed files wait until they are fileStableMs (1 s) old */
    struct timespec ts = {1, 100 * 1000000};
    nanosleep(&ts, NULL);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    CHECK_EQ_INT(run_batch(s, 0, 0, &sum, NULL), 1);
    CHECK_EQ_INT(sum.sum, 2);                          /* only m_new */
    wsrc_close(s);
    wopts_fini(&o);
}

/* Puts `count` files prefix00.. with records base+i, the i-th age_s - i seconds old (oldest first). */
static void put_series(const char *prefix, int count, int base, int age_s) {
    for (int i = 0; i < count; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%02d.json", prefix, i);
        put_records(name, base + i, base + i + 1, age_s - i);
    }
}

/* Finds what events and a whole listing show (rescanInterval elapsed), the listing to its end. */
static void discover_all(WFileSource *s) {
    WErr err;
    werr_init(&err);
    struct timespec ts = {0, 30 * 1000000};
    nanosleep(&ts, NULL);
    for (int i = 0; i < 1000; i++) {
        CHECK_EQ_INT(wsrc_discover(s, &err), 0);
        if (wsrc_unstable(s) == 0) break;
    }
}

/* Runs batches n.. (one file each) until one takes nothing; each batch's segment is durable at once
 * (run_batch), so what may be forgotten is the same on every run. Returns the batches that took a file. */
static int run_all(WFileSource *s, int64_t *n, Sum *sum) {
    int taken = 0;
    while (run_batch(s, *n, 0, sum, NULL) == 1) {
        (*n)++;
        taken++;
    }
    return taken;
}

/* On a fresh checkpoint, with glob "<prefix>*": 12 files three hours old are taken, then 16 a minute old,
 * one a batch (batches from *n = 0), which makes the 12 more than an hour older than the newest. */
static WFileSource *old_then_new(WOpts *o, const char *prefix, int64_t *n, Sum *sum) {
    char glob[32], name[32];
    fresh_checkpoint();
    snprintf(glob, sizeof glob, "%s*", prefix);
    wopts_set(o, "pathGlobFilter", glob);
    snprintf(name, sizeof name, "%s_old", prefix);
    put_series(name, 12, 0, 3 * 3600);
    WFileSource *s = open_src(o);
    *n = 0;
    CHECK_EQ_INT(run_all(s, n, sum), 12);
    snprintf(name, sizeof name, "%s_new", prefix);
    put_series(name, 16, 100, 60);
    discover_all(s);
    CHECK_EQ_INT(run_all(s, n, sum), 16);
    return s;
}

/* Forgetting (source_file.c, what must stay true 4): taken names past maxFileAge leave the log at its
 * merges, and the known set once a whole listing misses their file; a file that old listed again is
 * ignored, not taken twice; a new file under a forgotten name is taken (Spark's rule once its seen files
 * are purged); ignored names go once a whole listing misses them; with latestFirst and
 * maxFilesPerTrigger nothing is forgotten. */
static void test_forget(void) {
    WErr err;
    werr_init(&err);
    /* 1. cleanSource delete: what is forgotten is gone from memory and, after the merges, from the log */
    fresh_checkpoint();
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "pathGlobFilter", "fg*");
    wopts_set(&o, "maxFileAge", "1 hour");
    wopts_set(&o, "maxFilesPerTrigger", "1");
    wopts_set(&o, "cleanSource", "delete");
    wopts_set(&o, "rescanInterval", "10 ms");          /* discover_all's listings show what is gone */
    put_series("fg_a", 25, 0, 3 * 3600);               /* three hours old, within an hour of each other */
    WFileSource *s = open_src(&o);
    Sum sum = {0, 0, 0};
    int64_t n = 0;
    CHECK_EQ_INT(run_all(s, &n, &sum), 25);
    CHECK_EQ_INT(sum.sum, 300);                        /* 0 + ... + 24 */
    CHECK_EQ_INT(wsrc_files_forgotten(s), 0);
    put_series("fg_b", 25, 100, 60);                   /* now the first 25 are over an hour older than these */
    discover_all(s);                                   /* and a listing found them gone (deleted) */
    CHECK_EQ_INT(run_all(s, &n, &sum), 25);
    CHECK_EQ_INT(sum.sum, 300 + 2800);                 /* + 100 + ... + 124 */
    CHECK_EQ_INT(wsrc_files_forgotten(s), 25);
    CHECK_EQ_INT(wsrc_files_known(s), 25);
    wsrc_close(s);
    int entries = 0;
    CHECK_EQ_INT(wsrc_log_read(ck, count_cb, &entries, &err), 0);
    CHECK_EQ_INT(entries, 25);                         /* the merges dropped the old entries */
    s = open_src(&o);
    CHECK_EQ_INT(wsrc_files_known(s), 25);
    CHECK_EQ_INT(wsrc_ready(s), 0);
    put_records("fg_a00.json", 1000, 1001, 2);         /* a new file under a forgotten name: taken */
    put_records("fg_a01.json", 2000, 2001, 3 * 3600);  /* as old as the forgotten ones: ignored */
    discover_all(s);
    CHECK_EQ_INT(run_all(s, &n, &sum), 1);
    CHECK_EQ_INT(sum.sum, 3100 + 1000);
    wsrc_close(s);

    /* 2. files left in the folder stay known (forgotten, they would come back at the next rescan for a
     * stat each), and are taken once; once deleted, taken and ignored names alike are forgotten */
    wopts_set(&o, "cleanSource", "off");
    wopts_set(&o, "rescanInterval", "10 ms");
    sum = (Sum){0, 0, 0};
    s = old_then_new(&o, "fh", &n, &sum);
    CHECK_EQ_INT(wsrc_files_forgotten(s), 0);
    put_series("fh_ign", 2, 5000, 3 * 3600);           /* as old, never taken: ignored */
    put_series("fh_e", 1, 1000, 5);
    discover_all(s);
    CHECK_EQ_INT(run_all(s, &n, &sum), 1);
    CHECK_EQ_INT(sum.sum, 66 + 1720 + 1000);           /* the 12 once: 0..11, 100..115, 1000 */
    CHECK_EQ_INT(wsrc_files_known(s), 12 + 16 + 2 + 1);
    char p[800];
    for (int i = 0; i < 12; i++) {
        snprintf(p, sizeof p, "%s/fh_old%02d.json", in_dir, i);
        CHECK_EQ_INT(unlink(p), 0);
    }
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/fh_ign%02d.json", in_dir, i);
        CHECK_EQ_INT(unlink(p), 0);
    }
    discover_all(s);                                   /* a whole listing without them */
    put_series("fh_f", 4, 2000, 4);
    discover_all(s);
    CHECK_EQ_INT(run_all(s, &n, &sum), 4);             /* four sweeps: the whole table */
    CHECK_EQ_INT(wsrc_files_forgotten(s), 12 + 2);
    CHECK_EQ_INT(wsrc_files_known(s), 16 + 1 + 4);
    wsrc_close(s);

    /* 4. a restart with a longer maxFileAge takes nothing again: the log's forgetBefore record stands */
    wopts_set(&o, "rescanInterval", "10 seconds");
    sum = (Sum){0, 0, 0};
    s = old_then_new(&o, "fk", &n, &sum);
    wsrc_close(s);
    entries = 0;
    CHECK_EQ_INT(wsrc_log_read(ck, count_cb, &entries, &err), 0);
    CHECK(entries < 28);                               /* some of the 12 left the log */
    CHECK_EQ_INT(segments_with("{\"forgetBefore\":"), 1); /* and the log says so, once */
    wopts_set(&o, "maxFileAge", "7 days");
    s = open_src(&o);
    discover_all(s);
    CHECK_EQ_INT(run_all(s, &n, &sum), 0);
    CHECK_EQ_INT(sum.sum, 66 + 1720);
    wsrc_close(s);
    wopts_set(&o, "maxFileAge", "1 hour");

    /* 3. latestFirst with maxFilesPerTrigger: maxFileAge does not apply, so nothing is forgotten (the
     * files deleted after their batch, and listings in between, as in case 1) */
    fresh_checkpoint();
    wopts_set(&o, "pathGlobFilter", "fi*");
    wopts_set(&o, "latestFirst", "true");
    wopts_set(&o, "cleanSource", "delete");
    wopts_set(&o, "rescanInterval", "10 ms");
    put_series("fi_g", 3, 0, 3 * 3600);
    s = open_src(&o);
    n = 0;
    CHECK_EQ_INT(run_all(s, &n, &sum), 3);
    put_series("fi_h", 12, 100, 60);
    discover_all(s);
    CHECK_EQ_INT(run_all(s, &n, &sum), 12);
    CHECK_EQ_INT(wsrc_files_forgotten(s), 0);
    wsrc_close(s);
    s = open_src(&o);
    CHECK_EQ_INT(wsrc_files_known(s), 15);
    CHECK_EQ_INT(wsrc_ready(s), 0);
    wsrc_close(s);
    wopts_fini(&o);
}

/* Big batches are decoded by two threads; rows, counts and dead letters must be exactly those of one. */
typedef struct Order {
    int64_t rows, sum, last, out_of_order;
} Order;

static int check_order(void *user, const WBatch *b, WErr *err) {
    (void)err;
    Order *o = user;
    const WVec *a = &b->root.children[0];
    for (int64_t i = 0; i < b->root.len; i++) {
        o->rows++;
        if (wvec_is_null(a, i)) continue;
        int64_t v = wvec_i32(a, i);
        o->sum += v;
        if (v < o->last) o->out_of_order++;
        o->last = v;
    }
    return 0;
}

static void test_parallel_decode(void) {
    for (int threads = 1; threads <= 2; threads++) {
        fresh_checkpoint();
        WOpts o;
        wopts_init(&o);
        wopts_set(&o, "pathGlobFilter", "p*");
        wopts_set(&o, "decodeThreads", threads == 1 ? "1" : "2");
        wopts_set(&o, "badRecordsPath", bad_dir);
        wopts_set(&o, "mode", "DROPMALFORMED");
        /* 7 files of 30,000 rows (~0.9 MB in all), a = 0 .. 209,999 in file order, a bad line in files 1 and 4 */
        for (int f = 0; f < 7; f++) {
            char name[32], path[900];
            snprintf(name, sizeof name, "p%d.json", f);
            snprintf(path, sizeof path, "%s/%s", in_dir, name);
            FILE *fp = fopen(path, "w");
            for (int i = f * 30000; i < (f + 1) * 30000; i++) {
                fprintf(fp, "{\"a\": %d}\n", i);
                if (i == f * 30000 + 7 && (f == 1 || f == 4)) fprintf(fp, "{\"a\": bad%d}\n", f);
            }
            fclose(fp);
            struct timeval tv[2];
            gettimeofday(&tv[0], NULL);
            tv[0].tv_sec -= 100 - f;
            tv[1] = tv[0];
            utimes(path, tv);
        }
        WFileSource *s = open_src(&o);
        CHECK_EQ_INT(plan_batch(s, 0, 0), 7);
        Order ord = {0, 0, -1, 0};
        WSrcBatchStats st;
        WErr err;
        werr_init(&err);
        CHECK_EQ_INT(wsrc_read_batch(s, 0, check_order, &ord, &st, &err), 0);
        CHECK_EQ_INT(ord.rows, 210000);
        CHECK_EQ_INT(ord.sum, 22049895000LL);          /* 0 + ... + 209,999 */
        CHECK_EQ_INT(ord.out_of_order, 0);             /* file order kept */
        CHECK_EQ_INT(st.rows, 210000);
        CHECK_EQ_INT(st.files_read, 7);
        CHECK_EQ_INT(st.bad_records, 2);
        WBuf b;
        wbuf_init(&b);
        char path[900];
        snprintf(path, sizeof path, "%s/bad-q-0.jsonl", bad_dir);
        CHECK_EQ_INT(wfs_read_file(path, &b, NULL, &err), 0);
        const char *t = wbuf_cstr(&b);
        const char *b1 = strstr(t, "bad1"), *b4 = strstr(t, "bad4");
        CHECK(b1 && b4 && b1 < b4);
        CHECK(strstr(t, "p1.json\",\"line\":9,") != NULL);
        wbuf_fini(&b);
        wsrc_close(s);
        for (int f = 0; f < 7; f++) {
            snprintf(path, sizeof path, "%s/p%d.json", in_dir, f);
            unlink(path);
        }
        wopts_fini(&o);
    }
}

static void test_recursive(void) {
    fresh_checkpoint();
    char sub[900], path[1000];
    WErr err;
    werr_init(&err);
    snprintf(sub, sizeof sub, "%s/r_a/deep", in_dir);
    CHECK_EQ_INT(wfs_mkdirs(sub, &err), 0);
    snprintf(path, sizeof path, "%s/r_a/_hidden", in_dir);
    CHECK_EQ_INT(wfs_mkdirs(path, &err), 0);
    put_records("r_a/deep/r1.json", 1, 2, 10);
    put_records("r_a/_hidden/r2.json", 100, 101, 10);     /* inside a '_' folder: ignored */
    put_records("r_top.json", 2, 3, 10);
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "pathGlobFilter", "r*");
    WFileSource *s = open_src(&o);
    CHECK_EQ_INT(wsrc_ready(s), 1);                         /* without recursiveFileLookup: the top only */
    wsrc_close(s);
    fresh_checkpoint();
    wopts_set(&o, "recursiveFileLookup", "true");
    s = open_src(&o);
    CHECK_EQ_INT(wsrc_ready(s), 2);
    Sum sum = {0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 0, 0, &sum, NULL), 2);
    CHECK_EQ_INT(sum.sum, 3);
    /* a folder created later is watched too */
    snprintf(sub, sizeof sub, "%s/r_b", in_dir);
    CHECK_EQ_INT(wfs_mkdirs(sub, &err), 0);
    struct pollfd p = {wsrc_fd(s), POLLIN, 0};
    CHECK(poll(&p, 1, 2000) == 1);
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    put_records("r_b/r3.json", 40, 41, 0);
    for (int i = 0; i < 20 && wsrc_ready(s) == 0; i++) {
        poll(&p, 1, 100);
        CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    }
    sum = (Sum){0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 1, 0, &sum, NULL), 1);
    CHECK_EQ_INT(sum.sum, 40);
    const WSrcFile *files;
    int n;
    CHECK_EQ_INT(wsrc_batch_files(s, 1, &files, &n, &err), 0);
    CHECK(n == 1 && !strcmp(files[0].name, "r_b/r3.json"));
    wsrc_close(s);
    wopts_fini(&o);
}

/* A folder that is another query's sink: the source takes what its manifest lists, and following it costs
 * what is new: after 300 upstream batches, discovering one more reads that batch's entry file only, and
 * ten more (a compaction among them) only the files that hold them. */
static void up_commit(const char *up, int64_t b) {
    char name[64], path[800], text[64];
    snprintf(name, sizeof name, "part-%05" PRId64 ".json", b);
    snprintf(path, sizeof path, "%s/%s", up, name);
    int len = snprintf(text, sizeof text, "{\"a\":%" PRId64 ",\"s\":\"x\"}\n", b);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) fputs(text, f), fclose(f);
    WManifestFile mf = {name, len, 1, b};
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wmanifest_commit(up, b, &mf, 1, 10, NULL, &err), 0);
}

static void test_upstream_manifest(void) {
    char up[700];
    snprintf(up, sizeof up, "%s/up", root);
    CHECK(mkdir(up, 0755) == 0);
    for (int64_t b = 0; b < 300; b++) up_commit(up, b);
    fresh_checkpoint();
    WOpts o;
    wopts_init(&o);
    WErr err;
    werr_init(&err);
    WFileSource *s = open_src_in(up, &o);
    if (!s) return;
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    Sum sum = {0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 0, 1, &sum, NULL), 300);
    CHECK_EQ_INT(sum.sum, 299 * 300 / 2);
    int64_t all = wsrc_manifest_bytes(s);

    up_commit(up, 300);
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    char p[800];
    struct stat st;
    snprintf(p, sizeof p, "%s/_weir_metadata/300", up);
    CHECK(stat(p, &st) == 0);
    CHECK_EQ_INT(wsrc_manifest_bytes(s) - all, st.st_size);
    int64_t before = wsrc_manifest_bytes(s);
    for (int64_t b = 301; b < 310; b++) up_commit(up, b); /* batch 309 compacts */
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    /* what holds batches 301..309 now: the segment that ends at 309 */
    int64_t holding = 0;
    snprintf(p, sizeof p, "%s/_weir_metadata", up);
    DIR *d = opendir(p);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        long long a, z;
        char tail[16], f[1100];
        snprintf(f, sizeof f, "%s/%s", p, e->d_name);
        if (sscanf(e->d_name, "%lld-%lld%15s", &a, &z, tail) == 3 && z == 309 && stat(f, &st) == 0) holding += st.st_size;
    }
    if (d) closedir(d);
    CHECK(holding > 0);
    CHECK_EQ_INT(wsrc_manifest_bytes(s) - before, holding);
    CHECK(holding < all / 2);
    sum = (Sum){0, 0, 0};
    CHECK_EQ_INT(run_batch(s, 1, 1, &sum, NULL), 10);
    CHECK_EQ_INT(sum.sum, (300 + 309) * 10 / 2);
    wsrc_close(s);
    wopts_fini(&o);
}

/* Names of every kind in the log of taken files (those needing JSON escapes go through the general
 * parse, the others through the fast one): after a restart none is taken again. 12 one-file batches, so
 * both a segment (batches 0..9) and offsets/ entries hold them. */
static void test_log_names(void) {
    char dir[700], path[1400];
    snprintf(dir, sizeof dir, "%s/names", root);
    CHECK(mkdir(dir, 0755) == 0);
    char longname[230];
    memset(longname, 'x', 220);
    strcpy(longname + 220, ".json");
    const char *names[] = {"plain.json", "with space.json", "quo\"te.json", "back\\slash.json", "tab\tname.json",
                           "\xc3\xa9t\xc3\xa9.json", "ctrl\x01.json", "0.json", "a]{,}:1.json", longname,
                           "del\x7f.json", "{\"path\":\"x\"}.json"};
    enum { N = sizeof names / sizeof *names };
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (f) fprintf(f, "{\"a\":%d,\"s\":\"x\"}\n", i), fclose(f);
        struct timeval tv[2] = {{time(NULL) - 100 + i, 0}, {time(NULL) - 100 + i, 0}};
        utimes(path, tv);
    }
    fresh_checkpoint();
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "maxFilesPerTrigger", "1");
    WErr err;
    werr_init(&err);
    WFileSource *s = open_src_in(dir, &o);
    if (!s) return;
    Sum sum = {0, 0, 0};
    for (int b = 0; b < N; b++) CHECK_EQ_INT(run_batch(s, b, 0, &sum, NULL), 1);
    CHECK_EQ_INT(sum.sum, N * (N - 1) / 2);
    CHECK_EQ_INT(wsrc_log_wait(s), 0);
    wsrc_close(s);
    s = open_src_in(dir, &o);
    if (!s) return;
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    CHECK_EQ_INT(wsrc_ready(s), 0);
    CHECK_EQ_INT(wsrc_files_known(s), N);
    snprintf(path, sizeof path, "%s/new.json", dir);
    FILE *f = fopen(path, "w");
    if (f) fputs("{\"a\":100,\"s\":\"x\"}\n", f), fclose(f);
    struct timeval tv[2] = {{time(NULL) - 10, 0}, {time(NULL) - 10, 0}};
    utimes(path, tv);
    CHECK_EQ_INT(wsrc_discover(s, &err), 0);
    sum = (Sum){0, 0, 0};
    CHECK_EQ_INT(run_batch(s, N, 0, &sum, NULL), 1);
    CHECK_EQ_INT(sum.sum, 100);
    wsrc_close(s);
    wopts_fini(&o);
}

int main(void) {
    CHECK(mkdtemp(root) != NULL);
    snprintf(in_dir, sizeof in_dir, "%s/in", root);
    snprintf(ck_dir, sizeof ck_dir, "%s/ck", root);
    snprintf(log_dir, sizeof log_dir, "%s/ck/sources/0", root);
    snprintf(bad_dir, sizeof bad_dir, "%s/bad", root);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wfs_mkdirs(in_dir, &err), 0);
    const char *ddl = "a INT, s STRING";
    CHECK_EQ_INT(wschema_parse(ddl, strlen(ddl), &schema, &err), 0);
    test_once_and_restart();
    test_limits_order_glob();
    test_compaction();
    test_compaction_big_first();
    test_inotify_growing_bad();
    test_growing_array_vs_lines();
    test_clean_source();
    test_max_file_age();
    test_forget();
    test_parallel_decode();
    test_recursive();
    test_upstream_manifest();
    test_log_names();
    wtype_fini(&schema);
    wckpt_close(ck);
    nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return check_summary();
}
