/*
 * pq_writer.c - writes WBatches as a Parquet file (see parquet.h for the mapping and the options).
 *
 * Batches are shredded, 65536 rows at a time, into one buffer per leaf column (definition levels plus
 * the non-NULL values in their in-memory form). As soon as a leaf's buffer holds pageSize bytes of
 * values (in their plain size) a data page is cut from it, its statistics taken, its values looked up
 * in the chunk's dictionary (kept per leaf while it stays under dictionaryPageSize; a chunk whose first
 * page fills half of it goes PLAIN), encoded, compressed and appended to the leaf's chunk buffer; the
 * buffer keeps only what is left. So each value is read from memory while it is still in the cache and
 * the writer holds one page of raw values per column, not a row group (128 MB by default). When the
 * row group is full by rows or by bytes (counted on the raw values taken, as Spark does), each leaf's
 * last page is cut and its chunk written: the dictionary page, then the pages held; only metadata is
 * kept for the footer. Every column is OPTIONAL and nothing repeats, so one row is one definition
 * level per leaf and max definition level = nesting depth.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "formats/parquet.h"
#include "formats/parquet/pq_int.h"
#include "weir.h"

#define PQ_MAX_DEPTH 64
#define PQ_INDEX_TRUNC 64 /* bytes kept of string bounds in the page index */

typedef struct Stat {
    int has;          /* a min and max were seen (not for all-NULL or all-NaN) */
    int64_t nulls;
    int64_t imin, imax;
    double dmin, dmax;
    const uint8_t *smin, *smax;
    uint32_t nsmin, nsmax;
} Stat;

typedef struct PageLoc {
    int64_t offset, first_row, nulls;
    int32_t size;
    int null_page;
    size_t min_off, max_off; /* into ChunkMeta.blob */
    uint32_t min_len, max_len;
} PageLoc;

typedef struct ChunkMeta {
    int64_t file_offset, data_off, dict_off; /* dict_off -1 when none */
    int64_t num_values, uncomp, comp;
    int used_dict, used_plain;
    int has_minmax;
    int64_t nulls;
    WBuf blob;                /* stats min/max bytes, then page index bounds */
    size_t smin_off, smax_off;
    uint32_t smin_len, smax_len;
    PageLoc *pages;
    int n_pages, cap_pages;
    int no_column_index;      /* a page held only NaN values: parquet.thrift forbids a ColumnIndex */
    int64_t ci_off, oi_off;   /* page index locations, -1 until written */
    int32_t ci_len, oi_len;
} ChunkMeta;

typedef struct RowGroupMeta {
    int64_t num_rows, file_offset, uncomp, comp;
    ChunkMeta *chunks;
} RowGroupMeta;

typedef struct PqArr { /* bytes in a pq_mem_grow array */
    char *data;
    size_t len, cap;
} PqArr;

static int arr_reserve(PqArr *a, size_t extra) {
    if (a->len + extra <= a->cap) return WEIR_OK;
    char *p = pq_mem_grow(a->data, a->len, &a->cap, a->len + extra);
    if (!p) return WEIR_NOMEM;
    a->data = p;
    return WEIR_OK;
}

static int arr_append(PqArr *a, const void *p, size_t n) {
    if (arr_reserve(a, n)) return WEIR_NOMEM;
    if (n) memcpy(a->data + a->len, p, n);
    a->len += n;
    return WEIR_OK;
}

typedef struct Leaf {
    const WType *type;
    const char *path[PQ_MAX_DEPTH];
    int depth;                 /* = max definition level */
    int phys, width;           /* physical type; bytes per buffered value (0: string) */
    uint8_t *defs;             /* arrays from pq_mem_grow; caps in bytes */
    int64_t n_rows;
    size_t defs_cap;
    PqArr vals;                /* fixed: raw values; string: bytes */
    uint32_t *soff;            /* string: value k is vals[soff[k] .. soff[k+1]) */
    int64_t n_vals;
    size_t soff_cap;
    int dict_overflowed;       /* a chunk's dictionary passed its limit: later chunks go PLAIN directly */
    /* the chunk of the row group being written */
    int64_t rg_rows, rg_vals;  /* rows and values taken so far (the row group's size counts them) */
    size_t rg_bytes;           /* bytes of values taken so far */
    int64_t rg_rows_done;      /* rows already in pages */
    ChunkMeta cm;              /* its pages so far, at offsets relative to `out` */
    Stat chunk;                /* its statistics so far */
    WBuf cmin, cmax;           /* copies of its string bounds */
    PqArr out;                 /* its data pages, encoded and compressed */
    int64_t stream_start;      /* first leaf only: where its pages went straight to the file, else -1 */
    int pages_dict;            /* data pages that use the dictionary */
    int chunk_plain;           /* the dictionary was given up: the chunk's later pages are PLAIN */
    /* the chunk's dictionary */
    PqArr dict;                /* entries, PLAIN-encoded: the dictionary page's body */
    uint32_t *doff;            /* strings: entry e starts at dict.data + doff[e] (its 4-byte length) */
    size_t doff_cap;
    int64_t nd;                /* entries */
    uint32_t *slots;           /* hash table: entry + 1 (0 free), beside the key of each slot */
    uint64_t *skeys;           /* fixed width: the value; strings: its hash */
    size_t slots_cap, skeys_cap; /* bytes */
    int64_t tcap;              /* table size (a power of two; 0: no table yet) */
    int shift;                 /* 64 - log2(tcap) */
    uint32_t *dmap;            /* 32-bit values in a narrow range: entry + 1 by value - dbase */
    int64_t dspan;             /* dmap's size */
    int32_t dbase;
    uint32_t direct;           /* the span in use when dmap is in use, else 0 */
} Leaf;

#define PQ_DIRECT 65536 /* widest span of a direct dictionary table */

struct WPqWriter {
    char *path, *tmp;
    FILE *f;
    int64_t pos;
    WType schema;
    Leaf *leaves;
    int n_leaves;
    /* options */
    int codec, level, dict, page_version, page_index;
    int64_t rg_rows, rg_bytes, page_size, dict_limit;
    /* row groups written */
    RowGroupMeta *rgs;
    int n_rgs, cap_rgs;
    int64_t total_rows;
    char **kv;                 /* key, value pairs */
    int n_kv;
    /* scratch */
    uint8_t *scratch[PQ_MAX_DEPTH + 1];
    int64_t scratch_cap;
    WBuf page, comp, levels, hdr, dictbuf;
    uint32_t *idx;             /* dictionary index per value (pq_mem_grow) */
    size_t idx_cap;            /* bytes */
    int failed;
    int no_sync;               /* wpq_writer_set_durable(w, 0): close skips both fsyncs */
    PqCompressor cz;
};

/* ---------------- options ---------------- */

static int parse_size(const char *name, const char *s, int64_t *out, int *is_bytes, WErr *err) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || v < 1) return werr_msg(err, WEIR_MISUSE, "option %s: '%s' is not a positive size", name, s);
    while (*end == ' ') end++;
    double mul = 1;
    *is_bytes = 0;
    if (*end) {
        *is_bytes = 1;
        if (!strcasecmp(end, "b")) mul = 1;
        else if (!strcasecmp(end, "k") || !strcasecmp(end, "kb")) mul = 1024;
        else if (!strcasecmp(end, "m") || !strcasecmp(end, "mb")) mul = 1024.0 * 1024;
        else if (!strcasecmp(end, "g") || !strcasecmp(end, "gb")) mul = 1024.0 * 1024 * 1024;
        else return werr_msg(err, WEIR_MISUSE, "option %s: '%s' has an unknown unit (use B, KB, MB, GB)", name, s);
    }
    v *= mul;
    if (v > 1e15) return werr_msg(err, WEIR_MISUSE, "option %s: '%s' is too large", name, s);
    *out = (int64_t)v;
    return WEIR_OK;
}

static int read_opts(WPqWriter *w, WOpts *o, WErr *err) {
    w->codec = PQ_CODEC_SNAPPY;
    w->dict = 1;
    w->page_version = 1;
    w->page_index = 1;
    w->rg_rows = 0;
    w->rg_bytes = 128ll << 20;
    w->page_size = 1 << 20;
    w->dict_limit = 1 << 20;
    if (!o) return WEIR_OK;
    const char *s;
    int rc, isb;
    wopts_get_str(o, "compression", NULL, &s);
    if (s) {
        if (!strcasecmp(s, "snappy")) w->codec = PQ_CODEC_SNAPPY;
        else if (!strcasecmp(s, "zstd")) w->codec = PQ_CODEC_ZSTD;
        else if (!strcasecmp(s, "gzip")) w->codec = PQ_CODEC_GZIP;
        else if (!strcasecmp(s, "uncompressed") || !strcasecmp(s, "none")) w->codec = PQ_CODEC_NONE;
        else return werr_msg(err, WEIR_MISUSE, "option compression: '%s' is not snappy, zstd, gzip or uncompressed", s);
    }
    wopts_get_str(o, "rowGroupSize", NULL, &s);
    if (s) {
        int64_t v;
        if ((rc = parse_size("rowGroupSize", s, &v, &isb, err))) return rc;
        if (isb) w->rg_bytes = v;
        else {
            w->rg_rows = v;
            w->rg_bytes = INT64_MAX;
        }
    }
    wopts_get_str(o, "pageSize", NULL, &s);
    if (s && (rc = parse_size("pageSize", s, &w->page_size, &isb, err))) return rc;
    wopts_get_str(o, "dictionaryPageSize", NULL, &s);
    if (s && (rc = parse_size("dictionaryPageSize", s, &w->dict_limit, &isb, err))) return rc;
    if ((rc = wopts_get_bool(o, "dictionary", 1, &w->dict, err))) return rc;
    if ((rc = wopts_get_bool(o, "pageIndex", 1, &w->page_index, err))) return rc;
    int64_t pv, lvl;
    if ((rc = wopts_get_int(o, "pageVersion", 1, &pv, err))) return rc;
    if (pv != 1 && pv != 2) return werr_msg(err, WEIR_MISUSE, "option pageVersion: %lld is not 1 or 2", (long long)pv);
    w->page_version = (int)pv;
    if ((rc = wopts_get_int(o, "compressionLevel", 0, &lvl, err))) return rc;
    if (lvl < 0 || lvl > 22) return werr_msg(err, WEIR_MISUSE, "option compressionLevel: %lld is out of range", (long long)lvl);
    w->level = (int)lvl;
    return WEIR_OK;
}

/* ---------------- schema ---------------- */

static int phys_of(WTypeId id, int *width) {
    switch (id) {
    case WT_BOOLEAN: *width = 1; return PQ_BOOLEAN;
    case WT_INT:
    case WT_DATE: *width = 4; return PQ_INT32;
    case WT_BIGINT:
    case WT_TIMESTAMP: *width = 8; return PQ_INT64;
    case WT_DOUBLE: *width = 8; return PQ_DOUBLE;
    case WT_STRING: *width = 0; return PQ_BYTE_ARRAY;
    default: *width = 0; return -1;
    }
}

static int collect_leaves(WPqWriter *w, const WType *st, const char **path, int depth, WErr *err) {
    if (depth >= PQ_MAX_DEPTH) return werr_msg(err, WEIR_UNSUPPORTED, "unsupported: structs nested deeper than %d", PQ_MAX_DEPTH);
    for (int i = 0; i < st->n_fields; i++) {
        const WField *f = &st->fields[i];
        path[depth] = f->name;
        if (f->type.id == WT_STRUCT) {
            if (f->type.n_fields == 0) return werr_msg(err, WEIR_UNSUPPORTED, "unsupported: empty struct column %s", f->name);
            int rc = collect_leaves(w, &f->type, path, depth + 1, err);
            if (rc) return rc;
            continue;
        }
        Leaf *nl = realloc(w->leaves, sizeof *nl * (size_t)(w->n_leaves + 1));
        if (!nl) return werr_msg(err, WEIR_NOMEM, "out of memory");
        w->leaves = nl;
        Leaf *l = &w->leaves[w->n_leaves++];
        memset(l, 0, sizeof *l);
        l->type = &f->type;
        l->depth = depth + 1;
        for (int k = 0; k <= depth; k++) l->path[k] = path[k];
        l->phys = phys_of(f->type.id, &l->width);
        if (l->phys < 0) return werr_msg(err, WEIR_UNSUPPORTED, "unsupported: column %s of type %s", f->name, wtype_name(f->type.id));
    }
    return WEIR_OK;
}

/* ---------------- shredding ---------------- */

/* A leaf's value buffer keeps PQ_HEAD bytes free in front of vals.data: a PLAIN page whose levels fit
 * there is built in place, levels then values, and compressed from the buffer without a copy. */
#define PQ_HEAD 64

static int vals_reserve(Leaf *l, size_t extra) {
    if (l->vals.data && l->vals.len + extra <= l->vals.cap) return WEIR_OK;
    char *raw = l->vals.data ? l->vals.data - PQ_HEAD : NULL;
    size_t cap = l->vals.data ? l->vals.cap + PQ_HEAD : 0;
    raw = pq_mem_grow(raw, l->vals.data ? l->vals.len + PQ_HEAD : 0, &cap, l->vals.len + extra + PQ_HEAD);
    if (!raw) return WEIR_NOMEM;
    l->vals.data = raw + PQ_HEAD;
    l->vals.cap = cap - PQ_HEAD;
    return WEIR_OK;
}

static void vals_free(Leaf *l) {
    if (l->vals.data) pq_mem_free(l->vals.data - PQ_HEAD, l->vals.cap + PQ_HEAD);
}

static int leaf_reserve(Leaf *l, int64_t rows) {
    if ((size_t)(l->n_rows + rows) > l->defs_cap) {
        uint8_t *d = pq_mem_grow(l->defs, (size_t)l->n_rows, &l->defs_cap, (size_t)(l->n_rows + rows));
        if (!d) return WEIR_NOMEM;
        l->defs = d;
    }
    if (l->width) return vals_reserve(l, (size_t)(rows * l->width));
    /* strings: never a NULL buffer, so an empty value's pointer is valid for memcmp and hashing */
    if (!l->vals.data && vals_reserve(l, 64)) return WEIR_NOMEM;
    size_t need = sizeof *l->soff * (size_t)(l->n_vals + rows + 1);
    if (need > l->soff_cap) {
        int first = !l->soff;
        uint32_t *o = pq_mem_grow(l->soff, sizeof *o * (size_t)(l->n_vals + 1), &l->soff_cap, need);
        if (!o) return WEIR_NOMEM;
        if (first) o[0] = 0;
        l->soff = o;
    }
    return WEIR_OK;
}

/* Appends rows [r0, r1) of v at nesting level `level` (1 = top-level column); pdef holds the parent's
 * definition level per row (NULL at the top, where the parent is the always-present root). */
static int shred(WPqWriter *w, const WVec *v, int level, const uint8_t *pdef, int64_t r0, int64_t r1, int *leaf_i,
                 WErr *err) {
    int64_t n = r1 - r0;
    if (v->type->id == WT_STRUCT) {
        uint8_t *d = w->scratch[level];
        for (int64_t i = 0; i < n; i++) {
            uint8_t p = pdef ? pdef[i] : 0;
            d[i] = (p == level - 1 && !wvec_is_null(v, r0 + i)) ? (uint8_t)level : p;
        }
        for (int c = 0; c < v->n_children; c++) {
            int rc = shred(w, &v->children[c], level + 1, d, r0, r1, leaf_i, err);
            if (rc) return rc;
        }
        return WEIR_OK;
    }
    Leaf *l = &w->leaves[(*leaf_i)++];
    if (leaf_reserve(l, n)) return werr_msg(err, WEIR_NOMEM, "out of memory buffering a row group");
    uint8_t *defs = l->defs + l->n_rows;
    if (!pdef && v->null_count == 0) memset(defs, level, (size_t)n); /* flat column without NULLs */
    else
        for (int64_t i = 0; i < n; i++) {
            uint8_t p = pdef ? pdef[i] : 0;
            defs[i] = (p == level - 1 && !wvec_is_null(v, r0 + i)) ? (uint8_t)level : p;
        }
    l->n_rows += n;
    l->rg_rows += n;
    size_t len_before = l->vals.len;
    int64_t vals_before = l->n_vals;
    if (l->phys == PQ_BOOLEAN) {
        uint8_t *out = (uint8_t *)l->vals.data + l->vals.len;
        int64_t k = 0;
        for (int64_t i = 0; i < n; i++)
            if (defs[i] == level) out[k++] = (uint8_t)wvec_bool(v, r0 + i);
        l->vals.len += (size_t)k;
        l->n_vals += k;
    } else if (l->width) {
        int wd = l->width;
        char *out = l->vals.data + l->vals.len;
        const char *src = (const char *)v->values + r0 * wd;
        int64_t k = 0;
        if (!pdef && v->null_count == 0) { /* common flat, dense case */
            memcpy(out, src, (size_t)(n * wd));
            k = n;
        } else {
            for (int64_t i = 0; i < n; i++)
                if (defs[i] == level) memcpy(out + (k++) * wd, src + i * wd, (size_t)wd);
        }
        l->vals.len += (size_t)(k * wd);
        l->n_vals += k;
    } else {
        for (int64_t i = 0; i < n; i++) {
            if (defs[i] != level) continue;
            size_t len;
            const char *s = wvec_str(v, r0 + i, &len);
            if (l->vals.len + len > UINT32_MAX) return werr_msg(err, WEIR_UNSUPPORTED, "unsupported: more than 4 GiB of strings in one row group");
            if (vals_reserve(l, len)) return werr_msg(err, WEIR_NOMEM, "out of memory buffering a row group");
            if (len) memcpy(l->vals.data + l->vals.len, s, len);
            l->vals.len += len;
            l->soff[++l->n_vals] = (uint32_t)l->vals.len;
        }
    }
    l->rg_bytes += l->vals.len - len_before;
    l->rg_vals += l->n_vals - vals_before;
    return WEIR_OK;
}

static int64_t buffered_bytes(const WPqWriter *w) {
    int64_t b = 0;
    for (int i = 0; i < w->n_leaves; i++) {
        const Leaf *l = &w->leaves[i];
        b += (int64_t)l->rg_bytes + l->rg_vals * (l->width ? 0 : 4) + l->rg_rows / 4;
    }
    return b;
}

/* ---------------- statistics ---------------- */

static inline const uint8_t *val_ptr(const Leaf *l, int64_t k, uint32_t *len) {
    if (l->width) {
        *len = (uint32_t)l->width;
        return (const uint8_t *)l->vals.data + k * l->width;
    }
    *len = l->soff[k + 1] - l->soff[k];
    return (const uint8_t *)l->vals.data + l->soff[k];
}

static int bytes_cmp(const uint8_t *a, uint32_t na, const uint8_t *b, uint32_t nb) {
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c) return c;
    return na < nb ? -1 : na > nb;
}

/* Min and max of 32-bit integers and doubles, 8 at a time in 128-bit vectors (GCC/clang vector
 * extensions: SSE2 on x86-64, NEON on arm64); a select by mask, as SSE2 has no 32-bit min. For doubles
 * `x < m ? x : m` keeps m when x is NaN, as the scalar loop does. */
typedef int32_t v4i32 __attribute__((vector_size(16)));
typedef double v2f64 __attribute__((vector_size(16)));
typedef int64_t v2i64 __attribute__((vector_size(16)));

static inline v4i32 sel_i32(v4i32 m, v4i32 a, v4i32 b) { return (a & m) | (b & ~m); }
static inline v2f64 sel_f64(v2i64 m, v2f64 a, v2f64 b) {
    v2i64 r = ((v2i64)a & m) | ((v2i64)b & ~m);
    return (v2f64)r;
}

static void minmax_i32(const int32_t *p, int64_t n, int64_t *mn, int64_t *mx) {
    int32_t a = p[0], b = p[0];
    int64_t k = 0;
    if (n >= 8) {
        v4i32 lo0, hi0, lo1, hi1;
        memcpy(&lo0, p, 16);
        memcpy(&lo1, p + 4, 16);
        hi0 = lo0;
        hi1 = lo1;
        for (k = 8; k + 8 <= n; k += 8) {
            v4i32 x0, x1;
            memcpy(&x0, p + k, 16);
            memcpy(&x1, p + k + 4, 16);
            lo0 = sel_i32(x0 < lo0, x0, lo0);
            lo1 = sel_i32(x1 < lo1, x1, lo1);
            hi0 = sel_i32(x0 > hi0, x0, hi0);
            hi1 = sel_i32(x1 > hi1, x1, hi1);
        }
        lo0 = sel_i32(lo1 < lo0, lo1, lo0);
        hi0 = sel_i32(hi1 > hi0, hi1, hi0);
        for (int q = 0; q < 4; q++) {
            a = lo0[q] < a ? lo0[q] : a;
            b = hi0[q] > b ? hi0[q] : b;
        }
    }
    for (; k < n; k++) {
        a = p[k] < a ? p[k] : a;
        b = p[k] > b ? p[k] : b;
    }
    *mn = a;
    *mx = b;
}

/* p[0] is not NaN. */
static void minmax_f64(const double *p, int64_t n, double *mn, double *mx) {
    double a = p[0], b = p[0];
    int64_t k = 1;
    if (n >= 9) {
        v2f64 lo0 = {a, a}, lo1 = lo0, hi0 = lo0, hi1 = lo0, lo2 = lo0, hi2 = lo0, lo3 = lo0, hi3 = lo0;
        for (; k + 8 <= n; k += 8) {
            v2f64 x0, x1, x2, x3;
            memcpy(&x0, p + k, 16);
            memcpy(&x1, p + k + 2, 16);
            memcpy(&x2, p + k + 4, 16);
            memcpy(&x3, p + k + 6, 16);
            lo0 = sel_f64(x0 < lo0, x0, lo0);
            lo1 = sel_f64(x1 < lo1, x1, lo1);
            lo2 = sel_f64(x2 < lo2, x2, lo2);
            lo3 = sel_f64(x3 < lo3, x3, lo3);
            hi0 = sel_f64(x0 > hi0, x0, hi0);
            hi1 = sel_f64(x1 > hi1, x1, hi1);
            hi2 = sel_f64(x2 > hi2, x2, hi2);
            hi3 = sel_f64(x3 > hi3, x3, hi3);
        }
        lo0 = sel_f64(lo1 < lo0, lo1, lo0);
        lo2 = sel_f64(lo3 < lo2, lo3, lo2);
        lo0 = sel_f64(lo2 < lo0, lo2, lo0);
        hi0 = sel_f64(hi1 > hi0, hi1, hi0);
        hi2 = sel_f64(hi3 > hi2, hi3, hi2);
        hi0 = sel_f64(hi2 > hi0, hi2, hi0);
        for (int q = 0; q < 2; q++) {
            a = lo0[q] < a ? lo0[q] : a;
            b = hi0[q] > b ? hi0[q] : b;
        }
    }
    for (; k < n; k++) {
        a = p[k] < a ? p[k] : a;
        b = p[k] > b ? p[k] : b;
    }
    *mn = a;
    *mx = b;
}

static void stat_values(const Leaf *l, Stat *s, int64_t v0, int64_t v1) {
    WTypeId id = l->type->id;
    if (v0 < v1 && l->phys == PQ_DOUBLE) { /* NaN never compares, so it never becomes a bound */
        const double *p = (const double *)(const void *)l->vals.data;
        int64_t k = v0;
        while (k < v1 && isnan(p[k])) k++;
        if (k == v1) return;
        /* The sign of a zero bound is not tracked: stat_bound always writes a zero minimum as -0.0 and
         * a zero maximum as +0.0, which is what parquet.thrift asks whatever the signs of the zeros seen. */
        double a, b;
        minmax_f64(p + k, v1 - k, &a, &b);
        if (!s->has || a < s->dmin) s->dmin = a;
        if (!s->has || b > s->dmax) s->dmax = b;
        s->has = 1;
        return;
    }
    if (v0 < v1 && (l->phys == PQ_INT32 || l->phys == PQ_INT64)) { /* fast paths for the common types */
        int64_t mn, mx;
        /* 64-bit: four independent chains, so the comparisons do not wait on each other */
#define MINMAX4(T)                                                                                      \
    do {                                                                                                \
        const T *p = (const T *)(const void *)l->vals.data;                                             \
        T a0 = p[v0], a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;                    \
        int64_t k = v0 + 1;                                                                             \
        for (; k + 4 <= v1; k += 4) {                                                                   \
            T d0 = p[k], d1 = p[k + 1], d2 = p[k + 2], d3 = p[k + 3];                                   \
            a0 = d0 < a0 ? d0 : a0;                                                                     \
            a1 = d1 < a1 ? d1 : a1;                                                                     \
            a2 = d2 < a2 ? d2 : a2;                                                                     \
            a3 = d3 < a3 ? d3 : a3;                                                                     \
            b0 = d0 > b0 ? d0 : b0;                                                                     \
            b1 = d1 > b1 ? d1 : b1;                                                                     \
            b2 = d2 > b2 ? d2 : b2;                                                                     \
            b3 = d3 > b3 ? d3 : b3;                                                                     \
        }                                                                                               \
        for (; k < v1; k++) {                                                                           \
            a0 = p[k] < a0 ? p[k] : a0;                                                                 \
            b0 = p[k] > b0 ? p[k] : b0;                                                                 \
        }                                                                                               \
        a0 = a1 < a0 ? a1 : a0;                                                                         \
        a2 = a3 < a2 ? a3 : a2;                                                                         \
        b0 = b1 > b0 ? b1 : b0;                                                                         \
        b2 = b3 > b2 ? b3 : b2;                                                                         \
        mn = a2 < a0 ? a2 : a0;                                                                         \
        mx = b2 > b0 ? b2 : b0;                                                                         \
    } while (0)
        if (l->phys == PQ_INT32) minmax_i32((const int32_t *)(const void *)l->vals.data + v0, v1 - v0, &mn, &mx);
        else MINMAX4(int64_t);
#undef MINMAX4
        if (!s->has || mn < s->imin) s->imin = mn;
        if (!s->has || mx > s->imax) s->imax = mx;
        s->has = 1;
        return;
    }
    for (int64_t k = v0; k < v1; k++) {
        uint32_t len;
        const uint8_t *p = val_ptr(l, k, &len);
        if (l->phys == PQ_DOUBLE) {
            double d;
            memcpy(&d, p, 8);
            if (isnan(d)) continue;
            if (!s->has) { s->dmin = s->dmax = d; s->has = 1; }
            else {
                if (d < s->dmin || (d == 0 && s->dmin == 0 && signbit(d))) s->dmin = d;
                if (d > s->dmax || (d == 0 && s->dmax == 0 && !signbit(d))) s->dmax = d;
            }
        } else if (l->phys == PQ_BYTE_ARRAY) {
            if (!s->has) { s->smin = s->smax = p; s->nsmin = s->nsmax = len; s->has = 1; }
            else {
                if (bytes_cmp(p, len, s->smin, s->nsmin) < 0) { s->smin = p; s->nsmin = len; }
                if (bytes_cmp(p, len, s->smax, s->nsmax) > 0) { s->smax = p; s->nsmax = len; }
            }
        } else {
            int64_t x;
            if (id == WT_BOOLEAN) x = *p;
            else if (l->width == 4) { int32_t t; memcpy(&t, p, 4); x = t; }
            else memcpy(&x, p, 8);
            if (!s->has) { s->imin = s->imax = x; s->has = 1; }
            else {
                if (x < s->imin) s->imin = x;
                if (x > s->imax) s->imax = x;
            }
        }
    }
}

static void stat_merge(const Leaf *l, Stat *into, const Stat *s) {
    into->nulls += s->nulls;
    if (!s->has) return;
    if (!into->has) {
        int64_t nulls = into->nulls;
        *into = *s;
        into->nulls = nulls;
        return;
    }
    if (l->phys == PQ_DOUBLE) {
        if (s->dmin < into->dmin || (s->dmin == 0 && into->dmin == 0 && signbit(s->dmin))) into->dmin = s->dmin;
        if (s->dmax > into->dmax || (s->dmax == 0 && into->dmax == 0 && !signbit(s->dmax))) into->dmax = s->dmax;
    } else if (l->phys == PQ_BYTE_ARRAY) {
        if (bytes_cmp(s->smin, s->nsmin, into->smin, into->nsmin) < 0) { into->smin = s->smin; into->nsmin = s->nsmin; }
        if (bytes_cmp(s->smax, s->nsmax, into->smax, into->nsmax) > 0) { into->smax = s->smax; into->nsmax = s->nsmax; }
    } else {
        if (s->imin < into->imin) into->imin = s->imin;
        if (s->imax > into->imax) into->imax = s->imax;
    }
}

/* The plain encoding of a bound; -0.0 as a minimum and +0.0 as a maximum, as parquet.thrift asks. */
static int stat_bound(const Leaf *l, const Stat *s, int is_max, WBuf *out, uint32_t *len) {
    size_t before = out->len;
    int rc = 0;
    if (l->phys == PQ_DOUBLE) {
        double d = is_max ? s->dmax : s->dmin;
        if (d == 0) d = is_max ? 0.0 : -0.0;
        rc = wbuf_append(out, &d, 8);
    } else if (l->phys == PQ_BYTE_ARRAY) {
        rc = is_max ? wbuf_append(out, s->smax, s->nsmax) : wbuf_append(out, s->smin, s->nsmin);
    } else if (l->phys == PQ_BOOLEAN) {
        uint8_t b = (uint8_t)(is_max ? s->imax : s->imin);
        rc = wbuf_append(out, &b, 1);
    } else if (l->width == 4) {
        int32_t x = (int32_t)(is_max ? s->imax : s->imin);
        rc = wbuf_append(out, &x, 4);
    } else {
        int64_t x = is_max ? s->imax : s->imin;
        rc = wbuf_append(out, &x, 8);
    }
    *len = (uint32_t)(out->len - before);
    return rc;
}

/* Page index bounds for strings are cut to about PQ_INDEX_TRUNC bytes and stay valid UTF-8, as the
 * spec asks: the minimum is cut at a character boundary (a prefix is still a lower bound); the maximum
 * is cut after an ASCII character below 0x7f, which is then incremented (none: kept whole). */
static int index_bound(const Leaf *l, const Stat *s, int is_max, WBuf *out, uint32_t *len) {
    if (l->phys != PQ_BYTE_ARRAY || (is_max ? s->nsmax : s->nsmin) <= PQ_INDEX_TRUNC) return stat_bound(l, s, is_max, out, len);
    if (!is_max) {
        uint32_t cut = PQ_INDEX_TRUNC;
        while (cut > 0 && (s->smin[cut] & 0xC0) == 0x80) cut--; /* smin[cut] starts the first character left out */
        *len = cut;
        return wbuf_append(out, s->smin, cut);
    }
    for (int i = PQ_INDEX_TRUNC - 1; i >= 0; i--) {
        if (s->smax[i] < 0x7f) {
            uint8_t tmp[PQ_INDEX_TRUNC];
            memcpy(tmp, s->smax, (size_t)i + 1);
            tmp[i]++;
            *len = (uint32_t)i + 1;
            return wbuf_append(out, tmp, (size_t)i + 1);
        }
    }
    return stat_bound(l, s, is_max, out, len);
}

static void write_stats(WTw *t, int id, const uint8_t *blob, int has, size_t min_off, uint32_t min_len,
                        size_t max_off, uint32_t max_len, int64_t nulls) {
    wtw_struct_begin(t, id);
    wtw_i64(t, 3, nulls);
    if (has) {
        wtw_bin(t, 5, blob + max_off, max_len);
        wtw_bin(t, 6, blob + min_off, min_len);
    }
    wtw_struct_end(t);
}

/* ---------------- encoding ---------------- */

static int out_write(WPqWriter *w, const void *p, size_t n, WErr *err) {
    if (n && fwrite(p, 1, n, w->f) != n) return werr_set(err, WEIR_IO, w->tmp, w->pos, -1, -1, "write failed: %s", strerror(errno));
    w->pos += (int64_t)n;
    return WEIR_OK;
}

static inline uint64_t hash_bytes(const uint8_t *p, uint32_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    while (n >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        h = (h ^ x) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t x = 0;
    memcpy(&x, p, n);
    h = (h ^ x) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return h;
}

static inline uint64_t load64(const uint8_t *p) {
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}
static inline uint32_t load32(const uint8_t *p) {
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

static int plain_values(const Leaf *l, int64_t v0, int64_t v1, WBuf *out) {
    if (l->phys == PQ_BOOLEAN) {
        size_t nb = (size_t)(v1 - v0 + 7) / 8;
        if (wbuf_reserve(out, nb)) return WEIR_NOMEM;
        uint8_t *d = (uint8_t *)out->data + out->len;
        memset(d, 0, nb);
        for (int64_t k = v0; k < v1; k++)
            if (l->vals.data[k]) d[(k - v0) >> 3] |= (uint8_t)(1u << ((k - v0) & 7));
        out->len += nb;
        return WEIR_OK;
    }
    if (l->width) return wbuf_append(out, l->vals.data + v0 * l->width, (size_t)((v1 - v0) * l->width));
    size_t total = (size_t)(l->soff[v1] - l->soff[v0]) + 4 * (size_t)(v1 - v0);
    if (wbuf_reserve(out, total)) return WEIR_NOMEM;
    char *d = out->data + out->len;
    for (int64_t k = v0; k < v1; k++) {
        uint32_t len = l->soff[k + 1] - l->soff[k];
        memcpy(d, &len, 4);
        memcpy(d + 4, l->vals.data + l->soff[k], len);
        d += 4 + len;
    }
    out->len += total;
    return WEIR_OK;
}

/* Compresses the page pg[0 .. raw) (for v2: only the part after `levels_len`) and appends header + body
 * to dst (a data page, whose location is then relative to dst), or writes them to the file (dst NULL). */
static int emit_page(WPqWriter *w, int type, const char *pg, size_t raw, int64_t num_values, int64_t nulls, int encoding,
                     size_t levels_len, int64_t page_rows, const Leaf *l, const Stat *st, ChunkMeta *cm, PqArr *dst,
                     WErr *err) {
    int rc;
    wbuf_reset(&w->comp);
    WBuf body = {(char *)(uintptr_t)pg, raw, raw}; /* nothing to compress: the page itself, no copy */
    if (w->codec != PQ_CODEC_NONE) {
        if (type == PQ_PAGE_DATA_V2) {
            if (wbuf_append(&w->comp, pg, levels_len)) return werr_msg(err, WEIR_NOMEM, "out of memory");
            if ((rc = wpq_compress(&w->cz, w->codec, w->level, pg + levels_len, raw - levels_len, &w->comp, err))) return rc;
        } else if ((rc = wpq_compress(&w->cz, w->codec, w->level, pg, raw, &w->comp, err))) return rc;
        body = w->comp;
    }
    if (raw > INT32_MAX || body.len > INT32_MAX) return werr_msg(err, WEIR_UNSUPPORTED, "unsupported: a page over 2 GiB");
    wbuf_reset(&w->hdr);
    WTw t;
    wtw_init(&t, &w->hdr);
    wtw_i32(&t, 1, type);
    wtw_i32(&t, 2, (int32_t)raw);
    wtw_i32(&t, 3, (int32_t)body.len);
    size_t st_blob = 0;
    uint32_t nmin = 0, nmax = 0;
    WBuf sb;
    wbuf_init(&sb);
    if (st && st->has) {
        if (stat_bound(l, st, 0, &sb, &nmin) || stat_bound(l, st, 1, &sb, &nmax)) {
            wbuf_fini(&sb);
            return werr_msg(err, WEIR_NOMEM, "out of memory");
        }
    }
    if (type == PQ_PAGE_DICT) {
        wtw_struct_begin(&t, 7);
        wtw_i32(&t, 1, (int32_t)num_values);
        wtw_i32(&t, 2, PQ_ENC_PLAIN);
        wtw_struct_end(&t);
    } else if (type == PQ_PAGE_DATA) {
        wtw_struct_begin(&t, 5);
        wtw_i32(&t, 1, (int32_t)num_values);
        wtw_i32(&t, 2, encoding);
        wtw_i32(&t, 3, PQ_ENC_RLE);
        wtw_i32(&t, 4, PQ_ENC_RLE);
        write_stats(&t, 5, (const uint8_t *)sb.data, st->has, st_blob, nmin, nmin, nmax, st->nulls);
        wtw_struct_end(&t);
    } else {
        wtw_struct_begin(&t, 8);
        wtw_i32(&t, 1, (int32_t)num_values);
        wtw_i32(&t, 2, (int32_t)nulls);
        wtw_i32(&t, 3, (int32_t)page_rows);
        wtw_i32(&t, 4, encoding);
        wtw_i32(&t, 5, (int32_t)levels_len);
        wtw_i32(&t, 6, 0);
        wtw_bool(&t, 7, w->codec != PQ_CODEC_NONE);
        write_stats(&t, 8, (const uint8_t *)sb.data, st->has, st_blob, nmin, nmin, nmax, st->nulls);
        wtw_struct_end(&t);
    }
    wtw_struct_end(&t);
    wbuf_fini(&sb);
    if (t.err) return werr_msg(err, t.err, "out of memory encoding a page header");
    if (type != PQ_PAGE_DICT) {
        /* page location for the OffsetIndex, relative to the chunk start until the chunk is placed */
        if (cm->n_pages == cm->cap_pages) {
            int c = cm->cap_pages ? cm->cap_pages * 2 : 8;
            PageLoc *p = realloc(cm->pages, sizeof *p * (size_t)c);
            if (!p) return werr_msg(err, WEIR_NOMEM, "out of memory");
            cm->pages = p;
            cm->cap_pages = c;
        }
        PageLoc *pl = &cm->pages[cm->n_pages++];
        memset(pl, 0, sizeof *pl);
        pl->offset = dst ? (int64_t)dst->len : w->pos;
        pl->size = (int32_t)(w->hdr.len + body.len);
        pl->nulls = st->nulls;
        pl->null_page = st->nulls == num_values;
        if (!pl->null_page && !st->has) cm->no_column_index = 1;
        if (st->has) {
            pl->min_off = cm->blob.len;
            if (index_bound(l, st, 0, &cm->blob, &pl->min_len)) return werr_msg(err, WEIR_NOMEM, "out of memory");
            pl->max_off = cm->blob.len;
            if (index_bound(l, st, 1, &cm->blob, &pl->max_len)) return werr_msg(err, WEIR_NOMEM, "out of memory");
        }
    } else cm->dict_off = w->pos;
    cm->uncomp += (int64_t)(w->hdr.len + raw);
    cm->comp += (int64_t)(w->hdr.len + body.len);
    if (dst) {
        if (arr_append(dst, w->hdr.data, w->hdr.len) || arr_append(dst, body.data, body.len))
            return werr_msg(err, WEIR_NOMEM, "out of memory");
    } else if ((rc = out_write(w, w->hdr.data, w->hdr.len, err)) || (rc = out_write(w, body.data, body.len, err)))
        return rc;
    return WEIR_OK;
}

/* ---------------- dictionary ---------------- */

/* Each leaf keeps the dictionary of the chunk being written: its entries PLAIN-encoded (exactly the
 * dictionary page's body) and a table to find them. Pages are dictionary-encoded as they are cut, so
 * the table lives for the whole chunk while the values it came from are dropped page by page. */

static int dict_grow_table(Leaf *l, int64_t cap) {
    uint32_t *s = pq_mem_grow(l->slots, 0, &l->slots_cap, sizeof *s * (size_t)cap);
    if (!s) return WEIR_NOMEM;
    l->slots = s;
    uint64_t *k = pq_mem_grow(l->skeys, 0, &l->skeys_cap, sizeof *k * (size_t)cap);
    if (!k) return WEIR_NOMEM;
    l->skeys = k;
    memset(l->slots, 0, sizeof *s * (size_t)cap);
    l->tcap = cap;
    l->shift = 64;
    for (int64_t c = cap; c > 1; c >>= 1) l->shift--;
    return WEIR_OK;
}

/* The key kept in a slot: the value itself for fixed widths, its hash for strings. */
static inline uint64_t dict_entry_key(const Leaf *l, int64_t e) {
    const uint8_t *d = (const uint8_t *)l->dict.data;
    if (l->width == 8) return load64(d + 8 * e);
    if (l->width == 4) return load32(d + 4 * e);
    return hash_bytes(d + l->doff[e] + 4, load32(d + l->doff[e]));
}

static inline void dict_slot_put(Leaf *l, uint64_t key, uint32_t entry) {
    uint64_t mask = (uint64_t)l->tcap - 1, h = (key * 0x9E3779B97F4A7C15ull) >> l->shift;
    while (l->slots[h]) h = (h + 1) & mask;
    l->slots[h] = entry + 1;
    l->skeys[h] = key;
}

/* Doubles the table (at most a quarter full, so probes rarely collide) and puts every entry back. */
static int dict_rehash(Leaf *l, int64_t cap) {
    if (dict_grow_table(l, cap)) return WEIR_NOMEM;
    for (int64_t e = 0; e < l->nd; e++) dict_slot_put(l, dict_entry_key(l, e), (uint32_t)e);
    return WEIR_OK;
}

static void dict_reset(Leaf *l) {
    l->dict.len = 0;
    l->nd = 0;
    l->direct = 0;
    l->tcap = 0;
}

/* A new entry for value k of the page buffer; -1 when the dictionary would pass its limit. */
static int dict_new_entry(WPqWriter *w, Leaf *l, int64_t k, uint64_t key) {
    uint32_t len;
    const uint8_t *p = val_ptr(l, k, &len);
    /* While the chunk's first page is encoded: half the limit (see encode_page), and a page that
     * starts with 16384 values all distinct (a timestamp, an id: a column of even 100,000 values
     * drawn at random would repeat some of them a thousand times by then) stops there, before its
     * table grows to the limit. */
    int64_t limit = l->cm.n_pages ? w->dict_limit : w->dict_limit / 2;
    if (!l->cm.n_pages && l->nd == k && k >= 16384) return -1;
    if (l->width) {
        if (l->nd >= limit / l->width) return -1;
        if (arr_append(&l->dict, p, len)) return -2;
    } else {
        if ((int64_t)l->dict.len + 4 + len > limit) return -1;
        if (sizeof *l->doff * (size_t)(l->nd + 1) > l->doff_cap) {
            uint32_t *o = pq_mem_grow(l->doff, sizeof *o * (size_t)l->nd, &l->doff_cap, sizeof *o * (size_t)(l->nd + 1));
            if (!o) return -2;
            l->doff = o;
        }
        l->doff[l->nd] = (uint32_t)l->dict.len;
        if (arr_append(&l->dict, &len, 4) || arr_append(&l->dict, p, len)) return -2;
    }
    if (!l->direct) {
        dict_slot_put(l, key, (uint32_t)l->nd);
        l->nd++;
        if (4 * l->nd > l->tcap && dict_rehash(l, l->tcap * 2)) return -2;
    } else l->nd++;
    return 0;
}

/* Sets w->idx[0 .. v1 - v0) to the dictionary entries of page values [v0, v1), adding new entries.
 * Returns 0, -1 when the dictionary would pass its limit, -2 when out of memory. `st` is the page's
 * statistics: a 32-bit column whose first page spans a narrow range gets a table indexed by
 * value - base instead of the hash (counts, small codes, nearby dates), left for the hash when a later
 * value falls outside it. */
static int dict_encode(WPqWriter *w, Leaf *l, int64_t v0, int64_t v1, const Stat *st) {
    int64_t n = v1 - v0;
    if (sizeof *w->idx * (size_t)n > w->idx_cap) {
        uint32_t *p = pq_mem_grow(w->idx, 0, &w->idx_cap, sizeof *w->idx * (size_t)n);
        if (!p) return -2;
        w->idx = p;
    }
    uint32_t *idx = w->idx;
    if (l->nd == 0 && l->tcap == 0) {
        /* 32-bit values: the range cannot overflow */
        int64_t range = l->width == 4 && st->has ? st->imax - st->imin + 1 : INT64_MAX, span = 1024;
        while (range < PQ_DIRECT && span < 4 * range && span < PQ_DIRECT) span *= 2;
        if (range <= span / 2) {
            /* the span leaves room on both sides of the first page's range */
            if (span > l->dspan) {
                uint32_t *m = realloc(l->dmap, sizeof *m * (size_t)span);
                if (!m) return -2;
                l->dmap = m;
                l->dspan = span;
            }
            memset(l->dmap, 0, sizeof *l->dmap * (size_t)span);
            int64_t base = st->imin - (span - range) / 2;
            if (base < INT32_MIN) base = INT32_MIN;
            if (base > (int64_t)INT32_MAX - (span - 1)) base = (int64_t)INT32_MAX - (span - 1);
            l->dbase = (int32_t)base;
            l->direct = (uint32_t)span;
        } else if (dict_grow_table(l, 256)) return -2;
    }
    int64_t k = v0;
    if (l->direct) {
        const int32_t *v32 = (const int32_t *)(const void *)l->vals.data;
        uint32_t *map = l->dmap, base = (uint32_t)l->dbase, span = l->direct;
        for (; k < v1; k++) {
            uint32_t off = (uint32_t)v32[k] - base;
            if (off >= span) break;
            uint32_t e = map[off];
            if (__builtin_expect(e == 0, 0)) {
                int rc = dict_new_entry(w, l, k, 0);
                if (rc) return rc;
                e = map[off] = (uint32_t)l->nd;
            }
            idx[k - v0] = e - 1;
        }
        if (k == v1) return 0;
        /* a value outside the range: the entries so far go into the hash table */
        l->direct = 0;
        int64_t cap = 256;
        while (cap < 4 * (l->nd + 1)) cap *= 2;
        if (dict_rehash(l, cap)) return -2;
    }
    if (l->width) {
        const uint8_t *base = (const uint8_t *)l->vals.data;
        int wd = l->width;
        /* the table in locals, reloaded only after an entry is added (which may grow it) */
        uint32_t *slots = l->slots;
        uint64_t *skeys = l->skeys, mask = (uint64_t)l->tcap - 1;
        int shift = l->shift;
        for (; k < v1; k++) {
            uint64_t x = wd == 8 ? load64(base + 8 * k) : (uint64_t)load32(base + 4 * k);
            uint64_t h = (x * 0x9E3779B97F4A7C15ull) >> shift;
            for (;;) {
                uint32_t sl = slots[h];
                if (sl && skeys[h] == x) {
                    idx[k - v0] = sl - 1;
                    break;
                }
                if (!sl) {
                    int rc = dict_new_entry(w, l, k, x);
                    if (rc) return rc;
                    idx[k - v0] = (uint32_t)(l->nd - 1);
                    slots = l->slots;
                    skeys = l->skeys;
                    mask = (uint64_t)l->tcap - 1;
                    shift = l->shift;
                    break;
                }
                h = (h + 1) & mask;
            }
        }
        return 0;
    }
    for (; k < v1; k++) {
        uint32_t len;
        const uint8_t *p = val_ptr(l, k, &len);
        uint64_t x = hash_bytes(p, len);
        uint64_t mask = (uint64_t)l->tcap - 1, h = (x * 0x9E3779B97F4A7C15ull) >> l->shift;
        for (;;) {
            uint32_t sl = l->slots[h];
            if (!sl) {
                int rc = dict_new_entry(w, l, k, x);
                if (rc) return rc;
                idx[k - v0] = (uint32_t)(l->nd - 1);
                break;
            }
            if (l->skeys[h] == x) {
                const uint8_t *d = (const uint8_t *)l->dict.data + l->doff[sl - 1];
                if (load32(d) == len && !memcmp(d + 4, p, len)) {
                    idx[k - v0] = sl - 1;
                    break;
                }
            }
            h = (h + 1) & mask;
        }
    }
    return 0;
}

/* ---------------- pages and chunks ---------------- */

/* The chunk's string bounds point into the page buffer, which is reused: they are copied. */
static int keep_string_bounds(Leaf *l) {
    if (l->phys != PQ_BYTE_ARRAY || !l->chunk.has) return WEIR_OK;
    if (l->chunk.smin != (const uint8_t *)l->cmin.data) {
        wbuf_reset(&l->cmin);
        if (wbuf_append(&l->cmin, l->chunk.smin, l->chunk.nsmin)) return WEIR_NOMEM;
        l->chunk.smin = (const uint8_t *)l->cmin.data;
    }
    if (l->chunk.smax != (const uint8_t *)l->cmax.data) {
        wbuf_reset(&l->cmax);
        if (wbuf_append(&l->cmax, l->chunk.smax, l->chunk.nsmax)) return WEIR_NOMEM;
        l->chunk.smax = (const uint8_t *)l->cmax.data;
    }
    return WEIR_OK;
}

/* Rows [0, r1) of the leaf's buffer (values [0, v1)) become one data page, appended to the chunk's
 * encoded pages (l->out); the rest of the buffer moves to its front. */
static int encode_page(WPqWriter *w, Leaf *l, int64_t r1, int64_t v1, WErr *err) {
    int rc;
    Stat st;
    memset(&st, 0, sizeof st);
    st.nulls = r1 - v1;
    stat_values(l, &st, 0, v1);
    /* The dictionary is tried while it fits. A chunk whose first page alone would fill half of it is
     * high-cardinality (a timestamp, an id): it goes PLAIN at once, and so do the leaf's later chunks,
     * rather than paying hash probes for a dictionary that would overflow. */
    int use_dict = w->dict && !l->dict_overflowed && !l->chunk_plain && l->phys != PQ_BOOLEAN;
    if (use_dict && v1 > 0) {
        int first = l->cm.n_pages == 0;
        rc = dict_encode(w, l, 0, v1, &st);
        if (rc == -2) return werr_msg(err, WEIR_NOMEM, "out of memory");
        if (rc == -1) {
            use_dict = 0;
            l->chunk_plain = 1;
            l->dict_overflowed = 1;
            if (first) dict_reset(l); /* no page uses it */
        }
    }
    int def_bw = wpq_bit_width((uint32_t)l->depth);
    wbuf_reset(&w->page);
    size_t levels_len = 0;
    if (w->page_version == 1) {
        if (wbuf_append(&w->page, "\0\0\0\0", 4)) return werr_msg(err, WEIR_NOMEM, "out of memory");
        if (wrle_encode_u8(l->defs, r1, def_bw, &w->page)) return werr_msg(err, WEIR_NOMEM, "out of memory");
        uint32_t n = (uint32_t)(w->page.len - 4);
        memcpy(w->page.data, &n, 4);
    } else {
        if (wrle_encode_u8(l->defs, r1, def_bw, &w->page)) return werr_msg(err, WEIR_NOMEM, "out of memory");
        levels_len = w->page.len;
    }
    int enc;
    char *pg; /* the page: w->page, or built in place in front of the values */
    size_t raw;
    if (use_dict) {
        enc = PQ_ENC_RLE_DICT;
        int bw = wpq_bit_width((uint32_t)(l->nd > 0 ? l->nd - 1 : 0));
        uint8_t b = (uint8_t)bw;
        if (wbuf_append(&w->page, &b, 1) || wrle_encode(w->idx, v1, bw, &w->page)) return werr_msg(err, WEIR_NOMEM, "out of memory");
        l->pages_dict++;
        pg = w->page.data;
        raw = w->page.len;
    } else {
        enc = PQ_ENC_PLAIN;
        if (l->width && l->phys != PQ_BOOLEAN && l->vals.data && w->page.len <= PQ_HEAD) {
            /* the levels go in the headroom in front of the values: the page is built in place */
            pg = l->vals.data - w->page.len;
            memcpy(pg, w->page.data, w->page.len);
            raw = w->page.len + (size_t)(v1 * l->width);
        } else {
            if (plain_values(l, 0, v1, &w->page)) return werr_msg(err, WEIR_NOMEM, "out of memory");
            pg = w->page.data;
            raw = w->page.len;
        }
        l->cm.used_plain = 1;
    }
    /* The first leaf's chunk starts the row group in the file. Once it is sure to have no dictionary
     * page (PLAIN from its first page on), its pages go straight to the file: nothing else is written
     * before the row group ends. Saves holding (and copying) a chunk that is often the largest, a
     * timestamp or an id. */
    int direct = l == &w->leaves[0] && l->out.len == 0 && l->pages_dict == 0 &&
                 !(w->dict && !l->dict_overflowed && !l->chunk_plain && l->phys != PQ_BOOLEAN);
    if (direct && l->stream_start < 0) l->stream_start = w->pos;
    if ((rc = emit_page(w, w->page_version == 1 ? PQ_PAGE_DATA : PQ_PAGE_DATA_V2, pg, raw, r1, st.nulls, enc, levels_len, r1,
                        l, &st, &l->cm, direct ? NULL : &l->out, err)))
        return rc;
    l->cm.pages[l->cm.n_pages - 1].first_row = l->rg_rows_done;
    l->rg_rows_done += r1;
    stat_merge(l, &l->chunk, &st);
    if (keep_string_bounds(l)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    /* the rest of the buffer to its front (the arrays may still be NULL when nothing is left) */
    if (l->n_rows > r1) memmove(l->defs, l->defs + r1, (size_t)(l->n_rows - r1));
    if (l->width) {
        if (l->n_vals > v1) memmove(l->vals.data, l->vals.data + v1 * l->width, (size_t)((l->n_vals - v1) * l->width));
    } else {
        uint32_t off = l->soff[v1];
        if (l->vals.len > off) memmove(l->vals.data, l->vals.data + off, l->vals.len - off);
        for (int64_t k = v1; k <= l->n_vals; k++) l->soff[k - v1] = l->soff[k] - off;
    }
    l->vals.len = l->width ? (size_t)((l->n_vals - v1) * l->width) : l->soff[l->n_vals - v1];
    l->n_rows -= r1;
    l->n_vals -= v1;
    return WEIR_OK;
}

/* Plain size of the buffered rows, by which pages are cut (a NULL counts one byte). */
static int64_t buffered_page_bytes(const Leaf *l) {
    int64_t nulls = l->n_rows - l->n_vals;
    if (l->width) return l->n_vals * l->width + nulls;
    return (int64_t)l->soff[l->n_vals] + 4 * l->n_vals + nulls;
}

/* Where the page starting at the front of the buffer ends: the first row at which it holds pageSize
 * bytes, or the end of the buffer. */
static void cut_page(const WPqWriter *w, const Leaf *l, int64_t *r_end, int64_t *v_end) {
    int64_t r1 = 0, v1 = 0, bytes = 0;
    if (l->width) {
        /* fixed width: whole blocks of 256 levels at a time while the page cannot fill inside one
         * (a block adds at most 256 * width bytes); the count below is a branch-free sum */
        int wd = l->width;
        uint8_t depth = (uint8_t)l->depth;
        uint64_t all = 0x0101010101010101ull * depth, word;
        while (r1 + 256 <= l->n_rows && bytes + 256 * wd < w->page_size) {
            const uint8_t *d = l->defs + r1;
            int64_t present = 0;
            int q = 0;
            while (q < 256 && (memcpy(&word, d + q, 8), word == all)) q += 8; /* no NULL: 8 at a time */
            present = q;
            for (; q < 256; q++) present += d[q] == depth;
            bytes += present * wd + (256 - present);
            v1 += present;
            r1 += 256;
        }
    }
    while (r1 < l->n_rows && bytes < w->page_size) {
        if (l->defs[r1] == l->depth) {
            bytes += l->width ? l->width : 4 + (int64_t)(l->soff[v1 + 1] - l->soff[v1]);
            v1++;
        } else bytes++;
        r1++;
    }
    *r_end = r1;
    *v_end = v1;
}

/* Encodes every full page in the leaf's buffer; at the end of the row group (`last`) the rest too. */
static int encode_pages(WPqWriter *w, Leaf *l, int last, WErr *err) {
    while (l->n_rows > 0 && (last || buffered_page_bytes(l) >= w->page_size)) {
        int64_t r1, v1;
        cut_page(w, l, &r1, &v1);
        int rc = encode_page(w, l, r1, v1, err);
        if (rc) return rc;
    }
    return WEIR_OK;
}

/* Starts the leaf's next chunk (the ChunkMeta's arrays now belong to the row group written). */
static void chunk_begin(Leaf *l) {
    memset(&l->cm, 0, sizeof l->cm);
    wbuf_init(&l->cm.blob);
    l->cm.dict_off = l->cm.data_off = l->cm.ci_off = l->cm.oi_off = -1;
    memset(&l->chunk, 0, sizeof l->chunk);
    l->out.len = 0;
    l->rg_rows = l->rg_vals = l->rg_rows_done = 0;
    l->rg_bytes = 0;
    l->pages_dict = 0;
    l->chunk_plain = 0;
    l->stream_start = -1;
    dict_reset(l);
}

/* Writes the leaf's chunk: its dictionary page, then the data pages encoded so far; resets the leaf
 * for the next row group. */
static int write_chunk(WPqWriter *w, Leaf *l, ChunkMeta *out, WErr *err) {
    int rc = encode_pages(w, l, 1, err);
    if (rc) return rc;
    ChunkMeta *cm = &l->cm;
    cm->num_values = l->rg_rows;
    if (l->stream_start >= 0) { /* its pages are in the file already, at their offsets */
        cm->file_offset = cm->data_off = l->stream_start;
    } else {
        cm->file_offset = w->pos;
        if (l->pages_dict > 0) {
            if ((rc = emit_page(w, PQ_PAGE_DICT, l->dict.data, l->dict.len, l->nd, 0, PQ_ENC_PLAIN, 0, 0, l, NULL, cm, NULL, err)))
                return rc;
            cm->used_dict = 1;
        }
        int64_t base = w->pos; /* page offsets so far are relative to the encoded pages */
        for (int p = 0; p < cm->n_pages; p++) cm->pages[p].offset += base;
        cm->data_off = base;
        if ((rc = out_write(w, l->out.data, l->out.len, err))) return rc;
    }
    cm->nulls = l->chunk.nulls;
    cm->has_minmax = l->chunk.has;
    if (l->chunk.has) {
        cm->smin_off = cm->blob.len;
        if (stat_bound(l, &l->chunk, 0, &cm->blob, &cm->smin_len)) return werr_msg(err, WEIR_NOMEM, "out of memory");
        cm->smax_off = cm->blob.len;
        if (stat_bound(l, &l->chunk, 1, &cm->blob, &cm->smax_len)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    *out = *cm;
    chunk_begin(l);
    return WEIR_OK;
}

static int flush_row_group(WPqWriter *w, WErr *err) {
    if (w->n_leaves == 0 || w->leaves[0].rg_rows == 0) return WEIR_OK;
    if (w->n_rgs == w->cap_rgs) {
        int c = w->cap_rgs ? w->cap_rgs * 2 : 8;
        RowGroupMeta *p = realloc(w->rgs, sizeof *p * (size_t)c);
        if (!p) return werr_msg(err, WEIR_NOMEM, "out of memory");
        w->rgs = p;
        w->cap_rgs = c;
    }
    RowGroupMeta *rg = &w->rgs[w->n_rgs];
    memset(rg, 0, sizeof *rg);
    rg->chunks = calloc((size_t)w->n_leaves, sizeof *rg->chunks);
    if (!rg->chunks) return werr_msg(err, WEIR_NOMEM, "out of memory");
    w->n_rgs++;
    rg->num_rows = w->leaves[0].rg_rows;
    rg->file_offset = w->leaves[0].stream_start >= 0 ? w->leaves[0].stream_start : w->pos;
    for (int i = 0; i < w->n_leaves; i++) {
        ChunkMeta *cm = &rg->chunks[i];
        int rc = write_chunk(w, &w->leaves[i], cm, err);
        if (rc) return rc;
        rg->uncomp += cm->uncomp;
        rg->comp += cm->comp;
    }
    w->total_rows += rg->num_rows;
    return WEIR_OK;
}

/* ---------------- footer ---------------- */

static void write_schema(WTw *t, const WType *st) {
    for (int i = 0; i < st->n_fields; i++) {
        const WField *f = &st->fields[i];
        wtw_elem_struct_begin(t);
        WTypeId id = f->type.id;
        int width;
        if (id != WT_STRUCT) wtw_i32(t, 1, phys_of(id, &width));
        wtw_i32(t, 3, PQ_OPTIONAL);
        wtw_str(t, 4, f->name);
        if (id == WT_STRUCT) wtw_i32(t, 5, f->type.n_fields);
        int ct = -1;
        switch (id) {
        case WT_STRING: ct = PQ_CT_UTF8; break;
        case WT_DATE: ct = PQ_CT_DATE; break;
        case WT_TIMESTAMP: ct = PQ_CT_TIMESTAMP_MICROS; break;
        case WT_INT: ct = PQ_CT_INT_32; break;
        case WT_BIGINT: ct = PQ_CT_INT_64; break;
        default: break;
        }
        if (ct >= 0) wtw_i32(t, 6, ct);
        if (ct >= 0) {
            wtw_struct_begin(t, 10); /* LogicalType union */
            switch (id) {
            case WT_STRING: wtw_struct_begin(t, 1); wtw_struct_end(t); break;
            case WT_DATE: wtw_struct_begin(t, 6); wtw_struct_end(t); break;
            case WT_TIMESTAMP:
                wtw_struct_begin(t, 8);
                wtw_bool(t, 1, 1);
                wtw_struct_begin(t, 2);
                wtw_struct_begin(t, 2); /* MICROS */
                wtw_struct_end(t);
                wtw_struct_end(t);
                wtw_struct_end(t);
                break;
            default: /* INTEGER */
                wtw_struct_begin(t, 10);
                wtw_byte(t, 1, id == WT_INT ? 32 : 64);
                wtw_bool(t, 2, 1);
                wtw_struct_end(t);
                break;
            }
            wtw_struct_end(t);
        }
        wtw_struct_end(t);
        if (id == WT_STRUCT) write_schema(t, &f->type);
    }
}

static int64_t count_elements(const WType *st) {
    int64_t n = st->n_fields;
    for (int i = 0; i < st->n_fields; i++)
        if (st->fields[i].type.id == WT_STRUCT) n += count_elements(&st->fields[i].type);
    return n;
}

static int write_page_index(WPqWriter *w, WErr *err) {
    WBuf b;
    wbuf_init(&b);
    int rc = WEIR_OK;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        for (int g = 0; g < w->n_rgs && !rc; g++) {
            for (int c = 0; c < w->n_leaves && !rc; c++) {
                ChunkMeta *cm = &w->rgs[g].chunks[c];
                if (pass == 0 && cm->no_column_index) continue;
                wbuf_reset(&b);
                WTw t;
                wtw_init(&t, &b);
                const uint8_t *blob = (const uint8_t *)cm->blob.data;
                if (pass == 0) { /* ColumnIndex */
                    wtw_list_begin(&t, 1, TC_TRUE, cm->n_pages);
                    for (int p = 0; p < cm->n_pages; p++) wtw_elem_bool(&t, cm->pages[p].null_page);
                    wtw_list_begin(&t, 2, TC_BINARY, cm->n_pages);
                    for (int p = 0; p < cm->n_pages; p++) wtw_elem_bin(&t, blob + cm->pages[p].min_off, cm->pages[p].min_len);
                    wtw_list_begin(&t, 3, TC_BINARY, cm->n_pages);
                    for (int p = 0; p < cm->n_pages; p++) wtw_elem_bin(&t, blob + cm->pages[p].max_off, cm->pages[p].max_len);
                    wtw_i32(&t, 4, 0); /* UNORDERED */
                    wtw_list_begin(&t, 5, TC_I64, cm->n_pages);
                    for (int p = 0; p < cm->n_pages; p++) wtw_elem_i64(&t, cm->pages[p].nulls);
                } else { /* OffsetIndex */
                    wtw_list_begin(&t, 1, TC_STRUCT, cm->n_pages);
                    for (int p = 0; p < cm->n_pages; p++) {
                        wtw_elem_struct_begin(&t);
                        wtw_i64(&t, 1, cm->pages[p].offset);
                        wtw_i32(&t, 2, cm->pages[p].size);
                        wtw_i64(&t, 3, cm->pages[p].first_row);
                        wtw_struct_end(&t);
                    }
                }
                wtw_struct_end(&t);
                if (t.err) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
                else {
                    if (pass == 0) { cm->ci_off = w->pos; cm->ci_len = (int32_t)b.len; }
                    else { cm->oi_off = w->pos; cm->oi_len = (int32_t)b.len; }
                    rc = out_write(w, b.data, b.len, err);
                }
            }
        }
    }
    wbuf_fini(&b);
    return rc;
}

static int write_footer(WPqWriter *w, WErr *err) {
    WBuf b;
    wbuf_init(&b);
    WTw t;
    wtw_init(&t, &b);
    wtw_i32(&t, 1, 1);
    wtw_list_begin(&t, 2, TC_STRUCT, 1 + count_elements(&w->schema));
    wtw_elem_struct_begin(&t);
    wtw_str(&t, 4, "schema");
    wtw_i32(&t, 5, w->schema.n_fields);
    wtw_struct_end(&t);
    write_schema(&t, &w->schema);
    wtw_i64(&t, 3, w->total_rows);
    wtw_list_begin(&t, 4, TC_STRUCT, w->n_rgs);
    for (int g = 0; g < w->n_rgs; g++) {
        RowGroupMeta *rg = &w->rgs[g];
        wtw_elem_struct_begin(&t);
        wtw_list_begin(&t, 1, TC_STRUCT, w->n_leaves);
        for (int c = 0; c < w->n_leaves; c++) {
            ChunkMeta *cm = &rg->chunks[c];
            Leaf *l = &w->leaves[c];
            wtw_elem_struct_begin(&t);
            wtw_i64(&t, 2, cm->file_offset);
            wtw_struct_begin(&t, 3);
            wtw_i32(&t, 1, l->phys);
            /* PLAIN (dictionary page or data pages), RLE (levels), RLE_DICTIONARY: each once */
            int nenc = 1 + (cm->used_dict || cm->used_plain) + cm->used_dict;
            wtw_list_begin(&t, 2, TC_I32, nenc);
            if (cm->used_dict || cm->used_plain) wtw_elem_i32(&t, PQ_ENC_PLAIN);
            wtw_elem_i32(&t, PQ_ENC_RLE);
            if (cm->used_dict) wtw_elem_i32(&t, PQ_ENC_RLE_DICT);
            wtw_list_begin(&t, 3, TC_BINARY, l->depth);
            for (int k = 0; k < l->depth; k++) wtw_elem_bin(&t, l->path[k], strlen(l->path[k]));
            wtw_i32(&t, 4, w->codec);
            wtw_i64(&t, 5, cm->num_values);
            wtw_i64(&t, 6, cm->uncomp);
            wtw_i64(&t, 7, cm->comp);
            wtw_i64(&t, 9, cm->data_off);
            if (cm->dict_off >= 0) wtw_i64(&t, 11, cm->dict_off);
            write_stats(&t, 12, (const uint8_t *)cm->blob.data, cm->has_minmax, cm->smin_off, cm->smin_len, cm->smax_off,
                        cm->smax_len, cm->nulls);
            wtw_struct_end(&t);
            if (cm->oi_off >= 0) {
                wtw_i64(&t, 4, cm->oi_off);
                wtw_i32(&t, 5, cm->oi_len);
            }
            if (cm->ci_off >= 0) {
                wtw_i64(&t, 6, cm->ci_off);
                wtw_i32(&t, 7, cm->ci_len);
            }
            wtw_struct_end(&t);
        }
        wtw_i64(&t, 2, rg->uncomp);
        wtw_i64(&t, 3, rg->num_rows);
        wtw_i64(&t, 5, rg->file_offset);
        wtw_i64(&t, 6, rg->comp);
        wtw_struct_end(&t);
    }
    if (w->n_kv) {
        wtw_list_begin(&t, 5, TC_STRUCT, w->n_kv);
        for (int i = 0; i < w->n_kv; i++) {
            wtw_elem_struct_begin(&t);
            wtw_str(&t, 1, w->kv[2 * i]);
            wtw_str(&t, 2, w->kv[2 * i + 1]);
            wtw_struct_end(&t);
        }
    }
    wtw_str(&t, 6, "weir version " WEIR_VERSION);
    wtw_list_begin(&t, 7, TC_STRUCT, w->n_leaves);
    for (int c = 0; c < w->n_leaves; c++) {
        wtw_elem_struct_begin(&t);
        wtw_struct_begin(&t, 1); /* TYPE_ORDER */
        wtw_struct_end(&t);
        wtw_struct_end(&t);
    }
    wtw_struct_end(&t);
    int rc = t.err ? werr_msg(err, WEIR_NOMEM, "out of memory encoding the footer") : WEIR_OK;
    uint32_t len = (uint32_t)b.len;
    if (!rc) rc = out_write(w, b.data, b.len, err);
    if (!rc) rc = out_write(w, &len, 4, err);
    if (!rc) rc = out_write(w, "PAR1", 4, err);
    wbuf_fini(&b);
    return rc;
}

/* ---------------- public API ---------------- */

static void free_writer(WPqWriter *w) {
    if (!w) return;
    if (w->f) fclose(w->f);
    for (int i = 0; i < w->n_leaves; i++) {
        pq_mem_free(w->leaves[i].defs, w->leaves[i].defs_cap);
        pq_mem_free(w->leaves[i].soff, w->leaves[i].soff_cap);
        Leaf *l = &w->leaves[i];
        vals_free(l);
        wbuf_fini(&l->cm.blob);
        free(l->cm.pages);
        wbuf_fini(&l->cmin);
        wbuf_fini(&l->cmax);
        pq_mem_free(l->out.data, l->out.cap);
        pq_mem_free(l->dict.data, l->dict.cap);
        pq_mem_free(l->doff, l->doff_cap);
        pq_mem_free(l->slots, l->slots_cap);
        pq_mem_free(l->skeys, l->skeys_cap);
        free(l->dmap);
    }
    free(w->leaves);
    for (int g = 0; g < w->n_rgs; g++) {
        for (int c = 0; c < w->n_leaves; c++) {
            wbuf_fini(&w->rgs[g].chunks[c].blob);
            free(w->rgs[g].chunks[c].pages);
        }
        free(w->rgs[g].chunks);
    }
    free(w->rgs);
    for (int i = 0; i < 2 * w->n_kv; i++) free(w->kv[i]);
    free(w->kv);
    for (int i = 0; i <= PQ_MAX_DEPTH; i++) free(w->scratch[i]);
    wpq_compressor_free(&w->cz);
    wbuf_fini(&w->page);
    wbuf_fini(&w->comp);
    wbuf_fini(&w->levels);
    wbuf_fini(&w->hdr);
    wbuf_fini(&w->dictbuf);
    pq_mem_free(w->idx, w->idx_cap);
    wtype_fini(&w->schema);
    free(w->path);
    free(w->tmp);
    free(w);
}

int wpq_writer_open(const char *path, const WType *schema, WOpts *opts, WPqWriter **out, WErr *err) {
    *out = NULL;
    if (!schema || schema->id != WT_STRUCT || schema->n_fields == 0)
        return werr_msg(err, WEIR_MISUSE, "parquet writer: the schema must be a STRUCT with at least one column");
    WPqWriter *w = calloc(1, sizeof *w);
    if (!w) return werr_msg(err, WEIR_NOMEM, "out of memory");
    int rc = read_opts(w, opts, err);
    if (!rc && wtype_copy(&w->schema, schema)) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    const char *pathv[PQ_MAX_DEPTH];
    if (!rc) rc = collect_leaves(w, &w->schema, pathv, 0, err);
    for (int i = 0; !rc && i < w->n_leaves; i++) chunk_begin(&w->leaves[i]);
    if (rc) {
        free_writer(w);
        return rc;
    }
    w->path = strdup(path);
    size_t n = strlen(path);
    w->tmp = malloc(n + 16);
    if (!w->path || !w->tmp) {
        free_writer(w);
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    memcpy(w->tmp, path, dir_len);
    sprintf(w->tmp + dir_len, ".%s.tmp", path + dir_len);
    w->f = fopen(w->tmp, "wb");
    if (!w->f) {
        rc = werr_set(err, WEIR_IO, w->tmp, -1, -1, -1, "cannot create: %s", strerror(errno));
        free_writer(w);
        return rc;
    }
    setvbuf(w->f, NULL, _IOFBF, 1 << 20);
    wbuf_init(&w->page);
    wbuf_init(&w->comp);
    wbuf_init(&w->levels);
    wbuf_init(&w->hdr);
    wbuf_init(&w->dictbuf);
    if ((rc = out_write(w, "PAR1", 4, err))) {
        wpq_writer_abort(w);
        return rc;
    }
    *out = w;
    return WEIR_OK;
}

int wpq_writer_set_kv(WPqWriter *w, const char *key, const char *value, WErr *err) {
    char **kv = realloc(w->kv, sizeof *kv * (size_t)(2 * w->n_kv + 2));
    if (!kv) return werr_msg(err, WEIR_NOMEM, "out of memory");
    w->kv = kv;
    kv[2 * w->n_kv] = strdup(key);
    kv[2 * w->n_kv + 1] = strdup(value ? value : "");
    w->n_kv++;
    if (!kv[2 * w->n_kv - 2] || !kv[2 * w->n_kv - 1]) return werr_msg(err, WEIR_NOMEM, "out of memory");
    return WEIR_OK;
}

void wpq_writer_set_durable(WPqWriter *w, int durable) { w->no_sync = !durable; }

int wpq_writer_write_batch(WPqWriter *w, const WBatch *b, WErr *err) {
    if (w->failed) return werr_msg(err, WEIR_MISUSE, "parquet writer: an earlier write failed");
    if (!wtype_equal(b->schema, &w->schema)) return werr_msg(err, WEIR_MISUSE, "parquet writer: the batch's schema differs from the file's");
    int64_t n = wbatch_rows(b), r = 0;
    const int64_t slice = 65536;
    if (slice > w->scratch_cap) {
        for (int i = 0; i <= PQ_MAX_DEPTH; i++) {
            w->scratch[i] = malloc((size_t)slice);
            if (!w->scratch[i]) return werr_msg(err, WEIR_NOMEM, "out of memory");
        }
        w->scratch_cap = slice;
    }
    while (r < n) {
        int64_t take = n - r < slice ? n - r : slice;
        if (w->rg_rows && w->leaves[0].rg_rows + take > w->rg_rows) take = w->rg_rows - w->leaves[0].rg_rows;
        if (!w->rg_rows) { /* by bytes: a small first slice, then as many rows as should fill the group */
            int64_t have = w->leaves[0].rg_rows;
            if (have == 0) {
                if (take > 1024) take = 1024;
            } else {
                int64_t bytes = buffered_bytes(w), per_row = bytes / have + 1;
                int64_t est = (w->rg_bytes - bytes) / per_row + 1;
                if (est < take) take = est > 0 ? est : 1;
            }
        }
        int leaf_i = 0;
        for (int c = 0; c < b->root.n_children; c++) {
            int rc = shred(w, &b->root.children[c], 1, NULL, r, r + take, &leaf_i, err);
            if (rc) {
                w->failed = 1;
                return rc;
            }
        }
        for (int i = 0; i < w->n_leaves; i++) {
            int rc = encode_pages(w, &w->leaves[i], 0, err);
            if (rc) {
                w->failed = 1;
                return rc;
            }
        }
        r += take;
        if ((w->rg_rows && w->leaves[0].rg_rows >= w->rg_rows) || buffered_bytes(w) >= w->rg_bytes) {
            int rc = flush_row_group(w, err);
            if (rc) {
                w->failed = 1;
                return rc;
            }
        }
    }
    return WEIR_OK;
}

int wpq_writer_close(WPqWriter *w, WErr *err) {
    if (!w) return WEIR_OK;
    int rc = w->failed ? werr_msg(err, WEIR_MISUSE, "parquet writer: an earlier write failed") : WEIR_OK;
    if (!rc) rc = flush_row_group(w, err);
    if (!rc && w->page_index) rc = write_page_index(w, err);
    if (!rc) rc = write_footer(w, err);
    if (!rc && fflush(w->f)) rc = werr_set(err, WEIR_IO, w->tmp, -1, -1, -1, "write failed: %s", strerror(errno));
    if (!rc && !w->no_sync && fsync(fileno(w->f))) rc = werr_set(err, WEIR_IO, w->tmp, -1, -1, -1, "fsync failed: %s", strerror(errno));
    if (fclose(w->f) && !rc) rc = werr_set(err, WEIR_IO, w->tmp, -1, -1, -1, "close failed: %s", strerror(errno));
    w->f = NULL;
    if (!rc && rename(w->tmp, w->path)) rc = werr_set(err, WEIR_IO, w->path, -1, -1, -1, "rename failed: %s", strerror(errno));
    if (!rc && !w->no_sync) {
        const char *slash = strrchr(w->path, '/');
        char *dir = slash ? strndup(w->path, (size_t)(slash - w->path) + (slash == w->path)) : strdup(".");
        int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY) : -1;
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
        free(dir);
    } else if (rc) unlink(w->tmp);
    free_writer(w);
    return rc;
}

void wpq_writer_abort(WPqWriter *w) {
    if (!w) return;
    if (w->f) {
        fclose(w->f);
        w->f = NULL;
    }
    unlink(w->tmp);
    free_writer(w);
}
