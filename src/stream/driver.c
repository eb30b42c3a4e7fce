/*
 * driver.c - the micro-batch loop (see driver.h). One thread drives one query; queries of one script run
 * side by side and share nothing but the stop descriptor.
 *
 * A batch goes through these states, and a crash in any of them is recovered as shown:
 *
 *   PLANNED      sources/0/N then offsets/N durable      crash: restart re-runs N from offsets/N
 *      |                                                        (same files, same byte ranges)
 *   RUNNING      sink.begin(N), decode, project, write   crash: the sink's next begin(N) clears what
 *      |                                                        the interrupted attempt left
 *   OUTPUT_DONE  sink.commit(N): files + manifest        crash: begin(N) reports skip, no rewrite
 *      |
 *   COMMITTED    commits/N written                       crash: N is done; the next plan is N + 1, and
 *                                                               offsets/N+1 carries the sink's record of N
 *                                                               (its manifest entry, whose fsync may still
 *                                                               run: repair_lost_record)
 *
 * An aggregation saves its state version N (state/0/, exec/state.h) when the batch's rows are all in,
 * before its output goes to the sink, so a crash between the two leaves state N on disk without commits/N:
 * the restart restores the state of the last committed batch and re-runs N, which rewrites version N.
 * When the sink reports N as already committed (skip), the aggregation still runs N, without writing,
 * so that its state catches up. Rows too late for their window go, with sink option lateRowsPath, to a
 * JSON Lines file sink of their own, committed with the batch (before the main sink).
 *
 * No-data batches (Spark's): an aggregation whose watermark can close a window runs a batch without
 * input right away; a bounded run (once, availableNow) ends with a batch whose watermark is +infinity,
 * so every window is written (offsets/N then carries weir.finalFlush, so a re-run flushes too).
 * The watermark for batch N is fixed in offsets/N, and commits/N carries the next one, so a re-run
 * computes exactly what the first attempt did.
 */
#include "stream/driver.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/time.h"
#include "core/filepool.h"
#include "core/worker.h"
#include "exec/agg.h"
#include "exec/project.h"
#include "stream/ckpt.h"
#include "stream/logjson.h"
#include "stream/source_file.h"

typedef struct Query Query;
struct Query {
    const WScript *script;
    const WQueryPlan *plan;
    const WRunOptions *ro;
    WTrigger trigger;
    char ckpt_dir[4096];
    int ckpt_temp;
    WCkpt *ckpt;
    WFileSource *src;
    const WSinkOps *sink_ops;
    WSink *sink;
    WOpts sink_opts;
    WProject *proj;
    WBatch out;
    int out_init;
    char run_id[37];
    int64_t watermark_ms;       /* of the batch being run */
    int64_t next_watermark_ms;  /* after it */
    int64_t batch_id;           /* being run */
    int64_t batch_time_ms;      /* its batchTimestampMs */
    int64_t retain;             /* spark.sql.streaming.minBatchesToRetain (100) */
    /* per batch */
    int64_t ev_min, ev_max, ev_n;
    double ev_sum;
    int64_t out_rows;
    int64_t prev_trigger_us;    /* start of the previous batch, for inputRowsPerSecond */
    int64_t total_rows;
    /* offsets/N is written by a worker while the batch is read and written (core/worker.h) */
    WWorker *wal;
    WFilePool *pool;                /* spare files for the checkpoint's and the sinks' folders */
    const WOffsetsEntry *wal_entry; /* the entry the worker writes; owned by the caller of log_and_run */
    int wal_pending;
    int64_t wal_us;                 /* how long the write took (durationMs.walCommit) */
    /* retention: the driver marks entries up to purge_to as gone, the make-ahead worker removes them
     * (purged_to: that worker's own, how far it got), so that the unlinks stay off the batches' path */
    _Atomic int64_t purge_to;
    int64_t purged_to;
    int64_t purge_handed;           /* purge_to when the driver last started that worker (its own) */
    WWorker *aheader;               /* makes checkpoint entries ahead (make_ahead) */
    /* the progress log is appended by a worker of its own, after the line went to the caller: an append
     * can wait for the disk (a page under writeback), and the next batch should not */
    WWorker *logger;
    WBuf log_line;                  /* the line it appends, of batch log_batch */
    int64_t log_batch;
    int64_t ahead_next;
    int64_t batches_run;
    /* aggregation queries (plan->agg) */
    WAggOp *agg;
    WProject *pre;              /* WHERE and the operator's input over the source rows */
    WBatch pre_out, agg_rows, late;
    int agg_init;
    const WSinkOps *late_ops;   /* lateRowsPath: the late rows' own sink */
    WSink *late_sink;
    WOpts late_opts;
    WType late_view_t;          /* the source's columns + missed_watermark */
    WVec *late_view_cols;
    int late_skip;
    int64_t late_rows;
    int rc;
    WErr err;
    int *stop_all;              /* set by the first failing query */
    pthread_mutex_t *lock;
    pthread_cond_t *ended_cv;   /* signalled when a query of the script ends */
    struct Query *upstream;     /* bounded: the bounded query of the script writing this one's source */
    int ended;                  /* under lock */
};

/* ---------------------------------------------------------------- configuration */

int wdriver_checkpoint_dir(const WScript *s, const WQueryPlan *q, char *out, size_t cap, int *is_temp, WErr *err) {
    *is_temp = 0;
    out[0] = 0;
    const char *loc = q->sink ? wopts_get((WOpts *)&q->sink->opts, "checkpointLocation") : NULL;
    if (loc && *loc) {
        snprintf(out, cap, "%s", loc);
        return WEIR_OK;
    }
    const char *root = wopts_get((WOpts *)&s->settings, "weir.checkpointRoot");
    if (!root) root = wopts_get((WOpts *)&s->settings, "spark.sql.streaming.checkpointLocation");
    if (root && *root) {
        snprintf(out, cap, "%s/%s", root, q->name);
        return WEIR_OK;
    }
    if (!q->sink || !strcasecmp(q->sink->format, "console")) {
        *is_temp = 1;
        return WEIR_OK;
    }
    return werr_msg(err, WEIR_MISUSE,
                    "query '%s' writes files into table '%s' but has no checkpoint location, so it could not "
                    "resume exactly once after a stop or crash: add checkpointLocation 'DIR' to the OPTIONS of "
                    "table %s, or SET weir.checkpointRoot = 'DIR' (each query then uses DIR/<query name>)",
                    q->name, q->sink->name, q->sink->name);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* ---------------------------------------------------------------- one batch */

/* Event time of the WATERMARK expression over the rows before WHERE (as Spark), for progress. */
static int observe_event_time(Query *q, WProject *p, const WBatch *rows, WErr *err) {
    WEventTimeStats es;
    int rc = wproject_event_time(p, rows, &es, err);
    if (rc) return rc;
    if (es.rows > 0) {
        if (q->ev_n == 0 || es.min_us < q->ev_min) q->ev_min = es.min_us;
        if (q->ev_n == 0 || es.max_us > q->ev_max) q->ev_max = es.max_us;
        q->ev_sum += es.avg_us * (double)es.rows;
        q->ev_n += es.rows;
    }
    return WEIR_OK;
}

/* The late rows as the source's columns plus missed_watermark (the operator's computed inputs left out). */
static void late_view(Query *q, WBatch *view) {
    int n_src = q->plan->agg->n_source_cols;
    for (int i = 0; i < n_src; i++) q->late_view_cols[i] = q->late.root.children[i];
    q->late_view_cols[n_src] = q->late.root.children[q->late.root.n_children - 1];
    view->schema = &q->late_view_t;
    view->root = q->late.root;
    view->root.type = &q->late_view_t;
    view->root.children = q->late_view_cols;
    view->root.n_children = n_src + 1;
}

/* Rows of an aggregation's batch: WHERE and the operator's inputs, then into the operator; late rows out. */
static int on_rows_agg(void *user, const WBatch *rows, WErr *err) {
    Query *q = user;
    int rc = observe_event_time(q, q->pre, rows, err);
    const WBatch *in = rows;
    if (!rc && !q->plan->agg->pre_identity) {
        wbatch_reset(&q->pre_out);
        rc = wproject_run_at(q->pre, rows, &q->pre_out, q->batch_time_ms * 1000, err);
        in = &q->pre_out;
    }
    if (!rc) rc = wagg_batch_add(q->agg, in, q->late_ops ? &q->late : NULL, err);
    if (!rc && q->late_ops && wbatch_rows(&q->late) > 0) {
        q->late_rows += wbatch_rows(&q->late);
        WBatch view;
        late_view(q, &view);
        if (!q->late_skip) rc = q->late_ops->write(q->late_sink, q->batch_id, &view, err);
    }
    return rc;
}

static int on_rows(void *user, const WBatch *rows, WErr *err) {
    Query *q = user;
    int rc = observe_event_time(q, q->proj, rows, err);
    if (rc) return rc;
    wbatch_reset(&q->out);
    /* current_timestamp() is the batch's planned time (offsets/N), so a re-run computes the same rows */
    rc = wproject_run_at(q->proj, rows, &q->out, q->batch_time_ms * 1000, err);
    if (!rc && wbatch_rows(&q->out) > 0) {
        q->out_rows += wbatch_rows(&q->out);
        rc = q->sink_ops->write(q->sink, q->batch_id, &q->out, err);
    }
    return rc;
}

/* Spark prints progress times as 2022-09-06T11:40:00.123Z (milliseconds, UTC). */
static void iso_ms(int64_t ms, char *buf) {
    char tmp[64];
    int n = wtime_format_timestamp(ms * 1000, NULL, tmp);
    char *dot = memchr(tmp, '.', (size_t)n);
    if (dot) {
        dot[4] = 'Z';
        dot[5] = 0;
    }
    strcpy(buf, tmp);
}

typedef struct Phase {
    int64_t latest_offset, wal, get_batch, add_batch, commit, total, start_us, wall_us;
} Phase;

static int append_progress_job(void *arg, WErr *err) {
    Query *q = arg;
    return wckpt_append_progress(q->ckpt, q->log_batch, q->log_line.data, q->log_line.len, err);
}

/* A failed append is reported, not fatal: the progress log is for people. */
static void report_log_error(const Query *q, int rc, const WErr *e) {
    if (rc != WEIR_OK) fprintf(stderr, "weir: %s: %s\n", q->plan->name, e->msg);
}

/* Waits for the logger's append, if any. */
static void logger_wait(Query *q) {
    WErr e;
    werr_init(&e);
    if (q->logger && wworker_pending(q->logger)) report_log_error(q, wworker_wait(q->logger, &e), &e);
}

/* Hands the progress line of the current batch (taken from *line) to the logger, once it is done with
 * the line before; without a logger (none could start), appends it here. */
static void log_progress(Query *q, WBuf *line) {
    logger_wait(q);
    WBuf t = q->log_line;
    q->log_line = *line;
    *line = t;
    q->log_batch = q->batch_id;
    if (!q->logger && wworker_open(&q->logger, NULL) == WEIR_OK) wworker_set_background(q->logger);
    if (!q->logger || wworker_start(q->logger, append_progress_job, q, NULL) != WEIR_OK) {
        WErr e;
        werr_init(&e);
        report_log_error(q, append_progress_job(q, &e), &e);
    }
}

static int progress(Query *q, const Phase *ph, const WSrcBatchStats *st, const WSinkStats *ss, int n_files) {
    WBuf b;
    wbuf_init(&b);
    char ts[64];
    iso_ms(ph->wall_us / 1000, ts);
    double secs_since = q->prev_trigger_us ? (double)(ph->start_us - q->prev_trigger_us) / 1e6 : 0;
    double in_rate = secs_since > 0 ? (double)st->rows / secs_since : 0;
    double proc_rate = ph->total > 0 ? (double)st->rows / ((double)ph->total / 1e6) : 0;
    int rc = wbuf_printf(&b, "{\"id\":\"%s\",\"runId\":\"%s\",", wckpt_id(q->ckpt), q->run_id);
    rc |= wlogj_put_field_str(&b, "name", q->plan->name, strlen(q->plan->name));
    rc |= wbuf_printf(&b, ",\"timestamp\":\"%s\",\"batchId\":%" PRId64 ",\"batchDuration\":%" PRId64
                      ",\"numInputRows\":%" PRId64 ",\"inputRowsPerSecond\":%.1f,\"processedRowsPerSecond\":%.1f,",
                      ts, q->batch_id, ph->total / 1000, st->rows, in_rate, proc_rate);
    rc |= wbuf_printf(&b, "\"durationMs\":{\"latestOffset\":%.3f,\"walCommit\":%.3f,\"getBatch\":%.3f,"
                      "\"addBatch\":%.3f,\"commitOffsets\":%.3f,\"triggerExecution\":%.3f},",
                      ph->latest_offset / 1000.0, ph->wal / 1000.0, ph->get_batch / 1000.0, ph->add_batch / 1000.0,
                      ph->commit / 1000.0, ph->total / 1000.0);
    if (q->ev_n == 0 && q->agg && q->plan->agg->has_watermark) {
        char wm[64];
        iso_ms(q->watermark_ms, wm);
        rc |= wbuf_printf(&b, "\"eventTime\":{\"watermark\":\"%s\"},", wm);
    }
    if (q->ev_n > 0) {
        char a[64], mx[64], mn[64], wm[64];
        iso_ms((int64_t)(q->ev_sum / (double)q->ev_n) / 1000, a);
        iso_ms(q->ev_max / 1000, mx);
        iso_ms(q->ev_min / 1000, mn);
        iso_ms(q->watermark_ms, wm);
        rc |= wbuf_printf(&b, "\"eventTime\":{\"avg\":\"%s\",\"max\":\"%s\",\"min\":\"%s\",\"watermark\":\"%s\"},",
                          a, mx, mn, wm);
    }
    if (q->agg) {
        const WAggStats *as = wagg_stats(q->agg);
        rc |= wbuf_printf(&b, "\"stateOperators\":[{\"operatorName\":\"stateStoreSave\",\"numRowsTotal\":%" PRId64
                          ",\"numRowsUpdated\":%" PRId64 ",\"numRowsRemoved\":%" PRId64 ",\"memoryUsedBytes\":%" PRId64
                          ",\"numRowsDroppedByWatermark\":%" PRId64 ",\"customMetrics\":{\"numLateRows\":%" PRId64
                          ",\"numLateRowsWritten\":%" PRId64 ",\"numRowsNullEventTime\":%" PRId64
                          ",\"stateWriteMs\":%.3f,\"stateBytesWritten\":%" PRId64 "}}],",
                          as->num_rows_total, as->num_rows_updated, as->num_rows_removed, as->memory_used_bytes,
                          as->num_rows_dropped_by_watermark, as->num_late_rows, q->late_rows, as->num_rows_null_time,
                          as->state_write_us / 1000.0, as->state_bytes_written);
        rc |= wbuf_puts(&b, "\"sources\":[{");
    } else
        rc |= wbuf_puts(&b, "\"stateOperators\":[],\"sources\":[{");
    const char *d = wsrc_description(q->src);
    rc |= wlogj_put_field_str(&b, "description", d, strlen(d));
    if (q->batch_id > 0) rc |= wbuf_printf(&b, ",\"startOffset\":{\"logOffset\":%" PRId64 "}", q->batch_id - 1);
    else rc |= wbuf_puts(&b, ",\"startOffset\":null");
    rc |= wbuf_printf(&b, ",\"endOffset\":{\"logOffset\":%" PRId64 "},\"latestOffset\":null,\"numInputRows\":%" PRId64
                      ",\"inputRowsPerSecond\":%.1f,\"processedRowsPerSecond\":%.1f,\"metrics\":{\"numFiles\":\"%d\","
                      "\"numFilesRead\":\"%" PRId64 "\",\"numFilesSkipped\":\"%" PRId64 "\",\"numBytesRead\":\"%" PRId64
                      "\",\"numBadRecords\":\"%" PRId64 "\",\"numFilesOpenedSinceStart\":\"%" PRId64 "\"}}],",
                      q->batch_id, st->rows, in_rate, proc_rate, n_files, st->files_read, st->files_skipped,
                      st->bytes_read, st->bad_records, wsrc_files_opened(q->src));
    char sd[4200];
    const char *spath = q->plan->sink ? wopts_get((WOpts *)&q->plan->sink->opts, "path") : NULL;
    snprintf(sd, sizeof sd, "%s[%s]", q->plan->sink ? "FileSink" : q->ro->sink_user ? "ForeachBatchSink" : "ConsoleSink",
             spath ? spath : (q->plan->sink ? q->plan->sink->name : "console"));
    rc |= wbuf_puts(&b, "\"sink\":{");
    rc |= wlogj_put_field_str(&b, "description", sd, strlen(sd));
    rc |= wbuf_printf(&b, ",\"numOutputRows\":%" PRId64 ",\"metrics\":{\"numFiles\":\"%" PRId64 "\",\"numBytes\":\"%"
                      PRId64 "\"}}}\n", ss->rows ? ss->rows : q->out_rows, ss->files, ss->bytes);
    if (!rc && q->ro->on_progress) q->ro->on_progress(q->ro->progress_user, b.data, b.len - 1); /* no '\n' */
    FILE *out = q->ro->progress_out ? q->ro->progress_out : stdout;
    if (!rc && q->ro->progress == WPROGRESS_JSON) {
        pthread_mutex_lock(q->lock);
        fwrite(b.data, 1, b.len, out);
        fflush(out);
        pthread_mutex_unlock(q->lock);
    } else if (!rc && q->ro->progress == WPROGRESS_LIVE) {
        q->total_rows += st->rows;
        pthread_mutex_lock(q->lock);
        fprintf(out, "\r\033[K%s: batch %" PRId64 ", %" PRId64 " rows in %.1f ms (%d files), %" PRId64 " rows total%s",
                q->plan->name, q->batch_id, st->rows, ph->total / 1000.0, n_files, q->total_rows,
                st->bad_records ? ", bad records!" : "");
        fflush(out);
        pthread_mutex_unlock(q->lock);
    }
    if (!rc) log_progress(q, &b);
    wbuf_fini(&b);
    return WEIR_OK;
}

/* The aggregation's part of batch N: rows through the operator (state N saved), the result through
 * HAVING and the select list into the sink, late rows into theirs. skip: the sink already has N. */
static int run_agg(Query *q, int64_t n, int nodata, int flush, int skip, WSrcBatchStats *st, WErr *err) {
    int rc = WEIR_OK;
    q->late_skip = 1;
    q->late_rows = 0;
    if (q->late_ops) rc = q->late_ops->begin(q->late_sink, n, &q->late_skip, err);
    if (!rc && !flush) rc = wagg_batch_begin(q->agg, n, err);
    if (!rc && !nodata) rc = wsrc_read_batch(q->src, n, on_rows_agg, q, st, err);
    if (!rc) rc = flush ? wagg_flush_all(q->agg, n, &q->agg_rows, err) : wagg_batch_finish(q->agg, n, &q->agg_rows, err);
    if (!rc) {
        wbatch_reset(&q->out);
        rc = wproject_run_at(q->proj, &q->agg_rows, &q->out, q->batch_time_ms * 1000, err);
    }
    if (!rc && !skip && wbatch_rows(&q->out) > 0) {
        q->out_rows += wbatch_rows(&q->out);
        rc = q->sink_ops->write(q->sink, n, &q->out, err);
    }
    WSinkStats ls = {0, 0, 0};
    if (!rc && q->late_ops && !q->late_skip) rc = q->late_ops->commit(q->late_sink, n, &ls, err);
    /* the late rows' entry durable before the main sink commits: only the main sink's can be repaired */
    if (!rc && q->late_ops && !q->late_skip && q->late_ops->sync) rc = q->late_ops->sync(q->late_sink, err);
    if (rc && q->late_ops && !q->late_skip) q->late_ops->abort(q->late_sink, n);
    return rc;
}

static int job_waiting(void *arg) { return wworker_job_waiting(((Query *)arg)->wal); }

/* The offsets' worker's idle work, after each entry: the next batch's spare files. */
static void worker_idle(void *arg) { (void)wfpool_fill(((Query *)arg)->pool, job_waiting, arg); }

/* Retention's removals (mark_purge), on the make-ahead worker. Not on the offsets' worker: an unlink can
 * take a while (the file system may discard the freed blocks before it returns), and the next offsets
 * entry, which the batch waits for, would wait behind it. The newest `keep` entries given up stay for the
 * next entries made ahead to reuse (wckpt_make_ahead), so that a running query removes none. */
static void remove_purged(Query *q, int64_t keep) {
    int64_t to = atomic_load(&q->purge_to) - keep;
    if (to > q->purged_to) {
        wckpt_remove_entries(q->ckpt, q->purged_to < 0 ? 0 : q->purged_to + 1, to);
        q->purged_to = to;
    }
}

#define PURGE_AT_ONCE 8 /* entries retention gives up before the make-ahead worker is woken for them */

static int make_ahead_job(void *arg, WErr *err) {
    Query *q = arg;
    int64_t retired = q->purged_to < 0 ? 0 : q->purged_to + 1;
    int rc = wckpt_make_ahead(q->ckpt, q->ahead_next, &retired, atomic_load(&q->purge_to), err);
    q->purged_to = retired - 1;
    remove_purged(q, WCKPT_AHEAD);
    return rc;
}

/* After batch N: the checkpoint entries of the batches after N + 1 made ahead (wckpt_make_ahead) on a
 * worker of their own, so that neither the batches nor the offsets' worker ever wait for it (its folder
 * fsync takes a flush of the disk); when the previous round is still running, next time. */
static void make_ahead(Query *q, int64_t n) {
    /* from the second batch of the run on: a run of one batch (trigger once, a start) has no use for them
     * and would wait for them when it closes */
    if (++q->batches_run < 2) return;
    /* the worker is woken only when there is work: entries to make, or a few to remove at once */
    int64_t purge = atomic_load(&q->purge_to);
    if (!wckpt_ahead_wanted(q->ckpt, n + 2) && purge - q->purge_handed < PURGE_AT_ONCE) return;
    if (!q->aheader) {
        if (wworker_open(&q->aheader, NULL) != WEIR_OK) return;
        wworker_set_background(q->aheader);
    }
    if (wworker_pending(q->aheader)) {
        if (!wworker_done(q->aheader)) return;
        WErr e;
        werr_init(&e);
        (void)wworker_wait(q->aheader, &e); /* a failure only means the next entries go the usual way */
    }
    q->ahead_next = n + 2; /* N + 1 may be planned at once: the offsets' worker owns it */
    if (wworker_start(q->aheader, make_ahead_job, q, NULL) == WEIR_OK) q->purge_handed = purge;
}

/* offsets/N, written and fdatasynced as soon as the batch is planned, so that its flush of the disk runs
 * while the batch is read and written. (Starting it only once the batch's output was written, beside the
 * sink's fsyncs, which would let a journaling file system commit them all at once, was slower on this
 * machine's ext4 without a journal, where each fsync is its own flush: bench/RESULTS.md, 2026-12-07.) */
static int write_offsets_job(void *arg, WErr *err) {
    Query *q = arg;
    int64_t t = wtime_mono_us();
    int rc = wckpt_write_offsets(q->ckpt, q->wal_entry, err);
    q->wal_us = wtime_mono_us() - t;
    return rc;
}

/* Waits until offsets/N is durable (when the worker writes it). Nothing of batch N is committed before. */
static int offsets_durable(Query *q, WErr *err) {
    if (!q->wal_pending) return WEIR_OK;
    q->wal_pending = 0;
    return wworker_wait(q->wal, err);
}

/* The last committed batch's record in the sink durable (sink.h: sync). */
static int sink_durable(Query *q, WErr *err) {
    return q->sink && q->sink_ops->sync ? q->sink_ops->sync(q->sink, err) : WEIR_OK;
}

#define SINK_RECORD_KEY "weir.sinkRecord"

/* The plan of batch N carries the sink's record of N - 1 (sink.h: record), whose own fsync may still be
 * running: once offsets/N is durable, a crash of the machine cannot lose that record for good
 * (repair_lost_record). Without a record to save, the record is made durable first. */
static int save_sink_record(Query *q, int64_t n, WOffsetsEntry *e, WErr *err) {
    if (!q->sink || !q->sink_ops->sync || n < 1) return WEIR_OK;
    const char *text;
    size_t len;
    if (q->sink_ops->record(q->sink, n - 1, &text, &len) != 0) return sink_durable(q, err);
    char *copy = strndup(text, len);
    int rc = copy && !wopts_set(&e->conf, SINK_RECORD_KEY, copy) ? WEIR_OK : werr_msg(err, WEIR_NOMEM, "out of memory");
    free(copy);
    return rc;
}

/* Retention after commit N: offsets/K and commits/K go once batch K is minBatchesToRetain behind N, and no
 * sooner than the source's log holds K's files in a durable segment (offsets/K is their only copy until
 * then). The make-ahead worker removes them (purge_to, remove_purged). */
static void mark_purge(Query *q, int64_t n) {
    int64_t keep = n;
    if (q->src) {
        int64_t logged = wsrc_log_durable_to(q->src);
        if (keep - q->retain - 1 > logged) keep = logged + q->retain + 1;
    }
    int64_t from, to = wckpt_purge_mark(q->ckpt, keep, q->retain, &from);
    if (to >= 0) atomic_store(&q->purge_to, to);
}

/* Runs batch N, whose plan (source log + offsets/N) is durable or being made so by the worker: output
 * may be written meanwhile, nothing is committed before offsets_durable(). nodata: a batch without input
 * (the source is not asked); flush: the final batch of a bounded run (watermark +infinity). */
static int run_planned(Query *q, int64_t n, int nodata, int flush, Phase *ph, WErr *err) {
    q->batch_id = n;
    q->ev_n = 0;
    q->ev_sum = 0;
    q->out_rows = 0;
    WSrcBatchStats st;
    memset(&st, 0, sizeof st);
    WSinkStats ss = {0, 0, 0};
    int skip = 0;
    const WSrcFile *files;
    int n_files = 0;
    int rc = nodata ? WEIR_OK : wsrc_batch_files(q->src, n, &files, &n_files, err);
    int64_t t = wtime_mono_us();
    /* an aggregation saves its state and commits late rows inside run_agg; a sink without prepare may
     * show output as it is written: both wait for offsets/N first */
    if (!rc && (q->agg || !q->sink_ops->prepare)) rc = offsets_durable(q, err);
    if (!rc) rc = q->sink_ops->begin(q->sink, n, &skip, err);
    if (!rc && q->agg) {
        rc = run_agg(q, n, nodata, flush, skip, &st, err);
        int64_t t2 = wtime_mono_us();
        ph->get_batch = t2 - t;
        t = t2;
        if (!rc && !skip) rc = q->sink_ops->commit(q->sink, n, &ss, err);
        if (rc && !skip) q->sink_ops->abort(q->sink, n);
    } else if (!rc && !skip) {
        if (!nodata) rc = wsrc_read_batch(q->src, n, on_rows, q, &st, err);
        int64_t t2 = wtime_mono_us();
        ph->get_batch = t2 - t;
        t = t2;
        if (!rc && q->sink_ops->prepare) rc = q->sink_ops->prepare(q->sink, n, err);
        if (!rc) rc = offsets_durable(q, err);
        if (!rc) rc = q->sink_ops->commit(q->sink, n, &ss, err);
        if (rc) q->sink_ops->abort(q->sink, n);
    }
    ph->add_batch = wtime_mono_us() - t;
    if (!rc) rc = offsets_durable(q, err); /* a skipped batch (or a failure above) */
    if (q->wal_entry && !q->wal_pending) ph->wal += q->wal_us; /* read only once the worker is done */
    /* the next watermark: max event time seen minus the delay; it never moves back */
    q->next_watermark_ms = q->watermark_ms;
    if (q->agg) {
        int64_t wm = wagg_watermark(q->agg);
        if (wm != INT64_MIN && wm != INT64_MAX && wm / 1000 > q->next_watermark_ms) q->next_watermark_ms = wm / 1000;
    } else {
        const WBoundSelect *sel = q->plan->select;
        if (q->ev_n > 0 && sel->watermark) {
            int64_t wm = (q->ev_max - sel->wm_delay_micros - (int64_t)sel->wm_delay_months * 30 * 86400000000LL) / 1000;
            if (wm > q->next_watermark_ms) q->next_watermark_ms = wm;
        }
    }
    t = wtime_mono_us();
    /* cleanSource moves input away: N must never run again, so the sink's record of it and its commit
     * must survive a machine crash */
    int cleans = !nodata && wsrc_cleans_source(q->src);
    if (!rc && cleans) rc = sink_durable(q, err);
    if (!rc) rc = wckpt_write_commit(q->ckpt, n, q->next_watermark_ms, err);
    if (!rc && cleans) rc = wckpt_sync_commit(q->ckpt, err);
    ph->commit = wtime_mono_us() - t;
    ph->total = wtime_mono_us() - ph->start_us;
    if (!rc) {
        progress(q, ph, &st, &ss, n_files); /* reports the watermark batch N ran with, as Spark */
        q->watermark_ms = q->next_watermark_ms;
        q->prev_trigger_us = ph->start_us;
    }
    /* bookkeeping once N is committed and reported, so that it does not delay either: the source's log
     * (and cleanSource), then retention (unlinks, which can wait on a busy disk's journal) */
    if (!rc && !nodata) rc = wsrc_after_commit(q->src, n, err);
    if (!rc) {
        mark_purge(q, n);
        make_ahead(q, n);
    }
    return rc;
}

/* Logs the plan of batch N (its files in e->files, none for a no-data batch) in offsets/N and runs it. */
static int log_and_run(Query *q, int64_t n, WOffsetsEntry *e, int nodata, int flush, Phase *ph, WErr *err) {
    int64_t t = wtime_mono_us();
    e->batch_id = n;
    e->watermark_ms = q->watermark_ms;
    e->timestamp_ms = ph->wall_us / 1000;
    q->batch_time_ms = e->timestamp_ms;
    e->log_offset = nodata ? -1 : n;
    int rc = WEIR_OK;
    if (wopts_set(&e->conf, "spark.sql.session.timeZone", q->script->time_zone ? q->script->time_zone : "UTC") ||
        (flush && wopts_set(&e->conf, "weir.finalFlush", "true")))
        rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    if (!rc) rc = save_sink_record(q, n, e, err);
    if (!rc && q->wal) {
        q->wal_entry = e;
        q->wal_us = 0;
        rc = wworker_start(q->wal, write_offsets_job, q, err);
        q->wal_pending = !rc;
    } else if (!rc) {
        rc = wckpt_write_offsets(q->ckpt, e, err);
    }
    ph->wal = wtime_mono_us() - t;
    if (!rc) rc = run_planned(q, n, nodata, flush, ph, err);
    if (q->wal_pending) { /* run_planned failed before waiting: the worker must be done with e and ckpt */
        WErr e2;
        werr_init(&e2);
        (void)offsets_durable(q, &e2);
    }
    q->wal_entry = NULL;
    return rc;
}

static void phase_start(Phase *ph) {
    memset(ph, 0, sizeof *ph);
    ph->start_us = wtime_mono_us();
    ph->wall_us = wtime_now_us();
}

/* Plans batch N from the ready files, logs it, and runs it. *planned = 0 when nothing was ready. */
static int plan_and_run(Query *q, int no_limits, int *planned, WErr *err) {
    Phase ph;
    phase_start(&ph);
    int64_t n = wckpt_last_planned(q->ckpt) + 1;
    int n_files = 0;
    WOffsetsEntry e;
    wckpt_offsets_init(&e);
    int rc = wsrc_plan(q->src, n, no_limits, &n_files, &e.files, err);
    ph.latest_offset = wtime_mono_us() - ph.start_us;
    *planned = n_files > 0;
    if (!rc && n_files) rc = log_and_run(q, n, &e, 0, 0, &ph, err);
    wckpt_offsets_fini(&e);
    return rc;
}

/* A batch without input: to close the windows the watermark has passed, or (flush) every window. */
static int run_nodata(Query *q, int flush, WErr *err) {
    Phase ph;
    phase_start(&ph);
    WOffsetsEntry e;
    wckpt_offsets_init(&e);
    int rc = log_and_run(q, wckpt_last_planned(q->ckpt) + 1, &e, 1, flush, &ph, err);
    wckpt_offsets_fini(&e);
    return rc;
}

/* After a batch: Spark's no-data batch when the new watermark closes a window. */
static int after_batch(Query *q, WErr *err) {
    if (q->agg && wagg_needs_nodata_batch(q->agg)) return run_nodata(q, 0, err);
    return WEIR_OK;
}

/* ---------------------------------------------------------------- the loop */

static int stop_requested(const Query *q) {
    if (*q->stop_all) return 1;
    if (q->ro->stop_fd < 0) return 0;
    struct pollfd p = {q->ro->stop_fd, POLLIN, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

/* The aggregation of an aggregating query: its operator (state in <checkpoint>/state/0, restored to the
 * last committed batch), its input projection, and the late rows' sink when lateRowsPath is set. */
static int agg_open(Query *q, const char *late_path, WErr *err) {
    const WBoundAgg *a = q->plan->agg;
    char state_dir[4200];
    snprintf(state_dir, sizeof state_dir, "%s/state/0", q->ckpt_dir);
    WAggSpec spec;
    int rc = wagg_spec_from_plan(a, q->plan->mode, state_dir, &spec, err);
    if (!rc) rc = wagg_open(&spec, &q->agg, err);
    if (!rc && !wtype_equal(wagg_output_schema(q->agg), &a->agg_out))
        rc = werr_msg(err, WEIR_MISUSE, "query %s: the aggregation's output differs from its plan", q->plan->name);
    if (!rc) rc = wproject_open(a->pre, q->script->time_zone, &q->pre, err);
    if (!rc) {
        if (wbatch_init(&q->pre_out, &a->pre->out_schema) || wbatch_init(&q->agg_rows, wagg_output_schema(q->agg)) ||
            wbatch_init(&q->late, wagg_late_schema(q->agg)))
            return werr_msg(err, WEIR_NOMEM, "out of memory");
        q->agg_init = 1;
    }
    if (!rc) rc = wagg_restore(q->agg, wckpt_last_committed(q->ckpt), err);
    if (rc || !late_path) return rc;
    /* late rows: the source's columns + missed_watermark, as JSON Lines in their own exactly-once folder */
    WType ts;
    memset(&ts, 0, sizeof ts);
    ts.id = WT_TIMESTAMP;
    q->late_view_cols = calloc((size_t)a->n_source_cols + 1, sizeof *q->late_view_cols);
    if (!q->late_view_cols || wtype_copy(&q->late_view_t, &q->plan->source->schema) ||
        wtype_add_field(&q->late_view_t, "missed_watermark", strlen("missed_watermark"), &ts) ||
        wopts_set(&q->late_opts, "path", late_path))
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    q->late_ops = q->ro->sink_lookup ? q->ro->sink_lookup("json") : NULL;
    if (!q->late_ops) return werr_msg(err, WEIR_UNSUPPORTED, "no json sink for lateRowsPath");
    WSinkConfig lc = {"json", &q->late_opts, &q->late_view_t, q->plan->name, q->ckpt_dir, q->script->time_zone, NULL,
                      q->pool};
    rc = q->late_ops->open(&lc, &q->late_sink, err);
    if (rc) q->late_ops = NULL;
    return rc;
}

/* A crash of the machine after commits/N was written (or offsets/N + 1, which implies it), before the
 * sink's record of N (its manifest entry) was durable, leaves the sink one batch behind the checkpoint
 * (sink.h: sync). N's data files are durable (the sink fsyncs them before it shows the record).
 *   - N + 1 planned: offsets/N + 1 holds the record's text (save_sink_record), which the sink writes back;
 *   - N the last planned batch: N runs again from offsets/N. The same input gives the same files and the
 *     same record, so a reader that saw them before the crash sees them again unchanged.
 * Any other gap between the two is left as it was. */
static int repair_lost_record(Query *q, WErr *err) {
    if (!q->sink_ops->sync) return WEIR_OK;
    int64_t lc = wckpt_last_committed(q->ckpt), lp = wckpt_last_planned(q->ckpt);
    if (lc < 0 || q->sink_ops->last_batch(q->sink) != lc - 1) return WEIR_OK;
    if (lp == lc) return wckpt_reopen_last(q->ckpt, err);
    WOffsetsEntry e;
    wckpt_offsets_init(&e);
    int rc = wckpt_read_offsets(q->ckpt, lp, &e, err);
    const char *text = rc ? NULL : wopts_get(&e.conf, SINK_RECORD_KEY);
    if (text) rc = q->sink_ops->restore(q->sink, lc, text, strlen(text), err);
    wckpt_offsets_fini(&e);
    return rc;
}

static int query_open(Query *q, WErr *err) {
    const WQueryPlan *p = q->plan;
    int rc = WEIR_OK;
    wckpt_new_uuid(q->run_id);
    wopts_init(&q->sink_opts);
    wopts_init(&q->late_opts);
    if (q->ckpt_temp) {
        char id[37];
        wckpt_new_uuid(id);
        snprintf(q->ckpt_dir, sizeof q->ckpt_dir, "/tmp/weir-console-%s", id);
        if (mkdir(q->ckpt_dir, 0700) != 0)
            return werr_msg(err, WEIR_IO, "cannot create a temporary checkpoint %s: %s", q->ckpt_dir, strerror(errno));
    }
    rc = wckpt_open(q->ckpt_dir, &q->ckpt, err);
    if (!rc) rc = wworker_open(&q->wal, err);
    if (!rc && !(q->pool = wfpool_new())) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    if (rc) return rc;
    wckpt_set_pool(q->ckpt, q->pool);
    q->purged_to = wckpt_oldest_retained(q->ckpt) - 1;
    atomic_init(&q->purge_to, q->purged_to);
    q->purge_handed = q->purged_to;
    wworker_set_idle(q->wal, worker_idle, q); /* the next batch's files, while it waits */
    if (p->source->format && !p->source->has_schema)
        return werr_msg(err, WEIR_MISUSE, "table '%s' has no columns: a streaming file source needs its schema "
                        "declared, as in Spark: CREATE TABLE %s (col TYPE, ...) USING %s", p->source->name,
                        p->source->name, p->source->format);
    const char *src_path = wopts_get((WOpts *)&p->source->opts, "path");
    if (!src_path)
        return werr_msg(err, WEIR_MISUSE, "table '%s' has no path: add OPTIONS (path 'folder')", p->source->name);
    if (p->sink)
        for (int i = 0; i < p->sink->opts.n && !rc; i++)
            if (wopts_set(&q->sink_opts, p->sink->opts.items[i].name, p->sink->opts.items[i].value))
                rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    const char *fmt = p->sink ? p->sink->format : "console";
    q->sink_ops = q->ro->sink_ops ? q->ro->sink_ops : q->ro->sink_lookup ? q->ro->sink_lookup(fmt) : NULL;
    if (!rc && !q->sink_ops)
        rc = werr_msg(err, WEIR_UNSUPPORTED, "unsupported: no streaming sink writes format '%s' (table %s)", fmt,
                      p->sink ? p->sink->name : "console");
    const char *late_path = wopts_get(&q->sink_opts, "lateRowsPath");
    (void)wopts_get(&q->sink_opts, "outputMode"); /* the compiler read it (plan.h) */
    WSinkConfig cfg = {fmt, &q->sink_opts, &p->select->out_schema, p->name, q->ckpt_dir, q->script->time_zone,
                       q->ro->sink_user, q->pool};
    if (!rc) rc = q->sink_ops->open(&cfg, &q->sink, err);
    if (!rc) rc = repair_lost_record(q, err); /* before the source and the state read the checkpoint */
    WFileSourceConfig sc = {src_path, p->source->format, &p->source->opts, &p->source->schema,
                            q->script->time_zone, p->name};
    if (!rc) rc = wsrc_open(&sc, q->ckpt, &q->src, err);
    if (!rc && late_path && !p->agg)
        rc = werr_msg(err, WEIR_MISUSE, "lateRowsPath is for aggregations with a watermark; query %s has none", p->name);
    if (!rc && p->agg) rc = agg_open(q, late_path, err);
    if (!rc) rc = wproject_open(p->select, q->script->time_zone, &q->proj, err);
    if (!rc) {
        if (wbatch_init(&q->out, &p->select->out_schema)) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
        else q->out_init = 1;
    }
    /* the watermark to resume with, and the batch a crash left planned but uncommitted */
    int64_t lc = wckpt_last_committed(q->ckpt);
    if (!rc && lc >= 0) rc = wckpt_read_commit(q->ckpt, lc, &q->watermark_ms, err);
    return rc;
}

static void query_close(Query *q) {
    if (q->late_sink) q->late_ops->close(q->late_sink);
    wopts_fini(&q->late_opts);
    wtype_fini(&q->late_view_t);
    free(q->late_view_cols);
    if (q->agg_init) {
        wbatch_fini(&q->pre_out);
        wbatch_fini(&q->agg_rows);
        wbatch_fini(&q->late);
    }
    if (q->pre) wproject_close(q->pre);
    if (q->agg) wagg_close(q->agg);
    if (q->out_init) wbatch_fini(&q->out);
    if (q->proj) wproject_close(q->proj);
    if (q->sink) q->sink_ops->close(q->sink);
    /* the source's last segment done, retention catches up with it */
    if (q->src && q->ckpt && q->wal && wsrc_log_wait(q->src) == WEIR_OK && wckpt_last_committed(q->ckpt) >= 0)
        mark_purge(q, wckpt_last_committed(q->ckpt));
    wsrc_close(q->src);
    logger_wait(q);
    wworker_close(q->logger);
    wbuf_fini(&q->log_line);
    wworker_close(q->wal);
    wworker_close(q->aheader); /* before the checkpoint's close removes what it made and was not used */
    if (q->ckpt && q->wal) remove_purged(q, 0); /* what the worker had no time for, and its reserve */
    wckpt_close(q->ckpt);
    wfpool_free(q->pool);
    wopts_fini(&q->sink_opts);
    if (q->ckpt_temp && q->ckpt_dir[0]) nftw(q->ckpt_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int query_loop(Query *q, WErr *err) {
    int rc = WEIR_OK;
    /* a batch planned before a crash runs first, with exactly its logged input and watermark */
    if (wckpt_last_planned(q->ckpt) > wckpt_last_committed(q->ckpt)) {
        int64_t n = wckpt_last_planned(q->ckpt);
        WOffsetsEntry e;
        wckpt_offsets_init(&e);
        rc = wckpt_read_offsets(q->ckpt, n, &e, err);
        q->watermark_ms = e.watermark_ms;
        q->batch_time_ms = e.timestamp_ms;
        int nodata = e.files.len == 0;
        const char *ff = wopts_get(&e.conf, "weir.finalFlush");
        int flush = ff && !strcmp(ff, "true");
        wckpt_offsets_fini(&e);
        Phase ph;
        phase_start(&ph);
        if (!rc) rc = run_planned(q, n, nodata, flush, &ph, err);
        if (!rc) rc = after_batch(q, err);
        if (rc) return rc;
    }
    WTriggerKind kind = q->trigger.kind;
    int bounded = kind == WTRIG_ONCE || kind == WTRIG_AVAILABLE_NOW;
    if (bounded) wsrc_freeze(q->src);
    int64_t next_trigger_us = 0;
    int ran_once = 0;
    while (!rc && !stop_requested(q)) {
        rc = wsrc_discover(q->src, err);
        if (rc) break;
        int64_t t = wtime_mono_us();
        int settled = wsrc_unstable(q->src) == 0;
        int due = kind != WTRIG_PROCESSING_TIME || q->trigger.interval_ms == 0 || t >= next_trigger_us;
        if (wsrc_ready(q->src) > 0 && due && (!bounded || settled)) {
            if (kind == WTRIG_PROCESSING_TIME && q->trigger.interval_ms > 0) {
                int64_t iv = q->trigger.interval_ms * 1000;
                next_trigger_us = (t / iv + 1) * iv;
            }
            int planned = 0;
            rc = plan_and_run(q, kind == WTRIG_ONCE, &planned, err);
            /* a bounded run whose input is all taken ends with the flush batch below, which closes every
             * window: a no-data batch before it would only write part of the same output one batch early */
            int last = bounded && wsrc_unstable(q->src) == 0 && wsrc_ready(q->src) == 0;
            if (!rc && planned && !last) rc = after_batch(q, err);
            if (rc) break;
            if (kind == WTRIG_ONCE && planned) ran_once = 1;
            if (ran_once) break;
            if (planned) continue; /* else the ready files wait for older ones to settle (source_file.h) */
        }
        if (bounded && settled && wsrc_ready(q->src) == 0) break; /* everything present at start is done */
        int64_t wait_ms = wsrc_ms_to_work(q->src);
        if (wsrc_ready(q->src) > 0 && !due) {
            int64_t d = (next_trigger_us - t + 999) / 1000;
            if (wait_ms < 0 || d < wait_ms) wait_ms = d;
        }
        if (wait_ms < 0 || wait_ms > 1000) wait_ms = 1000; /* also re-checks the stop flag of other queries */
        struct pollfd fds[2];
        int nf = 0;
        if (wsrc_fd(q->src) >= 0) fds[nf++] = (struct pollfd){wsrc_fd(q->src), POLLIN, 0};
        if (q->ro->stop_fd >= 0) fds[nf++] = (struct pollfd){q->ro->stop_fd, POLLIN, 0};
        if (poll(fds, (nfds_t)nf, (int)wait_ms) < 0 && errno != EINTR)
            rc = werr_msg(err, WEIR_IO, "poll failed: %s", strerror(errno));
    }
    /* a bounded run that finished (not stopped) ends with every window written */
    if (!rc && bounded && !stop_requested(q) && q->agg && q->plan->mode != WOUT_COMPLETE && wagg_groups(q->agg) > 0)
        rc = run_nodata(q, 1, err);
    return rc;
}

/* A bounded query that reads what another bounded query of the script writes starts when that one has
 * ended, so that `weir run pipeline.sql --trigger availableNow` runs stage 2 over all of stage 1's output
 * (availableNow takes what is there when the query starts). */
static void wait_upstream(Query *q) {
    pthread_mutex_lock(q->lock);
    while (!q->upstream->ended && !*q->stop_all) {
        pthread_mutex_unlock(q->lock);
        if (stop_requested(q)) return;
        pthread_mutex_lock(q->lock);
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_nsec += 200 * 1000000L; /* re-checks the stop descriptor */
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(q->ended_cv, q->lock, &dl);
    }
    pthread_mutex_unlock(q->lock);
}

static void *query_thread(void *arg) {
    Query *q = arg;
    werr_init(&q->err);
    if (q->upstream) wait_upstream(q);
    q->rc = query_open(q, &q->err);
    if (!q->rc) q->rc = query_loop(q, &q->err);
    if (!q->rc) q->rc = sink_durable(q, &q->err);
    if (q->rc) {
        pthread_mutex_lock(q->lock);
        *q->stop_all = 1;
        pthread_mutex_unlock(q->lock);
    }
    if (q->ro->progress == WPROGRESS_LIVE) {
        FILE *out = q->ro->progress_out ? q->ro->progress_out : stdout;
        pthread_mutex_lock(q->lock);
        fputc('\n', out);
        pthread_mutex_unlock(q->lock);
    }
    query_close(q);
    pthread_mutex_lock(q->lock);
    q->ended = 1;
    pthread_cond_broadcast(q->ended_cv);
    pthread_mutex_unlock(q->lock);
    return NULL;
}

static int is_bounded(const Query *q) { return q->trigger.kind == WTRIG_ONCE || q->trigger.kind == WTRIG_AVAILABLE_NOW; }

int wdriver_run(const WScript *s, const WRunOptions *ro, WErr *err) {
    if (s->n_queries == 0) return werr_msg(err, WEIR_MISUSE, "the script starts no query (INSERT INTO ... SELECT ... "
                                           "FROM STREAM(...), or SELECT ... FROM STREAM(...))");
    Query *qs = calloc((size_t)s->n_queries, sizeof *qs);
    if (!qs) return werr_msg(err, WEIR_NOMEM, "out of memory");
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t ended_cv = PTHREAD_COND_INITIALIZER;
    int stop_all = 0, rc = WEIR_OK;
    for (int i = 0; i < s->n_queries && !rc; i++) {
        Query *q = &qs[i];
        q->script = s;
        q->plan = &s->queries[i];
        q->ro = ro;
        q->lock = &lock;
        q->ended_cv = &ended_cv;
        q->stop_all = &stop_all;
        if (ro->checkpoint_dir) snprintf(q->ckpt_dir, sizeof q->ckpt_dir, "%s", ro->checkpoint_dir);
        else rc = wdriver_checkpoint_dir(s, q->plan, q->ckpt_dir, sizeof q->ckpt_dir, &q->ckpt_temp, err);
        if (!rc) rc = wopts_get_int((WOpts *)&s->settings, "spark.sql.streaming.minBatchesToRetain",
                                    WCKPT_MIN_BATCHES_TO_RETAIN, &q->retain, err);
        if (!rc && q->retain < 1)
            rc = werr_msg(err, WEIR_MISUSE, "spark.sql.streaming.minBatchesToRetain must be at least 1");
        if (!rc && ro->trigger) q->trigger = *ro->trigger;
        else if (!rc) {
            const char *tv = q->plan->sink ? wopts_get((WOpts *)&q->plan->sink->opts, "trigger") : NULL;
            q->trigger.kind = WTRIG_PROCESSING_TIME;
            q->trigger.interval_ms = 0;
            if (tv) rc = wtrigger_parse(tv, &q->trigger, err);
        }
        for (int j = 0; j < i && !rc; j++)
            if (!q->ckpt_temp && !strcmp(qs[j].ckpt_dir, q->ckpt_dir))
                rc = werr_msg(err, WEIR_MISUSE, "queries '%s' and '%s' would share the checkpoint '%s': each query "
                              "needs its own", qs[j].plan->name, q->plan->name, q->ckpt_dir);
    }
    if (rc) {
        free(qs);
        return rc;
    }
    /* bounded stages of a pipeline run one after the other (wait_upstream); never in a cycle */
    for (int j = 0; j < s->n_queries; j++)
        for (int i = 0; i < s->n_queries && is_bounded(&qs[j]); i++)
            if (i != j && is_bounded(&qs[i]) && qs[i].plan->sink && qs[i].plan->sink == qs[j].plan->source)
                qs[j].upstream = &qs[i];
    for (int j = 0; j < s->n_queries; j++) {
        const Query *u = qs[j].upstream;
        int steps = 0;
        while (u && u != &qs[j] && steps++ <= s->n_queries) u = u->upstream;
        if (u) qs[j].upstream = NULL; /* the chain comes back to j: a cycle */
    }
    pthread_t *th = calloc((size_t)s->n_queries, sizeof *th);
    int started = 0;
    if (!th) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    if (!rc && s->n_queries == 1) query_thread(&qs[0]);
    else
        for (int i = 0; i < s->n_queries && !rc; i++) {
            if (pthread_create(&th[i], NULL, query_thread, &qs[i]) != 0) {
                rc = werr_msg(err, WEIR_IO, "cannot start a thread for query %s", qs[i].plan->name);
                stop_all = 1;
                break;
            }
            started++;
        }
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < s->n_queries && !rc; i++) {
        if (qs[i].rc) {
            rc = qs[i].rc;
            werr_msg(err, rc, "query %s: %s", qs[i].plan->name, qs[i].err.msg);
        }
    }
    free(th);
    free(qs);
    return rc;
}
