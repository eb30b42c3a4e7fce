/*
 * state.c - versioned delta/snapshot files for stateful operators (see state.h).
 */
#include "exec/state.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/fs.h"
#include "weir.h"

#define MAGIC "WEIRSTAT"
#define FORMAT 1
#define KIND_DELTA 0
#define KIND_SNAPSHOT 1
#define HEADER_FIXED (8 + 4 + 4 + 8 + 4)

struct WStateStore {
    char *dir;
    WStateOpts o;
    int64_t batch;   /* version being written */
    WBuf body;       /* records of the delta */
    uint64_t n_rec;
    int64_t snap_batch;
    WBuf file;       /* encoded file image */
    uint64_t bytes_written; /* since open */
};

static void put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get_u64(const uint8_t *p) { return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32; }

int wstate_open(const char *dir, const WStateOpts *opts, WStateStore **out, WErr *err) {
    *out = NULL;
    int rc = wfs_mkdirs(dir, err);
    if (!rc) rc = wfs_remove_temps(dir, err); /* a crash mid-write leaves only '.'-named temp files */
    if (rc) return rc;
    WStateStore *st = calloc(1, sizeof *st);
    if (!st || !(st->dir = strdup(dir))) {
        free(st);
        return werr_msg(err, WEIR_NOMEM, "state: out of memory");
    }
    st->o.snapshot_every = opts && opts->snapshot_every > 0 ? opts->snapshot_every : 10;
    st->o.min_batches_to_retain = opts && opts->min_batches_to_retain > 0 ? opts->min_batches_to_retain : 100;
    wbuf_init(&st->body);
    wbuf_init(&st->file);
    *out = st;
    return WEIR_OK;
}

void wstate_close(WStateStore *st) {
    if (!st) return;
    wbuf_fini(&st->body);
    wbuf_fini(&st->file);
    free(st->dir);
    free(st);
}

const char *wstate_dir(const WStateStore *st) { return st->dir; }

int wstate_snapshot_due(const WStateStore *st, int64_t batch_id) {
    return (batch_id + 1) % st->o.snapshot_every == 0;
}

void wstate_begin(WStateStore *st, int64_t batch_id) {
    st->batch = batch_id;
    wbuf_reset(&st->body);
    st->n_rec = 0;
}

static int add_rec(WBuf *b, uint64_t *cnt, int op, const void *p, size_t n) {
    uint8_t h[5];
    if (n > UINT32_MAX) return WEIR_MISUSE;
    h[0] = (uint8_t)op;
    put_u32(h + 1, (uint32_t)n);
    if (wbuf_append(b, h, 5) || wbuf_append(b, p, n)) return WEIR_NOMEM;
    (*cnt)++;
    return WEIR_OK;
}

int wstate_put(WStateStore *st, const void *rec, size_t n) {
    return add_rec(&st->body, &st->n_rec, WSTATE_PUT, rec, n);
}

int wstate_remove(WStateStore *st, const void *key, size_t n) {
    return add_rec(&st->body, &st->n_rec, WSTATE_REMOVE, key, n);
}

int wstate_encode(int kind, int64_t batch_id, const void *meta, size_t meta_len, const void *body,
                  size_t body_len, uint64_t n_records, WBuf *out) {
    uint8_t h[HEADER_FIXED];
    wbuf_reset(out);
    if (meta_len > UINT32_MAX) return WEIR_MISUSE;
    memcpy(h, MAGIC, 8);
    put_u32(h + 8, FORMAT);
    put_u32(h + 12, (uint32_t)kind);
    put_u64(h + 16, (uint64_t)batch_id);
    put_u32(h + 24, (uint32_t)meta_len);
    uint8_t c[8];
    put_u64(c, n_records);
    if (wbuf_append(out, h, sizeof h) || wbuf_append(out, meta, meta_len) || wbuf_append(out, c, 8) ||
        wbuf_append(out, body, body_len))
        return WEIR_NOMEM;
    /* zlib's crc32 takes uInt lengths: feed it in chunks */
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t off = 0; off < out->len;) {
        size_t k = out->len - off > (1u << 30) ? (1u << 30) : out->len - off;
        crc = crc32(crc, (const Bytef *)out->data + off, (uInt)k);
        off += k;
    }
    put_u32(c, (uint32_t)crc);
    if (wbuf_append(out, c, 4)) return WEIR_NOMEM;
    return WEIR_OK;
}

static void file_name(const WStateStore *st, int64_t batch, int kind, char *buf, size_t cap) {
    snprintf(buf, cap, "%s/%" PRId64 ".%s", st->dir, batch, kind == KIND_SNAPSHOT ? "snapshot" : "delta");
}

/* Durable and atomic (core/fs: temp file in the folder, fsync, rename, fsync the folder). */
static int write_atomic(WStateStore *st, int64_t batch, int kind, const WBuf *img, WErr *err) {
    char fin[4200];
    file_name(st, batch, kind, fin, sizeof fin);
    int rc = wfs_write_atomic(fin, img->data, img->len, err);
    if (rc == WEIR_OK) st->bytes_written += img->len;
    return rc;
}

int wstate_commit(WStateStore *st, const void *meta, size_t meta_len, WErr *err) {
    int rc = wstate_encode(KIND_DELTA, st->batch, meta, meta_len, st->body.data, st->body.len, st->n_rec,
                           &st->file);
    if (rc) return werr_msg(err, rc, "state: cannot encode delta %" PRId64, st->batch);
    return write_atomic(st, st->batch, KIND_DELTA, &st->file, err);
}

/* Lists versions present: calls fn for every "<N>.delta" / "<N>.snapshot". */
typedef void (*ListFn)(void *ctx, int64_t v, int kind);
static int list_files(const WStateStore *st, ListFn fn, void *ctx, WErr *err) {
    DIR *d = opendir(st->dir);
    if (!d) return werr_set(err, WEIR_IO, st->dir, -1, -1, -1, "state: cannot list folder: %s", strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *s = e->d_name;
        if (s[0] < '0' || s[0] > '9') continue;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || v < 0) continue;
        if (!strcmp(end, ".delta")) fn(ctx, v, KIND_DELTA);
        else if (!strcmp(end, ".snapshot")) fn(ctx, v, KIND_SNAPSHOT);
    }
    closedir(d);
    return WEIR_OK;
}

typedef struct Scan {
    int64_t limit;      /* consider versions <= limit */
    int64_t best_snap;  /* newest snapshot <= limit */
    int64_t latest;     /* newest version of any kind */
    int64_t above[64];  /* versions > limit to remove (first 64 per pass) */
    int above_kind[64];
    int n_above;
    int64_t old[256];   /* versions < cut to remove */
    int old_kind[256];
    int n_old;
    int64_t cut;
} Scan;

static void scan_fn(void *ctx, int64_t v, int kind) {
    Scan *s = ctx;
    if (v > s->latest) s->latest = v;
    if (v <= s->limit && kind == KIND_SNAPSHOT && v > s->best_snap) s->best_snap = v;
    if (v > s->limit && s->n_above < 64) {
        s->above[s->n_above] = v;
        s->above_kind[s->n_above++] = kind;
    }
    if (v < s->cut && s->n_old < 256) {
        s->old[s->n_old] = v;
        s->old_kind[s->n_old++] = kind;
    }
}

static void scan_init(Scan *s, int64_t limit) {
    memset(s, 0, sizeof *s);
    s->limit = limit;
    s->best_snap = -1;
    s->latest = -1;
    s->cut = -1;
}

/* Removes files no longer needed to restore any of the last min_batches_to_retain versions. */
static int cleanup(WStateStore *st, int64_t newest, WErr *err) {
    Scan s;
    scan_init(&s, newest - st->o.min_batches_to_retain + 1);
    int rc = list_files(st, scan_fn, &s, err);
    if (rc) return rc;
    if (s.best_snap < 0) return WEIR_OK;
    for (;;) {
        int64_t cut = s.best_snap;
        Scan t;
        scan_init(&t, s.limit);
        t.cut = cut;
        rc = list_files(st, scan_fn, &t, err);
        if (rc) return rc;
        for (int i = 0; i < t.n_old; i++) {
            char fn[4200];
            file_name(st, t.old[i], t.old_kind[i], fn, sizeof fn);
            unlink(fn);
        }
        if (t.n_old < 256) break;
    }
    return WEIR_OK;
}

void wstate_begin_snapshot(WStateStore *st, int64_t batch_id) {
    /* called after wstate_commit of the same batch: the delta buffer is free again */
    wbuf_reset(&st->body);
    st->n_rec = 0;
    st->snap_batch = batch_id;
}

int wstate_commit_snapshot(WStateStore *st, const void *meta, size_t meta_len, WErr *err) {
    int rc = wstate_encode(KIND_SNAPSHOT, st->snap_batch, meta, meta_len, st->body.data, st->body.len,
                           st->n_rec, &st->file);
    if (rc) return werr_msg(err, rc, "state: cannot encode snapshot %" PRId64, st->snap_batch);
    rc = write_atomic(st, st->snap_batch, KIND_SNAPSHOT, &st->file, err);
    if (rc) return rc;
    return cleanup(st, st->snap_batch, err);
}

static int corrupt(WErr *err, const char *path, size_t off, const char *what) {
    return werr_set(err, WEIR_CORRUPT, path, (int64_t)off, -1, -1,
                    "state file is damaged: %s; restore from an older checkpoint or delete the checkpoint "
                    "folder to start over", what);
}

int wstate_parse(const uint8_t *d, size_t n, const char *path, int expect_kind, int64_t expect_batch,
                 WBuf *meta_out, WStateVisit visit, void *ctx, WErr *err) {
    if (n < HEADER_FIXED + 8 + 4) return corrupt(err, path, n, "file too short");
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t off = 0; off < n - 4;) {
        size_t k = n - 4 - off > (1u << 30) ? (1u << 30) : n - 4 - off;
        crc = crc32(crc, d + off, (uInt)k);
        off += k;
    }
    if ((uint32_t)crc != get_u32(d + n - 4)) return corrupt(err, path, n - 4, "checksum mismatch");
    if (memcmp(d, MAGIC, 8)) return corrupt(err, path, 0, "not a weir state file");
    if (get_u32(d + 8) != FORMAT) return corrupt(err, path, 8, "unknown format version");
    uint32_t kind = get_u32(d + 12);
    if (kind > KIND_SNAPSHOT || (expect_kind >= 0 && kind != (uint32_t)expect_kind))
        return corrupt(err, path, 12, "wrong file kind");
    int64_t b = (int64_t)get_u64(d + 16);
    if (expect_batch >= 0 && b != expect_batch) return corrupt(err, path, 16, "batch id does not match the name");
    size_t ml = get_u32(d + 24);
    size_t p = HEADER_FIXED;
    size_t end = n - 4;
    if (ml > end - p || end - p - ml < 8) return corrupt(err, path, 24, "meta length out of range");
    if (meta_out) {
        wbuf_reset(meta_out);
        if (wbuf_append(meta_out, d + p, ml)) return werr_msg(err, WEIR_NOMEM, "state: out of memory");
    }
    p += ml;
    uint64_t cnt = get_u64(d + p);
    p += 8;
    uint64_t seen = 0;
    while (p < end) {
        if (end - p < 5) return corrupt(err, path, p, "truncated record header");
        int op = d[p];
        size_t len = get_u32(d + p + 1);
        if (op != WSTATE_PUT && op != WSTATE_REMOVE) return corrupt(err, path, p, "unknown record kind");
        if (kind == KIND_SNAPSHOT && op != WSTATE_PUT) return corrupt(err, path, p, "remove record in snapshot");
        if (len > end - p - 5) return corrupt(err, path, p, "record runs past the end");
        if (visit) {
            WErr e2;
            werr_init(&e2);
            int rc = visit(ctx, op, d + p + 5, len, &e2);
            if (rc == WEIR_CORRUPT) return corrupt(err, path, p, e2.msg);
            if (rc) return werr_msg(err, rc, "%s", e2.msg);
        }
        p += 5 + len;
        seen++;
    }
    if (seen != cnt) return corrupt(err, path, HEADER_FIXED + ml, "record count does not match");
    return WEIR_OK;
}

static int load_file(WStateStore *st, int64_t v, int kind, WBuf *meta, WStateVisit visit, void *ctx, WErr *err) {
    char fn[4200];
    file_name(st, v, kind, fn, sizeof fn);
    int missing = 0;
    wbuf_reset(&st->file);
    int rc = wfs_read_file(fn, &st->file, &missing, err);
    if (rc) return rc;
    if (missing)
        return werr_set(err, WEIR_CORRUPT, fn, -1, -1, -1, "state file is missing (needed to restore batch %" PRId64 ")", v);
    return wstate_parse((const uint8_t *)st->file.data, st->file.len, fn, kind, v, meta, visit, ctx, err);
}

uint64_t wstate_bytes_written(const WStateStore *st) { return st->bytes_written; }

int64_t wstate_latest(WStateStore *st, WErr *err) {
    Scan s;
    scan_init(&s, INT64_MAX);
    if (list_files(st, scan_fn, &s, err)) return -1;
    return s.latest;
}

int wstate_restore(WStateStore *st, int64_t batch_id, WBuf *meta_out, WStateVisit visit, void *ctx, WErr *err) {
    Scan s;
    scan_init(&s, batch_id);
    int rc = list_files(st, scan_fn, &s, err);
    if (rc) return rc;
    if (meta_out) wbuf_reset(meta_out);
    if (batch_id >= 0) {
        int64_t from = 0;
        if (s.best_snap >= 0) {
            rc = load_file(st, s.best_snap, KIND_SNAPSHOT, meta_out, visit, ctx, err);
            if (rc) return rc;
            from = s.best_snap + 1;
        }
        for (int64_t v = from; v <= batch_id; v++) {
            rc = load_file(st, v, KIND_DELTA, meta_out, visit, ctx, err);
            if (rc) return rc;
        }
    }
    /* versions after batch_id were written by a batch that did not commit */
    for (;;) {
        for (int i = 0; i < s.n_above; i++) {
            char fn[4200];
            file_name(st, s.above[i], s.above_kind[i], fn, sizeof fn);
            if ((rc = wfs_remove(fn, err))) return rc; /* durably: a restart must not see them again */
        }
        if (s.n_above < 64) break;
        scan_init(&s, batch_id);
        if ((rc = list_files(st, scan_fn, &s, err))) return rc;
    }
    return WEIR_OK;
}
