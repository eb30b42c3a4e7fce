/*
 * trigger.c - parsing triggers and durations (see trigger.h).
 */
#include "stream/trigger.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int wdur_parse_ms(const char *text, int64_t *out_ms) {
    const char *p = text;
    while (isspace((unsigned char)*p)) p++;
    if (!strncasecmp(p, "interval", 8) && isspace((unsigned char)p[8])) p += 8;
    while (isspace((unsigned char)*p)) p++;
    if (!isdigit((unsigned char)*p) && *p != '.') return -1;
    char *end;
    double v = strtod(p, &end);
    if (end == p || v < 0) return -1;
    p = end;
    while (isspace((unsigned char)*p)) p++;
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1])) n--;
    static const struct { const char *name; double ms; } units[] = {
        {"", 1}, {"ms", 1}, {"milli", 1}, {"millis", 1}, {"millisecond", 1}, {"milliseconds", 1},
        {"s", 1000}, {"sec", 1000}, {"secs", 1000}, {"second", 1000}, {"seconds", 1000},
        {"m", 60000}, {"min", 60000}, {"mins", 60000}, {"minute", 60000}, {"minutes", 60000},
        {"h", 3600000}, {"hour", 3600000}, {"hours", 3600000},
        {"d", 86400000}, {"day", 86400000}, {"days", 86400000},
        {"w", 604800000}, {"week", 604800000}, {"weeks", 604800000},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strlen(units[i].name) == n && !strncasecmp(p, units[i].name, n)) {
            double ms = v * units[i].ms;
            if (ms > 9.2e15) return -1;
            *out_ms = (int64_t)(ms + 0.5);
            return 0;
        }
    }
    return -1;
}

int wtrigger_parse(const char *text, WTrigger *out, WErr *err) {
    const char *p = text;
    while (isspace((unsigned char)*p)) p++;
    out->interval_ms = 0;
    if (!strcasecmp(p, "once")) {
        out->kind = WTRIG_ONCE;
        return 0;
    }
    if (!strcasecmp(p, "availableNow") || !strcasecmp(p, "available-now") || !strcasecmp(p, "available_now")) {
        out->kind = WTRIG_AVAILABLE_NOW;
        return 0;
    }
    if (!strncasecmp(p, "processingTime", 14)) {
        p += 14;
        while (isspace((unsigned char)*p)) p++;
        if (*p == '=' || *p == ':') p++;
    }
    out->kind = WTRIG_PROCESSING_TIME;
    if (wdur_parse_ms(p, &out->interval_ms) == 0) return 0;
    return werr_msg(err, WEIR_MISUSE,
                    "unknown trigger '%s': use once, availableNow, or a processing-time interval such as "
                    "'0' or '1 second'", text);
}

const char *wtrigger_describe(const WTrigger *t, char *buf, int cap) {
    if (t->kind == WTRIG_ONCE) snprintf(buf, (size_t)cap, "once");
    else if (t->kind == WTRIG_AVAILABLE_NOW) snprintf(buf, (size_t)cap, "availableNow");
    else snprintf(buf, (size_t)cap, "ProcessingTime(%lld ms)", (long long)t->interval_ms);
    return buf;
}
