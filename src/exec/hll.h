/*
 * hll.h - HyperLogLog sketches for approx_count_distinct, and weir's 64-bit hash of values.
 *
 * Precision as Spark derives it from relativeSD: p = ceil(2 * log2(1.106 / relativeSD)), so Spark's
 * default 0.05 gives p = 9 (512 registers; standard error 1.04/sqrt(512) = 4.6%); relativeSD 0.01 gives
 * p = 14. Registers are one byte each (value 0..65-p). The estimate uses Otmar Ertl's improved raw
 * estimator ("New cardinality estimation algorithms for HyperLogLog sketches", 2017), which corrects the
 * small-range bias (where HLL++ uses linear counting plus empirical bias tables) and the large-range
 * saturation with one formula, so no tables are needed. Sketches merge by register-wise maximum, so the
 * estimate does not depend on the order rows arrive in.
 */
#ifndef WEIR_EXEC_HLL_H
#define WEIR_EXEC_HLL_H

#include <stddef.h>
#include <stdint.h>

/* weir's own hash: 64-bit, seeded, a multiply-rotate mix over 8-byte words and a murmur-style finalizer. */
uint64_t whash_bytes(const void *p, size_t n, uint64_t seed);
static inline uint64_t whash_mix(uint64_t k) {
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    k *= UINT64_C(0xc4ceb9fe1a85ec53);
    k ^= k >> 33;
    return k;
}
uint64_t whash_u64(uint64_t v, uint64_t seed);

#define WHLL_DEFAULT_RSD 0.01 /* weir's default: p = 14 (see agg.h); Spark's is 0.05 */

/* Spark's derivation; returns -1 when relativeSD is out of range (p must be 4..18). */
int whll_precision(double relative_sd);
static inline size_t whll_size(int p) { return (size_t)1 << p; }
void whll_add_hash(uint8_t *reg, int p, uint64_t h);
void whll_merge(uint8_t *dst, const uint8_t *src, int p);
double whll_estimate_raw(const uint8_t *reg, int p);
/* Spark returns the rounded estimate as BIGINT. */
int64_t whll_estimate(const uint8_t *reg, int p);

#endif
