/*
 * test_num.c - core/num: shortest doubles, exact double parsing, integers.
 *
 * Oracles: hand-computed texts; glibc, whose printf ("%.*e", also "%.*Le" for exact expansions of
 * midpoints) and strtod are correctly rounded. The big property test draws doubles from random 64-bit
 * patterns and checks for each: (1) our text reads back to the same bits with our parser and with strtod;
 * (2) no text with fewer significant digits does: every shorter decimal that could lie in the rounding
 * interval (floor and ceiling at that length, found from glibc's correctly rounded text) is tried;
 * (3) among texts of our length we print the one glibc rounds to, whenever that one reads back (when it
 * does not, the interval is lopsided below a power of two and a farther text of that length is the
 * shortest; these are counted); (4) the layout matches num.h, rebuilt here independently.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/num.h"
#include "weir.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t bits_of(double x) {
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}
static double of_bits(uint64_t b) {
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

static const char *fmt(double x) {
    static char buf[WNUM_DOUBLE_MAX];
    int n = wnum_format_double(x, buf);
    if (n != (int)strlen(buf) || n >= WNUM_DOUBLE_MAX) return "(bad length)";
    return buf;
}

/* Parses with wnum_parse_double; returns the bits, or a marker when rejected. */
#define REJECTED UINT64_C(0xdeadbeefdeadbeef)
static uint64_t parse_bits(const char *s) {
    double v;
    if (wnum_parse_double(s, strlen(s), &v) != WEIR_OK) return REJECTED;
    return bits_of(v);
}
static int parse_ok(const char *s) {
    double v;
    return wnum_parse_double(s, strlen(s), &v) == WEIR_OK;
}

/* Splits a decimal text ("-12.5e3", "0.001", "1e-5") into significant digits (no leading or trailing
 * zeros) and the decimal exponent of the first one. Returns the digit count (0 for zero). */
static int decompose(const char *s, char *dig, int *e10) {
    int nd = 0, point = -1, pos = 0, first = -1;
    const char *p = s;
    if (*p == '-' || *p == '+') p++;
    for (; *p && *p != 'e' && *p != 'E'; p++) {
        if (*p == '.') {
            point = pos;
            continue;
        }
        if (first < 0 && *p == '0') {
            pos++;
            continue;
        }
        if (first < 0) first = pos;
        dig[nd++] = *p;
        pos++;
    }
    if (point < 0) point = pos;
    int ex = *p ? atoi(p + 1) : 0;
    while (nd > 0 && dig[nd - 1] == '0') nd--;
    dig[nd] = 0;
    *e10 = first < 0 ? 0 : point - first - 1 + ex;
    return nd;
}

/* num.h's layout, written independently of num.c. */
static void expect_layout(char *out, int neg, const char *dig, int nd, int e) {
    char *p = out;
    if (neg) *p++ = '-';
    if (e >= -4 && e < 16) {
        if (e < 0) {
            p += sprintf(p, "0.");
            for (int i = 0; i < -e - 1; i++) *p++ = '0';
            p += sprintf(p, "%s", dig);
        } else {
            for (int i = 0; i <= e; i++) *p++ = i < nd ? dig[i] : '0';
            *p++ = '.';
            if (nd > e + 1) p += sprintf(p, "%s", dig + e + 1);
            else *p++ = '0';
        }
    } else {
        *p++ = dig[0];
        if (nd > 1) p += sprintf(p, ".%s", dig + 1);
        p += sprintf(p, "e%d", e);
    }
    *p = 0;
}

static int strtod_is(const char *s, double a) { return bits_of(strtod(s, NULL)) == bits_of(a); }

/* Tries mantissa m (may be 0 only as "no candidate") times 10^e: does it read back as a? */
static int cand_roundtrips(uint64_t m, int e, double a) {
    char t[48];
    snprintf(t, sizeof t, "%" PRIu64 "e%d", m, e);
    return strtod_is(t, a);
}

static long n_lopsided; /* values whose shortest text is not glibc's rounding at that length */

/* The property checks for one finite double; returns 0 when all hold, else prints and returns 1. */
static int check_double(double x) {
    char mine[WNUM_DOUBLE_MAX];
    int len = wnum_format_double(x, mine);
    double back;
    if (len != (int)strlen(mine) || wnum_parse_double(mine, (size_t)len, &back) != WEIR_OK ||
        bits_of(back) != bits_of(x) || !strtod_is(mine, x)) {
        fprintf(stderr, "round trip: %016" PRIx64 " -> %s\n", bits_of(x), mine);
        return 1;
    }
    double a = fabs(x);
    char dig[40];
    int e10;
    int nd = decompose(mine, dig, &e10);
    if (a == 0) return strcmp(mine, signbit(x) ? "-0.0" : "0.0") != 0;
    char want[64], t[64];
    /* (2) nothing shorter: floor and ceiling with nd - 1 digits */
    if (nd > 1) {
        snprintf(t, sizeof t, "%.*e", nd - 2, a);
        char d2[40];
        int e2;
        int n2 = decompose(t, d2, &e2);
        /* t as an integer mantissa m2 with exponent e2 - (nd - 2) */
        uint64_t m2 = 0;
        for (int i = 0; i < nd - 1; i++) m2 = m2 * 10 + (uint64_t)(i < n2 ? d2[i] - '0' : 0);
        int ee = e2 - (nd - 2);
        uint64_t pow = 1;
        for (int i = 0; i < nd - 2; i++) pow *= 10;
        if (strtod_is(t, a) || cand_roundtrips(m2 - 1, ee, a) || cand_roundtrips(m2 + 1, ee, a) ||
            (m2 == pow && cand_roundtrips(10 * m2 - 1, ee - 1, a))) {
            fprintf(stderr, "not shortest: %016" PRIx64 " -> %s, yet %s (or a neighbour) reads back\n",
                    bits_of(x), mine, t);
            return 1;
        }
    }
    /* (3) glibc's rounding to nd digits, when it reads back, is what we print */
    snprintf(t, sizeof t, "%.*e", nd - 1, a);
    if (strtod_is(t, a)) {
        char d3[40];
        int e3;
        int n3 = decompose(t, d3, &e3);
        expect_layout(want, signbit(x) != 0, d3, n3, e3);
    } else {
        n_lopsided++;
        expect_layout(want, signbit(x) != 0, dig, nd, e10); /* (4) still: the layout */
    }
    if (strcmp(want, mine)) {
        fprintf(stderr, "text: %016" PRIx64 " -> %s, want %s\n", bits_of(x), mine, want);
        return 1;
    }
    return 0;
}

static void test_format_hand(void) {
    CHECK_EQ_STR(fmt(1.3 * 3), "3.9000000000000004");
    CHECK_EQ_STR(fmt(0.1), "0.1");
    CHECK_EQ_STR(fmt(0.1 + 0.2), "0.30000000000000004");
    CHECK_EQ_STR(fmt(of_bits(1)), "5e-324");
    CHECK_EQ_STR(fmt(-of_bits(1)), "-5e-324");
    CHECK_EQ_STR(fmt(of_bits(2)), "1e-323");
    CHECK_EQ_STR(fmt(of_bits(3)), "1.5e-323");
    CHECK_EQ_STR(fmt(of_bits(12)), "6e-323"); /* 5.93e-323: one digit beats the nearer 5.9e-323 */
    CHECK_EQ_STR(fmt(DBL_MAX), "1.7976931348623157e308");
    CHECK_EQ_STR(fmt(-DBL_MAX), "-1.7976931348623157e308");
    CHECK_EQ_STR(fmt(DBL_MIN), "2.2250738585072014e-308");
    CHECK_EQ_STR(fmt(of_bits(0x000fffffffffffffu)), "2.225073858507201e-308");
    CHECK_EQ_STR(fmt(0.0), "0.0");
    CHECK_EQ_STR(fmt(-0.0), "-0.0");
    CHECK_EQ_STR(fmt(1.0), "1.0");
    CHECK_EQ_STR(fmt(-1.0), "-1.0");
    CHECK_EQ_STR(fmt(100.0), "100.0");
    CHECK_EQ_STR(fmt(1.5), "1.5");
    CHECK_EQ_STR(fmt(123.456), "123.456");
    CHECK_EQ_STR(fmt(1e15), "1000000000000000.0");
    CHECK_EQ_STR(fmt(9007199254740992.0), "9007199254740992.0");
    CHECK_EQ_STR(fmt(9007199254740994.0), "9007199254740994.0");
    CHECK_EQ_STR(fmt(9999999999999998.0), "9999999999999998.0");
    CHECK_EQ_STR(fmt(1e16), "1e16");
    CHECK_EQ_STR(fmt(1.2e16), "1.2e16");
    CHECK_EQ_STR(fmt(12345678901234567890.0), "1.2345678901234567e19");
    CHECK_EQ_STR(fmt(123456789012345.0), "123456789012345.0");
    CHECK_EQ_STR(fmt(123456789012345.6), "123456789012345.6");
    CHECK_EQ_STR(fmt(0.0001), "0.0001");
    CHECK_EQ_STR(fmt(0.00012), "0.00012");
    CHECK_EQ_STR(fmt(1e-5), "1e-5");
    CHECK_EQ_STR(fmt(1.5e-5), "1.5e-5");
    CHECK_EQ_STR(fmt(1e21), "1e21");
    CHECK_EQ_STR(fmt(1e22), "1e22");
    CHECK_EQ_STR(fmt(1e23), "1e23");
    CHECK_EQ_STR(fmt(1e100), "1e100");
    CHECK_EQ_STR(fmt(1e-100), "1e-100");
    CHECK_EQ_STR(fmt(5e-5), "5e-5");
    CHECK_EQ_STR(fmt(2.5), "2.5");
    CHECK_EQ_STR(fmt(0.3), "0.3");
    CHECK_EQ_STR(fmt(2.0 / 3.0), "0.6666666666666666");
    CHECK_EQ_STR(fmt(1.0 / 3.0), "0.3333333333333333");
    CHECK_EQ_STR(fmt(ldexp(1, 60)), "1.152921504606847e18");
    CHECK_EQ_STR(fmt(ldexp(1, -1022)), "2.2250738585072014e-308");
    /* below a power of two the interval is lopsided: a 16-digit text on the wide side reads back
     * (glibc: strtod gives 2^-1017) while the nearest 16-digit text, 7.120236347223044e-307, does not */
    CHECK_EQ_STR(fmt(ldexp(1, -1017)), "7.120236347223045e-307");
    CHECK(strtod("7.120236347223045e-307", NULL) == ldexp(1, -1017));
    CHECK(strtod("7.120236347223044e-307", NULL) != ldexp(1, -1017));
    CHECK_EQ_STR(fmt(NAN), "NaN");
    CHECK_EQ_STR(fmt(-NAN), "NaN");
    CHECK_EQ_STR(fmt(INFINITY), "Infinity");
    CHECK_EQ_STR(fmt(-INFINITY), "-Infinity");
    char buf[WNUM_DOUBLE_MAX];
    CHECK_EQ_INT(wnum_format_double(-2.2250738585072014e-308, buf), 24); /* longest kind of text */
    CHECK_EQ_INT(wnum_format_double(-0.00012345678901234567, buf), 23);
}

static void test_parse_hand(void) {
    CHECK(parse_bits("0.1") == bits_of(0.1));
    CHECK(parse_bits("3.9000000000000004") == bits_of(1.3 * 3));
    CHECK(parse_bits("3.9") != bits_of(1.3 * 3));
    CHECK(parse_bits("5e-324") == 1);
    CHECK(parse_bits("4.9406564584124654e-324") == 1);
    CHECK(parse_bits("2.4703282292062327e-324") == 0);       /* just under 2^-1075 */
    CHECK(parse_bits("2.4703282292062328e-324") == 1);       /* just over */
    CHECK(parse_bits("1.7976931348623157e308") == bits_of(DBL_MAX));
    CHECK(parse_bits("1.7976931348623158e308") == bits_of(DBL_MAX)); /* below the midpoint to 2^1024 */
    CHECK(parse_bits("1.7976931348623159e308") == bits_of(INFINITY));
    CHECK(parse_bits("2.2250738585072011e-308") == 0x000fffffffffffffu); /* below the midpoint */
    CHECK(parse_bits("2.2250738585072012e-308") == bits_of(DBL_MIN));   /* above it */
    CHECK(parse_bits("2.2250738585072014e-308") == bits_of(DBL_MIN));
    CHECK(parse_bits("-0.0") == bits_of(-0.0));
    CHECK(parse_bits("-0") == bits_of(-0.0));
    CHECK(parse_bits("0") == 0);
    CHECK(parse_bits("0e999999999999999999") == 0);
    CHECK(parse_bits("1e16") == bits_of(1e16));
    CHECK(parse_bits("123456789012345.0") == bits_of(123456789012345.0));
    CHECK(parse_bits("0.0001") == bits_of(0.0001));
    CHECK(parse_bits("1e-5") == bits_of(1e-5));
    CHECK(parse_bits("1e23") == bits_of(1e23));
    CHECK(parse_bits("8.98846567431158e307") == bits_of(ldexp(1, 1023)));
    /* 2^53 + 1 and 2^53 + 3 are halfway: ties go to the even significand */
    CHECK(parse_bits("9007199254740993") == bits_of(9007199254740992.0));
    CHECK(parse_bits("9007199254740995") == bits_of(9007199254740996.0));
    CHECK(parse_bits("9007199254740993.0000000000000000000001") == bits_of(9007199254740994.0));
    CHECK(parse_bits("9007199254740992.9999999999999999999999") == bits_of(9007199254740992.0));
    CHECK(parse_bits("90071992547409930e-1") == bits_of(9007199254740992.0));
    /* 1 + 2^-53, the midpoint between 1 and the next double, exactly: even (1) wins */
    CHECK(parse_bits("1.00000000000000011102230246251565404236316680908203125") == bits_of(1.0));
    CHECK(parse_bits("1.00000000000000011102230246251565404236316680908203126") ==
          bits_of(1.0000000000000002));
    CHECK(parse_bits("1.00000000000000011102230246251565404236316680908203124") == bits_of(1.0));
    /* 800-digit inputs */
    char big[1200];
    memset(big, '9', 800);
    strcpy(big + 800, "e-800"); /* 1 - 10^-800 */
    CHECK(parse_bits(big) == bits_of(1.0));
    strcpy(big, "1.00000000000000011102230246251565404236316680908203125");
    size_t l = strlen(big);
    memset(big + l, '0', 800 - l);
    strcpy(big + 799, "1"); /* the midpoint plus 10^-799: rounds up */
    CHECK(strlen(big) == 800);
    CHECK(parse_bits(big) == bits_of(1.0000000000000002));
    big[799] = '0'; /* the midpoint itself, 800 digits long */
    CHECK(parse_bits(big) == bits_of(1.0));
    strcpy(big, "0.");
    memset(big + 2, '0', 400);
    strcpy(big + 402, "1e400"); /* 10^-401 * 10^400 */
    CHECK(parse_bits(big) == bits_of(0.1));
    memset(big, '0', 790);
    strcpy(big + 790, "12.5e-2"); /* leading zeros are not significant */
    CHECK(parse_bits(big) == bits_of(0.125));
    /* out of range */
    CHECK(parse_bits("1e400") == bits_of(INFINITY));
    CHECK(parse_bits("-1e400") == bits_of(-INFINITY));
    CHECK(parse_bits("1e-400") == 0);
    CHECK(parse_bits("-1e-400") == bits_of(-0.0));
    CHECK(parse_bits("1e99999999999999999999999") == bits_of(INFINITY));
    CHECK(parse_bits("1e-99999999999999999999999") == 0);
    CHECK(parse_bits("0.000000000000000000000000000001e330") == bits_of(1e300));
    CHECK(parse_bits("1000000000000000000000000000000e-330") == bits_of(1e-300));
    /* accepted syntax */
    CHECK(parse_bits("+1") == bits_of(1.0));
    CHECK(parse_bits(".5") == bits_of(0.5));
    CHECK(parse_bits("-.5") == bits_of(-0.5));
    CHECK(parse_bits("5.") == bits_of(5.0));
    CHECK(parse_bits("-5.e-1") == bits_of(-0.5));
    CHECK(parse_bits("1E5") == bits_of(1e5));
    CHECK(parse_bits("1e+05") == bits_of(1e5));
    CHECK(parse_bits("007") == bits_of(7.0));
    CHECK(parse_bits("Infinity") == bits_of(INFINITY));
    CHECK(parse_bits("-Infinity") == bits_of(-INFINITY));
    CHECK(parse_bits("+INFINITY") == bits_of(INFINITY));
    CHECK(parse_bits("inf") == bits_of(INFINITY));
    CHECK(parse_bits("-Inf") == bits_of(-INFINITY));
    double v = 0;
    CHECK(wnum_parse_double("NaN", 3, &v) == WEIR_OK && isnan(v));
    CHECK(wnum_parse_double("nan", 3, &v) == WEIR_OK && isnan(v));
    CHECK(wnum_parse_double("-NAN", 4, &v) == WEIR_OK && isnan(v));
    /* exactly n bytes are read */
    CHECK(wnum_parse_double("1.5junk", 3, &v) == WEIR_OK && v == 1.5);
    CHECK(wnum_parse_double("1.5", 1, &v) == WEIR_OK && v == 1.0);
    /* rejected syntax */
    static const char *bad[] = {"",    "-",    "+",        "1e",       ".",         "e5",   "1.2.3", " 1",
                                "1 ",  "0x10", "1e+",      "1e-",      "--1",       "+-1",  "nan1",  "infinit",
                                "Infinityy", "1_0", "1,5", ".e1",      "1e1.5",     "-.",   "+.e5",  "in",
                                "NaNa", "1f",  "1d",       "0b1",      "1e 5",      "1.e",  "١"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse_ok(bad[i])) fprintf(stderr, "accepted bad text \"%s\"\n", bad[i]);
        CHECK(!parse_ok(bad[i]));
    }
    CHECK(wnum_parse_double("1\0" "5", 3, &v) == WEIR_PARSE); /* an embedded NUL is a bad byte */
}

static void test_integers(void) {
    int64_t v = 0;
    int32_t v32 = 0;
    CHECK(wnum_parse_i64("9223372036854775807", 19, &v) == WEIR_OK && v == INT64_MAX);
    CHECK(wnum_parse_i64("-9223372036854775808", 20, &v) == WEIR_OK && v == INT64_MIN);
    CHECK(wnum_parse_i64("9223372036854775808", 19, &v) == WEIR_PARSE);
    CHECK(wnum_parse_i64("-9223372036854775809", 20, &v) == WEIR_PARSE);
    CHECK(wnum_parse_i64("18446744073709551616", 20, &v) == WEIR_PARSE);
    CHECK(wnum_parse_i64("99999999999999999999999", 23, &v) == WEIR_PARSE);
    CHECK(wnum_parse_i64("0000000000000000000000000012", 28, &v) == WEIR_OK && v == 12);
    CHECK(wnum_parse_i64("+42", 3, &v) == WEIR_OK && v == 42);
    CHECK(wnum_parse_i64("-0", 2, &v) == WEIR_OK && v == 0);
    CHECK(wnum_parse_i64("", 0, &v) == WEIR_PARSE);
    CHECK(wnum_parse_i64("-", 1, &v) == WEIR_PARSE);
    CHECK(wnum_parse_i64("+", 1, &v) == WEIR_PARSE);
    CHECK(wnum_parse_i64("1a", 2, &v) == WEIR_PARSE);
    CHECK(wnum_parse_i64("1.0", 3, &v) == WEIR_PARSE);
    CHECK(wnum_parse_i64(" 1", 2, &v) == WEIR_PARSE);
    CHECK(wnum_parse_i64("12345678901234567890x", 21, &v) == WEIR_PARSE);
    CHECK(wnum_parse_i32("2147483647", 10, &v32) == WEIR_OK && v32 == INT32_MAX);
    CHECK(wnum_parse_i32("-2147483648", 11, &v32) == WEIR_OK && v32 == INT32_MIN);
    CHECK(wnum_parse_i32("2147483648", 10, &v32) == WEIR_PARSE);
    CHECK(wnum_parse_i32("-2147483649", 11, &v32) == WEIR_PARSE);
    char buf[24], want[32];
    CHECK(wnum_format_i64(INT64_MIN, buf) == 20 && !strcmp(buf, "-9223372036854775808"));
    CHECK(wnum_format_i64(INT64_MAX, buf) == 19 && !strcmp(buf, "9223372036854775807"));
    CHECK(wnum_format_i64(0, buf) == 1 && !strcmp(buf, "0"));
    CHECK(wnum_format_i64(-7, buf) == 2 && !strcmp(buf, "-7"));
    long bad = 0;
    for (int64_t x = -1000; x <= 1000; x++) { /* around the 0..99 shortcut */
        int n = wnum_format_i64(x, buf);
        snprintf(want, sizeof want, "%" PRId64, x);
        if (strcmp(buf, want) || n != (int)strlen(want)) bad++;
    }
    for (int i = 0; i < 1000000; i++) {
        uint64_t r = rnd();
        int64_t x = (int64_t)(r >> (r & 63)); /* all magnitudes */
        if (r & 64) x = -x;
        int n = wnum_format_i64(x, buf);
        snprintf(want, sizeof want, "%" PRId64, x);
        int64_t back = 0;
        if (strcmp(buf, want) || n != (int)strlen(want) || wnum_parse_i64(buf, (size_t)n, &back) || back != x)
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

/* Hand-picked bit patterns: every exponent with the edge significands (0 is the lopsided interval
 * below a power of two, which random bits never hit). */
static void test_all_exponents(void) {
    long bad = 0, n = 0;
    for (uint64_t be = 0; be < 2047; be++) {
        uint64_t ms[] = {0, 1, 2, 3, 4, 5, (UINT64_C(1) << 52) - 1, (UINT64_C(1) << 52) - 2,
                         UINT64_C(1) << 51, rnd() >> 12, rnd() >> 12, rnd() >> 40};
        for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
            if (be == 0 && ms[i] == 0) continue;
            bad += check_double(of_bits(be << 52 | ms[i]));
            bad += check_double(-of_bits(be << 52 | ms[i]));
            n += 2;
        }
    }
    /* small integers and their neighbours, decimal-looking values */
    for (int i = 1; i < 100000; i++) {
        bad += check_double(i);
        bad += check_double(i / 10.0);
        bad += check_double(i / 1000.0);
        bad += check_double(i * 1e-300);
        bad += check_double(i * 1e300 * 1e-5);
        bad += check_double(nextafter(i, 0));
        n += 6;
    }
    for (int e = -325; e <= 308; e++) {
        char t[32];
        snprintf(t, sizeof t, "1e%d", e);
        double p = strtod(t, NULL);
        if (p == 0) continue;
        bad += check_double(p) + check_double(nextafter(p, 0)) + check_double(nextafter(p, INFINITY));
        n += 3;
    }
    printf("edge doubles: %ld checked (%ld lopsided), %ld bad\n", n, n_lopsided, bad);
    CHECK_EQ_INT(bad, 0);
}

/* Short decimals (the usual data: prices, rates) take num.c's short_decimal shortcut: D * 10^-k for every
 * k up to and past its 8-digit limit and D of every size up to and past the 2^50 bound where it gives up,
 * read with strtod, and each value's two neighbours (which must not take it wrongly); the oracle is
 * check_double's (glibc). */
static void test_short_decimals(void) {
    long bad = 0, n = 0;
    for (long i = 0; i < 400000; i++) {
        uint64_t r = rnd();
        int k = (int)(r % 11);
        uint64_t d = (rnd() >> (r >> 8 & 63)) % (UINT64_C(1) << 54);
        if (d == 0) d = 1;
        char t[48];
        snprintf(t, sizeof t, "%s%" PRIu64 "e-%d", (r >> 16) & 1 ? "-" : "", d, k);
        double x = strtod(t, NULL);
        bad += check_double(x) + check_double(nextafter(x, 0)) + check_double(nextafter(x, INFINITY));
        n += 3;
    }
    const char *hand[][2] = {{"6.4", "6.4"}, {"19.99", "19.99"}, {"0.001", "0.001"}, {"1e-4", "0.0001"},
                             {"0.12345678", "0.12345678"}, {"0.123456789", "0.123456789"},
                             {"112589990684262.4", "112589990684262.4"}, {"1125899906842.624", "1125899906842.624"},
                             {"-2.5", "-2.5"}, {"123456789012345.6", "123456789012345.6"}};
    for (size_t i = 0; i < sizeof hand / sizeof hand[0]; i++) {
        const char *got = fmt(strtod(hand[i][0], NULL));
        if (strcmp(got, hand[i][1])) {
            fprintf(stderr, "short decimal %s -> %s, want %s\n", hand[i][0], got, hand[i][1]);
            bad++;
        }
    }
    printf("short decimals: %ld checked, %ld bad\n", n, bad);
    CHECK_EQ_INT(bad, 0);
}

static void test_random_doubles(void) {
    /* 10 million as the issue asks; 1 million under the sanitizers (WEIR_SANITIZED), which run the
     * same code about ten times slower, so that CI stays within its time limit. */
    long count = getenv("WEIR_SANITIZED") ? 1000000 : 10000000;
    long bad = 0, n = 0, subnormal = 0;
    n_lopsided = 0;
    for (long i = 0; i < count; i++) {
        uint64_t b = rnd();
        if (((b >> 52) & 0x7ff) == 0x7ff) continue; /* NaN and infinities */
        if (((b >> 52) & 0x7ff) == 0) subnormal++;
        n++;
        if (check_double(of_bits(b)) && ++bad > 20) break;
    }
    printf("random doubles: %ld checked (%ld subnormal, %ld lopsided), %ld bad\n", n, subnormal, n_lopsided,
           bad);
    CHECK_EQ_INT(bad, 0);
    CHECK(n >= count - count / 1000);
}

/* Random decimal texts parsed by us and by strtod, bit for bit. */
static void test_random_texts(void) {
    long count = getenv("WEIR_SANITIZED") ? 300000 : 2000000;
    long bad = 0;
    char t[128];
    for (long i = 0; i < count; i++) {
        uint64_t r = rnd();
        int nd = 1 + (int)(r % 30);
        int point = (int)((r >> 8) % (uint64_t)(nd + 1));
        int ex = (int)((r >> 16) % 700) - 360;
        char *p = t;
        if (r & (1u << 30)) *p++ = '-';
        uint64_t dr = rnd();
        for (int j = 0; j < nd; j++) {
            if (j == point) *p++ = '.';
            if (j % 16 == 15) dr = rnd();
            *p++ = (char)('0' + dr % 10);
            dr /= 10;
        }
        if (r & (1u << 31)) p += sprintf(p, "e%d", ex); /* half with an exponent */
        else if (point == nd) *p++ = '.';
        *p = 0;
        uint64_t got = parse_bits(t);
        if (got != bits_of(strtod(t, NULL))) {
            if (++bad < 10) fprintf(stderr, "parse %s: %016" PRIx64 " vs strtod\n", t, got);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* Exact midpoints between neighbouring doubles (long double holds them exactly; glibc prints them
 * exactly), and the same plus or minus a hair: the hard cases of parsing. */
static void test_midpoints(void) {
    int count = getenv("WEIR_SANITIZED") ? 2000 : 20000;
    long bad = 0;
    static char t[1300];
    for (int i = 0; i < count; i++) {
        uint64_t b = rnd() & 0x7fffffffffffffffu;
        if (i % 4 == 0) b = (b & 0x800fffffffffffffu) | (uint64_t)(rnd() % 60) << 52; /* subnormal side */
        if (i % 4 == 1) b &= 0x001fffffffffffffu;                                    /* 2^-1074.. */
        if (((b >> 52) & 0x7ff) >= 0x7fe) continue;
        double lo = of_bits(b), hi = of_bits(b + 1);
        long double mid = ((long double)lo + (long double)hi) / 2;
        snprintf(t, sizeof t, "%.1150Le", mid); /* exact: 1150 fraction digits cover 2^-1075 */
        char *e = strchr(t, 'e');
        char ex[16];
        snprintf(ex, sizeof ex, "%s", e);
        /* a hair above: a 1 after all 1150 digits */
        static char up[1300];
        snprintf(up, sizeof up, "%.*s1%s", (int)(e - t), t, ex);
        /* the midpoint itself, trailing zeros dropped */
        char *z = e;
        while (z[-1] == '0') z--;
        strcpy(z, ex);
        uint64_t want = bits_of(strtod(t, NULL));
        if (want != ((b & 1) ? b + 1 : b)) bad++; /* the oracle itself: ties to even */
        if (parse_bits(t) != want) {
            if (++bad < 10) fprintf(stderr, "midpoint %s\n", t);
        }
        if (parse_bits(up) != b + 1) {
            if (++bad < 10) fprintf(stderr, "above midpoint %s\n", up);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* Texts of 17, 18 and 19 significant digits at and around the rounding boundaries of random doubles (each
 * double x, the midpoint to its upper neighbour, both shifted by +-ulp * 2^-k for k = 1..11, exact in a
 * long double): the bits below the mantissa of the parser's product then take every value near the half
 * unit and near all ones, where num.c's one-product shortcut must hand over to the full product. Parsed
 * by us and by strtod, bit for bit (subnormals and the ends of the range included). */
static void test_near_boundaries(void) {
    int count = getenv("WEIR_SANITIZED") ? 3000 : 30000;
    long bad = 0, n = 0;
    for (int i = 0; i < count; i++) {
        uint64_t b = rnd() & 0x7fffffffffffffffu;
        if (i % 8 == 0) b &= 0x001fffffffffffffu; /* subnormals and the smallest normals */
        if (i % 8 == 1) b = (b & 0x000fffffffffffffu) | (uint64_t)(2000 + rnd() % 46) << 52; /* near the top */
        if (i % 8 == 2) b |= 0x000ffffffffffff0u; /* mantissas of all ones */
        if (((b >> 52) & 0x7ff) >= 0x7fe) continue;
        long double x = of_bits(b), ulp = (long double)of_bits(b + 1) - x;
        for (int base = 0; base < 2; base++) {
            long double c = base ? x + ulp / 2 : x;
            for (int k = 0; k <= 22; k++) {
                long double v = k == 0 ? c : (k & 1 ? c + ulp / (2 << (k / 2)) : c - ulp / (2 << (k / 2)));
                if (v <= 0) continue;
                for (int digits = 17; digits <= 19; digits++) {
                    char t[64];
                    snprintf(t, sizeof t, "%.*Le", digits - 1, v);
                    uint64_t got = parse_bits(t), want = bits_of(strtod(t, NULL));
                    n++;
                    if (got != want && ++bad < 10) fprintf(stderr, "near boundary %s: %016" PRIx64 " vs %016" PRIx64 "\n", t, got, want);
                }
            }
        }
    }
    printf("near rounding boundaries: %ld texts, %ld bad\n", n, bad);
    CHECK_EQ_INT(bad, 0);
    CHECK(n > count * 100);
}

/* wnum_scan_double (the decoders' fast path) against wnum_parse_double and strtod: random plain decimals
 * (signs, leading zeros, 1 to 24 digits, the point anywhere or absent, 17-digit prices, texts a hair from
 * a rounding boundary), each followed by a terminator byte and, half of the time, up to 47 more bytes (the
 * room the reader needs for its wide loads). When it returns an end, the text up to there
 * must parse to the same bits with both; it must return the whole text for every plain decimal of up to
 * 19 digits (bar the rare boundary cases it hands back), and NULL or a shorter prefix for anything else. */
static void test_scan_double(void) {
    long count = getenv("WEIR_SANITIZED") ? 200000 : 2000000;
    long bad = 0, handed_back = 0, plain = 0;
    char t[160];
    static const char terms[] = ",\n\r;x|e";
    for (long i = 0; i < count; i++) {
        uint64_t r = rnd();
        char *p = t;
        int sign = (int)(r % 3);
        if (sign == 1) *p++ = '-';
        if (sign == 2) *p++ = '+';
        int kind = (int)((r >> 2) % 8), nd = 0;
        if (kind == 0) { /* the seed's prices: %.17g of k/100*10 */
            p += sprintf(p, "%.17g", (double)(rnd() % 101) / 100.0 * 10.0);
        } else if (kind == 1) { /* 19 significant digits of a value near a midpoint between doubles */
            double lo = of_bits(rnd() % 0x7fe0000000000000u);
            long double mid = ((long double)lo + (long double)nextafter(lo, INFINITY)) / 2;
            char tmp[64];
            snprintf(tmp, sizeof tmp, "%.18Le", mid);
            double back = strtod(tmp, NULL);
            if (back >= 1e-19 && back < 1e19) p += sprintf(p, "%.19Lf", mid); /* plain layout only */
            else p += sprintf(p, "%s", "1.5");
            if (strlen(t) > 40) { p = t + (sign ? 1 : 0); p += sprintf(p, "%.12f", (double)(rnd() % 1000000) / 7.0); }
        } else {
            nd = 1 + (int)((r >> 5) % 24);
            int point = (int)((r >> 10) % (uint64_t)(nd + 2)) - 1; /* -1: no point */
            int zeros = (int)((r >> 16) % 4);
            uint64_t dr = rnd();
            for (int j = 0; j < nd; j++) {
                if (j == point) *p++ = '.';
                if (j % 16 == 15) dr = rnd();
                *p++ = j < zeros ? '0' : (char)('0' + dr % 10);
                dr /= 10;
            }
            if (point == nd) *p++ = '.';
        }
        size_t n = (size_t)(p - t);
        *p++ = terms[(r >> 20) % (sizeof terms - 1)];
        if ((r >> 24) % 2) /* more bytes after the terminator: room for the reader's wide loads */
            for (int j = (int)((r >> 25) % 48); j > 0; j--) *p++ = "0123456789.,e-"[rnd() % 14];
        *p = 0;
        const char *end = p;
        double got = 0, want = 0;
        const char *q = wnum_scan_double(t, end, &got);
        /* digits in the number text (a plain decimal: sign, digits, at most one point) */
        int digits = 0, points = 0, other = 0;
        for (size_t j = (t[0] == '-' || t[0] == '+'); j < n; j++) {
            if (t[j] >= '0' && t[j] <= '9') digits++;
            else if (t[j] == '.') points++;
            else other++;
        }
        int is_plain = !other && points <= 1 && digits >= 1 && digits <= 19 && t[n] != 'e';
        if (is_plain) plain++;
        if (!q) {
            if (is_plain) handed_back++;
            continue;
        }
        size_t m = (size_t)(q - t);
        if (m > n || (is_plain && m != n) || wnum_parse_double(t, m, &want) || bits_of(got) != bits_of(want)) {
            if (++bad < 10) fprintf(stderr, "scan %s: end %zu of %zu, %.17g vs %.17g\n", t, m, n, got, want);
            continue;
        }
        char z[160];
        snprintf(z, sizeof z, "%.*s", (int)m, t);
        if (bits_of(strtod(z, NULL)) != bits_of(got) && ++bad < 10) fprintf(stderr, "scan %s vs strtod\n", z);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(plain > count / 2);
    CHECK(handed_back <= plain / 1000); /* the fast path is taken (boundary cases are ~2^-60 of inputs) */
    /* hand-made cases: where it stops, and what it refuses */
    double v = 1;
    const char *s1 = "3.9000000000000004,";
    CHECK(wnum_scan_double(s1, s1 + strlen(s1), &v) == s1 + 18 && v == 3.9000000000000004);
    const char *s2 = "-0.0\n";
    CHECK(wnum_scan_double(s2, s2 + 5, &v) == s2 + 4 && v == 0 && signbit(v));
    const char *s3 = "1e5,";
    CHECK(wnum_scan_double(s3, s3 + 4, &v) == NULL);
    const char *s4 = "12345678901234567890,"; /* 20 digits: the general parser's job */
    CHECK(wnum_scan_double(s4, s4 + 21, &v) == NULL);
    const char *s5 = "-,";
    CHECK(wnum_scan_double(s5, s5 + 2, &v) == NULL);
    const char *s6 = ".,";
    CHECK(wnum_scan_double(s6, s6 + 2, &v) == NULL);
    const char *s7 = "5.";
    CHECK(wnum_scan_double(s7, s7 + 2, &v) == s7 + 2 && v == 5);
    const char *s8 = "+.25";
    CHECK(wnum_scan_double(s8, s8 + 4, &v) == s8 + 4 && v == 0.25);
    const char *s9 = "12345678/1";    /* a byte just below '0' inside an 8-byte block */
    CHECK(wnum_scan_double(s9, s9 + 10, &v) == s9 + 8 && v == 12345678);
    const char *s10 = "1234567:12";   /* and just above '9' */
    CHECK(wnum_scan_double(s10, s10 + 10, &v) == s10 + 7 && v == 1234567);
}

/* The writers' memo (wnum_format_double_memo) gives wnum_format_double's text and length: values drawn
 * from pools smaller and larger than the memo (hits, misses, evictions), with 0.0 and -0.0, two NaNs and
 * texts too long to be kept (23 bytes and more); then distinct values, for which the memo steps aside,
 * and a small pool again, for which it comes back. */
static void test_format_memo(void) {
    static WNumMemo memo; /* zeroed */
    double pool[600];
    int np = 0;
    pool[np++] = 0.0;
    pool[np++] = -0.0;
    pool[np++] = of_bits(UINT64_C(0x7ff8000000000001));
    pool[np++] = of_bits(UINT64_C(0xfff8000000000000));
    pool[np++] = -2.2250738585072014e-308; /* 24 bytes: not kept */
    pool[np++] = -1.7976931348623157e308;
    while (np < 600) {
        uint64_t r = rnd();
        pool[np++] = r & 1 ? (double)(r >> 8 & 0xffff) / 100 : of_bits(rnd()); /* prices, any bits */
    }
    long bad = 0, n = 0;
    const int sizes[5] = {50, 250, 600, 0, 50}; /* pool prefixes: fits, about full, too big; distinct; fits */
    long used[5] = {0}, bypassed[5] = {0};
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 200000; i++, n++) {
            double x = sizes[round] ? pool[rnd() % (uint64_t)sizes[round]] : of_bits(rnd() & ~(UINT64_C(1) << 62));
            char want[WNUM_DOUBLE_MAX], got[WNUM_DOUBLE_MAX];
            int wn = wnum_format_double(x, want);
            uint64_t bits = bits_of(x);
            WNumMemoEntry *set = memo.e[(bits * UINT64_C(0x9e3779b97f4a7c15)) >> 57];
            if (memo.bypass) bypassed[round]++;
            else used[round] += (set[0].len && set[0].bits == bits) || (set[1].len && set[1].bits == bits);
            int gn = wnum_format_double_memo(&memo, x, got);
            if (gn != wn || memcmp(got, want, (size_t)wn + 1)) {
                if (bad++ < 5) fprintf(stderr, "memo: %016" PRIx64 " -> %.*s, want %s\n", bits, gn, got, want);
            }
        }
    }
    printf("format memo: %ld values, %ld bad; from the memo per round: %ld %ld %ld %ld %ld; bypassed in the "
           "distinct round: %ld\n", n, bad, used[0], used[1], used[2], used[3], used[4], bypassed[3]);
    CHECK_EQ_INT(bad, 0);
    int keep50 = 0; /* values of the small pool whose text is short enough to be kept */
    for (int i = 0; i < 50; i++) {
        char t[WNUM_DOUBLE_MAX];
        keep50 += wnum_format_double(pool[i], t) < 23;
    }
    /* small pools come from the memo (but for the first use of each value, sets holding three of them, and
     * in the last round the end of the bypass) */
    CHECK(used[0] > 200000 / 50 * keep50 * 85 / 100 && used[4] > 200000 / 50 * keep50 * 50 / 100);
    CHECK(used[2] > 40000); /* a pool larger than the memo still hits */
    CHECK(bypassed[3] > 150000 && bypassed[0] == 0);
}

int main(void) {
    test_format_hand();
    test_parse_hand();
    test_integers();
    test_all_exponents();
    test_midpoints();
    test_random_texts();
    test_near_boundaries();
    test_scan_double();
    test_short_decimals();
    test_format_memo();
    test_random_doubles();
    return check_summary();
}
