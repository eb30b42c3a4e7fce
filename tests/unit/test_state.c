/*
 * test_state.c - the aggregation's state store: restoring the state of every batch gives the same
 * remaining output, bit for bit, as the run that never stopped; snapshots, deltas and old-version
 * removal; damaged, truncated, missing and foreign state files give clean WEIR_CORRUPT / WEIR_MISUSE
 * errors that name the file; the cost of a state write follows what changed, not what is held; and
 * the fuzz target tests/fuzz/fuzz_state.c replayed over real state files, thousands of mutations of
 * them and the checked-in corpus. `test_state --corpus DIR` writes the real files as fuzz seeds.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aggtest.h"
#include "check.h"
#include "exec/state.h"
#include "weir.h"

#include "../fuzz/fuzz_state.c" /* the fuzz target, replayed below on real and mutated state files */

static WType schema;
static char root[256];

#define NB 30 /* batches per run */

static const WAggCall AGGS[] = {
    {WAGG_COUNT_STAR, -1, "n", 0},       {WAGG_SUM, C_PRICE, "sp", 0},        {WAGG_SUM, C_CLICKS, "sc", 0},
    {WAGG_AVG, C_BIG, "ab", 0},          {WAGG_SUM, C_BIG, "sb", 0},          {WAGG_COUNT_DISTINCT, C_K, "dk", 0},
    {WAGG_COUNT_DISTINCT, C_CLICKS, "dc", 0}, {WAGG_APPROX_COUNT_DISTINCT, C_PRICE, "ap", 0},
    {WAGG_FIRST, C_K, "fk", 0},          {WAGG_LAST, C_PRICE, "lp", 0},       {WAGG_MIN, C_K, "mk", 0},
    {WAGG_MAX, C_PRICE, "mp", 0},        {WAGG_AVG, C_PRICE, "avp", 0}};
static const int KEYS[] = {C_CLICKS};

static void make_spec(WAggSpec *s, const char *dir, int sliding, WOutputMode mode, int snap_every, int retain) {
    memset(s, 0, sizeof *s);
    s->input = &schema;
    s->ts_col = C_TS;
    WErr err;
    werr_init(&err);
    if (sliding == 2) wwindow_session(&s->window, 10 * SEC, &err); /* sessions: merges across batches */
    else if (sliding) wwindow_time(&s->window, 30 * SEC, 10 * SEC, 0, &err);
    else wwindow_time(&s->window, 30 * SEC, 0, 0, &err);
    s->has_watermark = 1;
    s->delay_us = 15 * SEC;
    s->aggs = AGGS;
    s->n_aggs = (int)(sizeof AGGS / sizeof AGGS[0]);
    s->key_cols = KEYS;
    s->n_keys = 1;
    s->mode = mode;
    s->state_dir = dir;
    s->state_opts.snapshot_every = snap_every;
    s->state_opts.min_batches_to_retain = retain;
}

/* Batch b of the random input: out of order, late rows, NULLs everywhere, strings, a few keys. */
static void fill_batch(WBatch *in, int b) {
    uint64_t seed = 1000 + (uint64_t)b;
    int n = (int)(at_rand(&seed) % 120);
    if (b % 7 == 3) n = 0; /* some empty batches */
    for (int i = 0; i < n; i++) {
        int64_t ts = (int64_t)b * 8 * SEC + (int64_t)(at_rand(&seed) % (40 * SEC)) - 30 * SEC;
        if (at_rand(&seed) % 29 == 0) ts = NULL_TS;
        char k[8];
        snprintf(k, sizeof k, "s%d", (int)(at_rand(&seed) % 9));
        const char *key = at_rand(&seed) % 10 == 0 ? NULL : k;
        int clicks = at_rand(&seed) % 8 == 0 ? NULL_I : (int)(at_rand(&seed) % 4);
        double price = at_rand(&seed) % 9 == 0 ? NULL_D : (double)(int64_t)(at_rand(&seed) >> 20) / 3.0;
        int64_t big = at_rand(&seed) % 6 == 0 ? NULL_L : (int64_t)(at_rand(&seed) >> 12) - (INT64_C(1) << 50);
        at_row(in, ts, key, clicks, price, big);
    }
}

typedef struct Out {
    WBuf b[NB + 1]; /* dump of batch i's output and late rows; [NB] is the final flush */
} Out;

static void out_init(Out *o) {
    for (int i = 0; i <= NB; i++) wbuf_init(&o->b[i]);
}
static void out_fini(Out *o) {
    for (int i = 0; i <= NB; i++) wbuf_fini(&o->b[i]);
}

/* Restores the state of batch `from` (-1: empty) and runs batches from+1 .. NB-1 and the final flush,
 * dumping each batch's output. Returns WEIR_OK or the first error (message to stderr). */
static int run_from(const WAggSpec *spec, int64_t from, Out *o, WAggStats *last_stats) {
    WErr err;
    werr_init(&err);
    WAggOp *op;
    int rc = wagg_open(spec, &op, &err);
    if (rc) {
        fprintf(stderr, "open: %s\n", err.msg);
        return rc;
    }
    WBatch in, out, late;
    wbatch_init(&in, &schema);
    wbatch_init(&out, wagg_output_schema(op));
    wbatch_init(&late, wagg_late_schema(op));
    rc = wagg_restore(op, from, &err);
    for (int b = (int)from + 1; !rc && b < NB; b++) {
        wbatch_reset(&in);
        fill_batch(&in, b);
        rc = wagg_process_batch(op, &in, b, &out, &late, &err);
        if (rc) break;
        wbuf_reset(&o->b[b]);
        at_dump(&o->b[b], &out);
        wbuf_puts(&o->b[b], "late:\n");
        at_dump(&o->b[b], &late);
        wbuf_printf(&o->b[b], "wm %lld dropped %lld total %lld removed %lld\n", (long long)wagg_stats(op)->watermark,
                    (long long)wagg_stats(op)->num_rows_dropped_by_watermark,
                    (long long)wagg_stats(op)->num_rows_total, (long long)wagg_stats(op)->num_rows_removed);
    }
    if (!rc) {
        rc = wagg_flush_all(op, NB, &out, &err);
        wbuf_reset(&o->b[NB]);
        if (!rc) at_dump(&o->b[NB], &out);
    }
    if (rc) fprintf(stderr, "run from %lld: %s\n", (long long)from, err.msg);
    if (last_stats) *last_stats = *wagg_stats(op);
    wbatch_fini(&in);
    wbatch_fini(&out);
    wbatch_fini(&late);
    wagg_close(op);
    return rc;
}

static void rm_rf(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[1024];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int count_files(const char *dir, int64_t *min_v) {
    DIR *d = opendir(dir);
    int n = 0;
    *min_v = INT64_MAX;
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        long long v = atoll(e->d_name);
        if (v < *min_v) *min_v = v;
        n++;
    }
    closedir(d);
    return n;
}

static int read_all(const char *path, WBuf *b) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    wbuf_reset(b);
    char tmp[65536];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0) wbuf_append(b, tmp, k);
    fclose(f);
    return 0;
}
static int write_all(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    if (n) fwrite(p, 1, n, f);
    return fclose(f);
}

static int same_from(const Out *a, const Out *b, int from) {
    for (int i = from; i <= NB; i++)
        if (a->b[i].len != b->b[i].len || (a->b[i].len && memcmp(a->b[i].data, b->b[i].data, a->b[i].len))) {
            fprintf(stderr, "batch %d differs:\n%s\n---\n%s\n", i, wbuf_cstr((WBuf *)&a->b[i]),
                    wbuf_cstr((WBuf *)&b->b[i]));
            return 0;
        }
    return 1;
}

/* Restore at every batch, in each mode, for tumbling, sliding and session windows. */
static void test_restore_every_batch(void) {
    static const WOutputMode modes[] = {WOUT_APPEND, WOUT_UPDATE, WOUT_COMPLETE};
    /* (window: 0 tumbling, 1 sliding, 2 session; mode) */
    static const int cfg[][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 2}, {2, 0}, {2, 1}, {2, 2}};
    for (int c = 0; c < 7; c++) {
        int sliding = cfg[c][0], m = cfg[c][1];
        {
            char dir[300];
            snprintf(dir, sizeof dir, "%s/every_%d_%d", root, sliding, m);
            WAggSpec spec;
            make_spec(&spec, dir, sliding, modes[m], 4, 1000);
            Out ref, again;
            out_init(&ref);
            out_init(&again);
            CHECK_EQ_INT(run_from(&spec, -1, &ref, NULL), WEIR_OK);
            size_t bytes = 0;
            for (int i = 0; i <= NB; i++) bytes += ref.b[i].len;
            CHECK(bytes > 2000); /* the run produced real output */
            int ok = 1;
            for (int from = NB - 1; from >= -1; from--) {
                if (run_from(&spec, from, &again, NULL)) {
                    ok = 0;
                    break;
                }
                if (!same_from(&ref, &again, from + 1)) {
                    fprintf(stderr, "restore at %d (sliding %d, mode %d) differs\n", from, sliding, m);
                    ok = 0;
                    break;
                }
            }
            CHECK(ok);
            out_fini(&ref);
            out_fini(&again);
            rm_rf(dir);
        }
    }
}

/* Old versions are removed; what is kept still restores. */
static void test_retention(void) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s/retain", root);
    WAggSpec spec;
    make_spec(&spec, dir, 0, WOUT_APPEND, 3, 4);
    Out ref, again;
    out_init(&ref);
    out_init(&again);
    CHECK_EQ_INT(run_from(&spec, -1, &ref, NULL), WEIR_OK);
    int64_t min_v;
    int n = count_files(dir, &min_v);
    /* batches 0..NB (the flush is batch NB): the oldest retained version is NB - 3 = 27, whose newest
     * snapshot at or before it is 26 (snapshots after batches 2, 5, ..., 26, 29) */
    CHECK_EQ_INT(min_v, 26);
    CHECK(n <= 10);
    /* restoring the oldest retained version works and continues identically */
    CHECK_EQ_INT(run_from(&spec, NB - 3, &again, NULL), WEIR_OK);
    CHECK(same_from(&ref, &again, NB - 2));
    /* a version older than what is kept is a clean error naming the missing file */
    WErr err;
    werr_init(&err);
    WAggOp *op;
    CHECK_EQ_INT(wagg_open(&spec, &op, &err), WEIR_OK);
    CHECK_EQ_INT(wagg_restore(op, 10, &err), WEIR_CORRUPT);
    CHECK(strstr(err.path, "/0.delta") != NULL);
    wagg_close(op);
    out_fini(&ref);
    out_fini(&again);
    rm_rf(dir);
}

/* Every damaged file in the restore chain is refused with its name; never a crash. */
static void test_corruption(void) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s/corrupt", root);
    WAggSpec spec;
    make_spec(&spec, dir, 1, WOUT_APPEND, 5, 1000);
    Out ref;
    out_init(&ref);
    CHECK_EQ_INT(run_from(&spec, -1, &ref, NULL), WEIR_OK);
    const int target = 27; /* snapshot 24 + deltas 25, 26, 27 */
    const char *names[] = {"24.snapshot", "25.delta", "26.delta", "27.delta"};
    WBuf orig, dam;
    wbuf_init(&orig);
    wbuf_init(&dam);
    WAggOp *op;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wagg_open(&spec, &op, &err), WEIR_OK);
    CHECK_EQ_INT(wagg_restore(op, target, &err), WEIR_OK);
    int all_named = 1, all_corrupt = 1, cases = 0;
    for (int f = 0; f < 4; f++) {
        char path[400];
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        CHECK_EQ_INT(read_all(path, &orig), 0);
        CHECK(orig.len > 40);
        if (orig.len <= 40) break;
        uint64_t seed = 5 + (uint64_t)f;
        for (int t = 0; t < 40; t++) {
            wbuf_reset(&dam);
            wbuf_append(&dam, orig.data, orig.len);
            if (t < 12) { /* truncations, including to nothing */
                size_t cut = t == 0 ? 0 : t == 1 ? 1 : t == 2 ? orig.len - 1 : at_rand(&seed) % orig.len;
                dam.len = cut;
            } else if (t < 36) { /* one flipped bit anywhere */
                size_t at = at_rand(&seed) % orig.len;
                dam.data[at] ^= (char)(1u << (at_rand(&seed) % 8));
            } else { /* garbage appended */
                wbuf_append(&dam, "garbage!", 8);
            }
            write_all(path, dam.data, dam.len);
            werr_init(&err);
            int rc = wagg_restore(op, target, &err);
            cases++;
            if (rc != WEIR_CORRUPT) {
                fprintf(stderr, "%s case %d: rc %d: %s\n", names[f], t, rc, err.msg);
                all_corrupt = 0;
            }
            if (!strstr(err.path, names[f])) all_named = 0;
            write_all(path, orig.data, orig.len);
        }
        /* a missing file is named too */
        unlink(path);
        werr_init(&err);
        CHECK_EQ_INT(wagg_restore(op, target, &err), f == 0 ? WEIR_OK : WEIR_CORRUPT);
        if (f > 0) CHECK(strstr(err.path, names[f]) != NULL);
        write_all(path, orig.data, orig.len); /* without the snapshot, deltas 0..27 are replayed instead */
    }
    CHECK(cases == 160);
    CHECK(all_corrupt);
    CHECK(all_named);
    /* records with a valid checksum but nonsense inside: refused as corrupt (the operator's own checks);
     * the meta is a real one, so the records themselves are decoded */
    char snap[400];
    snprintf(snap, sizeof snap, "%s/24.snapshot", dir);
    CHECK_EQ_INT(read_all(snap, &orig), 0);
    uint32_t meta_len = (uint8_t)orig.data[24] | (uint32_t)(uint8_t)orig.data[25] << 8;
    CHECK(meta_len > 8 && meta_len < 100);
    uint64_t seed = 77;
    int clean = 1;
    for (int t = 0; t < 300; t++) {
        uint8_t body[200];
        size_t bl = 0;
        int nrec = 1 + (int)(at_rand(&seed) % 3);
        for (int r = 0; r < nrec; r++) {
            size_t len = at_rand(&seed) % 40;
            body[bl++] = t % 5 == 0 ? 2 : 1;
            body[bl++] = (uint8_t)len;
            body[bl++] = 0;
            body[bl++] = 0;
            body[bl++] = 0;
            for (size_t i = 0; i < len; i++) body[bl++] = (uint8_t)(i < 4 && t % 3 == 0 ? (i == 0 ? 8 : 0)
                                                                                       : at_rand(&seed));
        }
        WBuf img;
        wbuf_init(&img);
        wstate_encode(1, 0, orig.data + 28, meta_len, body, bl, (uint64_t)nrec, &img);
        werr_init(&err);
        int rc = wagg_load_image(op, (const uint8_t *)img.data, img.len, &err);
        if (rc != WEIR_CORRUPT) clean = 0;
        wbuf_fini(&img);
    }
    CHECK(clean);
    wagg_close(op);
    /* the checkpoint of another aggregation is refused, naming the rule */
    WAggSpec other;
    make_spec(&other, dir, 0, WOUT_APPEND, 5, 1000); /* tumbling instead of sliding */
    CHECK_EQ_INT(wagg_open(&other, &op, &err), WEIR_OK);
    werr_init(&err);
    CHECK_EQ_INT(wagg_restore(op, target, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "different aggregation") != NULL);
    wagg_close(op);
    wbuf_fini(&orig);
    wbuf_fini(&dam);
    out_fini(&ref);
    rm_rf(dir);
}

/* A state write costs what changed: with 200k groups held, a batch that touches 10 groups writes a
 * delta of a few hundred bytes; memory per group of the seed's query stays under 150 bytes. */
static void test_write_cost(void) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s/cost", root);
    static const WAggCall seed_aggs[] = {{WAGG_SUM, C_CLICKS, "Clicks", 0}, {WAGG_SUM, C_CLICKS, "Impressions", 0},
                                         {WAGG_SUM, C_CLICKS, "Quantity", 0}, {WAGG_SUM, C_PRICE, "Total_price", 0}};
    WAggSpec spec;
    make_spec(&spec, dir, 0, WOUT_APPEND, 1000, 1000);
    spec.aggs = seed_aggs;
    spec.n_aggs = 4;
    spec.n_keys = 0;
    spec.delay_us = INT64_MAX / 4; /* nothing closes */
    WErr err;
    werr_init(&err);
    WAggOp *op;
    CHECK_EQ_INT(wagg_open(&spec, &op, &err), WEIR_OK);
    WBatch in, out;
    wbatch_init(&in, &schema);
    wbatch_init(&out, wagg_output_schema(op));
    for (int64_t w = 0; w < 200000; w++) at_row(&in, w * 30 * SEC, NULL, 1, 0.25, 0);
    CHECK_EQ_INT(wagg_process_batch(op, &in, 0, &out, NULL, &err), WEIR_OK);
    int64_t big = wagg_stats(op)->state_bytes_written;
    wbatch_reset(&in);
    for (int64_t w = 0; w < 10; w++) at_row(&in, w * 3000 * SEC, NULL, 2, 0.5, 0);
    CHECK_EQ_INT(wagg_process_batch(op, &in, 1, &out, NULL, &err), WEIR_OK);
    int64_t small = wagg_stats(op)->state_bytes_written;
    printf("state delta: %lld bytes for 200000 new groups, %lld bytes for 10 changed groups\n", (long long)big,
           (long long)small);
    CHECK(big > 200000 * 40);
    CHECK(small > 0 && small < 2000);
    CHECK_EQ_INT(wagg_stats(op)->num_rows_updated, 10);
    wbatch_fini(&in);
    wbatch_fini(&out);
    wagg_close(op);
    rm_rf(dir);
}

/* Real state files of the fuzz target's two aggregations, each with the target's leading byte. */
static int fuzz_seeds(WBuf *seeds, int max) {
    int n = 0;
    for (int which = 0; which < 3; which++) {
        char dir[300];
        snprintf(dir, sizeof dir, "%s/fuzzseed%d", root, which);
        WAggSpec spec;
        fz_spec(&spec, which);
        spec.state_dir = dir;
        spec.state_opts.snapshot_every = 3;
        WErr err;
        werr_init(&err);
        WAggOp *op;
        if (wagg_open(&spec, &op, &err)) return n;
        WBatch in, out;
        wbatch_init(&in, &schema);
        wbatch_init(&out, wagg_output_schema(op));
        for (int b = 0; b < 6; b++) {
            wbatch_reset(&in);
            fill_batch(&in, b + 40);
            if (wagg_process_batch(op, &in, b, &out, NULL, &err)) break;
        }
        wbatch_fini(&in);
        wbatch_fini(&out);
        wagg_close(op);
        const char *files[] = {"2.snapshot", "3.delta", "4.delta", "5.delta", "5.snapshot"};
        for (int f = 0; f < 5 && n < max; f++) {
            char path[400];
            snprintf(path, sizeof path, "%s/%s", dir, files[f]);
            WBuf body;
            wbuf_init(&body);
            if (read_all(path, &body) == 0) {
                wbuf_reset(&seeds[n]);
                wbuf_putc(&seeds[n], (char)(which << 1));
                wbuf_append(&seeds[n], body.data, body.len);
                n++;
            }
            wbuf_fini(&body);
        }
        rm_rf(dir);
    }
    return n;
}

static void test_fuzz_replay(void) {
    WBuf seeds[15];
    for (int i = 0; i < 15; i++) wbuf_init(&seeds[i]);
    int n = fuzz_seeds(seeds, 15);
    CHECK_EQ_INT(n, 15);
    /* the real files load cleanly */
    int ok = 1;
    for (int i = 0; i < n; i++) {
        WAggSpec spec;
        fz_spec(&spec, ((seeds[i].data[0] >> 1) & 3) % 3);
        WAggOp *op;
        WErr err;
        werr_init(&err);
        if (wagg_open(&spec, &op, &err)) abort();
        int snapshot = i % 5 == 0 || i % 5 == 4; /* a delta alone may remove groups it does not hold */
        if (wagg_load_image(op, (const uint8_t *)seeds[i].data + 1, seeds[i].len - 1, &err) && snapshot) {
            fprintf(stderr, "seed %d: %s\n", i, err.msg);
            ok = 0;
        }
        wagg_close(op);
        LLVMFuzzerTestOneInput((const uint8_t *)seeds[i].data, seeds[i].len);
    }
    CHECK(ok);
    /* mutations: bytes overwritten with the checksum recomputed (so the decoder sees them), truncations */
    uint64_t rs = 11;
    WBuf m;
    wbuf_init(&m);
    int runs = 0;
    for (int i = 0; i < n; i++)
        for (int t = 0; t < 400; t++) {
            wbuf_reset(&m);
            wbuf_append(&m, seeds[i].data, seeds[i].len);
            m.data[0] |= 1;
            int k = 1 + (int)(at_rand(&rs) % 4);
            for (int j = 0; j < k; j++) {
                size_t at = 1 + at_rand(&rs) % (m.len - 1);
                m.data[at] = (char)(at_rand(&rs) % 3 == 0 ? (char)0xff : (char)at_rand(&rs));
            }
            if (t % 10 == 0) m.len = 1 + at_rand(&rs) % (m.len - 1);
            LLVMFuzzerTestOneInput((const uint8_t *)m.data, m.len);
            runs++;
        }
    CHECK_EQ_INT(runs, 6000); /* reaching here means no crash; ASan and UBSan check the rest */
    /* the checked-in corpus (crashers found by make fuzz-state stay fixed) */
    DIR *d = opendir("tests/fuzz/corpus/state");
    int replayed = 0;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char path[600];
            snprintf(path, sizeof path, "tests/fuzz/corpus/state/%s", e->d_name);
            if (read_all(path, &m) == 0 && m.len) {
                LLVMFuzzerTestOneInput((const uint8_t *)m.data, m.len);
                replayed++;
            }
        }
        closedir(d);
    }
    CHECK(replayed >= 10);
    wbuf_fini(&m);
    for (int i = 0; i < 15; i++) wbuf_fini(&seeds[i]);
}

static int write_corpus(const char *out_dir) {
    WBuf seeds[15];
    for (int i = 0; i < 15; i++) wbuf_init(&seeds[i]);
    int n = fuzz_seeds(seeds, 15);
    for (int i = 0; i < n; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/seed%d", out_dir, i);
        write_all(path, seeds[i].data, seeds[i].len);
    }
    for (int i = 0; i < 15; i++) wbuf_fini(&seeds[i]);
    return n == 15 ? 0 : 1;
}

int main(int argc, char **argv) {
    at_schema(&schema);
    snprintf(root, sizeof root, "/tmp/weir-test-state.%d", (int)getpid());
    mkdir(root, 0777);
    if (argc == 3 && !strcmp(argv[1], "--corpus")) {
        int rc = write_corpus(argv[2]);
        rmdir(root);
        wtype_fini(&schema);
        wtype_fini(&fz_schema);
        return rc;
    }
    test_fuzz_replay();
    test_restore_every_batch();
    test_retention();
    test_corruption();
    test_write_cost();
    rmdir(root);
    wtype_fini(&schema);
    wtype_fini(&fz_schema);
    return check_summary();
}
