/*
 * json_lex.h - the strict RFC 8259 scanner shared by the JSON decoder (json_read.c) and the validator
 * (json_validate.c). Internal to the formats layer.
 *
 * Everything works on a byte range [p, end) that need not be NUL-terminated. Scanners advance lx->p and
 * return 0, or -1 with lx->err_at / lx->err_msg saying where and what (the caller turns that into a WErr
 * or a bad record). Strings are checked in full: escapes (\uXXXX surrogate pairs must pair up), control
 * characters, and UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). Nesting is limited to
 * WJSON_MAX_DEPTH so that no input can exhaust the stack.
 */
#ifndef WEIR_FORMATS_JSON_LEX_H
#define WEIR_FORMATS_JSON_LEX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"

#define WJSON_MAX_DEPTH 512

typedef struct WJLex {
    const char *p, *end;
    const char *err_at;
    const char *err_msg;
} WJLex;

/* What a scanned number looked like. */
typedef struct WJNum {
    const char *s;     /* the token */
    size_t n;
    int is_int;        /* no fraction, no exponent */
    int neg;
    int big;           /* more than 19 integer digits (mag is then meaningless) */
    uint64_t mag;      /* |value| when is_int && !big */
    int digits;        /* integer digits */
    int frac_digits;   /* digits after the point */
    int has_exp;
    uint64_t all;      /* the integer and fraction digits as one integer, when digits + frac_digits <= 19 */
} WJNum;

static inline int wjl_fail(WJLex *lx, const char *at, const char *msg) {
    lx->err_at = at;
    lx->err_msg = msg;
    return -1;
}

static inline void wjl_ws(WJLex *lx) {
    const char *p = lx->p, *e = lx->end;
    if (p < e && (unsigned char)*p > ' ') return; /* the usual case: no whitespace at all */
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    lx->p = p;
}

/* Validates one UTF-8 sequence starting at p (a byte >= 0x80); returns its length, or 0 if invalid. */
static inline int wjl_utf8(const unsigned char *p, const unsigned char *e) {
    unsigned c = p[0];
    if (c >= 0xC2 && c <= 0xDF) {
        if (e - p < 2 || (p[1] & 0xC0) != 0x80) return 0;
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (e - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && p[1] < 0xA0) return 0;  /* overlong */
        if (c == 0xED && p[1] >= 0xA0) return 0; /* UTF-16 surrogates */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (e - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && p[1] < 0x90) return 0;  /* overlong */
        if (c == 0xF4 && p[1] >= 0x90) return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

static inline int wjl_hex4(const char *s, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = (unsigned char)s[i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if ((c | 32) >= 'a' && (c | 32) <= 'f') d = (c | 32) - 'a' + 10;
        else return -1;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

/* 8 bytes at a time: does the word hold a byte that needs a closer look ('"', '\\', < 0x20, >= 0x80)? */
static inline int wjl_word_special(uint64_t w) {
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    uint64_t z = ((q - ones) & ~q) | ((b - ones) & ~b) | (w - ones * 0x20) | w;
    return (z & high) != 0;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The offset (0..7) of the first byte of w (little-endian) that wjl_word_special flags, 8 when none. Each
 * of the four tests sets the high bit of every byte it flags and may also set it in bytes after a flagged
 * one (the borrow of the subtraction), never before: so the lowest bit set is the first flagged byte. */
static inline unsigned wjl_first_special(uint64_t w) {
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    uint64_t z = (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w) & high;
    return z ? (unsigned)__builtin_ctzll(z) >> 3 : 8;
}
#define WJL_SKIP_PLAIN(p, e)                                  \
    while ((e) - (p) >= 8) {                                  \
        uint64_t w_;                                          \
        memcpy(&w_, (p), 8);                                  \
        unsigned k_ = wjl_first_special(w_);                  \
        (p) += k_;                                            \
        if (k_ < 8) break;                                    \
    }
#else
#define WJL_SKIP_PLAIN(p, e)                                  \
    while ((e) - (p) >= 8) {                                  \
        uint64_t w_;                                          \
        memcpy(&w_, (p), 8);                                  \
        if (wjl_word_special(w_)) break;                      \
        (p) += 8;                                             \
    }
#endif

/* Scans the string at lx->p (which is '"'). On success *s / *n is the raw content between the quotes
 * and *esc says whether it holds escapes (decode it with wjl_unescape). */
static inline int wjl_string(WJLex *lx, const char **s, size_t *n, int *esc) {
    const char *p = lx->p + 1, *e = lx->end;
    int has_esc = 0;
    for (;;) {
        WJL_SKIP_PLAIN(p, e)
        if (p >= e) return wjl_fail(lx, lx->p, "unterminated string");
        unsigned char c = (unsigned char)*p;
        if (c == '"') break;
        if (c == '\\') {
            has_esc = 1;
            if (e - p < 2) return wjl_fail(lx, p, "unterminated string");
            char x = p[1];
            if (x == 'u') {
                unsigned u;
                if (e - p < 6 || wjl_hex4(p + 2, &u)) return wjl_fail(lx, p, "bad \\u escape");
                if (u >= 0xDC00 && u <= 0xDFFF) return wjl_fail(lx, p, "lone low surrogate in \\u escape");
                if (u >= 0xD800 && u <= 0xDBFF) {
                    unsigned lo;
                    if (e - p < 12 || p[6] != '\\' || p[7] != 'u' || wjl_hex4(p + 8, &lo) || lo < 0xDC00 ||
                        lo > 0xDFFF)
                        return wjl_fail(lx, p, "high surrogate not followed by a low surrogate");
                    p += 12;
                } else {
                    p += 6;
                }
            } else if (x == '"' || x == '\\' || x == '/' || x == 'b' || x == 'f' || x == 'n' || x == 'r' ||
                       x == 't') {
                p += 2;
            } else {
                return wjl_fail(lx, p, "bad escape in string");
            }
        } else if (c < 0x20) {
            return wjl_fail(lx, p, "control character in string");
        } else if (c >= 0x80) {
            int k = wjl_utf8((const unsigned char *)p, (const unsigned char *)e);
            if (!k) return wjl_fail(lx, p, "invalid UTF-8 in string");
            p += k;
        } else {
            p++;
        }
    }
    *s = lx->p + 1;
    *n = (size_t)(p - (lx->p + 1));
    *esc = has_esc;
    lx->p = p + 1;
    return 0;
}

/* Decodes a string body already checked by wjl_string into out (appended). */
static inline int wjl_unescape(const char *s, size_t n, WBuf *out) {
    if (wbuf_reserve(out, n)) return -1; /* decoded text is never longer than the escaped text */
    char *o = out->data + out->len;
    const char *e = s + n;
    while (s < e) {
        const char *bs = memchr(s, '\\', (size_t)(e - s));
        size_t run = bs ? (size_t)(bs - s) : (size_t)(e - s);
        memcpy(o, s, run);
        o += run;
        s += run;
        if (!bs) break;
        char x = s[1];
        s += 2;
        switch (x) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned u = 0, lo = 0xDC00;
            wjl_hex4(s, &u);
            s += 4;
            if (u >= 0xD800 && u <= 0xDBFF) {
                wjl_hex4(s + 2, &lo);
                s += 6;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (u < 0x80) {
                *o++ = (char)u;
            } else if (u < 0x800) {
                *o++ = (char)(0xC0 | (u >> 6));
                *o++ = (char)(0x80 | (u & 0x3F));
            } else if (u < 0x10000) {
                *o++ = (char)(0xE0 | (u >> 12));
                *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
                *o++ = (char)(0x80 | (u & 0x3F));
            } else {
                *o++ = (char)(0xF0 | (u >> 18));
                *o++ = (char)(0x80 | ((u >> 12) & 0x3F));
                *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
                *o++ = (char)(0x80 | (u & 0x3F));
            }
            break;
        }
        default: *o++ = x; break; /* " \ / */
        }
    }
    out->len = (size_t)(o - out->data);
    return 0;
}

/* Scans a number at lx->p per RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static inline int wjl_number(WJLex *lx, WJNum *num) {
    const char *p = lx->p, *e = lx->end, *s = p;
    num->neg = 0;
    if (p < e && *p == '-') num->neg = 1, p++;
    if (p >= e || (unsigned)(*p - '0') > 9) return wjl_fail(lx, s, "bad number");
    uint64_t v = 0;
    const char *d0 = p;
    if (*p == '0') {
        p++;
    } else {
        while (p < e && (unsigned)(*p - '0') <= 9) {
            v = v * 10 + (uint64_t)(*p - '0'); /* wraps for > 19 digits; checked below */
            p++;
        }
    }
    /* 19 digits always fit in uint64; more is beyond every integer type weir has */
    int digits = (int)((p - d0) > 100000 ? 100000 : (p - d0));
    num->big = digits > 19;
    num->is_int = 1;
    num->frac_digits = 0;
    num->has_exp = 0;
    if (p < e && *p == '.') {
        p++;
        if (p >= e || (unsigned)(*p - '0') > 9) return wjl_fail(lx, p, "bad number: digit expected after '.'");
        const char *f0 = p;
        uint64_t a = v;
        while (p < e && (unsigned)(*p - '0') <= 9) {
            a = a * 10 + (uint64_t)(*p - '0'); /* meaningful only while digits + frac_digits <= 19 */
            p++;
        }
        num->all = a;
        num->frac_digits = (int)((p - f0) > 100000 ? 100000 : (p - f0));
        num->is_int = 0;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        num->has_exp = 1;
        p++;
        if (p < e && (*p == '+' || *p == '-')) p++;
        if (p >= e || (unsigned)(*p - '0') > 9) return wjl_fail(lx, p, "bad number: digit expected in exponent");
        while (p < e && (unsigned)(*p - '0') <= 9) p++;
        num->is_int = 0;
    }
    num->s = s;
    num->n = (size_t)(p - s);
    num->mag = v;
    num->digits = digits;
    lx->p = p;
    return 0;
}

static inline int wjl_lit(WJLex *lx, const char *word, size_t n) {
    if ((size_t)(lx->end - lx->p) < n || memcmp(lx->p, word, n)) return wjl_fail(lx, lx->p, "invalid literal");
    lx->p += n;
    return 0;
}

/* Skips (and fully checks) one value at lx->p; depth is the nesting depth of that value. */
static inline int wjl_skip(WJLex *lx, int depth) {
    if (lx->p >= lx->end) return wjl_fail(lx, lx->p, "value expected");
    char c = *lx->p;
    const char *s;
    size_t n;
    int esc;
    switch (c) {
    case '"': return wjl_string(lx, &s, &n, &esc);
    case 't': return wjl_lit(lx, "true", 4);
    case 'f': return wjl_lit(lx, "false", 5);
    case 'n': return wjl_lit(lx, "null", 4);
    case '{':
    case '[': {
        if (depth >= WJSON_MAX_DEPTH) return wjl_fail(lx, lx->p, "nesting deeper than 512 levels");
        char close = c == '{' ? '}' : ']';
        lx->p++;
        wjl_ws(lx);
        if (lx->p < lx->end && *lx->p == close) {
            lx->p++;
            return 0;
        }
        for (;;) {
            if (c == '{') {
                if (lx->p >= lx->end || *lx->p != '"') return wjl_fail(lx, lx->p, "object key expected");
                if (wjl_string(lx, &s, &n, &esc)) return -1;
                wjl_ws(lx);
                if (lx->p >= lx->end || *lx->p != ':') return wjl_fail(lx, lx->p, "':' expected");
                lx->p++;
                wjl_ws(lx);
            }
            if (wjl_skip(lx, depth + 1)) return -1;
            wjl_ws(lx);
            if (lx->p >= lx->end) return wjl_fail(lx, lx->p, c == '{' ? "unterminated object" : "unterminated array");
            if (*lx->p == ',') {
                lx->p++;
                wjl_ws(lx);
                continue;
            }
            if (*lx->p == close) {
                lx->p++;
                return 0;
            }
            return wjl_fail(lx, lx->p, c == '{' ? "',' or '}' expected" : "',' or ']' expected");
        }
    }
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            WJNum num;
            return wjl_number(lx, &num);
        }
        return wjl_fail(lx, lx->p, "value expected");
    }
}

#endif
