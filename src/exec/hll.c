/*
 * hll.c - HyperLogLog registers, Ertl's improved estimator, and weir's value hash (see hll.h).
 */
#include "exec/hll.h"

#include <math.h>
#include <string.h>

static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

#define K1 UINT64_C(0x9e3779b97f4a7c15)
#define K2 UINT64_C(0xc2b2ae3d27d4eb4f)
#define K3 UINT64_C(0x165667b19e3779f9)

static inline uint64_t word(uint64_t h, uint64_t k) {
    k *= K2;
    k = rotl64(k, 31);
    k *= K1;
    h ^= k;
    return rotl64(h, 27) * 5 + K3;
}

uint64_t whash_bytes(const void *p, size_t n, uint64_t seed) {
    const unsigned char *b = p;
    uint64_t h = seed ^ (n * K1);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t k = 0;
        for (int j = 0; j < 8; j++) k |= (uint64_t)b[i + j] << (8 * j);
        h = word(h, k);
    }
    if (i < n) {
        uint64_t k = 0;
        for (int j = 0; i + (size_t)j < n; j++) k |= (uint64_t)b[i + j] << (8 * j);
        h = word(h, k ^ K3);
    }
    return whash_mix(h ^ n);
}

uint64_t whash_u64(uint64_t v, uint64_t seed) { return whash_mix(word(seed ^ (8 * K1), v) ^ 8); }

int whll_precision(double rsd) {
    if (!(rsd > 0) || !(rsd < 1)) return -1;
    double p = ceil(2.0 * log2(1.106 / rsd));
    if (p < 4 || p > 18) return -1;
    return (int)p;
}

void whll_add_hash(uint8_t *reg, int p, uint64_t h) {
    size_t idx = (size_t)(h >> (64 - p));
    /* the guard bit at p-1 caps rho at 64-p+1 when the remaining bits are all zero */
    uint64_t w = (h << p) | (UINT64_C(1) << (p - 1));
    uint8_t rho = (uint8_t)(__builtin_clzll(w) + 1);
    if (rho > reg[idx]) reg[idx] = rho;
}

void whll_merge(uint8_t *dst, const uint8_t *src, int p) {
    size_t m = whll_size(p);
    for (size_t i = 0; i < m; i++)
        if (src[i] > dst[i]) dst[i] = src[i];
}

/* Ertl's sigma and tau series (Algorithm 6 of the paper). */
static double sigma(double x) {
    if (x == 1.0) return INFINITY;
    double y = 1.0, z = x, zo;
    do {
        x *= x;
        zo = z;
        z += x * y;
        y += y;
    } while (z != zo);
    return z;
}

static double tau(double x) {
    if (x == 0.0 || x == 1.0) return 0.0;
    double y = 1.0, z = 1.0 - x, zo;
    do {
        x = sqrt(x);
        zo = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
    } while (z != zo);
    return z / 3.0;
}

double whll_estimate_raw(const uint8_t *reg, int p) {
    int q = 64 - p;
    size_t m = whll_size(p);
    double c[66];
    memset(c, 0, sizeof c);
    for (size_t i = 0; i < m; i++) c[reg[i] <= q + 1 ? reg[i] : q + 1] += 1.0;
    double md = (double)m;
    double z = md * tau(1.0 - c[q + 1] / md);
    for (int k = q; k >= 1; k--) z = 0.5 * (z + c[k]);
    z += md * sigma(c[0] / md);
    const double alpha_inf = 0.5 / log(2.0);
    return alpha_inf * md * md / z;
}

int64_t whll_estimate(const uint8_t *reg, int p) { return (int64_t)llround(whll_estimate_raw(reg, p)); }
