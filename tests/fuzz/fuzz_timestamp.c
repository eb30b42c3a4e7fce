/*
 * fuzz_timestamp.c - libFuzzer target for the timestamp readers (core/time.h).
 *
 * The first byte picks what the rest is: ISO 8601 text (wtime_parse_timestamp in UTC, in a fixed offset
 * and in Europe/Paris; wtime_parse_date), "pattern\ntext" for wtimefmt_compile + wtimefmt_parse +
 * wtimefmt_format, or (first byte 0xFF) a TZif file for wtz_open, whose zone is then queried.
 * Whenever a value parses, writing it and reading it back must give the same value. The decoders' fast
 * path wtime_scan_timestamp (with one cache per zone kept across inputs) must, when it takes a prefix of
 * the text, give what wtime_parse_timestamp gives for that prefix; its inline front
 * (wtime_scan_timestamp_inline, core/time_scan.h, with caches of its own) must give the same answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/time.h"
#include "core/time_scan.h"

static WTz *zones[3]; /* NULL (UTC), +05:30, Europe/Paris; opened once */

static char tzdir[64]; /* private directory for the TZif mode */

static void init(void) {
    static int done;
    if (done) return;
    done = 1;
    wtz_open("+05:30", &zones[1], NULL);
    wtz_open("Europe/Paris", &zones[2], NULL);
    snprintf(tzdir, sizeof tzdir, "/tmp/weir_fuzz_tz_%ld", (long)getpid());
}

/* Writes the bytes as a zone file, opens it, and asks it things: no crash, sane offsets. */
static void fuzz_tzif(const unsigned char *d, size_t n) {
    static int ready;
    if (!ready) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "mkdir -p %s", tzdir);
        if (system(cmd)) return;
        ready = 1;
    }
    char path[128];
    snprintf(path, sizeof path, "%s/Z", tzdir);
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(d, 1, n, f);
    fclose(f);
    setenv("TZDIR", tzdir, 1);
    WTz *z = NULL;
    WErr err;
    werr_init(&err);
    int rc = wtz_open("Z", &z, &err);
    unsetenv("TZDIR");
    if (rc != WEIR_OK) {
        if (rc != WEIR_PARSE && rc != WEIR_NOMEM) abort();
        return;
    }
    static const int64_t probes[] = {INT64_MIN, -4000000000000000000, -2208988800000000, -1, 0, 1774746000000000,
                                     4102444800000000, 20000000000000000, INT64_MAX};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        int32_t off = wtz_offset_at_utc(z, probes[i]);
        if (off < -26 * 3600 || off > 26 * 3600) abort();
        int64_t local = probes[i] / 2;
        (void)wtz_local_to_utc(z, local);
        char buf[WTIME_TEXT_MAX];
        wtime_format_timestamp(probes[i], z, buf);
    }
    wtz_free(z);
}

static void roundtrip(int64_t us) {
    char buf[WTIME_TEXT_MAX];
    for (int z = 0; z < 3; z++) {
        int n = wtime_format_timestamp(us, zones[z], buf);
        int64_t back;
        if (n <= 0 || n >= WTIME_TEXT_MAX) abort();
        if (wtime_parse_timestamp(buf, (size_t)n, NULL, &back) != WEIR_OK || back != us) abort();
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    init();
    if (size < 1) return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    if (data[0] == 0xFF) {
        fuzz_tzif(data + 1, n);
        return 0;
    }
    if (data[0] & 1) {
        static WTsCache caches[3], inline_caches[3];
        static int caches_ready;
        if (!caches_ready) {
            for (int z = 0; z < 3; z++) wtime_ts_cache_init(&caches[z]), wtime_ts_cache_init(&inline_caches[z]);
            caches_ready = 1;
        }
        for (int z = 0; z < 3; z++) {
            int64_t us, fast, fast2;
            if (wtime_parse_timestamp(s, n, zones[z], &us) == WEIR_OK) roundtrip(us);
            const char *q = wtime_scan_timestamp(s, s + n, zones[z], &caches[z], &fast);
            if (q) {
                int64_t slow;
                if (q < s || q > s + n || wtime_parse_timestamp(s, (size_t)(q - s), zones[z], &slow) != WEIR_OK ||
                    slow != fast)
                    abort();
            }
            /* the inline front (core/time_scan.h), with its own cache: the same answer */
            const char *q2 = wtime_scan_timestamp_inline(s, s + n, zones[z], &inline_caches[z], &fast2);
            if (q2 != q || (q && fast2 != fast)) abort();
        }
        int32_t days, back;
        if (wtime_parse_date(s, n, &days) == WEIR_OK) {
            char buf[WTIME_TEXT_MAX];
            int k = wtime_format_date(days, buf);
            if (wtime_parse_date(buf, (size_t)k, &back) != WEIR_OK || back != days) abort();
        }
        return 0;
    }
    const char *nl = memchr(s, '\n', n);
    size_t plen = nl ? (size_t)(nl - s) : n;
    char *pattern = malloc(plen + 1);
    if (!pattern) return 0;
    memcpy(pattern, s, plen);
    pattern[plen] = 0;
    WTimeFmt *f = NULL;
    WErr err;
    werr_init(&err);
    if (wtimefmt_compile(pattern, &f, &err) == WEIR_OK) {
        const char *t = nl ? nl + 1 : "";
        size_t tn = nl ? n - plen - 1 : 0;
        WTz *tz = zones[data[0] >> 1 & 1 ? 2 : 0];
        int64_t us;
        if (wtimefmt_parse(f, t, tn, tz, &us) == WEIR_OK) {
            roundtrip(us);
            char out[256];
            int k = wtimefmt_format(f, us, tz, out, sizeof out);
            if (k >= 0) {
                if ((size_t)k >= sizeof out || strlen(out) != (size_t)k) abort();
                int64_t again;
                (void)wtimefmt_parse(f, out, (size_t)k, tz, &again);
            }
        }
        wtimefmt_free(f);
    } else if (err.code != WEIR_PARSE && err.code != WEIR_NOMEM) {
        abort();
    }
    free(pattern);
    return 0;
}
