/*
 * json_read.c - the schema-directed JSON decoder: JSON text straight into WBatch columns, in one pass,
 * with Spark's rules and parse modes (see json.h). The scanner is json_lex.h, shared with the validator.
 *
 * Shape of the input, decided per file (after an optional UTF-8 BOM and whitespace):
 *   - '[' first: one top-level array whose elements are records (the seed's files), any layout;
 *   - otherwise, multiLine=false: JSON Lines, one record per non-blank line (a line holding an array
 *     gives one record per element);
 *   - otherwise, multiLine=true: records are JSON values one after another, each spanning any lines.
 * A record is an object; anything else is a bad record. In JSON Lines a bad line never harms the next
 * one. Inside an array, or in multiLine input, a syntax error leaves no reliable place to resume, so the
 * bad record is the rest of the region (the rest of the file, or of the line for an array on one line)
 * and the reason says so; rows decoded before it are kept. A value of the wrong type is not a syntax
 * error: only that record is bad and decoding goes on.
 *
 * Speed: values are appended to the column vectors while the text is scanned, nothing is allocated per
 * record (scratch buffers are reused), each STRUCT level predicts the field at key position k from the
 * previous object's order, and remembers the exact bytes from the ',' or '{' through the key, ':' and
 * whitespace (`, "quantity": `): the same bytes again are the same field with nothing to re-check.
 * Unknown values are skipped by the checking scanner without building anything, integers of up to 9
 * digits are read in place, no integer touches strtod, decimals with <= 19 significant digits and a small
 * exponent take the exact fast path (Clinger, digits gathered by the scanner when there is no exponent),
 * and a timestamp on the same date (or second) as the previous one reuses its day number (or value). A
 * record laid out like the last good one (same keys, order and spacing) is decoded by that record's
 * template, its values read straight into their columns (see "record templates"). All these shortcuts
 * can be turned off (wjson_reader_set_fast_paths) so that tests compare them with the general path. A
 * half-decoded bad record is rolled back with wbatch_truncate.
 */
#include "formats/json.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/num.h"
#include "core/num_scan.h"
#include "core/time.h"
#include "formats/json_lex.h"

#define WJ_ORDER 32 /* key positions whose field is predicted */

typedef struct WJNode WJNode;
typedef struct WJField {
    const char *name;
    size_t len;
    WTypeId id;
    WJNode *node;   /* STRUCT */
    uint32_t seen;  /* == node gen when set in the current object */
    int ignored;    /* the corrupt-record column: never filled from the data */
    int plain;      /* name is printable ASCII without '"' or '\\': matchable against raw key bytes */
} WJField;

#define WJ_PAT 32 /* longest remembered key text */

struct WJNode {
    int n;
    WJField *f;
    uint32_t gen;
    int order_n;
    int order[WJ_ORDER];
    /* the exact bytes of the key last seen at each position, from its opening quote through the ':'
     * and the whitespace after it (`"quantity": `), when it named a field and had no escape: the
     * same bytes again are the same key, with nothing left to check */
    uint8_t pat_len[WJ_ORDER];
    int pat_idx[WJ_ORDER]; /* the field those bytes name */
    char pat[WJ_ORDER][WJ_PAT];
};

/* The date and second of the last timestamp iso_utc_fast read: rows of a file mostly share the date,
 * and rows written close together the second. */
typedef struct DateCache {
    int valid;
    char text[19];  /* "yyyy-MM-ddTHH:mm:ss", checked */
    int64_t days;   /* of the date */
    int64_t base;   /* microseconds of the whole second */
} DateCache;

/* A record template (see "record templates" below): the last good record as a list of steps. */
enum { TPL_LIT, TPL_STRUCT, TPL_VAL, TPL_SKIP, TPL_NULL };
#define TPL_STEPS 128
#define TPL_BYTES 2048
typedef struct TplStep {
    int kind;
    int depth;           /* VAL, SKIP: the value's depth */
    uint32_t off, len;   /* LIT: its bytes in Tpl.lit */
    const WJField *f;    /* VAL: the field */
    WVec *v;             /* STRUCT, VAL, NULL: the vector appended to */
} TplStep;
typedef struct Tpl {
    int n;               /* steps; 0: no template */
    TplStep step[TPL_STEPS];
    char lit[TPL_BYTES];
    uint32_t lit_len;
    const WBatch *batch; /* the vectors belong to this batch, within one wjson_next call */
    int in_array;
    int recording, broken;
    const char *mark;    /* recording: the end of the bytes already in steps */
    uint32_t tries, misses, pause; /* records tried and missed in this round of 1,024; records left to skip */
} Tpl;

enum { ST_TOP, ST_ARRAY_FIRST, ST_ARRAY_NEXT, ST_DONE };
enum { R_OK = 0, R_SYNTAX = 1, R_NOMEM = 2 };

struct WJsonReader {
    const WType *schema;
    WJNode *root;
    WParseMode mode;
    int corrupt_col;
    int multiline;
    WTz *tz;
    int tz_utc;              /* session zone is UTC: zone-less ISO text takes the fast path */
    WTimeFmt *ts_fmt, *date_fmt;
    WBadRecordFn cb;
    void *cb_user;
    int64_t bad;
    /* the file */
    const char *path, *data, *end;
    int state;
    int lines;               /* JSON Lines framing at top level */
    const char *region_end;  /* end of the current array's region */
    const char *after_region;/* where to go when that region is done */
    const char *lc_pos;      /* line cache for error places */
    int64_t lc_line;
    /* the record */
    WJLex lx;
    int terr;
    const char *terr_at;
    char treason[300];
    WBuf scratch, key, raw;
    DateCache date_cache;
    int fast;                /* shortcuts on (wjson_reader_set_fast_paths) */
    Tpl tpl;
};

/* ---- schema plan ---- */

static void node_free(WJNode *n) {
    if (!n) return;
    for (int i = 0; i < n->n; i++) node_free(n->f[i].node);
    free(n->f);
    free(n);
}

static WJNode *node_build(const WType *t) {
    WJNode *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->n = t->n_fields;
    n->f = calloc((size_t)(t->n_fields ? t->n_fields : 1), sizeof *n->f);
    if (!n->f) {
        free(n);
        return NULL;
    }
    for (int i = 0; i < t->n_fields; i++) {
        WJField *f = &n->f[i];
        f->name = t->fields[i].name;
        f->len = strlen(f->name);
        f->id = t->fields[i].type.id;
        f->plain = 1;
        for (size_t k = 0; k < f->len; k++) {
            unsigned char c = (unsigned char)f->name[k];
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') f->plain = 0;
        }
        if (f->id == WT_STRUCT && !(f->node = node_build(&t->fields[i].type))) {
            node_free(n);
            return NULL;
        }
    }
    return n;
}

int wjson_reader_open(const WType *schema, WOpts *opts, WJsonReader **out, WErr *err) {
    *out = NULL;
    if (!schema || schema->id != WT_STRUCT) return werr_msg(err, WEIR_MISUSE, "JSON reader: schema must be a STRUCT");
    WJsonReader *r = calloc(1, sizeof *r);
    if (!r) return werr_msg(err, WEIR_NOMEM, "out of memory");
    r->schema = schema;
    r->corrupt_col = -1;
    r->fast = 1;
    wbuf_init(&r->scratch);
    wbuf_init(&r->key);
    wbuf_init(&r->raw);
    int rc;
    const char *s;
    WOpts none = {0, NULL};
    if (!opts) opts = &none; /* no options: every default */
    if ((rc = wparse_mode_from_opts(opts, &r->mode, err))) goto fail;
    if ((rc = wopts_get_bool(opts, "multiLine", 0, &r->multiline, err))) goto fail;
    wopts_get_str(opts, "columnNameOfCorruptRecord", "_corrupt_record", &s);
    if (!(r->root = node_build(schema))) {
        rc = werr_msg(err, WEIR_NOMEM, "out of memory");
        goto fail;
    }
    int ci = wtype_field_index(schema, s, strlen(s));
    if (ci >= 0) {
        if (schema->fields[ci].type.id != WT_STRING) {
            rc = werr_msg(err, WEIR_MISUSE, "the corrupt-record column %s must be STRING, not %s", s,
                          wtype_name(schema->fields[ci].type.id));
            goto fail;
        }
        r->corrupt_col = ci;
        r->root->f[ci].ignored = 1;
    }
    wopts_get_str(opts, "timeZone", "UTC", &s);
    r->tz_utc = !strcasecmp(s, "UTC") || !strcasecmp(s, "Z");
    if ((rc = wtz_open(s, &r->tz, err))) goto fail;
    if ((s = wopts_get(opts, "timestampFormat")) && (rc = wtimefmt_compile(s, &r->ts_fmt, err))) goto fail;
    if ((s = wopts_get(opts, "dateFormat")) && (rc = wtimefmt_compile(s, &r->date_fmt, err))) goto fail;
    *out = r;
    return WEIR_OK;
fail:
    wjson_reader_close(r);
    return rc;
}

void wjson_reader_close(WJsonReader *r) {
    if (!r) return;
    node_free(r->root);
    wtz_free(r->tz);
    wtimefmt_free(r->ts_fmt);
    wtimefmt_free(r->date_fmt);
    wbuf_fini(&r->scratch);
    wbuf_fini(&r->key);
    wbuf_fini(&r->raw);
    free(r);
}

void wjson_reader_on_bad_record(WJsonReader *r, WBadRecordFn fn, void *user) {
    r->cb = fn;
    r->cb_user = user;
}

int64_t wjson_reader_bad_records(const WJsonReader *r) { return r->bad; }

void wjson_reader_set_fast_paths(WJsonReader *r, int on) { r->fast = on != 0; }

void wjson_begin(WJsonReader *r, const char *path, const char *data, size_t len) {
    r->path = path ? path : "";
    r->data = data;
    r->end = data + len;
    r->lc_pos = data;
    r->lc_line = 1;
    const char *p = data;
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3; /* a BOM, as Jackson (and so Spark) skips it */
    r->lx.p = p;
    r->lx.end = r->end;
    wjl_ws(&r->lx);
    if (r->lx.p < r->end && *r->lx.p == '[') {
        r->lx.p++;
        r->state = ST_ARRAY_FIRST;
        r->region_end = r->end;
        r->after_region = NULL;
        r->lines = 0;
    } else {
        r->lx.p = p;
        r->state = ST_TOP;
        r->lines = !r->multiline;
    }
}

/* ---- places and bad records ---- */

static int64_t line_of(WJsonReader *r, const char *at) {
    if (at < r->lc_pos) {
        r->lc_pos = r->data;
        r->lc_line = 1;
    }
    const char *q = r->lc_pos;
    int64_t l = r->lc_line;
    while ((q = memchr(q, '\n', (size_t)(at - q)))) {
        l++;
        q++;
    }
    r->lc_pos = at;
    r->lc_line = l;
    return l;
}

static int64_t col_of(WJsonReader *r, const char *at) {
    const char *q = at;
    while (q > r->data && q[-1] != '\n') q--;
    return (int64_t)(at - q) + 1;
}

/* Records the first type error of the current record; decoding of the record goes on. */
static void type_error(WJsonReader *r, const char *at, const WJField *f, const char *tok, size_t tn, const char *what) {
    if (r->terr) return;
    r->terr = 1;
    r->terr_at = at;
    int tl = tn > 40 ? 40 : (int)tn;
    if (f)
        snprintf(r->treason, sizeof r->treason, "field %s: %.*s%s %s", f->name, tl, tok, tn > 40 ? "..." : "", what);
    else
        snprintf(r->treason, sizeof r->treason, "%s", what);
}

/* A bad record: roll back to row0, report, then apply the mode. *rows counts rows this call added. */
static int bad_record(WJsonReader *r, WBatch *b, int64_t row0, const char *rec, size_t rec_len, const char *at,
                      const char *reason, int64_t *rows, WErr *err) {
    wbatch_truncate(b, row0);
    r->bad++;
    int64_t rline = line_of(r, rec);
    if (r->cb) {
        WBadRecord br = {r->path, rline, (int64_t)(rec - r->data), reason, rec, rec_len};
        r->cb(r->cb_user, &br);
    }
    if (r->mode == WMODE_FAILFAST) {
        int64_t line = line_of(r, at);
        return werr_set(err, WEIR_PARSE, r->path, (int64_t)(at - r->data), line, col_of(r, at),
                        "malformed record (mode FAILFAST): %s (record at line %lld, byte %lld)", reason,
                        (long long)rline, (long long)(rec - r->data));
    }
    if (r->mode == WMODE_DROPMALFORMED) return WEIR_OK;
    if (wbatch_begin_row(b)) goto nomem;
    for (int i = 0; i < b->root.n_children; i++) {
        int rc = i == r->corrupt_col ? wvec_append_str(&b->root.children[i], rec, rec_len)
                                     : wvec_append_null(&b->root.children[i]);
        if (rc) goto nomem;
    }
    (*rows)++;
    return WEIR_OK;
nomem:
    wbatch_truncate(b, row0);
    return werr_set(err, WEIR_NOMEM, r->path, (int64_t)(rec - r->data), rline, -1,
                    "out of memory keeping a bad record of %zu bytes", rec_len);
}

/* ---- values ---- */

static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#if LDBL_MANT_DIG == 64
static const long double p10l[] = {1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
                                   1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
                                   1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};
#endif

#if LDBL_MANT_DIG == 64
/* The 64-bit significand of a positive normal x87 long double (integer bit included). */
static inline uint64_t ld_significand(long double x) {
#if defined(__x86_64__) || defined(__i386__)
    uint64_t mant; /* the 80-bit format stores it whole in its first 8 bytes (little-endian) */
    memcpy(&mant, &x, sizeof mant);
    return mant;
#else
    int ex;
    return (uint64_t)ldexpl(frexpl(x, &ex), 64);
#endif
}
#endif

/* Exact double of a scanned number: integers and short decimals without strtod. */
static int num_double(const WJNum *n, int fast, double *out) {
    if (n->is_int && !n->big && n->mag <= (1ull << 53)) {
        double v = (double)n->mag;
        *out = n->neg ? -v : v;
        return 0;
    }
    /* a short decimal without exponent, digits gathered by the scanner: as below (Clinger), no rescan */
    if (fast && !n->is_int && !n->has_exp && n->digits + n->frac_digits <= 19 && n->all <= (1ull << 53) &&
        n->frac_digits <= 22) {
        double v = (double)n->all / p10[n->frac_digits];
        *out = n->neg ? -v : v;
        return 0;
    }
    if (!n->big) {
        const char *p = n->s + n->neg, *e = n->s + n->n;
        uint64_t m = 0;
        int sig = 0, e10 = 0;
        for (; p < e && *p >= '0' && *p <= '9'; p++) {
            if (m || *p != '0') m = m * 10 + (uint64_t)(*p - '0'), sig++;
        }
        if (p < e && *p == '.') {
            for (p++; p < e && *p >= '0' && *p <= '9'; p++) {
                if (m || *p != '0') m = m * 10 + (uint64_t)(*p - '0'), sig++;
                e10--;
            }
        }
        if (p < e) { /* exponent */
            p++;
            int eneg = 0, ev = 0;
            if (*p == '+' || *p == '-') eneg = *p++ == '-';
            for (; p < e; p++) ev = ev > 10000 ? ev : ev * 10 + (*p - '0');
            e10 += eneg ? -ev : ev;
        }
        if (sig <= 19 && m <= (1ull << 53) && e10 >= -22 && e10 <= 22) {
            double v = (double)m;
            v = e10 < 0 ? v / p10[-e10] : v * p10[e10];
            *out = n->neg ? -v : v;
            return 0;
        }
#if LDBL_MANT_DIG == 64
        /* 16-19 digits (3.9000000000000004): m and 10^k (k <= 27) are exact in x87's 64-bit mantissa, so
         * the quotient or product is rounded once to 64 bits; rounding that to double is then correct
         * unless it sits exactly on a midpoint between two doubles (low 11 bits 0x400), left to strtod */
        if (sig <= 19 && e10 >= -27 && e10 <= 27) {
            long double x = (long double)m;
            x = e10 < 0 ? x / p10l[-e10] : x * p10l[e10];
            if (x < 0x1p1000L) {
                uint64_t mant = ld_significand(x);
                if ((mant & 0x7FF) != 0x400) {
                    double v = (double)x;
                    *out = n->neg ? -v : v;
                    return 0;
                }
            }
        }
#endif
    }
    return wnum_parse_double(n->s, n->n, out);
}

static inline int dig2(const char *s, unsigned *v) {
    unsigned a = (unsigned)(s[0] - '0'), b = (unsigned)(s[1] - '0');
    *v = a * 10 + b;
    return a <= 9 && b <= 9;
}

static inline int same10(const char *a, const char *b) {
    uint64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    return x == y && a[8] == b[8] && a[9] == b[9];
}
/* 19 bytes equal, in three (overlapping) loads */
static inline int same19(const char *a, const char *b) {
    uint64_t x0, y0, x1, y1, x2, y2;
    memcpy(&x0, a, 8);
    memcpy(&y0, b, 8);
    memcpy(&x1, a + 8, 8);
    memcpy(&y1, b + 8, 8);
    memcpy(&x2, a + 11, 8);
    memcpy(&y2, b + 11, 8);
    return ((x0 ^ y0) | (x1 ^ y1) | (x2 ^ y2)) == 0;
}

/* The common case of a timestamp, zone-less "yyyy-MM-ddTHH:mm:ss[.f{1,6}]" (or ' ' for 'T') read in UTC,
 * without the general parser; 0 when the text is anything else (then core/time decides). A date equal to
 * the cached one (already checked) is not checked and converted again. */
static int iso_utc_fast(DateCache *dc, const char *t, size_t n, int64_t *out) {
    static const unsigned char mdays[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n < 19 || n > 26 || n == 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' ||
        t[16] != ':')
        return 0;
    int64_t base;
    if (dc && dc->valid && same19(t, dc->text)) {
        base = dc->base;
    } else {
        int64_t days;
        if (dc && dc->valid && same10(t, dc->text)) {
            days = dc->days;
        } else {
            unsigned y1, y2, mo, d;
            if (!dig2(t, &y1) || !dig2(t + 2, &y2) || !dig2(t + 5, &mo) || !dig2(t + 8, &d)) return 0;
            unsigned y = y1 * 100 + y2;
            if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo]) return 0;
            if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 0;
            days = wtime_days_from_civil(y, mo, d);
        }
        unsigned h, mi, se;
        if (!dig2(t + 11, &h) || !dig2(t + 14, &mi) || !dig2(t + 17, &se)) return 0;
        if (h > 23 || mi > 59 || se > 59) return 0;
        base = ((days * 24 + h) * 60 + mi) * 60000000LL + se * 1000000LL;
        if (dc) { /* only a text checked in full is kept */
            memcpy(dc->text, t, 19);
            dc->days = days;
            dc->base = base;
            dc->valid = 1;
        }
    }
    int64_t frac = 0;
    if (n > 19) {
        if (t[19] != '.') return 0;
        static const int scale[] = {1, 100000, 10000, 1000, 100, 10, 1};
        for (size_t i = 20; i < n; i++) {
            unsigned c = (unsigned)(t[i] - '0');
            if (c > 9) return 0;
            frac = frac * 10 + c;
        }
        frac *= scale[n - 20];
    }
    *out = base + frac;
    return 1;
}

/* The text of a string value, decoded if it has escapes (in r->scratch). */
static int str_text(WJsonReader *r, const char *s, size_t n, int esc, const char **out, size_t *on) {
    if (!esc) {
        *out = s;
        *on = n;
        return 0;
    }
    wbuf_reset(&r->scratch);
    if (wjl_unescape(s, n, &r->scratch)) return -1;
    *out = r->scratch.data;
    *on = r->scratch.len;
    return 0;
}

/* Raw JSON text of a non-string value for a STRING column, whitespace outside strings removed (Spark
 * re-serialises such values compactly). */
static int raw_compact(WJsonReader *r, const char *s, size_t n, const char **out, size_t *on) {
    const char *e = s + n;
    int ws = 0;
    for (const char *q = s; q < e; q++)
        if (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t') { ws = 1; break; }
    if (!ws) {
        *out = s;
        *on = n;
        return 0;
    }
    wbuf_reset(&r->scratch);
    if (wbuf_reserve(&r->scratch, n)) return -1;
    char *o = r->scratch.data;
    int in_str = 0;
    for (const char *q = s; q < e; q++) {
        char c = *q;
        if (in_str) {
            *o++ = c;
            if (c == '\\') *o++ = *++q;
            else if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
            *o++ = c;
        } else if (!(c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
            *o++ = c;
        }
    }
    r->scratch.len = (size_t)(o - r->scratch.data);
    *out = r->scratch.data;
    *on = r->scratch.len;
    return 0;
}

/* A JSON number at `at` (before end) read by core/num_scan.h's plain-decimal path, which also takes texts
 * JSON refuses: so only "-?digits[.digits]" without a leading zero before a digit and without a bare
 * '.' at the end is given to it, and what it hands back (exponents, over 19 digits, rounding boundaries)
 * goes the general way. Returns the end of the number with *out set, or NULL. */
static inline const char *double_in_place(const char *at, const char *end, double *out) {
    const char *q = at + (*at == '-');
    if (q >= end || (unsigned)(*q - '0') > 9 || (*q == '0' && q + 1 < end && (unsigned)(q[1] - '0') <= 9)) return NULL;
    const char *p = wnum_scan_double_inline(at, end, out);
    return p && p[-1] != '.' ? p : NULL;
}

/* A zone-less ISO timestamp string at `at` (its opening quote) on the second of the last one read
 * (DateCache: "yyyy-MM-ddTHH:mm:ss" checked in full then), with 0 to 6 fraction digits: its end after the
 * closing quote with *us set, or NULL. Every byte is matched, so the string holds no escape and is valid. */
static inline const char *ts_in_place(const DateCache *dc, const char *at, const char *end, int64_t *us) {
#if NUM_SWAR
    static const int scale[] = {1, 100000, 10000, 1000, 100, 10, 1};
    if (!dc->valid || end - at < 32 || !same19(at + 1, dc->text)) return NULL;
    const char *q = at + 20;
    int64_t frac = 0;
    if (*q == '.') {
        uint64_t x = swar_load8(q + 1);
        int nd = swar_digit_count(x);
        if (nd < 1 || nd > 6) return NULL;
        frac = (int64_t)swar_digits_value(x, nd) * scale[nd];
        q += 1 + nd;
    }
    if (*q != '"') return NULL;
    *us = dc->base + frac;
    return q + 1;
#else
    (void)dc, (void)at, (void)end, (void)us;
    return NULL;
#endif
}

static int parse_object(WJsonReader *r, WJNode *node, WVec *v, int depth);

/* Appends with the capacity check inline (vec.c's functions do the growing); same effect as
 * wvec_append_i32/i64/f64/struct. Forced inline: parse_object is too big for the compiler to do it. */
#if defined(__GNUC__)
#define WJ_INLINE static inline __attribute__((always_inline))
#else
#define WJ_INLINE static inline
#endif
WJ_INLINE int put_i32(WVec *v, int32_t x) {
    if (v->len >= v->cap) return wvec_append_i32(v, x);
    ((int32_t *)v->values)[v->len] = x;
    v->validity[v->len >> 3] |= (uint8_t)(1u << (v->len & 7));
    v->len++;
    return 0;
}
WJ_INLINE int put_i64(WVec *v, int64_t x) {
    if (v->len >= v->cap) return wvec_append_i64(v, x);
    ((int64_t *)v->values)[v->len] = x;
    v->validity[v->len >> 3] |= (uint8_t)(1u << (v->len & 7));
    v->len++;
    return 0;
}
WJ_INLINE int put_f64(WVec *v, double x) {
    if (v->len >= v->cap) return wvec_append_f64(v, x);
    ((double *)v->values)[v->len] = x;
    v->validity[v->len >> 3] |= (uint8_t)(1u << (v->len & 7));
    v->len++;
    return 0;
}
WJ_INLINE int put_struct(WVec *v) {
    if (v->len >= v->cap) return wvec_append_struct(v);
    v->validity[v->len >> 3] |= (uint8_t)(1u << (v->len & 7));
    v->len++;
    return 0;
}

#define APPEND(x) do { if (x) return R_NOMEM; } while (0)

/* The usual values read in place, without the scanner (fast paths): an INT or BIGINT of 1 to 9 digits, a
 * DOUBLE in plain decimal (double_in_place), a zone-less ISO timestamp in the cached second (ts_in_place).
 * Returns 1 when the value at lx.p was appended (lx.p after it), 0 when the general way must read it, -1
 * out of memory. */
WJ_INLINE int value_in_place(WJsonReader *r, const WJField *f, WVec *v) {
    WJLex *lx = &r->lx;
    const char *at = lx->p, *e = lx->end;
    if (at >= e) return 0;
    char c = *at;
    switch (f->id) {
    case WT_INT:
    case WT_BIGINT: {
        if ((unsigned)(c - '1') > 8) return 0;
        /* 1 to 9 digits, then a byte that cannot continue a number */
        const char *p;
        uint32_t x;
#if NUM_SWAR
        if (e - at >= 9) { /* eight bytes at once: up to 7 digits and the byte after them */
            uint64_t w = swar_load8(at);
            int nd = swar_digit_count(w);
            if (nd == 8) return 0;
            x = nd == 1 ? (uint32_t)(c - '0') : (uint32_t)swar_digits_value(w, nd);
            p = at + nd;
        } else
#endif
        {
            p = at + 1;
            x = (uint32_t)(c - '0');
            while (p < e && p - at < 9 && (unsigned)(*p - '0') <= 9) x = x * 10 + (uint32_t)(*p++ - '0');
            if (p >= e || (unsigned)(*p - '0') <= 9) return 0;
        }
        if (*p == '.' || *p == 'e' || *p == 'E') return 0;
        lx->p = p;
        return (f->id == WT_INT ? put_i32(v, (int32_t)x) : put_i64(v, (int64_t)x)) ? -1 : 1;
    }
    case WT_DOUBLE: {
        double d;
        const char *p = double_in_place(at, e, &d);
        if (!p) return 0;
        lx->p = p;
        return put_f64(v, d) ? -1 : 1;
    }
    case WT_TIMESTAMP: {
        int64_t us;
        const char *p = c == '"' && r->tz_utc && !r->ts_fmt ? ts_in_place(&r->date_cache, at, e, &us) : NULL;
        if (!p) return 0;
        lx->p = p;
        return put_i64(v, us) ? -1 : 1;
    }
    default: return 0;
    }
}

static int parse_value_general(WJsonReader *r, const WJField *f, WVec *v, int depth);

/* Decodes the value at lx.p into v (a column of type f->id); depth is the value's nesting depth. */
static int parse_value(WJsonReader *r, const WJField *f, WVec *v, int depth) {
    if (r->fast) {
        int got = value_in_place(r, f, v);
        if (got) return got > 0 ? R_OK : R_NOMEM;
    }
    return parse_value_general(r, f, v, depth);
}

/* parse_value without the fast paths of value_in_place */
static int parse_value_general(WJsonReader *r, const WJField *f, WVec *v, int depth) {
    WJLex *lx = &r->lx;
    const char *at = lx->p;
    if (at >= lx->end) return wjl_fail(lx, at, "value expected"), R_SYNTAX;
    char c = *at;
    if (c == 'n') {
        if (wjl_lit(lx, "null", 4)) return R_SYNTAX;
        APPEND(wvec_append_null(v));
        return R_OK;
    }
    const char *s;
    size_t n;
    int esc;
    WJNum num;
    switch (f->id) {
    case WT_STRUCT:
        if (c == '{') return parse_object(r, f->node, v, depth);
        break;
    case WT_INT:
    case WT_BIGINT:
    case WT_DOUBLE:
        if (c == '-' || (c >= '0' && c <= '9')) {
            if (wjl_number(lx, &num)) return R_SYNTAX;
            if (f->id == WT_DOUBLE) {
                double d;
                if (num_double(&num, r->fast, &d)) return R_NOMEM;
                APPEND(put_f64(v, d));
                return R_OK;
            }
            if (!num.is_int || num.big || num.mag > (uint64_t)INT64_MAX + num.neg) {
                type_error(r, at, f, num.s, num.n, f->id == WT_INT ? "is not an INT" : "is not a BIGINT");
                APPEND(wvec_append_null(v));
                return R_OK;
            }
            int64_t x = num.neg ? (int64_t)(0 - num.mag) : (int64_t)num.mag;
            if (f->id == WT_BIGINT) {
                APPEND(put_i64(v, x));
            } else if (x < INT32_MIN || x > INT32_MAX) {
                type_error(r, at, f, num.s, num.n, "is out of range for an INT");
                APPEND(wvec_append_null(v));
            } else {
                APPEND(put_i32(v, (int32_t)x));
            }
            return R_OK;
        }
        if (c == '"' && f->id == WT_DOUBLE) {
            if (wjl_string(lx, &s, &n, &esc)) return R_SYNTAX;
            const char *t;
            size_t tn;
            if (str_text(r, s, n, esc, &t, &tn)) return R_NOMEM;
            double d;
            if (tn == 3 && !memcmp(t, "NaN", 3)) d = NAN;
            else if ((tn == 8 && !memcmp(t, "Infinity", 8)) || (tn == 9 && !memcmp(t, "+Infinity", 9)) ||
                     (tn == 4 && !memcmp(t, "+INF", 4)))
                d = INFINITY;
            else if ((tn == 9 && !memcmp(t, "-Infinity", 9)) || (tn == 4 && !memcmp(t, "-INF", 4)))
                d = -INFINITY;
            else {
                type_error(r, at, f, at, (size_t)(lx->p - at), "is not a DOUBLE");
                APPEND(wvec_append_null(v));
                return R_OK;
            }
            APPEND(put_f64(v, d));
            return R_OK;
        }
        break;
    case WT_BOOLEAN:
        if (c == 't') {
            if (wjl_lit(lx, "true", 4)) return R_SYNTAX;
            APPEND(wvec_append_bool(v, 1));
            return R_OK;
        }
        if (c == 'f') {
            if (wjl_lit(lx, "false", 5)) return R_SYNTAX;
            APPEND(wvec_append_bool(v, 0));
            return R_OK;
        }
        break;
    case WT_STRING: {
        if (c == '"') {
            if (wjl_string(lx, &s, &n, &esc)) return R_SYNTAX;
            const char *t;
            size_t tn;
            if (str_text(r, s, n, esc, &t, &tn)) return R_NOMEM;
            APPEND(wvec_append_str(v, t, tn));
            return R_OK;
        }
        if (wjl_skip(lx, depth)) return R_SYNTAX;
        const char *t;
        size_t tn;
        if (raw_compact(r, at, (size_t)(lx->p - at), &t, &tn)) return R_NOMEM;
        APPEND(wvec_append_str(v, t, tn));
        return R_OK;
    }
    case WT_TIMESTAMP:
    case WT_DATE:
        if (c == '"') {
            if (wjl_string(lx, &s, &n, &esc)) return R_SYNTAX;
            const char *t;
            size_t tn;
            if (str_text(r, s, n, esc, &t, &tn)) return R_NOMEM;
            int rc;
            if (f->id == WT_TIMESTAMP) {
                int64_t us;
                if (r->ts_fmt) rc = wtimefmt_parse(r->ts_fmt, t, tn, r->tz, &us);
                else if (r->tz_utc && iso_utc_fast(r->fast ? &r->date_cache : NULL, t, tn, &us)) rc = WEIR_OK;
                else rc = wtime_parse_timestamp(t, tn, r->tz, &us);
                if (!rc) APPEND(put_i64(v, us));
            } else {
                int32_t days = 0;
                if (r->date_fmt) {
                    int64_t us;
                    rc = wtimefmt_parse(r->date_fmt, t, tn, NULL, &us);
                    if (!rc) {
                        int64_t d = us / 86400000000LL - (us % 86400000000LL < 0);
                        if (d < INT32_MIN || d > INT32_MAX) rc = WEIR_PARSE;
                        days = (int32_t)d;
                    }
                } else {
                    rc = wtime_parse_date(t, tn, &days);
                }
                if (!rc) APPEND(put_i32(v, days));
            }
            if (rc == WEIR_NOMEM) return R_NOMEM;
            if (rc) {
                type_error(r, at, f, at, (size_t)(lx->p - at), f->id == WT_TIMESTAMP ? "is not a TIMESTAMP" : "is not a DATE");
                APPEND(wvec_append_null(v));
            }
            return R_OK;
        }
        if (f->id == WT_TIMESTAMP && (c == '-' || (c >= '0' && c <= '9'))) {
            /* Spark: a JSON integer is seconds since the epoch */
            if (wjl_number(lx, &num)) return R_SYNTAX;
            if (!num.is_int || num.big || num.mag > (uint64_t)INT64_MAX / 1000000) {
                type_error(r, at, f, num.s, num.n, "is not a TIMESTAMP (seconds since the epoch)");
                APPEND(wvec_append_null(v));
                return R_OK;
            }
            int64_t sec = num.neg ? -(int64_t)num.mag : (int64_t)num.mag;
            APPEND(put_i64(v, sec * 1000000));
            return R_OK;
        }
        break;
    default: break;
    }
    /* a value of the wrong kind: skip it (checking its syntax), the record is bad */
    if (wjl_skip(lx, depth)) return R_SYNTAX;
    type_error(r, at, f, at, (size_t)(lx->p - at), f->id == WT_STRUCT ? "is not an object (STRUCT)" : "has the wrong JSON type for the column");
    APPEND(wvec_append_null(v));
    return R_OK;
}

/* n bytes equal; 8 at a time (the last word may overlap the previous one) */
static inline int key_eq(const char *a, const char *b, size_t n) {
    uint64_t x, y;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y) return 0;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

static inline int lookup(const WJNode *node, const char *k, size_t kn) {
    for (int i = 0; i < node->n; i++) {
        const WJField *f = &node->f[i];
        if (f->len == kn && !f->ignored && !memcmp(f->name, k, kn)) return i;
    }
    return -1;
}

/* ---- record templates ----
 * Records of a file mostly have the same layout: the same keys in the same order with the same spacing,
 * only the values differ. A good record decoded the general way (parse_object) is kept as a template:
 * its bytes outside the values (LIT steps: braces, keys, colons, commas, whitespace) and in order the
 * appends it made (STRUCT: an object's own row; VAL: a value, decoded by parse_value; SKIP: the value of
 * a key no column takes; NULL: a field the object lacked). The next record is first tried against it:
 * every LIT must be the very same bytes and every value must decode without a type error. Then the
 * general way would have taken the same keys to the same fields (they are the same bytes) and made the
 * same appends (parse_value is the same code), so the row is the same; on any difference the record is
 * rolled back (wbatch_truncate) and decoded the general way, which records a new template. Templates
 * are made only from records without duplicate keys or type errors, hold vectors of one batch and so
 * last one wjson_next call, and are paused for a while when more than 1 in 8 records miss. */

static void tpl_step(WJsonReader *r, int kind, const WJField *f, WVec *v, int depth) {
    Tpl *t = &r->tpl;
    if (t->n >= TPL_STEPS) { t->broken = 1; return; }
    t->step[t->n++] = (TplStep){kind, depth, 0, 0, f, v};
}

/* The bytes from the mark up to `upto` as a LIT step; the mark moves there. */
static void tpl_lit(WJsonReader *r, const char *upto) {
    Tpl *t = &r->tpl;
    size_t n = (size_t)(upto - t->mark);
    if (!n) return;
    if (t->n >= TPL_STEPS || n > TPL_BYTES - t->lit_len) { t->broken = 1; return; }
    memcpy(t->lit + t->lit_len, t->mark, n);
    t->step[t->n++] = (TplStep){TPL_LIT, 0, t->lit_len, (uint32_t)n, NULL, NULL};
    t->lit_len += (uint32_t)n;
    t->mark = upto;
}

static int parse_value_general(WJsonReader *r, const WJField *f, WVec *v, int depth);

/* Decodes the record at lx.p by the template: 1 done (lx.p after the record), 0 it differs (the caller
 * rolls back), -1 out of memory. */
static int tpl_replay(WJsonReader *r) {
    WJLex *lx = &r->lx;
    const Tpl *t = &r->tpl;
    for (int i = 0; i < t->n; i++) {
        const TplStep *st = &t->step[i];
        switch (st->kind) {
        case TPL_LIT:
            if ((size_t)(lx->end - lx->p) < st->len || !key_eq(lx->p, t->lit + st->off, st->len)) return 0;
            lx->p += st->len;
            break;
        case TPL_STRUCT:
            if (put_struct(st->v)) return -1;
            break;
        case TPL_VAL: {
            int got = value_in_place(r, st->f, st->v);
            if (got < 0) return -1;
            if (got) break;
            int rc = parse_value_general(r, st->f, st->v, st->depth);
            if (rc == R_NOMEM) return -1;
            if (rc || r->terr) return 0;
            break;
        }
        case TPL_SKIP:
            if (wjl_skip(lx, st->depth)) return 0;
            break;
        default:
            if (wvec_append_null(st->v)) return -1;
            break;
        }
    }
    return 1;
}

/* Decodes the object at lx.p into the STRUCT vector v (one row), depth is the object's depth. */
static int parse_object(WJsonReader *r, WJNode *node, WVec *v, int depth) {
    WJLex *lx = &r->lx;
    if (depth >= WJSON_MAX_DEPTH) return wjl_fail(lx, lx->p, "nesting deeper than 512 levels"), R_SYNTAX;
    APPEND(put_struct(v));
    int rec = r->tpl.recording;
    if (rec) tpl_step(r, TPL_STRUCT, NULL, v, 0);
    int64_t row = v->len - 1;
    uint32_t gen = ++node->gen;
    if (gen == 0) { /* wrapped: forget all marks */
        for (int i = 0; i < node->n; i++) node->f[i].seen = 0;
        gen = node->gen = 1;
    }
    lx->p++;
    int k = 0, rc, nseen = 0;
    {
        for (;;) {
            /* here: just after the '{' or the ',' */
            int idx = -1;
            const char *key_at = lx->p;
            /* fastest path: the very bytes seen last time at this position, from the '{' or ',' through
             * the key, the ':' and the whitespace after it */
            if (k < node->order_n && node->pat_len[k] && r->fast && (size_t)(lx->end - key_at) >= node->pat_len[k] &&
                key_eq(key_at, node->pat[k], node->pat_len[k])) {
                idx = node->pat_idx[k];
                lx->p = key_at + node->pat_len[k];
                k++;
                wjl_ws(lx);
                goto have_value;
            }
            wjl_ws(lx);
            if (k == 0 && lx->p < lx->end && *lx->p == '}') { /* {} */
                lx->p++;
                break;
            }
            if (lx->p >= lx->end || *lx->p != '"') return wjl_fail(lx, lx->p, "object key expected"), R_SYNTAX;
            const char *quote_at = lx->p;
            /* fast path: the raw bytes are the field predicted for this position, then a quote */
            if (k < node->order_n && node->order[k] >= 0 && r->fast) {
                const WJField *pf = &node->f[node->order[k]];
                const char *q = lx->p + 1;
                if (pf->plain && (size_t)(lx->end - q) > pf->len && q[pf->len] == '"' && key_eq(q, pf->name, pf->len)) {
                    idx = node->order[k];
                    lx->p = q + pf->len + 1;
                    goto have_key;
                }
            }
            const char *ks;
            size_t kn;
            int esc;
            if (wjl_string(lx, &ks, &kn, &esc)) return R_SYNTAX;
            if (esc) {
                wbuf_reset(&r->key);
                if (wjl_unescape(ks, kn, &r->key)) return R_NOMEM;
                ks = r->key.data;
                kn = r->key.len;
            }
            if (k < node->order_n && r->fast) {
                int j = node->order[k];
                if (j >= 0 && node->f[j].len == kn && !memcmp(node->f[j].name, ks, kn)) idx = j;
            }
            if (idx < 0) {
                idx = lookup(node, ks, kn);
                if (k < WJ_ORDER) {
                    node->order[k] = idx;
                    if (node->order_n <= k) node->order_n = k + 1;
                }
            }
        have_key:
            wjl_ws(lx);
            if (lx->p >= lx->end || *lx->p != ':') return wjl_fail(lx, lx->p, "':' expected"), R_SYNTAX;
            lx->p++;
            wjl_ws(lx);
            if (k < WJ_ORDER) { /* remember these bytes when they can be matched raw next time */
                size_t pl = (size_t)(lx->p - key_at);
                const WJField *kf = &node->f[idx < 0 ? 0 : idx];
                int raw = idx >= 0 && node->order[k] == idx && kf->plain && (size_t)(lx->p - quote_at) >= kf->len + 3 &&
                          !memcmp(quote_at + 1, kf->name, kf->len) && quote_at[kf->len + 1] == '"';
                node->pat_len[k] = raw && pl <= WJ_PAT ? (uint8_t)pl : 0;
                if (node->pat_len[k]) {
                    memcpy(node->pat[k], key_at, pl);
                    node->pat_idx[k] = idx;
                }
            }
            k++;
        have_value:
            if (idx < 0) {
                if (rec) tpl_lit(r, lx->p), tpl_step(r, TPL_SKIP, NULL, NULL, depth + 1);
                if (wjl_skip(lx, depth + 1)) return R_SYNTAX;
                if (rec) r->tpl.mark = lx->p;
            } else {
                WJField *f = &node->f[idx];
                WVec *child = &v->children[idx];
                if (f->seen == gen) wvec_truncate(child, row), r->tpl.broken = 1; /* duplicate key: the last one wins */
                else nseen++;
                f->seen = gen;
                /* an object for a STRUCT records its own steps */
                int val_step = rec && !(f->id == WT_STRUCT && lx->p < lx->end && *lx->p == '{');
                if (val_step) tpl_lit(r, lx->p), tpl_step(r, TPL_VAL, f, child, depth + 1);
                if ((rc = parse_value(r, f, child, depth + 1))) return rc;
                if (val_step) r->tpl.mark = lx->p;
            }
            wjl_ws(lx);
            if (lx->p < lx->end && *lx->p == ',') {
                lx->p++;
                continue;
            }
            if (lx->p < lx->end && *lx->p == '}') {
                lx->p++;
                break;
            }
            return wjl_fail(lx, lx->p, lx->p < lx->end ? "',' or '}' expected" : "unterminated object"), R_SYNTAX;
        }
    }
    if (nseen < node->n) /* fields the object lacks are NULL */
        for (int i = 0; i < node->n; i++)
            if (node->f[i].seen != gen) {
                APPEND(wvec_append_null(&v->children[i]));
                if (rec) tpl_step(r, TPL_NULL, NULL, &v->children[i], 0);
            }
    return R_OK;
}

/* ---- records ---- */

/* Decodes one record (an element of an array when in_array) at lx.p, within [.., region_end).
 * line_end: in JSON Lines, the end of the record's line (nothing but whitespace may follow the value).
 * Returns WEIR_OK (lx.p after the record) or an error for FAILFAST / out of memory; *syntax is set
 * when the record was malformed JSON (lx.p is then region_end). */
static int record(WJsonReader *r, WBatch *b, const char *region_end, int in_array, int64_t *rows, int *syntax,
                  WErr *err) {
    WJLex *lx = &r->lx;
    const char *rec = lx->p;
    int64_t row0 = wbatch_rows(b);
    r->terr = 0;
    *syntax = 0;
    int rc;
    if (*rec == '{') {
        rc = -1;
        Tpl *t = &r->tpl;
        if (t->n && r->fast && t->batch == b && t->in_array == in_array) {
            int got = tpl_replay(r);
            if (got) {
                rc = got > 0 ? R_OK : R_NOMEM;
            } else { /* not this layout: back to the record's start, the general way */
                wbatch_truncate(b, row0);
                lx->p = rec;
                r->terr = 0;
                t->n = 0;
                t->misses++;
            }
            if (++t->tries == 1024) {
                if (t->misses > 1024 / 8) t->pause = 16384;
                t->tries = t->misses = 0;
            }
        }
        if (rc < 0) {
            if (r->fast && !t->n && !(t->pause && t->pause--)) {
                t->recording = 1;
                t->broken = 0;
                t->lit_len = 0;
                t->mark = rec;
                t->batch = b;
                t->in_array = in_array;
            }
            rc = parse_object(r, r->root, &b->root, in_array ? 1 : 0);
            if (t->recording) {
                tpl_lit(r, lx->p);
                t->recording = 0;
                if (rc != R_OK || t->broken || r->terr) t->n = 0;
            }
        }
    } else {
        rc = wjl_skip(lx, in_array ? 1 : 0) ? R_SYNTAX : R_OK;
        if (!rc) type_error(r, rec, NULL, NULL, 0, in_array ? "array element is not a JSON object" : "record is not a JSON object");
    }
    if (rc == R_OK && r->lines && !in_array) {
        wjl_ws(lx);
        if (lx->p < region_end) rc = R_SYNTAX, wjl_fail(lx, lx->p, "unexpected content after the record");
    }
    if (rc == R_NOMEM) {
        wbatch_truncate(b, row0);
        return werr_set(err, WEIR_NOMEM, r->path, (int64_t)(rec - r->data), line_of(r, rec), -1,
                        "out of memory decoding a record");
    }
    if (rc == R_SYNTAX) {
        *syntax = 1;
        char reason[400];
        if (r->lines && !in_array)
            snprintf(reason, sizeof reason, "malformed JSON: %s", lx->err_msg);
        else
            snprintf(reason, sizeof reason,
                     "malformed JSON: %s; no record boundary can be trusted after it, so the rest of the %s "
                     "(%zu bytes from this record on) is one bad record",
                     lx->err_msg, region_end == r->end ? "file" : "line", (size_t)(region_end - rec));
        const char *at = lx->err_at;
        lx->p = region_end;
        size_t n = (size_t)(region_end - rec);
        if (r->lines && n && region_end[-1] == '\r') n--;
        return bad_record(r, b, row0, rec, n, at, reason, rows, err);
    }
    if (r->terr) return bad_record(r, b, row0, rec, (size_t)(lx->p - rec), r->terr_at, r->treason, rows, err);
    (*rows)++;
    return WEIR_OK;
}

int wjson_next(WJsonReader *r, WBatch *out, int64_t max_rows, int *out_done, WErr *err) {
    WJLex *lx = &r->lx;
    int64_t rows = 0;
    r->tpl.n = 0; /* its vectors may be another batch's now */
    int syntax, rc;
    *out_done = 0;
    while (rows < max_rows && r->state != ST_DONE) {
        if (r->state == ST_TOP) {
            if (r->lines) {
                /* next non-blank line */
                const char *p = lx->p;
                if (p >= r->end) { r->state = ST_DONE; break; }
                const char *nl = memchr(p, '\n', (size_t)(r->end - p));
                const char *le = nl ? nl : r->end;
                const char *next = nl ? nl + 1 : r->end;
                lx->end = le;
                wjl_ws(lx);
                if (lx->p >= le) { lx->p = next; lx->end = r->end; continue; }
                if (*lx->p == '[') { /* an array on one line: its elements are the records */
                    lx->p++;
                    r->state = ST_ARRAY_FIRST;
                    r->region_end = le;
                    r->after_region = next;
                    continue;
                }
                rc = record(r, out, le, 0, &rows, &syntax, err);
                lx->p = next;
                lx->end = r->end;
                if (rc) return rc;
            } else {
                lx->end = r->end;
                wjl_ws(lx);
                if (lx->p >= r->end) { r->state = ST_DONE; break; }
                if (*lx->p == '[') {
                    lx->p++;
                    r->state = ST_ARRAY_FIRST;
                    r->region_end = r->end;
                    r->after_region = NULL;
                    continue;
                }
                if ((rc = record(r, out, r->end, 0, &rows, &syntax, err))) return rc;
            }
            continue;
        }
        /* inside an array: '[' then ']' or an element; after an element ',' then an element, or ']' */
        const char *re = r->region_end;
        lx->end = re;
        wjl_ws(lx);
        if (lx->p < re && *lx->p == ']') {
            lx->p++;
            goto array_done;
        }
        if (r->state == ST_ARRAY_NEXT) {
            if (lx->p >= re || *lx->p != ',') {
                const char *rec = lx->p;
                char reason[400];
                snprintf(reason, sizeof reason, "malformed JSON: %s; the rest of the %s (%zu bytes) is one bad record",
                         lx->p >= re ? "unterminated array" : "',' or ']' expected", re == r->end ? "file" : "line",
                         (size_t)(re - rec));
                lx->p = re;
                rc = bad_record(r, out, wbatch_rows(out), rec, (size_t)(re - rec), rec, reason, &rows, err);
                if (rc) return rc;
                goto region_over;
            }
            lx->p++;
            wjl_ws(lx);
        }
        if (lx->p >= re) {
            rc = bad_record(r, out, wbatch_rows(out), lx->p, 0, lx->p,
                            r->state == ST_ARRAY_NEXT ? "malformed JSON: value expected after ','"
                                                      : "malformed JSON: unterminated array",
                            &rows, err);
            if (rc) return rc;
            goto region_over;
        }
        r->state = ST_ARRAY_NEXT;
        if ((rc = record(r, out, re, 1, &rows, &syntax, err))) return rc;
        if (syntax) goto region_over;
        continue;
    array_done:
        /* JSON Lines whose first line is an array: the array was taken for the whole file, but it
         * closed on line 1, so the lines after it are records */
        if (!r->after_region && r->lines == 0 && !r->multiline && !memchr(r->data, '\n', (size_t)(lx->p - r->data))) {
            const char *nl = memchr(lx->p, '\n', (size_t)(r->end - lx->p));
            if (nl) {
                r->after_region = nl + 1;
                r->lines = 1;
                re = nl;
                lx->end = re;
            }
        }
        /* a top-level array is its whole region (the file, or its line): only whitespace may follow */
        wjl_ws(lx);
        if (lx->p < re) {
            const char *rec = lx->p;
            lx->p = re;
            rc = bad_record(r, out, wbatch_rows(out), rec, (size_t)(re - rec), rec,
                            "malformed JSON: unexpected content after the top-level array", &rows, err);
            if (rc) return rc;
        }
    region_over:
        r->state = ST_TOP;
        if (r->after_region) {
            lx->p = r->after_region;
        } else if (lx->p >= r->end) {
            r->state = ST_DONE;
        }
        r->after_region = NULL;
        lx->end = r->end;
    }
    if (r->state == ST_DONE) *out_done = 1;
    return WEIR_OK;
}
