/*
 * xsum.c - exact double summation (see xsum.h).
 *
 * A finite double is m * 2^e with integer m < 2^53 and -1074 <= e <= 971, so it is the integer
 * m << (e + 1074) in units of 2^-1074: at most 53 bits starting anywhere in bits 0..2045. Adding it
 * touches two limbs plus a carry. The invariant that makes carries safe: the top limb is always pure
 * sign (0 or all ones) before an addition and covers at least two limbs above the addend's first limb;
 * then the sum cannot overflow the limbs, and a top limb that stops being pure sign gets one more
 * sign limb after the addition.
 */
#include "exec/xsum.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "weir.h"

#define MAX_LIMBS 40 /* bits 0..2045 plus 64 bits of count headroom need 34 limbs */

static inline uint64_t *limbs(WXSum *s) { return (s->flags & WXSUM_HEAP) ? s->u.heap : s->u.in; }
static inline const uint64_t *climbs(const WXSum *s) { return (s->flags & WXSUM_HEAP) ? s->u.heap : s->u.in; }

void wxsum_fini(WXSum *s) {
    if (s->flags & WXSUM_HEAP) free(s->u.heap);
    wxsum_init(s);
}


/* Makes the limbs cover global limb indexes [a, b]; new low limbs are zero, new high limbs sign. */
static int cover(WXSum *s, int a, int b) {
    if (s->n == 0) {
        int cnt = b - a + 1;
        if (cnt > WXSUM_INLINE) {
            uint64_t *h = calloc((size_t)cnt, sizeof *h);
            if (!h) return WEIR_NOMEM;
            s->u.heap = h;
            s->cap = (uint32_t)cnt;
            s->flags |= WXSUM_HEAP;
        } else {
            if (s->flags & WXSUM_HEAP) memset(s->u.heap, 0, s->cap * sizeof(uint64_t));
            else memset(s->u.in, 0, sizeof s->u.in);
        }
        s->lo = (int16_t)a;
        s->n = (uint8_t)cnt;
        return WEIR_OK;
    }
    int lo = s->lo, hi = s->lo + s->n - 1;
    int nlo = a < lo ? a : lo, nhi = b > hi ? b : hi;
    if (nlo == lo && nhi == hi) return WEIR_OK;
    int cnt = nhi - nlo + 1;
    if (cnt > MAX_LIMBS) return WEIR_NOMEM;
    uint64_t tmp[MAX_LIMBS];
    const uint64_t *old = limbs(s);
    uint64_t sign = (old[s->n - 1] >> 63) ? ~(uint64_t)0 : 0;
    for (int i = 0; i < cnt; i++) {
        int g = nlo + i;
        tmp[i] = g < lo ? 0 : g > hi ? sign : old[g - lo];
    }
    if (cnt > WXSUM_INLINE) {
        if (!(s->flags & WXSUM_HEAP) || s->cap < (uint32_t)cnt) {
            uint32_t ncap = (uint32_t)cnt + 2;
            uint64_t *h = malloc(ncap * sizeof *h);
            if (!h) return WEIR_NOMEM;
            if (s->flags & WXSUM_HEAP) free(s->u.heap);
            s->u.heap = h;
            s->cap = ncap;
            s->flags |= WXSUM_HEAP;
        }
    }
    memcpy(limbs(s), tmp, (size_t)cnt * sizeof(uint64_t));
    s->lo = (int16_t)nlo;
    s->n = (uint8_t)cnt;
    return WEIR_OK;
}

int wxsum_add(WXSum *s, double x) {
    uint64_t bits;
    memcpy(&bits, &x, 8);
    int neg = (int)(bits >> 63);
    int ef = (int)((bits >> 52) & 0x7ff);
    uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
    if (ef == 0x7ff) {
        if (m) s->flags |= WXSUM_NAN;
        else s->flags |= neg ? WXSUM_NINF : WXSUM_PINF;
        return WEIR_OK;
    }
    if (ef == 0 && m == 0) return WEIR_OK;
    int pos = ef == 0 ? 0 : ef - 1; /* bit position of m's bit 0 in units of 2^-1074 */
    if (ef != 0) m |= UINT64_C(1) << 52;
    int L = pos / 64, sh = pos % 64;
    uint64_t a0 = m << sh, a1 = sh ? m >> (64 - sh) : 0;
    if ((s->n == 0 || L < s->lo || L + 2 > s->lo + s->n - 1) && cover(s, L, L + 2) != WEIR_OK) return WEIR_NOMEM;
    uint64_t *l = limbs(s);
    int i = L - s->lo, n = s->n;
    if (!neg) {
        uint64_t c;
        l[i] += a0;
        c = l[i] < a0;
        uint64_t t = l[i + 1] + a1;
        uint64_t c2 = t < a1;
        l[i + 1] = t + c;
        c2 |= l[i + 1] < t;
        for (int k = i + 2; c2 && k < n; k++) {
            l[k] += 1;
            c2 = l[k] == 0;
        }
    } else {
        uint64_t b;
        b = l[i] < a0;
        l[i] -= a0;
        uint64_t t = l[i + 1] - a1;
        uint64_t b2 = l[i + 1] < a1;
        b2 |= t < b;
        l[i + 1] = t - b;
        for (int k = i + 2; b2 && k < n; k++) {
            b2 = l[k] == 0;
            l[k] -= 1;
        }
    }
    uint64_t top = l[n - 1];
    if (top != 0 && top != ~(uint64_t)0) {
        if (cover(s, s->lo, s->lo + n) != WEIR_OK) return WEIR_NOMEM;
        l = limbs(s);
        l[s->n - 1] = (top >> 63) ? ~(uint64_t)0 : 0;
    }
    return WEIR_OK;
}

int wxsum_merge(WXSum *d, const WXSum *s) {
    d->flags |= s->flags & (WXSUM_NAN | WXSUM_PINF | WXSUM_NINF);
    if (s->n == 0) return WEIR_OK;
    int slo = s->lo, shi = s->lo + s->n - 1;
    int dlo = d->n ? d->lo : slo, dhi = d->n ? d->lo + d->n - 1 : shi;
    int lo = slo < dlo ? slo : dlo, hi = (shi > dhi ? shi : dhi) + 1; /* one limb of headroom for the carry */
    if (hi - lo + 1 > MAX_LIMBS) return WEIR_NOMEM;
    if (cover(d, lo, hi) != WEIR_OK) return WEIR_NOMEM;
    uint64_t *l = limbs(d);
    const uint64_t *a = climbs(s);
    uint64_t sign = (a[s->n - 1] >> 63) ? ~(uint64_t)0 : 0;
    unsigned carry = 0;
    for (int g = slo; g < d->lo + d->n; g++) { /* two's complement addition over the covered limbs */
        uint64_t x = g <= shi ? a[g - slo] : sign;
        int i = g - d->lo;
        uint64_t t = l[i] + x;
        unsigned c1 = t < x;
        l[i] = t + carry;
        carry = c1 | (l[i] < t);
    }
    uint64_t top = l[d->n - 1];
    if (top != 0 && top != ~(uint64_t)0) {
        if (cover(d, d->lo, d->lo + d->n) != WEIR_OK) return WEIR_NOMEM;
        l = limbs(d);
        l[d->n - 1] = (top >> 63) ? ~(uint64_t)0 : 0;
    }
    return WEIR_OK;
}

/* Bit `b` (global) of the magnitude held in mag[] whose first limb is global limb lo. */
static inline int bit_at(const uint64_t *mag, int lo, int n, int b) {
    int li = b / 64 - lo;
    if (li < 0 || li >= n) return 0;
    return (int)((mag[li] >> (b % 64)) & 1);
}

/* w (<= 64) bits starting at global bit b. */
static uint64_t bits_at(const uint64_t *mag, int lo, int n, int b, int w) {
    uint64_t r = 0;
    for (int k = w - 1; k >= 0; k--) r = (r << 1) | (uint64_t)bit_at(mag, lo, n, b + k);
    return r;
}

double wxsum_value(const WXSum *s) {
    if ((s->flags & WXSUM_NAN) || ((s->flags & WXSUM_PINF) && (s->flags & WXSUM_NINF))) return NAN;
    if (s->flags & WXSUM_PINF) return INFINITY;
    if (s->flags & WXSUM_NINF) return -INFINITY;
    if (s->n == 0) return 0.0;
    uint64_t mag[MAX_LIMBS];
    int n = s->n, lo = s->lo;
    memcpy(mag, climbs(s), (size_t)n * sizeof(uint64_t));
    int neg = (int)(mag[n - 1] >> 63);
    if (neg) { /* two's complement negate */
        uint64_t c = 1;
        for (int i = 0; i < n; i++) {
            mag[i] = ~mag[i] + c;
            c = c && mag[i] == 0;
        }
    }
    int top = n - 1;
    while (top >= 0 && mag[top] == 0) top--;
    if (top < 0) return 0.0;
    int h = 64 * (lo + top) + 63 - __builtin_clzll(mag[top]);
    double r;
    if (h <= 52) {
        r = ldexp((double)bits_at(mag, lo, n, 0, h + 1), -1074);
    } else {
        int shift = h - 52;
        uint64_t M = bits_at(mag, lo, n, shift, 53);
        int round = bit_at(mag, lo, n, shift - 1);
        int sticky = 0;
        if (round) {
            int lim = shift - 1; /* any bit below lim set? */
            for (int i = 0; i < n && !sticky; i++) {
                int g0 = 64 * (lo + i);
                if (g0 >= lim) break;
                uint64_t v = mag[i];
                if (g0 + 64 > lim) v &= (UINT64_C(1) << (lim - g0)) - 1;
                sticky = v != 0;
            }
            if (sticky || (M & 1)) M++;
            if (M == (UINT64_C(1) << 53)) {
                M >>= 1;
                shift++;
            }
        }
        r = ldexp((double)M, shift - 1074);
    }
    return neg ? -r : r;
}

int wxsum_write(const WXSum *s, WBuf *out) {
    uint8_t h[4];
    h[0] = s->flags & (WXSUM_NAN | WXSUM_PINF | WXSUM_NINF);
    h[1] = (uint8_t)((uint16_t)s->lo & 0xff);
    h[2] = (uint8_t)((uint16_t)s->lo >> 8);
    h[3] = s->n;
    if (wbuf_append(out, h, 4)) return WEIR_NOMEM;
    const uint64_t *l = climbs(s);
    for (int i = 0; i < s->n; i++) {
        uint8_t b[8];
        for (int k = 0; k < 8; k++) b[k] = (uint8_t)(l[i] >> (8 * k));
        if (wbuf_append(out, b, 8)) return WEIR_NOMEM;
    }
    return WEIR_OK;
}

long wxsum_read(WXSum *s, const uint8_t *p, size_t n) {
    wxsum_fini(s);
    if (n < 4) return -1;
    if (p[0] & ~(WXSUM_NAN | WXSUM_PINF | WXSUM_NINF)) return -1;
    int lo = (int16_t)(uint16_t)(p[1] | (p[2] << 8));
    int cnt = p[3];
    if (lo < 0 || cnt > MAX_LIMBS || lo + cnt > MAX_LIMBS) return -1;
    if (n < 4 + (size_t)cnt * 8) return -1;
    uint8_t fl = p[0];
    if (cnt > 0) {
        if (cover(s, lo, lo + cnt - 1) != WEIR_OK) return -1;
        uint64_t *l = limbs(s);
        for (int i = 0; i < cnt; i++) {
            uint64_t v = 0;
            for (int k = 0; k < 8; k++) v |= (uint64_t)p[4 + 8 * i + k] << (8 * k);
            l[i] = v;
        }
        /* the top limb must be pure sign (the invariant of wxsum_add) */
        if (l[cnt - 1] != 0 && l[cnt - 1] != ~(uint64_t)0) {
            wxsum_fini(s);
            return -1;
        }
    }
    s->flags |= fl;
    return 4 + (long)cnt * 8;
}
