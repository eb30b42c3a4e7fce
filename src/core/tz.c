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

/* ---- POSIX TZ rule strings (the TZif footer) ---- */

/* Reads [+-]h[hh][:mm[:ss]]; hours up to 167 (TZif v3 allows that for rule times). */
static int posix_hms(const char **pp, int32_t *out) {
    const char *p = *pp;
    int neg = 0;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    if (*p < '0' || *p > '9') return -1;
    int32_t h = 0, m = 0, sec = 0;
    for (int k = 0; *p >= '0' && *p <= '9'; k++) {
        if (k == 3) return -1;
        h = h * 10 + (*p++ - '0');
    }
    if (*p == ':') {
        p++;
        if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return -1;
        m = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
        if (*p == ':') {
            p++;
            if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return -1;
            sec = (p[0] - '0') * 10 + (p[1] - '0');
            p += 2;
        }
    }
    if (h > 167 || m > 59 || sec > 59) return -1;
    *out = (h * 3600 + m * 60 + sec) * (neg ? -1 : 1);
    *pp = p;
    return 0;
}

static int posix_name(const char **pp) {
    const char *p = *pp;
    if (*p == '<') {
        p++;
        while (*p && *p != '>') p++;
        if (*p != '>') return -1;
        p++;
    } else {
        const char *q = p;
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) p++;
        if (p - q < 3) return -1;
    }
    *pp = p;
    return 0;
}

static int posix_date(const char **pp, TzRuleDate *d) {
    const char *p = *pp;
    memset(d, 0, sizeof *d);
    if (*p == 'J' || (*p >= '0' && *p <= '9')) {
        d->kind = *p == 'J' ? 'J' : 'D';
        if (*p == 'J') p++;
        if (*p < '0' || *p > '9') return -1;
        while (*p >= '0' && *p <= '9' && d->n < 1000) d->n = d->n * 10 + (*p++ - '0');
        if (d->kind == 'J' ? d->n < 1 || d->n > 365 : d->n > 365) return -1;
    } else if (*p == 'M') {
        d->kind = 'M';
        p++;
        int v[3] = {0, 0, 0};
        for (int k = 0; k < 3; k++) {
            if (k && *p++ != '.') return -1;
            if (*p < '0' || *p > '9') return -1;
            while (*p >= '0' && *p <= '9' && v[k] < 100) v[k] = v[k] * 10 + (*p++ - '0');
        }
        d->m = v[0], d->w = v[1], d->d = v[2];
        if (d->m < 1 || d->m > 12 || d->w < 1 || d->w > 5 || d->d > 6) return -1;
    } else {
        return -1;
    }
    d->secs = 7200; /* 02:00 unless given */
    if (*p == '/' && (p++, posix_hms(&p, &d->secs))) return -1;
    *pp = p;
    return 0;
}

/* Parses a POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3" or "<+01>-1". */
static int posix_parse(const char *p, TzRule *r) {
    memset(r, 0, sizeof *r);
    int32_t v;
    if (posix_name(&p) || posix_hms(&p, &v)) return -1;
    r->std_off = -v; /* POSIX counts hours west of Greenwich */
    if (*p) {
        if (posix_name(&p)) return -1;
        r->has_dst = 1;
        r->dst_off = r->std_off + 3600;
        if (*p && *p != ',') {
            if (posix_hms(&p, &v)) return -1;
            r->dst_off = -v;
        }
        if (*p == ',') {
            p++;
            if (posix_date(&p, &r->start) || *p++ != ',' || posix_date(&p, &r->end)) return -1;
        } else {
            /* no rule given: the US rule, as glibc assumes */
            r->start = (TzRuleDate){'M', 0, 3, 2, 0, 7200};
            r->end = (TzRuleDate){'M', 0, 11, 1, 0, 7200};
        }
    }
    if (*p) return -1;
    /* TZif offsets lie within -25h..+26h (RFC 8536); refuse rules outside that */
    if (r->std_off < -25 * 3600 || r->std_off > 26 * 3600 || r->dst_off < -25 * 3600 || r->dst_off > 26 * 3600)
        return -1;
    r->valid = 1;
    return 0;
}

static int leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Local day (days since the epoch) on which rule date d falls in year y. */
static int64_t rule_day(const TzRuleDate *d, int64_t y) {
    int64_t jan1 = wtime_days_from_civil(y, 1, 1);
    if (d->kind == 'J') return jan1 + d->n - 1 + (leap(y) && d->n >= 60);
    if (d->kind == 'D') return jan1 + d->n;
    static const int dim[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t first = wtime_days_from_civil(y, (unsigned)d->m, 1);
    int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    int64_t day = first + (d->d - wd + 7) % 7 + (int64_t)(d->w - 1) * 7;
    int len = dim[d->m] + (d->m == 2 && leap(y));
    while (day >= first + len) day -= 7;
    return day;
}

/* The period (offset and UTC bounds [lo, hi)) of a rule with DST that contains UTC second t. */
static void rule_period(const TzRule *r, int64_t t, int64_t *lo, int64_t *hi, int32_t *off) {
    int64_t y = (t + r->std_off) / 31556952 + 1970; /* approximate year; its neighbours are checked too */
    int64_t at[6];
    int32_t to[6];
    int k = 0;
    for (int64_t yy = y - 1; yy <= y + 1; yy++) {
        at[k] = rule_day(&r->start, yy) * 86400 + r->start.secs - r->std_off;
        to[k++] = r->dst_off;
        at[k] = rule_day(&r->end, yy) * 86400 + r->end.secs - r->dst_off;
        to[k++] = r->std_off;
    }
    for (int i = 1; i < 6; i++) /* insertion sort of six instants */
        for (int j = i; j > 0 && at[j - 1] > at[j]; j--) {
            int64_t a = at[j];
            at[j] = at[j - 1], at[j - 1] = a;
            int32_t o = to[j];
            to[j] = to[j - 1], to[j - 1] = o;
        }
    int i = 5;
    while (i >= 0 && at[i] > t) i--;
    if (i < 0) { /* cannot happen with the year estimate above; stay safe */
        *off = to[5] == r->std_off ? r->dst_off : r->std_off;
        *lo = INT64_MIN;
        *hi = at[0];
        return;
    }
    *off = to[i];
    *lo = at[i];
    *hi = i < 5 ? at[i + 1] : INT64_MAX;
}

/* ---- TZif files ---- */

static int64_t be32s(const uint8_t *p) { return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static int64_t be64(const uint8_t *p) { return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4)); }

#define TZ_RULE_TABLE_END 2400 /* rule transitions are expanded into the table up to this year */

/* Appends a transition, dropping ones that do not change the offset. */
static int push(WTz *z, int *cap, int64_t at, int32_t off) {
    int32_t cur = z->n ? z->after[z->n - 1] : z->before;
    if (off == cur) return 0;
    if (z->n && at <= z->trans[z->n - 1]) return 0;
    if (z->n == *cap) {
        int nc = *cap ? *cap * 2 : 64;
        int64_t *t = realloc(z->trans, (size_t)nc * sizeof *t);
        if (!t) return -1;
        z->trans = t;
        int32_t *a = realloc(z->after, (size_t)nc * sizeof *a);
        if (!a) return -1;
        z->after = a;
        *cap = nc;
    }
    z->trans[z->n] = at;
    z->after[z->n++] = off;
    return 0;
}

/* Reads TZif data (RFC 8536, versions 1..3+) into z. Returns 0, -1 malformed, -2 out of memory. */
static int tzif_load(WTz *z, const uint8_t *p, size_t n) {
    if (n < 44 || memcmp(p, "TZif", 4)) return -1;
    int version = p[4] ? p[4] - '0' : 1;
    const uint8_t *h = p;
    int tsize = 4;
    for (;;) {
        uint32_t isut = be32(h + 20), isstd = be32(h + 24), leapc = be32(h + 28), timec = be32(h + 32),
                 typec = be32(h + 36), charc = be32(h + 40);
        if (typec == 0 || typec > 256 || timec > 100000 || leapc > 100000 || charc > 100000 || isut > 256 ||
            isstd > 256)
            return -1;
        size_t body = (size_t)timec * (size_t)(tsize + 1) + typec * 6u + charc + (size_t)leapc * (size_t)(tsize + 4) +
                      isstd + isut;
        if ((size_t)(h + 44 - p) + body > n) return -1;
        if (version >= 2 && tsize == 4) { /* skip the 32-bit block; the 64-bit one follows */
            h += 44 + body;
            if ((size_t)(h - p) + 44 > n || memcmp(h, "TZif", 4)) return -1;
            tsize = 8;
            continue;
        }
        const uint8_t *times = h + 44, *idx = times + (size_t)timec * (size_t)tsize, *types = idx + timec;
        for (uint32_t i = 0; i < timec; i++)
            if (idx[i] >= typec) return -1;
        z->before = (int32_t)be32s(types);
        int cap = 0;
        for (uint32_t i = 0; i < timec; i++) {
            int64_t at = tsize == 8 ? be64(times + 8 * (size_t)i) : be32s(times + 4 * (size_t)i);
            int32_t off = (int32_t)be32s(types + 6 * (size_t)idx[i]);
            if (off < -25 * 3600 || off > 26 * 3600) return -1;
            if (push(z, &cap, at, off)) return -2;
        }
        if (z->before < -25 * 3600 || z->before > 26 * 3600) return -1;
        if (tsize == 8) { /* footer: "\n" POSIX-TZ "\n" */
            const uint8_t *f = h + 44 + body, *end = p + n;
            if (f < end && *f == '\n') {
                const uint8_t *q = f + 1;
                while (q < end && *q != '\n') q++;
                size_t len = (size_t)(q - f - 1);
                if (q < end && len > 0 && len < 256) {
                    char spec[256];
                    memcpy(spec, f + 1, len);
                    spec[len] = 0;
                    if (posix_parse(spec, &z->rule)) memset(&z->rule, 0, sizeof z->rule);
                }
            }
        }
        break;
    }
    /* Expand the rule into the table up to TZ_RULE_TABLE_END so that the common years use the fast,
     * cached table lookup; rule_period handles the years after. */
    if (z->rule.valid && z->rule.has_dst) {
        int64_t from = z->n ? z->trans[z->n - 1] : INT64_MIN / 2;
        int64_t y0 = z->n ? from / 31556952 + 1970 - 1 : 1800; /* rule-only file: the rule from 1800 on */
        int cap = z->n; /* push reallocates when full */
        if (z->n) { /* from the last transition on the rule decides, even in the period it starts */
            int64_t lo, hi;
            rule_period(&z->rule, from, &lo, &hi, &z->after[z->n - 1]);
        }
        for (int64_t y = y0; y <= TZ_RULE_TABLE_END; y++) {
            int64_t s = rule_day(&z->rule.start, y) * 86400 + z->rule.start.secs - z->rule.std_off;
            int64_t e = rule_day(&z->rule.end, y) * 86400 + z->rule.end.secs - z->rule.dst_off;
            int64_t a = s < e ? s : e, b = s < e ? e : s;
            int32_t oa = s < e ? z->rule.dst_off : z->rule.std_off, ob = s < e ? z->rule.std_off : z->rule.dst_off;
            if (a > from && push(z, &cap, a, oa)) return -2;
            if (b > from && push(z, &cap, b, ob)) return -2;
        }
    } else if (z->rule.valid && z->n == 0) {
        z->before = z->rule.std_off;
    }
    return 0;
}

static int valid_zone_name(const char *name) {
    if (name[0] == '/' || strlen(name) > 100) return 0;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
              c == '-' || c == '+' || c == '.'))
            return 0;
        if (c == '.' && p[1] == '.') return 0;
    }
    return 1;
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
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir) dir = "/usr/share/zoneinfo";
    if (!valid_zone_name(name))
        return werr_msg(err, WEIR_PARSE, "unknown time zone '%s' (not a zone id or offset such as +02:00)", name);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return werr_msg(err, WEIR_PARSE, "unknown time zone '%s' (%s: %s)", name, path, strerror(errno));
    uint8_t *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8192;
            uint8_t *d = cap <= (1u << 22) ? realloc(data, cap) : NULL;
            if (!d) {
                free(data);
                fclose(f);
                return werr_msg(err, cap > (1u << 22) ? WEIR_PARSE : WEIR_NOMEM, "time zone file %s is too big", path);
            }
            data = d;
        }
        size_t got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int ioerr = ferror(f);
    fclose(f);
    if (ioerr) { /* e.g. a directory such as "Europe" */
        free(data);
        return werr_msg(err, WEIR_PARSE, "unknown time zone '%s' (cannot read %s)", name, path);
    }
    WTz *z = new_zone(name);
    if (!z) {
        free(data);
        return werr_msg(err, WEIR_NOMEM, "out of memory opening time zone %s", name);
    }
    z->kind = TZ_TABLE;
    int rc = tzif_load(z, data, len);
    free(data);
    if (rc) {
        wtz_free(z);
        if (rc == -2) return werr_msg(err, WEIR_NOMEM, "out of memory reading time zone file %s", path);
        return werr_msg(err, WEIR_PARSE, "unknown time zone '%s' (%s is not a valid TZif file)", name, path);
    }
    *out = z;
    return WEIR_OK;
}

/* The period of tz containing UTC second t: its offset and UTC bounds [lo, hi). */
static int32_t period_at(const WTz *tz, int64_t t, int64_t *lo, int64_t *hi) {
    if (tz->kind == TZ_FIXED) {
        *lo = INT64_MIN;
        *hi = INT64_MAX;
        return tz->fixed;
    }
    int n = tz->n;
    atomic_int *hint = (atomic_int *)&tz->hint; /* the only field a lookup writes; relaxed is enough */
    int i = atomic_load_explicit(hint, memory_order_relaxed);
    if (i < -1 || i >= n || (i >= 0 && tz->trans[i] > t) || (i + 1 < n && tz->trans[i + 1] <= t)) {
        int a = 0, b = n; /* first index with trans > t */
        while (a < b) {
            int m = (a + b) / 2;
            if (tz->trans[m] <= t) a = m + 1;
            else b = m;
        }
        i = a - 1;
        atomic_store_explicit(hint, i, memory_order_relaxed);
    }
    if (i < 0) {
        *lo = INT64_MIN;
        *hi = n ? tz->trans[0] : INT64_MAX;
        return tz->before;
    }
    *lo = tz->trans[i];
    if (i + 1 < n) {
        *hi = tz->trans[i + 1];
        return tz->after[i];
    }
    if (tz->rule.valid && tz->rule.has_dst) {
        int32_t off;
        rule_period(&tz->rule, t, lo, hi, &off);
        if (*lo < tz->trans[i]) *lo = tz->trans[i];
        return off;
    }
    *hi = INT64_MAX;
    return tz->rule.valid ? tz->rule.std_off : tz->after[i];
}

static int64_t floor_sec(int64_t us) { return us / WTIME_US_PER_SEC - (us % WTIME_US_PER_SEC < 0); }

int32_t wtz_offset_at_utc(const WTz *tz, int64_t utc_us) {
    if (!tz) return 0;
    if (tz->kind == TZ_FIXED) return tz->fixed;
    int64_t lo, hi;
    return period_at(tz, floor_sec(utc_us), &lo, &hi);
}

/* Offsets lie within -25h..+26h, so two differ by less than 51h; a candidate instant this far from both
 * ends of its period cannot have a twin in another period. */
#define TZ_MARGIN (52 * 3600)

/* Local x maps to x - o whenever x - o lies in a period of offset o more than TZ_MARGIN from both of its
 * ends: another offset o' would give a candidate within 51 h of x - o, so inside the same period, whose
 * offset is not o' (and wtz_local_to_utc finds exactly that in both of its branches). */
int32_t wtz_local_span(const WTz *tz, int64_t local_sec, int64_t *lo, int64_t *hi) {
    *lo = INT64_MIN;
    *hi = INT64_MAX;
    if (!tz) return 0;
    if (tz->kind == TZ_FIXED) return tz->fixed;
    int64_t plo, phi;
    int32_t o = period_at(tz, local_sec, &plo, &phi);
    int64_t u = local_sec - o;
    if (period_at(tz, u, &plo, &phi) != o) {
        *lo = *hi = local_sec;
        return 0;
    }
    if (plo != INT64_MIN) *lo = plo + TZ_MARGIN + 1 + o;
    if (phi != INT64_MAX) *hi = phi - TZ_MARGIN + o;
    if (local_sec < *lo || local_sec >= *hi) *lo = *hi = local_sec;
    return o;
}

int64_t wtz_local_to_utc(const WTz *tz, int64_t local_us) {
    if (!tz) return local_us;
    int64_t ls = floor_sec(local_us), frac = local_us - ls * WTIME_US_PER_SEC, lo, hi, r;
    if (tz->kind == TZ_FIXED) {
        r = ls - tz->fixed;
    } else {
        int32_t o = period_at(tz, ls, &lo, &hi);
        int64_t u = ls - o;
        int32_t o2 = period_at(tz, u, &lo, &hi);
        if (o2 == o && (lo == INT64_MIN || u - lo > TZ_MARGIN) && (hi == INT64_MAX || hi - u > TZ_MARGIN)) {
            r = u;
        } else {
            /* Near a transition: look at every period meeting [ls - margin, ls + margin]. The earliest
             * valid instant wins (an overlap takes the offset before the transition); with none, ls is
             * in a gap [T + before, T + after) and java.time moves it forward by the gap: ls - before. */
            int64_t t = ls > INT64_MIN / 2 ? ls - TZ_MARGIN : ls, best = INT64_MAX, gap = INT64_MAX;
            int have_prev = 0;
            int32_t prev = 0;
            for (int guard = 0; guard < 64; guard++) {
                int32_t off = period_at(tz, t, &lo, &hi);
                int64_t c = ls - off;
                if (c >= lo && (hi == INT64_MAX || c < hi) && c < best) best = c;
                if (have_prev && off > prev && ls >= lo + prev && ls < lo + off) gap = ls - prev;
                if (hi == INT64_MAX || hi > ls + TZ_MARGIN) break;
                have_prev = 1;
                prev = off;
                t = hi;
            }
            r = best != INT64_MAX ? best : gap != INT64_MAX ? gap : u;
        }
    }
    int64_t us;
    if (__builtin_mul_overflow(r, WTIME_US_PER_SEC, &us) || __builtin_add_overflow(us, frac, &us))
        return r < 0 ? INT64_MIN : INT64_MAX;
    return us;
}
