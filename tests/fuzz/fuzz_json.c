/*
 * fuzz_json.c - libFuzzer target for the JSON validator, decoder and writer (make fuzz-json).
 *
 * Every input is validated, then decoded with a schema holding every type (a nested STRUCT and the
 * corrupt-record column) in each parse mode, with multiLine off and on, in small resumable steps. Checked
 * beyond "no crash, no leak, no UB": batches stay Arrow-aligned (every child as long as its parent),
 * in PERMISSIVE mode rows + nothing lost (every bad record gives a row), and what the writer makes of the
 * decoded rows decodes again to the same values (round trip), for every column but the time columns
 * (whose far-out-of-range values depend on core/time) and the corrupt-record column (never read back),
 * and in PERMISSIVE mode the decoder with its shortcuts off (wjson_reader_set_fast_paths) gives the very
 * same rows and bad-record count.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/json.h"

static const char *DDL = "a INT, b BIGINT, d DOUBLE, f BOOLEAN, s STRING, t TIMESTAMP, dt DATE, "
                         "st STRUCT<x: INT, y: STRUCT<z: STRING, w: DOUBLE>>, _corrupt_record STRING";

static int64_t nbad;
static void on_bad(void *user, const WBadRecord *br) {
    (void)user;
    if (br->raw_len && !br->raw) abort();
    if (!br->reason || !br->path || br->line < 1 || br->offset < 0) abort();
    nbad++;
}

static void aligned(const WVec *v, int64_t len) {
    if (v->len != len) abort();
    for (int i = 0; i < v->n_children; i++) aligned(&v->children[i], len);
}

static int same(const WVec *a, const WVec *b, int64_t i, int64_t j) {
    if (wvec_is_null(a, i) != wvec_is_null(b, j)) return 0;
    if (wvec_is_null(a, i)) return 1;
    switch (a->type->id) {
    case WT_BOOLEAN: return wvec_bool(a, i) == wvec_bool(b, j);
    case WT_INT: case WT_DATE: return wvec_i32(a, i) == wvec_i32(b, j);
    case WT_BIGINT: case WT_TIMESTAMP: return wvec_i64(a, i) == wvec_i64(b, j);
    case WT_DOUBLE: {
        double x = wvec_f64(a, i), y = wvec_f64(b, j);
        return isnan(x) ? isnan(y) : !memcmp(&x, &y, 8);
    }
    case WT_STRING: {
        size_t an = 0, bn = 0;
        const char *as = a->chars ? wvec_str(a, i, &an) : "", *bs = b->chars ? wvec_str(b, j, &bn) : "";
        return an == bn && (!an || !memcmp(as, bs, an));
    }
    case WT_STRUCT:
        for (int c = 0; c < a->n_children; c++)
            if (!same(&a->children[c], &b->children[c], i, j)) return 0;
        return 1;
    default: return 1;
    }
}

static WType schema;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    WErr err;
    if (!ready) {
        werr_init(&err);
        if (wschema_parse(DDL, strlen(DDL), &schema, &err)) abort();
        ready = 1;
    }
    werr_init(&err);
    int v = wjson_validate("fuzz", (const char *)data, size, &err);
    if (v != WEIR_OK && v != WEIR_PARSE) abort();
    static const char *modes[] = {"PERMISSIVE", "DROPMALFORMED", "FAILFAST"};
    for (int m = 0; m < 3; m++) {
        for (int ml = 0; ml < 2; ml++) {
            WOpts o;
            wopts_init(&o);
            wopts_set(&o, "mode", modes[m]);
            wopts_set(&o, "multiLine", ml ? "true" : "false");
            WJsonReader *r;
            werr_init(&err);
            if (wjson_reader_open(&schema, &o, &r, &err)) abort();
            wjson_reader_on_bad_record(r, on_bad, NULL);
            WBatch b;
            wbatch_init(&b, &schema);
            wjson_begin(r, "fuzz", (const char *)data, size);
            nbad = 0;
            int done = 0, rc = 0, steps = 0;
            while (!done && !rc) {
                int64_t before = wbatch_rows(&b);
                rc = wjson_next(r, &b, 3, &done, &err);
                if (rc && rc != WEIR_PARSE) abort();
                if (rc && m != 2) abort(); /* only FAILFAST stops */
                if (wbatch_rows(&b) - before > 3) abort();
                if (++steps > (int)size + 8) abort(); /* progress: at most one step per byte */
            }
            aligned(&b.root, wbatch_rows(&b));
            if (nbad != wjson_reader_bad_records(r)) abort();
            if (m == 0 && wbatch_rows(&b) < nbad) abort();
            if (m == 2 && rc && nbad != 1) abort();
            if (m == 2 && !rc && nbad != 0) abort();
            if (m == 0) {
                /* the decoder's shortcuts off (the general path): the same rows, bad records included */
                WJsonReader *g;
                if (wjson_reader_open(&schema, &o, &g, &err)) abort();
                wjson_reader_set_fast_paths(g, 0);
                WBatch gb;
                wbatch_init(&gb, &schema);
                wjson_begin(g, "fuzz", (const char *)data, size);
                int gdone = 0;
                while (!gdone)
                    if (wjson_next(g, &gb, 3, &gdone, &err)) abort();
                if (wbatch_rows(&gb) != wbatch_rows(&b) || wjson_reader_bad_records(g) != nbad) abort();
                for (int64_t i = 0; i < wbatch_rows(&b); i++)
                    if (!same(&b.root, &gb.root, i, i)) abort();
                wbatch_fini(&gb);
                wjson_reader_close(g);
            }
            if (m == 1 && ml == 0) {
                /* round trip of the good rows */
                WJsonWriter *w;
                if (wjson_writer_open(&schema, NULL, &w, &err)) abort();
                WBuf out;
                wbuf_init(&out);
                if (wjson_write_batch(w, &b, &out, &err)) abort();
                if (wjson_validate("out", out.data ? out.data : "", out.len, &err) && wbatch_rows(&b)) abort();
                WJsonReader *r2;
                if (wjson_reader_open(&schema, NULL, &r2, &err)) abort();
                WBatch b2;
                wbatch_init(&b2, &schema);
                wjson_begin(r2, "out", out.data ? out.data : "", out.len);
                if (wjson_next(r2, &b2, INT64_MAX, &done, &err) || !done) abort();
                if (wbatch_rows(&b2) != wbatch_rows(&b)) abort();
                for (int64_t i = 0; i < wbatch_rows(&b); i++)
                    for (int c = 0; c < b.root.n_children; c++) {
                        WTypeId id = b.root.children[c].type->id;
                        if (id == WT_TIMESTAMP || id == WT_DATE || c == b.root.n_children - 1) continue;
                        if (!same(&b.root.children[c], &b2.root.children[c], i, i)) abort();
                    }
                wbatch_fini(&b2);
                wjson_reader_close(r2);
                wbuf_fini(&out);
                wjson_writer_close(w);
            }
            wbatch_fini(&b);
            wjson_reader_close(r);
            wopts_fini(&o);
        }
    }
    return 0;
}
