/*
 * project.h - the projection operator of a streaming query: WHERE, then the select list, over one batch.
 *
 * It runs the WBoundSelect that sql/plan.h hands the stream layer: rows whose WHERE is true (not false,
 * not NULL) get every output column computed (exec/expr.h) and appended to the output batch.
 * current_timestamp() is the time wproject_run was called, the same for every row of that batch.
 */
#ifndef WEIR_EXEC_PROJECT_H
#define WEIR_EXEC_PROJECT_H

#include "core/err.h"
#include "core/vec.h"
#include "sql/resolve.h"

typedef struct WProject WProject;
/* sel is borrowed and must outlive the operator; time_zone is the session zone (NULL: UTC). Caller owns
 * the result; free with wproject_close. */
int  wproject_open(const WBoundSelect *sel, const char *time_zone, WProject **out, WErr *err);
/* WHERE then the select list over `in`; appends the result rows to `out` (initialized by the caller with
   sel->out_schema via wbatch_init). Returns WEIR_OK or an error with a message. */
int  wproject_run(WProject *p, const WBatch *in, WBatch *out, WErr *err);
void wproject_close(WProject *p);

/* The event times of a batch, for the watermark and the progress report: the WATERMARK expression over
 * every row of `in` (before WHERE: in Spark the watermark sits on the source), NULLs skipped. rows is 0
 * when no row has an event time or the query has no WATERMARK clause (then has_watermark is 0). */
typedef struct WEventTimeStats {
    int has_watermark;
    int64_t rows;
    int64_t min_us, max_us;
    double avg_us;
} WEventTimeStats;
int  wproject_event_time(WProject *p, const WBatch *in, WEventTimeStats *out, WErr *err);

/* The same with a given current_timestamp (microseconds since the epoch), for tests and replays. */
int  wproject_run_at(WProject *p, const WBatch *in, WBatch *out, int64_t now_us, WErr *err);

#endif
