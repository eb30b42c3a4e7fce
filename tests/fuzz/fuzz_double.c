/*
 * fuzz_double.c - libFuzzer target for core/num's double text conversions.
 *
 * The input bytes are parsed as a double; when accepted and finite, the value is printed and read back,
 * which must give the same bits, and strtod (glibc, correctly rounded) must agree with the parse whenever
 * the bytes are plain decimal text. The first 8 bytes are also taken as a double's bit pattern: printed,
 * read back, compared. The decoders' fast path wnum_scan_double must, when it takes a prefix of the bytes,
 * give what wnum_parse_double gives for that prefix. Any difference aborts.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "weir.h"

static void roundtrip(double x) {
    char buf[WNUM_DOUBLE_MAX];
    int n = wnum_format_double(x, buf);
    if (n <= 0 || n >= WNUM_DOUBLE_MAX || (size_t)n != strlen(buf)) abort();
    double back;
    if (wnum_parse_double(buf, (size_t)n, &back) != WEIR_OK) abort();
    if (isnan(x)) {
        if (!isnan(back)) abort();
        return;
    }
    if (memcmp(&back, &x, sizeof x)) {
        fprintf(stderr, "round trip %a -> %s -> %a\n", x, buf, back);
        abort();
    }
}

/* Plain decimal text (digits, one point, e and signs) that strtod reads the same way. */
static int plain_decimal(const uint8_t *d, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789.eE+-", d[i]) || d[i] == 0) return 0;
    return n > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    double v;
    int rc = wnum_parse_double((const char *)data, size, &v);
    if (rc == WEIR_OK) {
        if (isfinite(v)) roundtrip(v);
        if (plain_decimal(data, size)) {
            char *z = malloc(size + 1);
            if (!z) return 0;
            memcpy(z, data, size);
            z[size] = 0;
            char *end;
            double s = strtod(z, &end);
            if (*end || memcmp(&s, &v, sizeof v)) {
                fprintf(stderr, "%s: ours %a, strtod %a (consumed %zu of %zu)\n", z, v, s, (size_t)(end - z), size);
                abort();
            }
            free(z);
        }
    } else if (rc != WEIR_PARSE) {
        abort();
    }
    double f;
    const char *q = wnum_scan_double((const char *)data, (const char *)data + size, &f);
    if (q) {
        double g;
        if (q < (const char *)data || q > (const char *)data + size) abort();
        if (wnum_parse_double((const char *)data, (size_t)(q - (const char *)data), &g) != WEIR_OK ||
            memcmp(&f, &g, sizeof f))
            abort();
    }
    if (size >= 8) {
        double x;
        memcpy(&x, data, sizeof x);
        roundtrip(x);
    }
    return 0;
}
