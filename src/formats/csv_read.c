/*
 * csv_read.c - the CSV decoder (RFC 4180 with Spark's options and rules) and the validator.
 *
 * One pass over the bytes: either a whole file held by the caller (wcsv_begin) or a file read piece by
 * piece into the reader's own buffer (wcsv_begin_stream; a row cut by the end of a piece is undone and
 * decoded again once the next piece is in). Typed fast paths first: an INT / BIGINT / DOUBLE / ISO
 * TIMESTAMP field is read straight from the bytes (core/num_swar.h, core/num_scan.h, core/time_scan.h)
 * when its text is plain and a separator or row end follows it, and rows made only of such fields are
 * decoded by a tight loop (fast_rows) that fills the columns' reserved room. Anything
 * else goes to the general path: a field scanner finds the next special byte through a 256-entry class
 * table and converts the field through core/num and core/time, appending it to its column of the
 * WBatch. Both paths give the same values (differential tests in test_csv.c and fuzz_csv). Quoted fields
 * that hold doubled quotes or escapes are unescaped into one scratch buffer that is reused, so nothing is
 * allocated per row. wcsv_next stops after max_rows rows and resumes where it stopped.
 *
 * Spark rules followed (Spark 3.x, UnivocityParser / CSVOptions):
 *   - empty lines are skipped; lines starting with option `comment` too;
 *   - a quote inside an unquoted field is an ordinary byte; a closing quote followed by anything but a
 *     separator or a row end makes the whole field raw text up to the next separator (univocity's
 *     STOP_AT_DELIMITER, e.g. "a"b -> "a"b); a quoted field never closed is a bad record;
 *   - inside quotes, the escape byte (\ by default) before a quote gives a quote, and before itself
 *     gives itself; a doubled quote gives a quote;
 *   - a row with fewer fields than the schema is padded with NULLs, one with more drops the extras;
 *     both are malformed records (Spark 3 throws BadRecordException with the partial row);
 *   - a value that does not parse is NULL and the record is malformed; in PERMISSIVE the parsed values
 *     are kept (Spark 3's partial results) and the raw record goes into columnNameOfCorruptRecord.
 * Text: STRING values and the corrupt-record text are UTF-8; invalid bytes become U+FFFD, as when Spark
 * decodes a line. A UTF-8 byte-order mark at the start of a file is skipped.
 * Nulls (weir's choice where Spark's defaults lose information): an empty unquoted field is NULL for
 * every type; a quoted empty field "" is the empty string (or option emptyValue) for STRING and NULL
 * for other types; option nullValue matches unquoted fields of every type and quoted fields of
 * non-STRING types, so a STRING "null" written quoted stays a string.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/csv.h"
#include "formats/csv_internal.h"
#include "core/num.h"
#include "core/num_scan.h"
#include "core/num_swar.h"
#include "core/time.h"
#include "core/time_scan.h"
#include "weir.h"

enum { C_PLAIN = 0, C_SEP = 1, C_EOL = 2 };
enum { END_SEP = 0, END_EOL = 1, END_EOF = 2 };

typedef struct WCsvField {
    const char *s;
    size_t n;
    int quoted;
    int end;         /* END_SEP, END_EOL, END_EOF */
    int unterminated;/* quoted field ran to the end of the data */
    int junk;        /* bytes after the closing quote (field taken raw) */
} WCsvField;

struct WCsvReader {
    const WType *schema;
    WCsvDialect d;
    WParseMode mode;
    int ncols;
    int corrupt_col;     /* schema index of the corrupt-record column, or -1 */
    int ndata;           /* columns filled from the file */
    int *map;            /* file field i -> schema column (ndata entries) */
    int *pos_map;        /* positional mapping, restored for each file */
    WTypeId *types;      /* type of each schema column (saves a pointer chase per value) */
    int fast;            /* the dialect allows the typed fast paths (see fast_value) */
    int all_fast;        /* ... and every data column has one (see fast_rows) */
    WTsCache *tsc;       /* per column: what the timestamp fast path remembers */
    int enforce_schema;
    uint8_t cls[256];
    WBadRecordFn fn;
    void *user;
    int64_t bad;
    /* current file: data[0..len) holds its bytes from file offset base on */
    const char *path;
    const char *data;
    size_t len, pos;
    int64_t base;
    /* streaming input (wcsv_begin_stream): bytes come through fill into `in`; `more` while the fill
     * function may still give bytes past len */
    WCsvFillFn fill;
    void *fill_user;
    int more;
    int bom_done;
    WBuf in;
    int64_t line;
    int header_done;
    WBuf scratch;
    WBuf fixed;          /* a STRING value with invalid UTF-8 replaced */
    char reason[320];
};

static inline int is_ws(char c) { return c == ' ' || c == '\t'; }

/* The typed fast paths (fast_value) read a number or timestamp straight from the bytes and then expect a
 * separator or row end. That is the general path's answer only when no byte they accept can be a
 * separator, row end or quote, and no white space is trimmed. */
static int fast_dialect(const WCsvDialect *d) {
    static const char accepted[] = "0123456789+-.eETZ: ";
    if (d->sep_len != 1 || d->ignore_lead || d->ignore_trail) return 0;
    if (strchr(accepted, d->sep[0]) || (d->line_sep >= 0 && strchr(accepted, d->line_sep))) return 0;
    if (d->quote >= 0 && strchr(accepted, d->quote)) return 0;
    return 1;
}

int wcsv_reader_open(const WType *schema, WOpts *opts, WCsvReader **out, WErr *err) {
    *out = NULL;
    if (!schema || schema->id != WT_STRUCT) return werr_msg(err, WEIR_MISUSE, "CSV schema must be a STRUCT");
    WCsvReader *r = calloc(1, sizeof *r);
    if (!r) return werr_msg(err, WEIR_NOMEM, "out of memory");
    r->schema = schema;
    r->ncols = schema->n_fields;
    r->corrupt_col = -1;
    wbuf_init(&r->scratch);
    wbuf_init(&r->fixed);
    wbuf_init(&r->in);
    int rc = wcsv_dialect_init(&r->d, opts, 0, err);
    if (!rc) rc = wparse_mode_from_opts(opts, &r->mode, err);
    if (!rc) rc = wopts_get_bool(opts, "enforceSchema", 1, &r->enforce_schema, err);
    /* Spark's multiLine only decides whether rows may span lines; weir always allows quoted newlines. */
    int ml;
    if (!rc) rc = wopts_get_bool(opts, "multiLine", 0, &ml, err);
    if (rc) { wcsv_reader_close(r); return rc; }
    const char *ccr = wopts_get(opts, "columnNameOfCorruptRecord");
    if (!ccr) ccr = "_corrupt_record";
    for (int i = 0; i < r->ncols; i++) {
        const WField *f = &schema->fields[i];
        if (f->type.id == WT_STRUCT) {
            wcsv_reader_close(r);
            return werr_msg(err, WEIR_UNSUPPORTED, "CSV is flat: column %s is a STRUCT (flatten it first)",
                            f->name);
        }
        if (!strcmp(f->name, ccr)) {
            if (f->type.id != WT_STRING) {
                wcsv_reader_close(r);
                return werr_msg(err, WEIR_MISUSE, "corrupt-record column %s must be a STRING, not %s", f->name,
                                wtype_name(f->type.id));
            }
            r->corrupt_col = i;
        }
    }
    r->ndata = r->ncols - (r->corrupt_col >= 0);
    r->map = malloc(sizeof(int) * (size_t)(r->ndata + 1));
    r->pos_map = malloc(sizeof(int) * (size_t)(r->ndata + 1));
    r->types = malloc(sizeof(WTypeId) * (size_t)(r->ncols + 1));
    r->tsc = malloc(sizeof(WTsCache) * (size_t)(r->ncols + 1));
    if (!r->map || !r->pos_map || !r->types || !r->tsc) { wcsv_reader_close(r); return werr_msg(err, WEIR_NOMEM, "out of memory"); }
    for (int i = 0, k = 0; i < r->ncols; i++) {
        r->types[i] = schema->fields[i].type.id;
        wtime_ts_cache_init(&r->tsc[i]);
        if (i != r->corrupt_col) r->pos_map[k++] = i;
    }
    memcpy(r->map, r->pos_map, sizeof(int) * (size_t)r->ndata);
    r->cls[(unsigned char)r->d.sep[0]] = C_SEP;
    if (r->d.line_sep >= 0) r->cls[r->d.line_sep] = C_EOL;
    else r->cls['\n'] = r->cls['\r'] = C_EOL;
    wcsv_reader_fast_paths(r, 1);
    *out = r;
    return WEIR_OK;
}

void wcsv_reader_fast_paths(WCsvReader *r, int on) {
    r->fast = on && fast_dialect(&r->d);
    r->all_fast = r->fast && r->ndata > 0;
    for (int i = 0; i < r->ndata; i++) {
        WTypeId t = r->types[r->pos_map[i]];
        if (t != WT_INT && t != WT_BIGINT && t != WT_DOUBLE && (t != WT_TIMESTAMP || r->d.ts_fmt)) r->all_fast = 0;
    }
}

void wcsv_reader_close(WCsvReader *r) {
    if (!r) return;
    wcsv_dialect_fini(&r->d);
    free(r->map);
    free(r->pos_map);
    free(r->types);
    free(r->tsc);
    wbuf_fini(&r->scratch);
    wbuf_fini(&r->fixed);
    wbuf_fini(&r->in);
    free(r);
}

void wcsv_reader_on_bad_record(WCsvReader *r, WBadRecordFn fn, void *user) {
    r->fn = fn;
    r->user = user;
}

int64_t wcsv_reader_bad_records(const WCsvReader *r) { return r->bad; }

static void begin_common(WCsvReader *r, const char *path) {
    r->path = path ? path : "";
    r->pos = 0;
    r->base = 0;
    r->line = 1;
    r->header_done = !r->d.header;
    memcpy(r->map, r->pos_map, sizeof(int) * (size_t)r->ndata);
}

void wcsv_begin(WCsvReader *r, const char *path, const char *data, size_t len) {
    begin_common(r, path);
    r->data = data ? data : ""; /* no arithmetic on a NULL pointer */
    r->len = data ? len : 0;
    r->fill = NULL;
    r->more = 0;
    r->bom_done = 1;
    /* A UTF-8 byte-order mark is not data. */
    if (r->len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) r->pos = 3;
}

void wcsv_begin_stream(WCsvReader *r, const char *path, WCsvFillFn fill, void *user) {
    begin_common(r, path);
    wbuf_reset(&r->in);
    r->data = "";
    r->len = 0;
    r->fill = fill;
    r->fill_user = user;
    r->more = 1;
    r->bom_done = 0;
}

#define STREAM_CHUNK ((size_t)256 << 10) /* bytes asked of the fill function at a time (fits in L2) */

/* Streaming input: keeps the unread bytes data[pos..len), moves them to the front of the buffer and
 * appends what the fill function gives next (the buffer grows when a row is longer than half of it).
 * Sets more = 0 when the fill function reports the end. Pointers into data are invalid afterwards. */
static int refill(WCsvReader *r, WErr *err) {
    size_t keep = r->len - r->pos;
    if (r->pos) {
        memmove(r->in.data, r->in.data + r->pos, keep);
        r->base += (int64_t)r->pos;
        r->pos = 0;
    }
    r->in.len = keep;
    if (r->in.cap < keep + STREAM_CHUNK / 2 && wbuf_reserve(&r->in, keep > STREAM_CHUNK ? keep : STREAM_CHUNK))
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    do {
        size_t got = 0, room = r->in.cap - r->in.len - 1;
        int rc = r->fill(r->fill_user, r->in.data + r->in.len, room, &got, err);
        if (rc) return rc;
        if (got > room) got = room;
        if (!got) r->more = 0;
        r->in.len += got;
    } while (r->more && r->base == 0 && r->in.len < 3); /* enough to see a byte-order mark */
    r->data = r->in.data;
    r->len = r->in.len;
    if (!r->bom_done) {
        r->bom_done = 1;
        if (r->len >= 3 && !memcmp(r->data, "\xEF\xBB\xBF", 3)) r->pos = 3;
    }
    return WEIR_OK;
}

/* Streaming input: a row that reached the end of the bytes held may go on in the bytes not read yet. */
static inline int cut_short(const WCsvReader *r, const char *p) { return r->more && p >= r->data + r->len; }

/* The row end at p (a C_EOL byte): its length in bytes. */
static inline size_t eol_len(const WCsvDialect *d, const char *p, const char *end) {
    if (d->line_sep < 0 && *p == '\r' && p + 1 < end && p[1] == '\n') return 2;
    return 1;
}

static inline int sep_at(const WCsvDialect *d, const char *p, const char *end) {
    return d->sep_len == 1 || ((size_t)(end - p) >= (size_t)d->sep_len && !memcmp(p, d->sep, (size_t)d->sep_len));
}

/* The first byte at or after p that is the separator's first byte or a row end, or end. Eight bytes at
 * a time: a byte of x ^ bcast is zero where x holds that byte, and the lowest flagged byte of the
 * classic has-zero-byte test is exact (false positives only appear above a true zero). */
static inline const char *find_special(const WCsvDialect *d, const uint8_t *cls, const char *p, const char *end) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t lo = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t a = x ^ d->bcast[0], b = x ^ d->bcast[1], c = x ^ d->bcast[2];
        uint64_t m = ((a - lo) & ~a) | ((b - lo) & ~b) | ((c - lo) & ~c);
        m &= hi;
        if (m) return p + (__builtin_ctzll(m) >> 3);
        p += 8;
    }
#endif
    while (p < end && !cls[(unsigned char)*p]) p++;
    return p;
}

/* The first byte at or after p equal to a or b, or end (inside quoted fields; same method). */
static inline const char *find2(const char *p, const char *end, int a, int b) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t lo = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;
    const uint64_t ba = lo * (unsigned)a, bb = lo * (unsigned)b;
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t xa = x ^ ba, xb = x ^ bb;
        uint64_t m = (((xa - lo) & ~xa) | ((xb - lo) & ~xb)) & hi;
        if (m) return p + (__builtin_ctzll(m) >> 3);
        p += 8;
    }
#endif
    while (p < end && (unsigned char)*p != a && (unsigned char)*p != b) p++;
    return p;
}

/* Scans one field starting at *pp, leaves *pp after its terminator. Newlines inside quotes are added
 * to *lines. Quoted content needing unescaping goes to scratch. Returns WEIR_NOMEM only. */
static inline int scan_field(const WCsvDialect *d, const uint8_t *cls, WBuf *scratch, const char **pp, const char *end,
                      int64_t *lines, WCsvField *f) {
    const char *p = *pp;
    f->quoted = f->unterminated = f->junk = 0;
    if (d->ignore_lead)
        while (p < end && is_ws(*p) && !cls[(unsigned char)*p]) p++;
    const char *start = p;
    if (p < end && (unsigned char)*p == d->quote) {
        /* Quoted field: find the closing quote. */
        const char *q = p + 1, *seg = q;
        int copied = 0;
        for (;;) {
            const char *hit = q;
            if (d->escape < 0 || d->escape == d->quote) {
                hit = memchr(q, d->quote, (size_t)(end - q));
                if (!hit) hit = end;
            } else {
                hit = find2(hit, end, d->quote, d->escape);
            }
            for (const char *nl = q; (nl = memchr(nl, '\n', (size_t)(hit - nl))) != NULL; nl++) (*lines)++;
            if (hit >= end) { /* never closed */
                f->unterminated = 1;
                f->quoted = 1;
                f->s = start;
                f->n = (size_t)(end - start);
                f->end = END_EOF;
                *pp = end;
                return WEIR_OK;
            }
            unsigned char c = (unsigned char)*hit;
            if (c == d->escape && d->escape != d->quote) {
                if (hit + 1 < end && ((unsigned char)hit[1] == d->quote || (unsigned char)hit[1] == d->escape)) {
                    if (!copied) { wbuf_reset(scratch); copied = 1; }
                    if (wbuf_append(scratch, seg, (size_t)(hit - seg)) || wbuf_putc(scratch, hit[1]))
                        return WEIR_NOMEM;
                    q = seg = hit + 2;
                } else {
                    q = hit + 1;
                }
                continue;
            }
            /* a quote: doubled, or the closing one */
            if (hit + 1 < end && (unsigned char)hit[1] == d->quote) {
                if (!copied) { wbuf_reset(scratch); copied = 1; }
                if (wbuf_append(scratch, seg, (size_t)(hit - seg + 1))) return WEIR_NOMEM;
                q = seg = hit + 2;
                continue;
            }
            /* closing quote */
            if (copied) {
                if (wbuf_append(scratch, seg, (size_t)(hit - seg))) return WEIR_NOMEM;
                f->s = scratch->data;
                f->n = scratch->len;
            } else {
                f->s = seg;
                f->n = (size_t)(hit - seg);
            }
            f->quoted = 1;
            p = hit + 1;
            if (d->ignore_trail)
                while (p < end && is_ws(*p) && !cls[(unsigned char)*p]) p++;
            if (p >= end) { f->end = END_EOF; *pp = p; return WEIR_OK; }
            if (cls[(unsigned char)*p] == C_SEP && sep_at(d, p, end)) {
                f->end = END_SEP;
                *pp = p + d->sep_len;
                return WEIR_OK;
            }
            if (cls[(unsigned char)*p] == C_EOL) {
                f->end = END_EOL;
                *pp = p + eol_len(d, p, end);
                (*lines)++;
                return WEIR_OK;
            }
            /* Something after the closing quote: the field is raw text up to the next separator. */
            f->junk = 1;
            f->quoted = 0;
            break;
        }
    }
    /* Unquoted (or raw after a stray quote): up to the next separator or row end. */
    for (;;) {
        p = find_special(d, cls, p, end);
        if (p >= end) { f->end = END_EOF; break; }
        if (cls[(unsigned char)*p] == C_EOL) { f->end = END_EOL; break; }
        if (sep_at(d, p, end)) { f->end = END_SEP; break; }
        p++;
    }
    f->s = start;
    f->n = (size_t)(p - start);
    if (d->ignore_trail)
        while (f->n && is_ws(f->s[f->n - 1])) f->n--;
    if (f->end == END_SEP) p += d->sep_len;
    else if (f->end == END_EOL) { p += eol_len(d, p, end); (*lines)++; }
    *pp = p;
    return WEIR_OK;
}

/* STRING columns hold UTF-8. Like Spark (Java's decoder), invalid bytes become U+FFFD, one for each
 * maximal ill-formed subpart (Unicode's recommended practice). ASCII is checked 8 bytes at a time. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    /* length of the valid sequence at s, or 0 with *s not starting one; partial: see utf8_repair */
    unsigned c = s[0];
    unsigned lo = 0x80, hi = 0xBF;
    size_t len;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
    else return 0;
    for (size_t i = 1; i < len; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) return 0;
        lo = 0x80;
        hi = 0xBF;
    }
    return len;
}

static inline int utf8_ok(const char *p, size_t n) {
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if (x & 0x8080808080808080ULL) break;
        i += 8;
    }
    while (i < n) {
        if (s[i] < 0x80) { i++; continue; }
        size_t k = utf8_seq(s + i, n - i);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

static int utf8_repair(const char *p, size_t n, WBuf *out) {
    const unsigned char *s = (const unsigned char *)p;
    wbuf_reset(out);
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(s + i, n - i);
        if (k) {
            if (wbuf_append(out, s + i, k)) return WEIR_NOMEM;
            i += k;
            continue;
        }
        /* skip the maximal subpart: the lead byte plus the continuation bytes that were still valid */
        unsigned c = s[i];
        size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 1;
        unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80, hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
        size_t j = 1;
        while (j < len && i + j < n && s[i + j] >= lo && s[i + j] <= hi) { j++; lo = 0x80; hi = 0xBF; }
        if (wbuf_append(out, "\xEF\xBF\xBD", 3)) return WEIR_NOMEM;
        i += j;
    }
    return WEIR_OK;
}

/* Integer fast path: optional sign and up to 18 digits; longer text goes to the exact parser. */
static inline int parse_int64(const char *s, size_t n, int64_t *out) {
    size_t i = 0;
    int neg = 0;
    if (n && (s[0] == '-' || s[0] == '+')) { neg = s[0] == '-'; i = 1; }
    if (i == n || n - i > 18) return wnum_parse_i64(s, n, out);
    int64_t v = 0;
    for (; i < n; i++) {
        unsigned dg = (unsigned)(s[i] - '0');
        if (dg > 9) return WEIR_PARSE;
        v = v * 10 + dg;
    }
    *out = neg ? -v : v;
    return WEIR_OK;
}

/* Appends that write in place while the vector has room (the common case once a batch has grown) and
 * fall back to core/vec otherwise: the same Arrow layout, without a call per value. */
static inline void mark_valid(WVec *v) { v->validity[v->len >> 3] |= (uint8_t)(1u << (v->len & 7)); }
static inline int app_i32(WVec *v, int32_t x) {
    if (v->len >= v->cap) return wvec_append_i32(v, x);
    ((int32_t *)v->values)[v->len] = x;
    mark_valid(v);
    v->len++;
    return WEIR_OK;
}
static inline int app_i64(WVec *v, int64_t x) {
    if (v->len >= v->cap) return wvec_append_i64(v, x);
    ((int64_t *)v->values)[v->len] = x;
    mark_valid(v);
    v->len++;
    return WEIR_OK;
}
static inline int app_f64(WVec *v, double x) {
    if (v->len >= v->cap) return wvec_append_f64(v, x);
    ((double *)v->values)[v->len] = x;
    mark_valid(v);
    v->len++;
    return WEIR_OK;
}
static inline int app_str(WVec *v, const char *s, size_t n) {
    if (v->len >= v->cap || (int64_t)n > v->chars_cap - v->chars_len) return wvec_append_str(v, s, n);
    if (n) memcpy(v->chars + v->chars_len, s, n);
    v->chars_len += (int64_t)n;
    v->offsets[v->len + 1] = (int32_t)v->chars_len;
    mark_valid(v);
    v->len++;
    return WEIR_OK;
}
static inline int app_row(WBatch *b) {
    WVec *v = &b->root;
    if (v->len >= v->cap) return wbatch_begin_row(b);
    mark_valid(v);
    v->len++;
    return WEIR_OK;
}

static void set_reason(WCsvReader *r, int c, const char *s, size_t n, const char *what) {
    if (r->reason[0]) return; /* the first problem of a record is the one reported */
    const char *col = r->schema->fields[c].name;
    int show = n > 60 ? 60 : (int)n;
    snprintf(r->reason, sizeof r->reason, "field %s: '%.*s%s' is not %s", col, show, s, n > 60 ? "..." : "", what);
}

/* Appends one field to column v. Returns WEIR_NOMEM, or WEIR_OK with r->reason set when the value
 * did not parse (a NULL was appended then). */
static inline int put_value(WCsvReader *r, WVec *v, int col, const WCsvField *f) {
    const WCsvDialect *d = &r->d;
    WTypeId t = r->types[col];
    const char *s = f->s;
    size_t n = f->n;
    if (!f->quoted) {
        if (n == 0 || (n == d->null_len && !memcmp(s, d->null_value, n))) return wvec_append_null(v);
    } else if (t != WT_STRING) {
        if (n == 0 || (n == d->null_len && !memcmp(s, d->null_value, n))) return wvec_append_null(v);
    }
    switch (t) {
    case WT_STRING:
        if (n == 0 && d->empty_value) return wvec_append_str(v, d->empty_value, d->empty_len);
        if (!utf8_ok(s, n)) {
            if (utf8_repair(s, n, &r->fixed)) return WEIR_NOMEM;
            return wvec_append_str(v, r->fixed.data, r->fixed.len);
        }
        return app_str(v, s, n);
    case WT_INT: {
        int64_t x;
        if (!parse_int64(s, n, &x) && x >= INT32_MIN && x <= INT32_MAX) return app_i32(v, (int32_t)x);
        set_reason(r, col, s, n, "an INT");
        break;
    }
    case WT_BIGINT: {
        int64_t x;
        if (!parse_int64(s, n, &x)) return app_i64(v, x);
        set_reason(r, col, s, n, "a BIGINT");
        break;
    }
    case WT_DOUBLE: {
        double x;
        if (!wnum_parse_double(s, n, &x)) return app_f64(v, x);
        /* Spark's nanValue / positiveInf / negativeInf add spellings to NaN, Inf, Infinity... */
        if (d->nan_value && strlen(d->nan_value) == n && !memcmp(s, d->nan_value, n)) return app_f64(v, NAN);
        if (d->pos_inf && strlen(d->pos_inf) == n && !memcmp(s, d->pos_inf, n)) return app_f64(v, INFINITY);
        if (d->neg_inf && strlen(d->neg_inf) == n && !memcmp(s, d->neg_inf, n)) return app_f64(v, -INFINITY);
        set_reason(r, col, s, n, "a DOUBLE");
        break;
    }
    case WT_BOOLEAN:
        if (n == 4 && !strncasecmp(s, "true", 4)) return wvec_append_bool(v, 1);
        if (n == 5 && !strncasecmp(s, "false", 5)) return wvec_append_bool(v, 0);
        set_reason(r, col, s, n, "a BOOLEAN");
        break;
    case WT_TIMESTAMP: {
        int64_t us;
        int rc = d->ts_fmt ? wtimefmt_parse(d->ts_fmt, s, n, d->tz, &us) : wtime_parse_timestamp(s, n, d->tz, &us);
        if (!rc) return app_i64(v, us);
        set_reason(r, col, s, n, "a TIMESTAMP");
        break;
    }
    case WT_DATE: {
        if (d->date_fmt) {
            int64_t us;
            if (!wtimefmt_parse(d->date_fmt, s, n, NULL, &us)) {
                int64_t days = us / 86400000000LL - (us % 86400000000LL < 0);
                if (days >= INT32_MIN && days <= INT32_MAX) return wvec_append_i32(v, (int32_t)days);
            }
        } else {
            int32_t days;
            if (!wtime_parse_date(s, n, &days)) return wvec_append_i32(v, days);
        }
        set_reason(r, col, s, n, "a DATE");
        break;
    }
    default:
        set_reason(r, col, s, n, "of a type CSV can hold");
        break;
    }
    return wvec_append_null(v);
}

/* The typed fast paths: the value of column col (of type t) read straight from the bytes at p, when it is
 * a plain INT / BIGINT / DOUBLE / ISO TIMESTAMP text; returns the address of the byte after it (possibly
 * end) with the value in *out (an INT or BIGINT or TIMESTAMP as int64, a DOUBLE's bits), or NULL. The
 * callers then require a separator or row end there (fast_parse, fast_rows); otherwise the general path
 * (scan_field and put_value) decodes the field. Differential tests check both give the same values. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline const char *fast_scan(WCsvReader *r, WTypeId t, int col, const char *p, const char *end, uint64_t *out) {
    const char *q;
    switch (t) {
    case WT_INT: case WT_BIGINT: {
        /* sign and 1..9 digits (an INT cannot overflow) or 1..18 (a BIGINT cannot) */
        uint64_t x = 0;
        unsigned d0, d1, d2;
        if (end - p >= 3 && (d0 = (unsigned)(p[0] - '0')) <= 9 &&
            ((d1 = (unsigned)(p[1] - '0')) > 9 || (d2 = (unsigned)(p[2] - '0')) > 9)) {
            /* one or two digits without a sign (the usual counters), by predictable branches: the CPU
             * runs on to the next field instead of waiting for a computed length */
            *out = d1 > 9 ? d0 : d0 * 10 + d1;
            return p + 1 + (d1 <= 9);
        }
        const char *s = p + (p < end && (*p == '-' || *p == '+'));
        const char *lim = s + (t == WT_INT ? 9 : 18);
        if (lim > end) lim = end;
        unsigned dg;
        d1 = 10;
        q = s;
        if (end - s >= 3 && (d0 = (unsigned)(s[0] - '0')) <= 9 &&
            ((d1 = (unsigned)(s[1] - '0')) > 9 || (d2 = (unsigned)(s[2] - '0')) > 9)) {
            x = d1 > 9 ? d0 : d0 * 10 + d1;
            q = s + 1 + (d1 <= 9);
        } else {
#if NUM_SWAR
            int nd;
            uint64_t w8;
            if (end - s >= 8 && (nd = swar_digit_count(w8 = swar_load8(s))) < 8) {
                /* up to 7 digits and what follows them, without a branch per digit */
                if (nd) x = swar_digits_value(w8, nd);
                q = s + nd;
            } else
#endif
                for (; q < lim && (dg = (unsigned)(*q - '0')) <= 9; q++) x = x * 10 + dg;
        }
        if (q == s) return NULL;
        *out = *p == '-' ? 0 - x : x;
        return q;
    }
    case WT_DOUBLE: {
        double x;
        q = wnum_scan_double_inline(p, end, &x);
        if (q) memcpy(out, &x, sizeof x);
        return q;
    }
    case WT_TIMESTAMP: {
        int64_t us;
        if (r->d.ts_fmt) return NULL;
        q = wtime_scan_timestamp_inline(p, end, r->d.tz, &r->tsc[col], &us);
        if (q) *out = (uint64_t)us;
        return q;
    }
    default:
        return NULL;
    }
}

/* The text at p..q is the null value (option nullValue): then the general path decides. */
static inline int is_null_text(const WCsvDialect *d, const char *p, const char *q) {
    return d->null_len && (size_t)(q - p) == d->null_len && !memcmp(p, d->null_value, d->null_len);
}

/* fast_scan for column col, followed by a separator or row end (the byte at the address returned). */
static inline const char *fast_parse(WCsvReader *r, int col, const char *p, const char *end, uint64_t *out) {
    const char *q = fast_scan(r, r->types[col], col, p, end, out);
    if (!q || q >= end || !r->cls[(unsigned char)*q] || is_null_text(&r->d, p, q)) return NULL;
    return q;
}

/* fast_parse, and the value appended to v; NULL (nothing appended) when the general path must decode. */
static inline const char *fast_value(WCsvReader *r, WVec *v, int col, const char *p, const char *end) {
    uint64_t x = 0; /* set whenever q is not NULL; gcc -O1 with -fsanitize=thread cannot tell */
    const char *q = fast_parse(r, col, p, end, &x);
    if (!q) return NULL;
    int rc;
    switch (r->types[col]) {
    case WT_INT: rc = app_i32(v, (int32_t)(int64_t)x); break;
    case WT_DOUBLE: {
        double f;
        memcpy(&f, &x, sizeof f);
        rc = app_f64(v, f);
        break;
    }
    default: rc = app_i64(v, (int64_t)x); break;
    }
    return rc ? NULL : q;
}

static int report_bad(WCsvReader *r, int64_t line, int64_t off, const char *raw, size_t raw_len, WErr *err) {
    r->bad++;
    if (r->fn) {
        WBadRecord br = {r->path, line, off, r->reason, raw, raw_len};
        r->fn(r->user, &br);
    }
    if (r->mode == WMODE_FAILFAST)
        return werr_set(err, WEIR_PARSE, r->path, off, line, -1, "malformed CSV record (mode FAILFAST): %s",
                        r->reason);
    return WEIR_OK;
}

/* Skips empty and comment lines at the current position; returns 1 when a row starts there, 0 at the
 * end of the input, -1 when reading more input failed (*rc holds the error). */
static int skip_blank(WCsvReader *r, int *rc, WErr *err) {
    for (;;) {
        /* two bytes at least, so that a CR LF is seen whole */
        if (r->more && r->len - r->pos < 2) {
            if ((*rc = refill(r, err))) return -1;
            continue;
        }
        if (r->pos >= r->len) return 0;
        const char *p = r->data + r->pos, *end = r->data + r->len;
        if (r->cls[(unsigned char)*p] == C_EOL) {
            r->pos += eol_len(&r->d, p, end);
            r->line++;
            continue;
        }
        if (r->d.comment >= 0 && (unsigned char)*p == r->d.comment) {
            while (p < end && r->cls[(unsigned char)*p] != C_EOL) p++;
            if (r->more && p + 1 >= end) { /* the comment (or its CR LF) may go on past the bytes held */
                if ((*rc = refill(r, err))) return -1;
                continue;
            }
            if (p < end) { p += eol_len(&r->d, p, end); r->line++; }
            r->pos = (size_t)(p - r->data);
            continue;
        }
        return 1;
    }
}

static int name_list(const WCsvReader *r, const WCsvField *names, int n, char *buf, size_t cap) {
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < n && k + 1 < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%.*s", i ? ", " : "", (int)(names[i].n > 64 ? 64 : names[i].n),
                              names[i].s);
    (void)r;
    return 0;
}

/* Reads the header row; with enforceSchema=false maps file columns to schema columns by name. */
static int read_header(WCsvReader *r, WErr *err) {
    r->header_done = 1;
    int rc = WEIR_OK, more = skip_blank(r, &rc, err);
    if (more <= 0) return rc;
    size_t off;
    int64_t line = r->line;
    const char *p;
    /* Names are copied into one buffer first: scan_field reuses scratch for unescaped text. */
    WBuf names;
    wbuf_init(&names);
    int cap = 16, n = 0;
    size_t *offs = malloc(sizeof(size_t) * (size_t)(cap + 1));
    if (!offs) return werr_msg(err, WEIR_NOMEM, "out of memory");
    WCsvField f;
restart:
    off = r->pos;
    p = r->data + r->pos;
    n = 0;
    offs[0] = 0;
    wbuf_reset(&names);
    do {
        if (scan_field(&r->d, r->cls, &r->scratch, &p, r->data + r->len, &r->line, &f) ||
            wbuf_append(&names, f.s, f.n)) {
            rc = werr_msg(err, WEIR_NOMEM, "out of memory");
            goto done;
        }
        if (cut_short(r, p)) { /* streaming: the header goes on in bytes not read yet */
            r->line = line;
            if ((rc = refill(r, err))) goto done;
            goto restart;
        }
        if (f.unterminated) {
            rc = werr_set(err, WEIR_PARSE, r->path, r->base + (int64_t)off, line, -1, "CSV header: unterminated quoted field");
            goto done;
        }
        if (n == cap) {
            size_t *o2 = realloc(offs, sizeof(size_t) * (size_t)(cap * 2 + 1));
            if (!o2) { rc = werr_msg(err, WEIR_NOMEM, "out of memory"); goto done; }
            offs = o2;
            cap *= 2;
        }
        offs[++n] = names.len;
    } while (f.end == END_SEP);
    r->pos = (size_t)(p - r->data);
    if (!r->enforce_schema) {
        WCsvField *hf = malloc(sizeof *hf * (size_t)n);
        WCsvField *sf = malloc(sizeof *sf * (size_t)(r->ndata + 1));
        char *hl = malloc(512), *sl = malloc(512);
        if (!hf || !sf || !hl || !sl) {
            free(hf); free(sf); free(hl); free(sl);
            rc = werr_msg(err, WEIR_NOMEM, "out of memory");
            goto done;
        }
        for (int i = 0; i < n; i++) { hf[i].s = names.data + offs[i]; hf[i].n = offs[i + 1] - offs[i]; }
        for (int i = 0; i < r->ndata; i++) {
            sf[i].s = r->schema->fields[r->pos_map[i]].name;
            sf[i].n = strlen(sf[i].s);
        }
        name_list(r, hf, n, hl, 512);
        name_list(r, sf, r->ndata, sl, 512);
        int bad = n != r->ndata;
        for (int i = 0; i < n && !bad; i++) {
            int k = wtype_field_index_ci(r->schema, hf[i].s, hf[i].n);
            if (k < 0 || k == r->corrupt_col) { bad = 1; break; }
            for (int j = 0; j < i; j++)
                if (r->map[j] == k) bad = 1;
            r->map[i] = k;
        }
        if (bad)
            rc = werr_set(err, WEIR_PARSE, r->path, r->base + (int64_t)off, line, -1,
                          "CSV header does not match the schema (enforceSchema=false): header has [%s], schema has [%s]",
                          hl, sl);
        free(hf); free(sf); free(hl); free(sl);
    }
done:
    free(offs);
    wbuf_fini(&names);
    return rc;
}

/* Sets the validity bits of rows [from, to) of v (bits past len are zero, as core/vec keeps them). */
static void set_valid_range(WVec *v, int64_t from, int64_t to) {
    for (; from < to && (from & 7); from++) v->validity[from >> 3] |= (uint8_t)(1u << (from & 7));
    if (to - from >= 8) {
        memset(v->validity + (from >> 3), 0xFF, (size_t)((to - from) >> 3));
        from += (to - from) & ~(int64_t)7;
    }
    for (; from < to; from++) v->validity[from >> 3] |= (uint8_t)(1u << (from & 7));
}

#define FAST_BLOCK 256 /* rows decoded before the vectors' lengths and validity bits are brought up to date */

/* Rows whose every field takes a typed fast path (r->all_fast: every data column has one) and that end
 * with a row end, decoded in a tight loop from the current position: at most max_rows of them. Values
 * go straight into the columns' reserved room, and only whole rows are counted, so a row that stops
 * half-way (blank, comment, quoted, NULL, bad, or running past the bytes held) is simply not counted:
 * the general path decodes it. What the loop needs of each field (type, column, where its values go) is
 * copied into local arrays first. Returns the number of rows added, or -1 when out of memory. */
static int64_t fast_rows(WCsvReader *r, WBatch *out, int64_t max_rows) {
    const char *p = r->data + r->pos, *end = r->data + r->len;
    WVec *cols = out->root.children;
    const uint8_t *cls = r->cls;
    int ndata = r->ndata, comment = r->d.comment, more = r->more;
    int null_text = r->d.null_len != 0;
    int64_t added = 0;
    enum { MAXF = 16 };
    char *val[MAXF];
    int col[MAXF], last = ndata - 1;
    unsigned char sep = (unsigned char)r->d.sep[0];
    WTypeId type[MAXF];
    if (ndata > MAXF) return 0;
    for (int f = 0; f < ndata; f++) {
        col[f] = r->map[f];
        type[f] = r->types[col[f]];
    }
    while (added < max_rows) {
        int64_t blk = max_rows - added < FAST_BLOCK ? max_rows - added : FAST_BLOCK, k = 0;
        if (wvec_reserve(&out->root, blk)) return -1;
        for (int f = 0; f < ndata; f++) {
            WVec *v = &cols[col[f]];
            if (wvec_reserve(v, blk)) return -1;
            val[f] = (char *)v->values + v->len * (type[f] == WT_INT ? 4 : 8);
        }
        for (; k < blk; k++) {
            const char *row = p;
            /* a blank line or an empty first field fails the first field's fast_scan (no digit) */
            if (p >= end || (unsigned char)*p == comment) break;
            int f = 0;
            for (;;) {
                uint64_t x;
                const char *q;
                /* one branch per type, so that fast_scan is compiled for that type alone (a chain of
                 * predictable branches costs less than a jump table here) */
                WTypeId t = type[f];
                if (t == WT_INT) {
                    q = fast_scan(r, WT_INT, col[f], p, end, &x);
                    if (q) ((int32_t *)(void *)val[f])[k] = (int32_t)(int64_t)x;
                } else {
                    if (t == WT_DOUBLE) q = fast_scan(r, WT_DOUBLE, col[f], p, end, &x);
                    else if (t == WT_TIMESTAMP) q = fast_scan(r, WT_TIMESTAMP, col[f], p, end, &x);
                    else q = fast_scan(r, WT_BIGINT, col[f], p, end, &x);
                    if (q) ((uint64_t *)(void *)val[f])[k] = x;
                }
                if (!q || q >= end || (null_text && is_null_text(&r->d, p, q))) break;
                if (f < last) { /* the separator is one byte (fast_dialect) */
                    if ((unsigned char)*q != sep) break;
                    p = q + 1;
                    f++;
                    continue;
                }
                if (cls[(unsigned char)*q] != C_EOL) break;
                p = q + eol_len(&r->d, q, end);
                f = ndata;
                /* streaming: a CR at the end of the bytes held may have its LF in the next ones */
                if (p >= end && more) f = -1;
                break;
            }
            if (f != ndata) {
                p = row;
                break;
            }
        }
        /* count the k whole rows */
        set_valid_range(&out->root, out->root.len, out->root.len + k);
        out->root.len += k;
        for (int f = 0; f < ndata; f++) {
            WVec *v = &cols[col[f]];
            set_valid_range(v, v->len, v->len + k);
            v->len += k;
        }
        if (r->corrupt_col >= 0)
            for (int64_t i = 0; i < k; i++)
                if (wvec_append_null(&cols[r->corrupt_col])) return -1;
        r->line += k;
        added += k;
        if (k < blk) break;
    }
    r->pos = (size_t)(p - r->data);
    return added;
}

int wcsv_next(WCsvReader *r, WBatch *out, int64_t max_rows, int *out_done, WErr *err) {
    *out_done = 0;
    int rc = WEIR_OK, more;
    if (!r->header_done && (rc = read_header(r, err))) return rc;
    int64_t added = 0;
    WVec *cols = out->root.children;
    while (added < max_rows) {
        if (r->all_fast) {
            int64_t k = fast_rows(r, out, max_rows - added);
            if (k < 0) return werr_msg(err, WEIR_NOMEM, "out of memory");
            added += k;
            if (added >= max_rows) break;
        }
        if ((more = skip_blank(r, &rc, err)) <= 0) {
            if (!more) *out_done = 1;
            return rc;
        }
        const char *end = r->data + r->len;
        size_t off = r->pos;
        int64_t line = r->line;
        int64_t row0 = out->root.len;
        const char *p = r->data + r->pos;
        r->reason[0] = 0;
        if (app_row(out)) return werr_msg(err, WEIR_NOMEM, "out of memory");
        int field = 0, unterminated = 0;
        WCsvField f;
        do {
            if (r->fast && field < r->ndata) {
                int c = r->map[field];
                const char *q = fast_value(r, &cols[c], c, p, end);
                if (q) { /* *q is a separator (one byte) or a row end */
                    field++;
                    if (r->cls[(unsigned char)*q] == C_SEP) {
                        f.end = END_SEP;
                        p = q + 1;
                        continue;
                    }
                    f.end = END_EOL;
                    p = q + eol_len(&r->d, q, end);
                    r->line++;
                    break;
                }
            }
            if (scan_field(&r->d, r->cls, &r->scratch, &p, end, &r->line, &f))
                return werr_msg(err, WEIR_NOMEM, "out of memory");
            if (f.unterminated) {
                unterminated = 1;
                if (!r->reason[0]) snprintf(r->reason, sizeof r->reason, "unterminated quoted field");
                break; /* this and the remaining fields are NULL */
            }
            if (field < r->ndata) {
                int c = r->map[field];
                if (put_value(r, &cols[c], c, &f)) return werr_msg(err, WEIR_NOMEM, "out of memory");
            }
            field++;
        } while (f.end == END_SEP);
        if (cut_short(r, p)) {
            /* streaming: the row may go on in bytes not read yet; undo it, read more, decode it again */
            wbatch_truncate(out, row0);
            r->line = line;
            if ((rc = refill(r, err))) return rc;
            continue;
        }
        r->pos = (size_t)(p - r->data);
        int nf = field;
        for (; field < r->ndata; field++)
            if (wvec_append_null(&cols[r->map[field]])) return werr_msg(err, WEIR_NOMEM, "out of memory");
        if (!r->reason[0] && !unterminated && nf != r->ndata)
            snprintf(r->reason, sizeof r->reason, "%d fields where the schema has %d", nf, r->ndata);
        /* raw record text without its row end */
        const char *raw = r->data + off, *rend = p;
        if (f.end == END_EOL) {
            rend--;
            if (r->d.line_sep < 0 && *rend == '\n' && rend > raw && rend[-1] == '\r') rend--;
        }
        size_t raw_len = (size_t)(rend - raw);
        if (r->reason[0]) {
            if (r->mode != WMODE_PERMISSIVE) wbatch_truncate(out, row0);
            if ((rc = report_bad(r, line, r->base + (int64_t)off, raw, raw_len, err))) return rc;
            if (r->mode != WMODE_PERMISSIVE) continue;
            if (r->corrupt_col >= 0 && !utf8_ok(raw, raw_len)) {
                if (utf8_repair(raw, raw_len, &r->fixed)) return werr_msg(err, WEIR_NOMEM, "out of memory");
                raw = r->fixed.data;
                raw_len = r->fixed.len;
            }
            if (r->corrupt_col >= 0 && wvec_append_str(&cols[r->corrupt_col], raw, raw_len))
                return werr_msg(err, WEIR_NOMEM, "out of memory");
        } else if (r->corrupt_col >= 0 && wvec_append_null(&cols[r->corrupt_col])) {
            return werr_msg(err, WEIR_NOMEM, "out of memory");
        }
        added++;
    }
    if ((more = skip_blank(r, &rc, err)) < 0) return rc;
    if (!more) *out_done = 1;
    return WEIR_OK;
}

int wcsv_validate(const char *path, const char *data, size_t len, WOpts *opts, WErr *err) {
    WCsvDialect d;
    int rc = wcsv_dialect_init(&d, opts, 0, err);
    if (rc) { wcsv_dialect_fini(&d); return rc; }
    uint8_t cls[256] = {0};
    cls[(unsigned char)d.sep[0]] = C_SEP;
    if (d.line_sep >= 0) cls[d.line_sep] = C_EOL;
    else cls['\n'] = cls['\r'] = C_EOL;
    WBuf scratch;
    wbuf_init(&scratch);
    if (!path) path = "";
    if (!data) { data = ""; len = 0; }
    const char *p = data, *end = data + len;
    int64_t line = 1;
    while (p < end) {
        const char *fs = p;
        int64_t fline = line;
        WCsvField f;
        if (scan_field(&d, cls, &scratch, &p, end, &line, &f)) { rc = werr_msg(err, WEIR_NOMEM, "out of memory"); break; }
        if (f.unterminated) {
            rc = werr_set(err, WEIR_PARSE, path, (int64_t)(fs - data), fline, -1, "quoted field is never closed");
            break;
        }
        if (f.junk) {
            rc = werr_set(err, WEIR_PARSE, path, (int64_t)(fs - data), fline, -1,
                          "unexpected text after a closing quote (only a separator or a row end may follow)");
            break;
        }
    }
    wbuf_fini(&scratch);
    wcsv_dialect_fini(&d);
    return rc;
}
