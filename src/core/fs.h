/*
 * fs.h - durable file operations: the one place that knows the temp-file / fsync / rename / fsync-folder
 * discipline that exactly-once rests on (DESIGN.md, "Checkpoint").
 *
 * A file written through WFileOut becomes visible under its final name only complete: bytes go to a
 * temporary name in the same folder that starts with '.', so readers that skip '.' and '_' names never see
 * it; commit fsyncs the file, renames it into place and fsyncs the folder, so after commit returns the file
 * survives a crash (kill -9 or power loss). A crash before commit leaves at most a '.'-named temp file,
 * which wfs_remove_temps() clears at start.
 */
#ifndef WEIR_CORE_FS_H
#define WEIR_CORE_FS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct WFileOut {
    int fd;              /* -1 when closed */
    char *tmp_path;      /* "<dir>/.<name>.tmp" */
    char *path;          /* final name */
    int64_t written;     /* bytes so far */
    int64_t flushed;     /* bytes made durable early, in the background (see wfs_out_write) */
    struct WFlusher *flusher; /* that background thread, once the file passed a few MB; NULL before */
} WFileOut;

/* Opens a temporary file beside `path` (same folder, so rename is atomic). */
int wfs_out_open(WFileOut *o, const char *path, WErr *err);
/* The same, taking a spare file of the folder from `pool` when it has one (core/filepool.h; NULL: none). */
struct WFilePool;
int wfs_out_open_in(WFileOut *o, const char *path, struct WFilePool *pool, WErr *err);
int wfs_out_write(WFileOut *o, const void *data, size_t len, WErr *err);
/* fsync, rename to the final name, fsync the folder. The WFileOut is closed afterwards, also on error. */
int wfs_out_commit(WFileOut *o, WErr *err);
/* wfs_out_commit in two steps, for callers that overlap the fsyncs of several files and folders:
 * sync makes the bytes durable under the temporary name (fsync, close; on error the file is removed and
 * the WFileOut released); publish renames it into place and releases the WFileOut (on error the
 * temporary file is removed). The name is durable only once the caller has fsynced the folder. */
int wfs_out_sync(WFileOut *o, WErr *err);
int wfs_out_publish(WFileOut *o, WErr *err);
/* Renames the file into place before it is synced, so that the fsyncs of its bytes and of its folder can
 * run side by side: for files that nothing trusts until a later step says so (a sink's data files, which
 * readers take from the manifest). wfs_out_sync then syncs it there, abort or a failed sync remove it
 * there, and wfs_out_publish only releases it. */
int wfs_out_place(WFileOut *o, WErr *err);
/* open (with a spare of pool, which may be NULL) + write + sync: `data` durable under the temporary name,
 * ready for wfs_out_publish; on error nothing is left behind. */
int wfs_out_write_synced(WFileOut *o, const char *path, const void *data, size_t len, struct WFilePool *pool,
                         WErr *err);
/* Closes and deletes the temporary file; safe on a closed WFileOut. */
void wfs_out_abort(WFileOut *o);

/* The whole of `data` to `path`, durably and atomically (open + write + commit). */
int wfs_write_atomic(const char *path, const void *data, size_t len, WErr *err);
/* As wfs_write_atomic, without the fsyncs: readers, and a restart after kill -9, see the whole file or
 * none (the page cache survives the process); a crash of the machine may lose it or leave it empty, so
 * only for entries whose loss the reader can tell and recover from (ckpt.c: commits/N). */
int wfs_write_atomic_lazy(const char *path, const void *data, size_t len, WErr *err);
/* wfs_write_atomic and wfs_write_atomic_lazy with a spare file from pool (NULL: none). */
int wfs_write_atomic_in(const char *path, const void *data, size_t len, struct WFilePool *pool, int durable,
                        WErr *err);
/* Appends the file's bytes to `out`. When `missing` is not NULL, an absent file sets *missing = 1 and
 * returns WEIR_OK (absence is often normal: a log entry not yet written); otherwise it is a WEIR_IO error. */
int wfs_read_file(const char *path, WBuf *out, int *missing, WErr *err);
/* The folder part of path ("." when it has none; "a/b/" is in "a"), malloc'd; NULL when out of memory. */
char *wfs_dir_of(const char *path);
/* fsync of a folder, so that the names created, renamed or removed in it are durable. */
int wfs_fsync_dir(const char *dir, WErr *err);
/* For tests of the fsync discipline: fn is called with every folder wfs_fsync_dir is asked to make durable,
 * from whichever thread asks (NULL: none). */
void wfs_observe_dir_syncs(void (*fn)(const char *dir, void *arg), void *arg);
/* mkdir -p; each folder created is made durable in its parent. */
int wfs_mkdirs(const char *path, WErr *err);
/* Folders to fsync together, once each, after several names were created in them: setting up a checkpoint
 * creates six folders and a file, and one fsync per parent instead of one per name saves a few of the
 * milliseconds a query takes to start. A folder is also skipped when an fsync of it that began after it
 * was added has already succeeded in this process (wfs_fsync_dir remembers its last few): a checkpoint and
 * a sink created side by side share their parent's fsync. */
typedef struct WDirSync {
    char **dirs;
    uint64_t *added;   /* when each was (last) added, on core/fs's clock of folder changes and fsyncs */
    int n, cap;
} WDirSync;
void wdirsync_init(WDirSync *ds);
void wdirsync_fini(WDirSync *ds);
int wdirsync_add(WDirSync *ds, const char *dir, WErr *err);             /* a folder already listed is kept once */
int wdirsync_run(WDirSync *ds, WErr *err);                              /* fsyncs them all, then empties the list */
/* mkdir -p that leaves the fsyncs to ds: each parent that gained a folder is added to it. */
int wfs_mkdirs_in(const char *path, WDirSync *ds, WErr *err);
/* Entries made ahead: a log's next entries created empty (and made durable by one folder fsync for several),
 * then each filled with one write into the existing file, no creation or rename on the caller's path
 * (stream/ckpt.c, stream/manifest.c). An empty entry counts as absent; without a journal, a crash of the
 * machine can leave a fill cut short, which wfs_text_cut recognizes. */
int wfs_create_empty(const char *path, WErr *err);  /* O_EXCL; a file already there is left as it is */
/* One pwrite of data at offset 0 of the empty file fd; on failure the file is emptied again (or removed). */
int wfs_fill_empty(int fd, const char *path, const void *data, size_t len, WErr *err);
int wfs_file_empty(const char *path);               /* 1: a regular file of length 0 */
int wfs_text_cut(const char *text, size_t len);     /* 1: not empty, and a NUL byte or no final newline */
/* rename() then fsync of the destination's folder (and the source's, when it differs). */
int wfs_rename(const char *from, const char *to, WErr *err);
/* unlink() then fsync of the folder; a missing file is not an error. */
int wfs_remove(const char *path, WErr *err);
/* Deletes the '.'-named temporary files WFileOut leaves behind after a crash ("*.tmp" starting with '.'). */
int wfs_remove_temps(const char *dir, WErr *err);
/* The same in dir and every folder under it (a sink's partition folders, its _weir_metadata). */
int wfs_remove_temps_tree(const char *dir, WErr *err);
/* 1 when path exists (any kind), 0 when not. */
int wfs_exists(const char *path);

#endif
