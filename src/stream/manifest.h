/*
 * manifest.h - the `_weir_metadata/` log of a file sink (Spark's `_spark_metadata`): which files each
 * committed batch wrote. A file in the sink folder that the manifest does not list is not committed (an
 * interrupted attempt), so readers that trust the manifest (a downstream weir source, `weir inspect`)
 * never see partial output.
 *
 * Layout, in <sink>/_weir_metadata/:
 *   N             batch N's entries
 *   A-B.compact   every entry of batches A..B: every `compactInterval` batches the entries since the last
 *                 segment become one, merged with the newest segments by segments.h's size-tiered rule,
 *                 and the files it replaces are removed. So the folder holds O(log batches) segments, a
 *                 compaction costs the same after a million batches as after ten, and a reader that has
 *                 read up to batch K reads only what holds later batches (wmanifest_read_since).
 *   N.compact     (an older weir's, as Spark's: batches 0..N) read as 0-N.compact, and merged away.
 * Each file: the line "v1", then one JSON object per committed file:
 *   {"path":"part-00007-0000.csv","size":1234,"rows":10,"batch":7,"modificationTime":1796000000000}
 * (path relative to the sink folder; modificationTime, ms since the epoch, when its batch committed: Spark's
 * SinkFileStatus field, and what the sink option `retention` counts from; an older weir's entries lack it). An empty batch has an entry file with no objects. Every file is
 * written with core/fs's temp + fsync + rename + fsync-folder, so a batch's entry is there whole or not.
 * The file sink overlaps the folder fsyncs of an entry and of the files it lists (wmanifest_stage), and
 * checks the last entry against its files when it opens (wmanifest_verify_last).
 */
#ifndef WEIR_STREAM_MANIFEST_H
#define WEIR_STREAM_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct WManifestFile {
    char *path;      /* relative to the sink folder */
    int64_t size;    /* bytes */
    int64_t rows;
    int64_t batch;
} WManifestFile;

typedef struct WManifest {
    WManifestFile *files;
    int64_t n, cap;
    int64_t last_batch;  /* highest committed batch, -1 when none */
    int64_t bytes_read;  /* bytes of manifest files the reads into it read (what a read costs) */
} WManifest;

void wmanifest_init(WManifest *m);
void wmanifest_fini(WManifest *m);
/* Reads every committed file of the sink folder `dir` (its `_weir_metadata/`). A folder without a
 * manifest gives an empty list and last_batch -1. A damaged entry file is WEIR_CORRUPT naming it. */
int wmanifest_read(const char *dir, WManifest *m, WErr *err);
/* As wmanifest_read, for a reader that already has every file of batches <= after: appends only the files
 * of later batches, reading only the segments and entries that hold them; m->last_batch is still the
 * manifest's last committed batch. after -1 reads everything. */
int wmanifest_read_since(const char *dir, int64_t after, WManifest *m, WErr *err);
/* Only the manifest's last committed batch (m->last_batch) and, when an entry file holds it (not a
 * segment), that batch's files: what a sink's open needs (wmanifest_verify_last), whatever the history. */
int wmanifest_read_last(const char *dir, WManifest *m, WErr *err);
/* Parses the text of one entry file (named `path` in messages), appending its entries to m. */
int wmanifest_parse(const char *path, const char *text, size_t len, WManifest *m, WErr *err);
/* 1 when `dir` holds a weir sink manifest (so a reader of the folder should trust it). */
int wmanifest_exists(const char *dir);
/* Records batch `batch` with its files (n may be 0) in the entry file `batch`; when compact_interval > 0
 * and (batch + 1) % compact_interval == 0, then compacts up to batch (wmanifest_compact). The entry file
 * is written through a spare of pool when it has one (core/filepool.h; pool may be NULL). */
struct WFilePool;
int wmanifest_commit(const char *dir, int64_t batch, const WManifestFile *files, int64_t n, int compact_interval,
                     struct WFilePool *pool, WErr *err);
/* wmanifest_commit's entry file in steps, for a sink that overlaps its fsyncs (sink_file.c): stage writes
 * the entry (its text: wmanifest_entry_text) under a temporary name, stage_sync fsyncs it (the files it
 * lists need not be durable yet); publish renames it into place, which commits the batch for readers; the
 * entry is durable once the caller has fsynced the folder wmanifest_stage_dir names. abort removes a
 * staged entry that was not published. */
#include "core/fs.h"
typedef struct WManifestStage {
    WFileOut out;
    char meta[4096];     /* <sink>/_weir_metadata */
    int staged;
} WManifestStage;
int wmanifest_stage(const char *dir, int64_t batch, const WBuf *text, struct WFilePool *pool, WManifestStage *st,
                    WErr *err);
/* Separate from stage so that a caller can write everything of a batch before its fsyncs begin (a journaling
 * file system then commits them together). On failure the entry is gone. */
int wmanifest_stage_sync(WManifestStage *st, WErr *err);
int wmanifest_publish(WManifestStage *st, WErr *err);
void wmanifest_stage_abort(WManifestStage *st);
/* Entries made ahead, so that a batch's commit fills an existing entry with one write (readers see it at
 * once: that is the commit) and fdatasyncs it, instead of writing a temporary entry, fsyncing it, renaming
 * it and fsyncing the folder: one fsync less per batch. make_ahead creates the entry files of batches
 * from..to empty and fsyncs the folder once for all. Readers skip empty entries, and a last entry cut
 * short (no final newline, or NUL bytes: being written, or cut by a crash): not committed (yet).
 * drop_ahead removes both kinds above `last` (the sink's last committed batch), for its open and close. */
typedef struct WManifestFill {
    int fd;              /* the filled entry, open until fill_sync; -1 */
    char path[4400];
} WManifestFill;
int wmanifest_make_ahead(const char *dir, int64_t from, int64_t to, WErr *err);
int wmanifest_fill(const char *dir, int64_t batch, const WBuf *text, WManifestFill *f, WErr *err);
int wmanifest_fill_sync(WManifestFill *f, WErr *err);
int wmanifest_drop_ahead(const char *dir, int64_t last, WErr *err);
/* The entry file of `batch`, if the sink's last batch came from one (not from a compaction), is checked
 * against the files it lists: each must exist with the size listed. After a crash of the machine, an entry
 * made durable before the folder entries of its files (sink_file.c overlaps those fsyncs) can list files that
 * are gone; then the entry is removed (durably) and *removed set, so the batch is written again. */
int wmanifest_verify_last(const char *dir, int64_t batch, const WManifest *m, int *removed, WErr *err);
/* Makes the entries of the batches after the last segment up to `upto` (all committed) a segment, merged
 * with the newest segments (segments.h), and removes the files it replaces. It reads only those files.
 * The sink runs it in the background after batch upto's own entry is committed (sink_file.c). Readers see
 * the old files or the new one, never neither. retention_ms > 0 (the sink option `retention`, Spark's time
 * to live of output files): entries committed more than that long ago leave the manifest as the segments
 * holding them are written or merged, so readers that trust it no longer see those files. */
int wmanifest_compact(const char *dir, int64_t upto, int64_t retention_ms, WErr *err);
/* retention's rule for one line of an entry file or segment (no newline): 1 to keep it, 0 when its
 * modificationTime is before keep_from_ms. A line without one (an older weir's) is kept. */
int wmanifest_entry_retained(const char *line, size_t len, int64_t keep_from_ms);
/* The text of batch's entry file listing files (what wmanifest_fill writes), into out (reset first). */
int wmanifest_entry_text(const WManifestFile *files, int64_t n, WBuf *out, WErr *err);
/* Writes the entry file of `batch` with `text` (an entry text saved elsewhere, wmanifest_entry_text),
 * durably, after checking that it lists only files of that batch and that each exists with its size:
 * for a sink whose entry a crash of the machine lost after the text was saved (sink.h: record).
 * WEIR_CORRUPT when the text or the files do not match. */
int wmanifest_restore(const char *dir, int64_t batch, const char *text, size_t len, WErr *err);
/* Appends a copy of f to m. */
int wmanifest_add(WManifest *m, const WManifestFile *f);

#endif
