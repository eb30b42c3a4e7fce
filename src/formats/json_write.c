/*
 * json_write.c - the JSON Lines encoder: one object per row of a WBatch, as Spark's JSON writer lays it
 * out (fields in schema order, NULL fields omitted, nested STRUCTs as objects, no spaces).
 *
 * Strings: '"' and '\\' escaped, \b \f \n \r \t as short escapes and other control characters as
 * \u00XX (Jackson's choice, so Spark's), valid UTF-8 passed through; bytes that are not valid UTF-8
 * (possible in a column filled from CSV) become \uFFFD so that the output is always valid JSON.
 * DOUBLE: shortest round-trip text (wnum_format_double, through a memo of recent values); NaN / Infinity / -Infinity as the strings Spark
 * writes. TIMESTAMP / DATE: ISO 8601 via core/time.h, or the timestampFormat / dateFormat pattern, in
 * option timeZone (default UTC).
 */
#include "formats/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "core/time.h"
#include "formats/json_lex.h"

struct WJsonWriter {
    const WType *schema;
    WTz *tz;
    WTimeFmt *ts_fmt, *date_fmt;
    WNumMemo dbl; /* texts of recent doubles */
};

int wjson_writer_open(const WType *schema, WOpts *opts, WJsonWriter **out, WErr *err) {
    *out = NULL;
    if (!schema || schema->id != WT_STRUCT) return werr_msg(err, WEIR_MISUSE, "JSON writer: schema must be a STRUCT");
    WJsonWriter *w = calloc(1, sizeof *w);
    if (!w) return werr_msg(err, WEIR_NOMEM, "out of memory");
    w->schema = schema;
    const char *s;
    int rc;
    WOpts none = {0, NULL};
    if (!opts) opts = &none; /* no options: every default */
    wopts_get_str(opts, "timeZone", "UTC", &s);
    if ((rc = wtz_open(s, &w->tz, err))) goto fail;
    if ((s = wopts_get(opts, "timestampFormat")) && (rc = wtimefmt_compile(s, &w->ts_fmt, err))) goto fail;
    if ((s = wopts_get(opts, "dateFormat")) && (rc = wtimefmt_compile(s, &w->date_fmt, err))) goto fail;
    *out = w;
    return WEIR_OK;
fail:
    wjson_writer_close(w);
    return rc;
}

void wjson_writer_close(WJsonWriter *w) {
    if (!w) return;
    wtz_free(w->tz);
    wtimefmt_free(w->ts_fmt);
    wtimefmt_free(w->date_fmt);
    free(w);
}

static int put_str(WBuf *o, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    /* worst case: every byte as \u00XX (6) or U+FFFD escape (6) */
    if (n > (SIZE_MAX - 2) / 6 || wbuf_reserve(o, n * 6 + 2)) return WEIR_NOMEM;
    char *d = o->data + o->len;
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    *d++ = '"';
    while (p < e) {
        unsigned c = *p;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *d++ = (char)c;
            p++;
            continue;
        }
        if (c >= 0x80) {
            int k = wjl_utf8(p, e);
            if (k) {
                memcpy(d, p, (size_t)k);
                d += k;
                p += k;
            } else {
                memcpy(d, "\\ufffd", 6);
                d += 6;
                p++;
            }
            continue;
        }
        *d++ = '\\';
        switch (c) {
        case '"': *d++ = '"'; break;
        case '\\': *d++ = '\\'; break;
        case '\b': *d++ = 'b'; break;
        case '\f': *d++ = 'f'; break;
        case '\n': *d++ = 'n'; break;
        case '\r': *d++ = 'r'; break;
        case '\t': *d++ = 't'; break;
        default:
            *d++ = 'u';
            *d++ = '0';
            *d++ = '0';
            *d++ = hex[c >> 4];
            *d++ = hex[c & 15];
        }
        p++;
    }
    *d++ = '"';
    o->len = (size_t)(d - o->data);
    return WEIR_OK;
}

static int put_value(WJsonWriter *w, const WVec *v, int64_t i, WBuf *o, WErr *err);

static int put_struct(WJsonWriter *w, const WVec *v, int64_t i, WBuf *o, WErr *err) {
    if (wbuf_putc(o, '{')) return WEIR_NOMEM;
    int first = 1;
    for (int c = 0; c < v->n_children; c++) {
        const WVec *ch = &v->children[c];
        if (wvec_is_null(ch, i)) continue;
        if (!first && wbuf_putc(o, ',')) return WEIR_NOMEM;
        first = 0;
        const char *name = v->type->fields[c].name;
        if (put_str(o, name, strlen(name)) || wbuf_putc(o, ':')) return WEIR_NOMEM;
        int rc = put_value(w, ch, i, o, err);
        if (rc) return rc;
    }
    return wbuf_putc(o, '}');
}

static int put_value(WJsonWriter *w, const WVec *v, int64_t i, WBuf *o, WErr *err) {
    char tmp[WTIME_TEXT_MAX + WNUM_DOUBLE_MAX + 64];
    int n;
    switch (v->type->id) {
    case WT_BOOLEAN: return wbuf_puts(o, wvec_bool(v, i) ? "true" : "false");
    case WT_INT: n = wnum_format_i64(wvec_i32(v, i), tmp); return wbuf_append(o, tmp, (size_t)n);
    case WT_BIGINT: n = wnum_format_i64(wvec_i64(v, i), tmp); return wbuf_append(o, tmp, (size_t)n);
    case WT_DOUBLE: {
        double d = wvec_f64(v, i);
        n = wnum_format_double_memo(&w->dbl, d, tmp);
        if (isnan(d) || isinf(d)) return put_str(o, tmp, (size_t)n);
        return wbuf_append(o, tmp, (size_t)n);
    }
    case WT_STRING: {
        size_t sn = 0;
        /* a column of only empty strings has no chars buffer at all */
        const char *s = v->chars ? wvec_str(v, i, &sn) : "";
        return put_str(o, s, sn);
    }
    case WT_TIMESTAMP:
        if (w->ts_fmt) {
            n = wtimefmt_format(w->ts_fmt, wvec_i64(v, i), w->tz, tmp, sizeof tmp);
            if (n < 0)
                return werr_msg(err, WEIR_MISUSE, "timestampFormat cannot format %lld", (long long)wvec_i64(v, i));
        } else {
            n = wtime_format_timestamp(wvec_i64(v, i), w->tz, tmp);
        }
        return put_str(o, tmp, (size_t)n);
    case WT_DATE:
        if (w->date_fmt) {
            n = wtimefmt_format(w->date_fmt, (int64_t)wvec_i32(v, i) * 86400000000LL, NULL, tmp, sizeof tmp);
            if (n < 0) return werr_msg(err, WEIR_MISUSE, "dateFormat cannot format day %d", wvec_i32(v, i));
        } else {
            n = wtime_format_date(wvec_i32(v, i), tmp);
        }
        return put_str(o, tmp, (size_t)n);
    case WT_STRUCT: return put_struct(w, v, i, o, err);
    default: return werr_msg(err, WEIR_UNSUPPORTED, "JSON writer: cannot write type %s", wtype_name(v->type->id));
    }
}

int wjson_write_batch(WJsonWriter *w, const WBatch *b, WBuf *out, WErr *err) {
    int64_t rows = wbatch_rows(b);
    for (int64_t i = 0; i < rows; i++) {
        int rc = put_struct(w, &b->root, i, out, err);
        if (!rc) rc = wbuf_putc(out, '\n');
        if (rc) return rc == WEIR_NOMEM ? werr_msg(err, WEIR_NOMEM, "out of memory writing JSON") : rc;
    }
    return WEIR_OK;
}
