/*
 * test_time.c - timestamps, dates, time zones and Spark patterns (core/time.h).
 *
 * Expected values are computed by hand (noted next to each case) or come from an independent oracle:
 * glibc's localtime_r/mktime with TZ set, for the time zone cross-check. Random cases use a fixed seed.
 */
#include "check.h"
#include "core/time.h"
#include "core/time_scan.h"

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
    ts_bad("2026-11-24T06:00.5");
    ts_bad("2026-11-24T06:00:00:00");
    ts_bad("2026-11-24T06:00:000");
    ts_bad("2026-11-24T");
    ts_bad("2026-11-24 T");
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

/* Writes what weir should print for us in a zone, from glibc's broken-down time (gmtime_r when zone is 0). */
static void glibc_text(int64_t us, int local, char *out) {
    int64_t t = us / S - (us % S < 0);
    time_t tt = (time_t)t;
    struct tm tm;
    if (local) localtime_r(&tt, &tm);
    else gmtime_r(&tt, &tm);
    long off = local ? tm.tm_gmtoff : 0;
    int n = sprintf(out, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                    tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)(us - t * S));
    if (!off) {
        strcpy(out + n, "Z");
        return;
    }
    long a = off < 0 ? -off : off;
    n += sprintf(out + n, "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    if (a % 60) sprintf(out + n, ":%02ld", a % 60);
}

static void test_roundtrip_utc(void) {
    char buf[WTIME_TEXT_MAX], want[WTIME_TEXT_MAX];
    long bad = 0;
    for (int i = 0; i < 200000; i++) { /* formatting against glibc's gmtime_r, 1900..2100 */
        int64_t us = rnd_range(INT64_C(-2208988800) * S, INT64_C(4102444800) * S);
        wtime_format_timestamp(us, NULL, buf);
        glibc_text(us, 0, want);
        if (strcmp(buf, want) && bad++ < 5) fprintf(stderr, "  format %lld: %s, glibc %s\n", (long long)us, buf, want);
    }
    CHECK_EQ_INT(bad, 0);
    bad = 0;
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


static void off_is(const WTz *z, int64_t utc_sec, int32_t want) {
    CHECK_EQ_INT(wtz_offset_at_utc(z, utc_sec * S), want);
}
static void l2u_is(const WTz *z, const char *local, int64_t want_sec) {
    int64_t us = 0;
    CHECK_EQ_INT(wtime_parse_timestamp(local, strlen(local), NULL, &us), WEIR_OK); /* local fields as UTC */
    CHECK_EQ_INT(wtz_local_to_utc(z, us), want_sec * S);
    ts_ok(local, z, want_sec * S); /* the same through the parser's session zone */
}

static void test_zones_by_hand(void) {
    WErr err;
    werr_init(&err);
    WTz *bad = NULL;
    CHECK_EQ_INT(wtz_open("Mars/Olympus_Mons", &bad, &err), WEIR_PARSE);
    CHECK(strstr(err.msg, "unknown time zone 'Mars/Olympus_Mons'") != NULL);
    CHECK(bad == NULL);
    werr_init(&err);
    CHECK_EQ_INT(wtz_open("../../etc/passwd", &bad, &err), WEIR_PARSE);
    werr_init(&err);
    CHECK_EQ_INT(wtz_open("+25:00", &bad, &err), WEIR_PARSE);
    werr_init(&err);
    CHECK_EQ_INT(wtz_open("", &bad, &err), WEIR_PARSE);

    const char *fixed[] = {"UTC", "Z", "GMT", "+02:00", "-0530", "+2", "UTC+2", "GMT-03:00", "utc", "+05:45"};
    const int32_t fo[] = {0, 0, 0, 7200, -19800, 7200, 7200, -10800, 0, 20700};
    for (int i = 0; i < 10; i++) {
        WTz *z = zone(fixed[i]);
        if (!z) continue;
        CHECK_EQ_STR(wtz_name(z), fixed[i]);
        off_is(z, T2026, fo[i]);
        off_is(z, -5000000000, fo[i]);
        CHECK_EQ_INT(wtz_local_to_utc(z, T2026 * S), (T2026 - fo[i]) * S);
        wtz_free(z);
    }

    /* Europe/Paris 2026. 2026-01-01 is a Thursday, so March 1 is a Sunday and the last Sunday of March is
     * the 29th (day 20454 + 31 + 28 + 28 = 20541); CET->CEST at 01:00Z = 20541 * 86400 + 3600 = 1774746000.
     * October 1 is a Thursday, the last Sunday is the 25th (day 20454 + 273 + 24 = 20751); CEST->CET at
     * 01:00Z = 1792890000. */
    WTz *paris = zone("Europe/Paris");
    if (paris) {
        off_is(paris, 1774746000 - 1, 3600);
        off_is(paris, 1774746000, 7200);
        off_is(paris, 1792890000 - 1, 7200);
        off_is(paris, 1792890000, 3600);
        CHECK_EQ_INT(wtz_offset_at_utc(paris, 1774746000 * S - 1), 3600); /* one microsecond before */
        l2u_is(paris, "2026-03-29T01:59:59", 1774746000 - 1); /* CET: 00:59:59Z */
        l2u_is(paris, "2026-03-29T02:00:00", 1774746000);        /* gap starts: -> 03:00 CEST */
        l2u_is(paris, "2026-03-29T02:30:00", 1774746000 + 1800); /* in the gap: -> 03:30 CEST = 01:30Z */
        l2u_is(paris, "2026-03-29T03:00:00", 1774746000);        /* first valid wall time after the gap */
        l2u_is(paris, "2026-10-25T01:59:59", 1792890000 - 3601); /* CEST: 23:59:59Z */
        l2u_is(paris, "2026-10-25T02:00:00", 1792890000 - 3600); /* overlap: earlier offset +02:00 */
        l2u_is(paris, "2026-10-25T02:30:00", 1792890000 - 1800);
        l2u_is(paris, "2026-10-25T03:00:00", 1792890000 + 3600); /* CET: 02:00Z */
        fmt_is((1792890000 - 1800) * S, paris, "2026-10-25T02:30:00.000000+02:00");
        fmt_is((1792890000 + 1800) * S, paris, "2026-10-25T02:30:00.000000+01:00");
        fmt_is(T2026 * S + 663, paris, "2026-11-24T07:00:00.000663+01:00");
        ts_ok("2026-10-25T02:30:00+01:00", paris, (1792890000 + 1800) * S);
        /* before the 1911 switch to WET Paris kept Paris Mean Time, +00:09:21 */
        fmt_is(INT64_C(-2208988800) * S, paris, "1900-01-01T00:09:21.000000+00:09:21");
        ts_ok("1900-01-01T00:09:21.000000+00:09:21", NULL, INT64_C(-2208988800) * S);
        /* far future: the footer rule (CET-1CEST,M3.5.0,M10.5.0/3). 2500-03-28 is the last Sunday of March
         * 2500: 2500-01-01 is day 530 * 365 + 129 leap days = 193579 (a Friday), March 1 a Monday, so Sundays fall on 7..28. */
        int64_t t2500 = wtime_days_from_civil(2500, 3, 28) * 86400 + 3600;
        CHECK_EQ_INT(wtime_days_from_civil(2500, 1, 1), 193579);
        off_is(paris, t2500 - 1, 3600);
        off_is(paris, t2500, 7200);
        CHECK_EQ_INT(wtz_local_to_utc(paris, (t2500 + 3600 + 1800) * S), (t2500 + 1800) * S); /* 02:30 gap */
    }
    /* America/New_York 2026: second Sunday of March = March 8 (day 20520), EST->EDT at 07:00Z =
     * 1772953200; first Sunday of November = Nov 1 (day 20758), EDT->EST at 06:00Z = 1793512800. */
    WTz *ny = zone("America/New_York");
    if (ny) {
        off_is(ny, 1772953200 - 1, -18000);
        off_is(ny, 1772953200, -14400);
        off_is(ny, 1793512800 - 1, -14400);
        off_is(ny, 1793512800, -18000);
        l2u_is(ny, "2026-03-08T02:30:00", 1772953200 + 1800); /* gap -> 03:30 EDT */
        l2u_is(ny, "2026-03-08 01:59:59", 1772953200 - 1);
        l2u_is(ny, "2026-11-01T01:30:00", 1793512800 - 1800); /* overlap -> EDT, 05:30Z */
        l2u_is(ny, "2026-11-01T02:00:00", 1793512800 + 3600 * 2 - 3600);
        fmt_is((1793512800 - 1800) * S, ny, "2026-11-01T01:30:00.000000-04:00");
        fmt_is((1793512800 + 1800) * S, ny, "2026-11-01T01:30:00.000000-05:00");
        fmt_is(-1, ny, "1969-12-31T18:59:59.999999-05:00");
    }
    /* Two handles on one zone, used alternately, stay independent and correct. */
    WTz *paris2 = zone("Europe/Paris");
    if (paris && paris2) {
        for (int i = 0; i < 1000; i++) {
            int64_t a = (1774746000 - 500 + i) * S, b = (1792890000 - 500 + i) * S;
            CHECK_EQ_INT(wtz_offset_at_utc(paris, a) + wtz_offset_at_utc(paris2, b),
                         (i < 500 ? 3600 : 7200) + (i < 500 ? 7200 : 3600));
        }
    }
    wtz_free(paris);
    wtz_free(paris2);
    wtz_free(ny);
}

/* ---- glibc as the oracle ---- */

static long glibc_off(int64_t t) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm)) return -999999;
    return tm.tm_gmtoff;
}

/* What java.time gives for local wall second L, worked out from glibc's offsets alone: the earliest
 * instant whose local time is L; in a gap, L minus the offset in force before the gap. Sets *n_valid. */
static int64_t glibc_local_to_utc(int64_t L, int *n_valid) {
    static const int64_t d[] = {0, 3600, -3600, 7200, -7200, 4 * 3600, -4 * 3600, 12 * 3600, -12 * 3600,
                                26 * 3600, -26 * 3600};
    long o0 = glibc_off(L), offs[11], maxo = -999999;
    int64_t best = INT64_MAX;
    int nv = 0;
    for (int i = 0; i < 11; i++) {
        offs[i] = glibc_off(L - o0 + d[i]);
        if (offs[i] > maxo) maxo = offs[i];
        int dup = 0;
        for (int j = 0; j < i; j++) dup |= offs[j] == offs[i];
        if (dup) continue;
        if (glibc_off(L - offs[i]) == offs[i]) {
            nv++;
            if (L - offs[i] < best) best = L - offs[i];
        }
    }
    *n_valid = nv;
    if (nv) return best;
    return L - glibc_off(L - maxo);
}

static int64_t find_transition(int64_t a, int64_t b) { /* glibc offset differs at a and b: first second of the new one */
    long oa = glibc_off(a);
    while (b - a > 1) {
        int64_t m = a + (b - a) / 2;
        if (glibc_off(m) == oa) a = m;
        else b = m;
    }
    return b;
}

static void cross_check_zone(const char *name, int n_off, int n_local) {
    setenv("TZ", name, 1);
    tzset();
    WTz *z = zone(name);
    if (!z) return;
    const int64_t lo = INT64_C(-2208988800), hi = INT64_C(4102444800); /* 1900-01-01 .. 2100-01-01 */
    long bad_off = 0, bad_loc = 0, bad_mk = 0, n_gap = 0, n_overlap = 0, n_trans = 0;
    for (int i = 0; i < n_off; i++) {
        int64_t us = rnd_range(lo * S, hi * S);
        int64_t t = us / S - (us % S < 0);
        long want = glibc_off(t);
        if (wtz_offset_at_utc(z, us) != want && bad_off++ < 5)
            fprintf(stderr, "  %s: offset at %lld: %d, glibc %ld\n", name, (long long)t, wtz_offset_at_utc(z, us), want);
    }
    for (int i = 0; i < n_local; i++) {
        int64_t L;
        if (i & 1) {
            L = rnd_range(lo, hi);
        } else { /* near a transition found by glibc alone */
            int64_t u = rnd_range(lo, hi - 200 * 86400);
            int64_t v = u + 200 * 86400;
            if (glibc_off(u) == glibc_off(v)) {
                L = u + glibc_off(u);
            } else {
                int64_t T = find_transition(u, v);
                n_trans++;
                if (wtz_offset_at_utc(z, T * S) != glibc_off(T) || wtz_offset_at_utc(z, (T - 1) * S) != glibc_off(T - 1))
                    bad_off++;
                L = T + glibc_off(T - 1) + rnd_range(-3 * 3600, 3 * 3600);
            }
        }
        int nv;
        int64_t want = glibc_local_to_utc(L, &nv);
        n_gap += nv == 0;
        n_overlap += nv > 1;
        int64_t got = wtz_local_to_utc(z, L * S + 250000);
        if (got != want * S + 250000 && bad_loc++ < 5)
            fprintf(stderr, "  %s: local %lld -> %lld, oracle %lld (valid %d)\n", name, (long long)L,
                    (long long)(got / S), (long long)want, nv);
        if (nv == 1) { /* unambiguous: glibc's mktime must agree as well */
            time_t tl = (time_t)L;
            struct tm tm;
            gmtime_r(&tl, &tm);
            tm.tm_isdst = -1;
            if ((int64_t)mktime(&tm) != want) bad_mk++;
        }
    }
    /* far future, past the expanded table (year 2400): the footer rule evaluated per year */
    const int64_t flo = INT64_C(13569465600), fhi = INT64_C(23036716800); /* 2400-01-01 .. 2700-01-01 */
    for (int i = 0; i < n_local; i++) {
        int64_t t = rnd_range(flo, fhi), L = rnd_range(flo, fhi);
        if (wtz_offset_at_utc(z, t * S) != glibc_off(t) && bad_off++ < 5)
            fprintf(stderr, "  %s: offset at %lld: %d, glibc %ld\n", name, (long long)t, wtz_offset_at_utc(z, t * S),
                    glibc_off(t));
        int nv;
        int64_t want = glibc_local_to_utc(L, &nv);
        if (wtz_local_to_utc(z, L * S) != want * S && bad_loc++ < 5)
            fprintf(stderr, "  %s: local %lld -> %lld, oracle %lld\n", name, (long long)L,
                    (long long)(wtz_local_to_utc(z, L * S) / S), (long long)want);
    }
    printf("zone %s: %d offsets, %d local times (%ld transitions, %ld in gaps, %ld in overlaps), %d of each in 2400..2700\n", name, n_off,
           n_local, n_trans, n_gap, n_overlap, n_local);
    CHECK_EQ_INT(bad_off, 0);
    CHECK_EQ_INT(bad_loc, 0);
    CHECK_EQ_INT(bad_mk, 0);
    /* text round trip in this zone: with the offset written, and zone-less in the session zone; the text
     * itself against glibc's localtime_r */
    char buf[WTIME_TEXT_MAX], want[WTIME_TEXT_MAX];
    long bad_rt = 0;
    for (int i = 0; i < 20000; i++) {
        int64_t us = rnd_range(lo * S, hi * S), back = 0;
        int n = wtime_format_timestamp(us, z, buf);
        glibc_text(us, 1, want);
        if (strcmp(buf, want) && bad_rt++ < 5) fprintf(stderr, "  %s: format %s, glibc %s\n", name, buf, want);
        if (wtime_parse_timestamp(buf, (size_t)n, NULL, &back) || back != us) bad_rt++;
        int cut = n;
        while (cut > 0 && buf[cut - 1] != '+' && buf[cut - 1] != '-' && buf[cut - 1] != 'Z') cut--;
        cut--; /* drop the zone: local text, read in the session zone gives the earlier of any twins */
        if (wtime_parse_timestamp(buf, (size_t)cut, z, &back) || back > us ||
            wtz_offset_at_utc(z, back) + back / S != wtz_offset_at_utc(z, us) + us / S)
            bad_rt++;
    }
    CHECK_EQ_INT(bad_rt, 0);
    wtz_free(z);
}

/* ---- hand-made TZif files: version 1, rule-only zones, v3 rule times, damaged files ---- */

static size_t put_be(uint8_t *p, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    return (size_t)bytes;
}

/* One TZif data block (header + body) with 4- or 8-byte times; every type uses designation "ABC". */
static size_t tzif_block(uint8_t *p, int version, int tsize, int nt, const int64_t *at, const uint8_t *idx, int ntypes,
                         const int32_t *off) {
    size_t k = 0;
    memcpy(p, "TZif", 4);
    p[4] = version == 1 ? 0 : (uint8_t)('0' + version);
    memset(p + 5, 0, 15);
    k = 20;
    k += put_be(p + k, 0, 4);                 /* isutcnt */
    k += put_be(p + k, 0, 4);                 /* isstdcnt */
    k += put_be(p + k, 0, 4);                 /* leapcnt */
    k += put_be(p + k, (uint64_t)nt, 4);      /* timecnt */
    k += put_be(p + k, (uint64_t)ntypes, 4);  /* typecnt */
    k += put_be(p + k, 4, 4);                 /* charcnt */
    for (int i = 0; i < nt; i++) k += put_be(p + k, (uint64_t)at[i], tsize);
    for (int i = 0; i < nt; i++) p[k++] = idx[i];
    for (int i = 0; i < ntypes; i++) {
        k += put_be(p + k, (uint32_t)off[i], 4);
        p[k++] = 0;
        p[k++] = 0;
    }
    memcpy(p + k, "ABC", 4);
    return k + 4;
}

static void write_file(const char *dir, const char *name, const uint8_t *p, size_t n) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fwrite(p, 1, n, f);
    fclose(f);
}

static size_t tzif_v2plus(uint8_t *buf, int version, int nt, const int64_t *at, const uint8_t *idx, int ntypes,
                          const int32_t *off, const char *footer) {
    size_t k = tzif_block(buf, version, 4, nt, at, idx, ntypes, off);
    k += tzif_block(buf + k, version, 8, nt, at, idx, ntypes, off);
    buf[k++] = '\n';
    memcpy(buf + k, footer, strlen(footer));
    k += strlen(footer);
    buf[k++] = '\n';
    return k;
}

static void test_tzif_files(void) {
    char dir[] = "/tmp/weir_tz_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    setenv("TZDIR", dir, 1);
    static uint8_t buf[1 << 16];
    /* version 1: +01 before, +02 from 1000000000, +01 again from 1010000000; no footer */
    const int64_t at1[] = {1000000000, 1010000000};
    const uint8_t idx1[] = {1, 0};
    const int32_t off1[] = {3600, 7200};
    write_file(dir, "V1", buf, tzif_block(buf, 1, 4, 2, at1, idx1, 2, off1));
    WTz *z = zone("V1");
    if (z) {
        off_is(z, 999999999, 3600);
        off_is(z, 1000000000, 7200);
        off_is(z, 1009999999, 7200);
        off_is(z, 1010000000, 3600);
        off_is(z, INT64_C(50000000000), 3600);
        off_is(z, INT64_C(-50000000000), 3600);
        CHECK_EQ_INT(wtz_local_to_utc(z, (1000000000 + 3600 + 1800) * S), (1000000000 + 1800) * S); /* gap: L - before */
        wtz_free(z);
    }
    /* version 2, no transitions, only the footer rule: US rule as in America/New_York (see above) */
    const int32_t off2[] = {-18000};
    write_file(dir, "V2Rule", buf, tzif_v2plus(buf, 2, 0, NULL, NULL, 1, off2, "EST5EDT,M3.2.0,M11.1.0"));
    z = zone("V2Rule");
    if (z) {
        off_is(z, 1772953200 - 1, -18000);
        off_is(z, 1772953200, -14400);
        off_is(z, 1793512800 - 1, -14400);
        off_is(z, 1793512800, -18000);
        wtz_free(z);
    }
    /* version 3 rule times: Greenland's "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1": DST starts on the last Sunday
     * of March at -2:00 local standard time (Saturday 22:00, -03) = 01:00Z, and ends on the last Sunday of
     * October at -1:00 local daylight time (Saturday 23:00, -02) = 01:00Z; in 2026 that is 1774746000 and
     * 1792890000, the same instants as in Paris. */
    write_file(dir, "V3Rule", buf, tzif_v2plus(buf, 3, 0, NULL, NULL, 1, (const int32_t[]){-10800},
                                              "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1"));
    z = zone("V3Rule");
    if (z) {
        off_is(z, 1774746000 - 1, -10800);
        off_is(z, 1774746000, -7200);
        off_is(z, 1792890000 - 1, -7200);
        off_is(z, 1792890000, -10800);
        wtz_free(z);
    }
    /* Julian day forms: J60 is March 1 in every year; zero-based 300 is Oct 28 in 2026 (20454 + 300) and
     * Oct 27 in 2024 (19723 + 300). Both at 00:00 local, std +03, dst +04. */
    write_file(dir, "Julian", buf, tzif_v2plus(buf, 2, 0, NULL, NULL, 1, (const int32_t[]){10800},
                                              "<+03>-3<+04>,J60/0,300/0"));
    z = zone("Julian");
    if (z) {
        off_is(z, INT64_C(20513) * 86400 - 10800 - 1, 10800); /* 2026-03-01 is day 20454 + 59 */
        off_is(z, INT64_C(20513) * 86400 - 10800, 14400);
        off_is(z, INT64_C(20754) * 86400 - 14400 - 1, 14400);
        off_is(z, INT64_C(20754) * 86400 - 14400, 10800);
        off_is(z, INT64_C(19783) * 86400 - 10800 - 1, 10800); /* 2024-03-01 is day 19723 + 60 */
        off_is(z, INT64_C(19783) * 86400 - 10800, 14400);
        off_is(z, INT64_C(20023) * 86400 - 14400 - 1, 14400);
        off_is(z, INT64_C(20023) * 86400 - 14400, 10800);
        wtz_free(z);
    }
    /* The same rules read by glibc (TZDIR is honoured there too). glibc ignores the footer of a file
     * without transitions (RFC 8536 says it then applies to all instants), and computes POSIX rules
     * wrongly before 1970 (tzset.c compute_change starts every year <= 1970 at the epoch), so these
     * copies start with one transition at the epoch from a local mean time 10 minutes off. */
    const char *rules[] = {"EST5EDT,M3.2.0,M11.1.0", "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", "<+03>-3<+04>,J60/0,300/0",
                           "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45"};
    const int32_t stds[] = {-18000, -10800, 10800, 45900};
    const char *names[] = {"G1", "G2", "G3", "G4"};
    for (int i = 0; i < 4; i++) {
        const int64_t at0[] = {0};
        const uint8_t idx0[] = {1};
        const int32_t offs[] = {stds[i] + 600, stds[i]};
        write_file(dir, names[i], buf, tzif_v2plus(buf, 3, 1, at0, idx0, 2, offs, rules[i]));
        cross_check_zone(names[i], 20000, 5000);
    }
    cross_check_zone("V1", 20000, 5000);
    /* damaged files: every prefix of a real zone file opens cleanly or fails with WEIR_PARSE */
    FILE *f = fopen("/usr/share/zoneinfo/Europe/Paris", "rb");
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    CHECK(n > 1000);
    long odd = 0;
    for (size_t len = 0; len < n; len++) {
        write_file(dir, "Cut", buf, len);
        WErr err;
        werr_init(&err);
        int rc = wtz_open("Cut", &z, &err);
        if (rc == WEIR_OK) wtz_free(z);
        else if (rc != WEIR_PARSE || !strstr(err.msg, "unknown time zone 'Cut'")) odd++;
    }
    CHECK_EQ_INT(odd, 0);
    /* a zone header that lies about its counts */
    write_file(dir, "Lies", buf, tzif_block(buf, 1, 4, 2, at1, idx1, 2, off1));
    buf[35] = 200; /* timecnt far beyond the data */
    write_file(dir, "Lies", buf, 100);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wtz_open("Lies", &z, &err), WEIR_PARSE);
    unsetenv("TZDIR");
    werr_init(&err);
    CHECK_EQ_INT(wtz_open("Europe", &z, &err), WEIR_PARSE); /* a directory */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_EQ_INT(system(cmd), 0);
}

static void test_zones_vs_glibc(void) {
    const char *zones[] = {"Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
                           "America/Sao_Paulo", "Pacific/Chatham", "Africa/Casablanca", "UTC",
                           "Europe/London", "America/St_Johns", "Asia/Tehran", "Antarctica/Troll"};
    for (int i = 0; i < 12; i++) cross_check_zone(zones[i], 100000, 25000);
    unsetenv("TZ");
    tzset();
}

/* ---- Spark patterns ---- */

static WTimeFmt *pat(const char *p) {
    WTimeFmt *f = NULL;
    WErr err;
    werr_init(&err);
    int rc = wtimefmt_compile(p, &f, &err);
    CHECK_EQ_INT(rc, WEIR_OK);
    if (rc) fprintf(stderr, "  compile %s: %s\n", p, err.msg);
    return f;
}
static void pat_ok(const char *p, const char *text, const WTz *tz, int64_t want) {
    WTimeFmt *f = pat(p);
    if (!f) return;
    int64_t got = 777;
    int rc = wtimefmt_parse(f, text, strlen(text), tz, &got);
    CHECK_EQ_INT(rc, WEIR_OK);
    CHECK_EQ_INT(got, want);
    if (rc || got != want) fprintf(stderr, "  pattern %s, text %s\n", p, text);
    wtimefmt_free(f);
}
static void pat_bad(const char *p, const char *text) {
    WTimeFmt *f = pat(p);
    if (!f) return;
    int64_t got = 0;
    int rc = wtimefmt_parse(f, text, strlen(text), NULL, &got);
    CHECK_EQ_INT(rc, WEIR_PARSE);
    if (rc != WEIR_PARSE) fprintf(stderr, "  pattern %s accepted %s as %lld\n", p, text, (long long)got);
    wtimefmt_free(f);
}
static void pat_fmt(const char *p, int64_t us, const WTz *tz, const char *want) {
    WTimeFmt *f = pat(p);
    if (!f) return;
    char buf[128];
    int n = wtimefmt_format(f, us, tz, buf, sizeof buf);
    CHECK_EQ_STR(buf, want);
    CHECK_EQ_INT(n, (int)strlen(want));
    wtimefmt_free(f);
}
static void pat_compile_err(const char *p, const char *must_contain) {
    WTimeFmt *f = NULL;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wtimefmt_compile(p, &f, &err), WEIR_PARSE);
    CHECK(f == NULL);
    CHECK(strstr(err.msg, must_contain) != NULL);
    if (!strstr(err.msg, must_contain)) fprintf(stderr, "  message was: %s\n", err.msg);
}

static void test_patterns(void) {
    const int64_t D2026 = INT64_C(20781) * 86400 * S; /* 2026-11-24T00:00Z */
    pat_ok("yyyy-MM-dd HH:mm:ss", "2026-11-24 06:00:00", NULL, T2026 * S);
    pat_fmt("yyyy-MM-dd HH:mm:ss", T2026 * S + 663, NULL, "2026-11-24 06:00:00");
    pat_bad("yyyy-MM-dd HH:mm:ss", "2026-11-24 06:00:00x");
    pat_bad("yyyy-MM-dd HH:mm:ss", "2026-11-24T06:00:00");
    pat_bad("yyyy-MM-dd HH:mm:ss", "2026-11-24 24:00:00");
    pat_bad("yyyy-MM-dd HH:mm:ss", "2026-11-24 6:00:00"); /* HH takes two digits */
    pat_bad("yyyy-MM-dd HH:mm:ss", "2026-11-24 06:00");
    pat_bad("yyyy-MM-dd HH:mm:ss", "");
    pat_ok("dd/MM/yyyy", "24/11/2026", NULL, D2026);
    pat_fmt("dd/MM/yyyy", T2026 * S, NULL, "24/11/2026");
    pat_fmt("dd/MM/yyyy", -1, NULL, "31/12/1969");
    pat_bad("dd/MM/yyyy", "30/02/2026");
    pat_bad("dd/MM/yyyy", "29/02/2023");
    pat_ok("dd/MM/yyyy", "29/02/2024", NULL, INT64_C(19782) * 86400 * S);
    pat_bad("dd/MM/yyyy", "24/13/2026");
    pat_bad("dd/MM/yyyy", "24-11-2026");
    pat_ok("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2026-11-24T07:00:00.123+01:00", NULL, T2026 * S + 123000);
    pat_ok("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2026-11-24T06:00:00.123Z", NULL, T2026 * S + 123000);
    pat_ok("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2026-11-24T06:00:00.1Z", NULL, T2026 * S + 100000);
    pat_ok("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2026-11-24T06:00:00.123456789Z", NULL, T2026 * S + 123456);
    pat_bad("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2026-11-24T06:00:00.123");
    pat_fmt("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", T2026 * S + 663, NULL, "2026-11-24T06:00:00.000Z");
    pat_fmt("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", T2026 * S + 123456, NULL, "2026-11-24T06:00:00.123Z");
    WTz *p1 = zone("+01:00"), *ist = zone("Asia/Kolkata"), *paris = zone("Europe/Paris"), *m8 = zone("-08:00");
    pat_fmt("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", T2026 * S + 663, p1, "2026-11-24T07:00:00.000+01:00");
    pat_ok("MMM d yyyy h:mm a", "Nov 24 2026 6:00 AM", NULL, T2026 * S);
    pat_ok("MMM d yyyy h:mm a", "nov 24 2026 6:00 am", NULL, T2026 * S);
    pat_ok("MMM d yyyy h:mm a", "Nov 24 2026 12:30 PM", NULL, D2026 + (12 * 3600 + 1800) * S);
    pat_ok("MMM d yyyy h:mm a", "Nov 24 2026 12:05 AM", NULL, D2026 + 300 * S);
    pat_ok("MMM d yyyy h:mm a", "Nov 24 2026 11:59 PM", NULL, D2026 + (23 * 3600 + 59 * 60) * S);
    pat_ok("MMM d yyyy h:mm a", "Jan 1 1970 12:00 AM", NULL, 0);
    pat_fmt("MMM d yyyy h:mm a", T2026 * S, NULL, "Nov 24 2026 6:00 AM");
    pat_fmt("MMM d yyyy h:mm a", D2026 + 12 * 3600 * S, NULL, "Nov 24 2026 12:00 PM");
    pat_fmt("MMM d yyyy h:mm a", D2026, NULL, "Nov 24 2026 12:00 AM");
    pat_fmt("MMM d yyyy h:mm a", T2026 * S, ist, "Nov 24 2026 11:30 AM");
    pat_bad("MMM d yyyy h:mm a", "Nov 24 2026 13:00 PM");
    pat_bad("MMM d yyyy h:mm a", "Nox 24 2026 6:00 AM");
    pat_bad("MMM d yyyy h:mm a", "Nov 24 2026 6:00 XM");
    /* Spark's default timestampFormat for JSON and CSV, with optional sections */
    const char *dflt = "yyyy-MM-dd'T'HH:mm:ss[.SSS][XXX]";
    pat_ok(dflt, "2026-11-24T06:00:00", NULL, T2026 * S);
    pat_ok(dflt, "2026-11-24T06:00:00.5", NULL, T2026 * S + 500000);
    pat_ok(dflt, "2026-11-24T07:00:00+01:00", NULL, T2026 * S);
    pat_ok(dflt, "2026-11-24T07:00:00.250+01:00", NULL, T2026 * S + 250000);
    pat_ok(dflt, "2026-11-24T07:00:00", p1, T2026 * S);
    pat_bad(dflt, "2026-11-24T06:00:00.");
    pat_fmt(dflt, T2026 * S + 123456, NULL, "2026-11-24T06:00:00.123Z");
    /* more letters */
    pat_ok("yyyyMMddHHmmss", "20261124060000", NULL, T2026 * S);
    pat_fmt("yyyyMMddHHmmss", T2026 * S, NULL, "20261124060000");
    pat_ok("MMMM d, yyyy", "November 24, 2026", NULL, D2026);
    pat_fmt("MMMM d, yyyy", T2026 * S, NULL, "November 24, 2026");
    pat_fmt("MMMM d, yyyy", -1, NULL, "December 31, 1969");
    pat_ok("yy-M-d", "26-1-5", NULL, (INT64_C(20454) + 4) * 86400 * S);
    pat_fmt("yy-M-d H:m:s", T2026 * S + 5 * S, NULL, "26-11-24 6:0:5");
    pat_ok("D yyyy", "328 2026", NULL, D2026); /* Jan 1 is day 20454, Nov 24 is 20781: day-of-year 328 */
    pat_fmt("D yyyy", T2026 * S, NULL, "328 2026");
    pat_fmt("DDD", 0, NULL, "001");
    pat_bad("D yyyy", "366 2026");
    pat_ok("D yyyy", "366 2024", NULL, (INT64_C(19723) + 365) * 86400 * S);
    pat_ok("'quoted ''x''' yyyy", "quoted 'x' 2026", NULL, INT64_C(20454) * 86400 * S);
    pat_ok("''yyyy''", "'2026'", NULL, INT64_C(20454) * 86400 * S);
    pat_fmt("'quoted ''x''' yyyy", T2026 * S, NULL, "quoted 'x' 2026");
    pat_fmt("HH:mm:ss.SSSSSSSSS", T2026 * S + 663, NULL, "06:00:00.000663000");
    pat_fmt("HH:mm:ss.S", T2026 * S + 987654, NULL, "06:00:00.9");
    pat_ok("HH:mm:ss.SSSSSSSSS", "06:00:00.123456789", NULL, 6 * 3600 * S + 123456);
    pat_ok("HH:mm", "06:30", NULL, (6 * 3600 + 1800) * S); /* no date: 1970-01-01 */
    pat_fmt("yyyy-MM-dd", -1, NULL, "1969-12-31");
    pat_fmt("y", T2026 * S, NULL, "2026");
    pat_fmt("yyyy", INT64_C(-62135596800) * S, NULL, "0001");
    /* offsets: +05:30 and zero */
    WTz *p530 = zone("+05:30");
    const char *op[] = {"X", "XX", "XXX", "x", "xx", "xxx", "Z", "ZZZ", "ZZZZZ"};
    const char *o530[] = {"+0530", "+0530", "+05:30", "+0530", "+0530", "+05:30", "+0530", "+0530", "+05:30"};
    const char *o0[] = {"Z", "Z", "Z", "+00", "+0000", "+00:00", "+0000", "+0000", "Z"};
    for (int i = 0; i < 9; i++) {
        pat_fmt(op[i], 0, p530, o530[i]);
        pat_fmt(op[i], 0, NULL, o0[i]);
        char p[32];
        snprintf(p, sizeof p, "HH:mm%s", op[i]);
        pat_ok(p, "05:30+05:30", NULL, 0);
        pat_ok(p, "05:30+0530", NULL, 0);
    }
    pat_fmt("X", 0, m8, "-08");
    pat_ok("HH:mmX", "05:30Z", NULL, 5 * 3600 * S + 1800 * S);
    pat_bad("HH:mmx", "05:30Z");
    pat_bad("HH:mmXXX", "05:30");
    /* zone ids */
    pat_fmt("yyyy-MM-dd HH:mm VV", T2026 * S, paris, "2026-11-24 07:00 Europe/Paris");
    pat_ok("yyyy-MM-dd HH:mm VV", "2026-10-25 02:30 Europe/Paris", NULL, (1792890000 - 1800) * S);
    pat_ok("yyyy-MM-dd HH:mm VV", "2026-11-24 06:00 UTC", paris, T2026 * S);
    pat_bad("yyyy-MM-dd HH:mm VV", "2026-11-24 06:00 Nowhere/Land");
    pat_ok("yyyy-MM-dd HH:mm", "2026-03-29 02:30", paris, (1774746000 + 1800) * S); /* gap rule */
    /* compile errors name the letter and its 1-based position */
    pat_compile_err("yyyy-MM-dd Q", "'Q' at position 12");
    pat_compile_err("yyyy-MM-dd EEE", "'E' at position 12");
    pat_compile_err("yyyy-MM-dd 'T", "unterminated quote at position 12");
    pat_compile_err("[yyyy", "'[' without ']'");
    pat_compile_err("yyyy]", "position 5");
    pat_compile_err("ddd", "too many pattern letters 'd'");
    pat_compile_err("yyyyyyyyyy", "too many pattern letters 'y' (10)"); /* fuzz find: width overflow */
    pat_compile_err("yyyy#", "reserved character '#'");
    /* a small buffer: -1 and still NUL-terminated */
    WTimeFmt *f = pat("yyyy-MM-dd");
    char small[8];
    CHECK_EQ_INT(wtimefmt_format(f, 0, NULL, small, sizeof small), -1);
    CHECK(strlen(small) < sizeof small);
    wtimefmt_free(f);
    /* round trip in a DST zone with a full-precision pattern */
    f = pat("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");
    long bad = 0;
    for (int i = 0; f && i < 100000; i++) {
        int64_t us = rnd_range(INT64_C(-2208988800) * S, INT64_C(4102444800) * S), back = 0;
        char buf[64];
        int n = wtimefmt_format(f, us, paris, buf, sizeof buf);
        if (n < 0 || wtimefmt_parse(f, buf, (size_t)n, NULL, &back) || back != us) bad++;
    }
    CHECK_EQ_INT(bad, 0);
    wtimefmt_free(f);
    wtz_free(p1);
    wtz_free(ist);
    wtz_free(paris);
    wtz_free(p530);
    wtz_free(m8);
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
    static int64_t vals[K];
    for (int i = 0; i < K; i++) {
        vals[i] = rnd_range(0, INT64_C(4102444800) * S); /* 1970..2100 */
        lens[i] = wtime_format_timestamp(vals[i], NULL, texts[i]);
    }
    uint64_t sum = 0;
    int64_t v;
    double t0 = now_ns();
    for (int i = 0; i < N; i++) {
        wtime_parse_timestamp(texts[i & (K - 1)], (size_t)lens[i & (K - 1)], NULL, &v);
        sum += (uint64_t)v;
    }
    double t1 = now_ns();
    char buf[WTIME_TEXT_MAX];
    for (int i = 0; i < N; i++) sum += (uint64_t)wtime_format_timestamp(vals[i & (K - 1)] + i, NULL, buf) + (uint64_t)buf[5];
    double t2 = now_ns();
    printf("bench: ISO parse %.1f ns, format %.1f ns per timestamp (UTC; checksum %llu)\n", (t1 - t0) / N,
           (t2 - t1) / N, (unsigned long long)(sum & 0xff));
    /* a stream in Europe/Paris: instants a second apart, zone-less text read in the session zone */
    WTz *paris = zone("Europe/Paris");
    int64_t base = T2026 * S;
    for (int i = 0; i < K; i++) lens[i] = wtime_format_timestamp(base + (int64_t)i * S, paris, texts[i]) - 6;
    t0 = now_ns();
    for (int i = 0; i < N; i++) sum += (uint64_t)wtime_format_timestamp(base + (int64_t)i * S, paris, buf);
    t1 = now_ns();
    for (int i = 0; i < N; i++) {
        wtime_parse_timestamp(texts[i & (K - 1)], (size_t)lens[i & (K - 1)], paris, &v);
        sum += (uint64_t)v;
    }
    t2 = now_ns();
    printf("bench: Europe/Paris format %.1f ns, zone-less parse %.1f ns per timestamp (checksum %llu)\n",
           (t1 - t0) / N, (t2 - t1) / N, (unsigned long long)(sum & 0xff));
    wtz_free(paris);
}

/* wtime_scan_timestamp (the decoders' fast path, with its month and zone-span cache) against
 * wtime_parse_timestamp: random texts of the fixed layout in several zones, half of them within hours of
 * the DST changes of late March / late October (and of April / October for the southern zone), years
 * 1850-2150 (before 1970 included), fractions of 0 to 10 digits, 'Z' or not, one cache reused across the
 * texts as a column would. Also wtz_local_span's promise, checked at its ends and inside. */
static void test_scan_timestamp(void) {
    static const char *zones[] = {"Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC",
                                  "+05:30", NULL};
    long bad = 0, taken = 0, total = 0;
    for (size_t zi = 0; zi < sizeof zones / sizeof *zones; zi++) {
        WTz *tz = zones[zi] ? zone(zones[zi]) : NULL;
        WTsCache c;
        wtime_ts_cache_init(&c);
        int n = getenv("WEIR_SANITIZED") ? 20000 : 200000;
        for (int i = 0; i < n; i++) {
            uint64_t r = rnd();
            int y = (int)rnd_range(1850, 2151), mo, d, h;
            if (r & 1) {
                static const int months[] = {3, 10, 4, 9};
                mo = months[(r >> 1) % 4];
                d = (int)rnd_range(1, 32);
                h = (int)rnd_range(0, 5);
            } else {
                mo = (int)rnd_range(1, 13);
                d = (int)rnd_range(1, 32); /* invalid days included */
                h = (int)rnd_range(0, 24);
            }
            char t[64];
            int k = snprintf(t, sizeof t, "%04d-%02d-%02d%c%02d:%02d:%02d", y, mo, d, (r & 8) ? ' ' : 'T', h,
                             (int)rnd_range(0, 60), (int)rnd_range(0, 60));
            int nf = (int)rnd_range(-1, 11);
            if (nf >= 0) {
                t[k++] = '.';
                for (int j = 0; j < nf; j++) t[k++] = (char)('0' + rnd() % 10);
            }
            if ((r >> 8) % 8 == 0) t[k++] = 'Z';
            t[k] = 0;
            int64_t a = 0, b = 0;
            const char *q = wtime_scan_timestamp(t, t + k, tz, &c, &a);
            int rb = wtime_parse_timestamp(t, (size_t)k, tz, &b);
            total++;
            if (q) taken++;
            /* the whole text taken, the same instant; or handed back (then only an invalid text) */
            if (q ? (q != t + k || rb || a != b) : (rb == WEIR_OK && nf != 0 && nf <= 9)) {
                if (++bad < 10) fprintf(stderr, "scan %s in %s: %s %lld vs %lld\n", t, zones[zi] ? zones[zi] : "NULL",
                                        q ? "taken" : "refused", (long long)a, (long long)b);
            }
        }
        if (tz) { /* the span: local - off everywhere in it */
            for (int i = 0; i < 20000; i++) {
                int64_t ls = rnd_range(-4000000000LL, 6000000000LL), lo, hi;
                int32_t off = wtz_local_span(tz, ls, &lo, &hi);
                if (lo == hi) continue;
                int64_t pts[3] = {lo > ls - 400000000LL ? lo : ls, hi < ls + 400000000LL ? hi - 1 : ls, ls};
                for (int j = 0; j < 3; j++)
                    if (wtz_local_to_utc(tz, pts[j] * 1000000) != (pts[j] - off) * 1000000 && ++bad < 20)
                        fprintf(stderr, "span of %lld in %s wrong at %lld\n", (long long)ls, zones[zi], (long long)pts[j]);
            }
        }
        wtz_free(tz);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(taken > total / 2);
}

/* The same, for texts that come in time order as a column's do, so that most share the minute of the one
 * before (the cache's minute text): runs of local times a few seconds apart (sometimes back, sometimes a
 * jump of hours or days, across month and year ends and the DST changes), and one text in six changed in
 * one byte, after the minute (seconds, fraction, 'Z') or inside it. */
static void test_scan_timestamp_runs(void) {
    static const char *zones[] = {"Europe/Paris", "America/New_York", "UTC", NULL};
    static const char bytes[] = "0123456789:.Z T-x9\0";
    long bad = 0, hits = 0;
    for (size_t zi = 0; zi < sizeof zones / sizeof *zones; zi++) {
        WTz *tz = zones[zi] ? zone(zones[zi]) : NULL;
        WTsCache c, c2;
        wtime_ts_cache_init(&c);
        wtime_ts_cache_init(&c2);
        int64_t local = rnd_range(-4000000000LL, 6000000000LL);
        int n = getenv("WEIR_SANITIZED") ? 30000 : 300000;
        for (int i = 0; i < n; i++) {
            uint64_t r = rnd();
            if (r % 1000 == 0) local += rnd_range(-86400 * 40, 86400 * 40); /* a jump */
            else if (r % 1000 == 1) local = 1711846800 - 4000 + rnd_range(0, 8000); /* 2024-03-31 01:00 UTC */
            else local += rnd_range(-2, 4);
            int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400), sod = local - days * 86400, y;
            unsigned mo, d;
            wtime_civil_from_days(days, &y, &mo, &d);
            char t[64];
            char sep = (zi & 1) == ((r >> 24) % 64 != 0) ? ' ' : 'T'; /* mostly one per zone */
            int k = snprintf(t, sizeof t, "%04d-%02u-%02u%c%02d:%02d:%02d", (int)y, mo, d, sep, (int)(sod / 3600),
                             (int)(sod / 60 % 60), (int)(sod % 60));
            int nf = (r >> 4) % 4 ? 6 : (int)rnd_range(-1, 11);
            if (nf >= 0) {
                t[k++] = '.';
                for (int j = 0; j < nf; j++) t[k++] = (char)('0' + rnd() % 10);
            }
            if ((r >> 8) % 8 == 0) t[k++] = 'Z';
            int changed = (r >> 12) % 6 == 0;
            if (changed) { /* one byte changed: after the minute mostly */
                int at = (r >> 16) % 4 ? (int)rnd_range(16, k) : (int)rnd_range(0, 16);
                t[at] = bytes[rnd() % (sizeof bytes - 1)];
            }
            t[k] = 0;
            int minute_cached = c.minute_set && !memcmp(t, c.minute_text, 16);
            int64_t a = 0, b = 0;
            const char *q = wtime_scan_timestamp(t, t + k, tz, &c, &a);
            /* taken: the text up to q is a timestamp of that instant (the caller checks what follows) */
            int rb = wtime_parse_timestamp(t, q ? (size_t)(q - t) : (size_t)k, tz, &b);
            hits += minute_cached && q;
            if (q ? (rb || a != b) : (!changed && rb == WEIR_OK && nf != 0 && nf <= 9)) {
                if (++bad < 10)
                    fprintf(stderr, "scan run %s in %s: %s %lld vs %lld\n", t, zones[zi] ? zones[zi] : "NULL",
                            q ? "taken" : "refused", (long long)a, (long long)b);
            }
            /* the inline front (core/time_scan.h), with room after the text as a decoder's buffer has */
            char u[96];
            memcpy(u, t, (size_t)k);
            u[k] = ',';
            for (int j = 1; j <= 40; j++) u[k + j] = "0123456789Z.:,"[rnd() % 14];
            int64_t a2 = 0;
            const char *q2 = wtime_scan_timestamp_inline(u, u + k + 41, tz, &c2, &a2);
            if (q2 != (q ? u + (q - t) : NULL) || (q && a2 != a)) {
                if (++bad < 10)
                    fprintf(stderr, "inline scan %s in %s: %s %lld vs %lld\n", t, zones[zi] ? zones[zi] : "NULL",
                            q2 ? "taken" : "refused", (long long)a2, (long long)a);
            }
        }
        wtz_free(tz);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(hits > 4 * 300000 / 2 / (getenv("WEIR_SANITIZED") ? 10 : 1)); /* the minute cache was used */
}

int main(void) {
    test_iso_utc();
    test_dates();
    test_roundtrip_utc();
    test_zones_by_hand();
    test_zones_vs_glibc();
    test_tzif_files();
    test_patterns();
    test_scan_timestamp();
    test_scan_timestamp_runs();
    bench_iso();
    return check_summary();
}
