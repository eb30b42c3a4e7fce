/*
 * parse.h - the SQL parser: a script of statements separated by ';' into the tree of ast.h.
 *
 * Recursive descent with one token of look-ahead (see GRAMMAR.md for what is accepted). Column and type
 * lists reuse core/schema.h's DDL parser on the raw text, so CREATE TABLE and CAST accept exactly the types
 * a schema string does. Errors are "line:col: expected X, found 'Y'" followed by the source line and a caret.
 * The printers give a canonical, fully parenthesised form (tests compare it) and Spark's default column
 * name of an unaliased expression.
 */
#ifndef WEIR_SQL_PARSE_H
#define WEIR_SQL_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "sql/ast.h"

int wsql_parse(const char *src, size_t len, WSqlScript **out, WErr *err);
void wsql_ast_free(WSqlScript *s);

/* Parses Spark interval text: "10 seconds", "1 minute 30 seconds", "interval 2 hours", "-5 ms", "1.5 s";
 * units year(s) month(s) week(s) day(s) hour(s) minute(s) second(s) millisecond(s) microsecond(s) and
 * their short forms (y, mon, w, d, h, m/min, s/sec, ms, us). WEIR_PARSE when malformed. */
int wsql_parse_interval(const char *s, size_t n, int32_t *out_months, int64_t *out_micros);

typedef enum WSqlPrintMode {
    WSQL_PRINT_SQL,   /* canonical SQL: strings quoted, every operator parenthesised */
    WSQL_PRINT_NAME   /* Spark's default column name: literals bare, `a.b` as written */
} WSqlPrintMode;

/* 1 when a name must be `backquoted` to read back as a name (a keyword, or a word with a meaning of its
 * own such as INTERVAL or TIMESTAMP). */
int wsql_needs_backquotes(const char *word);

int wsql_print_expr(const WExpr *e, WSqlPrintMode mode, WBuf *out);
/* One line per statement, canonical. */
int wsql_print_stmt(const WSqlStmt *s, WBuf *out);

#endif
