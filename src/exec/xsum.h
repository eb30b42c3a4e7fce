/*
 * xsum.h - exact summation of doubles, rounded once (round-half-even) when the result is read.
 *
 * Why: a streaming sum must give bit-identical results whatever the batch boundaries, crashes and
 * restores, and the rounding of a running double sum depends on the order and grouping of additions.
 * WXSum keeps the exact sum as a two's complement big integer N, value = N * 2^-1074 (every finite
 * double is an integer multiple of 2^-1074), stored as 64-bit limbs that cover only the bit range the
 * added values actually touch (a sparse "superaccumulator"): sums of prices need 3 or 4 limbs, kept
 * inline (40 bytes in all); wider ranges move to the heap. NaN and infinities are tracked as flags and
 * give IEEE's answer (NaN, or +-inf; +inf plus -inf is NaN).
 */
#ifndef WEIR_EXEC_XSUM_H
#define WEIR_EXEC_XSUM_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Four inline limbs: a sum of prices spans two limbs of bits plus the two of headroom wxsum_add keeps
 * above an addend, so typical money sums never touch the heap (three limbs spilled whenever values of
 * different binary exponents met, costing ~64 heap bytes per group). */
#define WXSUM_INLINE 4

typedef struct WXSum {
    int16_t lo;      /* global index of the first limb (limb k holds bits 64k .. 64k+63 of N) */
    uint8_t n;       /* limbs in use; 0 means the sum is zero */
    uint8_t flags;   /* WXSUM_NAN | WXSUM_PINF | WXSUM_NINF | WXSUM_HEAP */
    uint32_t cap;    /* heap limbs allocated (WXSUM_HEAP) */
    union {
        uint64_t in[WXSUM_INLINE];
        uint64_t *heap;
    } u;
} WXSum;

#define WXSUM_NAN 1
#define WXSUM_PINF 2
#define WXSUM_NINF 4
#define WXSUM_HEAP 8

static inline void wxsum_init(WXSum *s) {
    s->lo = 0;
    s->n = 0;
    s->flags = 0;
    s->cap = 0;
    s->u.heap = NULL;
    for (int i = 1; i < WXSUM_INLINE; i++) s->u.in[i] = 0;
}
void wxsum_fini(WXSum *s);
/* Adds x exactly. Returns WEIR_OK or WEIR_NOMEM. */
int wxsum_add(WXSum *s, double x);
/* dst += src, exactly (merging two partial sums, e.g. two session windows). WEIR_OK or WEIR_NOMEM. */
int wxsum_merge(WXSum *dst, const WXSum *src);
/* The exact sum rounded to the nearest double (ties to even). */
double wxsum_value(const WXSum *s);
/* Heap bytes owned (for memory accounting). */
static inline size_t wxsum_heap_bytes(const WXSum *s) { return (s->flags & WXSUM_HEAP) ? s->cap * sizeof(uint64_t) : 0; }
/* Serialization for the state store: flags, lo, n, limbs (little-endian). */
int wxsum_write(const WXSum *s, WBuf *out);
/* Reads what wxsum_write wrote from p[0..n); returns bytes consumed, or -1 when malformed/NOMEM. */
long wxsum_read(WXSum *s, const uint8_t *p, size_t n);

#endif
