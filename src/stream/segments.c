/*
 * segments.c - naming, listing and the merge rule of compacted log segments (segments.h).
 */
#include "stream/segments.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "stream/ckpt.h"

/* A decimal batch number at *p, advancing p: -1 when there is none or it overflows. */
static int64_t parse_batch(const char **p) {
    const char *s = *p;
    if (*s < '0' || *s > '9') return -1;
    int64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (INT64_MAX - 9) / 10) return -1;
        v = v * 10 + (*s - '0');
    }
    *p = s;
    return v;
}

int wseg_parse_name(const char *name, int legacy_ok, WSeg *out) {
    const char *p = name;
    int64_t a = parse_batch(&p), b;
    if (a < 0) return 0;
    if (*p == '-') {
        p++;
        if ((b = parse_batch(&p)) < a) return 0;
        if (strcmp(p, ".compact") != 0) return 0;
        *out = (WSeg){a, b, 0, 0};
        return 1;
    }
    if (!legacy_ok || strcmp(p, ".compact") != 0) return 0;
    *out = (WSeg){0, a, 0, 1};
    return 1;
}

void wseg_path(const char *dir, const WSeg *seg, char *buf, size_t cap) {
    if (seg->legacy) snprintf(buf, cap, "%s/%" PRId64 ".compact", dir, seg->last);
    else snprintf(buf, cap, "%s/%" PRId64 "-%" PRId64 ".compact", dir, seg->first, seg->last);
}

static int seg_cmp(const void *a, const void *b) {
    const WSeg *x = a, *y = b;
    if (x->first != y->first) return x->first < y->first ? -1 : 1;
    return x->last > y->last ? -1 : x->last < y->last; /* longest first */
}

int wseg_cover(const char *dir, int tidy, WSeg *all, int n) {
    if (n > 1) qsort(all, (size_t)n, sizeof *all, seg_cmp);
    int k = 0;
    int64_t next = 0;
    for (int i = 0; i < n; i++) {
        if (all[i].first == next) {
            all[k++] = all[i];
            next = all[i].last + 1;
        } else if (tidy && all[i].last < next) { /* covered; one after a gap is kept for whoever finds it */
            char path[4400];
            wseg_path(dir, &all[i], path, sizeof path);
            unlink(path);
        }
    }
    return k;
}

int wseg_list(const char *dir, int legacy_ok, int tidy, WSeg **out, int *n_out, WErr *err) {
    *out = NULL;
    *n_out = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return WEIR_OK;
        return werr_set(err, WEIR_IO, dir, -1, -1, -1, "cannot open the folder: %s", strerror(errno));
    }
    WSeg *all = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    char path[4400];
    while ((e = readdir(d)) != NULL) {
        WSeg s;
        if (!wseg_parse_name(e->d_name, legacy_ok, &s)) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            WSeg *t = realloc(all, (size_t)cap * sizeof *t);
            if (!t) {
                closedir(d);
                free(all);
                return werr_msg(err, WEIR_NOMEM, "out of memory");
            }
            all = t;
        }
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        s.bytes = stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
        all[n++] = s;
    }
    closedir(d);
    int k = wseg_cover(dir, tidy, all, n);
    if (!k) {
        free(all);
        all = NULL;
    }
    *out = all;
    *n_out = k;
    return WEIR_OK;
}

int wseg_merge_start(const WSeg *segs, int n, int64_t *bytes) {
    int k = n;
    while (k > 0 && segs[k - 1].bytes <= 2 * *bytes) *bytes += segs[--k].bytes;
    return k;
}

int wseg_append_kept(WBuf *out, const char *text, size_t n, WSegKeepFn keep, void *keep_user) {
    if (!keep) return wbuf_append(out, text, n);
    const char *p = text, *end = text + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        if (keep(keep_user, p, (size_t)((nl ? nl : end) - p)) && wbuf_append(out, p, (size_t)(next - p))) return -1;
        p = next;
    }
    return 0;
}

int wseg_write_merged(const char *dir, const WSeg *segs, int n, const WBuf *fresh, int64_t first, int64_t last,
                      WSegKeepFn keep, void *keep_user, const WBuf *tail, int *k, WSeg *out, WErr *err) {
    int64_t bytes = (int64_t)fresh->len;
    *k = wseg_merge_start(segs, n, &bytes);
    *out = (WSeg){*k < n ? segs[*k].first : first, last, bytes, 0};
    char path[4400];
    WBuf merged, old;
    wbuf_init(&merged);
    wbuf_init(&old);
    const WBuf *text = fresh;
    int rc = WEIR_OK;
    if (*k < n) {
        rc = wbuf_puts(&merged, "v1\n") ? werr_msg(err, WEIR_NOMEM, "out of memory") : WEIR_OK;
        for (int i = *k; !rc && i < n; i++) {
            wseg_path(dir, &segs[i], path, sizeof path);
            if (!keep) { /* every line stays: read straight into the merged text (what follows "v1") */
                rc = wckpt_read_log_file(path, &merged, NULL, err);
                continue;
            }
            wbuf_reset(&old);
            rc = wckpt_read_log_file(path, &old, NULL, err);
            if (!rc && wseg_append_kept(&merged, old.data, old.len, keep, keep_user))
                rc = werr_msg(err, WEIR_NOMEM, "out of memory");
        }
        if (!rc && wbuf_append(&merged, fresh->data + 3, fresh->len - 3)) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
        if (!rc && tail && tail->len && wbuf_append(&merged, tail->data, tail->len))
            rc = werr_msg(err, WEIR_NOMEM, "out of memory");
        text = &merged;
    }
    out->bytes = (int64_t)text->len; /* what was written, lines dropped or not: the next merges compare it */
    wseg_path(dir, out, path, sizeof path);
    if (!rc) rc = wfs_write_atomic(path, text->data, text->len, err);
    wbuf_fini(&merged);
    wbuf_fini(&old);
    return rc;
}

void wseg_remove(const char *dir, const WSeg *segs, int n) {
    char path[4400];
    for (int i = 0; i < n; i++) {
        wseg_path(dir, &segs[i], path, sizeof path);
        unlink(path);
    }
}
