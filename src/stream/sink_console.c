/*
 * sink_console.c - the "console" sink: a bare `SELECT ... FROM STREAM(t)` prints each batch to standard
 * output as Spark's console sink does (Dataset.show): a "Batch: N" banner, then a +---+ table with the
 * values right-aligned, at most `numRows` rows (20) and, with `truncate` (true), cells cut to 20
 * characters ("..." ending). Values appear as Spark casts them to text: timestamps as
 * yyyy-MM-dd HH:mm:ss[.ffffff] in the session zone, structs as {a, b}, NULL as NULL.
 * Nothing is durable here, so begin never skips and commit only flushes stdout.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/num.h"
#include "core/time.h"
#include "stream/sink.h"

struct WSink {
    const WType *schema;
    int64_t num_rows;
    int truncate;
    WTz *tz;
    int64_t shown;        /* rows shown in this batch */
    int64_t total;        /* rows in this batch */
    WBuf *cells;          /* one per shown cell, row-major, plus the header */
    int64_t n_cells, cap_cells;
    FILE *out;
};

static int console_open(const WSinkConfig *cfg, WSink **out, WErr *err) {
    WSink *s = calloc(1, sizeof *s);
    if (!s) return werr_msg(err, WEIR_NOMEM, "out of memory");
    s->schema = cfg->schema;
    s->out = stdout;
    int rc = wopts_get_int(cfg->opts, "numRows", 20, &s->num_rows, err);
    if (!rc) rc = wopts_get_bool(cfg->opts, "truncate", 1, &s->truncate, err);
    if (!rc && s->num_rows < 0) rc = werr_msg(err, WEIR_MISUSE, "option numRows: must not be negative");
    if (!rc && cfg->time_zone && strcmp(cfg->time_zone, "UTC") != 0) rc = wtz_open(cfg->time_zone, &s->tz, err);
    if (rc) {
        free(s);
        return rc;
    }
    *out = s;
    return WEIR_OK;
}

/* The text of value i of v, as Spark's cast to string gives it. */
static int put_value(WSink *s, WBuf *o, const WVec *v, int64_t i) {
    if (wvec_is_null(v, i)) return wbuf_puts(o, "NULL");
    char tmp[64];
    switch (v->type->id) {
    case WT_BOOLEAN: return wbuf_puts(o, wvec_bool(v, i) ? "true" : "false");
    case WT_INT: return wbuf_printf(o, "%" PRId32, wvec_i32(v, i));
    case WT_BIGINT: return wbuf_printf(o, "%" PRId64, wvec_i64(v, i));
    case WT_DOUBLE: return wbuf_append(o, tmp, (size_t)wnum_format_double(wvec_f64(v, i), tmp));
    case WT_DATE: return wbuf_append(o, tmp, (size_t)wtime_format_date(wvec_i32(v, i), tmp));
    case WT_TIMESTAMP: {
        /* ISO text "yyyy-MM-ddTHH:mm:ss.ffffffZ" reshaped: space for T, zone dropped, trailing zeros cut */
        int64_t us = wvec_i64(v, i);
        int32_t off = s->tz ? wtz_offset_at_utc(s->tz, us) : 0;
        int n = wtime_format_timestamp(us + (int64_t)off * 1000000, NULL, tmp);
        if (n > 0 && tmp[n - 1] == 'Z') n--;
        char *t = strchr(tmp, 'T');
        if (t) *t = ' ';
        char *dot = strrchr(tmp, '.');
        if (dot) {
            while (n > 0 && tmp[n - 1] == '0') n--;
            if (tmp + n - 1 == dot) n--;
        }
        return wbuf_append(o, tmp, (size_t)n);
    }
    case WT_STRING: {
        size_t n;
        const char *p = wvec_str(v, i, &n);
        return wbuf_append(o, p, n);
    }
    case WT_STRUCT: {
        int rc = wbuf_putc(o, '{');
        for (int c = 0; c < v->n_children && !rc; c++) {
            if (c) rc = wbuf_puts(o, ", ");
            if (!rc) rc = put_value(s, o, &v->children[c], i);
        }
        return rc ? rc : wbuf_putc(o, '}');
    }
    default: return WEIR_OK;
    }
}

/* Characters (UTF-8 code points) in p[0..n). */
static size_t chars_of(const char *p, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += ((unsigned char)p[i] & 0xC0) != 0x80;
    return k;
}

/* Byte length of the first `chars` code points of p[0..n). */
static size_t bytes_of_chars(const char *p, size_t n, size_t chars) {
    size_t i = 0, k = 0;
    while (i < n) {
        if (((unsigned char)p[i] & 0xC0) != 0x80) {
            if (k == chars) break;
            k++;
        }
        i++;
    }
    return i;
}

static WBuf *new_cell(WSink *s) {
    if (s->n_cells == s->cap_cells) {
        int64_t cap = s->cap_cells ? s->cap_cells * 2 : 64;
        WBuf *nc = realloc(s->cells, sizeof *nc * (size_t)cap);
        if (!nc) return NULL;
        for (int64_t i = s->cap_cells; i < cap; i++) wbuf_init(&nc[i]);
        s->cells = nc;
        s->cap_cells = cap;
    }
    WBuf *c = &s->cells[s->n_cells++];
    wbuf_reset(c);
    return c;
}

static int console_begin(WSink *s, int64_t batch_id, int *skip, WErr *err) {
    (void)batch_id;
    (void)err;
    *skip = 0;
    s->shown = s->total = 0;
    s->n_cells = 0;
    for (int c = 0; c < s->schema->n_fields; c++) {
        WBuf *b = new_cell(s);
        if (!b || wbuf_puts(b, s->schema->fields[c].name)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    return WEIR_OK;
}

static int console_write(WSink *s, int64_t batch_id, const WBatch *rows, WErr *err) {
    (void)batch_id;
    int64_t n = wbatch_rows(rows);
    for (int64_t r = 0; r < n && s->shown < s->num_rows; r++, s->shown++)
        for (int c = 0; c < s->schema->n_fields; c++) {
            WBuf *b = new_cell(s);
            if (!b || put_value(s, b, &rows->root.children[c], r)) return werr_msg(err, WEIR_NOMEM, "out of memory");
        }
    s->total += n;
    return WEIR_OK;
}

static int console_commit(WSink *s, int64_t batch_id, WSinkStats *stats, WErr *err) {
    int nf = s->schema->n_fields;
    size_t *width = calloc((size_t)(nf ? nf : 1), sizeof *width);
    if (!width) return werr_msg(err, WEIR_NOMEM, "out of memory");
    for (int64_t i = 0; i < s->n_cells; i++) {
        WBuf *b = &s->cells[i];
        if (s->truncate && chars_of(b->data, b->len) > 20) {
            b->len = bytes_of_chars(b->data, b->len, 17);
            wbuf_puts(b, "...");
        }
        size_t w = chars_of(b->data, b->len);
        if (w > width[i % nf]) width[i % nf] = w;
    }
    WBuf o;
    wbuf_init(&o);
    wbuf_printf(&o, "-------------------------------------------\nBatch: %" PRId64
                    "\n-------------------------------------------\n", batch_id);
    WBuf line;
    wbuf_init(&line);
    wbuf_putc(&line, '+');
    for (int c = 0; c < nf; c++) {
        for (size_t k = 0; k < (width[c] < 3 ? 3 : width[c]); k++) wbuf_putc(&line, '-');
        wbuf_putc(&line, '+');
    }
    wbuf_putc(&line, '\n');
    for (int64_t i = 0; i < s->n_cells; i++) {
        int c = (int)(i % nf);
        if (i == 0 || (c == 0 && i == nf)) wbuf_append(&o, line.data, line.len);
        if (c == 0) wbuf_putc(&o, '|');
        WBuf *b = &s->cells[i];
        size_t w = width[c] < 3 ? 3 : width[c];
        for (size_t k = chars_of(b->data, b->len); k < w; k++) wbuf_putc(&o, ' ');
        wbuf_append(&o, b->data, b->len);
        wbuf_putc(&o, '|');
        if (c == nf - 1) wbuf_putc(&o, '\n');
    }
    if (nf && s->n_cells) wbuf_append(&o, line.data, line.len);
    if (s->total > s->shown)
        wbuf_printf(&o, "only showing top %" PRId64 " row%s\n", s->shown, s->shown == 1 ? "" : "s");
    wbuf_putc(&o, '\n');
    fwrite(o.data, 1, o.len, s->out);
    fflush(s->out);
    wbuf_fini(&o);
    wbuf_fini(&line);
    free(width);
    stats->rows = s->total;
    stats->files = 0;
    stats->bytes = 0;
    return WEIR_OK;
}

static void console_abort(WSink *s, int64_t batch_id) {
    (void)batch_id;
    s->n_cells = 0;
}

static void console_close(WSink *s) {
    if (!s) return;
    for (int64_t i = 0; i < s->cap_cells; i++) wbuf_fini(&s->cells[i]);
    free(s->cells);
    if (s->tz) wtz_free(s->tz);
    free(s);
}

const WSinkOps wsink_console_ops = {"console", console_open, console_begin, console_write, console_commit,
                                    console_abort, console_close, NULL, NULL, NULL, NULL, NULL};
