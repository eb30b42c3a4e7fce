/*
 * cmd_convert.c - `weir convert`: one-shot batch conversion between JSON, CSV and Parquet (like DuckDB's
 * COPY), through weir's own decoders and encoders.
 *
 *   weir convert --from json|csv|parquet --to csv|jsonl|parquet [--schema DDL] [--flatten]
 *                [--option name=value ...] [--read-option name=value ...] [--write-option name=value ...]
 *                [-o OUT] INPUT...
 *
 * INPUTs are files or folders (a folder stands for its files in name order, leaving out names that start
 * with '.' or '_'). --schema is required for JSON and CSV input; Parquet input takes the file's schema
 * (when --schema is given it must equal the file's). --flatten replaces every STRUCT column by its leaf
 * columns, named by their leaf names, in schema order (the seed's stage 1), and refuses a schema where two
 * leaves (or a leaf and a column) would get the same name, compared case-insensitively as Spark resolves
 * names. --option goes to both the reader and the writer, --read-option / --write-option to one side;
 * an option neither side knows is a usage error. CSV on either side has header=true unless an option says
 * otherwise (what both DuckDB and the seed's jobs use). Mode is PERMISSIVE unless `mode` says otherwise:
 * bad records become NULL rows (or are dropped with DROPMALFORMED) and are counted on stderr with file,
 * line and byte offset of the first ten; FAILFAST stops at the first.
 *
 * OUT: stdout when absent or "-" (csv and jsonl only); otherwise written under a temporary name beside
 * OUT, fsynced and renamed into place, so a reader never sees half of it.
 * Exit status: 0 done, 1 failed (input or output error, FAILFAST bad record), 2 bad usage.
 *
 * --from jsonl is the same as json (the decoder tells JSON Lines from arrays by itself); --to json writes
 * JSON Lines, as Spark's JSON sink does.
 *
 * Memory stays bounded whatever the input size: inputs are loaded one at a time (cli_io.h), decoded into
 * one batch of at most BATCH_ROWS rows (shared by consecutive small files) that is reset, not freed, and
 * text output leaves through one buffer flushed at OUT_FLUSH bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli_io.h"
#include "cli/cmd.h"
#include "core/schema.h"
#include "core/vec.h"
#include "formats/csv.h"
#include "formats/json.h"
#include "formats/parquet.h"

#define BATCH_ROWS 8192
#define OUT_FLUSH (1 << 20)
#define BAD_SHOWN 10

enum { F_JSON, F_CSV, F_JSONL, F_PARQUET, F_BAD };

static int format_id(const char *s) {
    if (!strcasecmp(s, "json")) return F_JSON;
    if (!strcasecmp(s, "jsonl") || !strcasecmp(s, "ndjson")) return F_JSONL;
    if (!strcasecmp(s, "csv")) return F_CSV;
    if (!strcasecmp(s, "parquet")) return F_PARQUET;
    return F_BAD;
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: weir convert --from json|csv|parquet --to csv|jsonl|parquet [--schema DDL] [--flatten]\n"
            "                    [--option name=value ...] [--read-option ...] [--write-option ...] [-o OUT] INPUT...\n"
            "Converts the records of every INPUT (files, or folders of files) into one output (stdout by default).\n"
            "  --schema DDL      Spark DDL schema of the input (required for json and csv)\n"
            "  --flatten         STRUCT fields become top-level columns named by their leaf names\n"
            "  --option k=v      reader and writer option (Spark names: header, sep, mode, timestampFormat...)\n"
            "  --read-option k=v / --write-option k=v   for one side only\n"
            "  -o OUT            output file, written atomically\n");
}

/* ======================================================================================= flatten */

typedef struct Leaf {
    int path[16];   /* field index at each level */
    int depth;
} Leaf;

typedef struct Flat {
    WType type;     /* the flat schema */
    Leaf *leaves;
    int n;
    uint8_t **scratch;   /* per leaf: combined validity when an ancestor struct has NULLs */
    int64_t *scratch_cap;
    WVec *cols;          /* the view's columns (shallow copies) */
} Flat;

static int collect(Flat *fl, const WType *t, Leaf *cur, WErr *err) {
    for (int i = 0; i < t->n_fields; i++) {
        const WField *f = &t->fields[i];
        if (cur->depth >= 16) return werr_msg(err, WEIR_UNSUPPORTED, "--flatten: structs nested deeper than 16 levels");
        cur->path[cur->depth++] = i;
        int rc = WEIR_OK;
        if (f->type.id == WT_STRUCT) rc = collect(fl, &f->type, cur, err);
        else {
            int clash = wtype_field_index_ci(&fl->type, f->name, strlen(f->name));
            if (clash >= 0)
                rc = werr_msg(err, WEIR_MISUSE,
                              "--flatten: two columns would be named '%s' (leaf '%s' and an earlier leaf '%s'); rename "
                              "one in the schema",
                              f->name, f->name, fl->type.fields[clash].name);
            else rc = wtype_add_field(&fl->type, f->name, strlen(f->name), &f->type);
            if (rc == WEIR_OK) {
                Leaf *nl = realloc(fl->leaves, (size_t)(fl->n + 1) * sizeof *nl);
                if (!nl) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
                else {
                    fl->leaves = nl;
                    fl->leaves[fl->n++] = *cur;
                }
            }
        }
        cur->depth--;
        if (rc) return rc;
    }
    return WEIR_OK;
}

static void flat_fini(Flat *fl) {
    for (int i = 0; i < fl->n; i++) free(fl->scratch ? fl->scratch[i] : NULL);
    free(fl->scratch);
    free(fl->scratch_cap);
    free(fl->cols);
    free(fl->leaves);
    wtype_fini(&fl->type);
    memset(fl, 0, sizeof *fl);
}

static int flat_init(Flat *fl, const WType *schema, WErr *err) {
    memset(fl, 0, sizeof *fl);
    fl->type.id = WT_STRUCT;
    Leaf cur = {{0}, 0};
    int rc = collect(fl, schema, &cur, err);
    if (rc == WEIR_OK && fl->n == 0) rc = werr_msg(err, WEIR_MISUSE, "--flatten: the schema has no columns");
    if (rc == WEIR_OK) {
        fl->scratch = calloc((size_t)fl->n, sizeof *fl->scratch);
        fl->scratch_cap = calloc((size_t)fl->n, sizeof *fl->scratch_cap);
        fl->cols = calloc((size_t)fl->n, sizeof *fl->cols);
        if (!fl->scratch || !fl->scratch_cap || !fl->cols) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    if (rc) flat_fini(fl);
    return rc;
}

/* Fills view with the flat columns of b, without copying values: each leaf vector is shared; only when
 * a STRUCT above a leaf has NULL rows is the leaf's validity ANDed with its ancestors' into scratch. */
static int flat_view(Flat *fl, const WBatch *b, WBatch *view, WErr *err) {
    int64_t rows = b->root.len;
    size_t bytes = (size_t)(rows + 7) / 8;
    for (int i = 0; i < fl->n; i++) {
        const Leaf *lf = &fl->leaves[i];
        const WVec *v = &b->root;
        int ancestor_nulls = 0;
        for (int d = 0; d < lf->depth; d++) {
            v = &v->children[lf->path[d]];
            if (d + 1 < lf->depth && v->null_count > 0) ancestor_nulls = 1;
        }
        fl->cols[i] = *v;
        fl->cols[i].type = &fl->type.fields[i].type;
        if (!ancestor_nulls) continue;
        if (fl->scratch_cap[i] < (int64_t)bytes) {
            uint8_t *p = realloc(fl->scratch[i], bytes ? bytes : 1);
            if (!p) return werr_msg(err, WEIR_NOMEM, "out of memory");
            fl->scratch[i] = p;
            fl->scratch_cap[i] = (int64_t)bytes;
        }
        uint8_t *bits = fl->scratch[i];
        memcpy(bits, v->validity, bytes);
        const WVec *a = &b->root;
        for (int d = 0; d + 1 < lf->depth; d++) {
            a = &a->children[lf->path[d]];
            if (a->null_count > 0)
                for (size_t k = 0; k < bytes; k++) bits[k] &= a->validity[k];
        }
        int64_t nulls = 0;
        for (int64_t r = 0; r < rows; r++) nulls += !((bits[r >> 3] >> (r & 7)) & 1);
        fl->cols[i].validity = bits;
        fl->cols[i].null_count = nulls;
    }
    view->schema = &fl->type;
    view->root = b->root;
    view->root.type = &fl->type;
    view->root.n_children = fl->n;
    view->root.children = fl->cols;
    return WEIR_OK;
}

/* ======================================================================================= bad records */

typedef struct BadLog {
    int64_t n;
} BadLog;

static void on_bad(void *user, const WBadRecord *rec) {
    BadLog *log = user;
    if (log->n++ < BAD_SHOWN)
        fprintf(stderr, "weir convert: bad record %s:%lld (byte %lld): %s\n", rec->path, (long long)rec->line,
                (long long)rec->offset, rec->reason);
}

/* ======================================================================================= options */

/* The first option that neither side read, or NULL. */
static const char *unknown_option(const WOpts *r, const WOpts *w) {
    for (int i = 0; i < r->n; i++) {
        if (r->items[i].used) continue;
        int used_by_w = 0;
        for (int j = 0; j < w->n; j++)
            if (!strcasecmp(w->items[j].name, r->items[i].name) && w->items[j].used) used_by_w = 1;
        if (!used_by_w) return r->items[i].name;
    }
    for (int j = 0; j < w->n; j++) {
        if (w->items[j].used) continue;
        int in_r = 0;
        for (int i = 0; i < r->n; i++)
            if (!strcasecmp(w->items[j].name, r->items[i].name)) in_r = 1;
        if (!in_r) return w->items[j].name;
    }
    return NULL;
}

/* ======================================================================================= the command */

typedef struct Conv {
    int from, to, flatten;
    const char *out_path;
    WOpts ropts, wopts;
    WType schema;           /* input schema */
    int have_schema;
    Flat flat;
    int have_flat;
    WBatch batch;
    int have_batch;
    WJsonReader *jr;
    WCsvReader *cr;
    WJsonWriter *jw;
    WCsvWriter *cw;
    WPqWriter *pw;
    WOutFile out;
    int out_open;
    WBuf buf;
    WFileLoader loader;
    BadLog bad;
    int64_t rows;
} Conv;

/* Opens the writer for schema t (the input or the flat schema). */
static int open_writer(Conv *c, const WType *t, WErr *err) {
    int rc = WEIR_OK;
    if (c->to == F_PARQUET) return wpq_writer_open(c->out_path, t, &c->wopts, &c->pw, err);
    rc = wcli_out_open(&c->out, c->out_path, err);
    if (rc) return rc;
    c->out_open = 1;
    if (c->to == F_CSV) {
        rc = wcsv_writer_open(t, &c->wopts, &c->cw, err);
        if (rc == WEIR_OK) rc = wcsv_write_header(c->cw, &c->buf, err);
    } else rc = wjson_writer_open(t, &c->wopts, &c->jw, err);
    return rc;
}

static int write_batch(Conv *c, WErr *err) {
    const WBatch *b = &c->batch;
    WBatch view;
    if (c->have_flat) {
        int rc = flat_view(&c->flat, b, &view, err);
        if (rc) return rc;
        b = &view;
    }
    c->rows += wbatch_rows(b);
    if (c->to == F_PARQUET) return wpq_writer_write_batch(c->pw, b, err);
    int rc = c->to == F_CSV ? wcsv_write_batch(c->cw, b, &c->buf, err) : wjson_write_batch(c->jw, b, &c->buf, err);
    if (rc == WEIR_OK && c->buf.len >= OUT_FLUSH) {
        rc = wcli_out_write(&c->out, c->buf.data, c->buf.len, err);
        wbuf_reset(&c->buf);
    }
    return rc;
}

/* Sets up schema, flattening, batch and writer once the input schema is known. */
static int start(Conv *c, WErr *err) {
    int rc = WEIR_OK;
    if (c->flatten) {
        rc = flat_init(&c->flat, &c->schema, err);
        if (rc) return rc;
        c->have_flat = 1;
    }
    rc = wbatch_init(&c->batch, &c->schema);
    if (rc) return werr_msg(err, rc, "out of memory");
    c->have_batch = 1;
    if (c->from == F_JSON) rc = wjson_reader_open(&c->schema, &c->ropts, &c->jr, err);
    else if (c->from == F_CSV) rc = wcsv_reader_open(&c->schema, &c->ropts, &c->cr, err);
    if (rc) return rc;
    if (c->jr) wjson_reader_on_bad_record(c->jr, on_bad, &c->bad);
    if (c->cr) wcsv_reader_on_bad_record(c->cr, on_bad, &c->bad);
    return open_writer(c, c->have_flat ? &c->flat.type : &c->schema, err);
}

/* Decodes one file, appending to the batch; the batch is written whenever it holds BATCH_ROWS rows, so
 * rows of many small files share one batch (and one encoder call) instead of one batch per file. */
static int convert_text_file(Conv *c, const char *path, WErr *err) {
    const char *data;
    size_t len;
    int rc = wcli_load(&c->loader, path, &data, &len, err);
    if (rc) return rc;
    if (c->jr) wjson_begin(c->jr, path, data, len);
    else wcsv_begin(c->cr, path, data, len);
    int done = 0;
    while (!done && rc == WEIR_OK) {
        int64_t room = BATCH_ROWS - wbatch_rows(&c->batch);
        rc = c->jr ? wjson_next(c->jr, &c->batch, room, &done, err) : wcsv_next(c->cr, &c->batch, room, &done, err);
        if (rc == WEIR_OK && wbatch_rows(&c->batch) >= BATCH_ROWS) {
            rc = write_batch(c, err);
            wbatch_reset(&c->batch);
        }
    }
    return rc;
}

static int convert_parquet_file(Conv *c, const char *path, int first, WErr *err) {
    WPqReader *r = NULL;
    int rc = wpq_reader_open(path, &r, err);
    if (rc) return rc;
    const WType *ft = wpq_reader_schema(r);
    if (!c->have_schema) {
        rc = wtype_copy(&c->schema, ft);
        if (rc) rc = werr_msg(err, rc, "out of memory");
        else c->have_schema = 1;
    } else if (!wtype_equal(&c->schema, ft)) {
        WBuf a, b;
        wbuf_init(&a);
        wbuf_init(&b);
        wtype_to_ddl(&c->schema, &a, 1);
        wtype_to_ddl(ft, &b, 1);
        rc = werr_set(err, WEIR_MISUSE, path, -1, -1, -1, "schema %s differs from the %s %s", wbuf_cstr(&b),
                      first ? "--schema" : "first file's", wbuf_cstr(&a));
        wbuf_fini(&a);
        wbuf_fini(&b);
    }
    if (rc == WEIR_OK && first) rc = start(c, err);
    for (int64_t got = 1; rc == WEIR_OK && got > 0;) {
        rc = wpq_reader_next(r, &c->batch, BATCH_ROWS, &got, err);
        if (rc == WEIR_OK && got > 0) rc = write_batch(c, err);
    }
    wpq_reader_close(r);
    return rc;
}

int cmd_convert(int argc, char **argv) {
    Conv c;
    memset(&c, 0, sizeof c);
    c.from = c.to = F_BAD;
    wopts_init(&c.ropts);
    wopts_init(&c.wopts);
    wbuf_init(&c.buf);
    wcli_loader_init(&c.loader);
    const char *from = NULL, *to = NULL, *ddl = NULL;
    char **args = calloc((size_t)argc + 1, sizeof *args);
    char **files = NULL;
    int n_args = 0, n_files = 0, status = 0;
    WErr err;
    werr_init(&err);
    if (!args) return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            goto done;
        }
        int takes = !strcmp(a, "--from") || !strcmp(a, "--to") || !strcmp(a, "--schema") || !strcmp(a, "--option") ||
                    !strcmp(a, "--read-option") || !strcmp(a, "--write-option") || !strcmp(a, "-o") ||
                    !strcmp(a, "--output");
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "weir convert: %s needs a value\n", a);
            status = 2;
            goto done;
        }
        if (!strcmp(a, "--from")) from = argv[++i];
        else if (!strcmp(a, "--to")) to = argv[++i];
        else if (!strcmp(a, "--schema")) ddl = argv[++i];
        else if (!strcmp(a, "-o") || !strcmp(a, "--output")) c.out_path = argv[++i];
        else if (!strcmp(a, "--flatten")) c.flatten = 1;
        else if (!strcmp(a, "--option")) {
            if ((status = wcli_add_option("convert", argv[++i], &c.ropts, &c.wopts))) goto done;
        } else if (!strcmp(a, "--read-option")) {
            if ((status = wcli_add_option("convert", argv[++i], &c.ropts, NULL))) goto done;
        } else if (!strcmp(a, "--write-option")) {
            if ((status = wcli_add_option("convert", argv[++i], NULL, &c.wopts))) goto done;
        } else if (!strcmp(a, "--")) {
            while (++i < argc) args[n_args++] = argv[i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "weir convert: unknown option '%s'\n", a);
            usage(stderr);
            status = 2;
            goto done;
        } else args[n_args++] = argv[i];
    }
    c.from = from ? format_id(from) : F_BAD;
    c.to = to ? format_id(to) : F_BAD;
    if (c.from == F_JSONL) c.from = F_JSON; /* the JSON decoder reads JSON Lines and arrays alike */
    if (c.to == F_JSON) c.to = F_JSONL;     /* weir writes JSON as JSON Lines, as Spark does */
    const char *why = !from ? "--from is required (json, csv or parquet)"
                      : c.from == F_BAD ? "--from must be json, csv or parquet"
                      : !to ? "--to is required (csv, jsonl or parquet)"
                      : c.to == F_BAD ? "--to must be csv, jsonl or parquet"
                      : !ddl && c.from != F_PARQUET ? "--schema is required for json and csv input"
                      : c.to == F_PARQUET && (!c.out_path || !strcmp(c.out_path, "-")) ? "--to parquet needs -o FILE"
                      : !n_args ? "no input given" : NULL;
    if (why) {
        fprintf(stderr, "weir convert: %s\n", why);
        usage(stderr);
        status = 2;
        goto done;
    }
    if (ddl) {
        if (wschema_parse(ddl, strlen(ddl), &c.schema, &err)) {
            fprintf(stderr, "weir convert: --schema: %s\n", err.msg);
            status = 2;
            goto done;
        }
        c.have_schema = 1;
    }
    /* CSV with a header on both sides unless told otherwise (DuckDB's default and the seed's setting). */
    if (c.from == F_CSV && !wopts_get(&c.ropts, "header")) wopts_set(&c.ropts, "header", "true");
    if (c.to == F_CSV && !wopts_get(&c.wopts, "header")) wopts_set(&c.wopts, "header", "true");
    int rc = wcli_expand_inputs(args, n_args, &files, &n_files, &err);
    if (rc == WEIR_OK && c.from != F_PARQUET) rc = start(&c, &err);
    int setup_failed = rc != WEIR_OK && rc != WEIR_IO && rc != WEIR_NOMEM; /* schema or options refused */
    if (rc == WEIR_OK && c.from == F_PARQUET && n_files == 0)
        rc = werr_msg(&err, WEIR_MISUSE, "no Parquet file in the input, so no schema to write");
    for (int i = 0; i < n_files && rc == WEIR_OK; i++) {
        rc = c.from == F_PARQUET ? convert_parquet_file(&c, files[i], i == 0, &err) : convert_text_file(&c, files[i], &err);
        /* Reader and writer have read their options once open: anything left is unknown. */
        const char *unknown = rc == WEIR_OK && i == 0 ? unknown_option(&c.ropts, &c.wopts) : NULL;
        if (unknown) rc = werr_msg(&err, WEIR_MISUSE, "unknown option '%s'", unknown);
    }
    if (rc == WEIR_OK && c.from != F_PARQUET && c.have_batch && wbatch_rows(&c.batch) > 0) rc = write_batch(&c, &err);
    if (rc == WEIR_OK && c.to != F_PARQUET && c.buf.len) rc = wcli_out_write(&c.out, c.buf.data, c.buf.len, &err);
    if (rc == WEIR_OK && c.pw) {
        rc = wpq_writer_close(c.pw, &err);
        c.pw = NULL;
    }
    if (rc == WEIR_OK && c.out_open) {
        rc = wcli_out_commit(&c.out, &err);
        c.out_open = 0;
    }
    if (c.bad.n > 0 && rc == WEIR_OK)
        fprintf(stderr, "weir convert: %lld bad record%s (%s)\n", (long long)c.bad.n, c.bad.n == 1 ? "" : "s",
                wopts_get(&c.ropts, "mode") ? wopts_get(&c.ropts, "mode") : "PERMISSIVE: kept as NULL rows");
    if (rc) {
        /* WEIR_MISUSE is a usage problem (option, schema, name clash); anything else failed on data or I/O. */
        fprintf(stderr, "weir convert: %s\n", err.msg);
        status = rc == WEIR_MISUSE || setup_failed ? 2 : 1;
    }
done:
    if (c.pw) wpq_writer_abort(c.pw);
    if (c.out_open) wcli_out_abort(&c.out);
    wjson_reader_close(c.jr);
    wcsv_reader_close(c.cr);
    wjson_writer_close(c.jw);
    wcsv_writer_close(c.cw);
    if (c.have_batch) wbatch_fini(&c.batch);
    if (c.have_flat) flat_fini(&c.flat);
    if (c.have_schema) wtype_fini(&c.schema);
    wbuf_fini(&c.buf);
    wcli_loader_fini(&c.loader);
    wopts_fini(&c.ropts);
    wopts_fini(&c.wopts);
    wcli_free_list(files, n_files);
    free(args);
    return status;
}
