/*
 * pq_reader.c - reads a Parquet file into WBatches of bounded size.
 *
 * The file is mapped (or, for wpq_reader_open_mem, borrowed); the footer is decoded by pq_meta.c. Each
 * leaf column has a cursor over its column chunk in the current row group: it decodes one page at a
 * time into definition levels and the page's non-NULL values, already converted to weir's in-memory
 * form (int32, int64 microseconds, double, bytes), so assembling a batch is a copy. STRUCT validity
 * comes from the definition levels of the first leaf under each struct.
 *
 * Encodings: PLAIN, PLAIN_DICTIONARY/RLE_DICTIONARY, RLE (booleans), DELTA_BINARY_PACKED,
 * DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT; data pages v1 and v2; the four codecs.
 * Every length, offset, count and index read from the file is checked before use: a damaged file is a
 * WEIR_CORRUPT error naming the file, column and byte offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/parquet.h"
#include "formats/parquet/pq_int.h"
#include "weir.h"

#define PQ_MAX_PAGE (1ll << 28)        /* bytes of one decompressed page */
#define PQ_MAX_PAGE_VALUES (1ll << 26) /* level entries of one page */

typedef struct Vals {
    int64_t n, cap;
    int32_t *i32;
    int64_t *i64;
    double *f64;
    uint8_t *b;
    const uint8_t **sp;
    uint32_t *sl;
} Vals;

typedef struct Cursor {
    const PqLeafInfo *li;
    WTypeId id;
    const PqChunk *ch;
    int64_t pos, end;        /* byte range of the chunk still to read */
    int64_t values_left;     /* level entries left in the chunk */
    Vals dict;
    int has_dict;
    WBuf dict_buf, page_buf, str_buf;
    uint32_t *defs;          /* level entries of the current page */
    int64_t defs_cap;
    int64_t page_n, page_i;  /* entries in page, next entry */
    Vals vals;               /* non-NULL values of the page */
    int64_t val_i;
    uint32_t *idx;
    int64_t idx_cap;
    uint8_t *batch_defs;     /* definition level per row of the batch being built */
    int64_t batch_cap;
} Cursor;

struct WPqReader {
    char path[512];
    const uint8_t *data;
    size_t size;
    int mapped;
    PqMeta meta;
    Cursor *cur;
    int rg;                  /* current row group, -1 before the first */
    int64_t rg_left;         /* rows left in it */
};

/* ---------------- value storage ---------------- */

static int vals_reserve(Vals *v, WTypeId id, int64_t n) {
    if (n < 1) n = 1;
    if (n <= v->cap) return WEIR_OK;
    int64_t cap = v->cap ? v->cap : 256;
    while (cap < n) cap *= 2;
    switch (id) {
    case WT_INT:
    case WT_DATE: {
        int32_t *p = realloc(v->i32, sizeof *p * (size_t)cap);
        if (!p) return WEIR_NOMEM;
        v->i32 = p;
        break;
    }
    case WT_BIGINT:
    case WT_TIMESTAMP: {
        int64_t *p = realloc(v->i64, sizeof *p * (size_t)cap);
        if (!p) return WEIR_NOMEM;
        v->i64 = p;
        break;
    }
    case WT_DOUBLE: {
        double *p = realloc(v->f64, sizeof *p * (size_t)cap);
        if (!p) return WEIR_NOMEM;
        v->f64 = p;
        break;
    }
    case WT_BOOLEAN: {
        uint8_t *p = realloc(v->b, (size_t)cap);
        if (!p) return WEIR_NOMEM;
        v->b = p;
        break;
    }
    default: {
        const uint8_t **p = realloc(v->sp, sizeof *p * (size_t)cap);
        if (!p) return WEIR_NOMEM;
        v->sp = p;
        uint32_t *l = realloc(v->sl, sizeof *l * (size_t)cap);
        if (!l) return WEIR_NOMEM;
        v->sl = l;
    }
    }
    v->cap = cap;
    return WEIR_OK;
}

static void vals_free(Vals *v) {
    free(v->i32);
    free(v->i64);
    free(v->f64);
    free(v->b);
    free(v->sp);
    free(v->sl);
    memset(v, 0, sizeof *v);
}

/* ---------------- errors ---------------- */

static int bad(WPqReader *r, const Cursor *c, WErr *err, const char *what) {
    const char *col = "";
    char colbuf[300] = "";
    if (c) {
        /* name the column by its path */
        const WType *t = &r->meta.schema;
        size_t o = 0;
        for (int k = 0; k < c->li->depth && t && t->id == WT_STRUCT; k++) {
            const WField *f = &t->fields[c->li->child_path[k]];
            o += (size_t)snprintf(colbuf + o, sizeof colbuf - o, "%s%s", k ? "." : "", f->name);
            if (o >= sizeof colbuf) break;
            t = &f->type;
        }
        col = colbuf;
    }
    return werr_set(err, WEIR_CORRUPT, r->path, c ? c->pos : -1, -1, -1, "corrupt parquet file%s%s: %s", c ? ", column " : "",
                    col, what);
}

static int unsupported(WPqReader *r, WErr *err, const char *what, const char *name) {
    return werr_set(err, WEIR_UNSUPPORTED, r->path, -1, -1, -1, "unsupported: %s %s", what, name);
}

/* ---------------- primitive decoders ---------------- */

typedef struct Span {
    const uint8_t *p, *end;
} Span;

static int uvarint(Span *s, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (s->p >= s->end) return -1;
        uint8_t b = *s->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* DELTA_BINARY_PACKED: decodes up to max values into out (as uint64, wrapping); *count = values in the
 * stream. Leaves s after the last miniblock used. */
static int delta_bp(Span *s, uint64_t *out, int64_t max, int64_t *count) {
    uint64_t block, mbs, total, first;
    if (uvarint(s, &block) || uvarint(s, &mbs) || uvarint(s, &total) || uvarint(s, &first)) return -1;
    if (block == 0 || block > (1u << 20) || block % 128 || mbs == 0 || block % mbs || (block / mbs) % 32) return -1;
    if (total > (uint64_t)max) return -1;
    uint64_t prev = (first >> 1) ^ (0 - (first & 1));
    int64_t got = 0;
    if (total > 0) out[got++] = prev;
    uint64_t per_mb = block / mbs;
    while ((uint64_t)got < total) {
        uint64_t md;
        if (uvarint(s, &md)) return -1;
        uint64_t min_delta = (md >> 1) ^ (0 - (md & 1));
        if ((uint64_t)(s->end - s->p) < mbs) return -1;
        const uint8_t *widths = s->p;
        s->p += mbs;
        for (uint64_t m = 0; m < mbs && (uint64_t)got < total; m++) {
            int w = widths[m];
            if (w > 64) return -1;
            uint64_t nbytes = per_mb * (uint64_t)w / 8;
            if ((uint64_t)(s->end - s->p) < nbytes) return -1;
            const uint8_t *q = s->p;
            uint64_t bitpos = 0;
            for (uint64_t k = 0; k < per_mb && (uint64_t)got < total; k++) {
                uint64_t x = 0;
                for (int b = 0; b < w; b++, bitpos++)
                    x |= (uint64_t)((q[bitpos >> 3] >> (bitpos & 7)) & 1) << b;
                prev += min_delta + x;
                out[got++] = prev;
            }
            s->p += nbytes;
        }
    }
    *count = got;
    return 0;
}

/* ---------------- pages ---------------- */

static int store_i64(Cursor *c, Vals *v, int64_t k, int64_t x) {
    switch (c->id) {
    case WT_INT:
    case WT_DATE: v->i32[k] = (int32_t)x; break;
    case WT_BIGINT: v->i64[k] = x; break;
    case WT_TIMESTAMP:
        /* millis -> micros wraps (in unsigned arithmetic) only past year 292277 */
        if (c->li->phys == PQ_INT64 && c->li->ts_unit == 0) x = (int64_t)((uint64_t)x * 1000u);
        else if (c->li->phys == PQ_INT64 && c->li->ts_unit == 2) x = x / 1000 - (x % 1000 < 0);
        v->i64[k] = x;
        break;
    case WT_DOUBLE: v->f64[k] = (double)x; break;
    default: break;
    }
    return 0;
}

/* Decodes n values of encoding enc from s into v (non-NULL values only). */
static int decode_values(WPqReader *r, Cursor *c, int enc, Span *s, Vals *v, int64_t n, WErr *err) {
    if (vals_reserve(v, c->id == WT_STRING ? WT_STRING : c->id, n)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    int phys = c->li->phys;
    size_t avail = (size_t)(s->end - s->p);
    v->n = n;
    if (enc == PQ_ENC_PLAIN) {
        switch (phys) {
        case PQ_BOOLEAN:
            if (avail < (size_t)(n + 7) / 8) return bad(r, c, err, "PLAIN booleans truncated");
            for (int64_t k = 0; k < n; k++) v->b[k] = (s->p[k >> 3] >> (k & 7)) & 1;
            s->p += (n + 7) / 8;
            return 0;
        case PQ_INT32:
            if (avail / 4 < (size_t)n) return bad(r, c, err, "PLAIN INT32 values truncated");
            for (int64_t k = 0; k < n; k++) {
                int32_t x;
                memcpy(&x, s->p + 4 * k, 4);
                if (c->li->unsigned32) store_i64(c, v, k, (int64_t)(uint32_t)x);
                else store_i64(c, v, k, x);
            }
            s->p += 4 * n;
            return 0;
        case PQ_INT64:
            if (avail / 8 < (size_t)n) return bad(r, c, err, "PLAIN INT64 values truncated");
            if (c->id == WT_BIGINT || (c->id == WT_TIMESTAMP && c->li->ts_unit == 1)) memcpy(v->i64, s->p, (size_t)n * 8);
            else
                for (int64_t k = 0; k < n; k++) {
                    int64_t x;
                    memcpy(&x, s->p + 8 * k, 8);
                    store_i64(c, v, k, x);
                }
            s->p += 8 * n;
            return 0;
        case PQ_INT96:
            if (avail / 12 < (size_t)n) return bad(r, c, err, "PLAIN INT96 values truncated");
            for (int64_t k = 0; k < n; k++) {
                int64_t nanos;
                int32_t jd;
                memcpy(&nanos, s->p + 12 * k, 8);
                memcpy(&jd, s->p + 12 * k + 8, 4);
                int64_t us = nanos / 1000 - (nanos % 1000 < 0);
                /* Julian day -> micros; wraps (in unsigned arithmetic) only for days no writer produces */
                v->i64[k] = (int64_t)((uint64_t)((int64_t)jd - 2440588) * 86400000000ull + (uint64_t)us);
            }
            s->p += 12 * n;
            return 0;
        case PQ_FLOAT:
            if (avail / 4 < (size_t)n) return bad(r, c, err, "PLAIN FLOAT values truncated");
            for (int64_t k = 0; k < n; k++) {
                float f;
                memcpy(&f, s->p + 4 * k, 4);
                v->f64[k] = f;
            }
            s->p += 4 * n;
            return 0;
        case PQ_DOUBLE:
            if (avail / 8 < (size_t)n) return bad(r, c, err, "PLAIN DOUBLE values truncated");
            memcpy(v->f64, s->p, (size_t)n * 8);
            s->p += 8 * n;
            return 0;
        case PQ_BYTE_ARRAY:
            for (int64_t k = 0; k < n; k++) {
                if (s->end - s->p < 4) return bad(r, c, err, "PLAIN BYTE_ARRAY truncated");
                uint32_t len;
                memcpy(&len, s->p, 4);
                s->p += 4;
                if ((uint64_t)len > (uint64_t)(s->end - s->p)) return bad(r, c, err, "PLAIN BYTE_ARRAY value runs past the page");
                v->sp[k] = s->p;
                v->sl[k] = len;
                s->p += len;
            }
            return 0;
        default:
            return unsupported(r, err, "physical type in column", "");
        }
    }
    if (enc == PQ_ENC_RLE && phys == PQ_BOOLEAN) {
        if (avail < 4) return bad(r, c, err, "RLE booleans truncated");
        uint32_t len;
        memcpy(&len, s->p, 4);
        s->p += 4;
        if (len > (uint64_t)(s->end - s->p)) return bad(r, c, err, "RLE booleans truncated");
        if (n > c->idx_cap) {
            uint32_t *p = realloc(c->idx, sizeof *p * (size_t)n);
            if (!p) return werr_msg(err, WEIR_NOMEM, "out of memory");
            c->idx = p;
            c->idx_cap = n;
        }
        int rc = wrle_decode(s->p, len, 1, c->idx, n, err);
        if (rc) return bad(r, c, err, "bad RLE booleans");
        for (int64_t k = 0; k < n; k++) v->b[k] = (uint8_t)c->idx[k];
        s->p += len;
        return 0;
    }
    if (enc == PQ_ENC_DELTA_BP && (phys == PQ_INT32 || phys == PQ_INT64)) {
        uint64_t *tmp = malloc(sizeof *tmp * (size_t)(n ? n : 1));
        if (!tmp) return werr_msg(err, WEIR_NOMEM, "out of memory");
        int64_t got = 0;
        int e = delta_bp(s, tmp, n, &got);
        if (!e && got != n) e = -1;
        if (!e)
            for (int64_t k = 0; k < n; k++) {
                if (phys == PQ_INT32) store_i64(c, v, k, c->li->unsigned32 ? (int64_t)(uint32_t)tmp[k] : (int64_t)(int32_t)tmp[k]);
                else store_i64(c, v, k, (int64_t)tmp[k]);
            }
        free(tmp);
        return e ? bad(r, c, err, "bad DELTA_BINARY_PACKED data") : 0;
    }
    if ((enc == PQ_ENC_DELTA_LBA || enc == PQ_ENC_DELTA_BA) && phys == PQ_BYTE_ARRAY) {
        uint64_t *pre = NULL, *suf = malloc(sizeof *suf * (size_t)(n ? n : 1));
        int64_t got = 0;
        int e = !suf;
        if (!e && enc == PQ_ENC_DELTA_BA) {
            pre = malloc(sizeof *pre * (size_t)(n ? n : 1));
            e = !pre || delta_bp(s, pre, n, &got) || got != n;
        }
        if (!e) e = delta_bp(s, suf, n, &got) || got != n;
        if (!e) {
            /* DELTA_BYTE_ARRAY values are rebuilt into str_buf; DELTA_LENGTH ones point into the page */
            wbuf_reset(&c->str_buf);
            uint32_t prev_len = 0;
            size_t prev_off = 0;
            for (int64_t k = 0; k < n && !e; k++) {
                uint64_t sl = suf[k], pl = pre ? pre[k] : 0;
                if (sl > (uint64_t)(s->end - s->p) || pl > prev_len || pl + sl > UINT32_MAX) {
                    e = 1;
                    break;
                }
                if (pre) {
                    size_t off = c->str_buf.len;
                    if (off + pl + sl > (size_t)PQ_MAX_PAGE) {
                        free(pre);
                        free(suf);
                        return unsupported(r, err, "DELTA_BYTE_ARRAY page decoding to more than 256 MiB", "");
                    }
                    if (wbuf_reserve(&c->str_buf, (size_t)(pl + sl))) {
                        free(pre);
                        free(suf);
                        return werr_msg(err, WEIR_NOMEM, "out of memory");
                    }
                    memmove(c->str_buf.data + off, c->str_buf.data + prev_off, (size_t)pl);
                    memcpy(c->str_buf.data + off + pl, s->p, (size_t)sl);
                    c->str_buf.len += (size_t)(pl + sl);
                    v->sl[k] = (uint32_t)(pl + sl);
                    v->sp[k] = (const uint8_t *)(uintptr_t)off; /* fixed up below */
                    prev_off = off;
                    prev_len = (uint32_t)(pl + sl);
                } else {
                    v->sp[k] = s->p;
                    v->sl[k] = (uint32_t)sl;
                }
                s->p += sl;
            }
            if (!e && pre)
                for (int64_t k = 0; k < n; k++) v->sp[k] = (const uint8_t *)c->str_buf.data + (uintptr_t)v->sp[k];
        }
        free(pre);
        free(suf);
        return e ? bad(r, c, err, "bad DELTA byte array data") : 0;
    }
    if (enc == PQ_ENC_BSS && (phys == PQ_FLOAT || phys == PQ_DOUBLE || phys == PQ_INT32 || phys == PQ_INT64)) {
        int w = (phys == PQ_FLOAT || phys == PQ_INT32) ? 4 : 8;
        if (avail / (size_t)w < (size_t)n) return bad(r, c, err, "BYTE_STREAM_SPLIT truncated");
        for (int64_t k = 0; k < n; k++) {
            uint8_t b[8];
            for (int j = 0; j < w; j++) b[j] = s->p[j * n + k];
            if (phys == PQ_FLOAT) {
                float f;
                memcpy(&f, b, 4);
                v->f64[k] = f;
            } else if (phys == PQ_DOUBLE) memcpy(&v->f64[k], b, 8);
            else if (phys == PQ_INT32) {
                int32_t x;
                memcpy(&x, b, 4);
                store_i64(c, v, k, x);
            } else {
                int64_t x;
                memcpy(&x, b, 8);
                store_i64(c, v, k, x);
            }
        }
        s->p += (size_t)w * (size_t)n;
        return 0;
    }
    return unsupported(r, err, "encoding", wpq_encoding_name(enc));
}

static void copy_val(Cursor *c, Vals *dst, int64_t k, const Vals *src, int64_t j) {
    switch (c->id) {
    case WT_INT:
    case WT_DATE: dst->i32[k] = src->i32[j]; break;
    case WT_BIGINT:
    case WT_TIMESTAMP: dst->i64[k] = src->i64[j]; break;
    case WT_DOUBLE: dst->f64[k] = src->f64[j]; break;
    case WT_BOOLEAN: dst->b[k] = src->b[j]; break;
    default:
        dst->sp[k] = src->sp[j];
        dst->sl[k] = src->sl[j];
    }
}

/* Reads the next data page of the chunk (dictionary pages are absorbed on the way); *got = 0 when the
 * chunk is exhausted. */
static int next_page(WPqReader *r, Cursor *c, int *got, WErr *err) {
    *got = 0;
    for (;;) {
        if (c->values_left <= 0 || c->pos >= c->end) return WEIR_OK;
        WTDoc doc;
        size_t used;
        int rc = wtr_decode(r->data + c->pos, (size_t)(c->end - c->pos), &doc, &used, "page header", err);
        if (rc) return bad(r, c, err, "unreadable page header");
        int64_t type = -1, usize = -1, csize = -1;
        wtr_get_i64(&doc.root, 1, &type);
        wtr_get_i64(&doc.root, 2, &usize);
        wtr_get_i64(&doc.root, 3, &csize);
        int64_t body = c->pos + (int64_t)used;
        if (usize < 0 || csize < 0 || csize > c->end - body) {
            wtr_free(&doc);
            return bad(r, c, err, "page sizes out of range");
        }
        if (usize > PQ_MAX_PAGE) {
            wtr_free(&doc);
            return unsupported(r, err, "page larger than 256 MiB in column", "");
        }
        const uint8_t *src = r->data + body;
        c->pos = body + csize;
        if (type == PQ_PAGE_DICT) {
            const WTVal *dh = wtr_field(&doc.root, 7);
            int64_t nv = -1, enc = PQ_ENC_PLAIN;
            wtr_get_i64(dh, 1, &nv);
            wtr_get_i64(dh, 2, &enc);
            wtr_free(&doc);
            if (nv < 0 || nv > usize + 1) return bad(r, c, err, "bad dictionary page header");
            if (enc != PQ_ENC_PLAIN && enc != PQ_ENC_PLAIN_DICT) return unsupported(r, err, "dictionary encoding", wpq_encoding_name((int)enc));
            wbuf_reset(&c->dict_buf);
            if ((rc = wpq_decompress(c->ch->codec, src, (size_t)csize, (size_t)usize, &c->dict_buf, err))) return rc;
            Span s = {(const uint8_t *)c->dict_buf.data, (const uint8_t *)c->dict_buf.data + c->dict_buf.len};
            if ((rc = decode_values(r, c, PQ_ENC_PLAIN, &s, &c->dict, nv, err))) return rc;
            c->has_dict = 1;
            continue;
        }
        if (type != PQ_PAGE_DATA && type != PQ_PAGE_DATA_V2) {
            wtr_free(&doc);
            continue; /* index pages and unknown page types are skipped */
        }
        int64_t nv = -1, enc = -1, dlen = 0, rlen = 0, defenc = PQ_ENC_RLE;
        int is_compressed = 1;
        const WTVal *h = wtr_field(&doc.root, type == PQ_PAGE_DATA ? 5 : 8);
        wtr_get_i64(h, 1, &nv);
        if (type == PQ_PAGE_DATA) {
            wtr_get_i64(h, 2, &enc);
            wtr_get_i64(h, 3, &defenc);
        } else {
            wtr_get_i64(h, 4, &enc);
            wtr_get_i64(h, 5, &dlen);
            wtr_get_i64(h, 6, &rlen);
            int64_t ic = 1;
            if (wtr_get_i64(h, 7, &ic)) is_compressed = ic != 0;
        }
        wtr_free(&doc);
        if (!h || nv < 0 || nv > c->values_left || enc < 0) return bad(r, c, err, "bad data page header");
        if (nv > PQ_MAX_PAGE_VALUES) return unsupported(r, err, "page with more than 2^26 values", "");
        if (rlen != 0) return unsupported(r, err, "repetition levels in a page of", "");
        wbuf_reset(&c->page_buf);
        const uint8_t *levels = NULL;
        size_t levels_len = 0;
        if (type == PQ_PAGE_DATA) {
            if ((rc = wpq_decompress(c->ch->codec, src, (size_t)csize, (size_t)usize, &c->page_buf, err))) return rc;
        } else {
            if (dlen < 0 || dlen > csize || dlen > usize) return bad(r, c, err, "bad v2 level lengths");
            levels = src;
            levels_len = (size_t)dlen;
            if (is_compressed && c->ch->codec != PQ_CODEC_NONE)
                rc = wpq_decompress(c->ch->codec, src + dlen, (size_t)(csize - dlen), (size_t)(usize - dlen), &c->page_buf, err);
            else {
                if (csize != usize) return bad(r, c, err, "uncompressed v2 page sizes disagree");
                rc = wbuf_append(&c->page_buf, src + dlen, (size_t)(csize - dlen)) ? werr_msg(err, WEIR_NOMEM, "out of memory") : 0;
            }
            if (rc) return rc;
        }
        Span s = {(const uint8_t *)c->page_buf.data, (const uint8_t *)c->page_buf.data + c->page_buf.len};
        if (nv > c->defs_cap) {
            uint32_t *p = realloc(c->defs, sizeof *p * (size_t)nv);
            if (!p) return werr_msg(err, WEIR_NOMEM, "out of memory");
            c->defs = p;
            c->defs_cap = nv;
        }
        int64_t nn = nv;
        if (c->li->max_def > 0) {
            int bw = wpq_bit_width((uint32_t)c->li->max_def);
            if (type == PQ_PAGE_DATA) {
                if (defenc != PQ_ENC_RLE) return unsupported(r, err, "definition level encoding", wpq_encoding_name((int)defenc));
                if (s.end - s.p < 4) return bad(r, c, err, "definition levels truncated");
                uint32_t len;
                memcpy(&len, s.p, 4);
                s.p += 4;
                if (len > (uint64_t)(s.end - s.p)) return bad(r, c, err, "definition levels truncated");
                levels = s.p;
                levels_len = len;
                s.p += len;
            }
            if (wrle_decode(levels, levels_len, bw, c->defs, nv, err)) return bad(r, c, err, "bad definition levels");
            nn = 0;
            for (int64_t k = 0; k < nv; k++) {
                if (c->defs[k] > (uint32_t)c->li->max_def) return bad(r, c, err, "definition level out of range");
                nn += c->defs[k] == (uint32_t)c->li->max_def;
            }
        } else
            for (int64_t k = 0; k < nv; k++) c->defs[k] = 0;
        if (enc == PQ_ENC_PLAIN_DICT || enc == PQ_ENC_RLE_DICT) {
            if (!c->has_dict) return bad(r, c, err, "dictionary-encoded page without a dictionary");
            if (vals_reserve(&c->vals, c->id, nn)) return werr_msg(err, WEIR_NOMEM, "out of memory");
            if (nn > c->idx_cap) {
                uint32_t *p = realloc(c->idx, sizeof *p * (size_t)nn);
                if (!p) return werr_msg(err, WEIR_NOMEM, "out of memory");
                c->idx = p;
                c->idx_cap = nn;
            }
            if (nn > 0) {
                if (s.p >= s.end) return bad(r, c, err, "dictionary indices missing");
                int bw = *s.p++;
                if (bw > 32 || wrle_decode(s.p, (size_t)(s.end - s.p), bw, c->idx, nn, err)) return bad(r, c, err, "bad dictionary indices");
            }
            for (int64_t k = 0; k < nn; k++) {
                if (c->idx[k] >= (uint64_t)c->dict.n) return bad(r, c, err, "dictionary index out of range");
                copy_val(c, &c->vals, k, &c->dict, c->idx[k]);
            }
            c->vals.n = nn;
        } else if ((rc = decode_values(r, c, (int)enc, &s, &c->vals, nn, err)))
            return rc;
        c->page_n = nv;
        c->page_i = 0;
        c->val_i = 0;
        c->values_left -= nv;
        if (nv > 0) {
            *got = 1;
            return WEIR_OK;
        }
    }
}

/* ---------------- cursors and batches ---------------- */

static int start_row_group(WPqReader *r, WErr *err) {
    PqRowGroup *g = &r->meta.rgs[r->rg];
    for (int i = 0; i < r->meta.n_leaves; i++) {
        Cursor *c = &r->cur[i];
        c->ch = &g->cols[i];
        int64_t start = c->ch->dict_off >= 0 ? c->ch->dict_off : c->ch->data_off;
        if (start < 4 || start > (int64_t)r->size || c->ch->comp_size > (int64_t)r->size - start)
            return bad(r, c, err, "column chunk outside the file");
        c->pos = start;
        c->end = start + c->ch->comp_size;
        c->values_left = c->ch->num_values;
        c->has_dict = 0;
        c->dict.n = 0;
        c->page_n = c->page_i = 0;
        if (c->ch->codec != PQ_CODEC_NONE && c->ch->codec != PQ_CODEC_SNAPPY && c->ch->codec != PQ_CODEC_GZIP &&
            c->ch->codec != PQ_CODEC_ZSTD)
            return unsupported(r, err, "compression codec", wpq_codec_name(c->ch->codec));
    }
    r->rg_left = g->num_rows;
    return WEIR_OK;
}

/* Fills leaf vector v with n rows from cursor c, recording definition levels in c->batch_defs. */
static int fill_leaf(WPqReader *r, Cursor *c, WVec *v, int64_t n, WErr *err) {
    if (n > c->batch_cap) {
        uint8_t *p = realloc(c->batch_defs, (size_t)n);
        if (!p) return werr_msg(err, WEIR_NOMEM, "out of memory");
        c->batch_defs = p;
        c->batch_cap = n;
    }
    if (wvec_reserve(v, n)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    uint32_t maxd = (uint32_t)c->li->max_def;
    for (int64_t i = 0; i < n; i++) {
        if (c->page_i >= c->page_n) {
            int more;
            int rc = next_page(r, c, &more, err);
            if (rc) return rc;
            if (!more) return bad(r, c, err, "column chunk has fewer values than the row group's rows");
        }
        /* the rows this page can give, written straight into the vector's buffers (strings append) */
        int64_t m = c->page_n - c->page_i;
        if (m > n - i) m = n - i;
        const uint32_t *defs = c->defs + c->page_i;
        int64_t nn = 0;
        for (int64_t k = 0; k < m; k++) {
            c->batch_defs[i + k] = (uint8_t)defs[k];
            nn += defs[k] == maxd;
        }
        if (nn > c->vals.n - c->val_i) return bad(r, c, err, "fewer values than definition levels say");
        int64_t vi = c->val_i;
        if (c->id == WT_STRING) {
            for (int64_t k = 0; k < m; k++) {
                int rc = defs[k] == maxd ? wvec_append_str(v, (const char *)c->vals.sp[vi], c->vals.sl[vi]) : wvec_append_null(v);
                if (defs[k] == maxd) vi++;
                if (rc) return werr_msg(err, WEIR_NOMEM, "out of memory");
            }
        } else {
            int64_t row = v->len;
            for (int64_t k = 0; k < m; k++, row++) {
                if (defs[k] == maxd) {
                    v->validity[row >> 3] |= (uint8_t)(1u << (row & 7));
                    switch (c->id) {
                    case WT_BOOLEAN:
                        if (c->vals.b[vi]) ((uint8_t *)v->values)[row >> 3] |= (uint8_t)(1u << (row & 7));
                        break;
                    case WT_INT:
                    case WT_DATE: ((int32_t *)v->values)[row] = c->vals.i32[vi]; break;
                    case WT_DOUBLE: ((double *)v->values)[row] = c->vals.f64[vi]; break;
                    default: ((int64_t *)v->values)[row] = c->vals.i64[vi]; break;
                    }
                    vi++;
                } else {
                    v->null_count++;
                    switch (c->id) {
                    case WT_BOOLEAN: break;
                    case WT_INT:
                    case WT_DATE: ((int32_t *)v->values)[row] = 0; break;
                    case WT_DOUBLE: ((double *)v->values)[row] = 0; break;
                    default: ((int64_t *)v->values)[row] = 0; break;
                    }
                }
            }
            v->len = row;
        }
        c->val_i = vi;
        c->page_i += m;
        i += m - 1;
    }
    return WEIR_OK;
}

/* Assembles n rows of a STRUCT vector whose leaves start at *leaf; level = depth of v's fields. */
static int fill_struct(WPqReader *r, WVec *v, int level, int64_t n, int *leaf, WErr *err) {
    int first = *leaf;
    for (int i = 0; i < v->n_children; i++) {
        WVec *ch = &v->children[i];
        int rc;
        if (ch->type->id == WT_STRUCT) rc = fill_struct(r, ch, level + 1, n, leaf, err);
        else rc = fill_leaf(r, &r->cur[(*leaf)++], ch, n, err);
        if (rc) return rc;
    }
    if (level == 0) return WEIR_OK; /* the batch root: its rows are set by the caller */
    /* validity of this struct from the first leaf under it */
    const Cursor *c = &r->cur[first];
    int need = c->li->def_at[level - 1];
    if (wvec_reserve(v, n)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++) {
        int64_t row = v->len;
        if (c->batch_defs[i] >= need) v->validity[row >> 3] |= (uint8_t)(1u << (row & 7));
        else v->null_count++;
        v->len++;
    }
    return WEIR_OK;
}

int wpq_reader_next(WPqReader *r, WBatch *b, int64_t max_rows, int64_t *got, WErr *err) {
    *got = 0;
    wbatch_reset(b);
    if (max_rows <= 0) max_rows = 65536;
    while (r->rg_left == 0) {
        if (r->rg + 1 >= r->meta.n_rgs) return WEIR_OK;
        r->rg++;
        int rc = start_row_group(r, err);
        if (rc) return rc;
    }
    int64_t n = r->rg_left < max_rows ? r->rg_left : max_rows;
    int leaf = 0;
    int rc = fill_struct(r, &b->root, 0, n, &leaf, err);
    if (rc) return rc;
    if (wvec_reserve(&b->root, n)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++) {
        int64_t row = b->root.len++;
        b->root.validity[row >> 3] |= (uint8_t)(1u << (row & 7));
    }
    r->rg_left -= n;
    *got = n;
    return WEIR_OK;
}

/* ---------------- open / close ---------------- */

static int open_common(WPqReader *r, WErr *err) {
    if (r->size < 12 || memcmp(r->data, "PAR1", 4) || memcmp(r->data + r->size - 4, "PAR1", 4)) {
        if (r->size >= 4 && !memcmp(r->data + r->size - 4, "PARE", 4))
            return werr_set(err, WEIR_UNSUPPORTED, r->path, -1, -1, -1, "unsupported: encrypted parquet file");
        return werr_set(err, WEIR_CORRUPT, r->path, 0, -1, -1, "not a parquet file (no PAR1 magic at both ends)");
    }
    uint32_t flen;
    memcpy(&flen, r->data + r->size - 8, 4);
    if ((uint64_t)flen > r->size - 12)
        return werr_set(err, WEIR_CORRUPT, r->path, (int64_t)r->size - 8, -1, -1, "corrupt parquet file: footer length %u too large", flen);
    int rc = wpq_meta_parse(r->data + r->size - 8 - flen, flen, r->path, &r->meta, err);
    if (rc) return rc;
    r->cur = calloc((size_t)r->meta.n_leaves, sizeof *r->cur);
    if (!r->cur) return werr_msg(err, WEIR_NOMEM, "out of memory");
    /* leaf i of the footer is the i-th leaf of the weir schema in depth-first order */
    for (int i = 0; i < r->meta.n_leaves; i++) {
        Cursor *c = &r->cur[i];
        c->li = &r->meta.leaves[i];
        const WType *t = &r->meta.schema;
        for (int k = 0; k < c->li->depth; k++) t = &t->fields[c->li->child_path[k]].type;
        c->id = t->id;
        wbuf_init(&c->dict_buf);
        wbuf_init(&c->page_buf);
        wbuf_init(&c->str_buf);
    }
    int64_t total = 0;
    for (int g = 0; g < r->meta.n_rgs; g++) total += r->meta.rgs[g].num_rows;
    if (total != r->meta.num_rows) return werr_set(err, WEIR_CORRUPT, r->path, -1, -1, -1, "corrupt parquet footer: row groups hold %lld rows, the file says %lld", (long long)total, (long long)r->meta.num_rows);
    r->rg = -1;
    return WEIR_OK;
}

int wpq_reader_open_mem(const void *data, size_t size, const char *name, WPqReader **out, WErr *err) {
    *out = NULL;
    WPqReader *r = calloc(1, sizeof *r);
    if (!r) return werr_msg(err, WEIR_NOMEM, "out of memory");
    snprintf(r->path, sizeof r->path, "%s", name ? name : "(memory)");
    r->data = data;
    r->size = size;
    int rc = open_common(r, err);
    if (rc) {
        wpq_reader_close(r);
        return rc;
    }
    *out = r;
    return WEIR_OK;
}

int wpq_reader_open(const char *path, WPqReader **out, WErr *err) {
    *out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return werr_set(err, WEIR_IO, path, -1, -1, -1, "not a regular file");
    }
    WPqReader *r = calloc(1, sizeof *r);
    if (!r) {
        close(fd);
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    snprintf(r->path, sizeof r->path, "%s", path);
    r->size = (size_t)st.st_size;
    if (r->size > 0) {
        void *m = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            close(fd);
            free(r);
            return werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot map: %s", strerror(errno));
        }
        r->data = m;
        r->mapped = 1;
    } else r->data = (const uint8_t *)"";
    close(fd);
    int rc = open_common(r, err);
    if (rc) {
        wpq_reader_close(r);
        return rc;
    }
    *out = r;
    return WEIR_OK;
}

const WType *wpq_reader_schema(const WPqReader *r) { return &r->meta.schema; }
int64_t wpq_reader_num_rows(const WPqReader *r) { return r->meta.num_rows; }

void wpq_reader_close(WPqReader *r) {
    if (!r) return;
    if (r->cur)
        for (int i = 0; i < r->meta.n_leaves; i++) {
            Cursor *c = &r->cur[i];
            vals_free(&c->dict);
            vals_free(&c->vals);
            wbuf_fini(&c->dict_buf);
            wbuf_fini(&c->page_buf);
            wbuf_fini(&c->str_buf);
            free(c->defs);
            free(c->idx);
            free(c->batch_defs);
        }
    free(r->cur);
    wpq_meta_free(&r->meta);
    if (r->mapped) munmap((void *)(uintptr_t)r->data, r->size);
    free(r);
}

/* ---------------- description (weir cat --meta) ---------------- */

static void put_bound(WBuf *o, const Cursor *c, const WTVal *v) {
    if (!v || v->type != TC_BINARY) {
        wbuf_puts(o, "-");
        return;
    }
    int phys = c->li->phys;
    if ((phys == PQ_INT32 && v->n == 4) || (phys == PQ_FLOAT && v->n == 4)) {
        int32_t x;
        memcpy(&x, v->bin, 4);
        if (phys == PQ_FLOAT) {
            float f;
            memcpy(&f, &x, 4);
            wbuf_printf(o, "%.9g", f);
        } else wbuf_printf(o, "%d", x);
    } else if ((phys == PQ_INT64 || phys == PQ_DOUBLE) && v->n == 8) {
        int64_t x;
        memcpy(&x, v->bin, 8);
        if (phys == PQ_DOUBLE) {
            double d;
            memcpy(&d, &x, 8);
            wbuf_printf(o, "%.17g", d);
        } else wbuf_printf(o, "%lld", (long long)x);
    } else if (phys == PQ_BOOLEAN && v->n == 1) wbuf_puts(o, v->bin[0] ? "true" : "false");
    else {
        wbuf_putc(o, '"');
        for (uint32_t i = 0; i < v->n && i < 64; i++) {
            uint8_t ch = v->bin[i];
            if (ch < 0x20 || ch == '"' || ch == '\\' || ch >= 0x7f) wbuf_printf(o, "\\x%02x", ch);
            else wbuf_putc(o, (char)ch);
        }
        wbuf_puts(o, v->n > 64 ? "\"..." : "\"");
    }
}

int wpq_reader_describe(WPqReader *r, WBuf *o, WErr *err) {
    static const char *phys_names[] = {"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
    static const char *page_names[] = {"DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE", "DATA_PAGE_V2"};
    wbuf_printf(o, "created_by %.*s\nrows %lld\nrow_groups %d\nschema ", (int)r->meta.created_by_len,
                r->meta.created_by ? r->meta.created_by : "", (long long)r->meta.num_rows, r->meta.n_rgs);
    wtype_to_ddl(&r->meta.schema, o, 1);
    wbuf_putc(o, '\n');
    const WTVal *kv = r->meta.kv;
    if (kv && kv->type == TC_LIST)
        for (uint32_t i = 0; i < kv->n; i++) {
            const WTVal *k = wtr_field(&kv->kids[i], 1), *v = wtr_field(&kv->kids[i], 2);
            if (k && k->type == TC_BINARY)
                wbuf_printf(o, "key_value %.*s = %.*s\n", (int)k->n, (const char *)k->bin, v && v->type == TC_BINARY ? (int)(v->n > 200 ? 200 : v->n) : 0,
                            v && v->type == TC_BINARY ? (const char *)v->bin : "");
        }
    for (int g = 0; g < r->meta.n_rgs; g++) {
        PqRowGroup *rg = &r->meta.rgs[g];
        wbuf_printf(o, "row_group %d rows %lld\n", g, (long long)rg->num_rows);
        for (int i = 0; i < r->meta.n_leaves; i++) {
            Cursor *c = &r->cur[i];
            PqChunk *ch = &rg->cols[i];
            char path[300] = "";
            size_t pl = 0;
            const WType *t = &r->meta.schema;
            for (int k = 0; k < c->li->depth && pl < sizeof path; k++) {
                const WField *f = &t->fields[c->li->child_path[k]];
                pl += (size_t)snprintf(path + pl, sizeof path - pl, "%s%s", k ? "." : "", f->name);
                t = &f->type;
            }
            int64_t usize = 0;
            wtr_get_i64(ch->meta, 6, &usize);
            wbuf_printf(o, "  column %s %s codec %s values %lld compressed %lld uncompressed %lld encodings", path,
                        c->li->phys >= 0 && c->li->phys < 8 ? phys_names[c->li->phys] : "?", wpq_codec_name(ch->codec),
                        (long long)ch->num_values, (long long)ch->comp_size, (long long)usize);
            const WTVal *encs = wtr_field(ch->meta, 2);
            for (uint32_t k = 0; encs && encs->type == TC_LIST && k < encs->n; k++)
                wbuf_printf(o, "%s%s", k ? "," : " ", wpq_encoding_name((int)encs->kids[k].i));
            const WTVal *stt = wtr_field(ch->meta, 12);
            if (stt) {
                int64_t nc = -1;
                wbuf_puts(o, "\n    statistics null_count ");
                if (wtr_get_i64(stt, 3, &nc)) wbuf_printf(o, "%lld", (long long)nc);
                else wbuf_puts(o, "-");
                const WTVal *mn = wtr_field(stt, 6), *mx = wtr_field(stt, 5);
                if (!mn) mn = wtr_field(stt, 2);
                if (!mx) mx = wtr_field(stt, 1);
                wbuf_puts(o, " min ");
                put_bound(o, c, mn);
                wbuf_puts(o, " max ");
                put_bound(o, c, mx);
            }
            wbuf_putc(o, '\n');
            /* pages */
            int64_t pos = ch->dict_off >= 0 ? ch->dict_off : ch->data_off;
            if (pos < 4 || pos > (int64_t)r->size || ch->comp_size > (int64_t)r->size - pos)
                return bad(r, c, err, "column chunk outside the file");
            int64_t end = pos + ch->comp_size;
            while (pos < end) {
                WTDoc doc;
                size_t used;
                if (wtr_decode(r->data + pos, (size_t)(end - pos), &doc, &used, "page header", err)) return bad(r, c, err, "unreadable page header");
                int64_t type = -1, us = 0, cs = -1, nv = -1, enc = -1;
                wtr_get_i64(&doc.root, 1, &type);
                wtr_get_i64(&doc.root, 2, &us);
                wtr_get_i64(&doc.root, 3, &cs);
                const WTVal *h = wtr_field(&doc.root, type == PQ_PAGE_DATA ? 5 : type == PQ_PAGE_DICT ? 7 : 8);
                wtr_get_i64(h, 1, &nv);
                wtr_get_i64(h, type == PQ_PAGE_DATA_V2 ? 4 : 2, &enc);
                wbuf_printf(o, "    page at %lld %s values %lld encoding %s compressed %lld uncompressed %lld\n", (long long)pos,
                            type >= 0 && type < 4 ? page_names[type] : "UNKNOWN", (long long)nv, wpq_encoding_name((int)enc),
                            (long long)cs, (long long)us);
                wtr_free(&doc);
                if (cs < 0 || cs > end - pos - (int64_t)used) return bad(r, c, err, "page sizes out of range");
                pos += (int64_t)used + cs;
            }
        }
    }
    return WEIR_OK;
}
