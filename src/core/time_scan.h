/*
 * time_scan.h - the decoders' inline front of wtime_scan_timestamp (core/time.c) for the commonest text:
 * the minute of the previous value ("yyyy-MM-ddTHH:mm", remembered in the WTsCache with its UTC seconds
 * when the zone's offset holds for the whole minute), then ":ss" and a six-digit fraction, no 'Z'. That
 * case needs no call; every other text goes to wtime_scan_timestamp, which also fills the cache. Same
 * result either way (tests/unit/test_time.c compares both with wtime_parse_timestamp).
 */
#ifndef WEIR_CORE_TIME_SCAN_H
#define WEIR_CORE_TIME_SCAN_H

#include <stdint.h>

#include "core/num_swar.h"
#include "core/time.h"

static inline const char *wtime_scan_timestamp_inline(const char *s, const char *end, const WTz *tz, WTsCache *c,
                                                      int64_t *out_us) {
#if NUM_SWAR
    if (end - s >= 32 && c->minute_zone_set && c->minute_zone == tz && swar_load8(s) == c->minute_text[0] &&
        swar_load8(s + 8) == c->minute_text[1]) {
        /* bytes 16..23 ":ss.ffff", 20..27 "ffffff" and a byte that is not a digit */
        uint64_t y = swar_load8(s + 16), z = swar_load8(s + 20);
        uint64_t yd = y - UINT64_C(0x3030303030303030);
        if ((y & UINT64_C(0xFF0000FF)) == UINT64_C(0x2E00003A) && ((yd | (y + UINT64_C(0x4646464646464646))) &
                                                                   UINT64_C(0x0000000000808000)) == 0 &&
            swar_digit_count(z) == 6 && s[26] != 'Z') {
            int ss = (int)((yd >> 8) & 0xFF) * 10 + (int)((yd >> 16) & 0xFF);
            int64_t frac = (int64_t)swar_digits_value(z, 6);
            if (ss <= 59) {
                *out_us = (c->minute_utc + ss) * 1000000 + frac;
                return s + 26;
            }
        }
    }
#endif
    return wtime_scan_timestamp(s, end, tz, c, out_us);
}

#endif
