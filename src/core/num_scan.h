/*
 * num_scan.h - the decoders' fast path for plain decimals (wnum_scan_double, core/num.h), as inline code:
 * the CSV decoder's row loop calls it for every DOUBLE field, and without a call the loop keeps its state
 * in registers. Digits are read eight at a time (core/num_swar.h); the value is settled by Clinger's
 * division or by the first step of the Eisel-Lemire method (the high product alone), and the rare cases
 * those cannot decide go to the full product (wnum_lemire_full, core/num.c) or back to the caller. See
 * num.c's head comment for the method; the powers of ten are num.c's table (core/num_pow10.h).
 * Not part of the core API: core/num.c and the decoders include it.
 */
#ifndef WEIR_CORE_NUM_SCAN_H
#define WEIR_CORE_NUM_SCAN_H

#include <stdint.h>
#include <string.h>

#include "core/num_swar.h"

__extension__ typedef unsigned __int128 wnum_u128;

#define WNUM_INF_BITS UINT64_C(0x7ff0000000000000)
#define WNUM_SCAN_POW10_MIN (-342) /* = WNUM_POW10_MIN (checked in num.c) */

/* num.c's table: {hi, lo} of G(e) = floor(10^e * 2^-r(e)) + 1, r(e) = floor(e log2 10) - 125, from
 * e = WNUM_SCAN_POW10_MIN on. */
extern const uint64_t (*const wnum_pow10)[2];

static const double WNUM_EXACT10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
static const uint64_t WNUM_INT10[16] = {1u,
                                        10u,
                                        100u,
                                        1000u,
                                        10000u,
                                        100000u,
                                        1000000u,
                                        10000000u,
                                        100000000u,
                                        1000000000u,
                                        10000000000u,
                                        100000000000u,
                                        1000000000000u,
                                        10000000000000u,
                                        100000000000000u,
                                        1000000000000000u};

static inline int wnum_log2_pow10(int e) { return (e * 1741647) >> 19; } /* floor(e log2 10) */

/* Double bits of mant (53 bits, or fewer below 2^-1022: nb < 53) rounded up by up, the value being in
 * [2^top, 2^(top+1)) before rounding; a carry out of the mantissa moves the exponent by itself. */
static inline int64_t wnum_lemire_bits(uint64_t mant, int up, int nb, int top) {
    mant += (uint64_t)up;
    if (nb < 53) return (int64_t)mant; /* subnormal; 2^52 is the smallest normal's encoding */
    uint64_t bits = ((uint64_t)(top + 1022) << 52) + mant;
    return (int64_t)(bits >= WNUM_INF_BITS ? WNUM_INF_BITS : bits);
}

/* Rounds w * 10^q (w > 0, WNUM_POW10_MIN <= q <= 308) to double bits; -1 when the product's window
 * holds a rounding boundary and the exact value must decide. wn = w << lz (top bit set), P = ph:pl =
 * floor(10^q 2^-r), hi = wn * ph. The full 190-bit product (wnum_lemire below tries its high part first). */
int64_t wnum_lemire_full(uint64_t wn, int lz, int q, uint64_t pl, wnum_u128 hi);

/* wnum_lemire_full's result, most of the time from the high product wn * ph alone: the low one, wn * pl <
 * 2^128, adds 0 or 1 to the top word z2. Unless the bits of z2 below the mantissa are within 2 of the half
 * unit h2 (where that carry, the window or a tie decide), rounding the top word of wn * ph gives what the
 * full product gives: below h2 - 2 both round down; above h2 both round up, and when those bits are all
 * ones the carry only moves the rounding up into the mantissa (or the exponent) itself. Subnormal results
 * take the full product. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int64_t wnum_lemire(uint64_t w, int q) {
    int lz = __builtin_clzll(w);
    uint64_t wn = w << lz;
    const uint64_t *g = wnum_pow10[q - WNUM_SCAN_POW10_MIN];
    uint64_t ph = g[0], pl = g[1] - 1; /* P = G - 1; g[1] != 0 as G - 1 >= 2^125 */
    if (g[1] == 0) ph--, pl = UINT64_MAX;
    wnum_u128 hi = (wnum_u128)wn * ph;
    /* wn in [2^63, 2^64) and ph in [2^61, 2^62): the top word a2 has 61 or 62 bits */
    uint64_t a2 = (uint64_t)(hi >> 64);
    int hb = (int)(a2 >> 61), top = 188 + hb + wnum_log2_pow10(q) - 125 - lz;
    if (top > 1023) return (int64_t)WNUM_INF_BITS;
    if (top >= -1022) { /* a normal result */
        int sb = 8 + hb; /* bits of a2 below the 53-bit mantissa */
        uint64_t r2 = a2 & ((UINT64_C(1) << sb) - 1), h2 = UINT64_C(1) << (sb - 1);
        if (r2 - (h2 - 2) > 2) return wnum_lemire_bits(a2 >> sb, r2 > h2, 53, top);
    }
    return wnum_lemire_full(wn, lz, q, pl, hi);
}

/* Digits at *pp (before end) appended to *w; returns how many were read. Eight bytes at a time where
 * the text allows (num_swar.h), so a fraction of 16 or 17 digits costs two or three steps. */
static inline int wnum_scan_digits(const char **pp, const char *end, uint64_t *w) {
    const char *p = *pp, *p0 = p;
    uint64_t v = *w;
#if NUM_SWAR
    while (end - p >= 8) {
        uint64_t x = swar_load8(p);
        int n = swar_digit_count(x);
        if (n) v = v * WNUM_INT10[n] + swar_digits_value(x, n); /* 10^8 is WNUM_INT10[8] */
        p += n;
        if (n < 8 || p - p0 > 24) { /* the caller gives up past 19 digits anyway: no overflow worries */
            *w = v;
            *pp = p;
            return (int)(p - p0);
        }
    }
#endif
    for (unsigned d; p < end && (d = (unsigned)(*p - '0')) <= 9; p++) v = v * 10 + d;
    *w = v;
    *pp = p;
    return (int)(p - p0);
}

#if NUM_SWAR
/* The digits of a number with room after it (end - p >= 32): the integer part's from one word, the
 * fraction's from up to three words loaded together, so that no load waits for the previous word's digit
 * count. Returns 0 when the integer part has 8 digits or more, or the fraction 24 or more (wnum_scan_digits
 * then reads them); the value wraps when there are over 19 digits (the caller refuses those anyway). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int wnum_scan_digits_wide(const char **pp, uint64_t *w, int *nint, int *nfrac) {
    const char *p = *pp;
    uint64_t x = swar_load8(p), v = 0;
    int ni = swar_digit_count(x), nf = 0;
    if (ni == 8) return 0;
    if (ni == 1) v = (x & 0xFF) - '0'; /* the usual price below 10 */
    else if (ni) v = swar_digits_value(x, ni);
    p += ni;
    if (*p == '.') {
        p++;
        uint64_t f0 = swar_load8(p), f1 = swar_load8(p + 8), f2 = swar_load8(p + 16);
        int n0 = swar_digit_count(f0), n1 = swar_digit_count(f1), n2 = swar_digit_count(f2);
        if (n0 < 8) {
            if (n0) v = v * WNUM_INT10[n0] + swar_digits_value(f0, n0);
            nf = n0;
        } else {
            v = v * WNUM_INT10[8] + swar_digits_value(f0, 8);
            if (n1 < 8) {
                if (n1) v = v * WNUM_INT10[n1] + swar_digits_value(f1, n1);
                nf = 8 + n1;
            } else {
                if (n2 == 8) return 0;
                v = v * WNUM_INT10[8] + swar_digits_value(f1, 8);
                if (n2) v = v * WNUM_INT10[n2] + swar_digits_value(f2, n2);
                nf = 16 + n2;
            }
        }
        p += nf;
    }
    *pp = p;
    *w = v;
    *nint = ni;
    *nfrac = nf;
    return 1;
}
#endif

#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline const char *wnum_scan_double_inline(const char *s, const char *end, double *out) {
    const char *p = s;
    int neg = 0;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
    uint64_t w = 0;
    int nint = 0, nfrac = 0;
#if NUM_SWAR
    if (end - p < 32 || !wnum_scan_digits_wide(&p, &w, &nint, &nfrac))
#endif
    {
        nint = wnum_scan_digits(&p, end, &w);
        if (nint > 19) return NULL;
        if (p < end && *p == '.') {
            p++;
            nfrac = wnum_scan_digits(&p, end, &w);
        }
    }
    /* Up to 19 digits (leading zeros included) fit in w exactly; exponents and longer texts go to
     * wnum_parse_double. */
    if (nint + nfrac == 0 || nint + nfrac > 19) return NULL;
    if (p < end && (*p == 'e' || *p == 'E')) return NULL;
    double v;
    if (w == 0) {
        v = 0;
    } else if (w <= (UINT64_C(1) << 53)) {
        v = (double)w / WNUM_EXACT10[nfrac]; /* Clinger: both exact, one correctly rounded division */
    } else {
        int64_t b = wnum_lemire(w, -nfrac);
        if (b < 0) return NULL;
        uint64_t ub = (uint64_t)b;
        memcpy(&v, &ub, sizeof v);
    }
    *out = neg ? -v : v;
    return p;
}

#endif
