/*
 * resolve.h - binds a parsed SELECT to an input schema: names to column paths, Spark's implicit casts,
 * result types, and the output schema with Spark's default column names.
 *
 * The result is a tree of WBound nodes that exec/expr.h evaluates. Every implicit cast Spark would insert
 * (non-ANSI mode) is an explicit WF_CAST node here, so the evaluator never guesses types. BETWEEN and IN are
 * rewritten into comparisons joined by AND / OR, which gives exactly Spark's NULL results. Errors carry
 * line:col and a caret under the offending text. Aggregates, GROUP BY, HAVING and window() parse but are
 * refused here with WEIR_UNSUPPORTED ("aggregation is not supported yet").
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

/* Binds sel against input (a STRUCT; borrowed, must outlive the result). Caller owns the result; free with
 * wsql_bound_free. Errors are WEIR_SQL (or WEIR_UNSUPPORTED for aggregation) with line:col and a caret. */
int wsql_resolve(const WSqlSelect *sel, const WType *input, WBoundSelect **out, WErr *err);
void wsql_bound_free(WBoundSelect *b);

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
