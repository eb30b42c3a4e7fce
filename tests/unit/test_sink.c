/*
 * test_sink.c - the file sinks and their manifest (stream/sink.h, stream/manifest.h):
 *   - every format and compression: the committed files read back (weir's readers, themselves checked
 *     against DuckDB, after zlib / zstd decompression done here) give exactly the rows written;
 *   - names from the batch id, an empty batch commits with no file, maxRecordsPerFile splits, partitionBy
 *     gives Hive folders with Spark's escaping and the partition column left out of the files;
 *   - begin(N) of a committed batch skips; the manifest compacts (few files) and still lists everything
 *     (test_manifest tests the manifest's own reading and compaction);
  *   - crash safety: a child process writes batches and is SIGKILLed at random instants (60 times); after
 *     each restart, batches continue; at the end the manifest lists every batch's rows exactly once and
 *     every listed file exists with the listed size;
 *   - damaged manifest files are WEIR_CORRUPT naming the file;
 *   - after a crash of the machine that kept the last manifest entry but lost (or cut) a file it lists, the
 *     sink drops that entry when it opens and the batch is written again; an intact last entry is kept;
 *   - an entry lost by a crash is written back from its saved text (sink.h: record, restore), only when
 *     its files are there with their sizes;
 *   - the fsyncs of folders: those a new sink creates (its own, missing parents, _weir_metadata, partition
 *     folders) are made durable by the commit that relies on them, not at open, and not again after; so
 *     are those an open or a batch killed before its commit left behind.
 */
#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "core/fs.h"
#include "formats/csv.h"
#include "formats/json.h"
#include "formats/parquet.h"
#include "stream/manifest.h"
#include "stream/sink.h"

static char root[] = "/tmp/weir-test-sink-XXXXXX";

/* Row r of the test data: id = r, name = "n<r>" with a quote, comma and newline every 7th row, NULL every
 * 5th; price = r / 8.0; part = "p" + r % 3 ("" for r % 11 == 0, NULL for r % 13 == 0). */
#define DDL "id BIGINT, name STRING, price DOUBLE, part STRING"

static void fill(WBatch *b, int64_t from, int64_t n) {
    wbatch_reset(b);
    for (int64_t r = from; r < from + n; r++) {
        wbatch_begin_row(b);
        wvec_append_i64(wbatch_col(b, 0), r);
        char s[64];
        int k = snprintf(s, sizeof s, r % 7 == 0 ? "n\"%" PRId64 ",\nx" : "n%" PRId64, r);
        if (r % 5 == 0) wvec_append_null(wbatch_col(b, 1));
        else wvec_append_str(wbatch_col(b, 1), s, (size_t)k);
        wvec_append_f64(wbatch_col(b, 2), (double)r / 8.0);
        if (r % 13 == 0) wvec_append_null(wbatch_col(b, 3));
        else if (r % 11 == 0) wvec_append_str(wbatch_col(b, 3), "", 0);
        else {
            k = snprintf(s, sizeof s, "p/%d", (int)(r % 3));
            wvec_append_str(wbatch_col(b, 3), s, (size_t)k);
        }
    }
}

/* Checks row i of b against the generator for id (only the columns of `schema`, by name). */
static int row_ok(const WBatch *b, int64_t i, int with_part) {
    int64_t r = wvec_i64(&b->root.children[0], i);
    char s[64];
    int k = snprintf(s, sizeof s, r % 7 == 0 ? "n\"%" PRId64 ",\nx" : "n%" PRId64, r);
    const WVec *name = &b->root.children[1];
    if (r % 5 == 0) {
        if (!wvec_is_null(name, i)) return 0;
    } else {
        size_t n;
        const char *p = wvec_str(name, i, &n);
        if (wvec_is_null(name, i) || n != (size_t)k || memcmp(p, s, n)) return 0;
    }
    if (wvec_f64(&b->root.children[2], i) != (double)r / 8.0) return 0;
    (void)with_part;
    return 1;
}

static int sink_open_fmt(const char *fmt, const char *dir, const char *extra[], WType *schema, const WSinkOps **ops,
                         WSink **s, WOpts *o, WErr *err) {
    wopts_init(o);
    wopts_set(o, "path", dir);
    for (int i = 0; extra && extra[i]; i += 2) wopts_set(o, extra[i], extra[i + 1]);
    *ops = wsink_lookup(fmt);
    if (!*ops) return -1;
    WSinkConfig cfg = {fmt, o, schema, "q", NULL, "UTC", NULL, NULL};
    return (*ops)->open(&cfg, s, err);
}

/* Writes batches [0, n_batches) of `per` rows each (batch 1 empty), committing each. */
static int write_batches(const WSinkOps *ops, WSink *s, WBatch *b, int first, int n_batches, int per, WErr *err) {
    for (int n = first; n < n_batches; n++) {
        int skip = 0;
        int rc = ops->begin(s, n, &skip, err);
        if (rc) return rc;
        if (skip) continue;
        if (n != 1) {
            fill(b, (int64_t)n * per, per);
            if ((rc = ops->write(s, n, b, err))) return rc;
        }
        WSinkStats st;
        if ((rc = ops->commit(s, n, &st, err))) return rc;
    }
    return WEIR_OK;
}

/* Opens a csv sink on dir (options extra), writes batches [0, n_batches) of `per` rows through b, closes it. */
static void write_csv_sink(const char *dir, const char *extra[], WType *schema, WBatch *b, int n_batches, int per) {
    WErr err;
    werr_init(&err);
    const WSinkOps *ops;
    WSink *s = NULL;
    WOpts o;
    CHECK_EQ_INT(sink_open_fmt("csv", dir, extra, schema, &ops, &s, &o, &err), WEIR_OK);
    CHECK_EQ_INT(write_batches(ops, s, b, 0, n_batches, per, &err), WEIR_OK);
    ops->close(s);
    wopts_fini(&o);
}

static int decompress(const char *path, WBuf *raw, WBuf *out) {
    size_t n = strlen(path);
    if (n > 3 && !strcmp(path + n - 3, ".gz")) {
        z_stream z;
        memset(&z, 0, sizeof z);
        if (inflateInit2(&z, 15 + 16) != Z_OK) return -1;
        z.next_in = (Bytef *)raw->data;
        z.avail_in = (uInt)raw->len;
        int zr;
        do {
            wbuf_reserve(out, 65536);
            z.next_out = (Bytef *)out->data + out->len;
            z.avail_out = 65536;
            zr = inflate(&z, Z_NO_FLUSH);
            out->len += 65536 - z.avail_out;
        } while (zr == Z_OK);
        inflateEnd(&z);
        return zr == Z_STREAM_END ? 0 : -1;
    }
    if (n > 4 && !strcmp(path + n - 4, ".zst")) {
        unsigned long long sz = ZSTD_getFrameContentSize(raw->data, raw->len);
        ZSTD_DStream *d = ZSTD_createDStream();
        ZSTD_inBuffer in = {raw->data, raw->len, 0};
        size_t r = 1;
        (void)sz;
        while (in.pos < in.size && r != 0) {
            wbuf_reserve(out, 65536);
            ZSTD_outBuffer ob = {out->data + out->len, 65536, 0};
            r = ZSTD_decompressStream(d, &ob, &in);
            if (ZSTD_isError(r)) break;
            out->len += ob.pos;
        }
        ZSTD_freeDStream(d);
        return ZSTD_isError(r) ? -1 : 0;
    }
    wbuf_append(out, raw->data, raw->len);
    return 0;
}

/* Reads every committed file of `dir` with weir's readers; counts rows and checks each against the
 * generator; seen[id]++ for each. Returns rows read or -1. */
static int64_t read_back(const char *fmt, const char *dir, const WType *data_schema, int *seen, int64_t max_id,
                         int header) {
    WManifest m;
    wmanifest_init(&m);
    WErr err;
    werr_init(&err);
    if (wmanifest_read(dir, &m, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    int64_t total = 0;
    WBatch b;
    wbatch_init(&b, data_schema);
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "mode", "FAILFAST");
    if (header) wopts_set(&o, "header", "true");
    for (int64_t i = 0; i < m.n && total >= 0; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, m.files[i].path);
        struct stat st;
        if (stat(path, &st) != 0 || st.st_size != m.files[i].size) {
            fprintf(stderr, "manifest file %s missing or of another size\n", path);
            total = -1;
            break;
        }
        wbatch_reset(&b);
        int rc = 0;
        if (!strcmp(fmt, "parquet")) {
            WPqReader *r;
            rc = wpq_reader_open(path, &r, &err);
            int64_t got = 0; /* the files here hold at most 40 rows: one call reads all */
            if (!rc) rc = wpq_reader_next(r, &b, 1 << 20, &got, &err);
            if (!rc) wpq_reader_close(r);
        } else {
            WBuf raw, text;
            wbuf_init(&raw);
            wbuf_init(&text);
            rc = wfs_read_file(path, &raw, NULL, &err);
            if (!rc) rc = decompress(path, &raw, &text);
            int done = 0;
            if (!strcmp(fmt, "csv")) {
                WCsvReader *r;
                if (!rc) rc = wcsv_reader_open(data_schema, &o, &r, &err);
                if (!rc) {
                    wcsv_begin(r, path, text.data, text.len);
                    while (!rc && !done) rc = wcsv_next(r, &b, 1 << 20, &done, &err);
                    wcsv_reader_close(r);
                }
            } else {
                WJsonReader *r;
                if (!rc) rc = wjson_reader_open(data_schema, &o, &r, &err);
                if (!rc) {
                    wjson_begin(r, path, text.data, text.len);
                    while (!rc && !done) rc = wjson_next(r, &b, 1 << 20, &done, &err);
                    wjson_reader_close(r);
                }
            }
            wbuf_fini(&raw);
            wbuf_fini(&text);
        }
        if (rc) {
            fprintf(stderr, "read %s: %s\n", path, err.msg);
            total = -1;
            break;
        }
        if (wbatch_rows(&b) != m.files[i].rows) {
            fprintf(stderr, "%s: %" PRId64 " rows, manifest says %" PRId64 "\n", path, wbatch_rows(&b), m.files[i].rows);
            total = -1;
            break;
        }
        for (int64_t k = 0; k < wbatch_rows(&b); k++) {
            int64_t id = wvec_i64(&b.root.children[0], k);
            if (id < 0 || id >= max_id || !row_ok(&b, k, 0)) {
                fprintf(stderr, "%s: row %" PRId64 " (id %" PRId64 ") differs\n", path, k, id);
                total = -1;
                break;
            }
            seen[id]++;
        }
        if (total >= 0) total += wbatch_rows(&b);
    }
    wbatch_fini(&b);
    wopts_fini(&o);
    wmanifest_fini(&m);
    return total;
}

static int count_files(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void formats_and_codecs(void) {
    const char *cases[][3] = {{"csv", "none", "true"}, {"csv", "gzip", "true"}, {"csv", "zstd", "false"},
                              {"json", "none", NULL}, {"json", "gzip", NULL}, {"json", "zstd", NULL},
                              {"parquet", "snappy", NULL}, {"parquet", "zstd", NULL}, {"parquet", "uncompressed", NULL}};
    WType schema, data;
    WErr err;
    werr_init(&err);
    CHECK(wschema_parse(DDL, strlen(DDL), &schema, &err) == 0);
    CHECK(wschema_parse(DDL, strlen(DDL), &data, &err) == 0);
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%s-%s", root, cases[c][0], cases[c][1]);
        const char *extra[] = {"compression", cases[c][1], "maxRecordsPerFile", "40", "compactInterval", "4",
                               cases[c][2] ? "header" : NULL, cases[c][2], NULL};
        const WSinkOps *ops;
        WSink *s = NULL;
        WOpts o;
        int rc = sink_open_fmt(cases[c][0], dir, extra, &schema, &ops, &s, &o, &err);
        CHECK_EQ_INT(rc, WEIR_OK);
        if (rc) {
            fprintf(stderr, "%s\n", err.msg);
            wopts_fini(&o);
            continue;
        }
        WBatch b;
        wbatch_init(&b, &schema);
        /* 10 batches of 100 rows, batch 1 empty */
        CHECK_EQ_INT(write_batches(ops, s, &b, 0, 10, 100, &err), WEIR_OK);
        /* committed batches are skipped on a re-run */
        int skip = 0;
        CHECK_EQ_INT(ops->begin(s, 7, &skip, &err), WEIR_OK);
        CHECK_EQ_INT(skip, 1);
        ops->abort(s, 7);
        ops->close(s);
        wopts_fini(&o);
        int seen[1000] = {0};
        int64_t got = read_back(cases[c][0], dir, &data, seen, 1000, cases[c][2] && !strcmp(cases[c][2], "true"));
        CHECK_EQ_INT(got, 900);
        int once = 1;
        for (int i = 0; i < 1000; i++) once &= seen[i] == ((i >= 100 && i < 200) ? 0 : 1);
        CHECK(once);
        /* 9 non-empty batches of 100 rows at 40 per file: 3 files each */
        WManifest m;
        wmanifest_init(&m);
        CHECK_EQ_INT(wmanifest_read(dir, &m, &err), WEIR_OK);
        CHECK_EQ_INT(m.n, 27);
        CHECK_EQ_INT(m.last_batch, 9);
        if (m.n == 27) {
            char want[64];
            snprintf(want, sizeof want, "part-00000-0000.%s", cases[c][0]);
            CHECK(strncmp(m.files[0].path, want, strlen(want)) == 0);
            CHECK_EQ_INT(m.files[2].rows, 20);
        }
        wmanifest_fini(&m);
        /* compaction at batches 3 and 7 leaves 7.compact, 8 and 9 */
        char meta[600];
        snprintf(meta, sizeof meta, "%s/_weir_metadata", dir);
        CHECK_EQ_INT(count_files(meta), 3);
        wbatch_fini(&b);
    }
    wtype_fini(&schema);
    wtype_fini(&data);
}

static void partitions(void) {
    WType schema, data;
    WErr err;
    werr_init(&err);
    CHECK(wschema_parse(DDL, strlen(DDL), &schema, &err) == 0);
    CHECK(wschema_parse("id BIGINT, name STRING, price DOUBLE", strlen("id BIGINT, name STRING, price DOUBLE"), &data, &err) == 0);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/parts", root);
    const char *extra[] = {"partitionBy", "part", "header", "true", NULL};
    WBatch b;
    wbatch_init(&b, &schema);
    write_csv_sink(dir, extra, &schema, &b, 3, 100);
    /* Spark's escaping: '/' is %2F; NULL and '' go to __HIVE_DEFAULT_PARTITION__ */
    char p[700];
    snprintf(p, sizeof p, "%s/part=p%%2F0", dir);
    CHECK(wfs_exists(p));
    snprintf(p, sizeof p, "%s/part=__HIVE_DEFAULT_PARTITION__", dir);
    CHECK(wfs_exists(p));
    CHECK_EQ_INT(count_files(dir), 5); /* 3 values + default + _weir_metadata */
    int seen[300] = {0};
    CHECK_EQ_INT(read_back("csv", dir, &data, seen, 300, 1), 200);
    int once = 1;
    for (int i = 0; i < 300; i++) once &= seen[i] == (i >= 100 && i < 200 ? 0 : 1);
    CHECK(once);
    /* the partition column is not inside the files: the header has 3 names */
    WManifest m;
    wmanifest_init(&m);
    CHECK_EQ_INT(wmanifest_read(dir, &m, &err), WEIR_OK);
    int found = 0;
    for (int64_t i = 0; i < m.n; i++) {
        if (strncmp(m.files[i].path, "part=p%2F1/part-", 16) != 0) continue;
        found++;
        WBuf t;
        wbuf_init(&t);
        snprintf(p, sizeof p, "%s/%s", dir, m.files[i].path);
        CHECK_EQ_INT(wfs_read_file(p, &t, NULL, &err), WEIR_OK);
        CHECK(t.len > 14 && memcmp(t.data, "id,name,price\n", 14) == 0);
        wbuf_fini(&t);
    }
    CHECK_EQ_INT(found, 2); /* batches 0 and 2 */
    wmanifest_fini(&m);
    werr_clear(&err);
    /* bad partitionBy */
    const WSinkOps *ops;
    WSink *s = NULL;
    WOpts o;
    const char *bad[] = {"partitionBy", "nope", NULL};
    CHECK_EQ_INT(sink_open_fmt("csv", dir, bad, &schema, &ops, &s, &o, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "nope") != NULL);
    wopts_fini(&o);
    werr_clear(&err);
    const char *unknown[] = {"colour", "red", NULL};
    CHECK_EQ_INT(sink_open_fmt("json", dir, unknown, &schema, &ops, &s, &o, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "colour") != NULL);
    wopts_fini(&o);
    werr_clear(&err);
    const char *bad_ttl[] = {"retention", "forever", NULL};
    CHECK_EQ_INT(sink_open_fmt("csv", dir, bad_ttl, &schema, &ops, &s, &o, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "retention") != NULL);
    wopts_fini(&o);
    werr_clear(&err);
    /* retention: batches committed over a second before a compaction leave the manifest (not the folder) */
    char rdir[600];
    snprintf(rdir, sizeof rdir, "%s/retention", root);
    const char *ttl[] = {"retention", "1 second", "compactInterval", "2", NULL};
    CHECK_EQ_INT(sink_open_fmt("csv", rdir, ttl, &schema, &ops, &s, &o, &err), WEIR_OK);
    CHECK_EQ_INT(write_batches(ops, s, &b, 0, 4, 3, &err), WEIR_OK);
    struct timespec pause = {1, 300 * 1000000};
    nanosleep(&pause, NULL);
    CHECK_EQ_INT(write_batches(ops, s, &b, 4, 12, 3, &err), WEIR_OK);
    ops->close(s);                                     /* waits for the last compaction */
    wopts_fini(&o);
    wmanifest_init(&m);
    CHECK_EQ_INT(wmanifest_read(rdir, &m, &err), WEIR_OK);
    int64_t lowest = INT64_MAX;
    for (int64_t i = 0; i < m.n; i++) lowest = m.files[i].batch < lowest ? m.files[i].batch : lowest;
    CHECK_EQ_INT(lowest, 4);                           /* batches 0..3 left it; 4..11 stay */
    CHECK_EQ_INT(m.last_batch, 11);
    wmanifest_fini(&m);
    wbatch_fini(&b);
    wtype_fini(&schema);
    wtype_fini(&data);
}

/* A child writes batches from where the manifest stopped, forever; the parent kills it at random. */
static void kill_test(void) {
    WType schema, data;
    WErr err;
    werr_init(&err);
    CHECK(wschema_parse(DDL, strlen(DDL), &schema, &err) == 0);
    CHECK(wschema_parse(DDL, strlen(DDL), &data, &err) == 0);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/kill", root);
    const int per = 50, limit = 1000;
    srand((unsigned)time(NULL));
    int kills = 0;
    int64_t by_children = 0, prev_next = -2;
    for (int round = 0; round < 60; round++) {
        WManifest m;
        wmanifest_init(&m);
        CHECK_EQ_INT(wmanifest_read(dir, &m, &err), WEIR_OK);
        int64_t next = m.last_batch + 1;
        wmanifest_fini(&m);
        by_children = next;
        if (next >= limit) break;
        pid_t pid = fork();
        if (pid == 0) {
            const char *extra[] = {"maxRecordsPerFile", "20", "compactInterval", "5", "compression", "gzip", NULL};
            const WSinkOps *ops;
            WSink *s = NULL;
            WOpts o;
            WErr e;
            werr_init(&e);
            if (sink_open_fmt("json", dir, extra, &schema, &ops, &s, &o, &e)) _exit(3);
            WBatch b;
            wbatch_init(&b, &schema);
            /* a real driver re-runs batch `next` exactly: begin(next) may find it committed (skip) */
            if (write_batches(ops, s, &b, (int)next, limit, per, &e)) { fprintf(stderr, "child: %s\n", e.msg); _exit(4); }
            _exit(0);
        }
        /* 0-15 ms, so kills land anywhere in a batch; after a round in which the child committed nothing,
         * 20-60 ms, so progress does not depend on the machine's load or the sanitizers */
        long us = next == prev_next ? 20000 + rand() % 40000 : rand() % 15000;
        prev_next = next;
        struct timespec ts = {0, us * 1000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status)) kills++;
        else CHECK_EQ_INT(WEXITSTATUS(status), 0);
    }
    /* finish in this process */
    const char *extra[] = {"maxRecordsPerFile", "20", "compactInterval", "5", "compression", "gzip", NULL};
    const WSinkOps *ops;
    WSink *s = NULL;
    WOpts o;
    CHECK_EQ_INT(sink_open_fmt("json", dir, extra, &schema, &ops, &s, &o, &err), WEIR_OK);
    WManifest m;
    wmanifest_init(&m);
    CHECK_EQ_INT(wmanifest_read(dir, &m, &err), WEIR_OK);
    WBatch b;
    wbatch_init(&b, &schema);
    CHECK_EQ_INT(write_batches(ops, s, &b, (int)(m.last_batch + 1), limit, per, &err), WEIR_OK);
    wmanifest_fini(&m);
    ops->close(s);
    wopts_fini(&o);
    wbatch_fini(&b);
    printf("kill test: %d kills; the killed children committed %" PRId64 " of %d batches\n", kills, by_children, limit);
    CHECK(kills >= 50);
    CHECK(by_children >= 10); /* the children made progress between kills */
    int *seen = calloc((size_t)limit * per, sizeof *seen);
    CHECK_EQ_INT(read_back("json", dir, &data, seen, (int64_t)limit * per, 0), (int64_t)(limit - 1) * per);
    int once = 1;
    for (int i = 0; i < limit * per; i++) once &= seen[i] == ((i >= per && i < 2 * per) ? 0 : 1);
    CHECK(once);
    free(seen);
    wtype_fini(&schema);
    wtype_fini(&data);
}

static void damaged(void) {
    char dir[512], p[700];
    snprintf(dir, sizeof dir, "%s/damaged", root);
    snprintf(p, sizeof p, "%s/_weir_metadata", dir);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wfs_mkdirs(p, &err), WEIR_OK);
    const char *bodies[] = {"v2\n", "v1\n{\"path\":\"a.csv\",\"size\":1,\"rows\":1}\n", "v1\n{\"path\":\"a.csv\",\"size\":",
                            "v1\n{\"path\":\"../x\",\"size\":1,\"rows\":1,\"batch\":0}\n", ""};
    const char *next = "v1\n{\"path\":\"b.csv\",\"size\":1,\"rows\":1,\"batch\":1}\n";
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++)
        for (int followed = 0; followed < 2; followed++) {
            snprintf(p, sizeof p, "%s/_weir_metadata/0", dir);
            CHECK_EQ_INT(wfs_write_atomic(p, bodies[i], strlen(bodies[i]), &err), WEIR_OK);
            snprintf(p, sizeof p, "%s/_weir_metadata/1", dir);
            if (followed) CHECK_EQ_INT(wfs_write_atomic(p, next, strlen(next), &err), WEIR_OK);
            else unlink(p);
            WManifest m;
            wmanifest_init(&m);
            werr_clear(&err);
            /* empty: made ahead, not filled (anywhere); cut short: being filled (only as the last entry) */
            int absent = i == 4 || (i == 2 && !followed);
            CHECK_EQ_INT(wmanifest_read(dir, &m, &err), absent ? WEIR_OK : WEIR_CORRUPT);
            if (absent) CHECK_EQ_INT(m.last_batch, followed ? 1 : -1);
            else CHECK(strstr(err.msg, "_weir_metadata/0") != NULL);
            wmanifest_fini(&m);
        }
    snprintf(p, sizeof p, "%s/_weir_metadata/1", dir);
    unlink(p);
    /* a folder with no manifest is empty, not an error */
    WManifest m;
    wmanifest_init(&m);
    werr_clear(&err);
    CHECK_EQ_INT(wmanifest_read(root, &m, &err), WEIR_OK);
    CHECK_EQ_INT(m.last_batch, -1);
    wmanifest_fini(&m);
}

/* A state a crash of the machine should not leave, since the sink fsyncs a batch's files and their folders
 * before it shows the entry, but which a disk that reorders writes could: the last entry durable, one of
 * its files gone or cut short. Opening the sink drops the entry, so the batch is not skipped but written
 * again; an intact last entry still makes begin() skip. */
/* Reopens the csv sink of dir after a (simulated) crash: batch `from` must run again (or, skip_from, be
 * skipped), batches from .. to-1 of `per` rows (batch 1 empty) are written, and every row of
 * [0, n_rows) is there once but those of [lost_lo, lost_hi) (the empty batch's). */
static void rerun_and_check(const char *dir, WType *schema, WType *data, WBatch *b, int from, int to, int per,
                            int skip_from, int n_rows, int lost_lo, int lost_hi) {
    WErr err;
    werr_init(&err);
    const WSinkOps *ops;
    WSink *s = NULL;
    WOpts o;
    CHECK_EQ_INT(sink_open_fmt("csv", dir, NULL, schema, &ops, &s, &o, &err), WEIR_OK);
    int skip = -1;
    CHECK_EQ_INT(ops->begin(s, from, &skip, &err), WEIR_OK);
    CHECK_EQ_INT(skip, skip_from);
    ops->abort(s, from);
    CHECK_EQ_INT(write_batches(ops, s, b, from, to, per, &err), WEIR_OK);
    ops->close(s);
    wopts_fini(&o);
    int *seen = calloc((size_t)n_rows, sizeof *seen);
    CHECK_EQ_INT(read_back("csv", dir, data, seen, n_rows, 0), n_rows - (lost_hi - lost_lo));
    int once = 1;
    for (int i = 0; i < n_rows; i++) once &= seen[i] == (i >= lost_lo && i < lost_hi ? 0 : 1);
    CHECK(once);
    free(seen);
}

/* The schema the crash tests write (twice: one for the rows written, one to read them back). */
static void crash_schemas(WType *schema, WType *data) {
    WErr err;
    werr_init(&err);
    CHECK(wschema_parse(DDL, strlen(DDL), schema, &err) == 0);
    CHECK(wschema_parse(DDL, strlen(DDL), data, &err) == 0);
}

static void lost_names(void) {
    WType schema, data;
    WErr err;
    werr_init(&err);
    crash_schemas(&schema, &data);
    for (int how = 0; how < 3; how++) { /* 0: file removed, 1: file cut short, 2: nothing lost */
        char dir[512], p[800];
        snprintf(dir, sizeof dir, "%s/lost%d", root, how);
        WBatch b;
        wbatch_init(&b, &schema);
        write_csv_sink(dir, NULL, &schema, &b, 3, 50);
        WManifest m;
        wmanifest_init(&m);
        CHECK_EQ_INT(wmanifest_read(dir, &m, &err), WEIR_OK);
        CHECK_EQ_INT(m.last_batch, 2);
        CHECK(m.n == 2 && m.files[1].batch == 2);
        snprintf(p, sizeof p, "%s/%s", dir, m.files[1].path);
        if (how == 0) CHECK(unlink(p) == 0);
        if (how == 1) CHECK(truncate(p, m.files[1].size / 2) == 0);
        wmanifest_fini(&m);
        rerun_and_check(dir, &schema, &data, &b, 2, 3, 50, how == 2, 150, 50, 100);
        wbatch_fini(&b);
    }
    wtype_fini(&schema);
    wtype_fini(&data);
}

/* A batch in the driver's steps: written (nothing visible: no file under its final name, no manifest
 * entry), prepare (the files under their final names, still no entry), commit (the entry); and a batch
 * given up before prepare leaves nothing behind. gzip, so prepare also writes the stream's end. */
static int count_visible(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && strcmp(e->d_name, "_weir_metadata") != 0) n++;
    if (d) closedir(d);
    return n;
}

static void driver_steps(void) {
    WType schema, data;
    WErr err;
    werr_init(&err);
    CHECK(wschema_parse(DDL, strlen(DDL), &schema, &err) == 0);
    CHECK(wschema_parse(DDL, strlen(DDL), &data, &err) == 0);
    char dir[512], entry[800];
    snprintf(dir, sizeof dir, "%s/steps", root);
    const char *extra[] = {"compression", "gzip", NULL};
    const WSinkOps *ops;
    WSink *s = NULL;
    WOpts o;
    CHECK_EQ_INT(sink_open_fmt("csv", dir, extra, &schema, &ops, &s, &o, &err), WEIR_OK);
    CHECK(ops->prepare != NULL);
    WBatch b;
    wbatch_init(&b, &schema);
    int skip = -1;
    CHECK_EQ_INT(ops->begin(s, 0, &skip, &err), WEIR_OK);
    fill(&b, 0, 40);
    CHECK_EQ_INT(ops->write(s, 0, &b, &err), WEIR_OK);
    snprintf(entry, sizeof entry, "%s/_weir_metadata/0", dir);
    CHECK_EQ_INT(count_visible(dir), 0);
    CHECK(!wfs_exists(entry));
    CHECK_EQ_INT(ops->prepare(s, 0, &err), WEIR_OK);
    CHECK_EQ_INT(ops->prepare(s, 0, &err), WEIR_OK); /* once is enough */
    CHECK_EQ_INT(count_visible(dir), 1);
    CHECK(!wfs_exists(entry));
    WSinkStats st;
    CHECK_EQ_INT(ops->commit(s, 0, &st, &err), WEIR_OK);
    CHECK(wfs_exists(entry));
    CHECK_EQ_INT(st.rows, 40);
    /* batch 1 written, then given up: no file, its entry (made ahead) still empty */
    CHECK_EQ_INT(ops->begin(s, 1, &skip, &err), WEIR_OK);
    fill(&b, 40, 40);
    CHECK_EQ_INT(ops->write(s, 1, &b, &err), WEIR_OK);
    ops->abort(s, 1);
    snprintf(entry, sizeof entry, "%s/_weir_metadata/1", dir);
    struct stat st1;
    CHECK(stat(entry, &st1) != 0 || st1.st_size == 0);
    CHECK_EQ_INT(count_visible(dir), 1);
    /* batches 1 and 2 the usual way: entries are made ahead from the sink's second commit on, from the
     * batch after next (3 .. 9) */
    for (int n = 1; n <= 2; n++) {
        CHECK_EQ_INT(ops->begin(s, n, &skip, &err), WEIR_OK);
        fill(&b, 40 * n, 40);
        CHECK_EQ_INT(ops->write(s, n, &b, &err), WEIR_OK);
        CHECK_EQ_INT(ops->commit(s, n, &st, &err), WEIR_OK);
    }
    /* batch 3 through its entry made ahead (by a worker, in the background: waited for here, the sink never
     * waits): empty until the commit fills it, the same file (no rename) */
    snprintf(entry, sizeof entry, "%s/_weir_metadata/9", dir);
    for (int i = 0; i < 500 && !wfs_exists(entry); i++) usleep(10000);
    CHECK(wfs_exists(entry));
    usleep(500000); /* its folder fsync */
    snprintf(entry, sizeof entry, "%s/_weir_metadata/3", dir);
    CHECK(stat(entry, &st1) == 0 && st1.st_size == 0);
    ino_t ino = st1.st_ino;
    CHECK_EQ_INT(ops->begin(s, 3, &skip, &err), WEIR_OK);
    fill(&b, 120, 40);
    CHECK_EQ_INT(ops->write(s, 3, &b, &err), WEIR_OK);
    CHECK_EQ_INT(ops->prepare(s, 3, &err), WEIR_OK);
    CHECK(stat(entry, &st1) == 0 && st1.st_size == 0);
    CHECK_EQ_INT(ops->commit(s, 3, &st, &err), WEIR_OK);
    CHECK(stat(entry, &st1) == 0 && st1.st_size > 0 && st1.st_ino == ino);
    snprintf(entry, sizeof entry, "%s/_weir_metadata/4", dir);
    CHECK(wfs_exists(entry)); /* the next ones, made ahead */
    ops->close(s);
    CHECK(!wfs_exists(entry)); /* removed by the close */
    wopts_fini(&o);
    int seen[160] = {0};
    CHECK_EQ_INT(read_back("csv", dir, &data, seen, 160, 0), 160); /* the gzip streams end whole */
    int once = 1;
    for (int i = 0; i < 160; i++) once &= seen[i] == 1;
    CHECK(once);
    wbatch_fini(&b);
    wtype_fini(&schema);
    wtype_fini(&data);
}

static void put_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* A csv sink folder of batches 0..2 of `per` rows (batch 1 empty), for a simulated crash. */
typedef struct CrashCase {
    WType schema, data;
    WBatch b;
    char dir[512];
} CrashCase;

static void crash_case_open(CrashCase *c, const char *name, int per) {
    crash_schemas(&c->schema, &c->data);
    snprintf(c->dir, sizeof c->dir, "%s/%s", root, name);
    wbatch_init(&c->b, &c->schema);
    write_csv_sink(c->dir, NULL, &c->schema, &c->b, 3, per);
}

static void crash_case_close(CrashCase *c) {
    wbatch_fini(&c->b);
    wtype_fini(&c->schema);
    wtype_fini(&c->data);
}

/* A crash of the machine while batch 2's entry (made ahead) was filled: cut short, with the empty entries
 * made ahead after it. The sink's open drops them all; batch 2 runs again; every row is there once. */
static void cut_entry(void) {
    WErr err;
    werr_init(&err);
    CrashCase c;
    crash_case_open(&c, "cut", 30);
    const char *dir = c.dir;
    char p[800];
    snprintf(p, sizeof p, "%s/_weir_metadata/2", dir);
    put_text(p, "v1\n{\"path\":\"part-00002-0000.csv\",\"si");
    for (int k = 3; k < 6; k++) {
        snprintf(p, sizeof p, "%s/_weir_metadata/%d", dir, k);
        put_text(p, "");
    }
    WManifest m;
    wmanifest_init(&m);
    CHECK_EQ_INT(wmanifest_read(dir, &m, &err), WEIR_OK); /* a reader skips them */
    CHECK_EQ_INT(m.last_batch, 1);
    wmanifest_fini(&m);
    const WSinkOps *ops;
    WSink *s = NULL;
    WOpts o;
    CHECK_EQ_INT(sink_open_fmt("csv", dir, NULL, &c.schema, &ops, &s, &o, &err), WEIR_OK);
    for (int k = 2; k < 6; k++) { /* the open removed them */
        snprintf(p, sizeof p, "%s/_weir_metadata/%d", dir, k);
        CHECK(!wfs_exists(p));
    }
    ops->close(s);
    wopts_fini(&o);
    rerun_and_check(dir, &c.schema, &c.data, &c.b, 2, 4, 30, 0, 120, 30, 60);
    crash_case_close(&c);
}

/* An entry lost in a crash of the machine (its fsync runs after commit), written back from the text the
 * sink gave for it (what the driver saves in the next plan): the same bytes, only with its files intact,
 * only for the batch after the sink's last. */
static void restore_entry(void) {
    WErr err;
    werr_init(&err);
    CrashCase c;
    crash_case_open(&c, "restore", 20);
    const WSinkOps *ops;
    WSink *s = NULL;
    WOpts o;
    const char *dir = c.dir;
    char p[800];
    CHECK_EQ_INT(sink_open_fmt("csv", dir, NULL, &c.schema, &ops, &s, &o, &err), WEIR_OK);
    CHECK_EQ_INT(write_batches(ops, s, &c.b, 3, 4, 20, &err), WEIR_OK);
    const char *text = NULL;
    size_t len = 0;
    CHECK(ops->record(s, 2, &text, &len) != 0); /* only the last batch's */
    CHECK_EQ_INT(ops->record(s, 3, &text, &len), 0);
    char *saved = strndup(text, len);
    size_t saved_len = len;
    CHECK_EQ_INT(ops->sync(s, &err), WEIR_OK);
    ops->close(s);
    wopts_fini(&o);
    snprintf(p, sizeof p, "%s/_weir_metadata/3", dir);
    WBuf on_disk;
    wbuf_init(&on_disk);
    CHECK_EQ_INT(wfs_read_file(p, &on_disk, NULL, &err), WEIR_OK);
    CHECK(on_disk.len == len && memcmp(on_disk.data, saved, len) == 0); /* the text is the entry's */
    CHECK_EQ_INT(unlink(p), 0);
    CHECK_EQ_INT(sink_open_fmt("csv", dir, NULL, &c.schema, &ops, &s, &o, &err), WEIR_OK);
    CHECK_EQ_INT(ops->last_batch(s), 2);
    CHECK_EQ_INT(ops->record(s, 2, &text, &len), 0); /* read back from entry 2 when the sink opens */
    CHECK(len > 3 && memmem(text, len, "part-00002-0000.csv", 19) != NULL);
    len = saved_len;
    werr_clear(&err);
    CHECK_EQ_INT(ops->restore(s, 4, saved, len, &err), WEIR_MISUSE); /* not the next batch */
    /* a saved text whose file has another size: refused, nothing written */
    char *bad = strdup(saved);
    char *sz = strstr(bad, "\"size\":");
    CHECK(sz != NULL);
    if (sz) sz[7] = sz[7] == '9' ? '8' : '9';
    werr_clear(&err);
    CHECK_EQ_INT(ops->restore(s, 3, bad, len, &err), WEIR_CORRUPT);
    CHECK(!wfs_exists(p));
    free(bad);
    CHECK_EQ_INT(ops->restore(s, 3, saved, len, &err), WEIR_OK);
    CHECK_EQ_INT(ops->last_batch(s), 3);
    ops->close(s);
    wopts_fini(&o);
    wbuf_reset(&on_disk);
    CHECK_EQ_INT(wfs_read_file(p, &on_disk, NULL, &err), WEIR_OK);
    CHECK(on_disk.len == len && memcmp(on_disk.data, saved, len) == 0);
    wbuf_fini(&on_disk);
    free(saved);
    rerun_and_check(dir, &c.schema, &c.data, &c.b, 3, 5, 20, 1, 100, 20, 40); /* 3 is skipped, 4 written */
    crash_case_close(&c);
}

/* The folders wfs_fsync_dir was asked to make durable (the sink's syncer thread asks too). */
typedef struct {
    pthread_mutex_t lock;
    char dirs[64][600];
    int n;
} SyncLog;

static void log_sync(const char *dir, void *arg) {
    SyncLog *l = arg;
    pthread_mutex_lock(&l->lock);
    if (l->n < 64) {
        snprintf(l->dirs[l->n], sizeof l->dirs[0], "%s", dir);
        size_t k = strlen(l->dirs[l->n]);
        if (k > 1 && l->dirs[l->n][k - 1] == '/') l->dirs[l->n][k - 1] = 0;
        l->n++;
    }
    pthread_mutex_unlock(&l->lock);
}

/* How many times the folder root/rel was synced. */
static int times_synced(SyncLog *l, const char *rel) {
    char want[600];
    snprintf(want, sizeof want, "%s/%s", root, rel);
    int k = 0;
    pthread_mutex_lock(&l->lock);
    for (int i = 0; i < l->n; i++) k += strcmp(l->dirs[i], want) == 0;
    pthread_mutex_unlock(&l->lock);
    return k;
}

static void folder_fsyncs(void) {
    WType schema;
    WErr err;
    werr_init(&err);
    CHECK(wschema_parse(DDL, strlen(DDL), &schema, &err) == 0);
    char dir[512], p[600];
    snprintf(dir, sizeof dir, "%s/fs/a/b/out", root); /* fs/a/b do not exist */
    SyncLog log;
    memset(&log, 0, sizeof log);
    pthread_mutex_init(&log.lock, NULL);
    wfs_observe_dir_syncs(log_sync, &log);
    const char *extra[] = {"partitionBy", "part", NULL};
    const WSinkOps *ops;
    WSink *s = NULL;
    WOpts o;
    CHECK_EQ_INT(sink_open_fmt("csv", dir, extra, &schema, &ops, &s, &o, &err), WEIR_OK);
    CHECK_EQ_INT(log.n, 0); /* the open creates, the first commit makes durable (no worker runs yet) */
    snprintf(p, sizeof p, "%s/_weir_metadata", dir);
    CHECK(wfs_exists(p));
    WBatch b;
    wbatch_init(&b, &schema);
    int skip = 0;
    WSinkStats st;
    for (int n = 0; n < 2; n++) {
        pthread_mutex_lock(&log.lock);
        log.n = 0;
        pthread_mutex_unlock(&log.lock);
        fill(&b, n * 40, 40); /* rows 0..39 have every partition value */
        CHECK_EQ_INT(ops->begin(s, n, &skip, &err), WEIR_OK);
        CHECK_EQ_INT(ops->write(s, n, &b, &err), WEIR_OK);
        CHECK_EQ_INT(ops->commit(s, n, &st, &err), WEIR_OK);
        CHECK_EQ_INT(ops->sync(s, &err), WEIR_OK); /* the entry's own fsync, which commit leaves running */
        /* the parents of new folders: at the first commit only, once */
        CHECK_EQ_INT(times_synced(&log, "fs"), n == 0);
        CHECK_EQ_INT(times_synced(&log, "fs/a"), n == 0);
        CHECK_EQ_INT(times_synced(&log, "fs/a/b"), n == 0);
        CHECK_EQ_INT(times_synced(&log, "fs/a/b/out"), n == 0); /* _weir_metadata's and the partitions' names */
        /* the folders that got the batch's files and its manifest entry: each time, once */
        CHECK_EQ_INT(times_synced(&log, "fs/a/b/out/part=p%2F1"), 1);
        CHECK_EQ_INT(times_synced(&log, "fs/a/b/out/part=__HIVE_DEFAULT_PARTITION__"), 1);
        /* after the second commit, the sink's worker may already be making entries ahead (a folder fsync) */
        int meta = times_synced(&log, "fs/a/b/out/_weir_metadata");
        CHECK(n == 0 ? meta == 1 : meta == 1 || meta == 2);
    }
    ops->close(s); /* joins the sink's workers */
    wopts_fini(&o);
    /* a sink whose first open was killed before its first commit (so before any fsync): the next open's
     * first commit makes the folders durable */
    snprintf(dir, sizeof dir, "%s/fs/killed/out", root);
    pid_t pid = fork();
    if (pid == 0) _exit(sink_open_fmt("csv", dir, extra, &schema, &ops, &s, &o, &err) == 0 ? 0 : 1);
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ_INT(sink_open_fmt("csv", dir, extra, &schema, &ops, &s, &o, &err), WEIR_OK);
    pthread_mutex_lock(&log.lock);
    log.n = 0;
    pthread_mutex_unlock(&log.lock);
    fill(&b, 0, 40);
    CHECK_EQ_INT(ops->begin(s, 0, &skip, &err), WEIR_OK);
    CHECK_EQ_INT(ops->write(s, 0, &b, &err), WEIR_OK);
    CHECK_EQ_INT(ops->commit(s, 0, &st, &err), WEIR_OK);
    CHECK_EQ_INT(times_synced(&log, "fs/killed"), 1);     /* for out */
    CHECK_EQ_INT(times_synced(&log, "fs/killed/out"), 1); /* for _weir_metadata and the partitions */
    ops->close(s);
    wopts_fini(&o);
    /* a partition folder made by a batch killed before its commit, used by the next open's batch: its name
     * is made durable by that batch's commit (batch 0: rows 1-2, partitions p/1 and p/2; then row 3, p/0) */
    snprintf(dir, sizeof dir, "%s/fs/killed2/out", root);
    CHECK_EQ_INT(sink_open_fmt("csv", dir, extra, &schema, &ops, &s, &o, &err), WEIR_OK);
    fill(&b, 1, 2);
    CHECK_EQ_INT(ops->begin(s, 0, &skip, &err), WEIR_OK);
    CHECK_EQ_INT(ops->write(s, 0, &b, &err), WEIR_OK);
    CHECK_EQ_INT(ops->commit(s, 0, &st, &err), WEIR_OK);
    ops->close(s);
    wopts_fini(&o);
    fill(&b, 3, 1);
    pid = fork();
    if (pid == 0) {
        int ok = sink_open_fmt("csv", dir, extra, &schema, &ops, &s, &o, &err) == 0 &&
                 ops->begin(s, 1, &skip, &err) == 0 && ops->write(s, 1, &b, &err) == 0;
        _exit(ok ? 0 : 1); /* no commit, no close */
    }
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    snprintf(dir, sizeof dir, "%s/fs/killed2/out/part=p%%2F0", root);
    CHECK(wfs_exists(dir));
    snprintf(dir, sizeof dir, "%s/fs/killed2/out", root);
    CHECK_EQ_INT(sink_open_fmt("csv", dir, extra, &schema, &ops, &s, &o, &err), WEIR_OK);
    pthread_mutex_lock(&log.lock);
    log.n = 0;
    pthread_mutex_unlock(&log.lock);
    CHECK_EQ_INT(ops->begin(s, 1, &skip, &err), WEIR_OK);
    CHECK_EQ_INT(ops->write(s, 1, &b, &err), WEIR_OK);
    CHECK_EQ_INT(ops->commit(s, 1, &st, &err), WEIR_OK);
    CHECK_EQ_INT(times_synced(&log, "fs/killed2/out/part=p%2F0"), 1);
    CHECK_EQ_INT(times_synced(&log, "fs/killed2/out"), 1); /* for part=p%2F0 */
    ops->close(s);
    wfs_observe_dir_syncs(NULL, NULL);
    wopts_fini(&o);
    wbatch_fini(&b);
    wtype_fini(&schema);
    pthread_mutex_destroy(&log.lock);
}

int main(void) {
    CHECK(mkdtemp(root) != NULL);
    folder_fsyncs();
    formats_and_codecs();
    partitions();
    damaged();
    lost_names();
    kill_test();
    driver_steps();
    cut_entry();
    restore_entry();
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CHECK(system(cmd) == 0);
    return check_summary();
}
