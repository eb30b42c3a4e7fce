/*
 * filepool.h - spare empty files, made ahead of time in the folders a streaming query writes, so that a
 * batch's commit path opens an existing file instead of creating one.
 *
 * Why: on ext4 creating a file allocates an inode, which here costs 0.2 to 1 ms and waits on the journal
 * that every other writer of the disk shares; opening an existing file costs about 5 us. A batch of the
 * seed's Task_1 creates four files (offsets/N, its CSV part, its manifest entry, commits/N), so creating
 * them ahead of time, on the driver's worker thread (core/worker.h) while it waits, takes milliseconds off
 * each batch's latency.
 *
 * A spare is "<dir>/.spare-<k>.tmp": a '.'-name, so readers skip it and wfs_remove_temps clears it, and a
 * deterministic one, so a crash leaves at most WFPOOL_SPARES per folder, which the next run adopts.
 * wfs_out_open_in (fs.h) takes a spare as its temporary file; its commit renames it into place and
 * fsyncs the folder as always, which also makes the spare's creation durable.
 * Thread-safe: one thread takes while another fills.
 */
#ifndef WEIR_CORE_FILEPOOL_H
#define WEIR_CORE_FILEPOOL_H

#include "core/err.h"

#define WFPOOL_SPARES 2 /* per folder: a batch takes one from each folder it writes */

typedef struct WFilePool WFilePool;

WFilePool *wfpool_new(void);                 /* NULL when out of memory */
void wfpool_free(WFilePool *p);              /* removes the spares not taken; NULL is fine */
/* Takes a spare of `dir`: *tmp_path (malloc'd, the caller frees it) and *fd (open for writing, empty).
 * Returns 0 when there is none (the caller creates its file as usual); the folder is then remembered
 * and filled by the next wfpool_fill. */
int wfpool_take(WFilePool *p, const char *dir, char **tmp_path, int *fd);
/* Creates spares until every remembered folder has WFPOOL_SPARES. Errors are not fatal to anyone (the
 * callers fall back to creating), so it returns how many it created, or -1 when a creation failed. */
int wfpool_fill(WFilePool *p, int (*stop)(void *arg), void *arg); /* stop (may be NULL): checked between files */

#endif
