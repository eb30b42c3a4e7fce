/*
 * num.c - number <-> text (see num.h).
 *
 * Printing searches the shortest precision (1..17 significant digits) whose text reads back to the same
 * bits; parsing validates the syntax itself and leaves the correctly rounded conversion to strtod.
 */
#include "core/num.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "weir.h"

/* Lays out digits d[0..nd) with decimal exponent e (value = d.ddd * 10^e) per num.h's rules. */
static int layout(char *buf, int neg, const char *d, int nd, int e) {
    char *p = buf;
    if (neg) *p++ = '-';
    if (e >= -4 && e < 16) {
        if (e < 0) {
            *p++ = '0';
            *p++ = '.';
            for (int i = -1; i > e; i--) *p++ = '0';
            memcpy(p, d, (size_t)nd);
            p += nd;
        } else {
            for (int i = 0; i <= e; i++) *p++ = i < nd ? d[i] : '0';
            *p++ = '.';
            if (nd > e + 1) {
                memcpy(p, d + e + 1, (size_t)(nd - e - 1));
                p += nd - e - 1;
            } else {
                *p++ = '0';
            }
        }
    } else {
        *p++ = d[0];
        if (nd > 1) {
            *p++ = '.';
            memcpy(p, d + 1, (size_t)(nd - 1));
            p += nd - 1;
        }
        p += sprintf(p, "e%d", e);
    }
    *p = 0;
    return (int)(p - buf);
}

int wnum_format_double(double x, char *buf) {
    if (isnan(x)) return (int)(strcpy(buf, "NaN"), 3);
    if (isinf(x)) return x < 0 ? (strcpy(buf, "-Infinity"), 9) : (strcpy(buf, "Infinity"), 8);
    int neg = signbit(x) != 0;
    double a = fabs(x);
    if (a == 0) return layout(buf, neg, "0", 1, 0);
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, a);
        if (strtod(tmp, NULL) == a) break;
    }
    /* tmp is "d.ddde[+-]XX" or "de[+-]XX" */
    char digits[20];
    int nd = 0;
    const char *q = tmp;
    for (; *q && *q != 'e'; q++)
        if (*q != '.') digits[nd++] = *q;
    int e = atoi(q + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    return layout(buf, neg, digits, nd, e);
}

/* Checks the decimal syntax; returns 1 when s[0..n) is a number strtod must convert. */
static int valid_decimal(const char *s, size_t n) {
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
    }
    if (!digits) return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++, ed++;
        if (!ed) return 0;
    }
    return i == n;
}

int wnum_parse_double(const char *s, size_t n, double *out) {
    if (n == 0) return WEIR_PARSE;
    size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
    int neg = s[0] == '-';
    const char *w = s + i;
    size_t wn = n - i;
    if ((wn == 3 && !strncasecmp(w, "nan", 3))) { *out = neg ? -NAN : NAN; return WEIR_OK; }
    if ((wn == 8 && !strncasecmp(w, "infinity", 8)) || (wn == 3 && !strncasecmp(w, "inf", 3))) {
        *out = neg ? -INFINITY : INFINITY;
        return WEIR_OK;
    }
    if (!valid_decimal(s, n)) return WEIR_PARSE;
    char small[128];
    char *z = n < sizeof small ? small : malloc(n + 1);
    if (!z) return WEIR_NOMEM;
    memcpy(z, s, n);
    z[n] = 0;
    *out = strtod(z, NULL);
    if (z != small) free(z);
    return WEIR_OK;
}

int wnum_parse_i64(const char *s, size_t n, int64_t *out) {
    size_t i = 0;
    int neg = 0;
    if (n && (s[0] == '+' || s[0] == '-')) neg = s[i++] == '-';
    if (i == n) return WEIR_PARSE;
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9) return WEIR_PARSE;
        if (v > (limit - d) / 10) return WEIR_PARSE;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return WEIR_OK;
}

int wnum_parse_i32(const char *s, size_t n, int32_t *out) {
    int64_t v;
    if (wnum_parse_i64(s, n, &v) || v < INT32_MIN || v > INT32_MAX) return WEIR_PARSE;
    *out = (int32_t)v;
    return WEIR_OK;
}

int wnum_format_i64(int64_t v, char *buf) {
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do tmp[n++] = (char)('0' + u % 10); while (u /= 10);
    int len = 0;
    if (v < 0) buf[len++] = '-';
    while (n) buf[len++] = tmp[--n];
    buf[len] = 0;
    return len;
}
