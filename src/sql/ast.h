/*
 * ast.h - the syntax tree of a weir SQL script, as the parser (parse.h) builds it.
 *
 * Nothing here is resolved: names are as written, types of expressions are unknown. resolve.h binds a
 * SELECT against an input schema. Every node remembers the byte offset of its first token so that later
 * stages can point a caret at it. All nodes and strings live in the script's arena; the WType values of
 * CREATE TABLE columns and CAST targets are heap-owned and freed with the script.
 */
#ifndef WEIR_SQL_AST_H
#define WEIR_SQL_AST_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/schema.h"

typedef enum WExprKind {
    WX_NULL,      /* NULL */
    WX_BOOL,      /* TRUE / FALSE: ival */
    WX_INT,       /* integer literal: ival; type INT when it fits, else BIGINT (or an L suffix) */
    WX_DOUBLE,    /* decimal or exponent literal: dval (Spark's DECIMAL literals are DOUBLE in weir) */
    WX_STRING,    /* 'text': str */
    WX_TYPED,     /* TIMESTAMP '...' / DATE '...': str, lit_type */
    WX_INTERVAL,  /* INTERVAL ...: months, micros */
    WX_COLUMN,    /* a, a.b.c: names[n_names] */
    WX_STAR,      /* *, a.*: names[n_names] is the qualifier (n_names 0 for a bare *) */
    WX_UNARY,     /* op WOP_NEG / WOP_POS / WOP_NOT / WOP_BITNOT on kids[0] */
    WX_BINARY,    /* op on kids[0], kids[1] */
    WX_IS_NULL,   /* kids[0] IS [NOT] NULL (negated) */
    WX_IN,        /* kids[0] [NOT] IN (kids[1..]) */
    WX_BETWEEN,   /* kids[0] [NOT] BETWEEN kids[1] AND kids[2] */
    WX_LIKE,      /* kids[0] [NOT] LIKE kids[1] [ESCAPE 'c']: escape */
    WX_CASE,      /* CASE [operand] WHEN w THEN t ... [ELSE e] END: kids = [operand] (w, t)* [e] */
    WX_CAST,      /* CAST(kids[0] AS cast_type) */
    WX_FUNC,      /* name(kids...), distinct, star for count(*) */
    WX_FIELD      /* kids[0].name, for a field of a computed struct such as window(...).start */
} WExprKind;

typedef enum WOp {
    WOP_NONE = 0,
    WOP_NEG, WOP_POS, WOP_NOT, WOP_BITNOT,
    WOP_ADD, WOP_SUB, WOP_MUL, WOP_DIV, WOP_MOD, WOP_INTDIV, WOP_CONCAT,
    WOP_EQ, WOP_NSEQ, WOP_NE, WOP_LT, WOP_LE, WOP_GT, WOP_GE,
    WOP_AND, WOP_OR
} WOp;

typedef struct WExpr WExpr;
struct WExpr {
    WExprKind kind;
    WOp op;
    size_t off, end;      /* source extent [off, end) */
    int negated;          /* IS NOT NULL, NOT IN, NOT BETWEEN, NOT LIKE */
    int has_operand;      /* CASE x WHEN ... */
    int has_else;         /* CASE ... ELSE */
    int distinct;         /* f(DISTINCT ...) */
    int star;             /* count(*) */
    int big;              /* WX_INT: BIGINT (did not fit INT, or L suffix) */
    int64_t ival;
    double dval;
    int32_t months;       /* WX_INTERVAL */
    int64_t micros;       /* WX_INTERVAL */
    WTypeId lit_type;     /* WX_TYPED */
    const char *str;      /* string literal text, function or field name (NUL-terminated) */
    size_t str_len;
    const char *raw;      /* numeric literal as written (for names like Spark's) */
    char escape;          /* LIKE ... ESCAPE; '\\' by default */
    const char **names;   /* WX_COLUMN / WX_STAR */
    int n_names;
    WExpr **kids;
    int n_kids;
    WType *cast_type;     /* WX_CAST */
    int height;           /* 1 + the tallest child: bounds every later recursion over the tree */
};

typedef struct WSelItem {
    WExpr *expr;          /* WX_STAR for * and a.* */
    const char *alias;    /* NULL when none */
    size_t off;
} WSelItem;

typedef struct WSqlSelect {
    int distinct;
    WSelItem *items;
    int n_items;
    const char *from;         /* table name */
    size_t from_off;
    int from_stream;          /* FROM STREAM(t) rather than FROM t */
    const char *from_alias;   /* NULL when none */
    WExpr *wm_expr;           /* WATERMARK expr [AS wm_name] DELAY OF wm_delay; NULL when absent */
    const char *wm_name;
    WExpr *wm_delay;
    WExpr *where;
    WExpr **group_by;
    int n_group_by;
    WExpr *having;
    const char *src;          /* the script text, for error carets */
    size_t src_len;
} WSqlSelect;

typedef struct WSqlOption {
    const char *key;
    const char *value;
    size_t off;
} WSqlOption;

typedef enum WStmtKind { WSTMT_CREATE, WSTMT_SET, WSTMT_INSERT, WSTMT_SELECT } WStmtKind;

typedef struct WSqlStmt {
    WStmtKind kind;
    size_t off, end;          /* source extent, without the ';' */
    /* CREATE TABLE */
    const char *name;         /* CREATE: table; INSERT: target table; SET: key */
    int if_not_exists;
    WType *schema;            /* CREATE: declared columns, or NULL */
    const char *using_fmt;    /* CREATE: json, csv, parquet, exec ... (lower-cased) */
    WSqlOption *options;
    int n_options;
    /* SET */
    const char *value;
    /* INSERT / SELECT */
    WSqlSelect *select;
} WSqlStmt;

typedef struct WTypeList WTypeList;

typedef struct WSqlScript {
    WArena arena;
    char *src;                /* private copy of the text, NUL-terminated */
    size_t len;
    WSqlStmt **stmts;
    int n_stmts;
    WTypeList *types;         /* heap types to free */
} WSqlScript;

#endif
