/*
 * driver.h - runs the streaming queries of a compiled script: one thread per query, each a loop of
 * micro-batches (plan, log the plan, read, project, write, commit) over its file source and its sink.
 *
 * The checkpoint of a query is the sink table's option checkpointLocation, or <weir.checkpointRoot>/<query
 * name> when the script SETs weir.checkpointRoot. A query that writes files without either is refused
 * (exactly once needs somewhere to remember what was done). A console query without one runs with a
 * temporary checkpoint that is removed when it stops, as Spark does. Checkpoint entries older than
 * `SET spark.sql.streaming.minBatchesToRetain = N` batches (100) are removed.
 */
#ifndef WEIR_STREAM_DRIVER_H
#define WEIR_STREAM_DRIVER_H

#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "sql/plan.h"
#include "stream/sink.h"
#include "stream/trigger.h"

typedef enum WProgressMode { WPROGRESS_OFF = 0, WPROGRESS_JSON, WPROGRESS_LIVE } WProgressMode;

typedef struct WRunOptions {
    const WTrigger *trigger;     /* overrides every query's `trigger` option when not NULL */
    WProgressMode progress;      /* where each batch's progress goes besides the checkpoint */
    FILE *progress_out;          /* stdout when NULL */
    int stop_fd;                 /* readable = stop cleanly (a pipe the signal handler writes); -1 none */
    /* The sink registry: ops for a format name (wsink_lookup in the weir program; tests pass their own). */
    const WSinkOps *(*sink_lookup)(const char *format);
    const WSinkOps *sink_ops;    /* when set, used for every query instead of sink_lookup (benchmarks) */
    /* Optional hooks for the C library (src/api/engine.c); all zero in the weir program. */
    const char *checkpoint_dir;  /* when set, the checkpoint of every query (a one-query script), overriding
                                    checkpointLocation and weir.checkpointRoot */
    void *sink_user;             /* handed to the sink's open as WSinkConfig.user (the callback sink) */
    void (*on_progress)(void *user, const char *json, size_t n); /* each batch's progress object (no newline) */
    void *progress_user;
} WRunOptions;

/* The checkpoint folder a query would use, into out (caller's buffer); WEIR_MISUSE with a message saying
 * how to set one when a file-writing query has none. *is_temp = 1 for a console query without one (out
 * is then empty). */
int wdriver_checkpoint_dir(const WScript *s, const WQueryPlan *q, char *out, size_t cap, int *is_temp, WErr *err);

/* Runs every query of the script side by side until they end (trigger once / availableNow), the stop fd
 * becomes readable, or one fails. Returns WEIR_OK, or the first failure (err says which query and why);
 * when one query fails the others are stopped. */
int wdriver_run(const WScript *s, const WRunOptions *ro, WErr *err);

#endif
