/*
 * test_stream_ckpt.c - the checkpoint folder (stream/ckpt.h), its log JSON (stream/logjson.h) and trigger
 * parsing (stream/trigger.h): Spark's file layout, read back after reopen, the planned-but-uncommitted
 * batch found on restart, ordering rules, retention after 100 batches, and damaged files reported as
 * WEIR_CORRUPT with the file's name instead of being trusted; a new checkpoint made durable with its first
 * plan (or its close), also when its creator was killed before, and its metadata cut by a crash before that
 * started over.
 */
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "core/fs.h"
#include "stream/ckpt.h"
#include "stream/logjson.h"
#include "stream/trigger.h"

static int rm_entry(const char *p, const struct stat *sb, int f, struct FTW *w) {
    (void)sb; (void)f; (void)w;
    return remove(p);
}

static void put_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* The bytes of a sealed entry (ckpt.c): text, the seal line of batch n with the crc32 of text, and
 * spaces and a newline up to `size` bytes (at least one byte of padding, a multiple of 4096 unless the
 * entry overwrote a longer one). */
static void sealed_text(WBuf *out, const char *text, long long n, size_t size) {
    wbuf_reset(out);
    wbuf_puts(out, text);
    wbuf_printf(out, "{\"batchId\":%lld,\"crc32\":\"%08lx\"}\n", n, crc32(0L, (const Bytef *)text, (uInt)strlen(text)));
    while (out->len + 1 < size) wbuf_putc(out, ' ');
    wbuf_putc(out, '\n');
}

/* path holds exactly the sealed entry of batch n with this text, `size` bytes long. */
static void check_sealed(const char *path, const char *text, long long n, size_t size) {
    WBuf want, got;
    wbuf_init(&want);
    wbuf_init(&got);
    WErr err;
    werr_init(&err);
    sealed_text(&want, text, n, size);
    CHECK_EQ_INT(wfs_read_file(path, &got, NULL, &err), 0);
    CHECK_EQ_INT(got.len, size);
    CHECK_EQ_STR(wbuf_cstr(&got), wbuf_cstr(&want));
    wbuf_fini(&want);
    wbuf_fini(&got);
}

/* A reader, then a writer, open dir and find `planned` the last planned batch and `committed` the last
 * committed one; returns the writer's handle. */
static WCkpt *reopened(const char *dir, int64_t planned, int64_t committed) {
    WErr err;
    werr_init(&err);
    WCkpt *r = NULL, *c = NULL;
    CHECK_EQ_INT(wckpt_open_readonly(dir, &r, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(r), planned);
    CHECK_EQ_INT(wckpt_last_committed(r), committed);
    wckpt_close(r);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(c), planned);
    CHECK_EQ_INT(wckpt_last_committed(c), committed);
    return c;
}

static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void test_logjson(void) {
    WBuf b;
    wbuf_init(&b);
    const char bad_utf8[] = "a\xff\xfe" "b";
    wbuf_putc(&b, '{');
    wlogj_put_field_str(&b, "path", "dir/é \"q\"\n\\", strlen("dir/é \"q\"\n\\"));
    wbuf_putc(&b, ',');
    wlogj_put_field_str(&b, "raw", bad_utf8, 4);
    wbuf_puts(&b, ",\"n\":-42,\"o\":{\"x\":[1,\"}\"]}}");
    /* the non-UTF-8 value goes base64 under raw_b64: "a\xff\xfe" "b" = Yf/+Yg== */
    CHECK(strstr(wbuf_cstr(&b), "\"raw_b64\":\"Yf/+Yg==\"") != NULL);
    WLogObj o;
    const char *what;
    size_t at;
    CHECK_EQ_INT(wlogj_parse(b.data, b.len, &o, &what, &at), 0);
    WBuf scratch;
    wbuf_init(&scratch);
    size_t n = 0;
    const char *p = wlogj_get_bytes(&o, "path", &n, &scratch);
    CHECK(p && n == strlen("dir/é \"q\"\n\\") && !memcmp(p, "dir/é \"q\"\n\\", n));
    p = wlogj_get_bytes(&o, "raw", &n, &scratch);
    CHECK(p && n == 4 && !memcmp(p, bad_utf8, 4));
    int64_t v = 0;
    CHECK_EQ_INT(wlogj_get_i64(&o, "n", &v), 0);
    CHECK_EQ_INT(v, -42);
    const WLogMember *m = wlogj_member(&o, "o");
    CHECK(m && !m->is_str && !strcmp(m->val, "{\"x\":[1,\"}\"]}"));
    wlogj_fini(&o);
    /* \u escapes, surrogate pairs */
    const char *u = "{\"k\":\"\\u00e9\\ud83d\\ude00\"}";
    CHECK_EQ_INT(wlogj_parse(u, strlen(u), &o, &what, &at), 0);
    CHECK(o.n == 1 && !strcmp(o.m[0].val, "é\xf0\x9f\x98\x80"));
    wlogj_fini(&o);
    /* damaged objects fail with a reason, never crash */
    const char *bads[] = {"", "{", "{\"a\":", "{\"a\":1", "{\"a\" 1}", "{\"a\":\"x}", "[1]", "{\"a\":1}x", "{\"a\":{]}"};
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        CHECK_EQ_INT(wlogj_parse(bads[i], strlen(bads[i]), &o, &what, &at), -1);
        CHECK(what != NULL);
        wlogj_fini(&o);
    }
    wbuf_fini(&b);
    wbuf_fini(&scratch);
}

static void test_trigger(void) {
    WTrigger t;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wtrigger_parse("once", &t, &err), 0);
    CHECK_EQ_INT(t.kind, WTRIG_ONCE);
    CHECK_EQ_INT(wtrigger_parse("AvailableNow", &t, &err), 0);
    CHECK_EQ_INT(t.kind, WTRIG_AVAILABLE_NOW);
    CHECK_EQ_INT(wtrigger_parse("1 second", &t, &err), 0);
    CHECK(t.kind == WTRIG_PROCESSING_TIME && t.interval_ms == 1000);
    CHECK_EQ_INT(wtrigger_parse("processingTime=2 minutes", &t, &err), 0);
    CHECK_EQ_INT(t.interval_ms, 120000);
    CHECK_EQ_INT(wtrigger_parse("0", &t, &err), 0);
    CHECK_EQ_INT(t.interval_ms, 0);
    CHECK_EQ_INT(wtrigger_parse("soon", &t, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "soon") != NULL);
    int64_t ms;
    CHECK(wdur_parse_ms("7d", &ms) == 0 && ms == 7 * 86400000LL);
    CHECK(wdur_parse_ms("interval 10 seconds", &ms) == 0 && ms == 10000);
    CHECK(wdur_parse_ms("1.5 h", &ms) == 0 && ms == 5400000);
    CHECK(wdur_parse_ms("250", &ms) == 0 && ms == 250);
    CHECK(wdur_parse_ms("ten seconds", &ms) == -1);
    CHECK(wdur_parse_ms("5 fortnights", &ms) == -1);
}

/* With `text` in the file at path, the checkpoint opens as damaged, the message saying `why`; the file is
 * removed again. */
static void opens_as_damaged(const char *dir, const char *path, const char *text, const char *why) {
    WErr err;
    werr_init(&err);
    WCkpt *c = NULL;
    put_file(path, text);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), WEIR_CORRUPT);
    CHECK(strstr(err.msg, why) != NULL);
    unlink(path);
}

/* Batch n's commit entry (commit_path) was damaged: the checkpoint opens with n planned and not committed,
 * the entry removed; n is then committed again with next watermark wm. */
static void reopen_runs_again(const char *dir, const char *commit_path, int64_t n, int64_t wm) {
    WErr err;
    werr_init(&err);
    WCkpt *c = NULL;
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    if (!c) return;
    CHECK_EQ_INT(wckpt_last_planned(c), n);
    CHECK_EQ_INT(wckpt_last_committed(c), n - 1);
    CHECK(!wfs_exists(commit_path));
    CHECK_EQ_INT(wckpt_write_commit(c, n, wm, &err), 0);
    wckpt_close(c);
}

static void test_ckpt(const char *root) {
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/ck", root);
    WErr err;
    werr_init(&err);
    WCkpt *c = NULL;
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(strlen(wckpt_id(c)), 36);
    char id[64];
    snprintf(id, sizeof id, "%s", wckpt_id(c));
    CHECK_EQ_INT(wckpt_last_planned(c), -1);
    CHECK_EQ_INT(wckpt_last_committed(c), -1);
    /* a second writer is refused while the first holds the checkpoint; a reader is not */
    WCkpt *c2 = NULL;
    CHECK_EQ_INT(wckpt_open(dir, &c2, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "in use by another running query") != NULL);
    werr_clear(&err);
    CHECK_EQ_INT(wckpt_open_readonly(dir, &c2, &err), 0);
    wckpt_close(c2);
    WOffsetsEntry e;
    wckpt_offsets_init(&e);
    e.batch_id = 0;
    e.watermark_ms = 0;
    e.timestamp_ms = 1662464400123;
    e.log_offset = 0;
    wopts_set(&e.conf, "spark.sql.session.timeZone", "Europe/Paris");
    CHECK_EQ_INT(wckpt_write_offsets(c, &e, &err), 0);
    /* a second plan before the commit is refused */
    e.batch_id = 1;
    CHECK_EQ_INT(wckpt_write_offsets(c, &e, &err), WEIR_MISUSE);
    werr_clear(&err);
    CHECK_EQ_INT(wckpt_write_commit(c, 0, 5000, &err), 0);
    CHECK_EQ_INT(wckpt_write_commit(c, 0, 5000, &err), WEIR_MISUSE);
    werr_clear(&err);
    wckpt_offsets_fini(&e);
    /* Spark's layout and text, sealed and padded to 4096 bytes */
    WBuf b;
    wbuf_init(&b);
    snprintf(path, sizeof path, "%s/offsets/0", dir);
    check_sealed(path, "v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":1662464400123,"
                       "\"conf\":{\"spark.sql.session.timeZone\":\"Europe/Paris\"}}\n{\"logOffset\":0}\n", 0, 4096);
    snprintf(path, sizeof path, "%s/commits/0", dir);
    check_sealed(path, "v1\n{\"nextBatchWatermarkMs\":5000}\n", 0, 4096);
    /* batch 1 planned, then a "crash": the reopened checkpoint knows 1 must run again */
    wckpt_offsets_init(&e);
    e.batch_id = 1;
    e.watermark_ms = 5000;
    e.timestamp_ms = 1662464401000;
    e.log_offset = 1;
    CHECK_EQ_INT(wckpt_write_offsets(c, &e, &err), 0);
    wckpt_offsets_fini(&e);
    wckpt_close(c);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_STR(wckpt_id(c), id);
    CHECK_EQ_INT(wckpt_last_planned(c), 1);
    CHECK_EQ_INT(wckpt_last_committed(c), 0);
    wckpt_offsets_init(&e);
    CHECK_EQ_INT(wckpt_read_offsets(c, 1, &e, &err), 0);
    CHECK_EQ_INT(e.watermark_ms, 5000);
    CHECK_EQ_INT(e.timestamp_ms, 1662464401000);
    CHECK_EQ_INT(e.log_offset, 1);
    wckpt_offsets_fini(&e);
    int64_t wm = 0;
    CHECK_EQ_INT(wckpt_read_commit(c, 0, &wm, &err), 0);
    CHECK_EQ_INT(wm, 5000);
    CHECK_EQ_INT(wckpt_write_commit(c, 1, 6000, &err), 0);
    /* progress log: lines read back, a torn last line dropped */
    CHECK_EQ_INT(wckpt_append_progress(c, 0, "{\"batchId\":0}", 13, &err), 0);
    CHECK_EQ_INT(wckpt_append_progress(c, 1, "{\"batchId\":1}\n", 14, &err), 0);
    snprintf(path, sizeof path, "%s/progress/0.jsonl", dir);
    FILE *f = fopen(path, "a");
    fputs("{\"batchId\":2,\"tor", f);
    fclose(f);
    wbuf_reset(&b);
    CHECK_EQ_INT(wckpt_read_progress(c, &b, &err), 0);
    CHECK_EQ_STR(wbuf_cstr(&b), "{\"batchId\":0}\n{\"batchId\":1}\n");
    /* retention: 150 batches keep the last 101 entries (Spark's minBatchesToRetain = 100) */
    for (int64_t n = 2; n < 150; n++) {
        wckpt_offsets_init(&e);
        e.batch_id = n;
        CHECK(wckpt_write_offsets(c, &e, &err) == 0);
        CHECK(wckpt_write_commit(c, n, 6000, &err) == 0);
        CHECK(wckpt_purge(c, n, WCKPT_MIN_BATCHES_TO_RETAIN, &err) == 0);
        wckpt_offsets_fini(&e);
    }
    snprintf(path, sizeof path, "%s/offsets", dir);
    CHECK_EQ_INT(count_entries(path), 101);
    snprintf(path, sizeof path, "%s/commits", dir);
    CHECK_EQ_INT(count_entries(path), 101);
    CHECK_EQ_INT(wckpt_oldest_retained(c), 49);
    wckpt_close(c);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_committed(c), 149);
    CHECK_EQ_INT(wckpt_oldest_retained(c), 49);
    wckpt_close(c);
    /* damage: garbled last offsets entry */
    snprintf(path, sizeof path, "%s/offsets/149", dir);
    put_file(path, "v1\n{\"batchWatermarkMs\":0,\"batchTimes");
    werr_clear(&err);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), WEIR_CORRUPT);
    CHECK(strstr(err.msg, "offsets/149") && strstr(err.msg, "damaged"));
    /* damage: unknown version */
    put_file(path, "v7\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":0}\n");
    werr_clear(&err);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), WEIR_CORRUPT);
    CHECK(strstr(err.msg, "version") != NULL);
    put_file(path, "v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":0}\n");
    werr_clear(&err);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    wckpt_close(c);
    /* damage: a commit for a batch never planned */
    snprintf(path, sizeof path, "%s/commits/151", dir);
    opens_as_damaged(dir, path, "v1\n{\"nextBatchWatermarkMs\":0}\n", "never planned");
    /* damage: a commit entry above a garbled last line of a lower one still reads (the offsets decide) */
    /* damage: metadata without an id */
    snprintf(path, sizeof path, "%s/metadata", dir);
    put_file(path, "{\"idx\":1}");
    werr_clear(&err);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), WEIR_CORRUPT);
    CHECK(strstr(err.msg, "metadata") != NULL);
    /* read-only open of something that is not a checkpoint */
    werr_clear(&err);
    CHECK_EQ_INT(wckpt_open_readonly(root, &c, &err), WEIR_IO);
    wbuf_fini(&b);
}

/* Writes batches 0..n-1 as the driver does: offsets/K carries the watermark commits/K-1 announced. */
static void write_batches(WCkpt *c, int64_t n) {
    WErr err;
    werr_init(&err);
    for (int64_t k = 0; k < n; k++) {
        WOffsetsEntry e;
        wckpt_offsets_init(&e);
        e.batch_id = k;
        e.watermark_ms = 1000 * k;
        CHECK(wckpt_write_offsets(c, &e, &err) == 0);
        CHECK(wckpt_write_commit(c, k, 1000 * (k + 1), &err) == 0);
        wckpt_offsets_fini(&e);
    }
}

/* commits/N is written without fsync: what a crash of the machine can leave (entries missing or empty)
 * must open as the batches it proves committed, and run again the last one it does not. */
static void test_lost_commits(const char *root) {
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/lost", root);
    WErr err;
    werr_init(&err);
    WCkpt *c = NULL;
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    write_batches(c, 6);
    wckpt_close(c);
    /* commits 4 and 5 lost, 3 empty: 0..4 are committed (offsets/5 exists only after commit 4), 5 runs again */
    snprintf(path, sizeof path, "%s/commits/5", dir);
    CHECK_EQ_INT(unlink(path), 0);
    snprintf(path, sizeof path, "%s/commits/4", dir);
    CHECK_EQ_INT(unlink(path), 0);
    snprintf(path, sizeof path, "%s/commits/3", dir);
    put_file(path, "");
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(c), 5);
    CHECK_EQ_INT(wckpt_last_committed(c), 4);
    int64_t wm = -1;
    CHECK_EQ_INT(wckpt_read_commit(c, 4, &wm, &err), 0);
    CHECK_EQ_INT(wm, 5000); /* from offsets/5 */
    CHECK_EQ_INT(wckpt_read_commit(c, 3, &wm, &err), 0);
    CHECK_EQ_INT(wm, 4000); /* the empty entry: from offsets/4 */
    CHECK_EQ_INT(wckpt_read_commit(c, 2, &wm, &err), 0);
    CHECK_EQ_INT(wm, 3000); /* a whole entry: its own */
    werr_clear(&err);
    CHECK_EQ_INT(wckpt_read_commit(c, 5, &wm, &err), WEIR_CORRUPT); /* not committed: nothing to imply it */
    CHECK(strstr(err.msg, "commits/5") != NULL);
    werr_clear(&err);
    CHECK_EQ_INT(wckpt_write_commit(c, 5, 6000, &err), 0);
    CHECK_EQ_INT(wckpt_last_committed(c), 5);
    wckpt_close(c);
    /* the last planned batch's commit entry empty (or torn): not committed, the entry removed */
    snprintf(path, sizeof path, "%s/commits/5", dir);
    put_file(path, "v1\n{\"nextBatchWat");
    reopen_runs_again(dir, path, 5, 6000);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_committed(c), 5);
    CHECK_EQ_INT(wckpt_read_commit(c, 5, &wm, &err), 0);
    CHECK_EQ_INT(wm, 6000);
    /* every commit entry lost: all but the last planned batch are committed */
    wckpt_close(c);
    for (int k = 0; k <= 5; k++) {
        snprintf(path, sizeof path, "%s/commits/%d", dir, k);
        unlink(path); /* commits/4 was never written again: implied */
    }
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_committed(c), 4);
    CHECK_EQ_INT(wckpt_read_commit(c, 0, &wm, &err), 0);
    CHECK_EQ_INT(wm, 1000);
    /* a query that closes its checkpoint leaves the last commit durable: wckpt_sync_commit works on it */
    CHECK_EQ_INT(wckpt_write_commit(c, 5, 6000, &err), 0);
    CHECK_EQ_INT(wckpt_sync_commit(c, &err), 0);
    wckpt_close(c);
}

/* offsets/N and commits/N made ahead (wckpt_prepare_next): filled whole by the next writes; left empty by a
 * crash or a close, they read as absent, for a writer and a reader, and a writer removes them. */
static void test_offsets_made_ahead(const char *root) {
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/ahead", root);
    WErr err;
    werr_init(&err);
    WCkpt *c = NULL;
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    write_batches(c, 3);
    CHECK_EQ_INT(wckpt_prepare_next(c, &err), 0); /* batches 3 .. 3 + WCKPT_AHEAD - 1 */
    CHECK_EQ_INT(wckpt_prepare_next(c, &err), 0); /* nothing more while enough are left */
    struct stat st;
    snprintf(path, sizeof path, "%s/offsets/%d", dir, 3 + WCKPT_AHEAD - 1);
    CHECK(stat(path, &st) == 0 && st.st_size == 0);
    snprintf(path, sizeof path, "%s/offsets/%d", dir, 3 + WCKPT_AHEAD);
    CHECK(!wfs_exists(path));
    snprintf(path, sizeof path, "%s/offsets/3", dir);
    CHECK(stat(path, &st) == 0 && st.st_size == 0);
    char cpath[4200];
    snprintf(cpath, sizeof cpath, "%s/commits/3", dir);
    CHECK(stat(cpath, &st) == 0 && st.st_size == 0);
    CHECK_EQ_INT(wckpt_last_planned(c), 2);
    /* a reader meanwhile (weir inspect) sees batch 2 as the last planned and committed */
    WCkpt *r = NULL;
    CHECK_EQ_INT(wckpt_open_readonly(dir, &r, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(r), 2);
    CHECK_EQ_INT(wckpt_last_committed(r), 2);
    wckpt_close(r);
    CHECK(stat(path, &st) == 0 && st.st_size == 0); /* a reader removes nothing */
    /* the next entry fills it, whole, and reads back */
    WOffsetsEntry e;
    wckpt_offsets_init(&e);
    e.batch_id = 3;
    e.watermark_ms = 3000;
    e.timestamp_ms = 1662464403000;
    e.log_offset = 3;
    CHECK_EQ_INT(wbuf_puts(&e.files, "{\"path\":\"a.json\",\"size\":10}\n"), 0);
    CHECK_EQ_INT(wckpt_write_offsets(c, &e, &err), 0);
    wckpt_offsets_fini(&e);
    CHECK_EQ_INT(wckpt_last_planned(c), 3);
    check_sealed(path, "v1\n{\"batchWatermarkMs\":3000,\"batchTimestampMs\":1662464403000,\"conf\":{}}\n"
                       "{\"logOffset\":3}\n{\"path\":\"a.json\",\"size\":10}\n", 3, 4096);
    CHECK(stat(cpath, &st) == 0 && st.st_size == 0); /* not committed yet */
    CHECK_EQ_INT(wckpt_write_commit(c, 3, 4000, &err), 0);
    check_sealed(cpath, "v1\n{\"nextBatchWatermarkMs\":4000}\n", 3, 4096);
    /* made ahead, then closed: removed by the close */
    CHECK_EQ_INT(wckpt_prepare_next(c, &err), 0);
    snprintf(path, sizeof path, "%s/offsets/4", dir);
    snprintf(cpath, sizeof cpath, "%s/commits/4", dir);
    CHECK(wfs_exists(path) && wfs_exists(cpath));
    wckpt_close(c);
    CHECK(!wfs_exists(path) && !wfs_exists(cpath));
    char odir[4200];
    snprintf(odir, sizeof odir, "%s/offsets", dir);
    CHECK_EQ_INT(count_entries(odir), 4); /* 0 .. 3 */
    snprintf(odir, sizeof odir, "%s/commits", dir);
    CHECK_EQ_INT(count_entries(odir), 4);
    /* made ahead, then a crash (the empty files stay): the open removes them and plans 4 again */
    for (int k = 4; k < 4 + WCKPT_AHEAD; k++) {
        char p2[4200];
        snprintf(p2, sizeof p2, "%s/offsets/%d", dir, k);
        put_file(p2, "");
        snprintf(p2, sizeof p2, "%s/commits/%d", dir, k);
        put_file(p2, "");
    }
    c = reopened(dir, 3, 3);
    CHECK(!wfs_exists(path) && !wfs_exists(cpath));
    snprintf(odir, sizeof odir, "%s/offsets", dir);
    CHECK_EQ_INT(count_entries(odir), 4);
    snprintf(odir, sizeof odir, "%s/commits", dir);
    CHECK_EQ_INT(count_entries(odir), 4);
    wckpt_offsets_init(&e);
    e.batch_id = 4;
    CHECK_EQ_INT(wckpt_write_offsets(c, &e, &err), 0); /* the usual way: nothing was made ahead */
    wckpt_offsets_fini(&e);
    wckpt_close(c);
    /* a crash after offsets/4 was filled, its commit entry still empty: 4 planned, not committed */
    put_file(cpath, "");
    reopen_runs_again(dir, cpath, 4, 5000);
    /* put without sync (the driver syncs once the batch's output is written): not planned until synced;
     * closed before the sync, the entry is emptied and reads as not planned */
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_prepare_next(c, &err), 0);
    wckpt_offsets_init(&e);
    e.batch_id = 5;
    CHECK_EQ_INT(wckpt_put_offsets(c, &e, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(c), 4);
    CHECK_EQ_INT(wckpt_prepare_next(c, &err), 0); /* 5 counts as taken: made ahead up to 5 + WCKPT_AHEAD - 1 */
    snprintf(path, sizeof path, "%s/offsets/6", dir);
    CHECK(wfs_exists(path));
    snprintf(path, sizeof path, "%s/offsets/%d", dir, 5 + WCKPT_AHEAD);
    CHECK(!wfs_exists(path));
    snprintf(path, sizeof path, "%s/offsets/5", dir);
    CHECK(stat(path, &st) == 0 && st.st_size > 0);
    wckpt_close(c);
    CHECK(!wfs_exists(path));
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(c), 4);
    CHECK_EQ_INT(wckpt_prepare_next(c, &err), 0);
    CHECK_EQ_INT(wckpt_put_offsets(c, &e, &err), 0);
    CHECK_EQ_INT(wckpt_sync_offsets(c, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(c), 5);
    CHECK_EQ_INT(wckpt_sync_offsets(c, &err), 0); /* nothing left to sync */
    CHECK_EQ_INT(wckpt_write_commit(c, 5, 6000, &err), 0);
    wckpt_offsets_fini(&e);
    wckpt_close(c);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_committed(c), 5);
    wckpt_close(c);
    /* a fill cut by a crash of the machine (a file system without a journal can keep the new length and
     * lose the data): without a whole commit entry, not planned; with one, damage */
    for (int how = 0; how < 3; how++) {
        snprintf(path, sizeof path, "%s/offsets/6", dir);
        snprintf(cpath, sizeof cpath, "%s/commits/6", dir);
        FILE *f = fopen(path, "w");
        static const char no_newline[] = "v1\n{\"batchWatermarkMs\":0,\"batc";
        static const char zeros[] = "v1\n{\"batchWatermarkMs\":0\0\0\0\0\n";
        if (how == 1) fwrite(no_newline, 1, sizeof no_newline - 1, f);
        else fwrite(zeros, 1, sizeof zeros - 1, f);
        fclose(f);
        if (how == 0) put_file(cpath, "");
        if (how == 2) put_file(cpath, "v1\n{\"nextBatchWatermarkMs\":0}\n");
        werr_clear(&err);
        CHECK_EQ_INT(wckpt_open_readonly(dir, &r, &err), how == 2 ? WEIR_CORRUPT : WEIR_OK);
        if (how < 2) CHECK_EQ_INT(wckpt_last_planned(r), 5);
        wckpt_close(r);
        werr_clear(&err);
        CHECK_EQ_INT(wckpt_open(dir, &c, &err), how == 2 ? WEIR_CORRUPT : WEIR_OK);
        if (how < 2) {
            CHECK_EQ_INT(wckpt_last_planned(c), 5);
            CHECK_EQ_INT(wckpt_last_committed(c), 5);
            CHECK(!wfs_exists(path) && !wfs_exists(cpath));
            wckpt_close(c);
        } else {
            CHECK(strstr(err.msg, "offsets/6") != NULL);
            unlink(path);
            unlink(cpath);
        }
    }
    /* a commit entry above the last planned batch that is not empty is still damage */
    snprintf(cpath, sizeof cpath, "%s/commits/6", dir);
    opens_as_damaged(dir, cpath, "v1\n{\"nextBatchWatermarkMs\":0}\n", "never planned");
    /* made ahead from the batch after next (the next one absent), then a crash: the open looks past the gap */
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    int64_t last = wckpt_last_planned(c);
    CHECK_EQ_INT(wckpt_ahead_wanted(c, last + 2), 1);
    CHECK_EQ_INT(wckpt_make_ahead(c, last + 2, NULL, -1, &err), 0);
    /* made for last + 2 .. last + 1 + WCKPT_AHEAD: wanted again once half of them are used */
    CHECK_EQ_INT(wckpt_ahead_wanted(c, last + 2), 0);
    CHECK_EQ_INT(wckpt_ahead_wanted(c, last + 1 + WCKPT_AHEAD / 2), 0);
    CHECK_EQ_INT(wckpt_ahead_wanted(c, last + 2 + WCKPT_AHEAD / 2), 1);
    snprintf(path, sizeof path, "%s/offsets/%" PRId64, dir, last + 1);
    CHECK(!wfs_exists(path));
    snprintf(path, sizeof path, "%s/offsets/%" PRId64, dir, last + 2);
    CHECK(wfs_exists(path));
    for (int64_t k = last + 2; k < last + 2 + WCKPT_AHEAD; k++) { /* as a crash would leave them */
        char p2[4200];
        snprintf(p2, sizeof p2, "%s/offsets/%" PRId64, dir, k);
        put_file(p2, "");
        snprintf(p2, sizeof p2, "%s/commits/%" PRId64, dir, k);
        put_file(p2, "");
    }
    CHECK_EQ_INT(wckpt_open_readonly(dir, &r, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(r), last);
    CHECK_EQ_INT(wckpt_last_committed(r), last);
    wckpt_close(r);
    wckpt_close(c);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(c), last);
    CHECK_EQ_INT(wckpt_last_committed(c), last);
    CHECK(!wfs_exists(path));
    wckpt_close(c);
    /* a fresh checkpoint whose only entry is an empty offsets/0: nothing planned */
    snprintf(dir, sizeof dir, "%s/ahead0", root);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_prepare_next(c, &err), 0);
    snprintf(path, sizeof path, "%s/offsets/0", dir);
    CHECK(wfs_exists(path));
    CHECK_EQ_INT(wckpt_open_readonly(dir, &r, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(r), -1);
    CHECK_EQ_INT(wckpt_oldest_retained(r), -1);
    wckpt_close(r);
    wckpt_close(c);
    put_file(path, "");
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(c), -1);
    CHECK(!wfs_exists(path));
    wckpt_close(c);
}

static ino_t inode_of(const char *dir, const char *sub, int64_t n) {
    char path[4300];
    snprintf(path, sizeof path, "%s/%s/%lld", dir, sub, (long long)n);
    struct stat st;
    return stat(path, &st) == 0 ? st.st_ino : 0;
}

static off_t size_of(const char *dir, const char *sub, int64_t n) {
    char path[4300];
    snprintf(path, sizeof path, "%s/%s/%lld", dir, sub, (long long)n);
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Copies (hard links) or restores entries k .. to of both logs under a ".keep-" name: what a crash
 * would have left, which a close removes. */
static void keep_entries(const char *dir, int64_t k, int64_t to, int restore) {
    static const char *subs[] = {"offsets", "commits"};
    for (; k <= to; k++)
        for (int i = 0; i < 2; i++) {
            char a[4300], b[4300];
            snprintf(a, sizeof a, "%s/%s/%lld", dir, subs[i], (long long)k);
            snprintf(b, sizeof b, "%s/%s/.keep-%lld", dir, subs[i], (long long)k);
            if (restore) CHECK_EQ_INT(rename(b, a), 0);
            else CHECK_EQ_INT(link(a, b), 0);
        }
}

static void plan(WCkpt *c, int64_t n, const char *files, int commit) {
    WErr err;
    werr_init(&err);
    WOffsetsEntry e;
    wckpt_offsets_init(&e);
    e.batch_id = n;
    e.watermark_ms = 1000 * n;
    e.timestamp_ms = 1662464400000 + n;
    e.log_offset = n;
    if (files) wbuf_puts(&e.files, files);
    CHECK_EQ_INT(wckpt_write_offsets(c, &e, &err), 0);
    wckpt_offsets_fini(&e);
    if (commit) CHECK_EQ_INT(wckpt_write_commit(c, n, 1000 * (n + 1), &err), 0);
}

/* Retention's old entries reused for the entries made ahead (wckpt_make_ahead with a retired range):
 * renamed, not created or removed, and filled in place, their length kept. Until filled they are still
 * sealed for their old batch and count as made ahead; a fill torn by a crash of the machine reads as cut;
 * a commit entry left with an older batch's seal does not commit; an older weir's entries (no seal) are
 * removed, never reused. */
static void test_entries_reused(const char *root) {
    char dir[4096], path[4300];
    snprintf(dir, sizeof dir, "%s/reuse", root);
    WErr err;
    werr_init(&err);
    WCkpt *c = NULL, *r = NULL;
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    /* batch 2 reads 300 files: its entry takes 3 blocks */
    WBuf many;
    wbuf_init(&many);
    for (int i = 0; i < 300; i++) wbuf_printf(&many, "{\"path\":\"f%03d.json\",\"size\":10}\n", i);
    for (int64_t n = 0; n < 20; n++) plan(c, n, n == 2 ? wbuf_cstr(&many) : NULL, 1);
    wbuf_fini(&many);
    CHECK_EQ_INT(size_of(dir, "offsets", 2), 3 * 4096);
    int64_t from, to = wckpt_purge_mark(c, 19, 5, &from);
    CHECK_EQ_INT(from, 0);
    CHECK_EQ_INT(to, 13);
    ino_t o0 = inode_of(dir, "offsets", 0), c0 = inode_of(dir, "commits", 0), o2 = inode_of(dir, "offsets", 2);
    int64_t retired = 0;
    CHECK_EQ_INT(wckpt_make_ahead(c, 21, &retired, to, &err), 0); /* 21 .. 28 from 0 .. 7 */
    CHECK_EQ_INT(retired, WCKPT_AHEAD);
    snprintf(path, sizeof path, "%s/offsets", dir);
    CHECK_EQ_INT(count_entries(path), 20); /* 8 .. 19 and 21 .. 28: none created, none removed */
    snprintf(path, sizeof path, "%s/commits", dir);
    CHECK_EQ_INT(count_entries(path), 20);
    CHECK(inode_of(dir, "offsets", 0) == 0);
    CHECK(o0 != 0 && inode_of(dir, "offsets", 21) == o0);
    CHECK(c0 != 0 && inode_of(dir, "commits", 21) == c0);
    CHECK(inode_of(dir, "offsets", 23) == o2);
    CHECK_EQ_INT(size_of(dir, "offsets", 21), 4096); /* batch 0's text, not a new empty file */
    CHECK_EQ_INT(size_of(dir, "offsets", 23), 3 * 4096);
    /* still sealed for their old batches: a reader sees 19 as the last batch */
    CHECK_EQ_INT(wckpt_open_readonly(dir, &r, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(r), 19);
    CHECK_EQ_INT(wckpt_last_committed(r), 19);
    wckpt_close(r);
    plan(c, 20, NULL, 1); /* not made ahead: the usual way */
    plan(c, 21, "{\"path\":\"b.json\",\"size\":7}\n", 0);
    CHECK(inode_of(dir, "offsets", 21) == o0); /* filled in place */
    snprintf(path, sizeof path, "%s/offsets/21", dir);
    check_sealed(path, "v1\n{\"batchWatermarkMs\":21000,\"batchTimestampMs\":1662464400021,\"conf\":{}}\n"
                       "{\"logOffset\":21}\n{\"path\":\"b.json\",\"size\":7}\n", 21, 4096);
    CHECK_EQ_INT(wckpt_write_commit(c, 21, 22000, &err), 0);
    CHECK(inode_of(dir, "commits", 21) == c0);
    snprintf(path, sizeof path, "%s/commits/21", dir);
    check_sealed(path, "v1\n{\"nextBatchWatermarkMs\":22000}\n", 21, 4096);
    plan(c, 22, NULL, 1);
    plan(c, 23, NULL, 1); /* into batch 2's entry: its three blocks kept */
    CHECK(inode_of(dir, "offsets", 23) == o2);
    snprintf(path, sizeof path, "%s/offsets/23", dir);
    check_sealed(path, "v1\n{\"batchWatermarkMs\":23000,\"batchTimestampMs\":1662464400023,\"conf\":{}}\n"
                       "{\"logOffset\":23}\n", 23, 3 * 4096);
    WOffsetsEntry e;
    wckpt_offsets_init(&e);
    CHECK_EQ_INT(wckpt_read_offsets(c, 21, &e, &err), 0);
    CHECK_EQ_STR(wbuf_cstr(&e.files), "{\"path\":\"b.json\",\"size\":7}\n");
    CHECK_EQ_INT(e.watermark_ms, 21000);
    wckpt_offsets_fini(&e);
    int64_t wm = 0;
    CHECK_EQ_INT(wckpt_read_commit(c, 21, &wm, &err), 0);
    CHECK_EQ_INT(wm, 22000);
    /* a crash now: 24 .. 28 hold batches 3 .. 7 until filled; the open drops them, 23 is the last */
    keep_entries(dir, 24, 28, 0);
    wckpt_close(c);
    keep_entries(dir, 24, 28, 1);
    CHECK_EQ_INT(size_of(dir, "offsets", 24), 4096);
    c = reopened(dir, 23, 23);
    CHECK_EQ_INT(size_of(dir, "offsets", 24), -1);
    CHECK_EQ_INT(size_of(dir, "commits", 24), -1);
    /* a fill torn by a crash of the machine: the first sector of batch 24's plan over batch 8's entry,
     * or the rest of it with batch 8's first sector; neither is a plan */
    WBuf old, fill;
    wbuf_init(&old);
    wbuf_init(&fill);
    snprintf(path, sizeof path, "%s/offsets/8", dir);
    CHECK_EQ_INT(wfs_read_file(path, &old, NULL, &err), 0);
    WBuf lines;
    wbuf_init(&lines);
    for (int i = 0; i < 40; i++) wbuf_printf(&lines, "{\"path\":\"g%02d.json\",\"size\":10}\n", i);
    wbuf_printf(&fill, "v1\n{\"batchWatermarkMs\":24000,\"batchTimestampMs\":1,\"conf\":{}}\n{\"logOffset\":24}\n%s",
                wbuf_cstr(&lines));
    wbuf_fini(&lines);
    WBuf whole;
    wbuf_init(&whole);
    sealed_text(&whole, wbuf_cstr(&fill), 24, 4096);
    CHECK(whole.len == 4096 && old.len == 4096);
    snprintf(path, sizeof path, "%s/offsets/24", dir);
    char cpath[4300];
    snprintf(cpath, sizeof cpath, "%s/commits/24", dir);
    for (int how = 0; how < 2; how++) {
        WBuf torn;
        wbuf_init(&torn);
        wbuf_append(&torn, how == 0 ? whole.data : old.data, 512);
        wbuf_append(&torn, (how == 0 ? old.data : whole.data) + 512, 4096 - 512);
        FILE *f = fopen(path, "w");
        fwrite(torn.data, 1, torn.len, f);
        fclose(f);
        wbuf_fini(&torn);
        put_file(cpath, "");
        wckpt_close(c);
        CHECK_EQ_INT(wckpt_open_readonly(dir, &r, &err), 0);
        CHECK_EQ_INT(wckpt_last_planned(r), 23);
        wckpt_close(r);
        CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
        CHECK_EQ_INT(wckpt_last_planned(c), 23);
        CHECK(!wfs_exists(path));
    }
    /* and whole, it is batch 24's plan */
    FILE *f = fopen(path, "w");
    fwrite(whole.data, 1, whole.len, f);
    fclose(f);
    wckpt_close(c);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_planned(c), 24);
    CHECK_EQ_INT(wckpt_last_committed(c), 23);
    wckpt_offsets_init(&e);
    CHECK_EQ_INT(wckpt_read_offsets(c, 24, &e, &err), 0);
    CHECK_EQ_INT(e.watermark_ms, 24000);
    CHECK(strstr(wbuf_cstr(&e.files), "g39.json") != NULL);
    wckpt_offsets_fini(&e);
    wbuf_fini(&old);
    wbuf_fini(&fill);
    wbuf_fini(&whole);
    /* a commit entry that still holds batch 23's commit (its fill lost in a crash) does not commit 24 */
    CHECK_EQ_INT(wckpt_write_commit(c, 24, 25000, &err), 0);
    wckpt_close(c);
    WBuf c23;
    wbuf_init(&c23);
    char c23path[4300];
    snprintf(c23path, sizeof c23path, "%s/commits/23", dir);
    CHECK_EQ_INT(wfs_read_file(c23path, &c23, NULL, &err), 0);
    f = fopen(cpath, "w");
    fwrite(c23.data, 1, c23.len, f);
    fclose(f);
    wbuf_fini(&c23);
    reopen_runs_again(dir, cpath, 24, 25000);
    /* an older weir's entries (no seal) are removed, never reused */
    snprintf(dir, sizeof dir, "%s/reuse-old", root);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    plan(c, 0, NULL, 1);
    wckpt_close(c);
    for (int n = 1; n < 12; n++) {
        char text[200];
        snprintf(path, sizeof path, "%s/offsets/%d", dir, n);
        snprintf(text, sizeof text, "v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":0,\"conf\":{}}\n{\"logOffset\":%d}\n", n);
        put_file(path, text);
        snprintf(path, sizeof path, "%s/commits/%d", dir, n);
        put_file(path, "v1\n{\"nextBatchWatermarkMs\":0}\n");
    }
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    CHECK_EQ_INT(wckpt_last_committed(c), 11);
    to = wckpt_purge_mark(c, 11, 5, &from); /* 0 .. 5 */
    CHECK_EQ_INT(to, 5);
    ino_t sealed0 = inode_of(dir, "offsets", 0);
    retired = 0;
    CHECK_EQ_INT(wckpt_make_ahead(c, 13, &retired, to, &err), 0);
    CHECK_EQ_INT(retired, 6);
    CHECK(inode_of(dir, "offsets", 13) == sealed0); /* batch 0's, written sealed, reused */
    for (int n = 1; n <= 5; n++) CHECK(inode_of(dir, "offsets", n) == 0 && inode_of(dir, "commits", n) == 0);
    CHECK_EQ_INT(size_of(dir, "offsets", 14), 0); /* made empty */
    CHECK_EQ_INT(size_of(dir, "commits", 14), 0);
    wckpt_close(c);
    CHECK_EQ_INT(size_of(dir, "offsets", 13), -1); /* made ahead, removed at close */
}

/* The folders wfs_fsync_dir is asked to make durable, in order. */
static char synced[16][600];
static int n_synced;
static void log_sync(const char *dir, void *arg) {
    (void)arg;
    if (n_synced < 16) snprintf(synced[n_synced++], sizeof synced[0], "%s", dir);
}

static int was_synced(const char *dir) {
    for (int i = 0; i < n_synced; i++)
        if (!strcmp(synced[i], dir)) return 1;
    return 0;
}

/* Writes offsets/0 (an empty plan) and makes it durable. */
static void plan_first_batch(WCkpt *c) {
    WErr err;
    werr_init(&err);
    WOffsetsEntry e;
    wckpt_offsets_init(&e);
    e.batch_id = 0;
    e.log_offset = 0;
    CHECK_EQ_INT(wckpt_write_offsets(c, &e, &err), 0);
    wckpt_offsets_fini(&e);
}

/* A new checkpoint: no fsync when it opens; its parent folder, its own folder (metadata, offsets, ...) and the
 * metadata file made durable by the first plan, before the plan itself; or by the close when nothing was
 * planned. A metadata file that reads back empty or as zeros (a crash of the machine before that) starts a
 * new checkpoint when no batch was planned, and is damage otherwise. */
static void test_new_checkpoint(const char *root) {
    char base[512], dir[560], path[600];
    snprintf(base, sizeof base, "%s/new", root);
    snprintf(dir, sizeof dir, "%s/ck", base);
    WErr err;
    werr_init(&err);
    WCkpt *c = NULL;
    wfs_observe_dir_syncs(log_sync, NULL);
    for (int plan = 0; plan < 2; plan++) {
        nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        n_synced = 0;
        CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
        CHECK_EQ_INT(n_synced, 0);
        WCkpt *r = NULL; /* a reader sees the metadata at once */
        CHECK_EQ_INT(wckpt_open_readonly(dir, &r, &err), 0);
        if (r) CHECK(!strcmp(wckpt_id(r), wckpt_id(c)));
        wckpt_close(r);
        if (plan) plan_first_batch(c);
        wckpt_close(c);
        CHECK(was_synced(root)); /* for new/ */
        CHECK(was_synced(base)); /* for ck */
        CHECK(was_synced(dir));  /* for metadata, offsets, commits, sources, progress */
        snprintf(path, sizeof path, "%s/offsets", dir);
        CHECK_EQ_INT(was_synced(path), plan); /* for offsets/0 */
        /* the creation's fsyncs come first: the plan is never durable in a checkpoint that is not */
        CHECK(n_synced > 0 && (!plan || !strcmp(synced[n_synced - 1], path)));
    }
    /* a checkpoint whose creator was killed before its first plan (so before any fsync): the next one to
     * open it makes it durable with its first plan */
    char kbase[560], kdir[600];
    snprintf(kbase, sizeof kbase, "%s/killed", root);
    snprintf(kdir, sizeof kdir, "%s/ck", kbase);
    pid_t pid = fork();
    if (pid == 0) {
        WCkpt *k = NULL;
        _exit(wckpt_open(kdir, &k, &err) == 0 ? 0 : 1); /* no close: as a kill -9 */
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    n_synced = 0;
    CHECK_EQ_INT(wckpt_open(kdir, &c, &err), 0);
    CHECK_EQ_INT(n_synced, 0);
    plan_first_batch(c);
    CHECK(was_synced(kbase)); /* for ck */
    CHECK(was_synced(kdir));  /* for metadata and the folders */
    wckpt_close(c);
    /* a checkpoint with a plan is not made durable again */
    n_synced = 0;
    CHECK_EQ_INT(wckpt_open(kdir, &c, &err), 0);
    wckpt_close(c);
    CHECK(!was_synced(kbase) && !was_synced(kdir));
    wfs_observe_dir_syncs(NULL, NULL);
    /* cut metadata: with offsets/0 planned, damage; without a plan, a new start */
    snprintf(path, sizeof path, "%s/metadata", dir);
    put_file(path, "");
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), WEIR_CORRUPT);
    CHECK(strstr(err.msg, "metadata") != NULL);
    werr_clear(&err);
    snprintf(path, sizeof path, "%s/offsets/0", dir);
    CHECK_EQ_INT(unlink(path), 0);
    /* (an entry made ahead by reuse, still sealed for another batch, is no plan either) */
    WBuf stale;
    wbuf_init(&stale);
    sealed_text(&stale, "v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":0,\"conf\":{}}\n", 1, 4096);
    snprintf(path, sizeof path, "%s/offsets/3", dir);
    put_file(path, wbuf_cstr(&stale));
    wbuf_fini(&stale);
    snprintf(path, sizeof path, "%s/metadata", dir);
    static const char zeros[48];
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(zeros, 1, sizeof zeros, f) == sizeof zeros);
    if (f) fclose(f);
    CHECK_EQ_INT(wckpt_open(dir, &c, &err), 0);
    if (c) CHECK_EQ_INT(strlen(wckpt_id(c)), 36);
    if (c) CHECK_EQ_INT(wckpt_last_planned(c), -1);
    snprintf(path, sizeof path, "%s/offsets/3", dir);
    CHECK(!wfs_exists(path));
    wckpt_close(c);
    WCkpt *r = NULL;
    CHECK_EQ_INT(wckpt_open_readonly(dir, &r, &err), 0);
    wckpt_close(r);
}

int main(void) {
    char root[] = "/tmp/weir-test-ckpt-XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    test_logjson();
    test_trigger();
    test_ckpt(root);
    test_lost_commits(root);
    test_offsets_made_ahead(root);
    test_entries_reused(root);
    test_new_checkpoint(root);
    nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return check_summary();
}
