/*
 * agg.c - streaming hash aggregation with windows, watermark, output modes and a state store (agg.h).
 *
 * Groups are fixed-size records in one array (stride computed from the spec):
 *   u64 hash | i64 window start | u64 bits | [session: i64 end, u64 first/last arrival, u64 id] | keys | slots
 * `bits` holds a NULL bit per key, two bits per aggregate (has-value, first/last-is-NULL), a dirty bit and,
 * for sessions, persisted and dead bits. All sessions of one key share a hash (the start is not in it),
 * so one probe sequence finds every session a row may join.
 * A key is 8 bytes (fixed types, DOUBLE normalized as Spark normalizes grouping keys: -0.0 -> 0.0, one
 * NaN) or 16 (STRING: heap pointer and length). A hash index (open addressing, linear probing, slots
 * hold record numbers + 1) finds groups; deleting a group moves the last record into its place.
 * Groups changed in the batch are listed (dirty) for update mode and for the state delta.
 * A batch is aggregated in two steps: each row finds its group(s) (the previous row's group and tumbling
 * window are tried first: rows come mostly in time order), giving runs of consecutive rows of one group
 * (without keys, a tumbling window takes the following rows whose times fall in it at once); then each
 * aggregate runs over the runs: SUM adds a run in a register (xsum_add_run for exact DOUBLE sums).
 */
#include "exec/agg.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/time.h"
#include "exec/hll.h"
#include "exec/watermark.h"
#include "exec/xsum.h"
#include "weir.h"

#define DIRTY_BIT 63
#define PERSIST_BIT 62 /* session mode: the group is in the state store (a merge must remove it there) */
#define DEAD_BIT 61    /* session mode: merged into another session during this batch; deleted after it */
/* session mode: fields after the bits (keys follow at SESSION_HDR) */
#define S_END 24   /* i64 session end (last event + gap) */
#define S_FIRST 32 /* u64 arrival number of the session's first row (first() across merges) */
#define S_LAST 40  /* u64 arrival number of its last row (last() across merges) */
#define S_ID 48    /* u64 stable id: the group's key in the state store (the start moves) */
#define SESSION_HDR 56
#define META_MAGIC 0x57414747u /* "WAGG" */

typedef struct Slot {
    WAggFn fn;
    int col;
    WTypeId in;     /* input type */
    WTypeId out;    /* result type */
    int off;        /* byte offset in the record */
    int bit;        /* has-value bit; bit + 1: first/last value is NULL */
    int p;          /* HLL precision */
} Slot;

typedef struct KeyDesc {
    int col;
    WTypeId t;
    int off;
} KeyDesc;

typedef struct DEnt {
    uint64_t h; /* hash | 1; 0 = empty */
    uint64_t v; /* fixed value, or (uintptr_t) to a u32 length + bytes */
} DEnt;

typedef struct DSet {
    uint32_t n, cap;
    DEnt *e;
} DSet;

struct WAggOp {
    WAggSpec spec;
    int *key_cols;
    WAggCall *aggs;
    char **agg_names;
    KeyDesc *keys;
    Slot *slots;
    int windowed;      /* time or session windows */
    int session;       /* session windows */
    uint64_t seq;      /* rows seen (arrival numbers, session mode) */
    uint64_t next_id;  /* next session id */
    uint32_t n_dead;   /* sessions merged away in this batch */
    uint64_t seq_limit, id_limit; /* restore: arrival numbers and ids in records must be below the meta's */
    uint32_t *cand;    /* sessions overlapping the current row */
    uint32_t cap_cand;
    WBuf pend_rm;      /* encoded keys of persisted sessions merged away, removed in this batch's delta */
    uint32_t *pr, *pn, *pg; /* the batch's runs: rows pr..pr+pn-1 all go to group pg; aggregated slot by
                             * slot after the row loop */
    uint32_t cap_pairs;
    WType out_t, late_t;
    size_t stride;
    uint8_t *recs;
    uint32_t n, cap;
    uint32_t *index;  /* record + 1; 0 empty */
    uint32_t nindex;  /* power of two */
    uint32_t *dirty;
    uint32_t n_dirty, cap_dirty;
    uint32_t *list;   /* emission list and merge-sort scratch */
    uint32_t *tmp;
    uint32_t cap_list;
    WWatermark wm;     /* wm.current: the watermark for the next batch */
    int64_t min_end;   /* smallest window end held (INT64_MAX when none or unknown-high) */
    int64_t next_batch;
    int64_t heap;      /* bytes of strings, sets, sketches, wide sums */
    int64_t total_dropped;
    uint64_t fingerprint;
    WStateStore *st;
    WBuf rec, meta;
    int64_t *wstarts;
    WAggStats stats;
    int in_batch;      /* between wagg_batch_begin and wagg_batch_finish */
    int64_t batch_wm;  /* the watermark in force for the batch being run */
    uint64_t written0; /* state bytes written before it */
};

/* ---- small helpers ---- */

static inline uint64_t *bits_of(uint8_t *r) { return (uint64_t *)(r + 16); }
static inline int64_t wstart_of(const uint8_t *r) { return *(const int64_t *)(r + 8); }
static inline uint8_t *rec_at(const WAggOp *op, uint32_t i) { return op->recs + (size_t)i * op->stride; }
static inline int bit_get(const uint8_t *r, int b) { return (int)((*(const uint64_t *)(r + 16) >> b) & 1); }
static inline void bit_set(uint8_t *r, int b, int on) {
    uint64_t *x = bits_of(r);
    if (on) *x |= UINT64_C(1) << b;
    else *x &= ~(UINT64_C(1) << b);
}

static int is_flat(WTypeId t) { return t != WT_STRUCT && t != WT_NULL; }

static uint64_t dbl_bits(double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}
static double bits_dbl(uint64_t u) {
    double d;
    memcpy(&d, &u, 8);
    return d;
}
static uint64_t norm_dbl(double d) {
    if (d != d) return UINT64_C(0x7ff8000000000000);
    if (d == 0) return 0;
    return dbl_bits(d);
}

/* A fixed-width value as 64 bits (signed types sign-extended; DOUBLE raw bits). */
static uint64_t fixed_raw(const WVec *v, WTypeId t, int64_t r) {
    switch (t) {
    case WT_BOOLEAN: return (uint64_t)wvec_bool(v, r);
    case WT_INT:
    case WT_DATE: return (uint64_t)(int64_t)wvec_i32(v, r);
    case WT_DOUBLE: return dbl_bits(wvec_f64(v, r));
    default: return (uint64_t)wvec_i64(v, r);
    }
}

/* Spark's ordering: integers signed; DOUBLE with -0.0 == 0.0 and NaN above everything. */
static int cmp_fixed(WTypeId t, uint64_t a, uint64_t b) {
    if (t == WT_DOUBLE) {
        double x = bits_dbl(a), y = bits_dbl(b);
        int xn = x != x, yn = y != y;
        if (xn || yn) return xn - yn;
        return x < y ? -1 : x > y;
    }
    int64_t x = (int64_t)a, y = (int64_t)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const char *a, size_t an, const char *b, size_t bn) {
    size_t m = an < bn ? an : bn;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

static char *dup_bytes(WAggOp *op, const char *s, size_t n) {
    char *p = malloc(n ? n : 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    op->heap += (int64_t)(n ? n : 1);
    return p;
}

/* STRING slot: char* at off, u64 length at off + 8. */
static void str_slot_get(const uint8_t *r, int off, char **p, uint64_t *n) {
    memcpy(p, r + off, sizeof *p);
    memcpy(n, r + off + 8, 8);
}
static void str_slot_free(WAggOp *op, uint8_t *r, int off) {
    char *p;
    uint64_t n;
    str_slot_get(r, off, &p, &n);
    if (p) {
        op->heap -= (int64_t)(n ? n : 1);
        free(p);
    }
    memset(r + off, 0, 16);
}
static int str_slot_set(WAggOp *op, uint8_t *r, int off, const char *s, size_t n) {
    char *p = dup_bytes(op, s, n);
    if (!p) return WEIR_NOMEM;
    str_slot_free(op, r, off);
    uint64_t len = n;
    memcpy(r + off, &p, sizeof p);
    memcpy(r + off + 8, &len, 8);
    return WEIR_OK;
}

/* ---- distinct sets (count(DISTINCT x)) ---- */

static uint64_t dval_hash(WTypeId t, uint64_t v) {
    if (t == WT_STRING) {
        const uint8_t *p = (const uint8_t *)(uintptr_t)v;
        uint32_t n;
        memcpy(&n, p, 4);
        return whash_bytes(p + 4, n, 0x5eed) | 1;
    }
    return whash_u64(v, 0x5eed) | 1;
}

static int dval_eq(WTypeId t, uint64_t a, uint64_t b) {
    if (t != WT_STRING) return a == b;
    const uint8_t *p = (const uint8_t *)(uintptr_t)a, *q = (const uint8_t *)(uintptr_t)b;
    uint32_t n, m;
    memcpy(&n, p, 4);
    memcpy(&m, q, 4);
    return n == m && !memcmp(p + 4, q + 4, n);
}

static void dset_free(WAggOp *op, DSet *s, WTypeId t) {
    if (!s) return;
    for (uint32_t i = 0; i < s->cap; i++)
        if (s->e[i].h && t == WT_STRING) {
            uint32_t n;
            memcpy(&n, (void *)(uintptr_t)s->e[i].v, 4);
            op->heap -= 4 + n;
            free((void *)(uintptr_t)s->e[i].v);
        }
    op->heap -= (int64_t)(s->cap * sizeof(DEnt) + sizeof *s);
    free(s->e);
    free(s);
}

/* Inserts; *v ownership moves to the set when new (strings), else the caller frees it. */
static int dset_add(WAggOp *op, DSet **ps, WTypeId t, uint64_t v, int *added) {
    DSet *s = *ps;
    *added = 0;
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s) return WEIR_NOMEM;
        s->cap = 8;
        s->e = calloc(8, sizeof(DEnt));
        if (!s->e) {
            free(s);
            return WEIR_NOMEM;
        }
        op->heap += (int64_t)(sizeof *s + 8 * sizeof(DEnt));
        *ps = s;
    }
    if ((s->n + 1) * 2 > s->cap) {
        uint32_t nc = s->cap * 2;
        DEnt *ne = calloc(nc, sizeof(DEnt));
        if (!ne) return WEIR_NOMEM;
        for (uint32_t i = 0; i < s->cap; i++) {
            if (!s->e[i].h) continue;
            uint32_t j = (uint32_t)s->e[i].h & (nc - 1);
            while (ne[j].h) j = (j + 1) & (nc - 1);
            ne[j] = s->e[i];
        }
        op->heap += (int64_t)((nc - s->cap) * sizeof(DEnt));
        free(s->e);
        s->e = ne;
        s->cap = nc;
    }
    uint64_t h = dval_hash(t, v);
    uint32_t j = (uint32_t)h & (s->cap - 1);
    while (s->e[j].h) {
        if (s->e[j].h == h && dval_eq(t, s->e[j].v, v)) return WEIR_OK;
        j = (j + 1) & (s->cap - 1);
    }
    s->e[j].h = h;
    s->e[j].v = v;
    s->n++;
    *added = 1;
    return WEIR_OK;
}

/* Adds the value at row r; strings are copied only when new. */
static int dset_add_row(WAggOp *op, DSet **ps, WTypeId t, const WVec *v, int64_t r) {
    int added;
    if (t != WT_STRING) {
        uint64_t x = fixed_raw(v, t, r);
        if (t == WT_DOUBLE) x = norm_dbl(bits_dbl(x));
        return dset_add(op, ps, t, x, &added);
    }
    size_t n;
    const char *s = wvec_str(v, r, &n);
    uint8_t *p = malloc(4 + n);
    if (!p) return WEIR_NOMEM;
    uint32_t n32 = (uint32_t)n;
    memcpy(p, &n32, 4);
    if (n) memcpy(p + 4, s, n);
    int rc = dset_add(op, ps, t, (uint64_t)(uintptr_t)p, &added);
    if (rc || !added) free(p);
    else op->heap += (int64_t)(4 + n);
    return rc;
}

/* ---- records ---- */

static void rec_free_owned(WAggOp *op, uint8_t *r) {
    for (int k = 0; k < op->spec.n_keys; k++)
        if (op->keys[k].t == WT_STRING) str_slot_free(op, r, op->keys[k].off);
    for (int i = 0; i < op->spec.n_aggs; i++) {
        Slot *s = &op->slots[i];
        switch (s->fn) {
        case WAGG_SUM:
        case WAGG_AVG:
            if (s->in == WT_DOUBLE) {
                WXSum *x = (WXSum *)(r + s->off);
                op->heap -= (int64_t)wxsum_heap_bytes(x);
                wxsum_fini(x);
            }
            break;
        case WAGG_MIN:
        case WAGG_MAX:
        case WAGG_FIRST:
        case WAGG_LAST:
            if (s->in == WT_STRING) str_slot_free(op, r, s->off);
            break;
        case WAGG_COUNT_DISTINCT: {
            DSet *d;
            memcpy(&d, r + s->off, sizeof d);
            dset_free(op, d, s->in);
            memset(r + s->off, 0, sizeof d);
            break;
        }
        case WAGG_APPROX_COUNT_DISTINCT: {
            uint8_t *h;
            memcpy(&h, r + s->off, sizeof h);
            if (h) {
                op->heap -= (int64_t)whll_size(s->p);
                free(h);
            }
            memset(r + s->off, 0, sizeof(void *));
            break;
        }
        default: break;
        }
    }
}

static int64_t win_end(const WAggOp *op, int64_t start) {
    if (!op->windowed) return INT64_MAX;
    return start + op->spec.window.size_us;
}

static inline int64_t *sfield(uint8_t *r, int off) { return (int64_t *)(r + off); }

/* The end of a group's window: per group for sessions. */
static int64_t rec_end(const WAggOp *op, const uint8_t *r) {
    if (op->session) return *(const int64_t *)(r + S_END);
    return win_end(op, wstart_of(r));
}

static int index_grow(WAggOp *op) {
    uint32_t nn = op->nindex ? op->nindex * 2 : 64;
    uint32_t *ni = calloc(nn, sizeof *ni);
    if (!ni) return WEIR_NOMEM;
    for (uint32_t i = 0; i < op->n; i++) {
        uint64_t h = *(uint64_t *)rec_at(op, i);
        uint32_t j = (uint32_t)h & (nn - 1);
        while (ni[j]) j = (j + 1) & (nn - 1);
        ni[j] = i + 1;
    }
    free(op->index);
    op->index = ni;
    op->nindex = nn;
    return WEIR_OK;
}

static int recs_grow(WAggOp *op) {
    uint32_t nc = op->cap ? op->cap + op->cap / 2 : 64;
    uint8_t *nr = realloc(op->recs, (size_t)nc * op->stride);
    if (!nr) return WEIR_NOMEM;
    op->recs = nr;
    op->cap = nc;
    return WEIR_OK;
}

/* Removes the index slot pointing at record `idx` (backward-shift deletion). */
static void index_remove(WAggOp *op, uint64_t h, uint32_t idx) {
    uint32_t mask = op->nindex - 1, j = (uint32_t)h & mask;
    while (op->index[j] != idx + 1) j = (j + 1) & mask;
    uint32_t hole = j;
    for (;;) {
        j = (j + 1) & mask;
        if (!op->index[j]) break;
        uint32_t home = (uint32_t)*(uint64_t *)rec_at(op, op->index[j] - 1) & mask;
        /* move j into the hole when its home is not in (hole, j] cyclically */
        int move = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
        if (move) {
            op->index[hole] = op->index[j];
            hole = j;
        }
    }
    op->index[hole] = 0;
}

static void index_repoint(WAggOp *op, uint64_t h, uint32_t from, uint32_t to) {
    uint32_t mask = op->nindex - 1, j = (uint32_t)h & mask;
    while (op->index[j] != from + 1) j = (j + 1) & mask;
    op->index[j] = to + 1;
}

static void rec_delete(WAggOp *op, uint32_t i) {
    uint8_t *r = rec_at(op, i);
    rec_free_owned(op, r);
    index_remove(op, *(uint64_t *)r, i);
    uint32_t last = op->n - 1;
    if (i != last) {
        uint8_t *l = rec_at(op, last);
        index_repoint(op, *(uint64_t *)l, last, i);
        memcpy(r, l, op->stride);
    }
    op->n--;
}

/* ---- keys of a row ---- */

static uint64_t row_key_hash(const WAggOp *op, const WBatch *in, int64_t r) {
    uint64_t h = 0x243f6a8885a308d3ULL;
    for (int k = 0; k < op->spec.n_keys; k++) {
        const WVec *v = &in->root.children[op->keys[k].col];
        WTypeId t = op->keys[k].t;
        uint64_t kh;
        if (wvec_is_null(v, r)) kh = 0x9ae16a3b2f90404fULL;
        else if (t == WT_STRING) {
            size_t n;
            const char *s = wvec_str(v, r, &n);
            kh = whash_bytes(s, n, (uint64_t)k);
        } else {
            uint64_t x = fixed_raw(v, t, r);
            if (t == WT_DOUBLE) x = norm_dbl(bits_dbl(x));
            kh = whash_u64(x, (uint64_t)k);
        }
        h = whash_mix((h ^ kh) * 0x9e3779b97f4a7c15ULL + (uint64_t)k);
    }
    return h;
}

static inline uint64_t group_hash(uint64_t kh, int64_t wstart) { return whash_u64((uint64_t)wstart, kh); }

static int row_matches(const WAggOp *op, const uint8_t *rec, const WBatch *in, int64_t r) {
    for (int k = 0; k < op->spec.n_keys; k++) {
        const WVec *v = &in->root.children[op->keys[k].col];
        int rn = wvec_is_null(v, r), gn = bit_get(rec, k);
        if (rn != gn) return 0;
        if (rn) continue;
        WTypeId t = op->keys[k].t;
        if (t == WT_STRING) {
            size_t n;
            const char *s = wvec_str(v, r, &n);
            char *p;
            uint64_t gl;
            str_slot_get(rec, op->keys[k].off, &p, &gl);
            if (gl != n || (n && memcmp(p, s, n))) return 0;
        } else {
            uint64_t x = fixed_raw(v, t, r);
            if (t == WT_DOUBLE) x = norm_dbl(bits_dbl(x));
            if (*(const uint64_t *)(rec + op->keys[k].off) != x) return 0;
        }
    }
    return 1;
}

static int insert_group(WAggOp *op, const WBatch *in, int64_t r, uint64_t h, int64_t wstart, uint32_t *out);

/* Finds or creates the group of row r in window wstart; *out is the record number. */
static int find_or_insert(WAggOp *op, const WBatch *in, int64_t r, uint64_t kh, int64_t wstart, uint32_t *out) {
    uint64_t h = group_hash(kh, wstart);
    if (op->nindex) {
        uint32_t mask = op->nindex - 1, j = (uint32_t)h & mask;
        while (op->index[j]) {
            uint32_t i = op->index[j] - 1;
            uint8_t *rec = rec_at(op, i);
            if (*(uint64_t *)rec == h && wstart_of(rec) == wstart && row_matches(op, rec, in, r)) {
                *out = i;
                return WEIR_OK;
            }
            j = (j + 1) & mask;
        }
    }
    int rc = insert_group(op, in, r, h, wstart, out);
    if (rc == WEIR_OK && !op->session) {
        int64_t e = win_end(op, wstart);
        if (e < op->min_end) op->min_end = e;
    }
    return rc;
}

/* Creates a group for row r's keys with hash h and window start wstart; *out is its record number. */
static int insert_group(WAggOp *op, const WBatch *in, int64_t r, uint64_t h, int64_t wstart, uint32_t *out) {
    if ((uint64_t)(op->n + 1) * 2 > op->nindex && index_grow(op)) return WEIR_NOMEM;
    if (op->n == op->cap && recs_grow(op)) return WEIR_NOMEM;
    if (op->n == UINT32_MAX - 1) return WEIR_NOMEM;
    uint32_t i = op->n;
    uint8_t *rec = rec_at(op, i);
    memset(rec, 0, op->stride);
    *(uint64_t *)rec = h;
    *(int64_t *)(rec + 8) = wstart;
    for (int k = 0; k < op->spec.n_keys; k++) {
        const WVec *v = &in->root.children[op->keys[k].col];
        WTypeId t = op->keys[k].t;
        if (wvec_is_null(v, r)) {
            bit_set(rec, k, 1);
            continue;
        }
        if (t == WT_STRING) {
            size_t n;
            const char *s = wvec_str(v, r, &n);
            if (str_slot_set(op, rec, op->keys[k].off, s, n)) {
                rec_free_owned(op, rec);
                return WEIR_NOMEM;
            }
        } else {
            uint64_t x = fixed_raw(v, t, r);
            if (t == WT_DOUBLE) x = norm_dbl(bits_dbl(x));
            *(uint64_t *)(rec + op->keys[k].off) = x;
        }
    }
    uint32_t mask = op->nindex - 1, j = (uint32_t)h & mask;
    while (op->index[j]) j = (j + 1) & mask;
    op->index[j] = i + 1;
    op->n++;
    *out = i;
    return WEIR_OK;
}

/* ---- aggregate updates ---- */

static int value_set(WAggOp *op, uint8_t *rec, const Slot *s, const WVec *v, int64_t r) {
    if (s->in == WT_STRING) {
        size_t n;
        const char *p = wvec_str(v, r, &n);
        return str_slot_set(op, rec, s->off, p, n);
    }
    *(uint64_t *)(rec + s->off) = fixed_raw(v, s->in, r);
    return WEIR_OK;
}

static int value_cmp(const uint8_t *rec, const Slot *s, const WVec *v, int64_t r) {
    if (s->in == WT_STRING) {
        size_t n;
        const char *p = wvec_str(v, r, &n);
        char *g;
        uint64_t gl;
        str_slot_get(rec, s->off, &g, &gl);
        return cmp_str(p, n, g, gl);
    }
    return cmp_fixed(s->in, fixed_raw(v, s->in, r), *(const uint64_t *)(rec + s->off));
}

/* One aggregate slot of group `rec` takes row r. */
static int update_slot(WAggOp *op, const Slot *s, uint8_t *rec, const WBatch *in, int64_t r, WErr *err) {
    const WVec *v = s->fn == WAGG_COUNT_STAR ? NULL : &in->root.children[s->col];
    int isnull = v ? wvec_is_null(v, r) : 0;
    uint8_t *p = rec + s->off;
    switch (s->fn) {
    case WAGG_COUNT_STAR: (*(int64_t *)p)++; break;
    case WAGG_COUNT:
        if (!isnull) (*(int64_t *)p)++;
        break;
    case WAGG_SUM:
    case WAGG_AVG:
        if (isnull) break;
        bit_set(rec, s->bit, 1);
        if (s->in == WT_INT) {
            int64_t *acc = (int64_t *)p;
            if (__builtin_add_overflow(*acc, (int64_t)wvec_i32(v, r), acc))
                return werr_msg(err, WEIR_UNSUPPORTED, "sum of column %d overflowed its 64-bit accumulator",
                                s->col);
        } else if (s->in == WT_BIGINT) {
            __int128 acc;
            memcpy(&acc, p, 16);
            acc += wvec_i64(v, r);
            memcpy(p, &acc, 16);
        } else {
            WXSum *x = (WXSum *)p;
            size_t before = wxsum_heap_bytes(x);
            if (wxsum_add(x, wvec_f64(v, r))) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
            op->heap += (int64_t)(wxsum_heap_bytes(x) - before);
        }
        if (s->fn == WAGG_AVG) {
            int off = s->in == WT_INT ? 8 : s->in == WT_BIGINT ? 16 : (int)sizeof(WXSum);
            (*(int64_t *)(p + off))++;
        }
        break;
    case WAGG_MIN:
    case WAGG_MAX:
        if (isnull) break;
        if (!bit_get(rec, s->bit) || (s->fn == WAGG_MIN ? value_cmp(rec, s, v, r) < 0 : value_cmp(rec, s, v, r) > 0)) {
            if (value_set(op, rec, s, v, r)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
            bit_set(rec, s->bit, 1);
        }
        break;
    case WAGG_FIRST:
    case WAGG_LAST:
        if (s->fn == WAGG_FIRST && bit_get(rec, s->bit)) break;
        bit_set(rec, s->bit, 1);
        bit_set(rec, s->bit + 1, isnull);
        if (isnull) {
            if (s->in == WT_STRING) str_slot_free(op, rec, s->off);
            else *(uint64_t *)p = 0;
        } else if (value_set(op, rec, s, v, r)) {
            return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
        }
        break;
    case WAGG_COUNT_DISTINCT: {
        if (isnull) break;
        DSet *d;
        memcpy(&d, p, sizeof d);
        if (dset_add_row(op, &d, s->in, v, r)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
        memcpy(p, &d, sizeof d);
        break;
    }
    case WAGG_APPROX_COUNT_DISTINCT: {
        if (isnull) break;
        uint8_t *h;
        memcpy(&h, p, sizeof h);
        if (!h) {
            h = calloc(1, whll_size(s->p));
            if (!h) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
            op->heap += (int64_t)whll_size(s->p);
            memcpy(p, &h, sizeof h);
        }
        uint64_t hv;
        if (s->in == WT_STRING) {
            size_t n;
            const char *str = wvec_str(v, r, &n);
            hv = whash_bytes(str, n, 0x11);
        } else {
            uint64_t x = fixed_raw(v, s->in, r);
            if (s->in == WT_DOUBLE) x = norm_dbl(bits_dbl(x));
            hv = whash_u64(x, 0x11);
        }
        whll_add_hash(h, s->p, hv);
        break;
    }

    }
    return WEIR_OK;
}

static int update_aggs(WAggOp *op, uint8_t *rec, const WBatch *in, int64_t r, WErr *err) {
    for (int i = 0; i < op->spec.n_aggs; i++) {
        int rc = update_slot(op, &op->slots[i], rec, in, r, err);
        if (rc) return rc;
    }
    return WEIR_OK;
}

/* Exact sum of a run of doubles added to one group, without a big-integer addition per value: a value
 * m * 2^e (53-bit m) within 2^63 above the run's base unit 2^E adds its signed m to the 64-bit bucket of
 * its exponent e - E (1024 values cannot overflow a bucket); the buckets, shifted into one 128-bit sum,
 * go into the group's WXSum as at most three exact doubles (53-bit pieces) when the run ends, the base
 * must move, or 1024 values are in. Values of extreme exponents, zeros, NaN and infinities go straight to
 * the WXSum. Exact either way, so the result is the same whatever the runs (checked against plain
 * wxsum_add in test_agg). */
__extension__ typedef __int128 XI128;

/* acc * 2^base (|acc| < 2^127) added to the WXSum as at most three exact doubles (53-bit pieces). */
static int xsum_add_scaled(WXSum *sum, XI128 acc, int base) {
    int neg = acc < 0;
    unsigned __int128 u = neg ? -(unsigned __int128)acc : (unsigned __int128)acc;
    for (int k = 0; u; k++, u >>= 53) {
        uint64_t piece = (uint64_t)u & ((UINT64_C(1) << 53) - 1);
        if (!piece) continue;
        double d = ldexp((double)piece, base + 53 * k); /* exact: 53 bits, exponent in range */
        if (wxsum_add(sum, neg ? -d : d)) return WEIR_NOMEM;
    }
    return WEIR_OK;
}

/* The used buckets (bit i of used: bucket[i] holds a sum in units of 2^(base + i)) added to sum. At most
 * 1024 values of under 2^116 units each: the total fits 128 bits. */
static int xsum_add_buckets(WXSum *sum, const int64_t *bucket, uint64_t used, int base) {
    XI128 acc = 0;
    for (; used; used &= used - 1) {
        int i = __builtin_ctzll(used);
        acc += (XI128)bucket[i] * ((XI128)1 << i);
    }
    return acc ? xsum_add_scaled(sum, acc, base) : WEIR_OK;
}

/* The values x[r0..r1) (those not NULL when may_null) added to sum exactly; *any set when one was. */
static int xsum_add_run(WXSum *sum, const double *x, const WVec *v, int may_null, uint32_t r0, uint32_t r1, int *any) {
    int64_t bucket[64];
    uint64_t used = 0;
    int base = 0, n = 1024, seen = 0; /* n full: the first value sets the base */
    for (uint32_t r = r0; r < r1; r++) {
        if (may_null && wvec_is_null(v, r)) continue;
        seen = 1;
        uint64_t b;
        memcpy(&b, &x[r], sizeof b);
        int be = (int)((b >> 52) & 0x7ff);
        if (be < 64 || be > 1800) { /* zero, subnormal, tiny, huge, NaN, inf */
            if (wxsum_add(sum, x[r])) return WEIR_NOMEM;
            continue;
        }
        int e = be - 1075;
        unsigned i = (unsigned)(e - base);
        if (i > 63 || n >= 1024) {
            if (xsum_add_buckets(sum, bucket, used, base)) return WEIR_NOMEM;
            used = 0;
            n = 0;
            base = e - 8; /* room for values a little smaller than the first */
            i = 8;
        }
        int64_t m = (int64_t)((b & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52)), sg = -(int64_t)(b >> 63);
        if (!((used >> i) & 1)) {
            bucket[i] = 0;
            used |= UINT64_C(1) << i;
        }
        bucket[i] += (m ^ sg) - sg;
        n++;
    }
    *any = seen;
    return xsum_add_buckets(sum, bucket, used, base);
}

/* Slot s for every run of the batch (rows pr[i] .. pr[i] + pn[i] - 1 of group pg[i]), in row order: the
 * common fixed-width cases as tight loops over the run's rows, the others through update_slot. Same result
 * as update_aggs row by row. */
static int update_slot_runs(WAggOp *op, const Slot *s, const WBatch *in, const uint32_t *pr, const uint32_t *pn,
                            const uint32_t *pg, uint32_t nr, WErr *err) {
    const WVec *v = s->fn == WAGG_COUNT_STAR ? NULL : &in->root.children[s->col];
    int may_null = v && v->null_count != 0; /* null_count is exact (core/vec); 0 spares a bit test per row */
    int off = s->off;
    switch (s->fn) {
    case WAGG_COUNT_STAR:
        for (uint32_t i = 0; i < nr; i++) *(int64_t *)(rec_at(op, pg[i]) + off) += pn[i];
        return WEIR_OK;
    case WAGG_COUNT:
        for (uint32_t i = 0; i < nr; i++) {
            int64_t c = pn[i];
            if (may_null)
                for (uint32_t r = pr[i]; r < pr[i] + pn[i]; r++) c -= wvec_is_null(v, r);
            *(int64_t *)(rec_at(op, pg[i]) + off) += c;
        }
        return WEIR_OK;
    case WAGG_SUM:
        if (s->in == WT_INT) {
            /* a run's sum in a register (under 2^32 INT values cannot overflow 64 bits), then added to the
             * group's sum with the overflow check */
            const int32_t *x = (const int32_t *)v->values;
            for (uint32_t i = 0; i < nr; i++) {
                uint32_t r0 = pr[i], r1 = pr[i] + pn[i];
                int64_t run = 0;
                int any = 1;
                if (!may_null) { /* four sums at a time: no wait on the previous addition */
                    int64_t s1 = 0, s2 = 0, s3 = 0;
                    uint32_t r = r0;
                    for (; r1 - r >= 4; r += 4) run += x[r], s1 += x[r + 1], s2 += x[r + 2], s3 += x[r + 3];
                    for (; r < r1; r++) run += x[r];
                    run += s1 + s2 + s3;
                } else {
                    any = 0;
                    for (uint32_t r = r0; r < r1; r++)
                        if (!wvec_is_null(v, r)) run += x[r], any = 1;
                }
                if (!any) continue;
                uint8_t *rec = rec_at(op, pg[i]);
                bit_set(rec, s->bit, 1);
                if (__builtin_add_overflow(*(int64_t *)(rec + off), run, (int64_t *)(rec + off)))
                    return werr_msg(err, WEIR_UNSUPPORTED, "sum of column %d overflowed its 64-bit accumulator",
                                    s->col);
            }
            return WEIR_OK;
        }
        if (s->in == WT_DOUBLE) {
            const double *x = (const double *)v->values;
            for (uint32_t i = 0; i < nr; i++) {
                int any = 0;
                uint8_t *rec = rec_at(op, pg[i]);
                WXSum *acc = (WXSum *)(rec + off);
                size_t before = wxsum_heap_bytes(acc);
                if (xsum_add_run(acc, x, v, may_null, pr[i], pr[i] + pn[i], &any))
                    return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
                if (!any) continue;
                bit_set(rec, s->bit, 1);
                op->heap += (int64_t)(wxsum_heap_bytes(acc) - before);
            }
            return WEIR_OK;
        }
        break;
    default: break;
    }
    for (uint32_t i = 0; i < nr; i++) {
        uint8_t *rec = rec_at(op, pg[i]);
        for (uint32_t r = pr[i]; r < pr[i] + pn[i]; r++) {
            int rc = update_slot(op, s, rec, in, r, err);
            if (rc) return rc;
        }
    }
    return WEIR_OK;
}

/* ---- session windows ---- */

/* Folds session `src`'s aggregates into `dst` (both of one group key). */
static int merge_group(WAggOp *op, uint8_t *dst, uint8_t *src, WErr *err) {
    uint64_t df = (uint64_t)*sfield(dst, S_FIRST), sf = (uint64_t)*sfield(src, S_FIRST);
    uint64_t dl = (uint64_t)*sfield(dst, S_LAST), sl = (uint64_t)*sfield(src, S_LAST);
    for (int i = 0; i < op->spec.n_aggs; i++) {
        const Slot *s = &op->slots[i];
        uint8_t *p = dst + s->off, *q = src + s->off;
        int shas = bit_get(src, s->bit), dhas = bit_get(dst, s->bit);
        switch (s->fn) {
        case WAGG_COUNT_STAR:
        case WAGG_COUNT: *(int64_t *)p += *(int64_t *)q; break;
        case WAGG_SUM:
        case WAGG_AVG: {
            if (!shas) break;
            bit_set(dst, s->bit, 1);
            int off;
            if (s->in == WT_INT) {
                if (__builtin_add_overflow(*(int64_t *)p, *(int64_t *)q, (int64_t *)p))
                    return werr_msg(err, WEIR_UNSUPPORTED, "sum of column %d overflowed its 64-bit accumulator", s->col);
                off = 8;
            } else if (s->in == WT_BIGINT) {
                __int128 a, b;
                memcpy(&a, p, 16);
                memcpy(&b, q, 16);
                a += b;
                memcpy(p, &a, 16);
                off = 16;
            } else {
                WXSum *x = (WXSum *)p;
                size_t before = wxsum_heap_bytes(x);
                if (wxsum_merge(x, (const WXSum *)q)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
                op->heap += (int64_t)(wxsum_heap_bytes(x) - before);
                off = (int)sizeof(WXSum);
            }
            if (s->fn == WAGG_AVG) *(int64_t *)(p + off) += *(int64_t *)(q + off);
            break;
        }
        case WAGG_MIN:
        case WAGG_MAX:
        case WAGG_FIRST:
        case WAGG_LAST: {
            int take;
            if (s->fn == WAGG_FIRST) take = shas && (!dhas || sf < df);
            else if (s->fn == WAGG_LAST) take = shas && (!dhas || sl > dl);
            else if (!shas) take = 0;
            else if (!dhas) take = 1;
            else {
                int c;
                if (s->in == WT_STRING) {
                    char *a, *b;
                    uint64_t an, bn;
                    str_slot_get(src, s->off, &a, &an);
                    str_slot_get(dst, s->off, &b, &bn);
                    c = cmp_str(a, an, b, bn);
                } else c = cmp_fixed(s->in, *(uint64_t *)q, *(uint64_t *)p);
                take = s->fn == WAGG_MIN ? c < 0 : c > 0;
            }
            if (!take) break;
            bit_set(dst, s->bit, 1);
            bit_set(dst, s->bit + 1, bit_get(src, s->bit + 1));
            if (s->in == WT_STRING) {
                char *a;
                uint64_t an;
                str_slot_get(src, s->off, &a, &an);
                if (a) {
                    if (str_slot_set(op, dst, s->off, a, an)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
                } else str_slot_free(op, dst, s->off);
            } else *(uint64_t *)p = *(uint64_t *)q;
            break;
        }
        case WAGG_COUNT_DISTINCT: {
            DSet *d, *e;
            memcpy(&d, p, sizeof d);
            memcpy(&e, q, sizeof e);
            for (uint32_t j = 0; e && j < e->cap; j++) {
                if (!e->e[j].h) continue;
                uint64_t v = e->e[j].v;
                int added;
                if (s->in == WT_STRING) { /* the set owns its strings: copy */
                    uint32_t n;
                    memcpy(&n, (void *)(uintptr_t)v, 4);
                    uint8_t *c = malloc(4 + (size_t)n);
                    if (!c) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
                    memcpy(c, (void *)(uintptr_t)v, 4 + (size_t)n);
                    int rc = dset_add(op, &d, s->in, (uint64_t)(uintptr_t)c, &added);
                    if (rc || !added) free(c);
                    else op->heap += 4 + (int64_t)n;
                    if (rc) {
                        memcpy(p, &d, sizeof d);
                        return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
                    }
                } else if (dset_add(op, &d, s->in, v, &added)) {
                    memcpy(p, &d, sizeof d);
                    return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
                }
            }
            memcpy(p, &d, sizeof d);
            break;
        }
        case WAGG_APPROX_COUNT_DISTINCT: {
            uint8_t *a, *b;
            memcpy(&a, p, sizeof a);
            memcpy(&b, q, sizeof b);
            if (!b) break;
            if (!a) { /* move the sketch */
                memcpy(p, &b, sizeof b);
                memset(q, 0, sizeof(void *));
            } else whll_merge(a, b, s->p);
            break;
        }
        }
    }
    if (sf < df) *sfield(dst, S_FIRST) = (int64_t)sf;
    if (sl > dl) *sfield(dst, S_LAST) = (int64_t)sl;
    if (wstart_of(src) < wstart_of(dst)) *(int64_t *)(dst + 8) = wstart_of(src);
    if (*sfield(src, S_END) > *sfield(dst, S_END)) *sfield(dst, S_END) = *sfield(src, S_END);
    return WEIR_OK;
}

static int encode_key(const WAggOp *op, const uint8_t *rec, WBuf *b);
static int mark_dirty(WAggOp *op, uint32_t gi);

/* Row r (event time ts, on time) joins its key's sessions: a new session [ts, ts + gap), or the one it
 * overlaps or touches, extended; when it bridges several, they merge into the oldest-created one and
 * the others are marked dead (deleted after the row loop; removed from the state store if they were
 * there). *out is the session the row's values go to. */
static int session_place(WAggOp *op, const WBatch *in, int64_t r, int64_t ts, int64_t end, uint32_t *out, WErr *err) {
    uint64_t h = group_hash(row_key_hash(op, in, r), 0);
    uint32_t nc = 0;
    if (op->nindex) {
        uint32_t mask = op->nindex - 1, j = (uint32_t)h & mask;
        while (op->index[j]) {
            uint32_t i = op->index[j] - 1;
            uint8_t *rec = rec_at(op, i);
            if (*(uint64_t *)rec == h && !bit_get(rec, DEAD_BIT) && wstart_of(rec) <= end &&
                ts <= *sfield(rec, S_END) && row_matches(op, rec, in, r)) {
                if (nc == op->cap_cand) {
                    uint32_t ncap = op->cap_cand ? op->cap_cand * 2 : 8;
                    uint32_t *c = realloc(op->cand, ncap * sizeof *c);
                    if (!c) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
                    op->cand = c;
                    op->cap_cand = ncap;
                }
                op->cand[nc++] = i;
            }
            j = (j + 1) & mask;
        }
    }
    uint32_t gi = 0;
    if (nc == 0) {
        if (insert_group(op, in, r, h, ts, &gi)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
        uint8_t *rec = rec_at(op, gi);
        *sfield(rec, S_END) = end;
        *sfield(rec, S_FIRST) = (int64_t)op->seq;
        *sfield(rec, S_ID) = (int64_t)op->next_id++;
    } else {
        /* the survivor: the session with the smallest id (deterministic whatever the probe order) */
        uint32_t best = 0;
        for (uint32_t c = 1; c < nc; c++)
            if ((uint64_t)*sfield(rec_at(op, op->cand[c]), S_ID) < (uint64_t)*sfield(rec_at(op, op->cand[best]), S_ID))
                best = c;
        gi = op->cand[best];
        for (uint32_t c = 0; c < nc; c++) {
            if (c == best) continue;
            uint8_t *src = rec_at(op, op->cand[c]);
            int rc = merge_group(op, rec_at(op, gi), src, err);
            if (rc) return rc;
            if (op->st && bit_get(src, PERSIST_BIT)) {
                uint32_t kl;
                size_t at = op->pend_rm.len;
                if (wbuf_append(&op->pend_rm, "\0\0\0\0", 4)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
                if (encode_key(op, src, &op->pend_rm)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
                kl = (uint32_t)(op->pend_rm.len - at - 4);
                memcpy(op->pend_rm.data + at, &kl, 4);
            }
            bit_set(src, DEAD_BIT, 1);
            op->n_dead++;
        }
        uint8_t *rec = rec_at(op, gi);
        if (ts < wstart_of(rec)) *(int64_t *)(rec + 8) = ts;
        if (end > *sfield(rec, S_END)) *sfield(rec, S_END) = end;
    }
    uint8_t *rec = rec_at(op, gi);
    *sfield(rec, S_LAST) = (int64_t)op->seq;
    if (*sfield(rec, S_END) < op->min_end) op->min_end = *sfield(rec, S_END);
    if (mark_dirty(op, gi)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
    *out = gi;
    return WEIR_OK;
}

/* Deletes the sessions merged away in this batch and rebuilds the dirty list (records move). */
static int session_sweep(WAggOp *op) {
    if (op->n_dead == 0) return WEIR_OK;
    for (uint32_t i = op->n; i-- > 0;)
        if (bit_get(rec_at(op, i), DEAD_BIT)) rec_delete(op, i);
    op->n_dead = 0;
    op->n_dirty = 0;
    for (uint32_t i = 0; i < op->n; i++) {
        uint8_t *rec = rec_at(op, i);
        if (!bit_get(rec, DIRTY_BIT)) continue;
        bit_set(rec, DIRTY_BIT, 0);
        if (mark_dirty(op, i)) return WEIR_NOMEM;
    }
    return WEIR_OK;
}

/* ---- output ---- */

static int append_fixed(WVec *v, WTypeId t, uint64_t x) {
    switch (t) {
    case WT_BOOLEAN: return wvec_append_bool(v, (int)(x & 1));
    case WT_INT:
    case WT_DATE: return wvec_append_i32(v, (int32_t)(int64_t)x);
    case WT_DOUBLE: return wvec_append_f64(v, bits_dbl(x));
    default: return wvec_append_i64(v, (int64_t)x);
    }
}

static double sum_as_double(const Slot *s, const uint8_t *p) {
    if (s->in == WT_INT) return (double)*(const int64_t *)p;
    if (s->in == WT_BIGINT) {
        __int128 acc;
        memcpy(&acc, p, 16);
        return (double)acc;
    }
    return wxsum_value((const WXSum *)p);
}

static int write_group(WAggOp *op, uint8_t *rec, WBatch *out, WErr *err) {
    int rc = wbatch_begin_row(out);
    int c = 0;
    if (!rc && op->windowed) {
        WVec *w = wbatch_col(out, c++);
        int64_t s = wstart_of(rec);
        rc = wvec_append_struct(w);
        if (!rc) rc = wvec_append_i64(&w->children[0], s);
        if (!rc) rc = wvec_append_i64(&w->children[1], rec_end(op, rec));
    }
    for (int k = 0; !rc && k < op->spec.n_keys; k++) {
        WVec *v = wbatch_col(out, c++);
        if (bit_get(rec, k)) rc = wvec_append_null(v);
        else if (op->keys[k].t == WT_STRING) {
            char *p;
            uint64_t n;
            str_slot_get(rec, op->keys[k].off, &p, &n);
            rc = wvec_append_str(v, p, n);
        } else rc = append_fixed(v, op->keys[k].t, *(uint64_t *)(rec + op->keys[k].off));
    }
    for (int i = 0; !rc && i < op->spec.n_aggs; i++) {
        const Slot *s = &op->slots[i];
        WVec *v = wbatch_col(out, c++);
        uint8_t *p = rec + s->off;
        int has = bit_get(rec, s->bit);
        switch (s->fn) {
        case WAGG_COUNT_STAR:
        case WAGG_COUNT: rc = wvec_append_i64(v, *(int64_t *)p); break;
        case WAGG_COUNT_DISTINCT: {
            DSet *d;
            memcpy(&d, p, sizeof d);
            rc = wvec_append_i64(v, d ? (int64_t)d->n : 0);
            break;
        }
        case WAGG_APPROX_COUNT_DISTINCT: {
            uint8_t *h;
            memcpy(&h, p, sizeof h);
            rc = wvec_append_i64(v, h ? whll_estimate(h, s->p) : 0);
            break;
        }
        case WAGG_SUM:
            if (!has) rc = wvec_append_null(v);
            else if (s->in == WT_INT) rc = wvec_append_i64(v, *(int64_t *)p);
            else if (s->in == WT_BIGINT) {
                __int128 acc;
                memcpy(&acc, p, 16);
                if (acc > INT64_MAX || acc < INT64_MIN)
                    return werr_msg(err, WEIR_UNSUPPORTED,
                                    "[ARITHMETIC_OVERFLOW] sum of column %d overflowed BIGINT (Spark's ANSI mode "
                                    "raises the same error); cast the column to DOUBLE to sum it approximately",
                                    s->col);
                rc = wvec_append_i64(v, (int64_t)acc);
            } else rc = wvec_append_f64(v, wxsum_value((WXSum *)p));
            break;
        case WAGG_AVG: {
            if (!has) {
                rc = wvec_append_null(v);
                break;
            }
            int off = s->in == WT_INT ? 8 : s->in == WT_BIGINT ? 16 : (int)sizeof(WXSum);
            int64_t cnt = *(int64_t *)(p + off);
            rc = wvec_append_f64(v, sum_as_double(s, p) / (double)cnt);
            break;
        }
        case WAGG_MIN:
        case WAGG_MAX:
        case WAGG_FIRST:
        case WAGG_LAST:
            if (!has || ((s->fn == WAGG_FIRST || s->fn == WAGG_LAST) && bit_get(rec, s->bit + 1)))
                rc = wvec_append_null(v);
            else if (s->in == WT_STRING) {
                char *q;
                uint64_t n;
                str_slot_get(rec, s->off, &q, &n);
                rc = wvec_append_str(v, q, n);
            } else rc = append_fixed(v, s->in, *(uint64_t *)p);
            break;
        }
    }
    if (rc) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory writing a result row");
    return WEIR_OK;
}

static int group_cmp(const WAggOp *op, const uint8_t *a, const uint8_t *b) {
    int64_t sa = wstart_of(a), sb = wstart_of(b);
    if (sa != sb) return sa < sb ? -1 : 1;
    for (int k = 0; k < op->spec.n_keys; k++) {
        int na = bit_get(a, k), nb = bit_get(b, k);
        if (na || nb) {
            if (na != nb) return na ? -1 : 1;
            continue;
        }
        int off = op->keys[k].off, c;
        if (op->keys[k].t == WT_STRING) {
            char *p, *q;
            uint64_t pn, qn;
            str_slot_get(a, off, &p, &pn);
            str_slot_get(b, off, &q, &qn);
            c = cmp_str(p, pn, q, qn);
        } else c = cmp_fixed(op->keys[k].t, *(const uint64_t *)(a + off), *(const uint64_t *)(b + off));
        if (c) return c;
    }
    return 0;
}

static void merge_sort(const WAggOp *op, uint32_t *a, uint32_t *t, uint32_t n) {
    if (n < 2) return;
    if (n <= 8) { /* insertion sort */
        for (uint32_t i = 1; i < n; i++) {
            uint32_t x = a[i], j = i;
            while (j > 0 && group_cmp(op, rec_at(op, a[j - 1]), rec_at(op, x)) > 0) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return;
    }
    uint32_t h = n / 2;
    merge_sort(op, a, t, h);
    merge_sort(op, a + h, t, n - h);
    uint32_t i = 0, j = h, k = 0;
    while (i < h && j < n) t[k++] = group_cmp(op, rec_at(op, a[j]), rec_at(op, a[i])) < 0 ? a[j++] : a[i++];
    while (i < h) t[k++] = a[i++];
    while (j < n) t[k++] = a[j++];
    memcpy(a, t, n * sizeof *a);
}

static int list_reserve(WAggOp *op, uint32_t n) {
    if (n <= op->cap_list) return WEIR_OK;
    uint32_t nc = n + n / 2 + 16;
    uint32_t *l = realloc(op->list, nc * sizeof *l);
    if (!l) return WEIR_NOMEM;
    op->list = l;
    uint32_t *t = realloc(op->tmp, nc * sizeof *t);
    if (!t) return WEIR_NOMEM;
    op->tmp = t;
    op->cap_list = nc;
    return WEIR_OK;
}

/* ---- serialization of groups (state store records) ---- */

static void put_u32(WBuf *b, uint32_t v, int *rc) {
    uint8_t x[4];
    for (int i = 0; i < 4; i++) x[i] = (uint8_t)(v >> (8 * i));
    *rc |= wbuf_append(b, x, 4);
}
static void put_u64(WBuf *b, uint64_t v, int *rc) {
    uint8_t x[8];
    for (int i = 0; i < 8; i++) x[i] = (uint8_t)(v >> (8 * i));
    *rc |= wbuf_append(b, x, 8);
}

static int encode_key(const WAggOp *op, const uint8_t *rec, WBuf *b) {
    int rc = 0;
    /* sessions are keyed by their id: their start moves as rows arrive */
    put_u64(b, op->session ? (uint64_t)*(const int64_t *)(rec + S_ID) : (uint64_t)wstart_of(rec), &rc);
    for (int k = 0; k < op->spec.n_keys; k++) {
        uint8_t nb = (uint8_t)bit_get(rec, k);
        rc |= wbuf_append(b, &nb, 1);
        if (nb) continue;
        if (op->keys[k].t == WT_STRING) {
            char *p;
            uint64_t n;
            str_slot_get(rec, op->keys[k].off, &p, &n);
            put_u32(b, (uint32_t)n, &rc);
            rc |= wbuf_append(b, p, n);
        } else put_u64(b, *(const uint64_t *)(rec + op->keys[k].off), &rc);
    }
    return rc ? WEIR_NOMEM : WEIR_OK;
}

static int encode_group(const WAggOp *op, const uint8_t *rec, WBuf *b) {
    wbuf_reset(b);
    int rc = 0;
    put_u32(b, 0, &rc); /* key length, patched below */
    if (encode_key(op, rec, b)) return WEIR_NOMEM;
    uint32_t kl = (uint32_t)(b->len - 4);
    for (int i = 0; i < 4; i++) b->data[i] = (char)(kl >> (8 * i));
    uint64_t abits = *(const uint64_t *)(rec + 16) & ~((UINT64_C(1) << op->spec.n_keys) - 1) &
                     ~(UINT64_C(1) << DIRTY_BIT) & ~(UINT64_C(1) << PERSIST_BIT) & ~(UINT64_C(1) << DEAD_BIT);
    put_u64(b, abits, &rc);
    if (op->session) {
        put_u64(b, (uint64_t)wstart_of(rec), &rc);
        put_u64(b, (uint64_t)*(const int64_t *)(rec + S_END), &rc);
        put_u64(b, (uint64_t)*(const int64_t *)(rec + S_FIRST), &rc);
        put_u64(b, (uint64_t)*(const int64_t *)(rec + S_LAST), &rc);
    }
    for (int i = 0; i < op->spec.n_aggs; i++) {
        const Slot *s = &op->slots[i];
        const uint8_t *p = rec + s->off;
        switch (s->fn) {
        case WAGG_COUNT_STAR:
        case WAGG_COUNT: put_u64(b, *(const uint64_t *)p, &rc); break;
        case WAGG_SUM:
        case WAGG_AVG: {
            int off;
            if (s->in == WT_INT) {
                put_u64(b, *(const uint64_t *)p, &rc);
                off = 8;
            } else if (s->in == WT_BIGINT) {
                put_u64(b, *(const uint64_t *)p, &rc);
                put_u64(b, *(const uint64_t *)(p + 8), &rc);
                off = 16;
            } else {
                rc |= wxsum_write((const WXSum *)p, b);
                off = (int)sizeof(WXSum);
            }
            if (s->fn == WAGG_AVG) put_u64(b, *(const uint64_t *)(p + off), &rc);
            break;
        }
        case WAGG_MIN:
        case WAGG_MAX:
        case WAGG_FIRST:
        case WAGG_LAST:
            if (s->in == WT_STRING) {
                char *q;
                uint64_t n;
                str_slot_get(rec, s->off, &q, &n);
                put_u32(b, (uint32_t)n, &rc);
                if (n) rc |= wbuf_append(b, q, n);
            } else put_u64(b, *(const uint64_t *)p, &rc);
            break;
        case WAGG_COUNT_DISTINCT: {
            DSet *d;
            memcpy(&d, p, sizeof d);
            put_u32(b, d ? d->n : 0, &rc);
            for (uint32_t j = 0; d && j < d->cap; j++) {
                if (!d->e[j].h) continue;
                if (s->in == WT_STRING) {
                    const uint8_t *q = (const uint8_t *)(uintptr_t)d->e[j].v;
                    uint32_t n;
                    memcpy(&n, q, 4);
                    put_u32(b, n, &rc);
                    rc |= wbuf_append(b, q + 4, n);
                } else put_u64(b, d->e[j].v, &rc);
            }
            break;
        }
        case WAGG_APPROX_COUNT_DISTINCT: {
            uint8_t *h;
            memcpy(&h, p, sizeof h);
            uint8_t present = h != NULL;
            rc |= wbuf_append(b, &present, 1);
            if (h) rc |= wbuf_append(b, h, whll_size(s->p));
            break;
        }
        }
    }
    return rc ? WEIR_NOMEM : WEIR_OK;
}

typedef struct Rd {
    const uint8_t *p;
    size_t n, off;
    int bad;
} Rd;

static uint64_t rd_u64(Rd *r) {
    if (r->n - r->off < 8) {
        r->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)r->p[r->off + i] << (8 * i);
    r->off += 8;
    return v;
}
static uint32_t rd_u32(Rd *r) {
    if (r->n - r->off < 4) {
        r->bad = 1;
        return 0;
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)r->p[r->off + i] << (8 * i);
    r->off += 4;
    return v;
}
static const uint8_t *rd_bytes(Rd *r, size_t n) {
    if (r->n - r->off < n) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *q = r->p + r->off;
    r->off += n;
    return q;
}

/* A batch-shaped view of one decoded key, so find_or_insert can be reused on restore. */
typedef struct KeyView {
    WType schema;
    WBatch b;
    int ready;
} KeyView;

/* Decodes a key into the operator's key-view batch (one row) and returns its group, creating it
 * when `create`; *found = 0 when absent. */
static int decode_key_lookup(WAggOp *op, Rd *r, int create, uint32_t *gi, int *found, WBatch *kb) {
    wbatch_reset(kb);
    int64_t ws = (int64_t)rd_u64(r);
    if (wbatch_begin_row(kb)) return WEIR_NOMEM;
    for (int k = 0; k < op->spec.n_keys; k++) {
        const uint8_t *nb = rd_bytes(r, 1);
        if (!nb) return WEIR_CORRUPT;
        WVec *v = &kb->root.children[op->keys[k].col];
        int rc;
        if (*nb > 1) return WEIR_CORRUPT;
        if (*nb) rc = wvec_append_null(v);
        else if (op->keys[k].t == WT_STRING) {
            uint32_t n = rd_u32(r);
            const uint8_t *s = r->bad ? NULL : rd_bytes(r, n);
            if (!s) return WEIR_CORRUPT;
            rc = wvec_append_str(v, (const char *)s, n);
        } else {
            uint64_t x = rd_u64(r);
            if (r->bad) return WEIR_CORRUPT;
            rc = append_fixed(v, op->keys[k].t, x);
        }
        if (rc) return WEIR_NOMEM;
    }
    /* columns that are not keys get a NULL so the row is complete */
    for (int c = 0; c < kb->root.n_children; c++)
        if (kb->root.children[c].len == 0 && wvec_append_null(&kb->root.children[c])) return WEIR_NOMEM;
    if (r->bad) return WEIR_CORRUPT;
    if (op->session) {
        /* ws is the session id: find the key's session with it (all of a key's sessions share a hash) */
        uint64_t h = group_hash(row_key_hash(op, kb, 0), 0);
        *found = 0;
        if (op->nindex) {
            uint32_t mask = op->nindex - 1, j = (uint32_t)h & mask;
            while (op->index[j]) {
                uint32_t i = op->index[j] - 1;
                uint8_t *rec = rec_at(op, i);
                if (*(uint64_t *)rec == h && *(int64_t *)(rec + S_ID) == ws && row_matches(op, rec, kb, 0)) {
                    *gi = i;
                    *found = 1;
                    return WEIR_OK;
                }
                j = (j + 1) & mask;
            }
        }
        if (!create) return WEIR_OK;
        if (insert_group(op, kb, 0, h, 0, gi)) return WEIR_NOMEM;
        *(int64_t *)(rec_at(op, *gi) + S_ID) = ws;
        return WEIR_OK;
    }
    if (op->windowed) {
        /* a window start must be one this spec can produce */
        int64_t rem = (int64_t)(((__int128)ws - op->spec.window.start_us) % op->spec.window.slide_us);
        if (rem != 0) return WEIR_CORRUPT;
        if (ws > INT64_MAX - op->spec.window.size_us) return WEIR_CORRUPT;
    } else if (ws != 0) return WEIR_CORRUPT;
    uint64_t kh = row_key_hash(op, kb, 0);
    uint64_t h = group_hash(kh, ws);
    *found = 0;
    if (op->nindex) {
        uint32_t mask = op->nindex - 1, j = (uint32_t)h & mask;
        while (op->index[j]) {
            uint32_t i = op->index[j] - 1;
            uint8_t *rec = rec_at(op, i);
            if (*(uint64_t *)rec == h && wstart_of(rec) == ws && row_matches(op, rec, kb, 0)) {
                *gi = i;
                *found = 1;
                return WEIR_OK;
            }
            j = (j + 1) & mask;
        }
    }
    if (!create) return WEIR_OK;
    return find_or_insert(op, kb, 0, kh, ws, gi);
}

static int decode_state(WAggOp *op, uint8_t *rec, Rd *r) {
    uint64_t abits = rd_u64(r);
    if (r->bad) return WEIR_CORRUPT;
    uint64_t keymask = (UINT64_C(1) << op->spec.n_keys) - 1;
    uint64_t allowed = 0;
    for (int i = 0; i < op->spec.n_aggs; i++) allowed |= UINT64_C(3) << op->slots[i].bit;
    if (abits & ~allowed) return WEIR_CORRUPT;
    *bits_of(rec) = (*bits_of(rec) & keymask) | abits | (UINT64_C(1) << PERSIST_BIT);
    if (op->session) {
        int64_t st = (int64_t)rd_u64(r), en = (int64_t)rd_u64(r);
        uint64_t fs = rd_u64(r), ls = rd_u64(r);
        int64_t len;
        if (r->bad || __builtin_sub_overflow(en, st, &len) || len < op->spec.window.size_us || fs > ls ||
            ls >= op->seq_limit || (uint64_t)*(int64_t *)(rec + S_ID) >= op->id_limit)
            return WEIR_CORRUPT;
        *(int64_t *)(rec + 8) = st;
        *(int64_t *)(rec + S_END) = en;
        *(int64_t *)(rec + S_FIRST) = (int64_t)fs;
        *(int64_t *)(rec + S_LAST) = (int64_t)ls;
    }
    for (int i = 0; i < op->spec.n_aggs; i++) {
        const Slot *s = &op->slots[i];
        uint8_t *p = rec + s->off;
        switch (s->fn) {
        case WAGG_COUNT_STAR:
        case WAGG_COUNT: *(uint64_t *)p = rd_u64(r); break;
        case WAGG_SUM:
        case WAGG_AVG: {
            int off;
            if (s->in == WT_INT) {
                *(uint64_t *)p = rd_u64(r);
                off = 8;
            } else if (s->in == WT_BIGINT) {
                *(uint64_t *)p = rd_u64(r);
                *(uint64_t *)(p + 8) = rd_u64(r);
                off = 16;
            } else {
                if (r->bad) return WEIR_CORRUPT;
                WXSum *x = (WXSum *)p;
                long used = wxsum_read(x, r->p + r->off, r->n - r->off);
                if (used < 0) return WEIR_CORRUPT;
                op->heap += (int64_t)wxsum_heap_bytes(x);
                r->off += (size_t)used;
                off = (int)sizeof(WXSum);
            }
            if (s->fn == WAGG_AVG) {
                int64_t cnt = (int64_t)rd_u64(r);
                if (!r->bad && (cnt < 0 || (bit_get(rec, s->bit) && cnt == 0))) return WEIR_CORRUPT;
                *(int64_t *)(p + off) = cnt;
            }
            break;
        }
        case WAGG_MIN:
        case WAGG_MAX:
        case WAGG_FIRST:
        case WAGG_LAST:
            if (s->in == WT_STRING) {
                uint32_t n = rd_u32(r);
                const uint8_t *q = r->bad ? NULL : rd_bytes(r, n);
                if (!q) return WEIR_CORRUPT;
                if (bit_get(rec, s->bit) && str_slot_set(op, rec, s->off, (const char *)q, n)) return WEIR_NOMEM;
            } else *(uint64_t *)p = rd_u64(r);
            break;
        case WAGG_COUNT_DISTINCT: {
            uint32_t cnt = rd_u32(r);
            if (r->bad) return WEIR_CORRUPT;
            DSet *d = NULL;
            for (uint32_t j = 0; j < cnt; j++) {
                int added, rc;
                if (s->in == WT_STRING) {
                    uint32_t n = rd_u32(r);
                    const uint8_t *q = r->bad ? NULL : rd_bytes(r, n);
                    if (!q) rc = WEIR_CORRUPT;
                    else {
                        uint8_t *e = malloc(4 + (size_t)n);
                        if (!e) rc = WEIR_NOMEM;
                        else {
                            memcpy(e, &n, 4);
                            if (n) memcpy(e + 4, q, n);
                            rc = dset_add(op, &d, s->in, (uint64_t)(uintptr_t)e, &added);
                            if (rc || !added) free(e);
                            else op->heap += 4 + (int64_t)n;
                            if (!rc && !added) rc = WEIR_CORRUPT;
                        }
                    }
                } else {
                    uint64_t x = rd_u64(r);
                    rc = r->bad ? WEIR_CORRUPT : dset_add(op, &d, s->in, x, &added);
                    if (!rc && !added) rc = WEIR_CORRUPT;
                }
                if (rc) {
                    memcpy(p, &d, sizeof d); /* owned by the record, freed with it */
                    return rc;
                }
            }
            memcpy(p, &d, sizeof d);
            break;
        }
        case WAGG_APPROX_COUNT_DISTINCT: {
            const uint8_t *pr = rd_bytes(r, 1);
            if (!pr || *pr > 1) return WEIR_CORRUPT;
            if (*pr) {
                const uint8_t *q = rd_bytes(r, whll_size(s->p));
                if (!q) return WEIR_CORRUPT;
                for (size_t j = 0; j < whll_size(s->p); j++)
                    if (q[j] > 65 - s->p) return WEIR_CORRUPT;
                uint8_t *h = malloc(whll_size(s->p));
                if (!h) return WEIR_NOMEM;
                memcpy(h, q, whll_size(s->p));
                op->heap += (int64_t)whll_size(s->p);
                memcpy(p, &h, sizeof h);
            }
            break;
        }
        }
        if (r->bad) return WEIR_CORRUPT;
    }
    if (r->off != r->n) return WEIR_CORRUPT;
    return WEIR_OK;
}

typedef struct RestoreCtx {
    WAggOp *op;
    WBatch kb;
} RestoreCtx;

/* The meta of the file being read (wstate_parse fills op->meta before the records): written by this
 * same aggregation? */
static int check_meta_fingerprint(WAggOp *op, WErr *err) {
    Rd r = {(const uint8_t *)op->meta.data, op->meta.len, 0, 0};
    uint32_t magic = rd_u32(&r);
    uint64_t fp = rd_u64(&r);
    for (int i = 0; i < 5; i++) rd_u64(&r);
    op->seq_limit = rd_u64(&r);
    op->id_limit = rd_u64(&r);
    if (r.bad || magic != META_MAGIC) return werr_msg(err, WEIR_CORRUPT, "operator metadata is damaged");
    if (fp != op->fingerprint)
        return werr_msg(err, WEIR_MISUSE,
                        "the state in this checkpoint was written by a different aggregation (window, keys, "
                        "aggregates or output mode changed); use a new checkpoint location");
    return WEIR_OK;
}

static int restore_visit(void *ctx, int kind, const uint8_t *rec, size_t n, WErr *err) {
    RestoreCtx *rc_ = ctx;
    WAggOp *op = rc_->op;
    int mrc = check_meta_fingerprint(op, err);
    if (mrc) return mrc;
    Rd r = {rec, n, 0, 0};
    uint32_t gi = 0;
    int found = 0, rc;
    if (kind == WSTATE_PUT) {
        uint32_t kl = rd_u32(&r);
        if (r.bad || kl > n - 4) return werr_msg(err, WEIR_CORRUPT, "group record key length out of range");
        Rd kr = {rec + 4, kl, 0, 0};
        rc = decode_key_lookup(op, &kr, 1, &gi, &found, &rc_->kb);
        if (rc == WEIR_OK && kr.off != kl) rc = WEIR_CORRUPT;
        if (rc) return werr_msg(err, rc, "bad group key in state record");
        uint8_t *g = rec_at(op, gi);
        if (found) { /* a newer value of an existing group: recreate it */
            rec_delete(op, gi);
            Rd kr2 = {rec + 4, kl, 0, 0};
            rc = decode_key_lookup(op, &kr2, 1, &gi, &found, &rc_->kb);
            if (rc) return werr_msg(err, rc, "bad group key in state record");
            g = rec_at(op, gi);
        }
        Rd sr = {rec + 4 + kl, n - 4 - kl, 0, 0};
        rc = decode_state(op, g, &sr);
        if (rc) {
            rec_delete(op, gi);
            return werr_msg(err, rc, "bad aggregate state in state record");
        }
        return WEIR_OK;
    }
    rc = decode_key_lookup(op, &r, 0, &gi, &found, &rc_->kb);
    if (rc == WEIR_OK && r.off != n) rc = WEIR_CORRUPT;
    if (rc) return werr_msg(err, rc, "bad group key in state remove record");
    if (!found) return werr_msg(err, WEIR_CORRUPT, "state removes a group that does not exist");
    rec_delete(op, gi);
    return WEIR_OK;
}

/* ---- meta ---- */

static int encode_meta(WAggOp *op, int64_t batch) {
    WBuf *b = &op->meta;
    wbuf_reset(b);
    int rc = 0;
    put_u32(b, META_MAGIC, &rc);
    put_u64(b, op->fingerprint, &rc);
    put_u64(b, (uint64_t)batch, &rc);
    put_u64(b, (uint64_t)op->wm.current, &rc);
    put_u64(b, (uint64_t)op->wm.max_seen, &rc);
    put_u64(b, (uint64_t)op->wm.has_max, &rc);
    put_u64(b, (uint64_t)op->total_dropped, &rc);
    put_u64(b, op->seq, &rc);
    put_u64(b, op->next_id, &rc);
    return rc ? WEIR_NOMEM : WEIR_OK;
}

/* ---- open / close ---- */

static uint64_t fp_add(uint64_t h, uint64_t v) { return whash_u64(v, h); }

static int add_col(WType *t, const char *name, WTypeId id) {
    WType ft = {id, 0, NULL};
    return wtype_add_field(t, name, strlen(name), &ft);
}

int wagg_spec_from_plan(const WBoundAgg *a, WOutputMode mode, const char *state_dir, WAggSpec *spec, WErr *err) {
    memset(spec, 0, sizeof *spec);
    spec->input = &a->pre->out_schema;
    spec->ts_col = a->ts_col;
    spec->has_watermark = a->has_watermark;
    spec->delay_us = a->delay_us;
    spec->n_keys = a->n_keys;
    spec->key_cols = a->key_cols;
    spec->n_aggs = a->n_aggs;
    spec->aggs = a->aggs;
    spec->mode = mode;
    spec->state_dir = state_dir;
    if (a->window_kind == 1) return wwindow_time(&spec->window, a->size_us, a->slide_us, a->start_us, err);
    if (a->window_kind == 2) return wwindow_session(&spec->window, a->size_us, err);
    return WEIR_OK;
}

int wagg_open(const WAggSpec *spec, WAggOp **out, WErr *err) {
    *out = NULL;
    const WType *in = spec->input;
    if (!in || in->id != WT_STRUCT) return werr_msg(err, WEIR_MISUSE, "aggregate: the input schema must be a STRUCT");
    if (spec->n_keys < 0 || spec->n_aggs < 0 || spec->n_keys + 2 * spec->n_aggs > 60)
        return werr_msg(err, WEIR_UNSUPPORTED, "aggregate: at most 60 key columns plus 2 x aggregates");
    int windowed = spec->window.kind == WWIN_TIME || spec->window.kind == WWIN_SESSION;
    int session = spec->window.kind == WWIN_SESSION;
    if ((windowed || spec->has_watermark) &&
        (spec->ts_col < 0 || spec->ts_col >= in->n_fields || in->fields[spec->ts_col].type.id != WT_TIMESTAMP))
        return werr_msg(err, WEIR_MISUSE, "aggregate: the window and watermark need a TIMESTAMP event-time column");
    if (spec->has_watermark && spec->delay_us < 0)
        return werr_msg(err, WEIR_MISUSE, "aggregate: the watermark delay must not be negative");
    if (spec->mode == WOUT_APPEND && !(windowed && spec->has_watermark))
        return werr_msg(err, WEIR_MISUSE,
                        "Append output mode not supported when there are streaming aggregations without a "
                        "watermark on the window's event-time column; add WATERMARK ... DELAY OF, or use "
                        "outputMode update or complete");
    if (spec->mode != WOUT_APPEND && spec->mode != WOUT_UPDATE && spec->mode != WOUT_COMPLETE)
        return werr_msg(err, WEIR_MISUSE, "aggregate: unknown output mode");
    WAggOp *op = calloc(1, sizeof *op);
    if (!op) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
    op->spec = *spec;
    op->windowed = windowed;
    op->session = session;
    wbuf_init(&op->pend_rm);
    wwatermark_init(&op->wm, spec->has_watermark ? spec->delay_us : 0);
    op->min_end = INT64_MAX;
    op->out_t.id = WT_STRUCT;
    op->late_t.id = WT_STRUCT;
    wbuf_init(&op->rec);
    wbuf_init(&op->meta);
    int rc = WEIR_OK;
    op->key_cols = calloc((size_t)spec->n_keys + 1, sizeof(int));
    op->keys = calloc((size_t)spec->n_keys + 1, sizeof(KeyDesc));
    op->aggs = calloc((size_t)spec->n_aggs + 1, sizeof(WAggCall));
    op->agg_names = calloc((size_t)spec->n_aggs + 1, sizeof(char *));
    op->slots = calloc((size_t)spec->n_aggs + 1, sizeof(Slot));
    op->wstarts = calloc((size_t)wwindow_max_per_row(&spec->window), sizeof(int64_t));
    if (!op->key_cols || !op->keys || !op->aggs || !op->agg_names || !op->slots || !op->wstarts) {
        rc = werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
        goto fail;
    }
    op->spec.key_cols = op->key_cols;
    op->spec.aggs = op->aggs;
    uint64_t fp = fp_add(0, (uint64_t)spec->window.kind);
    fp = fp_add(fp, (uint64_t)spec->window.size_us);
    fp = fp_add(fp, (uint64_t)spec->window.slide_us);
    fp = fp_add(fp, (uint64_t)spec->window.start_us);
    fp = fp_add(fp, (uint64_t)spec->mode);
    size_t off = session ? SESSION_HDR : 24;
    if (windowed) {
        WType st = {WT_STRUCT, 0, NULL};
        rc = add_col(&st, "start", WT_TIMESTAMP);
        if (!rc) rc = add_col(&st, "end", WT_TIMESTAMP);
        const char *wname = session ? "session_window" : "window"; /* Spark's column names */
        if (!rc) rc = wtype_add_field(&op->out_t, wname, strlen(wname), &st);
        wtype_fini(&st);
        if (rc) {
            rc = werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
            goto fail;
        }
    }
    for (int k = 0; k < spec->n_keys; k++) {
        int c = spec->key_cols[k];
        if (c < 0 || c >= in->n_fields) {
            rc = werr_msg(err, WEIR_MISUSE, "aggregate: key column %d out of range", c);
            goto fail;
        }
        WTypeId t = in->fields[c].type.id;
        if (!is_flat(t)) {
            rc = werr_msg(err, WEIR_UNSUPPORTED, "aggregate: GROUP BY a %s column (%s) is not supported",
                          wtype_name(t), in->fields[c].name);
            goto fail;
        }
        op->key_cols[k] = c;
        op->keys[k].col = c;
        op->keys[k].t = t;
        op->keys[k].off = (int)off;
        off += t == WT_STRING ? 16 : 8;
        fp = fp_add(fp, (uint64_t)t);
        if (wtype_add_field(&op->out_t, in->fields[c].name, strlen(in->fields[c].name), &in->fields[c].type)) {
            rc = werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
            goto fail;
        }
    }
    for (int i = 0; i < spec->n_aggs; i++) {
        const WAggCall *a = &spec->aggs[i];
        Slot *s = &op->slots[i];
        op->aggs[i] = *a;
        const char *nm = a->name ? a->name : "agg";
        op->agg_names[i] = strdup(nm);
        if (!op->agg_names[i]) {
            rc = werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
            goto fail;
        }
        op->aggs[i].name = op->agg_names[i];
        s->fn = a->fn;
        s->col = a->col;
        s->bit = spec->n_keys + 2 * i;
        s->off = (int)off;
        if (a->fn != WAGG_COUNT_STAR && (a->col < 0 || a->col >= in->n_fields)) {
            rc = werr_msg(err, WEIR_MISUSE, "aggregate %s: column %d out of range", nm, a->col);
            goto fail;
        }
        WTypeId t = a->fn == WAGG_COUNT_STAR ? WT_NULL : in->fields[a->col].type.id;
        s->in = t;
        size_t sz = 8;
        switch (a->fn) {
        case WAGG_COUNT_STAR:
        case WAGG_COUNT: s->out = WT_BIGINT; break;
        case WAGG_COUNT_DISTINCT:
        case WAGG_APPROX_COUNT_DISTINCT:
            if (!is_flat(t)) {
                rc = werr_msg(err, WEIR_UNSUPPORTED, "aggregate %s: distinct counting of a %s column", nm, wtype_name(t));
                goto fail;
            }
            s->out = WT_BIGINT;
            if (a->fn == WAGG_APPROX_COUNT_DISTINCT) {
                s->p = whll_precision(a->rsd > 0 ? a->rsd : WHLL_DEFAULT_RSD);
                if (s->p < 0) {
                    rc = werr_msg(err, WEIR_MISUSE,
                                  "approx_count_distinct: relativeSD %g is out of range (HLL++ needs 4 to 18 "
                                  "bits of precision: relativeSD between 0.0011 and 0.39)", a->rsd);
                    goto fail;
                }
            }
            break;
        case WAGG_SUM:
        case WAGG_AVG:
            if (t != WT_INT && t != WT_BIGINT && t != WT_DOUBLE) {
                rc = werr_msg(err, WEIR_MISUSE,
                              "aggregate %s: %s needs a numeric column (INT, BIGINT or DOUBLE), got %s (%s)", nm,
                              a->fn == WAGG_SUM ? "sum" : "avg", wtype_name(t), in->fields[a->col].name);
                goto fail;
            }
            s->out = a->fn == WAGG_AVG || t == WT_DOUBLE ? WT_DOUBLE : WT_BIGINT;
            sz = t == WT_INT ? 8 : t == WT_BIGINT ? 16 : sizeof(WXSum);
            if (a->fn == WAGG_AVG) sz += 8;
            break;
        case WAGG_MIN:
        case WAGG_MAX:
        case WAGG_FIRST:
        case WAGG_LAST:
            if (!is_flat(t)) {
                rc = werr_msg(err, WEIR_UNSUPPORTED, "aggregate %s: %s columns are not supported here", nm,
                              wtype_name(t));
                goto fail;
            }
            s->out = t;
            if (t == WT_STRING) sz = 16;
            break;
        default:
            rc = werr_msg(err, WEIR_MISUSE, "aggregate %s: unknown function", nm);
            goto fail;
        }
        off += sz;
        fp = fp_add(fp, (uint64_t)a->fn * 64 + (uint64_t)t);
        fp = fp_add(fp, (uint64_t)s->p);
        if (add_col(&op->out_t, nm, s->out)) {
            rc = werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
            goto fail;
        }
    }
    op->stride = (off + 7) & ~(size_t)7;
    op->fingerprint = fp;
    if (wtype_copy(&op->late_t, in) || add_col(&op->late_t, "missed_watermark", WT_TIMESTAMP)) {
        rc = werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
        goto fail;
    }
    if (spec->state_dir) {
        rc = wstate_open(spec->state_dir, &spec->state_opts, &op->st, err);
        if (rc) goto fail;
    }
    op->spec.state_dir = NULL; /* not kept: the store has its own copy */
    *out = op;
    return WEIR_OK;
fail:
    wagg_close(op);
    return rc;
}

static void clear_groups(WAggOp *op) {
    for (uint32_t i = 0; i < op->n; i++) rec_free_owned(op, rec_at(op, i));
    op->n = 0;
    if (op->index) memset(op->index, 0, op->nindex * sizeof *op->index);
    op->n_dirty = 0;
    op->min_end = INT64_MAX;
}

void wagg_close(WAggOp *op) {
    if (!op) return;
    clear_groups(op);
    free(op->recs);
    free(op->index);
    free(op->dirty);
    free(op->list);
    free(op->tmp);
    free(op->wstarts);
    free(op->cand);
    free(op->pr);
    free(op->pn);
    free(op->pg);
    wbuf_fini(&op->pend_rm);
    for (int i = 0; op->agg_names && i < op->spec.n_aggs; i++) free(op->agg_names[i]);
    free(op->agg_names);
    free(op->aggs);
    free(op->key_cols);
    free(op->keys);
    free(op->slots);
    wtype_fini(&op->out_t);
    wtype_fini(&op->late_t);
    wbuf_fini(&op->rec);
    wbuf_fini(&op->meta);
    wstate_close(op->st);
    free(op);
}

const WType *wagg_output_schema(const WAggOp *op) { return &op->out_t; }
const WType *wagg_late_schema(const WAggOp *op) { return &op->late_t; }
int64_t wagg_watermark(const WAggOp *op) { return op->wm.current; }
int64_t wagg_groups(const WAggOp *op) { return op->n; }
const WAggStats *wagg_stats(const WAggOp *op) { return &op->stats; }

int wagg_needs_nodata_batch(const WAggOp *op) {
    if (!op->spec.has_watermark || op->spec.mode == WOUT_COMPLETE || op->n == 0) return 0;
    return op->min_end <= op->wm.current;
}

int wagg_restore(WAggOp *op, int64_t batch_id, WErr *err) {
    clear_groups(op);
    wwatermark_init(&op->wm, op->wm.delay_us);
    op->seq = 0;
    op->next_id = 0;
    op->total_dropped = 0;
    op->next_batch = batch_id + 1;
    if (!op->st) {
        if (batch_id >= 0)
            return werr_msg(err, WEIR_MISUSE, "aggregate: restore of batch %" PRId64 " without a state folder", batch_id);
        return WEIR_OK;
    }
    RestoreCtx ctx;
    ctx.op = op;
    WType kt;
    if (wtype_copy(&kt, op->spec.input)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
    if (wbatch_init(&ctx.kb, &kt)) {
        wtype_fini(&kt);
        return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
    }
    int rc = wstate_restore(op->st, batch_id, &op->meta, restore_visit, &ctx, err);
    wbatch_fini(&ctx.kb);
    wtype_fini(&kt);
    if (rc) {
        clear_groups(op);
        return rc;
    }
    if (batch_id >= 0) {
        Rd r = {(const uint8_t *)op->meta.data, op->meta.len, 0, 0};
        uint32_t magic = rd_u32(&r);
        uint64_t fp = rd_u64(&r);
        int64_t b = (int64_t)rd_u64(&r);
        int64_t wm = (int64_t)rd_u64(&r), mx = (int64_t)rd_u64(&r);
        uint64_t hm = rd_u64(&r);
        int64_t td = (int64_t)rd_u64(&r);
        uint64_t seq = rd_u64(&r), nid = rd_u64(&r);
        if (r.bad || r.off != r.n || magic != META_MAGIC || b != batch_id || hm > 1 || td < 0) {
            clear_groups(op);
            return werr_set(err, WEIR_CORRUPT, wstate_dir(op->st), -1, -1, -1,
                            "state of batch %" PRId64 ": operator metadata is damaged", batch_id);
        }
        if (fp != op->fingerprint) {
            clear_groups(op);
            return werr_set(err, WEIR_MISUSE, wstate_dir(op->st), -1, -1, -1,
                            "the state in this checkpoint was written by a different aggregation (window, "
                            "keys, aggregates or output mode changed); use a new checkpoint location");
        }
        op->wm.current = wm;
        op->wm.max_seen = mx;
        op->wm.has_max = (int)hm;
        op->total_dropped = td;
        op->seq = seq;
        op->next_id = nid;
    }
    for (uint32_t i = 0; i < op->n; i++) {
        int64_t e = rec_end(op, rec_at(op, i));
        if (e < op->min_end) op->min_end = e;
    }
    return WEIR_OK;
}

int wagg_load_image(WAggOp *op, const uint8_t *data, size_t n, WErr *err) {
    RestoreCtx ctx;
    ctx.op = op;
    WType kt;
    if (wtype_copy(&kt, op->spec.input)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
    if (wbatch_init(&ctx.kb, &kt)) {
        wtype_fini(&kt);
        return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
    }
    int rc = wstate_parse(data, n, "<state image>", -1, -1, &op->meta, restore_visit, &ctx, err);
    wbatch_fini(&ctx.kb);
    wtype_fini(&kt);
    if (rc) clear_groups(op);
    for (uint32_t i = 0; i < op->n; i++) {
        int64_t e = rec_end(op, rec_at(op, i));
        if (e < op->min_end) op->min_end = e;
    }
    return rc;
}

/* ---- one batch ---- */

static int copy_value(WVec *dst, const WVec *src, int64_t r) {
    if (wvec_is_null(src, r)) return wvec_append_null(dst);
    switch (src->type->id) {
    case WT_BOOLEAN: return wvec_append_bool(dst, wvec_bool(src, r));
    case WT_INT:
    case WT_DATE: return wvec_append_i32(dst, wvec_i32(src, r));
    case WT_DOUBLE: return wvec_append_f64(dst, wvec_f64(src, r));
    case WT_STRING: {
        size_t n;
        const char *s = wvec_str(src, r, &n);
        return wvec_append_str(dst, s, n);
    }
    case WT_STRUCT: {
        int rc = wvec_append_struct(dst);
        for (int i = 0; !rc && i < src->n_children; i++) rc = copy_value(&dst->children[i], &src->children[i], r);
        return rc;
    }
    default: return wvec_append_i64(dst, wvec_i64(src, r));
    }
}

static int mark_dirty(WAggOp *op, uint32_t gi) {
    uint8_t *rec = rec_at(op, gi);
    if (bit_get(rec, DIRTY_BIT)) return WEIR_OK;
    if (op->n_dirty == op->cap_dirty) {
        uint32_t nc = op->cap_dirty ? op->cap_dirty * 2 : 64;
        uint32_t *d = realloc(op->dirty, nc * sizeof *d);
        if (!d) return WEIR_NOMEM;
        op->dirty = d;
        op->cap_dirty = nc;
    }
    op->dirty[op->n_dirty++] = gi;
    bit_set(rec, DIRTY_BIT, 1);
    return WEIR_OK;
}

/* Row r of `in` into the late rows, with the watermark it missed. */
static int emit_late(const WBatch *in, int64_t r, WBatch *late, int64_t wm, WErr *err) {
    int rc = wbatch_begin_row(late);
    for (int c = 0; !rc && c < in->root.n_children; c++)
        rc = copy_value(wbatch_col(late, c), &in->root.children[c], r);
    if (!rc) rc = wvec_append_i64(wbatch_col(late, in->root.n_children), wm);
    if (rc) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
    return WEIR_OK;
}

/* A batch in three steps, so the driver can feed it in chunks of rows (memory stays bounded by the chunk,
 * not the batch): begin fixes the watermark in force, add absorbs rows (late ones set aside), finish emits,
 * expires, advances the watermark and writes the state. */
static void begin_batch(WAggOp *op, int flush) {
    WAggStats *st = &op->stats;
    op->batch_wm = flush ? INT64_MAX : op->wm.current;
    op->written0 = op->st ? wstate_bytes_written(op->st) : 0;
    memset(st, 0, sizeof *st);
    st->watermark = op->wm.current;
    op->n_dirty = 0;
    op->n_dead = 0;
    op->in_batch = 1;
    wbuf_reset(&op->pend_rm);
}

static int add_rows(WAggOp *op, const WBatch *in, WBatch *late, WErr *err) {
    WAggStats *st = &op->stats;
    int64_t wm = op->batch_wm;
    int late_active = op->spec.has_watermark && op->spec.mode != WOUT_COMPLETE && wm != INT64_MIN;
    int rc = WEIR_OK;
    int64_t rows = in ? wbatch_rows(in) : 0;
    const WVec *tsv = op->spec.ts_col >= 0 && in ? &in->root.children[op->spec.ts_col] : NULL;
    int tumbling = op->windowed && op->spec.window.slide_us == op->spec.window.size_us;
    /* tumbling windows without keys: a row's window holds the following rows whose times fall in it, and
     * they go to the same group as one run (the data comes mostly in time order) */
    int runs = tumbling && !op->session && op->spec.n_keys == 0 && tsv && tsv->null_count == 0;
    uint32_t np = 0; /* runs of the batch */
    if (!op->session && rows > 0) {
        uint64_t need = (uint64_t)rows * (uint64_t)wwindow_max_per_row(&op->spec.window);
        if (need > UINT32_MAX) return werr_msg(err, WEIR_UNSUPPORTED, "aggregate: batch too large (%" PRId64 " rows)", rows);
        if (need > op->cap_pairs) {
            uint32_t *a = realloc(op->pr, need * sizeof *a);
            if (a) op->pr = a;
            uint32_t *b = a ? realloc(op->pg, need * sizeof *b) : NULL;
            if (b) op->pg = b;
            uint32_t *c = b ? realloc(op->pn, need * sizeof *c) : NULL;
            if (c) op->pn = c;
            if (!a || !b || !c) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
            op->cap_pairs = (uint32_t)need;
        }
    }
    int cached = 0;
    int have_win = 0;
    int64_t c_win = 0; /* tumbling: start of the last window computed (when have_win) */
    int64_t c_ws = 0;
    uint64_t c_kh = 0;
    uint32_t c_gi = 0;
    for (int64_t r = 0; r < rows; r++) {
        int nw;
        int64_t ts = 0;
        int ts_null = !tsv || (tsv->null_count && wvec_is_null(tsv, r));
        if (!ts_null) ts = wvec_i64(tsv, r);
        if (op->session) {
            int64_t end;
            if (ts_null || __builtin_add_overflow(ts, op->spec.window.size_us, &end)) {
                st->num_rows_null_time++;
                continue;
            }
            if (op->spec.has_watermark) wwatermark_observe(&op->wm, ts);
            if (late_active && end <= wm) { /* its own session [ts, ts + gap) has already closed */
                st->num_rows_dropped_by_watermark++;
                st->num_late_rows++;
                if (late && (rc = emit_late(in, r, late, wm, err))) return rc;
                continue;
            }
            uint32_t gi = 0;
            if ((rc = session_place(op, in, r, ts, end, &gi, err))) return rc;
            if ((rc = update_aggs(op, rec_at(op, gi), in, r, err))) return rc;
            op->seq++;
            continue;
        }
        if (op->windowed) {
            if (ts_null) {
                st->num_rows_null_time++;
                continue;
            }
            int64_t rel;
            if (tumbling && have_win && ts >= c_win && (uint64_t)ts - (uint64_t)c_win < (uint64_t)op->spec.window.size_us) {
                op->wstarts[0] = c_win; /* the previous row's window (rows come mostly in time order) */
                nw = 1;
            } else if (tumbling && !__builtin_sub_overflow(ts, op->spec.window.start_us, &rel) &&
                rel < INT64_MAX - op->spec.window.size_us && rel > INT64_MIN + op->spec.window.size_us) {
                /* one window per row: floor(rel / size) * size + startTime, without 128-bit division */
                int64_t q = rel / op->spec.window.size_us, m = rel % op->spec.window.size_us;
                if (m < 0) q--;
                op->wstarts[0] = q * op->spec.window.size_us + op->spec.window.start_us;
                nw = op->wstarts[0] <= INT64_MAX - op->spec.window.size_us;
                if (nw) c_win = op->wstarts[0], have_win = 1;
            } else nw = wwindow_assign(&op->spec.window, ts, op->wstarts);
            if (nw == 0) {
                st->num_rows_null_time++;
                continue;
            }
        } else {
            nw = 1;
            op->wstarts[0] = 0;
        }
        if (!ts_null && op->spec.has_watermark) wwatermark_observe(&op->wm, ts);
        uint64_t kh = op->spec.n_keys ? row_key_hash(op, in, r) : 0x243f6a8885a308d3ULL; /* no keys: the empty hash */
        int late_any = 0;
        for (int w = 0; w < nw; w++) {
            int64_t s = op->wstarts[w];
            if (late_active && win_end(op, s) <= wm) {
                st->num_rows_dropped_by_watermark++;
                late_any = 1;
                continue;
            }
            uint32_t gi = 0;
            /* consecutive rows mostly hit the same group: skip the hash probe then (records do not
             * move during the row loop; evictions come after it) */
            if (cached && s == c_ws && kh == c_kh &&
                (op->spec.n_keys == 0 || row_matches(op, rec_at(op, c_gi), in, r)))
                gi = c_gi;
            else {
                if (find_or_insert(op, in, r, kh, s, &gi) || mark_dirty(op, gi))
                    return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
                cached = 1;
                c_ws = s;
                c_kh = kh;
                c_gi = gi;
            }
            if (np && op->pg[np - 1] == gi && op->pr[np - 1] + op->pn[np - 1] == (uint32_t)r) {
                op->pn[np - 1]++; /* the run goes on */
            } else {
                op->pr[np] = (uint32_t)r; /* aggregated below, slot by slot */
                op->pn[np] = 1;
                op->pg[np++] = gi;
            }
        }
        if (late_any) {
            st->num_late_rows++;
            if (late && (rc = emit_late(in, r, late, wm, err))) return rc;
        }
        if (runs && nw == 1 && r + 1 < rows) {
            /* the next rows in the same window: only their times are looked at */
            const int64_t *tx = (const int64_t *)tsv->values;
            int64_t s0 = op->wstarts[0], e = r + 1, mx = ts;
            uint64_t size = (uint64_t)op->spec.window.size_us;
            for (; e < rows && tx[e] >= s0 && (uint64_t)tx[e] - (uint64_t)s0 < size; e++)
                if (tx[e] > mx) mx = tx[e];
            if (e == r + 1) continue;
            if (op->spec.has_watermark) wwatermark_observe(&op->wm, mx);
            if (late_any) {
                st->num_rows_dropped_by_watermark += e - r - 1;
                st->num_late_rows += e - r - 1;
                for (int64_t k = r + 1; late && k < e; k++)
                    if ((rc = emit_late(in, k, late, wm, err))) return rc;
            } else {
                op->pn[np - 1] += (uint32_t)(e - r - 1);
            }
            r = e - 1;
        }
    }
    for (int i = 0; np && i < op->spec.n_aggs; i++)
        if ((rc = update_slot_runs(op, &op->slots[i], in, op->pr, op->pn, op->pg, np, err))) return rc;
    return WEIR_OK;
}

static int finish_batch(WAggOp *op, int64_t batch, int flush, WBatch *out, WErr *err) {
    WAggStats *st = &op->stats;
    int64_t wm = op->batch_wm;
    int rc = WEIR_OK;
    uint64_t written0 = op->written0;
    op->in_batch = 0;
    if (op->session && session_sweep(op)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
    op->total_dropped += st->num_rows_dropped_by_watermark;
    st->num_rows_updated = op->n_dirty;

    /* which groups expire in this batch */
    int64_t evict_wm = op->spec.has_watermark && op->spec.mode != WOUT_COMPLETE ? wm : INT64_MIN;
    if (flush && op->spec.mode != WOUT_COMPLETE) evict_wm = INT64_MAX;
    int scan = evict_wm != INT64_MIN && op->n > 0 && op->min_end <= evict_wm;
    uint32_t nl = 0;
    if (list_reserve(op, op->n + 1)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
    if (op->spec.mode == WOUT_APPEND) {
        if (scan)
            for (uint32_t i = 0; i < op->n; i++)
                if (rec_end(op, rec_at(op, i)) <= evict_wm) op->list[nl++] = i;
    } else if (op->spec.mode == WOUT_UPDATE) {
        if (op->n_dirty) memcpy(op->list, op->dirty, op->n_dirty * sizeof *op->list);
        nl = op->n_dirty;
    } else {
        for (uint32_t i = 0; i < op->n; i++) op->list[nl++] = i;
    }
    merge_sort(op, op->list, op->tmp, nl);
    for (uint32_t i = 0; i < nl; i++) {
        rc = write_group(op, rec_at(op, op->list[i]), out, err);
        if (rc) return rc;
    }

    /* the next batch's watermark */
    if (op->spec.has_watermark) wwatermark_advance(&op->wm);
    if (flush) wwatermark_finish(&op->wm);

    /* state delta: changed groups that survive, then the groups that expire */
    int64_t t0 = wtime_mono_us();
    if (op->st) {
        wstate_begin(op->st, batch);
        /* sessions merged away first, then the changed groups (a survivor keeps its id) */
        for (size_t at = 0; at + 4 <= op->pend_rm.len;) {
            uint32_t kl;
            memcpy(&kl, op->pend_rm.data + at, 4);
            if (wstate_remove(op->st, op->pend_rm.data + at + 4, kl))
                return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
            at += 4 + kl;
        }
        for (uint32_t i = 0; i < op->n_dirty; i++) {
            uint8_t *rec = rec_at(op, op->dirty[i]);
            if (scan && rec_end(op, rec) <= evict_wm) continue;
            if (encode_group(op, rec, &op->rec) || wstate_put(op->st, op->rec.data, op->rec.len))
                return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
            bit_set(rec, PERSIST_BIT, 1);
        }
    }
    for (uint32_t i = 0; i < op->n_dirty; i++) bit_set(rec_at(op, op->dirty[i]), DIRTY_BIT, 0);
    op->n_dirty = 0;
    if (scan) {
        int64_t min_end = INT64_MAX;
        for (uint32_t i = op->n; i-- > 0;) {
            uint8_t *rec = rec_at(op, i);
            int64_t e = rec_end(op, rec);
            if (e <= evict_wm) {
                if (op->st) {
                    wbuf_reset(&op->rec);
                    if (encode_key(op, rec, &op->rec) || wstate_remove(op->st, op->rec.data, op->rec.len))
                        return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
                }
                rec_delete(op, i);
                st->num_rows_removed++;
            } else if (e < min_end) min_end = e;
        }
        op->min_end = min_end;
    }
    if (op->st) {
        if (encode_meta(op, batch)) return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
        rc = wstate_commit(op->st, op->meta.data, op->meta.len, err);
        if (rc) return rc;
        if (wstate_snapshot_due(op->st, batch)) {
            wstate_begin_snapshot(op->st, batch);
            for (uint32_t i = 0; i < op->n; i++) {
                if (encode_group(op, rec_at(op, i), &op->rec) || wstate_put(op->st, op->rec.data, op->rec.len))
                    return werr_msg(err, WEIR_NOMEM, "aggregate: out of memory");
            }
            rc = wstate_commit_snapshot(op->st, op->meta.data, op->meta.len, err);
            if (rc) return rc;
        }
    }
    st->state_write_us = wtime_mono_us() - t0;
    st->state_bytes_written = op->st ? (int64_t)(wstate_bytes_written(op->st) - written0) : 0;
    st->num_rows_total = op->n;
    st->total_dropped_by_watermark = op->total_dropped;
    st->memory_used_bytes = (int64_t)sizeof *op + (int64_t)op->cap * (int64_t)op->stride +
                            (int64_t)op->nindex * 4 + (int64_t)(op->cap_dirty + 2 * op->cap_list) * 4 + op->heap +
                            (int64_t)op->cap_pairs * 12;
    op->next_batch = batch + 1;
    return WEIR_OK;
}

static int check_batch(WAggOp *op, int64_t batch_id, WErr *err) {
    if (batch_id != op->next_batch)
        return werr_msg(err, WEIR_MISUSE, "aggregate: batch %" PRId64 " given, batch %" PRId64 " expected", batch_id,
                        op->next_batch);
    return WEIR_OK;
}

int wagg_process_batch(WAggOp *op, const WBatch *in, int64_t batch_id, WBatch *out, WBatch *late, WErr *err) {
    int rc = check_batch(op, batch_id, err);
    if (rc) return rc;
    if (in && !wtype_equal(in->schema, op->spec.input))
        return werr_msg(err, WEIR_MISUSE, "aggregate: the batch's schema differs from the operator's input schema");
    wbatch_reset(out);
    if (late) wbatch_reset(late);
    begin_batch(op, 0);
    if (in && (rc = add_rows(op, in, late, err))) return rc;
    return finish_batch(op, batch_id, 0, out, err);
}

int wagg_batch_begin(WAggOp *op, int64_t batch_id, WErr *err) {
    int rc = check_batch(op, batch_id, err);
    if (rc) return rc;
    begin_batch(op, 0);
    return WEIR_OK;
}

int wagg_batch_add(WAggOp *op, const WBatch *in, WBatch *late, WErr *err) {
    if (!op->in_batch) return werr_msg(err, WEIR_MISUSE, "aggregate: rows given outside a batch");
    if (!wtype_equal(in->schema, op->spec.input))
        return werr_msg(err, WEIR_MISUSE, "aggregate: the batch's schema differs from the operator's input schema");
    if (late) wbatch_reset(late);
    return add_rows(op, in, late, err);
}

int wagg_batch_finish(WAggOp *op, int64_t batch_id, WBatch *out, WErr *err) {
    if (!op->in_batch || batch_id != op->next_batch)
        return werr_msg(err, WEIR_MISUSE, "aggregate: batch %" PRId64 " finished but not begun", batch_id);
    wbatch_reset(out);
    return finish_batch(op, batch_id, 0, out, err);
}

int wagg_flush_all(WAggOp *op, int64_t batch_id, WBatch *out, WErr *err) {
    int rc = check_batch(op, batch_id, err);
    if (rc) return rc;
    wbatch_reset(out);
    begin_batch(op, 1);
    return finish_batch(op, batch_id, 1, out, err);
}
