/*
 * manifest.c - reading, writing and compacting a file sink's `_weir_metadata/` log (see manifest.h).
 *
 * Entry lines are JSON Lines read with weir's own JSON decoder (FAILFAST, a fixed schema), so a damaged
 * file is reported with its name, line and byte offset like any other bad JSON. Reading lists the
 * metadata folder, which compaction keeps to at most compactInterval + 1 files.
 */
#include "stream/manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/time.h"
#include "core/opts.h"
#include "core/schema.h"
#include "core/vec.h"
#include "formats/json.h"
#include "stream/segments.h"

#define META_DIR "_weir_metadata"
#define ENTRY_SCHEMA "path STRING, size BIGINT, rows BIGINT, batch BIGINT"

void wmanifest_init(WManifest *m) {
    memset(m, 0, sizeof *m);
    m->last_batch = -1;
}

void wmanifest_fini(WManifest *m) {
    for (int64_t i = 0; i < m->n; i++) free(m->files[i].path);
    free(m->files);
    wmanifest_init(m);
}

int wmanifest_add(WManifest *m, const WManifestFile *f) {
    if (m->n == m->cap) {
        int64_t cap = m->cap ? m->cap * 2 : 16;
        WManifestFile *nf = realloc(m->files, (size_t)cap * sizeof *nf);
        if (!nf) return WEIR_NOMEM;
        m->files = nf;
        m->cap = cap;
    }
    char *p = strdup(f->path);
    if (!p) return WEIR_NOMEM;
    m->files[m->n] = *f;
    m->files[m->n].path = p;
    m->n++;
    return WEIR_OK;
}

int wmanifest_exists(const char *dir) {
    char p[4096];
    snprintf(p, sizeof p, "%s/" META_DIR, dir);
    return wfs_exists(p);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The batch of an entry file's name "N"; -1 for anything else (segments, temporary files). */
static int64_t entry_batch(const char *name) {
    if (name[0] < '0' || name[0] > '9') return -1;
    char *end;
    errno = 0;
    long long v = strtoll(name, &end, 10);
    if (errno || v < 0 || *end) return -1;
    return v;
}

/* One listing of _weir_metadata: its segments (the covering chain, segments.h) and its entry files,
 * sorted. One pass of readdir over a folder this small is one getdents call, which the kernel runs under
 * the folder's lock, so it is a snapshot: a compaction's rename of its segment and its removals of what
 * the segment holds are seen both or neither (and a file removed between the listing and its reading
 * is reported as gone, which starts the read over). */
typedef struct Listing {
    WSeg *segs;
    int n_segs, cap_segs;
    int64_t *entries;
    int64_t n_entries, cap_entries;
} Listing;

static void listing_fini(Listing *l) {
    free(l->segs);
    free(l->entries);
    memset(l, 0, sizeof *l);
}

/* sized: the segments' sizes too (the compaction's merge rule needs them); tidy: remove segments left
 * over by an interrupted merge (the writer only). A missing folder is an empty listing. */
static int list_meta(const char *meta, int sized, int tidy, Listing *l, WErr *err) {
    memset(l, 0, sizeof *l);
    DIR *d = opendir(meta);
    if (!d) {
        if (errno == ENOENT) return WEIR_OK;
        return werr_set(err, WEIR_IO, meta, -1, -1, -1, "cannot open the manifest folder: %s", strerror(errno));
    }
    int rc = WEIR_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        WSeg sg;
        int64_t b = entry_batch(e->d_name);
        if (b >= 0) {
            if (l->n_entries == l->cap_entries) {
                int64_t cap = l->cap_entries ? l->cap_entries * 2 : 32;
                int64_t *t = realloc(l->entries, (size_t)cap * sizeof *t);
                if (!t) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
                else l->entries = t, l->cap_entries = cap;
            }
            if (!rc) l->entries[l->n_entries++] = b;
        } else if (wseg_parse_name(e->d_name, 1, &sg)) {
            if (l->n_segs == l->cap_segs) {
                int cap = l->cap_segs ? l->cap_segs * 2 : 8;
                WSeg *t = realloc(l->segs, (size_t)cap * sizeof *t);
                if (!t) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
                else l->segs = t, l->cap_segs = cap;
            }
            struct stat st;
            if (sized) sg.bytes = fstatat(dirfd(d), e->d_name, &st, 0) == 0 ? (int64_t)st.st_size : 0;
            if (!rc) l->segs[l->n_segs++] = sg;
        }
    }
    closedir(d);
    if (!rc && l->n_entries > 1) qsort(l->entries, (size_t)l->n_entries, sizeof *l->entries, cmp_i64);
    if (!rc) l->n_segs = wseg_cover(meta, tidy, l->segs, l->n_segs);
    if (rc) listing_fini(l);
    return rc;
}

int wmanifest_parse(const char *path, const char *text, size_t len, WManifest *m, WErr *err) {
    int rc = WEIR_OK;
    if (len < 3 || memcmp(text, "v1\n", 3) != 0)
        return werr_set(err, WEIR_CORRUPT, path, 0, 1, 1, "not a weir manifest file (first line is not \"v1\")");
    WType schema;
    WOpts opts;
    wopts_init(&opts);
    WJsonReader *r = NULL;
    WBatch b;
    int have_batch = 0;
    rc = wschema_parse(ENTRY_SCHEMA, strlen(ENTRY_SCHEMA), &schema, err);
    if (rc) {
        wopts_fini(&opts);
        return rc;
    }
    if (wopts_set(&opts, "mode", "FAILFAST")) rc = WEIR_NOMEM;
    if (!rc) rc = wjson_reader_open(&schema, &opts, &r, err);
    if (!rc) rc = wbatch_init(&b, &schema);
    if (!rc) have_batch = 1;
    if (!rc) {
        /* The entries after the "v1" line (lines and byte offsets in messages count from there). */
        wjson_begin(r, path, text + 3, len - 3);
        int done = 0;
        while (!rc && !done) {
            wbatch_reset(&b);
            rc = wjson_next(r, &b, 4096, &done, err);
            for (int64_t i = 0; !rc && i < wbatch_rows(&b); i++) {
                WVec *c = b.root.children;
                if (wvec_is_null(&c[0], i) || wvec_is_null(&c[1], i) || wvec_is_null(&c[2], i) ||
                    wvec_is_null(&c[3], i)) {
                    rc = werr_set(err, WEIR_CORRUPT, path, -1, -1, -1,
                                  "manifest entry %" PRId64 " lacks path, size, rows or batch", i + 1);
                    break;
                }
                size_t n;
                const char *s = wvec_str(&c[0], i, &n);
                if (n == 0 || memchr(s, 0, n) || s[0] == '/' || memmem(s, n, "..", 2)) {
                    rc = werr_set(err, WEIR_CORRUPT, path, -1, -1, -1, "manifest entry with a bad path '%.*s'",
                                  (int)(n > 200 ? 200 : n), s);
                    break;
                }
                char *p = strndup(s, n);
                WManifestFile f = {p, wvec_i64(&c[1], i), wvec_i64(&c[2], i), wvec_i64(&c[3], i)};
                if (!p || wmanifest_add(m, &f)) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
                free(p);
            }
        }
        if (rc == WEIR_PARSE) {
            err->code = WEIR_CORRUPT;
            rc = WEIR_CORRUPT;
        }
    }
    if (have_batch) wbatch_fini(&b);
    if (r) wjson_reader_close(r);
    wtype_fini(&schema);
    wopts_fini(&opts);
    return rc;
}

/* *gone = 1 (and WEIR_OK) when the file is no longer there: a compaction removed it after the listing.
 * *absent = 1 (and WEIR_OK) for an entry made ahead and not yet filled (empty) and, when it is the last
 * one (last), for one being filled or cut by a crash while it was: not committed (yet). */
static int read_entry_file(const char *path, int last, WManifest *m, int *gone, int *absent, WErr *err) {
    WBuf data;
    wbuf_init(&data);
    int missing = 0;
    *absent = 0;
    int rc = wfs_read_file(path, &data, &missing, err);
    if (!rc && !missing) m->bytes_read += (int64_t)data.len;
    if (!rc && missing) *gone = 1;
    else if (!rc && (data.len == 0 || (last && wfs_text_cut(data.data, data.len)))) *absent = 1;
    else if (!rc) rc = wmanifest_parse(path, data.data ? data.data : "", data.len, m, err);
    wbuf_fini(&data);
    return rc;
}

static int read_once(const char *dir, int64_t after, WManifest *m, int *gone, int64_t *gap, WErr *err);

static int entry_empty(const char *meta, int64_t batch) {
    char path[4400];
    snprintf(path, sizeof path, "%s/%" PRId64, meta, batch);
    return wfs_file_empty(path);
}

/* The index in l->entries of the last filled entry after the segments (entries made ahead, empty, follow
 * it); -1 when none. */
static int64_t last_filled(const char *meta, const Listing *l, int64_t covered) {
    int64_t last = l->n_entries - 1;
    while (last >= 0 && l->entries[last] > covered && entry_empty(meta, l->entries[last])) last--;
    return last;
}

static void drop_upto(WManifest *m, int64_t from, int64_t after);

/* The writer may compact while a reader (another query's source) reads: it writes a segment, then removes
 * the files it holds, so a file listed here can be gone when opened. The read then starts again from a new
 * listing, which finds the new segment. */
static int read_since(const char *dir, int64_t after, WManifest *m, WErr *err) {
    int64_t n0 = m->n, last0 = m->last_batch;
    int gaps = 0;
    for (int attempt = 0;; attempt++) {
        int gone = 0;
        int64_t gap = -1;
        int rc = read_once(dir, after, m, &gone, &gap, err);
        if (rc || !gone) return rc;
        drop_upto(m, n0, INT64_MAX); /* what this attempt added */
        m->last_batch = last0;
        /* a gap that a new listing does not close is not a race with a compaction: an entry was lost */
        if (gap >= 0 && ++gaps == 3)
            return werr_set(err, WEIR_CORRUPT, dir, -1, -1, -1,
                            "the manifest (_weir_metadata) has no entry for batch %" PRId64 ", and no segment holds it: "
                            "an entry file was removed", gap);
        if (attempt == 100)
            return werr_set(err, WEIR_IO, dir, -1, -1, -1, "the manifest keeps changing while it is read (100 tries)");
    }
}

int wmanifest_read(const char *dir, WManifest *m, WErr *err) { return read_since(dir, -1, m, err); }

int wmanifest_read_since(const char *dir, int64_t after, WManifest *m, WErr *err) {
    return read_since(dir, after, m, err);
}

int wmanifest_read_last(const char *dir, WManifest *m, WErr *err) {
    char meta[4096], path[4400];
    snprintf(meta, sizeof meta, "%s/" META_DIR, dir);
    for (int attempt = 0; attempt < 100; attempt++) {
        Listing l;
        int rc = list_meta(meta, 0, 0, &l, err);
        if (rc) return rc;
        int64_t covered = l.n_segs ? l.segs[l.n_segs - 1].last : -1;
        if (covered > m->last_batch) m->last_batch = covered;
        /* the last filled entry after the segments; if it is cut short (being filled, or by a crash), the
         * one before it */
        int64_t last = last_filled(meta, &l, covered);
        int gone = 0, absent = 1;
        int64_t n0 = m->n;
        for (int64_t i = last; !rc && !gone && absent && i >= 0 && i >= last - 1 && l.entries[i] > covered; i--) {
            snprintf(path, sizeof path, "%s/%" PRId64, meta, l.entries[i]);
            rc = read_entry_file(path, i == last, m, &gone, &absent, err);
            if (!rc && !gone && !absent) m->last_batch = l.entries[i];
        }
        listing_fini(&l);
        if (rc || !gone) return rc;
        drop_upto(m, n0, INT64_MAX);
    }
    return werr_set(err, WEIR_IO, dir, -1, -1, -1, "the manifest keeps changing while it is read (100 tries)");
}

/* Drops the files of batches <= after that m gained from index `from` on (a segment holds older batches). */
static void drop_upto(WManifest *m, int64_t from, int64_t after) {
    int64_t k = from;
    for (int64_t i = from; i < m->n; i++) {
        if (m->files[i].batch <= after) free(m->files[i].path);
        else m->files[k++] = m->files[i];
    }
    m->n = k;
}

static int read_once(const char *dir, int64_t after, WManifest *m, int *gone, int64_t *gap, WErr *err) {
    char meta[4096], path[4400];
    snprintf(meta, sizeof meta, "%s/" META_DIR, dir);
    Listing l;
    int rc = list_meta(meta, 0, 0, &l, err);
    int absent = 0;
    /* the segments, then the entries after them; a reader that has the batches up to `after` reads only the
     * files that hold later ones */
    int64_t covered = l.n_segs ? l.segs[l.n_segs - 1].last : -1;
    for (int i = 0; !rc && !*gone && i < l.n_segs; i++) {
        if (l.segs[i].last <= after) continue;
        int64_t n0 = m->n;
        wseg_path(meta, &l.segs[i], path, sizeof path);
        rc = read_entry_file(path, 0, m, gone, &absent, err);
        drop_upto(m, n0, after);
    }
    if (l.n_segs && covered > m->last_batch) m->last_batch = covered;
    int64_t *ent = l.entries, last = last_filled(meta, &l, covered);
    int64_t expect = covered + 1;
    for (int64_t i = 0; !rc && !*gone && i <= last; i++) {
        if (ent[i] <= covered) continue; /* left behind by a compaction interrupted before its clean-up */
        /* every batch has an entry: one missing after a segment means the listing missed a newer segment */
        if (l.n_segs && ent[i] != expect) {
            *gone = 1;
            *gap = expect;
            break;
        }
        expect = ent[i] + 1;
        if (ent[i] <= after) {
            if (ent[i] > m->last_batch) m->last_batch = ent[i];
            continue;
        }
        snprintf(path, sizeof path, "%s/%" PRId64, meta, ent[i]);
        rc = read_entry_file(path, i == last, m, gone, &absent, err);
        if (!rc && !absent) m->last_batch = ent[i];
    }
    listing_fini(&l);
    return rc;
}

static int put_entry(WBuf *b, const WManifestFile *f, int64_t time_ms) {
    int rc = wbuf_puts(b, "{\"path\":\"");
    for (const char *p = f->path; !rc && *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') rc = wbuf_putc(b, '\\') || wbuf_putc(b, (char)c);
        else if (c < 0x20) rc = wbuf_printf(b, "\\u%04x", c);
        else rc = wbuf_putc(b, (char)c);
    }
    if (!rc)
        rc = wbuf_printf(b, "\",\"size\":%" PRId64 ",\"rows\":%" PRId64 ",\"batch\":%" PRId64
                         ",\"modificationTime\":%" PRId64 "}\n", f->size, f->rows, f->batch, time_ms);
    return rc;
}

/* The field is found as put_entry writes it; a path cannot hold the text searched for, since put_entry
 * escapes its quotes. */
int wmanifest_entry_retained(const char *line, size_t len, int64_t keep_from_ms) {
    static const char key[] = ",\"modificationTime\":";
    const char *at = memmem(line, len, key, sizeof key - 1);
    if (!at) return 1;
    const char *p = at + sizeof key - 1, *end = line + len;
    int64_t t = 0;
    int digits = 0;
    for (; p < end && *p >= '0' && *p <= '9' && digits < 18; p++, digits++) t = t * 10 + (*p - '0');
    return !digits || t >= keep_from_ms;
}

static int entry_retained(void *user, const char *line, size_t len) {
    return wmanifest_entry_retained(line, len, *(const int64_t *)user);
}

int wmanifest_compact(const char *dir, int64_t upto, int64_t retention_ms, WErr *err) {
    int64_t keep_from = retention_ms > 0 ? wtime_now_us() / 1000 - retention_ms : 0;
    WSegKeepFn keep = retention_ms > 0 ? entry_retained : NULL;
    char meta[4096], path[4400];
    snprintf(meta, sizeof meta, "%s/" META_DIR, dir);
    Listing l;
    int rc = list_meta(meta, 1, 1, &l, err);
    int64_t seg_end = l.n_segs ? l.segs[l.n_segs - 1].last : -1;
    if (rc || upto <= seg_end) {
        listing_fini(&l);
        return rc;
    }
    /* the entries of batches seg_end+1 .. upto (a sink that began after batch 0 has none before its first) */
    WBuf fresh;
    wbuf_init(&fresh);
    rc = wbuf_puts(&fresh, "v1\n") ? werr_msg(err, WEIR_NOMEM, "out of memory") : WEIR_OK;
    /* each checked as a reader will read it, so that damage is reported naming its entry, not a segment */
    WBuf one;
    wbuf_init(&one);
    for (int64_t i = 0; !rc && i < l.n_entries; i++) {
        if (l.entries[i] <= seg_end || l.entries[i] > upto) continue;
        snprintf(path, sizeof path, "%s/%" PRId64, meta, l.entries[i]);
        wbuf_reset(&one);
        rc = wfs_read_file(path, &one, NULL, err);
        if (rc || one.len == 0) continue; /* empty: made ahead and never filled, nothing committed */
        WManifest check;
        wmanifest_init(&check);
        rc = wmanifest_parse(path, one.data, one.len, &check, err);
        wmanifest_fini(&check);
        if (!rc && wseg_append_kept(&fresh, one.data + 3, one.len - 3, keep, &keep_from))
            rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    wbuf_fini(&one);
    /* merged with the newest segments by the size-tiered rule, and written once; then what it holds may
     * go. The removals need not be durable: a reader skips what a longer segment covers, and entries up to
     * the last segment (read_once), so no folder fsync. */
    int k = l.n_segs;
    WSeg seg;
    if (!rc) rc = wseg_write_merged(meta, l.segs, l.n_segs, &fresh, seg_end + 1, upto, keep, &keep_from, NULL, &k,
                                    &seg, err);
    if (!rc) wseg_remove(meta, l.segs + k, l.n_segs - k);
    for (int64_t i = 0; !rc && i < l.n_entries && l.entries[i] <= upto; i++) {
        snprintf(path, sizeof path, "%s/%" PRId64, meta, l.entries[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot remove a compacted manifest entry: %s", strerror(errno));
    }
    wbuf_fini(&fresh);
    listing_fini(&l);
    return rc;
}

/* The entry text of one batch: "v1" and a line per file. */
static int entry_text(const WManifestFile *files, int64_t n, WBuf *b, WErr *err) {
    int rc = wbuf_puts(b, "v1\n");
    int64_t now_ms = wtime_now_us() / 1000; /* when the batch commits: what `retention` counts from */
    for (int64_t i = 0; !rc && i < n; i++) rc = put_entry(b, &files[i], now_ms);
    return rc ? werr_msg(err, WEIR_NOMEM, "out of memory") : WEIR_OK;
}

int wmanifest_entry_text(const WManifestFile *files, int64_t n, WBuf *out, WErr *err) {
    wbuf_reset(out);
    return entry_text(files, n, out, err);
}

/* 1 when every file of batch `batch` in m exists under dir with the size listed. */
static int files_intact(const char *dir, int64_t batch, const WManifest *m) {
    for (int64_t i = 0; i < m->n; i++) {
        if (m->files[i].batch != batch) continue;
        char fp[8400];
        struct stat sb;
        snprintf(fp, sizeof fp, "%s/%s", dir, m->files[i].path);
        if (stat(fp, &sb) != 0 || sb.st_size != m->files[i].size) return 0;
    }
    return 1;
}

int wmanifest_restore(const char *dir, int64_t batch, const char *text, size_t len, WErr *err) {
    char path[4400];
    snprintf(path, sizeof path, "%s/" META_DIR "/%" PRId64, dir, batch);
    WManifest m;
    wmanifest_init(&m);
    int rc = wmanifest_parse(path, text, len, &m, err);
    for (int64_t i = 0; !rc && i < m.n; i++)
        if (m.files[i].batch != batch)
            rc = werr_set(err, WEIR_CORRUPT, path, -1, -1, -1, "the saved entry of batch %" PRId64 " lists a file of batch %" PRId64,
                          batch, m.files[i].batch);
    if (!rc && !files_intact(dir, batch, &m))
        rc = werr_set(err, WEIR_CORRUPT, path, -1, -1, -1, "a file the saved entry lists is missing or has another size");
    wmanifest_fini(&m);
    return rc ? rc : wfs_write_atomic(path, text, len, err);
}

int wmanifest_stage(const char *dir, int64_t batch, const WBuf *text, struct WFilePool *pool, WManifestStage *st,
                    WErr *err) {
    char path[4400];
    st->staged = 0;
    st->out.fd = -1;
    st->out.path = st->out.tmp_path = NULL;
    snprintf(st->meta, sizeof st->meta, "%s/" META_DIR, dir);
    int rc = wfs_mkdirs(st->meta, err);
    if (rc) return rc;
    snprintf(path, sizeof path, "%s/%" PRId64, st->meta, batch);
    rc = wfs_out_open_in(&st->out, path, pool, err);
    if (!rc && (rc = wfs_out_write(&st->out, text->data, text->len, err)) != 0) wfs_out_abort(&st->out);
    st->staged = !rc;
    return rc;
}

int wmanifest_stage_sync(WManifestStage *st, WErr *err) {
    if (!st->staged) return werr_msg(err, WEIR_MISUSE, "syncing a manifest entry that was not staged");
    int rc = wfs_out_sync(&st->out, err);
    if (rc) st->staged = 0; /* wfs_out_sync removed it */
    return rc;
}

int wmanifest_publish(WManifestStage *st, WErr *err) {
    if (!st->staged) return werr_msg(err, WEIR_MISUSE, "publishing a manifest entry that was not staged");
    st->staged = 0;
    return wfs_out_publish(&st->out, err);
}

void wmanifest_stage_abort(WManifestStage *st) {
    if (st->staged) wfs_out_abort(&st->out);
    st->staged = 0;
}

int wmanifest_verify_last(const char *dir, int64_t batch, const WManifest *m, int *removed, WErr *err) {
    *removed = 0;
    if (batch < 0) return WEIR_OK;
    char meta[4096], path[4400];
    snprintf(meta, sizeof meta, "%s/" META_DIR, dir);
    snprintf(path, sizeof path, "%s/%" PRId64, meta, batch);
    if (!wfs_exists(path)) return WEIR_OK; /* from a compaction, which only covers batches made durable */
    *removed = !files_intact(dir, batch, m);
    return *removed ? wfs_remove(path, err) : WEIR_OK;
}

int wmanifest_commit(const char *dir, int64_t batch, const WManifestFile *files, int64_t n, int compact_interval,
                     struct WFilePool *pool, WErr *err) {
    WManifestStage st;
    WBuf text;
    wbuf_init(&text);
    int rc = entry_text(files, n, &text, err);
    if (!rc) rc = wmanifest_stage(dir, batch, &text, pool, &st, err);
    wbuf_fini(&text);
    if (!rc) rc = wmanifest_stage_sync(&st, err);
    if (!rc) rc = wmanifest_publish(&st, err);
    if (!rc) rc = wfs_fsync_dir(st.meta, err);
    if (!rc && compact_interval > 0 && (batch + 1) % compact_interval == 0) rc = wmanifest_compact(dir, batch, 0, err);
    return rc;
}

int wmanifest_make_ahead(const char *dir, int64_t from, int64_t to, WErr *err) {
    char meta[4096], path[4400];
    snprintf(meta, sizeof meta, "%s/" META_DIR, dir);
    int rc = wfs_mkdirs(meta, err);
    for (int64_t k = from; !rc && k <= to; k++) {
        snprintf(path, sizeof path, "%s/%" PRId64, meta, k);
        rc = wfs_create_empty(path, err);
    }
    return rc ? rc : wfs_fsync_dir(meta, err);
}

int wmanifest_fill(const char *dir, int64_t batch, const WBuf *text, WManifestFill *f, WErr *err) {
    f->fd = -1;
    snprintf(f->path, sizeof f->path, "%s/" META_DIR "/%" PRId64, dir, batch);
    int rc = WEIR_OK;
    int fd = open(f->path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) rc = werr_set(err, WEIR_IO, f->path, -1, -1, -1, "cannot open the entry made ahead: %s", strerror(errno));
    if (!rc) rc = wfs_fill_empty(fd, f->path, text->data, text->len, err); /* readers see it whole (or, cut, skip it) */
    if (rc && fd >= 0) close(fd);
    else f->fd = fd;
    return rc;
}

int wmanifest_fill_sync(WManifestFill *f, WErr *err) {
    if (f->fd < 0) return WEIR_OK;
    int rc = fdatasync(f->fd) != 0 ? werr_set(err, WEIR_IO, f->path, -1, -1, -1, "fdatasync failed: %s", strerror(errno))
                                   : WEIR_OK;
    if (close(f->fd) != 0 && !rc) rc = werr_set(err, WEIR_IO, f->path, -1, -1, -1, "close failed: %s", strerror(errno));
    f->fd = -1;
    return rc;
}

int wmanifest_drop_ahead(const char *dir, int64_t last, WErr *err) {
    char meta[4096], path[4400];
    snprintf(meta, sizeof meta, "%s/" META_DIR, dir);
    DIR *d = opendir(meta);
    if (!d) return errno == ENOENT ? WEIR_OK : werr_set(err, WEIR_IO, meta, -1, -1, -1, "cannot open the manifest folder: %s", strerror(errno));
    struct dirent *e;
    int rc = WEIR_OK;
    while (!rc && (e = readdir(d)) != NULL) {
        int64_t b = entry_batch(e->d_name);
        if (b <= last) continue;
        snprintf(path, sizeof path, "%s/%s", meta, e->d_name);
        WBuf t;
        wbuf_init(&t);
        int missing = 0;
        rc = wfs_read_file(path, &t, &missing, err);
        /* above the last committed batch only entries made ahead (empty) or cut by a crash can be */
        if (!rc && !missing && (t.len == 0 || wfs_text_cut(t.data, t.len)) && unlink(path) != 0 && errno != ENOENT)
            rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot remove a manifest entry: %s", strerror(errno));
        wbuf_fini(&t);
    }
    closedir(d);
    return rc;
}
