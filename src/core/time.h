/*
 * time.h - timestamps and dates as text, in UTC or any IANA time zone.
 *
 * TIMESTAMP is int64 microseconds since 1970-01-01T00:00:00Z; DATE is int32 days since 1970-01-01.
 * Default text (ISO 8601, as weir writes it): 2026-11-24T06:00:00.000663Z in UTC, or
 * 2026-11-24T07:00:00.000663+01:00 in another session zone. Reading accepts 'T' or ' ' between date and
 * time, 0 to 9 fractional digits (beyond 6 truncated, as Spark does), optional seconds, and an optional
 * zone: Z, +hh:mm, +hhmm, +hh (or +hh:mm:ss, up to +-18:00); text without a zone is local time in the
 * session zone. As in Spark, surrounding white space is ignored, month/day/hour/minute/second may have one
 * digit, and a date alone is midnight. Years are 4 digits, or a sign and up to 6 digits for the whole
 * int64 range (+294247-01-10T04:00:54.775807Z); every int64 formats and reads back to itself.
 * A DATE reads yyyy-MM-dd and ignores whatever follows a 'T' or ' ' after it (Spark's stringToDate).
 * Spark-style patterns (yyyy MM dd HH mm ss SSS.. XXX 'T' ...) are compiled once and reused.
 * A NULL WTz means UTC.
 */
#ifndef WEIR_CORE_TIME_H
#define WEIR_CORE_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define WTIME_TEXT_MAX 64 /* buffer size for any formatted timestamp or date */

typedef struct WTz WTz;

/* "UTC", "Z", an IANA name ("Europe/Paris", read from the system's tz database), or a fixed offset
 * ("+02:00", "-0530", "UTC+2", "GMT-03:00"). */
int wtz_open(const char *name, WTz **out, WErr *err);
void wtz_free(WTz *tz);
const char *wtz_name(const WTz *tz);
/* Offset from UTC in seconds at the UTC instant utc_us. */
int32_t wtz_offset_at_utc(const WTz *tz, int64_t utc_us);
/* Local wall-clock microseconds -> UTC. In a gap the time moves forward by the gap; in an overlap the
 * earlier offset wins (java.time's rule, which Spark follows). */
int64_t wtz_local_to_utc(const WTz *tz, int64_t local_us);
/* The stretch [*lo, *hi) of local wall-clock seconds around local_sec in which wtz_local_to_utc is
 * local - off (off is returned): far from any transition. *lo == *hi when local_sec is near one. */
int32_t wtz_local_span(const WTz *tz, int64_t local_sec, int64_t *lo, int64_t *hi);

/* Civil date <-> days since the epoch (proleptic Gregorian). */
int64_t wtime_days_from_civil(int64_t y, unsigned m, unsigned d);
void wtime_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* The clocks: wall time in microseconds since the epoch (a TIMESTAMP: current_timestamp, progress
 * times), and a monotonic clock in microseconds for durations and deadlines. */
int64_t wtime_now_us(void);
int64_t wtime_mono_us(void);

/* ISO 8601 reading and writing (see above). Parse functions return WEIR_OK or WEIR_PARSE. */
int wtime_parse_timestamp(const char *s, size_t n, const WTz *tz, int64_t *out_us);
int wtime_parse_date(const char *s, size_t n, int32_t *out_days);

/* Decoders' fast path for the fixed layout yyyy-MM-ddTHH:mm:ss[.f{1,9}][Z] ('T' or ' '), with what the
 * previous values of a column had in common cached in c (the text of their minute, the first day of their
 * month, and the stretch of local time around them in which tz keeps one UTC offset, far from any
 * transition). Returns the end of that text with *out_us set to what wtime_parse_timestamp gives for
 * it, or NULL (nothing set) for any other text: the caller then finds the field's end itself and calls
 * wtime_parse_timestamp. The cache belongs to one thread and one tz; wtime_ts_cache_init empties it. */
typedef struct WTsCache {
    int64_t month_key;   /* year * 16 + month of month_days, or -1 */
    int64_t month_days;  /* days since the epoch of the 1st of that month */
    unsigned month_len;
    const WTz *tz;       /* the zone the span belongs to */
    int64_t span_lo, span_hi; /* local seconds [lo, hi) in which UTC = local - span_off */
    int32_t span_off;
    uint64_t minute_text[2]; /* the 16 bytes "yyyy-MM-ddTHH:mm" of the last minute read (when minute_set) */
    int64_t minute_local;    /* its local seconds since the epoch */
    int minute_set;
    int minute_zone_set;     /* minute_utc holds for texts of that minute without 'Z' in zone minute_zone */
    const WTz *minute_zone;
    int64_t minute_utc;      /* the minute's UTC seconds: the zone's offset is the same all through it */
} WTsCache;
void wtime_ts_cache_init(WTsCache *c);
const char *wtime_scan_timestamp(const char *s, const char *end, const WTz *tz, WTsCache *c, int64_t *out_us);
int wtime_format_timestamp(int64_t us, const WTz *tz, char *buf); /* returns length */
/* The local day (days since 1970-01-01) of UTC instant us shifted by off_sec seconds, and the
 * microseconds into that day in *rem_us; never overflows for any int64. */
int64_t wtime_local_day(int64_t us, int32_t off_sec, int64_t *rem_us);
int wtime_format_date(int32_t days, char *buf);

/* Spark datetime patterns: y yy yyyy, M MM MMM MMMM, d dd, D, H HH, h hh, a, m mm, s ss, S..SSSSSSSSS,
 * X..XXXXX, x..xxxxx, Z ZZ ZZZ ZZZZZ, VV, 'quoted text', '' for a quote, [optional sections], other
 * punctuation as itself. Unknown letters fail to compile with their position. Caller owns the compiled
 * pattern; free with wtimefmt_free. Parsing must consume the whole text (WEIR_OK or WEIR_PARSE); fields the
 * pattern lacks default to 1970-01-01 00:00:00; text without an offset or zone id is local in tz.
 * wtimefmt_format writes a NUL-terminated text and returns its length, or -1 when cap is too small. */
typedef struct WTimeFmt WTimeFmt;
int wtimefmt_compile(const char *pattern, WTimeFmt **out, WErr *err);
void wtimefmt_free(WTimeFmt *f);
int wtimefmt_parse(const WTimeFmt *f, const char *s, size_t n, const WTz *tz, int64_t *out_us);
int wtimefmt_format(const WTimeFmt *f, int64_t us, const WTz *tz, char *buf, size_t cap);

#endif
