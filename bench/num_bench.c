/*
 * num_bench.c - speed of core/num's double conversions against glibc (make bench-num).
 *
 * 10 million doubles from random 64-bit patterns (NaN and infinities skipped), then the same count of
 * "nice" ones (k/100 for random k < 10^6, the kind prices and metrics hold). Reports nanoseconds per
 * call for wnum_format_double vs snprintf("%.17g") (which is not even shortest) and for
 * wnum_parse_double vs strtod on the texts wnum_format_double wrote. Also integers, for reference.
 * Usage: num_bench [count]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/num.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t state = 42;
static uint64_t rnd(void) {
    uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static volatile uint64_t sink;

static void run(const char *label, const double *xs, long n) {
    char *texts = malloc((size_t)n * WNUM_DOUBLE_MAX);
    int *lens = malloc((size_t)n * sizeof *lens);
    if (!texts || !lens) exit(1);
    char buf[64];
    double t0 = now();
    for (long i = 0; i < n; i++) sink += (uint64_t)snprintf(buf, sizeof buf, "%.17g", xs[i]);
    double t_snprintf = now() - t0;
    t0 = now();
    for (long i = 0; i < n; i++) sink += (uint64_t)wnum_format_double(xs[i], buf);
    double t_format = now() - t0;
    for (long i = 0; i < n; i++) lens[i] = wnum_format_double(xs[i], texts + i * WNUM_DOUBLE_MAX);
    t0 = now();
    for (long i = 0; i < n; i++) {
        double v = strtod(texts + i * WNUM_DOUBLE_MAX, NULL);
        uint64_t b;
        memcpy(&b, &v, 8);
        sink += b;
    }
    double t_strtod = now() - t0;
    long bad = 0;
    t0 = now();
    for (long i = 0; i < n; i++) {
        double v;
        wnum_parse_double(texts + i * WNUM_DOUBLE_MAX, (size_t)lens[i], &v);
        bad += memcmp(&v, &xs[i], 8) != 0;
    }
    double t_parse = now() - t0;
    double ns = 1e9 / n;
    printf("%s (%ld values):\n", label, n);
    printf("  format: wnum_format_double %6.1f ns   snprintf %%.17g %6.1f ns   (%.1fx)\n", t_format * ns,
           t_snprintf * ns, t_snprintf / t_format);
    printf("  parse:  wnum_parse_double  %6.1f ns   strtod        %6.1f ns   (%.1fx)   round-trip errors: %ld\n",
           t_parse * ns, t_strtod * ns, t_strtod / t_parse, bad);
    free(texts);
    free(lens);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    double *xs = malloc((size_t)n * sizeof *xs);
    if (!xs) return 1;
    for (long i = 0; i < n;) {
        uint64_t b = rnd();
        if (((b >> 52) & 0x7ff) == 0x7ff) continue;
        memcpy(&xs[i++], &b, 8);
    }
    run("random bit patterns", xs, n);
    for (long i = 0; i < n; i++) xs[i] = (double)(rnd() % 1000000) / 100;
    run("prices k/100", xs, n);

    char *ib = malloc((size_t)n * 24);
    int64_t *iv = malloc((size_t)n * sizeof *iv);
    if (!ib || !iv) return 1;
    for (long i = 0; i < n; i++) {
        uint64_t r = rnd();
        iv[i] = (int64_t)(r >> (r & 63));
    }
    double t0 = now();
    for (long i = 0; i < n; i++) wnum_format_i64(iv[i], ib + i * 24);
    double t1 = now();
    for (long i = 0; i < n; i++) sink += (uint64_t)snprintf(ib + i * 24, 24, "%" PRId64, iv[i]);
    double t2 = now();
    for (long i = 0; i < n; i++) {
        int64_t v;
        wnum_parse_i64(ib + i * 24, strlen(ib + i * 24), &v);
        sink += (uint64_t)v;
    }
    double t3 = now();
    for (long i = 0; i < n; i++) sink += (uint64_t)strtoll(ib + i * 24, NULL, 10);
    double t4 = now();
    double ns = 1e9 / n;
    printf("int64 (%ld values, all magnitudes):\n", n);
    printf("  format: wnum_format_i64 %6.1f ns   snprintf %%lld %6.1f ns\n", (t1 - t0) * ns, (t2 - t1) * ns);
    printf("  parse:  wnum_parse_i64  %6.1f ns   strtoll       %6.1f ns   (parse includes strlen)\n",
           (t3 - t2) * ns, (t4 - t3) * ns);
    free(xs);
    free(ib);
    free(iv);
    return 0;
}
