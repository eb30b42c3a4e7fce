/*
 * window.c - tumbling and sliding window assignment with Spark's formula; session window specs (window.h).
 */
#include "exec/window.h"

#include "weir.h"

int wwindow_time(WWindowSpec *w, int64_t size, int64_t slide, int64_t start, WErr *err) {
    if (slide == 0) slide = size;
    if (size <= 0)
        return werr_msg(err, WEIR_MISUSE, "window: the window duration (%lld us) must be greater than 0",
                        (long long)size);
    if (slide <= 0)
        return werr_msg(err, WEIR_MISUSE, "window: the slide duration (%lld us) must be greater than 0",
                        (long long)slide);
    if (slide > size)
        return werr_msg(err, WEIR_MISUSE,
                        "window: the slide duration (%lld us) must be less than or equal to the window "
                        "duration (%lld us)", (long long)slide, (long long)size);
    if (start <= -slide || start >= slide)
        return werr_msg(err, WEIR_MISUSE,
                        "window: the absolute value of the start time (%lld us) must be less than the "
                        "slide duration (%lld us)", (long long)start, (long long)slide);
    w->kind = WWIN_TIME;
    w->size_us = size;
    w->slide_us = slide;
    w->start_us = start;
    return WEIR_OK;
}

int wwindow_session(WWindowSpec *w, int64_t gap, WErr *err) {
    if (gap <= 0)
        return werr_msg(err, WEIR_MISUSE, "session_window: the gap duration (%lld us) must be greater than 0",
                        (long long)gap);
    w->kind = WWIN_SESSION;
    w->size_us = gap;
    w->slide_us = gap;
    w->start_us = 0;
    return WEIR_OK;
}

int wwindow_max_per_row(const WWindowSpec *w) {
    if (w->kind != WWIN_TIME) return 1;
    return (int)((w->size_us + w->slide_us - 1) / w->slide_us);
}

int wwindow_assign(const WWindowSpec *w, int64_t ts, int64_t *starts) {
    if (w->kind != WWIN_TIME) {
        starts[0] = 0;
        return 1;
    }
    __int128 rem = ((__int128)ts - w->start_us) % w->slide_us;
    if (rem < 0) rem += w->slide_us;
    __int128 last = (__int128)ts - rem;
    int max = wwindow_max_per_row(w), n = 0;
    for (int i = max - 1; i >= 0; i--) {
        __int128 s = last - (__int128)i * w->slide_us, e = s + w->size_us;
        if (!(s <= ts && ts < e)) continue;
        if (s < INT64_MIN || e > INT64_MAX) continue;
        starts[n++] = (int64_t)s;
    }
    return n;
}
