/*
 * test_hll.c - HyperLogLog: Spark's precision derivation, small cardinalities, order independence,
 * merging, the hash's bit mixing, and the estimator's error measured over 10^3 .. 10^7 distinct values.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "exec/hll.h"

static double estimate_n(int p, uint64_t n, uint64_t seed) {
    uint8_t *reg = calloc(whll_size(p), 1);
    for (uint64_t i = 0; i < n; i++) whll_add_hash(reg, p, whash_u64(seed * 1000000007ULL + i, 0x11));
    double e = (double)whll_estimate(reg, p);
    free(reg);
    return e;
}

int main(void) {
    /* p = ceil(2 log2(1.106 / rsd)), as Spark's HyperLogLogPlusPlusHelper */
    CHECK_EQ_INT(whll_precision(0.05), 9);
    CHECK_EQ_INT(whll_precision(0.01), 14);
    CHECK_EQ_INT(whll_precision(0.02), 12);
    CHECK_EQ_INT(whll_precision(0.39), 4);
    CHECK_EQ_INT(whll_precision(0.4), -1);
    CHECK_EQ_INT(whll_precision(0.0), -1);
    CHECK_EQ_INT(whll_precision(0.0005), -1);

    /* empty and tiny sets are (nearly) exact */
    int p = whll_precision(WHLL_DEFAULT_RSD);
    uint8_t *reg = calloc(whll_size(p), 1);
    CHECK_EQ_INT(whll_estimate(reg, p), 0);
    free(reg);
    static const int small[] = {1, 2, 5, 10, 50, 100, 500};
    for (int i = 0; i < 7; i++) {
        double e = estimate_n(p, (uint64_t)small[i], 7);
        CHECK(fabs(e - small[i]) <= 1 + small[i] * 0.03); /* register collisions as in linear counting */
    }

    /* duplicates do not count; order does not matter; merge == union */
    uint8_t *a = calloc(whll_size(p), 1), *b = calloc(whll_size(p), 1), *u = calloc(whll_size(p), 1);
    for (uint64_t i = 0; i < 20000; i++) {
        uint64_t h = whash_u64(i, 0x11);
        whll_add_hash(i < 12000 ? a : b, p, h);
        whll_add_hash(u, p, whash_u64(19999 - i, 0x11));
        whll_add_hash(u, p, whash_u64(19999 - i, 0x11));
    }
    whll_merge(a, b, p);
    CHECK(memcmp(a, u, whll_size(p)) == 0);
    free(a);
    free(b);
    free(u);

    /* the hash: one flipped input bit flips about half the output bits */
    double flips = 0;
    int trials = 0;
    for (uint64_t i = 0; i < 2000; i++) {
        uint64_t x = i * 0x9e3779b97f4a7c15ULL;
        for (int bit = 0; bit < 64; bit += 7) {
            flips += __builtin_popcountll(whash_u64(x, 1) ^ whash_u64(x ^ (1ULL << bit), 1));
            trials++;
        }
        char s[16] = "abcdefghijklmno";
        s[i % 15] = (char)i;
        char s2[16];
        memcpy(s2, s, 16);
        s2[(i / 15) % 15] ^= 1;
        flips += __builtin_popcountll(whash_bytes(s, 15, 3) ^ whash_bytes(s2, 15, 3));
        trials++;
    }
    CHECK(fabs(flips / trials - 32.0) < 0.5);
    CHECK(whash_bytes("ab", 2, 0) != whash_bytes("ba", 2, 0));
    CHECK(whash_bytes("", 0, 0) != whash_bytes("", 0, 1));

    /* accuracy at the default precision (relativeSD 0.01 -> p = 14, expected standard error 0.81%):
     * every estimate within 2%, and the root mean square error near the theory */
    static const uint64_t ns[] = {1000, 3000, 10000, 30000, 100000, 1000000, 10000000};
    double sq = 0;
    int cnt = 0, worst_ok = 1;
    for (int i = 0; i < 7; i++) {
        int reps = ns[i] >= 10000000 ? 1 : ns[i] >= 1000000 ? 2 : 5;
        for (int r = 0; r < reps; r++) {
            double e = estimate_n(p, ns[i], (uint64_t)(100 + 10 * i + r));
            double rel = e / (double)ns[i] - 1;
            if (fabs(rel) > 0.02) {
                worst_ok = 0;
                fprintf(stderr, "n=%llu estimate %.0f (%.2f%%)\n", (unsigned long long)ns[i], e, rel * 100);
            }
            sq += rel * rel;
            cnt++;
        }
    }
    CHECK(worst_ok);
    double rms = sqrt(sq / cnt);
    printf("p=%d: rms relative error %.3f%% over %d estimates (theory %.3f%%)\n", p, rms * 100, cnt,
           104.0 / sqrt((double)whll_size(p)));
    CHECK(rms < 0.012);

    /* Spark's default relativeSD 0.05 (p = 9): standard error about 4.6%; mean bias small */
    int p9 = whll_precision(0.05);
    sq = 0;
    double bias = 0;
    cnt = 0;
    for (int i = 0; i < 6; i++)
        for (int r = 0; r < 8; r++) {
            double rel = estimate_n(p9, ns[i] > 100000 ? 100000 : ns[i], (uint64_t)(500 + 10 * i + r)) /
                             (double)(ns[i] > 100000 ? 100000 : ns[i]) - 1;
            sq += rel * rel;
            bias += rel;
            cnt++;
        }
    rms = sqrt(sq / cnt);
    printf("p=9: rms relative error %.3f%%, mean %.3f%% over %d estimates\n", rms * 100, bias / cnt * 100, cnt);
    CHECK(rms < 0.065);
    CHECK(fabs(bias / cnt) < 0.02);
    return check_summary();
}
