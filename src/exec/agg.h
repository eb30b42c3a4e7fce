/*
 * agg.h - the streaming hash aggregation: groups keyed by (event-time window, group key columns),
 * Spark's aggregate functions, watermarks, output modes, late rows kept aside, state persisted.
 *
 * The SQL layer compiles `SELECT ... FROM STREAM(t) WATERMARK ts DELAY OF ... GROUP BY window(ts, ...),
 * k1, k2` into a WAggSpec whose columns are indexes into the operator's input batch (projected
 * beforehand: the aggregated expressions are already columns). HAVING and the final SELECT list are the
 * caller's (a projection over the output batch).
 *
 * One batch:
 *   - the watermark in force is the one computed after the previous batch (INT64_MIN before any data);
 *     after this batch it becomes max(event time seen so far) - delay, and never goes back.
 *   - a row whose window end <= watermark (append and update modes with a watermark) is not aggregated
 *     into that window: it is counted (numRowsDroppedByWatermark, once per row and window, as Spark counts
 *     after expanding sliding windows) and the row is returned in late_rows (input columns plus
 *     `missed_watermark`), once per row however many of its windows it missed.
 *   - append: every group whose window end <= watermark is emitted once, then forgotten.
 *     update: groups changed by this batch are emitted; expired groups are forgotten silently.
 *     complete: all groups every batch; nothing expires.
 *   - rows whose event time is NULL have no window and are counted (num_rows_null_time), as Spark drops them.
 *   - session windows (WWIN_SESSION, Spark's session_window(ts, gap)): a row opens [ts, ts + gap); the
 *     sessions of one group key that overlap or touch it (start <= ts + gap and ts <= end) merge into one,
 *     also across batches and when one row bridges several (aggregates merge exactly: sums, counts, sets,
 *     sketches; first/last follow arrival order across the merged sessions). A row is late when its own
 *     [ts, ts + gap) ends at or before the watermark. Sessions close (append) and expire like windows, by
 *     their end. In the state store a session is keyed by a stable id, since its start moves.
 * Output rows are sorted by window start, then group keys (NULLs first), so they are deterministic.
 * Output columns: `window` (`session_window` for sessions) STRUCT<start TIMESTAMP, end TIMESTAMP> (when
 * windowed), the key columns
 * (input names), then one column per aggregate (its name), in Spark's result types: count -> BIGINT;
 * sum(INT/BIGINT) -> BIGINT; sum(DOUBLE) -> DOUBLE; avg -> DOUBLE; min/max/first/last -> input type;
 * approx_count_distinct -> BIGINT. sum/avg/min/max of no non-NULL value is NULL; counts ignore NULLs.
 *
 * Determinism: DOUBLE sums and averages use an exact accumulator (exec/xsum.h) rounded once at output;
 * BIGINT sums use a 128-bit accumulator (a result outside BIGINT is Spark's ANSI ARITHMETIC_OVERFLOW
 * error); min/max/first/last follow the row order, which batch boundaries do not change.
 */
#ifndef WEIR_EXEC_AGG_H
#define WEIR_EXEC_AGG_H

#include <stdint.h>

#include "core/err.h"
#include "core/schema.h"
#include "core/vec.h"
#include "exec/state.h"
#include "exec/window.h"
#include "sql/resolve.h" /* WAggFn, WAggCall, WOutputMode: the SQL layer names them */

typedef struct WAggSpec {
    const WType *input;       /* STRUCT schema of the input batches; must outlive the operator */
    int ts_col;               /* event-time TIMESTAMP column (window and watermark), or -1 */
    WWindowSpec window;       /* kind WWIN_NONE: group by the key columns only */
    int has_watermark;
    int64_t delay_us;         /* WATERMARK ... DELAY OF */
    int n_keys;
    const int *key_cols;      /* flat types only */
    int n_aggs;
    const WAggCall *aggs;
    WOutputMode mode;
    const char *state_dir;    /* checkpoint `state/<op>`; NULL keeps state in memory only */
    WStateOpts state_opts;    /* zeros for the defaults */
} WAggSpec;

typedef struct WAggStats {     /* Spark's stateOperators figures; per batch unless said otherwise */
    int64_t num_rows_total;    /* groups held after the batch */
    int64_t num_rows_updated;  /* groups changed by the batch */
    int64_t num_rows_removed;  /* groups evicted by the batch */
    int64_t memory_used_bytes; /* bytes held by the operator's state */
    int64_t num_rows_dropped_by_watermark; /* (row, window) pairs left out as late, this batch */
    int64_t num_late_rows;     /* input rows returned in late_rows, this batch */
    int64_t num_rows_null_time;/* rows without an event time (no window), this batch */
    int64_t total_dropped_by_watermark;    /* since the query started (persisted) */
    int64_t state_write_us;    /* time spent writing the delta (and snapshot) of this batch */
    int64_t state_bytes_written;
    int64_t watermark;         /* in force during the batch; INT64_MIN = none yet */
} WAggStats;

typedef struct WAggOp WAggOp;

/* The spec of an aggregation query's operator (sql/resolve.h, WBoundAgg): columns, window, watermark,
 * calls, the output mode; state_dir may be NULL (state in memory). The spec borrows from a. */
int wagg_spec_from_plan(const WBoundAgg *a, WOutputMode mode, const char *state_dir, WAggSpec *spec, WErr *err);

int wagg_open(const WAggSpec *spec, WAggOp **out, WErr *err);
void wagg_close(WAggOp *op);
const WType *wagg_output_schema(const WAggOp *op);
const WType *wagg_late_schema(const WAggOp *op);
/* Loads the state committed by batch `batch_id` (-1: start empty); the next batch is batch_id + 1. */
int wagg_restore(WAggOp *op, int64_t batch_id, WErr *err);
/* Applies one state file image (delta or snapshot, as written in the state folder) held in memory to
 * the operator's groups; on error the groups are emptied. For the fuzz target and inspection tools. */
int wagg_load_image(WAggOp *op, const uint8_t *data, size_t n, WErr *err);
/* Runs one micro-batch. in may be NULL (a no-data batch). out_rows must be initialized with
 * wagg_output_schema, late_rows (may be NULL: late rows are then only counted) with wagg_late_schema;
 * both are reset first. batch_id must be the next batch. State is written before returning. */
int wagg_process_batch(WAggOp *op, const WBatch *in, int64_t batch_id, WBatch *out_rows, WBatch *late_rows,
                       WErr *err);
/* The same batch fed in chunks, so that memory is bounded by a chunk rather than the batch: begin, then
 * add for each chunk of rows (late rows of that chunk go to late, reset first; may be NULL), then finish
 * (emits into out, reset first, and writes the state). Gives exactly what one wagg_process_batch over the
 * concatenated rows gives. */
int wagg_batch_begin(WAggOp *op, int64_t batch_id, WErr *err);
int wagg_batch_add(WAggOp *op, const WBatch *in, WBatch *late, WErr *err);
int wagg_batch_finish(WAggOp *op, int64_t batch_id, WBatch *out, WErr *err);
/* 1 when the watermark has moved past some held window's end, so a no-data batch would close it. */
int wagg_needs_nodata_batch(const WAggOp *op);
/* A bounded run's end: a no-data batch with the watermark at +infinity (every window is emitted in
 * append mode and the state is emptied); the watermark stays at +infinity. */
int wagg_flush_all(WAggOp *op, int64_t batch_id, WBatch *out_rows, WErr *err);
/* The watermark the next batch will use (INT64_MIN before any event time was seen). */
int64_t wagg_watermark(const WAggOp *op);
const WAggStats *wagg_stats(const WAggOp *op);
/* Groups held now (windows times keys). */
int64_t wagg_groups(const WAggOp *op);

#endif
