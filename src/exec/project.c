/*
 * project.c - WHERE and the select list over a batch (see project.h).
 *
 * Every expression is evaluated over the whole batch first (vectorized, exec/expr.h); then the rows that
 * pass the filter are copied into the output batch, one column at a time.
 */
#include "exec/project.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec/expr.h"

struct WProject {
    const WBoundSelect *sel;
    WExprCtx *ctx;
    int64_t *rows;   /* selected row numbers */
    int64_t cap;
};

int wproject_open(const WBoundSelect *sel, const char *time_zone, WProject **out, WErr *err) {
    *out = NULL;
    WProject *p = calloc(1, sizeof *p);
    if (!p) return werr_msg(err, WEIR_NOMEM, "out of memory");
    p->sel = sel;
    int rc = wexpr_open(sel, time_zone, &p->ctx, err);
    if (rc) {
        free(p);
        return rc;
    }
    *out = p;
    return WEIR_OK;
}

void wproject_close(WProject *p) {
    if (!p) return;
    wexpr_close(p->ctx);
    free(p->rows);
    free(p);
}

static int copy_rows(WVec *dst, const WVec *src, const int64_t *rows, int64_t n, int all) {
    if (wvec_reserve(dst, n)) return WEIR_NOMEM;
    for (int64_t j = 0; j < n; j++)
        if (wexpr_copy_value(dst, src, all ? j : rows[j])) return WEIR_NOMEM;
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
    wbatch_truncate(out, base);
    for (int c = 0; c < out->root.n_children; c++) wvec_truncate(wbatch_col(out, c), base);
    if (rc == WEIR_NOMEM) werr_msg(err, WEIR_NOMEM, "out of memory");
    return rc;
}

int wproject_run(WProject *p, const WBatch *in, WBatch *out, WErr *err) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    return wproject_run_at(p, in, out, now, err);
}
