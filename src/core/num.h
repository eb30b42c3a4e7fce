/*
 * num.h - exact conversions between numbers and text.
 *
 * Doubles print as the shortest decimal that reads back to the same bits, in this layout:
 *   fixed notation when the decimal exponent e (x = d.ddd * 10^e) satisfies -4 <= e < 16, with ".0"
 *   added to integral values: 0.1, 1.0, 3.9000000000000004, 123456789012345.0, 0.0001, -0.0
 *   otherwise scientific, no '+' and no leading zeros in the exponent: 1e16, 1.5e-5, 5e-324,
 *   1.7976931348623157e308
 *   NaN, Infinity, -Infinity as Spark writes them.
 * Parsing accepts every decimal text (any number of digits, any exponent, subnormals, leading '+',
 * ".5", "5.") and NaN / Infinity / Inf (any case, optional sign), and rounds correctly (round half even).
 */
#ifndef WEIR_CORE_NUM_H
#define WEIR_CORE_NUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WNUM_DOUBLE_MAX 32 /* buffer size that holds any formatted double plus a NUL */

/* Writes x into buf (NUL-terminated); returns the length. */
int wnum_format_double(double x, char *buf);

/* A writer's memory of the texts of doubles it wrote lately: columns of prices, rates and scores hold
 * few distinct values, which are then formatted once. Two ways per set, keyed by the exact bits (so 0.0
 * and -0.0, and NaNs, stay apart); about 8 KB, zeroed before first use. A column of mostly distinct
 * values would only pay for the lookups: when fewer than 1 in 8 of 4,096 lookups hit, the next 65,536
 * values bypass the memo. */
#define WNUM_MEMO_SETS 128
typedef struct WNumMemoEntry {
    uint64_t bits;
    char text[23]; /* NUL-terminated */
    uint8_t len;   /* 0: empty */
} WNumMemoEntry;
typedef struct WNumMemo {
    WNumMemoEntry e[WNUM_MEMO_SETS][2];
    uint8_t older[WNUM_MEMO_SETS]; /* the way to replace next */
    uint32_t lookups, hits, bypass;
} WNumMemo;

/* wnum_format_double through the memo: the same text and length; buf holds WNUM_DOUBLE_MAX bytes. */
static inline int wnum_format_double_memo(WNumMemo *m, double x, char *buf) {
    if (m->bypass) {
        m->bypass--;
        return wnum_format_double(x, buf);
    }
    if (++m->lookups == 4096) {
        if (m->hits < 4096 / 8) m->bypass = 65536;
        m->lookups = m->hits = 0;
    }
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    unsigned set = (unsigned)((bits * UINT64_C(0x9e3779b97f4a7c15)) >> 57);
    WNumMemoEntry *w = m->e[set];
    for (int i = 0; i < 2; i++)
        if (w[i].bits == bits && w[i].len) {
            m->hits++;
            memcpy(buf, w[i].text, sizeof w[i].text); /* whole, a fixed-size move: buf has the room */
            return w[i].len;
        }
    int n = wnum_format_double(x, buf);
    if (n < (int)sizeof w->text) {
        WNumMemoEntry *v = &w[m->older[set]];
        m->older[set] ^= 1;
        v->bits = bits;
        memcpy(v->text, buf, (size_t)n + 1);
        v->len = (uint8_t)n;
    }
    return n;
}
/* Parses exactly the n bytes at s; WEIR_OK or WEIR_PARSE (not a number, or trailing bytes). */
int wnum_parse_double(const char *s, size_t n, double *out);
/* Decoders' fast path: reads the decimal number at s (before end) of the form [+-]digits[.digits] with 1 to
 * 19 digits in all and no exponent; returns the end of that text with *out set to what wnum_parse_double
 * gives for it, or NULL (nothing set) for any other text or a value near a rounding boundary: the caller
 * then finds the field's end itself and calls wnum_parse_double. */
const char *wnum_scan_double(const char *s, const char *end, double *out);
/* Decimal integers with optional sign; WEIR_PARSE on syntax or overflow. */
int wnum_parse_i64(const char *s, size_t n, int64_t *out);
int wnum_parse_i32(const char *s, size_t n, int32_t *out);
/* Writes v into buf (>= 21 bytes); returns the length. */
int wnum_format_i64(int64_t v, char *buf);
/* "00" "01" ... "99": the two digits of 0..99 at wnum_digits2 + 2 * v (for writers of fixed-width fields). */
extern const char wnum_digits2[201];

#endif
