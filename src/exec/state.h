/*
 * state.h - the state store of one stateful operator: versioned key/value records in a folder.
 *
 * Layout (checkpoint `state/<op>/`): `<N>.delta` holds what batch N changed (put records for new or
 * changed groups, remove records for dropped ones); `<N>.snapshot` holds the whole state after batch N
 * and is written, besides the delta, every `snapshot_every` batches (default 10). Restoring version N
 * loads the newest snapshot <= N, then applies the deltas after it up to N, in order.
 *
 * File format (little-endian):
 *   "WEIRSTAT" | u32 format (1) | u32 kind (0 delta, 1 snapshot) | i64 batch id | u32 meta length | meta
 *   | u64 record count | records: u8 op (1 put, 2 remove) u32 length bytes | u32 CRC-32 of all before it
 * The operator owns what a record and the meta mean; the store only moves bytes. Every file is
 * written to a temporary name, fsynced, renamed into place, and the folder fsynced, so a crash leaves
 * either the old or the new file (core/fs does this). A file that fails its checksum or its structure
 * is a WEIR_CORRUPT error naming the file and the byte offset. After each snapshot, files no longer
 * needed to restore any of the last `min_batches_to_retain` versions are removed.
 */
#ifndef WEIR_EXEC_STATE_H
#define WEIR_EXEC_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define WSTATE_PUT 1
#define WSTATE_REMOVE 2

typedef struct WStateOpts {
    int snapshot_every;        /* default 10 */
    int min_batches_to_retain; /* default 100, Spark's spark.sql.streaming.minBatchesToRetain */
} WStateOpts;

typedef struct WStateStore WStateStore;

/* Creates the folder (and its parents) when missing. opts may be NULL for the defaults. */
int wstate_open(const char *dir, const WStateOpts *opts, WStateStore **out, WErr *err);
void wstate_close(WStateStore *st);
const char *wstate_dir(const WStateStore *st);

/* Writing version `batch_id`: begin, add records, commit. commit writes the delta and, when
 * wstate_snapshot_due, the caller has passed the whole state through wstate_begin_snapshot. */
int wstate_snapshot_due(const WStateStore *st, int64_t batch_id);
void wstate_begin(WStateStore *st, int64_t batch_id);
int wstate_put(WStateStore *st, const void *rec, size_t n);
int wstate_remove(WStateStore *st, const void *key, size_t n);
/* Writes `<batch_id>.delta` with the records added since wstate_begin and the meta bytes. */
int wstate_commit(WStateStore *st, const void *meta, size_t meta_len, WErr *err);
/* Snapshot: begin_snapshot, wstate_put every record, commit_snapshot (writes `<batch_id>.snapshot`
 * and then removes files older than needed). */
void wstate_begin_snapshot(WStateStore *st, int64_t batch_id);
int wstate_commit_snapshot(WStateStore *st, const void *meta, size_t meta_len, WErr *err);

/* Restore: calls visit for every record of the newest snapshot <= batch_id and the deltas after it,
 * in order; meta_out receives the meta of version batch_id. After a successful restore, files of
 * versions > batch_id are removed (they belong to a batch that never committed); a failed restore
 * removes nothing. batch_id -1 is the empty state. */
typedef int (*WStateVisit)(void *ctx, int op, const uint8_t *rec, size_t n, WErr *err);
int wstate_restore(WStateStore *st, int64_t batch_id, WBuf *meta_out, WStateVisit visit, void *ctx,
                   WErr *err);
/* Bytes written to state files since the store was opened (progress figures). */
uint64_t wstate_bytes_written(const WStateStore *st);
/* The newest version with a delta or snapshot file, or -1. */
int64_t wstate_latest(WStateStore *st, WErr *err);

/* Parses one state file held in memory (used by restore and by the fuzz target). */
int wstate_parse(const uint8_t *data, size_t n, const char *path, int expect_kind, int64_t expect_batch,
                 WBuf *meta_out, WStateVisit visit, void *ctx, WErr *err);
/* Encodes a file image (header, records already encoded in body, trailer) into out. */
int wstate_encode(int kind, int64_t batch_id, const void *meta, size_t meta_len, const void *body,
                  size_t body_len, uint64_t n_records, WBuf *out);

#endif
