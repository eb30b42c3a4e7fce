/*
 * time_int.h - private helpers shared by time.c (ISO 8601 text), tz.c (time zones) and timefmt.c
 * (Spark datetime patterns). Not part of the core API; include core/time.h instead.
 */
#ifndef WEIR_CORE_TIME_INT_H
#define WEIR_CORE_TIME_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/time.h"

#define WTIME_US_PER_SEC INT64_C(1000000)
#define WTIME_US_PER_DAY INT64_C(86400000000)
#define WTIME_MAX_OFFSET (18 * 3600) /* Spark (java.time ZoneOffset) allows offsets up to +-18:00 */

/* A UTC or local instant cut into calendar fields. */
typedef struct WTimeFields {
    int64_t year;    /* proleptic Gregorian, astronomical (0 = 1 BC) */
    unsigned month;  /* 1..12 */
    unsigned day;    /* 1..31 */
    unsigned hour;   /* 0..23 */
    unsigned minute; /* 0..59 */
    unsigned second; /* 0..59 */
    uint32_t micro;  /* 0..999999 */
    int64_t days;    /* days since 1970-01-01 of this date */
} WTimeFields;

/* Cuts us (UTC microseconds) shifted by off_sec seconds into fields; never overflows for any int64. */
void wtime_split(int64_t us, int32_t off_sec, WTimeFields *out);

/* Reads a zone offset at s[*pos] that starts with '+' or '-': +h, +hh, +hh:mm, +hhmm, +hh:mm:ss, +hhmmss.
 * On success advances *pos and stores seconds east of UTC; returns 0, or -1 when malformed or beyond
 * +-18:00. */
int wtime_parse_offset(const char *s, size_t n, size_t *pos, int32_t *out_sec);

/* Writes an offset as +hh:mm (colon != 0) or +hhmm, with :ss / ss appended when the seconds are not zero.
 * Returns the number of bytes written (at most 9). */
int wtime_put_offset(char *p, int32_t off_sec, int colon);

/* Writes a year as Java does: 4 digits for 0..9999, otherwise a sign and at least 4 digits. */
int wtime_put_year(char *p, int64_t year);

#endif
