/*
 * sink.h - the interface every streaming sink implements (file sinks for csv / json / parquet, the console
 * sink, later exec and callback sinks), and the one table they are registered in.
 *
 * The driver calls, for each micro-batch N:
 *     begin(N)            -> *skip = 1 when the sink already committed N (a re-run after a crash that came
 *                            between the sink's commit and the driver's commits/N): the driver then does
 *                            not call write for N and goes straight to its own commit.
 *     write(N, rows)      -> zero or more times, with successive chunks of the batch's output rows
 *     prepare(N)          -> optional: output of N made durable, not yet visible to readers (see below)
 *     commit(N, &stats)   -> all output of N durable and visible (file sinks: files renamed into place,
 *                            then the manifest entry for N written atomically; its own durability may
 *                            follow, see sync below); idempotent
 * or abort(N) when the batch failed: output of N not committed is removed. After a crash, the next
 * begin(N) of the same N must clear whatever an interrupted attempt left (output names derive from N).
 * Exactly once = the driver re-runs an uncommitted batch with the same input + the sink's idempotence.
 */
#ifndef WEIR_STREAM_SINK_H
#define WEIR_STREAM_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/opts.h"
#include "core/schema.h"
#include "core/vec.h"

typedef struct WSinkConfig {
    const char *format;          /* "csv", "json", "parquet", "console", ... */
    WOpts *opts;                 /* the table's OPTIONS (path, header, compression, partitionBy, ...);
                                    getters mark what they read */
    const WType *schema;         /* the rows' schema (the query's output) */
    const char *query_name;
    const char *checkpoint_dir;  /* may be NULL for the console sink */
    const char *time_zone;       /* session time zone, for writing zone-less text */
    void *user;                  /* WRunOptions.sink_user: what a callback sink calls back into; else NULL */
    struct WFilePool *pool;      /* spare files for the sink's folders (core/filepool.h), or NULL */
} WSinkConfig;

typedef struct WSinkStats {
    int64_t rows;                /* rows committed in this batch */
    int64_t files;               /* files committed in this batch */
    int64_t bytes;               /* bytes of those files */
} WSinkStats;

typedef struct WSink WSink;      /* opaque, defined by each implementation; callers keep the ops that opened it */

typedef struct WSinkOps {
    const char *format;
    int (*open)(const WSinkConfig *cfg, WSink **out, WErr *err);
    int (*begin)(WSink *s, int64_t batch_id, int *skip, WErr *err);
    int (*write)(WSink *s, int64_t batch_id, const WBatch *rows, WErr *err);
    int (*commit)(WSink *s, int64_t batch_id, WSinkStats *stats, WErr *err);
    void (*abort)(WSink *s, int64_t batch_id);
    void (*close)(WSink *s);
    /* Optional (NULL: the driver waits for offsets/N before begin). prepare(N) after the last write:
     * output of N durable but not yet committed: nothing a reader trusts (the manifest) shows it yet, so
     * write and prepare may run before offsets/N is durable, and the driver overlaps the two. */
    int (*prepare)(WSink *s, int64_t batch_id, WErr *err);
    /* Optional, all four or none (NULL: commit returns with all of N durable). A sink with them may return
     * from commit(N) with N visible to readers and its data durable, but its record of N (the file sinks'
     * manifest entry) not yet durable; sync waits until it is. So that a crash of the machine cannot lose
     * that record for good, the driver saves record(N) (its text) in offsets/N+1, and calls sync before
     * anything that would make N unrepeatable (cleanSource) and at the end. At start, last_batch (the last
     * batch the sink holds, -1: none) tells the driver that the record of its last committed batch N was
     * lost: then restore(N, text saved in offsets/N+1) writes it back, or, when N + 1 was not planned, N
     * runs again from offsets/N. record gives 0 and the text of batch N only while N is the last batch
     * the sink holds (from its commit, or from its open when N's record is not in a compacted file). */
    int (*sync)(WSink *s, WErr *err);
    int64_t (*last_batch)(const WSink *s);
    int (*record)(const WSink *s, int64_t batch_id, const char **text, size_t *len);
    int (*restore)(WSink *s, int64_t batch_id, const char *text, size_t len, WErr *err);
} WSinkOps;

/* The registered sink for a format name (case-insensitive), or NULL. */
const WSinkOps *wsink_lookup(const char *format);

#endif
