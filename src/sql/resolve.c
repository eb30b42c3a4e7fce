/*
 * resolve.c - binds a parsed SELECT to its input schema (see resolve.h).
 *
 * One recursive pass over the syntax tree builds the WBound tree: names become column paths (case
 * insensitive, a table qualifier allowed), every implicit conversion Spark's type coercion rules would add
 * (non-ANSI mode: PromoteStrings, ImplicitTypeCasts, the wider-type rules of CASE / COALESCE / IN) becomes a
 * WF_CAST node, and each node gets its result type. Errors point a caret at the offending expression.
 */
#include "sql/resolve.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "sql/lex.h"
#include "sql/parse.h"

typedef struct R {
    WBoundSelect *b;
    const WSqlSelect *s;
    const WType *input;
    WErr *err;
} R;

static int rerr(R *r, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int rerr(R *r, size_t off, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return wsql_error_at(r->err, r->s->src, r->s->src_len, off, "%s", msg);
}

static int unsupported(R *r, size_t off, const char *what) {
    int rc = rerr(r, off, "%s is not supported", what);
    if (r->err && rc == WEIR_SQL) r->err->code = WEIR_UNSUPPORTED;
    return WEIR_UNSUPPORTED;
}

static const char *tname(WTypeId t) { return wtype_name(t); }

static WBound *node(R *r, WFn fn, WTypeId type, size_t off, int n_kids) {
    WBound *e = warena_alloc(&r->b->arena, sizeof *e);
    if (!e) return NULL;
    memset(e, 0, sizeof *e);
    e->fn = fn;
    e->type = type;
    e->off = off;
    e->id = r->b->n_nodes++;
    e->escape = '\\';
    if (n_kids) {
        e->kids = warena_alloc(&r->b->arena, sizeof *e->kids * (size_t)n_kids);
        if (!e->kids) return NULL;
        memset(e->kids, 0, sizeof *e->kids * (size_t)n_kids);
    }
    e->n_kids = n_kids;
    return e;
}

static int is_numeric(WTypeId t) { return t == WT_INT || t == WT_BIGINT || t == WT_DOUBLE; }
static int is_integral(WTypeId t) { return t == WT_INT || t == WT_BIGINT; }
static int is_atomic(WTypeId t) { return t != WT_STRUCT; }

int wsql_can_cast(WTypeId from, WTypeId to) {
    if (from == to || from == WT_NULL) return 1;
    if (from == WT_STRUCT || to == WT_STRUCT || to == WT_NULL) return 0;
    if (from == WT_STRING || to == WT_STRING) return 1;
    int fn = is_numeric(from) || from == WT_BOOLEAN, tn = is_numeric(to) || to == WT_BOOLEAN;
    if (fn && tn) return 1;
    if ((is_numeric(from) && to == WT_TIMESTAMP) || (from == WT_TIMESTAMP && tn)) return 1;
    if ((from == WT_DATE && to == WT_TIMESTAMP) || (from == WT_TIMESTAMP && to == WT_DATE)) return 1;
    return 0;
}

/* findTightestCommonType, then Spark's string promotion (findWiderTypeForTwo, non-ANSI). */
WTypeId wsql_wider_type(WTypeId a, WTypeId b) {
    if (a == b) return a;
    if (a == WT_NULL) return b;
    if (b == WT_NULL) return a;
    if (is_numeric(a) && is_numeric(b)) return a == WT_DOUBLE || b == WT_DOUBLE ? WT_DOUBLE : WT_BIGINT;
    if ((a == WT_DATE && b == WT_TIMESTAMP) || (a == WT_TIMESTAMP && b == WT_DATE)) return WT_TIMESTAMP;
    if ((a == WT_STRING && is_atomic(b) && b != WT_BOOLEAN) || (b == WT_STRING && is_atomic(a) && a != WT_BOOLEAN))
        return WT_STRING;
    return WT_NULL;
}

/* A node of type t computing the value of e: e itself, a retyped NULL literal, or a WF_CAST. */
static int coerce(R *r, WBound *e, WTypeId t, WBound **out) {
    if (e->type == t) {
        *out = e;
        return WEIR_OK;
    }
    if (e->fn == WF_LIT && e->is_null) {
        WBound *n = node(r, WF_LIT, t, e->off, 0);
        if (!n) return WEIR_NOMEM;
        n->is_null = 1;
        *out = n;
        return WEIR_OK;
    }
    if (!wsql_can_cast(e->type, t))
        return rerr(r, e->off, "cannot convert %s to %s here", tname(e->type), tname(t));
    WBound *c = node(r, WF_CAST, t, e->off, 1);
    if (!c) return WEIR_NOMEM;
    c->kids[0] = e;
    *out = c;
    return WEIR_OK;
}

/* Implicit cast to an argument type (Spark's ImplicitTypeCasts): any atomic to STRING, STRING to anything
 * atomic, numeric widening and narrowing, DATE <-> TIMESTAMP. Anything else is a type mismatch. */
static int implicit(R *r, WBound *e, WTypeId t, const char *ctx, WBound **out) {
    WTypeId f = e->type;
    int ok = f == t || f == WT_NULL || (t == WT_STRING && is_atomic(f)) || (f == WT_STRING && is_atomic(t)) ||
             (is_numeric(f) && is_numeric(t)) || (f == WT_DATE && t == WT_TIMESTAMP) ||
             (f == WT_TIMESTAMP && t == WT_DATE);
    if (!ok) return rerr(r, e->off, "type mismatch: %s expects %s, found %s", ctx, tname(t), tname(f));
    return coerce(r, e, t, out);
}

static int bind(R *r, const WExpr *e, WBound **out);

static WBound *lit_null(R *r, WTypeId t, size_t off) {
    WBound *n = node(r, WF_LIT, t, off, 0);
    if (n) n->is_null = 1;
    return n;
}

/* ---- names ---- */

static int column_list(const WType *st, char *buf, size_t cap) {
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < st->n_fields && n + 4 < cap; i++) {
        int w = snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", st->fields[i].name);
        if (w < 0 || (size_t)w >= cap - n) {
            snprintf(buf + (n < cap - 4 ? n : cap - 4), 4, "...");
            break;
        }
        n += (size_t)w;
    }
    return 0;
}

/* Edit distance between a and b ignoring ASCII case, capped at 3 (enough to spot a typo). */
static int distance(const char *a, const char *b) {
    size_t an = strlen(a), bn = strlen(b);
    if (an > 40 || bn > 40 || (an > bn ? an - bn : bn - an) > 2) return 3;
    int d[41][41];
    for (size_t i = 0; i <= an; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= bn; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= an; i++)
        for (size_t j = 1; j <= bn; j++) {
            int v = d[i - 1][j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            if (d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            d[i][j] = v;
        }
    return d[an][bn] > 3 ? 3 : d[an][bn];
}

/* The field of st whose name is closest to nm (within 2 edits, 1 for short names), or NULL. */
static const char *closest_field(const WType *st, const char *nm) {
    const char *best = NULL;
    size_t n = strlen(nm);
    int bd = n <= 2 ? 0 : n <= 4 ? 2 : 3; /* strictly fewer edits than this */
    for (int i = 0; i < st->n_fields; i++) {
        int d = distance(nm, st->fields[i].name);
        if (d < bd) {
            bd = d;
            best = st->fields[i].name;
        }
    }
    return best;
}

static int is_table_name(R *r, const char *n) {
    const char *t = r->s->from_alias ? r->s->from_alias : r->s->from;
    return t && !strcasecmp(t, n);
}

/* Resolves names[from..n) into a path below the input; *out_type is the leaf type. */
static int resolve_path(R *r, const WExpr *e, int from, int **out_path, int *out_n, const WType **out_type) {
    int n = e->n_names - from;
    int *path = warena_alloc(&r->b->arena, sizeof *path * (size_t)(n ? n : 1));
    if (!path) return WEIR_NOMEM;
    const WType *t = r->input;
    for (int i = 0; i < n; i++) {
        const char *nm = e->names[from + i];
        if (t->id != WT_STRUCT) {
            return rerr(r, e->off, "cannot take field '%s' of %s (type %s is not a STRUCT)", nm,
                        e->names[from + i - 1], tname(t->id));
        }
        int k = wtype_field_index_ci(t, nm, strlen(nm));
        if (k < 0) {
            char cols[300], hint[120] = "";
            column_list(t, cols, sizeof cols);
            const char *near = closest_field(t, nm);
            if (near) snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
            if (i == 0)
                return rerr(r, e->off, "unknown column '%s'%s; the input columns are: %s", nm, hint, cols);
            return rerr(r, e->off, "no field '%s' in %s%s; its fields are: %s", nm, e->names[from + i - 1], hint,
                        cols);
        }
        path[i] = k;
        t = &t->fields[k].type;
    }
    *out_path = path;
    *out_n = n;
    *out_type = t;
    return WEIR_OK;
}

static int bind_column(R *r, const WExpr *e, WBound **out) {
    /* WATERMARK expr AS name: name stands for expr, unless the source has such a column */
    if (e->n_names == 1 && r->s->wm_name && r->s->wm_expr && !strcasecmp(e->names[0], r->s->wm_name) &&
        wtype_field_index_ci(r->input, e->names[0], strlen(e->names[0])) < 0)
        return bind(r, r->s->wm_expr, out);
    /* t.c with t the table (or its alias) and c one of its columns wins over field c of a column t */
    int from = 0;
    if (e->n_names >= 2 && is_table_name(r, e->names[0]) &&
        wtype_field_index_ci(r->input, e->names[1], strlen(e->names[1])) >= 0)
        from = 1;
    if (e->n_names == 1 && wtype_field_index_ci(r->input, e->names[0], strlen(e->names[0])) < 0) {
        /* Spark's niladic keywords that look like names */
        if (!strcasecmp(e->names[0], "current_timestamp")) {
            *out = node(r, WF_NOW, WT_TIMESTAMP, e->off, 0);
            return *out ? WEIR_OK : WEIR_NOMEM;
        }
        if (!strcasecmp(e->names[0], "current_date")) {
            *out = node(r, WF_TODAY, WT_DATE, e->off, 0);
            return *out ? WEIR_OK : WEIR_NOMEM;
        }
    }
    int *path, n;
    const WType *t;
    int rc = resolve_path(r, e, from, &path, &n, &t);
    if (rc) return rc;
    WBound *c = node(r, WF_COL, t->id, e->off, 0);
    if (!c) return WEIR_NOMEM;
    c->path = path;
    c->n_path = n;
    if (t->id == WT_STRUCT) c->stype = t;
    *out = c;
    return WEIR_OK;
}

/* ---- operators ---- */

static int bind2(R *r, const WExpr *e, WBound **a, WBound **b) {
    int rc = bind(r, e->kids[0], a);
    return rc ? rc : bind(r, e->kids[1], b);
}

static int make2(R *r, WFn fn, WTypeId t, size_t off, WBound *a, WBound *b, WBound **out) {
    WBound *n = node(r, fn, t, off, 2);
    if (!n) return WEIR_NOMEM;
    n->kids[0] = a;
    n->kids[1] = b;
    *out = n;
    return WEIR_OK;
}

static int make1(R *r, WFn fn, WTypeId t, size_t off, WBound *a, WBound **out) {
    WBound *n = node(r, fn, t, off, 1);
    if (!n) return WEIR_NOMEM;
    n->kids[0] = a;
    *out = n;
    return WEIR_OK;
}

/* The common type of a comparison (findCommonTypeForBinaryComparison, non-ANSI, castDatetimeToString off). */
static WTypeId compare_type(WTypeId a, WTypeId b) {
    if (a == b) return a;
    if (a == WT_NULL) return b;
    if (b == WT_NULL) return a;
    if (a == WT_STRUCT || b == WT_STRUCT) return WT_NULL;
    if (is_numeric(a) && is_numeric(b)) return wsql_wider_type(a, b);
    if ((a == WT_DATE && b == WT_TIMESTAMP) || (a == WT_TIMESTAMP && b == WT_DATE)) return WT_TIMESTAMP;
    if (a == WT_STRING) return b;
    if (b == WT_STRING) return a;
    return WT_NULL;
}

static int comparison(R *r, WFn fn, size_t off, WBound *a, WBound *b, WBound **out) {
    WTypeId t = compare_type(a->type, b->type);
    if (t == WT_NULL && !(a->type == WT_NULL && b->type == WT_NULL))
        return rerr(r, off, "type mismatch: cannot compare %s with %s", tname(a->type), tname(b->type));
    int rc;
    if ((rc = coerce(r, a, t, &a)) || (rc = coerce(r, b, t, &b))) return rc;
    return make2(r, fn, WT_BOOLEAN, off, a, b, out);
}

static int logic_arg(R *r, WBound *a, const char *op, WBound **out) {
    if (a->type == WT_BOOLEAN || a->type == WT_NULL || a->type == WT_STRING) return coerce(r, a, WT_BOOLEAN, out);
    return rerr(r, a->off, "type mismatch: %s expects boolean, found %s", op, tname(a->type));
}

/* Operand of + - * / % for numbers: STRING becomes DOUBLE (PromoteStrings), NULL stays for widening. */
static int arith_arg(R *r, WBound *a, const char *op, WBound **out) {
    if (is_numeric(a->type) || a->type == WT_NULL) {
        *out = a;
        return WEIR_OK;
    }
    if (a->type == WT_STRING) return coerce(r, a, WT_DOUBLE, out);
    return rerr(r, a->off, "type mismatch: '%s' expects numbers, found %s", op, tname(a->type));
}

static int interval_of(const WExpr *e, int32_t *months, int64_t *micros) {
    if (e->kind == WX_INTERVAL) {
        *months = e->months;
        *micros = e->micros;
        return 1;
    }
    return 0;
}

static int arithmetic(R *r, const WExpr *e, WBound **out) {
    int rc;
    static const char *const OPS[] = {[WOP_ADD] = "+", [WOP_SUB] = "-", [WOP_MUL] = "*", [WOP_DIV] = "/",
                                      [WOP_MOD] = "%", [WOP_INTDIV] = "div"};
    const char *opname = OPS[e->op];
    int32_t months;
    int64_t micros;
    /* timestamp +- INTERVAL, INTERVAL + timestamp */
    if ((e->op == WOP_ADD || e->op == WOP_SUB) &&
        (interval_of(e->kids[1], &months, &micros) || (e->op == WOP_ADD && interval_of(e->kids[0], &months, &micros)))) {
        const WExpr *te = e->kids[1]->kind == WX_INTERVAL ? e->kids[0] : e->kids[1];
        if (te->kind == WX_INTERVAL) return rerr(r, e->off, "adding two intervals is not supported");
        WBound *t;
        if ((rc = bind(r, te, &t))) return rc;
        if (t->type == WT_STRING || t->type == WT_DATE || t->type == WT_NULL) {
            if ((rc = coerce(r, t, WT_TIMESTAMP, &t))) return rc;
        }
        if (t->type != WT_TIMESTAMP)
            return rerr(r, te->off, "type mismatch: an INTERVAL can be added to a timestamp, not to %s", tname(t->type));
        WBound *n;
        if ((rc = make1(r, WF_TS_ADD, WT_TIMESTAMP, e->off, t, &n))) return rc;
        n->months = e->op == WOP_SUB ? -months : months;
        n->micros = e->op == WOP_SUB ? -micros : micros;
        *out = n;
        return WEIR_OK;
    }
    WBound *a, *b;
    if ((rc = bind2(r, e, &a, &b))) return rc;
    /* date + int, date - int: date_add */
    if ((e->op == WOP_ADD || e->op == WOP_SUB) && a->type == WT_DATE && (is_integral(b->type) || b->type == WT_NULL)) {
        if ((rc = coerce(r, b, WT_INT, &b))) return rc;
        if (e->op == WOP_SUB) {
            if ((rc = make1(r, WF_NEG, WT_INT, b->off, b, &b))) return rc;
        }
        return make2(r, WF_DATE_ADD, WT_DATE, e->off, a, b, out);
    }
    if ((rc = arith_arg(r, a, opname, &a)) || (rc = arith_arg(r, b, opname, &b))) return rc;
    WTypeId t = wsql_wider_type(a->type, b->type);
    if (t == WT_NULL) t = WT_INT; /* NULL + NULL: Spark gives a NULL of the operator's default type */
    WFn fn;
    switch (e->op) {
    case WOP_ADD: fn = WF_ADD; break;
    case WOP_SUB: fn = WF_SUB; break;
    case WOP_MUL: fn = WF_MUL; break;
    case WOP_DIV: fn = WF_DIV; t = WT_DOUBLE; break; /* Spark's '/' on integers is a DOUBLE division */
    case WOP_MOD: fn = WF_MOD; break;
    default: fn = WF_INTDIV; t = WT_BIGINT; break;
    }
    if ((rc = coerce(r, a, t, &a)) || (rc = coerce(r, b, t, &b))) return rc;
    return make2(r, fn, t, e->off, a, b, out);
}

static int bind_binary(R *r, const WExpr *e, WBound **out) {
    int rc;
    WBound *a, *b;
    switch (e->op) {
    case WOP_ADD: case WOP_SUB: case WOP_MUL: case WOP_DIV: case WOP_MOD: case WOP_INTDIV:
        return arithmetic(r, e, out);
    case WOP_CONCAT:
        if ((rc = bind2(r, e, &a, &b))) return rc;
        if ((rc = implicit(r, a, WT_STRING, "'||'", &a)) || (rc = implicit(r, b, WT_STRING, "'||'", &b))) return rc;
        return make2(r, WF_CONCAT, WT_STRING, e->off, a, b, out);
    case WOP_AND: case WOP_OR: {
        const char *nm = e->op == WOP_AND ? "AND" : "OR";
        if ((rc = bind2(r, e, &a, &b))) return rc;
        if ((rc = logic_arg(r, a, nm, &a)) || (rc = logic_arg(r, b, nm, &b))) return rc;
        return make2(r, e->op == WOP_AND ? WF_AND : WF_OR, WT_BOOLEAN, e->off, a, b, out);
    }
    default: break;
    }
    if ((rc = bind2(r, e, &a, &b))) return rc;
    WFn fn;
    switch (e->op) {
    case WOP_EQ: fn = WF_EQ; break;
    case WOP_NSEQ: fn = WF_NSEQ; break;
    case WOP_NE: fn = WF_EQ; break;
    case WOP_LT: fn = WF_LT; break;
    case WOP_LE: fn = WF_LE; break;
    case WOP_GT: fn = WF_GT; break;
    default: fn = WF_GE; break;
    }
    if ((rc = comparison(r, fn, e->off, a, b, out))) return rc;
    if (e->op == WOP_NE) return make1(r, WF_NOT, WT_BOOLEAN, e->off, *out, out);
    return WEIR_OK;
}

/* ---- functions ---- */

typedef struct FnDef {
    const char *name;
    WFn fn;
    int min_args, max_args;
} FnDef;

static const FnDef FNS[] = {
    {"coalesce", WF_COALESCE, 1, 255}, {"lower", WF_LOWER, 1, 1}, {"lcase", WF_LOWER, 1, 1},
    {"upper", WF_UPPER, 1, 1}, {"ucase", WF_UPPER, 1, 1}, {"concat", WF_CONCAT, 0, 255},
    {"substring", WF_SUBSTR, 2, 3}, {"substr", WF_SUBSTR, 2, 3}, {"length", WF_LENGTH, 1, 1},
    {"char_length", WF_LENGTH, 1, 1}, {"character_length", WF_LENGTH, 1, 1}, {"trim", WF_TRIM, 1, 1},
    {"ltrim", WF_LTRIM, 1, 1}, {"rtrim", WF_RTRIM, 1, 1}, {"round", WF_ROUND, 1, 2}, {"abs", WF_ABS, 1, 1},
    {"to_timestamp", WF_TO_TS, 1, 2}, {"date_trunc", WF_DATE_TRUNC, 2, 2}, {"year", WF_YEAR, 1, 1},
    {"month", WF_MONTH, 1, 1}, {"day", WF_DAY, 1, 1}, {"dayofmonth", WF_DAY, 1, 1}, {"hour", WF_HOUR, 1, 1},
    {"minute", WF_MINUTE, 1, 1}, {"second", WF_SECOND, 1, 1}, {"current_timestamp", WF_NOW, 0, 0},
    {"now", WF_NOW, 0, 0}, {"current_date", WF_TODAY, 0, 0}, {"nvl", WF_COALESCE, 2, 2},
    {"ifnull", WF_COALESCE, 2, 2}, {"date_format", WF_DATE_FORMAT, 2, 2}, {"to_date", WF_TODAY, 1, 2},
    {NULL, WF_LIT, 0, 0}};

/* Every aggregate name Spark knows, so that one weir lacks is named as such (wsql_agg_known: those weir runs). */
static const char *const AGGREGATES[] = {
    "count", "sum", "avg", "mean", "min", "max", "first", "last", "first_value", "last_value", "collect_list",
    "collect_set", "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop",
    "approx_count_distinct", "count_if", "any", "some", "every", "bool_and", "bool_or", "max_by", "min_by",
    "percentile", "percentile_approx", "median", "mode", "sum_distinct", NULL};

const char *wsql_fn_name(WFn fn) {
    switch (fn) {
    case WF_NEG: return "-";
    case WF_ADD: return "+";
    case WF_SUB: return "-";
    case WF_MUL: return "*";
    case WF_DIV: return "/";
    case WF_MOD: return "%";
    case WF_INTDIV: return "div";
    case WF_BITNOT: return "~";
    case WF_EQ: return "=";
    case WF_NSEQ: return "<=>";
    case WF_LT: return "<";
    case WF_LE: return "<=";
    case WF_GT: return ">";
    case WF_GE: return ">=";
    case WF_AND: return "AND";
    case WF_OR: return "OR";
    case WF_NOT: return "NOT";
    case WF_ISNULL: return "isnull";
    case WF_ISNOTNULL: return "isnotnull";
    case WF_LIKE: return "like";
    case WF_CASE: return "case";
    case WF_TS_ADD: return "timestamp_add_interval";
    case WF_DATE_ADD: return "date_add";
    case WF_FIELD: return "field";
    case WF_TODAY: return "current_date";
    case WF_NOW: return "current_timestamp";
    case WF_CAST: return "cast";
    default: break;
    }
    for (int i = 0; FNS[i].name; i++)
        if (FNS[i].fn == fn) return FNS[i].name;
    return "?";
}

static const char *const TRUNC_UNITS[] = {"year", "quarter", "month", "week", "day", "hour", "minute", "second",
                                          "millisecond", "microsecond"};

static int trunc_unit(const char *s) {
    static const struct { const char *n; int u; } A[] = {
        {"year", WTRUNC_YEAR}, {"yyyy", WTRUNC_YEAR}, {"yy", WTRUNC_YEAR}, {"quarter", WTRUNC_QUARTER},
        {"month", WTRUNC_MONTH}, {"mon", WTRUNC_MONTH}, {"mm", WTRUNC_MONTH}, {"week", WTRUNC_WEEK},
        {"day", WTRUNC_DAY}, {"dd", WTRUNC_DAY}, {"hour", WTRUNC_HOUR}, {"minute", WTRUNC_MINUTE},
        {"second", WTRUNC_SECOND}, {"millisecond", WTRUNC_MILLISECOND}, {"microsecond", WTRUNC_MICROSECOND}};
    for (size_t i = 0; i < sizeof A / sizeof A[0]; i++)
        if (!strcasecmp(A[i].n, s)) return A[i].u;
    return -1;
}

/* Time-part functions take a TIMESTAMP (year/month/day also a DATE); a STRING is cast like Spark does. */
static int time_arg(R *r, WBound *a, int date_ok, const char *fname, WBound **out) {
    if (a->type == WT_DATE && date_ok) {
        *out = a;
        return WEIR_OK;
    }
    if (a->type == WT_STRING || a->type == WT_NULL) return coerce(r, a, date_ok ? WT_DATE : WT_TIMESTAMP, out);
    if (a->type == WT_TIMESTAMP) {
        *out = a;
        return WEIR_OK;
    }
    if (a->type == WT_DATE) return coerce(r, a, WT_TIMESTAMP, out);
    return rerr(r, a->off, "type mismatch: %s expects a timestamp%s, found %s", fname, date_ok ? " or date" : "",
                tname(a->type));
}

/* A datetime pattern argument: a string literal that compiles (checked now, so a bad one is a planning error). */
static int format_arg(R *r, const WExpr *e, const char *ctx, const char **out) {
    if (e->kind != WX_STRING) return rerr(r, e->off, "%s: the format must be a string literal", ctx);
    WTimeFmt *f = NULL;
    WErr e2;
    werr_init(&e2);
    if (wtimefmt_compile(e->str, &f, &e2)) return rerr(r, e->off, "%s: bad format: %s", ctx, e2.msg);
    wtimefmt_free(f);
    *out = warena_strndup(&r->b->arena, e->str, e->str_len);
    return *out ? WEIR_OK : WEIR_NOMEM;
}

static int bind_func(R *r, const WExpr *e, WBound **out) {
    int rc;
    const char *name = e->str;
    for (int i = 0; AGGREGATES[i]; i++)
        if (!strcasecmp(name, AGGREGATES[i])) {
            if (!wsql_agg_known(name)) {
                char what[200];
                snprintf(what, sizeof what, "the aggregate function %s() (weir has count, sum, avg, min, max, first, "
                         "last and approx_count_distinct)", AGGREGATES[i]);
                return unsupported(r, e->off, what);
            }
            return rerr(r, e->off, "the aggregate function %s() is not allowed here (not inside another aggregate, "
                        "WHERE, WATERMARK or GROUP BY)", name);
        }
    if (!strcasecmp(name, "window") || !strcasecmp(name, "session_window"))
        return rerr(r, e->off, "%s() belongs in GROUP BY, e.g. GROUP BY %s(ts, '30 seconds'); the select list "
                    "refers to it as %s", name, name, name);
    const FnDef *d = NULL;
    for (int i = 0; FNS[i].name; i++)
        if (!strcasecmp(FNS[i].name, name)) d = &FNS[i];
    if (!d) {
        const char *near = NULL;
        size_t n = strlen(name);
        int bd = n <= 2 ? 0 : n <= 4 ? 2 : 3;
        for (int i = 0; FNS[i].name; i++) {
            int dd = distance(name, FNS[i].name);
            if (dd < bd) {
                bd = dd;
                near = FNS[i].name;
            }
        }
        if (near) return rerr(r, e->off, "unknown function %s() (did you mean %s()?)", name, near);
        return rerr(r, e->off, "unknown function %s()", name);
    }
    if (e->star) return rerr(r, e->off, "%s(*) is not valid: '*' only goes in count(*)", name);
    if (e->distinct) return rerr(r, e->off, "DISTINCT is only valid in aggregate functions, not in %s()", name);
    if (e->n_kids < d->min_args || e->n_kids > d->max_args) {
        if (d->min_args == d->max_args)
            return rerr(r, e->off, "wrong number of arguments: %s() takes %d, found %d", name, d->min_args, e->n_kids);
        if (d->max_args == 255)
            return rerr(r, e->off, "wrong number of arguments: %s() takes at least %d, found %d", name, d->min_args,
                        e->n_kids);
        return rerr(r, e->off, "wrong number of arguments: %s() takes %d to %d, found %d", name, d->min_args,
                    d->max_args, e->n_kids);
    }
    WBound *n = node(r, d->fn, WT_NULL, e->off, e->n_kids);
    if (!n) return WEIR_NOMEM;
    for (int i = 0; i < e->n_kids; i++)
        if ((rc = bind(r, e->kids[i], &n->kids[i]))) return rc;
    WBound **k = n->kids;
    char ctx[64];
    snprintf(ctx, sizeof ctx, "%s()", name);
    if (!strcasecmp(name, "to_date")) { /* CAST(x AS DATE), or CAST(to_timestamp(x, fmt) AS DATE) */
        if (e->n_kids == 1) {
            if (k[0]->type != WT_STRING && k[0]->type != WT_TIMESTAMP && k[0]->type != WT_DATE && k[0]->type != WT_NULL)
                return rerr(r, k[0]->off, "type mismatch: to_date() expects a string or timestamp, found %s",
                            tname(k[0]->type));
            return coerce(r, k[0], WT_DATE, out);
        }
        if ((rc = implicit(r, k[0], WT_STRING, ctx, &k[0])) || (rc = format_arg(r, e->kids[1], ctx, &n->pattern)))
            return rc;
        n->fn = WF_TO_TS;
        n->type = WT_TIMESTAMP;
        n->n_kids = 1;
        return coerce(r, n, WT_DATE, out);
    }
    switch (d->fn) {
    case WF_COALESCE: {
        WTypeId t = WT_NULL;
        for (int i = 0; i < n->n_kids; i++) {
            WTypeId w = wsql_wider_type(t, k[i]->type);
            if (w == WT_NULL && k[i]->type != WT_NULL)
                return rerr(r, k[i]->off, "type mismatch: %s arguments have no common type (%s and %s)", ctx,
                            tname(t), tname(k[i]->type));
            t = w;
        }
        if (t == WT_STRUCT) return rerr(r, e->off, "%s of STRUCT values is not supported", ctx);
        for (int i = 0; i < n->n_kids; i++)
            if ((rc = coerce(r, k[i], t, &k[i]))) return rc;
        n->type = t;
        break;
    }
    case WF_LOWER: case WF_UPPER: case WF_CONCAT: case WF_TRIM: case WF_LTRIM: case WF_RTRIM:
        for (int i = 0; i < n->n_kids; i++)
            if ((rc = implicit(r, k[i], WT_STRING, ctx, &k[i]))) return rc;
        n->type = WT_STRING;
        if (d->fn == WF_CONCAT && n->n_kids == 0) {
            n->fn = WF_LIT;
            n->sval = "";
        }
        break;
    case WF_SUBSTR:
        if ((rc = implicit(r, k[0], WT_STRING, ctx, &k[0]))) return rc;
        for (int i = 1; i < n->n_kids; i++)
            if ((rc = implicit(r, k[i], WT_INT, ctx, &k[i]))) return rc;
        n->type = WT_STRING;
        break;
    case WF_LENGTH:
        if ((rc = implicit(r, k[0], WT_STRING, ctx, &k[0]))) return rc;
        n->type = WT_INT;
        break;
    case WF_ABS:
    case WF_ROUND:
        if (k[0]->type == WT_STRING || k[0]->type == WT_NULL) {
            if ((rc = coerce(r, k[0], WT_DOUBLE, &k[0]))) return rc;
        }
        if (!is_numeric(k[0]->type))
            return rerr(r, k[0]->off, "type mismatch: %s expects a number, found %s", ctx, tname(k[0]->type));
        n->type = k[0]->type;
        if (d->fn == WF_ROUND && n->n_kids == 2) {
            const WExpr *s = e->kids[1];
            if (s->kind != WX_INT || s->big)
                return rerr(r, e->kids[1]->off, "round(): the scale must be an integer literal");
            if (s->ival < -38 || s->ival > 38) return rerr(r, s->off, "round(): the scale must be between -38 and 38");
            n->scale = (int)s->ival;
            n->n_kids = 1;
        }
        break;
    case WF_TO_TS:
        if (k[0]->type == WT_TIMESTAMP) {
            *out = k[0];
            return WEIR_OK;
        }
        if (k[0]->type == WT_DATE && n->n_kids == 1) return coerce(r, k[0], WT_TIMESTAMP, out);
        if ((rc = implicit(r, k[0], WT_STRING, ctx, &k[0]))) return rc;
        if (n->n_kids == 2) {
            if ((rc = format_arg(r, e->kids[1], ctx, &n->pattern))) return rc;
            n->n_kids = 1;
        }
        n->type = WT_TIMESTAMP;
        break;
    case WF_DATE_FORMAT:
        if ((rc = time_arg(r, k[0], 0, ctx, &k[0])) || (rc = format_arg(r, e->kids[1], ctx, &n->pattern))) return rc;
        n->n_kids = 1;
        n->type = WT_STRING;
        break;
    case WF_DATE_TRUNC: {
        if (e->kids[0]->kind != WX_STRING)
            return rerr(r, e->kids[0]->off, "date_trunc(): the unit must be a string literal such as 'hour'");
        int u = trunc_unit(e->kids[0]->str);
        if (u < 0)
            return rerr(r, e->kids[0]->off,
                        "date_trunc(): unknown unit '%s'; expected year, quarter, month, week, day, hour, minute, "
                        "second, millisecond or microsecond", e->kids[0]->str);
        n->unit = u;
        if ((rc = time_arg(r, k[1], 0, ctx, &k[0]))) return rc;
        n->n_kids = 1;
        n->type = WT_TIMESTAMP;
        break;
    }
    case WF_YEAR: case WF_MONTH: case WF_DAY:
        if ((rc = time_arg(r, k[0], 1, ctx, &k[0]))) return rc;
        n->type = WT_INT;
        break;
    case WF_HOUR: case WF_MINUTE: case WF_SECOND:
        if ((rc = time_arg(r, k[0], 0, ctx, &k[0]))) return rc;
        n->type = WT_INT;
        break;
    case WF_NOW: n->type = WT_TIMESTAMP; break;
    case WF_TODAY: n->type = WT_DATE; break;
    default: return rerr(r, e->off, "unknown function %s()", name);
    }
    *out = n;
    return WEIR_OK;
}

/* ---- the rest ---- */

static int bind_case(R *r, const WExpr *e, WBound **out) {
    int rc;
    int i = 0;
    WBound *operand = NULL;
    if (e->has_operand) {
        if ((rc = bind(r, e->kids[0], &operand))) return rc;
        i = 1;
    }
    int pairs = (e->n_kids - i - (e->has_else ? 1 : 0)) / 2;
    WBound *n = node(r, WF_CASE, WT_NULL, e->off, pairs * 2 + (e->has_else ? 1 : 0));
    if (!n) return WEIR_NOMEM;
    n->has_else = e->has_else;
    for (int p = 0; p < pairs; p++) {
        WBound *w, *t;
        if ((rc = bind(r, e->kids[i + 2 * p], &w)) || (rc = bind(r, e->kids[i + 2 * p + 1], &t))) return rc;
        if (operand) {
            if ((rc = comparison(r, WF_EQ, w->off, operand, w, &w))) return rc;
        } else if (w->type != WT_BOOLEAN) {
            if (w->type != WT_NULL)
                return rerr(r, w->off, "type mismatch: WHEN expects a boolean condition, found %s", tname(w->type));
            if ((rc = coerce(r, w, WT_BOOLEAN, &w))) return rc;
        }
        n->kids[2 * p] = w;
        n->kids[2 * p + 1] = t;
    }
    if (e->has_else && (rc = bind(r, e->kids[e->n_kids - 1], &n->kids[n->n_kids - 1]))) return rc;
    WTypeId t = WT_NULL;
    for (int p = 1; p <= 2 * pairs + 1; p += 2) {
        /* the THEN values sit at odd indexes, the ELSE value (when any) is the last kid */
        WBound *v = p < 2 * pairs ? n->kids[p] : e->has_else ? n->kids[2 * pairs] : NULL;
        if (!v) break;
        WTypeId w = wsql_wider_type(t, v->type);
        if ((w == WT_NULL && v->type != WT_NULL) || w == WT_STRUCT)
            return rerr(r, v->off, "type mismatch: the results of CASE have no common type (%s and %s)", tname(t),
                        tname(v->type));
        t = w;
    }
    if (t == WT_NULL) t = WT_STRING; /* all NULL: weir gives a STRING NULL where Spark has no column type */
    for (int p = 1; p < n->n_kids; p += 2)
        if ((rc = coerce(r, n->kids[p], t, &n->kids[p]))) return rc;
    if (e->has_else && (rc = coerce(r, n->kids[n->n_kids - 1], t, &n->kids[n->n_kids - 1]))) return rc;
    n->type = t;
    *out = n;
    return WEIR_OK;
}

static int bind_in(R *r, const WExpr *e, WBound **out) {
    int rc;
    int n = e->n_kids;
    WBound **k = warena_alloc(&r->b->arena, sizeof *k * (size_t)n);
    if (!k) return WEIR_NOMEM;
    WTypeId t = WT_NULL;
    for (int i = 0; i < n; i++) {
        if ((rc = bind(r, e->kids[i], &k[i]))) return rc;
        WTypeId w = wsql_wider_type(t, k[i]->type);
        if (w == WT_NULL && k[i]->type != WT_NULL) w = compare_type(t, k[i]->type);
        if ((w == WT_NULL && k[i]->type != WT_NULL) || w == WT_STRUCT)
            return rerr(r, k[i]->off, "type mismatch: IN compares %s with %s", tname(t), tname(k[i]->type));
        t = w;
    }
    for (int i = 0; i < n; i++)
        if ((rc = coerce(r, k[i], t, &k[i]))) return rc;
    WBound **eqs = warena_alloc(&r->b->arena, sizeof *eqs * (size_t)n);
    if (!eqs) return WEIR_NOMEM;
    for (int i = 1; i < n; i++)
        if ((rc = make2(r, WF_EQ, WT_BOOLEAN, k[i]->off, k[0], k[i], &eqs[i - 1]))) return rc;
    /* OR the equalities pairwise, level by level: a balanced tree keeps a long IN list shallow */
    int m = n - 1;
    while (m > 1) {
        int j = 0;
        for (int i = 0; i < m; i += 2) {
            if (i + 1 < m) {
                if ((rc = make2(r, WF_OR, WT_BOOLEAN, e->off, eqs[i], eqs[i + 1], &eqs[j]))) return rc;
            } else {
                eqs[j] = eqs[i];
            }
            j++;
        }
        m = j;
    }
    WBound *acc = eqs[0];
    if (e->negated && (rc = make1(r, WF_NOT, WT_BOOLEAN, e->off, acc, &acc))) return rc;
    *out = acc;
    return WEIR_OK;
}

static int bind(R *r, const WExpr *e, WBound **out) {
    int rc;
    WBound *n, *a, *b, *c;
    switch (e->kind) {
    case WX_NULL:
        *out = lit_null(r, WT_NULL, e->off);
        return *out ? WEIR_OK : WEIR_NOMEM;
    case WX_BOOL:
    case WX_INT:
        n = node(r, WF_LIT, e->kind == WX_BOOL ? WT_BOOLEAN : e->big ? WT_BIGINT : WT_INT, e->off, 0);
        if (!n) return WEIR_NOMEM;
        n->ival = e->ival;
        *out = n;
        return WEIR_OK;
    case WX_DOUBLE:
        n = node(r, WF_LIT, WT_DOUBLE, e->off, 0);
        if (!n) return WEIR_NOMEM;
        n->dval = e->dval;
        *out = n;
        return WEIR_OK;
    case WX_STRING:
        n = node(r, WF_LIT, WT_STRING, e->off, 0);
        if (!n) return WEIR_NOMEM;
        n->sval = warena_strndup(&r->b->arena, e->str, e->str_len);
        n->slen = e->str_len;
        if (!n->sval) return WEIR_NOMEM;
        *out = n;
        return WEIR_OK;
    case WX_TYPED: {
        if (e->lit_type == WT_DATE) {
            int32_t days;
            if (wtime_parse_date(e->str, e->str_len, &days))
                return rerr(r, e->off, "cannot read DATE '%s': expected yyyy-MM-dd", e->str);
            n = node(r, WF_LIT, WT_DATE, e->off, 0);
            if (!n) return WEIR_NOMEM;
            n->ival = days;
            *out = n;
            return WEIR_OK;
        }
        int64_t us;
        if (wtime_parse_timestamp(e->str, e->str_len, NULL, &us))
            return rerr(r, e->off, "cannot read TIMESTAMP '%s': expected e.g. '2022-09-06 11:40:00'", e->str);
        /* read in the session time zone at run time, like any string cast to a timestamp */
        n = node(r, WF_LIT, WT_STRING, e->off, 0);
        if (!n) return WEIR_NOMEM;
        n->sval = warena_strndup(&r->b->arena, e->str, e->str_len);
        n->slen = e->str_len;
        if (!n->sval) return WEIR_NOMEM;
        return coerce(r, n, WT_TIMESTAMP, out);
    }
    case WX_INTERVAL:
        return rerr(r, e->off, "an INTERVAL can only be added to or subtracted from a timestamp");
    case WX_COLUMN: return bind_column(r, e, out);
    case WX_STAR: return rerr(r, e->off, "'*' is only allowed as a select item");
    case WX_UNARY:
        if ((rc = bind(r, e->kids[0], &a))) return rc;
        switch (e->op) {
        case WOP_NOT:
            if ((rc = logic_arg(r, a, "NOT", &a))) return rc;
            return make1(r, WF_NOT, WT_BOOLEAN, e->off, a, out);
        case WOP_BITNOT:
            if (a->type == WT_NULL && (rc = coerce(r, a, WT_INT, &a))) return rc;
            if (!is_integral(a->type))
                return rerr(r, a->off, "type mismatch: '~' expects an integer, found %s", tname(a->type));
            return make1(r, WF_BITNOT, a->type, e->off, a, out);
        default:
            if ((rc = arith_arg(r, a, e->op == WOP_NEG ? "-" : "+", &a))) return rc;
            if (a->type == WT_NULL && (rc = coerce(r, a, WT_INT, &a))) return rc;
            if (e->op == WOP_POS) {
                *out = a;
                return WEIR_OK;
            }
            return make1(r, WF_NEG, a->type, e->off, a, out);
        }
    case WX_BINARY: return bind_binary(r, e, out);
    case WX_IS_NULL:
        if ((rc = bind(r, e->kids[0], &a))) return rc;
        return make1(r, e->negated ? WF_ISNOTNULL : WF_ISNULL, WT_BOOLEAN, e->off, a, out);
    case WX_IN: return bind_in(r, e, out);
    case WX_BETWEEN:
        if ((rc = bind(r, e->kids[0], &a)) || (rc = bind(r, e->kids[1], &b)) || (rc = bind(r, e->kids[2], &c)))
            return rc;
        if ((rc = comparison(r, WF_GE, e->off, a, b, &b)) || (rc = comparison(r, WF_LE, e->off, a, c, &c))) return rc;
        if ((rc = make2(r, WF_AND, WT_BOOLEAN, e->off, b, c, out))) return rc;
        if (e->negated) return make1(r, WF_NOT, WT_BOOLEAN, e->off, *out, out);
        return WEIR_OK;
    case WX_LIKE:
        if ((rc = bind2(r, e, &a, &b))) return rc;
        if ((rc = implicit(r, a, WT_STRING, "LIKE", &a)) || (rc = implicit(r, b, WT_STRING, "LIKE", &b))) return rc;
        if ((rc = make2(r, WF_LIKE, WT_BOOLEAN, e->off, a, b, &n))) return rc;
        n->escape = e->escape;
        if (e->negated) return make1(r, WF_NOT, WT_BOOLEAN, e->off, n, out);
        *out = n;
        return WEIR_OK;
    case WX_CASE: return bind_case(r, e, out);
    case WX_CAST: {
        if ((rc = bind(r, e->kids[0], &a))) return rc;
        WTypeId t = e->cast_type->id;
        if (t == WT_STRUCT || a->type == WT_STRUCT) {
            if (t == WT_STRUCT && a->type == WT_STRUCT && a->stype && wtype_equal(a->stype, e->cast_type)) {
                *out = a;
                return WEIR_OK;
            }
            return rerr(r, e->off, "cannot CAST %s to %s: casts of STRUCT values are not supported", tname(a->type),
                        tname(t));
        }
        if (!wsql_can_cast(a->type, t))
            return rerr(r, e->off, "cannot CAST %s to %s", tname(a->type), tname(t));
        if (a->type == t) {
            *out = a;
            return WEIR_OK;
        }
        return coerce(r, a, t, out);
    }
    case WX_FUNC: return bind_func(r, e, out);
    case WX_FIELD: {
        if ((rc = bind(r, e->kids[0], &a))) return rc;
        if (a->type != WT_STRUCT || !a->stype)
            return rerr(r, e->off, "cannot take field '%s' of a %s value", e->str, tname(a->type));
        int k = wtype_field_index_ci(a->stype, e->str, strlen(e->str));
        if (k < 0) return rerr(r, e->off, "no field '%s' in this STRUCT", e->str);
        if ((rc = make1(r, WF_FIELD, a->stype->fields[k].type.id, e->off, a, &n))) return rc;
        n->path = warena_alloc(&r->b->arena, sizeof *n->path);
        if (!n->path) return WEIR_NOMEM;
        n->path[0] = k;
        n->n_path = 1;
        if (n->type == WT_STRUCT) n->stype = &a->stype->fields[k].type;
        *out = n;
        return WEIR_OK;
    }
    }
    return rerr(r, e->off, "unsupported expression");
}

/* ---- select list ---- */

static int add_output(R *r, const char *name, size_t name_len, WBound *e, WBound ***cols, int *n, int *cap) {
    WType ft;
    memset(&ft, 0, sizeof ft);
    if (e->type == WT_NULL) { /* an untyped NULL column: weir writes it as a STRING */
        int rc = coerce(r, e, WT_STRING, &e);
        if (rc) return rc;
    }
    if (e->type == WT_STRUCT) {
        if (wtype_copy(&ft, e->stype)) return WEIR_NOMEM;
    } else {
        ft.id = e->type;
    }
    int rc = wtype_add_field(&r->b->out_schema, name, name_len, &ft);
    wtype_fini(&ft);
    if (rc) return WEIR_NOMEM;
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        WBound **na = realloc(*cols, sizeof *na * (size_t)nc);
        if (!na) return WEIR_NOMEM;
        *cols = na;
        *cap = nc;
    }
    (*cols)[(*n)++] = e;
    return WEIR_OK;
}

static int expand_star(R *r, const WSelItem *it, WBound ***cols, int *n, int *cap) {
    const WExpr *e = it->expr;
    const WType *st = r->input;
    int *prefix = NULL, n_prefix = 0;
    if (e->n_names > 0 && !(e->n_names == 1 && is_table_name(r, e->names[0]))) {
        int from = e->n_names >= 2 && is_table_name(r, e->names[0]) &&
                   wtype_field_index_ci(r->input, e->names[1], strlen(e->names[1])) >= 0;
        const WType *t;
        int rc = resolve_path(r, e, from, &prefix, &n_prefix, &t);
        if (rc) return rc;
        if (t->id != WT_STRUCT) {
            return rerr(r, e->off, "cannot expand '%s.*': %s is a %s, not a STRUCT", e->names[e->n_names - 1],
                        e->names[e->n_names - 1], tname(t->id));
        }
        st = t;
    }
    for (int i = 0; i < st->n_fields; i++) {
        WBound *c = node(r, WF_COL, st->fields[i].type.id, e->off, 0);
        if (!c) return WEIR_NOMEM;
        c->path = warena_alloc(&r->b->arena, sizeof *c->path * (size_t)(n_prefix + 1));
        if (!c->path) return WEIR_NOMEM;
        if (n_prefix) memcpy(c->path, prefix, sizeof *prefix * (size_t)n_prefix);
        c->path[n_prefix] = i;
        c->n_path = n_prefix + 1;
        if (c->type == WT_STRUCT) c->stype = &st->fields[i].type;
        int rc = add_output(r, st->fields[i].name, strlen(st->fields[i].name), c, cols, n, cap);
        if (rc) return rc;
    }
    return WEIR_OK;
}

/* Spark's output name of an unaliased item: a column's name (the last part for a nested field, the
 * schema's spelling for a top-level column), else the expression's text. */
static int item_name(R *r, const WSelItem *it, const WBound *b, WBuf *out) {
    const WExpr *e = it->expr;
    if (it->alias) return wbuf_puts(out, it->alias);
    if (e->kind == WX_COLUMN && b->fn == WF_COL) {
        if (b->n_path == 1) return wbuf_puts(out, r->input->fields[b->path[0]].name);
        return wbuf_puts(out, e->names[e->n_names - 1]);
    }
    if (e->kind == WX_COLUMN && (b->fn == WF_NOW || b->fn == WF_TODAY)) /* the keyword form */
        return wbuf_printf(out, "%s()", b->fn == WF_NOW ? "current_timestamp" : "current_date");
    /* Spark names a call after its resolved form, with the default arguments filled in */
    const char *extra = NULL;
    if (e->kind == WX_FUNC && e->n_kids == 1 && !strcasecmp(e->str, "round")) extra = "0";
    if (e->kind == WX_FUNC && e->n_kids == 2 && (!strcasecmp(e->str, "substring") || !strcasecmp(e->str, "substr")))
        extra = "2147483647";
    if (extra) {
        int rc = wbuf_printf(out, "%s(", e->str);
        for (int i = 0; i < e->n_kids && !rc; i++) {
            rc = wsql_print_expr(e->kids[i], WSQL_PRINT_NAME, out);
            rc = rc ? rc : wbuf_puts(out, ", ");
        }
        return rc ? rc : wbuf_printf(out, "%s)", extra);
    }
    return wsql_print_expr(e, WSQL_PRINT_NAME, out);
}

int wsql_resolve(const WSqlSelect *sel, const WType *input, WBoundSelect **out, WErr *err) {
    *out = NULL;
    WBoundSelect *b = calloc(1, sizeof *b);
    if (!b) return werr_msg(err, WEIR_NOMEM, "out of memory");
    warena_init(&b->arena, 8192);
    b->input = input;
    b->out_schema.id = WT_STRUCT;
    R r = {b, sel, input, err};
    int rc = WEIR_OK;
    WBound **cols = NULL;
    int n = 0, cap = 0;
    WBuf name;
    wbuf_init(&name);
    if (sel->n_group_by) {
        rc = unsupported(&r, sel->group_by[0]->off, "GROUP BY");
        goto done;
    }
    if (sel->having) {
        rc = unsupported(&r, sel->having->off, "HAVING");
        goto done;
    }
    if (sel->distinct) {
        rc = unsupported(&r, sel->items[0].off, "SELECT DISTINCT");
        goto done;
    }
    for (int i = 0; i < sel->n_items && !rc; i++) {
        const WSelItem *it = &sel->items[i];
        if (it->expr->kind == WX_STAR) {
            rc = expand_star(&r, it, &cols, &n, &cap);
            continue;
        }
        WBound *e;
        if ((rc = bind(&r, it->expr, &e))) break;
        wbuf_reset(&name);
        if ((rc = item_name(&r, it, e, &name))) break;
        rc = add_output(&r, name.data ? name.data : "", name.len, e, &cols, &n, &cap);
    }
    if (rc) goto done;
    if (sel->where) {
        WBound *w;
        if ((rc = bind(&r, sel->where, &w))) goto done;
        if (w->type == WT_NULL) rc = coerce(&r, w, WT_BOOLEAN, &w);
        else if (w->type != WT_BOOLEAN)
            rc = rerr(&r, sel->where->off, "type mismatch: WHERE expects a boolean condition, found %s",
                      tname(w->type));
        if (rc) goto done;
        b->where = w;
    }
    if (sel->wm_expr) {
        WBound *w;
        if ((rc = bind(&r, sel->wm_expr, &w))) goto done;
        if (w->type != WT_TIMESTAMP) {
            rc = rerr(&r, sel->wm_expr->off, "type mismatch: WATERMARK expects a timestamp, found %s", tname(w->type));
            goto done;
        }
        const WExpr *d = sel->wm_delay;
        int32_t months = 0;
        int64_t micros = 0;
        if (d->kind == WX_INTERVAL) {
            months = d->months;
            micros = d->micros;
        } else if (d->kind == WX_STRING) {
            if (wsql_parse_interval(d->str, d->str_len, &months, &micros)) {
                rc = rerr(&r, d->off, "cannot read the delay '%s': expected e.g. INTERVAL 10 SECONDS", d->str);
                goto done;
            }
        } else {
            rc = rerr(&r, d->off, "expected an interval after DELAY OF, e.g. INTERVAL 10 SECONDS");
            goto done;
        }
        if (months < 0 || micros < 0 || (months > 0 && micros < 0)) {
            rc = rerr(&r, d->off, "the watermark delay must not be negative");
            goto done;
        }
        b->watermark = w;
        b->wm_delay_months = months;
        b->wm_delay_micros = micros;
    }
    b->cols = warena_alloc(&b->arena, sizeof *b->cols * (size_t)(n ? n : 1));
    if (!b->cols) {
        rc = WEIR_NOMEM;
        goto done;
    }
    if (n) memcpy(b->cols, cols, sizeof *cols * (size_t)n);
done:
    free(cols);
    wbuf_fini(&name);
    if (rc) {
        if (rc == WEIR_NOMEM) werr_msg(err, WEIR_NOMEM, "out of memory");
        wsql_bound_free(b);
        return rc;
    }
    *out = b;
    return WEIR_OK;
}

void wsql_bound_free(WBoundSelect *b) {
    if (!b) return;
    wtype_fini(&b->out_schema);
    warena_fini(&b->arena);
    free(b);
}

/* ---- printing ---- */

static int print_path(const WType *t, const int *path, int n, WBuf *out) {
    int rc = WEIR_OK;
    for (int i = 0; i < n && !rc && t && t->id == WT_STRUCT; i++) {
        if (i) rc = wbuf_putc(out, '.');
        rc = rc ? rc : wbuf_puts(out, t->fields[path[i]].name);
        t = &t->fields[path[i]].type;
    }
    return rc;
}

static int print_kids(const WBound *e, const WType *in, WBuf *out, int from) {
    int rc = WEIR_OK;
    for (int i = from; i < e->n_kids && !rc; i++) {
        if (i > from) rc = wbuf_puts(out, ", ");
        rc = rc ? rc : wsql_bound_print(e->kids[i], in, out);
    }
    return rc;
}

int wsql_bound_print(const WBound *e, const WType *in, WBuf *out) {
    int rc = WEIR_OK;
    switch (e->fn) {
    case WF_LIT:
        if (e->is_null) return wbuf_printf(out, "CAST(NULL AS %s)", tname(e->type));
        switch (e->type) {
        case WT_BOOLEAN: return wbuf_puts(out, e->ival ? "true" : "false");
        case WT_INT: return wbuf_printf(out, "%lld", (long long)e->ival);
        case WT_BIGINT: return wbuf_printf(out, "%lldL", (long long)e->ival);
        case WT_DOUBLE: {
            char t[40];
            snprintf(t, sizeof t, "%.17g", e->dval);
            return wbuf_printf(out, "%sD", t);
        }
        case WT_DATE: {
            char t[WTIME_TEXT_MAX];
            wtime_format_date((int32_t)e->ival, t);
            return wbuf_printf(out, "DATE '%s'", t);
        }
        default: {
            rc = wbuf_putc(out, '\'');
            for (size_t i = 0; i < e->slen && !rc; i++)
                rc = e->sval[i] == '\'' ? wbuf_puts(out, "\\'") : wbuf_putc(out, e->sval[i]);
            return rc ? rc : wbuf_putc(out, '\'');
        }
        }
    case WF_COL: return print_path(in, e->path, e->n_path, out);
    case WF_CAST:
        rc = wbuf_puts(out, "CAST(");
        rc = rc ? rc : wsql_bound_print(e->kids[0], in, out);
        return rc ? rc : wbuf_printf(out, " AS %s)", tname(e->type));
    case WF_NEG: case WF_BITNOT: case WF_NOT:
        rc = wbuf_printf(out, "(%s%s", wsql_fn_name(e->fn), e->fn == WF_NOT ? " " : "");
        rc = rc ? rc : wsql_bound_print(e->kids[0], in, out);
        return rc ? rc : wbuf_putc(out, ')');
    case WF_ADD: case WF_SUB: case WF_MUL: case WF_DIV: case WF_MOD: case WF_INTDIV: case WF_EQ: case WF_NSEQ:
    case WF_LT: case WF_LE: case WF_GT: case WF_GE: case WF_AND: case WF_OR:
        rc = wbuf_putc(out, '(');
        rc = rc ? rc : wsql_bound_print(e->kids[0], in, out);
        rc = rc ? rc : wbuf_printf(out, " %s ", wsql_fn_name(e->fn));
        rc = rc ? rc : wsql_bound_print(e->kids[1], in, out);
        return rc ? rc : wbuf_putc(out, ')');
    case WF_ISNULL: case WF_ISNOTNULL:
        rc = wbuf_putc(out, '(');
        rc = rc ? rc : wsql_bound_print(e->kids[0], in, out);
        return rc ? rc : wbuf_puts(out, e->fn == WF_ISNULL ? " IS NULL)" : " IS NOT NULL)");
    case WF_LIKE:
        rc = wbuf_putc(out, '(');
        rc = rc ? rc : wsql_bound_print(e->kids[0], in, out);
        rc = rc ? rc : wbuf_puts(out, " LIKE ");
        rc = rc ? rc : wsql_bound_print(e->kids[1], in, out);
        if (e->escape != '\\') rc = rc ? rc : wbuf_printf(out, " ESCAPE '%c'", e->escape);
        return rc ? rc : wbuf_putc(out, ')');
    case WF_CASE: {
        rc = wbuf_puts(out, "CASE");
        int pairs = (e->n_kids - e->has_else) / 2;
        for (int p = 0; p < pairs && !rc; p++) {
            rc = wbuf_puts(out, " WHEN ");
            rc = rc ? rc : wsql_bound_print(e->kids[2 * p], in, out);
            rc = rc ? rc : wbuf_puts(out, " THEN ");
            rc = rc ? rc : wsql_bound_print(e->kids[2 * p + 1], in, out);
        }
        if (e->has_else) {
            rc = rc ? rc : wbuf_puts(out, " ELSE ");
            rc = rc ? rc : wsql_bound_print(e->kids[e->n_kids - 1], in, out);
        }
        return rc ? rc : wbuf_puts(out, " END");
    }
    case WF_TS_ADD:
        rc = wbuf_putc(out, '(');
        rc = rc ? rc : wsql_bound_print(e->kids[0], in, out);
        return rc ? rc : wbuf_printf(out, " + INTERVAL %d MONTHS %lld MICROSECONDS)", e->months, (long long)e->micros);
    case WF_FIELD:
        rc = wsql_bound_print(e->kids[0], in, out);
        return rc ? rc : wbuf_printf(out, ".%s", e->kids[0]->stype->fields[e->path[0]].name);
    default:
        break;
    }
    rc = wbuf_printf(out, "%s(", wsql_fn_name(e->fn));
    if (e->fn == WF_DATE_TRUNC) rc = rc ? rc : wbuf_printf(out, "'%s', ", TRUNC_UNITS[e->unit]);
    rc = rc ? rc : print_kids(e, in, out, 0);
    if (e->fn == WF_ROUND) rc = rc ? rc : wbuf_printf(out, ", %d", e->scale);
    if ((e->fn == WF_TO_TS || e->fn == WF_DATE_FORMAT) && e->pattern)
        rc = rc ? rc : wbuf_printf(out, ", '%s'", e->pattern);
    return rc ? rc : wbuf_putc(out, ')');
}

int wsql_bound_conform(WBoundSelect *b, const WType *target, const char *src, size_t src_len, size_t off,
                       const char *table, WErr *err) {
    if (target->n_fields != b->out_schema.n_fields)
        return wsql_error_at(err, src, src_len, off, "table %s has %d columns but the query gives %d", table,
                             target->n_fields, b->out_schema.n_fields);
    WSqlSelect fake;
    memset(&fake, 0, sizeof fake);
    fake.src = src;
    fake.src_len = src_len;
    R r = {b, &fake, b->input, err};
    for (int i = 0; i < target->n_fields; i++) {
        const WType *tt = &target->fields[i].type;
        WBound *c = b->cols[i];
        if (tt->id == WT_STRUCT || c->type == WT_STRUCT) {
            if (!(tt->id == WT_STRUCT && c->type == WT_STRUCT && wtype_equal(tt, c->stype)))
                return wsql_error_at(err, src, src_len, c->off, "column %d of the query (%s) does not fit column %s of %s",
                                     i + 1, tname(c->type), target->fields[i].name, table);
            continue;
        }
        if (!wsql_can_cast(c->type, tt->id))
            return wsql_error_at(err, src, src_len, c->off, "column %d of the query is %s: cannot store it in column %s %s of %s",
                                 i + 1, tname(c->type), target->fields[i].name, tname(tt->id), table);
        int rc = coerce(&r, c, tt->id, &b->cols[i]);
        if (rc) return rc;
    }
    WType copy;
    if (wtype_copy(&copy, target)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    wtype_fini(&b->out_schema);
    b->out_schema = copy;
    return WEIR_OK;
}
