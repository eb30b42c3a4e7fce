/*
 * test_time.c - timestamps, dates, time zones and Spark patterns (core/time.h).
 *
 * Expected values are computed by hand (noted next to each case) or come from an independent oracle:
 * glibc's localtime_r/mktime with TZ set, for the time zone cross-check. Random cases use a fixed seed.
 */
#include "check.h"
#include "core/time.h"

#include <stdlib.h>
#include <time.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}
static int64_t rnd_range(int64_t lo, int64_t hi) { return lo + (int64_t)(rnd() % (uint64_t)(hi - lo)); }

static WTz *zone(const char *name) {
    WTz *z = NULL;
    WErr err;
    werr_init(&err);
    int rc = wtz_open(name, &z, &err);
    CHECK_EQ_INT(rc, WEIR_OK);
    if (rc) fprintf(stderr, "  wtz_open(%s): %s\n", name, err.msg);
    return z;
}

static void ts_ok(const char *s, const WTz *tz, int64_t want) {
    int64_t got = 12345;
    int rc = wtime_parse_timestamp(s, strlen(s), tz, &got);
    CHECK_EQ_INT(rc, WEIR_OK);
    if (rc) fprintf(stderr, "  text was: %s\n", s);
    CHECK_EQ_INT(got, want);
    if (got != want) fprintf(stderr, "  text was: %s\n", s);
}

static void ts_bad_n(const char *s, size_t n) {
    int64_t got;
    int rc = wtime_parse_timestamp(s, n, NULL, &got);
    CHECK_EQ_INT(rc, WEIR_PARSE);
    if (rc != WEIR_PARSE) fprintf(stderr, "  accepted: \"%s\" as %lld\n", s, (long long)got);
}
static void ts_bad(const char *s) { ts_bad_n(s, strlen(s)); }

static void fmt_is(int64_t us, const WTz *tz, const char *want) {
    char buf[WTIME_TEXT_MAX];
    int n = wtime_format_timestamp(us, tz, buf);
    CHECK_EQ_STR(buf, want);
    CHECK_EQ_INT(n, (int)strlen(want));
}

#define S INT64_C(1000000)
/* 2026-11-24: 2025-01-01 is day 20089 (1735689600 / 86400), +365 = 20454 for 2026-01-01, +304 days
 * (Jan..Oct) + 23 = 20781; 20781 * 86400 + 6 * 3600 = 1795500000. */
#define T2026 INT64_C(1795500000)

static void test_iso_utc(void) {
    ts_ok("1970-01-01T00:00:00Z", NULL, 0);
    ts_ok("1970-01-01", NULL, 0);
    ts_ok("1969-12-31T23:59:59.999999Z", NULL, -1);
    ts_ok("1969-12-31T23:59:59.999999", NULL, -1);
    ts_ok("1969-12-31 23:59:59.9999999", NULL, -1); /* 7th digit truncated */
    ts_ok("2026-11-24T06:00:00.000663Z", NULL, T2026 * S + 663);
    ts_ok("2026-11-24 06:00:00.000663", NULL, T2026 * S + 663);
    ts_ok("2026-11-24T06:00Z", NULL, T2026 * S);
    ts_ok("2026-11-24T06:00", NULL, T2026 * S);
    /* 2024-01-01 = day 19723 (1704067200 s); + 31 + 28 = 19782 for Feb 29. */
    ts_ok("2024-02-29T00:00:00Z", NULL, INT64_C(19782) * 86400 * S);
    ts_ok("2024-03-01", NULL, INT64_C(19783) * 86400 * S);
    /* 10000-01-01T00:00:00Z is 253402300800 s. */
    ts_ok("9999-12-31T23:59:59.999999Z", NULL, INT64_C(253402300800) * S - 1);
    /* 0001-01-01 is 719162 days before the epoch: 719162 * 86400 = 62135596800. */
    ts_ok("0001-01-01T00:00:00Z", NULL, INT64_C(-62135596800) * S);
    ts_ok("0001-01-01", NULL, INT64_C(-62135596800) * S);
    /* fractions with 0..9 digits */
    const char *fr[] = {"2026-11-24T06:00:00Z", "2026-11-24T06:00:00.Z", "2026-11-24T06:00:00.1Z",
                        "2026-11-24T06:00:00.12Z", "2026-11-24T06:00:00.123Z", "2026-11-24T06:00:00.1234Z",
                        "2026-11-24T06:00:00.12345Z", "2026-11-24T06:00:00.123456Z",
                        "2026-11-24T06:00:00.1234567Z", "2026-11-24T06:00:00.12345678Z",
                        "2026-11-24T06:00:00.123456789Z"};
    const int64_t fw[] = {0, 0, 100000, 120000, 123000, 123400, 123450, 123456, 123456, 123456, 123456};
    for (int i = 0; i < 11; i++) ts_ok(fr[i], NULL, T2026 * S + fw[i]);
    /* zones: all the same instant */
    ts_ok("2026-11-24T07:00:00+01:00", NULL, T2026 * S);
    ts_ok("2026-11-24T07:00:00+0100", NULL, T2026 * S);
    ts_ok("2026-11-24T07:00:00+01", NULL, T2026 * S);
    ts_ok("2026-11-24T11:30:00+05:30", NULL, T2026 * S);
    ts_ok("2026-11-23T22:00:00-0800", NULL, T2026 * S);
    ts_ok("2026-11-23 22:00:00.5-08:00", NULL, T2026 * S + 500000);
    ts_ok("2026-11-24T06:00:00-00:00", NULL, T2026 * S);
    ts_ok("  2026-11-24T06:00:00Z \n", NULL, T2026 * S); /* Spark trims surrounding white space */
    ts_ok("2026-1-2T3:04:05Z", NULL, (INT64_C(20454) + 1) * 86400 * S + (3 * 3600 + 4 * 60 + 5) * S);
    /* an explicit zone wins over the session zone */
    WTz *plus2 = zone("+02:00");
    ts_ok("2026-11-24T06:00:00Z", plus2, T2026 * S);
    ts_ok("2026-11-24T08:00:00", plus2, T2026 * S);
    wtz_free(plus2);

    ts_bad("");
    ts_bad("garbage");
    ts_bad("2026-02-29");
    ts_bad("2026-02-30T00:00:00Z");
    ts_bad("2026-13-01");
    ts_bad("2026-00-10");
    ts_bad("2026-11-00");
    ts_bad("2026-11-31");
    ts_bad("2026-11-24T24:00:00");
    ts_bad("2026-11-24T23:60:00");
    ts_bad("2026-11-24T23:59:60");
    ts_bad("2026-11-24T06");
    ts_bad("2026-11-24T06:");
    ts_bad("2026-11-24T06:00:00Zx");
    ts_bad("2026-11-24T06:00:00 x");
    ts_bad("2026-11-24T06:00:00.1234567890");
    ts_bad("2026-11-24T06:00:00+19:00");
    ts_bad("2026-11-24T06:00:00+05:60");
    ts_bad("2026-11-24T06:00:00+5:30");
    ts_bad("2026-11-24X06:00:00");
    ts_bad("26-11-24");
    ts_bad("2026/11/24");
    ts_bad_n("2026-11-24T06:00:00\0Z", 21);

    fmt_is(0, NULL, "1970-01-01T00:00:00.000000Z");
    fmt_is(-1, NULL, "1969-12-31T23:59:59.999999Z");
    fmt_is(T2026 * S + 663, NULL, "2026-11-24T06:00:00.000663Z");
    fmt_is(INT64_C(253402300800) * S - 1, NULL, "9999-12-31T23:59:59.999999Z");
    fmt_is(INT64_C(-62135596800) * S, NULL, "0001-01-01T00:00:00.000000Z");
    fmt_is(INT64_C(253402300800) * S, NULL, "+10000-01-01T00:00:00.000000Z");
    fmt_is(INT64_C(-62135596800) * S - 1, NULL, "0000-12-31T23:59:59.999999Z");
    /* 9223372036854775807 us = 9223372036854 s + 775807 us; 9223372036854 = 106751991 days + 14454 s
     * (04:00:54); day 106751991 is +294247-01-10 (java.time: Instant.ofEpochSecond(9223372036854)). */
    fmt_is(INT64_MAX, NULL, "+294247-01-10T04:00:54.775807Z");
    fmt_is(INT64_MIN, NULL, "-290308-12-21T19:59:05.224192Z");
    WTz *p1 = zone("+01:00"), *m0530 = zone("-0530");
    fmt_is(T2026 * S + 663, p1, "2026-11-24T07:00:00.000663+01:00");
    fmt_is(T2026 * S, m0530, "2026-11-24T00:30:00.000000-05:30");
    fmt_is(-1, p1, "1970-01-01T00:59:59.999999+01:00");
    wtz_free(p1);
    wtz_free(m0530);
    ts_ok("+294247-01-10T04:00:54.775807Z", NULL, INT64_MAX);
    ts_ok("-290308-12-21T19:59:05.224192Z", NULL, INT64_MIN);
    ts_bad("+294247-01-10T04:00:54.775808Z");
    ts_bad("-290308-12-21T19:59:05.224191Z");
}

static void test_dates(void) {
    int32_t d = 7;
    char buf[WTIME_TEXT_MAX];
    CHECK_EQ_INT(wtime_parse_date("2026-11-24", 10, &d), WEIR_OK);
    CHECK_EQ_INT(d, 20781);
    CHECK_EQ_INT(wtime_parse_date("2026-11-24T06:00:00", 19, &d), WEIR_OK);
    CHECK_EQ_INT(d, 20781);
    CHECK_EQ_INT(wtime_parse_date("2026-11-24 06:00:00Z", 20, &d), WEIR_OK);
    CHECK_EQ_INT(d, 20781);
    CHECK_EQ_INT(wtime_parse_date("1969-12-31", 10, &d), WEIR_OK);
    CHECK_EQ_INT(d, -1);
    CHECK_EQ_INT(wtime_parse_date("0001-01-01", 10, &d), WEIR_OK);
    CHECK_EQ_INT(d, -719162);
    CHECK_EQ_INT(wtime_parse_date("2024-02-29", 10, &d), WEIR_OK);
    CHECK_EQ_INT(d, 19782);
    CHECK_EQ_INT(wtime_parse_date("2023-02-29", 10, &d), WEIR_PARSE);
    CHECK_EQ_INT(wtime_parse_date("2026-11-24x", 11, &d), WEIR_PARSE);
    CHECK_EQ_INT(wtime_parse_date("2026-11", 7, &d), WEIR_PARSE);
    CHECK_EQ_INT(wtime_parse_date("", 0, &d), WEIR_PARSE);
    CHECK_EQ_INT(wtime_format_date(20781, buf), 10);
    CHECK_EQ_STR(buf, "2026-11-24");
    wtime_format_date(-1, buf);
    CHECK_EQ_STR(buf, "1969-12-31");
    wtime_format_date(-719162, buf);
    CHECK_EQ_STR(buf, "0001-01-01");
    wtime_format_date(2932896, buf); /* 9999-12-31: 253402300800 / 86400 - 1 */
    CHECK_EQ_STR(buf, "9999-12-31");
    /* days_from_civil against a day-by-day walk from 1600-03-01 (a 400-year cycle start) to 2400 */
    int64_t day = wtime_days_from_civil(1600, 3, 1), y = 1600;
    unsigned m = 3, dd = 1;
    long bad = 0;
    static const unsigned dim[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int i = 0; i < 800 * 366 && y < 2400; i++) {
        int64_t yy;
        unsigned mm, d2;
        wtime_civil_from_days(day, &yy, &mm, &d2);
        if (yy != y || mm != m || d2 != dd || wtime_days_from_civil(y, m, dd) != day) bad++;
        day++;
        unsigned lim = dim[m] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
        if (++dd > lim) {
            dd = 1;
            if (++m > 12) m = 1, y++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(wtime_days_from_civil(1600, 3, 1), -135080); /* 370 * 365 + 89 leap days - 59 (Jan, Feb 1970) */
}

static void test_roundtrip_utc(void) {
    char buf[WTIME_TEXT_MAX];
    long bad = 0;
    for (int i = 0; i < 1000000; i++) {
        int64_t us = (i & 3) == 3 ? (int64_t)rnd() : rnd_range(INT64_C(-62135596800) * S, INT64_C(253402300800) * S);
        int n = wtime_format_timestamp(us, NULL, buf);
        int64_t back = 0;
        if (wtime_parse_timestamp(buf, (size_t)n, NULL, &back) != WEIR_OK || back != us) {
            if (bad++ < 5) fprintf(stderr, "  round trip %lld -> %s -> %lld\n", (long long)us, buf, (long long)back);
        }
    }
    CHECK_EQ_INT(bad, 0);
    bad = 0;
    for (int i = 0; i < 200000; i++) {
        int32_t days = (int32_t)rnd_range(-800000, 3000000), back = 0;
        int n = wtime_format_date(days, buf);
        if (wtime_parse_date(buf, (size_t)n, &back) != WEIR_OK || back != days) bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/* Not an assertion: prints ns per ISO parse and format in UTC, the figure the issue asks about. */
static void bench_iso(void) {
    enum { N = 1 << 20, K = 1024 };
    static char texts[K][WTIME_TEXT_MAX];
    static int lens[K];
    for (int i = 0; i < K; i++)
        lens[i] = wtime_format_timestamp(rnd_range(0, INT64_C(4102444800) * S), NULL, texts[i]);
    int64_t sum = 0, v;
    double t0 = now_ns();
    for (int i = 0; i < N; i++) {
        wtime_parse_timestamp(texts[i & (K - 1)], (size_t)lens[i & (K - 1)], NULL, &v);
        sum += v;
    }
    double t1 = now_ns();
    char buf[WTIME_TEXT_MAX];
    for (int i = 0; i < N; i++) sum += wtime_format_timestamp(sum + i, NULL, buf) + buf[5];
    double t2 = now_ns();
    printf("bench: ISO parse %.1f ns, format %.1f ns per timestamp (UTC; checksum %lld)\n", (t1 - t0) / N,
           (t2 - t1) / N, (long long)(sum & 0xff));
}

int main(void) {
    test_iso_utc();
    test_dates();
    test_roundtrip_utc();
    bench_iso();
    return check_summary();
}
