/*
 * schema.c - types, schemas and the Spark DDL parser (see schema.h).
 *
 * The parser is a small recursive descent over the DDL text:
 *   schema  := column (',' column)*
 *   column  := name [':'] type [NOT NULL] [COMMENT 'text']
 *   type    := simple | STRUCT '<' [column (',' column)*] '>'
 * Errors name the column being read and the byte offset where the parser stopped.
 */
#include "core/schema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *wtype_name(WTypeId id) {
    switch (id) {
    case WT_NULL: return "void";
    case WT_BOOLEAN: return "boolean";
    case WT_INT: return "int";
    case WT_BIGINT: return "bigint";
    case WT_DOUBLE: return "double";
    case WT_STRING: return "string";
    case WT_DATE: return "date";
    case WT_TIMESTAMP: return "timestamp";
    case WT_STRUCT: return "struct";
    }
    return "unknown";
}

size_t wtype_width(WTypeId id) {
    switch (id) {
    case WT_INT: case WT_DATE: return 4;
    case WT_BIGINT: case WT_TIMESTAMP: case WT_DOUBLE: return 8;
    default: return 0;
    }
}

void wtype_fini(WType *t) {
    if (!t) return;
    for (int i = 0; i < t->n_fields; i++) {
        free(t->fields[i].name);
        wtype_fini(&t->fields[i].type);
    }
    free(t->fields);
    t->fields = NULL;
    t->n_fields = 0;
}

int wtype_add_field(WType *st, const char *name, size_t name_len, const WType *ft) {
    WField *f = realloc(st->fields, sizeof *f * (size_t)(st->n_fields + 1));
    if (!f) return WEIR_NOMEM;
    st->fields = f;
    WField *nf = &f[st->n_fields];
    nf->name = malloc(name_len + 1);
    if (!nf->name) return WEIR_NOMEM;
    memcpy(nf->name, name, name_len);
    nf->name[name_len] = 0;
    if (wtype_copy(&nf->type, ft)) {
        free(nf->name);
        return WEIR_NOMEM;
    }
    st->n_fields++;
    return WEIR_OK;
}

int wtype_copy(WType *dst, const WType *src) {
    dst->id = src->id;
    dst->n_fields = 0;
    dst->fields = NULL;
    for (int i = 0; i < src->n_fields; i++) {
        const WField *f = &src->fields[i];
        if (wtype_add_field(dst, f->name, strlen(f->name), &f->type)) {
            wtype_fini(dst);
            return WEIR_NOMEM;
        }
    }
    return WEIR_OK;
}

int wtype_equal(const WType *a, const WType *b) {
    if (a->id != b->id || a->n_fields != b->n_fields) return 0;
    for (int i = 0; i < a->n_fields; i++) {
        if (strcmp(a->fields[i].name, b->fields[i].name)) return 0;
        if (!wtype_equal(&a->fields[i].type, &b->fields[i].type)) return 0;
    }
    return 1;
}

int wtype_field_index(const WType *st, const char *name, size_t name_len) {
    for (int i = 0; i < st->n_fields; i++)
        if (strlen(st->fields[i].name) == name_len && !memcmp(st->fields[i].name, name, name_len)) return i;
    return -1;
}

int wtype_field_index_ci(const WType *st, const char *name, size_t name_len) {
    for (int i = 0; i < st->n_fields; i++)
        if (strlen(st->fields[i].name) == name_len && !strncasecmp(st->fields[i].name, name, name_len)) return i;
    return -1;
}

static int needs_quotes(const char *s) {
    if (!*s || isdigit((unsigned char)*s)) return 1;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return 1;
    return 0;
}

static int put_name(WBuf *out, const char *name) {
    if (!needs_quotes(name)) return wbuf_puts(out, name);
    int rc = wbuf_putc(out, '`');
    for (const char *p = name; *p && !rc; p++) {
        if (*p == '`') rc = wbuf_putc(out, '`');
        if (!rc) rc = wbuf_putc(out, *p);
    }
    if (!rc) rc = wbuf_putc(out, '`');
    return rc;
}

int wtype_to_ddl(const WType *t, WBuf *out, int top_level) {
    int rc = WEIR_OK;
    if (t->id != WT_STRUCT) {
        const char *n = wtype_name(t->id);
        for (; *n && !rc; n++) rc = wbuf_putc(out, (char)toupper((unsigned char)*n));
        return rc;
    }
    if (!top_level) rc = wbuf_puts(out, "STRUCT<");
    for (int i = 0; i < t->n_fields && !rc; i++) {
        if (i) rc = wbuf_puts(out, ", ");
        if (!rc) rc = put_name(out, t->fields[i].name);
        if (!rc) rc = wbuf_puts(out, top_level ? " " : ": ");
        if (!rc) rc = wtype_to_ddl(&t->fields[i].type, out, 0);
    }
    if (!top_level && !rc) rc = wbuf_putc(out, '>');
    return rc;
}

/* ---- DDL parser ---- */

typedef struct Parser {
    const char *s;
    size_t len, pos;
    int depth;
    WErr *err;
    const char *column; /* name of the column being parsed, for messages */
    size_t column_len;
} Parser;

static void skip_ws(Parser *p) {
    while (p->pos < p->len && isspace((unsigned char)p->s[p->pos])) p->pos++;
}

static int fail(Parser *p, const char *what) {
    if (p->column)
        return werr_set(p->err, WEIR_PARSE, NULL, (int64_t)p->pos, 1, (int64_t)p->pos + 1,
                        "schema: column `%.*s`: %s", (int)p->column_len, p->column, what);
    return werr_set(p->err, WEIR_PARSE, NULL, (int64_t)p->pos, 1, (int64_t)p->pos + 1, "schema: %s", what);
}

/* Reads an identifier or `quoted name`; returns a heap string in *out. */
static int read_name(Parser *p, char **out, size_t *out_len) {
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '`') {
        WBuf b;
        wbuf_init(&b);
        p->pos++;
        for (;;) {
            if (p->pos >= p->len) {
                wbuf_fini(&b);
                return fail(p, "unterminated `quoted name`");
            }
            char c = p->s[p->pos++];
            if (c == 0) { /* names are NUL-terminated strings everywhere else */
                wbuf_fini(&b);
                p->pos--;
                return fail(p, "NUL byte in a `quoted name`");
            }
            if (c == '`') {
                if (p->pos < p->len && p->s[p->pos] == '`') p->pos++;
                else break;
            }
            if (wbuf_putc(&b, c)) {
                wbuf_fini(&b);
                return werr_msg(p->err, WEIR_NOMEM, "out of memory");
            }
        }
        if (b.len == 0) {
            wbuf_fini(&b);
            return fail(p, "empty column name");
        }
        *out_len = b.len;
        *out = (char *)wbuf_cstr(&b);
        return WEIR_OK;
    }
    size_t start = p->pos;
    while (p->pos < p->len && (isalnum((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_')) p->pos++;
    if (p->pos == start) return fail(p, "expected a column name");
    *out_len = p->pos - start;
    *out = malloc(*out_len + 1);
    if (!*out) return werr_msg(p->err, WEIR_NOMEM, "out of memory");
    memcpy(*out, p->s + start, *out_len);
    (*out)[*out_len] = 0;
    return WEIR_OK;
}

static int word_is(const char *w, size_t n, const char *kw) {
    return strlen(kw) == n && !strncasecmp(w, kw, n);
}

static int parse_fields(Parser *p, WType *st, char close);

static int parse_type(Parser *p, WType *t) {
    skip_ws(p);
    size_t start = p->pos;
    while (p->pos < p->len && (isalnum((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_')) p->pos++;
    const char *w = p->s + start;
    size_t n = p->pos - start;
    t->n_fields = 0;
    t->fields = NULL;
    if (n == 0) {
        p->pos = start;
        return fail(p, "expected a type name");
    }
    if (word_is(w, n, "boolean") || word_is(w, n, "bool")) t->id = WT_BOOLEAN;
    else if (word_is(w, n, "int") || word_is(w, n, "integer")) t->id = WT_INT;
    else if (word_is(w, n, "bigint") || word_is(w, n, "long")) t->id = WT_BIGINT;
    else if (word_is(w, n, "double") || word_is(w, n, "float") || word_is(w, n, "real")) t->id = WT_DOUBLE;
    else if (word_is(w, n, "string") || word_is(w, n, "text")) t->id = WT_STRING;
    else if (word_is(w, n, "varchar") || word_is(w, n, "char")) {
        /* VARCHAR(n) and CHAR(n) read as STRING, as Spark does for file sources. */
        t->id = WT_STRING;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != '(') return fail(p, "expected '(' and a length after VARCHAR/CHAR");
        p->pos++;
        skip_ws(p);
        size_t d = p->pos;
        while (p->pos < p->len && isdigit((unsigned char)p->s[p->pos])) p->pos++;
        if (d == p->pos) return fail(p, "expected a length");
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ')') return fail(p, "expected ')'");
        p->pos++;
    } else if (word_is(w, n, "date")) t->id = WT_DATE;
    else if (word_is(w, n, "timestamp") || word_is(w, n, "timestamp_ltz")) t->id = WT_TIMESTAMP;
    else if (word_is(w, n, "struct")) {
        t->id = WT_STRUCT;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != '<') return fail(p, "expected '<' after STRUCT");
        p->pos++;
        if (++p->depth > 64) return fail(p, "STRUCT nested deeper than 64 levels");
        const char *outer = p->column;
        size_t outer_len = p->column_len;
        int rc = parse_fields(p, t, '>');
        p->column = outer;
        p->column_len = outer_len;
        p->depth--;
        if (rc) return rc;
        if (p->pos >= p->len || p->s[p->pos] != '>') return fail(p, "expected '>' to close STRUCT");
        p->pos++;
    } else {
        p->pos = start;
        char msg[160];
        snprintf(msg, sizeof msg,
                 "unknown type '%.*s' (expected BOOLEAN, INT, BIGINT, DOUBLE, STRING, DATE, TIMESTAMP or STRUCT<...>)",
                 (int)(n > 40 ? 40 : n), w);
        return fail(p, msg);
    }
    return WEIR_OK;
}

/* Skips NOT NULL and COMMENT 'text' after a column's type. */
static int parse_column_tail(Parser *p) {
    for (;;) {
        skip_ws(p);
        size_t start = p->pos;
        while (p->pos < p->len && isalpha((unsigned char)p->s[p->pos])) p->pos++;
        const char *w = p->s + start;
        size_t n = p->pos - start;
        if (word_is(w, n, "not")) {
            skip_ws(p);
            size_t s2 = p->pos;
            while (p->pos < p->len && isalpha((unsigned char)p->s[p->pos])) p->pos++;
            if (!word_is(p->s + s2, p->pos - s2, "null")) return fail(p, "expected NULL after NOT");
        } else if (word_is(w, n, "comment")) {
            skip_ws(p);
            if (p->pos >= p->len || (p->s[p->pos] != '\'' && p->s[p->pos] != '"')) return fail(p, "expected a quoted comment");
            char q = p->s[p->pos++];
            while (p->pos < p->len && p->s[p->pos] != q) {
                if (p->s[p->pos] == '\\' && p->pos + 1 < p->len) p->pos++;
                p->pos++;
            }
            if (p->pos >= p->len) return fail(p, "unterminated comment");
            p->pos++;
        } else {
            p->pos = start;
            return WEIR_OK;
        }
    }
}

static int parse_fields(Parser *p, WType *st, char close) {
    skip_ws(p);
    if (close && p->pos < p->len && p->s[p->pos] == close) return WEIR_OK; /* STRUCT<> */
    for (;;) {
        char *name = NULL;
        size_t name_len = 0;
        int rc = read_name(p, &name, &name_len);
        if (rc) return rc;
        p->column = name;
        p->column_len = name_len;
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ':') p->pos++;
        WType ft;
        rc = parse_type(p, &ft);
        if (!rc) rc = parse_column_tail(p);
        if (!rc && wtype_field_index_ci(st, name, name_len) >= 0) rc = fail(p, "duplicate column name");
        if (!rc) rc = wtype_add_field(st, name, name_len, &ft);
        wtype_fini(&ft);
        p->column = NULL;
        free(name);
        if (rc) return rc == WEIR_NOMEM ? werr_msg(p->err, WEIR_NOMEM, "out of memory") : rc;
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        return WEIR_OK;
    }
}

int wschema_parse(const char *ddl, size_t len, WType *out, WErr *err) {
    Parser p = {ddl, len, 0, 0, err, NULL, 0};
    out->id = WT_STRUCT;
    out->n_fields = 0;
    out->fields = NULL;
    skip_ws(&p);
    if (p.pos == p.len) {
        return werr_set(err, WEIR_PARSE, NULL, 0, 1, 1, "schema: empty schema");
    }
    int rc = parse_fields(&p, out, 0);
    if (!rc) {
        skip_ws(&p);
        if (p.pos != p.len) rc = fail(&p, "expected ',' or the end of the schema");
    }
    if (rc) wtype_fini(out);
    return rc;
}
