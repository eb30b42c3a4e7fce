/*
 * resolve_agg.c - binds an aggregation query (resolve.h, WBoundAgg): finds its aggregate calls and GROUP BY
 * expressions, describes the aggregation operator (window, keys, calls as columns of its input), and
 * builds two SELECTs that wsql_resolve binds like any other: `pre` over the source (WHERE, the source's
 * columns, the computed inputs) and `post` over the operator's output (HAVING, the select list).
 *
 * post is the select list rewritten: each aggregate call becomes the operator's column for it, and each
 * sub-expression equal to a GROUP BY expression becomes the key column (or `window`), so that
 * `sum(clicks) * 2`, `upper(k)` with GROUP BY k, and `window.start` all bind against the operator's output.
 * Unaliased items keep Spark's default names (`sum(clicks)`, `k`, `start`). The rewritten tree lives in
 * the WBoundAgg's arena.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "sql/lex.h"
#include "sql/parse.h"
#include "sql/resolve.h"

static const struct {
    const char *name;
    WAggFn fn;
} AGG_NAMES[] = {
    {"count", WAGG_COUNT}, {"sum", WAGG_SUM}, {"avg", WAGG_AVG}, {"mean", WAGG_AVG}, {"min", WAGG_MIN},
    {"max", WAGG_MAX}, {"first", WAGG_FIRST}, {"first_value", WAGG_FIRST}, {"last", WAGG_LAST},
    {"last_value", WAGG_LAST}, {"approx_count_distinct", WAGG_APPROX_COUNT_DISTINCT}, {NULL, WAGG_COUNT}};

int wsql_agg_known(const char *name) {
    for (int i = 0; AGG_NAMES[i].name; i++)
        if (!strcasecmp(name, AGG_NAMES[i].name)) return 1;
    return 0;
}

int wsql_agg_fn(const char *name, int star, int distinct) {
    for (int i = 0; AGG_NAMES[i].name; i++) {
        if (strcasecmp(name, AGG_NAMES[i].name)) continue;
        WAggFn f = AGG_NAMES[i].fn;
        if (f == WAGG_COUNT && star) return WAGG_COUNT_STAR;
        if (f == WAGG_COUNT && distinct) return WAGG_COUNT_DISTINCT;
        if (distinct && f != WAGG_MIN && f != WAGG_MAX && f != WAGG_APPROX_COUNT_DISTINCT) return -1;
        return (int)f;
    }
    return -1;
}

static int is_agg_call(const WExpr *e) { return e->kind == WX_FUNC && wsql_agg_known(e->str); }

static int has_agg(const WExpr *e) {
    if (!e) return 0;
    if (is_agg_call(e)) return 1;
    for (int i = 0; i < e->n_kids; i++)
        if (has_agg(e->kids[i])) return 1;
    return 0;
}

int wsql_select_aggregates(const WSqlSelect *sel) {
    if (sel->n_group_by || sel->having) return 1;
    for (int i = 0; i < sel->n_items; i++)
        if (has_agg(sel->items[i].expr)) return 1;
    return 0;
}

typedef struct A {
    WBoundAgg *ag;
    const WSqlSelect *sel;
    const WType *input;
    WErr *err;
    const WExpr **ins;         /* the operator's inputs, distinct: window time, keys, aggregate arguments */
    int n_ins, cap_ins;
    const WExpr **calls;       /* the aggregate calls, distinct */
    int n_calls, cap_calls;
    const WExpr *win;          /* the window() / session_window() of GROUP BY */
    const char *win_name;      /* "window" / "session_window" */
    const WExpr **keys;        /* the other GROUP BY expressions */
    int n_keys;
    char **key_names;          /* their columns in the operator's output */
} A;

static int aerr(A *x, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int aerr(A *x, size_t off, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return wsql_error_at(x->err, x->sel->src, x->sel->src_len, off, "%s", msg);
}

static int nomem(A *x) { return werr_msg(x->err, WEIR_NOMEM, "out of memory"); }

/* Names from the first that is not the table (or its alias) qualifying a column. */
static int name_start(const A *x, const WExpr *e) {
    const char *t = x->sel->from_alias ? x->sel->from_alias : x->sel->from;
    return e->n_names >= 2 && t && !strcasecmp(e->names[0], t) &&
                   wtype_field_index_ci(x->input, e->names[1], strlen(e->names[1])) >= 0
               ? 1
               : 0;
}

/* Structural equality, as Spark's semantic equality for the cases that matter: names case-insensitive
 * and without the table qualifier, literals by value. */
static int expr_equal(const A *x, const WExpr *a, const WExpr *b) {
    if (a->kind != b->kind || a->op != b->op || a->n_kids != b->n_kids || a->negated != b->negated ||
        a->distinct != b->distinct || a->star != b->star || a->has_operand != b->has_operand ||
        a->has_else != b->has_else || a->big != b->big)
        return 0;
    switch (a->kind) {
    case WX_COLUMN:
    case WX_STAR: {
        int fa = name_start(x, a), fb = name_start(x, b);
        if (a->n_names - fa != b->n_names - fb) return 0;
        for (int i = 0; i < a->n_names - fa; i++)
            if (strcasecmp(a->names[fa + i], b->names[fb + i])) return 0;
        break;
    }
    case WX_BOOL:
    case WX_INT:
        if (a->ival != b->ival) return 0;
        break;
    case WX_DOUBLE:
        if (memcmp(&a->dval, &b->dval, sizeof a->dval)) return 0;
        break;
    case WX_TYPED:
        if (a->lit_type != b->lit_type) return 0;
        /* fall through */
    case WX_STRING:
        if (a->str_len != b->str_len || memcmp(a->str, b->str, a->str_len)) return 0;
        break;
    case WX_INTERVAL:
        if (a->months != b->months || a->micros != b->micros) return 0;
        break;
    case WX_FUNC:
    case WX_FIELD:
        if (strcasecmp(a->str, b->str)) return 0;
        break;
    case WX_CAST:
        if (!wtype_equal(a->cast_type, b->cast_type)) return 0;
        break;
    case WX_LIKE:
        if (a->escape != b->escape) return 0;
        break;
    default:
        break;
    }
    for (int i = 0; i < a->n_kids; i++)
        if (!expr_equal(x, a->kids[i], b->kids[i])) return 0;
    return 1;
}

static int push(const WExpr ***arr, int *n, int *cap, const WExpr *e) {
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        const WExpr **na = realloc(*arr, sizeof *na * (size_t)nc);
        if (!na) return WEIR_NOMEM;
        *arr = na;
        *cap = nc;
    }
    (*arr)[(*n)++] = e;
    return WEIR_OK;
}

/* Index of e among the operator's inputs, adding it when new. */
static int input_of(A *x, const WExpr *e, int *out) {
    for (int i = 0; i < x->n_ins; i++)
        if (expr_equal(x, x->ins[i], e)) {
            *out = i;
            return WEIR_OK;
        }
    if (push(&x->ins, &x->n_ins, &x->cap_ins, e)) return nomem(x);
    *out = x->n_ins - 1;
    return WEIR_OK;
}

static int collect_calls(A *x, const WExpr *e) {
    if (!e) return WEIR_OK;
    if (is_agg_call(e)) {
        for (int i = 0; i < x->n_calls; i++)
            if (expr_equal(x, x->calls[i], e)) return WEIR_OK;
        return push(&x->calls, &x->n_calls, &x->cap_calls, e) ? nomem(x) : WEIR_OK;
    }
    for (int i = 0; i < e->n_kids; i++) {
        int rc = collect_calls(x, e->kids[i]);
        if (rc) return rc;
    }
    return WEIR_OK;
}

/* A duration argument of window() / session_window(): '30 seconds' or INTERVAL 30 SECONDS, no months. */
static int duration_arg(A *x, const WExpr *e, const char *fname, int64_t *us) {
    int32_t months = 0;
    int64_t micros = 0;
    if (e->kind == WX_STRING) {
        if (wsql_parse_interval(e->str, e->str_len, &months, &micros))
            return aerr(x, e->off, "%s(): cannot read the duration '%s': expected e.g. '30 seconds'", fname, e->str);
    } else if (e->kind == WX_INTERVAL) {
        months = e->months;
        micros = e->micros;
    } else
        return aerr(x, e->off, "%s(): a duration is a string such as '30 seconds' or an INTERVAL literal", fname);
    if (months) return aerr(x, e->off, "%s(): a window duration cannot be given in months or years", fname);
    *us = micros;
    return WEIR_OK;
}

static int take_window(A *x, const WExpr *e) {
    WBoundAgg *ag = x->ag;
    const char *fname = e->str;
    int session = !strcasecmp(fname, "session_window");
    if (x->win) return aerr(x, e->off, "only one window() or session_window() may appear in GROUP BY");
    if (session ? e->n_kids != 2 : e->n_kids < 2 || e->n_kids > 4)
        return aerr(x, e->off, session ? "session_window() takes (time, gap)"
                                       : "window() takes (time, size [, slide [, startTime]])");
    x->win = e;
    x->win_name = session ? "session_window" : "window";
    int rc = duration_arg(x, e->kids[1], fname, &ag->size_us);
    if (rc) return rc;
    if (ag->size_us <= 0)
        return aerr(x, e->kids[1]->off, session ? "the gap of %s() must be positive" : "the size of %s() must be positive",
                    fname);
    ag->window_kind = session ? 2 : 1;
    ag->slide_us = ag->size_us;
    if (e->n_kids >= 3 && (rc = duration_arg(x, e->kids[2], fname, &ag->slide_us))) return rc;
    if (e->n_kids >= 4 && (rc = duration_arg(x, e->kids[3], fname, &ag->start_us))) return rc;
    if (!session && (ag->slide_us <= 0 || ag->slide_us > ag->size_us))
        return aerr(x, e->kids[2]->off, "the slide of window() must be positive and at most its size");
    if (!session && (ag->start_us >= ag->slide_us || -ag->start_us >= ag->slide_us))
        return aerr(x, e->kids[3]->off, "the startTime of window() must be less than its slide");
    return WEIR_OK;
}

static WExpr *column_expr(A *x, const WExpr *at, const char *name) {
    WExpr *c = warena_alloc(&x->ag->arena, sizeof *c);
    const char **names = warena_alloc(&x->ag->arena, sizeof *names);
    if (!c || !names) return NULL;
    memset(c, 0, sizeof *c);
    c->kind = WX_COLUMN;
    c->off = at->off;
    c->end = at->end;
    c->escape = '\\';
    c->height = 1;
    names[0] = name;
    c->names = names;
    c->n_names = 1;
    return c;
}

static char *agg_col_name(A *x, int i) {
    char nm[32];
    snprintf(nm, sizeof nm, "__agg%d", i);
    return warena_strndup(&x->ag->arena, nm, strlen(nm));
}

/* The select list and HAVING over the operator's output (see the head of the file). */
static int rewrite(A *x, const WExpr *e, WExpr **out) {
    if (is_agg_call(e)) {
        for (int i = 0; i < x->n_calls; i++)
            if (expr_equal(x, x->calls[i], e)) {
                char *nm = agg_col_name(x, i);
                *out = nm ? column_expr(x, e, nm) : NULL;
                return *out ? WEIR_OK : nomem(x);
            }
    }
    if (x->win && expr_equal(x, e, x->win)) {
        *out = column_expr(x, e, x->win_name);
        return *out ? WEIR_OK : nomem(x);
    }
    for (int j = 0; j < x->n_keys; j++)
        if (expr_equal(x, e, x->keys[j])) {
            *out = column_expr(x, e, x->key_names[j]);
            return *out ? WEIR_OK : nomem(x);
        }
    if (e->kind == WX_STAR)
        return aerr(x, e->off, "'*' cannot be selected in an aggregation: name the GROUP BY columns and aggregates");
    if (e->kind == WX_COLUMN) {
        int f = name_start(x, e);
        const char *n0 = e->names[f];
        int keyword = e->n_names == 1 && (!strcasecmp(n0, "current_timestamp") || !strcasecmp(n0, "current_date"));
        if (!keyword && !(x->win && !strcasecmp(n0, x->win_name))) {
            WBuf t;
            wbuf_init(&t);
            int rc = wsql_print_expr(e, WSQL_PRINT_NAME, &t);
            rc = rc ? rc : wbuf_putc(&t, 0);
            rc = rc ? nomem(x)
                    : aerr(x, e->off, "column %s is neither in GROUP BY nor inside an aggregate function (Spark's "
                           "MISSING_AGGREGATION): add it to GROUP BY or aggregate it, e.g. first(%s)",
                           t.data ? t.data : "", t.data ? t.data : "");
            wbuf_fini(&t);
            return rc;
        }
    }
    WExpr *c = warena_alloc(&x->ag->arena, sizeof *c);
    if (!c) return nomem(x);
    *c = *e;
    if (e->n_kids) {
        c->kids = warena_alloc(&x->ag->arena, sizeof *c->kids * (size_t)e->n_kids);
        if (!c->kids) return nomem(x);
        for (int i = 0; i < e->n_kids; i++) {
            int rc = rewrite(x, e->kids[i], &c->kids[i]);
            if (rc) return rc;
        }
    }
    *out = c;
    return WEIR_OK;
}

static WExpr *star_expr(A *x, size_t off) {
    WExpr *s = warena_alloc(&x->ag->arena, sizeof *s);
    if (!s) return NULL;
    memset(s, 0, sizeof *s);
    s->kind = WX_STAR;
    s->off = s->end = off;
    s->escape = '\\';
    s->height = 1;
    return s;
}

/* pre: WHERE, the source's columns, then inputs[i] for each i with computed[i] (aliased __in<i>). */
static int bind_pre(A *x, const int *computed, WBoundSelect **out) {
    WSqlSelect s = *x->sel;
    s.n_group_by = 0;
    s.group_by = NULL;
    s.having = NULL;
    s.distinct = 0;
    s.items = warena_alloc(&x->ag->arena, sizeof *s.items * (size_t)(x->n_ins + 1));
    if (!s.items) return nomem(x);
    s.n_items = 0;
    WExpr *star = star_expr(x, x->sel->from_off);
    if (!star) return nomem(x);
    s.items[s.n_items++] = (WSelItem){star, NULL, x->sel->from_off};
    for (int i = 0; i < x->n_ins; i++) {
        if (computed && !computed[i]) continue;
        char nm[32];
        snprintf(nm, sizeof nm, "__in%d", i);
        const char *alias = warena_strndup(&x->ag->arena, nm, strlen(nm));
        if (!alias) return nomem(x);
        s.items[s.n_items++] = (WSelItem){(WExpr *)x->ins[i], alias, x->ins[i]->off};
    }
    if (!computed) s.where = NULL; /* the probe binds the inputs only */
    return wsql_resolve(&s, x->input, out, x->err);
}

static WExpr *cast_expr(A *x, const WExpr *e, WTypeId to) {
    WExpr *c = warena_alloc(&x->ag->arena, sizeof *c);
    WExpr **kids = warena_alloc(&x->ag->arena, sizeof *kids);
    WType *t = warena_alloc(&x->ag->arena, sizeof *t);
    if (!c || !kids || !t) return NULL;
    memset(c, 0, sizeof *c);
    memset(t, 0, sizeof *t);
    t->id = to;
    c->kind = WX_CAST;
    c->off = e->off;
    c->end = e->end;
    c->escape = '\\';
    c->height = e->height + 1;
    kids[0] = (WExpr *)e;
    c->kids = kids;
    c->n_kids = 1;
    c->cast_type = t;
    return c;
}

static int add_out_field(WType *t, const char *name, WTypeId id) {
    WType ft;
    memset(&ft, 0, sizeof ft);
    ft.id = id;
    return wtype_add_field(t, name, strlen(name), &ft);
}

static int build(A *x, WBoundSelect **post_out) {
    const WSqlSelect *sel = x->sel;
    WBoundAgg *ag = x->ag;
    int rc;
    if (sel->distinct)
        return aerr(x, sel->items[0].off, "SELECT DISTINCT is not supported in a streaming query");
    ag->group_off = sel->n_group_by ? sel->group_by[0]->off : sel->items[0].off;
    /* GROUP BY: the window, the keys */
    x->keys = calloc((size_t)(sel->n_group_by ? sel->n_group_by : 1), sizeof *x->keys);
    x->key_names = calloc((size_t)(sel->n_group_by ? sel->n_group_by : 1), sizeof *x->key_names);
    if (!x->keys || !x->key_names) return nomem(x);
    for (int i = 0; i < sel->n_group_by; i++) {
        const WExpr *g = sel->group_by[i];
        if (g->kind == WX_FUNC && (!strcasecmp(g->str, "window") || !strcasecmp(g->str, "session_window"))) {
            if ((rc = take_window(x, g))) return rc;
            continue;
        }
        if (has_agg(g)) return aerr(x, g->off, "an aggregate function cannot be in GROUP BY");
        if (g->kind == WX_INT) return aerr(x, g->off, "GROUP BY by position is not supported: name the column");
        int dup = 0;
        for (int j = 0; j < x->n_keys; j++) dup |= expr_equal(x, x->keys[j], g);
        if (!dup) x->keys[x->n_keys++] = g;
    }
    /* the operator's inputs: window time, keys, arguments of the aggregate calls */
    for (int i = 0; i < sel->n_items; i++)
        if ((rc = collect_calls(x, sel->items[i].expr))) return rc;
    if ((rc = collect_calls(x, sel->having))) return rc;
    int ts_in = -1;
    if (x->win && (rc = input_of(x, x->win->kids[0], &ts_in))) return rc;
    int *key_in = calloc((size_t)(x->n_keys ? x->n_keys : 1), sizeof *key_in);
    int *call_in = calloc((size_t)(x->n_calls ? x->n_calls : 1), sizeof *call_in);
    int *computed = NULL;
    WBoundSelect *probe = NULL;
    if (!key_in || !call_in) {
        rc = nomem(x);
        goto out;
    }
    for (int j = 0; j < x->n_keys && !rc; j++) rc = input_of(x, x->keys[j], &key_in[j]);
    ag->aggs = warena_alloc(&ag->arena, sizeof *ag->aggs * (size_t)(x->n_calls ? x->n_calls : 1));
    if (!ag->aggs && !rc) rc = nomem(x);
    for (int i = 0; i < x->n_calls && !rc; i++) {
        const WExpr *c = x->calls[i];
        int fn = wsql_agg_fn(c->str, c->star, c->distinct);
        if (fn < 0) {
            rc = aerr(x, c->off, "%s(DISTINCT ...) is not supported (count(DISTINCT x) is)", c->str);
            break;
        }
        WAggCall *a = &ag->aggs[i];
        memset(a, 0, sizeof *a);
        a->fn = (WAggFn)fn;
        a->name = agg_col_name(x, i);
        if (!a->name) rc = nomem(x);
        call_in[i] = -1;
        int want = fn == WAGG_COUNT_STAR ? 0 : fn == WAGG_APPROX_COUNT_DISTINCT ? -2 : 1;
        if (fn == WAGG_COUNT && c->star) want = 0;
        if (!rc && want == 1 && c->n_kids != 1)
            rc = aerr(x, c->off, "%s() takes one argument", c->str);
        if (!rc && want == -2) {
            if (c->n_kids < 1 || c->n_kids > 2)
                rc = aerr(x, c->off, "approx_count_distinct() takes (expr [, relativeSD])");
            else if (c->n_kids == 2) {
                const WExpr *d = c->kids[1];
                if (d->kind != WX_DOUBLE && d->kind != WX_INT)
                    rc = aerr(x, d->off, "approx_count_distinct(): relativeSD must be a number literal");
                else a->rsd = d->kind == WX_DOUBLE ? d->dval : (double)d->ival;
                if (!rc && (a->rsd <= 0 || a->rsd > 0.39))
                    rc = aerr(x, d->off, "approx_count_distinct(): relativeSD must be above 0 and at most 0.39");
            }
        }
        if (!rc && want != 0) {
            if (has_agg(c->kids[0]))
                rc = aerr(x, c->kids[0]->off, "an aggregate function cannot be inside another (%s)", c->str);
            else rc = input_of(x, c->kids[0], &call_in[i]);
        }
    }
    if (rc) goto out;
    /* which inputs are plain source columns; sum/avg of a string read it as a double, as Spark does */
    if ((rc = bind_pre(x, NULL, &probe))) goto out;
    int n_src = x->input->n_fields;
    for (int i = 0; i < x->n_calls; i++) {
        WAggFn f = ag->aggs[i].fn;
        if ((f == WAGG_SUM || f == WAGG_AVG) && call_in[i] >= 0) {
            WTypeId t = probe->cols[n_src + call_in[i]]->type;
            if (t == WT_STRING || t == WT_NULL) {
                WExpr *ce = cast_expr(x, x->ins[call_in[i]], WT_DOUBLE);
                if (!ce) {
                    rc = nomem(x);
                    goto out;
                }
                if ((rc = input_of(x, ce, &call_in[i]))) goto out;
            } else if (t != WT_INT && t != WT_BIGINT && t != WT_DOUBLE) {
                rc = aerr(x, x->calls[i]->off, "type mismatch: %s() expects a number, found %s", x->calls[i]->str,
                          wtype_name(t));
                goto out;
            }
        }
    }
    if (x->n_ins > probe->out_schema.n_fields - n_src) { /* casts were added: bind them too */
        wsql_bound_free(probe);
        probe = NULL;
        if ((rc = bind_pre(x, NULL, &probe))) goto out;
    }
    computed = calloc((size_t)(x->n_ins ? x->n_ins : 1), sizeof *computed);
    int *col_of = calloc((size_t)(x->n_ins ? x->n_ins : 1), sizeof *col_of);
    if (!computed || !col_of) {
        free(col_of);
        rc = nomem(x);
        goto out;
    }
    int next = n_src;
    for (int i = 0; i < x->n_ins; i++) {
        const WBound *b = probe->cols[n_src + i];
        if (b->fn == WF_COL && b->n_path == 1) col_of[i] = b->path[0];
        else {
            computed[i] = 1;
            col_of[i] = next++;
        }
    }
    ag->n_source_cols = n_src;
    ag->pre_identity = next == n_src && !sel->where;
    rc = bind_pre(x, computed, &ag->pre);
    const WType *pin = ag->pre ? &ag->pre->out_schema : NULL;
    if (!rc) {
        ag->ts_col = ts_in >= 0 ? col_of[ts_in] : -1;
        if (ag->ts_col >= 0 && pin->fields[ag->ts_col].type.id != WT_TIMESTAMP)
            rc = aerr(x, x->win->kids[0]->off, "type mismatch: %s() expects a timestamp, found %s", x->win->str,
                      wtype_name(pin->fields[ag->ts_col].type.id));
    }
    ag->n_keys = x->n_keys;
    ag->key_cols = warena_alloc(&ag->arena, sizeof *ag->key_cols * (size_t)(x->n_keys ? x->n_keys : 1));
    if (!rc && !ag->key_cols) rc = nomem(x);
    for (int j = 0; j < x->n_keys && !rc; j++) {
        int c = ag->key_cols[j] = col_of[key_in[j]];
        x->key_names[j] = (char *)pin->fields[c].name;
        if (pin->fields[c].type.id == WT_STRUCT)
            rc = aerr(x, x->keys[j]->off, "GROUP BY a STRUCT is not supported: group by its fields");
        for (int k = 0; k < j && !rc; k++)
            if (!strcasecmp(x->key_names[k], x->key_names[j]))
                rc = aerr(x, x->keys[j]->off, "two GROUP BY columns have the name %s", x->key_names[j]);
    }
    for (int i = 0; i < x->n_calls && !rc; i++) {
        WAggCall *a = &ag->aggs[i];
        if (call_in[i] < 0) continue;
        a->col = col_of[call_in[i]];
        WTypeId t = pin->fields[a->col].type.id;
        if (a->fn != WAGG_COUNT && t == WT_STRUCT)
            rc = aerr(x, x->calls[i]->off, "%s() of a STRUCT is not supported", x->calls[i]->str);
    }
    free(col_of);
    if (rc) goto out;
    ag->n_aggs = x->n_calls;
    /* the watermark: on the window's time for the operator */
    if (sel->wm_expr) {
        ag->delay_us = ag->pre->wm_delay_micros + (int64_t)ag->pre->wm_delay_months * 30 * 86400000000LL;
        const WExpr *t = x->win ? x->win->kids[0] : NULL;
        int same = t && (expr_equal(x, t, sel->wm_expr) ||
                         (sel->wm_name && t->kind == WX_COLUMN && t->n_names == 1 && !strcasecmp(t->names[0], sel->wm_name)));
        ag->has_watermark = same && ag->window_kind;
        ag->watermark_elsewhere = !ag->has_watermark;
    }
    /* the operator's output: window, keys, aggregates in Spark's result types */
    ag->agg_out.id = WT_STRUCT;
    if (x->win) {
        WType wt;
        memset(&wt, 0, sizeof wt);
        wt.id = WT_STRUCT;
        rc = add_out_field(&wt, "start", WT_TIMESTAMP) || add_out_field(&wt, "end", WT_TIMESTAMP) ||
             wtype_add_field(&ag->agg_out, x->win_name, strlen(x->win_name), &wt);
        wtype_fini(&wt);
    }
    for (int j = 0; j < x->n_keys && !rc; j++)
        rc = wtype_add_field(&ag->agg_out, x->key_names[j], strlen(x->key_names[j]), &pin->fields[ag->key_cols[j]].type);
    for (int i = 0; i < x->n_calls && !rc; i++) {
        const WAggCall *a = &ag->aggs[i];
        WTypeId in = a->fn == WAGG_COUNT_STAR ? WT_NULL : pin->fields[a->col].type.id, t;
        switch (a->fn) {
        case WAGG_SUM: t = in == WT_DOUBLE ? WT_DOUBLE : WT_BIGINT; break;
        case WAGG_AVG: t = WT_DOUBLE; break;
        case WAGG_MIN: case WAGG_MAX: case WAGG_FIRST: case WAGG_LAST: t = in; break;
        default: t = WT_BIGINT; break;
        }
        rc = add_out_field(&ag->agg_out, a->name, t);
    }
    if (rc) {
        rc = nomem(x);
        goto out;
    }
    /* post: HAVING and the select list over the operator's output */
    WSqlSelect p = *sel;
    p.n_group_by = 0;
    p.group_by = NULL;
    p.having = NULL;
    p.where = NULL;
    p.wm_expr = NULL;
    p.wm_name = NULL;
    p.wm_delay = NULL;
    p.items = warena_alloc(&ag->arena, sizeof *p.items * (size_t)sel->n_items);
    if (!p.items) {
        rc = nomem(x);
        goto out;
    }
    for (int i = 0; i < sel->n_items && !rc; i++) {
        const WSelItem *it = &sel->items[i];
        p.items[i] = *it;
        rc = rewrite(x, it->expr, &p.items[i].expr);
        if (rc || it->alias) continue;
        const WExpr *e = it->expr, *ne = p.items[i].expr;
        if (e->kind == WX_COLUMN && ne->kind == WX_COLUMN && !strncmp(ne->names[0], "__", 2)) {
            p.items[i].alias = e->names[e->n_names - 1];
        } else if (e->kind != WX_COLUMN) {
            WBuf t;
            wbuf_init(&t);
            if (wsql_print_expr(e, WSQL_PRINT_NAME, &t) ||
                !(p.items[i].alias = warena_strndup(&ag->arena, t.data ? t.data : "", t.len)))
                rc = nomem(x);
            wbuf_fini(&t);
        }
    }
    if (!rc && sel->having) {
        WExpr *h;
        rc = rewrite(x, sel->having, &h);
        p.where = rc ? NULL : h;
    }
    if (!rc) rc = wsql_resolve(&p, &ag->agg_out, post_out, x->err);
out:
    wsql_bound_free(probe);
    free(computed);
    free(key_in);
    free(call_in);
    return rc;
}

int wsql_resolve_agg(const WSqlSelect *sel, const WType *input, WBoundAgg **agg, WBoundSelect **post, WErr *err) {
    *agg = NULL;
    *post = NULL;
    WBoundAgg *ag = calloc(1, sizeof *ag);
    if (!ag) return werr_msg(err, WEIR_NOMEM, "out of memory");
    warena_init(&ag->arena, 4096);
    ag->ts_col = -1;
    A x;
    memset(&x, 0, sizeof x);
    x.ag = ag;
    x.sel = sel;
    x.input = input;
    x.err = err;
    int rc = build(&x, post);
    free(x.ins);
    free(x.calls);
    free(x.keys);
    free(x.key_names);
    if (rc) {
        wsql_bound_free(*post);
        *post = NULL;
        wsql_bound_agg_free(ag);
        return rc;
    }
    *agg = ag;
    return WEIR_OK;
}

void wsql_bound_agg_free(WBoundAgg *a) {
    if (!a) return;
    wsql_bound_free(a->pre);
    wtype_fini(&a->agg_out);
    warena_fini(&a->arena);
    free(a);
}
