/*
 * resolve.h - binds a parsed SELECT to an input schema: names to column paths, Spark's implicit casts,
 * result types, and the output schema with Spark's default column names.
 *
 * The result is a tree of WBound nodes that exec/expr.h evaluates. Every implicit cast Spark would insert
 * (non-ANSI mode) is an explicit WF_CAST node here, so the evaluator never guesses types. BETWEEN and IN are
 * rewritten into comparisons joined by AND / OR, which gives exactly Spark's NULL results. Errors carry
 * line:col and a caret under the offending text. wsql_resolve binds a query without aggregation;
 * wsql_resolve_agg (resolve_agg.c) splits an aggregation query into the parts below and binds each with
 * wsql_resolve. A WATERMARK expr AS name makes `name` a column of the query.
 */
#ifndef WEIR_SQL_RESOLVE_H
#define WEIR_SQL_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/schema.h"
#include "sql/ast.h"

typedef enum WFn {
    WF_LIT, WF_COL, WF_CAST,
    WF_NEG, WF_ADD, WF_SUB, WF_MUL, WF_DIV, WF_MOD, WF_INTDIV, WF_BITNOT,
    WF_EQ, WF_NSEQ, WF_LT, WF_LE, WF_GT, WF_GE,
    WF_AND, WF_OR, WF_NOT, WF_ISNULL, WF_ISNOTNULL, WF_LIKE, WF_CASE,
    WF_COALESCE, WF_LOWER, WF_UPPER, WF_CONCAT, WF_SUBSTR, WF_LENGTH, WF_TRIM, WF_LTRIM, WF_RTRIM,
    WF_ROUND, WF_ABS, WF_TO_TS, WF_DATE_TRUNC, WF_YEAR, WF_MONTH, WF_DAY, WF_HOUR, WF_MINUTE, WF_SECOND,
    WF_NOW, WF_TODAY, WF_TS_ADD, WF_DATE_ADD, WF_FIELD, WF_DATE_FORMAT
} WFn;

typedef struct WBound WBound;
struct WBound {
    WFn fn;
    WTypeId type;         /* result type */
    const WType *stype;   /* STRUCT results: the struct's type */
    int id;               /* 0 .. n_nodes-1, for the evaluator's per-node scratch */
    size_t off;           /* source offset, for messages */
    WBound **kids;
    int n_kids;
    /* WF_LIT: value of type `type` (is_null for NULL) */
    int is_null;
    int64_t ival;         /* BOOLEAN, INT, BIGINT, DATE, TIMESTAMP */
    double dval;
    const char *sval;
    size_t slen;
    /* WF_COL: field indexes from the input schema down; WF_FIELD: index in kids[0]'s struct */
    int *path;
    int n_path;
    /* WF_TS_ADD: timestamp + interval */
    int32_t months;
    int64_t micros;
    /* WF_LIKE: escape; WF_CASE: has_else; WF_ROUND: scale; WF_DATE_TRUNC: unit; WF_TO_TS: pattern or NULL;
     * WF_DATE_FORMAT: pattern */
    char escape;
    int has_else;
    int scale;
    int unit;
    const char *pattern;
};

/* date_trunc units */
enum { WTRUNC_YEAR, WTRUNC_QUARTER, WTRUNC_MONTH, WTRUNC_WEEK, WTRUNC_DAY, WTRUNC_HOUR, WTRUNC_MINUTE,
       WTRUNC_SECOND, WTRUNC_MILLISECOND, WTRUNC_MICROSECOND };

typedef struct WBoundSelect {
    WArena arena;
    const WType *input;   /* borrowed */
    WType out_schema;     /* owned: one field per output column */
    WBound **cols;        /* n_cols = out_schema.n_fields */
    WBound *where;        /* NULL when none */
    WBound *watermark;    /* the WATERMARK expression (TIMESTAMP), NULL when none */
    int32_t wm_delay_months;
    int64_t wm_delay_micros;
    int n_nodes;
} WBoundSelect;

/* Aggregate functions and output modes, as the SQL layer names them and exec/agg.h runs them. */
typedef enum WAggFn {
    WAGG_COUNT_STAR,
    WAGG_COUNT,
    WAGG_COUNT_DISTINCT,
    WAGG_SUM,
    WAGG_AVG,
    WAGG_MIN,
    WAGG_MAX,
    WAGG_FIRST,               /* Spark's first(x) with ignoreNulls = false */
    WAGG_LAST,                /* Spark's last(x) with ignoreNulls = false */
    WAGG_APPROX_COUNT_DISTINCT
} WAggFn;

typedef struct WAggCall {
    WAggFn fn;
    int col;            /* input column; ignored for count(*) */
    const char *name;   /* output column name */
    double rsd;         /* approx_count_distinct's relativeSD; 0 means Spark's default 0.05 */
} WAggCall;

typedef enum WOutputMode { WOUT_APPEND = 0, WOUT_UPDATE, WOUT_COMPLETE } WOutputMode;

/* Binds sel against input (a STRUCT; borrowed, must outlive the result). Caller owns the result; free with
 * wsql_bound_free. Errors are WEIR_SQL (or WEIR_UNSUPPORTED for aggregation) with line:col and a caret. */
int wsql_resolve(const WSqlSelect *sel, const WType *input, WBoundSelect **out, WErr *err);
void wsql_bound_free(WBoundSelect *b);

/* An aggregation query (GROUP BY, or aggregate functions in the select list or HAVING), split in three:
 *   pre   WHERE and the operator's input over the source rows: the source's columns as they are, then
 *         the inputs that are not a plain top-level column (computed keys, aggregate arguments, the
 *         window's time when it is an expression); pre_identity when there is no WHERE and nothing
 *         computed, so the operator can take the source's batches as they are
 *   the aggregation (exec/agg.h): event-time column, window, keys and aggregate calls as columns of pre's
 *         output, and the operator's output schema agg_out (`window` or `session_window`, the keys, one
 *         column per aggregate call in Spark's result types)
 *   post  HAVING (as its WHERE) and the select list over agg_out: the one WBoundSelect wsql_resolve_agg
 *         returns beside this, whose out_schema is the query's output
 * Aggregate calls of the select list and HAVING become columns of agg_out, and so does every
 * sub-expression equal to a GROUP BY expression; a column left outside both is an error, as in Spark. */
typedef struct WBoundAgg {
    WArena arena;
    WBoundSelect *pre;        /* owned */
    int pre_identity;
    int n_source_cols;        /* pre's first columns are the source's (late rows are written with these) */
    int ts_col;               /* pre's event-time column (the window's), -1 when not windowed */
    int window_kind;          /* 0: no window, 1: window(ts, size, slide, start), 2: session_window(ts, gap) */
    int64_t size_us, slide_us, start_us; /* session: size_us is the gap */
    int has_watermark;        /* the WATERMARK is on the window's time column */
    int watermark_elsewhere;  /* a WATERMARK clause names another expression than the window's time */
    int64_t delay_us;
    int n_keys;
    int *key_cols;            /* pre's columns, one per GROUP BY expression other than the window */
    int n_aggs;
    WAggCall *aggs;           /* col: pre's column; name: agg_out's column */
    WType agg_out;            /* owned */
    size_t group_off;         /* offset of GROUP BY (or of the first aggregate), for messages */
} WBoundAgg;

/* The aggregate function weir runs for a call named `name` with these flags, or -1 when weir has none:
 * count (count(*) with star, COUNT_DISTINCT with distinct), sum, avg / mean, min, max, first /
 * first_value, last / last_value, approx_count_distinct. */
int wsql_agg_fn(const char *name, int star, int distinct);
/* 1 when weir runs some aggregate called `name`. */
int wsql_agg_known(const char *name);
/* 1 when sel aggregates (GROUP BY, HAVING, or an aggregate function outside any other aggregate). */
int wsql_select_aggregates(const WSqlSelect *sel);
/* Binds an aggregation query: *agg (free with wsql_bound_agg_free) and *post (free with wsql_bound_free). */
int wsql_resolve_agg(const WSqlSelect *sel, const WType *input, WBoundAgg **agg, WBoundSelect **post, WErr *err);
void wsql_bound_agg_free(WBoundAgg *a);

/* Makes b's output fit a table's declared columns (INSERT INTO t, by position as Spark does): same count,
 * each value cast to the column's type, the column names taken from t. off / src place errors. */
int wsql_bound_conform(WBoundSelect *b, const WType *target, const char *src, size_t src_len, size_t off,
                       const char *table, WErr *err);

/* Appends a readable form of a bound expression (columns by name, implicit casts shown as CAST). */
int wsql_bound_print(const WBound *e, const WType *input, WBuf *out);
/* Spark's name of a function node (e.g. "lower"), for plans and messages. */
const char *wsql_fn_name(WFn fn);
/* 1 when CAST(from AS to) is allowed (Spark's Cast.canCast, non-ANSI, as far as weir's types go). */
int wsql_can_cast(WTypeId from, WTypeId to);

/* Spark's type for a CAST target name and the common type of two types (findWiderTypeForTwo, non-ANSI):
 * WT_NULL when there is none. */
WTypeId wsql_wider_type(WTypeId a, WTypeId b);

#endif
