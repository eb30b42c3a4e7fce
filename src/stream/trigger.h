/*
 * trigger.h - when a streaming query runs its micro-batches (Spark's triggers), and the duration text
 * Spark's options use ('1 second', '500 milliseconds', '7d', '10 minutes').
 *
 *   processing time  "0" (the default: a batch as soon as new input lands) or an interval: batches start
 *                    at most once per interval, and only when there is new input
 *   once             one batch with all available input (limits per trigger ignored, as in Spark), stop
 *   availableNow     all input present at start, in as many batches as the per-trigger limits ask, stop
 */
#ifndef WEIR_STREAM_TRIGGER_H
#define WEIR_STREAM_TRIGGER_H

#include <stdint.h>

#include "core/err.h"

typedef enum WTriggerKind { WTRIG_PROCESSING_TIME = 0, WTRIG_ONCE, WTRIG_AVAILABLE_NOW } WTriggerKind;

typedef struct WTrigger {
    WTriggerKind kind;
    int64_t interval_ms; /* processing time only; 0 = as soon as input lands */
} WTrigger;

/* Parses "once", "availableNow" (also "available-now", "available_now"), "processingTime=<dur>",
 * "<dur>" or "0". Case-insensitive. WEIR_MISUSE with a message naming the text when it is not one. */
int wtrigger_parse(const char *text, WTrigger *out, WErr *err);
/* Parses a duration: a number followed by an optional unit (ms, millisecond(s), s, sec, second(s),
 * m, min, minute(s), h, hour(s), d, day(s); no unit = milliseconds), or "interval <n> <unit>".
 * Returns 0 or -1. */
int wdur_parse_ms(const char *text, int64_t *out_ms);
/* "once", "availableNow", "ProcessingTime(1000 ms)" - for progress and messages. */
const char *wtrigger_describe(const WTrigger *t, char *buf, int cap);

#endif
