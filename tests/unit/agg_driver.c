/*
 * agg_driver.c - a small stand-in for the stream driver, for oracle tests and benchmarks of the
 * aggregation operator: reads CSV or JSON Lines files through weir's decoders, one file per micro-batch,
 * runs the operator, and writes what it emits and the late rows it sets aside as CSV.
 *
 *   agg_driver --schema DDL [--format csv|json] [--opt name=value]... --ts COL
 *              [--window SIZE_S[,SLIDE_S] | --session GAP_S]
 *              [--delay S] [--mode append|update|complete] [--key COL]... --agg FN:COL:NAME...
 *              [--state DIR] [--stop-after N] [--restore N] [--no-flush] --out FILE [--late FILE] INPUT...
 *
 * FN: count_star (COL ignored), count, count_distinct, sum, avg, min, max, first, last,
 * approx_count_distinct. Durations in seconds (decimals allowed). Like the stream driver, it runs a
 * no-data batch after an input batch when the watermark can close a window, and a bounded run ends with
 * a final flush (watermark +infinity) unless --no-flush. --stop-after N stops after N input files
 * (without the flush), as a crash would; --restore N restores the state of batch N and skips the files
 * that batch N had consumed, so `--stop-after` then `--restore` checks exactly-once continuation.
 * Output columns: input (0-based index of the last input file read when the row was emitted; the number of
 * inputs for the final flush), batch, then
 * window_start and window_end in microseconds (when windowed), the keys, the aggregates. NULL is an empty
 * field; DOUBLE is %.17g; TIMESTAMP is microseconds. Late rows: input, the input columns, missed_watermark.
 * A batch log (one line per batch: batch, input, watermark, stats) goes to stderr with --verbose.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/opts.h"
#include "exec/agg.h"
#include "formats/csv.h"
#include "formats/json.h"
#include "weir.h"

#define MAX_ITEMS 64

static void die(const char *what, const WErr *err) {
    fprintf(stderr, "agg_driver: %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
    exit(2);
}

static int64_t seconds_us(const char *s) {
    char *end;
    double d = strtod(s, &end);
    if (end == s || *end) die("bad duration (seconds expected)", NULL);
    return (int64_t)llround(d * 1e6);
}

static int col_of(const WType *t, const char *name) {
    int i = wtype_field_index(t, name, strlen(name));
    if (i < 0) {
        fprintf(stderr, "agg_driver: no column %s\n", name);
        exit(2);
    }
    return i;
}

static void put_value(FILE *f, const WVec *v, int64_t r) {
    if (wvec_is_null(v, r)) return;
    switch (v->type->id) {
    case WT_BOOLEAN: fputs(wvec_bool(v, r) ? "true" : "false", f); break;
    case WT_INT:
    case WT_DATE: fprintf(f, "%d", wvec_i32(v, r)); break;
    case WT_DOUBLE: fprintf(f, "%.17g", wvec_f64(v, r)); break;
    case WT_STRING: {
        size_t n;
        const char *s = wvec_str(v, r, &n);
        fputc('"', f);
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '"') fputc('"', f);
            fputc(s[i], f);
        }
        fputc('"', f);
        break;
    }
    case WT_STRUCT:
        for (int i = 0; i < v->n_children; i++) {
            if (i) fputc(',', f);
            put_value(f, &v->children[i], r);
        }
        break;
    default: fprintf(f, "%" PRId64, wvec_i64(v, r)); break;
    }
}

static void put_rows(FILE *f, const WBatch *b, int input, int64_t batch, int with_batch) {
    if (!f) return;
    for (int64_t r = 0; r < wbatch_rows(b); r++) {
        fprintf(f, "%d", input);
        if (with_batch) fprintf(f, ",%" PRId64, batch);
        for (int c = 0; c < b->root.n_children; c++) {
            fputc(',', f);
            put_value(f, &b->root.children[c], r);
        }
        fputc('\n', f);
    }
}

static void put_header(FILE *f, const WType *t, int with_batch) {
    if (!f) return;
    fputs(with_batch ? "input,batch" : "input", f);
    for (int i = 0; i < t->n_fields; i++) {
        if (t->fields[i].type.id == WT_STRUCT) fprintf(f, ",%s_start,%s_end", t->fields[i].name, t->fields[i].name);
        else fprintf(f, ",%s", t->fields[i].name);
    }
    fputc('\n', f);
}

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "agg_driver: cannot open %s: %s\n", path, strerror(errno));
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)len + 1);
    if (!p || fread(p, 1, (size_t)len, f) != (size_t)len) die("cannot read input", NULL);
    fclose(f);
    *n = (size_t)len;
    return p;
}

int main(int argc, char **argv) {
    const char *ddl = NULL, *format = "csv", *out_path = NULL, *late_path = NULL, *state = NULL, *ts = NULL;
    const char *keys[MAX_ITEMS], *aggs[MAX_ITEMS], *inputs[4096];
    int n_keys = 0, n_aggs = 0, n_in = 0, flush = 1, verbose = 0;
    int64_t size = 0, slide = 0, delay = -1, stop_after = -1, restore = -1, session_gap = 0;
    WOutputMode mode = WOUT_APPEND;
    WOpts opts;
    wopts_init(&opts);
    WErr err;
    werr_init(&err);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (!strcmp(a, name) && v && (i++, 1))
        if (ARG("--schema")) ddl = v;
        else if (ARG("--format")) format = v;
        else if (ARG("--opt")) {
            if (wopts_set_pair(&opts, v, &err)) die("bad --opt", &err);
        } else if (ARG("--ts")) ts = v;
        else if (ARG("--window")) {
            const char *comma = strchr(v, ',');
            char buf[64];
            snprintf(buf, sizeof buf, "%.*s", comma ? (int)(comma - v) : (int)strlen(v), v);
            size = seconds_us(buf);
            slide = comma ? seconds_us(comma + 1) : 0;
        } else if (ARG("--session")) session_gap = seconds_us(v);
        else if (ARG("--delay")) delay = seconds_us(v);
        else if (ARG("--mode")) mode = !strcmp(v, "update") ? WOUT_UPDATE : !strcmp(v, "complete") ? WOUT_COMPLETE : WOUT_APPEND;
        else if (ARG("--key")) {
            if (n_keys < MAX_ITEMS) keys[n_keys++] = v;
        } else if (ARG("--agg")) {
            if (n_aggs < MAX_ITEMS) aggs[n_aggs++] = v;
        } else if (ARG("--state")) state = v;
        else if (ARG("--stop-after")) stop_after = atoll(v);
        else if (ARG("--restore")) restore = atoll(v);
        else if (ARG("--out")) out_path = v;
        else if (ARG("--late")) late_path = v;
        else if (!strcmp(a, "--no-flush")) flush = 0;
        else if (!strcmp(a, "--verbose")) verbose = 1;
        else if (a[0] == '-' && a[1] == '-') die(a, NULL);
        else if (n_in < 4096) inputs[n_in++] = a;
#undef ARG
    }
    if (!ddl || !out_path) die("--schema and --out are required", NULL);
    WType schema;
    if (wschema_parse(ddl, strlen(ddl), &schema, &err)) die("bad schema", &err);

    WAggSpec spec;
    memset(&spec, 0, sizeof spec);
    spec.input = &schema;
    spec.ts_col = ts ? col_of(&schema, ts) : -1;
    if (size && wwindow_time(&spec.window, size, slide, 0, &err)) die("bad window", &err);
    if (session_gap && wwindow_session(&spec.window, session_gap, &err)) die("bad session window", &err);
    spec.has_watermark = delay >= 0;
    spec.delay_us = delay >= 0 ? delay : 0;
    spec.mode = mode;
    int key_cols[MAX_ITEMS];
    for (int k = 0; k < n_keys; k++) key_cols[k] = col_of(&schema, keys[k]);
    spec.key_cols = key_cols;
    spec.n_keys = n_keys;
    WAggCall calls[MAX_ITEMS];
    char names[MAX_ITEMS][64];
    static const char *fns[] = {"count_star", "count", "count_distinct", "sum", "avg", "min", "max", "first",
                                "last", "approx_count_distinct"};
    for (int i = 0; i < n_aggs; i++) {
        char fn[64], col[64];
        if (sscanf(aggs[i], "%63[^:]:%63[^:]:%63s", fn, col, names[i]) != 3) die("bad --agg (FN:COL:NAME)", NULL);
        int f = -1;
        for (int j = 0; j < 10; j++)
            if (!strcmp(fn, fns[j])) f = j;
        if (f < 0) die("unknown aggregate function", NULL);
        calls[i].fn = (WAggFn)f;
        calls[i].col = f == WAGG_COUNT_STAR ? -1 : col_of(&schema, col);
        calls[i].name = names[i];
        calls[i].rsd = 0;
    }
    spec.aggs = calls;
    spec.n_aggs = n_aggs;
    spec.state_dir = state;

    WAggOp *op;
    if (wagg_open(&spec, &op, &err)) die("cannot open the aggregation", &err);
    /* batch -> last input file it consumed, so a restore knows where to continue */
    int64_t batch = 0;
    int first_input = 0;
    if (restore >= 0) {
        if (wagg_restore(op, restore, &err)) die("restore failed", &err);
        batch = restore + 1;
        /* the operator does not know about files: a side file in the state folder maps batches to files */
        char map[4200];
        snprintf(map, sizeof map, "%s/_driver_inputs", state);
        FILE *mf = fopen(map, "r");
        if (!mf) die("no _driver_inputs in the state folder", NULL);
        long long b, in;
        while (fscanf(mf, "%lld %lld", &b, &in) == 2)
            if (b == restore) first_input = (int)in + 1;
        fclose(mf);
    }
    FILE *out = fopen(out_path, restore >= 0 ? "a" : "w");
    FILE *late = late_path ? fopen(late_path, restore >= 0 ? "a" : "w") : NULL;
    if (!out || (late_path && !late)) die("cannot create the output files", NULL);
    if (restore < 0) {
        put_header(out, wagg_output_schema(op), 1);
        put_header(late, wagg_late_schema(op), 0);
    }
    FILE *map = NULL;
    if (state) {
        char mp[4200];
        snprintf(mp, sizeof mp, "%s/_driver_inputs", state);
        map = fopen(mp, restore >= 0 ? "a" : "w");
    }
    WBatch in, res, lr;
    if (wbatch_init(&in, &schema) || wbatch_init(&res, wagg_output_schema(op)) ||
        wbatch_init(&lr, wagg_late_schema(op)))
        die("out of memory", NULL);
    WCsvReader *csv = NULL;
    WJsonReader *json = NULL;
    int is_json = !strcmp(format, "json");
    if (is_json ? wjson_reader_open(&schema, &opts, &json, &err) : wcsv_reader_open(&schema, &opts, &csv, &err))
        die("cannot open the decoder", &err);
    int64_t rows_in = 0;
    for (int f = first_input; f < n_in; f++) {
        if (stop_after >= 0 && f >= stop_after) break;
        size_t n;
        char *data = slurp(inputs[f], &n);
        wbatch_reset(&in);
        int done = 0;
        if (is_json) wjson_begin(json, inputs[f], data, n);
        else wcsv_begin(csv, inputs[f], data, n);
        while (!done) {
            int rc = is_json ? wjson_next(json, &in, INT64_MAX, &done, &err) : wcsv_next(csv, &in, INT64_MAX, &done, &err);
            if (rc) die("decode failed", &err);
        }
        free(data);
        rows_in += wbatch_rows(&in);
        for (int pass = 0; pass < 2; pass++) {
            if (wagg_process_batch(op, pass ? NULL : &in, batch, &res, &lr, &err)) die("batch failed", &err);
            put_rows(out, &res, f, batch, 1);
            put_rows(late, &lr, f, batch, 0);
            if (map) fprintf(map, "%" PRId64 " %d\n", batch, f);
            if (verbose) {
                const WAggStats *s = wagg_stats(op);
                fprintf(stderr,
                        "batch %" PRId64 " input %d wm %" PRId64 " rows %" PRId64 " out %" PRId64 " total %" PRId64
                        " updated %" PRId64 " removed %" PRId64 " dropped %" PRId64 " mem %" PRId64 " state_us %" PRId64
                        " state_bytes %" PRId64 "\n",
                        batch, f, s->watermark, pass ? 0 : wbatch_rows(&in), wbatch_rows(&res), s->num_rows_total,
                        s->num_rows_updated, s->num_rows_removed, s->num_rows_dropped_by_watermark,
                        s->memory_used_bytes, s->state_write_us, s->state_bytes_written);
            }
            batch++;
            if (!wagg_needs_nodata_batch(op)) break;
        }
        if (map) fflush(map);
    }
    int stopped = stop_after >= 0 && stop_after < n_in;
    if (flush && !stopped) {
        if (wagg_flush_all(op, batch, &res, &err)) die("final flush failed", &err);
        put_rows(out, &res, n_in, batch, 1); /* the flush is labelled as one more input */
        if (map) fprintf(map, "%" PRId64 " %d\n", batch, n_in);
    }
    if (verbose) fprintf(stderr, "rows %" PRId64 "\n", rows_in);
    if (map) fclose(map);
    fclose(out);
    if (late) fclose(late);
    wbatch_fini(&in);
    wbatch_fini(&res);
    wbatch_fini(&lr);
    wcsv_reader_close(csv);
    wjson_reader_close(json);
    wagg_close(op);
    wtype_fini(&schema);
    wopts_fini(&opts);
    return 0;
}
