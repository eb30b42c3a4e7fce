/*
 * source_file.h - the streaming file source: a folder whose new files become micro-batches, each file
 * taken once across restarts (Spark's FileStreamSource, without its relisting).
 *
 * Discovery: inotify (IN_CLOSE_WRITE, IN_MOVED_TO) reports finished files as they land; a periodic rescan
 * (option rescanInterval, default 10 seconds, done in small steps so it never stalls a batch) is the
 * backstop for missed events and network file systems. Names starting with '.' or '_' are ignored, as in
 * Spark. A file found by a listing rather than an event is taken once its modification time is
 * fileStableMs (default 1000) old, so a file still being written in place is not read half-done. Files
 * are taken in the order they were written (modification time, then name; latestFirst reverses it): a
 * ready file waits while an older one is still settling (for at most 3 x fileStableMs), so that after a
 * restart, when the files listed at start settle while new ones arrive by inotify, rows still reach the
 * query in the order they were written and a crash does not change which rows are late.
 * The set of taken names is a hash set loaded from the source log, so planning a batch costs in
 * proportion to the new files, never to the files already taken. It does not grow with every file ever
 * taken: as Spark purges its seen files, a name is forgotten once its file is older than the newest file
 * minus maxFileAge (a file that old is ignored if listed again, so forgetting takes nothing twice) and a
 * whole rescan no longer saw it, and the log's merges drop its entries by age alone; an ignored name is
 * forgotten once a whole rescan did not see it. When the folder is another weir query's sink (it has a `_weir_metadata/` manifest, stream/manifest.h), only the files the manifest lists are
 * taken, so a file of an uncommitted or interrupted batch is never read; the manifest is re-read when it
 * changes (inotify on `_weir_metadata/`) and at each rescan.
 *
 * The log of taken files: the plan of batch N (offsets/N, written by the driver) lists its files, one JSON
 * line each
 *   {"path":"<name relative to the folder>","size":<bytes taken>,"timestamp":<mtime ms>,"batchId":N}
 * (plus "start" for the continuation of a growing JSON Lines / CSV file). Every 10 committed batches their
 * entries go into a compacted segment <checkpoint>/sources/0/<first>-<last>.compact, merged with the newest
 * segments by size (stream/segments.h), so the folder holds O(log files) segments. A merge drops the
 * entries of files past maxFileAge, and a segment written so starts with {"forgetBefore":T}: files older
 * than T (mtime, ms) may have left the log, so a restart ignores them even under a longer maxFileAge. A batch reads exactly the byte ranges its plan names, so a re-run reads the
 * same input.
 *
 * Options (Spark's names): maxFilesPerTrigger, maxBytesPerTrigger, latestFirst, maxFileAge (default
 * 7 days: files older than the newest file seen minus this are ignored, and taken ones forgotten), pathGlobFilter (fnmatch on the
 * file name), recursiveFileLookup, cleanSource (off | archive | delete) with sourceArchiveDir,
 * badRecordsPath (every malformed record, and every file that cannot be read, as a JSON Lines entry),
 * plus the decoder's options (formats/json.h, formats/csv.h). Formats json, csv and parquet; a Parquet
 * file is read whole (never as a growing file), its columns matched to the table's by name (a missing
 * one is NULL), and a damaged file or one whose column types differ from the table's is dead-lettered. weir's own: rescanInterval (10 seconds),
 * fileStableMs (1000), decodeThreads (2: a batch of several files over 1 MB is decoded by two threads).
 */
#ifndef WEIR_STREAM_SOURCE_FILE_H
#define WEIR_STREAM_SOURCE_FILE_H

#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/opts.h"
#include "core/schema.h"
#include "core/vec.h"
#include "stream/ckpt.h"

typedef struct WFileSource WFileSource;

typedef struct WSrcFile {
    const char *name;  /* relative to the source folder; borrowed from the source */
    int64_t start;     /* byte range taken: [start, end) */
    int64_t end;
    int64_t mtime_ms;
    int64_t batch;     /* the batch that took it */
} WSrcFile;

typedef struct WFileSourceConfig {
    const char *path;       /* the folder */
    const char *format;     /* "json" or "csv" */
    const WOpts *opts;      /* the table's options (copied) */
    const WType *schema;    /* rows' schema (borrowed; must outlive the source) */
    const char *time_zone;  /* session time zone (decoders' default timeZone) */
    const char *query_name; /* for dead-letter file names and messages */
} WFileSourceConfig;

typedef struct WSrcBatchStats {
    int64_t files_read;     /* files (or pieces) opened and decoded */
    int64_t files_skipped;  /* missing, unreadable, shrunk: dead-lettered */
    int64_t bytes_read;
    int64_t rows;           /* rows handed to the callback */
    int64_t bad_records;    /* malformed records (any mode) */
} WSrcBatchStats;

/* Called with successive chunks of a batch's decoded rows; return non-zero (with err set) to stop. */
typedef int (*WSrcRowsFn)(void *user, const WBatch *rows, WErr *err);

/* Opens the source: reads options, loads the log of taken files (segments in sources/0 plus the plans in
 * offsets/ after them), starts watching and lists the folder once. The checkpoint is borrowed and must
 * outlive the source. Caller owns the result; close with wsrc_close. */
int wsrc_open(const WFileSourceConfig *cfg, WCkpt *ck, WFileSource **out, WErr *err);
void wsrc_close(WFileSource *s);

/* The inotify descriptor to poll (readable when events wait), or -1. */
int wsrc_fd(const WFileSource *s);
/* Drains events and advances a due rescan. When frozen (availableNow), only files already known at
 * freeze time can still become ready. */
int wsrc_discover(WFileSource *s, WErr *err);
/* Milliseconds until discovery has timed work (a rescan step, a file becoming stable); -1 none. */
int64_t wsrc_ms_to_work(const WFileSource *s);
/* Stops taking in files found from now on (availableNow's snapshot). */
void wsrc_freeze(WFileSource *s);
/* Files ready to be planned, and files seen but not yet stable. */
int64_t wsrc_ready(const WFileSource *s);
int64_t wsrc_unstable(const WFileSource *s);

/* Chooses the files of batch N (honoring the per-trigger limits unless no_limits) and appends their log
 * lines to `lines`, which the caller must make durable in offsets/N before reading them. *n_files = 0 means
 * nothing was ready. */
int wsrc_plan(WFileSource *s, int64_t batch_id, int no_limits, int *n_files, WBuf *lines, WErr *err);
/* The files of batch N (only the last planned batch is kept at hand). Borrowed until the next plan. */
int wsrc_batch_files(WFileSource *s, int64_t batch_id, const WSrcFile **files, int *n, WErr *err);
/* Reads and decodes the files of batch N, calling fn with chunks of rows; malformed records and unreadable
 * files go to badRecordsPath/bad-<query>-<N>.jsonl (written durably before returning). */
int wsrc_read_batch(WFileSource *s, int64_t batch_id, WSrcRowsFn fn, void *user, WSrcBatchStats *st, WErr *err);
/* After commit N: cleanSource for N's files; every 10 batches a compacted segment of the log (written in
 * the background; put off to a later commit while the previous one is still being written). */
int wsrc_after_commit(WFileSource *s, int64_t batch_id, WErr *err);
/* The last batch whose log entries are in a durable compacted segment (-1 none): the entries of later
 * batches exist only in offsets/, which retention must keep. */
int64_t wsrc_log_durable_to(WFileSource *s);
/* Waits for the segment being written, if any (its result). */
int wsrc_log_wait(WFileSource *s);
/* 1 when cleanSource (archive or delete) is on: after_commit then moves input away for good. */
int wsrc_cleans_source(const WFileSource *s);

/* Totals since open, for tests and progress: files opened for reading, names known (taken, waiting or
 * ignored), names forgotten (past maxFileAge, or ignored and gone: source_file.c). */
int64_t wsrc_files_opened(const WFileSource *s);
int64_t wsrc_files_known(const WFileSource *s);
int64_t wsrc_files_forgotten(const WFileSource *s);
/* Bytes of an upstream sink's manifest read since open: what following it has cost (it reads only the files
 * that hold batches committed since its last read). */
int64_t wsrc_manifest_bytes(const WFileSource *s);
/* "FileStreamSource[<path>]" */
const char *wsrc_description(const WFileSource *s);

/* Reads the whole log of taken files of a checkpoint (segments, then the plans after them) and calls fn
 * for each entry, for `weir inspect`. */
typedef int (*WSrcLogFn)(void *user, const WSrcFile *f);
int wsrc_log_read(WCkpt *ck, WSrcLogFn fn, void *user, WErr *err);

#endif
