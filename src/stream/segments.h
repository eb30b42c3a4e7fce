/*
 * segments.h - compacted segments of a per-batch log: the file source's log (sources/0, source_file.c)
 * and a file sink's manifest (_weir_metadata, manifest.c) keep one small file per batch, and every few
 * batches the newest of them become a segment "<first>-<last>.compact" holding batches first..last.
 *
 * Segments are size-tiered: a new segment is merged with the newest segments while the older is at most
 * twice the size of what it merges with, and the merged file is written once. So a log holds O(log n)
 * segments and each entry is rewritten O(log n) times, and compacting costs the same after a million
 * batches as after ten. (Spark rewrites every entry ever logged into each new N.compact: its cost grows
 * with the log, and with it the latency of the batches that wait for it.)
 *
 * The writer writes the merged segment (temp, fsync, rename, fsync of the folder) before it removes the
 * segments it replaces, so a crash can leave both; wseg_list then keeps the longest, and a reader that
 * lists while the writer merges sees the old segments or the new one.
 */
#ifndef WEIR_STREAM_SEGMENTS_H
#define WEIR_STREAM_SEGMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct WSeg {
    int64_t first, last; /* the batches it holds */
    int64_t bytes;       /* its size, which the merges compare */
    int legacy;          /* named "<last>.compact" (Spark's form, first 0): an older weir's manifest */
} WSeg;

/* The segment named `name` in *out: 1, or 0 when it is not a segment's name. legacy_ok: also Spark's
 * "<last>.compact". */
int wseg_parse_name(const char *name, int legacy_ok, WSeg *out);
/* dir/<name of seg> into buf. */
void wseg_path(const char *dir, const WSeg *seg, char *buf, size_t cap);
/* Of the segments all[0..n) found in dir, those that cover batches 0..S without a gap, moved to the front
 * oldest first; returns how many. Segments left over by an interrupted merge (covered by a longer one)
 * are dropped, and removed from dir when `tidy` (only a log's writer may tidy); segments after a gap
 * are dropped, not removed. */
int wseg_cover(const char *dir, int tidy, WSeg *all, int n);
/* The segments of dir (listed, sized and passed through wseg_cover) in *out (malloc'd; NULL and 0 when
 * there are none or dir does not exist). */
int wseg_list(const char *dir, int legacy_ok, int tidy, WSeg **out, int *n_out, WErr *err);
/* The first of segs[0..n) that a new segment of *bytes merges with (n when none); *bytes becomes the size
 * of the merged segment. */
int wseg_merge_start(const WSeg *segs, int n, int64_t *bytes);
/* Whether a line (without its newline) of an older segment stays in a merge: 1 keeps it, 0 drops it. */
typedef int (*WSegKeepFn)(void *user, const char *line, size_t len);
/* Appends to out the lines of text[0..n) (each with its newline) that keep keeps, all of them when keep is
 * NULL; -1 when out of memory. */
struct WBuf;
int wseg_append_kept(struct WBuf *out, const char *text, size_t n, WSegKeepFn keep, void *keep_user);
/* Writes the segment of batches first..last whose text is `fresh` ("v1" line, then its entries) into dir,
 * merged with the newest of segs[0..n) by the rule above, once (temp, fsync, rename, fsync of dir). The
 * lines of the merged older segments pass through keep (NULL: all stay; the file source drops the entries
 * of files it has forgotten, source_file.c), and when there was a merge, tail (NULL or lines that keep may
 * have added to meanwhile) goes last. *k: the first of segs merged (n when none), *out: the segment written.
 * The caller removes segs k..n-1 when it is ready to (wseg_remove). */
struct WBuf;
int wseg_write_merged(const char *dir, const WSeg *segs, int n, const struct WBuf *fresh, int64_t first, int64_t last,
                      WSegKeepFn keep, void *keep_user, const struct WBuf *tail, int *k, WSeg *out, WErr *err);
/* Removes segs[0..n) from dir. A removal that fails or is lost leaves a covered segment, which wseg_cover
 * skips (and a writer's tidy removes), so it is not an error. */
void wseg_remove(const char *dir, const WSeg *segs, int n);

#endif
