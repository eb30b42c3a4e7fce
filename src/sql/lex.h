/*
 * lex.h - the SQL tokenizer: turns Spark SQL text into tokens, each with its byte offset, line and column.
 *
 * Keywords are not separate token kinds: they are WTK_IDENT tokens that the parser compares
 * case-insensitively (wlex_is_kw), so a keyword-looking word can still be a column name where the grammar
 * allows it, as in Spark. `backquoted` names are WTK_QIDENT and never keywords. Comments (-- to the end of
 * the line, slash-star block comments, not nested) and white space are skipped. Strings in '...' or "..." follow Spark's
 * rules: a doubled quote stands for one quote and a backslash escapes the next character (\n \t \r \0 \b
 * \Z \% \_ \u + 4 hex digits, any other character stands for itself). The lexer is pulled one token at a time and can
 * be moved back to any offset (wlex_seek), which the parser uses to hand raw type text to core/schema.h.
 */
#ifndef WEIR_SQL_LEX_H
#define WEIR_SQL_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef enum WTokKind {
    WTK_EOF = 0,
    WTK_IDENT,   /* word: name or keyword */
    WTK_QIDENT,  /* `backquoted` name, text unescaped */
    WTK_STRING,  /* '...' or "...", text unescaped */
    WTK_INT,     /* digits only (fits in int64 or not: the parser decides) */
    WTK_DECIMAL, /* digits with '.' and/or exponent */
    WTK_OP       /* punctuation and operators; text holds it: ( ) , . ; * + - / % = == != <> < <= > >= || : [ ] { } */
} WTokKind;

typedef struct WTok {
    WTokKind kind;
    size_t off, len;     /* raw extent in the source */
    int line, col;       /* 1-based position of the first byte */
    const char *text;    /* IDENT/QIDENT/STRING: unescaped text (owned by the lexer's buffer until next); OP/numbers: raw */
    size_t text_len;
} WTok;

typedef struct WLex {
    const char *src;
    size_t len, pos;
    int line;
    size_t line_start;   /* offset of the first byte of the current line */
    WBuf text;           /* unescaped text of the last string / quoted name */
} WLex;

void wlex_init(WLex *L, const char *src, size_t len);
void wlex_fini(WLex *L);
/* Reads the next token into *t. A malformed token (unterminated string or comment, stray byte) is an
 * error with line:col and a caret line. */
int wlex_next(WLex *L, WTok *t, WErr *err);
/* Moves to byte offset off (which must be the start of a token or white space), recomputing line/col. */
void wlex_seek(WLex *L, size_t off);
/* 1 when t is an IDENT equal to kw ignoring ASCII case. */
int wlex_is_kw(const WTok *t, const char *kw);
/* 1 when t is the operator op. */
int wlex_is_op(const WTok *t, const char *op);
/* Line and column (1-based) of byte offset off. */
void wlex_pos(const char *src, size_t len, size_t off, int *line, int *col);
/* Sets err (code WEIR_SQL) to "line:col: <msg>\n  <source line>\n  <caret>" for byte offset off of src. */
int wsql_error_at(WErr *err, const char *src, size_t len, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
