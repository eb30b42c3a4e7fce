/*
 * ckpt.h - a streaming query's checkpoint folder, laid out like Spark's so a Spark user can read it:
 *
 *   <dir>/metadata         {"id":"<query id>"}: the query's identity across restarts
 *   <dir>/offsets/N        the plan of batch N, written BEFORE any output of N:
 *                            v1
 *                            {"batchWatermarkMs":W,"batchTimestampMs":T,"conf":{...}}
 *                            {"logOffset":N}            (source 0's offset, as Spark's file source)
 *                            {"path":...,"size":...}    one line per file (byte range) the batch reads,
 *                            ...                        so the plan alone says exactly what N's input is
 *   <dir>/commits/N        written AFTER all output of N is durable:  v1 / {"nextBatchWatermarkMs":W}
 *   (each entry then ends with a seal line {"batchId":N,"crc32":"..."} and spaces up to a multiple of 4 KB:
 *   ckpt.c, sealed entries)
 *   <dir>/sources/0/       the file source's compacted log of every file it ever took (source_file.h)
 *   <dir>/progress/        one JSON object per batch (Spark's StreamingQueryProgress), in segments
 *
 * Every file is written through core/fs (temp name, fsync, rename, fsync of the folder), but for offsets/N
 * and commits/N when wckpt_prepare_next made them ahead of time: they then exist before the batch is
 * planned (offsets/N's name durable), empty or reused from an entry retention gave up, and each is filled
 * with one write (offsets/N then fdatasynced); an entry that does not hold batch N's whole text with N's
 * seal counts as absent (ckpt.c). Entries older than minBatchesToRetain (100) batches behind the last
 * commit are removed (or reused for the next ones), so the folder does not grow with the number of
 * batches. A damaged entry (wrong version line, unparsable JSON, missing field) is a
 * WEIR_CORRUPT error naming the file, the line and what to do.
 */
#ifndef WEIR_STREAM_CKPT_H
#define WEIR_STREAM_CKPT_H

#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/opts.h"

#define WCKPT_MIN_BATCHES_TO_RETAIN 100

typedef struct WCkpt WCkpt;

typedef struct WOffsetsEntry {
    int64_t batch_id;
    int64_t watermark_ms;    /* batchWatermarkMs: the event-time watermark the batch runs with */
    int64_t timestamp_ms;    /* batchTimestampMs: wall clock when the batch was planned */
    int64_t log_offset;      /* source 0's log entry (the batch's files), -1 when none */
    WOpts conf;              /* settings the batch must re-run with (session time zone, ...) */
    WBuf files;              /* the source's lines (one JSON object + '\n' each): the batch's input */
} WOffsetsEntry;

/* Opens (creating when absent) the checkpoint at dir: creates the folders and `metadata` with a new
 * query id, takes the checkpoint's lock (WEIR_MISUSE when another process or handle holds it), removes
 * temp files a crash left, and finds the last planned and the last committed batch. A new checkpoint is
 * made durable (fsyncs of metadata and folders) by the first wckpt_put_offsets, or by wckpt_close.
 * Caller owns the result; close with wckpt_close. */
int wckpt_open(const char *dir, WCkpt **out, WErr *err);
/* Entries are then written through spare files of the pool (core/filepool.h); it must outlive c. */
struct WFilePool;
void wckpt_set_pool(WCkpt *c, struct WFilePool *pool);
void wckpt_close(WCkpt *c);

/* Opens an existing checkpoint read-only (no folder or file is created); WEIR_IO when it is not one. */
int wckpt_open_readonly(const char *dir, WCkpt **out, WErr *err);

const char *wckpt_dir(const WCkpt *c);        /* borrowed */
const char *wckpt_id(const WCkpt *c);         /* the query id from `metadata`; borrowed */
const char *wckpt_sources_dir(const WCkpt *c);/* <dir>/sources/0; borrowed */
int64_t wckpt_last_planned(const WCkpt *c);   /* highest N with offsets/N, -1 when none */
int64_t wckpt_last_committed(const WCkpt *c); /* highest committed N (see ckpt.c), -1 when none */
int64_t wckpt_oldest_retained(const WCkpt *c);/* lowest N with offsets/N, -1 when none */

void wckpt_offsets_init(WOffsetsEntry *e);
void wckpt_offsets_fini(WOffsetsEntry *e);
/* Writes offsets/N durably (N = e->batch_id, must be last_planned + 1): wckpt_put_offsets then
 * wckpt_sync_offsets. */
int wckpt_write_offsets(WCkpt *c, const WOffsetsEntry *e, WErr *err);
/* The two steps, so that the fsync can wait until the batch's output is written too (a journaling file
 * system then commits them at once). put writes offsets/N: into the entry made ahead when there is one,
 * without syncing it (sync does, and only then is N planned: last_planned); else durably at once (sync
 * then has nothing to do). Both on the thread that writes the offsets. */
int wckpt_put_offsets(WCkpt *c, const WOffsetsEntry *e, WErr *err);
int wckpt_sync_offsets(WCkpt *c, WErr *err);
/* Creates offsets/K and commits/K for the WCKPT_AHEAD batches from `next` ahead of time, empty, and fsyncs
 * the offsets folder once for all of them, so that writing them is one write into an existing file: no
 * creation (0.05 to 1 ms here), no rename, and for offsets/N one fdatasync instead of a file's and a
 * folder's fsync in series, on the batch's path. Does nothing while more than half of them are left. Safe
 * on another thread than the one writing offsets (the driver runs it on a worker of its own, so that it
 * never delays a batch), provided `next` is above any batch that thread may be writing; an entry written
 * the usual way meanwhile is left as it is. An error only means the next entries are written the usual
 * way. When `retired` is not NULL, the entries *retired .. retired_to, which retention gave up
 * (wckpt_purge_mark) but did not remove, are reused for them, oldest first: renamed rather than created,
 * and later filled in place, so that a batch neither creates nor removes a checkpoint file nor allocates
 * its blocks (ckpt.c, sealed entries); one that cannot be reused (an older weir's) is removed.
 * *retired ends past the last one used or removed. wckpt_prepare_next: the same from the batch after the
 * last planned (or written) one, without reuse. */
#define WCKPT_AHEAD 8
int wckpt_make_ahead(WCkpt *c, int64_t next, int64_t *retired, int64_t retired_to, WErr *err);
/* 1 when wckpt_make_ahead(c, next) would make entries (half of them or more are used), so that a caller
 * can leave its worker asleep otherwise. */
int wckpt_ahead_wanted(const WCkpt *c, int64_t next);
int wckpt_prepare_next(WCkpt *c, WErr *err);
/* Reads offsets/N into e (initialized by the caller). WEIR_CORRUPT when damaged or absent. */
int wckpt_read_offsets(WCkpt *c, int64_t batch_id, WOffsetsEntry *e, WErr *err);
/* Writes commits/N atomically but without fsync (N must be the last planned batch): once the sink has
 * committed N, losing commits/N in a machine crash only makes the restart run N again, which the sink
 * skips (sink.h), so its two fsyncs are kept off every batch's latency. What the open makes of a lost or
 * empty commit entry: see ckpt.c. wckpt_sync_commit makes the last one durable (before an action that
 * cannot be repeated, such as cleanSource moving input files; and at close). */
int wckpt_write_commit(WCkpt *c, int64_t batch_id, int64_t next_watermark_ms, WErr *err);
int wckpt_sync_commit(WCkpt *c, WErr *err);
/* Takes back the commit of the last batch, which is also the last planned one: its commit entry is
 * removed, so the batch counts as planned and runs again from offsets/N. For a sink whose record of that
 * batch a crash of the machine lost (sink.h: sync); only on a checkpoint just opened, before the source and
 * state read it. */
int wckpt_reopen_last(WCkpt *c, WErr *err);
/* Reads commits/N's nextBatchWatermarkMs; for a batch below the last planned one whose commit entry was
 * lost, offsets/N+1's batchWatermarkMs (the same value). WEIR_CORRUPT when damaged or absent. */
int wckpt_read_commit(WCkpt *c, int64_t batch_id, int64_t *next_watermark_ms, WErr *err);
/* Removes offsets/K and commits/K for K < committed - retain (Spark's purge threshold). Removal is not
 * made durable: an entry that comes back after a crash is removed again at the next open. */
int wckpt_purge(WCkpt *c, int64_t committed, int64_t retain, WErr *err);
/* wckpt_purge in two steps, so that the removals can run off the batch's path (a background worker of
 * the driver does them): wckpt_purge_mark moves the retained range past what wckpt_purge would remove and
 * returns the highest K to remove (-1: nothing), setting *from to the lowest; wckpt_remove_entries then
 * removes offsets/K and commits/K for from <= K <= to, reading nothing of c that changes (any thread). */
int64_t wckpt_purge_mark(WCkpt *c, int64_t committed, int64_t retain, int64_t *from);
void wckpt_remove_entries(const WCkpt *c, int64_t from, int64_t to);
/* Appends one progress object (one line) to the progress log; kept to the last few hundred batches.
 * Progress is a report, not state: it is not fsynced, and a torn last line is skipped by readers. */
int wckpt_append_progress(WCkpt *c, int64_t batch_id, const char *json, size_t len, WErr *err);
/* Appends the retained progress lines (oldest first) to out. */
int wckpt_read_progress(WCkpt *c, WBuf *out, WErr *err);

/* A random (version 4) UUID in text form, for query and run ids. */
void wckpt_new_uuid(char out[37]);

/* Reads a log file "v1\n<json lines>" into out (lines after the version line, '\n' separated);
 * WEIR_CORRUPT naming the file when the version line is missing or unknown. missing may be NULL. */
int wckpt_read_log_file(const char *path, WBuf *out, int *missing, WErr *err);

#endif
