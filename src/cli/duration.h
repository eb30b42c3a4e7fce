/*
 * duration.h - durations as Spark and people write them, for command-line options: "5s", "500ms",
 * "1 second", "2.5 minutes", "1h30m", "100us", "0". Units: us/usec/microsecond(s), ms/msec/millisecond(s),
 * s/sec/second(s), m/min/minute(s), h/hour(s), d/day(s), any case, with or without a space; several parts
 * add up. A bare number is seconds. The value is rounded to whole microseconds.
 */
#ifndef WEIR_CLI_DURATION_H
#define WEIR_CLI_DURATION_H

#include <stdint.h>

/* Parses s into microseconds (>= 0); returns 0 on success, -1 when s is not a duration. */
int wcli_parse_duration(const char *s, int64_t *out_us);

#endif
