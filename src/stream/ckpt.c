/*
 * ckpt.c - the checkpoint folder (see ckpt.h).
 *
 * Exactly-once rests on these invariants, which the driver (stream/driver.c) relies on:
 *   (0) a new checkpoint (metadata, folders) is durable before its first plan is written (finish_creation);
 *   (1) offsets/N exists before any output of batch N is written, and never changes afterwards;
 *   (2) commits/N is written only after all output of N is durable, and only when offsets/N exists (a
 *       sink may leave its record of N, the manifest entry, to become durable after: sink.h, sync; the
 *       driver repairs it at start from its text in offsets/N+1, or by running N again);
 *   (3) offsets/N+1 is written only after commits/N: at most one batch is planned but not committed;
 *   (4) each entry appears whole or not at all (temp + rename; offsets with fsyncs of file and folder),
 *       or, when made ahead (wckpt_make_ahead: the entries of the next few batches made while a batch
 *       runs, empty or reused from retention's old entries, the offsets' names made durable then), holds
 *       nothing of its batch until one write fills it whole; an offsets entry is then fdatasynced. Every
 *       entry carries a seal (its batch id and a crc32, below), so a reused entry, which keeps its old
 *       batch's text until filled, never reads as its new batch's. A fill is a single write; a crash of
 *       the machine during its fdatasync can leave the entry empty, cut (zeros, no final newline) or torn
 *       between its old text and the new (the crc tells). An entry that holds nothing of its batch never
 *       counts: the open removes such a last offsets entry (that batch was not planned: no output of it
 *       was committed, since that waits for the fdatasync), a cut or torn one when its batch has no
 *       commit entry (for the same reason), and those above the last planned batch in both logs.
 * commits/N is not fsynced (ckpt.h says why), so after a crash of the machine (not of the process: the
 * page cache survives kill -9) commit entries may be missing or empty. The open reads the logs so:
 *   - a batch below the last planned one is committed, whatever its commit entry says: by (3), offsets/N+1
 *     exists only because N was committed, and offsets/N+1 carries N's next watermark;
 *   - the last planned batch is committed when its commit entry reads back whole; an empty or torn one
 *     is removed and the batch runs again (the sink then skips it);
 *   - a commit entry above the last planned batch is a damaged checkpoint (offsets are fsynced), unless
 *     it is empty (made ahead).
 * Retention removes old entries from the oldest up, so the numbers present are always one range.
 */
#include "stream/ckpt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/fs.h"
#include "stream/logjson.h"

#define PROGRESS_SEGMENT 100 /* batches per progress segment file */
#define PROGRESS_SEGMENTS_KEPT 3

struct WCkpt {
    char *dir;
    char *offsets_dir;
    char *commits_dir;
    char *sources_dir;
    char *progress_dir;
    char id[64];
    int64_t last_planned;
    int64_t last_committed;
    int64_t oldest;
    int readonly;
    int lock_fd;     /* <dir>/.lock, flock'ed while the checkpoint is open for writing; -1 */
    /* offsets/K and commits/K for last_planned < K <= ahead_upto exist empty, the offsets' names durable
     * (wckpt_make_ahead, on any thread: ahead_upto is atomic; -1: none). pending_* belong to the thread
     * that writes the offsets;
     * the sync of offsets/N hands commits/N over (commit_ready = N) to wckpt_write_commit, on the driver's
     * thread after it waited for that sync. */
    _Atomic int64_t ahead_upto;
    int64_t commit_ready;
    int pending_fd;  /* offsets/pending_id filled by wckpt_put_offsets, not yet synced; -1 */
    int64_t pending_id;
    struct WFilePool *pool; /* spare files for offsets/ and commits/, or NULL */
    /* A new checkpoint is made durable with its first plan, not when it opens (finish_creation): its
     * folders' parents to fsync, and `metadata` (in place, not yet synced: meta_pending). The driver's
     * start then overlaps these fsyncs with opening the source and sink and reading the batch. */
    int creating, meta_pending;
    WDirSync creation;
};

static char *join(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%s", a, b);
    return s;
}

static int corrupt(WErr *err, const char *path, int64_t line, const char *what) {
    return werr_set(err, WEIR_CORRUPT, path, -1, line, -1,
                    "damaged checkpoint file: %s. The checkpoint cannot be trusted: restore it from a backup, "
                    "or delete the checkpoint folder to start over (every input file will then be read again)",
                    what);
}

/* Scans a log folder for entries named by a batch number; sets lo and hi (-1 when none). */
static int scan_numbers(const char *dir, int64_t *lo, int64_t *hi, WErr *err) {
    *lo = *hi = -1;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return WEIR_OK;
        return werr_set(err, WEIR_IO, dir, -1, -1, -1, "cannot open the checkpoint folder: %s", strerror(errno));
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *s = e->d_name;
        if (!*s || s[0] == '.') continue;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (*end || errno || v < 0 || !(s[0] >= '0' && s[0] <= '9')) continue;
        if (*hi < 0 || v > *hi) *hi = v;
        if (*lo < 0 || v < *lo) *lo = v;
    }
    closedir(d);
    return WEIR_OK;
}

void wckpt_new_uuid(char out[37]) {
    unsigned char r[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, r, sizeof r) : -1;
    if (fd >= 0) close(fd);
    if (got != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid() << 40;
        for (int i = 0; i < 16; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            r[i] = (unsigned char)(x >> 56);
        }
    }
    r[6] = (unsigned char)((r[6] & 0x0F) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3F) | 0x80);
    static const char hx[] = "0123456789abcdef";
    int k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[k++] = '-';
        out[k++] = hx[r[i] >> 4];
        out[k++] = hx[r[i] & 15];
    }
    out[k] = 0;
}

/* Appends the text after the version line "v1" (len bytes at data, of the file path) to out. */
static int after_version(const char *path, const char *data, size_t len, WBuf *out, WErr *err) {
    if (len < 3 || memcmp(data, "v1\n", 3) != 0)
        return corrupt(err, path, 1, len >= 2 && data[0] == 'v' ? "unknown log version (weir writes v1)"
                                                                : "the first line is not the version line 'v1'");
    return wbuf_append(out, data + 3, len - 3) ? werr_msg(err, WEIR_NOMEM, "out of memory") : WEIR_OK;
}

int wckpt_read_log_file(const char *path, WBuf *out, int *missing, WErr *err) {
    WBuf raw;
    wbuf_init(&raw);
    int miss = 0;
    int rc = wfs_read_file(path, &raw, missing ? &miss : NULL, err);
    if (rc == WEIR_OK && miss) {
        *missing = 1;
        wbuf_fini(&raw);
        return WEIR_OK;
    }
    if (missing) *missing = 0;
    if (rc == WEIR_OK) rc = after_version(path, raw.data ? raw.data : "", raw.len, out, err);
    wbuf_fini(&raw);
    return rc;
}

/* Sealed entries. Every offsets/N and commits/N is written as its text, a seal line and padding:
 *     v1\n...\n{"batchId":N,"crc32":"89abcdef"}\n<spaces>\n
 * The crc32 (zlib's) covers every byte before the seal line; the padding (at least the final newline)
 * makes the file a multiple of ENTRY_ROUND bytes, and never shorter than the file it overwrites. The seal
 * lets retention's old entries be reused for the entries made ahead (wckpt_make_ahead): renamed, not
 * removed and created, and filled by overwriting their bytes in place, with the same length, so that the
 * fill allocates nothing (its fdatasync writes the block and the inode, for its new mtime). A reused entry keeps its old batch's
 * text until it is filled: the seal's batchId tells it from a plan of this batch, and the crc a fill that
 * a crash of the machine tore between the old text and the new. Entries of an older weir have no seal
 * (they end with their last JSON line); they read as before and are never reused. */
#define ENTRY_ROUND 4096

typedef enum { ENTRY_UNFILLED, ENTRY_CUT, ENTRY_WHOLE } EntryState;

/* Appends the seal of batch n and the padding to the entry's text in b (see above). */
static int seal_entry(WBuf *b, int64_t n, size_t min_size) {
    unsigned long crc = crc32_z(0L, (const Bytef *)(b->data ? b->data : ""), b->len);
    if (wbuf_printf(b, "{\"batchId\":%" PRId64 ",\"crc32\":\"%08lx\"}\n", n, crc & 0xffffffffUL)) return -1;
    size_t size = (b->len + 1 + ENTRY_ROUND - 1) / ENTRY_ROUND * ENTRY_ROUND;
    if (size < min_size) size = min_size;
    size_t pad = size - b->len;
    if (wbuf_reserve(b, pad)) return -1;
    memset(b->data + b->len, ' ', pad - 1);
    b->data[b->len + pad - 1] = '\n';
    b->len += pad;
    b->data[b->len] = 0;
    return 0;
}

/* Parses a seal line (len bytes, without its newline): 0 and *n, *crc when it is one. */
static int parse_seal(const char *s, size_t len, int64_t *n, unsigned long *crc) {
    static const char head[] = "{\"batchId\":", mid[] = ",\"crc32\":\"";
    size_t i = sizeof head - 1;
    if (len < i || memcmp(s, head, i) != 0) return -1;
    int64_t v = 0;
    size_t digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 18) v = v * 10 + (s[i++] - '0'), digits++;
    if (!digits || (digits > 1 && s[sizeof head - 1] == '0') || len - i != sizeof mid - 1 + 8 + 2 ||
        memcmp(s + i, mid, sizeof mid - 1) != 0)
        return -1; /* (only the form seal_entry writes) */
    i += sizeof mid - 1;
    unsigned long c = 0;
    for (size_t k = 0; k < 8; k++, i++) {
        char h = s[i];
        int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
        if (d < 0) return -1;
        c = c << 4 | (unsigned long)d;
    }
    if (s[i] != '"' || s[i + 1] != '}') return -1;
    *n = v;
    *crc = c;
    return 0;
}

/* What the bytes of dir/N hold for batch n: nothing of it (empty, or a reused entry still sealed for
 * another batch), a cut or torn text, or its whole entry, whose text is then [0, *text_len) (with the
 * version line). *sealed: the entry carries a seal (whatever it says). */
static EntryState entry_state(const char *d, size_t len, int64_t n, size_t *text_len, int *sealed) {
    *text_len = 0;
    *sealed = 0;
    if (len == 0) return ENTRY_UNFILLED;
    if (wfs_text_cut(d, len)) return ENTRY_CUT;
    if (len < 2 || (d[len - 2] != ' ' && d[len - 2] != '\n')) { /* an older weir's entry: no seal */
        *text_len = len;
        return ENTRY_WHOLE;
    }
    size_t end = len - 1; /* past the seal line's newline, once the padding is skipped */
    while (end > 0 && d[end - 1] == ' ') end--;
    if (end == 0 || d[end - 1] != '\n') return ENTRY_CUT;
    size_t start = end - 1;
    while (start > 0 && d[start - 1] != '\n') start--;
    int64_t id;
    unsigned long crc;
    if (parse_seal(d + start, end - 1 - start, &id, &crc) != 0) return ENTRY_CUT;
    *sealed = 1;
    if (id != n) return ENTRY_UNFILLED;
    if ((crc32_z(0L, (const Bytef *)d, start) & 0xffffffffUL) != crc) return ENTRY_CUT;
    *text_len = start;
    return ENTRY_WHOLE;
}

/* Reads dir/N (path) for batch n: *state and, when whole, its text after the version line into out
 * (WEIR_CORRUPT when that line is wrong). *missing (may be NULL: then an absent file is WEIR_IO) when
 * there is no such file. A file that cannot be read is an error, its state ENTRY_WHOLE. */
static int read_entry(const char *path, int64_t n, WBuf *out, int *missing, EntryState *state, int *sealed,
                      WErr *err) {
    WBuf raw;
    wbuf_init(&raw);
    int miss = 0, seal = 0;
    *state = ENTRY_WHOLE; /* unless read: an unreadable file is for its reader to report */
    int rc = wfs_read_file(path, &raw, missing ? &miss : NULL, err);
    if (missing) *missing = miss;
    if (rc == WEIR_OK && !miss) {
        size_t text_len;
        *state = entry_state(raw.data ? raw.data : "", raw.len, n, &text_len, &seal);
        if (*state == ENTRY_WHOLE) rc = after_version(path, raw.data, text_len, out, err);
    }
    if (sealed) *sealed = seal;
    wbuf_fini(&raw);
    return rc;
}

/* read_entry for a reader that needs batch n's whole entry: anything else is WEIR_CORRUPT. */
static int read_whole_entry(const char *path, int64_t n, WBuf *out, int *missing, WErr *err) {
    EntryState st;
    int rc = read_entry(path, n, out, missing, &st, NULL, err);
    if (rc || (missing && *missing)) return rc;
    if (st == ENTRY_UNFILLED) return corrupt(err, path, -1, "the entry is empty (made ahead, never written)");
    if (st == ENTRY_CUT)
        return corrupt(err, path, -1, "the entry is incomplete (cut or torn while it was written, by a crash of the machine)");
    return WEIR_OK;
}

static int read_metadata(WCkpt *c, const char *path, WErr *err) {
    WBuf b;
    wbuf_init(&b);
    int rc = wfs_read_file(path, &b, NULL, err);
    if (rc == WEIR_OK) {
        WLogObj o;
        const char *what;
        size_t at;
        size_t n = b.len;
        while (n && b.data[n - 1] == '\n') n--;
        if (wlogj_parse(b.data ? b.data : "", n, &o, &what, &at) != 0) rc = corrupt(err, path, 1, what);
        else {
            const WLogMember *m = wlogj_member(&o, "id");
            if (!m || !m->is_str || m->val_len == 0 || m->val_len >= sizeof c->id)
                rc = corrupt(err, path, 1, "no query \"id\"");
            else memcpy(c->id, m->val, m->val_len + 1);
        }
        wlogj_fini(&o);
    }
    wbuf_fini(&b);
    return rc;
}

static int parse_commit(const char *path, WBuf *b, int64_t *next_watermark_ms, WErr *err);

static EntryState entry_state_of(const char *dir, int64_t n, int *missing);

/* 1 when offsets/ holds an entry with content of its own batch (a plan, whole or cut), not only entries
 * made ahead (empty, or reused and still sealed for another batch). */
static int any_plan(WCkpt *c) {
    DIR *d = opendir(c->offsets_dir);
    if (!d) return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        struct stat st;
        int missing = 0;
        found = fstatat(dirfd(d), e->d_name, &st, 0) == 0 && st.st_size > 0 &&
                entry_state_of(c->offsets_dir, strtoll(e->d_name, NULL, 10), &missing) != ENTRY_UNFILLED;
    }
    closedir(d);
    return found;
}

/* `metadata` with a new query id, in place at once for readers (wckpt_open_readonly), made durable by
 * finish_creation. */
static int write_new_metadata(WCkpt *c, const char *meta, WErr *err) {
    char text[128];
    wckpt_new_uuid(c->id);
    int n = snprintf(text, sizeof text, "{\"id\":\"%s\"}\n", c->id);
    WFileOut o;
    int rc = wfs_out_open(&o, meta, err);
    if (!rc && (rc = wfs_out_write(&o, text, (size_t)n, err)) != 0) wfs_out_abort(&o);
    if (!rc) rc = wfs_out_publish(&o, err);
    return rc;
}

/* 1 when commits/N reads back as batch N's whole entry. */
static int commit_whole(WCkpt *c, int64_t n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRId64, c->commits_dir, n);
    WBuf b;
    wbuf_init(&b);
    WErr e;
    werr_init(&e);
    int64_t w;
    int missing = 0;
    int rc = read_whole_entry(path, n, &b, &missing, &e);
    if (!rc && !missing) rc = parse_commit(path, &b, &w, &e);
    wbuf_fini(&b);
    return !rc && !missing;
}

/* The state of dir/N for batch N (*missing: there is no such file). */
static EntryState entry_state_of(const char *dir, int64_t n, int *missing) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRId64, dir, n);
    WBuf b;
    wbuf_init(&b);
    WErr e;
    werr_init(&e);
    EntryState st;
    (void)read_entry(path, n, &b, missing, &st, NULL, &e); /* (a damaged whole entry is for its reader) */
    wbuf_fini(&b);
    return *missing ? ENTRY_UNFILLED : st;
}

/* dir/N holds nothing of batch N: absent, or made ahead by wckpt_make_ahead (empty, or a reused entry
 * still sealed for its old batch) and never filled. */
static int entry_unfilled(const char *dir, int64_t n) {
    int missing = 0;
    return entry_state_of(dir, n, &missing) == ENTRY_UNFILLED;
}

/* offsets/N was cut (or torn) by a crash of the machine while it was filled. */
static int entry_cut(const char *dir, int64_t n) {
    int missing = 0;
    return entry_state_of(dir, n, &missing) == ENTRY_CUT && !missing;
}

/* Entries above `floor` made ahead and never filled (and, with cut_too, the last filled one when it was
 * cut while being filled) do not count: the writer removes them, a reader looks past them. The entries are
 * one range (retention removes from the oldest up). */
static void drop_empty_last(const char *dir, int readonly, int cut_too, int64_t floor, int64_t *lo, int64_t *hi) {
    int64_t h = *hi;
    /* (missing ones too: entries are made ahead from the batch after next, so the next one may be absent) */
    while (h > floor && h >= *lo && entry_unfilled(dir, h)) h--;
    if (h > floor && h >= *lo && cut_too && entry_cut(dir, h)) h--;
    if (h == *hi) return;
    if (!readonly) {
        char path[4096];
        for (int64_t k = h + 1; k <= *hi; k++) {
            snprintf(path, sizeof path, "%s/%" PRId64, dir, k);
            unlink(path);
        }
    }
    *hi = h;
    if (h < *lo) *lo = *hi = -1;
}

static int open_common(const char *dir, int readonly, WCkpt **out, WErr *err) {
    *out = NULL;
    WCkpt *c = calloc(1, sizeof *c);
    if (!c) return werr_msg(err, WEIR_NOMEM, "out of memory");
    c->readonly = readonly;
    c->lock_fd = -1;
    c->pending_fd = -1;
    atomic_init(&c->ahead_upto, -1);
    c->commit_ready = -1;
    c->dir = strdup(dir);
    c->offsets_dir = join(dir, "offsets");
    c->commits_dir = join(dir, "commits");
    c->sources_dir = join(dir, "sources/0");
    c->progress_dir = join(dir, "progress");
    int rc = WEIR_OK;
    if (!c->dir || !c->offsets_dir || !c->commits_dir || !c->sources_dir || !c->progress_dir)
        rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    char *meta = rc ? NULL : join(dir, "metadata");
    if (!rc && !meta) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    if (!rc && readonly) {
        if (!wfs_exists(meta))
            rc = werr_set(err, WEIR_IO, dir, -1, -1, -1, "not a checkpoint folder (no 'metadata' file)");
        else
            rc = read_metadata(c, meta, err);
    } else if (!rc) {
        /* the folders and the metadata file of a new checkpoint are made durable together, later
         * (finish_creation): ds collects the folders that gained names */
        WDirSync ds;
        wdirsync_init(&ds);
        rc = wfs_mkdirs_in(c->offsets_dir, &ds, err);
        if (!rc) rc = wfs_mkdirs_in(c->commits_dir, &ds, err);
        if (!rc) { /* sources/0's own name is made durable by the source log's first segment (source_file.c):
                    * nothing relies on it before, and a lost one is rebuilt from offsets/ */
            WDirSync log_ds;
            wdirsync_init(&log_ds);
            char *sources = join(dir, "sources");
            rc = sources ? wfs_mkdirs_in(sources, &ds, err) : werr_msg(err, WEIR_NOMEM, "out of memory");
            if (!rc) rc = wfs_mkdirs_in(c->sources_dir, &log_ds, err);
            free(sources);
            wdirsync_fini(&log_ds);
        }
        if (!rc) rc = wfs_mkdirs_in(c->progress_dir, &ds, err);
        /* one writer at a time: two queries sharing a checkpoint would each plan the same batch N. The lock
         * dies with the process, so a kill -9 never leaves it behind. */
        if (!rc) {
            char lp[4200];
            snprintf(lp, sizeof lp, "%s/.lock", dir);
            c->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
            if (c->lock_fd < 0)
                rc = werr_set(err, WEIR_IO, lp, -1, -1, -1, "cannot open the checkpoint's lock: %s", strerror(errno));
            else if (flock(c->lock_fd, LOCK_EX | LOCK_NB) != 0)
                rc = werr_set(err, errno == EWOULDBLOCK ? WEIR_MISUSE : WEIR_IO, dir, -1, -1, -1,
                              "the checkpoint is in use by another running query (each query needs its own "
                              "checkpointLocation; stop the other one first)");
        }
        if (!rc) rc = wfs_remove_temps(dir, err);
        if (!rc) rc = wfs_remove_temps(c->offsets_dir, err);
        if (!rc) rc = wfs_remove_temps(c->commits_dir, err);
        if (!rc) rc = wfs_remove_temps(c->sources_dir, err);
        if (!rc) rc = wfs_remove_temps(c->progress_dir, err);
        int new_meta = !rc && !wfs_exists(meta);
        if (!new_meta && !rc) {
            rc = read_metadata(c, meta, err);
            /* unreadable (empty, zeros: cut by a crash of the machine before finish_creation synced it) in
             * a checkpoint that never planned a batch: nothing of it was committed, it starts as new */
            if (rc == WEIR_CORRUPT && !any_plan(c)) {
                werr_clear(err);
                rc = WEIR_OK;
                new_meta = 1;
            }
        }
        if (new_meta) rc = write_new_metadata(c, meta, err);
        /* never planned: perhaps made by a process killed before its first plan, so before its fsyncs; the
         * first plan here makes the whole checkpoint durable again (metadata, its folder, the parent's) */
        int unplanned = !rc && (new_meta || !any_plan(c));
        char *parent = unplanned ? wfs_dir_of(dir) : NULL;
        if (unplanned && !parent) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
        if (unplanned && !rc) rc = wdirsync_add(&ds, parent, err);
        free(parent);
        if (!rc) {
            c->creation = ds; /* handed over, run by finish_creation */
            c->creating = unplanned || ds.n > 0;
            c->meta_pending = unplanned;
        } else {
            wdirsync_fini(&ds);
        }
    }
    free(meta);
    int64_t lo_o, hi_o, lo_c, hi_c;
    if (!rc) rc = scan_numbers(c->offsets_dir, &lo_o, &hi_o, err);
    if (!rc) rc = scan_numbers(c->commits_dir, &lo_c, &hi_c, err);
    /* not planned: made ahead and never filled, or cut while being filled (then it has no commit entry) */
    if (!rc) {
        int uncommitted = hi_c < hi_o || (hi_c == hi_o && !commit_whole(c, hi_o));
        drop_empty_last(c->offsets_dir, readonly, uncommitted, -1, &lo_o, &hi_o);
        /* hi_o may have gone below entries it held: made ahead, or a cut fill */
        if (hi_c > hi_o) drop_empty_last(c->commits_dir, readonly, 0, hi_o, &lo_c, &hi_c);
    }
    if (!rc) {
        c->last_planned = hi_o;
        c->last_committed = hi_c;
        /* removals are not fsynced: an old entry may come back after a crash, in either folder; the
         * retained range starts where both logs have entries, and what lies below goes again */
        c->oldest = lo_c > lo_o ? lo_c : lo_o;
        int64_t lowest = lo_o < lo_c || lo_c < 0 ? lo_o : lo_c;
        if (!readonly && lowest >= 0) wckpt_remove_entries(c, lowest, c->oldest - 1);
        char path[4096];
        if (hi_c > hi_o) {
            snprintf(path, sizeof path, "%s/%" PRId64, c->commits_dir, hi_c);
            rc = corrupt(err, path, -1, "a batch is committed that was never planned (its offsets entry is missing)");
        } else if (hi_o > hi_c + 1) {
            c->last_committed = hi_o - 1; /* commit entries lost in a crash: implied by the offsets after them */
        } else if (hi_c == hi_o && hi_c >= 0 && !commit_whole(c, hi_c)) {
            c->last_committed = hi_o - 1; /* the last commit entry did not reach the disk whole: run it again */
            snprintf(path, sizeof path, "%s/%" PRId64, c->commits_dir, hi_c);
            if (!readonly) unlink(path);
        }
    }
    /* A plan left by a process that died between writing it and syncing it (kill -9: the page cache kept
     * it) is made durable before the batch runs again on it: its output must never outlive it. */
    if (!rc && !readonly && c->last_planned > c->last_committed) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%" PRId64, c->offsets_dir, c->last_planned);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fdatasync(fd) != 0)
            rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot make the plan durable: %s", strerror(errno));
        if (fd >= 0) close(fd);
        if (!rc) rc = wfs_fsync_dir(c->offsets_dir, err);
    }
    /* Both last entries must read back: a damaged one is reported now, not halfway through a batch. */
    if (!rc && c->last_planned >= 0) {
        WOffsetsEntry e;
        wckpt_offsets_init(&e);
        rc = wckpt_read_offsets(c, c->last_planned, &e, err);
        wckpt_offsets_fini(&e);
    }
    if (!rc && c->last_committed >= 0) {
        int64_t w;
        rc = wckpt_read_commit(c, c->last_committed, &w, err);
    }
    if (rc) {
        wckpt_close(c);
        return rc;
    }
    *out = c;
    return WEIR_OK;
}

/* A new checkpoint made durable: `metadata` fsynced, then the folders that gained names. Before the first
 * plan (wckpt_put_offsets), so that no plan, and so no output, is ever durable in a checkpoint that is
 * not. A crash of the machine before can leave the folders with `metadata` missing, empty or cut; the next
 * open starts such a checkpoint over (it has no plan, so nothing of it was committed). */
static int finish_creation(WCkpt *c, WErr *err) {
    if (!c->creating) return WEIR_OK;
    int rc = WEIR_OK;
    if (c->meta_pending) {
        char *meta = join(c->dir, "metadata");
        int fd = meta ? open(meta, O_RDONLY | O_CLOEXEC) : -1;
        if (!meta) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
        else if (fd < 0 || fsync(fd) != 0)
            rc = werr_set(err, WEIR_IO, meta, -1, -1, -1, "cannot make the checkpoint's metadata durable: %s",
                          strerror(errno));
        if (fd >= 0) close(fd);
        free(meta);
        if (!rc) c->meta_pending = 0;
        if (!rc) rc = wdirsync_add(&c->creation, c->dir, err);
    }
    if (!rc) rc = wdirsync_run(&c->creation, err);
    if (!rc) c->creating = 0;
    return rc;
}

int wckpt_open(const char *dir, WCkpt **out, WErr *err) { return open_common(dir, 0, out, err); }
void wckpt_set_pool(WCkpt *c, struct WFilePool *pool) { c->pool = pool; }
int wckpt_open_readonly(const char *dir, WCkpt **out, WErr *err) { return open_common(dir, 1, out, err); }

void wckpt_close(WCkpt *c) {
    if (!c) return;
    if (!c->readonly && c->lock_fd >= 0) {
        WErr e;
        werr_init(&e);
        (void)finish_creation(c, &e); /* a checkpoint that never planned a batch is still left whole */
        (void)wckpt_sync_commit(c, &e); /* a query that stops leaves its last commit durable; best effort */
    }
    wdirsync_fini(&c->creation);
    if (c->pending_fd >= 0) { /* written, never synced: emptied, so that it reads as not planned */
        if (ftruncate(c->pending_fd, 0) != 0) { /* nothing more to do: the next open reads it */ }
        close(c->pending_fd);
    }
    /* made ahead and not filled: removed (an open would remove them too) */
    if (!c->readonly) wckpt_remove_entries(c, c->last_planned + 1, atomic_load(&c->ahead_upto));
    if (c->commit_ready > c->last_committed && c->commit_ready >= 0) { /* planned, its commit entry still empty */
        char path[4096];
        snprintf(path, sizeof path, "%s/%" PRId64, c->commits_dir, c->commit_ready);
        unlink(path);
    }
    if (c->lock_fd >= 0) close(c->lock_fd); /* releases the flock */
    free(c->dir);
    free(c->offsets_dir);
    free(c->commits_dir);
    free(c->sources_dir);
    free(c->progress_dir);
    free(c);
}

const char *wckpt_dir(const WCkpt *c) { return c->dir; }
const char *wckpt_id(const WCkpt *c) { return c->id; }
const char *wckpt_sources_dir(const WCkpt *c) { return c->sources_dir; }
int64_t wckpt_last_planned(const WCkpt *c) { return c->last_planned; }
int64_t wckpt_last_committed(const WCkpt *c) { return c->last_committed; }
int64_t wckpt_oldest_retained(const WCkpt *c) { return c->oldest; }

void wckpt_offsets_init(WOffsetsEntry *e) {
    memset(e, 0, sizeof *e);
    e->log_offset = -1;
    wopts_init(&e->conf);
    wbuf_init(&e->files);
}

void wckpt_offsets_fini(WOffsetsEntry *e) {
    wopts_fini(&e->conf);
    wbuf_fini(&e->files);
}

static int create_empty(const char *dir, int64_t n, WErr *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRId64, dir, n);
    return wfs_create_empty(path, err);
}

int wckpt_ahead_wanted(const WCkpt *c, int64_t next) {
    return !c->readonly && atomic_load(&((WCkpt *)c)->ahead_upto) < next + WCKPT_AHEAD / 2;
}

/* dir/K (retired by retention) renamed to dir/k, for reuse: only a sealed entry, which cannot read as
 * batch k's before it is filled, and never over a file already there. 0 when done. */
static int reuse_entry(const char *dir, int64_t retired, int64_t k) {
    char from[4096], to[4096];
    snprintf(from, sizeof from, "%s/%" PRId64, dir, retired);
    snprintf(to, sizeof to, "%s/%" PRId64, dir, k);
    WBuf b;
    wbuf_init(&b);
    WErr e;
    werr_init(&e);
    int missing = 0, sealed = 0;
    EntryState st;
    int ok = read_entry(from, retired, &b, &missing, &st, &sealed, &e) == WEIR_OK && !missing && sealed;
    wbuf_fini(&b);
    return ok ? renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) : -1;
}

static void remove_entry(const char *dir, int64_t n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRId64, dir, n);
    unlink(path);
}

int wckpt_make_ahead(WCkpt *c, int64_t next, int64_t *retired, int64_t retired_to, WErr *err) {
    if (!wckpt_ahead_wanted(c, next)) return WEIR_OK; /* enough left */
    int64_t upto = atomic_load(&c->ahead_upto);
    int64_t from = upto >= next ? upto + 1 : next, to = next + WCKPT_AHEAD - 1;
    int rc = WEIR_OK;
    int64_t k;
    for (k = from; k <= to && !rc; k++) {
        int reused = 0;
        while (!reused && retired && *retired <= retired_to) {
            int64_t r = (*retired)++;
            reused = reuse_entry(c->offsets_dir, r, k) == 0;
            if (reused && reuse_entry(c->commits_dir, r, k) != 0) {
                remove_entry(c->commits_dir, r);
                rc = create_empty(c->commits_dir, k, err);
            } else if (!reused) {
                remove_entry(c->commits_dir, r); /* as retention would */
                remove_entry(c->offsets_dir, r);
            }
        }
        if (!reused) {
            rc = create_empty(c->offsets_dir, k, err);
            if (!rc) rc = create_empty(c->commits_dir, k, err);
        }
    }
    int64_t made = rc ? k - 2 : to; /* the last k may not have made it */
    /* the offsets' names durable now, off the batches' path (one folder fsync for WCKPT_AHEAD batches):
     * filling one then takes one fdatasync */
    if (made >= from && wfs_fsync_dir(c->offsets_dir, rc ? NULL : err) == WEIR_OK) atomic_store(&c->ahead_upto, made);
    else if (!rc) rc = WEIR_IO;
    return rc;
}

int wckpt_prepare_next(WCkpt *c, WErr *err) {
    return wckpt_make_ahead(c, c->pending_fd >= 0 ? c->pending_id + 1 : c->last_planned + 1, NULL, -1, err);
}

/* Writes the entry made ahead (open in *fdp) whole and closes it (commits/N: not synced, ckpt.h says why). */
static int fill_ahead(int *fdp, const char *path, const char *data, size_t len, WErr *err) {
    int fd = *fdp;
    *fdp = -1;
    int rc = wfs_fill_empty(fd, path, data, len, err);
    if (close(fd) != 0 && !rc) rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "close failed: %s", strerror(errno));
    return rc;
}

/* offsets/N made ahead (its name durable since) and filled (wckpt_put_offsets): fdatasynced. commits/N,
 * made ahead with it, goes to wckpt_write_commit. */
static int sync_pending(WCkpt *c, WErr *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRId64, c->offsets_dir, c->pending_id);
    int fd = c->pending_fd;
    c->pending_fd = -1;
    int rc = WEIR_OK;
    if (fdatasync(fd) != 0) {
        rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "fdatasync failed: %s", strerror(errno));
        if (ftruncate(fd, 0) != 0) unlink(path); /* it must not read as a plan */
    }
    if (close(fd) != 0 && !rc) rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "close failed: %s", strerror(errno));
    c->commit_ready = c->pending_id; /* made ahead with it */
    if (!rc) {
        c->last_planned = c->pending_id;
        if (c->oldest < 0) c->oldest = c->pending_id;
    }
    return rc;
}

static int encode_offsets(const WOffsetsEntry *e, WBuf *b, WErr *err) {
    int rc = wbuf_printf(b, "v1\n{\"batchWatermarkMs\":%" PRId64 ",\"batchTimestampMs\":%" PRId64 ",\"conf\":{",
                         e->watermark_ms, e->timestamp_ms);
    for (int i = 0; i < e->conf.n && !rc; i++) {
        if (i) rc = wbuf_putc(b, ',');
        if (!rc) rc = wlogj_put_str(b, e->conf.items[i].name, strlen(e->conf.items[i].name));
        if (!rc) rc = wbuf_putc(b, ':');
        if (!rc) rc = wlogj_put_str(b, e->conf.items[i].value, strlen(e->conf.items[i].value));
    }
    if (!rc) rc = wbuf_puts(b, "}}\n");
    if (!rc && e->log_offset >= 0) rc = wbuf_printf(b, "{\"logOffset\":%" PRId64 "}\n", e->log_offset);
    if (!rc && e->files.len) rc = wbuf_append(b, e->files.data, e->files.len);
    return rc ? werr_msg(err, WEIR_NOMEM, "out of memory") : WEIR_OK;
}

/* The size of the entry made ahead open in fd: a reused one is overwritten with as many bytes. */
static size_t ahead_size(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 0;
}

int wckpt_put_offsets(WCkpt *c, const WOffsetsEntry *e, WErr *err) {
    if (c->readonly || e->batch_id != c->last_planned + 1 || c->last_planned != c->last_committed ||
        c->pending_fd >= 0)
        return werr_msg(err, WEIR_MISUSE, "offsets %" PRId64 " written out of order (last planned %" PRId64
                        ", last committed %" PRId64 ")", e->batch_id, c->last_planned, c->last_committed);
    int rc = finish_creation(c, err);
    if (rc) return rc;
    WBuf b;
    wbuf_init(&b);
    rc = encode_offsets(e, &b, err);
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRId64, c->offsets_dir, e->batch_id);
    int fd = !rc && e->batch_id <= atomic_load(&c->ahead_upto) ? open(path, O_WRONLY | O_CLOEXEC) : -1;
    if (!rc && seal_entry(&b, e->batch_id, fd >= 0 ? ahead_size(fd) : 0)) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    if (fd >= 0 && !rc) {
        rc = wfs_fill_empty(fd, path, b.data, b.len, err);
        if (!rc) {
            c->pending_fd = fd;
            c->pending_id = e->batch_id;
        } else {
            close(fd);
        }
    } else if (!rc) {
        rc = wfs_write_atomic_in(path, b.data, b.len, c->pool, 1, err); /* durable at once */
        if (!rc) {
            c->last_planned = e->batch_id;
            if (c->oldest < 0) c->oldest = e->batch_id;
        }
    } else if (fd >= 0) {
        close(fd);
    }
    wbuf_fini(&b);
    return rc;
}

int wckpt_sync_offsets(WCkpt *c, WErr *err) { return c->pending_fd >= 0 ? sync_pending(c, err) : WEIR_OK; }

int wckpt_write_offsets(WCkpt *c, const WOffsetsEntry *e, WErr *err) {
    int rc = wckpt_put_offsets(c, e, err);
    return rc ? rc : wckpt_sync_offsets(c, err);
}

/* Splits a log body into lines; returns the number of lines (a final line without '\n' counts). */
static int next_line(const char **p, const char *end, const char **line, size_t *len) {
    if (*p >= end) return 0;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    *line = *p;
    *len = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    *p = nl ? nl + 1 : end;
    return 1;
}

int wckpt_read_offsets(WCkpt *c, int64_t batch_id, WOffsetsEntry *e, WErr *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRId64, c->offsets_dir, batch_id);
    WBuf b;
    wbuf_init(&b);
    int missing = 0;
    int rc = read_whole_entry(path, batch_id, &b, &missing, err);
    if (!rc && missing) rc = corrupt(err, path, -1, "the offsets entry of a planned batch is missing");
    const char *p = b.data ? b.data : "", *end = p + b.len, *line;
    size_t len;
    WLogObj o = {0, NULL};
    const char *what;
    size_t at;
    if (!rc) {
        if (!next_line(&p, end, &line, &len) || wlogj_parse(line, len, &o, &what, &at) != 0)
            rc = corrupt(err, path, 2, b.len ? what : "no batch metadata line");
        else if (wlogj_get_i64(&o, "batchWatermarkMs", &e->watermark_ms) ||
                 wlogj_get_i64(&o, "batchTimestampMs", &e->timestamp_ms))
            rc = corrupt(err, path, 2, "batchWatermarkMs or batchTimestampMs missing");
        else {
            const WLogMember *conf = wlogj_member(&o, "conf");
            if (conf && !conf->is_str) {
                WLogObj co;
                if (wlogj_parse(conf->val, conf->val_len, &co, &what, &at) != 0) rc = corrupt(err, path, 2, what);
                else
                    for (int i = 0; i < co.n && !rc; i++)
                        if (wopts_set(&e->conf, co.m[i].key, co.m[i].val)) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
                wlogj_fini(&co);
            }
        }
        wlogj_fini(&o);
    }
    e->batch_id = batch_id;
    e->log_offset = -1;
    if (!rc && next_line(&p, end, &line, &len) && len > 0) {
        if (wlogj_parse(line, len, &o, &what, &at) != 0) rc = corrupt(err, path, 3, what);
        else if (wlogj_get_i64(&o, "logOffset", &e->log_offset)) rc = corrupt(err, path, 3, "no \"logOffset\"");
        wlogj_fini(&o);
    }
    /* the source's lines: handed over as they are (the source checks them); a torn file cannot get here,
     * since entries appear whole, but a last line without its newline means the file was cut */
    if (!rc && p < end) {
        if (end[-1] != '\n') rc = corrupt(err, path, -1, "the last line is incomplete");
        else if (wbuf_append(&e->files, p, (size_t)(end - p))) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    wbuf_fini(&b);
    return rc;
}

int wckpt_write_commit(WCkpt *c, int64_t batch_id, int64_t next_watermark_ms, WErr *err) {
    if (c->readonly || batch_id != c->last_planned || batch_id != c->last_committed + 1)
        return werr_msg(err, WEIR_MISUSE, "commit %" PRId64 " out of order (last planned %" PRId64
                        ", last committed %" PRId64 ")", batch_id, c->last_planned, c->last_committed);
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRId64, c->commits_dir, batch_id);
    /* commits/N made ahead with offsets/N, unless that was cut short (then the usual way) */
    int fd = c->commit_ready == batch_id ? open(path, O_WRONLY | O_CLOEXEC) : -1;
    WBuf b;
    wbuf_init(&b);
    int rc = wbuf_printf(&b, "v1\n{\"nextBatchWatermarkMs\":%" PRId64 "}\n", next_watermark_ms) ||
                     seal_entry(&b, batch_id, fd >= 0 ? ahead_size(fd) : 0)
                 ? werr_msg(err, WEIR_NOMEM, "out of memory")
                 : WEIR_OK;
    if (rc) {
        if (fd >= 0) close(fd);
    } else {
        rc = fd >= 0 ? fill_ahead(&fd, path, b.data, b.len, err) : wfs_write_atomic_in(path, b.data, b.len, c->pool, 0, err);
    }
    wbuf_fini(&b);
    if (!rc) c->last_committed = batch_id;
    return rc;
}

int wckpt_reopen_last(WCkpt *c, WErr *err) {
    if (c->readonly || c->last_committed < 0 || c->last_committed != c->last_planned)
        return werr_msg(err, WEIR_MISUSE, "reopening batch %" PRId64 ", which is not the last planned (%" PRId64 ")",
                        c->last_committed, c->last_planned);
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRId64, c->commits_dir, c->last_committed);
    /* no fsync: should the entry come back after a crash, the sink is still behind and the next open
     * takes it back again */
    if (unlink(path) != 0 && errno != ENOENT)
        return werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot remove the commit entry: %s", strerror(errno));
    c->last_committed--;
    return WEIR_OK;
}

int wckpt_sync_commit(WCkpt *c, WErr *err) {
    if (c->readonly || c->last_committed < 0) return WEIR_OK;
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRId64, c->commits_dir, c->last_committed);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot open the commit entry: %s", strerror(errno));
    int rc = WEIR_OK;
    if (fsync(fd) != 0) rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "fsync failed: %s", strerror(errno));
    close(fd);
    return rc ? rc : wfs_fsync_dir(c->commits_dir, err);
}

int wckpt_read_commit(WCkpt *c, int64_t batch_id, int64_t *next_watermark_ms, WErr *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRId64, c->commits_dir, batch_id);
    WBuf b;
    wbuf_init(&b);
    int missing = 0;
    int rc = read_whole_entry(path, batch_id, &b, &missing, err);
    if (!rc && missing) rc = corrupt(err, path, -1, "the commit entry is missing");
    if (!rc) rc = parse_commit(path, &b, next_watermark_ms, err);
    wbuf_fini(&b);
    if (rc && batch_id < c->last_planned && batch_id >= c->oldest) {
        /* lost or emptied in a crash (see the head of this file): offsets/N+1 holds the same watermark */
        WOffsetsEntry e;
        wckpt_offsets_init(&e);
        werr_init(err);
        rc = wckpt_read_offsets(c, batch_id + 1, &e, err);
        if (!rc) *next_watermark_ms = e.watermark_ms;
        wckpt_offsets_fini(&e);
    }
    return rc;
}

/* The nextBatchWatermarkMs of a commit entry's body (after its version line). */
static int parse_commit(const char *path, WBuf *b, int64_t *next_watermark_ms, WErr *err) {
    const char *p = b->data ? b->data : "", *end = p + b->len, *line;
    size_t len;
    WLogObj o = {0, NULL};
    const char *what = "empty commit entry";
    size_t at;
    int rc = WEIR_OK;
    if (!next_line(&p, end, &line, &len) || wlogj_parse(line, len, &o, &what, &at) != 0)
        rc = corrupt(err, path, 2, what);
    else if (wlogj_get_i64(&o, "nextBatchWatermarkMs", next_watermark_ms))
        rc = corrupt(err, path, 2, "no \"nextBatchWatermarkMs\"");
    wlogj_fini(&o);
    return rc;
}

int64_t wckpt_purge_mark(WCkpt *c, int64_t committed, int64_t retain, int64_t *from) {
    *from = c->oldest;
    if (c->readonly || c->oldest < 0) return -1;
    int64_t upto = committed - retain - 1; /* as Spark: keeps batches committed - retain .. committed */
    if (upto < c->oldest) return -1;
    c->oldest = upto + 1;
    return upto;
}

void wckpt_remove_entries(const WCkpt *c, int64_t from, int64_t to) {
    for (int64_t k = from; k <= to; k++) {
        remove_entry(c->commits_dir, k);
        remove_entry(c->offsets_dir, k);
    }
}

int wckpt_purge(WCkpt *c, int64_t committed, int64_t retain, WErr *err) {
    (void)err;
    int64_t from, to = wckpt_purge_mark(c, committed, retain, &from);
    wckpt_remove_entries(c, from, to);
    return WEIR_OK;
}

int wckpt_append_progress(WCkpt *c, int64_t batch_id, const char *json, size_t len, WErr *err) {
    if (c->readonly) return WEIR_OK;
    int64_t seg = batch_id / PROGRESS_SEGMENT * PROGRESS_SEGMENT;
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRId64 ".jsonl", c->progress_dir, seg);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot open the progress log: %s", strerror(errno));
    int rc = WEIR_OK;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, json + done, len - done);
        if (w < 0) {
            if (errno == EINTR) continue;
            rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "writing the progress log: %s", strerror(errno));
            break;
        }
        done += (size_t)w;
    }
    if (!rc && (len == 0 || json[len - 1] != '\n') && write(fd, "\n", 1) != 1)
        rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "writing the progress log: %s", strerror(errno));
    close(fd);
    if (!rc && batch_id % PROGRESS_SEGMENT == 0 && seg >= PROGRESS_SEGMENT * PROGRESS_SEGMENTS_KEPT) {
        snprintf(path, sizeof path, "%s/%" PRId64 ".jsonl", c->progress_dir,
                 seg - PROGRESS_SEGMENT * PROGRESS_SEGMENTS_KEPT);
        unlink(path);
    }
    return rc;
}

int wckpt_read_progress(WCkpt *c, WBuf *out, WErr *err) {
    int64_t lo, hi;
    DIR *d = opendir(c->progress_dir);
    lo = hi = -1;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            char *end;
            long long v = strtoll(e->d_name, &end, 10);
            if (end == e->d_name || strcmp(end, ".jsonl")) continue;
            if (hi < 0 || v > hi) hi = v;
            if (lo < 0 || v < lo) lo = v;
        }
        closedir(d);
    }
    int rc = WEIR_OK;
    for (int64_t s = lo; s >= 0 && s <= hi && !rc; s += PROGRESS_SEGMENT) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%" PRId64 ".jsonl", c->progress_dir, s);
        int missing = 0;
        size_t before = out->len;
        rc = wfs_read_file(path, out, &missing, err);
        /* a torn last line (crash while appending) is dropped */
        if (!rc && out->len > before && out->data[out->len - 1] != '\n') {
            while (out->len > before && out->data[out->len - 1] != '\n') out->len--;
        }
    }
    return rc;
}
