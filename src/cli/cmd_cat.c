/*
 * cmd_cat.c - `weir cat FILE|FOLDER [--format table|csv|jsonl] [--schema] [--meta] [--batch N]`: prints
 * the rows of a Parquet file (or of every *.parquet file of a folder, in name order, which must share
 * one schema), its schema as Spark DDL, or its row groups, column chunks, pages and statistics.
 *
 * Value text: integers in decimal; doubles shortest round-trip (NaN, Infinity, -Infinity); dates
 * YYYY-MM-DD; timestamps ISO 8601 in UTC with microseconds when non-zero. In jsonl, non-finite doubles,
 * dates and timestamps are JSON strings, and a STRUCT is a JSON object; in csv and table, a STRUCT is
 * its JSON text and NULL is empty (csv) or "NULL" (table).
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cmd.h"
#include "core/num.h"
#include "core/time.h"
#include "formats/parquet.h"
#include "weir.h"

enum { FMT_TABLE, FMT_CSV, FMT_JSONL };

static void json_str(WBuf *o, const char *s, size_t n) {
    wbuf_putc(o, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            wbuf_putc(o, '\\');
            wbuf_putc(o, (char)c);
        } else if (c < 0x20) wbuf_printf(o, "\\u%04x", c);
        else wbuf_putc(o, (char)c);
    }
    wbuf_putc(o, '"');
}

/* Appends value i of v: JSON when json, else plain text. */
static void put_value(WBuf *o, const WVec *v, int64_t i, int json) {
    if (wvec_is_null(v, i)) {
        wbuf_puts(o, json ? "null" : "");
        return;
    }
    char buf[64];
    switch (v->type->id) {
    case WT_BOOLEAN: wbuf_puts(o, wvec_bool(v, i) ? "true" : "false"); break;
    case WT_INT: wbuf_printf(o, "%d", wvec_i32(v, i)); break;
    case WT_BIGINT: wnum_format_i64(wvec_i64(v, i), buf); wbuf_puts(o, buf); break;
    case WT_DOUBLE: {
        double d = wvec_f64(v, i);
        const char *s = isnan(d) ? "NaN" : isinf(d) ? (d > 0 ? "Infinity" : "-Infinity") : NULL;
        if (s) {
            if (json) wbuf_printf(o, "\"%s\"", s);
            else wbuf_puts(o, s);
        } else {
            wnum_format_double(d, buf);
            wbuf_puts(o, buf);
        }
        break;
    }
    case WT_STRING: {
        size_t n;
        const char *s = wvec_str(v, i, &n);
        if (json) json_str(o, s, n);
        else wbuf_append(o, s, n);
        break;
    }
    case WT_DATE:
    case WT_TIMESTAMP: {
        int n = v->type->id == WT_DATE ? wtime_format_date(wvec_i32(v, i), buf) : wtime_format_timestamp(wvec_i64(v, i), NULL, buf);
        if (json) json_str(o, buf, (size_t)n);
        else wbuf_append(o, buf, (size_t)n);
        break;
    }
    case WT_STRUCT:
        wbuf_putc(o, '{');
        for (int c = 0; c < v->n_children; c++) {
            if (c) wbuf_putc(o, ',');
            json_str(o, v->type->fields[c].name, strlen(v->type->fields[c].name));
            wbuf_putc(o, ':');
            put_value(o, &v->children[c], i, 1);
        }
        wbuf_putc(o, '}');
        break;
    default: break;
    }
}

static void csv_cell(WBuf *o, const char *s, size_t n) {
    int q = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');
    if (!q)
        for (size_t i = 0; i < n; i++)
            if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') q = 1;
    if (!q) {
        wbuf_append(o, s, n);
        return;
    }
    wbuf_putc(o, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') wbuf_putc(o, '"');
        wbuf_putc(o, s[i]);
    }
    wbuf_putc(o, '"');
}

/* Utf-8 aware display width (code points). */
static size_t width_of(const char *s, size_t n) {
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) w++;
    return w;
}

static int print_batch(const WBatch *b, int fmt, int header, WBuf *o) {
    const WType *t = b->schema;
    int nc = t->n_fields;
    int64_t n = wbatch_rows(b);
    if (fmt == FMT_JSONL) {
        for (int64_t i = 0; i < n; i++) {
            put_value(o, &b->root, i, 1);
            wbuf_putc(o, '\n');
        }
        return 0;
    }
    WBuf cell;
    wbuf_init(&cell);
    if (fmt == FMT_CSV) {
        if (header) {
            for (int c = 0; c < nc; c++) {
                if (c) wbuf_putc(o, ',');
                csv_cell(o, t->fields[c].name, strlen(t->fields[c].name));
            }
            wbuf_putc(o, '\n');
        }
        for (int64_t i = 0; i < n; i++) {
            for (int c = 0; c < nc; c++) {
                if (c) wbuf_putc(o, ',');
                wbuf_reset(&cell);
                const WVec *v = &b->root.children[c];
                put_value(&cell, v, i, 0);
                csv_cell(o, cell.data ? cell.data : "", cell.len);
            }
            wbuf_putc(o, '\n');
        }
        wbuf_fini(&cell);
        return 0;
    }
    /* table: cells rendered first, then padded to each column's widest cell in this batch */
    size_t *wd = calloc((size_t)nc, sizeof *wd);
    size_t *off = malloc(sizeof *off * (size_t)(n * nc + 1));
    if (!wd || !off) {
        free(wd);
        free(off);
        wbuf_fini(&cell);
        return 1;
    }
    for (int c = 0; c < nc; c++) wd[c] = width_of(t->fields[c].name, strlen(t->fields[c].name));
    for (int64_t i = 0; i < n; i++)
        for (int c = 0; c < nc; c++) {
            off[i * nc + c] = cell.len;
            const WVec *v = &b->root.children[c];
            size_t before = cell.len;
            if (wvec_is_null(v, i)) wbuf_puts(&cell, "NULL");
            else put_value(&cell, v, i, 0);
            for (size_t k = before; k < cell.len; k++)
                if (cell.data[k] == '\n' || cell.data[k] == '\t' || cell.data[k] == '\r') cell.data[k] = ' ';
            size_t w = width_of(cell.data + before, cell.len - before);
            if (w > wd[c]) wd[c] = w;
        }
    off[n * nc] = cell.len;
    if (header) {
        for (int c = 0; c < nc; c++) {
            size_t l = strlen(t->fields[c].name);
            wbuf_printf(o, "%s%s%*s", c ? " | " : "", t->fields[c].name,
                        c < nc - 1 ? (int)(wd[c] - width_of(t->fields[c].name, l)) : 0, "");
        }
        wbuf_putc(o, '\n');
        for (int c = 0; c < nc; c++) {
            if (c) wbuf_puts(o, "-+-");
            for (size_t k = 0; k < wd[c]; k++) wbuf_putc(o, '-');
        }
        wbuf_putc(o, '\n');
    }
    for (int64_t i = 0; i < n; i++) {
        for (int c = 0; c < nc; c++) {
            size_t s = off[i * nc + c], e = off[i * nc + c + 1];
            if (c) wbuf_puts(o, " | ");
            wbuf_append(o, cell.data + s, e - s);
            size_t w = width_of(cell.data + s, e - s);
            if (c < nc - 1)
                for (size_t k = w; k < wd[c]; k++) wbuf_putc(o, ' ');
        }
        wbuf_putc(o, '\n');
    }
    free(wd);
    free(off);
    wbuf_fini(&cell);
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void usage(FILE *f) {
    fprintf(f, "usage: weir cat FILE|FOLDER [--format table|csv|jsonl] [--schema] [--meta] [--batch ROWS]\n"
               "  prints the rows of a Parquet file, or of every *.parquet file in FOLDER (name order)\n"
               "  --schema  print the schema as Spark DDL instead\n"
               "  --meta    print row groups, column chunks, pages, encodings and statistics instead\n");
}

int cmd_cat(int argc, char **argv) {
    const char *target = NULL;
    int fmt = FMT_TABLE, schema_only = 0, meta = 0;
    int64_t batch = 8192;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            const char *f = argv[++i];
            if (!strcmp(f, "table")) fmt = FMT_TABLE;
            else if (!strcmp(f, "csv")) fmt = FMT_CSV;
            else if (!strcmp(f, "jsonl") || !strcmp(f, "json")) fmt = FMT_JSONL;
            else {
                fprintf(stderr, "weir cat: unknown format '%s' (table, csv or jsonl)\n", f);
                return 2;
            }
        } else if (!strcmp(argv[i], "--schema")) schema_only = 1;
        else if (!strcmp(argv[i], "--meta")) meta = 1;
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
            batch = atoll(argv[++i]);
            if (batch <= 0) {
                fprintf(stderr, "weir cat: --batch needs a positive number\n");
                return 2;
            }
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "weir cat: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!target) target = argv[i];
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!target) {
        usage(stderr);
        return 2;
    }
    /* the files to read */
    char **files = NULL;
    int nf = 0;
    struct stat st;
    if (stat(target, &st)) {
        fprintf(stderr, "weir cat: %s: cannot open\n", target);
        return 1;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(target);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            size_t l = strlen(e->d_name);
            if (e->d_name[0] == '.' || e->d_name[0] == '_' || l < 8 || strcmp(e->d_name + l - 8, ".parquet")) continue;
            char **nfiles = realloc(files, sizeof *files * (size_t)(nf + 1));
            if (!nfiles) break;
            files = nfiles;
            size_t tl = strlen(target);
            files[nf] = malloc(tl + l + 2);
            if (!files[nf]) break;
            sprintf(files[nf++], "%s/%s", target, e->d_name);
        }
        if (d) closedir(d);
        qsort(files, (size_t)nf, sizeof *files, cmp_str);
    } else {
        files = malloc(sizeof *files);
        if (files) files[nf++] = strdup(target);
    }
    int status = 0;
    WType first;
    memset(&first, 0, sizeof first);
    int have_first = 0, header = 1;
    WBuf out;
    wbuf_init(&out);
    for (int fi = 0; fi < nf && !status; fi++) {
        WErr err;
        werr_init(&err);
        WPqReader *r = NULL;
        int rc = wpq_reader_open(files[fi], &r, &err);
        if (rc) {
            fprintf(stderr, "weir cat: %s\n", err.msg);
            status = 1;
            break;
        }
        const WType *t = wpq_reader_schema(r);
        if (meta) {
            wbuf_reset(&out);
            wbuf_printf(&out, "file %s\n", files[fi]);
            rc = wpq_reader_describe(r, &out, &err);
            fwrite(out.data, 1, out.len, stdout);
        } else if (schema_only) {
            if (!have_first || !wtype_equal(&first, t)) {
                wbuf_reset(&out);
                wtype_to_ddl(t, &out, 1);
                wbuf_putc(&out, '\n');
                fwrite(out.data, 1, out.len, stdout);
            }
        } else {
            if (have_first && !wtype_equal(&first, t)) {
                fprintf(stderr, "weir cat: %s: schema differs from the folder's first file\n", files[fi]);
                rc = 1;
            }
            WBatch b;
            wbatch_init(&b, t);
            int64_t got = 1;
            while (!rc) {
                rc = wpq_reader_next(r, &b, batch, &got, &err);
                if (rc || got == 0) break;
                wbuf_reset(&out);
                print_batch(&b, fmt, header && fmt != FMT_JSONL, &out);
                if (fwrite(out.data, 1, out.len, stdout) != out.len) rc = 1;
                header = 0;
            }
            wbatch_fini(&b);
        }
        if (rc) {
            if (err.code) fprintf(stderr, "weir cat: %s\n", err.msg);
            status = 1;
        }
        if (!have_first) {
            wtype_copy(&first, t);
            have_first = 1;
        }
        wpq_reader_close(r);
    }
    if (have_first) wtype_fini(&first);
    wbuf_fini(&out);
    for (int i = 0; i < nf; i++) free(files[i]);
    free(files);
    if (fflush(stdout)) status = 1;
    return status;
}
