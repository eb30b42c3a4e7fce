/*
 * source_file.h - the streaming file source: a folder whose new files become micro-batches, each file
 * taken once, ever, across restarts (Spark's FileStreamSource, without its relisting).
 *
 * Discovery: inotify (IN_CLOSE_WRITE, IN_MOVED_TO) reports finished files as they land; a periodic rescan
 * (option rescanInterval, default 10 seconds, done in small steps so it never stalls a batch) is the
 * backstop for missed events and network file systems. Names starting with '.' or '_' are ignored, as in
 * Spark. A file found by a listing rather than an event is taken once its modification time is
 * fileStableMs (default 1000) old, so a file still being written in place is not read half-done.
 * The set of taken names is a hash set loaded from the source log, so planning a batch costs in
 * proportion to the new files, never to the files already taken.
 *
 * The source log (<checkpoint>/sources/0/): "N" lists the files of batch N, one JSON line each
 *   {"path":"<name relative to the folder>","size":<bytes taken>,"timestamp":<mtime ms>,"batchId":N}
 * (plus "start" for the continuation of a growing JSON Lines / CSV file); every 10th batch "N.compact"
 * holds every entry so far and older log files are removed, so the folder holds at most ~11 files.
 * A batch reads exactly the byte ranges its log entry names, so a re-run reads the same input.
 *
 * Options (Spark's names): maxFilesPerTrigger, maxBytesPerTrigger, latestFirst, maxFileAge (default
 * 7 days: files older than the newest file seen minus this are ignored), pathGlobFilter (fnmatch on the
 * file name), recursiveFileLookup, cleanSource (off | archive | delete) with sourceArchiveDir,
 * badRecordsPath (every malformed record, and every file that cannot be read, as a JSON Lines entry),
 * plus the decoder's options (formats/json.h, formats/csv.h).
 */
#ifndef WEIR_STREAM_SOURCE_FILE_H
#define WEIR_STREAM_SOURCE_FILE_H

#include <stdint.h>

#include "core/err.h"
#include "core/opts.h"
#include "core/schema.h"
#include "core/vec.h"

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
    const char *log_dir;    /* <checkpoint>/sources/0 */
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

/* Opens the source: reads options, loads the log up to last_planned (orphans beyond it, left by a crash
 * between the source log and the offsets entry, are removed), starts watching and lists the folder once.
 * Caller owns the result; close with wsrc_close. */
int wsrc_open(const WFileSourceConfig *cfg, int64_t last_planned, WFileSource **out, WErr *err);
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

/* Chooses the files of batch N (honoring the per-trigger limits unless no_limits) and logs them durably
 * in sources/0/N. *n_files = 0 means nothing was ready and nothing was logged. */
int wsrc_plan(WFileSource *s, int64_t batch_id, int no_limits, int *n_files, WErr *err);
/* The files of batch N (only the last planned batch is kept at hand). Borrowed until the next plan. */
int wsrc_batch_files(WFileSource *s, int64_t batch_id, const WSrcFile **files, int *n, WErr *err);
/* Reads and decodes the files of batch N, calling fn with chunks of rows; malformed records and unreadable
 * files go to badRecordsPath/bad-<query>-<N>.jsonl (written durably before returning). */
int wsrc_read_batch(WFileSource *s, int64_t batch_id, WSrcRowsFn fn, void *user, WSrcBatchStats *st, WErr *err);
/* After commit N: cleanSource for N's files; removes log files a compaction made redundant. */
int wsrc_after_commit(WFileSource *s, int64_t batch_id, WErr *err);

/* Totals since open, for tests and progress: files opened for reading, taken names known. */
int64_t wsrc_files_opened(const WFileSource *s);
int64_t wsrc_files_known(const WFileSource *s);
/* "FileStreamSource[<path>]" */
const char *wsrc_description(const WFileSource *s);

/* Reads the whole source log of a checkpoint (compact + deltas up to last_planned) and calls fn for each
 * entry, for `weir inspect`. */
typedef int (*WSrcLogFn)(void *user, const WSrcFile *f);
int wsrc_log_read(const char *log_dir, int64_t last_planned, WSrcLogFn fn, void *user, WErr *err);

#endif
