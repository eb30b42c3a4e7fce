/*
 * duration.c - parses human and Spark-style durations (see duration.h) for weir's command-line options.
 */
#include "cli/duration.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct { const char *name; double us; } units[] = {
    {"us", 1}, {"usec", 1}, {"usecs", 1}, {"microsecond", 1}, {"microseconds", 1},
    {"ms", 1e3}, {"msec", 1e3}, {"msecs", 1e3}, {"millisecond", 1e3}, {"milliseconds", 1e3},
    {"s", 1e6}, {"sec", 1e6}, {"secs", 1e6}, {"second", 1e6}, {"seconds", 1e6},
    {"m", 60e6}, {"min", 60e6}, {"mins", 60e6}, {"minute", 60e6}, {"minutes", 60e6},
    {"h", 3600e6}, {"hour", 3600e6}, {"hours", 3600e6},
    {"d", 86400e6}, {"day", 86400e6}, {"days", 86400e6},
};

int wcli_parse_duration(const char *s, int64_t *out_us) {
    double total = 0;
    int parts = 0;
    const char *p = s;
    while (*p) {
        while (isspace((unsigned char)*p)) p++;
        if (!*p) break;
        if (!isdigit((unsigned char)*p) && *p != '.') return -1;
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || v < 0) return -1;
        p = end;
        while (isspace((unsigned char)*p)) p++;
        const char *u = p;
        while (isalpha((unsigned char)*p)) p++;
        size_t ulen = (size_t)(p - u);
        double scale = 0;
        if (ulen == 0) {
            scale = 1e6; /* a bare number is seconds */
        } else {
            for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
                if (strlen(units[i].name) == ulen && !strncasecmp(units[i].name, u, ulen)) scale = units[i].us;
            if (scale == 0) return -1;
        }
        total += v * scale;
        parts++;
    }
    if (!parts || total > 9.2e18) return -1;
    *out_us = (int64_t)llround(total);
    return 0;
}
