/*
 * timefmt.c - Spark (java.time DateTimeFormatter) datetime patterns: compile once, parse and format many.
 *
 * A pattern such as "yyyy-MM-dd'T'HH:mm:ss[.SSS][XXX]" compiles to a flat list of items: numeric fields,
 * month names, AM/PM, fractions, zone offsets, zone ids, literal text, and the bounds of optional
 * sections. Parsing walks the items over the text, an optional section either matches as a whole or is
 * skipped (no deeper backtracking, as in java.time), and the whole text must be consumed. Fields that the
 * pattern lacks default as in Spark: year 1970, month 1, day 1, time 00:00:00. A text without an offset
 * or zone id is local time in the session zone (time.h). Parsing allocates nothing except when the
 * pattern has a zone id (VV) and the text names an IANA zone.
 */
#include "core/time_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    I_LIT,      /* literal text */
    I_YEAR,     /* y: count 2 = two-digit year 2000..2099 */
    I_MONTH,    /* M: count 1..2 numeric, 3 short name, 4 full name */
    I_DAY,      /* d */
    I_DOY,      /* D: day of year */
    I_HOUR,     /* H: 0..23 */
    I_HOUR12,   /* h: 1..12 */
    I_AMPM,     /* a */
    I_MINUTE,   /* m */
    I_SECOND,   /* s */
    I_FRAC,     /* S..S */
    I_OFF_X,    /* X: offset, 'Z' for zero */
    I_OFF_x,    /* x: offset, digits for zero */
    I_OFF_Z,    /* Z: +hhmm (ZZZZZ: like XXX) */
    I_ZONE,     /* VV: zone id */
    I_OPT_BEGIN, /* '[': arg = index of the matching ']' */
    I_OPT_END,  /* ']' */
};

typedef struct WTimeItem {
    int kind;    /* I_* */
    int count;   /* how many times the letter was repeated */
    int lit;     /* I_LIT: offset of the text in WTimeFmt.lits; I_OPT_BEGIN: index of its I_OPT_END */
    int lit_len; /* I_LIT: length of the text */
} WTimeItem;

struct WTimeFmt {
    WTimeItem *items; /* in pattern order */
    int n;            /* number of items */
    char *lits;       /* all literal texts, back to back */
};

static const char *const month_short[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const month_long[12] = {"January", "February", "March",     "April",   "May",      "June",
                                           "July",    "August",   "September", "October", "November", "December"};

void wtimefmt_free(WTimeFmt *f) {
    if (!f) return;
    free(f->items);
    free(f->lits);
    free(f);
}

static int is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int add_item(WTimeFmt *f, int *cap, WTimeItem it) {
    if (f->n == *cap) {
        int nc = *cap ? *cap * 2 : 16;
        WTimeItem *p = realloc(f->items, (size_t)nc * sizeof *p);
        if (!p) return -1;
        f->items = p;
        *cap = nc;
    }
    f->items[f->n++] = it;
    return 0;
}

/* Appends one literal byte, merging with a literal item just before it. */
static int add_lit(WTimeFmt *f, int *cap, size_t *lits_n, char c) {
    f->lits[*lits_n] = c;
    if (f->n && f->items[f->n - 1].kind == I_LIT && f->items[f->n - 1].lit + f->items[f->n - 1].lit_len == (int)*lits_n) {
        f->items[f->n - 1].lit_len++;
        (*lits_n)++;
        return 0;
    }
    WTimeItem it = {I_LIT, 0, (int)*lits_n, 1};
    (*lits_n)++;
    return add_item(f, cap, it);
}

int wtimefmt_compile(const char *pattern, WTimeFmt **out, WErr *err) {
    *out = NULL;
    size_t plen = strlen(pattern);
    WTimeFmt *f = calloc(1, sizeof *f);
    if (!f || !(f->lits = malloc(plen + 1))) {
        free(f);
        return werr_msg(err, WEIR_NOMEM, "out of memory compiling datetime pattern");
    }
    int cap = 0, depth = 0, stack[16];
    size_t lits_n = 0;
    int rc = WEIR_OK;
#define FAIL(...)                                                   \
    do {                                                            \
        rc = werr_msg(err, WEIR_PARSE, __VA_ARGS__);                \
        goto done;                                                  \
    } while (0)
#define ADD(it)                                                                                   \
    do {                                                                                          \
        if (add_item(f, &cap, (it))) {                                                            \
            rc = werr_msg(err, WEIR_NOMEM, "out of memory compiling datetime pattern");           \
            goto done;                                                                            \
        }                                                                                         \
    } while (0)
    for (size_t i = 0; i < plen;) {
        char c = pattern[i];
        if (c == '\'') {
            size_t j = i + 1;
            if (j < plen && pattern[j] == '\'') { /* '' is one quote */
                if (add_lit(f, &cap, &lits_n, '\'')) FAIL("out of memory");
                i += 2;
                continue;
            }
            for (;;) {
                if (j >= plen) FAIL("datetime pattern '%s': unterminated quote at position %zu", pattern, i + 1);
                if (pattern[j] == '\'') {
                    if (j + 1 < plen && pattern[j + 1] == '\'') {
                        if (add_lit(f, &cap, &lits_n, '\'')) FAIL("out of memory");
                        j += 2;
                        continue;
                    }
                    break;
                }
                if (add_lit(f, &cap, &lits_n, pattern[j])) FAIL("out of memory");
                j++;
            }
            i = j + 1;
            continue;
        }
        if (c == '[') {
            if (depth == 16) FAIL("datetime pattern '%s': optional sections nested too deep", pattern);
            stack[depth++] = f->n;
            ADD(((WTimeItem){I_OPT_BEGIN, 0, 0, 0}));
            i++;
            continue;
        }
        if (c == ']') {
            if (!depth) FAIL("datetime pattern '%s': ']' at position %zu closes no '['", pattern, i + 1);
            f->items[stack[--depth]].lit = f->n;
            ADD(((WTimeItem){I_OPT_END, 0, 0, 0}));
            i++;
            continue;
        }
        if (c == '{' || c == '}' || c == '#')
            FAIL("datetime pattern '%s': reserved character '%c' at position %zu", pattern, c, i + 1);
        if (!is_letter(c)) {
            if (add_lit(f, &cap, &lits_n, c)) FAIL("out of memory");
            i++;
            continue;
        }
        size_t j = i;
        while (j < plen && pattern[j] == c) j++;
        int count = (int)(j - i);
        WTimeItem it = {I_LIT, count, 0, 0};
        switch (c) {
        case 'y': it.kind = I_YEAR; if (count > 9) goto too_many; break;
        case 'M':
        case 'L': it.kind = I_MONTH; if (count > 4) goto too_many; break;
        case 'd': it.kind = I_DAY; if (count > 2) goto too_many; break;
        case 'D': it.kind = I_DOY; if (count > 3) goto too_many; break;
        case 'H': it.kind = I_HOUR; if (count > 2) goto too_many; break;
        case 'h': it.kind = I_HOUR12; if (count > 2) goto too_many; break;
        case 'a': it.kind = I_AMPM; if (count > 1) goto too_many; break;
        case 'm': it.kind = I_MINUTE; if (count > 2) goto too_many; break;
        case 's': it.kind = I_SECOND; if (count > 2) goto too_many; break;
        case 'S': it.kind = I_FRAC; if (count > 9) goto too_many; break;
        case 'X': it.kind = I_OFF_X; if (count > 5) goto too_many; break;
        case 'x': it.kind = I_OFF_x; if (count > 5) goto too_many; break;
        case 'Z': it.kind = I_OFF_Z; if (count == 4 || count > 5) goto too_many; break;
        case 'V': it.kind = I_ZONE; if (count != 2) FAIL("datetime pattern '%s': zone id is 'VV', not %d 'V' at position %zu", pattern, count, i + 1); break;
        default:
            FAIL("datetime pattern '%s': unknown or unsupported pattern letter '%c' at position %zu", pattern, c,
                 i + 1);
        }
        ADD(it);
        i = j;
        continue;
    too_many:
        FAIL("datetime pattern '%s': too many pattern letters '%c' (%d) at position %zu", pattern, c, count, i + 1);
    }
    if (depth) FAIL("datetime pattern '%s': '[' without ']'", pattern);
#undef FAIL
#undef ADD
done:
    if (rc) {
        wtimefmt_free(f);
        return rc;
    }
    *out = f;
    return WEIR_OK;
}

/* ---- parsing ---- */

typedef struct ParseState {
    int64_t year;      /* default 1970 */
    unsigned month, day, doy, hour, hour12, minute, second;
    int ampm;          /* -1 none, 0 AM, 1 PM */
    int has_month, has_day, has_doy, has_hour, has_hour12, has_off;
    int64_t micro;
    int32_t off;       /* seconds east of UTC when has_off */
    char zone[64];     /* zone id read by VV, or "" */
} ParseState;

static int is_digit(char c) { return (unsigned char)(c - '0') < 10; }

static int numeric_kind(int k) {
    return k == I_YEAR || k == I_MONTH || k == I_DAY || k == I_DOY || k == I_HOUR || k == I_HOUR12 ||
           k == I_MINUTE || k == I_SECOND || k == I_FRAC;
}

/* Reads between lo and hi digits into *v. */
static int read_num(const char *s, size_t n, size_t *pos, int lo, int hi, int64_t *v) {
    size_t i = *pos;
    int64_t x = 0;
    int k = 0;
    while (i < n && k < hi && is_digit(s[i])) x = x * 10 + (s[i++] - '0'), k++;
    if (k < lo) return -1;
    *v = x;
    *pos = i;
    return 0;
}

static int match_name(const char *s, size_t n, size_t *pos, const char *const *names, int count) {
    for (int i = 0; i < count; i++) {
        size_t len = strlen(names[i]);
        if (*pos + len <= n && !strncasecmp(s + *pos, names[i], len)) {
            *pos += len;
            return i;
        }
    }
    return -1;
}

static int parse_items(const WTimeFmt *f, int from, int to, const char *s, size_t n, size_t *pos, ParseState *st);

static int parse_item(const WTimeFmt *f, int *idx, const char *s, size_t n, size_t *pos, ParseState *st) {
    const WTimeItem *it = &f->items[*idx];
    /* A numeric field followed directly by another one takes exactly its width ("yyyyMMdd"). */
    int adjacent = *idx + 1 < f->n && numeric_kind(f->items[*idx + 1].kind);
    int64_t v;
    int fixed2 = it->count >= 2 || adjacent;
    switch (it->kind) {
    case I_LIT:
        if (*pos + (size_t)it->lit_len > n || memcmp(s + *pos, f->lits + it->lit, (size_t)it->lit_len)) return -1;
        *pos += (size_t)it->lit_len;
        return 0;
    case I_YEAR:
        if (it->count == 2) {
            if (read_num(s, n, pos, 2, 2, &v)) return -1;
            st->year = 2000 + v;
        } else {
            int neg = 0;
            if (!adjacent && *pos < n && (s[*pos] == '-' || s[*pos] == '+')) neg = s[(*pos)++] == '-';
            if (read_num(s, n, pos, adjacent ? (it->count < 4 ? 4 : it->count) : it->count,
                         adjacent ? (it->count < 4 ? 4 : it->count) : 6, &v))
                return -1;
            st->year = neg ? -v : v;
        }
        return 0;
    case I_MONTH:
        if (it->count >= 3) {
            int m = match_name(s, n, pos, it->count == 3 ? month_short : month_long, 12);
            if (m < 0) return -1;
            st->month = (unsigned)m + 1;
        } else {
            if (read_num(s, n, pos, fixed2 ? 2 : 1, 2, &v) || v < 1 || v > 12) return -1;
            st->month = (unsigned)v;
        }
        st->has_month = 1;
        return 0;
    case I_DAY:
        if (read_num(s, n, pos, fixed2 ? 2 : 1, 2, &v) || v < 1 || v > 31) return -1;
        st->day = (unsigned)v;
        st->has_day = 1;
        return 0;
    case I_DOY:
        if (read_num(s, n, pos, adjacent ? 3 : it->count, 3, &v) || v < 1 || v > 366) return -1;
        st->doy = (unsigned)v;
        st->has_doy = 1;
        return 0;
    case I_HOUR:
        if (read_num(s, n, pos, fixed2 ? 2 : 1, 2, &v) || v > 23) return -1;
        st->hour = (unsigned)v;
        st->has_hour = 1;
        return 0;
    case I_HOUR12:
        if (read_num(s, n, pos, fixed2 ? 2 : 1, 2, &v) || v < 1 || v > 12) return -1;
        st->hour12 = (unsigned)v;
        st->has_hour12 = 1;
        return 0;
    case I_AMPM: {
        static const char *const ap[2] = {"AM", "PM"};
        int a = match_name(s, n, pos, ap, 2);
        if (a < 0) return -1;
        st->ampm = a;
        return 0;
    }
    case I_MINUTE:
        if (read_num(s, n, pos, fixed2 ? 2 : 1, 2, &v) || v > 59) return -1;
        st->minute = (unsigned)v;
        return 0;
    case I_SECOND:
        if (read_num(s, n, pos, fixed2 ? 2 : 1, 2, &v) || v > 59) return -1;
        st->second = (unsigned)v;
        return 0;
    case I_FRAC: {
        /* 1 to 9 digits (exactly count when another number follows); micros kept, the rest truncated. */
        size_t start = *pos;
        if (read_num(s, n, pos, adjacent ? it->count : 1, adjacent ? it->count : 9, &v)) return -1;
        int got = (int)(*pos - start);
        static const int64_t p10[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
        st->micro = got <= 6 ? v * p10[6 - got] : v / p10[got - 6];
        return 0;
    }
    case I_OFF_X:
    case I_OFF_x:
    case I_OFF_Z:
        if (*pos < n && s[*pos] == 'Z' && (it->kind == I_OFF_X || (it->kind == I_OFF_Z && it->count == 5))) {
            (*pos)++;
            st->off = 0;
        } else if (wtime_parse_offset(s, n, pos, &st->off)) {
            return -1;
        }
        st->has_off = 1;
        return 0;
    case I_ZONE: {
        size_t i = *pos, k = 0;
        while (i < n && k + 1 < sizeof st->zone &&
               (is_letter(s[i]) || is_digit(s[i]) || s[i] == '/' || s[i] == '_' || s[i] == '+' || s[i] == '-' ||
                s[i] == ':'))
            st->zone[k++] = s[i++];
        if (!k) return -1;
        st->zone[k] = 0;
        *pos = i;
        return 0;
    }
    case I_OPT_BEGIN: {
        int end = it->lit;
        ParseState save = *st;
        size_t p = *pos;
        if (parse_items(f, *idx + 1, end, s, n, &p, st) == 0) *pos = p;
        else *st = save;
        *idx = end; /* the caller steps past the ']' */
        return 0;
    }
    default: /* I_OPT_END is never reached: sections are skipped as a whole */
        return 0;
    }
}

static int parse_items(const WTimeFmt *f, int from, int to, const char *s, size_t n, size_t *pos, ParseState *st) {
    for (int i = from; i < to; i++)
        if (parse_item(f, &i, s, n, pos, st)) return -1;
    return 0;
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int wtimefmt_parse(const WTimeFmt *f, const char *s, size_t n, const WTz *tz, int64_t *out_us) {
    ParseState st;
    memset(&st, 0, sizeof st);
    st.year = 1970;
    st.month = st.day = 1;
    st.ampm = -1;
    size_t pos = 0;
    if (parse_items(f, 0, f->n, s, n, &pos, &st) || pos != n) return WEIR_PARSE;
    static const unsigned char dim[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (st.year > 294247 || st.year < -290308) return WEIR_PARSE;
    int64_t days;
    if (st.has_doy) {
        if (st.doy > 365u + is_leap(st.year)) return WEIR_PARSE;
        days = wtime_days_from_civil(st.year, 1, 1) + st.doy - 1;
        if (st.has_month || st.has_day) { /* both given: they must agree */
            int64_t y;
            unsigned m, d;
            wtime_civil_from_days(days, &y, &m, &d);
            if ((st.has_month && m != st.month) || (st.has_day && d != st.day)) return WEIR_PARSE;
        }
    } else {
        unsigned lim = dim[st.month] + (st.month == 2 && is_leap(st.year));
        if (st.day > lim) return WEIR_PARSE;
        days = wtime_days_from_civil(st.year, st.month, st.day);
    }
    unsigned hour = st.hour;
    if (st.has_hour12) {
        unsigned h = st.hour12 % 12 + (st.ampm == 1 ? 12 : 0);
        if (st.has_hour && h != st.hour) return WEIR_PARSE;
        hour = h;
    } else if (st.ampm == 1 && st.has_hour && st.hour < 12) {
        return WEIR_PARSE; /* "PM" with a 24-hour H below 12 contradicts itself */
    }
    int64_t local_sec = days * 86400 + hour * 3600 + st.minute * 60 + st.second;
    int64_t local_us;
    if (__builtin_mul_overflow(local_sec, WTIME_US_PER_SEC, &local_us) ||
        __builtin_add_overflow(local_us, st.micro, &local_us)) {
        /* INT64_MIN's own second: borrow one second, as the ISO reader does */
        if (local_sec >= 0 || __builtin_mul_overflow(local_sec + 1, WTIME_US_PER_SEC, &local_us) ||
            __builtin_add_overflow(local_us, st.micro - WTIME_US_PER_SEC, &local_us))
            return WEIR_PARSE;
    }
    if (st.has_off) {
        if (__builtin_sub_overflow(local_us, (int64_t)st.off * WTIME_US_PER_SEC, out_us)) return WEIR_PARSE;
        return WEIR_OK;
    }
    const WTz *use = tz;
    WTz *opened = NULL;
    if (st.zone[0]) {
        if (wtz_open(st.zone, &opened, NULL)) return WEIR_PARSE;
        use = opened;
    }
    if (use && (local_us > INT64_MAX - 2 * WTIME_US_PER_DAY || local_us < INT64_MIN + 2 * WTIME_US_PER_DAY)) {
        wtz_free(opened);
        return WEIR_PARSE;
    }
    *out_us = use ? wtz_local_to_utc(use, local_us) : local_us;
    wtz_free(opened);
    return WEIR_OK;
}

/* ---- formatting ---- */

typedef struct Out {
    char *p;    /* buffer */
    size_t n;   /* bytes written */
    size_t cap; /* buffer size, NUL included */
    int over;   /* set when something did not fit */
} Out;

static void put(Out *o, const char *s, size_t len) {
    if (o->n + len >= o->cap) {
        o->over = 1;
        return;
    }
    memcpy(o->p + o->n, s, len);
    o->n += len;
}

/* Writes v zero-padded to at least width digits, with a '-' when negative. */
static void put_num(Out *o, int64_t v, int width) {
    char tmp[24];
    int k = 0;
    if (width > 20) width = 20; /* compile caps every count far below this */
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[k++] = (char)('0' + a % 10);
        a /= 10;
    } while (a);
    while (k < width) tmp[k++] = '0';
    if (v < 0) tmp[k++] = '-';
    char out[24];
    for (int i = 0; i < k; i++) out[i] = tmp[k - 1 - i];
    put(o, out, (size_t)k);
}

static void put_offset(Out *o, const WTimeItem *it, int32_t off) {
    char tmp[16];
    int k;
    int colon;
    if (off == 0 && (it->kind == I_OFF_X || (it->kind == I_OFF_Z && it->count == 5))) {
        put(o, "Z", 1);
        return;
    }
    if (it->kind == I_OFF_Z) colon = it->count == 5;
    else colon = it->count == 3 || it->count == 5;
    if (it->count == 1 && it->kind != I_OFF_Z) {
        /* X / x: +hh, or +hhmm when the minutes are not zero */
        uint32_t a = off < 0 ? (uint32_t)-off : (uint32_t)off;
        k = 0;
        tmp[k++] = off < 0 ? '-' : '+';
        tmp[k++] = (char)('0' + a / 36000);
        tmp[k++] = (char)('0' + a / 3600 % 10);
        if (a / 60 % 60) {
            tmp[k++] = (char)('0' + a / 60 % 60 / 10);
            tmp[k++] = (char)('0' + a / 60 % 10);
        }
        put(o, tmp, (size_t)k);
        return;
    }
    k = wtime_put_offset(tmp, off, colon);
    put(o, tmp, (size_t)k);
}

static void format_items(const WTimeFmt *f, int from, int to, const WTimeFields *t, int32_t off, const WTz *tz,
                         Out *o) {
    for (int i = from; i < to; i++) {
        const WTimeItem *it = &f->items[i];
        switch (it->kind) {
        case I_LIT: put(o, f->lits + it->lit, (size_t)it->lit_len); break;
        case I_YEAR:
            if (it->count == 2) put_num(o, ((t->year % 100) + 100) % 100, 2);
            else if (t->year > 9999 && it->count >= 4) { /* java.time marks years past 9999 with '+' */
                put(o, "+", 1);
                put_num(o, t->year, it->count);
            } else put_num(o, t->year, it->count);
            break;
        case I_MONTH:
            if (it->count == 3) put(o, month_short[t->month - 1], 3);
            else if (it->count == 4) put(o, month_long[t->month - 1], strlen(month_long[t->month - 1]));
            else put_num(o, t->month, it->count);
            break;
        case I_DAY: put_num(o, t->day, it->count); break;
        case I_DOY: put_num(o, t->days - wtime_days_from_civil(t->year, 1, 1) + 1, it->count); break;
        case I_HOUR: put_num(o, t->hour, it->count); break;
        case I_HOUR12: put_num(o, t->hour % 12 ? t->hour % 12 : 12, it->count); break;
        case I_AMPM: put(o, t->hour < 12 ? "AM" : "PM", 2); break;
        case I_MINUTE: put_num(o, t->minute, it->count); break;
        case I_SECOND: put_num(o, t->second, it->count); break;
        case I_FRAC: {
            char d[9];
            uint32_t u = t->micro;
            for (int k = 5; k >= 0; k--) d[k] = (char)('0' + u % 10), u /= 10;
            d[6] = d[7] = d[8] = '0';
            put(o, d, (size_t)it->count);
            break;
        }
        case I_OFF_X:
        case I_OFF_x:
        case I_OFF_Z: put_offset(o, it, off); break;
        case I_ZONE: {
            const char *name = wtz_name(tz);
            put(o, name, strlen(name));
            break;
        }
        default: break; /* optional sections print their content: every field is known */
        }
    }
}

int wtimefmt_format(const WTimeFmt *f, int64_t us, const WTz *tz, char *buf, size_t cap) {
    int32_t off = tz ? wtz_offset_at_utc(tz, us) : 0;
    WTimeFields t;
    wtime_split(us, off, &t);
    Out o = {buf, 0, cap, 0};
    format_items(f, 0, f->n, &t, off, tz, &o);
    if (cap) buf[o.n] = 0;
    if (o.over || !cap) return -1;
    return (int)o.n;
}
