/*
 * window.h - event-time window assignment: Spark's window(ts, size[, slide[, startTime]]).
 *
 * A window is [start, end) in microseconds. Spark's rule (TimeWindowing, with the fix for negative
 * times): lastStart = ts - ((ts - startTime) mod slide) using a floor modulo, and the row belongs to
 * windows lastStart - i*slide for i in 0 .. ceil(size/slide)-1 that still cover ts (start <= ts < end).
 * Validation as Spark: size > 0, slide > 0, slide <= size, |startTime| < slide.
 * A tumbling window is slide == size. Spark drops rows whose time is NULL; the aggregation counts them.
 */
#ifndef WEIR_EXEC_WINDOW_H
#define WEIR_EXEC_WINDOW_H

#include <stdint.h>

#include "core/err.h"

typedef enum WWinKind { WWIN_NONE = 0, WWIN_TIME, WWIN_SESSION } WWinKind;

typedef struct WWindowSpec {
    WWinKind kind;
    int64_t size_us, slide_us, start_us; /* WWIN_SESSION: size_us is the gap */
} WWindowSpec;

/* Spark's session_window(ts, gap): a row opens [ts, ts + gap); sessions of one group key that overlap
 * or touch are merged (the aggregation does that, see agg.h). gap > 0. */
int wwindow_session(WWindowSpec *w, int64_t gap_us, WErr *err);

/* slide_us 0 means tumbling (slide = size). */
int wwindow_time(WWindowSpec *w, int64_t size_us, int64_t slide_us, int64_t start_us, WErr *err);
/* Windows per row at most: ceil(size/slide); 1 for WWIN_NONE and WWIN_SESSION. */
int wwindow_max_per_row(const WWindowSpec *w);
/* Writes the starts of the windows covering ts, ascending, to starts[] (room for max_per_row);
 * returns how many. Windows whose start or end would not fit in int64 are left out. */
int wwindow_assign(const WWindowSpec *w, int64_t ts, int64_t *starts);

#endif
