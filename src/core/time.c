/*
 * time.c - civil calendar arithmetic and ISO 8601 timestamp/date text (see time.h).
 *
 * This is the hot path of every codec that reads or writes a TIMESTAMP or DATE column, so it allocates
 * nothing, calls no libc time function and walks the text once. Calendar conversion is the usual
 * era-based (400-year cycle) closed form for the proleptic Gregorian calendar. Time zones live in tz.c;
 * a NULL zone (UTC) never leaves this file. Spark datetime patterns live in timefmt.c.
 * wtime_scan_timestamp is the decoders' fast path for the fixed ISO layout: the text checked and
 * converted a word at a time, the last valid minute's text (with its local and, where the zone's offset
 * holds for all of it, UTC seconds), the month's first day and the zone's constant-offset span cached, so
 * that a value in the minute of the one before only checks ":ss" and its fraction; core/time_scan.h is
 * that case as inline code for the decoders' row loops.
 */
#include "core/num.h"
#include "core/num_swar.h"
#include "core/time_int.h"

#include <time.h>
#include <string.h>

int64_t wtime_days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                    /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365, March-based */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* 0..146096 */
    return era * 146097 + doe - 719468;
}

void wtime_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d) {
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    unsigned dd = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    unsigned mm = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (mm <= 2);
    *m = mm;
    *d = dd;
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned days_in_month(int64_t y, unsigned m) {
    static const unsigned char dim[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m];
}

int64_t wtime_local_day(int64_t us, int32_t off_sec, int64_t *rem_us) {
    /* Floor-divide first, then add the offset to the remainder: no overflow even at INT64_MIN/MAX. */
    int64_t days = us / WTIME_US_PER_DAY;
    int64_t rem = us % WTIME_US_PER_DAY;
    if (rem < 0) {
        rem += WTIME_US_PER_DAY;
        days--;
    }
    rem += (int64_t)off_sec * WTIME_US_PER_SEC;
    while (rem < 0) {
        rem += WTIME_US_PER_DAY;
        days--;
    }
    while (rem >= WTIME_US_PER_DAY) {
        rem -= WTIME_US_PER_DAY;
        days++;
    }
    *rem_us = rem;
    return days;
}

void wtime_split(int64_t us, int32_t off_sec, WTimeFields *out) {
    int64_t rem;
    int64_t days = wtime_local_day(us, off_sec, &rem);
    out->days = days;
    wtime_civil_from_days(days, &out->year, &out->month, &out->day);
    int64_t secs = rem / WTIME_US_PER_SEC;
    out->micro = (uint32_t)(rem % WTIME_US_PER_SEC);
    out->hour = (unsigned)(secs / 3600);
    out->minute = (unsigned)(secs / 60 % 60);
    out->second = (unsigned)(secs % 60);
}

/* ---- writing ---- */


static inline void put2(char *p, unsigned v) { memcpy(p, wnum_digits2 + 2 * v, 2); }

int wtime_put_year(char *p, int64_t year) {
    if (year >= 0 && year <= 9999) {
        put2(p, (unsigned)(year / 100));
        put2(p + 2, (unsigned)(year % 100));
        return 4;
    }
    /* Outside 0000..9999 java.time writes a sign and at least four digits: +10000, -0001. */
    char tmp[24];
    int n = 0;
    uint64_t v = year < 0 ? (uint64_t)0 - (uint64_t)year : (uint64_t)year;
    while (v) {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    }
    while (n < 4) tmp[n++] = '0';
    int k = 0;
    p[k++] = year < 0 ? '-' : '+';
    while (n) p[k++] = tmp[--n];
    return k;
}

int wtime_put_offset(char *p, int32_t off_sec, int colon) {
    int k = 0;
    uint32_t a = off_sec < 0 ? (uint32_t)(-(int64_t)off_sec) : (uint32_t)off_sec;
    p[k++] = off_sec < 0 ? '-' : '+';
    put2(p + k, a / 3600 % 100);
    k += 2;
    if (colon) p[k++] = ':';
    put2(p + k, a / 60 % 60);
    k += 2;
    if (a % 60) {
        if (colon) p[k++] = ':';
        put2(p + k, a % 60);
        k += 2;
    }
    return k;
}

static int put_date(char *p, const WTimeFields *f) {
    int k = wtime_put_year(p, f->year);
    p[k] = '-';
    put2(p + k + 1, f->month);
    p[k + 3] = '-';
    put2(p + k + 4, f->day);
    return k + 6;
}

int wtime_format_timestamp(int64_t us, const WTz *tz, char *buf) {
    int32_t off = tz ? wtz_offset_at_utc(tz, us) : 0;
    WTimeFields f;
    wtime_split(us, off, &f);
    int k = put_date(buf, &f);
    char *p = buf + k;
    p[0] = 'T';
    put2(p + 1, f.hour);
    p[3] = ':';
    put2(p + 4, f.minute);
    p[6] = ':';
    put2(p + 7, f.second);
    p[9] = '.';
    uint32_t u = f.micro;
    put2(p + 10, u / 10000);
    put2(p + 12, u / 100 % 100);
    put2(p + 14, u % 100);
    k += 16;
    if (off == 0) buf[k++] = 'Z';
    else k += wtime_put_offset(buf + k, off, 1);
    buf[k] = 0;
    return k;
}

int wtime_format_date(int32_t days, char *buf) {
    WTimeFields f;
    f.days = days;
    wtime_civil_from_days(days, &f.year, &f.month, &f.day);
    int k = put_date(buf, &f);
    buf[k] = 0;
    return k;
}

/* ---- reading ---- */

static inline int is_digit(char c) { return (unsigned char)(c - '0') < 10; }

static inline int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Reads 1 or 2 digits (Spark accepts "2026-1-5 7:3:9"). */
static inline int read12(const char *s, size_t n, size_t *i, unsigned *out) {
    size_t j = *i;
    if (j >= n || !is_digit(s[j])) return -1;
    unsigned v = (unsigned)(s[j++] - '0');
    if (j < n && is_digit(s[j])) v = v * 10 + (unsigned)(s[j++] - '0');
    *i = j;
    *out = v;
    return 0;
}

int wtime_parse_offset(const char *s, size_t n, size_t *pos, int32_t *out_sec) {
    size_t i = *pos;
    if (i >= n || (s[i] != '+' && s[i] != '-')) return -1;
    int neg = s[i++] == '-';
    unsigned h, m = 0, sec = 0;
    size_t start = i;
    if (read12(s, n, &i, &h)) return -1;
    if (i < n && s[i] == ':') {
        if (i - start != 2) return -1;
        i++;
        if (i + 2 > n || !is_digit(s[i]) || !is_digit(s[i + 1])) return -1;
        m = (unsigned)(s[i] - '0') * 10 + (unsigned)(s[i + 1] - '0');
        i += 2;
        if (i < n && s[i] == ':') {
            i++;
            if (i + 2 > n || !is_digit(s[i]) || !is_digit(s[i + 1])) return -1;
            sec = (unsigned)(s[i] - '0') * 10 + (unsigned)(s[i + 1] - '0');
            i += 2;
        }
    } else if (i - start == 2 && i + 2 <= n && is_digit(s[i]) && is_digit(s[i + 1])) {
        m = (unsigned)(s[i] - '0') * 10 + (unsigned)(s[i + 1] - '0');
        i += 2;
        if (i + 2 <= n && is_digit(s[i]) && is_digit(s[i + 1])) {
            sec = (unsigned)(s[i] - '0') * 10 + (unsigned)(s[i + 1] - '0');
            i += 2;
        }
    }
    if (m > 59 || sec > 59) return -1;
    int32_t total = (int32_t)(h * 3600 + m * 60 + sec);
    if (total > WTIME_MAX_OFFSET) return -1;
    *out_sec = neg ? -total : total;
    *pos = i;
    return 0;
}

/* Reads [+-]yyyy[yy]-M[M]-d[d] at s[*i]; checks the day exists. */
static int read_ymd(const char *s, size_t n, size_t *pi, int64_t *y, unsigned *mo, unsigned *d) {
    size_t i = *pi;
    int neg = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    size_t start = i;
    int64_t v = 0;
    while (i < n && is_digit(s[i]) && i - start < 6) v = v * 10 + (s[i++] - '0');
    if (i - start < 4) return -1;
    if (i >= n || s[i] != '-') return -1;
    i++;
    if (read12(s, n, &i, mo) || i >= n || s[i] != '-') return -1;
    i++;
    if (read12(s, n, &i, d)) return -1;
    if (neg) v = -v;
    if (*mo < 1 || *mo > 12 || *d < 1 || *d > days_in_month(v, *mo)) return -1;
    *y = v;
    *pi = i;
    return 0;
}

static void trim(const char **s, size_t *n) {
    const char *p = *s;
    size_t m = *n;
    while (m && is_space(*p)) p++, m--;
    while (m && is_space(p[m - 1])) m--;
    *s = p;
    *n = m;
}

/* Two digits at p, or -1. */
static inline int two(const char *p) {
    unsigned a = (unsigned char)p[0] - '0', b = (unsigned char)p[1] - '0';
    return a < 10 && b < 10 ? (int)(a * 10 + b) : -1;
}

int wtime_parse_timestamp(const char *s, size_t n, const WTz *tz, int64_t *out_us) {
    if (n && (is_space(s[0]) || is_space(s[n - 1]))) trim(&s, &n);
    size_t i = 0;
    int64_t y;
    unsigned mo, d, hh = 0, mi = 0, ss = 0;
    int64_t frac = 0;
    int c1, c2, t1, t2, t3;
    /* Fast path for the common yyyy-MM-dd; anything else goes through the general reader. */
    if (n >= 10 && s[4] == '-' && s[7] == '-' && (c1 = two(s)) >= 0 && (c2 = two(s + 2)) >= 0 &&
        (t1 = two(s + 5)) >= 1 && t1 <= 12 && (t2 = two(s + 8)) >= 1) {
        y = c1 * 100 + c2;
        mo = (unsigned)t1;
        d = (unsigned)t2;
        if (d > days_in_month(y, mo)) return WEIR_PARSE;
        i = 10;
    } else if (read_ymd(s, n, &i, &y, &mo, &d)) {
        return WEIR_PARSE;
    }
    int has_zone = 0, has_sec = 0;
    int32_t off = 0;
    if (i < n) {
        if (s[i] != 'T' && s[i] != ' ') return WEIR_PARSE;
        i++;
        if (i + 8 <= n && s[i + 2] == ':' && s[i + 5] == ':' && (t1 = two(s + i)) >= 0 && (t2 = two(s + i + 3)) >= 0 &&
            (t3 = two(s + i + 6)) >= 0 && (i + 8 == n || !is_digit(s[i + 8]))) {
            hh = (unsigned)t1, mi = (unsigned)t2, ss = (unsigned)t3; /* fast path: HH:mm:ss */
            i += 8;
            has_sec = 1;
        } else {
            if (read12(s, n, &i, &hh) || i >= n || s[i] != ':') return WEIR_PARSE;
            i++;
            if (read12(s, n, &i, &mi)) return WEIR_PARSE;
            if (i < n && s[i] == ':') {
                i++;
                if (read12(s, n, &i, &ss)) return WEIR_PARSE;
                has_sec = 1;
            }
        }
        if (has_sec && i < n && s[i] == '.') { /* a fraction only after seconds */
            i++;
            size_t start = i;
            while (i < n && is_digit(s[i]) && i - start < 6) frac = frac * 10 + (s[i++] - '0');
            size_t got = i - start;
            static const int64_t scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
            frac *= scale[got];
            /* Digits 7..9 are read and dropped: Spark keeps microseconds and truncates the rest. */
            while (i < n && is_digit(s[i]) && i - start < 9) i++;
            if (i < n && is_digit(s[i])) return WEIR_PARSE;
        }
        if (hh > 23 || mi > 59 || ss > 59) return WEIR_PARSE;
        if (i < n) {
            if (s[i] == 'Z') {
                has_zone = 1;
                i++;
            } else if (s[i] == '+' || s[i] == '-') {
                if (wtime_parse_offset(s, n, &i, &off)) return WEIR_PARSE;
                has_zone = 1;
            }
        }
        if (i != n) return WEIR_PARSE;
    }
    if (y > 294247 || y < -290308) return WEIR_PARSE;
    /* Work in seconds of local time (cannot overflow for these years), then check the microsecond range. */
    int64_t local_sec = wtime_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss;
    int64_t utc_sec;
    if (has_zone || !tz) {
        utc_sec = local_sec - off;
    } else {
        /* The zone rules work on microseconds; refuse the last days of the int64 range there. */
        if (local_sec > INT64_MAX / WTIME_US_PER_SEC - 2 * 86400 || local_sec < INT64_MIN / WTIME_US_PER_SEC + 2 * 86400)
            return WEIR_PARSE;
        *out_us = wtz_local_to_utc(tz, local_sec * WTIME_US_PER_SEC + frac);
        return WEIR_OK;
    }
    int64_t us;
    /* Borrow one second for negative instants so that INT64_MIN itself (-290308-12-21T19:59:05.224192Z) is reachable. */
    if (utc_sec < 0 && frac > 0) {
        utc_sec++;
        frac -= WTIME_US_PER_SEC;
    }
    if (__builtin_mul_overflow(utc_sec, WTIME_US_PER_SEC, &us) || __builtin_add_overflow(us, frac, &us))
        return WEIR_PARSE;
    *out_us = us;
    return WEIR_OK;
}

void wtime_ts_cache_init(WTsCache *c) {
    memset(c, 0, sizeof *c);
    c->month_key = -1;
    c->span_lo = c->span_hi = 0;
}

#if NUM_SWAR /* core/num_swar.h: little-endian words of text */
#define SWAR_LE 1
#define load8 swar_load8

/* Whether the bytes of x selected by mask m (0xFF per byte) are all ASCII digits: 0x3_ before and after
 * adding 6 (a byte of 0xFA or more, whose + 6 would carry into the next one, fails the first test). */
static inline int digits_at(uint64_t x, uint64_t m) {
    uint64_t hi = m & UINT64_C(0xF0F0F0F0F0F0F0F0), d3 = m & UINT64_C(0x3030303030303030);
    return (x & hi) == d3 && ((x + (m & UINT64_C(0x0606060606060606))) & hi) == d3;
}

/* The selected digit bytes of x as numbers, other bytes zero, then byte i = 10 * digit i + digit i+1. */
static inline uint64_t pairs(uint64_t x, uint64_t m) {
    uint64_t v = (x - (m & UINT64_C(0x3030303030303030))) & m;
    return v * 10 + (v >> 8);
}
#define BYTE(v, i) ((int)(((v) >> (8 * (i))) & 0xFF))
#endif

/* Whether day d exists in month mo of year y1 y2 (fields already in range otherwise); then *out = the local
 * seconds of the minute "yyyy-MM-ddTHH:mm". The month's first day and length are cached in c. */
static inline int minute_local(WTsCache *c, int y1, int y2, int mo, int d, int hh, int mi, int64_t *out) {
    int64_t y = y1 * 100 + y2, key = y * 16 + mo;
    if (key != c->month_key) {
        c->month_key = key;
        c->month_days = wtime_days_from_civil(y, (unsigned)mo, 1);
        c->month_len = days_in_month(y, (unsigned)mo);
    }
    if ((unsigned)d > c->month_len) return 0;
    *out = (c->month_days + d - 1) * 86400 + hh * 3600 + mi * 60;
    return 1;
}

const char *wtime_scan_timestamp(const char *s, const char *end, const WTz *tz, WTsCache *c, int64_t *out_us) {
    if (end - s < 19) return NULL;
    int64_t local;
#ifdef SWAR_LE
    /* "yyyy-MM-" "dd" 'T' "HH:mm:ss": three words (the last two overlap), checked and converted whole */
    const uint64_t m0 = UINT64_C(0x00FFFF00FFFFFFFF), m1 = UINT64_C(0x000000000000FFFF), m2 = UINT64_C(0xFFFF00FFFF00FFFF);
    const uint64_t mss = UINT64_C(0xFFFF000000000000);
    uint64_t x0 = load8(s), x1 = load8(s + 8), x2 = load8(s + 11);
    if (((x0 ^ c->minute_text[0]) | (x1 ^ c->minute_text[1])) == 0 && c->minute_set) {
        /* the minute of an earlier value (rows come mostly in time order): only ":ss" is new */
        if (BYTE(x2, 5) != ':' || !digits_at(x2, mss)) return NULL;
        int ss = BYTE(pairs(x2, mss), 6);
        if (ss > 59) return NULL;
        local = c->minute_local + ss;
    } else {
        if (!digits_at(x0, m0) || (x0 & ~m0) != UINT64_C(0x2D00002D00000000) || !digits_at(x1, m1) ||
            (BYTE(x1, 2) != 'T' && BYTE(x1, 2) != ' ') || !digits_at(x2, m2) ||
            (x2 & ~m2) != UINT64_C(0x00003A00003A0000))
            return NULL;
        uint64_t v0 = pairs(x0, m0), v1 = pairs(x1, m1), v2 = pairs(x2, m2);
        int mo = BYTE(v0, 5), d = BYTE(v1, 0), hh = BYTE(v2, 0), mi = BYTE(v2, 3), ss = BYTE(v2, 6);
        if (mo < 1 || mo > 12 || d < 1 || hh > 23 || mi > 59 || ss > 59) return NULL;
        int64_t m;
        if (!minute_local(c, BYTE(v0, 0), BYTE(v0, 2), mo, d, hh, mi, &m)) return NULL;
        c->minute_text[0] = x0; /* a valid minute */
        c->minute_text[1] = x1;
        c->minute_local = m;
        c->minute_set = 1;
        c->minute_zone_set = 0; /* set below when the zone's offset holds for the whole minute */
        local = m + ss;
    }
#else
    int y1 = two(s), y2 = two(s + 2), mo = two(s + 5), d = two(s + 8), hh = two(s + 11), mi = two(s + 14),
        ss = two(s + 17);
    if ((y1 | y2 | mo | d | hh | mi | ss) < 0 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return NULL;
    if (mo < 1 || mo > 12 || d < 1 || hh > 23 || mi > 59 || ss > 59) return NULL;
    if (!minute_local(c, y1, y2, mo, d, hh, mi, &local)) return NULL;
    local += ss;
#endif
    const char *p = s + 19;
    int64_t frac = 0;
    if (p < end && *p == '.') {
        const char *f0 = ++p;
#ifdef SWAR_LE
        uint64_t xf;
        if (end - p >= 8 && swar_digit_count(xf = load8(p)) == 6) {
            uint64_t v = pairs(xf, UINT64_C(0x0000FFFFFFFFFFFF)); /* the usual six digits, then no digit */
            frac = BYTE(v, 0) * 10000 + BYTE(v, 2) * 100 + BYTE(v, 4);
            p += 6;
        } else
#endif
        {
            while (p < end && p - f0 < 6 && is_digit(*p)) frac = frac * 10 + (*p++ - '0');
            static const int64_t scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
            if (p == f0) return NULL;
            frac *= scale[p - f0];
            while (p < end && p - f0 < 9 && is_digit(*p)) p++; /* digits 7..9 dropped, as Spark does */
            if (p < end && is_digit(*p)) return NULL;
        }
    }
    int utc = !tz, zulu = 0;
    if (p < end && *p == 'Z') {
        utc = zulu = 1;
        p++;
    }
    if (!utc) {
        if (tz != c->tz || local < c->span_lo || local >= c->span_hi) {
            c->tz = tz;
            c->span_off = wtz_local_span(tz, local, &c->span_lo, &c->span_hi);
            if (local < c->span_lo || local >= c->span_hi) { /* near a transition: no shortcut */
                *out_us = wtz_local_to_utc(tz, local * WTIME_US_PER_SEC + frac);
                return p;
            }
        }
        local -= c->span_off;
    }
#ifdef SWAR_LE
    /* the cached minute in UTC, for time_scan.h (texts without 'Z' in this zone) */
    if (!zulu && !c->minute_zone_set &&
        (!tz || (c->minute_local >= c->span_lo && c->minute_local + 60 <= c->span_hi))) {
        c->minute_utc = tz ? c->minute_local - c->span_off : c->minute_local;
        c->minute_zone = tz;
        c->minute_zone_set = 1;
    }
#endif
    *out_us = local * WTIME_US_PER_SEC + frac;
    return p;
}

int wtime_parse_date(const char *s, size_t n, int32_t *out_days) {
    trim(&s, &n);
    size_t i = 0;
    int64_t y;
    unsigned mo, d;
    if (read_ymd(s, n, &i, &y, &mo, &d)) return WEIR_PARSE;
    /* Like Spark's stringToDate, a 'T' or ' ' ends the date and whatever follows (a time) is ignored. */
    if (i < n && s[i] != 'T' && s[i] != ' ') return WEIR_PARSE;
    if (y > 5000000 || y < -5000000) return WEIR_PARSE;
    int64_t days = wtime_days_from_civil(y, mo, d);
    if (days > INT32_MAX || days < INT32_MIN) return WEIR_PARSE;
    *out_days = (int32_t)days;
    return WEIR_OK;
}

int64_t wtime_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t wtime_mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
