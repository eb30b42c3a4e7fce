/*
 * watermark.h - Spark's event-time watermark for one query, as a small value type.
 *
 * The watermark in force during batch N+1 is max(event time seen in batches 0..N) - delay; it never
 * moves back (a restart or a batch of older rows cannot lower it), and it is INT64_MIN ("none") until
 * some event time was seen. A bounded run ends by setting it to INT64_MAX so every window closes.
 * Usage per batch: read `current` for the batch, wwatermark_observe every row's event time, then
 * wwatermark_advance once the batch is done. The stream layer keeps one per query (the minimum over
 * several watermarked inputs, as Spark's default multipleWatermarkPolicy "min" does, is its business).
 */
#ifndef WEIR_EXEC_WATERMARK_H
#define WEIR_EXEC_WATERMARK_H

#include <stdint.h>

typedef struct WWatermark {
    int64_t delay_us; /* WATERMARK ... DELAY OF, >= 0 */
    int64_t current;  /* in force for the batch being run; INT64_MIN = none yet */
    int64_t max_seen; /* largest event time observed (valid when has_max) */
    int has_max;
} WWatermark;

static inline void wwatermark_init(WWatermark *w, int64_t delay_us) {
    w->delay_us = delay_us;
    w->current = INT64_MIN;
    w->max_seen = 0;
    w->has_max = 0;
}

static inline void wwatermark_observe(WWatermark *w, int64_t ts) {
    if (!w->has_max || ts > w->max_seen) w->max_seen = ts;
    w->has_max = 1;
}

/* After a batch: current = max(current, max_seen - delay), saturating at INT64_MIN. */
static inline void wwatermark_advance(WWatermark *w) {
    if (!w->has_max) return;
    int64_t cand = w->max_seen < INT64_MIN + w->delay_us ? INT64_MIN : w->max_seen - w->delay_us;
    if (cand > w->current) w->current = cand;
}

/* The end of a bounded run: everything is past the watermark. */
static inline void wwatermark_finish(WWatermark *w) { w->current = INT64_MAX; }

#endif
