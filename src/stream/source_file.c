/*
 * source_file.c - the streaming file source (see source_file.h).
 *
 * What must stay true:
 *   (1) a name (or byte range of a growing line-oriented file) is in the log of exactly one batch; the log
 *       entry of batch N is durable before offsets/N (the driver writes offsets/N after wsrc_plan);
 *   (2) a batch reads exactly the ranges its log names: a file that grew since is read only up to the
 *       logged size, so a re-run after a crash sees the same bytes;
 *   (3) nothing proportional to the files already taken happens per batch: the taken names live in a hash
 *       set; listings (start, rescans) look names up without touching the files;
 *   (4) what the source remembers is bounded by the files in the folder and those of the last maxFileAge,
 *       not by every file ever taken (forget_step): a taken name is forgotten once its file is older than
 *       the newest file minus maxFileAge (Spark's purge of its seen files; a file that old is ignored if it
 *       is listed again, so forgetting it takes nothing twice) and gone from the folder (a whole listing
 *       did not see it: one still there would only come back, for a stat, at the next rescan), and the
 *       log's merges drop its entries by age alone (log_keep); an ignored name goes once a whole listing
 *       did not see it.
 *
 * Each name known to the source has one state: UNSTABLE (listed, modified too recently; re-checked later),
 * PENDING (ready to be planned), TAKEN (in the log; taken_end bytes consumed), IGNORED (older than
 * maxFileAge, not a regular file, or filtered out).
 */
#include "stream/source_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/time.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/worker.h"
#include "formats/badrec.h"
#include "formats/csv.h"
#include "formats/json.h"
#include "formats/parquet.h"
#include "stream/ckpt.h"
#include "stream/logjson.h"
#include "stream/manifest.h"
#include "stream/segments.h"
#include "stream/trigger.h"

#define COMPACT_INTERVAL 10     /* a compact log file every 10 batches, as Spark's file source log */
#define RESCAN_STEP 2048        /* directory entries looked at per discovery call */
#define CHUNK_ROWS 8192         /* rows per chunk handed to the driver: small enough that a chunk, its
                                 * projection and its encoded output stay in the L2 cache and touch few
                                 * new pages (65,536 took 16% more CPU in the availableNow benchmark) */

enum { K_UNSTABLE = 1, K_PENDING, K_TAKEN, K_IGNORED };

typedef struct Known {
    uint64_t hash;       /* hash_name(name) */
    int state;
    int64_t taken_end;   /* bytes already in the log (TAKEN, or PENDING continuation) */
    int64_t size;        /* last stat */
    int64_t mtime_ms;
    int64_t seen_ms;     /* when it was listed (UNSTABLE) */
    int64_t first_unstable_ms; /* when it was first found unstable (0: never), for in-order taking */
    int line_based;      /* may be read incrementally (JSON Lines / CSV); -1: not looked at yet */
    uint64_t ino;        /* inode when taken (0: unknown, e.g. taken before a restart) */
    int pending_pos;     /* index in pending[], -1 */
    int on_unstable;     /* in unstable[] (which may keep it a while after it left K_UNSTABLE) */
    int64_t last_batch;  /* the last batch that took it, -1 */
    int64_t seen_gen;    /* the listing that last saw it (scan_gen) */
    char name[];         /* relative path */
} Known;

typedef struct Entry {   /* one log entry */
    Known *k;
    int64_t start, end, mtime_ms, batch;
} Entry;

/* What one thread needs to decode files: its own readers (they keep per-file state), its dead letters. */
typedef struct Decoder {
    WFileSource *s;
    WJsonReader *json;
    WCsvReader *csv, *csv_nohdr;
    WBuf bad;              /* dead-letter lines of the files it decoded in this batch */
    int64_t bad_count;     /* malformed records, since open */
    const char *cur_file;  /* file being decoded, for dead letters */
    WBuf data;             /* the bytes of the file being decoded */
} Decoder;

typedef struct Watch {
    int wd;
    char *rel;           /* "" for the root */
} Watch;

struct WFileSource {
    char *root;
    char *log_dir;
    char *query_name;
    char *desc;
    char *format;
    WOpts opts;
    const WType *schema;
    /* options */
    int64_t max_files, max_bytes, max_file_age_ms, rescan_ms, stable_ms;
    int latest_first, recursive, clean_mode; /* 0 off, 1 archive, 2 delete */
    char *glob, *archive_dir, *bad_path;
    int csv_header;
    int64_t decode_threads; /* 1 or 2 (option decodeThreads, default 2) */
    /* known names: open addressing on a power-of-two table, one malloc'd Known each; forget_step removes
     * the ones what-must-stay-true (4) lets go, a few slots per batch from sweep_pos */
    Known **slots;
    size_t n_slots, n_known, sweep_pos;
    int64_t scan_gen;      /* listings started (a full rescan is one) */
    int64_t listed_gen;    /* the last listing that went through every folder */
    int64_t newest_taken_ms; /* the newest mtime in the log: what a restart will measure maxFileAge from */
    int64_t forgot_before_ms; /* the log's record: names of files older than this may have left it (INT64_MIN) */
    int64_t forgotten;     /* names forgotten since open */
    /* pending and unstable */
    Known **pending;
    int n_pending, cap_pending;
    Known **unstable;
    int n_unstable, cap_unstable;
    int64_t newest_mtime_ms;
    /* the log of the last planned batch (all entries are remembered only through Known) */
    Entry *cur;
    int n_cur, cap_cur;
    int64_t cur_batch;
    WSrcFile *cur_view;
    int64_t last_committed;/* the checkpoint's last committed batch */
    int64_t seg_end;       /* last batch held by a compacted segment (being written or written), -1 */
    _Atomic int64_t log_durable_to; /* last batch held by a durable segment, -1 (set by the segment job) */
    WSeg *segs;            /* the segments, oldest first (segments.h) */
    int n_segs;
    WWorker *seg_writer;   /* writes segments in the background (see write_segment) */
    int log_dir_synced;    /* the log folder's parent fsynced by this run (at its first segment) */
    WBuf seg_text;         /* the segment it writes */
    WBuf seg_tail;         /* its forgetBefore record, when merging dropped entries (LogForget) */
    WSeg seg_job;
    int64_t seg_forget_before; /* the job's merges drop entries of files older than this (INT64_MIN: none) */
    Entry *seg_entries;    /* the entries the job writes (handed over from recent; the Knowns outlive it) */
    int n_seg_entries, cap_seg_entries;
    Entry *recent;         /* entries of committed batches after seg_end, for the next segment */
    int n_recent, cap_recent;
    /* discovery */
    int ino;
    Watch *watches;
    int n_watches;
    int frozen;
    int manifest_mode;     /* the folder is another weir query's sink: only files its manifest lists */
    int manifest_wd;       /* inotify watch on <folder>/_weir_metadata, -1 */
    int manifest_dirty;    /* the manifest changed since it was last read */
    int64_t manifest_seen; /* every file of the upstream's batches up to this one was considered; -1 */
    int64_t manifest_bytes;/* bytes of the upstream's manifest read since open */
    int64_t next_rescan_ms;
    int scanning;
    int full_listing;      /* the listing in progress started at the root (start_rescan) */
    char **scan_queue;     /* relative folders left to list in this rescan */
    int n_scan_queue, cap_scan_queue;
    DIR *scan_dir;
    char *scan_rel;
    /* decoding: the driver's thread, and a helper thread for batches of many files */
    Decoder main_dec, helper_dec;
    int helper_ready;      /* helper_dec opened */
    WBatch chunk;
    int chunk_init;
    int64_t files_opened;
};

static int nomem(WErr *err) { return werr_msg(err, WEIR_NOMEM, "out of memory"); }

/* ---------------------------------------------------------------- known names (hash set) */

static uint64_t hash_name(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

static Known *known_get(WFileSource *s, const char *name) {
    size_t mask = s->n_slots - 1;
    uint64_t h = hash_name(name);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        Known *k = s->slots[i];
        if (!k) return NULL;
        if (k->hash == h && !strcmp(k->name, name)) return k;
    }
}

/* The table rebuilt with n slots (a power of two, more than twice the names). */
static int known_resize(WFileSource *s, size_t n) {
    Known **t = calloc(n, sizeof *t);
    if (!t) return -1;
    for (size_t j = 0; j < s->n_slots; j++) {
        Known *k = s->slots[j];
        if (!k) continue;
        size_t i = k->hash & (n - 1);
        while (t[i]) i = (i + 1) & (n - 1);
        t[i] = k;
    }
    free(s->slots);
    s->slots = t;
    s->n_slots = n;
    s->sweep_pos = 0;
    return 0;
}

static Known *known_add(WFileSource *s, const char *name) {
    if ((s->n_known + 1) * 2 > s->n_slots && known_resize(s, s->n_slots * 2)) return NULL;
    size_t len = strlen(name);
    Known *k = malloc(sizeof *k + len + 1);
    if (!k) return NULL;
    memset(k, 0, sizeof *k);
    memcpy(k->name, name, len + 1);
    k->hash = hash_name(name);
    k->pending_pos = -1;
    k->last_batch = -1;
    k->seen_gen = s->scan_gen;
    size_t mask = s->n_slots - 1, i = k->hash & mask;
    while (s->slots[i]) i = (i + 1) & mask;
    s->slots[i] = k;
    s->n_known++;
    return k;
}

/* Removes the Known in slot i and frees it. Linear probing without tombstones: each later name of the
 * same run moves back into the hole unless its home slot lies after the hole (Knuth's algorithm R). */
static void known_remove_at(WFileSource *s, size_t i) {
    size_t mask = s->n_slots - 1;
    free(s->slots[i]);
    s->slots[i] = NULL;
    s->n_known--;
    for (size_t j = (i + 1) & mask; s->slots[j]; j = (j + 1) & mask) {
        size_t home = s->slots[j]->hash & mask;
        /* stays when home is cyclically in (i, j] */
        int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays) continue;
        s->slots[i] = s->slots[j];
        s->slots[j] = NULL;
        i = j;
    }
}

static int push_ptr(Known ***arr, int *n, int *cap, Known *k) {
    if (*n == *cap) {
        int c = *cap ? *cap * 2 : 64;
        Known **a = realloc(*arr, (size_t)c * sizeof *a);
        if (!a) return -1;
        *arr = a;
        *cap = c;
    }
    (*arr)[(*n)++] = k;
    return 0;
}

static void pending_remove(WFileSource *s, Known *k) {
    int i = k->pending_pos;
    if (i < 0) return;
    s->pending[i] = s->pending[--s->n_pending];
    s->pending[i]->pending_pos = i;
    k->pending_pos = -1;
}

static int pending_add(WFileSource *s, Known *k) {
    if (k->pending_pos >= 0) return 0;
    if (push_ptr(&s->pending, &s->n_pending, &s->cap_pending, k)) return -1;
    k->pending_pos = s->n_pending - 1;
    k->state = K_PENDING;
    return 0;
}

/* ---------------------------------------------------------------- discovery */

static int name_ignored(const char *base) { return base[0] == '.' || base[0] == '_'; }

static char *rel_join(const char *rel, const char *name) {
    size_t r = strlen(rel), n = strlen(name), at = r ? r + 1 : 0;
    char *p = malloc(at + n + 1); /* a rescan joins every name of the folder: no snprintf */
    if (!p) return NULL;
    if (r) memcpy(p, rel, r), p[r] = '/';
    memcpy(p + at, name, n + 1);
    return p;
}

static char *abs_path(const WFileSource *s, const char *rel) {
    size_t n = strlen(s->root) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", s->root, rel);
    return p;
}

/* Looks at the first non-blank byte: a JSON array or a multi-line file cannot be read from the middle. */
static int is_line_based(const WFileSource *s, const char *path) {
    if (!strcasecmp(s->format, "csv")) return 1;
    if (!strcasecmp(s->format, "parquet")) return 0; /* the footer is at the end: read only whole files */
    const char *ml = wopts_get((WOpts *)&s->opts, "multiLine");
    if (ml && !strcasecmp(ml, "true")) return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char b[256];
    ssize_t n = read(fd, b, sizeof b);
    close(fd);
    for (ssize_t i = 0; i < n; i++) {
        if (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') continue;
        return b[i] == '{';
    }
    return 0;
}

static int add_watch(WFileSource *s, const char *rel, WErr *err);
static int queue_scan(WFileSource *s, const char *rel);

/* A file seen by an event (ready now) or a listing (ready once stable). */
static int consider(WFileSource *s, const char *rel, int from_event, WErr *err) {
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    if (name_ignored(base)) return WEIR_OK;
    Known *k = known_get(s, rel);
    if (k && !from_event) k->seen_gen = s->scan_gen; /* still there (forget_step) */
    if (k && (k->state == K_IGNORED)) return WEIR_OK;
    if (k && k->state == K_TAKEN && !from_event) return WEIR_OK; /* listings never touch taken files */
    if (s->frozen && !k) return WEIR_OK;
    /* a weir sink's folder: a data file counts only once its batch's manifest entry lists it (from_event 2) */
    if (s->manifest_mode && from_event != 2 && !(k && k->state == K_UNSTABLE)) return WEIR_OK;
    char *path = abs_path(s, rel);
    if (!path) return nomem(err);
    struct stat st;
    if (stat(path, &st) != 0) {
        free(path);
        return WEIR_OK; /* gone already: nothing to take */
    }
    if (S_ISDIR(st.st_mode)) {
        int rc = WEIR_OK;
        if (s->recursive && !k) {
            rc = add_watch(s, rel, err);
            if (!rc && queue_scan(s, rel)) rc = nomem(err);
        }
        free(path);
        return rc;
    }
    if (!k && s->glob && fnmatch(s->glob, base, 0) != 0) {
        free(path);
        return WEIR_OK;
    }
    int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    if (!k) {
        k = known_add(s, rel);
        if (!k) {
            free(path);
            return nomem(err);
        }
        if (!S_ISREG(st.st_mode)) {
            k->state = K_IGNORED;
            free(path);
            return WEIR_OK;
        }
    }
    k->size = (int64_t)st.st_size;
    k->mtime_ms = mtime;
    if (mtime > s->newest_mtime_ms) s->newest_mtime_ms = mtime;
    int rc = WEIR_OK;
    if (k->state == K_TAKEN && k->ino && k->ino != (uint64_t)st.st_ino) {
        /* another file under a taken name (renamed over it, or deleted and written again): Spark's rule, a
         * name is taken once; reported, not read */
        fprintf(stderr, "weir: %s: a new file under a name already taken; ignored (names are taken once, as in "
                "Spark: give new files new names)\n", path);
        k->state = K_IGNORED;
    } else if (k->state == K_TAKEN && k->size < k->taken_end) {
        fprintf(stderr, "weir: %s: file shrank after it was taken (%" PRId64 " bytes, %" PRId64 " read); ignored\n",
                path, k->size, k->taken_end);
        k->taken_end = k->size;
    } else if (k->state == K_TAKEN) {
        /* a taken file that grew: its new bytes become a pending continuation, if it can be read from the
         * middle; otherwise they are reported and left alone */
        if (!k->ino) k->ino = (uint64_t)st.st_ino;
        if (k->size > k->taken_end) {
            if (k->line_based < 0) k->line_based = is_line_based(s, path);
            if (k->line_based) {
                if (pending_add(s, k)) rc = nomem(err);
                k->state = K_PENDING;
            } else {
                fprintf(stderr, "weir: %s: file changed after it was taken (now %" PRId64 " bytes, %" PRId64
                        " read); a JSON array or multi-line file is read once: its new bytes are ignored\n",
                        path, k->size, k->taken_end);
                k->taken_end = k->size;
            }
        }
    } else if (from_event || (wtime_now_us() / 1000) - mtime >= s->stable_ms) {
        if (k->state != K_PENDING) {
            /* looked at only if the file grows after it is taken: opening every listed file here cost
             * ~20 ms per 1,000 files */
            k->line_based = -1;
            k->ino = (uint64_t)st.st_ino;
            if (pending_add(s, k)) rc = nomem(err);
        }
    } else if (k->state != K_UNSTABLE && k->state != K_PENDING) {
        k->state = K_UNSTABLE;
        k->seen_ms = (wtime_mono_us() / 1000);
        if (!k->first_unstable_ms) k->first_unstable_ms = k->seen_ms;
        if (push_ptr(&s->unstable, &s->n_unstable, &s->cap_unstable, k)) rc = nomem(err);
        else k->on_unstable = 1;
    }
    free(path);
    return rc;
}

static int add_watch(WFileSource *s, const char *rel, WErr *err) {
    if (s->ino < 0) return WEIR_OK;
    char *path = *rel ? abs_path(s, rel) : strdup(s->root);
    if (!path) return nomem(err);
    int wd = inotify_add_watch(s->ino, path, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR);
    free(path);
    if (wd < 0) return WEIR_OK; /* the rescan still finds its files */
    for (int i = 0; i < s->n_watches; i++)
        if (s->watches[i].wd == wd) return WEIR_OK;
    Watch *w = realloc(s->watches, (size_t)(s->n_watches + 1) * sizeof *w);
    if (!w) return nomem(err);
    s->watches = w;
    w[s->n_watches].wd = wd;
    w[s->n_watches].rel = strdup(rel);
    if (!w[s->n_watches].rel) return nomem(err);
    s->n_watches++;
    return WEIR_OK;
}

static int queue_scan(WFileSource *s, const char *rel) {
    if (s->n_scan_queue == s->cap_scan_queue) {
        int c = s->cap_scan_queue ? s->cap_scan_queue * 2 : 8;
        char **q = realloc(s->scan_queue, (size_t)c * sizeof *q);
        if (!q) return -1;
        s->scan_queue = q;
        s->cap_scan_queue = c;
    }
    char *r = strdup(rel);
    if (!r) return -1;
    s->scan_queue[s->n_scan_queue++] = r;
    s->scanning = 1;
    return 0;
}

/* Lists up to `budget` entries of the rescan in progress. */
static int scan_step(WFileSource *s, int budget, WErr *err) {
    int rc = WEIR_OK;
    while (budget > 0 && !rc) {
        if (!s->scan_dir) {
            if (s->n_scan_queue == 0) {
                s->scanning = 0;
                if (s->full_listing) s->listed_gen = s->scan_gen; /* every folder listed */
                s->full_listing = 0;
                s->next_rescan_ms = (wtime_mono_us() / 1000) + s->rescan_ms;
                break;
            }
            free(s->scan_rel);
            s->scan_rel = s->scan_queue[--s->n_scan_queue];
            char *path = *s->scan_rel ? abs_path(s, s->scan_rel) : strdup(s->root);
            if (!path) return nomem(err);
            s->scan_dir = opendir(path);
            free(path);
            if (!s->scan_dir) continue;
        }
        struct dirent *e = readdir(s->scan_dir);
        if (!e) {
            closedir(s->scan_dir);
            s->scan_dir = NULL;
            continue;
        }
        budget--;
        if (name_ignored(e->d_name)) continue;
        if (e->d_type == DT_DIR && !s->recursive) continue;
        char *rel = rel_join(s->scan_rel, e->d_name);
        if (!rel) return nomem(err);
        rc = consider(s, rel, 0, err);
        free(rel);
    }
    return rc;
}

/* A listing of the whole folder (and, recursive, its subfolders), done a step at a time by scan_step. */
static int start_rescan(WFileSource *s) {
    if (s->scanning) return 0;
    s->scan_gen++;
    s->full_listing = 1;
    return queue_scan(s, "");
}

static int drain_events(WFileSource *s, WErr *err) {
    if (s->ino < 0) return WEIR_OK;
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    int rc = WEIR_OK;
    for (;;) {
        ssize_t n = read(s->ino, buf, sizeof buf);
        if (n <= 0) break;
        for (char *p = buf; p < buf + n && !rc;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                if (start_rescan(s)) rc = nomem(err);
                continue;
            }
            if (!ev->len) continue;
            if (ev->wd == s->manifest_wd && s->manifest_wd >= 0) {
                s->manifest_dirty = 1;
                continue;
            }
            if ((ev->mask & IN_CREATE) && !(ev->mask & IN_ISDIR)) continue; /* wait for close or move */
            const char *dir = NULL;
            for (int i = 0; i < s->n_watches; i++)
                if (s->watches[i].wd == ev->wd) dir = s->watches[i].rel;
            if (!dir) continue;
            char *rel = rel_join(dir, ev->name);
            if (!rel) return nomem(err);
            rc = consider(s, rel, 1, err);
            free(rel);
        }
    }
    return rc;
}

/* Files listed too recently to be sure they are complete: taken once stable (or when an event came). */
static int recheck_unstable(WFileSource *s, WErr *err) {
    int64_t t = (wtime_mono_us() / 1000);
    int rc = WEIR_OK;
    for (int i = 0; i < s->n_unstable && !rc;) {
        Known *k = s->unstable[i];
        if (k->state != K_UNSTABLE) {
            k->on_unstable = 0;
            s->unstable[i] = s->unstable[--s->n_unstable];
            continue;
        }
        if (t - k->seen_ms < s->stable_ms) {
            i++;
            continue;
        }
        k->state = 0;
        k->seen_ms = t;
        k->on_unstable = 0;
        s->unstable[i] = s->unstable[--s->n_unstable];
        rc = consider(s, k->name, 0, err);
        if (!rc && k->state == 0) k->state = K_IGNORED; /* vanished */
    }
    return rc;
}

/* Takes in what the upstream sink's manifest lists (every committed file is complete): only the files of
 * batches it committed since the last read, so that reading costs what is new, not what the upstream
 * ever wrote. */
static int read_upstream_manifest(WFileSource *s, WErr *err) {
    if (!s->manifest_mode) {
        if (!wmanifest_exists(s->root)) return WEIR_OK;
        s->manifest_mode = 1; /* the upstream query started after this one */
    }
    if (s->manifest_wd < 0 && s->ino >= 0) {
        char *m = abs_path(s, "_weir_metadata");
        if (!m) return nomem(err);
        s->manifest_wd = inotify_add_watch(s->ino, m, IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
        free(m);
    }
    s->manifest_dirty = 0;
    WManifest man;
    wmanifest_init(&man);
    int rc = wmanifest_read_since(s->root, s->manifest_seen, &man, err);
    if (!rc && man.last_batch < s->manifest_seen) { /* the upstream started over in an emptied folder */
        wmanifest_fini(&man);
        s->manifest_seen = -1;
        rc = wmanifest_read_since(s->root, -1, &man, err);
    }
    for (int64_t i = 0; i < man.n && !rc; i++) {
        Known *k = known_get(s, man.files[i].path);
        if (k && (k->state == K_TAKEN || k->state == K_PENDING || k->state == K_IGNORED)) continue;
        rc = consider(s, man.files[i].path, 2, err);
    }
    if (!rc) s->manifest_seen = man.last_batch;
    s->manifest_bytes += man.bytes_read;
    wmanifest_fini(&man);
    return rc;
}

int wsrc_discover(WFileSource *s, WErr *err) {
    int rc = drain_events(s, err);
    /* the manifest is read again when it changed, and at every rescan (a missed event, or a manifest that
     * appeared since the folder was last looked at) */
    if (!rc && !s->frozen && (s->manifest_dirty || (!s->scanning && (wtime_mono_us() / 1000) >= s->next_rescan_ms)))
        rc = read_upstream_manifest(s, err);
    if (!rc && !s->frozen && !s->scanning && (wtime_mono_us() / 1000) >= s->next_rescan_ms && start_rescan(s)) rc = nomem(err);
    if (!rc && s->scanning) rc = scan_step(s, RESCAN_STEP, err);
    if (!rc && s->n_unstable) rc = recheck_unstable(s, err);
    return rc;
}

int64_t wsrc_ms_to_work(const WFileSource *s) {
    if (s->scanning) return 0;
    int64_t t = (wtime_mono_us() / 1000), best = -1;
    if (!s->frozen) best = s->next_rescan_ms > t ? s->next_rescan_ms - t : 0;
    for (int i = 0; i < s->n_unstable; i++) {
        int64_t d = s->unstable[i]->seen_ms + s->stable_ms - t;
        if (d < 0) d = 0;
        if (best < 0 || d < best) best = d;
    }
    return best;
}

void wsrc_freeze(WFileSource *s) { s->frozen = 1; }
int64_t wsrc_ready(const WFileSource *s) { return s->n_pending; }
int64_t wsrc_unstable(const WFileSource *s) { return s->n_unstable + (s->scanning ? 1 : 0); }
int wsrc_fd(const WFileSource *s) { return s->ino; }
int64_t wsrc_files_opened(const WFileSource *s) { return s->files_opened; }
int64_t wsrc_files_known(const WFileSource *s) { return (int64_t)s->n_known; }
int64_t wsrc_files_forgotten(const WFileSource *s) { return s->forgotten; }
int64_t wsrc_manifest_bytes(const WFileSource *s) { return s->manifest_bytes; }
const char *wsrc_description(const WFileSource *s) { return s->desc; }

/* ---------------------------------------------------------------- the log */

static int entry_line(WBuf *b, const Entry *e) {
    int rc = wbuf_putc(b, '{');
    if (!rc) rc = wlogj_put_field_str(b, "path", e->k->name, strlen(e->k->name));
    if (!rc && e->start > 0) rc = wbuf_printf(b, ",\"start\":%" PRId64, e->start);
    if (!rc) rc = wbuf_printf(b, ",\"size\":%" PRId64 ",\"timestamp\":%" PRId64 ",\"batchId\":%" PRId64 "}\n",
                              e->end, e->mtime_ms, e->batch);
    return rc;
}

typedef int (*EntryFn)(void *user, const char *name, size_t name_len, int64_t start, int64_t end, int64_t mtime,
                       int64_t batch);

/* A canonical non-negative decimal (what entry_line prints: no sign, no leading zero, at most 18 digits) at
 * *p, advancing it; -1 when there is none. */
static int64_t canonical_i64(const char **p, const char *end) {
    const char *s = *p;
    if (s == end || *s < '0' || *s > '9' || (*s == '0' && s + 1 < end && s[1] >= '0' && s[1] <= '9')) return -1;
    int64_t v = 0;
    for (int n = 0; s < end && *s >= '0' && *s <= '9'; s++) {
        if (++n > 18) return -1; /* before it could overflow */
        v = v * 10 + (*s - '0');
    }
    *p = s;
    return v;
}

static int literal(const char **p, const char *end, const char *lit, size_t n) {
    if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0) return 0;
    *p += n;
    return 1;
}
#define LIT(p, end, s) literal(p, end, s, sizeof s - 1)

/* An entry line exactly as entry_line writes it, with a name of printable ASCII needing no escape: read
 * here, because a restart reads one line per file ever taken (the general JSON parse cost 3,700
 * instructions a line). 0 for anything else, which the general parse then reads (or reports). */
static int fast_entry(const char *p, size_t len, const char **name, size_t *nlen, int64_t *start, int64_t *size,
                      int64_t *mtime, int64_t *batch) {
    const char *end = p + len;
    if (!LIT(&p, end, "{\"path\":\"")) return 0;
    *name = p;
    while (p < end && *p != '"' && *p != '\\' && *p >= 0x20 && *p < 0x7f) p++;
    if (p == end || *p != '"' || p == *name) return 0;
    *nlen = (size_t)(p - *name);
    p++;
    *start = 0;
    if (LIT(&p, end, ",\"start\":") && (*start = canonical_i64(&p, end)) < 0) return 0;
    if (!LIT(&p, end, ",\"size\":") || (*size = canonical_i64(&p, end)) < 0) return 0;
    if (!LIT(&p, end, ",\"timestamp\":") || (*mtime = canonical_i64(&p, end)) < 0) return 0;
    if (!LIT(&p, end, ",\"batchId\":") || (*batch = canonical_i64(&p, end)) < 0) return 0;
    return LIT(&p, end, "}") && p == end && *size >= *start;
}

/* The line a segment that may have dropped entries starts with, {"forgetBefore":T}: files older than T
 * (mtime, ms) may have left the log, so a restart ignores them whatever maxFileAge then says (a
 * longer one must not take again a file whose entry is gone). 1 and *t when line is one. */
static int forget_line(const char *p, size_t len, int64_t *t) {
    const char *end = p + len;
    return LIT(&p, end, "{\"forgetBefore\":") && (*t = canonical_i64(&p, end)) >= 0 && LIT(&p, end, "}") && p == end;
}

/* Calls fn for each entry line of text (one JSON object a line), and keeps in *forget_before (when not
 * NULL) the greatest forgetBefore line's T; where names the file for messages. */
static int parse_entries(const char *where, const char *text, size_t n, int64_t first_line, EntryFn fn, void *user,
                         int64_t *forget_before, WErr *err) {
    WBuf scratch;
    wbuf_init(&scratch);
    const char *p = text ? text : "", *end = p + n;
    int64_t line_no = first_line - 1;
    int rc = WEIR_OK;
    while (!rc && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        line_no++;
        const char *fname;
        size_t fnlen;
        int64_t fstart, fsize, fmtime, fbatch;
        if (len && fast_entry(p, len, &fname, &fnlen, &fstart, &fsize, &fmtime, &fbatch)) {
            rc = fn(user, fname, fnlen, fstart, fsize, fmtime, fbatch);
            if (rc == WEIR_NOMEM) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
        } else if (len && forget_line(p, len, &fmtime)) {
            if (forget_before && fmtime > *forget_before) *forget_before = fmtime;
        } else if (len) {
            WLogObj o;
            const char *what;
            size_t at, nlen = 0;
            int64_t start = 0, size, mtime, batch;
            if (wlogj_parse(p, len, &o, &what, &at) != 0) {
                rc = werr_set(err, WEIR_CORRUPT, where, -1, line_no, (int64_t)at + 1,
                              "damaged checkpoint file: file entry: %s. Restore the checkpoint, or delete it to start "
                              "over (every input file will then be read again)", what);
            } else {
                const char *name = wlogj_get_bytes(&o, "path", &nlen, &scratch);
                const WLogMember *sm = wlogj_member(&o, "start");
                if (!name && !wlogj_get_i64(&o, "forgetBefore", &mtime)) {
                    if (forget_before && mtime > *forget_before) *forget_before = mtime;
                } else if (!name || wlogj_get_i64(&o, "size", &size) || wlogj_get_i64(&o, "timestamp", &mtime) ||
                    wlogj_get_i64(&o, "batchId", &batch) || (sm && wlogj_get_i64(&o, "start", &start)) ||
                    start < 0 || size < start)
                    rc = werr_set(err, WEIR_CORRUPT, where, -1, line_no, -1,
                                  "damaged checkpoint file: a file entry lacks path, size, timestamp or batchId. "
                                  "Restore the checkpoint, or delete it to start over");
                else rc = fn(user, name, nlen, start, size, mtime, batch);
                if (rc == WEIR_NOMEM) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
            }
            wlogj_fini(&o);
        }
        p = nl ? nl + 1 : end;
    }
    wbuf_fini(&scratch);
    return rc;
}

/* Reads the whole log: the segments, then the entries logged in offsets/K after the last segment up to
 * last_planned. fn_committed gets the entries of committed batches, fn_planned those of a batch planned but
 * not committed. *seg_end: last batch in a segment (-1 none). */
static int read_log(WCkpt *ck, const char *dir, EntryFn fn, void *user, int64_t *forget_before, int64_t *seg_end,
                    WSeg **segs, int *n_segs, int tidy, WErr *err) {
    WSeg *sg = NULL;
    int ns = 0;
    int rc = wseg_list(dir, 0, tidy, &sg, &ns, err);
    int64_t end = -1;
    for (int i = 0; i < ns && !rc; i++) {
        char path[4096];
        wseg_path(dir, &sg[i], path, sizeof path);
        WBuf b;
        wbuf_init(&b);
        rc = wckpt_read_log_file(path, &b, NULL, err);
        if (!rc) rc = parse_entries(path, b.data, b.len, 2, fn, user, forget_before, err);
        wbuf_fini(&b);
        end = sg[i].last;
    }
    int64_t lp = wckpt_last_planned(ck);
    if (!rc && end + 1 < wckpt_oldest_retained(ck) && lp >= 0)
        rc = werr_set(err, WEIR_CORRUPT, dir, -1, -1, -1,
                      "damaged checkpoint: the files of batches %" PRId64 " .. %" PRId64 " are neither in a compacted "
                      "segment of sources/0 nor in offsets/. Restore the checkpoint, or delete it to start over",
                      end + 1, wckpt_oldest_retained(ck) - 1);
    for (int64_t n = end + 1; n <= lp && !rc; n++) {
        WOffsetsEntry e;
        wckpt_offsets_init(&e);
        rc = wckpt_read_offsets(ck, n, &e, err);
        if (!rc) {
            char where[4200];
            snprintf(where, sizeof where, "%s/offsets/%" PRId64, wckpt_dir(ck), n);
            rc = parse_entries(where, e.files.data, e.files.len, 4, fn, user, NULL, err);
        }
        wckpt_offsets_fini(&e);
    }
    if (seg_end) *seg_end = end;
    if (segs) *segs = sg, *n_segs = ns;
    else free(sg);
    return rc;
}

static int push_entry(Entry **arr, int *n, int *cap, Entry e) {
    if (*n == *cap) {
        int c = *cap ? *cap * 2 : 64;
        Entry *a = realloc(*arr, (size_t)c * sizeof *a);
        if (!a) return -1;
        *arr = a;
        *cap = c;
    }
    (*arr)[(*n)++] = e;
    return 0;
}

static int load_entry(void *user, const char *name, size_t name_len, int64_t start, int64_t end, int64_t mtime,
                      int64_t batch) {
    WFileSource *s = user;
    char *nm = strndup(name, name_len);
    if (!nm) return WEIR_NOMEM;
    Known *k = known_get(s, nm);
    if (!k) k = known_add(s, nm);
    free(nm);
    if (!k) return WEIR_NOMEM;
    k->state = K_TAKEN;
    if (batch > k->last_batch) k->last_batch = batch;
    if (mtime > s->newest_taken_ms) s->newest_taken_ms = mtime;
    if (end > k->taken_end) k->taken_end = end;
    if (start > 0 || strcasecmp(s->format, "csv") == 0) k->line_based = 1;
    k->mtime_ms = mtime;
    if (mtime > s->newest_mtime_ms) s->newest_mtime_ms = mtime;
    Entry e = {k, start, end, mtime, batch};
    /* the entries not yet in a segment wait for the next one; a planned, uncommitted batch is the re-run */
    if (batch > s->seg_end && batch <= s->last_committed && push_entry(&s->recent, &s->n_recent, &s->cap_recent, e))
        return WEIR_NOMEM;
    if (batch == s->cur_batch && batch > s->last_committed && push_entry(&s->cur, &s->n_cur, &s->cap_cur, e))
        return WEIR_NOMEM;
    return WEIR_OK;
}

/* ---------------------------------------------------------------- forgetting (what must stay true: 4) */

/* Files older than this (mtime, ms) are ignored when listed: newest minus maxFileAge, or the log's
 * forgetBefore record if later (forget_line); INT64_MIN for neither (maxFileAge does not apply with
 * latestFirst and maxFilesPerTrigger together: Spark's rule, the newest files are wanted whatever their
 * age). */
static int64_t forget_before(const WFileSource *s, int64_t newest) {
    int64_t t = INT64_MIN;
    if (!(s->latest_first && s->max_files > 0) && s->max_file_age_ms >= 0 && newest >= INT64_MIN + s->max_file_age_ms)
        t = newest - s->max_file_age_ms;
    return t > s->forgot_before_ms ? t : s->forgot_before_ms; /* and what the log says it may have let go */
}

/* A taken name goes once its file is past maxFileAge, its file is gone, and no entry still in memory
 * points at it (entries of batches up to log_durable_to are in a durable segment, none in recent,
 * seg_entries or cur). An ignored name goes once its file is gone. Gone: a whole listing did not see it.
 * In a weir sink's folder (manifest mode) names come from the manifest, read only for new batches, so a
 * taken name goes by age alone there, and an ignored one stays. */
static int forgettable(const WFileSource *s, const Known *k, int64_t before, int64_t durable) {
    if (k->on_unstable || k->pending_pos >= 0) return 0;
    int gone = k->seen_gen < s->listed_gen;
    if (k->state == K_TAKEN)
        return k->mtime_ms < before && k->last_batch <= durable && k->last_batch < s->cur_batch &&
               (gone || s->manifest_mode);
    if (k->state == K_IGNORED) return gone && !s->manifest_mode;
    return 0;
}

/* Moves sweep_pos `budget` slots on, forgetting what it may on the way (each name is forgotten once, so
 * the removals cost O(1) a file taken, beside the budget); after each full turn, a table left mostly
 * empty is made smaller. */
static void forget_step(WFileSource *s, size_t budget) {
    int64_t before = forget_before(s, s->newest_mtime_ms), durable = atomic_load(&s->log_durable_to);
    while (budget > 0) {
        size_t i = s->sweep_pos;
        Known *k = s->slots[i];
        if (k && forgettable(s, k, before, durable)) {
            known_remove_at(s, i); /* a later name may have moved into slot i: looked at next */
            s->forgotten++;
            continue;
        }
        budget--;
        s->sweep_pos = (i + 1) & (s->n_slots - 1);
        if (s->sweep_pos == 0 && s->n_slots > 1024 && s->n_known * 8 < s->n_slots) {
            size_t n = 1024;
            while (n < s->n_known * 4) n *= 2;
            if (known_resize(s, n)) return; /* out of memory: the bigger table stays */
        }
    }
}

/* A segment job's forgetting: entries of files older than `before` leave the log, and the segment that
 * lost any says so in one {"forgetBefore":before} line (forget_line), written into *tail the first time. */
typedef struct LogForget {
    int64_t before;        /* INT64_MIN: nothing leaves */
    WBuf *tail;
    int recorded;
} LogForget;

/* 1 when the record is in *tail (written now or before); 0 when it could not be (the caller then keeps
 * what it would have dropped). */
static int record_forget(LogForget *f) {
    if (!f->recorded && !wbuf_printf(f->tail, "{\"forgetBefore\":%" PRId64 "}\n", f->before)) f->recorded = 1;
    return f->recorded;
}

/* The segments' merge filter (segments.h), on the lines of the older segments merged: an entry past the
 * age leaves, and so does an older forgetBefore line, replaced by the new record (not older: the age is
 * measured from the newest file taken, which only grows). A line that cannot be read stays, for a restart
 * to report. */
static int log_keep(void *user, const char *line, size_t len) {
    LogForget *f = user;
    int64_t start, size, mtime, batch;
    const char *name;
    size_t nlen;
    if (f->before == INT64_MIN || !len) return 1;
    if (fast_entry(line, len, &name, &nlen, &start, &size, &mtime, &batch) || forget_line(line, len, &mtime))
        return mtime >= f->before || !record_forget(f);
    WLogObj o;
    const char *what;
    size_t at;
    int keep = 1;
    if (wlogj_parse(line, len, &o, &what, &at) == 0 &&
        !(wlogj_get_i64(&o, "timestamp", &mtime) && wlogj_get_i64(&o, "forgetBefore", &mtime)))
        keep = mtime >= f->before || !record_forget(f);
    wlogj_fini(&o);
    return keep;
}

/* After commit N: every COMPACT_INTERVAL batches the entries since the last segment become a segment,
 * merged with the newest segments by the size-tiered rule of segments.h, so sources/0 holds O(log files
 * taken) segments and each entry is rewritten O(log files taken) times. Sizes, not batch counts, decide:
 * a first batch that took 100,000 files (a folder full when the query started) is not rewritten again and
 * again while small batches follow (it was, every time the number of batches doubled, when segments
 * merged by equal batch spans; its megabytes of fsync then stalled the batches' own fsyncs: figure 2 of
 * bench/stream_bench.sh).
 * The files are written by a worker thread (core/worker.h), off the batches' latency: the job gets the
 * entries (seg_entries), builds their text, merges it with the segments it would merge with and writes
 * the result once; it owns s->segs while it runs, and a later segment waits for it (write_segment). A
 * segment lost in a crash is rebuilt from offsets/, which the driver keeps until a durable segment holds
 * its batch (wsrc_log_durable_to). */
static int segment_job(void *arg, WErr *err) {
    WFileSource *s = arg;
    WSeg seg = s->seg_job;
    /* the new entries' text, built here rather than on the batches' path (a first batch may have taken a
     * folder of 100,000 files: tens of ms) */
    wbuf_reset(&s->seg_text);
    int rc = wbuf_puts(&s->seg_text, "v1\n") ? nomem(err) : WEIR_OK;
    wbuf_reset(&s->seg_tail);
    LogForget forget = {s->seg_forget_before, &s->seg_tail, 0};
    for (int i = 0; i < s->n_seg_entries && !rc; i++) {
        const Entry *e = &s->seg_entries[i];
        if (e->mtime_ms < forget.before && record_forget(&forget)) continue; /* past maxFileAge: leaves */
        if (entry_line(&s->seg_text, e)) rc = nomem(err);
    }
    /* the record goes with the new entries (where an unmerged segment has it) */
    if (!rc && forget.recorded && wbuf_append(&s->seg_text, s->seg_tail.data, s->seg_tail.len)) rc = nomem(err);
    wbuf_reset(&s->seg_tail);
    s->n_seg_entries = 0;
    if (rc) return rc;
    /* merged with the segments it would merge with and written once (each write is an fsync of the file
     * and one of the folder) */
    int k;
    WSeg merged;
    rc = wseg_write_merged(s->log_dir, s->segs, s->n_segs, &s->seg_text, seg.first, seg.last, log_keep, &forget,
                           &s->seg_tail, &k, &merged, err);
    if (!rc && !s->log_dir_synced) { /* the log folder's own name (the checkpoint leaves it to the log) */
        char *parent = wfs_dir_of(s->log_dir);
        rc = parent ? wfs_fsync_dir(parent, err) : nomem(err);
        free(parent);
        s->log_dir_synced = !rc;
    }
    if (rc) return rc;
    /* the merged file is durable: its inputs may go */
    wseg_remove(s->log_dir, s->segs + k, s->n_segs - k);
    WSeg *t = realloc(s->segs, (size_t)(k + 1) * sizeof *t);
    if (!t) return nomem(err);
    s->segs = t;
    s->segs[k] = merged;
    s->n_segs = k + 1;
    atomic_store(&s->log_durable_to, seg.last); /* offsets/ up to seg.last may go now */
    return WEIR_OK;
}

/* Starts the segment of the batches after seg_end up to last, unless the previous segment is still being
 * written: then its entries wait (in `recent`, and in offsets/, which the driver keeps until a durable
 * segment holds them: wsrc_log_durable_to) and the next commit tries again. Waiting here would stall the
 * batches behind a merge, or behind the one big segment of a first batch that took a full folder. */
static int write_segment(WFileSource *s, int64_t last, WErr *err) {
    int rc = WEIR_OK;
    if (s->seg_writer && wworker_pending(s->seg_writer)) {
        if (!wworker_done(s->seg_writer)) return WEIR_OK;
        rc = wworker_wait(s->seg_writer, err); /* collects its result */
    }
    if (!rc && !s->seg_writer && !(rc = wworker_open(&s->seg_writer, err))) wworker_set_background(s->seg_writer);
    if (rc) return rc;
    /* recent's entries go to the job (the arrays swap: no copy) */
    Entry *e = s->seg_entries;
    int cap = s->cap_seg_entries;
    s->seg_entries = s->recent;
    s->n_seg_entries = s->n_recent;
    s->cap_seg_entries = s->cap_recent;
    s->recent = e;
    s->cap_recent = cap;
    s->seg_job = (WSeg){s->seg_end + 1, last, 0, 0};
    s->seg_forget_before = forget_before(s, s->newest_taken_ms);
    if (s->seg_forget_before <= 0) s->seg_forget_before = INT64_MIN; /* the record's T is a canonical >= 0 */
    s->n_recent = 0;
    s->seg_end = last;
    return wworker_start(s->seg_writer, segment_job, s, err);
}

/* ---------------------------------------------------------------- open / close */

static int read_options(WFileSource *s, WErr *err) {
    WOpts *o = &s->opts;
    int rc = wopts_get_int(o, "maxFilesPerTrigger", 0, &s->max_files, err);
    const char *v;
    if (!rc && (v = wopts_get(o, "maxBytesPerTrigger"))) {
        /* bytes, with an optional unit: 10m, 1g, 512k */
        char *end;
        double x = strtod(v, &end);
        double mul = 1;
        if (*end == 'k' || *end == 'K') mul = 1024, end++;
        else if (*end == 'm' || *end == 'M') mul = 1024 * 1024, end++;
        else if (*end == 'g' || *end == 'G') mul = 1024.0 * 1024 * 1024, end++;
        if (*end == 'b' || *end == 'B') end++;
        if (end == v || *end || x < 0) rc = werr_msg(err, WEIR_MISUSE, "option maxBytesPerTrigger: '%s' is not a size", v);
        else s->max_bytes = (int64_t)(x * mul);
    }
    if (!rc) rc = wopts_get_bool(o, "latestFirst", 0, &s->latest_first, err);
    if (!rc) rc = wopts_get_bool(o, "recursiveFileLookup", 0, &s->recursive, err);
    s->max_file_age_ms = 7LL * 86400000;
    if (!rc && (v = wopts_get(o, "maxFileAge")) && wdur_parse_ms(v, &s->max_file_age_ms))
        rc = werr_msg(err, WEIR_MISUSE, "option maxFileAge: '%s' is not a duration (e.g. '7d', '1 hour')", v);
    s->rescan_ms = 10000;
    if (!rc && (v = wopts_get(o, "rescanInterval")) && wdur_parse_ms(v, &s->rescan_ms))
        rc = werr_msg(err, WEIR_MISUSE, "option rescanInterval: '%s' is not a duration", v);
    if (!rc && s->rescan_ms < 10) s->rescan_ms = 10;
    if (!rc) rc = wopts_get_int(o, "fileStableMs", 1000, &s->stable_ms, err);
    if (!rc && (v = wopts_get(o, "pathGlobFilter")) && !(s->glob = strdup(v))) rc = nomem(err);
    if (!rc && (v = wopts_get(o, "cleanSource"))) {
        if (!strcasecmp(v, "off")) s->clean_mode = 0;
        else if (!strcasecmp(v, "archive")) s->clean_mode = 1;
        else if (!strcasecmp(v, "delete")) s->clean_mode = 2;
        else rc = werr_msg(err, WEIR_MISUSE, "option cleanSource: '%s' is not off, archive or delete", v);
    }
    if (!rc && (v = wopts_get(o, "sourceArchiveDir")) && !(s->archive_dir = strdup(v))) rc = nomem(err);
    if (!rc && s->clean_mode == 1) {
        if (!s->archive_dir)
            rc = werr_msg(err, WEIR_MISUSE, "cleanSource 'archive' needs option sourceArchiveDir (the folder the "
                          "processed files are moved to)");
        else {
            size_t n = strlen(s->root);
            if (!strncmp(s->archive_dir, s->root, n) && (s->archive_dir[n] == '/' || !s->archive_dir[n]))
                rc = werr_msg(err, WEIR_MISUSE, "sourceArchiveDir '%s' is inside the source folder '%s': the archived "
                              "files would be read again; choose a folder outside it", s->archive_dir, s->root);
        }
    }
    if (!rc && (v = wopts_get(o, "badRecordsPath")) && !(s->bad_path = strdup(v))) rc = nomem(err);
    if (!rc && s->max_files < 0) rc = werr_msg(err, WEIR_MISUSE, "option maxFilesPerTrigger must be positive");
    if (!rc) rc = wopts_get_bool(o, "header", 0, &s->csv_header, err);
    if (!rc) rc = wopts_get_int(o, "decodeThreads", 2, &s->decode_threads, err);
    return rc;
}

static void on_bad_record(void *user, const WBadRecord *r) {
    Decoder *d = user;
    d->bad_count++;
    if (!d->s->bad_path) return;
    WBuf *b = &d->bad;
    const char *p = r->path && *r->path ? r->path : (d->cur_file ? d->cur_file : "");
    int rc = wbuf_putc(b, '{');
    if (!rc) rc = wlogj_put_field_str(b, "path", p, strlen(p));
    if (!rc) rc = wbuf_printf(b, ",\"line\":%" PRId64 ",\"offset\":%" PRId64 ",", r->line, r->offset);
    if (!rc) rc = wlogj_put_field_str(b, "reason", r->reason ? r->reason : "", r->reason ? strlen(r->reason) : 0);
    if (!rc) rc = wbuf_putc(b, ',');
    if (!rc) rc = wlogj_put_field_str(b, "record", r->raw ? r->raw : "", r->raw ? r->raw_len : 0);
    if (!rc) rc = wbuf_puts(b, "}\n");
    (void)rc;
}

static int dec_open(WFileSource *s, Decoder *d, WErr *err) {
    d->s = s;
    int rc = WEIR_OK;
    if (!strcasecmp(s->format, "json")) {
        rc = wjson_reader_open(s->schema, &s->opts, &d->json, err);
        if (!rc) wjson_reader_on_bad_record(d->json, on_bad_record, d);
    }
    if (!rc && !strcasecmp(s->format, "csv")) {
        rc = wcsv_reader_open(s->schema, &s->opts, &d->csv, err);
        if (!rc) wcsv_reader_on_bad_record(d->csv, on_bad_record, d);
        if (!rc && s->csv_header) {
            /* continuations of a growing CSV file start mid-file, without a header */
            WOpts o2;
            wopts_init(&o2);
            for (int i = 0; !rc && i < s->opts.n; i++)
                if (wopts_set(&o2, s->opts.items[i].name, s->opts.items[i].value)) rc = nomem(err);
            if (!rc && wopts_set(&o2, "header", "false")) rc = nomem(err);
            if (!rc) rc = wcsv_reader_open(s->schema, &o2, &d->csv_nohdr, err);
            if (!rc) wcsv_reader_on_bad_record(d->csv_nohdr, on_bad_record, d);
            wopts_fini(&o2);
        }
    }
    return rc;
}

static void dec_close(Decoder *d) {
    wjson_reader_close(d->json);
    wcsv_reader_close(d->csv);
    wcsv_reader_close(d->csv_nohdr);
    wbuf_fini(&d->bad);
    wbuf_fini(&d->data);
    d->json = NULL;
    d->csv = d->csv_nohdr = NULL;
}

int wsrc_open(const WFileSourceConfig *cfg, WCkpt *ck, WFileSource **out, WErr *err) {
    *out = NULL;
    WFileSource *s = calloc(1, sizeof *s);
    if (!s) return nomem(err);
    s->ino = -1;
    s->cur_batch = -1;
    s->seg_end = -1;
    s->forgot_before_ms = INT64_MIN;
    atomic_init(&s->log_durable_to, -1);
    wbuf_init(&s->seg_text);
    wbuf_init(&s->seg_tail);
    s->manifest_wd = -1;
    s->manifest_seen = -1;
    wopts_init(&s->opts);
    wbuf_init(&s->main_dec.bad);
    wbuf_init(&s->main_dec.data);
    wbuf_init(&s->helper_dec.bad);
    wbuf_init(&s->helper_dec.data);
    int rc = WEIR_OK;
    size_t rl = strlen(cfg->path);
    while (rl > 1 && cfg->path[rl - 1] == '/') rl--;
    s->root = strndup(cfg->path, rl);
    s->log_dir = strdup(wckpt_sources_dir(ck));
    s->query_name = strdup(cfg->query_name ? cfg->query_name : "query");
    s->format = strdup(cfg->format);
    s->schema = cfg->schema;
    s->n_slots = 1024;
    s->slots = calloc(s->n_slots, sizeof *s->slots);
    if (!s->root || !s->log_dir || !s->query_name || !s->format || !s->slots) rc = nomem(err);
    if (!rc) {
        size_t n = strlen(s->root) + 32;
        s->desc = malloc(n);
        if (!s->desc) rc = nomem(err);
        else snprintf(s->desc, n, "FileStreamSource[%s]", s->root);
    }
    for (int i = 0; !rc && i < cfg->opts->n; i++)
        if (wopts_set(&s->opts, cfg->opts->items[i].name, cfg->opts->items[i].value)) rc = nomem(err);
    if (!rc && !wopts_get(&s->opts, "timeZone") && cfg->time_zone && wopts_set(&s->opts, "timeZone", cfg->time_zone))
        rc = nomem(err);
    if (!rc) rc = read_options(s, err);
    if (!rc && strcasecmp(s->format, "json") && strcasecmp(s->format, "csv") && strcasecmp(s->format, "parquet"))
        rc = werr_msg(err, WEIR_UNSUPPORTED, "unsupported: a '%s' folder cannot be read as a stream (json, csv and "
                      "parquet can)", s->format);
    if (!rc) rc = dec_open(s, &s->main_dec, err);
    if (!rc) {
        if (wbatch_init(&s->chunk, s->schema)) rc = nomem(err);
        else s->chunk_init = 1;
    }
    if (!rc) {
        struct stat st;
        if (stat(s->root, &st) != 0 || !S_ISDIR(st.st_mode)) {
            /* Spark fails on a missing source folder; weir creates it, so a reader may start first (the seed's
             * README: "the order of execution does not matter") */
            rc = wfs_mkdirs(s->root, err);
        }
    }
    if (!rc) rc = wfs_mkdirs(s->log_dir, err);
    if (!rc) rc = wfs_remove_temps(s->log_dir, err);
    /* the log: every taken name, and the entries of the last planned batch kept at hand for a re-run */
    if (!rc) {
        s->cur_batch = wckpt_last_planned(ck);
        s->last_committed = wckpt_last_committed(ck);
        rc = read_log(ck, s->log_dir, load_entry, s, &s->forgot_before_ms, &s->seg_end, &s->segs, &s->n_segs, 1, err);
        atomic_store(&s->log_durable_to, s->seg_end);
        int k = 0;
        for (int i = 0; i < s->n_recent; i++)
            if (s->recent[i].batch > s->seg_end) s->recent[k++] = s->recent[i];
        s->n_recent = k;
    }
    if (!rc) {
        s->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        rc = add_watch(s, "", err);
    }
    /* one listing at start finds what landed while the query was down; taken names are only looked up */
    if (!rc && start_rescan(s)) rc = nomem(err);
    if (!rc) s->manifest_mode = wmanifest_exists(s->root);
    while (!rc && s->scanning) rc = scan_step(s, 1 << 30, err);
    if (!rc && s->manifest_mode) rc = read_upstream_manifest(s, err);
    if (!rc) { /* a whole turn, once the listing has seen what is there: names the log kept that may go */
        s->sweep_pos = 0;
        forget_step(s, s->n_slots);
    }
    if (rc) {
        wsrc_close(s);
        return rc;
    }
    *out = s;
    return WEIR_OK;
}

void wsrc_close(WFileSource *s) {
    if (!s) return;
    wworker_close(s->seg_writer); /* first: the job uses segs, seg_text and the Knowns of seg_entries */
    for (size_t i = 0; s->slots && i < s->n_slots; i++) free(s->slots[i]);
    free(s->slots);
    free(s->pending);
    free(s->unstable);
    free(s->cur);
    free(s->cur_view);
    free(s->recent);
    free(s->seg_entries);
    wbuf_fini(&s->seg_text);
    wbuf_fini(&s->seg_tail);
    free(s->segs);
    for (int i = 0; i < s->n_watches; i++) free(s->watches[i].rel);
    free(s->watches);
    if (s->ino >= 0) close(s->ino);
    for (int i = 0; i < s->n_scan_queue; i++) free(s->scan_queue[i]);
    free(s->scan_queue);
    if (s->scan_dir) closedir(s->scan_dir);
    free(s->scan_rel);
    dec_close(&s->main_dec);
    dec_close(&s->helper_dec);
    if (s->chunk_init) wbatch_fini(&s->chunk);
    wopts_fini(&s->opts);
    free(s->root);
    free(s->log_dir);
    free(s->query_name);
    free(s->desc);
    free(s->format);
    free(s->glob);
    free(s->archive_dir);
    free(s->bad_path);
    free(s);
}

/* ---------------------------------------------------------------- planning */

static int cmp_oldest(const void *a, const void *b) {
    const Known *x = *(Known *const *)a, *y = *(Known *const *)b;
    if (x->mtime_ms != y->mtime_ms) return x->mtime_ms < y->mtime_ms ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int cmp_newest(const void *a, const void *b) { return cmp_oldest(b, a); }

int wsrc_plan(WFileSource *s, int64_t batch_id, int no_limits, int *n_files, WBuf *lines, WErr *err) {
    *n_files = 0;
    if (s->n_pending == 0) return WEIR_OK;
    /* maxFileAge is measured from the newest file seen, as in Spark (forget_before) */
    int64_t too_old = forget_before(s, s->newest_mtime_ms);
    for (int i = 0; too_old != INT64_MIN && i < s->n_pending;) {
        Known *k = s->pending[i];
        if (k->taken_end == 0 && k->mtime_ms < too_old) {
            pending_remove(s, k);
            k->state = K_IGNORED;
            continue;
        }
        i++;
    }
    if (s->n_pending == 0) return WEIR_OK;
    qsort(s->pending, (size_t)s->n_pending, sizeof *s->pending, s->latest_first ? cmp_newest : cmp_oldest);
    for (int i = 0; i < s->n_pending; i++) s->pending[i]->pending_pos = i;
    int take = s->n_pending;
    /* Files are taken in the order they were written: a ready file waits while an older one (found by a
     * listing, e.g. after a restart) is still settling, for at most 3 x fileStableMs, so that a restart
     * does not change the order rows reach the query (and with it which rows are late). */
    if (!s->latest_first) {
        int64_t hold = INT64_MAX, now = wtime_mono_us() / 1000;
        for (int i = 0; i < s->n_unstable; i++) {
            const Known *u = s->unstable[i];
            if (u->state == K_UNSTABLE && now - u->first_unstable_ms < 3 * s->stable_ms && u->mtime_ms < hold)
                hold = u->mtime_ms;
        }
        int t = 0;
        while (t < take && s->pending[t]->mtime_ms < hold) t++;
        take = t;
        if (take == 0) return WEIR_OK;
    }
    if (!no_limits && s->max_files > 0 && take > s->max_files) take = (int)s->max_files;
    if (!no_limits && s->max_bytes > 0) {
        int64_t bytes = 0;
        int t = 0;
        while (t < take) {
            int64_t sz = s->pending[t]->size - s->pending[t]->taken_end;
            if (t > 0 && bytes + sz > s->max_bytes) break;
            bytes += sz;
            t++;
        }
        take = t;
    }
    s->n_cur = 0;
    s->cur_batch = batch_id;
    for (int i = 0; i < take; i++) {
        Known *k = s->pending[i];
        if (push_entry(&s->cur, &s->n_cur, &s->cap_cur, (Entry){k, k->taken_end, k->size, k->mtime_ms, batch_id}))
            return nomem(err);
    }
    /* the caller logs these lines in offsets/N, durably, before any output of N */
    for (int i = 0; i < s->n_cur; i++)
        if (entry_line(lines, &s->cur[i])) return nomem(err);
    /* remove the taken ones from pending (from the back so positions stay valid) */
    for (int i = take - 1; i >= 0; i--) {
        Known *k = s->pending[i];
        pending_remove(s, k);
        k->state = K_TAKEN;
        k->taken_end = k->size;
        k->last_batch = batch_id;
    }
    *n_files = take;
    return WEIR_OK;
}

int wsrc_batch_files(WFileSource *s, int64_t batch_id, const WSrcFile **files, int *n, WErr *err) {
    if (batch_id != s->cur_batch)
        return werr_msg(err, WEIR_MISUSE, "the files of batch %" PRId64 " are not at hand (last planned %" PRId64 ")",
                        batch_id, s->cur_batch);
    free(s->cur_view);
    s->cur_view = calloc((size_t)(s->n_cur ? s->n_cur : 1), sizeof *s->cur_view);
    if (!s->cur_view) return nomem(err);
    for (int i = 0; i < s->n_cur; i++)
        s->cur_view[i] = (WSrcFile){s->cur[i].k->name, s->cur[i].start, s->cur[i].end, s->cur[i].mtime_ms,
                                    s->cur[i].batch};
    *files = s->cur_view;
    *n = s->n_cur;
    return WEIR_OK;
}

/* ---------------------------------------------------------------- reading */

/* A whole file that cannot be read: reported, counted, dead-lettered; the batch goes on. */
static void bad_file(Decoder *d, const char *path, const char *reason, WSrcBatchStats *st) {
    fprintf(stderr, "weir: %s: %s: skipped (%s)\n", d->s->query_name, path, reason);
    st->files_skipped++;
    WBadRecord r = {path, 0, 0, reason, "", 0};
    int64_t before = d->bad_count;
    on_bad_record(d, &r);
    d->bad_count = before; /* counted as a skipped file, not as a malformed record */
}

/* Opens a file to read [start, end) of it: the fd, or -1 with the reason in *why. */
static int open_range(const char *path, int64_t end, const char **why, char *whybuf, size_t whycap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(whybuf, whycap, "%s", errno == ENOENT ? "the file was deleted after it was found" : strerror(errno));
        *why = whybuf;
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *why = "not a regular file";
        return -1;
    }
    if ((int64_t)st.st_size < end) {
        close(fd);
        snprintf(whybuf, whycap, "the file shrank after it was planned (%" PRId64 " bytes, %" PRId64 " expected)",
                 (int64_t)st.st_size, end);
        *why = whybuf;
        return -1;
    }
    return fd;
}

/* Reads [start, end) of a file into buf; 0, or -1 with errno-based reason in *why. */
static int read_range(const char *path, int64_t start, int64_t end, WBuf *buf, const char **why, char *whybuf,
                      size_t whycap) {
    wbuf_reset(buf);
    int fd = open_range(path, end, why, whybuf, whycap);
    if (fd < 0) return -1;
    size_t want = (size_t)(end - start);
    if (wbuf_reserve(buf, want)) {
        close(fd);
        *why = "out of memory";
        return -1;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t r = pread(fd, buf->data + got, want - got, (off_t)(start + (int64_t)got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            snprintf(whybuf, whycap, "read failed: %s", r < 0 ? strerror(errno) : "unexpected end of file");
            *why = whybuf;
            close(fd);
            return -1;
        }
        got += (size_t)r;
    }
    buf->len = got;
    close(fd);
    return 0;
}

/* CSV files are not read whole: the decoder asks for the range [at, end) piece by piece into its own
 * buffer of a few hundred KB (wcsv_begin_stream). A big file then costs no big allocation, whose page
 * faults cost more than the copy itself, and its bytes are decoded while they are still in the cache. */
typedef struct FileFeed {
    int fd;
    int64_t at, end;
    int failed;      /* a read failed: the file is reported as bad, the rows before stay */
    char why[256];
} FileFeed;

static int file_fill(void *user, char *buf, size_t cap, size_t *got, WErr *err) {
    FileFeed *f = user;
    size_t want = (size_t)(f->end - f->at);
    if (want > cap) want = cap;
    *got = 0;
    while (want) {
        ssize_t r = pread(f->fd, buf, want, (off_t)f->at);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            f->failed = 1;
            snprintf(f->why, sizeof f->why, "read failed: %s", r < 0 ? strerror(errno) : "unexpected end of file");
            return werr_msg(err, WEIR_IO, "%s", f->why);
        }
        *got = (size_t)r;
        f->at += r;
        break;
    }
    return WEIR_OK;
}

/* Called when *chunk is full (or the input ends): hands it on and gives the decoder an empty one. */
typedef int (*ChunkFn)(void *user, WBatch **chunk, int last, WErr *err);

/* A Parquet file of the folder: its columns are matched to the table's by name (case-insensitive, as
 * Spark resolves them); a table column the file lacks is NULL, as Spark reads it. A file that is not
 * valid Parquet, or whose column has another type than the table's, is dead-lettered whole. */
static int decode_parquet(Decoder *d, const char *path, const char *data, size_t len, WSrcBatchStats *st,
                          WBatch **chunk, ChunkFn on_full, void *user, int flush_last, WErr *err) {
    WFileSource *s = d->s;
    WPqReader *r = NULL;
    WErr perr;
    werr_init(&perr);
    if (wpq_reader_open_mem(data, len, path, &r, &perr)) {
        bad_file(d, path, perr.msg, st);
        return flush_last ? on_full(user, chunk, 1, err) : WEIR_OK;
    }
    const WType *fs = wpq_reader_schema(r);
    int nf = s->schema->n_fields;
    int *map = malloc(sizeof *map * (size_t)(nf ? nf : 1));
    if (!map) {
        wpq_reader_close(r);
        return nomem(err);
    }
    char why[512] = "";
    for (int i = 0; i < nf && !why[0]; i++) {
        const WField *tf = &s->schema->fields[i];
        map[i] = wtype_field_index_ci(fs, tf->name, strlen(tf->name));
        if (map[i] >= 0 && !wtype_equal(&fs->fields[map[i]].type, &tf->type))
            snprintf(why, sizeof why, "column %s is %s in the file and %s in the table", tf->name,
                     wtype_name(fs->fields[map[i]].type.id), wtype_name(tf->type.id));
    }
    WBatch fb;
    int rc = WEIR_OK, have_fb = 0;
    if (why[0]) {
        bad_file(d, path, why, st);
    } else if (wbatch_init(&fb, fs)) {
        rc = nomem(err);
    } else {
        have_fb = 1;
        for (;;) {
            int64_t got = 0;
            werr_clear(&perr);
            if (wpq_reader_next(r, &fb, CHUNK_ROWS, &got, &perr)) {
                /* rows already handed on stay (they were read correctly); the rest of the file is reported */
                bad_file(d, path, perr.msg, st);
                break;
            }
            if (got == 0) break;
            for (int64_t row = 0; row < got && !rc; row++) {
                if (wbatch_rows(*chunk) >= CHUNK_ROWS && (rc = on_full(user, chunk, 0, err))) break;
                rc = wbatch_begin_row(*chunk);
                for (int i = 0; i < nf && !rc; i++)
                    rc = map[i] >= 0 ? wvec_append_from(wbatch_col(*chunk, i), &fb.root.children[map[i]], row)
                                     : wvec_append_null(wbatch_col(*chunk, i));
                if (rc == WEIR_NOMEM) rc = nomem(err);
            }
            if (rc) break;
        }
    }
    if (!rc && flush_last) rc = on_full(user, chunk, 1, err);
    if (have_fb) wbatch_fini(&fb);
    free(map);
    wpq_reader_close(r);
    return rc;
}

/* Decodes the range of one log entry, in chunks of at most CHUNK_ROWS rows; a file that cannot be read is
 * dead-lettered and skipped. The partial chunk at the end stays with the caller unless `flush_last`. */
static int decode_entry(Decoder *d, const Entry *e, WSrcBatchStats *st, WBatch **chunk, ChunkFn on_full, void *user,
                        int flush_last, WErr *err) {
    WFileSource *s = d->s;
    char *path = abs_path(s, e->k->name);
    if (!path) return nomem(err);
    const char *why;
    char whybuf[256];
    int rc = WEIR_OK;
    WCsvReader *csv = (e->start > 0 && d->csv_nohdr) ? d->csv_nohdr : d->csv;
    FileFeed feed = {-1, e->start, e->end, 0, ""};
    if (csv) {
        feed.fd = open_range(path, e->end, &why, whybuf, sizeof whybuf);
        if (feed.fd < 0) {
            bad_file(d, path, why, st);
            free(path);
            return flush_last ? on_full(user, chunk, 1, err) : WEIR_OK;
        }
        st->bytes_read += e->end - e->start;
    } else {
        if (read_range(path, e->start, e->end, &d->data, &why, whybuf, sizeof whybuf) != 0) {
            bad_file(d, path, why, st);
            free(path);
            return flush_last ? on_full(user, chunk, 1, err) : WEIR_OK;
        }
        st->bytes_read += (int64_t)d->data.len;
    }
    st->files_read++;
    d->cur_file = path;
    const char *data = d->data.data ? d->data.data : "";
    if (!strcasecmp(s->format, "parquet")) {
        rc = decode_parquet(d, path, data, d->data.len, st, chunk, on_full, user, flush_last, err);
        d->cur_file = NULL;
        free(path);
        return rc;
    }
    if (d->json) wjson_begin(d->json, path, data, d->data.len);
    if (csv) wcsv_begin_stream(csv, path, file_fill, &feed);
    int done = 0;
    while (!done && !rc) {
        int64_t room = CHUNK_ROWS - wbatch_rows(*chunk);
        rc = d->json ? wjson_next(d->json, *chunk, room, &done, err) : wcsv_next(csv, *chunk, room, &done, err);
        if (rc && feed.failed) {
            /* the rows decoded before the failed read stay (as with a Parquet file); the rest is reported */
            werr_clear(err);
            bad_file(d, path, feed.why, st);
            rc = WEIR_OK;
            done = 1;
            if (flush_last) rc = on_full(user, chunk, 1, err);
            break;
        }
        if (!rc && (wbatch_rows(*chunk) >= CHUNK_ROWS || (done && flush_last)))
            rc = on_full(user, chunk, done, err);
    }
    if (feed.fd >= 0) close(feed.fd);
    d->cur_file = NULL;
    free(path);
    return rc;
}

/* The driver's thread: chunks go straight to the caller's callback. */
typedef struct Direct {
    WSrcRowsFn fn;
    void *user;
    WSrcBatchStats *st;
} Direct;

static int direct_full(void *user, WBatch **chunk, int last, WErr *err) {
    (void)last;
    Direct *dc = user;
    if (wbatch_rows(*chunk) == 0) return WEIR_OK;
    dc->st->rows += wbatch_rows(*chunk);
    int rc = dc->fn(dc->user, *chunk, err);
    wbatch_reset(*chunk);
    return rc;
}

/* The helper thread decodes every other file of a big batch while the driver's thread decodes, projects
 * and writes the others; it hands over one chunk at a time (so memory stays at two chunks), and the driver
 * takes them in file order, so a batch's output and dead letters come out in the same order every run. */
typedef struct Helper {
    WFileSource *s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    WBatch bufs[2];          /* the helper fills one while the other waits in the slot */
    int work;                /* index of bufs the helper fills */
    int slot_full;           /* bufs[1 - work] holds a chunk for the driver */
    int slot_file;           /* its file index */
    int slot_last;           /* it is the last chunk of that file */
    WBuf slot_bad;           /* with the last chunk: that file's dead letters */
    WSrcBatchStats st;       /* the helper's counts (read after join) */
    int rc;
    WErr err;
    int cancel;
    int cur_file;            /* file being decoded by the helper */
} Helper;

static int helper_full(void *user, WBatch **chunk, int last, WErr *err) {
    (void)err;
    Helper *h = user;
    pthread_mutex_lock(&h->mu);
    while (h->slot_full && !h->cancel) pthread_cond_wait(&h->cv, &h->mu);
    if (h->cancel) {
        pthread_mutex_unlock(&h->mu);
        return WEIR_ABORT;
    }
    h->slot_full = 1;
    h->slot_file = h->cur_file;
    h->slot_last = last;
    if (last) {
        /* this file's dead letters travel with its last chunk */
        WBuf t = h->slot_bad;
        h->slot_bad = h->s->helper_dec.bad;
        h->s->helper_dec.bad = t;
        wbuf_reset(&h->s->helper_dec.bad);
    }
    h->work = 1 - h->work;
    *chunk = &h->bufs[h->work];
    wbatch_reset(*chunk);
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return WEIR_OK;
}

static void *helper_main(void *arg) {
    Helper *h = arg;
    WFileSource *s = h->s;
    int rc = WEIR_OK;
    WBatch *chunk = &h->bufs[h->work];
    for (int i = 1; i < s->n_cur && !rc; i += 2) {
        h->cur_file = i;
        rc = decode_entry(&s->helper_dec, &s->cur[i], &h->st, &chunk, helper_full, h, 1, &h->err);
    }
    pthread_mutex_lock(&h->mu);
    h->rc = rc;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* Waits for the helper's chunks of file i and passes them on. */
static int take_helper_file(Helper *h, int i, Direct *dc, WBuf *bad, WErr *err) {
    int rc = WEIR_OK;
    for (;;) {
        pthread_mutex_lock(&h->mu);
        while (!(h->slot_full && h->slot_file == i) && !h->rc) pthread_cond_wait(&h->cv, &h->mu);
        if (!(h->slot_full && h->slot_file == i)) {
            rc = h->rc;
            pthread_mutex_unlock(&h->mu);
            if (rc == WEIR_ABORT) return rc;
            werr_set(err, h->err.code, h->err.path[0] ? h->err.path : NULL, h->err.offset, h->err.line, h->err.col,
                     "%s", h->err.msg);
            return rc;
        }
        WBatch *b = &h->bufs[1 - h->work];
        int last = h->slot_last;
        pthread_mutex_unlock(&h->mu);
        /* the helper fills the other buffer meanwhile */
        if (wbatch_rows(b) > 0) {
            dc->st->rows += wbatch_rows(b);
            rc = dc->fn(dc->user, b, err);
        }
        pthread_mutex_lock(&h->mu);
        if (last && !rc && h->slot_bad.len && wbuf_append(bad, h->slot_bad.data, h->slot_bad.len)) rc = nomem(err);
        wbuf_reset(&h->slot_bad);
        h->slot_full = 0;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
        if (rc || last) return rc;
    }
}

int wsrc_read_batch(WFileSource *s, int64_t batch_id, WSrcRowsFn fn, void *user, WSrcBatchStats *st, WErr *err) {
    memset(st, 0, sizeof *st);
    if (batch_id != s->cur_batch)
        return werr_msg(err, WEIR_MISUSE, "the files of batch %" PRId64 " are not at hand", batch_id);
    Decoder *d = &s->main_dec;
    wbuf_reset(&d->bad);
    int64_t bad0 = d->bad_count + s->helper_dec.bad_count;
    int rc = WEIR_OK;
    wbatch_reset(&s->chunk);
    WBatch *chunk = &s->chunk;
    Direct dc = {fn, user, st};
    /* a second decoding thread pays off for batches of several files with real work in them */
    int64_t bytes = 0;
    for (int i = 0; i < s->n_cur; i++) bytes += s->cur[i].end - s->cur[i].start;
    int parallel = s->decode_threads > 1 && s->n_cur >= 4 && bytes >= (1 << 20);
    if (parallel && !s->helper_ready) {
        rc = dec_open(s, &s->helper_dec, err);
        if (!rc) s->helper_ready = 1;
        else parallel = 0;
    }
    Helper h;
    pthread_t th;
    int started = 0;
    if (!rc && parallel) {
        memset(&h, 0, sizeof h);
        h.s = s;
        pthread_mutex_init(&h.mu, NULL);
        pthread_cond_init(&h.cv, NULL);
        wbuf_init(&h.slot_bad);
        werr_init(&h.err);
        wbuf_reset(&s->helper_dec.bad);
        if (wbatch_init(&h.bufs[0], s->schema) || wbatch_init(&h.bufs[1], s->schema)) rc = nomem(err);
        else if (pthread_create(&th, NULL, helper_main, &h) == 0) started = 1;
        else parallel = 0;
    }
    for (int i = 0; i < s->n_cur && !rc; i++) {
        s->files_opened++;
        if (started && (i & 1)) {
            /* keep file order: what the driver's thread holds goes first */
            rc = direct_full(&dc, &chunk, 0, err);
            if (!rc) rc = take_helper_file(&h, i, &dc, &d->bad, err);
        } else {
            rc = decode_entry(d, &s->cur[i], st, &chunk, direct_full, &dc, 0, err);
        }
    }
    if (!rc) rc = direct_full(&dc, &chunk, 1, err);
    if (started) {
        pthread_mutex_lock(&h.mu);
        h.cancel = 1;
        pthread_cond_broadcast(&h.cv);
        pthread_mutex_unlock(&h.mu);
        pthread_join(th, NULL);
        st->files_read += h.st.files_read;
        st->files_skipped += h.st.files_skipped;
        st->bytes_read += h.st.bytes_read;
    }
    if (parallel) {
        wbatch_fini(&h.bufs[0]);
        wbatch_fini(&h.bufs[1]);
        wbuf_fini(&h.slot_bad);
        pthread_mutex_destroy(&h.mu);
        pthread_cond_destroy(&h.cv);
    }
    st->bad_records = d->bad_count + s->helper_dec.bad_count - bad0;
    if (!rc && s->bad_path && d->bad.len > 0) {
        char path[4096];
        rc = wfs_mkdirs(s->bad_path, err);
        snprintf(path, sizeof path, "%s/bad-%s-%" PRId64 ".jsonl", s->bad_path, s->query_name, batch_id);
        if (!rc) rc = wfs_write_atomic(path, d->bad.data, d->bad.len, err);
    }
    return rc;
}

/* ---------------------------------------------------------------- after commit */

int wsrc_cleans_source(const WFileSource *s) { return s->clean_mode != 0; }

int wsrc_after_commit(WFileSource *s, int64_t batch_id, WErr *err) {
    int rc = WEIR_OK;
    if (s->clean_mode && batch_id == s->cur_batch) {
        for (int i = 0; i < s->n_cur && !rc; i++) {
            char *src = abs_path(s, s->cur[i].k->name);
            if (!src) return nomem(err);
            if (s->clean_mode == 2) {
                if (unlink(src) != 0 && errno != ENOENT)
                    fprintf(stderr, "weir: cleanSource: cannot delete %s: %s\n", src, strerror(errno));
            } else {
                size_t n = strlen(s->archive_dir) + strlen(s->cur[i].k->name) + 2;
                char *dst = malloc(n);
                if (!dst) {
                    free(src);
                    return nomem(err);
                }
                snprintf(dst, n, "%s/%s", s->archive_dir, s->cur[i].k->name);
                char *slash = strrchr(dst, '/');
                *slash = 0;
                WErr e2;
                werr_init(&e2);
                int r2 = wfs_mkdirs(dst, &e2);
                *slash = '/';
                if (!r2 && rename(src, dst) != 0 && errno != ENOENT)
                    fprintf(stderr, "weir: cleanSource: cannot move %s to %s: %s\n", src, dst, strerror(errno));
                else if (r2) fprintf(stderr, "weir: cleanSource: %s\n", e2.msg);
                free(dst);
            }
            free(src);
        }
    }
    /* the batch's entries join the next segment */
    if (!rc && batch_id == s->cur_batch && batch_id > s->last_committed) {
        for (int i = 0; i < s->n_cur && !rc; i++) {
            if (push_entry(&s->recent, &s->n_recent, &s->cap_recent, s->cur[i])) rc = nomem(err);
            if (s->cur[i].mtime_ms > s->newest_taken_ms) s->newest_taken_ms = s->cur[i].mtime_ms;
        }
        s->last_committed = batch_id;
    }
    if (!rc && batch_id - s->seg_end >= COMPACT_INTERVAL) rc = write_segment(s, batch_id, err);
    /* a few slots a batch, more when batches take many files, so the sweep keeps up with what is taken */
    if (!rc) forget_step(s, 256 + 8 * (size_t)s->n_cur);
    return rc;
}

int64_t wsrc_log_durable_to(WFileSource *s) { return atomic_load(&s->log_durable_to); }

int wsrc_log_wait(WFileSource *s) {
    if (!s->seg_writer || !wworker_pending(s->seg_writer)) return WEIR_OK;
    return wworker_wait(s->seg_writer, NULL);
}

/* ---------------------------------------------------------------- reading a log for inspect */

typedef struct InspectCtx {
    WSrcLogFn fn;
    void *user;
} InspectCtx;

static int inspect_entry(void *user, const char *name, size_t name_len, int64_t start, int64_t end, int64_t mtime,
                         int64_t batch) {
    InspectCtx *c = user;
    char *nm = strndup(name, name_len);
    if (!nm) return WEIR_NOMEM;
    WSrcFile f = {nm, start, end, mtime, batch};
    int rc = c->fn(c->user, &f);
    free(nm);
    return rc;
}

int wsrc_log_read(WCkpt *ck, WSrcLogFn fn, void *user, WErr *err) {
    InspectCtx c = {fn, user};
    return read_log(ck, wckpt_sources_dir(ck), inspect_entry, &c, NULL, NULL, NULL, NULL, 0, err);
}
