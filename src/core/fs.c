/*
 * fs.c - durable file operations (see fs.h): temp file, fsync, rename, fsync of the folder.
 *
 * Every function reports failures with the path and strerror(errno). EINTR on write is retried; short
 * writes continue where they stopped.
 */
#include "core/fs.h"

#include "core/filepool.h"
#include "core/worker.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WFS_FLUSH_STEP (4 << 20) /* bytes written between two background fdatasyncs of a big file */

/* A big file (a bounded run's batch, a state snapshot) is made durable in the background as it grows: a
 * worker thread fdatasyncs it every WFS_FLUSH_STEP bytes while the caller goes on writing, so the fsync of
 * its commit has only the last few MB left. On this project's disk the cache flush of a fsync costs about
 * 0.7 ms per MB not yet flushed, so a 43 MB CSV's commit took 30-40 ms; with the flushes in the background,
 * 2-3 ms (bench/RESULTS.md). A background failure is kept and reported by the commit's sync: Linux reports
 * a writeback error once, so the later fsync alone could miss it. */
typedef struct WFlusher {
    WWorker *worker;
    int fd;
    int failed;          /* a background flush failed: the commit's sync fails with msg */
    char msg[256];
} WFlusher;

/* Collects the result of the flush started last (waiting for it); a failure is kept for the commit. */
static void flusher_collect(WFlusher *f) {
    WErr e;
    werr_init(&e);
    if (wworker_wait(f->worker, &e) != WEIR_OK && !f->failed) {
        f->failed = 1;
        snprintf(f->msg, sizeof f->msg, "%.200s", e.msg);
    }
}

static int flush_job(void *arg, WErr *err) {
    WFlusher *f = arg;
    if (fdatasync(f->fd) != 0) return werr_msg(err, WEIR_IO, "fdatasync failed: %s", strerror(errno));
    return WEIR_OK;
}

/* Starts a background fdatasync when enough was written since the last one and none is running. */
static void flush_in_background(WFileOut *o) {
    if (o->written - o->flushed < WFS_FLUSH_STEP) return;
    if (!o->flusher) {
        WFlusher *f = calloc(1, sizeof *f);
        WErr e;
        werr_init(&e);
        if (!f || wworker_open(&f->worker, &e) != WEIR_OK) {
            free(f);
            o->flushed = o->written; /* no thread: the commit's fsync does it all, as before */
            return;
        }
        f->fd = o->fd;
        o->flusher = f;
    }
    if (wworker_pending(o->flusher->worker)) {
        if (!wworker_done(o->flusher->worker)) return; /* still flushing: the next write tries again */
        flusher_collect(o->flusher);
    }
    WErr e;
    werr_init(&e);
    if (wworker_start(o->flusher->worker, flush_job, o->flusher, &e) == WEIR_OK) o->flushed = o->written;
}

/* Ends the background flushing of o (waiting for a flush under way); its failure, if any, is returned. */
static int flusher_stop(WFileOut *o, WErr *err) {
    if (!o->flusher) return WEIR_OK;
    WFlusher *f = o->flusher;
    o->flusher = NULL;
    if (wworker_pending(f->worker)) flusher_collect(f);
    wworker_close(f->worker);
    int rc = WEIR_OK;
    if (f->failed) rc = err ? werr_set(err, WEIR_IO, o->tmp_path, -1, -1, -1, "%s", f->msg) : WEIR_IO;
    free(f);
    return rc;
}

/* The folder part of `path` ("." when it has none), in a malloc'd string; trailing slashes are not a
 * part of the name ("a/b/" is in "a"). */
char *wfs_dir_of(const char *path) {
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    const char *slash = memrchr(path, '/', n);
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static int io_error(WErr *err, const char *path, const char *what) {
    return werr_set(err, WEIR_IO, path, -1, -1, -1, "%s failed: %s", what, strerror(errno));
}

/* Folder fsyncs that succeeded, the last few, each with the instant it began on a clock that also stamps
 * wdirsync_add: an fsync that began after a name was added covers that name (WDirSync skips the folder). */
#define SYNCED_SLOTS 16
static pthread_mutex_t synced_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t fs_clock;
static struct {
    char *dir;
    uint64_t began;
} synced[SYNCED_SLOTS];
static int synced_next;

static void remember_sync(const char *dir, uint64_t began) {
    pthread_mutex_lock(&synced_lock);
    int slot = -1;
    for (int i = 0; i < SYNCED_SLOTS && slot < 0; i++)
        if (synced[i].dir && strcmp(synced[i].dir, dir) == 0) slot = i;
    if (slot < 0) { /* the oldest slot goes */
        slot = synced_next;
        synced_next = (synced_next + 1) % SYNCED_SLOTS;
        char *copy = strdup(dir);
        if (copy) {
            free(synced[slot].dir);
            synced[slot].dir = copy;
            synced[slot].began = 0;
        } else {
            slot = -1;
        }
    }
    if (slot >= 0 && began > synced[slot].began) synced[slot].began = began;
    pthread_mutex_unlock(&synced_lock);
}

/* 1 when an fsync of dir that began after `since` has succeeded. */
static int synced_since(const char *dir, uint64_t since) {
    pthread_mutex_lock(&synced_lock);
    int yes = 0;
    for (int i = 0; i < SYNCED_SLOTS && !yes; i++)
        yes = synced[i].dir && synced[i].began > since && strcmp(synced[i].dir, dir) == 0;
    pthread_mutex_unlock(&synced_lock);
    return yes;
}

typedef void (*DirSyncObserver)(const char *dir, void *arg);
static _Atomic(DirSyncObserver) dir_sync_observer; /* atomic: workers of a sink may be running */
static void *_Atomic dir_sync_observer_arg;

void wfs_observe_dir_syncs(void (*fn)(const char *dir, void *arg), void *arg) {
    if (fn) atomic_store(&dir_sync_observer_arg, arg);
    atomic_store(&dir_sync_observer, fn);
}

int wfs_fsync_dir(const char *dir, WErr *err) {
    DirSyncObserver observe = atomic_load(&dir_sync_observer);
    if (observe) observe(dir, atomic_load(&dir_sync_observer_arg));
    uint64_t began = ++fs_clock;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error(err, dir, "opening the folder");
    int rc = WEIR_OK;
    if (fsync(fd) != 0 && errno != EINVAL) rc = io_error(err, dir, "fsync of the folder");
    close(fd);
    if (!rc) remember_sync(dir, began);
    return rc;
}

int wfs_out_open(WFileOut *o, const char *path, WErr *err) {
    o->fd = -1;
    o->written = 0;
    o->flushed = 0;
    o->flusher = NULL;
    o->path = strdup(path);
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *name = path + dlen;
    size_t n = strlen(path) + 16;
    o->tmp_path = malloc(n);
    if (!o->path || !o->tmp_path) {
        free(o->path);
        free(o->tmp_path);
        o->path = o->tmp_path = NULL;
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    snprintf(o->tmp_path, n, "%.*s.%s.tmp", (int)dlen, path, name);
    o->fd = open(o->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) {
        int rc = io_error(err, o->tmp_path, "creating the file");
        free(o->path);
        free(o->tmp_path);
        o->path = o->tmp_path = NULL;
        return rc;
    }
    return WEIR_OK;
}

int wfs_out_open_in(WFileOut *o, const char *path, WFilePool *pool, WErr *err) {
    char *dir = pool ? wfs_dir_of(path) : NULL;
    char *tmp = NULL;
    int fd = -1;
    int got = dir && wfpool_take(pool, dir, &tmp, &fd);
    free(dir);
    if (!got) return wfs_out_open(o, path, err);
    o->fd = fd;
    o->written = 0;
    o->flushed = 0;
    o->flusher = NULL;
    o->tmp_path = tmp;
    o->path = strdup(path);
    if (!o->path) {
        wfs_out_abort(o);
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    return WEIR_OK;
}

int wfs_out_write(WFileOut *o, const void *data, size_t len, WErr *err) {
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(o->fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return io_error(err, o->tmp_path, "write");
        }
        p += w;
        len -= (size_t)w;
        o->written += w;
    }
    flush_in_background(o);
    return WEIR_OK;
}

static void out_release(WFileOut *o) {
    (void)flusher_stop(o, NULL);
    if (o->fd >= 0) close(o->fd);
    o->fd = -1;
    free(o->path);
    free(o->tmp_path);
    o->path = o->tmp_path = NULL;
}

int wfs_out_sync(WFileOut *o, WErr *err) {
    int rc = flusher_stop(o, err);
    if (!rc && fsync(o->fd) != 0) rc = io_error(err, o->tmp_path, "fsync");
    if (close(o->fd) != 0 && !rc) rc = io_error(err, o->tmp_path, "close");
    o->fd = -1;
    if (rc) {
        unlink(o->tmp_path);
        out_release(o);
    }
    return rc;
}

int wfs_out_place(WFileOut *o, WErr *err) {
    char *placed = strdup(o->path);
    if (!placed) return werr_msg(err, WEIR_NOMEM, "out of memory");
    if (rename(o->tmp_path, o->path) != 0) {
        free(placed);
        return io_error(err, o->path, "rename");
    }
    free(o->tmp_path);
    o->tmp_path = placed; /* from now on the file is under its final name, which sync and abort remove */
    return WEIR_OK;
}

int wfs_out_publish(WFileOut *o, WErr *err) {
    int rc = WEIR_OK;
    if (strcmp(o->tmp_path, o->path) != 0 && rename(o->tmp_path, o->path) != 0) { /* unless placed */
        rc = io_error(err, o->path, "rename");
        unlink(o->tmp_path);
    }
    out_release(o);
    return rc;
}

int wfs_out_write_synced(WFileOut *o, const char *path, const void *data, size_t len, WFilePool *pool,
                         WErr *err) {
    int rc = wfs_out_open_in(o, path, pool, err);
    if (rc) return rc;
    if ((rc = wfs_out_write(o, data, len, err))) {
        wfs_out_abort(o);
        return rc;
    }
    return wfs_out_sync(o, err);
}

int wfs_out_commit(WFileOut *o, WErr *err) {
    char *dir = wfs_dir_of(o->path);
    int rc = dir ? WEIR_OK : werr_msg(err, WEIR_NOMEM, "out of memory");
    if (rc) wfs_out_abort(o);
    if (!rc) rc = wfs_out_sync(o, err);
    if (!rc) rc = wfs_out_publish(o, err);
    if (!rc) rc = wfs_fsync_dir(dir, err);
    free(dir);
    return rc;
}

void wfs_out_abort(WFileOut *o) {
    (void)flusher_stop(o, NULL);
    if (o->tmp_path) {
        if (o->fd >= 0) close(o->fd);
        o->fd = -1;
        unlink(o->tmp_path);
    }
    out_release(o);
}

int wfs_write_atomic(const char *path, const void *data, size_t len, WErr *err) {
    return wfs_write_atomic_in(path, data, len, NULL, 1, err);
}

int wfs_write_atomic_lazy(const char *path, const void *data, size_t len, WErr *err) {
    return wfs_write_atomic_in(path, data, len, NULL, 0, err);
}

int wfs_write_atomic_in(const char *path, const void *data, size_t len, WFilePool *pool, int durable,
                        WErr *err) {
    WFileOut o;
    int rc = wfs_out_open_in(&o, path, pool, err);
    if (rc) return rc;
    if (durable) {
        rc = wfs_out_write(&o, data, len, err);
        if (rc) {
            wfs_out_abort(&o);
            return rc;
        }
        return wfs_out_commit(&o, err);
    }
    rc = wfs_out_write(&o, data, len, err);
    (void)flusher_stop(&o, NULL); /* not durable anyway: a background flush's failure changes nothing */
    if (!rc && close(o.fd) != 0) rc = io_error(err, o.tmp_path, "close");
    o.fd = -1;
    if (!rc && rename(o.tmp_path, o.path) != 0) rc = io_error(err, o.path, "rename");
    if (rc) unlink(o.tmp_path);
    out_release(&o);
    return rc;
}

int wfs_read_file(const char *path, WBuf *out, int *missing, WErr *err) {
    if (missing) *missing = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && missing) {
            *missing = 1;
            return WEIR_OK;
        }
        return io_error(err, path, "open");
    }
    int rc = WEIR_OK;
    for (;;) {
        if (wbuf_reserve(out, 65536)) {
            rc = werr_msg(err, WEIR_NOMEM, "out of memory reading %s", path);
            break;
        }
        ssize_t r = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = io_error(err, path, "read");
            break;
        }
        if (r == 0) break;
        out->len += (size_t)r;
    }
    close(fd);
    return rc;
}

void wdirsync_init(WDirSync *ds) { memset(ds, 0, sizeof *ds); }

void wdirsync_fini(WDirSync *ds) {
    for (int i = 0; i < ds->n; i++) free(ds->dirs[i]);
    free(ds->dirs);
    free(ds->added);
    wdirsync_init(ds);
}

int wdirsync_add(WDirSync *ds, const char *dir, WErr *err) {
    uint64_t now = ++fs_clock; /* after the change the caller made in dir */
    for (int i = 0; i < ds->n; i++)
        if (strcmp(ds->dirs[i], dir) == 0) {
            ds->added[i] = now;
            return WEIR_OK;
        }
    if (ds->n == ds->cap) {
        int cap = ds->cap ? ds->cap * 2 : 8;
        char **d = realloc(ds->dirs, (size_t)cap * sizeof *d);
        if (d) ds->dirs = d;
        uint64_t *a = d ? realloc(ds->added, (size_t)cap * sizeof *a) : NULL;
        if (a) ds->added = a;
        if (!d || !a) return werr_msg(err, WEIR_NOMEM, "out of memory");
        ds->cap = cap;
    }
    if (!(ds->dirs[ds->n] = strdup(dir))) return werr_msg(err, WEIR_NOMEM, "out of memory");
    ds->added[ds->n++] = now;
    return WEIR_OK;
}

int wdirsync_run(WDirSync *ds, WErr *err) {
    int rc = WEIR_OK;
    for (int i = 0; i < ds->n && !rc; i++)
        if (!synced_since(ds->dirs[i], ds->added[i])) rc = wfs_fsync_dir(ds->dirs[i], err);
    wdirsync_fini(ds);
    return rc;
}

int wfs_mkdirs_in(const char *path, WDirSync *ds, WErr *err) {
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return WEIR_OK;
        return werr_set(err, WEIR_IO, path, -1, -1, -1, "exists and is not a folder");
    }
    char *parent = wfs_dir_of(path);
    if (!parent) return werr_msg(err, WEIR_NOMEM, "out of memory");
    int rc = WEIR_OK;
    if (strcmp(parent, path) != 0 && strcmp(parent, ".") != 0 && strcmp(parent, "/") != 0)
        rc = wfs_mkdirs_in(parent, ds, err);
    if (!rc) {
        if (mkdir(path, 0755) != 0 && errno != EEXIST) rc = io_error(err, path, "mkdir");
        else rc = wdirsync_add(ds, parent, err);
    }
    free(parent);
    return rc;
}

int wfs_mkdirs(const char *path, WErr *err) {
    WDirSync ds;
    wdirsync_init(&ds);
    int rc = wfs_mkdirs_in(path, &ds, err);
    if (!rc) rc = wdirsync_run(&ds, err);
    wdirsync_fini(&ds);
    return rc;
}

int wfs_rename(const char *from, const char *to, WErr *err) {
    if (rename(from, to) != 0) return io_error(err, to, "rename");
    char *d1 = wfs_dir_of(from), *d2 = wfs_dir_of(to);
    int rc = (!d1 || !d2) ? werr_msg(err, WEIR_NOMEM, "out of memory") : wfs_fsync_dir(d2, err);
    if (!rc && strcmp(d1, d2) != 0) rc = wfs_fsync_dir(d1, err);
    free(d1);
    free(d2);
    return rc;
}

int wfs_remove(const char *path, WErr *err) {
    if (unlink(path) != 0) {
        if (errno == ENOENT) return WEIR_OK;
        return io_error(err, path, "unlink");
    }
    char *dir = wfs_dir_of(path);
    int rc = dir ? wfs_fsync_dir(dir, err) : werr_msg(err, WEIR_NOMEM, "out of memory");
    free(dir);
    return rc;
}

/* Removes the temporary files of dir and, when `tree`, of its subfolders (their names from readdir's
 * d_type: no stat per file, so a sink folder of 100,000 files costs a listing, not 100,000 stats). */
static int remove_temps(const char *dir, int tree, WErr *err) {
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return WEIR_OK;
        return io_error(err, dir, "opening the folder");
    }
    int rc = WEIR_OK, removed = 0;
    WBuf path;
    wbuf_init(&path);
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        int temp = e->d_name[0] == '.' && n >= 6 && strcmp(e->d_name + n - 4, ".tmp") == 0;
        int sub = tree && e->d_name[0] != '.' && (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN);
        if (!temp && !sub) continue;
        wbuf_reset(&path);
        if (wbuf_printf(&path, "%s/%s", dir, e->d_name)) {
            rc = werr_msg(err, WEIR_NOMEM, "out of memory");
            break;
        }
        if (sub) {
            struct stat st;
            if (e->d_type == DT_DIR || (lstat(wbuf_cstr(&path), &st) == 0 && S_ISDIR(st.st_mode)))
                rc = remove_temps(wbuf_cstr(&path), 1, err);
        } else if (unlink(wbuf_cstr(&path)) != 0 && errno != ENOENT) {
            rc = io_error(err, wbuf_cstr(&path), "unlink");
        } else {
            removed = 1;
        }
    }
    closedir(d);
    wbuf_fini(&path);
    if (!rc && removed) rc = wfs_fsync_dir(dir, err);
    return rc;
}

int wfs_remove_temps(const char *dir, WErr *err) { return remove_temps(dir, 0, err); }
int wfs_remove_temps_tree(const char *dir, WErr *err) { return remove_temps(dir, 1, err); }

int wfs_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

int wfs_create_empty(const char *path, WErr *err) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) return WEIR_OK; /* written the usual way meanwhile, or made before */
    if (fd < 0) return io_error(err, path, "create");
    close(fd);
    return WEIR_OK;
}

int wfs_fill_empty(int fd, const char *path, const void *data, size_t len, WErr *err) {
    ssize_t w;
    do w = pwrite(fd, data, len, 0); /* one write: a reader, or a crash, sees it empty or whole (or cut) */
    while (w < 0 && errno == EINTR);
    if (w == (ssize_t)len) return WEIR_OK;
    int rc = w < 0 ? io_error(err, path, "write") : werr_set(err, WEIR_IO, path, -1, -1, -1, "short write");
    if (ftruncate(fd, 0) != 0) unlink(path); /* it must not read as an entry */
    return rc;
}

int wfs_file_empty(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
}

int wfs_text_cut(const char *text, size_t len) {
    return len > 0 && (text[len - 1] != '\n' || memchr(text, 0, len) != NULL);
}
