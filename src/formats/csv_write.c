/*
 * csv_write.c - the CSV encoder: WBatch rows to RFC 4180 text that csv_read.c reads back to the same
 * values.
 *
 * A field is quoted only when it must be: it holds the separator's first byte, the quote, the escape,
 * CR, LF or the line separator; it starts or ends with a space or tab (so readers that trim, such as
 * Spark with ignoreLeadingWhiteSpace, keep it); it starts with the comment byte; it is an empty string
 * (written "" so that it differs from NULL, which is written as nullValue, empty by default); or it is
 * a STRING equal to nullValue. Option quoteAll quotes every non-NULL field. Inside quotes a quote is
 * doubled (RFC 4180) and the escape byte is doubled, since the reader takes escape+quote as a quote.
 * Values: doubles shortest round-trip (core/num; a value written lately is copied from the memo of its
 * text), timestamps ISO 8601 with microseconds in timeZone or
 * timestampFormat, dates yyyy-MM-dd or dateFormat, booleans true/false. Rows end with LF (or lineSep).
 */
#include <stdlib.h>
#include <string.h>

#include "formats/csv.h"
#include "formats/csv_internal.h"
#include "core/num.h"
#include "core/time.h"
#include "weir.h"

/* The date, second and zone suffix of the last ISO timestamp written: rows of a batch mostly fall on the
 * same day, often in the same second, so only the rest is formatted per value (ts_iso). */
typedef struct TsCache {
    int valid;
    int64_t days;         /* local day */
    int32_t off;          /* zone offset, seconds */
    uint32_t secs;        /* second of the day that head ends with */
    int64_t sec_us;       /* that second as UTC microseconds: values in the same second need no zone lookup */
    char head[40];        /* "2026-12-07T10:56:23." (the date, 'T', the time to the second, '.') */
    int date_len;         /* of "2026-12-07T" */
    char zone[16];        /* "Z" or "+01:00" */
    int zone_len;
} TsCache;

struct WCsvWriter {
    const WType *schema;
    WCsvDialect d;
    int quote_all;
    int plain_safe;        /* no byte of a number, boolean or ISO date/timestamp needs quoting */
    uint8_t special[256];  /* bytes that force quoting */
    char eol[2];
    int eol_len;
    TsCache ts;
    WNumMemo dbl; /* texts of recent doubles */
};

int wcsv_writer_open(const WType *schema, WOpts *opts, WCsvWriter **out, WErr *err) {
    *out = NULL;
    if (!schema || schema->id != WT_STRUCT) return werr_msg(err, WEIR_MISUSE, "CSV schema must be a STRUCT");
    for (int i = 0; i < schema->n_fields; i++)
        if (schema->fields[i].type.id == WT_STRUCT)
            return werr_msg(err, WEIR_UNSUPPORTED, "CSV is flat: column %s is a STRUCT (flatten it first)",
                            schema->fields[i].name);
    WCsvWriter *w = calloc(1, sizeof *w);
    if (!w) return werr_msg(err, WEIR_NOMEM, "out of memory");
    w->schema = schema;
    int rc = wcsv_dialect_init(&w->d, opts, 1, err);
    if (!rc) rc = wopts_get_bool(opts, "quoteAll", 0, &w->quote_all, err);
    if (rc) { wcsv_writer_close(w); return rc; }
    if (w->d.quote < 0) {
        wcsv_writer_close(w);
        return werr_msg(err, WEIR_MISUSE, "option quote: the CSV writer needs a quote character");
    }
    w->special[(unsigned char)w->d.sep[0]] = 1;
    w->special[w->d.quote] = 1;
    if (w->d.escape >= 0) w->special[w->d.escape] = 1;
    w->special['\n'] = w->special['\r'] = 1;
    if (w->d.line_sep >= 0) {
        w->special[w->d.line_sep] = 1;
        w->eol[0] = (char)w->d.line_sep;
        w->eol_len = 1;
    } else if (w->d.line_sep == -2) {
        memcpy(w->eol, "\r\n", 2);
        w->eol_len = 2;
    } else {
        w->eol[0] = '\n';
        w->eol_len = 1;
    }
    w->plain_safe = !w->quote_all;
    for (const char *c = "0123456789+-.:eETZNaInfityrusl"; *c; c++)
        if (w->special[(unsigned char)*c] || (unsigned char)*c == w->d.comment) w->plain_safe = 0;
    *out = w;
    return WEIR_OK;
}

void wcsv_writer_close(WCsvWriter *w) {
    if (!w) return;
    wcsv_dialect_fini(&w->d);
    free(w);
}

static inline int needs_quote(const WCsvWriter *w, const char *s, size_t n) {
    if (n == 0 || w->quote_all) return 1;
    if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t') return 1;
    if (w->d.comment >= 0 && (unsigned char)s[0] == w->d.comment) return 1;
    for (size_t i = 0; i < n; i++)
        if (w->special[(unsigned char)s[i]]) return 1;
    return 0;
}

/* Appends s, quoted when needed (force: quote anyway). */
static int put_text(const WCsvWriter *w, WBuf *out, const char *s, size_t n, int force) {
    if (!force && !needs_quote(w, s, n)) return wbuf_append(out, s, n);
    if (wbuf_reserve(out, 2 * n + 2)) return WEIR_NOMEM;
    char *o = out->data + out->len;
    char q = (char)w->d.quote;
    int e = w->d.escape;
    *o++ = q;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == q) *o++ = q;
        else if ((unsigned char)c == e) *o++ = c;
        *o++ = c;
    }
    *o++ = q;
    out->len = (size_t)(o - out->data);
    return WEIR_OK;
}

static inline int put_sep(const WCsvWriter *w, WBuf *out) {
    if (w->d.sep_len == 1 && out->len + 1 < out->cap) {
        out->data[out->len++] = w->d.sep[0];
        return WEIR_OK;
    }
    return wbuf_append(out, w->d.sep, (size_t)w->d.sep_len);
}

int wcsv_write_header(WCsvWriter *w, WBuf *out, WErr *err) {
    if (!w->d.header) return WEIR_OK;
    for (int i = 0; i < w->schema->n_fields; i++) {
        const char *nm = w->schema->fields[i].name;
        if ((i && put_sep(w, out)) || put_text(w, out, nm, strlen(nm), 0))
            return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    if (wbuf_append(out, w->eol, (size_t)w->eol_len)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    return WEIR_OK;
}

#define US_PER_SEC INT64_C(1000000)

static inline void put2(char *p, unsigned v) { memcpy(p, wnum_digits2 + 2 * v, 2); }

/* wtime_format_timestamp(us, tz) with the date and zone taken from the cache when the local day and the
 * offset are those of the previous value (wtime_local_day), and only the microseconds formatted when
 * the second is too (no zone lookup then). buf holds at least
 * WTIME_TEXT_MAX bytes (40 + 6 + 16 are written at most): the cached parts are copied whole (fixed sizes
 * make plain moves) and the length advanced by their real size. */
static int ts_iso(TsCache *c, int64_t us, const WTz *tz, char *buf) {
    uint32_t micro;
    /* zone transitions fall on whole seconds, so the second of the last value has its offset and day */
    if (c->valid && (uint64_t)us - (uint64_t)c->sec_us < US_PER_SEC) {
        micro = (uint32_t)((uint64_t)us - (uint64_t)c->sec_us);
        goto tail;
    }
    int32_t off = tz ? wtz_offset_at_utc(tz, us) : 0;
    int64_t rem, days = wtime_local_day(us, off, &rem);
    if (!c->valid || c->days != days || c->off != off) {
        int n = wtime_format_timestamp(us, tz, buf);
        const char *t = memchr(buf, 'T', (size_t)n);
        /* the layout is date 'T' HH:mm:ss.SSSSSS zone; anything else is simply not cached */
        if (!t || n - (t + 16 - buf) >= (int)sizeof c->zone || t - buf + 10 > (int)sizeof c->head) {
            c->valid = 0;
            return n;
        }
        c->date_len = (int)(t - buf) + 1;
        memcpy(c->head, buf, (size_t)c->date_len + 9);
        c->zone_len = n - (c->date_len + 15);
        memcpy(c->zone, t + 16, (size_t)c->zone_len);
        c->days = days;
        c->off = off;
        c->secs = (uint32_t)(rem / US_PER_SEC);
        c->sec_us = us - rem % US_PER_SEC;
        c->valid = 1;
        return n;
    }
    uint32_t secs = (uint32_t)(rem / US_PER_SEC);
    micro = (uint32_t)(rem % US_PER_SEC);
    c->sec_us = us - micro;
    if (secs != c->secs) { /* another second of the same day */
        char *h = c->head + c->date_len;
        put2(h, secs / 3600);
        h[2] = ':';
        put2(h + 3, secs / 60 % 60);
        h[5] = ':';
        put2(h + 6, secs % 60);
        h[8] = '.';
        c->secs = secs;
    }
tail:;
    char *p = buf;
    memcpy(p, c->head, sizeof c->head);
    p += c->date_len + 9;
    put2(p, micro / 10000);
    put2(p + 2, micro / 100 % 100);
    put2(p + 4, micro % 100);
    p += 6;
    memcpy(p, c->zone, sizeof c->zone);
    p += c->zone_len;
    *p = 0;
    return (int)(p - buf);
}

/* Formats a non-STRING value into buf; returns its length, or -1 when the format cannot hold it. */
static inline int format_fixed(WCsvWriter *w, const WVec *v, int64_t i, char *buf) {
    const WCsvDialect *d = &w->d;
    switch (v->type->id) {
    case WT_BOOLEAN:
        if (wvec_bool(v, i)) { memcpy(buf, "true", 5); return 4; }
        memcpy(buf, "false", 6);
        return 5;
    case WT_INT: return wnum_format_i64(wvec_i32(v, i), buf);
    case WT_BIGINT: return wnum_format_i64(wvec_i64(v, i), buf);
    case WT_DOUBLE: return wnum_format_double_memo(&w->dbl, wvec_f64(v, i), buf);
    case WT_DATE:
        if (d->date_fmt)
            return wtimefmt_format(d->date_fmt, (int64_t)wvec_i32(v, i) * 86400000000LL, NULL, buf, WTIME_TEXT_MAX);
        return wtime_format_date(wvec_i32(v, i), buf);
    case WT_TIMESTAMP:
        if (d->ts_fmt) return wtimefmt_format(d->ts_fmt, wvec_i64(v, i), d->tz, buf, WTIME_TEXT_MAX);
        return ts_iso(&w->ts, wvec_i64(v, i), d->tz, buf);
    default: return -1;
    }
}

/* Room reserved per non-STRING value by wcsv_write_batch: the longest text, quoted with every byte
 * doubled, plus a separator. */
#define FIXED_MAX (2 * (WTIME_TEXT_MAX > WNUM_DOUBLE_MAX ? WTIME_TEXT_MAX : WNUM_DOUBLE_MAX) + 2 + WCSV_SEP_MAX)

static int put_value(WCsvWriter *w, const WVec *v, int64_t i, WBuf *out) {
    const WCsvDialect *d = &w->d;
    if (wvec_is_null(v, i)) return wbuf_append(out, d->null_value, d->null_len);
    WTypeId t = v->type->id;
    if (t == WT_STRING) {
        /* not wvec_str: chars is NULL while a column holds only empty strings, and NULL + 0 is UB */
        size_t len = (size_t)(v->offsets[i + 1] - v->offsets[i]);
        const char *s = len ? v->chars + v->offsets[i] : "";
        if (len == 0 && d->empty_value) return put_text(w, out, d->empty_value, d->empty_len, d->empty_len == 0);
        int force = d->null_len && len == d->null_len && !memcmp(s, d->null_value, len);
        return put_text(w, out, s, len, force);
    }
    /* Numbers, booleans and ISO dates/timestamps are written in place when no byte of theirs can
     * need quoting in this dialect (the usual case); the caller reserved FIXED_MAX bytes. */
    int direct = w->plain_safe && !(t == WT_TIMESTAMP && d->ts_fmt) && !(t == WT_DATE && d->date_fmt);
    if (direct) {
        int n = format_fixed(w, v, i, out->data + out->len);
        if (n < 0) return WEIR_PARSE;
        out->len += (size_t)n;
        return WEIR_OK;
    }
    char buf[WTIME_TEXT_MAX + WNUM_DOUBLE_MAX];
    int n = format_fixed(w, v, i, buf);
    if (n < 0) return WEIR_PARSE;
    return put_text(w, out, buf, (size_t)n, 0);
}

/* How wcsv_write_batch writes a column's non-NULL values: in place for the usual types when no byte of
 * theirs needs quoting (plain_safe), else through put_value. */
enum { K_GENERAL, K_INT, K_BIGINT, K_DOUBLE, K_TS_ISO };

static int column_kind(const WCsvWriter *w, const WVec *v) {
    if (!w->plain_safe) return K_GENERAL;
    switch (v->type->id) {
    case WT_INT: return K_INT;
    case WT_BIGINT: return K_BIGINT;
    case WT_DOUBLE: return K_DOUBLE;
    case WT_TIMESTAMP: return w->d.ts_fmt ? K_GENERAL : K_TS_ISO;
    default: return K_GENERAL;
    }
}

int wcsv_write_batch(WCsvWriter *w, const WBatch *b, WBuf *out, WErr *err) {
    int nc = w->schema->n_fields;
    if (b->root.n_children != nc) return werr_msg(err, WEIR_MISUSE, "batch has %d columns, CSV writer %d",
                                                  b->root.n_children, nc);
    int64_t rows = b->root.len;
    size_t row_max = (size_t)nc * FIXED_MAX + 2;
    int kinds[64];
    for (int c = 0; c < nc && c < 64; c++) kinds[c] = column_kind(w, &b->root.children[c]);
    const char sep0 = w->d.sep[0];
    const int sep1 = w->d.sep_len == 1;
    for (int64_t i = 0; i < rows; i++) {
        if (out->cap - out->len < row_max + 1 && wbuf_reserve(out, row_max))
            return werr_msg(err, WEIR_NOMEM, "out of memory");
        /* o runs ahead of out->len while values are written in place: there is room for FIXED_MAX bytes
         * per column left (reserved with the row, or again after a value of any length, below) */
        char *o = out->data + out->len;
        for (int c = 0; c < nc; c++) {
            if (c) {
                if (sep1) *o++ = sep0;
                else memcpy(o, w->d.sep, (size_t)w->d.sep_len), o += w->d.sep_len;
            }
            const WVec *v = &b->root.children[c];
            int kind = c < 64 && !wvec_is_null(v, i) ? kinds[c] : K_GENERAL;
            switch (kind) {
            case K_INT: {
                int32_t x = wvec_i32(v, i);
                if (x >= 0 && x < 10) *o++ = (char)('0' + x);
                else if (x >= 10 && x < 100) memcpy(o, wnum_digits2 + 2 * x, 2), o += 2;
                else o += wnum_format_i64(x, o);
                continue;
            }
            case K_BIGINT: o += wnum_format_i64(wvec_i64(v, i), o); continue;
            case K_DOUBLE: o += wnum_format_double_memo(&w->dbl, wvec_f64(v, i), o); continue;
            case K_TS_ISO: o += ts_iso(&w->ts, wvec_i64(v, i), w->d.tz, o); continue;
            default: break;
            }
            out->len = (size_t)(o - out->data);
            int rc = put_value(w, v, i, out);
            /* a STRING may have used the room of the columns after it */
            if (!rc && wbuf_reserve(out, (size_t)(nc - c) * FIXED_MAX + 2)) rc = WEIR_NOMEM;
            if (rc == WEIR_NOMEM) return werr_msg(err, rc, "out of memory");
            if (rc) return werr_msg(err, rc, "column %s row %lld: value cannot be written with the given format",
                                    w->schema->fields[c].name, (long long)i);
            o = out->data + out->len;
        }
        out->len = (size_t)(o - out->data);
        if (w->eol_len == 1) out->data[out->len++] = w->eol[0]; /* row_max counts it */
        else if (wbuf_append(out, w->eol, (size_t)w->eol_len)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    return WEIR_OK;
}
