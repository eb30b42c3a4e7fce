/*
 * expr.c - evaluates bound expressions over a batch (see expr.h).
 *
 * Every node owns one scratch vector, reused from batch to batch. Kernels read their children's vectors
 * through a small tagged value (Val) and append results row by row; the resolver already made both sides
 * of every operator the same type, so a kernel switches on one type only.
 */
#include "exec/expr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/num.h"
#include "core/time.h"

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY INT64_C(86400000000)

static const WType SCALAR[] = {{WT_NULL, 0, NULL},   {WT_BOOLEAN, 0, NULL}, {WT_INT, 0, NULL},
                               {WT_BIGINT, 0, NULL}, {WT_DOUBLE, 0, NULL},  {WT_STRING, 0, NULL},
                               {WT_DATE, 0, NULL},   {WT_TIMESTAMP, 0, NULL}};

struct WExprCtx {
    const WBoundSelect *sel;
    WTz *tz;
    const WBatch *in;
    int64_t n;          /* rows of the current batch */
    int64_t now_us;
    int n_nodes;
    WVec *vecs;         /* per node id */
    uint8_t *inited;    /* vecs[i] initialized */
    const WVec **done;  /* per node id: result for this batch, or NULL */
    WTimeFmt **fmts;    /* per node id: to_timestamp patterns */
    WBuf tmp;
};

typedef struct Val {
    int null;
    int64_t i;   /* BOOLEAN, INT, BIGINT, DATE, TIMESTAMP */
    double d;
    const char *s;
    size_t n;
} Val;

static Val get(const WVec *v, WTypeId t, int64_t i) {
    Val x;
    memset(&x, 0, sizeof x);
    if (t == WT_NULL || wvec_is_null(v, i)) {
        x.null = 1;
        return x;
    }
    switch (t) {
    case WT_BOOLEAN: x.i = wvec_bool(v, i); break;
    case WT_INT: case WT_DATE: x.i = wvec_i32(v, i); break;
    case WT_BIGINT: case WT_TIMESTAMP: x.i = wvec_i64(v, i); break;
    case WT_DOUBLE: x.d = wvec_f64(v, i); break;
    case WT_STRING: x.s = wvec_str(v, i, &x.n); break;
    default: break;
    }
    return x;
}

static int put(WVec *v, WTypeId t, const Val *x) {
    if (x->null) return wvec_append_null(v);
    switch (t) {
    case WT_BOOLEAN: return wvec_append_bool(v, x->i != 0);
    case WT_INT: case WT_DATE: return wvec_append_i32(v, (int32_t)x->i);
    case WT_BIGINT: case WT_TIMESTAMP: return wvec_append_i64(v, x->i);
    case WT_DOUBLE: return wvec_append_f64(v, x->d);
    case WT_STRING: return wvec_append_str(v, x->s, x->n);
    default: return wvec_append_null(v);
    }
}

static int put_null(WVec *v) { return wvec_append_null(v); }
static int put_i(WVec *v, WTypeId t, int64_t i) {
    Val x = {0, i, 0, NULL, 0};
    return put(v, t, &x);
}
static int put_d(WVec *v, double d) { return wvec_append_f64(v, d); }

int wexpr_copy_value(WVec *dst, const WVec *src, int64_t i) {
    WTypeId t = dst->type->id;
    if (t == WT_STRUCT) {
        if (wvec_is_null(src, i)) return wvec_append_null(dst);
        int rc = wvec_append_struct(dst);
        for (int k = 0; k < dst->n_children && !rc; k++) rc = wexpr_copy_value(&dst->children[k], &src->children[k], i);
        return rc;
    }
    Val x = get(src, src->type->id, i);
    return put(dst, t, &x);
}

/* ---- context ---- */

int wexpr_open(const WBoundSelect *sel, const char *time_zone, WExprCtx **out, WErr *err) {
    *out = NULL;
    WExprCtx *c = calloc(1, sizeof *c);
    if (!c) return werr_msg(err, WEIR_NOMEM, "out of memory");
    c->sel = sel;
    c->n_nodes = sel->n_nodes;
    size_t nn = (size_t)(sel->n_nodes ? sel->n_nodes : 1);
    c->vecs = calloc(nn, sizeof *c->vecs);
    c->inited = calloc(nn, 1);
    c->done = calloc(nn, sizeof *c->done);
    c->fmts = calloc(nn, sizeof *c->fmts);
    wbuf_init(&c->tmp);
    if (!c->vecs || !c->inited || !c->done || !c->fmts) {
        wexpr_close(c);
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    if (time_zone && *time_zone && strcasecmp(time_zone, "UTC")) {
        int rc = wtz_open(time_zone, &c->tz, err);
        if (rc) {
            wexpr_close(c);
            return rc;
        }
    }
    *out = c;
    return WEIR_OK;
}

void wexpr_close(WExprCtx *c) {
    if (!c) return;
    for (int i = 0; i < c->n_nodes; i++) {
        if (c->vecs && c->inited && c->inited[i]) wvec_fini(&c->vecs[i]);
        if (c->fmts && c->fmts[i]) wtimefmt_free(c->fmts[i]);
    }
    free(c->vecs);
    free(c->inited);
    free(c->done);
    free(c->fmts);
    wbuf_fini(&c->tmp);
    wtz_free(c->tz);
    free(c);
}

void wexpr_begin(WExprCtx *c, const WBatch *in, int64_t now_us) {
    c->in = in;
    c->n = wbatch_rows(in);
    c->now_us = now_us;
    memset(c->done, 0, sizeof *c->done * (size_t)(c->n_nodes ? c->n_nodes : 1));
}

static WVec *scratch(WExprCtx *c, const WBound *e) {
    WVec *v = &c->vecs[e->id];
    if (!c->inited[e->id]) {
        wvec_init(v, &SCALAR[e->type <= WT_TIMESTAMP ? e->type : WT_NULL]);
        c->inited[e->id] = 1;
    } else {
        wvec_reset(v);
    }
    return v;
}

/* ---- time helpers ---- */

static int64_t floordiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

/* Time arithmetic saturates at the ends of the int64 range instead of overflowing (timestamps there are
 * hundreds of thousands of years away; Spark fails or wraps, weir keeps the extreme value). */
static int64_t sat_add(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return b < 0 ? INT64_MIN : INT64_MAX;
    return r;
}

static int64_t floormod(int64_t a, int64_t b) {
    int64_t m = a % b;
    return m < 0 ? m + b : m;
}

/* days * one day + tod, saturated */
static int64_t day_us(int64_t days, int64_t tod) {
    int64_t r;
    if (__builtin_mul_overflow(days, US_PER_DAY, &r)) return days < 0 ? INT64_MIN : INT64_MAX;
    return sat_add(r, tod);
}

static int64_t local_us(const WExprCtx *c, int64_t us) {
    if (!c->tz) return us;
    return sat_add(us, (int64_t)wtz_offset_at_utc(c->tz, us) * US_PER_SEC);
}

static int64_t to_utc(const WExprCtx *c, int64_t local) { return c->tz ? wtz_local_to_utc(c->tz, local) : local; }

static int days_in_month(int64_t y, unsigned m) {
    static const int D[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return D[m - 1];
}

/* Spark's text of a timestamp: yyyy-MM-dd HH:mm:ss[.ffffff without trailing zeros], session zone. */
static int format_ts(const WExprCtx *c, int64_t us, char *buf) {
    int64_t l = local_us(c, us);
    int64_t days = floordiv(l, US_PER_DAY);
    int64_t rem = floormod(l, US_PER_DAY);
    int n;
    if (days >= INT32_MIN && days <= INT32_MAX) {
        n = wtime_format_date((int32_t)days, buf);
    } else {
        int64_t y;
        unsigned m, d;
        wtime_civil_from_days(days, &y, &m, &d);
        n = snprintf(buf, 40, "%lld-%02u-%02u", (long long)y, m, d);
    }
    int64_t secs = rem / US_PER_SEC, frac = rem % US_PER_SEC;
    n += snprintf(buf + n, 24, " %02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    if (frac) {
        char f[8];
        snprintf(f, sizeof f, "%06d", (int)frac);
        int fl = 6;
        while (fl > 0 && f[fl - 1] == '0') fl--;
        buf[n++] = '.';
        memcpy(buf + n, f, (size_t)fl);
        n += fl;
    }
    buf[n] = 0;
    return n;
}

/* ---- number text ---- */

/* Shortest digits of x: digits (no leading zeros unless x == 0), and point = position of the decimal
 * point counted from the first digit (value = 0.digits * 10^point). */
static int shortest_digits(double x, char *digits, int *point) {
    char t[WNUM_DOUBLE_MAX];
    wnum_format_double(fabs(x), t);
    int nd = 0, pt = 0, seen_point = 0, exp = 0;
    const char *p = t;
    for (; *p && *p != 'e'; p++) {
        if (*p == '.') {
            seen_point = 1;
            continue;
        }
        if (*p < '0' || *p > '9') continue;
        if (nd == 0 && *p == '0') {
            if (seen_point) pt--;
            continue;
        }
        digits[nd++] = *p;
        if (!seen_point) pt++;
    }
    if (*p == 'e') exp = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    if (nd == 0) {
        digits[nd++] = '0';
        pt = 1;
    } else {
        pt += exp;
    }
    digits[nd] = 0;
    *point = pt;
    return nd;
}

int wexpr_format_double(double x, char *buf) {
    if (isnan(x)) return (int)(strcpy(buf, "NaN"), 3);
    if (isinf(x)) return x > 0 ? (int)(strcpy(buf, "Infinity"), 8) : (int)(strcpy(buf, "-Infinity"), 9);
    char d[32];
    int pt;
    int nd = shortest_digits(x, d, &pt);
    int n = 0;
    if (signbit(x)) buf[n++] = '-';
    double ax = fabs(x);
    if (ax == 0 || (ax >= 1e-3 && ax < 1e7)) {
        if (pt <= 0) {
            buf[n++] = '0';
            buf[n++] = '.';
            for (int i = 0; i < -pt; i++) buf[n++] = '0';
            for (int i = 0; i < nd; i++) buf[n++] = d[i];
        } else {
            for (int i = 0; i < pt; i++) buf[n++] = i < nd ? d[i] : '0';
            buf[n++] = '.';
            if (nd > pt)
                for (int i = pt; i < nd; i++) buf[n++] = d[i];
            else
                buf[n++] = '0';
        }
    } else {
        buf[n++] = d[0];
        buf[n++] = '.';
        if (nd > 1)
            for (int i = 1; i < nd; i++) buf[n++] = d[i];
        else
            buf[n++] = '0';
        n += snprintf(buf + n, 8, "E%d", pt - 1);
    }
    buf[n] = 0;
    return n;
}

/* round(x, scale) as Spark: BigDecimal(Double.toString(x)).setScale(scale, HALF_UP).toDouble */
static double round_half_up(double x, int scale) {
    if (isnan(x) || isinf(x)) return x;
    if (x == 0) return 0.0;
    char d[40];
    int pt;
    int nd = shortest_digits(x, d, &pt);
    int keep = pt + scale; /* digits kept */
    if (keep >= nd) return x;
    if (keep < 0) return 0.0;
    int up = d[keep] >= '5';
    char r[48];
    int rn = 0;
    r[rn++] = '0'; /* room for a carry */
    for (int i = 0; i < keep; i++) r[rn++] = d[i];
    if (up) {
        int i = rn - 1;
        while (i >= 0 && r[i] == '9') r[i--] = '0';
        if (i >= 0) r[i]++;
    }
    int nonzero = 0;
    for (int i = 0; i < rn; i++) nonzero |= r[i] != '0';
    if (!nonzero) return 0.0;
    char txt[80];
    int tn = snprintf(txt, sizeof txt, "%s%.*se%d", x < 0 ? "-" : "", rn, r, -scale);
    double out;
    if (wnum_parse_double(txt, (size_t)tn, &out)) return x;
    return out;
}

static int64_t round_int(int64_t x, int scale, int bits) {
    if (scale >= 0) return x;
    int p = -scale;
    if (p > 18) return 0;
    int64_t f = 1;
    for (int i = 0; i < p; i++) f *= 10;
    int64_t q = x / f, r = x % f;
    if (r >= (f + 1) / 2 && r * 2 >= f) q++;
    else if (r < 0 && -r * 2 >= f) q--;
    uint64_t v = (uint64_t)q * (uint64_t)f;
    return bits == 32 ? (int64_t)(int32_t)(uint32_t)v : (int64_t)v;
}

/* ---- string casts ---- */

static int is_ws(unsigned char ch) { return ch <= ' '; }

static void trim_ws(const char **s, size_t *n) {
    while (*n && is_ws((unsigned char)(*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_ws((unsigned char)(*s)[*n - 1])) (*n)--;
}

/* Spark's UTF8String.toLong/toInt: sign, digits, an optional '.' followed by digits (dropped). */
static int str_to_int(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out) {
    trim_ws(&s, &n);
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i >= n) return -1;
    uint64_t v = 0, lim = neg ? (uint64_t)(-(lo + 1)) + 1 : (uint64_t)hi;
    int digits = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > lim) return -1;
        digits++;
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n; i++)
            if (s[i] < '0' || s[i] > '9') return -1;
    }
    if (i != n || !digits) return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int str_to_double(const char *s, size_t n, double *out) {
    trim_ws(&s, &n);
    if (n > 1 && strchr("dDfF", s[n - 1]) && ((s[n - 2] >= '0' && s[n - 2] <= '9') || s[n - 2] == '.')) n--;
    if (!n) return -1;
    return wnum_parse_double(s, n, out) ? -1 : 0;
}

static int str_to_bool(const char *s, size_t n, int *out) {
    trim_ws(&s, &n);
    static const char *const T[] = {"t", "true", "y", "yes", "1"}, *const F[] = {"f", "false", "n", "no", "0"};
    for (int i = 0; i < 5; i++) {
        if (strlen(T[i]) == n && !strncasecmp(T[i], s, n)) return *out = 1, 0;
        if (strlen(F[i]) == n && !strncasecmp(F[i], s, n)) return *out = 0, 0;
    }
    return -1;
}

static int64_t sat_double_to_i64(double d, int64_t lo, int64_t hi) {
    if (isnan(d)) return 0;
    if (d >= (double)hi) return hi;
    if (d <= (double)lo) return lo;
    return (int64_t)d;
}

static int64_t sat_mul(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
    return r;
}

/* CAST of one value; strings the result points to live in c->tmp until the next cast. */
static void cast_val(WExprCtx *c, WTypeId from, WTypeId to, Val *x) {
    if (x->null || from == to) return;
    char buf[64];
    switch (to) {
    case WT_STRING: {
        int n = 0;
        switch (from) {
        case WT_BOOLEAN: n = (int)strlen(strcpy(buf, x->i ? "true" : "false")); break;
        case WT_INT: case WT_BIGINT: n = wnum_format_i64(x->i, buf); break;
        case WT_DOUBLE: n = wexpr_format_double(x->d, buf); break;
        case WT_DATE: n = wtime_format_date((int32_t)x->i, buf); break;
        case WT_TIMESTAMP: n = format_ts(c, x->i, buf); break;
        default: x->null = 1; return;
        }
        wbuf_reset(&c->tmp);
        wbuf_append(&c->tmp, buf, (size_t)n);
        x->s = c->tmp.data;
        x->n = (size_t)n;
        return;
    }
    case WT_BOOLEAN:
        switch (from) {
        case WT_STRING: {
            int b;
            if (str_to_bool(x->s, x->n, &b)) x->null = 1;
            else x->i = b;
            return;
        }
        case WT_DOUBLE: x->i = x->d != 0; return;
        default: x->i = x->i != 0; return;
        }
    case WT_INT:
    case WT_BIGINT: {
        int64_t lo = to == WT_INT ? INT32_MIN : INT64_MIN, hi = to == WT_INT ? INT32_MAX : INT64_MAX;
        switch (from) {
        case WT_STRING: {
            int64_t v;
            if (str_to_int(x->s, x->n, lo, hi, &v)) x->null = 1;
            else x->i = v;
            return;
        }
        case WT_DOUBLE: x->i = sat_double_to_i64(x->d, lo, hi); return;
        case WT_TIMESTAMP: x->i = floordiv(x->i, US_PER_SEC); break;
        default: break;
        }
        if (to == WT_INT) x->i = (int32_t)(uint32_t)(uint64_t)x->i;
        return;
    }
    case WT_DOUBLE:
        switch (from) {
        case WT_STRING:
            if (str_to_double(x->s, x->n, &x->d)) x->null = 1;
            return;
        case WT_TIMESTAMP: x->d = (double)x->i / 1e6; return;
        default: x->d = (double)x->i; return;
        }
    case WT_DATE:
        switch (from) {
        case WT_STRING: {
            int32_t d;
            if (wtime_parse_date(x->s, x->n, &d)) x->null = 1;
            else x->i = d;
            return;
        }
        case WT_TIMESTAMP: x->i = floordiv(local_us(c, x->i), US_PER_DAY); return;
        default: x->null = 1; return;
        }
    case WT_TIMESTAMP:
        switch (from) {
        case WT_STRING: {
            int64_t us;
            if (wtime_parse_timestamp(x->s, x->n, c->tz, &us)) x->null = 1;
            else x->i = us;
            return;
        }
        case WT_DATE: x->i = to_utc(c, day_us(x->i, 0)); return;
        case WT_DOUBLE:
            if (isnan(x->d) || isinf(x->d)) x->null = 1;
            else x->i = sat_double_to_i64(x->d * 1e6, INT64_MIN, INT64_MAX);
            return;
        case WT_BOOLEAN: x->i = x->i ? 1 : 0; return;
        default: x->i = sat_mul(x->i, US_PER_SEC); return;
        }
    default: x->null = 1; return;
    }
}

/* ---- comparison ---- */

static int cmp_val(WTypeId t, const Val *a, const Val *b) {
    switch (t) {
    case WT_DOUBLE: {
        /* Spark: NaN equals NaN and is larger than any other value; -0.0 equals 0.0 */
        int an = isnan(a->d), bn = isnan(b->d);
        if (an || bn) return an - bn;
        return a->d < b->d ? -1 : a->d > b->d;
    }
    case WT_STRING: {
        size_t m = a->n < b->n ? a->n : b->n;
        int r = m ? memcmp(a->s, b->s, m) : 0;
        if (r) return r < 0 ? -1 : 1;
        return a->n < b->n ? -1 : a->n > b->n;
    }
    default: return a->i < b->i ? -1 : a->i > b->i;
    }
}

/* ---- strings ---- */

static size_t u8len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

static int64_t num_chars(const char *s, size_t n) {
    int64_t k = 0;
    for (size_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* Byte offset of character index ci (clamped to n). */
static size_t char_off(const char *s, size_t n, int64_t ci) {
    size_t i = 0;
    while (i < n && ci > 0) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
        ci--;
    }
    return i;
}

static unsigned decode(const char *s, size_t n, size_t *len) {
    unsigned char c = (unsigned char)s[0];
    size_t l = u8len(c);
    if (l > n) l = 1;
    for (size_t k = 1; k < l; k++)
        if (((unsigned char)s[k] & 0xC0) != 0x80) l = 1;
    *len = l;
    if (l == 1) return c;
    unsigned cp = c & (0x7F >> l);
    for (size_t k = 1; k < l; k++) cp = (cp << 6) | ((unsigned char)s[k] & 0x3F);
    return cp;
}

static int encode(unsigned cp, char *o) {
    if (cp < 0x80) return o[0] = (char)cp, 1;
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Simple (one to one) case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic. */
static unsigned map_case(unsigned cp, int upper) {
    if (cp < 0x80) {
        if (upper && cp >= 'a' && cp <= 'z') return cp - 32;
        if (!upper && cp >= 'A' && cp <= 'Z') return cp + 32;
        return cp;
    }
    if (upper) {
        if ((cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) || (cp >= 0x3B1 && cp <= 0x3C9 && cp != 0x3C2) ||
            (cp >= 0x430 && cp <= 0x44F))
            return cp - 32;
        if (cp == 0xFF) return 0x178;
        if (cp == 0x3C2) return 0x3A3;
        if (cp >= 0x450 && cp <= 0x45F) return cp - 80;
        if (cp >= 0x100 && cp <= 0x17F && cp != 0x131 && cp != 0x138 && cp != 0x149 && cp != 0x17F) {
            int odd_lower = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
            if (odd_lower ? (cp & 1) == 0 : (cp & 1) == 1) return cp - 1;
        }
        return cp;
    }
    if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) ||
        (cp >= 0x410 && cp <= 0x42F))
        return cp + 32;
    if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
    if (cp == 0x178) return 0xFF;
    if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x138 && cp != 0x149 && cp != 0x17F) {
        int odd_lower = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
        if (odd_lower ? (cp & 1) == 1 : (cp & 1) == 0) return cp + 1;
    }
    return cp;
}

/* A letter of the scripts map_case knows (enough to find the end of a Greek word). */
static int is_letter(unsigned cp) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 &&
           cp != 0xF7) || (cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x400 && cp <= 0x4FF);
}

static int put_case(WExprCtx *c, WVec *v, const Val *x, int upper) {
    wbuf_reset(&c->tmp);
    if (wbuf_reserve(&c->tmp, x->n + 8)) return WEIR_NOMEM;
    size_t a = 0;
    while (a < x->n && (unsigned char)x->s[a] < 0x80) a++;
    if (a == x->n) { /* ASCII only */
        for (size_t i = 0; i < x->n; i++) {
            char ch = x->s[i];
            if (upper && ch >= 'a' && ch <= 'z') ch = (char)(ch - 32);
            else if (!upper && ch >= 'A' && ch <= 'Z') ch = (char)(ch + 32);
            c->tmp.data[i] = ch;
        }
        return wvec_append_str(v, c->tmp.data, x->n);
    }
    int prev_letter = 0;
    for (size_t i = 0; i < x->n;) {
        size_t l;
        unsigned cp = decode(x->s + i, x->n - i, &l);
        char o[4];
        int on;
        int letter = is_letter(cp);
        if (!upper && cp == 0x3A3 && prev_letter) {
            /* Java's final sigma: capital sigma ending a word lower-cases to the final form */
            size_t nl;
            unsigned next = i + l < x->n ? decode(x->s + i + l, x->n - i - l, &nl) : 0;
            on = encode(is_letter(next) ? 0x3C3 : 0x3C2, o);
        } else if (upper && cp == 0xDF) { /* Java upper-cases sharp s to "SS" */
            o[0] = o[1] = 'S';
            on = 2;
        } else if (l == 1 && cp >= 0x80) { /* a stray byte: keep it */
            o[0] = x->s[i];
            on = 1;
        } else {
            on = encode(map_case(cp, upper), o);
        }
        if (wbuf_append(&c->tmp, o, (size_t)on)) return WEIR_NOMEM;
        i += l;
        prev_letter = letter;
    }
    return wvec_append_str(v, c->tmp.data ? c->tmp.data : "", c->tmp.len);
}

/* SQL LIKE: % any run, _ one character, esc makes the next character literal. */
static int like(const char *s, size_t sn, const char *p, size_t pn, char esc) {
    size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '%') {
            star_p = ++pi;
            star_s = si;
            continue;
        }
        if (pi < pn) {
            if (p[pi] == '_') {
                si += u8len((unsigned char)s[si]);
                if (si > sn) si = sn;
                pi++;
                continue;
            }
            size_t lit = pi;
            if (p[pi] == esc && pi + 1 < pn) lit = pi + 1;
            if (p[lit] == s[si]) {
                si++;
                pi = lit + 1;
                continue;
            }
        }
        if (star_p == (size_t)-1) return 0;
        pi = star_p;
        star_s += u8len((unsigned char)s[star_s]);
        if (star_s > sn) return 0;
        si = star_s;
    }
    while (pi < pn && p[pi] == '%') pi++;
    return pi == pn;
}

/* ---- the evaluator ---- */

static int eval(WExprCtx *c, const WBound *e, const WVec **out, WErr *err);

/* A literal's vector is filled once and only grows: readers look at rows below the batch's count only. */
static int fill_lit(WExprCtx *c, const WBound *e, WVec *v) {
    Val x = {e->is_null, e->ival, e->dval, e->sval, e->slen};
    if (v->len >= c->n) return WEIR_OK;
    if (wvec_reserve(v, c->n - v->len)) return WEIR_NOMEM;
    while (v->len < c->n)
        if (put(v, e->type, &x)) return WEIR_NOMEM;
    return WEIR_OK;
}

static inline void set_bit(uint8_t *bm, int64_t i) { bm[i >> 3] |= (uint8_t)(1u << (i & 7)); }

/* Typed loops for the common cases (numbers, no per-row type switch); 0 when the case is not one. */
static int fast_arith(const WBound *e, WVec *v, const WVec *a, const WVec *b, int64_t n, int *done) {
    WTypeId t = e->kids[0]->type;
    *done = 0;
    if (e->fn == WF_MOD || e->fn == WF_INTDIV || (t != WT_INT && t != WT_BIGINT && t != WT_DOUBLE)) return WEIR_OK;
    if (e->fn == WF_DIV && t != WT_DOUBLE) return WEIR_OK;
    if (wvec_reserve(v, n)) return WEIR_NOMEM;
    int64_t nulls = 0;
    for (int64_t i = 0; i < n; i++) {
        if (wvec_is_null(a, i) || wvec_is_null(b, i)) {
            nulls++;
            if (t == WT_INT) ((int32_t *)v->values)[i] = 0;
            else if (t == WT_BIGINT) ((int64_t *)v->values)[i] = 0;
            else ((double *)v->values)[i] = 0;
            continue;
        }
        if (t == WT_DOUBLE) {
            double x = wvec_f64(a, i), y = wvec_f64(b, i), r;
            switch (e->fn) {
            case WF_ADD: r = x + y; break;
            case WF_SUB: r = x - y; break;
            case WF_MUL: r = x * y; break;
            default:
                if (y == 0) {
                    nulls++;
                    ((double *)v->values)[i] = 0;
                    continue;
                }
                r = x / y;
                break;
            }
            ((double *)v->values)[i] = r;
        } else {
            uint64_t x = t == WT_INT ? (uint64_t)(int64_t)wvec_i32(a, i) : (uint64_t)wvec_i64(a, i);
            uint64_t y = t == WT_INT ? (uint64_t)(int64_t)wvec_i32(b, i) : (uint64_t)wvec_i64(b, i);
            uint64_t r = e->fn == WF_ADD ? x + y : e->fn == WF_SUB ? x - y : x * y;
            if (t == WT_INT) ((int32_t *)v->values)[i] = (int32_t)(uint32_t)r;
            else ((int64_t *)v->values)[i] = (int64_t)r;
        }
        set_bit(v->validity, i);
    }
    v->len = n;
    v->null_count = nulls;
    *done = 1;
    return WEIR_OK;
}

static int fast_compare(const WBound *e, WVec *v, const WVec *a, const WVec *b, int64_t n, int *done) {
    WTypeId t = e->kids[0]->type;
    *done = 0;
    if (e->fn == WF_NSEQ || (t != WT_INT && t != WT_DATE && t != WT_BIGINT && t != WT_TIMESTAMP && t != WT_DOUBLE))
        return WEIR_OK;
    if (wvec_reserve(v, n)) return WEIR_NOMEM;
    int64_t nulls = 0;
    int wide = t == WT_BIGINT || t == WT_TIMESTAMP;
    if (t == WT_DOUBLE) {
        for (int64_t i = 0; i < n; i++) {
            if (wvec_is_null(a, i) || wvec_is_null(b, i)) {
                nulls++;
                continue;
            }
            double x = wvec_f64(a, i), y = wvec_f64(b, i);
            /* Spark: NaN = NaN, and NaN above every other value */
            int an = x != x, bn = y != y;
            int c = (an || bn) ? an - bn : (x < y ? -1 : x > y);
            int r;
            switch (e->fn) {
            case WF_EQ: r = c == 0; break;
            case WF_LT: r = c < 0; break;
            case WF_LE: r = c <= 0; break;
            case WF_GT: r = c > 0; break;
            default: r = c >= 0; break;
            }
            if (r) set_bit(v->values, i);
            set_bit(v->validity, i);
        }
        v->len = n;
        v->null_count = nulls;
        *done = 1;
        return WEIR_OK;
    }
    for (int64_t i = 0; i < n; i++) {
        if (wvec_is_null(a, i) || wvec_is_null(b, i)) {
            nulls++;
            continue;
        }
        int64_t x = wide ? wvec_i64(a, i) : wvec_i32(a, i), y = wide ? wvec_i64(b, i) : wvec_i32(b, i);
        int r;
        switch (e->fn) {
        case WF_EQ: r = x == y; break;
        case WF_LT: r = x < y; break;
        case WF_LE: r = x <= y; break;
        case WF_GT: r = x > y; break;
        default: r = x >= y; break;
        }
        if (r) set_bit(v->values, i);
        set_bit(v->validity, i);
    }
    v->len = n;
    v->null_count = nulls;
    *done = 1;
    return WEIR_OK;
}

static int arith(const WBound *e, WVec *v, const WVec *a, const WVec *b, int64_t n) {
    WTypeId t = e->kids[0]->type;
    for (int64_t i = 0; i < n; i++) {
        Val x = get(a, t, i), y = get(b, t, i);
        if (x.null || y.null) {
            if (put_null(v)) return WEIR_NOMEM;
            continue;
        }
        int rc;
        if (t == WT_DOUBLE) {
            double r;
            switch (e->fn) {
            case WF_ADD: r = x.d + y.d; break;
            case WF_SUB: r = x.d - y.d; break;
            case WF_MUL: r = x.d * y.d; break;
            case WF_DIV:
                if (y.d == 0) {
                    rc = put_null(v);
                    goto next;
                }
                r = x.d / y.d;
                break;
            default: /* MOD */
                if (y.d == 0) {
                    rc = put_null(v);
                    goto next;
                }
                r = fmod(x.d, y.d);
                break;
            }
            rc = put_d(v, r);
        } else if (e->fn == WF_INTDIV) {
            if (y.i == 0) rc = put_null(v);
            else if (y.i == -1) rc = put_i(v, WT_BIGINT, (int64_t)(0 - (uint64_t)x.i));
            else rc = put_i(v, WT_BIGINT, x.i / y.i);
        } else {
            uint64_t ux = (uint64_t)x.i, uy = (uint64_t)y.i, r;
            switch (e->fn) {
            case WF_ADD: r = ux + uy; break;
            case WF_SUB: r = ux - uy; break;
            case WF_MUL: r = ux * uy; break;
            default: /* MOD: sign of the dividend, as Java */
                if (y.i == 0) {
                    rc = put_null(v);
                    goto next;
                }
                r = y.i == -1 ? 0 : (uint64_t)(x.i % y.i);
                break;
            }
            rc = put_i(v, t, t == WT_INT ? (int64_t)(int32_t)(uint32_t)r : (int64_t)r);
        }
    next:
        if (rc) return rc;
    }
    return WEIR_OK;
}

static int ts_add_months(const WExprCtx *c, int64_t us, int32_t months, int64_t *out) {
    int64_t l = local_us(c, us);
    int64_t days = floordiv(l, US_PER_DAY), tod = floormod(l, US_PER_DAY);
    int64_t y;
    unsigned m, d;
    wtime_civil_from_days(days, &y, &m, &d);
    int64_t mi = y * 12 + (m - 1) + months;
    y = floordiv(mi, 12);
    m = (unsigned)(mi - y * 12) + 1;
    int dim = days_in_month(y, m);
    if ((int)d > dim) d = (unsigned)dim;
    *out = to_utc(c, day_us(wtime_days_from_civil(y, m, d), tod));
    return 0;
}

static int64_t trunc_ts(const WExprCtx *c, int64_t us, int unit) {
    switch (unit) {
    case WTRUNC_MICROSECOND: return us;
    case WTRUNC_MILLISECOND: return sat_add(us, -floormod(us, 1000));
    case WTRUNC_SECOND: return sat_add(us, -floormod(us, US_PER_SEC));
    default: break;
    }
    int64_t l = local_us(c, us);
    int64_t days = floordiv(l, US_PER_DAY), tod = floormod(l, US_PER_DAY);
    if (unit == WTRUNC_MINUTE) return to_utc(c, day_us(days, tod / 60000000 * 60000000));
    if (unit == WTRUNC_HOUR) return to_utc(c, day_us(days, tod / 3600000000LL * 3600000000LL));
    int64_t y;
    unsigned m, d;
    wtime_civil_from_days(days, &y, &m, &d);
    switch (unit) {
    case WTRUNC_DAY: break;
    case WTRUNC_WEEK: days -= (days + 3) - floordiv(days + 3, 7) * 7; break; /* back to Monday */
    case WTRUNC_MONTH: days = wtime_days_from_civil(y, m, 1); break;
    case WTRUNC_QUARTER: days = wtime_days_from_civil(y, (m - 1) / 3 * 3 + 1, 1); break;
    default: days = wtime_days_from_civil(y, 1, 1); break;
    }
    return to_utc(c, day_us(days, 0));
}

static int time_part(const WExprCtx *c, WFn fn, WTypeId t, int64_t x) {
    int64_t days, tod = 0;
    if (t == WT_DATE) days = x;
    else {
        int64_t l = local_us(c, x);
        days = floordiv(l, US_PER_DAY);
        tod = floormod(l, US_PER_DAY);
    }
    int64_t y;
    unsigned m, d;
    switch (fn) {
    case WF_HOUR: return (int)(tod / 3600000000LL);
    case WF_MINUTE: return (int)(tod / 60000000 % 60);
    case WF_SECOND: return (int)(tod / 1000000 % 60);
    default: break;
    }
    wtime_civil_from_days(days, &y, &m, &d);
    if (fn == WF_YEAR) return (int)y;
    if (fn == WF_MONTH) return (int)m;
    return (int)d;
}

static int eval_node(WExprCtx *c, const WBound *e, WVec *v, WErr *err) {
    int64_t n = c->n;
    const WVec *k[4] = {0};
    int rc;
    /* CASE, COALESCE and concat take any number of children: evaluate them where used */
    if (e->fn != WF_CASE && e->fn != WF_COALESCE && e->fn != WF_CONCAT)
        for (int i = 0; i < e->n_kids && i < 4; i++)
            if ((rc = eval(c, e->kids[i], &k[i], err))) return rc;
    if (wvec_reserve(v, n)) return WEIR_NOMEM;
    WTypeId t0 = e->n_kids ? e->kids[0]->type : WT_NULL;
    switch (e->fn) {
    case WF_LIT: return fill_lit(c, e, v);
    case WF_CAST:
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], t0, i);
            cast_val(c, t0, e->type, &x);
            if (put(v, e->type, &x)) return WEIR_NOMEM;
        }
        return WEIR_OK;
    case WF_ADD: case WF_SUB: case WF_MUL: case WF_DIV: case WF_MOD: case WF_INTDIV: {
        int done;
        if ((rc = fast_arith(e, v, k[0], k[1], n, &done)) || done) return rc;
        return arith(e, v, k[0], k[1], n);
    }
    case WF_NEG: case WF_ABS: case WF_BITNOT:
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], t0, i);
            if (!x.null) {
                if (t0 == WT_DOUBLE) x.d = e->fn == WF_NEG ? -x.d : fabs(x.d);
                else {
                    uint64_t u = (uint64_t)x.i;
                    if (e->fn == WF_NEG || (e->fn == WF_ABS && x.i < 0)) u = 0 - u;
                    if (e->fn == WF_BITNOT) u = ~u;
                    x.i = t0 == WT_INT ? (int64_t)(int32_t)(uint32_t)u : (int64_t)u;
                }
            }
            if (put(v, e->type, &x)) return WEIR_NOMEM;
        }
        return WEIR_OK;
    case WF_EQ: case WF_NSEQ: case WF_LT: case WF_LE: case WF_GT: case WF_GE: {
        int done;
        if ((rc = fast_compare(e, v, k[0], k[1], n, &done)) || done) return rc;
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], t0, i), y = get(k[1], t0, i);
            if (x.null || y.null) {
                rc = e->fn == WF_NSEQ ? wvec_append_bool(v, x.null && y.null) : put_null(v);
            } else {
                int r = cmp_val(t0, &x, &y), b;
                switch (e->fn) {
                case WF_EQ: case WF_NSEQ: b = r == 0; break;
                case WF_LT: b = r < 0; break;
                case WF_LE: b = r <= 0; break;
                case WF_GT: b = r > 0; break;
                default: b = r >= 0; break;
                }
                rc = wvec_append_bool(v, b);
            }
            if (rc) return WEIR_NOMEM;
        }
        return WEIR_OK;
    }
    case WF_AND: case WF_OR: {
        /* whole bytes of the bitmaps at once: T = rows known true, F = rows known false, the rest NULL */
        const uint8_t *va = k[0]->validity, *xa = k[0]->values, *vb = k[1]->validity, *xb = k[1]->values;
        if (t0 == WT_BOOLEAN && e->kids[1]->type == WT_BOOLEAN && n > 0) {
            uint8_t *vv = v->validity, *xv = v->values;
            int64_t bytes = (n + 7) / 8, valid = 0;
            for (int64_t j = 0; j < bytes; j++) {
                uint8_t ta = va[j] & xa[j], fa = va[j] & (uint8_t)~xa[j];
                uint8_t tb = vb[j] & xb[j], fb = vb[j] & (uint8_t)~xb[j];
                uint8_t t, f;
                if (e->fn == WF_AND) {
                    t = ta & tb;
                    f = fa | fb;
                } else {
                    t = ta | tb;
                    f = fa & fb;
                }
                uint8_t m = (j == bytes - 1 && (n & 7)) ? (uint8_t)((1u << (n & 7)) - 1) : 0xFF;
                vv[j] = (t | f) & m;
                xv[j] = t & m;
                valid += __builtin_popcount(vv[j]);
            }
            v->len = n;
            v->null_count = n - valid;
            return WEIR_OK;
        }
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], WT_BOOLEAN, i), y = get(k[1], WT_BOOLEAN, i);
            int dom = e->fn == WF_OR; /* the value that decides alone */
            if ((!x.null && x.i == dom) || (!y.null && y.i == dom)) rc = wvec_append_bool(v, dom);
            else if (x.null || y.null) rc = put_null(v);
            else rc = wvec_append_bool(v, !dom);
            if (rc) return WEIR_NOMEM;
        }
        return WEIR_OK;
    }
    case WF_NOT:
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], WT_BOOLEAN, i);
            if ((x.null ? put_null(v) : wvec_append_bool(v, !x.i))) return WEIR_NOMEM;
        }
        return WEIR_OK;
    case WF_ISNULL: case WF_ISNOTNULL:
        for (int64_t i = 0; i < n; i++) {
            int isn = t0 == WT_NULL || wvec_is_null(k[0], i);
            if (wvec_append_bool(v, e->fn == WF_ISNULL ? isn : !isn)) return WEIR_NOMEM;
        }
        return WEIR_OK;
    case WF_LIKE: {
        /* a constant pattern that is only text between optional leading and trailing '%': no matcher needed */
        const WBound *pk = e->kids[1];
        if (pk->fn == WF_LIT && !pk->is_null && pk->sval) {
            const char *pt = pk->sval;
            size_t pn = pk->slen;
            int lead = pn > 0 && pt[0] == '%';
            int trail = pn > (size_t)lead && pt[pn - 1] == '%';
            const char *lit = pt + lead;
            size_t ln = pn - (size_t)lead - (size_t)trail;
            int simple = 1;
            for (size_t j = 0; j < ln; j++)
                if (lit[j] == '%' || lit[j] == '_' || lit[j] == e->escape) simple = 0;
            if (simple) {
                for (int64_t i = 0; i < n; i++) {
                    if (wvec_is_null(k[0], i)) {
                        if (put_null(v)) return WEIR_NOMEM;
                        continue;
                    }
                    size_t sn;
                    const char *sv = wvec_str(k[0], i, &sn);
                    int m;
                    if (lead && trail) m = ln == 0 || (sn >= ln && memmem(sv, sn, lit, ln) != NULL);
                    else if (lead) m = sn >= ln && !memcmp(sv + sn - ln, lit, ln);
                    else if (trail) m = sn >= ln && !memcmp(sv, lit, ln);
                    else m = sn == ln && !memcmp(sv, lit, ln);
                    if (wvec_append_bool(v, m)) return WEIR_NOMEM;
                }
                return WEIR_OK;
            }
        }
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], WT_STRING, i), p = get(k[1], WT_STRING, i);
            if ((x.null || p.null) ? put_null(v) : wvec_append_bool(v, like(x.s, x.n, p.s, p.n, e->escape)))
                return WEIR_NOMEM;
        }
        return WEIR_OK;
    }
    case WF_CASE: {
        int pairs = (e->n_kids - e->has_else) / 2;
        const WVec **kv = calloc((size_t)e->n_kids, sizeof *kv);
        if (!kv) return WEIR_NOMEM;
        rc = WEIR_OK;
        for (int j = 0; j < e->n_kids && !rc; j++) rc = eval(c, e->kids[j], &kv[j], err);
        for (int64_t i = 0; i < n && !rc; i++) {
            int j;
            for (j = 0; j < pairs; j++) {
                Val w = get(kv[2 * j], WT_BOOLEAN, i);
                if (!w.null && w.i) break;
            }
            if (j < pairs) {
                Val x = get(kv[2 * j + 1], e->kids[2 * j + 1]->type, i);
                rc = put(v, e->type, &x);
            } else if (e->has_else) {
                Val x = get(kv[e->n_kids - 1], e->kids[e->n_kids - 1]->type, i);
                rc = put(v, e->type, &x);
            } else {
                rc = put_null(v);
            }
        }
        free(kv);
        return rc;
    }
    case WF_COALESCE:
    case WF_CONCAT: {
        const WVec **kv = calloc((size_t)(e->n_kids ? e->n_kids : 1), sizeof *kv);
        if (!kv) return WEIR_NOMEM;
        rc = WEIR_OK;
        for (int j = 0; j < e->n_kids && !rc; j++) rc = eval(c, e->kids[j], &kv[j], err);
        for (int64_t i = 0; i < n && !rc; i++) {
            if (e->fn == WF_COALESCE) {
                Val x = {1, 0, 0, NULL, 0};
                for (int j = 0; j < e->n_kids && x.null; j++) x = get(kv[j], e->kids[j]->type, i);
                rc = put(v, e->type, &x);
                continue;
            }
            wbuf_reset(&c->tmp);
            int null = 0;
            for (int j = 0; j < e->n_kids && !null && !rc; j++) {
                Val x = get(kv[j], WT_STRING, i);
                if (x.null) null = 1;
                else rc = wbuf_append(&c->tmp, x.s, x.n);
            }
            if (!rc) rc = null ? put_null(v) : wvec_append_str(v, c->tmp.data ? c->tmp.data : "", c->tmp.len);
        }
        free(kv);
        return rc;
    }
    case WF_LOWER: case WF_UPPER:
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], WT_STRING, i);
            if ((x.null ? put_null(v) : put_case(c, v, &x, e->fn == WF_UPPER))) return WEIR_NOMEM;
        }
        return WEIR_OK;
    case WF_LENGTH:
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], WT_STRING, i);
            if ((x.null ? put_null(v) : wvec_append_i32(v, (int32_t)num_chars(x.s, x.n)))) return WEIR_NOMEM;
        }
        return WEIR_OK;
    case WF_TRIM: case WF_LTRIM: case WF_RTRIM:
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], WT_STRING, i);
            if (!x.null) {
                if (e->fn != WF_RTRIM)
                    while (x.n && x.s[0] == ' ') x.s++, x.n--;
                if (e->fn != WF_LTRIM)
                    while (x.n && x.s[x.n - 1] == ' ') x.n--;
            }
            if (put(v, WT_STRING, &x)) return WEIR_NOMEM;
        }
        return WEIR_OK;
    case WF_SUBSTR:
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], WT_STRING, i), p = get(k[1], WT_INT, i), l = {0, INT32_MAX, 0, NULL, 0};
            if (e->n_kids > 2) l = get(k[2], WT_INT, i);
            if (x.null || p.null || l.null) {
                if (put_null(v)) return WEIR_NOMEM;
                continue;
            }
            /* UTF8String.substringSQL */
            int64_t len = num_chars(x.s, x.n);
            int64_t start = p.i > 0 ? p.i - 1 : p.i < 0 ? len + p.i : 0;
            int64_t end = start + l.i;
            if (end > INT32_MAX) end = INT32_MAX;
            if (start < 0) start = 0;
            if (start >= end || start >= len) {
                if (wvec_append_str(v, "", 0)) return WEIR_NOMEM;
                continue;
            }
            size_t b0 = char_off(x.s, x.n, start);
            size_t b1 = b0 + char_off(x.s + b0, x.n - b0, end - start);
            if (wvec_append_str(v, x.s + b0, b1 - b0)) return WEIR_NOMEM;
        }
        return WEIR_OK;
    case WF_ROUND:
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], t0, i);
            if (!x.null) {
                if (t0 == WT_DOUBLE) x.d = round_half_up(x.d, e->scale);
                else x.i = round_int(x.i, e->scale, t0 == WT_INT ? 32 : 64);
            }
            if (put(v, t0, &x)) return WEIR_NOMEM;
        }
        return WEIR_OK;
    case WF_TO_TS: {
        WTimeFmt *f = NULL;
        if (e->pattern) {
            if (!c->fmts[e->id] && (rc = wtimefmt_compile(e->pattern, &c->fmts[e->id], err))) return rc;
            f = c->fmts[e->id];
        }
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], WT_STRING, i);
            if (!x.null) {
                int64_t us;
                int bad = f ? wtimefmt_parse(f, x.s, x.n, c->tz, &us) : wtime_parse_timestamp(x.s, x.n, c->tz, &us);
                x.null = bad != 0;
                x.i = us;
                if (bad) x.i = 0;
            }
            if (put(v, WT_TIMESTAMP, &x)) return WEIR_NOMEM;
        }
        return WEIR_OK;
    }
    case WF_DATE_FORMAT: {
        if (!c->fmts[e->id] && (rc = wtimefmt_compile(e->pattern, &c->fmts[e->id], err))) return rc;
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], WT_TIMESTAMP, i);
            char buf[256];
            int len = x.null ? -1 : wtimefmt_format(c->fmts[e->id], x.i, c->tz, buf, sizeof buf);
            if ((len < 0 ? put_null(v) : wvec_append_str(v, buf, (size_t)len))) return WEIR_NOMEM;
        }
        return WEIR_OK;
    }
    case WF_DATE_TRUNC:
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], WT_TIMESTAMP, i);
            if (!x.null) x.i = trunc_ts(c, x.i, e->unit);
            if (put(v, WT_TIMESTAMP, &x)) return WEIR_NOMEM;
        }
        return WEIR_OK;
    case WF_YEAR: case WF_MONTH: case WF_DAY: case WF_HOUR: case WF_MINUTE: case WF_SECOND:
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], t0, i);
            if ((x.null ? put_null(v) : wvec_append_i32(v, time_part(c, e->fn, t0, x.i)))) return WEIR_NOMEM;
        }
        return WEIR_OK;
    case WF_NOW:
    case WF_TODAY: {
        int64_t x = e->fn == WF_NOW ? c->now_us : floordiv(local_us(c, c->now_us), US_PER_DAY);
        for (int64_t i = 0; i < n; i++)
            if (put_i(v, e->type, x)) return WEIR_NOMEM;
        return WEIR_OK;
    }
    case WF_TS_ADD:
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], WT_TIMESTAMP, i);
            if (!x.null) {
                if (e->months) ts_add_months(c, x.i, e->months, &x.i);
                x.i = (int64_t)((uint64_t)x.i + (uint64_t)e->micros);
            }
            if (put(v, WT_TIMESTAMP, &x)) return WEIR_NOMEM;
        }
        return WEIR_OK;
    case WF_DATE_ADD:
        for (int64_t i = 0; i < n; i++) {
            Val x = get(k[0], WT_DATE, i), y = get(k[1], WT_INT, i);
            if (x.null || y.null) x.null = 1;
            else x.i = (int32_t)((uint32_t)x.i + (uint32_t)y.i);
            if (put(v, WT_DATE, &x)) return WEIR_NOMEM;
        }
        return WEIR_OK;
    default:
        return werr_msg(err, WEIR_UNSUPPORTED, "expression %s cannot be evaluated", wsql_fn_name(e->fn));
    }
}

static int eval(WExprCtx *c, const WBound *e, const WVec **out, WErr *err) {
    if (c->done[e->id]) {
        *out = c->done[e->id];
        return WEIR_OK;
    }
    if (e->fn == WF_COL) {
        const WVec *v = &c->in->root;
        for (int i = 0; i < e->n_path; i++) v = &v->children[e->path[i]];
        c->done[e->id] = v;
        *out = v;
        return WEIR_OK;
    }
    if (e->fn == WF_FIELD) {
        const WVec *s;
        int rc = eval(c, e->kids[0], &s, err);
        if (rc) return rc;
        *out = c->done[e->id] = &s->children[e->path[0]];
        return WEIR_OK;
    }
    WVec *v;
    if (e->fn == WF_LIT) {
        v = &c->vecs[e->id];
        if (!c->inited[e->id]) {
            wvec_init(v, &SCALAR[e->type <= WT_TIMESTAMP ? e->type : WT_NULL]);
            c->inited[e->id] = 1;
        }
    } else {
        v = scratch(c, e);
    }
    int rc = eval_node(c, e, v, err);
    if (rc) {
        if (rc == WEIR_NOMEM) werr_msg(err, WEIR_NOMEM, "out of memory evaluating an expression");
        return rc;
    }
    c->done[e->id] = v;
    *out = v;
    return WEIR_OK;
}

int wexpr_eval(WExprCtx *c, const WBound *e, const WVec **out, WErr *err) { return eval(c, e, out, err); }
