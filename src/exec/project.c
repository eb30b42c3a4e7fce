/*
 * project.c - WHERE and the select list over a batch (see project.h).
 *
 * Every expression is evaluated over the whole batch first (vectorized, exec/expr.h); then the rows that
 * pass the filter are copied into the output batch, one column at a time.
 */
#include "exec/project.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec/expr.h"

struct WProject {
    const WBoundSelect *sel;
    WExprCtx *ctx;
    int64_t *rows;   /* selected row numbers */
    int64_t cap;
    int computes;    /* the select list has more than plain column references */
    WBatch kept;     /* the rows WHERE kept, gathered when computing on them beats computing on all rows */
    int kept_init;
    uint8_t *used;   /* per input column: read by the select list (only those are gathered) */
};

static void mark_used(const WBound *e, uint8_t *used) {
    if (e->fn == WF_COL && e->n_path > 0) used[e->path[0]] = 1;
    for (int i = 0; i < e->n_kids; i++) mark_used(e->kids[i], used);
}

int wproject_open(const WBoundSelect *sel, const char *time_zone, WProject **out, WErr *err) {
    *out = NULL;
    WProject *p = calloc(1, sizeof *p);
    if (!p) return werr_msg(err, WEIR_NOMEM, "out of memory");
    p->sel = sel;
    p->used = calloc((size_t)(sel->input->n_fields ? sel->input->n_fields : 1), 1);
    if (!p->used) {
        free(p);
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    for (int c = 0; c < sel->out_schema.n_fields; c++) {
        p->computes |= sel->cols[c]->fn != WF_COL;
        mark_used(sel->cols[c], p->used);
    }
    int rc = wexpr_open(sel, time_zone, &p->ctx, err);
    if (rc) {
        free(p->used);
        free(p);
        return rc;
    }
    *out = p;
    return WEIR_OK;
}

void wproject_close(WProject *p) {
    if (!p) return;
    wexpr_close(p->ctx);
    if (p->kept_init) wbatch_fini(&p->kept);
    free(p->used);
    free(p->rows);
    free(p);
}

/* Appends the validity of the n chosen rows of src (rows[], or the first n when all) to dst, whose room is
 * reserved and whose bits past its length are clear; counts the NULLs. All rows go 64 bits at a time,
 * shifted to dst's bit position, each word OR-ed into the dst bytes that hold its bits. */
static void copy_validity(WVec *dst, const WVec *src, const int64_t *rows, int64_t n, int all) {
    int64_t at = dst->len, nulls = 0, j = 0;
    if (all) {
        unsigned sh = (unsigned)(at & 7);
        for (; j + 64 <= n; j += 64, at += 64) {
            uint64_t w;
            memcpy(&w, src->validity + (j >> 3), 8);
            nulls += 64 - __builtin_popcountll(w);
            uint8_t *d = dst->validity + (at >> 3);
            uint64_t lo;
            memcpy(&lo, d, 8);
            lo |= w << sh;
            memcpy(d, &lo, 8);
            if (sh) d[8] |= (uint8_t)(w >> (64 - sh));
        }
    }
    for (; j < n; j++, at++) {
        if (wvec_is_null(src, all ? j : rows[j])) nulls++;
        else dst->validity[at >> 3] |= (uint8_t)(1u << (at & 7));
    }
    dst->len += n;
    dst->null_count += nulls;
}

/* Fixed-width columns: values copied by width, validity by copy_validity (the output may already hold rows,
 * so its bitmap is not byte-aligned with the input's). Other types go value by value. */
static int copy_rows(WVec *dst, const WVec *src, const int64_t *rows, int64_t n, int all) {
    if (wvec_reserve(dst, n)) return WEIR_NOMEM;
    size_t w = wtype_width(dst->type->id);
    if (w && dst->type->id == src->type->id) {
        char *dv = (char *)dst->values + (size_t)dst->len * w;
        const char *sv = src->values;
        if (all) memcpy(dv, sv, (size_t)n * w);
        else if (w == 8)
            for (int64_t j = 0; j < n; j++) memcpy(dv + j * 8, sv + rows[j] * 8, 8);
        else
            for (int64_t j = 0; j < n; j++) memcpy(dv + j * 4, sv + rows[j] * 4, 4);
        copy_validity(dst, src, rows, n, all);
        return WEIR_OK;
    }
    if (dst->type->id == WT_STRUCT && src->type->id == WT_STRUCT && dst->n_children == src->n_children) {
        /* children stay aligned with their struct: copy the same rows of each, then the struct's own bits */
        for (int k = 0; k < dst->n_children; k++)
            if (copy_rows(&dst->children[k], &src->children[k], rows, n, all)) return WEIR_NOMEM;
        copy_validity(dst, src, rows, n, all);
        return WEIR_OK;
    }
    for (int64_t j = 0; j < n; j++)
        if (wexpr_copy_value(dst, src, all ? j : rows[j])) return WEIR_NOMEM;
    return WEIR_OK;
}

/* The kept rows of `in` as a batch of their own (all rows valid); only the columns the select list reads
 * are filled, the others stay empty and are never looked at. */
static int gather(WProject *p, const WBatch *in, int64_t kept) {
    if (!p->kept_init) {
        if (wbatch_init(&p->kept, in->schema)) return WEIR_NOMEM;
        p->kept_init = 1;
    }
    wbatch_reset(&p->kept);
    for (int c = 0; c < in->root.n_children; c++)
        if (p->used[c] && copy_rows(wbatch_col(&p->kept, c), &in->root.children[c], p->rows, kept, 0))
            return WEIR_NOMEM;
    if (wvec_reserve(&p->kept.root, kept)) return WEIR_NOMEM;
    for (int64_t j = 0; j < kept; j++) p->kept.root.validity[j >> 3] |= (uint8_t)(1u << (j & 7));
    p->kept.root.len = kept;
    return WEIR_OK;
}

int wproject_run_at(WProject *p, const WBatch *in, WBatch *out, int64_t now_us, WErr *err) {
    const WBoundSelect *s = p->sel;
    int64_t n = wbatch_rows(in);
    if (out->root.n_children != s->out_schema.n_fields)
        return werr_msg(err, WEIR_MISUSE, "project: the output batch has %d columns, the query gives %d",
                        out->root.n_children, s->out_schema.n_fields);
    wexpr_begin(p->ctx, in, now_us);
    int64_t kept = n;
    int all = 1;
    int rc;
    if (s->where) {
        const WVec *w;
        if ((rc = wexpr_eval(p->ctx, s->where, &w, err))) return rc;
        if (p->cap < n) {
            int64_t *r = realloc(p->rows, sizeof *r * (size_t)(n ? n : 1));
            if (!r) return werr_msg(err, WEIR_NOMEM, "out of memory");
            p->rows = r;
            p->cap = n;
        }
        kept = 0;
        for (int64_t i = 0; i < n; i++)
            if (w->type->id == WT_BOOLEAN && !wvec_is_null(w, i) && wvec_bool(w, i)) p->rows[kept++] = i;
        all = kept == n;
        if (all)
            for (int64_t i = 0; i < n; i++) p->rows[i] = i;
    }
    if (!kept) return WEIR_OK;
    /* computed columns over a small part of the batch: compute them on the kept rows only */
    if (!all && p->computes && kept * 4 <= n * 3 && in->schema) {
        if ((rc = gather(p, in, kept))) return werr_msg(err, rc, "out of memory");
        wexpr_begin(p->ctx, &p->kept, now_us);
        in = &p->kept;
        all = 1;
    }
    int64_t base = wbatch_rows(out);
    for (int c = 0; c < s->out_schema.n_fields; c++) {
        const WVec *v;
        if ((rc = wexpr_eval(p->ctx, s->cols[c], &v, err))) goto fail;
        if ((rc = copy_rows(wbatch_col(out, c), v, p->rows, kept, all))) goto fail;
    }
    /* the root struct: every appended row is a valid (non-NULL) row */
    if (wvec_reserve(&out->root, kept)) {
        rc = WEIR_NOMEM;
        goto fail;
    }
    for (int64_t j = 0; j < kept; j++) {
        int64_t at = out->root.len;
        out->root.validity[at >> 3] |= (uint8_t)(1u << (at & 7));
        out->root.len++;
    }
    return WEIR_OK;
fail:
    wbatch_truncate(out, base); /* also cuts every column back to base rows */
    if (rc == WEIR_NOMEM) werr_msg(err, WEIR_NOMEM, "out of memory");
    return rc;
}

int wproject_run(WProject *p, const WBatch *in, WBatch *out, WErr *err) {
    return wproject_run_at(p, in, out, wtime_now_us(), err);
}

int wproject_event_time(WProject *p, const WBatch *in, WEventTimeStats *out, WErr *err) {
    memset(out, 0, sizeof *out);
    const WBound *wm = p->sel->watermark;
    if (!wm) return WEIR_OK;
    out->has_watermark = 1;
    wexpr_begin(p->ctx, in, 0);
    const WVec *v;
    int rc = wexpr_eval(p->ctx, wm, &v, err);
    if (rc) return rc;
    double sum = 0;
    for (int64_t i = 0; i < wbatch_rows(in); i++) {
        if (wvec_is_null(v, i)) continue;
        int64_t t = wvec_i64(v, i);
        if (!out->rows || t < out->min_us) out->min_us = t;
        if (!out->rows || t > out->max_us) out->max_us = t;
        sum += (double)t;
        out->rows++;
    }
    if (out->rows) out->avg_us = sum / (double)out->rows;
    return WEIR_OK;
}
