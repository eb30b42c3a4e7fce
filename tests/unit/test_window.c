/*
 * test_window.c - window assignment against hand-computed windows (Spark's formula): tumbling, sliding,
 * startTime offsets, negative timestamps, the int64 edges, and Spark's argument checks.
 */
#include <stdint.h>

#include "check.h"
#include "exec/window.h"
#include "weir.h"

#define S 1000000LL

static int assign(int64_t size, int64_t slide, int64_t start, int64_t ts, int64_t *out) {
    WWindowSpec w;
    WErr err;
    werr_init(&err);
    if (wwindow_time(&w, size, slide, start, &err) != WEIR_OK) return -1;
    return wwindow_assign(&w, ts, out);
}

int main(void) {
    int64_t st[16];
    /* tumbling 30 s */
    CHECK_EQ_INT(assign(30 * S, 0, 0, 0, st), 1);
    CHECK_EQ_INT(st[0], 0);
    CHECK_EQ_INT(assign(30 * S, 0, 0, 30 * S - 1, st), 1);
    CHECK_EQ_INT(st[0], 0);
    CHECK_EQ_INT(assign(30 * S, 0, 0, 30 * S, st), 1);
    CHECK_EQ_INT(st[0], 30 * S);
    /* 2026-11-24T06:00:17Z -> [06:00:00, 06:00:30) */
    int64_t t = 1795500017LL * S;
    CHECK_EQ_INT(assign(30 * S, 30 * S, 0, t, st), 1);
    CHECK_EQ_INT(st[0], 1795500000LL * S);
    /* negative times: floor, not truncation */
    CHECK_EQ_INT(assign(30 * S, 0, 0, -1, st), 1);
    CHECK_EQ_INT(st[0], -30 * S);
    CHECK_EQ_INT(assign(30 * S, 0, 0, -30 * S, st), 1);
    CHECK_EQ_INT(st[0], -30 * S);
    CHECK_EQ_INT(assign(30 * S, 0, 0, -30 * S - 1, st), 1);
    CHECK_EQ_INT(st[0], -60 * S);
    /* sliding 10 s every 5 s: t = 7 s is in [0,10) and [5,15) */
    CHECK_EQ_INT(assign(10 * S, 5 * S, 0, 7 * S, st), 2);
    CHECK_EQ_INT(st[0], 0);
    CHECK_EQ_INT(st[1], 5 * S);
    /* on a boundary: t = 5 s is in [0,10) and [5,15), not in [-5,5) */
    CHECK_EQ_INT(assign(10 * S, 5 * S, 0, 5 * S, st), 2);
    CHECK_EQ_INT(st[0], 0);
    CHECK_EQ_INT(st[1], 5 * S);
    /* negative: t = -3 s is in [-10,0) and [-5,5) */
    CHECK_EQ_INT(assign(10 * S, 5 * S, 0, -3 * S, st), 2);
    CHECK_EQ_INT(st[0], -10 * S);
    CHECK_EQ_INT(st[1], -5 * S);
    /* size not a multiple of slide: 10 s every 3 s, t = 7 s: [0,10) [3,13) [6,16); [-3,7) ends at 7 */
    CHECK_EQ_INT(assign(10 * S, 3 * S, 0, 7 * S, st), 3);
    CHECK_EQ_INT(st[0], 0);
    CHECK_EQ_INT(st[1], 3 * S);
    CHECK_EQ_INT(st[2], 6 * S);
    /* t = 6 s: [-3,7) [0,10) [3,13) [6,16) */
    CHECK_EQ_INT(assign(10 * S, 3 * S, 0, 6 * S, st), 4);
    CHECK_EQ_INT(st[0], -3 * S);
    CHECK_EQ_INT(st[3], 6 * S);
    /* startTime: hourly windows starting at 15 minutes past: 12:10 -> [11:15, 12:15) */
    CHECK_EQ_INT(assign(3600 * S, 0, 900 * S, (12 * 3600 + 600) * S, st), 1);
    CHECK_EQ_INT(st[0], (11 * 3600 + 900) * S);
    /* negative startTime: 1 h windows at -15 min: 12:50 -> [12:45, 13:45) */
    CHECK_EQ_INT(assign(3600 * S, 0, -900 * S, (12 * 3600 + 3000) * S, st), 1);
    CHECK_EQ_INT(st[0], (12 * 3600 + 2700) * S);
    /* Spark's doc example: window(ts, 10 min, 5 min, 2 min), ts = 12:05 -> [11:57,12:07) and [12:02,12:12) */
    CHECK_EQ_INT(assign(600 * S, 300 * S, 120 * S, (12 * 3600 + 300) * S, st), 2);
    CHECK_EQ_INT(st[0], (11 * 3600 + 57 * 60) * S);
    CHECK_EQ_INT(st[1], (12 * 3600 + 2 * 60) * S);
    /* startTime with a time before it: t = 1 s, 10 s every 5 s from 2 s: [-8,2) and [-3,7) */
    CHECK_EQ_INT(assign(10 * S, 5 * S, 2 * S, 1 * S, st), 2);
    CHECK_EQ_INT(st[0], -8 * S);
    CHECK_EQ_INT(st[1], -3 * S);
    /* the int64 edges: a window that cannot be represented is left out, not wrapped */
    CHECK_EQ_INT(assign(30 * S, 0, 0, INT64_MAX - 5, st), 0);
    CHECK_EQ_INT(assign(30 * S, 0, 0, INT64_MIN + 5, st), 0);
    CHECK_EQ_INT(assign(1, 0, 0, INT64_MAX - 1, st), 1);
    CHECK_EQ_INT(st[0], INT64_MAX - 1);
    /* every row lands in exactly ceil(size/slide) windows (or one fewer when slide does not divide size),
     * each covering it */
    for (int64_t ts = -40 * S; ts < 40 * S; ts += 777777) {
        int n = assign(10 * S, 3 * S, 1 * S, ts, st);
        int ok = n >= 3 && n <= 4;
        for (int i = 0; i < n; i++) ok &= st[i] <= ts && ts < st[i] + 10 * S && (st[i] - 1 * S) % (3 * S) == 0;
        CHECK(ok);
    }
    /* Spark's argument checks */
    WWindowSpec w;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wwindow_time(&w, 0, 0, 0, &err), WEIR_MISUSE);
    werr_init(&err);
    CHECK_EQ_INT(wwindow_time(&w, 10 * S, 20 * S, 0, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "slide") != NULL);
    werr_init(&err);
    CHECK_EQ_INT(wwindow_time(&w, 10 * S, 5 * S, 5 * S, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "start time") != NULL);
    werr_init(&err);
    CHECK_EQ_INT(wwindow_time(&w, 10 * S, 5 * S, -5 * S, &err), WEIR_MISUSE);
    werr_init(&err);
    CHECK_EQ_INT(wwindow_time(&w, 10 * S, -1, 0, &err), WEIR_MISUSE);
    CHECK_EQ_INT(wwindow_max_per_row(&(WWindowSpec){WWIN_TIME, 10, 3, 0}), 4);
    return check_summary();
}
